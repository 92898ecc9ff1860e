"""Listing pages: the main column's article links in order, without menus, boxes, banners or repeats."""

from __future__ import annotations

import gzip
import json
import unicodedata
from pathlib import Path

import pytest

from flows.read import read_links
from tasks.extract.links import Link, extract_links, feed_links, is_article_url, section_links

PAGE = "https://bao.example.vn/kinh-te/"

LISTING = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Kinh tế</title></head><body>
<header class="site-header"><a href="/"><img alt="logo"></a>
 <ul class="main-menu"><li><a href="/thoi-su/">Thời sự</a></li><li><a href="/kinh-te/">Kinh tế</a></li>
 <li><a href="/chinh-sach-va-cuoc-song/">Chính sách và cuộc sống</a></li></ul>
 <div class="hot"><a href="/tin-nong-tu-trang-chu-khong-thuoc-chuyen-muc-111111.html"
    >Tin nóng trên đầu trang hôm nay</a></div>
</header>
<div class="banner"><a href="/quang-cao-mua-sam-giam-gia-lon-cuoi-tuan-222222.html"
    >Mua sắm giảm giá lớn cuối tuần</a></div>
<div class="wrap">
 <div class="col-left">
  <div class="focus">
   <div class="item"><a href="/gia-lua-tang-manh-dau-vu-dong-xuan-100001.html"><img alt=""></a>
    <h2><a href="/gia-lua-tang-manh-dau-vu-dong-xuan-100001.html#comments">Giá lúa tăng   mạnh đầu vụ Đông Xuân</a></h2>
    <p><a href="/gia-lua-tang-manh-dau-vu-dong-xuan-100001.html">Tóm tắt dài hơn tiêu đề của bài viết này.</a></p></div>
  </div>
  <div class="list">
   <div class="item"><h3><a href="/xuat-khau-thuy-san-quy-mot-vuot-ke-hoach-100002.html"
    >Xuất khẩu thủy sản quý một vượt kế hoạch</a></h3></div>
   <div class="item"><h3><a href="https://bao.example.vn/doanh-nghiep-nho-duoc-vay-uu-dai-lai-suat-100003.html"
    >Doanh nghiệp nhỏ được vay ưu đãi</a></h3></div>
   <div class="item"><h3><a href="https://other.example.com/bai-cua-trang-khac-hoan-toan-100009.html"
    >Bài của trang khác hoàn toàn</a></h3></div>
   <div class="item"><h3><a href="/ngan-hang-giam-lai-suat-cho-vay-mua-nha-100004.html"
    >Ngân hàng giảm lãi suất cho vay mua nhà</a></h3></div>
   <div class="tags"><a href="/tag/lai-suat-ngan-hang-cho-vay-mua-nha-o-xa-hoi.html"
    >lãi suất ngân hàng cho vay mua nhà ở xã hội</a></div>
   <div class="pagination"><a href="/kinh-te/trang-2.htm">2</a><a href="/kinh-te/trang-3.htm">Trang sau</a></div>
  </div>
 </div>
 <div class="col-right">
  <div class="box"><h3 class="box-title">Đọc nhiều</h3>
   <a href="/bai-doc-nhieu-nhat-tuan-qua-cua-chuyen-muc-100090.html">Bài đọc nhiều nhất tuần qua của chuyên mục</a>
   <a href="/bai-doc-nhieu-thu-hai-tuan-qua-cua-chuyen-muc-100091.html"
    >Bài đọc nhiều thứ hai tuần qua của chuyên mục</a>
  </div>
  <div class="box"><h3>Tin khác</h3>
   <a href="/tin-o-cot-phai-sau-cot-chinh-cua-trang-100092.html">Tin ở cột phải sau cột chính của trang</a></div>
 </div>
