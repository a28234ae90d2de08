"""ESCO (European Skills, Competences, Qualifications and Occupations) in the shared taxonomy shape.

One release is the language-independent English export ``esco/v<X.Y.Z>-en/`` (occupations, skills,
relations, hierarchy, ISCO groups, skill groups, collections) plus the labels of other languages:

- English preferred, alternative and hidden labels (newline-separated in the CSV), ``esco-v1.1.1``;
- French from ``esco/fr-labels-v1.2/`` (preferred + ``|``-separated alternatives, ``esco-v1.2-api``),
  and from ``esco/fr-v1.0/`` for the concepts missing there (``esco-v1.0``); French occupation
  labels "technicien/technicienne" also give their masculine and feminine forms;
- German ``esco/de-labels/esco_skills_de.txt``: a cp1252 list of skill preferred labels *without URIs*,
  in the exact row order of ``skills_en.csv``: same 13,896 rows, and 141 untranslated names ("Haskell",
  "Apache Maven" …) sit at the same row in both files, none when shifted by one. It is joined by row
  position (``esco-de-list-by-position``), and only when the counts and that check agree.

Ids are ``esco:<uri>``; kinds ``occupation``, ``skill`` (skillType skill/competence), ``knowledge``;
ISCO groups and skill groups are groups. Collections become flags: ``green``, ``digital`` (digital and
digComp), ``transversal``, ``language``, ``research``; regulated professions get ``emploi_reglemente``::

    rows = parse_esco(Path("../shared/data/esco"), "v1.1.1")
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from grepp.errors import TaxonomyError
from grepp.taxonomy.csvfile import CsvTable, Reader, check_known, columns, read_csv, read_text
from grepp.taxonomy.rows import ReleaseRows

_COLLECTIONS: tuple[tuple[str, str], ...] = (
    ("greenSkillsCollection_en.csv", "green"),
    ("digitalSkillsCollection_en.csv", "digital"),
    ("digCompSkillsCollection_en.csv", "digital"),
    ("transversalSkillsCollection_en.csv", "transversal"),
    ("languageSkillsCollection_en.csv", "language"),
    ("researchSkillsCollection_en.csv", "research"),
    ("researchOccupationsCollection_en.csv", "research"),
)
FR_API_VERSION = "esco-v1.2-api"
FR_OLD_VERSION = "esco-v1.0"
DE_VERSION = "esco-de-list-by-position"


_OCC_COLUMNS = (
    "conceptUri",
    "iscoGroup",
    "preferredLabel",
    "altLabels",
    "hiddenLabels",
    "regulatedProfessionNote",
    "description",
    "code",
)

_SKILLS_COLUMNS = (
    "conceptUri",
    "skillType",
    "reuseLevel",
    "preferredLabel",
    "altLabels",
    "hiddenLabels",
    "description",
)

_ISCO_COLUMNS = (
    "conceptUri",
    "code",
    "preferredLabel",
    "altLabels",
    "description",
)

_GROUPS_COLUMNS = (
    "conceptUri",
    "preferredLabel",
    "altLabels",
    "description",
    "code",
)


def esco_release_dir(esco_dir: Path, version: str) -> Path:
    return esco_dir / f"{version}-en"


def esco_files(esco_dir: Path, version: str) -> list[Path]:
    """Every file a release reads (for its content hash); optional language folders when present."""
    base = esco_release_dir(esco_dir, version)
    names = [
        "occupations_en.csv",
        "skills_en.csv",
        "ISCOGroups_en.csv",
        "skillGroups_en.csv",
        "skillsHierarchy_en.csv",
        "broaderRelationsOccPillar.csv",
        "broaderRelationsSkillPillar.csv",
        "occupationSkillRelations.csv",
        "skillSkillRelations.csv",
    ] + [c for c, _ in _COLLECTIONS]
    files = [base / n for n in names]
    for extra in _language_files(esco_dir):
        if extra.exists():
            files.append(extra)
    return files


def _language_files(esco_dir: Path) -> list[Path]:
    return [
        esco_dir / "fr-labels-v1.2" / "occupations_fr.csv",
        esco_dir / "fr-labels-v1.2" / "skills_fr.csv",
        esco_dir / "fr-v1.0" / "occupations_fr.csv",
        esco_dir / "fr-v1.0" / "skills_fr.csv",
        esco_dir / "fr-v1.0" / "ISCOGroups_fr.csv",
        esco_dir / "fr-v1.0" / "skillGroups_fr.csv",
        esco_dir / "de-labels" / "esco_skills_de.txt",
    ]


def parse_esco(esco_dir: Path, version: str, on_progress: Callable[[int], None] | None = None) -> ReleaseRows:
    """Read and check one ESCO release and its French/German labels; TaxonomyError on the first defect."""
    base = esco_release_dir(esco_dir, version)
    rows = ReleaseRows("esco", version)
    lv = f"esco-{version}"
    tick = on_progress or (lambda n: None)

    def read(path: Path, required: tuple[str, ...], unique: tuple[str, ...] = (), **kw: bool) -> CsvTable:
        rows.files.append(str(path))
        table = read_csv(path, required=required, unique=unique, nonempty=unique, **kw)  # type: ignore[arg-type]
        tick(1)
        return table

    occ = read(
        base / "occupations_en.csv",
        _OCC_COLUMNS,
        ("conceptUri",),
    )
    skills = read(
        base / "skills_en.csv",
        _SKILLS_COLUMNS,
        ("conceptUri",),
    )
    isco = read(
        base / "ISCOGroups_en.csv",
        _ISCO_COLUMNS,
        ("conceptUri",),
    )
    groups = read(
        base / "skillGroups_en.csv",
        _GROUPS_COLUMNS,
        ("conceptUri",),
    )
    b_occ = read(base / "broaderRelationsOccPillar.csv", ("conceptUri", "broaderUri"), ("conceptUri", "broaderUri"))
    b_skill = read(base / "broaderRelationsSkillPillar.csv", ("conceptUri", "broaderUri"), ("conceptUri", "broaderUri"))
    parent: dict[str, str] = {}
    known: set[str] = set()
    for table in (occ, skills, isco, groups):
        known.update(table.column("conceptUri"))
    hierarchy = read(
        base / "skillsHierarchy_en.csv",
        tuple(f"Level {i} {c}" for i in range(4) for c in ("URI", "preferred term", "code")),
        pad_short_rows=True,
    )
    for row in hierarchy.rows:
        # Top skill groups ("skills", "knowledge", …) appear only in the hierarchy file.
        for i in range(4):
            uri = row[hierarchy.index(f"Level {i} URI")]
            if uri and uri not in known:
                known.add(uri)
                label = row[hierarchy.index(f"Level {i} preferred term")]
                up = row[hierarchy.index(f"Level {i - 1} URI")] if i else ""
                rows.group(
                    f"esco:{uri}",
                    "skill_group",
                    row[hierarchy.index(f"Level {i} code")],
                    label,
                    parent_id=_id(up),
                    source=hierarchy.path.name,
                )
                rows.label(f"esco:{uri}", "en", label, "preferred", lv)
    for table in (b_occ, b_skill):
        check_known(table, "broaderUri", known, "broader concept")
        dangling = 0
        for uri, broader in zip(table.column("conceptUri"), table.column("broaderUri"), strict=True):
            parent.setdefault(uri, broader)
            rows.broader(f"esco:{uri}", f"esco:{broader}", table.path.name)
            dangling += uri not in known
        if dangling:
            rows.warnings.append(f"{table.path.name}: {dangling} concept(s) not defined in this release")

    for uri, code, label, alts, desc in columns(isco, *_ISCO_COLUMNS):
        rows.group(
            f"esco:{uri}",
            "isco_group",
            code,
            label,
            parent_id=_id(parent.get(uri)),
            description=desc,
            source=isco.path.name,
        )
        _en_labels(rows, f"esco:{uri}", label, alts, "", lv)
    for uri, label, alts, desc, code in columns(groups, *_GROUPS_COLUMNS):
        rows.group(
            f"esco:{uri}",
            "skill_group",
            code or uri.rsplit("/", 1)[-1],
            label,
            parent_id=_id(parent.get(uri)),
            description=desc,
            source=groups.path.name,
        )
        _en_labels(rows, f"esco:{uri}", label, alts, "", lv)
    for uri, isco_code, label, alts, hidden, regulated, desc, code in columns(occ, *_OCC_COLUMNS):
        cid = f"esco:{uri}"
        rows.occupation(
            cid,
            "occupation",
            code,
            label,
            parent_id=_id(parent.get(uri)),
            description=desc,
            isco_code=isco_code,
            source=occ.path.name,
        )
        _en_labels(rows, cid, label, alts, hidden, lv)
        if regulated.endswith("/regulated"):
            rows.flag(cid, "emploi_reglemente", "ESCO regulated profession")
    for uri, stype, reuse, label, alts, hidden, desc in columns(skills, *_SKILLS_COLUMNS):
        cid = f"esco:{uri}"
        rows.skill(
            cid,
            "knowledge" if stype == "knowledge" else "skill",
            uri.rsplit("/", 1)[-1],
            label,
            parent_id=_id(parent.get(uri)),
            description=desc,
            skill_type=stype,
            reuse_level=reuse,
            source=skills.path.name,
        )
        _en_labels(rows, cid, label, alts, hidden, lv)

    occ_uris, skill_uris = set(occ.column("conceptUri")), set(skills.column("conceptUri"))
    _relations(rows, read, base, occ_uris, skill_uris)
    _collections(rows, read, base, occ_uris | skill_uris)
    _french_labels(rows, read, esco_dir, known)
    german_labels(rows, esco_dir, skills, tick)
    return rows


def _relations(rows: ReleaseRows, read: Reader, base: Path, occ_uris: set[str], skill_uris: set[str]) -> None:
    rel = read(
        base / "occupationSkillRelations.csv",
        ("occupationUri", "relationType", "skillType", "skillUri"),
        ("occupationUri", "skillUri"),
    )
    check_known(rel, "skillUri", skill_uris, "skill URI")
    for n, (occ, relation, stype, skill) in enumerate(
        zip(
            rel.column("occupationUri"),
            rel.column("relationType"),
            rel.column("skillType"),
            rel.column("skillUri"),
            strict=True,
        )
    ):
        if relation not in ("essential", "optional"):
            raise rel.error(n, "relationType", f"expected essential or optional, got {relation!r}")
        rows.occupation_skill(f"esco:{occ}", f"esco:{skill}", relation, skill_type=stype)
    unknown = len(set(rel.column("occupationUri")) - occ_uris)
    if unknown:
        rows.warnings.append(f"{rel.path.name}: {unknown} occupation URI(s) not in occupations_en.csv (kept)")
    ss = read(
        base / "skillSkillRelations.csv",
        ("originalSkillUri", "originalSkillType", "relationType", "relatedSkillType", "relatedSkillUri"),
        ("originalSkillUri", "relatedSkillUri"),
    )
    check_known(ss, "originalSkillUri", skill_uris, "skill URI")
    check_known(ss, "relatedSkillUri", skill_uris, "skill URI")
    for src, stype, relation, dtype, dst in zip(*(ss.column(c) for c in ss.header[:5]), strict=True):
        rows.skill_relation(f"esco:{src}", f"esco:{dst}", relation, stype, dtype)


def _collections(rows: ReleaseRows, read: Reader, base: Path, known: set[str]) -> None:
    flagged: set[tuple[str, str]] = set()
    for name, flag in _COLLECTIONS:
        table = read(base / name, ("conceptUri",), ("conceptUri",))
        check_known(table, "conceptUri", known, "concept URI")
        for uri in table.column("conceptUri"):
            if (uri, flag) not in flagged:
                flagged.add((uri, flag))
                rows.flag(f"esco:{uri}", flag, name.removesuffix("_en.csv"))


def _french_labels(rows: ReleaseRows, read: Reader, esco_dir: Path, known: set[str]) -> None:
    """French labels: the v1.2 API export first, then v1.0 for the concepts it lacks."""
    done: set[str] = set()
    api = esco_dir / "fr-labels-v1.2"
    for name in ("occupations_fr.csv", "skills_fr.csv"):
        if not (api / name).exists():
            rows.warnings.append(f"{api / name} is missing: no {FR_API_VERSION} French labels from it")
            continue
        table = read(api / name, ("conceptUri", "preferredLabel", "altLabels"), ("conceptUri",))
        gendered = name.startswith("occupations")
        for uri, label, alts in zip(
            *(table.column(c) for c in ("conceptUri", "preferredLabel", "altLabels")), strict=True
        ):
            if uri not in known:
                continue  # a concept of a later ESCO release than this one
            done.add(uri)
            _fr_labels(rows, f"esco:{uri}", label, alts.split("|"), gendered, FR_API_VERSION)
    old = esco_dir / "fr-v1.0"
    for name in ("occupations_fr.csv", "skills_fr.csv", "ISCOGroups_fr.csv", "skillGroups_fr.csv"):
        if not (old / name).exists():
            rows.warnings.append(f"{old / name} is missing: no {FR_OLD_VERSION} French fallback labels from it")
            continue
        table = read(old / name, ("conceptUri", "preferredLabel", "altLabels"), ("conceptUri",))
        gendered = name.startswith("occupations")
        for uri, label, alts in zip(
            *(table.column(c) for c in ("conceptUri", "preferredLabel", "altLabels")), strict=True
        ):
            if uri in known and uri not in done:
                _fr_labels(rows, f"esco:{uri}", label, alts.split("\n"), gendered, FR_OLD_VERSION)


def german_labels(rows: ReleaseRows, esco_dir: Path, skills: CsvTable, tick: Callable[[int], None]) -> None:
    path = esco_dir / "de-labels" / "esco_skills_de.txt"
    if not path.exists():
        rows.warnings.append(f"{path} is missing: no German labels")
        return
    rows.files.append(str(path))
    lines = read_text(path, "cp1252").splitlines()
    tick(1)
    if not lines or lines[0].strip() != "preferredLabel":
        raise TaxonomyError(f"{path} line 1, column preferredLabel: column missing or renamed")
    labels = lines[1:]
    while labels and not labels[-1].strip():
        labels.pop()
    if len(labels) != len(skills):
        rows.warnings.append(
            f"{path.name}: {len(labels)} German labels for {len(skills)} skills; without URIs they cannot be joined"
        )
        return
    english = skills.column("preferredLabel")
    aligned = sum(a == b for a, b in zip(english, labels, strict=True))  # "Haskell", "Apache Maven" …
    shifted = sum(a == b for a, b in zip(english[1:], labels, strict=False)) + sum(
        a == b for a, b in zip(english, labels[1:], strict=False)
    )
    if aligned < 20 or aligned <= 10 * shifted:
        rows.warnings.append(
            f"{path.name}: the German list does not line up with skills_en.csv "
            f"({aligned} identical names in place, {shifted} when shifted by one); not joined"
        )
        return
    for uri, label in zip(skills.column("conceptUri"), labels, strict=True):
        rows.label(f"esco:{uri}", "de", label, "preferred", DE_VERSION)


def _id(uri: str | None) -> str | None:
    return f"esco:{uri}" if uri else None


def _en_labels(rows: ReleaseRows, cid: str, label: str, alts: str, hidden: str, lv: str) -> None:
    rows.label(cid, "en", label, "preferred", lv)
    for alt in alts.split("\n"):
        rows.label(cid, "en", alt, "alternative", lv)
    for text in hidden.split("\n"):
        rows.label(cid, "en", text, "hidden", lv)


def _fr_labels(rows: ReleaseRows, cid: str, label: str, alts: list[str], gendered: bool, lv: str) -> None:
    rows.label(cid, "fr", label, "preferred", lv)
    if gendered:
        forms = split_gendered(label)
        if len(forms) == 2:
            rows.label(cid, "fr", forms[0], "masculine", lv)
            rows.label(cid, "fr", forms[1], "feminine", lv)
    for alt in alts:
        rows.label(cid, "fr", alt, "alternative", lv)


def split_gendered(label: str) -> list[str]:
    """ "technicien/technicienne" → both forms; the middle slash of an odd count splits a label with inner ones.

    >>> split_gendered("formateur «a/b»/formatrice «a/b»")
    ['formateur «a/b»', 'formatrice «a/b»']
    """
    parts = label.split("/")
    if len(parts) < 2 or len(parts) % 2:
        return [label]
    half = len(parts) // 2
    return ["/".join(parts[:half]).strip(), "/".join(parts[half:]).strip()]


def check_version(release_dir: Path) -> str:
    """The version of an ESCO release folder named ``v<X.Y.Z>-en``."""
    if not (release_dir.is_dir() and release_dir.name.startswith("v") and release_dir.name.endswith("-en")):
        raise TaxonomyError(f"{release_dir} is not an ESCO release folder (expected esco/v<X.Y.Z>-en/)")
    return release_dir.name.removesuffix("-en")
