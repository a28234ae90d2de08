"""The retrieval engine on small real extracts: keys, grouping, expansion, ranking only the corpus."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest

from grepp.enrich.expansion import LabelBook
from grepp.enrich.lexical import GermanWords, LexicalSpace, gender_keys, label_key, word_key
from grepp.enrich.ranking import (
    CONTEXT_CONFIG,
    SECOND_ENCODER,
    SECOND_WEIGHT_SENTENCES,
    SECOND_WEIGHT_TITLES,
    TITLE_CONFIG,
    id_groups,
    is_sentence_task,
    rank_corpus,
    second_encoder,
)
from grepp.enrich.retrieval import Retriever
from grepp.errors import RecordError, SourceError
from grepp.models import Concept, Label
from grepp.sources.eval_sets import read_offer_records, read_pairs, read_qrels, write_run


def test_keys_fold_gender_case_and_markers() -> None:
    assert label_key("Infirmière (H/F)") == label_key("INFIRMIER")
    assert label_key("Weinbautechniker/in (DI)") == label_key("Weinbautechniker")
    assert label_key("Landwirt:in") == label_key("LandwirtIn") == label_key("Landwirt(in)") == "landwirt"
    # an inflection bracket holds the masculine ending: Technischer / Technische, Gehilfe / Gehilfin
    assert label_key("Technisch(er)e Assistent (m./w.)") == label_key("Technischer Assistent")
    assert label_key("Forstgehilf(e)in") == label_key("Forstgehilfe") == "forstgehilfe"
    assert label_key("Zimmer(er)in") == "zimmerer"
    assert label_key("Bergmann/-frau") == "bergmann"
    assert label_key("Milchtechnologe/-technologin") == "milchtechnologe"
    assert gender_keys("boucher/bouchère") == ["boucher"]
    assert label_key("Cheffe de chantier (H/F)") == label_key("Chef de chantier") == "chef de chantier"
    assert gender_keys("Chef / Cheffe de cuisine") == ["chef de cuisine"]
    assert word_key("Conduite de chariots élévateurs") == "conduit chariot elev"
    assert word_key("Utilisation du câblage") == word_key("utiliser des câbles")
    # Snowball's stems of a few words are another word's: a general practitioner is not a general
    assert word_key("Infirmiers généralistes") == word_key("infirmière généraliste") != word_key("Infirmier général")
    assert word_key("communications") != word_key("communes")


def test_german_words_split_compounds_at_a_word_the_corpus_knows() -> None:
    corpus = ["Verwalter für das Lager", "Arbeiter in der Ernte", "Bestattungsgehilfe", "Gehilfe", "Maler"]
    german = GermanWords.fit(corpus)
    assert german.split("lagerverwalter") == ["lager", "verwalter"]
    assert german.split("bestattungsgehilfe") == ["bestattung", "gehilfe"]  # the linking "s" dropped
    assert german.split("maler") == ["maler"]  # no known tail of four letters or more
    # the word view: a compound meets the phrase that spells it out, only when the corpus is read as German
    _, words = LexicalSpace.fit(corpus, ("de",)).similarity(["Lagerverwalter/in", "Erntearbeiterin"])
    assert words[0].argmax() == 0 and words[1].argmax() == 1 and words[0, 0] > 0.3
    _, mixed = LexicalSpace.fit(corpus).similarity(["Lagerverwalter/in", "Erntearbeiterin"])
    assert mixed[0, 0] == mixed[1, 1] == 0.0
    # German corpora are ranked with it: the compound query finds the spelled-out label first
    de_corpus = [("C1_de_000", "Verwalter für das Lager"), ("C2_de_000", "Vermögensberater und Anlageberater")]
    de_corpus += [(f"C{i}_de_000", f"Fachkraft für die {w} und der Technik") for i, w in enumerate(["Post", "Bahn"], 3)]
    assert rank_corpus([("q", "Lagerverwalter/in")], de_corpus, top=1)[0][1][0][0] == "C1_de_000"


def test_the_c_stemmers_stem_the_eval_sets_words_as_the_python_ones_do(data_dir: Path) -> None:
    """PyStemmer (a dependency) replaces snowballstemmer's pure-Python stemmers: the same word keys, faster."""
    import re

    import snowballstemmer
    from snowballstemmer.french_stemmer import FrenchStemmer
    from snowballstemmer.german_stemmer import GermanStemmer

    words: set[str] = set()
    for folder in ("occupations-melo-bel-fr-dev", "occupations-melo-aut-de-dev", "skills-fr-vdab-dev"):
        for name in ("queries.tsv", "corpus_elements.tsv"):
            words.update(re.findall(r"\w+", (data_dir / "eval" / folder / name).read_text(encoding="utf-8").lower()))
    assert len(words) > 20_000
    for language, pure in (("french", FrenchStemmer()), ("german", GermanStemmer())):
        fast = snowballstemmer.stemmer(language)
        assert type(fast).__module__ == "Stemmer", "PyStemmer is not installed: run make install"
        assert [fast.stemWord(w) for w in sorted(words)] == [pure.stemWord(w) for w in sorted(words)]


