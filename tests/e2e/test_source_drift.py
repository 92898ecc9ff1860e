"""Source health and drift end to end: a site whose template changes between runs, a stale source, a dead run.

Three drift sites (``tests/sites/drift.py``) are ingested by the real flow: ``redesign`` drops its date
line and byline between the first and second run, ``steady`` keeps its template and publishes new
articles too, ``frozen`` lists the same articles every time, and its articles arrived three days ago.
After the second run only ``redesign`` is drifted (authors and published_at), only ``frozen`` is stale;
the summary, the artifact, ``news.rpt_source_drift`` and the webhook receiver on 127.0.0.1 say so, and
``newsetl run`` prints it. A run in which every source is dead exits 1 and is posted too, by newsetl and by
the README's Prefect automation on a local Prefect server.
"""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from test_cli import newsetl
from test_ingest_flow import OFFLINE_SOURCE, failed_run

from flows.ingest import ingest
from tests.sites.drift import serve_drift_site
from tests.sites.receiver import receive_webhooks

pytestmark = pytest.mark.e2e

# Sample articles (indexes into articles.json) each site lists in the first run and in the second:
# every one of them prints a date line and a person's byline in the full template.
REDESIGN = ([0, 1, 3, 5, 7], [10, 13, 15, 17, 19])
STEADY = ([2, 4, 6, 8, 9], [11, 12, 14, 16, 18])
FROZEN = [20, 21, 22]


def rows(eng: sa.Engine, sql: str, **params) -> list[sa.Row]:
    with eng.connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def artifact_table(flow_run_id: str) -> list[dict]:
    import json

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        (artifact,) = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
    table = artifact.data
    return json.loads(table) if isinstance(table, str) else table


def test_a_template_change_is_drift_of_that_source_only_and_a_source_with_nothing_new_is_stale(
        warehouse, database_url, prefect_backend, tmp_path, monkeypatch):
    with (serve_drift_site(REDESIGN[0]) as redesign, serve_drift_site(STEADY[0]) as steady,
          serve_drift_site(FROZEN) as frozen, receive_webhooks() as receiver):
        sources = tmp_path / "sources.toml"
        sources.write_text(redesign.source_toml("redesign") + steady.source_toml("steady")
                           + frozen.source_toml("frozen"), encoding="utf-8")
        monkeypatch.setenv("NEWSETL_ALERT_WEBHOOK", receiver.url)

        first = ingest(sources_file=str(sources))
        assert first.status == "completed" and first.drift == []  # no baseline yet, and nothing old
        assert {s.source: s.new for s in first.sources} == {"redesign": 5, "steady": 5, "frozen": 3}
        assert receiver.messages == []  # a healthy run posts nothing
        health = {r.source: r for r in rows(warehouse, "SELECT * FROM news.rpt_source_health WHERE run_id = :r",
                                            r=first.run_id)}
        assert (health["redesign"].articles, health["redesign"].authors_fill,
                health["redesign"].published_at_fill) == (5, 1, 1)
        assert health["redesign"].provenance["published_at"] == {"page": 1}
        # The frozen site's articles arrived three days ago (its history moved back; nothing else changes).
        with warehouse.begin() as conn:
            conn.execute(sa.text("UPDATE news.articles SET first_seen_at = first_seen_at - interval '3 days' "
                                 "WHERE source = 'frozen'"))
            conn.execute(sa.text("UPDATE news.ingest_run_source_health SET last_new_at = last_new_at - "
                                 "interval '3 days' WHERE source = 'frozen'"))

        redesign.layout, redesign.listed = "bare", REDESIGN[1]  # the redesign: no date line, no byline
        steady.listed = STEADY[1]
        second = ingest(sources_file=str(sources))

    assert second.status == "completed" and {s.source: s.new for s in second.sources} == {
        "redesign": 5, "steady": 5, "frozen": 0}
    flagged = {d.source: d for d in second.drift}
    assert set(flagged) == {"redesign", "frozen"}
    assert flagged["redesign"].signals == ("authors", "published_at") and not flagged["redesign"].stale
    assert flagged["redesign"].detail == "authors 0% (baseline 100%); published_at 0% (baseline 100%)"
    assert flagged["frozen"].signals == () and flagged["frozen"].stale
    assert flagged["frozen"].detail.startswith("nothing new for 72 h")

    drift = {r.source: r for r in rows(warehouse, "SELECT * FROM news.rpt_source_drift")}
    assert (drift["steady"].drifted, drift["steady"].stale) == (False, False)
    assert (drift["redesign"].authors_fill, drift["redesign"].authors_baseline) == (0, 1)
    assert drift["redesign"].title_fill == 1 and drift["redesign"].median_body_chars > 0  # the text still comes
    assert drift["frozen"].hours_since_new >= 72

    (message,) = receiver.messages
    assert (message["run_id"], message["status"], message["failed_sources"]) == (second.run_id, "completed", [])
    assert [(d["source"], d["signals"], d["stale"]) for d in message["drifted_sources"]] == [
        ("frozen", [], True), ("redesign", ["authors", "published_at"], False)]

    table = {row["source"]: row for row in artifact_table(second.flow_run_id)}
    assert table["redesign"]["health"].startswith("drifted: authors 0%")
    assert table["frozen"]["health"].startswith("stale: nothing new for 72 h")
    assert table["steady"]["health"] == ""


