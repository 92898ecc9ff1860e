"""Search in the real warehouse: the sample site's Vietnamese articles, with and without diacritics.

Every test runs twice: on a warehouse migrated as the server allows (unaccent and pg_trgm where they
exist, as on the machine's Postgres 15) and on one whose migration took the plain-SQL path
(``newsetl.search_extensions = off``, what a server without the extensions gets, e.g. pgserver's 16.2).
The expected answers are computed here from the articles' text, never written out.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from flows.cli import main
from tasks.warehouse import db
from tests.data.neardup_set import build, load_labelled

# Every Vietnamese letter with a diacritic, and its base letter.
VIETNAMESE = ("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ")


def base_letter(letter: str) -> str:
    return "d" if letter in "đĐ" else unicodedata.normalize("NFD", letter.lower())[0]


def folded(text: str) -> str:
    return "".join(base_letter(c) if not c.isascii() and c.isalpha() else c.lower() for c in text)


@dataclass
class Warehouse:
    mode: str
    eng: sa.Engine
    url: str
    extensions: bool  # the migration used unaccent (and pg_trgm where it exists)
    trigram: bool

    def search(self, q: str, **options) -> list[sa.Row]:
        named = "".join(f", {k} => :{k}" for k in options)
        with self.eng.connect() as conn:
            return conn.execute(sa.text(f"SELECT * FROM news.search(:q{named})"), {"q": q, **options}).all()


@pytest.fixture(scope="module", params=["as the server allows", "plain SQL"])
def searchable(request, database_url: str) -> Iterator[Warehouse]:
    """A database of its own with the sample site's articles (originals and syndicated copies) loaded."""
    name = f"{sa.make_url(database_url).database}_search_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        if request.param == "plain SQL":
            conn.execute(sa.text(f'ALTER DATABASE "{name}" SET newsetl.search_extensions = off'))
    url = sa.make_url(database_url).set(database=name).render_as_string(hide_password=False)
    eng = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        db.upgrade(eng)
        load_labelled(eng, build())
        with eng.connect() as conn:
            uses_unaccent = conn.execute(sa.text(
                "SELECT pg_get_functiondef('news.fold(text)'::regprocedure) ~ 'unaccent'")).scalar_one()
            trigram = conn.execute(sa.text("SELECT to_regclass('news.articles_title_trgm_idx') IS NOT NULL")
                                   ).scalar_one()
        yield Warehouse(request.param, eng, url, uses_unaccent, trigram)
    finally:
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def articles(wh: Warehouse) -> list[sa.Row]:
    with wh.eng.connect() as conn:
        return conn.execute(sa.text("SELECT id, source, title, lead, body, published_at FROM news.articles")).all()


def words(row: sa.Row) -> list[str]:
    return re.findall(r"\w+", " ".join(filter(None, (row.title, row.lead, row.body))).lower())


def test_the_plain_sql_path_is_taken_when_asked_and_folds_every_vietnamese_letter(searchable):
    letters = VIETNAMESE + VIETNAMESE.upper()
    with searchable.eng.connect() as conn:
        got = conn.execute(sa.text("SELECT news.fold(:s)"), {"s": letters}).scalar_one()
        nfd = conn.execute(sa.text("SELECT news.fold(:s)"), {"s": unicodedata.normalize("NFD", letters)}).scalar_one()
        ascii_text = conn.execute(sa.text("SELECT news.fold('Ha Noi, TP.HCM 2026')")).scalar_one()
    assert got == nfd == "".join(base_letter(c) for c in letters)
    assert ascii_text == "ha noi, tp.hcm 2026"


def test_the_migration_uses_the_extensions_where_the_server_has_them_unless_told_not_to(searchable):
    with searchable.eng.connect() as conn:
        available = set(conn.execute(sa.text("SELECT name FROM pg_available_extensions "
                                             "WHERE name IN ('unaccent', 'pg_trgm')")).scalars())
    if searchable.mode == "plain SQL":
        assert (searchable.extensions, searchable.trigram) == (False, False)
    else:
        assert (searchable.extensions, searchable.trigram) == ("unaccent" in available, "pg_trgm" in available)


def test_a_query_without_diacritics_finds_every_spelling_and_one_with_them_ranks_its_own_first(searchable):
    rows = articles(searchable)
    # "chợ" (market) against "cho" (for), "chở" (carry), "chờ" (wait), "chỗ" (place): one folded word.
    exact = {r.id for r in rows if "chợ" in words(r)}
    any_spelling = {r.id for r in rows if "cho" in {folded(w) for w in words(r)}}
    assert exact and len(any_spelling) > len(exact) + 5
    plain = searchable.search("cho", max_rows=500)
    assert {r.id for r in plain} == any_spelling
    marked = searchable.search("chợ", max_rows=500)
    assert {r.id for r in marked} == any_spelling  # found however spelt...
    assert {r.id for r in marked[:len(exact)]} == exact  # ... the articles spelling it "chợ" first
    assert all(a.rank >= b.rank for a, b in zip(marked, marked[1:], strict=False))


