"""Near-duplicate stories across sources: MinHash LSH buckets in Postgres, confirmed by shingle containment.

Papers republish each other and the news agency with small edits: a new title, the
first paragraph trimmed, a "Theo TTXVN" credit added, a few words changed. Such a
copy keeps most of the original's word shingles, so the check is:

1. Candidates: the article's MinHash signature (datasketch) is cut into LSH bands; each
   band's values hash to a 64-bit *bucket* stored in ``news.article_buckets``. Articles
   sharing a bucket are candidates. Finding them is an index lookup on the bucket key,
   so its cost does not grow with the warehouse (see ``benchmarks/dedupe.py``).
2. Confirmation: shingle containment |A∩B| / min(|A|,|B|) of each candidate, computed
   exactly from the stored text. Containment holds up when one copy drops or adds a
   paragraph, where Jaccard falls. At or above the threshold the article joins the
   candidate's cluster (the best-scoring one); else it starts its own. Clusters are
   never merged afterwards: an article matching two clusters joins the better one.

Concurrency: the buckets an article will read and write are advisory-locked (one
transaction-scoped lock per bucket, in ascending order) before the check, so two
runs loading near-duplicates at once see each other instead of founding two clusters.
This module only reads: the warehouse writer stores the buckets and the cluster chosen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from tasks.config import Settings, settings
from tasks.dedupe.shingles import DIGEST_BYTES, shingle_digests, story_text
from tasks.warehouse.db import query

if TYPE_CHECKING:
    import numpy as np

NUM_PERM = 128  # MinHash permutations
BANDS, ROWS = 32, 4  # LSH: 32 bands of 4 values; a pair with Jaccard 0.6 shares a band with p = 0.988
SEED = 4_210_001
# Pinned: stored buckets are only comparable with signatures of the same scheme and seed.
SCHEME = "affine32"
# The containment at which two articles are one story, unless NEWSETL_NEARDUP_THRESHOLD says otherwise:
# declared, with how it was calibrated, in tasks.config.Settings.
DEFAULT_THRESHOLD = Settings.neardup_threshold
MIN_SHINGLES = 20  # shorter texts are too small to call a copy: each is a story of its own
MAX_CANDIDATES = 20  # candidates confirmed per article, most shared buckets first


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """An article's shingle keys and LSH buckets; empty buckets when the text is too short to compare.

    ``keys`` are the shingles as sorted 64-bit hashes (the first 8 bytes of each shingle's SHA-1, which
    the signature hashes anyway), not the strings: 8 bytes a shingle instead of about 150, so a batch of
    long texts (a data table reads as 40,000 shingles) holds a few MB instead of a hundred or more.
    Two distinct shingles share a key with odds of about n² / 2^65: none in practice.
    """

    keys: np.ndarray
    buckets: tuple[int, ...]

def threshold() -> float:
    """The containment at which two articles are one story: ``NEWSETL_NEARDUP_THRESHOLD`` or ``DEFAULT_THRESHOLD``."""
    return settings().neardup_threshold


def containment(a: frozenset[str], b: frozenset[str]) -> float:
    """|A∩B| / min(|A|,|B|): 1.0 when the smaller text is wholly inside the larger."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def key_containment(a: np.ndarray, b: np.ndarray) -> float:
    """:func:`containment` of two texts' shingle keys (sorted, unique: :attr:`Fingerprint.keys`)."""
    import numpy as np

    if not a.size or not b.size:
        return 0.0
    return np.intersect1d(a, b, assume_unique=True).size / min(a.size, b.size)


def _digest_rows(digests: bytes) -> np.ndarray:
    """``shingles.shingle_digests`` as one row of ``DIGEST_BYTES`` bytes per shingle."""
    import numpy as np

    return np.frombuffer(digests, dtype=np.uint8).reshape(-1, DIGEST_BYTES)


