"""Where the warehouse is, how to reach it, and how its schema is brought up to date.

``DATABASE_URL`` names a Postgres server; without it the project starts an embedded
Postgres in ``NEWSETL_DATA_DIR`` (``tasks/warehouse/embedded.py``). Either way the same
forward-only migrations in ``sql/migrations`` and views in ``sql/views`` apply, and
every statement the code runs is a file under ``sql/`` (see :func:`query`).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib.resources import files
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Engine

from tasks.config import settings
from tasks.errors import DatabaseError

log = logging.getLogger(__name__)

SCHEMA = "news"
# One lock id for "a migration is running", so that two runs starting at once
# do not both apply the same migration.
MIGRATION_LOCK_ID = 4_210_117
_POSTGRES = postgresql.dialect()
# SQLSTATE of CREATE OR REPLACE VIEW refusing to change a view's existing columns (invalid_table_definition).
VIEW_COLUMNS_CHANGED = "42P16"
LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout passed
QUERY_CANCELED = "57014"  # statement_timeout passed


def sql_text(relative: str) -> str:
    return files("sql").joinpath(relative).read_text(encoding="utf-8")


# The one thing code may write into a statement: a column name taken from a record's fields
# (``{columns}``), and only a plain lower-case identifier. Values are always bound parameters.
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
COLUMNS_PLACEHOLDER = "{columns}"


@cache
def query(relative: str, columns: tuple[str, ...] = ()) -> sa.TextClause:
    """A statement from ``sql/`` (e.g. ``load/insert_article.sql``), parameterised with ``:name``.

    ``columns`` fills the file's ``{columns}`` (outside its comments) with a record's field names, so
    that the statement follows the record (``tasks.records``) instead of spelling its columns out.
    Each must be a plain identifier; names Postgres reserves are quoted.
    """
    body = sql_text(relative)
    if not columns:
        return sa.text(body)
    bad = [c for c in columns if not IDENTIFIER.fullmatch(c)]
    if bad:
        raise ValueError(f"{relative}: not plain column names: {', '.join(map(repr, bad))}")
    if COLUMNS_PLACEHOLDER not in body:
        raise ValueError(f"{relative} has no {COLUMNS_PLACEHOLDER} to fill")
    quote = _POSTGRES.identifier_preparer.quote
    listed = ", ".join(quote(c) for c in columns)
    lines = [line if line.lstrip().startswith("--") else line.replace(COLUMNS_PLACEHOLDER, listed)
             for line in body.splitlines(keepends=True)]
    return sa.text("".join(lines))


_engine_lock = threading.Lock()
_engines: dict[str, Engine] = {}


def database_url() -> str:
    """``DATABASE_URL`` if set, else the URL of the embedded server (started on first use)."""
    url = settings().database_url or _embedded_url()
    return with_driver(url)


def with_driver(url: str) -> str:
    """Pin psycopg2 (the declared driver): SQLAlchemy 2.1 would pick psycopg 3 for a bare postgresql://."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


def _embedded_url() -> str:
    from tasks.warehouse.embedded import server_url

    return server_url(settings().data_dir / "pgdata")


def public_url(url: str, user: str | None = None) -> str:
    """The URL as psql and BI tools take it: ``postgresql://``, never a password; ``user`` instead of its own."""
    parts = sa.make_url(with_driver(url)).set(drivername="postgresql")._replace(password=None)  # set() ignores None
    if user:
        parts = parts.set(username=user)
    return parts.render_as_string(hide_password=False)


def loopback_url(url: str, port: int) -> str:
    """``public_url`` of the same user and database on ``127.0.0.1:port`` (what ``newsetl db serve`` relays)."""
    parts = sa.make_url(public_url(url)).set(host="127.0.0.1", port=port, query={})
    return parts.render_as_string(hide_password=False)


def describe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.hostname is None:
        return f"embedded Postgres ({url.split('host=')[-1]})"
    return f"{parts.hostname}:{parts.port or 5432}{parts.path}"


def engine(url: str | None = None) -> Engine:
    """One pooled engine per URL and process; checks the connection once, with a readable error."""
    url = with_driver(url or database_url())
    with _engine_lock:
        if url in _engines:
            return _engines[url]
        try:
            eng = _create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
        except (sa.exc.ArgumentError, ValueError) as exc:  # the URL itself is not shown: it may hold a password
            raise DatabaseError(f"DATABASE_URL is not a database URL ({str(exc).splitlines()[0]}); expected "
                                "postgresql://user:password@host:5432/database") from None
        try:
            with eng.connect() as conn:
                conn.execute(sa.text("select 1"))
        except sa.exc.SQLAlchemyError as exc:
            eng.dispose()
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            raise DatabaseError(f"database unreachable at {describe(url)}: {reason}") from None
        _engines[url] = eng
        return eng


