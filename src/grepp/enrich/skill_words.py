"""How a skill label found in an offer's text is read: a name, an acronym, or a word the sentence uses otherwise.

The gazetteer finds every ROME/ESCO label in a text; these tests keep it from reading a word as a skill where the
sentence means something else: a common French word that only belongs to a noun phrase naming another thing
("cabinet de recrutement", :func:`in_noun_phrase`), a language used as a nationality or physics as "physical"
("une entreprise française", "condition physique", :func:`adjective_use`). A one-word label written like a name
(:func:`is_name`: "SQL", "PowerBI") is looked for in offers of every language, and an acronym (:func:`is_acronym`:
"SIG") is kept where the common word it spells would be dropped::

    >>> is_name("PowerBI"), is_name("énergie"), is_acronym("SIG"), label_variants("Python (programmation)")
    (True, False, True, ['Python (programmation)', 'Python'])

Pure: strings in, booleans out.
"""

from __future__ import annotations

import re

from grepp.enrich.text import fold

_PARENTHESIS = re.compile(r"\s*\([^)]*\)")
#: Names that are also ordinary words or shop names in French offers.
_NOT_NAMES = frozenset({"fnac", "noc", "hr", "ifr", "via", "gel", "dos", "com"})


def label_variants(text: str) -> list[str]:
    """A label and, when it has one, the label without its parenthesis ("Python (programmation)" → "Python")."""
    bare = _PARENTHESIS.sub("", text).strip()
    return [text, bare] if bare and bare != text else [text]


def is_name(text: str, *, lowercase_nouns: bool = True) -> bool:
    """A one-word label written like a name: a tool, a product or a language ("SQL", "PowerBI", "C#", "Java").

    A capital inside the word, a digit or a symbol always marks a name; a capital first letter does too
    ("Python", "Docker"), except in German, whose nouns all take one ("Energie", "Laser", "Wertpapiere").
    """
    word = text.strip()
    if " " in word or word.lower() in _NOT_NAMES or word.isdigit() or not word:
        return False
    marked = any(ch.isupper() or ch.isdigit() or ch in "#+" for ch in word[1:])
    return marked or (lowercase_nouns and (word[0].isupper() or word[0].isdigit()))


#: Words after which "de X" names a skill X ("maîtrise de l'anglais", "notions de comptabilité", "professeur de
#: mathématiques", "en charge du recrutement"), folded.
_SKILL_GOVERNORS_TEXT = """
    maitrise connaissance connaissances notion notions pratique pratiques usage utilisation experience experiences
    competence competences formation formations diplome diplomes bac licence master bts dut but cap titre sens
    esprit capacite capacites qualite qualites base bases niveau gout domaine domaines technique techniques
    outil outils logiciel logiciels langage langages methode methodes principe principes regle regles norme
    normes cours lecon lecons professeur professeurs prof enseignant enseignants enseignement enseignements formateur
    formatrice specialiste expert expertise ingenieur ingenieurs technicien techniciens docteur doctorat
    certification certificat habilitation stage apprentissage etudes etude
    charge responsable responsables mission missions activite activites tache taches travaux gestion matiere
    des desc du diu deust
    """
_SKILL_GOVERNORS = frozenset(_SKILL_GOVERNORS_TEXT.split())
_PREPOSITION = r"(?:(?:de|du|des)\s+|d['’]\s*)(?:l['’]\s*|la\s+|les\s+)?"
#: the two words before "de X" (the noun X complements, maybe after an adjective: "notions élémentaires de")
_BEFORE_DE = re.compile(r"(?:([^\W\d_]+)\s+)?([^\W\d_]+)\s+" + _PREPOSITION + "$", re.IGNORECASE)
#: "X de Y": X heads a complement of its own
_AFTER_DE = re.compile(r"^\s+" + _PREPOSITION + r"[^\W\d_]", re.IGNORECASE)


