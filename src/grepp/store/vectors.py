"""A disk cache of embedding vectors, shared by processes and safe against crashes.

Encoding the 30,000 labels of ROME and ESCO takes minutes on a laptop CPU; the labels rarely change.
Vectors are keyed by ``sha1(model version + kind + text)`` (the key string comes from
``Encoder.cache_key``) and stored as ``.npz`` shards in one directory::

    >>> cache = EmbeddingCache(settings.cache_dir / "vectors")
    >>> enc = get_encoder("e5-small", cache=cache)
    >>> enc.encode(labels)         # first run encodes and writes a shard; the next run reads it

A reader keeps only the shards' keys in memory (sorted, 40 bytes each) and maps their vectors from
disk (``np.memmap`` over the shard's stored ``vectors.npy`` member): a lookup reads the rows asked
for, so a process's memory grows with what it uses, not with the cache (which holds every model's
vectors of every label, text and corpus ever encoded on the machine).

Each ``put_many`` writes one new shard to a temporary file and renames it into place
(``os.replace``), so a reader never sees half a shard and a crashed writer leaves only a stray
``.tmp`` file (ignored, cleaned later). Many small shards are merged by :meth:`compact`, which also
writes first and deletes after (a reader that mapped a deleted shard keeps reading it; one that lost
it before mapping simply re-scans). Compaction merges only the small shards, so its memory stays
bounded however large the cache grows.
"""

from __future__ import annotations

import hashlib
import os
import struct
import time
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from grepp.errors import StoreError

Matrix = npt.NDArray[np.float32]
_SUFFIX = ".npz"
#: Merge shards once there are more than this many.
COMPACT_AFTER = 32
#: Compaction merges shards smaller than this (bytes), so that it never loads a large cache at once.
COMPACT_MAX_BYTES = 64 * 1024 * 1024


def _digest(key: str) -> bytes:
    return hashlib.sha1(key.encode("utf-8")).hexdigest().encode("ascii")


@dataclass(frozen=True)
class _Shard:
    """One shard as a reader sees it: its keys sorted, and where each key's vector row is."""

    name: str
    keys: npt.NDArray[np.bytes_]  # sorted digests
    rows: npt.NDArray[np.intp]  # rows[i] = row of keys[i] in vectors
    vectors: npt.NDArray[np.floating]  # (n, dim), usually a read-only memory map

    def find(self, digests: npt.NDArray[np.bytes_]) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.intp]]:
        """Which digests this shard holds, and the vector row of each hit (in the order of the hits)."""
        if not len(self.keys):
            return np.zeros(len(digests), dtype=bool), np.zeros(0, dtype=np.intp)
        pos = np.minimum(np.searchsorted(self.keys, digests), len(self.keys) - 1)
        hit = self.keys[pos] == digests
        return hit, self.rows[pos[hit]]


def _map_member(path: Path, member: str) -> npt.NDArray[np.floating] | None:
    """Memory-map one uncompressed ``.npy`` member of an ``.npz`` (None when it cannot be mapped)."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
        if info.compress_type != zipfile.ZIP_STORED:
            return None
        offset = info.header_offset
    with path.open("rb") as handle:
        handle.seek(offset)
        local = handle.read(30)
        if len(local) < 30 or local[:4] != b"PK\x03\x04":
            return None
        name_len, extra_len = struct.unpack("<HH", local[26:30])
        handle.seek(offset + 30 + name_len + extra_len)
        version = np.lib.format.read_magic(handle)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
        else:
            return None
        start = handle.tell()
    if fortran or dtype.hasobject or len(shape) != 2:
        return None
    if shape[0] == 0:
        return np.zeros(shape, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", offset=start, shape=shape)


def _open_shard(path: Path) -> _Shard:
    """Read a shard's keys and map its vectors (raises OSError/ValueError/KeyError/BadZipFile)."""
    with np.load(path, allow_pickle=False) as data:
        keys = np.asarray(data["keys"]).astype("S40")
        vectors = _map_member(path, "vectors.npy")
        if vectors is None:  # compressed or unusual (a foreign writer): read it whole
            vectors = np.asarray(data["vectors"], dtype=np.float32)
    if vectors.ndim != 2 or len(vectors) != len(keys):
        raise ValueError(f"{len(keys)} keys for vectors of shape {vectors.shape}")
    order = np.argsort(keys, kind="stable")
    return _Shard(path.name, keys[order], order.astype(np.intp), vectors)


