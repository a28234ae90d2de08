"""Skill extraction: an offer's text → the ROME and ESCO skills it asks for, as spans with confidence.

Hybrid, offline, CPU-only. Built once from taxonomy :class:`~grepp.models.Concept` records (and, for the
dense step, an encoder), then called per offer::

    extractor = SkillExtractor(concepts, links=metier_links(rows), core=metier_core(rows))
    for m in extractor.extract(offer_text, title="Soudeur TIG H/F"):
        m.label, m.code, m.requirement, text[m.start:m.end]

Steps (``skills.hybrid.v5``; v2: German IT terms and tool names in the lexicon; v3: words of job titles are
no one-word skills; v4: nor is a common French word that only belongs to a noun phrase naming something
else, "cabinet de recrutement", see :func:`~.skill_words.in_noun_phrase`, nor a language name used as a nationality or
physics as "physical", "une entreprise française", "condition physique", see :func:`~.skill_words.adjective_use`): the
offer is cleaned (HTML stripped, capped at
:data:`~grepp.enrich.skill_sections.MAX_CHARS`), cut into sentences classified by section (company pitch,
benefits and application yield nothing); the curated lexicon finds certificates and licences (CACES R489
1B, permis CE, FIMO…); the gazetteer finds every ROME/ESCO label, accent-, gender- and plural-insensitive;
an optional encoder matches each remaining sentence to the skills of the offer's métier (the métier ↔ item
links of ROME are the prior). Each mention says whether the text requires or wishes it.
:meth:`SkillExtractor.rank_rome` turns mentions plus the métier prior into ranked ROME OGR codes, the form
France Travail recruiters use (``competences``); v5: the fiche's *cœur de métier* items weigh more there.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from grepp.enrich.skill_dense import DenseMatcher
from grepp.enrich.skill_gazetteer import Gazetteer, content_tokens, label_words
from grepp.enrich.skill_lexicon import Lexicon, default_lexicon
from grepp.enrich.skill_metier import TitleIndex, fiche_prior, metier_core, metier_links
from grepp.enrich.skill_requirement import UNKNOWN, requirement_near
from grepp.enrich.skill_sections import NO_SKILL_SECTIONS, clean_text, detect_language, segment
from grepp.enrich.skill_words import adjective_use, in_noun_phrase, is_acronym, is_name, label_variants
from grepp.enrich.text import fold, normalize_title, offer_text, valid_unicode
from grepp.models import Concept, Label

if TYPE_CHECKING:
    from grepp.enrich.embed import Encoder

#: The words of a label.
_WORD = re.compile(r"[^\W\d_]+")

EXTRACTOR_NAME = "skills.hybrid"
EXTRACTOR_VERSION = "5"
SKILL_KINDS = ("competence", "savoir", "skill", "knowledge")


@dataclass(frozen=True)
class SkillConfig:
    """Thresholds and weights (tuned on the tuning half of the offers with ``competences``)."""

    lexicon_score: float = 0.95
    gazetteer_scores: tuple[float, float, float] = (0.55, 0.75, 0.9)  # 1, 2, 3+ content words
    prior_bonus: float = 0.05  # the mention's concept belongs to the offer's métier
    dense_threshold: float = 0.89  # e5-small cosine; related pairs ≈ 0.89–0.92, unrelated ≈ 0.84–0.87
    dense_max_per_sentence: int = 1
    dense_max_sentences: int = 40
    dense_rank_weight: float = 0.5  # rank_rome: weight of the best sentence ↔ item cosine (with an encoder)
    # rank_rome: weight of the métier fiche position prior and of text evidence
    prior_savoir_faire: float = 1.0
    prior_savoir: float = 0.3
    prior_savoir_etre: float = 0.05
    prior_decay: float = 0.25  # score of the n-th item of a rubrique: base / (1 + n) ** decay
    # the fiche's cœur de métier items (ROME's "Principale" flag): × this. Recall@10 of recruiters' codes with the
    # offer's own métier, tuning half 0.510 → 0.523 at 1.3 (1.1: 0.514, 1.2: 0.521, 1.4: 0.512, 1.5: 0.496); report
    # half 0.489 → 0.519
    prior_core: float = 1.3
    acronym_weight: float = 0.5  # a certificate written in the offer (CACES, FIMO…) is asked for
    evidence_weight: float = 0.1  # measured: recruiters' codes follow the fiche more than the text


@dataclass(frozen=True)
class SkillMention:
    """One skill asked for by an offer, at [start, end) of the text given to ``extract``."""

    start: int
    end: int
    text: str
    concept_id: str
    taxonomy: str
    kind: str
    code: str
    label: str
    score: float
    requirement: str
    flags: tuple[str, ...]
    section: str
    method: str  # gazetteer | dense | acronym
    extractor: str = f"{EXTRACTOR_NAME}.v{EXTRACTOR_VERSION}"


@dataclass
class ExtractionResult:
    """Mentions plus why there are none, when there are none (empty text, all pitch and benefits…)."""

    mentions: list[SkillMention]
    reason: str = ""
    truncated: bool = False
    sections: dict[str, int] = field(default_factory=dict)


def _rome_key(code: str) -> str:
    return code if code.startswith("rome:") else f"rome:{code}"


class SkillExtractor:
    """Built once (labels indexed, lexicon read), then ``extract`` per offer; safe to share read-only."""

    def __init__(
        self,
        concepts: Iterable[Concept],
        *,
        links: Mapping[str, Sequence[str]] | None = None,
        core: Mapping[str, Collection[str]] | None = None,
        encoder: Encoder | None = None,
        lexicon: Lexicon | None = None,
        config: SkillConfig | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self.config = config or SkillConfig()
        self.lexicon = lexicon or default_lexicon()
        self.encoder = encoder
        self.skills: dict[str, Concept] = {}
        self._title_index: dict[str, list[str]] = {}
        appellation_labels: list[tuple[str, str]] = []
        labels: list[tuple[str, str]] = []
        single: dict[str, list[tuple[str, str]]] = {}
        title_words: Counter[str] = Counter()
        french_words: set[str] = set()
        for concept in concepts:
            french_words.update(fold(w) for text in concept.texts("fr") for w in _WORD.findall(text) if w.islower())
            if concept.kind in SKILL_KINDS:
                self.skills[concept.id] = concept
                for lb in (*concept.labels, Label(concept.label, "")):
                    for text in label_variants(lb.text):
                        labels.append((text, concept.id))
                        # one-word labels only count in their own language ("lecture" is not "reading" in
                        # French), except names of tools and languages ("Python", "SAP"), good everywhere
                        lang = lb.lang or ("fr" if concept.taxonomy == "rome" else "")
                        lang_key = "*" if is_name(text, lowercase_nouns=lang != "de") else lang
                        single.setdefault(lang_key, []).append((text, concept.id))
            else:
                title_words.update(_title_words(concept))
                if concept.kind in ("appellation", "metier") and concept.taxonomy == "rome":
                    rome = concept.code if concept.kind == "metier" else (concept.parent_id or "")
                    for text in concept.texts("fr"):
                        self._title_index.setdefault(normalize_title(text), []).append(_rome_key(rome))
                        appellation_labels.append((text, _rome_key(rome)))
            if on_progress is not None:
                on_progress(1)
        # every label's words, once: the main gazetteer and the one-word ones read the same labels
        words = {text: label_words(text) for text, _ in labels}
        self.gazetteer = Gazetteer.build(labels, min_words=2, keys=words)
        #: words French labels write in lower case: common words, not names ("recrutement", not "Docker")
        self._french_words = frozenset(french_words)
        # a one-word label that is also a word of many job titles ("Chef" the tool, "Industrie", "Design")
        # names the job or its field far more often than the skill: left to the longer labels
        common = {word for word, n in title_words.items() if n >= COMMON_TITLE_WORD}
        self._single = {
            lang: Gazetteer.build(
                [(t, cid) for t, cid in pairs if _single_key(t, words) not in common or is_acronym(t)],
                max_words=1,
                min_chars=3 if lang == "*" else 4,
                keys=words,
            )
            for lang, pairs in single.items()
            if lang
        }
        self._titles = TitleIndex(appellation_labels)
        self.links: dict[str, tuple[str, ...]] = {_rome_key(k): tuple(v) for k, v in (links or {}).items()}
        self._linked: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in self.links.items()}
        #: each métier's cœur de métier items (:func:`~grepp.enrich.skill_metier.metier_core`)
        self.core: dict[str, frozenset[str]] = {_rome_key(k): frozenset(v) for k, v in (core or {}).items()}
        self.dense = DenseMatcher(encoder, {k: c.label for k, c in self.skills.items()}) if encoder else None

    # -- métier -------------------------------------------------------------------------------------
    def guess_metiers(self, title: str, limit: int = 2) -> list[str]:
        """ROME métiers (``rome:X9999``) a title most likely names, from the appellation labels.

        A fallback for when no occupation coder ran: exact title key first, then the longest label in it.
        """
        exact = self._title_index.get(normalize_title(title))
        if exact:
            return list(dict.fromkeys(exact))[:limit]
        return self._titles.best(title, limit)

    # -- extraction ---------------------------------------------------------------------------------
    def extract(
        self, text: str, *, title: str = "", rome_codes: Sequence[str] = (), lang: str | None = None
    ) -> list[SkillMention]:
        """Skill mentions of ``text``, in text order; offsets slice ``text`` (raw, even when it was HTML)."""
        return self.extract_result(text, title=title, rome_codes=rome_codes, lang=lang).mentions

    def extract_result(
        self, text: str, *, title: str = "", rome_codes: Sequence[str] = (), lang: str | None = None
    ) -> ExtractionResult:
        """Like :meth:`extract`, with the reason for an empty result and what was read."""
        text, title = valid_unicode(text), valid_unicode(title)
        if not text or not text.strip():
            return ExtractionResult([], reason="empty text")
        clean = clean_text(text)
        lang = lang or detect_language(clean.text)
        prior: set[str] = set()
        for code in rome_codes:
            prior |= self._linked.get(_rome_key(code), frozenset())
        segments = segment(clean.text)
        counts: dict[str, int] = {}
        mentions: list[SkillMention] = []
        dense_todo: list[tuple[int, int, str, str]] = []
        for seg in segments:
            counts[seg.section] = counts.get(seg.section, 0) + 1
            if seg.section in NO_SKILL_SECTIONS or seg.is_header:
                continue
            found = self._lexicon_mentions(seg.text, seg.start, seg.section)
            found += self._gazetteer_mentions(seg.text, seg.start, seg.section, prior, lang)
            mentions.extend(found)
            if not found and prior and self.dense is not None and len(seg.text.split()) >= 3:
                dense_todo.append((seg.start, seg.end, seg.text, seg.section))
        if dense_todo:
            mentions.extend(self._dense_mentions(dense_todo, prior))
        mentions = _dedupe(mentions)
        if clean.offsets is not None:
            mentions = [_to_raw(m, clean.raw_span(m.start, m.end), text) for m in mentions]
        reason = "" if mentions else self._why_empty(counts)
        return ExtractionResult(mentions, reason=reason, truncated=clean.truncated, sections=counts)

    def _why_empty(self, counts: Mapping[str, int]) -> str:
        readable = sum(n for s, n in counts.items() if s not in NO_SKILL_SECTIONS)
        if not counts:
            return "no text after cleaning"
        if not readable:
            return "only company pitch, benefits or application text"
        return "no skill label, certificate or close sentence found"

    def _mention(
        self,
        concept_id: str,
        start: int,
        end: int,
        text: str,
        local: tuple[int, int],
        score: float,
        section: str,
        method: str,
        fallback: tuple[str, str, str] | None = None,
    ) -> SkillMention | None:
        concept = self.skills.get(concept_id)
        if concept is not None:
            taxonomy, kind, code, label, flags = (
                concept.taxonomy,
                concept.kind,
                concept.code,
                concept.label,
                tuple(sorted(concept.flags)),
            )
        elif fallback is not None:
            taxonomy, kind, label = fallback
            code = concept_id.split(":", 1)[1]
            flags = ()
        else:
            return None
        requirement = requirement_near(text, *local)
        return SkillMention(
            start,
            end,
            text[local[0] : local[1]],
            concept_id,
            taxonomy,
            kind,
            code,
            label,
            round(score, 4),
            requirement,
            flags,
            section,
            method,
        )

    def _lexicon_mentions(self, text: str, offset: int, section: str) -> list[SkillMention]:
        out: list[SkillMention] = []
        for match in self.lexicon.find(text):
            entry = self.lexicon.entries[match.key]
            # certificates and licences are 'acronym' mentions; curated phrases (savoir-être, software) are
            # a hand-made gazetteer
            method = "acronym" if entry.category in _CERTIFICATE_CATEGORIES else "gazetteer"
            ids = [f"rome-ogr:{c}" for c in entry.rome] + [f"esco:{u}" for u in entry.esco]
            known = [i for i in ids if i in self.skills]
            if not known:
                known = [f"lexicon:{entry.key}"]
            for cid in known:
                fallback = ("lexicon", entry.category, entry.label)
                mention = self._mention(
                    cid,
                    offset + match.start,
                    offset + match.end,
                    text,
                    (match.start, match.end),
                    self.config.lexicon_score,
                    section,
                    method,
                    fallback,
                )
                if mention is not None:
                    out.append(mention)
        return out

    def _gazetteer_mentions(
        self, text: str, offset: int, section: str, prior: set[str], lang: str
    ) -> list[SkillMention]:
        out: list[SkillMention] = []
        scores = self.config.gazetteer_scores
        tokens = content_tokens(text)
        matches = self.gazetteer.find(text, tokens)
        # German ads write tools and languages of IT in English ("Java", "Scrum"): English one-word labels too
        for single_lang in (lang, "*", "en") if lang == "de" else (lang, "*"):
            single = self._single.get(single_lang)
            if single is not None:
                taken = [(m.start, m.end) for m in matches]
                matches += [
                    m
                    for m in single.find(text, tokens)
                    if not any(s <= m.start < e for s, e in taken)
                    and not (
                        lang == "fr"
                        and self._is_french_word(text[m.start : m.end])
                        and (in_noun_phrase(text, m.start, m.end) or adjective_use(text, m.start, m.end))
                    )
                ]
        for match in matches:
            base = scores[min(match.n_words, 3) - 1]
            for cid in match.concept_ids:
                score = min(1.0, base + (self.config.prior_bonus if cid in prior else 0.0))
                mention = self._mention(
                    cid,
                    offset + match.start,
                    offset + match.end,
                    text,
                    (match.start, match.end),
                    score,
                    section,
                    "gazetteer",
                )
                if mention is not None:
                    out.append(mention)
        return out

    def _is_french_word(self, span: str) -> bool:
        return fold(span.lower()) in self._french_words

    def _dense_mentions(self, todo: list[tuple[int, int, str, str]], prior: set[str]) -> list[SkillMention]:
        assert self.dense is not None
        cfg = self.config
        cands = sorted(c for c in prior if c in self.skills)
        found = self.dense.best(
            [t for _, _, t, _ in todo], cands, threshold=cfg.dense_threshold, per_sentence=cfg.dense_max_per_sentence
        )
        out: list[SkillMention] = []
        for (start, end, text, section), best in zip(todo, found, strict=True):
            for cid, cosine in best:
                # cosine → confidence: 0.4 at the threshold, 0.9 at 1.0
                confidence = 0.4 + 0.5 * (cosine - cfg.dense_threshold) / (1 - cfg.dense_threshold)
                mention = self._mention(cid, start, end, text, (0, len(text)), confidence, section, "dense")
                if mention is not None:
                    out.append(mention)
        return out

    # -- ranking for evaluation ---------------------------------------------------------------------
    def rank_rome(
        self, text: str, *, title: str = "", rome_codes: Sequence[str] = (), limit: int = 20
    ) -> list[tuple[str, float]]:
        """Ranked ROME OGR codes (compétences and savoirs) for an offer: text evidence + métier prior.

        Without ``rome_codes`` the métier is guessed from the title (:meth:`guess_metiers`).
        """
        codes = list(rome_codes) or self.guess_metiers(title)
        mentions = self.extract(text, title=title, rome_codes=codes)
        cfg = self.config
        scores = fiche_prior(
            [self.links.get(_rome_key(code), ()) for code in codes],
            self.skills,
            weights=(cfg.prior_savoir_faire, cfg.prior_savoir, cfg.prior_savoir_etre),
            decay=cfg.prior_decay,
            core=[self.core.get(_rome_key(code), frozenset()) for code in codes],
            core_weight=cfg.prior_core,
        )
        for m in mentions:
            # certificates are asked for whatever the fiche says; other text evidence only within the métier
            if m.taxonomy == "rome" and (m.concept_id in scores or not codes or m.method == "acronym"):
                weight = cfg.acronym_weight if m.method == "acronym" else cfg.evidence_weight
                scores[m.concept_id] = scores.get(m.concept_id, 0.0) + weight * m.score
        if self.dense is not None and cfg.dense_rank_weight > 0 and scores:
            sentences = [
                s.text
                for s in segment(clean_text(text).text)
                if s.section not in NO_SKILL_SECTIONS and not s.is_header and len(s.text.split()) >= 2
            ][: cfg.dense_max_sentences]
            for cid, sim in self.dense.max_similarity(sentences, list(scores)).items():
                scores[cid] += cfg.dense_rank_weight * sim
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [(self.skills[cid].code, round(score, 4)) for cid, score in ranked]


_CERTIFICATE_CATEGORIES = frozenset({"certificate", "driving-licence", "habilitation", "standard", "safety"})

#: A word in the multi-word labels of this many occupations (ROME and ESCO) is a common word of offers.
COMMON_TITLE_WORD = 40


def _single_key(text: str, words: Mapping[str, tuple[str, ...]]) -> str:
    keys = words[text] if text in words else label_words(text)
    return keys[0] if len(keys) == 1 else ""


def _title_words(concept: Concept) -> set[str]:
    """The content words of an occupation's multi-word labels (once per concept)."""
    words: set[str] = set()
    for text in concept.texts():
        keys = content_tokens(text)
        if len(keys) >= 2:
            words.update(k.key for k in keys)
    return words


