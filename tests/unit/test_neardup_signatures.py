"""The batch MinHash (``near.fingerprints``) gives datasketch's own signatures: stored buckets stay comparable."""

from __future__ import annotations

import numpy as np
from datasketch import MinHash

from tasks.dedupe.near import (
    MIN_SHINGLES,
    NUM_PERM,
    SCHEME,
    SEED,
    band_buckets,
    fingerprints,
)
from tasks.dedupe.shingles import shingles, story_text
from tests.data.neardup_set import build


def datasketch_buckets(lead: str | None, body: str) -> tuple[int, ...]:
    """The buckets as computed before the batch path: one MinHash per article, ``update_batch``."""
    sh = shingles(story_text(lead, body))
    if len(sh) < MIN_SHINGLES:
        return ()
    mh = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    mh.update_batch([s.encode("utf-8") for s in sh])
    return band_buckets(mh.hashvalues)


def test_batch_signatures_equal_datasketch_per_article():
    labelled = build()
    texts = [(a.lead, a.body) for a in labelled.articles]
    texts.append((None, "quá ngắn để so sánh"))  # under MIN_SHINGLES: no buckets
    got = fingerprints(texts)
    assert len(got) == len(texts)
    assert [fp.buckets for fp in got] == [datasketch_buckets(lead, body) for lead, body in texts]
    assert got[-1].buckets == () and all(len(fp.buckets) == 32 for fp in got[:-1])


def test_a_batch_bigger_than_one_matrix_chunk_gives_the_same_signatures(monkeypatch):
    import tasks.dedupe.near as near

    labelled = build()
    texts = [(a.lead, a.body) for a in labelled.articles][:12]
    whole = [fp.buckets for fp in fingerprints(texts)]
    monkeypatch.setattr(near, "CHUNK_SHINGLES", 50)  # a chunk per article or two
    assert [fp.buckets for fp in fingerprints(texts)] == whole
    assert np.unique([b for fp in whole for b in fp]).size > 32  # different texts, different buckets


def test_a_text_longer_than_one_matrix_chunk_is_signed_in_slices_as_datasketch_signs_it_whole():
    import tasks.dedupe.near as near

    rows = " ".join(f"Hàng {n} của bảng số liệu ghi {n * 7} tấn lúa và {n * 3} ha" for n in range(2_000))
    assert len(shingles(story_text(None, rows))) > 2 * near.CHUNK_SHINGLES  # sliced, not one matrix
    (got,) = fingerprints([(None, rows)])
    assert got.buckets == datasketch_buckets(None, rows)
