"""Every SQL example in the README runs on the demo's data (the sample sites, ingested) and returns rows.

An example whose comment says it finds "none" (the dictionary's gaps) must return no rows instead; one
whose comment says it has rows "after a backfill" (the demo reads no web archive) must run, whatever it returns.
The examples run as a login of the read-only role, as an analyst would run them.
"""

from __future__ import annotations

import re
import secrets
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from flows.ingest import ingest
from tasks.warehouse.readers import create_reader_login

pytestmark = pytest.mark.e2e
README = Path(__file__).parents[2] / "README.md"
BLOCK = re.compile(r"^```sql\n(.*?)^```", re.S | re.M)


def readme_examples() -> list[tuple[str, str]]:
    """(comment, statement) of each statement in the README's ```sql blocks; comment: the `--` lines before it."""
    examples = []
    for block in BLOCK.findall(README.read_text(encoding="utf-8")):
        comment, lines = [], []
        for line in block.splitlines():
            if not lines and line.lstrip().startswith("--"):
                comment.append(line.strip("- "))
                continue
            lines.append(line)
            if line.rstrip().endswith(";"):
                examples.append((" ".join(comment), "\n".join(lines).rstrip().rstrip(";")))
                comment, lines = [], []
        assert not "".join(lines).strip(), f"a README example does not end with ';': {lines}"
    return examples


def test_the_readme_has_examples():
    examples = readme_examples()
    assert len(examples) >= 8
    assert all(statement.lstrip().upper().startswith(("SELECT", "WITH")) for _, statement in examples)


def test_every_readme_example_returns_rows_on_the_demo_data(warehouse, database_url, sample_sources_file,
                                                            prefect_backend):
    summary = ingest(sources_file=str(sample_sources_file))
    assert summary.status == "completed" and summary.totals.new > 0
    name, password = f"newsetl_test_readme_{uuid.uuid4().hex[:10]}", secrets.token_urlsafe(12)
    create_reader_login(warehouse, name, password)
    analyst = sa.create_engine(sa.make_url(database_url).set(username=name, password=password),
                               poolclass=sa.pool.NullPool)
    empty = []
    try:
        with analyst.connect() as conn:
            for comment, statement in readme_examples():
                rows = conn.execute(sa.text(statement.replace(":", r"\:"))).all()
                expects_none = re.search(r"\bnone\b", comment, re.I) is not None
                if re.search(r"\bafter a backfill\b", comment, re.I):
                    continue  # it ran; its rows come from archives the demo does not read
                if bool(rows) == expects_none:
                    empty.append(f"{comment or statement[:60]!r}: {len(rows)} rows")
    finally:
        analyst.dispose()
        with warehouse.begin() as conn:
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{name}"'))
    assert empty == []
