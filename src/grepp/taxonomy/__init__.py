"""ROME 4.0 and ESCO loaded into one versioned shape in the store, and read back as Concepts.

    from grepp.taxonomy import ensure_loaded, load_concepts
    ensure_loaded(con, settings.data_dir)          # loads ROME + ESCO once (no-op when current)
    metiers = load_concepts(con, kinds=["metier"])

Modules: ``csvfile`` (strict CSV reading), ``rome`` and ``esco`` (one parser per taxonomy into
``rows.ReleaseRows``), ``releases`` (discovery, content hash, one-transaction loads), ``concepts``
(Concept records of the current releases), ``search`` (label search), ``details`` (one concept's card).
"""

from __future__ import annotations

from grepp.taxonomy.concepts import load_concepts, occupation_skill_links, rome_code_of_appellation
from grepp.taxonomy.releases import LoadReport, ReleaseReport, ensure_loaded, load_all

__all__ = [
    "LoadReport",
    "ReleaseReport",
    "ensure_loaded",
    "load_all",
    "load_concepts",
    "occupation_skill_links",
    "rome_code_of_appellation",
]