</div>
<footer><a href="/gioi-thieu-ve-toa-soan-va-lien-he-quang-cao.html">Giới thiệu về tòa soạn và liên hệ</a></footer>
</body></html>"""


def test_main_column_links_in_order_without_furniture():
    links = extract_links(LISTING, PAGE)
    assert links == [
        Link("https://bao.example.vn/gia-lua-tang-manh-dau-vu-dong-xuan-100001.html",
             "Giá lúa tăng mạnh đầu vụ Đông Xuân"),
        Link("https://bao.example.vn/xuat-khau-thuy-san-quy-mot-vuot-ke-hoach-100002.html",
             "Xuất khẩu thủy sản quý một vượt kế hoạch"),
        Link("https://bao.example.vn/doanh-nghiep-nho-duoc-vay-uu-dai-lai-suat-100003.html",
             "Doanh nghiệp nhỏ được vay ưu đãi"),
        Link("https://bao.example.vn/ngan-hang-giam-lai-suat-cho-vay-mua-nha-100004.html",
             "Ngân hàng giảm lãi suất cho vay mua nhà"),
    ]


def test_base_href_resolves_relative_links_and_titles_are_nfc():
    nfd = unicodedata.normalize("NFD", "Cần Thơ khởi công cầu mới")
    page = f"""<html><head><base href="https://cdn.bao.example.vn/tin/"></head><body><div class="list">
    <article><h2><a href="can-tho-khoi-cong-cau-moi-qua-song-hau-2026.html">{nfd}</a></h2></article>
    <article><h2><a href="../2026/03/07/mua-lon-keo-dai-o-mien-tay">Mưa lớn kéo dài ở miền Tây</a></h2></article>
    </div></body></html>"""
    links = extract_links(page, "https://cdn.bao.example.vn/chuyen-muc/")
    assert [link.url for link in links] == [
        "https://cdn.bao.example.vn/tin/can-tho-khoi-cong-cau-moi-qua-song-hau-2026.html",
        "https://cdn.bao.example.vn/2026/03/07/mua-lon-keo-dai-o-mien-tay",
    ]
    assert links[0].title == "Cần Thơ khởi công cầu mới" and unicodedata.is_normalized("NFC", links[0].title)


def test_story_card_headers_are_headlines_not_furniture():
    card = ('<article class="post"><header class="entry-header"><h2 class="entry-title">'
            '<a href="/2026/03/07/{0}/">{1}</a></h2></header><p>Tóm tắt.</p></article>')
    page = ("<html><body><header><nav><a href='/'>Trang chủ</a></nav></header><main>"
            + card.format("mot-tin-thu-nhat", "Một tin thứ nhất đáng đọc")
            + card.format("mot-tin-thu-hai", "Một tin thứ hai đáng đọc") + "</main></body></html>")
    links = extract_links(page, "https://blog.example.org/category/news/")
    assert [link.title for link in links] == ["Một tin thứ nhất đáng đọc", "Một tin thứ hai đáng đọc"]


def test_page_without_article_links_gives_nothing():
    page = "<html><body><ul class='menu'><li><a href='/thoi-su/'>Thời sự</a></li></ul><p>Chưa có bài.</p></body></html>"
    assert extract_links(page, PAGE) == []
    assert extract_links("", PAGE) == []


@pytest.mark.parametrize(("url", "article"), [
    ("https://x.vn/gia-vang-the-gioi-tang-manh-5047621.html", True),
    ("https://x.vn/2026/03/07/gia-vang", True),
    ("https://x.vn/kinh-doanh/doanh-nghiep-nho-duoc-vay-uu-dai-lai-suat", True),
    ("https://x.vn/kinh-doanh.htm", False),
    ("https://x.vn/chinh-sach-va-cuoc-song/", False),
    ("https://x.vn/tai-chinh-chung-khoan-d6/", False),
    ("https://x.vn/tag/doanh-nghiep-nho-duoc-vay-uu-dai-lai-suat-123456.html", False),
    ("https://x.vn/", False),
])
def test_article_url_shape(url, article):
    assert is_article_url(url) is article


VN_LISTINGS = Path(__file__).resolve().parents[3] / "shared" / "data" / "vn-listings"


@pytest.mark.skipif(not VN_LISTINGS.is_dir(), reason="../shared/data/vn-listings is not present")
def test_real_listing_pages_start_with_their_main_column():
    """Each saved page's first expected story is the first link found (the README's first_items checks more)."""
    for expected in sorted(VN_LISTINGS.glob("*.json")):
        record = json.loads(expected.read_text(encoding="utf-8"))
        html = gzip.decompress(expected.with_name(expected.name.replace(".json", ".html.gz")).read_bytes())
        links = read_links(html, record["url"])  # the bytes, decoded as discovery decodes them
        first = record["first_items"][0]
        assert links[0]["url"].split("://")[1] == first["url"].split("://")[1], expected.name
        assert links[0]["title"] == first["title"], expected.name


def test_feeds_a_page_announces_are_read_from_its_alternate_links():
    page = """<html><head><base href="https://bao.example.vn/">
    <link rel="alternate" type="application/rss+xml" title="Tin mới" href="rss/tin-moi.rss">
    <link rel="Alternate" type="application/atom+xml; charset=utf-8" href="https://bao.example.vn/feed.atom">
    <link rel="alternate" hreflang="en" href="https://bao.example.vn/en/">
    <link rel="alternate" type="application/rss+xml" href="rss/tin-moi.rss">
    <link rel="stylesheet" type="text/css" href="/a.css"></head><body><p>x</p></body></html>"""
    assert feed_links(page, PAGE) == ["https://bao.example.vn/rss/tin-moi.rss", "https://bao.example.vn/feed.atom"]
    assert feed_links("<html><body><p>no head</p></body></html>", PAGE) == []


def test_section_links_of_a_homepage_are_its_menu_not_its_stories_tags_or_files():
    links = section_links(LISTING, "https://bao.example.vn/")
    assert links[:3] == ["https://bao.example.vn/thoi-su/", "https://bao.example.vn/kinh-te/",
                         "https://bao.example.vn/chinh-sach-va-cuoc-song/"]
    assert not any(is_article_url(link) for link in links)
    page = """<html><body><a href="/">Trang chủ</a><a href="/tag/lua-gao">Lúa gạo</a><a href="/rss">RSS</a>
    <a href="/uploads/a.jpg">ảnh</a><a href="/tim-kiem?q=x">Tìm</a><a href="https://other.vn/the-thao/">Khác</a>
    <a href="/a/b/c/">sâu</a><a href="mailto:x@bao.example.vn">thư</a><a href="/the-thao/">Thể thao</a>
    <a href="/the-thao/#top">lại</a></body></html>"""
    assert section_links(page, "https://bao.example.vn/") == ["https://bao.example.vn/the-thao/"]
