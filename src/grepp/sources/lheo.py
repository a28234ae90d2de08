"""LHEO 2.2 / 2.3 XML training offers: validate against the LHEO XSD, then read formations → actions.

LHEO (Langage Harmonisé d'Échange d'informations sur l'Offre de formation) is the French standard of the
Carif-Oref feeds. A file is parsed safely (no entity expansion, no network, no DTD), then validated
against the LHEO 2.3 XSD, compiled once per process. LHEO 2.2 documents (namespace
``http://www.lheo.org/2.2``, the Pôle emploi test files) are moved into the 2.3 namespace first: 2.3
only adds optional elements, so a valid 2.2 file validates. XSD errors are mapped to the formation that
holds them: that formation is rejected with the first messages and their line numbers, the others go
on; an error outside any formation rejects the whole file. Each action becomes one
:class:`~grepp.sources.training_record.TrainingRecord`, carrying its formation's title, texts and
codes::

    parsed = read_lheo(Path("formation.xml"), find_xsd(settings.data_dir))
    parsed.records[0].training_id   # 'lheo:07_10' … one per action
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path

from lxml import etree

from grepp.errors import RecordError, SourceError
from grepp.sources.training_record import (
    ParsedFile,
    Place,
    Provider,
    Rejection,
    RomeLink,
    Session,
    TrainingRecord,
    clean_text,
    departement_of,
    parse_number,
    postal_code,
)

SOURCE = "lheo"
NS_22 = "http://www.lheo.org/2.2"
NS_23 = "http://lheo.gouv.fr/2.3"
LHEO_NAMESPACES: dict[str, str] = {NS_22: "2.2", NS_23: "2.3"}
_NS = {"l": NS_23}
#: How many XSD messages a rejection keeps.
MAX_XSD_MESSAGES = 5

_MODES = {"0": "presentiel", "1": "mixte", "2": "distance"}
#: code-niveau-sortie (dict-niveaux) → European qualification level.
_EU_LEVEL = {"4": "3", "5": "4", "6": "5", "7": "6", "8": "7", **{str(10 + n): str(n) for n in range(1, 9)}}
_NS_IN_MESSAGE = re.compile(r"\{[^}]*\}")
_FORMATION_STEP = re.compile(r"^(?:\w+:)?formation(?:\[(\d+)\])?$")


def safe_parser() -> etree.XMLParser:
    """An XML parser that never expands entities, loads a DTD or touches the network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def find_xsd(data_dir: Path) -> Path:
    """The LHEO 2.3 XSD in the data directory (``trainings/lheo/**/lheo.xsd``)."""
    candidates = sorted((data_dir / "trainings" / "lheo").rglob("*.xsd"))
    for path in candidates:
        with path.open("rb") as handle:
            if NS_23.encode() in handle.read(4096):
                return path
    raise SourceError(
        f"no LHEO 2.3 XSD under {data_dir / 'trainings' / 'lheo'}",
        hint="the data directory needs trainings/lheo/xsd_dtd_oreof/lheo.xsd",
    )