def test_the_rank_is_computed_for_the_newest_matches_and_those_spelt_as_typed(searchable):
    rows = {r.id: r for r in articles(searchable)}
    exact = {i for i, r in rows.items() if "chợ" in words(r)}
    folded_matches = [i for i, r in rows.items() if "cho" in {folded(w) for w in words(r)}]
    newest = sorted(folded_matches, key=lambda i: rows[i].published_at, reverse=True)[:5]
    assert {r.id for r in searchable.search("cho", max_rows=500, depth=5)} == set(newest)
    # Far more articles say "cho" than "chợ", most of them newer: the ones spelt as typed still come.
    assert not exact <= set(sorted(folded_matches, key=lambda i: rows[i].published_at)[-len(exact):])
    marked = searchable.search("chợ", max_rows=len(exact), depth=len(exact))
    assert {r.id for r in marked} == exact


def test_can_tho_finds_can_tho_and_a_decomposed_query_is_the_same_query(searchable):
    rows = articles(searchable)
    expected = {r.id for r in rows if re.search(r"\bcan tho\b", folded(" ".join(words(r))))}
    assert len(expected) >= 20
    found = searchable.search("Can Tho", max_rows=500)
    assert {r.id for r in found} == {r.id for r in rows if {"can", "tho"} <= {folded(w) for w in words(r)}}
    assert expected <= {r.id for r in found}
    nfc = [r.id for r in searchable.search("Cần Thơ", max_rows=500)]
    assert [r.id for r in searchable.search(unicodedata.normalize("NFD", "Cần Thơ"), max_rows=500)] == nfc
    top = searchable.search("Cần Thơ", max_rows=3)
    assert all("Cần Thơ" in r.title or "Cần Thơ" in r.snippet.replace("«", "").replace("»", "") for r in top)
    assert all("«Cần»" in r.snippet or "Cần Thơ" in r.title for r in top)


def test_quoted_syllables_must_stand_together(searchable):
    rows = articles(searchable)
    adjacent = {r.id for r in rows if re.search(r"\bninh kieu\b", folded(" ".join(words(r))))}
    apart = {r.id for r in rows if {"ninh", "kieu"} <= {folded(w) for w in words(r)}} - adjacent
    assert adjacent
    quoted = searchable.search('"Ninh Kiều"', max_rows=500)
    assert {r.id for r in quoted} == adjacent
    assert {r.id for r in searchable.search('"ninh kieu"', max_rows=500)} == adjacent
    # Unquoted, the words may stand apart, but the articles where they stand together rank above.
    loose = searchable.search("ninh kieu", max_rows=500)
    assert {r.id for r in loose} == adjacent | apart
    assert {r.id for r in loose[:len(adjacent)]} == adjacent


def test_source_since_and_max_rows_narrow_the_results(searchable):
    everything = searchable.search("Can Tho", max_rows=500)
    tintuc = searchable.search("Can Tho", source_name="tintuc", max_rows=500)
    assert tintuc and {r.source for r in tintuc} == {"tintuc"}
    assert {r.id for r in tintuc} == {r.id for r in everything if r.source == "tintuc"}
    cut = sorted(r.published_at for r in everything)[len(everything) // 2]
    recent = searchable.search("Can Tho", since=cut, max_rows=500)
    assert recent and all(r.published_at >= cut for r in recent)
    assert len(searchable.search("Can Tho", max_rows=3)) == 3
    assert searchable.search("   ") == [] and searchable.search("zzzqqq") == []


def test_a_typo_in_a_title_is_found_by_trigrams_where_pg_trgm_is_installed(searchable):
    typo = searchable.search("Ninh Kieuu")  # no word of the text is spelt so
    if not searchable.trigram:
        assert typo == []  # without pg_trgm: no typo tolerance, and no error
        return
    titles = {r.id for r in articles(searchable) if "ninh kieu" in folded(r.title)}
    assert titles and {r.id for r in typo} == titles
    assert all(r.rank < 1 for r in typo)  # after any full-text hit
    # A few full-text hits, then similar titles: none of the hits twice.
    hits = [r.id for r in searchable.search("marathon", max_rows=50)]
    assert hits and len(hits) == len(set(hits))


def test_the_search_command_prints_the_ranked_articles(searchable, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", searchable.url)
    assert main(["-q", "search", "Can Tho", "--source", "tintuc", "--limit", "2", "--json"]) == 0

    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    expected = searchable.search("Can Tho", source_name="tintuc", max_rows=2)
    assert [p["id"] for p in printed] == [r.id for r in expected] and len(printed) == 2
    assert all(p["source"] == "tintuc" and "Cần Thơ" in (p["title"] + p["snippet"]) for p in printed)
    assert main(["-q", "search", '"Ninh Kiều"', "--limit", "1"]) == 0
    table = capsys.readouterr().out
    (first,) = searchable.search('"Ninh Kiều"', max_rows=1)
    assert first.title.split()[0] in table and first.canonical_url.rsplit("/", 1)[-1][:20] in table
    assert main(["-q", "search", "zzzqqq"]) == 0
    assert "no article matches" in capsys.readouterr().err
    assert main(["-q", "search", " "]) == 2
