"""The ``backfill`` flow over WARC files the tests write: rows as a live ingest writes them, traced to their
records; faulty records as rejects; a second backfill reading nothing; a file cut short resumed."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
from warcio.archiveiterator import ArchiveIterator

from flows.backfill import backfill
from flows.sample_site.server import expected_records, serving
from tests.data.warcs import BASES, Capture, sample_captures, sample_page, sources_toml, write_warc
from tests.sites.faults import slow_read_html

pytestmark = pytest.mark.e2e
ARTICLES = len(expected_records())  # 17 per sample site


def rows(eng: sa.Engine, sql: str, **params) -> list[sa.Row]:
    with eng.connect() as conn:
        return conn.execute(sa.text(sql), params).all()


@pytest.fixture
def sources_file(tmp_path: Path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(sources_toml(), encoding="utf-8")
    return path


def offsets(path: Path) -> list[tuple[str, str, int, int]]:
    """(type, target URI, offset, length) of every record of a WARC file, as warcio reads them."""
    found = []
    with path.open("rb") as fh:
        records = ArchiveIterator(fh)
        for record in records:
            records.read_to_end(record)
            found.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI"),
                          records.get_record_offset(), records.get_record_length()))
    return found


def test_backfill_loads_what_an_ingest_would_then_a_second_backfill_reads_nothing(warehouse, prefect_backend,
                                                                                   sources_file, tmp_path,
                                                                                   monkeypatch):
    monkeypatch.setenv("NEWSETL_BATCH_SIZE", "8")  # several batches per file, records of both sources in one
    other = Capture("http://elsewhere.example/thoi-su/bai-viet.html", sample_page("tintuc", expected_records()[20]
                                                                                   ["path"]))
    warc = write_warc(tmp_path / "CC-NEWS-20240301080000-00001.warc.gz", [*sample_captures(), other])
    summary = backfill(archives=[str(warc)], sources_file=str(sources_file))

    assert summary.status == "completed", summary.errors
    stats = {s.source: s for s in summary.sources}
    for name in BASES:
        s = stats[name]
        assert (s.discovered, s.fetched, s.new, s.rejected) == (ARTICLES // 2, 0, ARTICLES // 2, 0), s
    # Every article is the expected record, as the live ingest test checks it (no feed: no date hint).
    for record in expected_records():
        (row,) = rows(warehouse, "SELECT * FROM news.articles WHERE canonical_url = :u",
                      u=BASES[record["source"]] + record["canonical_path"])
        for field in ("title", "dateline", "lead", "body", "captions", "authors", "byline", "section", "language"):
            assert getattr(row, field) == record[field], (record["path"], field)
        if record["published_from"] != "feed":
            assert row.published_at == datetime.fromisoformat(record["published_at"]), record["path"]
    assert not rows(warehouse, "SELECT 1 FROM news.articles WHERE url LIKE 'http://elsewhere.example/%'")
    assert not rows(warehouse, "SELECT 1 FROM news.rejects")

    # Every page is traced to its record: the WARC file and the offset where warcio finds its response.
    responses = {uri: offset for kind, uri, offset, _ in offsets(warc) if kind == "response"}
    pages = rows(warehouse, "SELECT final_url, warc_file, warc_offset, fetched_at FROM news.pages")
    assert len(pages) == ARTICLES
    for page in pages:
        assert page.warc_file == str(warc.resolve())
        assert page.warc_offset == responses[page.final_url]
        assert page.fetched_at == datetime(2024, 3, 1, 8, 0, tzinfo=UTC)  # the capture's WARC-Date
    (file,) = rows(warehouse, "SELECT status, records, next_offset FROM news.warc_files")
    assert (file.status, file.records, file.next_offset) == ("done", 1 + 2 * (ARTICLES + 1), warc.stat().st_size)

    # A second backfill does not open the file: overwritten with garbage, it would be a cut-off file.
    warc.write_bytes(b"\0" * warc.stat().st_size)
    again = backfill(archives=[str(warc)], sources_file=str(sources_file))
    assert again.status == "completed", again.errors
    totals = again.totals
    assert (totals.discovered, totals.new, totals.updated, totals.unchanged, totals.rejected) == (0, 0, 0, 0, 0)
    assert rows(warehouse, "SELECT status, records FROM news.warc_files") == [("done", file.records)]
    assert rows(warehouse, "SELECT count(*) FROM news.articles") == [(ARTICLES,)]


def test_faulty_records_become_rejects_and_foreign_ones_are_passed_over(warehouse, prefect_backend,
                                                                         sources_file, tmp_path):
    base = BASES["tintuc"]
    good = sample_captures()[0]
    page = sample_page("tintuc", expected_records()[20]["path"])
    mojibake = page.decode("utf-8").encode("utf-8").decode("cp1252", errors="ignore").encode("utf-8")
    captures = [
        good,
        Capture(good.url, revisit=True),  # the same page, captured again unchanged
        Capture(f"{base}/files/bao-cao.pdf", b"%PDF-1.4 not a page", content_type="application/pdf"),
        Capture(f"{base}/xa-hoi/hong.html", raw_http=b"GARBAGE LINE\r\nno: status\r\n\r\n<html></html>"),
        Capture(f"{base}/xa-hoi/ma-hoa-sai.html", mojibake),
        Capture(f"{base}/xa-hoi/da-xoa.html", b"<html>not found</html>", status="404 Not Found"),
        Capture(f"{base}/xa-hoi/chuyen-huong.html", b"", status="301 Moved Permanently"),
        Capture(f"{base}/xa-hoi/cu.html", page, date=datetime(2019, 5, 1, tzinfo=UTC)),  # before --since
        Capture("http://elsewhere.example/files/x.pdf", b"%PDF", content_type="application/pdf"),
    ]
    warc = write_warc(tmp_path / "faults.warc.gz", captures)
    summary = backfill(archives=[str(warc)], sources_file=str(sources_file), since=datetime(2024, 1, 1, tzinfo=UTC))

    assert summary.status == "completed", summary.errors
    got = rows(warehouse, "SELECT url, stage, reason_code, http_status, reason FROM news.rejects ORDER BY url")
    by_url = {r.url: r for r in got}
    assert {url: (r.stage, r.reason_code, r.http_status) for url, r in by_url.items()} == {
        good.url: ("fetch", "revisit", None),
        f"{base}/files/bao-cao.pdf": ("extract", "not_html", 200),
        f"{base}/xa-hoi/hong.html": ("fetch", "bad_record", None),
        f"{base}/xa-hoi/ma-hoa-sai.html": ("extract", "mojibake", 200),
        f"{base}/xa-hoi/da-xoa.html": ("fetch", "http_status", 404),
    }
    assert f"{warc.resolve()} at offset" in by_url[good.url].reason  # a reject names its record too
    assert "GARBAGE LINE" in by_url[f"{base}/xa-hoi/hong.html"].reason
    assert rows(warehouse, "SELECT url FROM news.articles") == [(good.url,)]
    stats = {s.source: s for s in summary.sources}
    assert (stats["tintuc"].new, stats["tintuc"].rejected) == (0, 4)
    assert (stats["baocantho"].new, stats["baocantho"].rejected) == (1, 1)


def test_a_record_over_the_read_time_limit_is_a_reject_timeout_and_the_file_goes_on(warehouse, prefect_backend,
                                                                                    sources_file, tmp_path,
                                                                                    monkeypatch):
    """The per-page bound of a live run: the record's worker is replaced, the other records are loaded."""
    monkeypatch.setenv("NEWSETL_EXTRACT_PROCESSES", "2")
    monkeypatch.setenv("NEWSETL_EXTRACT_TIMEOUT", "2")
    slow = Capture(f"{BASES['tintuc']}/so-lieu/bang-so-lieu.html", slow_read_html(25_000))  # 5-10 s to read
    captures = sample_captures()[:4]
    warc = write_warc(tmp_path / "slow.warc.gz", [captures[0], slow, *captures[1:]])
    summary = backfill(archives=[str(warc)], sources_file=str(sources_file))

    assert summary.status == "completed", summary.errors
    assert [(r.url, r.stage, r.reason_code) for r in rows(warehouse, "SELECT * FROM news.rejects")] == [
        (slow.url, "extract", "timeout")]
    assert sorted(u for (u,) in rows(warehouse, "SELECT url FROM news.articles")) == sorted(c.url for c in captures)


