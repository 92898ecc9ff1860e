"""The ingest flow against a site that misbehaves in every way we know (``tests/sites/faults.py``).

One source lists every fault page; the flow runs twice over it (the second run
checks conditional requests). Each test reads one behaviour's outcome from those
runs: the article row or the reject with its reason code and words, and that the run finished.
Timeouts, deadline and body limit are set small so the suite stays quick.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from flows.ingest import ingest
from flows.runs import RunSummary
from tests.conftest import flow_environment
from tests.sites.faults import FAULTS, Hit, article_title, serve_faults

pytestmark = pytest.mark.e2e

FAULT_ENV = {
    "NEWSETL_TIMEOUT": "0.5",  # the slow routes wait 2 s
    "NEWSETL_DEADLINE": "1.5",  # the trickle would take minutes
    "NEWSETL_MAX_BYTES": "2000000",  # the bomb inflates to 100 MB, the endless body is 1 GB
    "NEWSETL_BACKOFF": "0.05",
    "NEWSETL_RETRIES": "2",
    "NEWSETL_BATCH_SIZE": "10",
}
CRAWL_DELAY = 0.1  # the fault site's robots.txt; the source's own min_interval is 0.05


@dataclass
class FaultRuns:
    """What two runs over the fault site left: rows, rejects, runs, and the requests the site saw."""

    base: str
    first: RunSummary
    second: RunSummary
    titles: dict[str, str] = field(default_factory=dict)  # path -> article title
    bodies: dict[str, str] = field(default_factory=dict)  # path -> article body
    # path -> (stage, reason_code, reason, http_status)
    rejects: dict[str, list[tuple[str, str, str, int | None]]] = field(default_factory=dict)
    runs: list[sa.Row] = field(default_factory=list)
    hits_first: list[Hit] = field(default_factory=list)
    hits_second: list[Hit] = field(default_factory=list)

    def hits(self, path: str) -> list[Hit]:
        return [h for h in self.hits_first if h.path == path]

    def reject(self, path: str) -> tuple[str, str, str, int | None]:
        """The reject of ``path``: transient failures are tried (and rejected) again by the second run,
        final answers (404, a PDF, an unreadable page) are stored and not fetched again."""
        stages = {(stage, code, status) for stage, code, _, status in self.rejects[path]}
        assert len(stages) == 1, self.rejects[path]
        return self.rejects[path][0]


@pytest.fixture(scope="module")
def fault_runs(database_url, prefect_backend, tmp_path_factory) -> FaultRuns:
    with flow_environment(database_url, FAULT_ENV) as eng, serve_faults(crawl_delay=CRAWL_DELAY) as site:
        sources = tmp_path_factory.mktemp("faults") / "sources.toml"
        sources.write_text(site.source_toml(feeds=("/feed.rss", "/pages.rss", "/bad-feed.rss")), encoding="utf-8")
        first = ingest(sources_file=str(sources))
        hits_first = list(site.hits)
        second = ingest(sources_file=str(sources))
        result = FaultRuns(site.base, first, second, hits_first=hits_first,
                           hits_second=site.hits[len(hits_first):])
        with eng.connect() as conn:
            for row in conn.execute(sa.text("SELECT url, title, body FROM news.articles")):
                path = row.url.removeprefix(site.base)
                result.titles[path], result.bodies[path] = row.title, row.body
            for row in conn.execute(sa.text("SELECT url, stage, reason_code, reason, http_status FROM news.rejects")):
                result.rejects.setdefault(row.url.removeprefix(site.base), []).append(
                    (row.stage, row.reason_code, row.reason, row.http_status))
            result.runs = conn.execute(sa.text("SELECT * FROM news.ingest_runs ORDER BY id")).all()
        return result


def fault(name: str) -> str:
    return f"/fault/{name}.html"


def assert_finished(runs: FaultRuns) -> None:
    assert [r.status for r in runs.runs] == ["completed", "completed"]
    assert all(r.finished_at is not None for r in runs.runs)


def test_both_runs_finished_and_counted(fault_runs):
    assert_finished(fault_runs)
    first = {s.source: s for s in fault_runs.first.sources}["faults"]
    assert first.new == len(fault_runs.titles) == 3 + 2 + 5  # good pages, the two that relent, five charsets
    assert first.error is None


@pytest.mark.parametrize("name", ["retry-after", "503-then-200"])
def test_a_page_that_relents_is_retried_into_a_row(fault_runs, name):
    assert fault_runs.titles[fault(name)] == article_title(FAULTS[name])
    assert len(fault_runs.hits(fault(name))) == 2
    assert_finished(fault_runs)


def test_retry_after_pauses_the_whole_host(fault_runs):
    (refused, answered) = fault_runs.hits(fault("retry-after"))
    assert answered.at - refused.at >= 0.95  # Retry-After: 1
    later = [h for h in fault_runs.hits_first if refused.at < h.at < refused.at + 0.9]
    assert later == []  # no request of any page started while the host had asked us to wait
    assert_finished(fault_runs)


@pytest.mark.parametrize(("name", "stage", "code", "reason", "status", "attempts"), [
    ("always-503", "fetch", "http_status", "HTTP 503", 503, 3),  # first try + 2 retries
    ("not-found", "fetch", "http_status", "HTTP 404", 404, 1),  # a 4xx other than 408/429 is an answer: no retry
    ("slow-first-byte", "fetch", "timeout", "timed out after 0.5s (after 3 attempts)", None, 3),
    ("trickle", "fetch", "timeout", "body not received within the 1.5s deadline", 200, 3),
    ("trickle-headers", "fetch", "timeout", "no response within the 1.5s deadline (after 3 attempts)", None, 3),
    ("reset", "fetch", "connection", "connection failed", None, 3),
    ("truncated", "fetch", "truncated", "body cut off after", 200, 3),
    ("gzip-bomb", "fetch", "too_large", "decompressed body exceeds the 2000000-byte limit", 200, 1),
    ("endless", "fetch", "too_large", "body exceeds the 2000000-byte limit", 200, 1),
    ("redirect-loop", "fetch", "redirect_loop", "redirect loop", 301, 1),
    ("redirect-offsite", "fetch", "out_of_scope", "host 127.0.0.2:", None, 1),
    ("redirect-disallowed", "fetch", "out_of_scope", "address 127.0.0.3 is loopback, not allowed for this source",
     None, 1),
    ("redirect-private", "fetch", "robots", "/private/moved.html: disallowed by robots.txt", None, 1),
    ("not-html", "extract", "not_html", "not an HTML page: application/pdf", 200, 1),
    ("mojibake", "extract", "mojibake", "looks like UTF-8 read as windows-125x (mojibake)", 200, 1),
])
def test_a_fault_becomes_a_reject_with_its_reason(fault_runs, name, stage, code, reason, status, attempts):
    got_stage, got_code, got_reason, got_status = fault_runs.reject(fault(name))
    assert (got_stage, got_code, got_status) == (stage, code, status)
    assert reason in got_reason
    assert len(fault_runs.hits(fault(name))) == attempts
    assert fault(name) not in fault_runs.titles
    assert_finished(fault_runs)


def test_redirects_off_the_site_are_refused_before_connecting(fault_runs):
    # A scope refusal, not a failed connection (nothing listens on 127.0.0.2/.3): decided before connecting,
    # so it is a final answer and not retried.
    for name in ("redirect-offsite", "redirect-disallowed"):
        reason = fault_runs.reject(fault(name))[2]
        assert reason.startswith("out of scope (redirected to http://127.0.0.") and "connection" not in reason
        assert len(fault_runs.hits(fault(name))) == 1
    assert_finished(fault_runs)


@pytest.mark.parametrize("name", ["cp1258-declared", "cp1258-undeclared", "cp1258-declared-utf8",
                                  "utf8-declared-cp1258", "utf8-undeclared"])
def test_vietnamese_text_comes_out_right_whatever_the_charset_says(fault_runs, name):
    title = article_title(FAULTS[name])
    assert fault_runs.titles[fault(name)] == unicodedata.normalize("NFC", title)
    body = fault_runs.bodies[fault(name)]
    assert not any(marker in body for marker in ("Ã", "áº", "á»", "\ufffd"))
    assert any(ch in body for ch in "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ")
    assert_finished(fault_runs)


def test_robots_txt_disallowed_path_is_not_requested(fault_runs):
    assert fault_runs.reject("/private/secret.html") == ("fetch", "robots", "disallowed by robots.txt", None)
    assert [h for h in fault_runs.hits_first + fault_runs.hits_second if h.path.startswith("/private/")] == []
    assert_finished(fault_runs)


def test_crawl_delay_spaces_every_request_to_the_host(fault_runs):
    """Measured where it matters, at the server. Arrival times carry the server's thread-scheduling
    jitter (the machine is shared), so the bound is on the average gap and on nearly every gap;
    ``tests/unit/test_hosts.py`` checks the limiter's own start times exactly."""
    starts = sorted(h.at for h in fault_runs.hits_first if h.path != "/robots.txt")
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert (starts[-1] - starts[0]) / len(gaps) >= CRAWL_DELAY  # robots.txt's Crawl-delay beats the 0.05 s
    assert sum(gap >= CRAWL_DELAY * 0.8 for gap in gaps) >= 0.9 * len(gaps)
    assert_finished(fault_runs)


