"""Every field of every sample-site page, fetched over HTTP, comes out as its expected record says."""

from __future__ import annotations

from datetime import datetime

import pytest

from flows.read import read_fetched
from flows.sample_site.server import expected_records
from tasks.config import Source
from tasks.fetch.client import Fetcher

EXPECTED = expected_records()
FIELDS = ("title", "dateline", "lead", "body", "captions", "authors", "byline", "section", "tags", "language",
          "source_credit")


def source_for(site) -> Source:
    return Source(name=site.name, title=site.title, homepage=site.base + "/", feeds=(site.base + "/feed",),
                  language="vi", timezone="Asia/Ho_Chi_Minh")


def read(page, site):
    """The page as ingest reads a fetched page (decode, extract, normalise); the test fails on a reject."""
    article, reject = read_fetched(source_for(site), page)
    assert reject is None, reject
    return article


def test_the_sample_sites_are_big_enough():
    assert len(EXPECTED) >= 30
    assert sum(bool(r["source_credit"]) for r in EXPECTED) == 2 and sum(not r["authors"] for r in EXPECTED) == 1
    assert {r["source"] for r in EXPECTED} == {"baocantho", "tintuc"}  # two templates
    assert sum(r["published_from"] == "feed" for r in EXPECTED) == 1


@pytest.mark.parametrize("record", EXPECTED, ids=[r["path"].rsplit("/", 1)[-1] for r in EXPECTED])
def test_every_field_of_every_page(record, sample_sites):
    site = sample_sites[record["source"]]
    with Fetcher() as fetcher:
        page = fetcher.fetch(site.base + record["path"] + "?utm_source=test#top")
    assert page.status == 200
    article = read(page, site)
    for field in FIELDS:
        assert getattr(article, field) is not None or record[field] is None, field
        got = getattr(article, field)
        assert (list(got) if isinstance(got, tuple) else got) == record[field], field
    assert article.canonical_url == site.base + record["canonical_path"]
    assert article.url == site.base + record["path"]
    assert article.image_url == site.base + record["image_path"]
    assert article.source == record["source"]
    if record["published_from"] == "page":
        assert article.published_at == datetime.fromisoformat(record["published_at"])
        assert article.published_at.utcoffset().total_seconds() == 7 * 3600
    else:
        assert article.published_at is None  # the page prints no date; the feed's comes in the flow
    assert "Chia sẻ" not in article.body and "Tin liên quan" not in article.body
    assert not set(article.captions) & set(article.body.split("\n\n"))


def test_seed_article_page(sample_sites):
    """The page modelled on the seed article (../shared/seed) gives the seed's record."""
    site = sample_sites["baocantho"]
    with Fetcher() as fetcher:
        page = fetcher.fetch(site.base + "/thoi-su/ban-thuong-vu-thanh-uy-can-tho-kiem-diem-2017.html")
    article = read(page, site)
    assert article.title == "Ban Thường vụ Thành ủy Cần Thơ kiểm điểm trách nhiệm lãnh đạo, chỉ đạo năm 2017"
    assert article.dateline == "CT" and article.lead.startswith("Ngày 23-1-2018, tập thể")
    assert article.authors == ("Anh Dũng",) and article.byline == "Tin, ảnh: ANH DŨNG"
    assert article.published_at.isoformat() == "2018-01-23T22:19:00+07:00"
    assert article.published_raw == "23/01/2018 - 22:19"
    assert article.captions == ("Đồng chí Trần Quốc Trung, Bí thư Thành ủy phát biểu tại kiểm điểm tập thể, "
                                "cá nhân Ban Thường vụ Thành ủy.",)
    assert article.body.startswith("Phát biểu tại buổi kiểm điểm")
    assert article.body.endswith("sẽ diễn ra hết ngày 24-1-2018.")
    assert len(article.body.split("\n\n")) == 5
    assert article.provenance["published_at"] == "page" and article.provenance["authors"] == "byline"


def test_broken_page_is_an_extract_error(sample_sites):
    site = sample_sites["baocantho"]
    with Fetcher() as fetcher:
        page = fetcher.fetch(site.base + "/thoi-su/loi-trang.html")
    article, reject = read_fetched(source_for(site), page)
    assert article is None and (reject.stage, reject.code, reject.detail) == ("extract", "no_text",
                                                                             "no article text found")
