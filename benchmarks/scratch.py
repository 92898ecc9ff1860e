"""A throw-away database for a benchmark, on the server ``DATABASE_URL`` names: never the warehouse itself."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from tasks import db


@contextmanager
def scratch_database(prefix: str) -> Iterator[sa.Engine]:
    """Create ``<prefix>_<random>`` on the server, migrate it, yield its engine; dropped afterwards."""
    server = os.environ.get("DATABASE_URL")
    if not server:
        sys.exit("set DATABASE_URL to a Postgres server, e.g. postgresql://postgres@127.0.0.1:5432/postgres")
    server = db.with_driver(server)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        eng = db.engine(url)
        db.upgrade(eng)
        yield eng
    finally:
        db.dispose_engines()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def reset_schema(eng: sa.Engine) -> None:
    """An empty, migrated ``news`` schema in the scratch database."""
    with eng.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS news CASCADE"))
    db.upgrade(eng)
