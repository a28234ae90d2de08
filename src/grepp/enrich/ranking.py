"""The ranking task behind ``grepp eval rank``: queries against a given corpus, with grepp's engine.

Only the given corpus elements are ranked. What the engine adds to the raw texts:

- *grouping*: corpus elements that are surface forms of one concept rank together. MELO-style ids
  name their concept (``C001295_fr_003``, ``S004461_000``: the part before the language/serial
  suffix); otherwise forms naming the same taxonomy concept exactly (see :mod:`.expansion`) are
  grouped; otherwise each element stands alone;
- *expansion*: with a taxonomy :class:`~grepp.enrich.expansion.LabelBook`, a query naming a concept
  exactly gets that concept's other labels as extra forms;
- *métier context*: with a :class:`~grepp.enrich.metier_context.MetierContext`, a title query also
  brings the other appellations of the ROME métiers it matches ("Plafonneur" → "Plâtrier", "Plaquiste"),
  weighted by that match (only when the corpus names occupations rather than skills);
- *broad groups*: elements naming an ISCO group rather than an occupation weigh ``BROAD_WEIGHT``; in a
  language whose ISCO labels grepp lacks, lone plain forms of MELO-style concepts weigh ``LONE_FORM_WEIGHT``;
- *mode*: sentence queries (a job-ad sentence → skills) weigh words and the dense encoder more than
  character n-grams, which suit short titles and labels.

    >>> rank_corpus([("q1", "Soudeuse")], [("C1_fr_000", "soudeur"), ("C1_fr_001", "soudeuse")], top=2)
    [('q1', [('C1_fr_000', ...), ('C1_fr_001', ...)])]
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from grepp.enrich.adapters import Domain
from grepp.enrich.embed import Encoder
from grepp.enrich.expansion import OCCUPATION_KINDS, LabelBook
from grepp.enrich.lexical import label_key
from grepp.enrich.metier_context import MetierContext, MetierRows
from grepp.enrich.retrieval import RetrievalConfig, Retriever
from grepp.enrich.skill_context import ESCO_SKILL_KINDS, SkillNeighbourhood
from grepp.enrich.skill_sections import detect_language

RANKER_NAME = "rank.hybrid"
#: v10 (seventeenth session): a title opening on "homme"/"femme" has no head word (:func:`.lexical.title_head`);
#: the stored alignments, whose version carries this one, are recomputed. v11 (twentieth session): "généraliste",
#: "spécialiste" and "communication" keep stems of their own (:func:`.lexical.word_key`).
RANKER_VERSION = "11"

#: "<concept>_<lang>_<serial>" or "<concept>_<serial>" (MELO corpus element ids).
_MELO_ID = re.compile(r"^(?P<concept>.+?)_(?:[a-z]{2}_)?\d{2,4}$")

#: Score factor of a corpus element naming a broad group (ISCO "Conducteurs de chariots élévateurs"):
#: a job title names an occupation, and benchmarks link it to occupations, not to their groups.
BROAD_WEIGHT = 0.7
#: Score factor of a corpus element alone in its concept, without a gender pair (see :func:`lone_form_weights`).
LONE_FORM_WEIGHT = 0.85
#: Share of "masculine/feminine" labels above which a corpus is taken for gendered occupation labels
#: (French and German ESCO occupations: 16–21 %; skills: under 0.1 %).
GENDERED_SHARE = 0.05

#: Weights for short titles/labels and for sentences.
#: A title naming a corpus form exactly gets +1 for it (``exact_weight``): a ROME appellation's own name in ESCO
#: comes first, before the neighbours its métier context lifts ("Nickeleur industriel" is an alternative label
#: of *opérateur de traitement de surface*, was ranked after *galvanoplaste*, its ROME sibling's name). Of
#: the 2,150 ROME appellations named exactly in the MELO-fr dev corpus, 94.3 % had such a form first, 99.7 %
#: with the bonus; the dev sets' loose gold hardly moves (MELO-fr 0.565 → 0.568, MELO-de 0.545 → 0.544).
TITLE_CONFIG = RetrievalConfig(
    char_weight=0.6, word_weight=0.25, dense_weight=1.0, own_weight=0.05, alternative_weight=0.88, exact_weight=1.0
)
SENTENCE_CONFIG = RetrievalConfig(char_weight=0.2, word_weight=0.5, dense_weight=1.0, own_weight=0.05)
#: French titles → occupations: the forms whose head names a level of responsibility above the trade while no word of
#: the title does (:func:`~grepp.enrich.lexical.title_level`: "chef", "responsable", "directeur"…) lose this much, in
#: the ranking and in the métier context's search (not in its texts). Measured at 0.2 (ranker v8) on the 13,120 ROME
#: appellations — the held-out French set's queries — against the MELO-fr corpus, with the title's head word only
#: (334 first occupations changed): 30 drawn (seed 13) and read: 13 better ("Agent de maintenance en climatisation" →
#: technicien en génie climatique, was chef d'équipe de maintenance industrielle; "Exploitant de patinoire" →
#: exploitant d'équipement sportif, was directeur), 3 worse ("Hôtelier-restaurateur" → réceptionniste, was directeur
#: d'établissement hôtelier), 14 neither. ROME names left out (bench/make_rome_names_melo.py, folds 0–4) MAP +0.003,
#: −0.000, +0.002, +0.002, +0.002; MELO-fr dev (Belgian) 0.5682 → 0.5679. Words below the trade ("assistant", "aide",
#: "adjoint", "commis") as a second level: 15 better / 5 worse on another draw, but the ROME-names folds −0.001 on
#: average and MELO-fr 0.5671 ("Secrétaire médical" → *assistant médico-administratif*, ESCO's medical secretary,
#: lost): left out. A title naming a responsibility after its head ("Adjoint au responsable de rayon", "Credit
#: manager") then kept its v7 ranking (308 changed, not 334): of the 26 it concerns, 8 read better so ("Adjoint au
#: responsable formation" → responsable de formation, not formateur), 3 worse ("Revenue manager" → responsable yield
#: manager, not yield manager), 15 neither; folds and MELO-fr the same (0.5678).
LEVEL_WEIGHT = 0.2
#: The métier context's search of ROME appellations (see :mod:`.metier_context`): a French title's first word
#: names the job, so appellations headed by it count more ("Installateur réseaux et data" is found among the
#: installers before the network engineers; MELO-fr dev MAP 0.553 → 0.565 at 0.1: 0.05 0.560, 0.2 0.551).
#: No exact-name bonus there: a title that is an appellation's name would weigh its métier, and so its
#: context, 1 more (MELO-fr dev 0.568 without, 0.567 with; ROME appellations ranked with their own name left
#: out of the corpus, bench/make_rome_names_melo.py: MAP 0.871 without, 0.837 with). Levels as in the ranking.
CONTEXT_CONFIG = dataclasses.replace(TITLE_CONFIG, head_weight=0.1, exact_weight=0.0, level_weight=LEVEL_WEIGHT)
#: French titles ranked against occupations (see :data:`LEVEL_WEIGHT`).
FRENCH_TITLE_CONFIG = dataclasses.replace(TITLE_CONFIG, level_weight=LEVEL_WEIGHT)
#: German titles and labels are compounds ("Erntearbeiter", "Erntehelfer im Bereich Obst"): their character
#: n-grams say more than their words (MELO-de dev MAP: char weight 0.6 → 1.0, 0.535 → 0.542), and their words
#: are read as German stems with compound parts (0.542 → 0.545, see :class:`~grepp.enrich.lexical.GermanWords`).
GERMAN_TITLE_CONFIG = dataclasses.replace(TITLE_CONFIG, char_weight=1.0, language="de")
#: The second encoder whose cosine, through its own adapter for the corpus's kind, is added to USE's (see
#: :func:`second_encoder`), and its weight by task. Measured on the dev sets (USE / e5 weights):
#:
#: - German titles → German occupation labels, MELO-de MAP 0.544 → **0.563** at 1 / 3 (1 / 1: 0.555, 1 / 2:
#:   0.561, 1 / 5: 0.562, 1 / 10: 0.559; plain e5 without its adapter at 1 / 2: 0.549);
#: - French skill labels → ESCO skills, VDAB MAP 0.300 → **0.331** at 1 / 3 (1 / 0.5: 0.313, 1 / 1: 0.322,
#:   1 / 2: 0.330, 1 / 5: 0.332, 1 / 8: 0.327; plain e5 at 1 / 1: 0.306);
#: - English job-ad sentences → ESCO skills, Decorte TECH RP@5 0.693 → **0.732** and HOUSE 0.442 → 0.528 at
#:   1 / 1 (MAP 0.595 → 0.629, 0.383 → 0.422; at 1 / 0.5 and 1 / 2 both MAPs are lower);
#: - French titles → occupations keep USE alone: MELO-fr 0.568 → 0.567 at 1 / 1, 0.545 at 1 / 3 (0.564 with
#:   e5 in the final ranking only, not in the métier context); the context and USE's adapter do what e5 adds.
SECOND_ENCODER = "e5-small"
SECOND_WEIGHT_TITLES = 3.0
SECOND_WEIGHT_SENTENCES = 1.0
#: Skill labels ranked against ESCO skills: the ESCO skills asked for by the ESCO occupations of the métiers whose
#: fiches list the ROME compétence or savoir a label names exactly get this × √(share of those occupations asking
#: for them) (:mod:`.skill_context`), so the trade's own skill comes before its look-alikes.
NEIGHBOURHOOD_WEIGHT = 0.3
#: Corpus labels read to tell its language.
LANGUAGE_SAMPLE = 2_000


def id_groups(corpus: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Groups read from MELO-style ids; empty unless most ids follow the pattern and some share a concept."""
    groups: dict[str, str] = {}
    for doc_id, _ in corpus:
        match = _MELO_ID.match(doc_id)
        if match:
            groups[doc_id] = match.group("concept")
    if len(groups) < 0.9 * len(corpus) or len(set(groups.values())) == len(groups):
        return {}
    return groups