def _create_engine(url: str, **pool: object) -> Engine:
    return sa.create_engine(url, **pool, connect_args={"connect_timeout": 10, "application_name": "newsetl",
                                                       "options": _session_limits()})


def autocommit_engine(eng: Engine) -> Engine:
    """An engine of ``eng``'s database for one-statement autocommitted calls (the host schedule's, three per
    request), one per URL and process. Its connections are autocommit from the start and are neither pinged
    at checkout nor rolled back at return: on ``eng``'s pool, with ``isolation_level`` set per checkout, each
    statement took four round trips (ping, set autocommit, the statement, reset), 1.1 ms of the run's CPU per
    request against 0.76 ms. With no ping a connection the server dropped fails its statement once: the
    caller retries it on a fresh one (``connection_invalidated``, :func:`tasks.warehouse.host_schedule`)."""
    url = eng.url.render_as_string(hide_password=False)
    key = f"autocommit {url}"
    with _engine_lock:
        if key not in _engines:
            _engines[key] = _create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=False,
                                           pool_reset_on_return=None, pool_size=4, max_overflow=4)
        return _engines[key]


def _session_limits() -> str:
    """libpq ``options`` bounding every statement of our sessions: no lock wait or query runs forever
    (another session holding ``news.articles`` makes a batch fail with its reason, not hang the run)."""
    s = settings()
    return (f"-c lock_timeout={int(s.lock_timeout * 1000)} "
            f"-c statement_timeout={int(s.statement_timeout * 1000)}")


def timeout_reason(exc: BaseException) -> str | None:
    """Words for a statement our session limits cancelled, naming the setting; None for anything else."""
    state = _sqlstate(getattr(exc, "orig", exc))
    s = settings()
    if state == LOCK_NOT_AVAILABLE:
        return (f"waited over {s.lock_timeout:g}s for a lock another session holds "
                "(NEWSETL_LOCK_TIMEOUT); is a long transaction or a LOCK TABLE open on the warehouse?")
    if state == QUERY_CANCELED:
        return f"a statement ran over {s.statement_timeout:g}s (NEWSETL_STATEMENT_TIMEOUT)"
    return None


def dispose_engines() -> None:
    with _engine_lock:
        for eng in _engines.values():
            eng.dispose()
        _engines.clear()


def sql_scripts(folder: str) -> list[tuple[str, str]]:
    """(name, sql) of every ``.sql`` file in ``sql/<folder>``, in name order (migrations are numbered)."""
    directory = files("sql").joinpath(folder)
    names = sorted(p.name for p in directory.iterdir() if p.name.endswith(".sql"))
    return [(name.removesuffix(".sql"), directory.joinpath(name).read_text(encoding="utf-8")) for name in names]


# Warehouses (URLs) the current command has brought up to date; None outside one_check_per_command.
_checked: set[str] | None = None
_checked_lock = threading.Lock()


@contextmanager
def one_check_per_command() -> Iterator[None]:
    """Within the block (one ``newsetl`` command), :func:`ensure_current` upgrades each warehouse once.

    A run checks the schema before anything is fetched (so a database that cannot be upgraded is exit
    code 3 up front), and its flow checks it too, as a deployment's flow run has no command before it:
    inside one command the second check is skipped. Outside the block every call upgrades.
    """
    global _checked
    with _checked_lock:
        previous, _checked = _checked, set()
    try:
        yield
    finally:
        with _checked_lock:
            _checked = previous


def ensure_current(eng: Engine | None = None) -> list[str]:
    """:func:`upgrade`, unless the current command upgraded this warehouse already; the versions applied."""
    eng = eng or engine()
    key = eng.url.render_as_string(hide_password=False)
    with _checked_lock:
        if _checked is not None and key in _checked:
            return []
    applied = upgrade(eng)
    with _checked_lock:
        if _checked is not None:
            _checked.add(key)
    return applied