def test_a_batch_over_the_task_time_limit_fails_its_file_named_and_the_batches_before_it_stay(
        warehouse, prefect_backend, sources_file, tmp_path, monkeypatch):
    """``NEWSETL_TASK_TIMEOUT`` per batch, as a source's ingest task has it: here pages are read in-process
    (no per-page limit), so only the batch's limit stops the slow page."""
    monkeypatch.setenv("NEWSETL_EXTRACT_PROCESSES", "1")
    monkeypatch.setenv("NEWSETL_TASK_TIMEOUT", "2")
    monkeypatch.setenv("NEWSETL_BATCH_SIZE", "2")
    slow = Capture(f"{BASES['tintuc']}/so-lieu/bang-so-lieu.html", slow_read_html(25_000))
    captures = sample_captures()[:3]
    warc = write_warc(tmp_path / "slow.warc.gz", [*captures[:2], slow, captures[2]])
    began = datetime.now(UTC)
    summary = backfill(archives=[str(warc)], sources_file=str(sources_file))

    assert (datetime.now(UTC) - began).total_seconds() < 60
    assert summary.status == "partial"
    assert summary.errors == ["slow.warc.gz: failed: BatchTimeout: slow.warc.gz batch 2 took over 2 s "
                              "(NEWSETL_TASK_TIMEOUT)"], summary.errors
    assert sorted(u for (u,) in rows(warehouse, "SELECT url FROM news.articles")) == sorted(c.url for c in captures[:2])
    (file,) = rows(warehouse, "SELECT status FROM news.warc_files")
    assert file.status == "reading"  # the next backfill reads on from batch 2


