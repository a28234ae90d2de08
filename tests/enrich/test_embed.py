"""Encoders and the disk cache of vectors: normalised rows, cache hits, crash- and concurrency-safe shards."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from grepp.enrich.embed import Encoder, FusedEncoder, available_encoders, get_encoder
from grepp.errors import ConfigError
from grepp.store.vectors import COMPACT_AFTER, EmbeddingCache


def _vec(seed: int, dim: int = 8) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


def test_cache_round_trip_across_instances(tmp_path: Path) -> None:
    first = EmbeddingCache(tmp_path / "v")
    assert first.get_many(["a"]) == {}
    first.put_many({"a": _vec(1), "b": _vec(2)})
    second = EmbeddingCache(tmp_path / "v")  # another process, later
    found = second.get_many(["a", "b", "c"])
    assert set(found) == {"a", "b"}
    np.testing.assert_allclose(found["a"], _vec(1))


def test_concurrent_writers_and_stray_or_damaged_files(tmp_path: Path) -> None:
    a, b = EmbeddingCache(tmp_path), EmbeddingCache(tmp_path)
    a.put_many({"x": _vec(3)})
    b.put_many({"y": _vec(4)})
    (tmp_path / ".half.123.tmp").write_bytes(b"PK\x03\x04 crashed writer")  # a writer died mid-write
    (tmp_path / "zz-damaged.npz").write_bytes(b"not a zip")
    reader = EmbeddingCache(tmp_path)
    assert set(reader.get_many(["x", "y"])) == {"x", "y"}
    assert len(reader) == 2


def test_compaction_keeps_every_vector(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)
    for i in range(COMPACT_AFTER + 2):
        cache.put_many({f"k{i}": _vec(i)})
    assert len(list(tmp_path.glob("*.npz"))) < COMPACT_AFTER
    fresh = EmbeddingCache(tmp_path)
    assert len(fresh.get_many([f"k{i}" for i in range(COMPACT_AFTER + 2)])) == COMPACT_AFTER + 2


def test_a_reader_maps_the_vectors_and_reads_only_the_rows_it_asks_for(tmp_path: Path) -> None:
    import tracemalloc

    n, dim = 20_000, 512  # one 40 MB shard
    vectors = np.random.default_rng(0).standard_normal((n, dim)).astype(np.float32)
    EmbeddingCache(tmp_path).put_many({f"k{i}": vectors[i] for i in range(n)})
    reader = EmbeddingCache(tmp_path)
    tracemalloc.start()
    found = reader.get_many(["k7", "k19999", "absent"])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert set(found) == {"k7", "k19999"}
    np.testing.assert_array_equal(found["k19999"], vectors[19999])
    assert peak < 8 * 1024 * 1024  # its keys (20,000 x 40 bytes and their order), not its 40 MB of vectors


def test_shards_of_the_first_format_and_compressed_shards_are_read(tmp_path: Path) -> None:
    from grepp.store.vectors import _digest

    # written by an earlier grepp (keys as text) and by a foreign writer (compressed: cannot be mapped)
    np.savez(tmp_path / "a-old.npz", keys=np.array([_digest("a").decode()]), vectors=np.stack([_vec(1)]))
    np.savez_compressed(tmp_path / "b-zip.npz", keys=np.array([_digest("b")]), vectors=np.stack([_vec(2)]))
    found = EmbeddingCache(tmp_path).get_many(["a", "b"])
    np.testing.assert_array_equal(found["a"], _vec(1))
    np.testing.assert_array_equal(found["b"], _vec(2))


def test_compaction_leaves_large_shards_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import grepp.store.vectors as vectors_module

    cache = EmbeddingCache(tmp_path)
    cache.put_many({f"big{i}": _vec(i, dim=256) for i in range(400)})  # about 420 kB
    big = next(tmp_path.glob("*.npz"))
    monkeypatch.setattr(vectors_module, "COMPACT_MAX_BYTES", 200_000)
    reader = EmbeddingCache(tmp_path)  # another process: it maps the shards a compaction then deletes
    assert set(reader.get_many(["big0"])) == {"big0"}
    for i in range(COMPACT_AFTER + 1):
        cache.put_many({f"k{i}": _vec(i)})
    # the 33rd shard triggered a compaction of the 32 small ones; the big one and the last put remain
    assert big.exists() and len(list(tmp_path.glob("*.npz"))) == 3
    keys = [f"k{i}" for i in range(COMPACT_AFTER + 1)] + ["big0", "big399"]
    assert len(reader.get_many(keys)) == len(keys) == len(EmbeddingCache(tmp_path).get_many(keys))
    assert len(cache) == 400 + COMPACT_AFTER + 1


def test_unknown_encoder_is_a_config_error() -> None:
    assert "e5-small" in available_encoders() and "use-m3" in available_encoders()
    with pytest.raises(ConfigError, match="unknown encoder"):
        get_encoder("word2vec")


@pytest.mark.slow
def test_use_encoder_normalised_rows_and_disk_cache(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)
    encoder = Encoder("use-m3", cache=cache)
    texts = ["Soudeur / Soudeuse", "Infirmier en bloc opératoire", "Schweißer", "", "Soudeur / Soudeuse"]
    vectors = encoder.encode(texts, kind="passage")
    assert vectors.shape == (5, encoder.dim) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors[[0, 1, 2]], axis=1), 1.0, rtol=1e-5)
    assert not vectors[3].any()  # empty text: zero row
    assert float(vectors[0] @ vectors[2]) > float(vectors[1] @ vectors[2])  # welder (de) nearer welder (fr)
    # a new encoder object reads the disk cache: same vectors, whatever kind key it was stored under
    again = Encoder("use-m3", cache=EmbeddingCache(tmp_path)).encode(texts[:3], kind="passage")
    np.testing.assert_allclose(again, vectors[:3])
    assert len(cache) == 3


@pytest.mark.slow
def test_a_fused_encoders_dot_product_is_the_weighted_sum_of_its_parts_cosines() -> None:
    use, e5 = get_encoder("use-m3"), get_encoder("e5-small")
    both = FusedEncoder([(use, 1.0), (e5, 2.0)])
    texts = ["Koch/Köchin", "Küchenchef/Küchenchefin", "Lagerarbeiter/in", ""]
    fused = both.encode(texts, kind="query")
    assert fused.shape == (4, 512 + 384) and both.dim == 896 and both.name == "use-m3+e5-small×2"
    a, b = use.encode(texts, kind="query"), e5.encode(texts, kind="query")
    np.testing.assert_allclose(fused @ fused.T, a @ a.T + 2 * (b @ b.T), atol=1e-5)
    assert not fused[3].any()  # an empty text stays a zero row
    with pytest.raises(ConfigError, match="positive weight"):
        FusedEncoder([(use, 0.0)])
