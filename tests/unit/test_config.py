"""The sources file: a mistake is named by file, source and key, before anything runs."""

from pathlib import Path

import pytest

from tasks.config import ConfigError, load_sources

GOOD = """
[[sources]]
name = "baocantho"
title = "Báo Cần Thơ"
homepage = "https://baocantho.com.vn/"
feeds = ["https://baocantho.com.vn/rss/thoi-su.rss"]
sitemaps = ["https://baocantho.com.vn/sitemap.xml"]
language = "vi"
timezone = "Asia/Ho_Chi_Minh"

[[sources]]
name = "vnexpress"
homepage = "https://vnexpress.net/"
feeds = ["https://vnexpress.net/rss/tin-moi-nhat.rss"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_sources_with_defaults(tmp_path):
    sources = load_sources(write(tmp_path, GOOD))
    assert [s.name for s in sources] == ["baocantho", "vnexpress"]
    assert sources[0].title == "Báo Cần Thơ"
    assert sources[0].feeds == ("https://baocantho.com.vn/rss/thoi-su.rss",)
    assert sources[1].title == "vnexpress" and sources[1].timezone == "UTC"
    assert sources[0].owns("http://www.baocantho.com.vn/a.html")
    assert not sources[0].owns("https://baocantho.com.vn.evil.example/a.html")


def test_only_keeps_named_sources_and_rejects_unknown_names(tmp_path):
    path = write(tmp_path, GOOD)
    assert [s.name for s in load_sources(path, ["vnexpress"])] == ["vnexpress"]
    with pytest.raises(ConfigError, match="no source named 'nope'"):
        load_sources(path, ["nope"])


@pytest.mark.parametrize(("text", "message"), [
    (GOOD.replace('language = "vi"', 'langauge = "vi"'),
     r"sources.toml: source 'baocantho': unknown key 'langauge'"),
    (GOOD.replace('timezone = "Asia/Ho_Chi_Minh"', 'timezone = "Asia/Saigon City"'),
     r"source 'baocantho': key 'timezone' is not an IANA time zone"),
    (GOOD.replace('feeds = ["https://vnexpress.net/rss/tin-moi-nhat.rss"]', ""),
     r"source 'vnexpress': needs at least one URL in 'feeds' or 'sitemaps'"),
    (GOOD.replace('"https://baocantho.com.vn/rss/thoi-su.rss"', '"ftp://x/rss"'),
     r"source 'baocantho': key 'feeds' has 'ftp://x/rss', which is not an http\(s\) URL"),
    (GOOD.replace('name = "vnexpress"', 'name = "baocantho"'), r"'baocantho' is used more than once"),
    (GOOD.replace('name = "vnexpress"', 'name = "VN Express"'), r"key 'name' must be a short id"),
    (GOOD.replace('name = "vnexpress"\n', ""), r"source #2: missing required key 'name'"),
    (GOOD.replace("[[sources]]\nname = \"vnexpress\"", "[[source]]\nname = \"vnexpress\""),
     r"unknown top-level key 'source'"),
    (GOOD + "\nthis is not toml", r"not valid TOML"),
    ("", r"no \[\[sources\]\] tables found"),
])
def test_mistakes_name_file_source_and_key(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message) as info:
        load_sources(write(tmp_path, text))
    assert str(tmp_path / "sources.toml") in str(info.value)


def test_missing_file_says_so(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_sources(tmp_path / "absent.toml")


def test_shipped_sources_file_is_valid():
    sources = load_sources(Path(__file__).parents[2] / "sources.toml")
    assert {"baocantho", "vnexpress", "tuoitre", "thanhnien"} <= {s.name for s in sources}
    assert all(s.timezone == "Asia/Ho_Chi_Minh" and s.language == "vi" for s in sources)


def test_site_profile_selectors_are_read_and_checked(tmp_path):
    profile = GOOD.replace('timezone = "Asia/Ho_Chi_Minh"\n',
                           'timezone = "Asia/Ho_Chi_Minh"\n\n[sources.selectors]\nbody = "div.detail-content"\n'
                           'authors = ".author-name"\n', 1)
    sources = load_sources(write(tmp_path, profile))
    assert sources[0].selectors == (("body", "div.detail-content"), ("authors", ".author-name"))
    assert sources[1].selectors == ()
    with pytest.raises(ConfigError, match="source 'baocantho': unknown selector key 'headline'"):
        load_sources(write(tmp_path, profile.replace("body =", "headline =")))
    with pytest.raises(ConfigError, match="selector 'body' is not valid CSS"):
        load_sources(write(tmp_path, profile.replace('"div.detail-content"', '"div[[["')))