def test_siblings_rank_together_and_only_corpus_ids_come_back() -> None:
    corpus = [("C1_fr_000", "boucher"), ("C2_fr_000", "infirmier"), ("C1_fr_001", "tueur en abattoir")]
    ranked = rank_corpus([("q", "Boucher (h/f/x)")], corpus, top=10)
    ids = [doc for doc, _ in ranked[0][1]]
    assert ids[:2] == ["C1_fr_000", "C1_fr_001"]  # the sibling is lifted above the unrelated element
    assert sorted(ids) == sorted(doc for doc, _ in corpus)


def test_id_groups_only_when_ids_follow_the_melo_pattern() -> None:
    assert id_groups([("C1_fr_000", "a"), ("C1_fr_001", "b")]) == {"C1_fr_000": "C1", "C1_fr_001": "C1"}
    assert id_groups([("S000001_000", "a"), ("S000001_001", "b")])["S000001_001"] == "S000001"
    assert id_groups([("ESCO00001", "a"), ("ESCO00002", "b")]) == {}


def test_query_expansion_through_a_taxonomy_concept() -> None:
    plasterer = Concept(
        "esco:x", "esco", "occupation", "7123", "plâtrier", (Label("plâtrier", "fr"), Label("plafonneur", "fr"))
    )
    book = LabelBook.from_concepts([plasterer])
    assert "plâtrier" in book.expand("Plafonneur (h/f/x)")
    corpus = [("a", "plâtrier"), ("b", "plafond tendu poseur"), ("c", "peintre")]
    with_book = rank_corpus([("q", "Plafonneur (h/f/x)")], corpus, book=book, top=3)
    assert with_book[0][1][0][0] == "a"


def test_sentence_queries_switch_mode() -> None:
    assert is_sentence_task([("q", "we look for people who master JavaScript and Java frameworks")])
    assert not is_sentence_task([("q", "Soudeur")])
    # ROME double titles count their words once (7 each as written, 4 and 5 folded): titles, not sentences
    rome = [
        "Accastilleur-monteur / Accastilleuse-monteuse électronique de bateaux",
        "Agent / Agente de tri des déchets",
    ]
    assert sum(len(title.split()) for title in rome) / len(rome) > 6
    assert not is_sentence_task([(str(i), t) for i, t in enumerate(rome)])


def test_retriever_handles_empty_and_odd_queries() -> None:
    r = Retriever([("a", "soudeur"), ("b", "infirmier")])
    for query in ["", "   ", "😀😀", "ÃƒÂ©", "x" * 10_000]:
        ranking = r.rank([query], top=2)[0]
        assert {doc for doc, _ in ranking} <= {"a", "b"}


def test_melo_files_with_and_without_header(data_dir: Path) -> None:
    path = data_dir / "eval" / "occupations-melo-bel-fr-dev" / "queries.tsv"
    text = path.read_text(encoding="utf-8")
    plain = read_pairs(io.StringIO(text), str(path))
    headed = read_pairs(io.StringIO("id\ttext\n" + text), str(path))
    assert plain == headed and plain[0] == ("Q000001", "Boucher (h/f/x)")
    with pytest.raises(RecordError, match="line 2"):
        read_pairs(io.StringIO("Q1\tok\nno tab here\n"), "q.tsv")
    with pytest.raises(SourceError):
        read_pairs(io.StringIO("\n\n"), "empty.tsv")
    qrels = read_qrels(io.StringIO("Q1 0 C1 1\nQ1 0 C2 0\nQ2 0 C3 1\n"), "a.tsv")
    assert qrels == {"Q1": {"C1"}, "Q2": {"C3"}}


def test_trec_run_and_offer_records() -> None:
    out = io.StringIO()
    assert write_run(out, [("q1", [("d1", 0.9), ("d2", 0.5)])]) == 2
    assert out.getvalue().splitlines()[1] == "q1 Q0 d2 2 0.500000 grepp"
    good, bad = read_offer_records('{"id": "1"}\nnot json\n[1]\n', "o.jsonl")
    assert [o["id"] for _, o in good] == ["1"]
    assert [b.location for b in bad] == ["line 2", "line 3"]