def test_a_file_cut_short_is_recorded_then_read_on_from_the_cut_record_once_complete(warehouse, prefect_backend,
                                                                                     sources_file, tmp_path):
    captures = sample_captures()[:6]
    whole = write_warc(tmp_path / "whole.warc.gz", captures).read_bytes()
    kind, last_url, last_offset, last_length = offsets(tmp_path / "whole.warc.gz")[-1]
    assert kind == "response"
    warc = tmp_path / "partial.warc.gz"
    warc.write_bytes(whole[:last_offset + last_length - 40])  # a download that stopped inside the last record

    first = backfill(archives=[str(warc)], sources_file=str(sources_file))
    assert first.status == "partial"
    assert any(e.startswith("partial.warc.gz: cut off") for e in first.errors), first.errors
    assert first.totals.new == 5
    (file,) = rows(warehouse, "SELECT status, next_offset, detail FROM news.warc_files")
    assert (file.status, file.next_offset) == ("truncated", last_offset)
    assert rows(warehouse, "SELECT url, reason_code FROM news.rejects") == [(last_url, "truncated")]

    # The same file, still cut: not read again. Completed: read on from the cut record, nothing twice.
    assert backfill(archives=[str(warc)], sources_file=str(sources_file)).totals.discovered == 0
    warc.write_bytes(whole)
    resumed = backfill(archives=[str(warc)], sources_file=str(sources_file))
    assert resumed.status == "completed", resumed.errors
    assert (resumed.totals.discovered, resumed.totals.new) == (1, 1)
    assert rows(warehouse, "SELECT count(*), count(DISTINCT canonical_url) FROM news.articles") == [(6, 6)]
    assert rows(warehouse, "SELECT status, next_offset FROM news.warc_files") == [("done", len(whole))]