def concept_groups(corpus: Sequence[tuple[str, str]], book: LabelBook) -> dict[str, str]:
    """Groups of corpus elements that name exactly one and the same taxonomy concept."""
    groups: dict[str, str] = {}
    for doc_id, text in corpus:
        concepts = book.concepts_of(text)
        if len(concepts) == 1:
            groups[doc_id] = concepts[0]
    return groups


def is_sentence_task(queries: Sequence[tuple[str, str]]) -> bool:
    """True when the queries are sentences rather than titles or labels (mean length over 6 words).

    Words are counted on the gender-folded key, so that a double title counts once: ROME's appellations
    ("Accastilleur-monteur / Accastilleuse-monteuse électronique de bateaux") average 5.8 words as written
    and 4.1 folded — read as written, a batch of them could pass for sentences (the first 2,000 average 6.05).
    Job-ad sentences average 11 to 21 (Decorte TECH / HOUSE).
    """
    if not queries:
        return False
    return sum(len(label_key(text).split()) for _, text in queries) / len(queries) > 6


def broad_weights(
    corpus: Sequence[tuple[str, str]], broad_labels: Iterable[str], book: LabelBook | None = None
) -> dict[str, float]:
    """BROAD_WEIGHT for the corpus elements that name a broad group (an ISCO group) and no occupation."""
    keys = {label_key(text) for text in broad_labels}
    keys.discard("")
    if not keys:
        return {}
    weights: dict[str, float] = {}
    for doc_id, text in corpus:
        if label_key(text) in keys:
            named = book.concepts_of(text) if book is not None else []
            if not any(book is not None and book.kinds.get(cid) in OCCUPATION_KINDS for cid in named):
                weights[doc_id] = BROAD_WEIGHT
    return weights


