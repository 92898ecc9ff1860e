"""The drift rules of ``news.rpt_source_drift`` over stored run histories: each threshold just crossed and not.

Each test writes a source's run history as the end of each run leaves it (a run, its per-source counts,
its health row) and reads the view, so every rule is seen on both sides of its threshold; the flows that
write those rows are checked end to end in ``tests/e2e/test_source_drift.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tasks.config import Source
from tasks.warehouse.runs import sync_sources

T0 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
GOOD = {"title": 10, "authors": 10, "published_at": 10, "lead": 10, "section": 10, "image": 10}


def add_run(eng: sa.Engine, source: str, *, hours: float, articles: int = 10, fills: dict[str, int] | None = None,
            body: int = 800, rejected: int = 0, last_new_hours: float | None = None) -> int:
    """One finished run of ``source``, ``hours`` after T0: ``articles`` written, ``fills`` of them with each field
    (default all), median body ``body``; its newest article arrived at ``last_new_hours`` (default: the run's end)."""
    finished = T0 + timedelta(hours=hours)
    last_new = T0 + timedelta(hours=last_new_hours if last_new_hours is not None else hours)
    filled = {name: min(count, articles) for name, count in {**GOOD, **(fills or {})}.items()}
    with eng.begin() as conn:
        run_id = conn.execute(sa.text(
            "INSERT INTO news.ingest_runs (started_at, finished_at, status, sources) "
            "VALUES (:at, :at, 'completed', ARRAY[:source]) RETURNING id"), {"at": finished, "source": source}).scalar()
        conn.execute(sa.text("INSERT INTO news.ingest_run_sources (run_id, source, new, rejected) "
                             "VALUES (:r, :s, :n, :rejected)"),
                     {"r": run_id, "s": source, "n": articles, "rejected": rejected})
        conn.execute(sa.text(
            "INSERT INTO news.ingest_run_source_health (run_id, source, articles, with_title, with_authors, "
            "with_published_at, with_lead, with_section, with_image, median_body_chars, last_new_at) "
            "VALUES (:r, :s, :a, :title, :authors, :published_at, :lead, :section, :image, :body, :last_new)"),
            {"r": run_id, "s": source, "a": articles, **filled, "body": body if articles else None,
             "last_new": last_new})
    return run_id


def drift(eng: sa.Engine, source: str) -> sa.Row:
    with eng.connect() as conn:
        return conn.execute(sa.text("SELECT * FROM news.rpt_source_drift WHERE source = :s"), {"s": source}).one()


@pytest.fixture
def sources(warehouse):
    sync_sources(warehouse, [Source(name=n, title=n, homepage=f"http://127.0.0.{i + 1}/") for i, n in enumerate("abc")])
    return warehouse


def test_a_first_run_has_no_baseline_and_flags_nothing(sources):
    add_run(sources, "a", hours=0, fills={"authors": 0}, rejected=50)
    row = drift(sources, "a")
    assert (row.baseline_runs, row.signals, row.drifted, row.stale) == (0, [], False, False)


def test_a_fill_rate_down_by_more_than_the_margin_is_drift_for_that_field_and_source_only(sources):
    for hour in range(5):
        add_run(sources, "a", hours=hour)
        add_run(sources, "b", hours=hour)
    add_run(sources, "a", hours=5, fills={"published_at": 7})  # 70 % against 100 %: 30 points down
    add_run(sources, "b", hours=5, fills={"published_at": 8})  # 80 %: 20 points, inside the margin
    a, b = drift(sources, "a"), drift(sources, "b")
    assert (a.signals, a.drifted, a.baseline_runs) == (["published_at"], True, 5)
    assert (float(a.published_at_fill), float(a.published_at_baseline)) == (0.7, 1.0)
    assert a.detail == "published_at 70% (baseline 100%)"
    assert (b.signals, b.drifted) == ([], False)


def test_the_baseline_is_the_five_runs_before_the_judged_one(sources):
    add_run(sources, "a", hours=0, fills={"authors": 0})  # six runs back: outside the baseline
    for hour in range(1, 6):
        add_run(sources, "a", hours=hour)
    add_run(sources, "a", hours=6, fills={"authors": 7})
    row = drift(sources, "a")
    assert (row.baseline_runs, row.baseline_articles, float(row.authors_baseline)) == (5, 50, 1.0)
    assert row.signals == ["authors"]


def test_median_body_length_halved_is_drift(sources):
    for hour in range(3):
        add_run(sources, "a", hours=hour, body=800)
        add_run(sources, "b", hours=hour, body=800)
    add_run(sources, "a", hours=3, body=390)
    add_run(sources, "b", hours=3, body=480)
    assert drift(sources, "a").signals == ["body_length"]
    assert drift(sources, "a").detail == "median body 390 chars (baseline 800)"
    assert drift(sources, "b").signals == []


def test_rejects_up_sharply_is_drift(sources):
    for hour in range(5):
        add_run(sources, "a", hours=hour, rejected=2)
        add_run(sources, "b", hours=hour, rejected=2)
    add_run(sources, "a", hours=5, rejected=7)  # above 3 x 2 and 5 more than 2
    add_run(sources, "b", hours=5, rejected=6)  # not above 3 x 2
    assert drift(sources, "a").signals == ["rejects"]
    assert drift(sources, "b").signals == []


def test_too_few_articles_are_pooled_with_the_runs_before_and_a_run_that_wrote_none_keeps_the_verdict(sources):
    for hour in range(3):
        add_run(sources, "a", hours=hour)
    add_run(sources, "a", hours=3, articles=2, fills={"authors": 0})
    row = drift(sources, "a")  # 2 articles are not enough alone: pooled with the run before (10 with authors)
    assert (row.articles, len(row.judged_runs), row.signals) == (12, 2, [])
    add_run(sources, "a", hours=4, articles=3, fills={"authors": 0})
    add_run(sources, "a", hours=5, articles=0)
    row = drift(sources, "a")  # the run that wrote nothing is judged by the one before it
    assert (row.articles, len(row.judged_runs), row.signals) == (3, 1, ["authors"])


def test_nothing_new_for_longer_than_usual_is_stale(sources):
    add_run(sources, "a", hours=0)
    add_run(sources, "a", hours=30, articles=0, last_new_hours=0)  # 30 h: more than 24, no gap seen before
    add_run(sources, "b", hours=0)
    add_run(sources, "b", hours=20, articles=0, last_new_hours=0)  # 20 h: under the 24 h floor
    a, b = drift(sources, "a"), drift(sources, "b")
    assert (a.stale, a.drifted, float(a.hours_since_new), a.usual_gap_hours) == (True, False, 30.0, None)
    assert a.detail == "nothing new for 30 h (longest gap before: none seen)"
    assert b.stale is False


def test_a_source_that_usually_publishes_rarely_is_not_stale_within_its_usual_gap(sources):
    # New articles 20 h apart, then 30 h without: more than 24 h, but not twice the usual 20 h.
    add_run(sources, "c", hours=0)
    add_run(sources, "c", hours=20)
    add_run(sources, "c", hours=50, articles=0, last_new_hours=20)
    row = drift(sources, "c")
    assert (float(row.usual_gap_hours), float(row.hours_since_new), row.stale) == (20.0, 30.0, False)
    add_run(sources, "c", hours=61, articles=0, last_new_hours=20)  # 41 h: more than twice 20 h
    assert drift(sources, "c").stale is True
