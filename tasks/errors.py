"""newsetl's errors: one tree, so that a caller can tell a failure of the system from a failure of one record.

Every error newsetl raises on purpose is a :class:`NewsetlError`. A failure of the
whole system (a wrong sources file, an unreachable database, no Prefect server)
stops the command or fails the flow::

    NewsetlError
    ├── ConfigError
    ├── DatabaseError
    └── PrefectServerError
"""

from __future__ import annotations


class NewsetlError(Exception):
    """Base class of every error newsetl raises on purpose; the message is one readable line."""


class ConfigError(NewsetlError):
    """The sources file or a setting is wrong; the message says where and how to fix it."""


class DatabaseError(NewsetlError):
    """The warehouse cannot be reached or brought up to date."""


class PrefectServerError(NewsetlError):
    """The local Prefect server did not come up."""