@pytest.mark.parametrize(("path", "code", "reason"), [
    ("/bad-feed.rss", "parse_error", "malformed feed"),
    ("/sitemap-loop.xml", "sitemap_loop", "sitemap index includes itself (loop)"),
])
def test_a_broken_listing_is_a_discover_reject(fault_runs, path, code, reason):
    stage, got_code, got_reason, _ = fault_runs.reject(path)
    assert (stage, got_code) == ("discover", code) and reason in got_reason
    assert_finished(fault_runs)


def test_second_run_asks_conditionally_and_counts_the_304(fault_runs):
    # /pages.rss listed only pages that are now held, so its ETag was kept and sent back.
    (feed_hit,) = [h for h in fault_runs.hits_second if h.path == "/pages.rss"]
    assert feed_hit.headers.get("if-none-match", "").startswith('"')
    # /feed.rss still lists pages that failed: no validators kept, so it is read in full and they are retried.
    (full_hit,) = [h for h in fault_runs.hits_second if h.path == "/feed.rss"]
    assert "if-none-match" not in full_hit.headers
    second = {s.source: s for s in fault_runs.second.sources}["faults"]
    assert second.not_modified == 1 and second.new == 0
    assert fault_runs.runs[1].not_modified == 1
    # nothing already held was fetched again
    assert not any(h.path.startswith("/a/") for h in fault_runs.hits_second)
    assert_finished(fault_runs)