def test_a_title_brings_its_rome_metier_as_context(taxonomy_db: Path) -> None:
    import duckdb

    from grepp.enrich.metier_context import MetierContext
    from grepp.taxonomy import load_concepts

    with duckdb.connect(str(taxonomy_db), read_only=True) as con:
        concepts = load_concepts(con, taxonomy="rome", kinds=["metier", "appellation"])
    context = MetierContext.from_concepts(concepts)
    assert context is not None
    texts = [text for text, weight in context.context(["Conducteur de chariots élévateurs (h/f/x)"])[0]]
    assert "Cariste" in texts
    # the ESCO-like corpus names the forklift driver "cariste": the métier context lifts it most
    corpus = [("a", "cariste"), ("b", "conducteur d'excavatrice"), ("c", "magasinier")]
    query = [("q", "Conducteur de chariots élévateurs (h/f/x)")]
    plain = dict(rank_corpus(query, corpus, top=3)[0][1])
    lifted = dict(rank_corpus(query, corpus, metiers=context, top=3)[0][1])
    lift = {doc: lifted[doc] - plain[doc] for doc in plain}
    assert lift["a"] > lift["b"] > lift["c"] >= 0
    assert MetierContext.from_concepts([]) is None
    # rank_corpus scores each métier's texts once (MetierRows): the scores of the per-title context texts
    titles = ["Conducteur de chariots élévateurs (h/f/x)", "Plafonneur", "Cariste", "", "Soudeuse TIG"]
    ranked = rank_corpus([(str(i), t) for i, t in enumerate(titles)], corpus, metiers=context, top=3)
    per_title = Retriever(corpus, config=TITLE_CONFIG)
    expected = per_title.rank(titles, top=3, context=context.context(titles))
    for (_, got), want in zip(ranked, expected, strict=True):
        assert [d for d, _ in got] == [d for d, _ in want]
        assert [s for _, s in got] == pytest.approx([s for _, s in want], abs=1e-5)


def test_head_weight_lifts_the_forms_headed_by_the_titles_first_word() -> None:
    corpus = [
        ("a", "formateur d'auxiliaire de puériculture"),
        ("b", "auxiliaire de crèche"),
        ("c", "Auxiliaires de vie"),
    ]
    plain = Retriever(corpus)
    headed = Retriever(corpus, config=dataclasses.replace(plain.config, head_weight=0.1))
    query = ["Auxiliaire de puériculture (H/F)"]
    lift = headed.form_scores(query)[0] - plain.form_scores(query)[0]
    by_id = dict(zip(headed.form_texts, lift, strict=True))
    assert by_id["formateur d'auxiliaire de puériculture"] == pytest.approx(0.0, abs=1e-6)
    assert by_id["auxiliaire de crèche"] == pytest.approx(0.1, abs=1e-6)
    assert by_id["Auxiliaires de vie"] == pytest.approx(0.1, abs=1e-6)  # a plural head is the same head
    assert headed.form_scores(["", "2"]).shape == (2, 3)  # no head: no bonus, no error


def test_a_form_the_query_names_exactly_gets_the_exact_bonus_and_nothing_else_does() -> None:
    corpus = [("a", "psychologue clinicien/psychologue clinicienne"), ("b", "Psychologue"), ("c", "psychologues")]
    plain = Retriever(corpus)
    exact = Retriever(corpus, config=dataclasses.replace(plain.config, exact_weight=1.0))
    query = ["Psychologue (H/F)"]
    lift = exact.element_scores(query)[0] - plain.element_scores(query)[0]
    assert lift.tolist() == pytest.approx([0.0, 1.0, 0.0], abs=1e-6)  # a plural is another name
    # context texts are no names of the query: "psychologue" in a title's context earns no bonus
    ctx = [[("Psychologue", 1.0)]]
    lift = (
        exact.element_scores(["Neuropsychologue"], context=ctx)[0]
        - plain.element_scores(["Neuropsychologue"], context=ctx)[0]
    )
    assert lift.tolist() == pytest.approx([0.0, 0.0, 0.0], abs=1e-6)


