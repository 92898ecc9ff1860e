"""The data dictionary of schema ``news``, read from the catalog, never written by hand.

Every table and column is commented in the migrations (``COMMENT ON``), every view and view
column in its file under ``sql/views/``; those comments are what ``\\d+``, DBeaver, Metabase
and dbt show. :func:`undocumented` lists the gaps (the test suite wants none) and
:func:`render_markdown` turns the catalog into ``docs/warehouse.md`` (``newsetl db docs``), so
the document cannot drift from the database it describes.
"""

from __future__ import annotations

from itertools import groupby

from sqlalchemy.engine import Engine

from tasks.warehouse.db import SCHEMA, query

HEADER = (
    f"# The newsetl warehouse: schema `{SCHEMA}`\n\n"
    "Written by `newsetl db docs -o docs/warehouse.md` from the catalog comments (`COMMENT ON`) of a\n"
    "database at the latest migration; do not edit by hand. The same text shows in `\\d+`, DBeaver,\n"
    "Metabase and dbt. Tables first, then the `rpt_` views meant for reporting, then the functions.\n"
)


def undocumented(eng: Engine) -> list[str]:
    """``relation`` or ``relation.column`` for each table, view or column of the schema without a comment."""
    with eng.connect() as conn:
        rows = conn.execute(query("meta/undocumented.sql")).all()
    return [r.relation if r.column_name is None else f"{r.relation}.{r.column_name}" for r in rows]


def render_markdown(eng: Engine) -> str:
    """The dictionary as Markdown: one section per table and view, one table row per column."""
    with eng.connect() as conn:
        rows = conn.execute(query("meta/dictionary.sql")).all()
    parts = [HEADER]
    for (relation, kind, comment), columns in groupby(rows, key=lambda r: (r.relation, r.kind, r.relation_comment)):
        parts.append(f"\n## `{SCHEMA}.{relation}` ({kind})\n\n{_cell(comment)}\n\n"
                     "| column | type | not null | meaning |\n|---|---|---|---|\n")
        parts.extend(f"| `{c.column_name}` | {c.data_type} | {'yes' if c.not_null else ''} "
                     f"| {_cell(c.column_comment)} |\n" for c in columns)
    with eng.connect() as conn:
        functions = conn.execute(query("meta/functions.sql")).all()
    if functions:
        parts.append("\n## Functions\n\n| function | returns | meaning |\n|---|---|---|\n")
        parts.extend(f"| `{SCHEMA}.{f.name}({f.arguments})` | {_cell(f.result)} | {_cell(f.comment)} |\n"
                     for f in functions)
    return "".join(parts)


def _cell(text: str | None) -> str:
    """A comment as one Markdown table cell: no line breaks, pipes escaped; a gap shown as such."""
    if not text:
        return "**(no comment)**"
    return " ".join(text.split()).replace("|", "\\|")