def in_noun_phrase(text: str, start: int, end: int) -> bool:
    """True when the French word ``text[start:end]`` is only part of a noun phrase naming something else.

    Either it is the complement of another noun ("cabinet de recrutement", "notre politique de
    recrutement": the firm, the policy), unless that noun names knowing, doing or teaching it ("maîtrise du
    français", "en charge du recrutement", "professeur de mathématiques"), or it heads a complement of its
    own ("politique de gestion des mises à jour", "documents de fabrication"): the phrase, not the word, is
    what the text is about. One-word labels only; longer labels say enough by themselves.

    >>> in_noun_phrase("Cabinet de recrutement", 11, 22), in_noun_phrase("Maîtrise du français", 12, 20)
    (True, False)
    >>> in_noun_phrase("Notions élémentaires de cybersécurité", 24, 37)
    False
    >>> in_noun_phrase("en psychiatrie depuis 1976", 3, 14)
    False
    """
    if _AFTER_DE.match(text[end : end + 40]):
        return True
    before = _BEFORE_DE.search(text[max(0, start - 60) : start])
    if before is None:
        return False
    far, near = (fold(w.lower()) if w else "" for w in before.groups())
    if near in ("et", "ou"):  # "maîtrise de l'anglais et du français": the list goes on, its governor is further back
        return False
    return near not in _SKILL_GOVERNORS and far not in _SKILL_GOVERNORS


#: Skill names whose adjective means something else after a noun: languages that are nationalities ("une
#: entreprise française"), physics that is "physical" ("condition physique", "agence physique"), folded.
_ADJECTIVE_SENSES_TEXT = """
    francais francaise anglais anglaise allemand allemande espagnol espagnole italien italienne portugais
    portugaise neerlandais neerlandaise chinois chinoise japonais japonaise arabe russe polonais polonaise
    luxembourgeois luxembourgeoise turc turque roumain roumaine physique physiques
    """
_ADJECTIVE_SENSES = frozenset(_ADJECTIVE_SENSES_TEXT.split())
#: Words after which such a name is the skill ("parler anglais", "niveau d'anglais", "votre anglais", "la physique").
_LANGUAGE_CUES_TEXT = """
    d l un une le la les du de des en et ou votre son ton mon notre bon bonne bien tres couramment langue langues
    parler parle parlee parlez parlant ecrit ecrite lu lire maitrise maitriser maitrisez niveau courant courante
    bilingue natif native cours lecon professeur enseignant enseignement formateur traduction traduire
    traducteur interprete comprendre pratique pratiquer connaissance connaissances notion notions base bases
    idealement notamment voire surtout egalement aussi
    """
_LANGUAGE_CUES = frozenset(_LANGUAGE_CUES_TEXT.split())
_WORD_BEFORE = re.compile(r"([^\W\d_]+)['’]?[ \t\xa0]*$")


def adjective_use(text: str, start: int, end: int) -> bool:
    """True when a language or "physique" found in French text is an adjective of the noun before it.

    "une entreprise française", "le marché français", "la Croix-Rouge française" say where, not which
    language the job needs; "bonne condition physique" is fitness, not physics. "parlez anglais", "niveau
    d'anglais", "votre anglais", "la physique", "en physique" name the skill. A capitalised name after a
    word in lower case starts a new item of a list written without commas ("Rigueur, curiosité Anglais"):
    it stays.

    >>> adjective_use("Rejoignez une entreprise française", 25, 34), adjective_use("Bonne condition physique", 16, 24)
    (True, True)
    >>> adjective_use("Un bon niveau d'anglais", 16, 23), adjective_use("Vous parlez anglais", 12, 19)
    (False, False)
    """
    if fold(text[start:end].lower()) not in _ADJECTIVE_SENSES:
        return False
    before = _WORD_BEFORE.search(text[max(0, start - 40) : start])
    if before is None or fold(before.group(1).lower()) in _LANGUAGE_CUES:
        return False
    return not (text[start].isupper() and before.group(1)[0].islower())


def is_acronym(text: str) -> bool:
    """All capitals, at least two letters ("IT", "ICT", "SIG"): an acronym, not the common word it spells."""
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)
