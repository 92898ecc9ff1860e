"""The data dictionary: every table, view and column of ``news`` carries a catalog comment, and
``docs/warehouse.md`` is what the catalog says (``newsetl db docs``)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tasks.warehouse import db
from tasks.warehouse.dictionary import render_markdown, undocumented

COMMITTED = Path(__file__).parents[2] / "docs" / "warehouse.md"


def test_every_table_view_and_column_has_a_comment(warehouse):
    assert undocumented(warehouse) == [], "COMMENT ON them: tables in a migration, views in sql/views/"


def test_a_table_or_column_added_without_a_comment_is_a_gap(warehouse):
    with warehouse.begin() as conn:
        conn.execute(sa.text("ALTER TABLE news.sources ADD COLUMN added_by_the_dictionary_test text"))
        conn.execute(sa.text("CREATE TABLE news.dictionary_test_table (id int)"))
    assert undocumented(warehouse) == ["dictionary_test_table", "dictionary_test_table.id",
                                       "sources.added_by_the_dictionary_test"]


def test_a_column_a_migration_adds_to_articles_takes_its_comment_to_rpt_articles(warehouse):
    with warehouse.begin() as conn:
        conn.execute(sa.text("ALTER TABLE news.articles ADD COLUMN added_by_the_dictionary_test text"))
        conn.execute(sa.text("COMMENT ON COLUMN news.articles.added_by_the_dictionary_test IS 'Said once.'"))
    db.upgrade(warehouse)
    assert undocumented(warehouse) == []
    with warehouse.connect() as conn:
        said = conn.execute(sa.text("SELECT col_description('news.rpt_articles'::regclass, attnum) FROM pg_attribute "
                                    "WHERE attrelid = 'news.rpt_articles'::regclass "
                                    "AND attname = 'added_by_the_dictionary_test'")).scalar_one()
    assert said == "Said once."


def test_the_committed_dictionary_is_the_catalog_s(warehouse):
    rendered = render_markdown(warehouse)
    with warehouse.connect() as conn:
        relations = conn.execute(sa.text("SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                         "WHERE nspname = 'news' AND relkind IN ('r', 'v')")).scalars().all()
    assert relations and all(f"## `news.{name}` " in rendered for name in relations)
    assert "(no comment)" not in rendered
    assert COMMITTED.read_text(encoding="utf-8") == rendered, \
        "docs/warehouse.md is stale: run `newsetl db docs -o docs/warehouse.md` and commit it"
