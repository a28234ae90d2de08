"""ROME 4.0 (France Travail's occupation referential) from its ``unix_*_v<NNN>_utf8.csv`` files.

One release folder (``rome/v460/``) becomes one :class:`ReleaseRows` in the shared shape:

- métiers (fiches, ``rome:M1805``; ``parent_id`` = the parent fiche ``rome:<code_rome_parent>`` for the
  1,052 fiches attached to another one, else the domaine professionnel ``rome-dp:M18``);
- appellations, compétences (savoir-faire, savoir-être; macro-compétences are their parents) and
  savoirs by OGR code (``rome-ogr:10200``); contextes de travail are groups (``rome-ogr:126450``);
- labels: preferred (long) and short label, masculine and feminine forms (split on " / ");
- links métier ↔ compétence/savoir with their bloc, rubrique and ``coeur_metier`` (``relation`` is
  ``core`` for Principale, ``emerging`` for Émergente, else ``linked``), mobilités, textes
  (definition, accès), domaines, NAF sectors, sectors of activity, themes, centres d'intérêt, RIASEC;
- flags: transition_eco (Emploi Vert or stratégique; ``detail`` keeps the wording), transition_num,
  transition_demo, emploi_reglemente, emploi_cadre, peu_usite, savoir_etre, macro_competence.

    rows = parse_rome(Path("../shared/data/rome/v460"), "v460")
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from grepp.enrich.text import gender_variants
from grepp.errors import TaxonomyError
from grepp.taxonomy.csvfile import CsvTable, Reader, check_known, columns, read_csv, to_int
from grepp.taxonomy.rome_links import parse_contexts, parse_links, parse_sectors
from grepp.taxonomy.rows import ReleaseRows

#: Every file a release needs (``unix_<name>_v<version>_utf8.csv``).
ROME_FILES: tuple[str, ...] = (
    "grand_domaine",
    "domaine_professionnel",
    "referentiel_code_rome",
    "cr_gd_dp",
    "referentiel_code_rome_riasec",
    "referentiel_appellation",
    "referentiel_competence",
    "referentiel_macro_competence_riasec",
    "referentiel_savoir",
    "referentiel_contexte_travail",
    "composition_bloc",
    "descriptif_rubrique",
    "liens_rome_referentiels",
    "coherence_item",
    "rubrique_mobilite",
    "texte",
    "secteur_naf",
    "arborescence_secteur_naf",
    "themes",
    "arborescence_thematique",
    "centre_interet",
    "arborescence_centre_interet",
    "secteur_activite",
    "sous_secteur_activite",
    "arborescence_secteur_activite",
)

_GREEN = {"Emploi Vert", "Emploi stratégique pour la Transition écologique"}


_REF_COLUMNS = (
    "code_rome",
    "code_ogr",
    "libelle_rome",
    "transition_eco",
    "transition_num",
    "transition_demo",
    "emploi_reglemente",
    "emploi_cadre",
    "code_rome_parent",
)

_APP_COLUMNS = (
    "code_ogr",
    "libelle_appellation_long",
    "libelle_appellation_court",
    "code_rome",
    "transition_eco",
    "transition_num",
    "transition_demo",
    "emploi_reglemente",
    "emploi_cadre",
    "classification",
    "peu_usite",
)

_COMP_COLUMNS = (
    "code_ogr",
    "nature",
    "libelle_competence",
    "definition",
    "code_ogr_macro_comp",
    "cat_comp",
    "sous_cat_comp",
    "transition_eco",
    "transition_num",
)

_SAV_COLUMNS = (
    "code_ogr_savoir",
    "libelle_savoir",
    "categorie_savoir",
    "sous_categorie_savoir",
    "transition_eco",
    "transition_num",
)


def rome_path(release_dir: Path, name: str, version: str) -> Path:
    """The file of one ROME table in a release folder."""
    return release_dir / f"unix_{name}_{version}_utf8.csv"


def rome_files(release_dir: Path, version: str) -> list[Path]:
    return [rome_path(release_dir, name, version) for name in ROME_FILES]


def is_rome_release(path: Path) -> bool:
    return path.is_dir() and re.fullmatch(r"v\d+", path.name) is not None


def parse_rome(release_dir: Path, version: str, on_progress: Callable[[int], None] | None = None) -> ReleaseRows:
    """Read and check every file of one ROME release; raise TaxonomyError on the first defect."""
    rows = ReleaseRows("rome", version)
    lv = f"rome-{version}"
    tick = on_progress or (lambda n: None)

    def read(
        name: str, required: tuple[str, ...], unique: tuple[str, ...] = (), nonempty: tuple[str, ...] | None = None
    ) -> CsvTable:
        path = rome_path(release_dir, name, version)
        rows.files.append(str(path))
        table = read_csv(path, required=required, unique=unique, nonempty=unique if nonempty is None else nonempty)
        tick(1)
        return table

    # Groups: grands domaines, domaines professionnels.
    gd = read("grand_domaine", ("code_grand_domaine", "libelle_grand_domaine"), ("code_grand_domaine",))
    for code, label in zip(gd.column("code_grand_domaine"), gd.column("libelle_grand_domaine"), strict=True):
        rows.group(f"rome-gd:{code}", "grand_domaine", code, label, source=gd.path.name)
        rows.label(f"rome-gd:{code}", "fr", label, "preferred", lv)
    dp = read(
        "domaine_professionnel",
        ("code_domaine_professionnel", "libelle_domaine_professionnel"),
        ("code_domaine_professionnel",),
    )
    gd_codes = set(gd.column("code_grand_domaine"))
    for n, (code, label) in enumerate(
        zip(dp.column("code_domaine_professionnel"), dp.column("libelle_domaine_professionnel"), strict=True)
    ):
        if code[:1] not in gd_codes:
            raise dp.error(n, "code_domaine_professionnel", f"unknown grand domaine {code[:1]!r}")
        rows.group(
            f"rome-dp:{code}",
            "domaine_professionnel",
            code,
            label,
            parent_id=f"rome-gd:{code[:1]}",
            source=dp.path.name,
        )
        rows.label(f"rome-dp:{code}", "fr", label, "preferred", lv)
        rows.broader(f"rome-dp:{code}", f"rome-gd:{code[:1]}", dp.path.name)
    dp_codes = set(dp.column("code_domaine_professionnel"))

    # Métiers (fiches), with their domaine, RIASEC and definition.
    ref = read(
        "referentiel_code_rome",
        _REF_COLUMNS,
        ("code_rome",),
    )
    codes = set(ref.column("code_rome"))
    check_known(ref, "code_rome_parent", codes, "ROME code")
    crdp = read("cr_gd_dp", ("code_rome", "code_domaine_professionel"), ("code_rome",))
    check_known(crdp, "code_rome", codes, "ROME code")
    check_known(crdp, "code_domaine_professionel", dp_codes, "domaine professionnel")
    domain = dict(zip(crdp.column("code_rome"), crdp.column("code_domaine_professionel"), strict=True))
    riasec_t = read("referentiel_code_rome_riasec", ("code_rome", "riasec_majeur", "riasec_mineur"), ("code_rome",))
    check_known(riasec_t, "code_rome", codes, "ROME code")
    riasec = {r[0]: (r[1], r[2]) for r in columns(riasec_t, "code_rome", "riasec_majeur", "riasec_mineur")}
    texts = read(
        "texte",
        ("code_rome", "code_compo_bloc", "libelle_type_texte", "position_phrase", "libelle_texte"),
        ("code_rome", "code_compo_bloc", "libelle_type_texte", "position_phrase"),
    )
    check_known(texts, "code_rome", codes, "ROME code")
    definitions: dict[str, list[tuple[int, str]]] = {}
    for n, (code, bloc, kind, pos, text) in enumerate(
        columns(texts, "code_rome", "code_compo_bloc", "libelle_type_texte", "position_phrase", "libelle_texte")
    ):
        position = to_int(texts, n, "position_phrase", pos)
        text = text.replace("''", "'")  # unix_texte escapes apostrophes SQL-style (d''exploitation)
        rows.text(f"rome:{code}", bloc, kind, position, text)
        if kind == "definition":
            definitions.setdefault(code, []).append((position or 0, text))
    for n, (code, ogr, label, eco, num, demo, regl, cadre, parent) in enumerate(columns(ref, *_REF_COLUMNS)):
        cid = f"rome:{code}"
        if code not in domain:
            raise ref.error(n, "code_rome", f"métier {code} has no domaine in {crdp.path.name}")
        dp_id = f"rome-dp:{domain[code]}"
        major, minor = riasec.get(code, ("", ""))
        definition = "\n".join(t for _, t in sorted(definitions.get(code, [])))
        rows.occupation(
            cid,
            "metier",
            code,
            label,
            parent_id=f"rome:{parent}" if parent != code else dp_id,
            description=definition,
            domain_code=domain[code],
            ogr_code=ogr,
            riasec_major=major,
            riasec_minor=minor,
            source=ref.path.name,
        )
        rows.broader(cid, dp_id, crdp.path.name)
        if parent != code:
            rows.broader(cid, f"rome:{parent}", ref.path.name)
        _gendered_labels(rows, cid, label, lv)
        _job_flags(rows, cid, eco, num, demo, regl, cadre)

    # Appellations.
    app = read(
        "referentiel_appellation",
        _APP_COLUMNS,
        ("code_ogr",),
    )
    check_known(app, "code_rome", codes, "ROME code")
    for ogr, long, short, code, eco, num, demo, regl, cadre, classification, rare in columns(app, *_APP_COLUMNS):
        cid = f"rome-ogr:{ogr}"
        rows.occupation(
            cid,
            "appellation",
            ogr,
            long,
            parent_id=f"rome:{code}",
            domain_code=domain.get(code),
            ogr_code=ogr,
            source=app.path.name,
        )
        rows.broader(cid, f"rome:{code}", app.path.name)
        _gendered_labels(rows, cid, long, lv)
        rows.label(cid, "fr", short, "short", lv)
        if short != long:
            _gendered_labels(rows, cid, short, lv, preferred=False)
        _job_flags(rows, cid, eco, num, demo, regl, cadre)
        if rare == "O":
            rows.flag(cid, "peu_usite")
        if classification == "PRINCIPALE":
            rows.flag(cid, "appellation_principale")

    skill_ids = _parse_skills(rows, read, lv)
    context_ids = parse_contexts(rows, read, lv)
    parse_links(rows, read, codes, skill_ids, context_ids)
    parse_sectors(rows, read, codes, lv)
    return rows


def _parse_skills(rows: ReleaseRows, read: Reader, lv: str) -> set[str]:
    comp = read(
        "referentiel_competence",
        _COMP_COLUMNS,
        ("code_ogr",),
    )
    ogrs = set(comp.column("code_ogr"))
    macro_riasec = read(
        "referentiel_macro_competence_riasec", ("code_ogr", "riasec_majeur", "riasec_mineur"), ("code_ogr",)
    )
    check_known(macro_riasec, "code_ogr", ogrs, "compétence OGR code")
    riasec = {r[0]: (r[1], r[2]) for r in columns(macro_riasec, "code_ogr", "riasec_majeur", "riasec_mineur")}
    for n, (ogr, nature, label, definition, macro, cat, subcat, eco, num) in enumerate(columns(comp, *_COMP_COLUMNS)):
        if macro and macro not in ogrs:
            raise comp.error(n, "code_ogr_macro_comp", f"unknown macro-compétence {macro!r}")
        cid = f"rome-ogr:{ogr}"
        savoir_etre = cat.lower().startswith("savoir-être")
        major, minor = riasec.get(ogr, ("", ""))
        rows.skill(
            cid,
            "competence",
            ogr,
            label,
            parent_id=f"rome-ogr:{macro}" if macro else None,
            description=definition,
            category=cat,
            subcategory=subcat,
            skill_type="savoir-être" if savoir_etre else "savoir-faire",
            riasec_major=major,
            riasec_minor=minor,
            source=comp.path.name,
        )
        if macro:
            rows.broader(cid, f"rome-ogr:{macro}", comp.path.name)
        rows.label(cid, "fr", label, "preferred", lv)
        _yes_flags(rows, cid, eco, num)
        if savoir_etre:
            rows.flag(cid, "savoir_etre")
        if nature == "Macro-compétence":
            rows.flag(cid, "macro_competence")
    sav = read(
        "referentiel_savoir",
        _SAV_COLUMNS,
        ("code_ogr_savoir",),
    )
    for n, (ogr, label, cat, subcat, eco, num) in enumerate(columns(sav, *_SAV_COLUMNS)):
        if ogr in ogrs:
            raise sav.error(n, "code_ogr_savoir", f"duplicated code {ogr!r}: already a compétence")
        cid = f"rome-ogr:{ogr}"
        rows.skill(
            cid, "savoir", ogr, label, category=cat, subcategory=subcat, skill_type="savoir", source=sav.path.name
        )
        rows.label(cid, "fr", label, "preferred", lv)
        _yes_flags(rows, cid, eco, num)
    return {f"rome-ogr:{o}" for o in ogrs} | {f"rome-ogr:{o}" for o in sav.column("code_ogr_savoir")}


def _gendered_labels(rows: ReleaseRows, cid: str, label: str, lv: str, *, preferred: bool = True) -> None:
    if preferred:
        rows.label(cid, "fr", label, "preferred", lv)
    forms = gender_variants(label)
    if len(forms) == 2:
        rows.label(cid, "fr", forms[0], "masculine", lv)
        rows.label(cid, "fr", forms[1], "feminine", lv)


def _job_flags(rows: ReleaseRows, cid: str, eco: str, num: str, demo: str, regl: str, cadre: str) -> None:
    if eco in _GREEN:
        rows.flag(cid, "transition_eco", eco)
    elif eco == "Emploi Brun":
        rows.flag(cid, "emploi_brun", eco)
    for flag, value in (
        ("transition_num", num),
        ("transition_demo", demo),
        ("emploi_reglemente", regl),
        ("emploi_cadre", cadre),
    ):
        if value == "O":
            rows.flag(cid, flag)


def _yes_flags(rows: ReleaseRows, cid: str, eco: str, num: str) -> None:
    if eco == "O":
        rows.flag(cid, "transition_eco")
    if num == "O":
        rows.flag(cid, "transition_num")


def check_version(release_dir: Path) -> str:
    """The version of a ROME release folder (its name, e.g. ``v460``); error if it is not one."""
    if not is_rome_release(release_dir):
        raise TaxonomyError(f"{release_dir} is not a ROME release folder (expected rome/v<NNN>/)")
    return release_dir.name
