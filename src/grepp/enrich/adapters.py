"""Linear adapters trained here on the taxonomies' own label pairs, applied on top of a frozen encoder.

A multilingual sentence encoder (USE) knows language, not ROME or ESCO: it places "analyste prêt
bancaire" and "credit analyst" apart, and a skill's alternative labels far from its preferred one. An
adapter is one square matrix ``W`` (initialised to the identity) trained so that the labels of one concept
(ESCO's preferred and alternative labels in French, English and German; the appellations of one ROME
métier; for skills, also a skill and its broader skill or ESCO skill group) are closer to each other than
to other concepts' labels — a contrastive InfoNCE loss over
in-batch negatives, written in numpy, pulled back towards the identity so that what the encoder knows is
kept. One adapter per encoder and kind of corpus, ``occupations`` and ``skills``, for USE and for e5-small
(skill corpora and German titles are ranked with both encoders, see ``ranking.second_encoder``).

Only the taxonomies are read for training (never a benchmark or an offer): rebuilt reproducibly by
``make adapters`` (``scripts/train_adapters.py``; fixed seed), stored as float16 ``.npy`` files of
0.3–0.5 MB in ``grepp/resources``. Applying one is a matrix product on vectors the encoder (and its cache)
already made::

    >>> encoder = adapted(get_encoder("use-m3"), "skills")   # the encoder itself when no adapter is shipped
    >>> encoder.encode(["souder à l'arc"], kind="query").shape
    (1, 512)

Measured on the dev sets (docs/benchmarks.md): MELO-fr, VDAB and Decorte gain, MELO-de is flat with USE's;
e5-small's, with both encoders read, lift MELO-de (0.549 with plain e5, 0.563 with its adapter), VDAB (0.306,
0.331) and Decorte.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np

from grepp.enrich.embed import Encoder, Kind, Matrix
from grepp.models import Concept

Domain = Literal["occupations", "skills"]
DOMAINS: tuple[Domain, ...] = ("occupations", "skills")
#: version of each shipped adapter (recorded in the names of results made with it). v2: rebuilt from the
#: concepts in id order (reproducible byte for byte); the skills one also learns ESCO's skill → broader skill
#: or skill group pairs
ADAPTER_VERSIONS: dict[str, str] = {"occupations": "2", "skills": "2"}


@dataclass(frozen=True)
class TrainingConfig:
    """How an adapter is trained (the shipped ones: these defaults, seed 0)."""

    steps: int = 1000
    batch: int = 512
    learning_rate: float = 3e-4
    temperature: float = 0.05
    #: weight of ‖W − I‖² (keeps the encoder's own geometry)
    identity_pull: float = 1e-2
    seed: int = 0


#: steps per domain: the skill groups are five times as many
TRAINING: dict[Domain, TrainingConfig] = {
    "occupations": TrainingConfig(steps=1000),
    "skills": TrainingConfig(steps=2000),
}


def adapter_path(encoder_name: str, domain: Domain) -> Path:
    """Where the adapter of that encoder and domain is shipped (it may not exist)."""
    return Path(str(resources.files("grepp") / "resources" / f"adapter-{encoder_name}-{domain}.npy"))


def load_adapter(encoder_name: str, domain: Domain) -> Matrix | None:
    """The shipped adapter matrix (float32), or ``None`` when there is none for that encoder and domain."""
    path = adapter_path(encoder_name, domain)
    if not path.is_file():
        return None
    matrix: Matrix = np.load(path).astype(np.float32)
    return matrix


class AdaptedEncoder(Encoder):
    """An encoder whose vectors pass through ``W`` (then L2-normalised again); same cache as its base.

    The base encoder's raw vectors are what is cached (the disk cache keys stay the model's), so adapted
    and plain runs share one cache. ``adapter`` names the adapter for results that record their model.
    """

    def __init__(self, base: Encoder, matrix: Matrix, adapter: str) -> None:
        super().__init__(base.name, base.cache)
        if matrix.shape != (base.dim, base.dim):
            from grepp.errors import ConfigError

            raise ConfigError(f"adapter {adapter} has shape {matrix.shape}, the encoder {base.dim} dimensions")
        self.base = base
        self.matrix = matrix
        self.adapter = adapter

    @property
    def label(self) -> str:
        return self.adapter

    def encode(self, texts: Sequence[str], *, kind: Kind = "passage", batch_size: int = 64) -> Matrix:
        raw = self.base.encode(texts, kind=kind, batch_size=batch_size)
        out = raw @ self.matrix
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0  # empty texts stay zero rows
        result: Matrix = (out / norms).astype(np.float32, copy=False)
        return result


def adapted(encoder: Encoder | None, domain: Domain) -> Encoder | None:
    """The encoder with its shipped adapter for ``domain`` (unchanged when none is shipped, or ``None``)."""
    if encoder is None or isinstance(encoder, AdaptedEncoder):
        return encoder
    matrix = load_adapter(encoder.name, domain)
    if matrix is None:
        return encoder
    return AdaptedEncoder(encoder, matrix, f"{encoder.name}-{domain}.v{ADAPTER_VERSIONS[domain]}")


#: labels kept per ESCO skill (its preferred one and a seeded draw of the others) and per ROME métier (its name,
#: then its appellations)
SKILL_LABELS = 6
METIER_LABELS = 20


def label_groups(
    concepts: list[Concept],
    domain: Domain,
    broader: Sequence[tuple[str, str]] = (),
    skill_groups: Mapping[str, str] | None = None,
) -> list[list[str]]:
    """The label groups of one domain (each of two labels or more), in a deterministic order.

    ``broader`` (ESCO's (concept, broader concept) links) and ``skill_groups`` (ESCO skill group id →
    label) add, for skills, one pair per link between two ESCO skills or skill groups: siblings drift
    together, as the loose gold of skill benchmarks (a sentence → several neighbouring skills) wants.
    """
    draw = random.Random(0)
    groups: list[list[str]] = []
    if domain == "occupations":
        by_metier: dict[str, list[str]] = defaultdict(list)
        for concept in concepts:
            if concept.taxonomy == "esco" and concept.kind == "occupation":
                groups.append(concept.texts())
            elif concept.kind == "metier":
                by_metier[concept.code].insert(0, concept.label)
            elif concept.kind == "appellation" and concept.parent_id:
                by_metier[concept.parent_id.removeprefix("rome:")].append(concept.label)
        groups += [labels[:METIER_LABELS] for _, labels in sorted(by_metier.items())]
    else:
        labels: dict[str, str] = dict(skill_groups or {})
        for concept in concepts:
            if concept.taxonomy == "esco" and concept.kind in ("skill", "knowledge"):
                labels[concept.id] = concept.label
                others = [text for text in concept.texts() if text != concept.label]
                draw.shuffle(others)
                groups.append([concept.label, *others[: SKILL_LABELS - 1]])
        for child, parent in broader:
            if child in labels and parent in labels and labels[child] != labels[parent]:
                groups.append([labels[child], labels[parent]])
    return [g for g in groups if len(g) >= 2]


def train_adapter(
    vectors: Matrix,
    groups: Sequence[Sequence[int]],
    config: TrainingConfig | None = None,
    on_step: Callable[[int, float], None] | None = None,
) -> Matrix:
    """Train ``W`` on rows of ``vectors`` grouped by concept (groups of ≥ 2 row indices).

    Each step draws ``batch`` groups and two of each group's rows (a, b); the loss is the symmetric
    InfoNCE of the cosines of ``aW`` and ``bW`` over the batch (the other pairs are the negatives) plus
    ``identity_pull``·‖W − I‖²; Adam updates. Deterministic for a given seed. ``on_step(step, loss)``.
    """
    cfg = config or TrainingConfig()
    usable = [list(g) for g in groups if len(g) >= 2]
    if len(usable) < 2:
        raise ValueError("an adapter needs at least two groups of two labels")
    rng = np.random.default_rng(cfg.seed)
    dim = vectors.shape[1]
    eye = np.eye(dim, dtype=np.float32)
    weights = eye.copy()
    first, second = np.zeros_like(weights), np.zeros_like(weights)
    batch = min(cfg.batch, len(usable))
    target = np.eye(batch, dtype=np.float32)
    for step in range(1, cfg.steps + 1):
        chosen = rng.choice(len(usable), batch, replace=False)
        pairs = [rng.choice(len(usable[g]), 2, replace=False) for g in chosen]
        xa = vectors[[usable[g][p[0]] for g, p in zip(chosen, pairs, strict=True)]]
        xb = vectors[[usable[g][p[1]] for g, p in zip(chosen, pairs, strict=True)]]
        za, zb = xa @ weights, xb @ weights
        na = np.linalg.norm(za, axis=1, keepdims=True) + 1e-8
        nb = np.linalg.norm(zb, axis=1, keepdims=True) + 1e-8
        ua, ub = za / na, zb / nb
        logits = ua @ ub.T / cfg.temperature
        rows = _softmax(logits)
        cols = _softmax(logits.T)
        loss = -float(np.log(np.diag(rows) + 1e-9).mean() + np.log(np.diag(cols) + 1e-9).mean()) / 2
        grad_logits = ((rows - target) + (cols - target).T) / (2 * batch * cfg.temperature)
        grad_ua, grad_ub = grad_logits @ ub, grad_logits.T @ ua
        grad_za = (grad_ua - ua * (ua * grad_ua).sum(axis=1, keepdims=True)) / na
        grad_zb = (grad_ub - ub * (ub * grad_ub).sum(axis=1, keepdims=True)) / nb
        grad = xa.T @ grad_za + xb.T @ grad_zb + cfg.identity_pull * (weights - eye)
        first = 0.9 * first + 0.1 * grad
        second = 0.999 * second + 0.001 * grad * grad
        corrected = (first / (1 - 0.9**step)) / (np.sqrt(second / (1 - 0.999**step)) + 1e-8)
        weights = (weights - cfg.learning_rate * corrected).astype(np.float32)
        if on_step is not None:
            on_step(step, loss)
    return weights


def _softmax(logits: Matrix) -> Matrix:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    result: Matrix = shifted / shifted.sum(axis=1, keepdims=True)
    return result
