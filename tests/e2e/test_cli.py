"""The ``newsetl`` command as a user runs it: exit codes, messages, the summary table."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.e2e


def newsetl(*args: str, env: dict[str, str] | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "COLUMNS": "160", **(env or {})}
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env=full_env, timeout=timeout, cwd=Path(__file__).parents[2])


def summary_rows(stdout: str) -> dict[str, list[str]]:
    """The summary table's rows: source -> counts, as printed."""
    return {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
            for line in stdout.splitlines() if line.startswith("│")}


def test_help_explains_the_commands():
    result = newsetl("--help")
    assert result.returncode == 0
    for command in ("run", "demo", "serve", "db", "extract", "links", "DATABASE_URL"):
        assert command in result.stdout
    run_help = newsetl("run", "--help").stdout
    assert "--sources" in run_help and "--only" in run_help and "--limit" in run_help


def test_bad_config_exits_2_naming_file_source_and_key(tmp_path, sample_sites):
    bad = tmp_path / "sources.toml"
    bad.write_text(f'[[sources]]\nname = "x"\nhomepage = "{sample_sites["tintuc"].base}/"\n'
                   f'feeds = ["{sample_sites["tintuc"].base}/feed.atom"]\nlanguages = "vi"\n', encoding="utf-8")
    before = len(sample_sites["tintuc"].requests)
    result = newsetl("run", "--sources", str(bad))
    assert result.returncode == 2
    assert f"{bad}: source 'x': unknown key 'languages'" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(sample_sites["tintuc"].requests) == before  # nothing fetched


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--cron", "bad", '--cron: Invalid cron string: "bad"'),
    ("--cron", "61 * * * *", '--cron: Invalid cron string: "61 * * * *"'),
    ("--timezone", "Mars/Base", '--timezone: Invalid timezone: "Mars/Base"'),
])
def test_serve_refuses_a_bad_schedule_up_front(option, value, message):
    schedule = {"--cron": "*/30 * * * *", "--timezone": "Asia/Ho_Chi_Minh", option: value}
    # A database nobody listens on: reaching it (or starting a Prefect server) would be another error.
    result = newsetl("serve", *(part for item in schedule.items() for part in item), timeout=60,
                     env={"DATABASE_URL": "postgresql://postgres@127.0.0.1:9/newsetl", "PREFECT_API_URL": ""})
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("config error: ") and message in lines[0]


def test_unreachable_database_exits_3_before_fetching(sample_sources_file, sample_sites):
    before = {n: len(s.requests) for n, s in sample_sites.items()}
    # Port 9 on loopback: nothing listens there.
    result = newsetl("run", "--sources", str(sample_sources_file),
                     env={"DATABASE_URL": "postgresql://postgres@127.0.0.1:9/newsetl"})
    assert result.returncode == 3
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("database error: database unreachable at 127.0.0.1:9/newsetl")
    assert "Traceback" not in result.stderr
    assert {n: len(s.requests) for n, s in sample_sites.items()} == before


@pytest.mark.parametrize("url", ["host=127.0.0.1 port=5432 dbname=news user=etl password=s3cret",
                                 "postgresql://etl:s3cret@127.0.0.1:port/news",
                                 "postgresql://etl:s3cret@127.0.0.1:99999/news",
                                 "postgresql://etl:s3cret@w@127.0.0.1:5432/news",  # libpq would look up 'w@127...'
                                 "mysql://etl:s3cret@127.0.0.1/news"])
@pytest.mark.parametrize("command", ["upgrade", "url"])
def test_a_malformed_database_url_exits_3_in_one_line(url, command):
    result = newsetl("db", command, env={"DATABASE_URL": url})
    assert result.returncode == 3
    assert "Traceback" not in result.stderr and "s3cret" not in result.stderr + result.stdout
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("database error: DATABASE_URL is not a database URL (")


def test_db_upgrade_is_idempotent(warehouse, database_url):
    env = {"DATABASE_URL": database_url}
    result = newsetl("db", "upgrade", env=env)
    assert result.returncode == 0 and "already up to date" in result.stdout