def test_the_backfill_command_prints_the_summary_and_refuses_a_missing_file_up_front(warehouse, database_url,
                                                                                     sources_file, tmp_path):
    from tests.e2e.test_cli import newsetl, summary_rows

    captures = sample_captures()
    warc = write_warc(tmp_path / "own-crawl.warc", [*captures[:3], captures[20]], gzip=False)  # a plain WARC too
    missing = newsetl("backfill", str(tmp_path / "nope.warc.gz"), "--sources", str(sources_file),
                      env={"DATABASE_URL": database_url})
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"config error: no such WARC file: {tmp_path / 'nope.warc.gz'}"

    result = newsetl("backfill", str(warc), "--sources", str(sources_file), "--source", "baocantho",
                     "--since", "2024-03-01", "--until", "2024-03-02", env={"DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr[-2000:]
    # discovered, fetched, new, updated, unchanged, duplicates, rejected, not_modified
    assert summary_rows(result.stdout)["baocantho"] == ["3", "0", "3", "0", "0", "0", "0", "0"]
    assert "tintuc" not in summary_rows(result.stdout)
    assert "partial" not in result.stdout  # a plain WARC ends with blank lines after its last record, not a cut
    assert rows(warehouse, "SELECT status, next_offset FROM news.warc_files") == [("done", warc.stat().st_size)]
    assert rows(warehouse, "SELECT source, count(*) FROM news.pages WHERE warc_file = :f GROUP BY source",
                f=str(warc.resolve())) == [("baocantho", 3)]


def test_a_cc_news_listing_stands_for_the_files_it_lists(warehouse, prefect_backend, sources_file, tmp_path):
    import gzip

    from flows.backfill import archive_files
    from tasks.errors import ConfigError

    month = tmp_path / "mirror" / "crawl-data" / "CC-NEWS" / "2024" / "03"
    month.mkdir(parents=True)
    captures = sample_captures()
    names = [f"CC-NEWS-20240301{n:06d}-0000{n}.warc.gz" for n in (1, 2)]
    write_warc(month / names[0], captures[:2])
    write_warc(month / names[1], captures[20:22])
    listing = tmp_path / "warc.paths.gz"
    listing.write_bytes(gzip.compress("".join(f"crawl-data/CC-NEWS/2024/03/{n}\n" for n in names).encode()))

    summary = backfill(archives=[str(listing)], sources_file=str(sources_file), base=str(tmp_path / "mirror"))
    assert summary.status == "completed", summary.errors
    assert {s.source: s.new for s in summary.sources} == {"baocantho": 2, "tintuc": 2}
    assert rows(warehouse, "SELECT file, status FROM news.warc_files ORDER BY file") == [
        (str(month / n), "done") for n in names]
    with pytest.raises(ConfigError, match=r"no such WARC file: .*/crawl-data/CC-NEWS/2024/03/CC-NEWS-20240301000001"):
        archive_files([str(listing)])  # relative to the listing's folder, where there is no mirror


class _Archives(ThreadingHTTPServer):
    """WARC files over HTTP on 127.0.0.1, as an archive's server (or a mirror) has them.

    ``files`` maps a path to its bytes; GET honours ``Range: bytes=N-`` (206) unless ``ranges`` is
    off; ``cut`` maps a path to a byte count after which its first GET drops the connection (a
    download that stopped). Every request is kept in ``requests`` as (method, path, Range header).
    """

    daemon_threads = True

    def __init__(self, files: dict[str, bytes], *, cut: dict[str, int] | None = None, ranges: bool = True):
        self.files, self.cut, self.ranges = files, dict(cut or {}), ranges
        self.requests: list[tuple[str, str, str | None]] = []
        super().__init__(("127.0.0.1", 0), _ArchiveHandler)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class _ArchiveHandler(BaseHTTPRequestHandler):
    server: _Archives

    def log_message(self, *args) -> None:
        pass

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, body: bool) -> None:
        wanted = self.headers.get("Range")
        self.server.requests.append((self.command, self.path, wanted))
        data = self.server.files.get(self.path)
        if data is None:
            self.send_error(404)
            return
        start = int(wanted.removeprefix("bytes=").rstrip("-")) if wanted and self.server.ranges else 0
        self.send_response(206 if start else 200)
        self.send_header("Content-Type", "application/warc")
        self.send_header("Content-Length", str(len(data) - start))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if not body:
            return
        cut = self.server.cut.pop(self.path, None) if body else None
        self.wfile.write(data[start:cut] if cut is not None else data[start:])
        if cut is not None:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)  # the rest of the promised bytes never come
            self.close_connection = True


