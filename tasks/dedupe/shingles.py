"""The word shingles of an article's text and their hashes: what the near-duplicate check (``near``) compares.

Pure Python (``re``, ``unicodedata``, ``hashlib``), so that the read workers hash an article's shingles
where they read it (``tasks.warehouse.packing``), off the run's process, whose GIL every fetch and load
thread shares, and without the numpy and database modules ``near`` needs.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

SHINGLE_WORDS = 4  # words (Vietnamese syllables) per shingle
# Bytes kept of each shingle's SHA-1: the first 8 are its key (near.Fingerprint.keys), whose first 4 are
# datasketch's sha1_hash32, which the MinHash signature permutes.
DIGEST_BYTES = 8

_WORD = re.compile(r"\w+", re.UNICODE)


def story_text(lead: str | None, body: str) -> str:
    """What is compared: lead and body. Titles are left out because syndicating papers rewrite them."""
    return f"{lead or ''}\n{body}"


def shingles(text: str, size: int = SHINGLE_WORDS) -> frozenset[str]:
    """Overlapping runs of ``size`` words, lower-cased and NFC-normalised, punctuation ignored."""
    words = _WORD.findall(unicodedata.normalize("NFC", text).lower())
    if len(words) < size:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(map(" ".join, zip(*(words[k:] for k in range(size)), strict=False)))  # runs of `size` words


def shingle_digests(text: str) -> bytes:
    """The first :data:`DIGEST_BYTES` of each shingle's SHA-1, one after another (in no particular order)."""
    return b"".join(hashlib.sha1(s.encode("utf-8")).digest()[:DIGEST_BYTES] for s in shingles(text))
