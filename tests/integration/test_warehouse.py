"""The warehouse follows the record: every field of ``Article`` reaches its column and the report view.

These tests are generic over the records' fields, so a column added the newcomer's way
(a migration, the field in ``tasks/records.py``, the extractor's rule) is covered by them
without an edit: its value has to come through normalise, the writer and ``rpt_articles``.
They also check how ``upgrade()`` re-applies views whose columns changed.
"""

from __future__ import annotations

import dataclasses
import logging
import types
import typing
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from test_load import SOURCE

from tasks.dedupe.decide import BatchDedupe
from tasks.normalise import content_hash, normalise_article
from tasks.records import Article, ExtractedPage
from tasks.warehouse import db
from tasks.warehouse.runs import open_run, sync_sources
from tasks.warehouse.writes import load_batch

# The fields normalise rewrites rather than carries (cleaned, split, resolved, detected); every
# other field a page and the record share by name must arrive as the extractor filled it.
DERIVED_BY_NORMALISE = {"url", "canonical_url", "title", "lead", "captions", "byline", "language", "provenance"}
URL_FIELDS = {"url": "http://127.0.0.1/bai.html", "canonical_url": "http://127.0.0.1/bai.html",
              "image_url": "http://127.0.0.1/anh.jpg"}


def sample(record: type, tag: str = "", **fixed) -> object:
    """An instance of ``record`` with a distinct, non-default value in every field, chosen by its type."""
    values = {}
    for name, hint in typing.get_type_hints(record).items():
        if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
            hint = next(a for a in typing.get_args(hint) if a is not type(None))
        origin = typing.get_origin(hint)
        if name in fixed:
            values[name] = fixed[name]
        elif name in URL_FIELDS:
            values[name] = URL_FIELDS[name]
        elif hint is str:
            values[name] = f"{name} {tag}giá trị"
        elif origin is tuple:
            values[name] = (f"{name} {tag}1", f"{name} {tag}2")
        elif origin is dict:
            values[name] = {name: f"{tag}giá trị"}
        elif hint is datetime:
            values[name] = datetime(2026, 3, 7, 1, 2, 3 + len(tag), tzinfo=UTC)
        elif hint is int:
            values[name] = 7 + len(tag)
        else:
            raise AssertionError(f"give {record.__name__}.{name} ({hint}) a sample value in {__file__}")
    return record(**values)


def columns(eng: sa.Engine, table: str) -> list[str]:
    with eng.connect() as conn:
        return list(conn.execute(sa.text(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'news' AND table_name = :t "
            "ORDER BY ordinal_position"), {"t": table}).scalars())


def stored(eng: sa.Engine, relation: str) -> sa.Row:
    with eng.connect() as conn:
        return conn.execute(sa.text(f"SELECT * FROM news.{relation}")).one()


