"""Which task failures Prefect retries: only those another attempt may get through."""

from __future__ import annotations

import psycopg2
import pytest
import sqlalchemy as sa
from prefect.states import Completed, Failed

from flows.runs import retry_if_transient
from tasks.errors import DatabaseError


@pytest.mark.parametrize(("error", "retried"), [
    (sa.exc.OperationalError("SELECT 1", {}, psycopg2.OperationalError("server closed the connection")), True),
    (sa.exc.InterfaceError("SELECT 1", {}, psycopg2.InterfaceError("connection already closed")), True),
    (DatabaseError("the database cannot be reached"), True),
    (sa.exc.IntegrityError("INSERT", {}, psycopg2.IntegrityError("duplicate key")), False),
    (ValueError("A string literal cannot contain NUL (0x00) characters."), False),
    (UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"), False),
    (KeyError("a bug"), False),
])
def test_only_a_failure_that_may_pass_is_retried(error, retried):
    assert retry_if_transient(None, None, Failed(data=error)) is retried


def test_a_completed_state_is_not_retried():
    assert retry_if_transient(None, None, Completed(data=1)) is False