def test_run_prints_summary_and_a_second_run_fetches_no_article(warehouse, database_url, sample_sources_file):
    env = {"DATABASE_URL": database_url}
    first = newsetl("run", "--sources", str(sample_sources_file), env=env)
    assert first.returncode == 0, first.stderr[-2000:]
    lines = summary_rows(first.stdout)
    # discovered, fetched, new, updated, unchanged, duplicates, rejected, not_modified
    assert lines["baocantho"] == ["18", "18", "17", "0", "0", "0", "1", "0"]
    assert lines["tintuc"] == ["19", "19", "17", "0", "0", "1", "1", "0"]
    assert "run id: 1" in first.stdout

    second = newsetl("run", "--sources", str(sample_sources_file), env=env)
    assert second.returncode == 0
    lines = summary_rows(second.stdout)
    assert lines["total"] == ["37", "0", "0", "0", "0", "0", "0", "0"]
    assert "run id: 2" in second.stdout
    # The schema is checked once per run: by the command, before anything is fetched, and not again by its flow.
    assert second.stderr.count("warehouse schema checked: up to date") == 1, second.stderr[-3000:]


def test_extract_prints_the_record_as_json(tmp_path):
    import json

    page = Path(__file__).parents[2] / "flows/sample_site/site/baocantho/thoi-su"
    result = newsetl("extract", str(page / "ban-thuong-vu-thanh-uy-can-tho-kiem-diem-2017.html"),
                     str(page / "loi-trang.html"), "--url", "https://baocantho.com.vn/thoi-su/x.html")
    assert result.returncode == 1  # one of the two files is not an article
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["authors"] == ["Anh Dũng"] and first["dateline"] == "CT"
    # no --source: the zone of the country the domain names (.vn), flagged as such
    assert first["published_at"] == "2018-01-23T22:19:00+07:00"
    assert first["provenance"]["published_tz"] == "assumed-country"
    assert second == {"file": str(page / "loi-trang.html"), "error": "no article text found"}


def test_links_prints_a_listing_pages_article_links(sample_sites, tmp_path):
    import json

    site = sample_sites["tintuc"]
    served = newsetl("links", site.base + "/thoi-su/", site.base + "/tin-anh/", site.base + "/khong-co/")
    assert served.returncode == 1  # the empty section and the missing page
    lines = [json.loads(line) for line in served.stdout.splitlines()]
    assert [(x["listing"], x["url"]) for x in lines] == [
        (site.base + "/thoi-su/", site.base + "/thoi-su/sat-lo-bo-song-can-tho-di-doi.html"),
        (site.base + "/thoi-su/", site.base + "/thoi-su/day-nhanh-tien-do-cao-toc-chau-doc.html"),
    ]
    assert lines[0]["title"] == "Sạt lở bờ sông Cần Thơ trong đêm, chính quyền di dời khẩn cấp 7 hộ dân"
    assert f"{site.base}/tin-anh/: no article links found" in served.stderr
    assert f"{site.base}/khong-co/: HTTP 404" in served.stderr

    # A saved page is read against the address given with --url; without it, the command says so.
    page = Path(__file__).parents[2] / "flows/sample_site/site/tintuc/thoi-su/trang-2.html"
    saved = tmp_path / "trang-2.html"
    saved.write_text(page.read_text(encoding="utf-8").replace("{{BASE}}", "https://tintuc.example.vn"))
    from_file = newsetl("links", str(saved), "--url", "https://tintuc.example.vn/thoi-su/trang-2.html")
    assert from_file.returncode == 0
    assert [json.loads(line)["url"] for line in from_file.stdout.splitlines()] == [
        "https://tintuc.example.vn/thoi-su/mien-tay-chu-dong-ung-pho-han-man.html"]
    no_url = newsetl("links", str(saved))
    assert no_url.returncode == 1 and "needs --url" in no_url.stderr