class EmbeddingCache:
    """key → float32 vector, persisted as ``.npz`` shards under ``directory`` (created on first write)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._open: list[_Shard] = []
        self._seen: set[str] = set()

    def _shards(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.iterdir() if p.name.endswith(_SUFFIX) and p.is_file())

    def _scan(self) -> None:
        """Open the shards not yet seen (a shard removed meanwhile by a compaction is skipped)."""
        for path in self._shards():
            if path.name in self._seen:
                continue
            try:
                shard = _open_shard(path)
            except FileNotFoundError:
                continue
            except (OSError, ValueError, KeyError, zipfile.BadZipFile):
                # a damaged shard (disk full, foreign file): ignore it, its vectors get recomputed
                self._seen.add(path.name)
                continue
            self._seen.add(path.name)
            self._open.append(shard)

    def _lookup(self, digests: npt.NDArray[np.bytes_], shards: Sequence[_Shard] | None = None) -> dict[int, Matrix]:
        """Position in ``digests`` → its vector, read from ``shards`` (default: all open ones), newest first."""
        found: dict[int, Matrix] = {}
        todo = np.arange(len(digests))
        for shard in reversed(self._open if shards is None else shards):
            if not len(todo):
                break
            hit, rows = shard.find(digests[todo])
            if len(rows):
                block = np.asarray(shard.vectors[rows], dtype=np.float32)  # reads those rows only
                found.update(zip(todo[hit].tolist(), block, strict=True))
                todo = todo[~hit]
        return found

    def get_many(self, keys: Sequence[str]) -> dict[str, Matrix]:
        """The cached vectors of those keys (missing keys are simply absent from the result)."""
        if not keys:
            return {}
        digests = np.array([_digest(k) for k in keys], dtype="S40")
        found = self._lookup(digests)
        if len(found) < len(keys):
            before = len(self._open)
            self._scan()
            if len(self._open) > before:  # look for the missing keys in the shards just opened
                missing = np.array([pos for pos in range(len(keys)) if pos not in found])
                more = self._lookup(digests[missing], self._open[before:])
                found.update((int(missing[i]), vec) for i, vec in more.items())
        return {keys[pos]: vec for pos, vec in found.items()}

    def put_many(self, items: dict[str, Matrix]) -> None:
        """Persist vectors (one new shard per call; vectors of different sizes go to separate shards)."""
        if not items:
            return
        keys = list(items)
        digests = np.array([_digest(k) for k in keys], dtype="S40")
        known = self._lookup(digests)
        by_dim: dict[int, dict[bytes, Matrix]] = {}
        for pos, key in enumerate(keys):
            if pos not in known:
                vec = np.asarray(items[key], dtype=np.float32)
                by_dim.setdefault(int(vec.shape[-1]), {})[bytes(digests[pos])] = vec
        if not by_dim:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            for group in by_dim.values():
                path = self._write(list(group), np.stack(list(group.values())))
                self._seen.add(path.name)
                self._open.append(_open_shard(path))
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot write the embedding cache in {self.directory}: {exc}") from exc
        if len(self._shards()) > COMPACT_AFTER:
            self.compact()

    def _write(self, digests: list[bytes], vectors: Matrix) -> Path:
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:12]}{_SUFFIX}"
        tmp = self.directory / f".{name}.{os.getpid()}.tmp"
        with tmp.open("wb") as handle:
            np.savez(handle, keys=np.array(digests, dtype="S40"), vectors=vectors)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.directory / name)
        return self.directory / name

    def compact(self) -> None:
        """Merge the small shards into one (write the merged shard first, then delete the old ones).

        Shards of ``COMPACT_MAX_BYTES`` or more stay as they are: merging them would mean holding
        them in memory, and a few large shards cost a reader nothing.
        """
        self._scan()
        small = []
        for path in self._shards():
            try:
                if path.stat().st_size < COMPACT_MAX_BYTES:
                    small.append(path)
            except FileNotFoundError:
                continue
        if len(small) < 2:
            return
        by_dim: dict[int, dict[bytes, Matrix]] = {}
        merged: list[Path] = []
        for path in small:
            try:
                shard = _open_shard(path)
            except FileNotFoundError:
                continue  # another process compacted it meanwhile
            except (OSError, ValueError, KeyError, zipfile.BadZipFile):
                merged.append(path)  # damaged: its vectors are lost anyway, drop the file
                continue
            vectors = np.asarray(shard.vectors, dtype=np.float32)
            group = by_dim.setdefault(int(vectors.shape[-1]), {})
            for digest, row in zip(shard.keys.tolist(), shard.rows.tolist(), strict=True):
                group.setdefault(digest, vectors[row])
            merged.append(path)
        try:
            for group in by_dim.values():
                path = self._write(list(group), np.stack(list(group.values())))
                self._seen.add(path.name)
                self._open.append(_open_shard(path))
            for path in merged:
                path.unlink(missing_ok=True)
            gone = {path.name for path in merged}
            self._open = [shard for shard in self._open if shard.name not in gone]
            for stray in self.directory.glob(".*.tmp"):
                if time.time() - stray.stat().st_mtime > 3600:
                    stray.unlink(missing_ok=True)
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot compact the embedding cache in {self.directory}: {exc}") from exc

    def __len__(self) -> int:
        """How many distinct keys the cache holds."""
        self._scan()
        if not self._open:
            return 0
        return len(np.unique(np.concatenate([s.keys for s in self._open])))