def lone_form_weights(corpus: Sequence[tuple[str, str]], groups: dict[str, str]) -> dict[str, float]:
    """LONE_FORM_WEIGHT for the elements alone in their concept with no gender pair ("Küchenhilfen").

    In ESCO an occupation has a gendered preferred label ("Koch/Köchin") and alternatives, while an ISCO
    group has one plain label: with concept groups known (MELO ids), a lone plain form is most likely a
    group, which no job title is linked to. Without groups nothing is weighed.
    """
    paired = sum(1 for _, text in corpus if "/" in text)
    if not groups or paired < GENDERED_SHARE * len(corpus):
        return {}  # not a corpus of gendered occupation labels (skills, English titles…)
    sizes: dict[str, int] = {}
    for group in groups.values():
        sizes[group] = sizes.get(group, 0) + 1
    return {
        doc_id: LONE_FORM_WEIGHT
        for doc_id, text in corpus
        if doc_id in groups and sizes[groups[doc_id]] == 1 and "/" not in text
    }


def corpus_language(corpus: Sequence[tuple[str, str]]) -> str:
    """``fr``, ``de`` or ``en``: the language of an even sample of the corpus labels (function words)."""
    step = max(1, len(corpus) // LANGUAGE_SAMPLE)
    return detect_language(" ".join(text for _, text in corpus[::step]))


def corpus_domain(corpus: Sequence[tuple[str, str]], book: LabelBook | None) -> Domain | None:
    """Whether the corpus names occupations or skills (which encoder adapter suits it); ``None`` without a book."""
    if book is None:
        return None
    return "occupations" if book.names_occupations([text for _, text in corpus]) else "skills"


def wants_metier_context(
    queries: Sequence[tuple[str, str]],
    corpus: Sequence[tuple[str, str]],
    book: LabelBook | None,
    lang: str | None = None,
) -> bool:
    """True for title queries against a corpus of occupations (not skills, not sentences), not in German.

    The context is ROME's French appellations: German titles reach them only through the dense encoder,
    which brought nothing there (MELO-de dev MAP 0.535 without, 0.532 with). ``lang``: the corpus's
    language when the caller already knows it (see :func:`corpus_language`).
    """
    if is_sentence_task(queries) or (lang or corpus_language(corpus)) == "de":
        return False
    return book is None or book.names_occupations([text for _, text in corpus])


def wants_neighbourhood(
    queries: Sequence[tuple[str, str]],
    corpus: Sequence[tuple[str, str]],
    book: LabelBook | None,
    lang: str | None = None,
) -> bool:
    """True for skill labels (not sentences) against a French corpus of skills: where :func:`neighbourhood_bonus`
    applies (ROME items are French). ``lang``: the corpus's language when the caller already knows it."""
    if book is None or is_sentence_task(queries) or (lang or corpus_language(corpus)) != "fr":
        return False
    return corpus_domain(corpus, book) == "skills"


def second_encoder(
    queries: Sequence[tuple[str, str]],
    corpus: Sequence[tuple[str, str]],
    domain: Domain | None,
    lang: str | None = None,
) -> tuple[str, float] | None:
    """The encoder (name, weight) whose cosine to add to the main one's for this task, if any.

    Skills (labels or sentences) and German occupation titles: USE and e5-small, each through its adapter
    trained on ROME/ESCO, put right what the other misses (see :data:`SECOND_ENCODER`); French occupation
    titles, and tasks of unknown kind (no taxonomy), keep USE alone.
    """
    sentences = is_sentence_task(queries)
    if domain == "skills":
        return SECOND_ENCODER, SECOND_WEIGHT_SENTENCES if sentences else SECOND_WEIGHT_TITLES
    if domain == "occupations" and not sentences and (lang or corpus_language(corpus)) == "de":
        return SECOND_ENCODER, SECOND_WEIGHT_TITLES
    return None


def rank_corpus(
    queries: Sequence[tuple[str, str]],
    corpus: Sequence[tuple[str, str]],
    *,
    book: LabelBook | None = None,
    metiers: MetierContext | None = None,
    broad_labels: Iterable[str] = (),
    encoder: Encoder | None = None,
    top: int = 100,
    config: RetrievalConfig | None = None,
    neighbourhood: SkillNeighbourhood | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[tuple[str, list[tuple[str, float]]]]:
    """Rank the corpus for each query: ``[(query_id, [(doc_id, score), …]), …]`` best first.

    ``neighbourhood``: for skill labels (not sentences) with a label book, the ESCO skills around the ROME item a
    label names are lifted by :data:`NEIGHBOURHOOD_WEIGHT` (see :func:`neighbourhood_bonus`).
    """
    sentences = is_sentence_task(queries)
    lang = corpus_language(corpus)
    if config is None:
        title_config = GERMAN_TITLE_CONFIG if lang == "de" else TITLE_CONFIG
        if lang == "fr" and corpus_domain(corpus, book) == "occupations":
            title_config = FRENCH_TITLE_CONFIG
        config = SENTENCE_CONFIG if sentences else title_config
    groups = id_groups(corpus)
    named_groups = bool(groups)  # concepts named by the ids themselves (MELO), not guessed from labels
    if not groups and book is not None:
        groups = concept_groups(corpus, book)
    expansions = None
    if book is not None and not sentences:
        expansions = [book.expand(text) for _, text in queries]
    # ISCO groups known by their labels (French, English); otherwise (German…) by the corpus's structure
    weights = broad_weights(corpus, broad_labels, book)
    if not weights and named_groups:
        weights = lone_form_weights(corpus, groups)
    retriever = Retriever(corpus, groups=groups, encoder=encoder, config=config, element_weights=weights)
    context_forms = None
    if metiers is not None and config.context_weight > 0 and wants_metier_context(queries, corpus, book, lang):
        # each title's best métiers, whose texts are scored once per métier (MetierRows), not once per title
        chosen = metiers.metiers_of([text for _, text in queries])
        rows = MetierRows(retriever, metiers)
        rows.prepare(code for metier_weights in chosen for code, _ in metier_weights)

        def context_forms(start: int, end: int) -> np.ndarray[Any, Any]:
            return rows.forms(chosen[start:end])

    bonus = None
    if neighbourhood is not None and book is not None and wants_neighbourhood(queries, corpus, book, lang):
        bonus = neighbourhood_bonus(queries, corpus, groups, book, neighbourhood)
    ranked = retriever.rank(
        [text for _, text in queries],
        top=top,
        expansions=expansions,
        context_forms=context_forms,
        element_bonus=bonus,
        on_progress=on_progress,
    )
    return [(qid, ranking) for (qid, _), ranking in zip(queries, ranked, strict=True)]


def neighbourhood_bonus(
    queries: Sequence[tuple[str, str]],
    corpus: Sequence[tuple[str, str]],
    groups: dict[str, str],
    book: LabelBook,
    neighbourhood: SkillNeighbourhood,
    weight: float = NEIGHBOURHOOD_WEIGHT,
) -> Callable[[int, int], np.ndarray[Any, Any] | None] | None:
    """Per chunk of queries, the (n, n_elements) bonus of the corpus elements naming (or grouped with a form naming)
    an ESCO skill in the neighbourhood of the ROME item each query names; None when no query or no element has one.
    """
    group_of = [groups.get(doc_id, f"\x00{doc_id}") for doc_id, _ in corpus]
    concepts_of_group: dict[str, set[str]] = {}
    for (_, text), group in zip(corpus, group_of, strict=True):
        named = {cid for cid in book.concepts_of(text) if book.kinds.get(cid) in ESCO_SKILL_KINDS}
        concepts_of_group.setdefault(group, set()).update(named)
    elements_of: dict[str, list[int]] = {}
    for i, group in enumerate(group_of):
        for cid in concepts_of_group[group]:
            elements_of.setdefault(cid, []).append(i)
    if not elements_of or weight <= 0:
        return None
    per_query = [neighbourhood.weights(items) for items in neighbourhood.items_for([text for _, text in queries], book)]
    if not any(per_query):
        return None

    def bonus(start: int, end: int) -> np.ndarray[Any, Any] | None:
        chosen = per_query[start:end]
        if not any(chosen):
            return None
        out = np.zeros((len(chosen), len(corpus)), dtype=np.float32)
        for row, weights in enumerate(chosen):
            for cid, share in weights.items():
                index = elements_of.get(cid)
                if index:
                    out[row, index] = np.maximum(out[row, index], weight * share)
        return out

    return bonus