@contextmanager
def archive_server(files: dict[str, bytes], **options) -> Iterator[_Archives]:
    with serving(_Archives(files, **options), "warc-archives") as server:
        yield server


def test_a_warc_on_http_is_streamed_traced_to_its_url_and_not_read_again(warehouse, prefect_backend, sources_file,
                                                                          tmp_path):
    warc = write_warc(tmp_path / "CC-NEWS-20240301080000-00001.warc.gz", sample_captures())
    with archive_server({"/crawl-data/CC-NEWS/a.warc.gz": warc.read_bytes()}) as server:
        url = server.url("/crawl-data/CC-NEWS/a.warc.gz")
        summary = backfill(archives=[url], sources_file=str(sources_file))
        assert summary.status == "completed", summary.errors
        assert summary.totals.new == ARTICLES
        responses = {uri: offset for kind, uri, offset, _ in offsets(warc) if kind == "response"}
        pages = rows(warehouse, "SELECT final_url, warc_file, warc_offset FROM news.pages")
        assert len(pages) == ARTICLES
        assert all(p.warc_file == url and p.warc_offset == responses[p.final_url] for p in pages)
        assert rows(warehouse, "SELECT file, status, next_offset FROM news.warc_files") == [
            (url, "done", warc.stat().st_size)]
        gets = [r for r in server.requests if r[0] == "GET"]
        assert gets == [("GET", "/crawl-data/CC-NEWS/a.warc.gz", None)]  # one streamed GET, from the start

        again = backfill(archives=[url], sources_file=str(sources_file))
        assert again.status == "completed" and again.totals.discovered == 0
        assert [r for r in server.requests if r[0] == "GET"] == gets  # a file done is not downloaded again


@pytest.mark.parametrize("ranges", [True, False], ids=["range", "no-range"])
def test_a_download_cut_off_is_resumed_by_the_next_backfill_from_the_cut_record(warehouse, prefect_backend,
                                                                                 sources_file, tmp_path, ranges):
    warc = write_warc(tmp_path / "b.warc.gz", sample_captures()[:6])
    whole = warc.read_bytes()
    kind, last_url, last_offset, last_length = offsets(warc)[-1]
    files = {"/b.warc.gz": whole}
    with archive_server(files, cut={"/b.warc.gz": last_offset + last_length // 2}, ranges=ranges) as server:
        url = server.url("/b.warc.gz")
        first = backfill(archives=[url, server.url("/missing.warc.gz")], sources_file=str(sources_file))
        assert first.status == "partial"
        assert first.totals.new == 5
        problems = " | ".join(first.errors)
        assert f"the next backfill reads on from offset {last_offset}" in problems, problems
        assert "missing.warc.gz: cannot be read: " in problems and "HTTP 404" in problems
        assert rows(warehouse, "SELECT status, next_offset FROM news.warc_files WHERE file = :f", f=url) == [
            ("reading", last_offset)]
        assert not rows(warehouse, "SELECT 1 FROM news.rejects")  # the file is whole: no record of it is cut

        resumed = backfill(archives=[url], sources_file=str(sources_file))
        assert resumed.status == "completed", resumed.errors
        assert (resumed.totals.discovered, resumed.totals.new) == (1, 1)
        get = [r for r in server.requests if r[0] == "GET" and r[1] == "/b.warc.gz"]
        assert get[-1] == ("GET", "/b.warc.gz", f"bytes={last_offset}-")
    assert rows(warehouse, "SELECT count(*), count(DISTINCT canonical_url) FROM news.articles") == [(6, 6)]
    assert rows(warehouse, "SELECT status, next_offset FROM news.warc_files WHERE file = :f", f=url) == [
        ("done", len(whole))]
    (page,) = rows(warehouse, "SELECT warc_offset FROM news.pages WHERE final_url = :u", u=last_url)
    assert page.warc_offset == last_offset  # the offset in the file, whether the server honoured the Range or not