def test_a_source_that_is_all_503_leaves_the_others_the_run_partial_and_the_flow_run_failed(
        warehouse, prefect_backend, sample_sites, sample_sources_file, tmp_path, monkeypatch):
    for key, value in FAULT_ENV.items():
        monkeypatch.setenv(key, value)
    with serve_faults(down=True) as sick:
        sources = tmp_path / "sources.toml"
        sources.write_text(sample_sources_file.read_text(encoding="utf-8") + "\n" + sick.source_toml("sick"),
                           encoding="utf-8")
        state = ingest(sources_file=str(sources), only=["sick", "tintuc"], return_state=True)
    assert state.is_failed() and "sick: every feed, sitemap and listing failed" in state.message
    summary = state.result(raise_on_failure=False).summary
    assert summary.status == "partial" and summary.failed_sources == ["sick"]
    stats = {s.source: s for s in summary.sources}
    assert stats["sick"].error.startswith("every feed, sitemap and listing failed: robots.txt answered HTTP 503")
    assert stats["tintuc"].error is None and stats["tintuc"].new == 17
    # robots.txt was tried 3 times (first try + 2 retries); nothing else was asked of a site that is down
    assert [h.path for h in sick.hits] == ["/robots.txt"] * 3
    with warehouse.connect() as conn:
        run = conn.execute(sa.text("SELECT status, error, finished_at FROM news.ingest_runs")).one()
        codes = conn.execute(sa.text("SELECT DISTINCT reason_code FROM news.rejects WHERE source = 'sick'")).all()
        reasons = conn.execute(sa.text("SELECT source, error FROM news.ingest_run_sources ORDER BY source")).all()
    assert codes == [("robots_unavailable",)]  # nothing is fetched from a host whose robots.txt cannot be read
    assert run.status == "partial" and run.finished_at is not None
    assert "sick: every feed, sitemap and listing failed" in run.error
    assert [(r.source, bool(r.error)) for r in reasons] == [("sick", True), ("tintuc", False)]
