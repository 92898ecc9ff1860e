"""One article reached by URLs that differ only by tracking, fragment, host case or port is one key."""

import pytest

from tasks.urls import normalise_url

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