def _dedupe(mentions: list[SkillMention]) -> list[SkillMention]:
    """One mention per concept per span; the best score wins; text order."""
    best: dict[tuple[str, int, int], SkillMention] = {}
    for m in mentions:
        key = (m.concept_id, m.start, m.end)
        if key not in best or m.score > best[key].score:
            best[key] = m
    return sorted(best.values(), key=lambda m: (m.start, m.end, -m.score, m.concept_id))


def _to_raw(m: SkillMention, span: tuple[int, int], raw: str) -> SkillMention:
    start, end = span
    return SkillMention(
        start,
        end,
        raw[start:end],
        m.concept_id,
        m.taxonomy,
        m.kind,
        m.code,
        m.label,
        m.score,
        m.requirement,
        m.flags,
        m.section,
        m.method,
        m.extractor,
    )


def skill_rows(
    offer_id: str,
    mentions: Sequence[SkillMention],
    *,
    enricher: str = EXTRACTOR_NAME,
    version: str = EXTRACTOR_VERSION,
) -> list[tuple[object, ...]]:
    """Rows for ``grepp.store.enrichment.save_results(skills=…)`` (its ``SKILL_COLUMNS`` order).

    >>> save_results(con, enricher=EXTRACTOR_NAME, version=EXTRACTOR_VERSION,
    ...              states=[(oid, content_hash, "coded", None)], skills=skill_rows(oid, mentions))
    """
    return [
        (
            offer_id,
            enricher,
            version,
            position,
            m.start,
            m.end,
            m.text,
            m.concept_id,
            m.taxonomy,
            m.kind,
            m.code,
            m.label,
            m.score,
            m.requirement,
            list(m.flags),
            m.section,
            m.method,
        )
        for position, m in enumerate(mentions)
    ]


def extract_offer_skills(
    extractor: SkillExtractor, offer: Mapping[str, Any], *, rome_codes: Sequence[str] = (), limit: int = 20
) -> list[tuple[str, float]]:
    """Ranked ROME OGR codes (compétences, savoirs) with scores, best first, for the evaluation hook.

    Reads only the offer's title and description (never ``romeCode``, ``romeLibelle``,
    ``appellationlibelle`` or ``competences``); ``rome_codes`` are the métiers an occupation coder
    predicted, else the extractor guesses them from the title.
    """
    title, description = offer_text(offer)
    return extractor.rank_rome(description, title=title, rome_codes=rome_codes, limit=limit)


__all__ = [
    "EXTRACTOR_NAME",
    "EXTRACTOR_VERSION",
    "UNKNOWN",
    "ExtractionResult",
    "SkillConfig",
    "SkillExtractor",
    "SkillMention",
    "detect_language",
    "extract_offer_skills",
    "metier_core",
    "metier_links",
    "offer_text",
    "skill_rows",
]
