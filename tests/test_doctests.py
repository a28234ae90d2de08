"""The examples in the docstrings of these modules run and give what they show.

Other modules' examples are usage sketches (they need a loaded taxonomy or a store) and are not run.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

RUNNABLE = [
    "grepp.enrich.acronyms",
    "grepp.enrich.calibration",
    "grepp.enrich.dedupe",
    "grepp.enrich.embed",
    "grepp.enrich.fiche_profiles",
    "grepp.enrich.glossary",
    "grepp.enrich.lexical",
    "grepp.enrich.metrics",
    "grepp.enrich.occupation_input",
    "grepp.enrich.priors",
    "grepp.enrich.ranking",
    "grepp.enrich.retrieval",
    "grepp.enrich.skill_context",
    "grepp.enrich.skill_lexicon",
    "grepp.enrich.skill_metier",
    "grepp.enrich.skill_requirement",
    "grepp.enrich.skill_sections",
    "grepp.enrich.skill_words",
    "grepp.enrich.text",
    "grepp.sources.defm",
    "grepp.sources.eval_sets",
    "grepp.sources.france_travail_api",
    "grepp.sources.offer_record",
    "grepp.sources.offers_ba",
    "grepp.sources.offers_json",
    "grepp.sources.salary",
    "grepp.store.geo",
    "grepp.taxonomy.esco",
    "grepp.training_enrichment",
]


@pytest.mark.parametrize("name", RUNNABLE)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no example left: drop it from the list"
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} no longer hold"