def as_record(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def test_every_field_of_the_record_is_a_column(warehouse):
    missing = sorted({f.name for f in dataclasses.fields(Article)} - set(columns(warehouse, "articles")))
    assert not missing, f"Article fields without a column in news.articles (add a migration): {missing}"


def test_every_field_a_page_gives_reaches_the_warehouse_and_the_report_view(warehouse):
    page = sample(ExtractedPage)
    article = normalise_article(page, SOURCE)
    shared = {f.name for f in dataclasses.fields(ExtractedPage)} & {f.name for f in dataclasses.fields(Article)}
    for name in sorted(shared - DERIVED_BY_NORMALISE):
        assert getattr(article, name) == getattr(page, name), f"normalise did not carry {name}"
    sync_sources(warehouse, [SOURCE])
    run = open_run(warehouse, ["mau"])
    assert load_batch(warehouse, run, "mau", [], BatchDedupe([article]), []).new == 1
    for relation in ("articles", "rpt_articles"):
        row = stored(warehouse, relation)._mapping
        for f in dataclasses.fields(Article):
            assert as_record(row[f.name]) == getattr(article, f.name), (relation, f.name)


def test_a_revision_replaces_every_field_but_the_canonical_url(warehouse):
    sync_sources(warehouse, [SOURCE])
    run = open_run(warehouse, ["mau"])
    first = sample(Article, source="mau")
    first = dataclasses.replace(first, content_hash=content_hash("1", None, ""))
    load_batch(warehouse, run, "mau", [], BatchDedupe([first]), [])
    second = sample(Article, "v2 ", source="mau", url="http://127.0.0.1/bai-sua.html",
                    canonical_url="http://127.0.0.1/bai.html", image_url="http://127.0.0.1/anh-2.jpg")
    assert load_batch(warehouse, run, "mau", [], BatchDedupe([second]), []).updated == 1
    row = stored(warehouse, "articles")._mapping
    for f in dataclasses.fields(Article):
        assert as_record(row[f.name]) == getattr(second, f.name), f.name
    assert row["version"] == 2
    # A re-extraction that finds no publication time keeps the stored one.
    third = dataclasses.replace(second, published_at=None, body="khác", content_hash=content_hash("3", None, ""))
    assert load_batch(warehouse, run, "mau", [], BatchDedupe([third]), []).updated == 1
    row = stored(warehouse, "articles")
    assert (row.published_at, row.body, row.version) == (second.published_at, "khác", 3)


def test_every_view_answers_and_a_second_upgrade_changes_nothing(warehouse):
    assert db.upgrade(warehouse) == []
    with warehouse.connect() as conn:
        for name, _ in db.sql_scripts("views"):
            conn.execute(sa.text(f"SELECT * FROM news.{name} LIMIT 1")).all()


def test_a_column_added_to_articles_is_appended_to_rpt_articles(warehouse):
    with warehouse.begin() as conn:
        conn.execute(sa.text("ALTER TABLE news.articles ADD COLUMN added_by_a_migration text"))
    db.upgrade(warehouse)
    assert columns(warehouse, "rpt_articles")[-1] == "added_by_a_migration"
    assert columns(warehouse, "rpt_articles")[:2] == ["source_title", "published_local"]


def test_a_view_whose_columns_changed_is_created_again_unless_another_view_needs_it(warehouse):
    old_shape = ("CREATE OR REPLACE VIEW news.rpt_articles AS SELECT a.id, a.source, s.title AS source_title "
                 "FROM news.articles a JOIN news.sources s ON s.name = a.source")
    with warehouse.begin() as conn:
        conn.execute(sa.text("DROP VIEW news.rpt_articles"))
        conn.execute(sa.text(old_shape))
    db.upgrade(warehouse)
    assert set(columns(warehouse, "articles")) < set(columns(warehouse, "rpt_articles"))

    with warehouse.begin() as conn:
        conn.execute(sa.text("DROP VIEW news.rpt_articles"))
        conn.execute(sa.text(old_shape))
        conn.execute(sa.text("CREATE VIEW news.analyst_view AS SELECT id FROM news.rpt_articles"))
    with pytest.raises(db.DatabaseError, match="other objects depend on it"):
        db.upgrade(warehouse)
    assert columns(warehouse, "rpt_articles") == ["id", "source", "source_title"]  # rolled back whole


def test_within_one_command_the_schema_is_checked_once_and_outside_every_time(warehouse, caplog):
    """``newsetl run`` checks the schema before fetching and its flow would check it again: one command,
    one check. A flow run without a command (a deployment's) checks it itself."""
    from tasks.warehouse.db import ensure_current, one_check_per_command, sql_scripts

    caplog.set_level(logging.INFO, logger="tasks.warehouse.db")
    with warehouse.begin() as conn:  # a warehouse that has seen no migration yet
        conn.execute(sa.text("DROP SCHEMA news CASCADE"))
    versions = [version for version, _ in sql_scripts("migrations")]
    with one_check_per_command():
        assert ensure_current(warehouse) == versions
        assert ensure_current(warehouse) == []
    checks = [r.getMessage() for r in caplog.records if "schema checked" in r.getMessage()]
    assert checks == [f"warehouse schema checked: applied {', '.join(versions)}"]
    ensure_current(warehouse)
    ensure_current(warehouse)
    checks = [r.getMessage() for r in caplog.records if "schema checked" in r.getMessage()]
    assert checks[1:] == ["warehouse schema checked: up to date"] * 2
