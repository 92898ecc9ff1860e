"""One article reached by URLs that differ only by tracking, fragment, host case or port is one key."""

import pytest

from tasks.config import Source
from tasks.normalise import canonical_url
from tasks.urls import MAX_URL_LENGTH, UrlRules, checked_url, homepage_host, listing_page_url, normalise_url, site_host

BASE = "https://baocantho.com.vn/thoi-su/bai-viet.html"


@pytest.mark.parametrize("variant", [
    BASE,
    BASE + "?utm_source=rss&utm_medium=feed",
    BASE + "#binh-luan",
    "https://BaoCanTho.COM.VN/thoi-su/bai-viet.html",
    "https://baocantho.com.vn:443/thoi-su/bai-viet.html",
    BASE + "?fbclid=IwAR0abc&gclid=xyz",
    BASE + "?UTM_CAMPAIGN=tet",
])
def test_variants_normalise_to_one_url(variant):
    assert normalise_url(variant) == BASE


def test_meaningful_query_is_kept_and_sorted():
    assert normalise_url("http://x.vn/a?page=2&id=7&utm_source=z") == "http://x.vn/a?id=7&page=2"


def test_path_case_and_non_default_port_are_kept():
    assert normalise_url("http://127.0.0.1:8761/Thoi-Su/A.html") == "http://127.0.0.1:8761/Thoi-Su/A.html"


def test_vietnamese_path_is_percent_encoded_once():
    once = normalise_url("https://x.vn/bài-viết.html")
    assert once == "https://x.vn/b%C3%A0i-vi%E1%BA%BFt.html"
    assert normalise_url(once) == once


RULES = UrlRules(host="www.baocantho.com.vn", mobile_hosts=frozenset({"m.baocantho.com.vn", "amp.baocantho.com.vn"}),
                 amp_paths=True, tracking_params=frozenset({"src"}))
HOME = "https://www.baocantho.com.vn/thoi-su/bai-viet.html"


@pytest.mark.parametrize("variant", [
    HOME,
    "https://m.baocantho.com.vn/thoi-su/bai-viet.html",       # mobile host the source declares
    "https://amp.baocantho.com.vn/thoi-su/bai-viet.html",     # AMP host the source declares
    "https://www.baocantho.com.vn/amp/thoi-su/bai-viet.html",  # /amp/ path prefix
    "https://www.baocantho.com.vn/thoi-su/bai-viet.html/amp",  # /amp path suffix
    "https://www.baocantho.com.vn/thoi-su/bai-viet.amp.html",
    "https://www.baocantho.com.vn/thoi-su/bai-viet.html?amp=1&src=zalo",  # ?amp and a configured tracking param
    "https://M.BaoCanTho.com.vn:443/thoi-su/bai-viet.html?utm_source=fb#top",
])
def test_declared_variants_fold_to_one_url(variant):
    assert normalise_url(variant, RULES) == HOME


def test_without_rules_variants_stay_apart():
    assert normalise_url("https://m.baocantho.com.vn/thoi-su/bai-viet.html") != HOME
    assert normalise_url("https://www.baocantho.com.vn/amp/thoi-su/bai-viet.html") != HOME
    assert normalise_url(HOME + "?src=zalo") == HOME + "?src=zalo"


def test_source_keys_and_environment_make_the_rules(monkeypatch):
    monkeypatch.setenv("NEWSETL_TRACKING_PARAMS", "from, zarsrc2")
    source = Source(name="bct", title="Báo Cần Thơ", homepage="https://www.baocantho.com.vn/", feeds=("https://x/",),
                    mobile_hosts=("m.baocantho.com.vn",), amp_paths=True, tracking_params=("src",))
    url = "https://m.baocantho.com.vn/amp/thoi-su/bai-viet.html?src=a&from=b&ZARSRC2=c&id=7"
    assert normalise_url(url, source.url_rules) == HOME + "?id=7"
    # canonical_url keeps a declared canonical on the source's (or a mobile) host, in the source's identity
    assert canonical_url("https://m.baocantho.com.vn/thoi-su/bai-viet.html", url, source) == HOME
    assert canonical_url("https://other.vn/copy.html", HOME + "?src=1", source) == HOME


@pytest.mark.parametrize(("url", "host"), [
    ("https://www.BaoCanTho.com.vn/a.html", "baocantho.com.vn"),
    ("http://baocantho.com.vn:80/b", "baocantho.com.vn"),
    ("https://x.vn:443/", "x.vn"),
    ("http://127.0.0.1:8761/a", "127.0.0.1:8761"),
    ("https://x.vn:80/", "x.vn:80"),
    ("http://x.vn:notaport/", "x.vn"),
])
def test_site_host_drops_www_and_default_ports(url, host):
    assert site_host(url) == host


def test_homepage_host_keeps_www_and_drops_only_the_default_port():
    assert homepage_host("https://www.x.vn:443/") == "www.x.vn"
    assert homepage_host("http://127.0.0.1:8761/") == "127.0.0.1:8761"


def test_default_paging_adds_a_page_parameter():
    assert listing_page_url("https://x.vn/kinh-te/", 1) == "https://x.vn/kinh-te/"
    assert listing_page_url("https://x.vn/kinh-te/", 2) == "https://x.vn/kinh-te/?page=2"
    assert listing_page_url("https://x.vn/tin?cat=5", 4) == "https://x.vn/tin?cat=5&page=4"
    assert listing_page_url("https://x.vn/kinh-te.htm", 3, "{stem}/trang-{n}.htm") == "https://x.vn/kinh-te/trang-3.htm"


@pytest.mark.parametrize(("url", "reason"), [
    ("https://x.vn/a\ud800b.html", "malformed URL"),  # a lone surrogate (&#xD800; in a feed)
    ("https://x.vn:80a/a.html", "malformed URL"),  # a port that is not a number
    ("https://x.vn/" + "a" * MAX_URL_LENGTH, f"longer than the {MAX_URL_LENGTH} kept"),
])
def test_a_url_that_cannot_be_a_key_is_refused_with_its_reason(url, reason):
    with pytest.raises(ValueError, match=reason):
        checked_url(url)


def test_a_url_at_the_length_limit_is_kept():
    url = "https://x.vn/" + "a" * (MAX_URL_LENGTH - len("https://x.vn/"))
    assert checked_url(url) == url