def upgrade(eng: Engine | None = None) -> list[str]:
    """Apply pending migrations, then (re)create the views and grant the reader role; the versions applied.

    Serialised with an advisory lock so that concurrent runs are safe. The read-only role
    (``NEWSETL_READER_ROLE``) is created by a migration when missing and the user may; its grants
    (``sql/meta/grant_reader.sql``) are applied every time, so a role an administrator made later,
    and a view dropped and created again, are covered. A missing role is a warning, not a failure.
    """
    eng = eng or engine()
    reader = settings().reader_role
    applied: list[str] = []
    with eng.begin() as conn:
        conn.execute(sa.text("SET LOCAL statement_timeout = 0"))  # a migration of a large table takes long
        conn.execute(sa.text("select pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        conn.execute(query("meta/set_reader_role.sql"), {"role": reader})
        _run_script(conn, sql_text("meta/schema_migrations.sql"), "schema_migrations")
        done = set(conn.execute(query("meta/applied_migrations.sql")).scalars())
        for version, body in sql_scripts("migrations"):
            if version in done:
                continue
            log.info("applying migration %s", version)
            _run_script(conn, body, version)
            conn.execute(query("meta/record_migration.sql"), {"version": version})
            applied.append(version)
        for name, body in sql_scripts("views"):
            _apply_view(conn, name, body)
        _run_script(conn, sql_text("meta/grant_reader.sql"), "the reader role's grants")
        role = conn.execute(query("meta/role_exists.sql"), {"role": reader}).one()
    if not role.role_exists:
        log.warning(reader_role_missing(reader, role.user_name))
    log.info("warehouse schema checked: %s", f"applied {', '.join(applied)}" if applied else "up to date")
    return applied


def reader_role_missing(reader: str, user: str) -> str:
    """What to do when the upgrade could not create the read-only role (a user without CREATEROLE)."""
    return (f"the read-only role {reader} does not exist and {user} may not create roles, so the warehouse has "
            f"no reader role yet; an administrator runs: CREATE ROLE {reader} NOLOGIN; "
            f"then 'newsetl db upgrade' grants it SELECT on schema {SCHEMA}")


def _apply_view(conn: Connection, name: str, body: str) -> None:
    """(Re)create the view ``news.<name>`` from its file (``sql/views/<name>.sql``).

    ``CREATE OR REPLACE VIEW`` keeps a view's columns and may only append new ones, which is how a
    column added to a table reaches a view selecting ``a.*`` last (``rpt_articles``). A view whose
    columns changed otherwise (renamed, reordered, removed, retyped) is dropped and created again,
    inside the upgrade's transaction, so readers never miss it. Not with CASCADE: a view someone
    built on it stops the upgrade with Postgres's message instead of vanishing along.
    """
    try:
        with conn.begin_nested():
            conn.connection.cursor().execute(body)
        return
    except Exception as exc:
        if _sqlstate(exc) != VIEW_COLUMNS_CHANGED:
            raise DatabaseError(f"view {name} failed: {str(exc).strip().splitlines()[0]}") from None
    if not IDENTIFIER.fullmatch(name):
        raise DatabaseError(f"view {name}: its columns changed, and its file name is not a view name to drop")
    log.info("view %s changed its columns: dropping and creating it again", name)
    _run_script(conn, f"DROP VIEW IF EXISTS {SCHEMA}.{_POSTGRES.identifier_preparer.quote(name)}", f"view {name}")
    _run_script(conn, body, f"view {name}")


# SQLSTATE classes of one row's fault: bad data (22), a constraint (23), a limit such as a key too
# long for its index (54). The same row fails the same way every time.
ROW_FAULT_CLASSES = ("22", "23", "54")


def is_transient(exc: BaseException) -> bool:
    """True for a database failure that another attempt may not meet: the connection lost or refused,
    the server restarting, a deadlock, a lock or statement timeout. A bug, or a value the database
    refuses (``ROW_FAULT_CLASSES``), fails the same way every time, so retrying it only repeats the work."""
    if isinstance(exc, DatabaseError):
        return True
    if isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError)):
        return not is_row_fault(exc)
    return False


def is_row_fault(exc: BaseException) -> bool:
    """True when the database refused one row's values (see ``ROW_FAULT_CLASSES``)."""
    if isinstance(exc, sa.exc.DBAPIError):
        return (_sqlstate(exc.orig) or "")[:2] in ROW_FAULT_CLASSES
    return False


def _sqlstate(exc: Exception) -> str | None:
    return getattr(exc, "pgcode", None) or getattr(exc, "sqlstate", None)


def _run_script(conn: Connection, body: str, what: str) -> None:
    # The DBAPI cursor runs a whole multi-statement script as written: no parameter
    # parsing, so a '%' or ':' in a comment or literal is harmless.
    try:
        conn.connection.cursor().execute(body)
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0]
        raise DatabaseError(f"{what} failed: {reason}") from None
