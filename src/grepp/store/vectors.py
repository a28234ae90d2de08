"""A disk cache of embedding vectors, shared by processes and safe against crashes.

Encoding the 30,000 labels of ROME and ESCO takes minutes on a laptop CPU; the labels rarely change.
Vectors are keyed by ``sha1(model version + kind + text)`` (the key string comes from
``Encoder.cache_key``) and stored as ``.npz`` shards in one directory::

    >>> cache = EmbeddingCache(settings.cache_dir / "vectors")
    >>> enc = get_encoder("e5-small", cache=cache)
    >>> enc.encode(labels)         # first run encodes and writes a shard; the next run reads it

Each ``put_many`` writes one new shard to a temporary file and renames it into place
(``os.replace``), so a reader never sees half a shard and a crashed writer leaves only a stray
``.tmp`` file (ignored, cleaned later). Many small shards are merged by :meth:`compact`, which also
writes first and deletes after: a concurrent reader that loses a shard simply re-scans.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from grepp.errors import StoreError

Matrix = npt.NDArray[np.float32]
_SUFFIX = ".npz"
#: Merge shards once there are more than this many.
COMPACT_AFTER = 32


def _digest(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """key → float32 vector, persisted as ``.npz`` shards under ``directory`` (created on first write)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._index: dict[str, Matrix] = {}
        self._seen: set[str] = set()

    def _shards(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.iterdir() if p.name.endswith(_SUFFIX) and p.is_file())

    def _scan(self) -> None:
        """Load the shards not yet read (a shard removed meanwhile by a compaction is skipped)."""
        for shard in self._shards():
            if shard.name in self._seen:
                continue
            try:
                with np.load(shard, allow_pickle=False) as data:
                    keys, vectors = data["keys"], data["vectors"].astype(np.float32, copy=False)
            except FileNotFoundError:
                continue
            except (OSError, ValueError, KeyError, zipfile.BadZipFile):
                # a damaged shard (disk full, foreign file): ignore it, its vectors get recomputed
                self._seen.add(shard.name)
                continue
            self._seen.add(shard.name)
            for digest, vector in zip(keys.tolist(), vectors, strict=True):
                self._index[str(digest)] = vector

    def get_many(self, keys: Sequence[str]) -> dict[str, Matrix]:
        """The cached vectors of those keys (missing keys are simply absent from the result)."""
        digests = {key: _digest(key) for key in keys}
        if any(d not in self._index for d in digests.values()):
            self._scan()
        return {key: self._index[d] for key, d in digests.items() if d in self._index}

    def put_many(self, items: dict[str, Matrix]) -> None:
        """Persist vectors (one new shard per call; vectors of different sizes go to separate shards)."""
        by_dim: dict[int, dict[str, Matrix]] = {}
        for key, vec in items.items():
            digest = _digest(key)
            if digest not in self._index:
                by_dim.setdefault(int(vec.shape[-1]), {})[digest] = np.asarray(vec, dtype=np.float32)
        if not by_dim:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            for group in by_dim.values():
                name = self._write(list(group), np.stack(list(group.values())))
                self._seen.add(name)
                self._index.update(group)
        except OSError as exc:
            raise StoreError(f"cannot write the embedding cache in {self.directory}: {exc}") from exc
        if len(self._shards()) > COMPACT_AFTER:
            self.compact()

    def _write(self, digests: list[str], vectors: Matrix) -> str:
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:12]}{_SUFFIX}"
        tmp = self.directory / f".{name}.{os.getpid()}.tmp"
        with tmp.open("wb") as handle:
            np.savez(handle, keys=np.array(digests), vectors=vectors)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.directory / name)
        return name

    def compact(self) -> None:
        """Merge every shard into one (write the merged shard first, then delete the old ones)."""
        self._scan()
        old = self._shards()
        if len(old) < 2 or not self._index:
            return
        by_dim: dict[int, dict[str, Matrix]] = {}
        for digest, vec in self._index.items():
            by_dim.setdefault(int(vec.shape[-1]), {})[digest] = vec
        try:
            for group in by_dim.values():
                self._seen.add(self._write(list(group), np.stack(list(group.values()))))
            for shard in old:
                shard.unlink(missing_ok=True)
            for stray in self.directory.glob(".*.tmp"):
                if time.time() - stray.stat().st_mtime > 3600:
                    stray.unlink(missing_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot compact the embedding cache in {self.directory}: {exc}") from exc

    def __len__(self) -> int:
        self._scan()
        return len(self._index)
