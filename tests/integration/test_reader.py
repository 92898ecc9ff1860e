"""The read-only role: a real login in it reads every table and view of ``news`` and can write nothing.

Roles are the server's, shared with other engineers' test sessions: every role made here has a
name of its own (the session's reader role is set in conftest) and is dropped afterwards.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from test_load import SOURCE

from tasks.config import settings
from tasks.errors import ConfigError
from tasks.warehouse import db
from tasks.warehouse.readers import create_reader_login
from tasks.warehouse.runs import sync_sources

INSUFFICIENT_PRIVILEGE = "42501"


def unique_role(kind: str) -> str:
    return f"newsetl_test_{kind}_{uuid.uuid4().hex[:10]}"


def login_engine(database_url: str, name: str, password: str | None) -> sa.Engine:
    return sa.create_engine(sa.make_url(database_url).set(username=name, password=password),
                            poolclass=sa.pool.NullPool)


def drop_role(eng: sa.Engine, name: str) -> None:
    with eng.begin() as conn:
        conn.execute(sa.text(f'DROP ROLE IF EXISTS "{name}"'))


@pytest.fixture
def reader(warehouse, database_url) -> Iterator[tuple[str, str, sa.Engine]]:
    """A login made the way `newsetl db reader` makes it: (name, password, its engine)."""
    name, password = unique_role("login"), secrets.token_urlsafe(12)
    create_reader_login(warehouse, name, password)
    eng = login_engine(database_url, name, password)
    try:
        yield name, password, eng
    finally:
        eng.dispose()
        drop_role(warehouse, name)


def refused(eng: sa.Engine, statement: str) -> bool:
    with eng.connect() as conn:
        try:
            conn.execute(sa.text(statement))
        except sa.exc.ProgrammingError as exc:
            return exc.orig.pgcode == INSUFFICIENT_PRIVILEGE
    return False


def test_a_reader_selects_every_table_and_view_and_writes_nothing(warehouse, reader):
    sync_sources(warehouse, [SOURCE])
    _, _, eng = reader
    with eng.connect() as conn:
        relations = conn.execute(sa.text("SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = relnamespace "
                                         "WHERE nspname = 'news' AND relkind IN ('r', 'v')")).scalars().all()
        assert len(relations) >= 16
        for relation in relations:
            conn.execute(sa.text(f"SELECT * FROM news.{relation} LIMIT 1")).all()
        assert conn.execute(sa.text("SELECT title FROM news.sources")).scalars().all() == [SOURCE.title]
    assert refused(eng, "INSERT INTO news.sources (name, title, homepage, timezone) VALUES ('x', 'x', 'x', 'UTC')")
    assert refused(eng, "UPDATE news.sources SET title = 'changed'")
    assert refused(eng, "DELETE FROM news.sources")
    assert refused(eng, "TRUNCATE news.rejects")
    assert refused(eng, "CREATE TABLE news.readers_table (id int)")
    assert refused(eng, "CREATE VIEW news.readers_view AS SELECT 1 AS one")
    with warehouse.connect() as conn:
        assert conn.execute(sa.text("SELECT title FROM news.sources")).scalars().all() == [SOURCE.title]


def test_a_table_created_later_is_readable_by_the_reader(warehouse, reader):
    with warehouse.begin() as conn:
        conn.execute(sa.text("CREATE TABLE news.reader_test_later (id int)"))
        conn.execute(sa.text("INSERT INTO news.reader_test_later VALUES (7)"))
    with reader[2].connect() as conn:
        assert conn.execute(sa.text("SELECT id FROM news.reader_test_later")).scalar_one() == 7


def test_the_server_holds_a_scram_verifier_never_the_password(warehouse, reader):
    name, password, _ = reader
    with warehouse.connect() as conn:
        stored = conn.execute(sa.text("SELECT rolpassword FROM pg_authid WHERE rolname = :n"), {"n": name}).scalar_one()
        member = conn.execute(sa.text("SELECT pg_has_role(:n, :r, 'MEMBER')"),
                              {"n": name, "r": settings().reader_role}).scalar_one()
    assert stored.startswith("SCRAM-SHA-256$") and password not in stored
    assert member


def test_a_taken_name_is_refused(warehouse, reader):
    with pytest.raises(ConfigError, match="exists already"):
        create_reader_login(warehouse, reader[0], "another")


def test_without_createrole_the_upgrade_goes_on_and_says_what_to_run(warehouse, database_url, monkeypatch, caplog):
    """A managed Postgres's migration user may not create roles: the warehouse works, the message names the fix."""
    owner, missing = unique_role("owner"), unique_role("reader")
    scratch = f"{owner}_db"
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE ROLE "{owner}" LOGIN NOCREATEROLE'))
        conn.execute(sa.text(f'CREATE DATABASE "{scratch}" OWNER "{owner}"'))
    as_owner = login_engine(sa.make_url(database_url).set(database=scratch).render_as_string(False), owner, None)
    try:
        monkeypatch.setenv("NEWSETL_READER_ROLE", missing)
        with caplog.at_level("WARNING", logger="tasks.warehouse.db"):
            assert "0007_reader_role" in db.upgrade(as_owner)
        assert f"an administrator runs: CREATE ROLE {missing} NOLOGIN;" in caplog.text
        with as_owner.connect() as conn:
            assert not conn.execute(db.query("meta/role_exists.sql"), {"role": missing}).one().role_exists
            assert conn.execute(sa.text("SELECT count(*) FROM news.articles")).scalar_one() == 0

        with admin.connect() as conn:  # the administrator does it; the next upgrade grants the role
            conn.execute(sa.text(f'CREATE ROLE "{missing}" NOLOGIN'))
        caplog.clear()
        assert db.upgrade(as_owner) == []
        assert "CREATE ROLE" not in caplog.text
        with as_owner.connect() as conn:
            assert conn.execute(sa.text("SELECT has_table_privilege(:r, 'news.rpt_articles', 'SELECT')"),
                                {"r": missing}).scalar_one()
    finally:
        as_owner.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{missing}"'))
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{owner}"'))
        admin.dispose()