@lru_cache(maxsize=4)
def load_schema(xsd_path: str) -> etree.XMLSchema:
    """The compiled XSD (cached per process: compiling takes longer than validating a small file)."""
    try:
        return etree.XMLSchema(etree.parse(xsd_path, safe_parser()))
    except (OSError, etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
        raise SourceError(f"cannot load the LHEO XSD {xsd_path}: {exc}") from exc


def root_tag(path: Path) -> str:
    """The root element of an XML file, ``{namespace}name`` (reads only its start); ``""`` if unreadable."""
    try:
        for _event, element in etree.iterparse(str(path), events=("start",), resolve_entities=False, no_network=True):
            return str(element.tag)
    except (OSError, etree.XMLSyntaxError):
        return ""
    return ""


def lheo_version(path: Path) -> str | None:
    """``"2.2"`` or ``"2.3"`` when the file is an LHEO offer document, else ``None`` (cheap sniff)."""
    qname = etree.QName(root_tag(path) or "x")
    return LHEO_NAMESPACES.get(qname.namespace or "") if qname.localname == "lheo" else None


def read_lheo(path: Path, xsd_path: Path) -> ParsedFile:
    """Validate and read one LHEO file; raise :class:`SourceError` when it is not readable XML at all."""
    name = path.name
    try:
        data = path.read_bytes()
        tree = etree.parse(io.BytesIO(data), safe_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or (exc.position[0] if exc.position else 0)
        raise SourceError(f"{name} line {line}: malformed XML: {exc.msg}", hint="is the file truncated?") from exc
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc}") from exc
    root = tree.getroot()
    qname = etree.QName(root)
    if qname.localname != "lheo" or qname.namespace not in LHEO_NAMESPACES:
        raise SourceError(
            f"{name} line {root.sourceline}: not an LHEO 2.2/2.3 offer file (root {root.tag})",
            hint="grepp reads LHEO 2.2 and 2.3 (namespaces http://www.lheo.org/2.2, http://lheo.gouv.fr/2.3)",
        )
    version = LHEO_NAMESPACES[qname.namespace or ""]
    if version == "2.2":
        _move_to_namespace(root, NS_22, NS_23)
    lines = data.decode("utf-8", "replace").splitlines()
    parsed = ParsedFile(path=path, source=SOURCE, version=f"lheo-{version}")
    entities = [e for e in root.iter() if isinstance(e, etree._Entity)]
    if entities:
        # Entities are never expanded (no XXE); an unexpanded one would also break the validator.
        where = "; ".join(f"line {e.sourceline}: &{e.name};" for e in entities[:MAX_XSD_MESSAGES])
        error = RecordError(f"entity references are refused: {where}", source=name, location="file", field="")
        parsed.rejections.append(Rejection(error, "\n".join(lines)))
        return parsed
    schema = load_schema(str(xsd_path))
    valid = schema.validate(tree)
    formations = root.findall("l:offres/l:formation", _NS)
    errors_by_formation: dict[int, list[tuple[int, str]]] = {}
    if not valid:
        starts = [f.sourceline or 0 for f in formations]
        for error in schema.error_log:
            message = _NS_IN_MESSAGE.sub("", error.message)
            index = _formation_at(error.path, starts, error.line)
            if index is None:
                raise_file = _file_rejection(name, schema.error_log)
                parsed.rejections.append(Rejection(raise_file, "\n".join(lines)))
                return parsed
            errors_by_formation.setdefault(index, []).append((error.line, message))
    for index, formation in enumerate(formations):
        numero = formation.get("numero", "")
        where = f"line {formation.sourceline}, formation {numero or index + 1}"
        if index in errors_by_formation:
            found = errors_by_formation[index]
            shown = "; ".join(f"line {line}: {msg}" for line, msg in found[:MAX_XSD_MESSAGES])
            more = f" (+{len(found) - MAX_XSD_MESSAGES} more)" if len(found) > MAX_XSD_MESSAGES else ""
            error = RecordError(
                f"fails the LHEO 2.3 XSD: {shown}{more}", source=name, location=where, field=_field_of(found[0][1])
            )
            parsed.rejections.append(Rejection(error, _source_text(lines, formation)))
            continue
        for action in formation.findall("l:action", _NS):
            try:
                parsed.records.append(_action_record(formation, action, name))
            except RecordError as error:
                parsed.rejections.append(Rejection(error, _source_text(lines, action)))
    return parsed


def _move_to_namespace(root: etree._Element, old: str, new: str) -> None:
    prefix = f"{{{old}}}"
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith(prefix):
            element.tag = f"{{{new}}}{element.tag[len(prefix) :]}"
    etree.cleanup_namespaces(root)


def _source_text(lines: list[str], element: etree._Element) -> str:
    """The element's lines as written in the file (up to the next element), for rejected_records.raw."""
    start = element.sourceline or 1
    following: etree._Element | None = element
    while following is not None and following.getnext() is None:
        following = following.getparent()
    end = (following.getnext().sourceline or len(lines)) - 1 if following is not None else len(lines)
    return "\n".join(lines[start - 1 : max(end, start)])


def _formation_at(path: str | None, starts: list[int], line: int) -> int | None:
    """Which formation an XSD error is in: from its XPath (``/lheo/offres/formation[3]/…``), else its line.

    ``None`` when the error is outside every formation (the whole file is then rejected).
    """
    if path:
        parts = path.split("/")
        if len(parts) < 4:
            return None
        match = _FORMATION_STEP.match(parts[3])
        if not match:
            return None
        return int(match.group(1)) - 1 if match.group(1) else 0
    index = None
    for i, start in enumerate(starts):
        if start <= line:
            index = i
    return index


def _field_of(message: str) -> str:
    """The element an XSD message is about: the one missing when a single one was expected, else its subject."""
    expected = re.search(r"Expected is \( ([\w.-]+) \)", message)
    if expected:
        return expected.group(1)
    match = re.match(r"Element '([^']+)'", message)
    return match.group(1) if match else ""


def _file_rejection(name: str, log: Iterable[etree._LogEntry]) -> RecordError:
    entries = list(log)
    shown = "; ".join(f"line {e.line}: {_NS_IN_MESSAGE.sub('', e.message)}" for e in entries[:MAX_XSD_MESSAGES])
    first = _NS_IN_MESSAGE.sub("", entries[0].message) if entries else ""
    return RecordError(f"fails the LHEO 2.3 XSD: {shown}", source=name, location="file", field=_field_of(first))


def _text(element: etree._Element | None, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path, _NS)
    return clean_text(found.text) if found is not None else ""


def _texts(element: etree._Element, path: str) -> list[str]:
    return [t for t in (clean_text(e.text) for e in element.findall(path, _NS)) if t]


def _date(value: str) -> date | None:
    digits = value.replace("-", "")
    if len(digits) != 8 or not digits.isdigit() or digits == "00000000":
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def _place(adresse: etree._Element | None, role: str, name: str = "") -> Place | None:
    if adresse is None:
        return None
    postal = postal_code(_text(adresse, "l:codepostal"))
    insee = _text(adresse, "l:code-INSEE-commune")
    return Place(
        role=role,
        name=name,
        address=", ".join(_texts(adresse, "l:ligne")),
        commune_insee=insee,
        postal_code=postal,
        city=_text(adresse, "l:ville"),
        departement=_text(adresse, "l:departement") or departement_of(postal, insee),
        region=_text(adresse, "l:region"),
        latitude=parse_number(_text(adresse, "l:geolocalisation/l:latitude")),
        longitude=parse_number(_text(adresse, "l:geolocalisation/l:longitude")),
    )


def _provider(formation: etree._Element) -> Provider | None:
    organisme = formation.find("l:organisme-formation-responsable", _NS)
    if organisme is None:
        return None
    place = _place(organisme.find("l:coordonnees-organisme/l:coordonnees/l:adresse", _NS), "organisme")
    return Provider(
        name=_text(organisme, "l:nom-organisme") or _text(organisme, "l:raison-sociale"),
        siret=_text(organisme, "l:SIRET-organisme-formation/l:SIRET"),
        address=place.address if place else "",
        postal_code=place.postal_code if place else "",
        city=place.city if place else "",
        commune_insee=place.commune_insee if place else "",
    )


def _extras(element: etree._Element, group: str) -> dict[str, str]:
    return {
        e.get("info", ""): clean_text(e.text)
        for e in element.findall(f"l:extras[@info='{group}']/l:extra", _NS)
        if e.get("info")
    }


def _modality(formation: etree._Element, action: etree._Element) -> str:
    dispositif = _extras(action, "dispositif")
    if dispositif.get("contrat-apprentissage") == "1":
        return "apprentissage"
    if dispositif.get("contrat-professionnalisation") == "1":
        return "professionnalisation"
    initiale = _extras(action, "type-action").get("formation-initiale") or _extras(formation, "type-formation").get(
        "formation-initiale"
    )
    return "initiale" if initiale == "1" else "continue"


def _action_record(formation: etree._Element, action: etree._Element, file_name: str) -> TrainingRecord:
    numero = clean_text(action.get("numero"))
    if not numero:
        raise RecordError(
            "the action has no id (attribute numero)",
            source=file_name,
            location=f"line {action.sourceline}, formation {formation.get('numero', '?')}",
            field="action/@numero",
        )
    domaine = formation.find("l:domaine-formation", _NS)
    codes: list[tuple[str, str]] = []
    if domaine is not None:
        codes += [("formacode", c) for c in _texts(domaine, "l:code-FORMACODE")]
        codes += [("nsf", c) for c in _texts(domaine, "l:code-NSF")]
        codes += [("rome", c.upper()) for c in _texts(domaine, "l:code-ROME")]
    codes += [("rncp", c) for c in _texts(formation, "l:certification/l:code-RNCP")]
    codes += [("certifinfo", c) for c in _texts(formation, "l:certification/l:code-CERTIFINFO")]
    mode = _MODES.get(_text(action, "l:modalites-enseignement"), "")
    sessions = tuple(
        Session(
            session_id=clean_text(s.get("numero")),
            start=_date(_text(s, "l:periode/l:debut")),
            end=_date(_text(s, "l:periode/l:fin")),
            mode=mode,
        )
        for s in action.findall("l:session", _NS)
    )
    places: list[Place] = []
    for lieu in action.findall("l:lieu-de-formation/l:coordonnees", _NS):
        place = _place(lieu.find("l:adresse", _NS), "lieu", _text(lieu, "l:nom"))
        if place is not None and place not in places:
            places.append(place)
    hours = parse_number(_text(action, "l:nombre-heures-total"))
    if hours is None:
        parts = [parse_number(_text(action, f"l:nombre-heures-{p}")) for p in ("centre", "entreprise")]
        hours = sum(p for p in parts if p is not None) if any(p is not None for p in parts) else None
    niveau = _text(formation, "l:code-niveau-sortie")
    certifiante = _text(formation, "l:certifiante")
    extras = [("code-niveau-sortie", niveau)] if niveau else []
    extras += [("objectif-general-formation", _text(formation, "l:objectif-general-formation"))]
    extras += [("rythme-formation", _text(action, "l:rythme-formation"))]
    extras += [("code-financeur", c) for c in _texts(action, "l:organisme-financeur/l:code-financeur")]
    formateur = action.find("l:organisme-formateur", _NS)
    if formateur is not None:
        extras += [("formateur", _text(formateur, "l:raison-sociale-formateur"))]
        extras += [("formateur-siret", _text(formateur, "l:SIRET-formateur/l:SIRET"))]
    extras += [("modalites-entrees-sorties", _text(action, "l:modalites-entrees-sorties"))]
    cpf = action.findall("l:session/l:extras[@info='eligibilite-cpf']", _NS)
    extras += [("eligibilite-cpf", n) for n in dict.fromkeys(clean_text(e.get("numero")) for e in cpf) if n]
    duree = _text(action, "l:duree-indicative")
    if duree:
        extras.append(("duree-indicative", duree))
    raw_ids = [("formation", clean_text(formation.get("numero"))), ("action", numero)]
    raw_ids += [("session", s.session_id) for s in sessions if s.session_id]
    return TrainingRecord(
        source=SOURCE,
        source_id=numero,
        title=_text(formation, "l:intitule-formation"),
        objective=_text(formation, "l:objectif-formation"),
        content=_text(formation, "l:contenu-formation"),
        provider=_provider(formation),
        places=tuple(places),
        sessions=sessions,
        duration_hours=hours,
        diploma_level=_EU_LEVEL.get(niveau, ""),
        certifiante={"1": True, "0": False}.get(certifiante),
        modality=_modality(formation, action),
        cost_eur=parse_number(_text(action, "l:prix-total-TTC")),
        url=_text(action, "l:url-action/l:urlweb") or _text(formation, "l:url-formation/l:urlweb"),
        codes=tuple(dict.fromkeys(codes)),
        rome_links=tuple(RomeLink(code, "source", "code-ROME in the LHEO file") for _s, code in codes if _s == "rome"),
        raw_ids=tuple((k, v) for k, v in raw_ids if v),
        extras=tuple((k, v) for k, v in extras if v),
        location=f"{file_name} line {action.sourceline}",
    )