def test_a_rome_appellation_finds_the_esco_occupation_bearing_its_name(data_dir: Path, taxonomy_db: Path) -> None:
    """On the real MELO-fr corpus: the métier context no longer lifts a sibling's name above the exact one."""
    import duckdb

    from grepp.enrich.metier_context import MetierContext
    from grepp.taxonomy import load_concepts

    with duckdb.connect(str(taxonomy_db), read_only=True) as con:
        concepts = load_concepts(con, taxonomy="rome", kinds=["metier", "appellation"])
    context = MetierContext.from_concepts(concepts, config=CONTEXT_CONFIG)
    path = data_dir / "eval" / "occupations-melo-bel-fr-dev" / "corpus_elements.tsv"
    with path.open(encoding="utf-8") as handle:
        corpus = read_pairs(handle, str(path))
    queries = [  # alternative labels of the expected concepts; first without the bonus, in the comments
        ("forge", "Forgeron / Forgeronne d'art"),  # C003526 forgeron/forgeronne
        ("lab", "Laborantin / Laborantine d'analyses médicales"),  # C000625
        ("nickel", "Nickeleur industriel / Nickeleuse industrielle"),  # C002828 galvanoplaste (with the encoder)
    ]
    best = {qid: ranking[0][0].split("_")[0] for qid, ranking in rank_corpus(queries, corpus, metiers=context, top=1)}
    assert best == {"forge": "C002948", "lab": "C001180", "nickel": "C003511"}


def test_the_metier_context_reads_the_titles_head_word(taxonomy_db: Path) -> None:
    """A trainer of nurses is a trainer: the context's métiers are those of the title's first word."""
    import duckdb

    from grepp.enrich.metier_context import MetierContext
    from grepp.taxonomy import load_concepts

    with duckdb.connect(str(taxonomy_db), read_only=True) as con:
        concepts = load_concepts(con, taxonomy="rome", kinds=["metier", "appellation"])
    context = MetierContext.from_concepts(concepts, config=CONTEXT_CONFIG)
    assert context is not None
    trainer, bar = context.metiers_of(["Formateur section infirmier (H/F)", "Commis de bar"])
    assert trainer[0][0] == "K2111"  # formateur, not J15xx infirmier
    assert bar[0][0] == "G1801"


def test_the_label_book_tells_occupation_corpora_from_skill_corpora() -> None:
    welder = Concept("esco:w", "esco", "occupation", "7212", "soudeur", (Label("soudeur", "fr"),))
    welding = Concept("esco:s", "esco", "skill", "", "souder des métaux", (Label("souder des métaux", "fr"),))
    book = LabelBook.from_concepts([welder, welding])
    assert book.names_occupations(["soudeur", "Soudeuse", "cuisinier"])
    assert not book.names_occupations(["souder des métaux", "soudeur", "souder des métaux"])
    assert not book.names_occupations([])


def test_elements_naming_an_isco_group_rank_below_occupations() -> None:
    from grepp.enrich.ranking import BROAD_WEIGHT, broad_weights

    forklift = Concept("esco:f", "esco", "occupation", "8344", "cariste", (Label("cariste", "fr"),))
    book = LabelBook.from_concepts([forklift])
    corpus = [("C1_fr_000", "Conducteurs de chariots élévateurs"), ("C2_fr_000", "cariste"), ("C3_fr_000", "peintre")]
    groups = ["Conducteurs de chariots élévateurs", "cariste"]  # an ISCO label that is also an occupation's
    assert broad_weights(corpus, groups, book) == {"C1_fr_000": BROAD_WEIGHT}
    query = [("q", "Conducteurs de chariots élévateurs")]
    plain = dict(rank_corpus(query, corpus, book=book, top=3)[0][1])
    weighed = dict(rank_corpus(query, corpus, book=book, broad_labels=groups, top=3)[0][1])
    assert weighed["C1_fr_000"] < plain["C1_fr_000"]
    assert weighed["C2_fr_000"] == plain["C2_fr_000"]
    assert broad_weights(corpus, []) == {}


def test_lone_plain_forms_weigh_less_only_in_gendered_occupation_corpora() -> None:
    from grepp.enrich.ranking import LONE_FORM_WEIGHT, lone_form_weights

    corpus = [
        ("C1_de_000", "Koch/Köchin"),
        ("C1_de_001", "Koch"),
        ("C2_de_000", "Küchenhilfen"),  # an ISCO group: one plain label
        ("C3_de_000", "Bäcker/Bäckerin"),
    ]
    groups = id_groups(corpus)
    assert lone_form_weights(corpus, groups) == {"C2_de_000": LONE_FORM_WEIGHT}
    skills = [("S1_000", "Teig kneten"), ("S2_000", "Brot backen"), ("S2_001", "backen")]
    assert lone_form_weights(skills, id_groups(skills)) == {}
    assert lone_form_weights(corpus, {}) == {}


