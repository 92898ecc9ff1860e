"""Logins for analysts: members of the read-only role that the upgrade creates and grants.

``newsetl db reader NAME`` calls :func:`create_reader_login`. The password is turned into its
SCRAM-SHA-256 verifier by libpq on the client (``psycopg2.extensions.encrypt_password``, what
psql's ``\\password`` does), so neither the server, its statement log nor this process's log ever
sees it; the statement itself is quoted by the server (``sql/meta/reader_login_statement.sql``).
"""

from __future__ import annotations

import psycopg2
from psycopg2.extensions import encrypt_password
from sqlalchemy.engine import Engine

from tasks.config import settings
from tasks.errors import ConfigError, DatabaseError
from tasks.warehouse.db import query

DUPLICATE_OBJECT, INSUFFICIENT_PRIVILEGE, UNDEFINED_OBJECT = "42710", "42501", "42704"


def create_reader_login(eng: Engine, name: str, password: str) -> str:
    """Create the login ``name`` in the reader role, with ``password``; the role's name.

    A name taken already is a ConfigError (choose another); a user who may not create roles,
    or a reader role that does not exist, is a DatabaseError saying so.
    """
    if not name.strip() or not password:
        raise ConfigError("a reader login needs a name and a non-empty password")
    reader = settings().reader_role
    with eng.begin() as conn:
        raw = conn.connection.dbapi_connection
        verifier = encrypt_password(password, name, raw, "scram-sha-256")
        statement = conn.execute(query("meta/reader_login_statement.sql"),
                                 {"name": name, "verifier": verifier, "reader_role": reader}).scalar_one()
        try:
            raw.cursor().execute(statement)
        except psycopg2.Error as exc:
            code, first = exc.pgcode, str(exc).strip().splitlines()[0]
            if code == DUPLICATE_OBJECT:
                raise ConfigError(f"role {name} exists already: choose another name") from None
            if code == UNDEFINED_OBJECT:
                raise DatabaseError(f"{first}: run 'newsetl db upgrade' (or have an administrator "
                                    f"CREATE ROLE {reader} NOLOGIN) first") from None
            if code == INSUFFICIENT_PRIVILEGE:
                raise DatabaseError(f"{first}: creating a login needs CREATEROLE (and, on Postgres 16+, "
                                    f"ADMIN OPTION on {reader})") from None
            raise DatabaseError(f"could not create login {name}: {first}") from None
    return reader
