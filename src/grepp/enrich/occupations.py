"""Occupation coding: an offer, a bare title or a free-text profile → ROME appellations and métiers, ESCO occupations.

Versioned ``occupations.hybrid.v17``: what each version changed and measured is in
``docs/benchmarks/ai-occupations.md`` (its header, then a section per change; v14: a dated offer's métiers follow
the ROME fiches published by its date; v16: a learner's status is not read as the job; v17: v16's métiers with the
confidence refitted, :mod:`.calibration`). What the coder reads is :class:`~.occupation_input.OccupationInput`
(:func:`~.occupation_input.offer_input` from an offer dict); German titles are also read through :mod:`.glossary`,
English ones through ESCO (:mod:`.occupation_esco`).
The title carries most of the signal (its acronyms spelled out:
"SPL" → super poids lourd); the description's first sentences break ties (an offer titled "Technicien
H/F" says in its text what it repairs). Every label of ROME (masculine, feminine, short forms; métier
names) and ESCO (French and English, alternative labels) is a form of its concept; a métier scores its
best appellation for the title (+ a bonus when one of its appellations starts with the title's head word)
plus its best for the description, plus the word TF-IDF cosine of the
title and first 4,000 characters of the description with what the métier's ROME fiche says (definition,
access, compétences and savoirs), plus two light priors (national offer volume, ROME's NAF-sector
links: :mod:`.priors`). What a title alone says is cached per title
(titles repeat across offers; results do not depend on the cache). The top score and
its margin over the runner-up become a calibrated confidence (see :mod:`.calibration`); below the
threshold the answer is ``unknown`` with a reason, as it is for empty or unreadable input::

    >>> coder = OccupationCoder(concepts)
    >>> result = coder.code(OccupationInput(title="Soudeuse TIG (H/F)"))
    >>> result.status, result.metiers[0].code
    ('coded', 'H2916')

Pure: concepts in, results out. Robust to ALL CAPS, HTML, emoji, mojibake and 5 MB descriptions
(cleaned and truncated by :func:`~.occupation_input.clean_offer_text`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from grepp.enrich.acronyms import expand_acronyms
from grepp.enrich.calibration import Calibration, default_calibration
from grepp.enrich.embed import Encoder
from grepp.enrich.fiche_profiles import ProfileIndex
from grepp.enrich.glossary import translate_title
from grepp.enrich.lexical import (
    gender_keys,
    label_key,
    title_head,
    title_level,
    with_trade_reading,
)
from grepp.enrich.occupation_esco import esco_pivots, esco_twins, named_labels
from grepp.enrich.occupation_input import (
    MAX_TITLE_CHARS,
    OccupationInput,
    clean_offer_text,
    clean_title,
    has_learner_status,
)
from grepp.enrich.priors import OccupationPriors
from grepp.enrich.retrieval import RetrievalConfig, Retriever
from grepp.enrich.text import valid_unicode, without_employer
from grepp.models import Concept

CODER_NAME = "occupations.hybrid"
CODER_VERSION = "17"
#: Characters of the description matched with appellations (its opening says what the job is).
DESCRIPTION_CHARS = 600
#: Characters of the description compared with the métiers' fiche profiles (the tasks come later on).
PROFILE_CHARS = 4000
#: Distinct titles whose scores are kept (LRU; ≈ 3.5 KB each, so ≈ 70 MB when full).
TITLE_CACHE = 20_000
#: Appellations kept per cached title (re-ranked with the description).
TITLE_APPELLATIONS = 50


@dataclass(frozen=True)
class Candidate:
    """One ranked concept: ``id`` (``rome-ogr:…``, ``rome:…``, ``esco:…``), its code, label and scores."""

    id: str
    code: str
    label: str
    score: float
    confidence: float
    rome_code: str = ""


@dataclass(frozen=True)
class OccupationResult:
    """Ranked appellations, métiers and ESCO occupations; ``status`` ``coded`` or ``unknown`` (+ reason)."""

    status: str
    reason: str = ""
    appellations: tuple[Candidate, ...] = ()
    metiers: tuple[Candidate, ...] = ()
    esco: tuple[Candidate, ...] = ()
    coder: str = f"{CODER_NAME}.v{CODER_VERSION}"

    @property
    def rome_codes(self) -> list[str]:
        """The métier codes, best first."""
        return [c.code for c in self.metiers]


@dataclass(frozen=True)
class TitleScores:
    """What a title alone says, cached per title (titles repeat across offers: "Aide-soignant (H/F)").

    ``metiers``: the title's best appellation score per métier (float16, in ``metier_codes`` order);
    ``appellations`` and ``esco``: its best ``(element index, score)``, best first.
    """

    metiers: np.ndarray[Any, Any]
    appellations: tuple[tuple[int, float], ...]
    esco: tuple[tuple[int, float], ...]


@dataclass(frozen=True)
class CoderConfig:
    """Weights of the title and the description, how many candidates are returned, the abstention threshold."""

    title_weight: float = 1.0
    description_weight: float = 0.35
    top: int = 10
    #: below this calibrated confidence the answer is ``unknown`` (on held-out offers, answers under 0.3
    #: were right 17 % of the time, under 0.2 one in eight; between 0.2 and 0.3 the ranked métiers are kept for
    #: review)
    threshold: float = 0.2
    #: weight of the z-scored national offer volume of a métier (a tie-breaker: see :mod:`.priors`)
    volume_weight: float = 0.03
    #: bonus of the métiers ROME links to the employer's NAF division
    sector_weight: float = 0.05
    #: bonus of the appellations and métier labels whose head (first word) is the title's: see :func:`title_head`
    head_weight: float = 0.2
    #: weight of the word TF-IDF cosine between the offer (title + description) and each métier's fiche
    #: profile (definition, access, compétences and savoirs; see :mod:`.priors`)
    profile_weight: float = 1.5
    #: taken from the métiers named by a level of responsibility (directeur, responsable, chef…) when the title
    #: carries a learner's status (:func:`~grepp.enrich.occupation_input.has_learner_status`: apprenti,
    #: alternant, stage…) and no such word: an apprentice is not hired as the director ("Alternant(e) en
    #: communication" was *directeur de la communication*).
    #: 2026 apprenticeship offers (``bench/make_alternance_offers.py``) top-1 0.624 → 0.630 / 0.634 / 0.634 at
    #: 0.1 / 0.2 / 0.3; the four other files unchanged (few titles carry a status)
    learner_level_weight: float = 0.2
    #: put first the ESCO occupation that bears the first appellation's name, when exactly one does
    esco_twin: bool = True
    retrieval: RetrievalConfig = field(
        default_factory=lambda: RetrievalConfig(char_weight=0.6, word_weight=0.4, dense_weight=0.6, own_weight=0.6)
    )


class OccupationCoder:
    """ROME and ESCO indexes built once from the concepts; :meth:`code` per offer (read-only, shareable)."""

    def __init__(
        self,
        concepts: Iterable[Concept],
        *,
        encoder: Encoder | None = None,
        calibration: Calibration | None = None,
        config: CoderConfig | None = None,
        priors: OccupationPriors | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self.config = config or CoderConfig()
        self.priors = priors or OccupationPriors()
        self.calibration = calibration or default_calibration(encoder.label if encoder is not None else None)
        self.concepts: dict[str, Concept] = {}
        rome_items: list[tuple[str, str]] = []
        rome_groups: dict[str, str] = {}
        rome_exp: dict[str, list[str]] = {}
        esco_items: list[tuple[str, str]] = []
        esco_exp: dict[str, list[str]] = {}
        for concept in concepts:
            if concept.kind == "appellation" or concept.kind == "metier":
                metier = concept.code if concept.kind == "metier" else (concept.parent_id or "").removeprefix("rome:")
                if not metier:
                    continue
                self.concepts[concept.id] = concept
                texts = concept.texts("fr")
                rome_items.append((concept.id, texts[0]))
                rome_groups[concept.id] = metier
                rome_exp[concept.id] = texts[1:]
            elif concept.kind == "occupation":
                self.concepts[concept.id] = concept
                texts = concept.texts()
                esco_items.append((concept.id, concept.label))
                esco_exp[concept.id] = [t for t in texts if t != concept.label]
        if not rome_items:
            from grepp.errors import TaxonomyError

            raise TaxonomyError("no ROME appellation or métier to code into", hint="run: grepp taxonomy load")
        # each appellation is its own group (its labels are its forms); métiers aggregate afterwards,
        # so the elements are sorted by métier (a métier's best element is one np.maximum.reduceat)
        rome_items.sort(key=lambda item: rome_groups[item[0]])
        self.rome = Retriever(
            rome_items,
            groups={cid: cid for cid, _ in rome_items},
            expansions={cid: rome_exp[cid] for cid, _ in rome_items},
            encoder=encoder,
            config=self.config.retrieval,
        )
        self.rome_metier = [rome_groups[cid] for cid in self.rome.ids]
        self.metier_codes = sorted(set(self.rome_metier))
        index = {code: i for i, code in enumerate(self.metier_codes)}
        self._metier_index = index
        self._volume = self.config.volume_weight * self.priors.volume_scores(self.metier_codes)
        self._metier_of_element = np.array([index[m] for m in self.rome_metier], dtype=np.int64)
        self._metier_starts = np.flatnonzero(np.r_[True, self._metier_of_element[1:] != self._metier_of_element[:-1]])
        by_head: dict[str, set[int]] = {}
        for i, cid in enumerate(self.rome.ids):
            for text in self.concepts[cid].texts("fr"):
                by_head.setdefault(title_head(text), set()).add(i)
        by_head.pop("", None)
        # title head word → the métiers (columns) having an appellation or label headed by it
        self._head_metiers = {head: np.unique(self._metier_of_element[list(found)]) for head, found in by_head.items()}
        self.esco = (
            Retriever(
                esco_items,
                groups={cid: cid for cid, _ in esco_items},
                expansions=esco_exp,
                encoder=encoder,
                config=self.config.retrieval,
            )
            if esco_items
            else None
        )
        #: label key → ((ESCO element, bonus), …) of the occupations bearing that label (English titles' pivot)
        self._esco_named = named_labels([self.concepts[cid] for cid in self.esco.ids]) if self.esco is not None else {}
        self._profiles = ProfileIndex(self.metier_codes, self.priors.profiles)
        self._titles: OrderedDict[str, TitleScores] = OrderedDict()
        self._esco_twin = esco_twins(self.concepts.values())
        self._lock = threading.Lock()
        self._metier_label = {c.code: c.label for c in self.concepts.values() if c.kind == "metier"}
        #: 1 for the métiers whose name is headed by a level of responsibility ("Directeur / Directrice de la
        #: communication", "Responsable marketing", "Chef / Cheffe de projet …"), else 0
        self._metier_above = np.array(
            [title_level(self._metier_label.get(code, "")) for code in self.metier_codes], dtype=np.float32
        )
        #: the keys of every ROME name (appellations and métiers, each gender form)
        self._rome_names = frozenset(
            key for cid in self.rome.ids for text in self.concepts[cid].texts("fr") for key in gender_keys(text)
        )
        #: ROME code → the code of the fiche it was split from (ROME 4.0 ``code_rome_parent``)
        self._parent_code = {
            c.code: parent
            for c in self.concepts.values()
            if c.kind == "metier"
            and c.code in index
            and (parent := (c.parent_id or "").removeprefix("rome:")) in index
            and parent != c.code
        }
        if on_progress is not None:
            on_progress(len(rome_items) + len(esco_items))

    def __getstate__(self) -> dict[str, object]:
        """Pickled without its lock and its titles (:mod:`grepp.store.coder_cache` keeps built coders on disk)."""
        state = self.__dict__.copy()
        del state["_lock"]
        state["_titles"] = OrderedDict()
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def _queries(self, item: OccupationInput) -> tuple[str, str, str]:
        raw = valid_unicode(without_employer(item.title, item.employer) if item.employer else item.title)
        title = clean_title(raw)
        if has_learner_status(raw):
            named = clean_title(raw, keep_status=True)
            if any(key in self._rome_names for key in gender_keys(named)):
                title = named  # "Apprenti paysagiste" is ROME's own name of the job
        title = with_trade_reading(expand_acronyms(title))
        if item.language == "de":  # the French words first: the head word bonus reads the first one
            french = translate_title(raw[:MAX_TITLE_CHARS])
            title = f"{french} / {title}" if french else title
        text = clean_offer_text(valid_unicode(item.description), PROFILE_CHARS)
        return title, text[:DESCRIPTION_CHARS], text

    def code(self, item: OccupationInput) -> OccupationResult:
        """Code one offer, title or profile (see :meth:`code_many`)."""
        return self.code_many([item])[0]

    def code_many(
        self, items: Sequence[OccupationInput], on_progress: Callable[[int], None] | None = None
    ) -> list[OccupationResult]:
        """Code a batch (queries are scored together: much faster than one by one)."""
        cfg = self.config
        results: list[OccupationResult] = []
        chunk = 64
        for start in range(0, len(items), chunk):
            batch = items[start : start + chunk]
            parts = [self._queries(item) for item in batch]
            english = [i for i, item in enumerate(batch) if item.language == "en" and label_key(parts[i][0])]
            if english:  # ROME is French: an English title is read through its best ESCO occupation too
                pivots = self._esco_pivots([parts[i][0] for i in english])
                for i, french in zip(english, pivots, strict=True):
                    if french:
                        parts[i] = (f"{french} / {parts[i][0]}", parts[i][1], parts[i][2])
            # a profile or an offer without title: its text's opening stands for the title
            titles = [t if label_key(t) else d[:MAX_TITLE_CHARS] for t, d, _ in parts]
            descriptions = [d for _, d, _ in parts]
            scored = self._title_scores(titles)
            metiers = np.stack([ts.metiers for ts in scored]).astype(np.float32)
            described: np.ndarray[Any, Any] | None = None
            profiled: np.ndarray[Any, Any] | None = None
            has_description = np.array([bool(label_key(d)) for d in descriptions], dtype=np.float32)[:, None]
            if has_description.any():
                described = self.rome.element_scores(descriptions)
                described *= cfg.description_weight * has_description
                # the title's and the description's best appellation of each métier add up
                metiers += np.maximum.reduceat(described, self._metier_starts, axis=1)
                # the whole text against what each fiche says the job is (offers with a description only)
                profiled = self._profiles.similarity([f"{t} {text}" for t, _, text in parts])
                profiled *= cfg.profile_weight * has_description
                metiers += profiled
            metiers += self._volume
            if cfg.learner_level_weight:
                for row, item in enumerate(batch):
                    raw_title = item.title[: MAX_TITLE_CHARS * 4]  # as much as clean_title reads
                    if has_learner_status(raw_title) and not title_level(raw_title, anywhere=True):
                        metiers[row] -= cfg.learner_level_weight * self._metier_above
            for row, (title, description) in enumerate(zip(titles, descriptions, strict=True)):
                results.append(
                    self._result(
                        title,
                        description,
                        scored[row],
                        metiers[row],
                        None if described is None else described[row],
                        None if profiled is None else profiled[row],
                        batch[row].naf,
                        batch[row].date,
                    )
                )
            if on_progress is not None:
                on_progress(len(batch))
        return self._with_esco_twin(results)

    def _with_esco_twin(self, results: list[OccupationResult]) -> list[OccupationResult]:
        """The ESCO occupation named exactly like the first appellation comes first, with its confidence.

        The appellation reads the description, the fiche profiles and the priors, the ESCO list only the
        title: where ROME and ESCO share the name ("Commis / Commise de cuisine" and *commis de cuisine*),
        the appellation's twin is the better ESCO answer than the title's own best match.
        """
        out: list[OccupationResult] = []
        for result in results:
            twin = ""
            if self.config.esco_twin and result.appellations:
                twin = self._esco_twin.get(result.appellations[0].id, "")
            esco = [c for c in result.esco if c.id != twin]
            if twin:
                lead = result.appellations[0]
                concept = self.concepts[twin]
                esco.insert(0, Candidate(twin, concept.code, concept.label, lead.score, lead.confidence))
            out.append(replace(result, esco=tuple(esco[: self.config.top])))
        return out

    def _esco_pivots(self, titles: Sequence[str]) -> list[str]:
        """The French label of each English title's best ESCO occupation ("" without one): see :func:`esco_pivots`."""
        if self.esco is None:
            return [""] * len(titles)
        return esco_pivots(self.esco, self._esco_named, self.concepts, titles)

    def clear_cache(self) -> None:
        """Forget every cached title (a benchmark's cold pass; results do not depend on the cache)."""
        with self._lock:
            self._titles.clear()

    def _title_scores(self, titles: Sequence[str]) -> list[TitleScores]:
        """What each title alone says, from the cache or scored now (distinct uncached titles in one batch)."""
        with self._lock:
            known = {t: self._titles[t] for t in titles if t in self._titles}
            for title in known:  # hits become the newest
                self._titles.move_to_end(title)
        missing = [t for t in dict.fromkeys(titles) if t not in known]
        if missing:
            rome = self.rome.element_scores(missing)
            rome *= self.config.title_weight
            metiers = np.maximum.reduceat(rome, self._metier_starts, axis=1)
            for i, title in enumerate(missing):  # the métiers with an appellation named by the title's head word
                found = self._head_metiers.get(title_head(title))
                if found is not None:
                    metiers[i, found] += self.config.head_weight
            metiers = metiers.astype(np.float16)
            esco = self.esco.element_scores(missing) if self.esco is not None else None
            fresh = {
                title: TitleScores(
                    metiers[i],
                    _best(rome[i], TITLE_APPELLATIONS),
                    () if esco is None else _best(esco[i], self.config.top),
                )
                for i, title in enumerate(missing)
            }
            known.update(fresh)
            with self._lock:
                self._titles.update(fresh)
                while len(self._titles) > TITLE_CACHE:
                    self._titles.popitem(last=False)
        return [known[title] for title in titles]

    def _result(
        self,
        title: str,
        description: str,
        scored: TitleScores,
        metier_scores: np.ndarray[Any, Any],
        described: np.ndarray[Any, Any] | None,
        profiled: np.ndarray[Any, Any] | None = None,
        naf: str = "",
        day: str = "",
    ) -> OccupationResult:
        cfg = self.config
        if not label_key(title) and not label_key(description):
            return OccupationResult(status="unknown", reason="empty: no readable title or description")
        sector = [self._metier_index[c] for c in self.priors.sector_codes(naf) if c in self._metier_index]
        if sector:
            metier_scores[sector] += cfg.sector_weight
        order = np.argsort(-metier_scores)[: cfg.top]
        best = float(metier_scores[order[0]])
        second = float(metier_scores[order[1]]) if len(order) > 1 else 0.0
        metiers: list[Candidate] = []
        for rank, i in enumerate(order):
            code = self.metier_codes[int(i)]
            score = float(metier_scores[i])
            runner = second if rank == 0 else best
            metiers.append(
                Candidate(
                    f"rome:{code}",
                    code,
                    self._metier_label.get(code, code),
                    score,
                    self.calibration.confidence(score, score - runner),
                    code,
                )
            )
        # appellations: the title's best, and the description's best, each with both parts where known, plus
        # their métier's fiche-profile score
        combined = dict(scored.appellations)
        if described is not None:
            for i in combined:
                combined[i] += float(described[i])
            for i, score in _best(described, cfg.top):
                combined.setdefault(i, score)
        if profiled is not None:  # what the fiche profile says of its métier: appellations follow their métiers
            for i in combined:
                combined[i] += float(profiled[self._metier_of_element[i]])
        app_order = sorted(combined, key=lambda i: (-combined[i], i))
        # the first appellation is one of the coded métier (its own evidence may trail another's by a hair)
        lead = next((i for i in app_order if self.rome_metier[i] == metiers[0].code), None)
        if lead is not None:
            app_order.remove(lead)
            app_order.insert(0, lead)
        app_order = app_order[: cfg.top]
        appellations = tuple(
            Candidate(
                self.rome.ids[i],
                self.concepts[self.rome.ids[i]].code,
                self.concepts[self.rome.ids[i]].label,
                combined[i],
                self.calibration.confidence(combined[i], combined[i] - second),
                self.rome_metier[i],
            )
            for i in app_order
        )
        esco_candidates: tuple[Candidate, ...] = ()
        if self.esco is not None:
            esco_candidates = tuple(
                Candidate(
                    self.esco.ids[i],
                    self.concepts[self.esco.ids[i]].code,
                    self.concepts[self.esco.ids[i]].label,
                    score,
                    self.calibration.confidence(score, 0.0),
                )
                for i, score in scored.esco
            )
        metiers = self._in_force(metiers, day)
        if metiers[0].confidence < cfg.threshold:
            reason = f"low confidence {metiers[0].confidence:.2f} < {cfg.threshold:.2f} (best: {metiers[0].code})"
            return OccupationResult("unknown", reason, appellations, tuple(metiers), esco_candidates)
        return OccupationResult("coded", "", appellations, tuple(metiers), esco_candidates)

    def _in_force(self, metiers: list[Candidate], day: str) -> list[Candidate]:
        """The métiers as France Travail's offers of ``day`` code them: a fiche published later gives way to its parent.

        ROME 4.0 grows by releases, each new fiche split from a parent (:func:`~grepp.enrich.priors.fiche_releases`).
        When the first métier was not yet in use on the offer's date, its parent comes first, standing in
        with the first's score and confidence (the evidence is the same), and the first itself second; the
        appellations keep their current fiche. Undated input is coded in the current release (so is every
        stored offer by the pipeline, which reads no date: its figures compare across time). Measured with
        ``grepp eval offers`` (top-1 / top-3, all-sectors, Ardèche, Grand Est IT, national IT): 0.742 / 0.843,
        0.687 / 0.820, 0.551 / 0.706, 0.515 / 0.669 → 0.746 / 0.844, 0.760 / 0.847, 0.674 / 0.784, 0.615 / 0.742.
        """
        first = metiers[0] if metiers else None
        if first is None or not day or self.priors.in_force(first.code, day):
            return metiers
        parent = self._parent_code.get(first.code)
        if parent is None:
            return metiers
        stand_in = Candidate(
            f"rome:{parent}", parent, self._metier_label.get(parent, parent), first.score, first.confidence, parent
        )
        return [stand_in, first, *(m for m in metiers[1:] if m.code != parent)][: len(metiers)]


def _best(scores: np.ndarray[Any, Any], k: int) -> tuple[tuple[int, float], ...]:
    """The k best (index, score) of a row, best first (ties by index)."""
    k = min(k, len(scores))
    if k <= 0:
        return ()
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.lexsort((top, -scores[top]))]
    return tuple((int(i), float(scores[i])) for i in top)
