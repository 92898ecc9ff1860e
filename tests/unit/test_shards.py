"""How the fan-out deals sources into shards (flows/fanout.py), without Prefect or a database."""

from __future__ import annotations

from flows.fanout import shard_sources
from tasks.config import Source


def _sources(count: int) -> list[Source]:
    return [Source(name=f"s{i}", title=f"S{i}", homepage=f"https://s{i}.example/", feeds=(f"https://s{i}.example/rss",))
            for i in range(count)]


def test_sources_are_dealt_round_robin_in_file_order_into_non_empty_shards():
    assert shard_sources(_sources(8), 3) == [["s0", "s3", "s6"], ["s1", "s4", "s7"], ["s2", "s5"]]
    assert shard_sources(_sources(2), 4) == [["s0"], ["s1"]]  # never an empty child run
    assert shard_sources(_sources(3), 0) == [["s0", "s1", "s2"]]  # at least one


def test_every_source_is_in_exactly_one_shard():
    dealt = [name for shard in shard_sources(_sources(17), 5) for name in shard]
    assert sorted(dealt) == sorted(s.name for s in _sources(17))