def test_db_docs_writes_the_dictionary_the_repository_keeps(warehouse, database_url, tmp_path):
    out = tmp_path / "warehouse.md"
    result = newsetl("-q", "db", "docs", "-o", str(out), env={"DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    assert "without a comment" not in result.stderr
    committed = Path(__file__).parents[2] / "docs" / "warehouse.md"
    assert out.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8")


def test_db_reader_creates_a_read_only_login_and_never_prints_its_password(warehouse, database_url):
    import secrets
    import uuid

    name, password = f"newsetl_test_cli_{uuid.uuid4().hex[:10]}", secrets.token_urlsafe(12)
    no_password = newsetl("db", "reader", name, env={"DATABASE_URL": database_url, "NEWSETL_READER_PASSWORD": ""})
    assert no_password.returncode == 2 and "set NEWSETL_READER_PASSWORD" in no_password.stderr
    try:
        result = newsetl("db", "reader", name, env={"DATABASE_URL": database_url, "NEWSETL_READER_PASSWORD": password})
        assert result.returncode == 0, result.stderr
        assert password not in result.stdout + result.stderr
        printed = result.stdout.split("psql '", 1)[1].split("'", 1)[0]
        assert sa.make_url(printed).username == name and sa.make_url(printed).password is None
        login = sa.create_engine(sa.make_url(printed).set(drivername="postgresql+psycopg2", password=password),
                                 poolclass=sa.pool.NullPool)
        with login.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM news.articles")).scalar_one() == 0
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.execute(sa.text("DELETE FROM news.articles"))
        login.dispose()
        again = newsetl("db", "reader", name, env={"DATABASE_URL": database_url, "NEWSETL_READER_PASSWORD": password})
        assert again.returncode == 2 and "exists already" in again.stderr
    finally:
        with warehouse.begin() as conn:
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{name}"'))


def test_a_run_with_a_dead_source_exits_4_and_with_every_source_dead_exits_1(warehouse, database_url,
                                                                              sample_sources_file, tmp_path):
    from test_ingest_flow import OFFLINE_SOURCE

    env = {"DATABASE_URL": database_url}
    some = tmp_path / "some.toml"
    some.write_text(sample_sources_file.read_text(encoding="utf-8") + OFFLINE_SOURCE, encoding="utf-8")
    result = newsetl("run", "--sources", str(some), "--only", "offline", "tintuc", "--limit", "2", env=env)
    assert result.returncode == 4, result.stderr[-2000:]
    assert summary_rows(result.stdout)["tintuc"][2] == "2"  # the live source was loaded
    assert "run failed:" in result.stderr and "1 of 2 sources failed entirely" in result.stderr

    dead = tmp_path / "dead.toml"
    dead.write_text(OFFLINE_SOURCE, encoding="utf-8")
    result = newsetl("run", "--sources", str(dead), env=env)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "every source failed entirely" in result.stderr and "offline" in summary_rows(result.stdout)
    assert "Traceback" not in result.stderr


def test_runs_report_to_the_prefect_server_newsetl_prefect_server_keeps_up(warehouse, database_url,
                                                                          sample_sources_file, tmp_path):
    """A cron run need not start Prefect's temporary server: with ``newsetl prefect-server`` up, a run without
    PREFECT_API_URL reports its flow run to that server, and the run is recorded as any other."""
    import json
    import signal
    import time
    import urllib.request

    env = {**os.environ, "DATABASE_URL": database_url, "NEWSETL_DATA_DIR": str(tmp_path / "data"),
           "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    (tmp_path / "prefect").mkdir()
    announcement = tmp_path / "data" / "prefect-server.json"
    server = subprocess.Popen([sys.executable, "-m", "flows.cli", "prefect-server", "--port", "4251"], env=env,
                              cwd=Path(__file__).parents[2], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
    try:
        deadline = time.monotonic() + 180
        while not announcement.exists():
            assert server.poll() is None and time.monotonic() < deadline, server.stderr.read() if server.poll() else ""
            time.sleep(0.5)
        api = json.loads(announcement.read_text())["api"]
        second = newsetl("prefect-server", env=env)
        assert second.returncode == 2 and f"is up already at {api}" in second.stderr  # one is enough

        run = newsetl("run", "--sources", str(sample_sources_file), env={**env, "PREFECT_API_URL": ""})
        assert run.returncode == 0, run.stderr[-2000:]
        assert f"Prefect: the server newsetl keeps up at {api.removesuffix('/api')}" in run.stderr
        assert "Starting temporary server" not in run.stderr
        with warehouse.connect() as conn:
            flow_run_id, status = conn.execute(sa.text("SELECT flow_run_id, status FROM news.ingest_runs")).one()
        assert status == "completed"
        with urllib.request.urlopen(f"{api}/flow_runs/{flow_run_id}", timeout=10) as response:
            assert json.load(response)["state_type"] == "COMPLETED"  # the flow run is that server's
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(60)
    assert code == 0
    assert not announcement.exists()  # a server gone is no longer announced