def _keys(digests: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.unique(np.ascontiguousarray(digests[:, :8]).view("<u8").ravel())


def shingle_keys(text: str) -> np.ndarray:
    """The shingle keys of a text (``story_text``), as :attr:`Fingerprint.keys` holds them."""
    return _keys(_digest_rows(shingle_digests(text)))


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The affine permutations (a odd, b) of datasketch's ``MinHash(num_perm=NUM_PERM, seed=SEED,
    scheme="affine32")``, drawn here as it draws them. datasketch itself is not imported: its package
    imports its LSH indexes, hence scipy and redis, about 45 MB resident in the run's process for two
    arrays (measured: 41 MB over numpy's 11). ``tests/unit/test_neardup_signatures.py`` holds the
    signatures equal to datasketch's own, so stored buckets stay comparable."""
    import numpy as np

    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, the pre-mix of datasketch's affine schemes (uint32: multiplication wraps)."""
    import numpy as np

    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


# Shingle hashes permuted at once in one matrix (hashes x NUM_PERM, 4 bytes each): about 2 MB, a few such
# temporaries per batch thread, where one matrix per batch would hold every batch thread at tens of MB.
CHUNK_SHINGLES = 4_000


def fingerprint(lead: str | None, body: str) -> Fingerprint:
    return fingerprints([(lead, body)])[0]


def fingerprints(texts: Sequence[tuple[str | None, str]],
                 digests: Mapping[tuple[str | None, str], bytes] | None = None) -> list[Fingerprint]:
    """The fingerprints of a batch's (lead, body) texts, the MinHash signatures computed together.

    The same values as ``MinHash(...).update_batch`` per text (datasketch's ``sha1_hash32``, its
    murmur finalizer and affine permutations: ``tests/unit/test_neardup_signatures.py`` holds them
    equal), but each shingle hashed without a Python call per hash and the whole batch permuted and
    reduced in a few numpy operations instead of one round of them per article. Each text's shingle
    strings live only while its digests are taken: the batch holds 8 bytes a shingle, not the strings.
    ``digests`` are the texts' ``shingles.shingle_digests`` where they were taken already (by the read workers).
    """
    known = digests or {}
    rows = [_digest_rows(known[(lead, body)] if (lead, body) in known else shingle_digests(story_text(lead, body)))
            for lead, body in texts]
    out = [Fingerprint(_keys(d), ()) for d in rows]
    compared = [i for i, d in enumerate(rows) if len(d) >= MIN_SHINGLES]
    chunk: list[int] = []
    size = 0

    def flush() -> None:
        for j, signature in zip(chunk, _signatures([rows[j] for j in chunk]), strict=True):
            out[j] = Fingerprint(out[j].keys, band_buckets(signature))

    for i in compared:
        if len(rows[i]) > CHUNK_SHINGLES:  # a long text alone, in slices (see _sliced_signature)
            out[i] = Fingerprint(out[i].keys, band_buckets(_sliced_signature(rows[i])))
            continue
        chunk.append(i)
        size += len(rows[i])
        if size >= CHUNK_SHINGLES:
            flush()
            chunk, size = [], 0
    if chunk:
        flush()
    return out


def _sliced_signature(digests: np.ndarray) -> np.ndarray:
    """One text's signature from slices of ``CHUNK_SHINGLES`` shingles: the minimum of the slices' minima is
    the whole's. A data table of 1 MB is 40,000 shingles, whose one matrix (and its sum) took 80 MB at once
    in the run's process (tracemalloc, benchmarks/memory.py's table pages); slices keep it at a few MB."""
    import numpy as np

    slices = [_signatures([digests[k:k + CHUNK_SHINGLES]])[0] for k in range(0, len(digests), CHUNK_SHINGLES)]
    return np.minimum.reduce(slices)


def _signatures(digests: list[np.ndarray]) -> np.ndarray:
    """One MinHash signature (NUM_PERM uint32 values) per text's shingle digests, as datasketch's affine32 gives it."""
    import numpy as np

    # sha1_hash32: the first 4 bytes of each SHA-1 digest, little-endian.
    hashed = np.concatenate([np.ascontiguousarray(d[:, :4]).view("<u4").ravel() for d in digests]).astype(np.uint32)
    a, b = _permutations()
    permuted = _fmix32(hashed).reshape(-1, 1) * a + b  # uint32: wraps, as datasketch's does
    starts = np.cumsum([0, *(len(d) for d in digests[:-1])])
    return np.minimum.reduceat(permuted, starts, axis=0)


def band_buckets(hashvalues: np.ndarray) -> tuple[int, ...]:
    """One signed 64-bit bucket per band: blake2b of the band number and its MinHash values."""
    import numpy as np

    values = np.asarray(hashvalues, dtype=np.uint64)
    out = []
    for band in range(BANDS):
        digest = hashlib.blake2b(values[band * ROWS:(band + 1) * ROWS].tobytes(), digest_size=8,
                                 person=band.to_bytes(2, "little")).digest()
        out.append(int.from_bytes(digest, "little", signed=True))
    return tuple(out)


def lock_buckets(conn: Connection, fingerprints: Iterable[Fingerprint]) -> None:
    """Advisory-lock (until commit) every bucket of a batch, in one ascending sweep: no deadlock between batches."""
    buckets = sorted({b for fp in fingerprints for b in fp.buckets})
    if buckets:
        conn.execute(query("dedupe/lock_buckets.sql"), {"buckets": buckets})


def best_cluster(conn: Connection, fp: Fingerprint, limit: float, article_id: int | None = None) -> int | None:
    """The story an article belongs to: the cluster of its best-matching candidate at or above ``limit``, else None.

    ``article_id`` is the article itself when it is stored already (left out of its own candidates).
    Reads only; the caller holds the locks of ``fp.buckets`` (:func:`lock_buckets`), so no other
    run can add a candidate until the article is stored and indexed.
    """
    if not fp.buckets:
        return None
    best_score, best = 0.0, None
    rows = conn.execute(query("dedupe/candidates.sql"),
                        {"buckets": list(fp.buckets), "article_id": article_id, "limit": MAX_CANDIDATES})
    for row in rows:
        score = key_containment(fp.keys, shingle_keys(story_text(row.lead, row.body)))
        if score >= limit and (best is None or score > best_score or (score == best_score and row.cluster_id < best)):
            best_score, best = score, row.cluster_id
    return best