def test_the_cli_prints_drifted_sources_after_the_run(warehouse, database_url, prefect_backend, tmp_path):
    with serve_drift_site(REDESIGN[0]) as redesign, serve_drift_site(STEADY[0]) as steady:
        sources = tmp_path / "sources.toml"
        sources.write_text(redesign.source_toml("redesign") + steady.source_toml("steady"), encoding="utf-8")
        assert ingest(sources_file=str(sources)).status == "completed"  # the baseline, in-process
        redesign.layout, redesign.listed = "bare", REDESIGN[1]
        steady.listed = STEADY[1]
        result = newsetl("run", "--sources", str(sources), env={"DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr[-2000:]  # drift is news for the analyst, not a failed run
    lines = result.stdout.splitlines()
    assert "drifted: redesign: authors 0% (baseline 100%); published_at 0% (baseline 100%)" in lines
    assert not any("steady:" in line for line in lines if line.startswith(("drifted", "stale")))
    assert "health: SELECT * FROM news.rpt_source_drift WHERE drifted OR stale;" in lines


def test_a_webhook_that_is_down_never_fails_the_run(warehouse, prefect_backend, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("NEWSETL_ALERT_WEBHOOK", "http://127.0.0.1:9/hooks/newsetl")  # nobody listens there
    sources = tmp_path / "dead.toml"
    sources.write_text(OFFLINE_SOURCE, encoding="utf-8")
    summary = failed_run(ingest(sources_file=str(sources), return_state=True))
    assert summary.status == "failed" and summary.failed_sources == ["offline"]  # the run's own outcome, as ever
    assert "alert webhook on 127.0.0.1 not reached" in caplog.text


def readme_automation() -> str:
    """The README's Prefect automation snippet, as a user would paste it."""
    import re
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    (snippet,) = re.findall(r"^```python\n(# Prefect automation:.*?)^```", readme, re.S | re.M)
    return snippet


def test_a_run_with_every_source_dead_exits_1_and_newsetl_and_the_readme_automation_both_post_it(
        prefect_server, warehouse, database_url, tmp_path):
    """The dead run reports to a Prefect server on which the README's automation was created: newsetl's own
    webhook and the automation's call both reach the receiver."""
    import os
    import subprocess
    import sys

    dead = tmp_path / "dead.toml"
    dead.write_text(OFFLINE_SOURCE, encoding="utf-8")
    with receive_webhooks() as receiver:
        env = {**os.environ, **prefect_server.env, "NEWSETL_ALERT_WEBHOOK": receiver.url}
        created = subprocess.run([sys.executable, "-c", readme_automation()], env=env, capture_output=True,
                                 text=True, timeout=120)
        assert created.returncode == 0, created.stderr[-2000:]
        result = newsetl("run", "--sources", str(dead), env={**prefect_server.env, "DATABASE_URL": database_url,
                                                             "NEWSETL_ALERT_WEBHOOK": receiver.url})
        assert result.returncode == 1, result.stderr[-2000:]
        deadline = time.monotonic() + 120  # the automation fires once the server has seen the Failed event
        while len(receiver.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
    ours = [m for m in receiver.messages if "run_id" in m]
    automation = [m for m in receiver.messages if "run_id" not in m]
    assert len(ours) == 1, receiver.messages
    (message,) = ours
    assert message["status"] == "failed" and message["drifted_sources"] == []
    (failed,) = message["failed_sources"]
    assert failed["source"] == "offline"
    assert failed["reason"].startswith("every feed, sitemap and listing failed: connection failed")
    assert message["text"].startswith(f"newsetl ingest run {message['run_id']}: failed; offline failed entirely")

    assert len(automation) == 1, f"the automation never called the webhook: {receiver.messages}"
    (call,) = automation
    assert call["text"].startswith("newsetl: flow run ") and call["text"].endswith(" Failed")
    assert "every source failed entirely (offline: every feed, sitemap and listing failed" in call["message"]