def test_skills_and_german_titles_get_a_second_encoder_french_titles_do_not(data_dir: Path) -> None:
    def pairs(name: str, file: str, n: int) -> list[tuple[str, str]]:
        lines = (data_dir / "eval" / name / file).read_text(encoding="utf-8").splitlines()[:n]
        return [(line.split("\t")[0], line.split("\t")[1]) for line in lines]

    de_q = pairs("occupations-melo-aut-de-dev", "queries.tsv", 50)
    de_c = pairs("occupations-melo-aut-de-dev", "corpus_elements.tsv", 3000)
    fr_q = pairs("occupations-melo-bel-fr-dev", "queries.tsv", 50)
    fr_c = pairs("occupations-melo-bel-fr-dev", "corpus_elements.tsv", 3000)
    skill_q = pairs("skills-fr-vdab-dev", "queries.tsv", 50)
    skill_c = pairs("skills-fr-vdab-dev", "corpus_elements.tsv", 3000)
    sentences = [("s1", "Sie bedienen und warten die Maschinen der Produktion und dokumentieren alle Prüfungen.")]
    assert second_encoder(de_q, de_c, "occupations") == (SECOND_ENCODER, SECOND_WEIGHT_TITLES) == ("e5-small", 3.0)
    assert second_encoder(fr_q, fr_c, "occupations") is None  # French titles: USE alone ranks better
    assert second_encoder(skill_q, skill_c, "skills") == ("e5-small", 3.0)
    assert second_encoder(sentences, skill_c, "skills") == ("e5-small", SECOND_WEIGHT_SENTENCES) == ("e5-small", 1.0)
    assert second_encoder(sentences, de_c, "occupations") is None  # sentences → occupations: not measured
    assert second_encoder(de_q, de_c, None) is None  # no taxonomy: the kind of corpus is unknown


def test_a_french_title_keeps_its_level_of_responsibility() -> None:
    """A technician is not his trade's team leader (see LEVEL_WEIGHT)."""
    from grepp.enrich.lexical import title_level
    from grepp.enrich.ranking import LEVEL_WEIGHT

    levels = [title_level(t) for t in ("Cheffe d'équipe", "Directrice", "Aide-soignant", "Technicien", "")]
    assert levels == [1, 1, 0, 0, 0]
    assert title_level("Assistant chef de chantier") == 0 and title_level("Assistant chef de chantier", anywhere=True)
    corpus = [
        ("lead", "chef d'équipe de maintenance industrielle"),
        ("tech", "technicien de maintenance"),
        ("asst", "assistant de maintenance industrielle"),
    ]
    plain = Retriever(corpus)
    levelled = Retriever(corpus, config=dataclasses.replace(plain.config, level_weight=LEVEL_WEIGHT))
    titles = ["Technicien de maintenance industrielle", "Chef d'équipe maintenance"]
    drop = plain.element_scores(titles) - levelled.element_scores(titles)  # elements in corpus order
    assert drop[0].tolist() == pytest.approx([LEVEL_WEIGHT, 0.0, 0.0], abs=1e-6)
    assert drop[1].tolist() == pytest.approx([0.0, 0.0, 0.0], abs=1e-6)  # a leader's title: nothing above it
    # a title naming a responsibility anywhere is no trade's worker: "Assistant chef de chantier" keeps its chefs
    near = ["Assistant chef d'équipe maintenance"]
    drop = plain.element_scores(near) - levelled.element_scores(near)
    assert drop[0].tolist() == pytest.approx([0.0, 0.0, 0.0], abs=1e-6)
    # a title's context texts (its métier's other appellations) are scored without levels
    ctx = [[("Chef de chantier", 1.0)]]
    assert (plain.element_scores(titles[:1], context=ctx) - levelled.element_scores(titles[:1], context=ctx))[
        0
    ].tolist() == pytest.approx([LEVEL_WEIGHT, 0.0, 0.0], abs=1e-6)
    # rank_corpus weighs levels for French titles against a corpus of occupations (known by the label book)
    book = LabelBook.from_concepts(
        [Concept(f"esco:{i}", "esco", "occupation", "", text, (Label(text, "fr"),)) for i, text in corpus]
    )
    query = [("q", "Technicien de maintenance industrielle (H/F)")]
    levelled_ranking = dict(rank_corpus(query, corpus, book=book, top=3)[0][1])
    plain_ranking = dict(rank_corpus(query, corpus, top=3)[0][1])  # no book: the corpus's kind is unknown
    assert levelled_ranking["lead"] < plain_ranking["lead"] - LEVEL_WEIGHT / 2
    assert levelled_ranking["tech"] == pytest.approx(plain_ranking["tech"], abs=1e-6)
    assert max(levelled_ranking, key=levelled_ranking.__getitem__) == "tech"
