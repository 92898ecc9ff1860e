"""`newsetl db url`, `db shell` and `db serve`: how an analyst reaches the warehouse."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
import sqlalchemy as sa
from test_cli import newsetl

pytestmark = pytest.mark.e2e


def test_db_url_prints_the_url_without_its_password(warehouse, database_url):
    with_password = sa.make_url(database_url).set(password="s3cret-word").render_as_string(hide_password=False)
    result = newsetl("db", "url", env={"DATABASE_URL": with_password})
    assert result.returncode == 0, result.stderr
    printed = result.stdout.strip()
    assert "s3cret-word" not in result.stdout + result.stderr
    assert printed.startswith("postgresql://")
    assert sa.make_url(printed) == sa.make_url(database_url).set(drivername="postgresql")._replace(password=None)


def test_db_shell_runs_psql_on_the_warehouse(warehouse, database_url):
    result = newsetl("db", "shell", "-At", "-c", "SELECT count(*) FROM news.rpt_stories",
                     env={"DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"
    bad = newsetl("db", "shell", "-c", "SELECT * FROM news.no_such_view", env={"DATABASE_URL": database_url})
    assert bad.returncode != 0 and "no_such_view" in bad.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_db_serve_keeps_the_embedded_server_up_on_loopback_until_stopped(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env["NEWSETL_DATA_DIR"] = str(tmp_path / "data")
    server = subprocess.Popen([sys.executable, "-m", "flows.cli", "db", "serve", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                              env=env, cwd=Path(__file__).parents[2])
    try:
        seen = []
        for line in server.stdout:
            seen.append(line)
            if f"127.0.0.1:{port}" in line:
                break
        assert server.poll() is None, "".join(seen)
        url = next(w for w in "".join(seen).split() if w.startswith("postgresql://"))
        assert sa.make_url(url).host == "127.0.0.1" and sa.make_url(url).port == port
        for _ in range(2):  # two connections one after the other: the server stays up between them
            with psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                                  connect_timeout=10) as conn, conn.cursor() as cur:
                cur.execute("SELECT count(*) FROM news.articles")
                assert cur.fetchone() == (0,)
    finally:
        server.send_signal(signal.SIGINT)
        code = server.wait(timeout=60)
    assert code == 0
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", connect_timeout=3)


def _embedded_env(data_dir: Path) -> dict[str, str]:
    """The CLI's environment with no server named: the embedded Postgres in ``data_dir``."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env["NEWSETL_DATA_DIR"] = str(data_dir)
    return env


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env=env, timeout=300, cwd=Path(__file__).parents[2])


def test_a_postgres_16_embedded_folder_is_refused_with_the_migration_command_and_left_alone(tmp_path):
    pgdata = tmp_path / "data" / "pgdata"
    pgdata.mkdir(parents=True)
    (pgdata / "PG_VERSION").write_text("16\n")  # what pgserver's initdb writes; nothing else is read first
    (pgdata / "base").mkdir()
    before = sorted(p.name for p in pgdata.iterdir())
    result = _cli("db", "url", env=_embedded_env(tmp_path / "data"))
    assert result.returncode == 3, result.stderr
    message = " ".join(result.stderr.split())
    assert "PostgreSQL 16" in message and "PostgreSQL 18" in message
    assert "pip install pgserver && newsetl db migrate-embedded" in message
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in pgdata.iterdir()) == before
    assert (pgdata / "PG_VERSION").read_text() == "16\n"


def test_migrate_embedded_moves_a_postgres_16_folder_with_its_rows_and_roles(tmp_path):
    pgserver = pytest.importorskip("pgserver")  # a test extra: the old embedded server
    pgdata = tmp_path / "data" / "pgdata"
    pgdata.parent.mkdir()
    old = pgserver.get_server(str(pgdata))
    engine = sa.create_engine(old.get_uri().replace("postgresql://", "postgresql+psycopg2://"))
    role = f"migrated_reader_{os.getpid()}"
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA news; CREATE TABLE news.articles (id int PRIMARY KEY, title text)"))
        conn.execute(sa.text("INSERT INTO news.articles VALUES (1, 'Cần Thơ mùa nước nổi')"))
        conn.execute(sa.text(f"CREATE ROLE {role} NOLOGIN; GRANT USAGE ON SCHEMA news TO {role}"))
    engine.dispose()
    old.cleanup()
    env = _embedded_env(pgdata.parent)

    moved = _cli("db", "migrate-embedded", env=env)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert "pgdata-pg16" in moved.stdout
    assert (pgdata / "PG_VERSION").read_text().strip() == "18"
    assert (pgdata.parent / "pgdata-pg16" / "PG_VERSION").read_text().strip() == "16"  # kept, nothing lost
    shown = _cli("db", "shell", "-At", "-c", "SELECT title FROM news.articles WHERE id = 1; "
                 f"SELECT has_schema_privilege('{role}', 'news', 'USAGE')", env=env)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split("\n")[:2] == ["Cần Thơ mùa nước nổi", "t"]
    again = _cli("db", "migrate-embedded", env=env)
    assert again.returncode == 3 and "nothing to migrate" in again.stderr
