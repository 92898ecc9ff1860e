"""Site profiles as data: files checked at start (exit 2 on a bad one), a source's profile found by name or
host, the layout chosen by when the page was served, only the named fields overridden, and the listing pattern."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from flows.cli import main
from flows.read import read_article
from tasks.config import Source, load_sources
from tasks.errors import ConfigError
from tasks.extract.links import extract_links
from tasks.extract.profiles import SHIPPED_DIR, load_profile, load_profiles

TEXT = ("Người dân phường An Hòa đã được hỗ trợ nước sạch trong mùa khô năm nay, "
        "sau nhiều tháng chờ đợi đường ống mới của thành phố. ") * 3
URL = "https://bao.example.vn/xa-hoi/cap-nuoc-sach-cho-nguoi-dan-phuong-an-hoa.html"
UTC7 = timezone(timedelta(hours=7))

TWO_LAYOUTS = """\
hosts = ["bao.example.vn"]
timezone = "Asia/Ho_Chi_Minh"

[[layouts]]
valid_until = 2020-01-01
title = "h1.tieu-de-cu"
published_at = "span.ngay-cu"
date_format = "%d-%m-%Y %Hh%M"

[[layouts]]
valid_from = 2020-01-01
title = "h1.tieu-de-moi"
"""
# Both templates' headlines on one page, and JSON-LD whose headline and date the generic cascade would take.
PAGE = ("<html lang='vi'><head><script type='application/ld+json'>{\"@type\": \"NewsArticle\", \"headline\": "
        "\"Tiêu đề JSON-LD\", \"datePublished\": \"2019-05-04T06:00:00+07:00\", \"author\": {\"@type\": \"Person\","
        " \"name\": \"Lê Văn An\"}}</script></head><body>"
        "<h1 class='tieu-de-cu'>Tiêu đề mẫu cũ</h1><h1 class='tieu-de-moi'>Tiêu đề mẫu mới</h1>"
        "<span class='ngay-cu'>Thứ bảy 04-05-2019 08h30</span>"
        f"<div class='article-body'><p>{TEXT}</p></div></body></html>").encode()


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_shipped_profile_is_valid_and_names_its_hosts():
    profiles = load_profiles()
    assert {"vnexpress", "tuoitre", "dantri"} <= set(profiles)
    assert all(p.hosts and p.layouts for p in profiles.values())
    vnexpress = profiles["vnexpress"]
    assert vnexpress.for_host("www.vnexpress.net") and not vnexpress.for_host("vnexpress.net.example")
    assert [layout.valid_until for layout in vnexpress.layouts] == [date(2014, 1, 1), date(2021, 1, 1), None]
    assert len(list(SHIPPED_DIR.glob("*.toml"))) == len(profiles)


@pytest.mark.parametrize(("change", "message"), [
    (('title = "h1.tieu-de-moi"', 'title = "h1[[["'), r"layout #2: selector 'title' is not valid CSS \('h1\[\[\['\)"),
    (('title = "h1.tieu-de-moi"', 'headline = "h1"'), "layout #2: unknown key 'headline'"),
    (('hosts =', 'hosst = ["x.vn"]\nhosts ='), "unknown key 'hosst'"),
    (('title = "h1.tieu-de-moi"', 'article_urls = "/bai/(["'), "key 'article_urls' is not a regular expression"),
    (("valid_from = 2020-01-01", 'valid_from = "2020-13-01"'), "key 'valid_from' must be a day like 2019-01-01"),
    (("valid_from = 2020-01-01", "valid_from = 2019-06-01"), "layouts ..2020-01-01 and 2019-06-01.. overlap"),
    (('date_format = "%d-%m-%Y %Hh%M"', 'date_format = "%d-%m %Hh%M"'), "must give the day"),
    (('date_format = "%d-%m-%Y %Hh%M"', 'date_format = "%d-%m-%Y %Q"'), "uses %Q"),
    (('timezone = "Asia/Ho_Chi_Minh"', 'timezone = "Asia/Saigon City"'), "not an IANA time zone"),
])
def test_a_bad_profile_is_a_config_error_naming_file_layout_and_key(tmp_path, change, message):
    path = write(tmp_path, "bao.toml", TWO_LAYOUTS.replace(*change))
    with pytest.raises(ConfigError, match=message) as raised:
        load_profile(path)
    assert str(path) in str(raised.value) and "\n" not in str(raised.value)


SOURCES = """\
[[sources]]
name = "bao"
homepage = "https://bao.example.vn/"
feeds = ["https://bao.example.vn/rss"]
timezone = "Asia/Ho_Chi_Minh"
"""


def test_a_source_gets_its_profile_by_name_or_by_host_and_an_unknown_name_is_an_error(tmp_path):
    write(tmp_path / "profiles", "bao.toml", TWO_LAYOUTS)
    sources_file = write(tmp_path, "sources.toml", SOURCES)
    (by_host,) = load_sources(sources_file)
    assert by_host.profile is not None and by_host.profile.name == "bao"
    named = SOURCES.replace('homepage = "https://bao.example.vn/"',
                            'homepage = "https://other.example.vn/"\nprofile = "bao"')
    named = named.replace("https://bao.example.vn/rss", "https://other.example.vn/rss")
    (by_name,) = load_sources(write(tmp_path, "sources.toml", named))
    assert by_name.profile is not None and by_name.profile.name == "bao"
    with pytest.raises(ConfigError, match=r"source 'bao': key 'profile' names no known profile: 'bao2'"):
        load_sources(write(tmp_path, "sources.toml", named.replace('profile = "bao"', 'profile = "bao2"')))
    (none,) = load_sources(write(tmp_path, "sources.toml", named.replace('profile = "bao"\n', "")))
    assert none.profile is None


def test_the_shipped_sources_file_gets_the_shipped_profiles_by_host():
    sources = {s.name: s for s in load_sources(Path(__file__).parents[2] / "sources.toml")}
    assert sources["vnexpress"].profile.name == "vnexpress" and sources["dantri"].profile.name == "dantri"
    assert sources["baocantho"].profile is None  # no page of it to write one from


def test_a_bad_selector_in_a_profile_stops_the_command_with_exit_2_and_one_line(tmp_path, capsys):
    write(tmp_path / "profiles", "bao.toml", TWO_LAYOUTS.replace('"h1.tieu-de-moi"', '"h1..x"'))
    sources_file = write(tmp_path, "sources.toml", SOURCES)
    saved = write(tmp_path, "page.html", PAGE.decode("utf-8"))
    code = main(["extract", str(saved), "--url", URL, "--source", "bao", "--sources", str(sources_file)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and capsys.readouterr().out == ""
    assert "selector 'title' is not valid CSS" in err and "bao.toml: layout #2" in err.replace("\n", "")
    assert main(["eval", str(tmp_path), "--profile", str(tmp_path / "profiles" / "bao.toml")]) == 2
    assert main(["eval", str(tmp_path), "--profile", "no-such-profile"]) == 2
    assert "no profile named 'no-such-profile'" in capsys.readouterr().err


def source_with(tmp_path: Path, text: str = TWO_LAYOUTS) -> Source:
    write(tmp_path / "profiles", "bao.toml", text)
    (source,) = load_sources(write(tmp_path, "sources.toml", SOURCES))
    return source


def test_a_profile_overrides_only_the_fields_it_names_and_says_profile(tmp_path):
    source = source_with(tmp_path)
    generic = read_article(PAGE, URL, Source(name="bao", title="bao", homepage="https://bao.example.vn/",
                                            feeds=("https://bao.example.vn/rss",), timezone="Asia/Ho_Chi_Minh"))
    served = datetime(2024, 6, 1, tzinfo=UTC)
    got = read_article(PAGE, URL, source, served_at=served)
    assert generic.title == "Tiêu đề JSON-LD" and generic.provenance["title"] == "json-ld"
    assert got.title == "Tiêu đề mẫu mới" and got.provenance["title"] == "profile"
    assert got.provenance["profile"] == "bao 2020-01-01.."
    # the new layout names only the title: every other field is the generic cascade's, signal included
    for name in ("published_at", "authors", "body", "lead", "language", "section"):
        assert getattr(got, name) == getattr(generic, name), name
        assert got.provenance.get(name) == generic.provenance.get(name), name


def test_valid_until_chooses_the_layout_the_page_was_served_in(tmp_path):
    source = source_with(tmp_path)
    old = read_article(PAGE, URL, source, served_at=datetime(2019, 5, 4, 2, 0, tzinfo=UTC))
    new = read_article(PAGE, URL, source, served_at=datetime(2020, 1, 1, 0, 0, tzinfo=UTC))
    assert old.title == "Tiêu đề mẫu cũ" and old.provenance["profile"] == "bao ..2020-01-01"
    # the old layout's printed date in its own format (04-05-2019 08h30), read in the profile's zone
    assert old.published_at == datetime(2019, 5, 4, 8, 30, tzinfo=UTC7) and old.provenance["published_at"] == "profile"
    assert new.title == "Tiêu đề mẫu mới" and new.published_at == datetime(2019, 5, 4, 6, 0, tzinfo=UTC7)
    # a saved page with no fetch time: its published date (2019, from JSON-LD) stands in for it
    assert read_article(PAGE, URL, source).title == "Tiêu đề mẫu cũ"
    # a day no layout covers is read by the generic cascade alone
    gap = source_with(tmp_path, TWO_LAYOUTS.replace("valid_from = 2020-01-01", "valid_from = 2022-01-01"))
    between = read_article(PAGE, URL, gap, served_at=datetime(2021, 3, 1, tzinfo=UTC))
    assert between.title == "Tiêu đề JSON-LD" and "profile" not in between.provenance


LISTING = """<html><body><ul class='menu'><li><a href='/xa-hoi/'>Xã hội</a></li></ul>
<div class='list'>
<h3><a href='/bai/nuoc-sach'>Người dân phường An Hòa có nước sạch</a></h3>
<h3><a href='/bai/cau-moi'>Cây cầu mới nối hai bờ sông Hậu</a></h3>
<h3><a href='/xa-hoi/ba-muoi-hai-nguoi-duoc-cap-nha-o-xa-hoi-moi-nam-2026.html'>Ba mươi hai hộ được cấp nhà</a></h3>
</div></body></html>"""


def test_a_profile_article_url_pattern_decides_which_listing_links_are_stories():
    # generic rule: a numeric id, a date path or a slug of 6+ words; /bai/nuoc-sach is none of them
    generic = extract_links(LISTING, "https://bao.example.vn/xa-hoi/")
    assert [link.url for link in generic] == [
        "https://bao.example.vn/xa-hoi/ba-muoi-hai-nguoi-duoc-cap-nha-o-xa-hoi-moi-nam-2026.html"]
    profiled = extract_links(LISTING, "https://bao.example.vn/xa-hoi/", article_urls=r"/bai/[a-z0-9-]+$")
    assert [(link.url, link.title) for link in profiled] == [
        ("https://bao.example.vn/bai/nuoc-sach", "Người dân phường An Hòa có nước sạch"),
        ("https://bao.example.vn/bai/cau-moi", "Cây cầu mới nối hai bờ sông Hậu")]


def test_eval_profile_scores_the_profiles_pages_without_and_with_it(tmp_path, capsys):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "bao.html.gz").write_bytes(gzip.compress(PAGE))
    expected = {"url": URL, "site": "bao.example.vn", "title": "Tiêu đề mẫu cũ", "authors": ["Lê Văn An"],
                "published_at": "2019-05-04T08:30:00+07:00", "language": "vi", "lead": None, "body": None}
    (folder / "bao.json").write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")
    (folder / "other.html.gz").write_bytes(gzip.compress(PAGE))
    (folder / "other.json").write_text(json.dumps({**expected, "url": "https://khac.example.vn/a.html"}),
                                       encoding="utf-8")
    profile = write(tmp_path, "bao.toml", TWO_LAYOUTS)
    assert main(["eval", str(folder), "--profile", str(profile), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pages"] == ["bao"]  # only the pages of the profile's hosts
    for field in ("title", "published_at"):
        assert out["generic"][field]["score"] == 0.0 and out["with_profile"][field]["score"] == 1.0, field


def test_a_date_the_profile_format_does_not_read_falls_through_and_is_said(tmp_path):
    # the layout's date element now prints another format: the next signal gives the date, and provenance
    # says the profile's was refused rather than dropping it silently
    source = source_with(tmp_path, TWO_LAYOUTS.replace('"%d-%m-%Y %Hh%M"', '"%Y/%m/%d %H:%M"'))
    got = read_article(PAGE, URL, source, served_at=datetime(2019, 5, 4, 2, 0, tzinfo=UTC))
    assert got.published_at == datetime(2019, 5, 4, 6, 0, tzinfo=UTC7)  # JSON-LD's
    assert got.provenance["published_at"] == "json-ld" and got.provenance["published_refused"] == "profile-format"


def test_extract_reads_a_page_with_a_named_profile_file(tmp_path, capsys):
    saved = tmp_path / "bao.html"
    saved.write_bytes(PAGE)
    profile = write(tmp_path, "bao.toml", TWO_LAYOUTS)
    assert main(["extract", str(saved), "--url", URL, "--profile", str(profile)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["title"] == "Tiêu đề mẫu cũ" and record["provenance"]["title"] == "profile"
    assert record["published_at"] == "2019-05-04T08:30:00+07:00"
