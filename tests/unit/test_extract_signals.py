"""The extraction cascade on the project's own small pages: JSON-LD forms, titles checked against the
page, dates with and without offsets, bylines, captions, images, language and site profiles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from flows.read import read_article
from tasks.config import Source
from tasks.extract.article import extract_page
from tasks.extract.jsonld import loads_lenient

TEXT = ("Người dân phường An Hòa đã được hỗ trợ nước sạch trong mùa khô năm nay, "
        "sau nhiều tháng chờ đợi đường ống mới của thành phố. ") * 3
TEXT2 = "Mỗi hộ được cấp hai bồn chứa và được hướng dẫn cách xử lý nước trước khi dùng cho sinh hoạt. " * 3
ENGLISH = ("The city council approved the new water supply plan on Tuesday after a long debate about "
           "the cost of the pipes and the timetable for the work in the eastern districts. ") * 3
URL = "https://bao.example.vn/xa-hoi/cap-nuoc.html"
UTC7 = timezone(timedelta(hours=7))


def extract_article(html: str | bytes, url: str, source: Source | None = None):
    """The warehouse record of a page written here, read as ingest reads it (bytes, decode, extract, normalise)."""
    return read_article(html.encode("utf-8") if isinstance(html, str) else html, url, source)


def page(head: str = "", body: str = "", lang: str = "vi") -> str:
    lang_attr = f" lang='{lang}'" if lang else ""
    return f"<html{lang_attr}><head>{head}</head><body>{body}</body></html>"


def article_body(*paragraphs: str) -> str:
    return "<div class='article-body'>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div>"


def ld(json_text: str) -> str:
    return f'<script type="application/ld+json">{json_text}</script>'


# --- JSON-LD ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("json_text", [
    '{"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "Báo Mẫu"},'
    ' {"@type": "NewsArticle", "headline": "Tiêu đề JSON-LD", "datePublished": "2026-03-07T08:01:00+07:00"}]}',
    '[{"@type": "BreadcrumbList"}, {"@type": ["NewsArticle", "Article"], "headline": "Tiêu đề JSON-LD",'
    ' "datePublished": "2026-03-07T08:01:00+07:00"}]',
    # what browsers tolerate: a comment wrapper, a raw line break inside a string, trailing commas
    '<!-- {"@type": "NewsArticle", "headline": "Tiêu đề\nJSON-LD", "datePublished": "2026-03-07T08:01:00+07:00",} -->',
    # two objects in one script
    '{"@type": "Organization", "name": "Báo Mẫu"}\n{"@type": "ReportageNewsArticle", "headline": "Tiêu đề JSON-LD",'
    ' "datePublished": "2026-03-07T08:01:00+07:00"}',
])
def test_json_ld_article_is_found_in_every_form(json_text):
    got = extract_page(page(ld(json_text), article_body(TEXT)), URL)
    assert got.title == "Tiêu đề JSON-LD" and got.provenance["title"] == "json-ld"
    assert got.published_raw == "2026-03-07T08:01:00+07:00" and got.provenance["published_at"] == "json-ld"


def test_unreadable_json_is_none_not_an_error():
    assert loads_lenient("{not json at all") is None
    got = extract_page(page(ld("{oops") + "<title>Tiêu đề trang</title>", article_body(TEXT)), URL)
    assert got.title == "Tiêu đề trang"


def test_headline_escaped_twice_is_unescaped():
    head = ld('{"@type": "NewsArticle", "headline": "Cá tra &amp;amp; tôm: &amp;quot;xuất khẩu&amp;quot; tăng"}')
    got = extract_page(page(head, article_body(TEXT)), URL)
    assert got.title == 'Cá tra & tôm: "xuất khẩu" tăng'


# --- titles checked against the page -----------------------------------------------------------------

@pytest.mark.parametrize(("head", "h1", "title"), [
    # the site name appended to <title> and og:title: the h1 agrees with what is left
    ("<title>Cấp nước sạch cho dân - Báo Cần Thơ Online</title>"
     "<meta property='og:site_name' content='Báo Cần Thơ Online'>", "Cấp nước sạch cho dân", "Cấp nước sạch cho dân"),
    ("<meta property='og:title' content='Giá lúa tăng nhẹ | VnExpress'><meta property='og:site_name' "
     "content='VnExpress'>", "Giá lúa tăng nhẹ", "Giá lúa tăng nhẹ"),
    # the suffix is stripped by comparison with another title even when the site name is unknown
    ("<title>Giá lúa tăng nhẹ ở miền Tây | Tin Mẫu</title><meta property='og:title' "
     "content='Giá lúa tăng nhẹ ở miền Tây'>", "", "Giá lúa tăng nhẹ ở miền Tây"),
    # a page whose only title is <title>
    ("<title>Cấp nước sạch cho dân - Báo Cần Thơ Online</title>", "", "Cấp nước sạch cho dân"),
    # guillemets quote, they separate nothing: the closing one stays, and so does the text after a quote
    ("<title>Macron : « Nous allons gagner cette bataille »</title>", "",
     "Macron : « Nous allons gagner cette bataille »"),
    ("<title>Grève : « C'est une journée noire » pour les usagers</title>", "",
     "Grève : « C'est une journée noire » pour les usagers"),
    ("<title>Macron : « Nous allons gagner » - Le Monde</title><meta property='og:site_name' content='Le Monde'>",
     "", "Macron : « Nous allons gagner »"),
    # a title whose dash is part of the headline keeps it (og:title and <title> are the same string)
    ("<title>Rückschlag im Titelkampf - Liverpool verliert bei Everton</title><meta property='og:title' "
     "content='Rückschlag im Titelkampf - Liverpool verliert bei Everton'>", "",
     "Rückschlag im Titelkampf - Liverpool verliert bei Everton"),
])
def test_site_name_is_not_part_of_the_title(head, h1, title):
    body = (f"<h1>{h1}</h1>" if h1 else "") + article_body(TEXT)
    assert extract_page(page(head, body), URL).title == title


def test_title_suffix_naming_the_host_with_diacritics_is_the_site_name():
    """``- Báo Cần Thơ`` on baocantho.example.vn, with no site name in the metadata; a headline opening
    with the place a host is named after (``Cần Thơ`` on cantho.example.vn) keeps it."""
    for host, title, want in (
            ("baocantho.example.vn", "Giá lúa tăng nhẹ ở miền Tây - Báo Cần Thơ", "Giá lúa tăng nhẹ ở miền Tây"),
            ("cantho.example.vn", "Cần Thơ đón hai triệu lượt khách - Tin mới",
             "Cần Thơ đón hai triệu lượt khách - Tin mới"),
            # a mobile host's "m" label names nothing (it is in "Tin mới nhất")
            ("m.example.vn", "Giá lúa tăng nhẹ ở miền Tây - Tin mới nhất hôm nay",
             "Giá lúa tăng nhẹ ở miền Tây - Tin mới nhất hôm nay")):
        head = f"<title>{title}</title><meta property='og:title' content='{title}'>"
        assert extract_page(page(head, article_body(TEXT)), f"https://{host}/xa-hoi/a.html").title == want


def test_social_title_loses_to_the_json_ld_headline_and_h1_layout_loses_to_metadata():
    head = ("<meta property='og:title' content='Bạn sẽ không tin điều xảy ra ở An Hòa'>"
            + ld('{"@type": "NewsArticle", "headline": "Dân An Hòa có nước sạch: dự án hoàn thành"}'))
    body = "<h1><span>Dân An Hòa có nước sạch</span> <span>: dự án hoàn thành</span></h1>" + article_body(TEXT)
    got = extract_page(page(head, body), URL)
    assert got.title == "Dân An Hòa có nước sạch: dự án hoàn thành"



@pytest.mark.parametrize(("og_title", "headline", "h1", "title"), [
    # the kicker printed in its own element: metadata joins it with a separator the h1 does not print
    # (the glued text "Hạn mặnNông dân …" must not pass for containing the shorter JSON-LD headline)
    ("Hạn mặn / Nông dân miền Tây trữ nước ngọt", "Nông dân miền Tây trữ nước ngọt",
     "<span>Hạn mặn</span>Nông dân miền Tây trữ nước ngọt",
     "Hạn mặn / Nông dân miền Tây trữ nước ngọt"),
    # metadata carries another kicker than the page: the headline both print is the title
    ("Mùa khô 2026: Nông dân miền Tây trữ nước ngọt", "Nông dân miền Tây trữ nước ngọt vào mùa khô",
     "<span class='overline'>Hạn mặn</span><span> - </span><span>Nông dân miền Tây trữ nước ngọt</span>",
     "Nông dân miền Tây trữ nước ngọt"),
])
def test_kicker_printed_apart_in_the_h1(og_title, headline, h1, title):
    head = (f"<meta property='og:title' content='{og_title}'>"
            + ld(f'{{"@type": "NewsArticle", "headline": "{headline}"}}'))
    got = extract_page(page(head, f"<h1>{h1}</h1>" + article_body(TEXT)), URL)
    assert got.title == title


def test_title_tag_backs_one_of_two_metadata_headlines_when_the_h1_matches_neither():
    head = ("<title>Giá điện tăng 4,8% từ hôm nay | Tin Mẫu</title>"
            "<meta property='og:title' content='Hóa đơn tiền điện của bạn sắp thay đổi'>"
            + ld('{"@type": "NewsArticle", "headline": "Giá điện tăng 4,8% từ hôm nay"}'))
    body = "<h1>Trực tiếp: EVN công bố biểu giá mới lúc 10 giờ</h1>" + article_body(TEXT)
    got = extract_page(page(head, body), URL)
    assert got.title == "Giá điện tăng 4,8% từ hôm nay" and got.provenance["title"] == "json-ld"

def test_headline_printed_in_an_hgroup_when_the_h1_belongs_to_the_breadcrumb():
    # the layout spends its <h1> on the breadcrumb trail; the reader sees the <hgroup> heading, which
    # agrees with the JSON-LD headline and not with the sharing title
    head = ("<meta property='og:title' content='Mất điện Cần Thơ: Đèn giao thông tắt – lưới điện an toàn không?'>"
            + ld('{"@type": "NewsArticle", "headline": "Đèn tắt, xe dừng: lưới điện miền Tây an toàn đến đâu?"}'))
    body = ("<nav class='breadcrumb'><h1>Mất điện Cần Thơ: Đèn giao thông tắt – lưới điện an toàn không?</h1></nav>"
            "<hgroup><p>Thời sự</p><h2>Đèn tắt, xe dừng: lưới điện miền Tây an toàn đến đâu?</h2></hgroup>"
            + article_body(TEXT))
    got = extract_page(page(head, body), URL)
    assert got.title == "Đèn tắt, xe dừng: lưới điện miền Tây an toàn đến đâu?"
    assert got.provenance["title"] == "json-ld"


@pytest.mark.parametrize(("head", "title"), [
    # metadata adds a section and the site's name after the headline the page prints
    ("<meta property='og:title' content='Giá lúa tăng nhẹ ở miền Tây - Kinh tế - Nông nghiệp - Báo Đồng Ruộng'>"
     "<title>Giá lúa tăng nhẹ ở miền Tây - Kinh tế - Nông nghiệp - Báo Đồng Ruộng</title>",
     "Giá lúa tăng nhẹ ở miền Tây"),
    ("<meta property='og:title' content='Giá lúa tăng nhẹ ở miền Tây: Tin, Ảnh, Video Nông Thôn'>",
     "Giá lúa tăng nhẹ ở miền Tây"),
    # an unaccented copy of the slug glued on with a bare dash
    ("<meta property='og:title' content='Giá lúa tăng nhẹ ở miền Tây-gia lua tang nhe o mien tay'>"
     "<title>Giá lúa tăng nhẹ ở miền Tây-gia lua tang nhe o mien tay</title>", "Giá lúa tăng nhẹ ở miền Tây"),
])
def test_printed_headline_wins_over_a_metadata_title_that_extends_it(head, title):
    got = extract_page(page(head, "<h1>Giá lúa tăng nhẹ ở miền Tây</h1>" + article_body(TEXT)), URL)
    assert got.title == title


def test_headline_whose_own_words_follow_a_colon_is_not_cut_to_a_short_h1():
    # a two-word h1 (a section label) is no headline the metadata title extends
    head = "<meta property='og:title' content='Hạn mặn: nông dân miền Tây trữ nước ngọt'>"
    got = extract_page(page(head, "<h1>Hạn mặn</h1>" + article_body(TEXT)), URL)
    assert got.title == "Hạn mặn: nông dân miền Tây trữ nước ngọt"


# --- dates -------------------------------------------------------------------------------------------

def test_date_only_json_ld_takes_the_printed_time():
    head = ld('{"@type": "NewsArticle", "headline": "Tiêu đề", "datePublished": "2026-03-07"}')
    body = "<h1>Tiêu đề</h1><div class='date'>Thứ Bảy, 7/3/2026 08:01 (GMT+7)</div>" + article_body(TEXT)
    got = extract_article(page(head, body), URL)
    assert got.published_at == datetime(2026, 3, 7, 8, 1, tzinfo=UTC7)
    assert got.published_raw == "Thứ Bảy, 7/3/2026 08:01 (GMT+7)"
    assert got.provenance["published_at"] == "json-ld+page-time" and got.provenance["published_tz"] == "page"


def test_local_time_takes_the_source_zone_else_the_other_dates_offset_else_utc_flagged():
    head = "<meta property='article:published_time' content='2026-03-07T08:01:00'>"
    body = "<h1>Tiêu đề</h1>" + article_body(TEXT)
    source = Source(name="mau", title="Mẫu", homepage="https://bao.example.vn/", feeds=("https://bao.example.vn/rss",),
                    timezone="Asia/Ho_Chi_Minh")
    with_source = extract_article(page(head, body), URL, source)
    assert with_source.published_at.utcoffset() == timedelta(hours=7)
    assert with_source.provenance["published_tz"] == "source"

    sibling = head + "<meta property='article:modified_time' content='2026-03-07T09:00:00+07:00'>"
    from_sibling = extract_article(page(sibling, body), URL)
    assert from_sibling.published_at == datetime(2026, 3, 7, 8, 1, tzinfo=UTC7)
    assert from_sibling.provenance["published_tz"] == "page-sibling"

    # no source, no offset on the page: the zone of the country the domain names, flagged as a guess
    by_country = extract_article(page(head, body), URL)
    assert by_country.published_at == datetime(2026, 3, 7, 8, 1, tzinfo=UTC7)
    assert by_country.provenance["published_tz"] == "assumed-country"
    summer = "<meta property='article:published_time' content='2026-07-07T08:01:00'>"
    berlin = extract_article(page(summer, body), "https://www.zeitung.example.de/politik/artikel.html")
    assert berlin.published_at == datetime(2026, 7, 7, 6, 1, tzinfo=UTC)  # CEST, UTC+2

    # a generic domain names no country, and English no zone: UTC, flagged
    english = "<h1>Tiêu đề</h1>" + article_body(ENGLISH)
    guessed = extract_article(page(head, english, lang="en"), "https://news.example.com/world/story.html")
    assert guessed.published_at == datetime(2026, 3, 7, 8, 1, tzinfo=UTC)
    assert guessed.provenance["published_tz"] == "assumed-utc"
    assert guessed.published_raw == "2026-03-07T08:01:00"


def test_local_time_on_a_generic_domain_takes_the_zone_of_the_pages_language_flagged():
    # no source, no offset, a .net host: a Vietnamese page's local time is Vietnam's, said to be a guess
    body = "<h1>Tiêu đề</h1><div class='date'>Thứ Bảy, 7/3/2026 08:01</div>" + article_body(TEXT)
    got = extract_article(page("", body, lang="vi"), "https://tin.example.net/xa-hoi/cap-nuoc.html")
    assert got.published_at == datetime(2026, 3, 7, 8, 1, tzinfo=UTC7)
    assert got.provenance["published_tz"] == "assumed-language"
    english = extract_article(page("", body.replace(TEXT, ENGLISH), lang="en"), "https://news.example.net/a.html")
    assert english.provenance["published_tz"] == "assumed-utc"  # a language of many zones names none


def test_gmt_plus_seven_in_english_form_is_east_of_utc():
    body = "<h1>Tiêu đề</h1><time datetime='Tue, 23 Jan 2018 22:19 GMT+7'>x</time>" + article_body(TEXT)
    got = extract_article(page("", body), URL)
    assert got.published_at == datetime(2018, 1, 23, 22, 19, tzinfo=UTC7)


@pytest.mark.parametrize("printed", [
    "Thứ Bảy, 7/3/2026, 17:08 (GMT+7)",  # the same instant converted: the clocks differ, nothing to restate
    "<time datetime='2026-03-07T10:08:25+07:00'>7/3/2026</time>",  # a machine timestamp, no printed line
])
def test_structured_offset_stays_when_the_printed_time_is_a_conversion_or_a_machine_stamp(printed):
    head = ld('{"@type": "NewsArticle", "headline": "Tiêu đề", "datePublished": "2026-03-07T10:08:25Z"}')
    body = f"<h1>Tiêu đề</h1><div class='date'>{printed}</div>" + article_body(TEXT)
    got = extract_article(page(head, body), URL)
    assert got.published_at == datetime(2026, 3, 7, 10, 8, 25, tzinfo=UTC)
    assert got.provenance["published_at"] == "json-ld"


# --- people, credits, captions ----------------------------------------------------------------------

def test_printed_byline_with_more_names_than_json_ld_wins():
    head = ld('{"@type": "NewsArticle", "headline": "Tiêu đề bài", "author": {"@type": "Person", "name": "Lê Hạnh"}}')
    body = ("<h1>Tiêu đề bài</h1><div class='meta'><a rel='author' href='mailto:tam@bao.example.vn'>"
            "<span>Minh</span> <span>Tâm</span></a> <a rel='author' href='mailto:hanh@bao.example.vn'>Lê Hạnh</a></div>"
            + article_body(TEXT))
    got = extract_article(page(head, body), URL)
    assert set(got.authors) == {"Minh Tâm", "Lê Hạnh"} and got.provenance["authors"] == "page"


def test_seo_label_gives_the_author_when_the_author_tag_is_an_address():
    head = ("<meta name='author' content='tam@bao.example.vn'>"
            "<meta name='twitter:label1' content='Written by'><meta name='twitter:data1' content='Minh Tâm'>"
            "<meta name='twitter:label2' content='Est. reading time'><meta name='twitter:data2' content='4 minutes'>")
    got = extract_article(page(head, "<h1>Tiêu đề bài</h1>" + article_body(TEXT)), URL)
    assert got.authors == ("Minh Tâm",)


def test_author_page_link_at_the_headline_when_metadata_names_only_the_outlet():
    head = ("<meta property='og:site_name' content='Bao Example'><meta name='author' content='Bao Example'>"
            "<meta name='keywords' content='x'>")
    body = ("<h1>Tiêu đề bài</h1><p class='info'>bởi <a href='/tac-gia/author/minh-tam'>Minh Tâm</a></p>"
            + article_body(TEXT) + "<div class='more'><a href='/author/other-person'>Người Khác</a></div>")
    got = extract_article(page(head, body), URL)
    assert got.authors == ("Minh Tâm",) and got.provenance["authors"] == "page"


def test_name_after_an_author_field_label():
    body = ("<h1>Tiêu đề bài</h1>" + article_body(TEXT)
            + "<ul class='facts'><li><strong>Ngày</strong> 07.03.2026</li>"
            "<li><strong>Tác giả:</strong> Minh Tâm</li></ul>")
    got = extract_article(page("", body), URL)
    assert got.authors == ("Minh Tâm",) and got.provenance["authors"] == "page"


@pytest.mark.parametrize(("printed", "authors"), [
    ("Von Anna Schmidt, Lille", ("Anna Schmidt",)),
    ("Von Anna Schmidt, Peter Müller", ("Anna Schmidt", "Peter Müller")),
])
def test_place_after_a_printed_byline_is_not_an_author(printed, authors):
    head = "<meta property='og:site_name' content='Bao Example'><meta name='author' content='Bao Example'>"
    body = f"<h1>Tiêu đề bài</h1><p class='byline'>{printed}</p>" + article_body(TEXT)
    got = extract_article(page(head, body), URL)
    assert got.authors == authors

def test_author_tag_naming_a_domain_and_a_place_names_nobody():
    head = "<meta name='author' content='bao.example.vn, Cần Thơ, Việt Nam'>"
    got = extract_article(page(head, "<h1>Tiêu đề bài</h1>" + article_body(TEXT)), URL)
    assert got.authors == ()


@pytest.mark.parametrize(("closing", "authors", "credit"), [
    ("Tin, ảnh: ANH DŨNG", ("Anh Dũng",), None),
    ("SONG NHI (Theo Medical News Today)", ("Song Nhi",), "Medical News Today"),
    ("Hà Thu (tổng hợp)", ("Hà Thu",), None),
    ("Theo TTXVN", (), "TTXVN"),
    ("Bài và ảnh: TRUNG KIÊN", ("Trung Kiên",), None),
])
def test_closing_byline_becomes_authors_and_source_credit(closing, authors, credit):
    body = "<h1>Tiêu đề bài</h1><div class='article-body'>" f"<p>{TEXT}</p><p>{TEXT2}</p><p>{closing}</p></div>"
    got = extract_article(page("", body), URL)
    assert got.authors == authors and got.source_credit == credit
    assert got.byline == closing and closing not in got.body


# A sharing widget between the text's container and the signature: the text reader stops at its container.
SHARE = "<div class='share-tools'><iframe src='about:blank'></iframe></div>"


@pytest.mark.parametrize(("signature", "authors", "credit"), [
    ("<div class='foot'><strong>HOÀNG NAM</strong></div>", ("Hoàng Nam",), None),  # bold, in capitals
    ("<p align='right'>Thu Trang</p>", ("Thu Trang",), None),  # right-aligned
    ("<div style='text-align: right'><i>Theo Lan Anh/Báo Mẫu</i></div>", ("Lan Anh",), "Báo Mẫu"),
])
def test_signature_under_the_text_outside_its_container_names_the_author(signature, authors, credit):
    body = f"<h1>Tiêu đề bài viết mẫu</h1>{article_body(TEXT, TEXT2)}{SHARE}{signature}"
    got = extract_article(page("", body), URL)
    assert got.authors == authors and got.source_credit == credit


def test_bold_line_followed_by_more_text_is_a_crosshead_not_a_signature():
    body = (f"<h1>Tiêu đề bài viết mẫu</h1><div class='article-body'><p>{TEXT}</p>"
            f"<p><strong>Nước Sạch Về Làng</strong></p><p>{TEXT2}</p></div>")
    assert extract_article(page("", body), URL).authors == ()


@pytest.mark.parametrize(("printed_at_top", "authors"), [
    ("<p class='meta'>Minh Tuấn</p>", ("Minh Tuấn",)),  # the page prints the JSON-LD author: it stands
    ("", ("Minh Tuấn",)),  # the signature on the page is looked for only when the metadata names nobody
])
def test_a_json_ld_author_stands_against_a_signature_on_the_page(printed_at_top, authors):
    head = ld('{"@type": "NewsArticle", "headline": "Tiêu đề bài viết mẫu", "author": {"name": "Minh Tuấn"}}')
    body = (f"<h1>Tiêu đề bài viết mẫu</h1>{printed_at_top}{article_body(TEXT, TEXT2)}{SHARE}"
            "<p><strong>HOÀNG NAM</strong></p>")
    assert extract_article(page(head, body), URL).authors == authors


def test_outlet_or_url_in_author_metadata_is_not_an_author():
    head = ("<meta property='og:site_name' content='Báo Mẫu'><meta name='author' content='Báo Mẫu'>"
            "<meta property='article:author' content='https://facebook.com/baomau'>")
    got = extract_article(page(head, "<h1>Tiêu đề</h1>" + article_body(TEXT)), URL)
    assert got.authors == ()
    organisation = ld('{"@type": "NewsArticle", "headline": "Tiêu đề", "author": [{"@type": "Person", '
                      '"name": "Lê Văn An"}, {"@type": "Organization", "name": "TTXVN"}]}')
    got = extract_article(page(organisation, "<h1>Tiêu đề</h1>" + article_body(TEXT)), URL)
    assert got.authors == ("Lê Văn An",) and got.source_credit == "TTXVN"


@pytest.mark.parametrize(("author", "authors", "credit"), [
    # the publisher declares its own newsroom as the author: an institutional author, not a source
    ('{"@type": "NewsMediaOrganization", "name": "Báo Mẫu"}', ("Báo Mẫu",), None),
    ('{"@type": "Organization", "name": "Ban Thời sự Báo Mẫu"}', ("Ban Thời sự Báo Mẫu",), None),
    ('{"@type": "Organization", "name": "bao.example.vn"}', ("bao.example.vn",), None),
    # another outlet or an agency is where the piece was taken from
    ('{"@type": "Organization", "name": "TTXVN"}', (), "TTXVN"),
    ('{"@type": "Organization", "name": "Reuters"}', (), "Reuters"),
    # a person-typed account named after the site is a template default, like the author meta tag
    ('{"@type": "Person", "name": "Báo Mẫu"}', (), None),
    # a person credited beside the newsroom is the author; the newsroom is not a source credit
    ('[{"@type": "Person", "name": "Lê Văn An"}, {"@type": "Organization", "name": "Báo Mẫu"}]',
     ("Lê Văn An",), None),
])
def test_newsroom_named_as_author_in_json_ld(author, authors, credit):
    head = ("<meta property='og:site_name' content='Báo Mẫu'>"
            + ld(f'{{"@type": "NewsArticle", "headline": "Tiêu đề", "author": {author}}}'))
    got = extract_article(page(head, "<h1>Tiêu đề</h1>" + article_body(TEXT)), URL)
    assert (got.authors, got.source_credit) == (authors, credit)


def test_figure_captions_and_widgets_stay_out_of_the_body():
    body = ("<h1>Tiêu đề</h1><article class='article-body'>"
            f"<p>{TEXT}</p><figure><img src='/a.jpg'><figcaption>Người dân nhận nước sạch.</figcaption></figure>"
            "<div class='box-share'>Chia sẻ bài viết</div><div class='related-news'><a href='/x'>Tin khác</a></div>"
            f"<div class='fact-box'><p>Dự án: 12 tỉ đồng, 3.000 hộ dân.</p></div><p>{TEXT2}</p>"
            "<p>Xem thêm</p></article>")
    got = extract_article(page("", body), URL)
    assert got.captions == ("Người dân nhận nước sạch.",)
    assert got.body.split("\n\n") == [TEXT.strip(), "Dự án: 12 tỉ đồng, 3.000 hộ dân.", TEXT2.strip()]


@pytest.mark.parametrize("lead_block", [
    "<p class='post-header__text__dek'>{}</p>",
    "<h2 class='doc_header__subheader'>{}</h2>",
])
def test_standfirst_named_by_the_last_part_of_a_compound_class(lead_block):
    # the search description is reworded; the sharing description repeats the printed standfirst
    head = ("<meta name='description' content='Thành phố hoàn thành tuyến ống cấp nước cho phường An Hòa.'>"
            "<meta property='og:description' content='Nước sạch về tận nhà: người dân An Hòa hết cảnh chờ xe bồn'>")
    standfirst = "Nước sạch về tận nhà: người dân An Hòa hết cảnh chờ xe bồn"
    body = ("<header><h1>Tiêu đề</h1>" + lead_block.format(standfirst) + "</header>"
            "<aside class='sidebar'><p class='card__summary'>Nước sạch về tận nhà ở quận khác, tin cũ</p></aside>"
            + article_body(TEXT, TEXT2))
    got = extract_article(page(head, body), URL)
    assert got.lead == standfirst
    assert got.body.split("\n\n") == [TEXT.strip(), TEXT2.strip()]


def test_lead_block_after_the_headline_is_kept_apart_and_a_teaser_box_is_not_the_lead():
    head = "<meta name='description' content='Người dân An Hòa có nước sạch sau nhiều tháng chờ đợi.'>"
    body = ("<div class='teaser'>Bóng đá: đội nhà thắng lớn trên sân khách tối qua</div>"
            "<h1>Tiêu đề</h1><p class='sapo'>(CT)- Người dân An Hòa có nước sạch sau nhiều tháng chờ đợi.</p>"
            + article_body(TEXT, TEXT2))
    got = extract_article(page(head, body), URL)
    assert got.lead == "Người dân An Hòa có nước sạch sau nhiều tháng chờ đợi." and got.dateline == "CT"
    assert got.body.split("\n\n") == [TEXT.strip(), TEXT2.strip()]


# --- image, language, profile -----------------------------------------------------------------------

def test_lead_image_is_absolute_against_base_href():
    head = "<base href='https://cdn.example.vn/media/'><meta property='og:image' content='2026/03/anh.jpg'>"
    got = extract_article(page(head, "<h1>Tiêu đề</h1>" + article_body(TEXT)), URL)
    assert got.image_url == "https://cdn.example.vn/media/2026/03/anh.jpg"


def test_language_from_the_page_else_the_detector():
    declared = extract_article(page("", "<h1>Tiêu đề</h1>" + article_body(TEXT), lang="vi-VN"), URL)
    assert declared.language == "vi" and declared.provenance["language"] == "page"
    undeclared = extract_article(page("<meta http-equiv='Content-Language' content='utf-8'>",
                                      "<h1>Water plan approved</h1>" + article_body(ENGLISH), lang=""), URL)
    assert undeclared.language == "en" and undeclared.provenance["language"] == "detector"


def test_source_profile_selectors_win_over_generic_signals():
    source = Source(name="mau", title="Mẫu", homepage="https://bao.example.vn/", feeds=("https://bao.example.vn/rss",),
                    timezone="Asia/Ho_Chi_Minh",
                    selectors=(("title", ".headline"), ("body", "#noi-dung"), ("authors", ".ten-tac-gia")))
    body = ("<h1>Logo của báo</h1><div class='headline'>Tiêu đề thật</div><div class='article-body'>"
            f"<p>{TEXT2}</p></div><div id='noi-dung'><p>{TEXT}</p></div><span class='ten-tac-gia'>Lê Văn An</span>")
    got = extract_article(page("", body), URL, source)
    assert got.title == "Tiêu đề thật" and got.provenance["title"] == "profile"
    assert got.body == TEXT.strip() and got.provenance["body"] == "profile"
    assert got.authors == ("Lê Văn An",) and got.provenance["authors"] == "profile"


def test_bytes_in_utf8_are_read_as_utf8_whatever_the_meta_says():
    html = page("<meta charset='iso-8859-1'>", "<h1>Giá lúa tăng nhẹ</h1>" + article_body(TEXT)).encode("utf-8")
    assert read_article(html, URL).title == "Giá lúa tăng nhẹ"


def test_signature_line_set_apart_at_the_end_is_the_byline():
    body = ("<h1>Tiêu đề bài</h1><article class='fck_detail'>"
            f"<p class='Normal'>{TEXT}</p><p class='Normal'>{TEXT2}</p>"
            "<p class='Normal' style='text-align:right;'><strong>Phương Anh</strong></p></article>")
    got = extract_article(page("", body), URL)
    assert got.authors == ("Phương Anh",) and got.byline == "Phương Anh"
    assert got.body.split("\n\n") == [TEXT.strip(), TEXT2.strip()]
    plain = body.replace(" style='text-align:right;'><strong>Phương Anh</strong>", ">Hà Nội")
    assert extract_article(page("", plain), URL).body.endswith("Hà Nội")  # a short line printed like the text


def test_agency_code_author_is_a_source_credit_and_outlet_names_match_without_diacritics():
    head = "<meta name='author' content='Lê Văn An, AFP'>"
    got = extract_article(page(head, "<h1>Tiêu đề</h1>" + article_body(TEXT)), URL)
    assert got.authors == ("Lê Văn An",) and got.source_credit == "AFP"
    outlet = extract_article(page("<meta name='author' content='Dân Trí'>", "<h1>Tiêu đề</h1>" + article_body(TEXT)),
                             "https://dantri.com.vn/xa-hoi/cap-nuoc.htm")
    assert outlet.authors == ()


def test_related_story_boxes_and_consent_embeds_are_not_text():
    body = ("<h1>Tiêu đề</h1><div class='article-body'>"
            f"<p>{TEXT}</p><h3>Mehr zum Thema:</h3><a href='/x'><div><h2>Großbrand in Osttirol</h2></div></a>"
            "<div class='box do-display-embed'><p>YouTube-Inhalte erlauben</p></div>"
            f"<p>{TEXT2}</p><p>Tin liên quan</p></div>")
    got = extract_article(page("", body), URL)
    assert got.body.split("\n\n") == [TEXT.strip(), TEXT2.strip()]


def test_template_lines_above_the_text_are_furniture_and_a_top_byline_is_kept():
    html = page("", "<h1>Feuerwehrleute sollen später in Pension</h1>"
                "<div class='article-body'><p>Artikel</p><p>Feuerwehrleute sollen später in Pension | wdr aktuell</p>"
                "<p>Stand: 22.04.2024, 06:00 Uhr</p><p>Von Nina Magoley</p>"
                f"<p>{ENGLISH}</p><p>{ENGLISH.upper()}</p></div>", lang="de")
    got = extract_article(html, "https://www1.wdr.de/nachrichten/feuerwehr.html")
    assert got.body.split("\n\n") == [ENGLISH.strip(), ENGLISH.upper().strip()]
    assert got.byline == "Von Nina Magoley" and got.authors == ("Nina Magoley",)


def test_calls_to_action_and_photo_credits_in_other_languages_stay_out_of_the_body():
    body = ("<h1>Council approves water plan</h1><div class='article-body'>"
            f"<p>{ENGLISH}</p><p>Foto: Stadt Köln</p><p>Sign up for our daily newsletter.</p>"
            f"<p>{ENGLISH.upper()}</p><p>Follow The Example Times on Google News.</p></div>")
    got = extract_article(page("", body, lang="en"), "https://times.example.com/water")
    assert got.body.split("\n\n") == [ENGLISH.strip(), ENGLISH.upper().strip()]
    assert got.captions == ("Foto: Stadt Köln",)


def test_layout_classes_that_name_furniture_words_do_not_hide_the_text():
    body = ("<h1>Council approves water plan</h1><article><div class='sidebar-grid'>"
            f"<div class='sidebar-grid__content article__content'><p>{ENGLISH}</p><p>{ENGLISH.upper()}</p></div>"
            "<aside class='sidebar'><p>Most read: another story that is not this one at all, with a long line.</p>"
            "</aside></div></article>")
    got = extract_article(page("", body, lang="en"), "https://times.example.com/water")
    assert got.body.split("\n\n") == [ENGLISH.strip(), ENGLISH.upper().strip()]


def test_reworded_standfirst_is_found_after_a_headline_printed_as_h2():
    head = ("<meta property='og:title' content='Dân An Hòa có nước sạch'><meta name='description' "
            "content='Sau nhiều tháng chờ đợi, người dân phường An Hòa đã có nước sạch từ đường ống mới.'>")
    body = ("<div class='teaser'>Bóng đá: đội nhà thắng lớn trên sân khách tối qua, người dân vui mừng</div>"
            "<h2>Dân An Hòa có nước sạch</h2><p>Người dân phường An Hòa đã có nước sạch từ đường ống mới "
            "sau nhiều tháng chờ đợi và mua nước bình.</p>" + article_body(TEXT, TEXT2))
    got = extract_article(page(head, body), URL)
    assert got.lead.startswith("Người dân phường An Hòa đã có nước sạch") and got.provenance["lead"] == "page"
    assert got.body.split("\n\n") == [TEXT.strip(), TEXT2.strip()]


# --- body text ---------------------------------------------------------------------------------------

def test_paragraph_the_author_repeats_stays_but_a_second_copy_of_the_text_does_not():
    day = "Bữa sáng: một chén yến mạch, một quả chuối, tám lạng sữa hạnh nhân không đường và một muỗng bơ đậu phộng."
    plan = [f"Ngày {n}" if n % 2 else day for n in range(1, 7)]
    body = "<h1>Thực đơn bảy ngày</h1>" + article_body(TEXT, *plan)
    got = extract_article(page("", body), URL)
    assert got.body.count(day) == 3
    copy = article_body(TEXT, TEXT2)  # the print/AMP copy a page carries in a second container of the same class
    got = extract_article(page("", "<h1>Thực đơn bảy ngày</h1>" + article_body(TEXT, TEXT2) + copy), URL)
    assert got.body.count(TEXT2.strip()) == 1


def test_quoted_post_stays_in_the_body_and_share_buttons_do_not():
    post = "Nước đã về tới xóm tôi sau ba năm chờ đợi, cảm ơn mọi người đã kiên nhẫn cùng chúng tôi"
    body = ("<h1>Tiêu đề bài</h1><div class='article-body'>" f"<p>{TEXT}</p>"
            f"<div class='social-media-embed'><blockquote class='twitter-tweet'><p>{post}</p></blockquote></div>"
            "<div class='social-share'><a href='#'>Chia sẻ lên Facebook ngay hôm nay cùng bạn bè</a></div>"
            f"<p>{TEXT2}</p></div>")
    got = extract_article(page("", body), URL)
    assert post in got.body and "Chia sẻ" not in got.body


def test_hover_card_inside_a_paragraph_is_not_text_but_the_name_it_hangs_on_is():
    card = ("<span class='person'><a href='/people/minh-tam'>Minh Tâm</a><span class='card'><img src='/p.jpg'>"
            "<a href='/a1'>Bài viết khác số một của tác giả</a><a href='/a2'>Bài viết khác số hai</a></span></span>")
    first = f"Ông {card} cho biết người dân phường An Hòa đã được hỗ trợ nước sạch trong mùa khô năm nay."
    body = "<h1>Tiêu đề bài</h1><div class='article-body'>" f"<p>{first}</p><p>{TEXT}</p><p>{TEXT2}</p></div>"
    got = extract_article(page("", body), URL)
    assert "Ông Minh Tâm cho biết người dân" in got.body and "Bài viết khác" not in got.body


@pytest.mark.parametrize("label", ["Comments", "Kommentare", "Leave a comment"])
def test_comment_section_heading_left_at_the_end_is_not_text(label):
    body = "<h1>Tiêu đề bài</h1>" + article_body(TEXT, TEXT2, label)
    got = extract_article(page("", body), URL)
    assert got.body.endswith(TEXT2.strip()) and label not in got.body


@pytest.mark.parametrize("closing", [
    "Share this on WhatsApp",
    "If you enjoyed this article, join our members for more stories like it every week.",
    "Write to Minh Tâm at tam@bao.example.vn",
])
def test_calls_to_action_closing_the_text_are_not_text(closing):
    got = extract_article(page("", "<h1>Tiêu đề bài</h1>" + article_body(TEXT, TEXT2, closing)), URL)
    assert got.body.endswith(TEXT2.strip())


# --- dates on Vietnamese pages: printed forms, midnights, placeholders, the source's date order ---------

SOURCE_VN = Source(name="mau", title="Mẫu", homepage="https://bao.example.vn/", feeds=("https://bao.example.vn/rss",),
                   timezone="Asia/Ho_Chi_Minh", language="vi")


def test_a_printed_time_replaces_a_structured_midnight_of_the_same_day():
    head = ld('{"@type": "NewsArticle", "datePublished": "2012-12-25T00:00:00+07:00"}')
    body = ("<h1>Tiêu đề bài</h1><div class='meta'><span class='pubdate'>Thứ Ba, 25/12/2012 - 10:03</span></div>"
            + article_body(TEXT))
    got = extract_article(page(head, body), URL)
    assert got.published_at == datetime(2012, 12, 25, 10, 3, tzinfo=UTC7)
    assert got.provenance["published_at"] == "json-ld+page-time"
    # another day printed: the structured midnight stands (the printed date is not this article's)
    other = body.replace("25/12/2012", "24/12/2012")
    assert extract_article(page(head, other), URL).published_at == datetime(2012, 12, 25, 0, 0, tzinfo=UTC7)


def test_the_printed_date_is_found_by_its_class_or_id_and_a_listed_storys_date_is_not_it():
    ticker = ("<div class='ticker'><a href='/other-story.html'>Học sinh lớp 11 bị lừa mua điện thoại - "
              "<label class='time'><span>16:10</span> | 26/12/2012</label></a></div>")
    printed = "<div class='email-print'><span class='spanTime'>Thứ năm, 20/12/2012, 10:18 GMT+7</span></div>"
    got = extract_article(page("", ticker + "<h1>Tiêu đề bài</h1>" + printed + article_body(TEXT)), URL)
    assert got.published_at == datetime(2012, 12, 20, 10, 18, tzinfo=UTC7) and got.provenance["published_at"] == "page"
    # an id naming the date, and a date link whose text is only the date (a day-archive link) counts
    linked = ("<h1>Tiêu đề bài</h1><a href='/date/d21/m12/y2012.chn'><span id='lblDattime'>21/12/2012 - 08:04</span>"
              "</a>" + article_body(TEXT))
    assert extract_article(page("", linked), URL).published_at == datetime(2012, 12, 21, 8, 4, tzinfo=UTC7)


def test_a_placeholder_or_future_date_falls_through_to_the_next_signal_and_is_flagged():
    head = ld('{"@type": "NewsArticle", "datePublished": "0001-01-01T00:00:00+00:00"}')
    body = "<h1>Tiêu đề bài</h1><span class='date'>07/03/2026 08:01</span>" + article_body(TEXT)
    got = extract_article(page(head, body), URL, SOURCE_VN)
    assert got.published_at == datetime(2026, 3, 7, 8, 1, tzinfo=UTC7)
    assert got.provenance["published_at"] == "page" and got.provenance["published_refused"] == "json-ld"
    future = ld('{"@type": "NewsArticle", "datePublished": "2206-03-07T08:01:00+07:00"}')
    alone = extract_article(page(future, "<h1>Tiêu đề bài</h1>" + article_body(TEXT)), URL, SOURCE_VN)
    assert alone.published_at is None and alone.provenance["published_refused"] == "json-ld"
    assert "published_at" not in alone.provenance


def test_every_implausible_signal_is_passed_over_in_order_and_a_feed_date_too():
    # JSON-LD's 0001-01-01 (a CMS's empty date) and a meta tag's 1970 epoch fall to the microdata date
    head = (ld('{"@type": "NewsArticle", "datePublished": "0001-01-01T00:00:00+00:00",'
               ' "dateModified": "0001-01-01T00:00:00+00:00"}')
            + "<meta property='article:published_time' content='1970-01-01T00:00:00Z'>"
            + "<meta property='article:modified_time' content='2026-03-07T09:00:00+07:00'>")
    body = ("<h1>Tiêu đề bài</h1><time itemprop='datePublished' datetime='2026-03-07T08:01:00+07:00'>7/3</time>"
            + article_body(TEXT))
    got = extract_article(page(head, body), URL, SOURCE_VN)
    assert got.published_at == datetime(2026, 3, 7, 8, 1, tzinfo=UTC7)
    assert got.provenance["published_at"] == "microdata" and got.provenance["published_refused"] == "json-ld,meta"
    assert got.modified_at == datetime(2026, 3, 7, 9, 0, tzinfo=UTC7) and got.provenance["modified_at"] == "meta"
    assert got.provenance["modified_refused"] == "json-ld"
    # no plausible date on the page: a plausible feed date fills it, a placeholder one is refused as well
    none_left = page(ld('{"@type": "NewsArticle", "datePublished": "0001-01-01T00:00:00+00:00"}'),
                     "<h1>Tiêu đề bài</h1>" + article_body(TEXT)).encode("utf-8")
    fed = read_article(none_left, URL, SOURCE_VN, published_hint=datetime(2026, 3, 7, 1, 0, tzinfo=UTC))
    assert fed.published_at == datetime(2026, 3, 7, 1, 0, tzinfo=UTC) and fed.provenance["published_at"] == "feed"
    placeholder = read_article(none_left, URL, SOURCE_VN, published_hint=datetime(1, 1, 1, tzinfo=UTC))
    assert placeholder.published_at is None and "published_at" not in placeholder.provenance
    assert placeholder.provenance["published_refused"] == "json-ld,feed"


def test_numeric_dates_are_day_first_unless_the_source_says_month_first():
    body = "<h1>Tiêu đề bài</h1><span class='date'>07/03/2026 08:01</span>" + article_body(TEXT)
    assert extract_article(page("", body), URL, SOURCE_VN).published_at == datetime(2026, 3, 7, 8, 1, tzinfo=UTC7)
    us = Source(name="us", title="US", homepage="https://bao.example.vn/", feeds=("https://bao.example.vn/rss",),
                timezone="Asia/Ho_Chi_Minh", date_order="mdy")
    assert extract_article(page("", body), URL, us).published_at == datetime(2026, 7, 3, 8, 1, tzinfo=UTC7)
    # the structured date decides which day a date-only value borrows its time from, in the source's order
    head = "<meta property='article:published_time' content='2026-07-03'>"
    got = extract_article(page(head, body), URL, us)
    assert got.published_at == datetime(2026, 7, 3, 8, 1, tzinfo=UTC7)
    assert got.provenance["published_at"] == "meta+page-time"


def test_a_date_only_itemprop_borrows_the_time_of_the_printed_line_around_it():
    line = ("<h1>Tiêu đề bài</h1><span class='fr'><meta itemprop='datePublished' content='2012-12-25'/>"
            "Thứ Ba, 25/12/2012 - 10:03</span>")
    got = extract_article(page("", line + article_body(TEXT)), URL, SOURCE_VN)
    assert got.published_at == datetime(2012, 12, 25, 10, 3, tzinfo=UTC7)
    # a video box's length beside the date is not a time of day
    video = ("<h1>Tiêu đề bài</h1><div class='clip'><time datetime='2024-04-22'>22.04.2024</time> Studio Nord. "
             "00:21 Min. Verfügbar bis 22.04.2026. Online.</div>")
    got = extract_article(page("", video + article_body(TEXT)), URL, SOURCE_VN)
    assert got.published_at == datetime(2024, 4, 22, 0, 0, tzinfo=UTC7)



# --- bylines at the end of the text -------------------------------------------------------------------

LONG = "Đoạn văn bản dài của bài báo kể lại sự việc đã diễn ra trong ngày hôm qua tại thành phố. " * 3


def test_a_right_aligned_signature_in_a_div_and_initials_are_the_byline():
    paragraphs = "".join(f"<p>{LONG} {i}</p>" for i in range(4))
    body = ("<h1>Tiêu đề bài</h1><div class='article-body'>" + paragraphs
            + "<div style='text-align:right;font-weight:bold'>K. Miên</div></div>")
    got = extract_article(page("", body), URL, SOURCE_VN)
    assert got.authors == ("K. Miên",) and "K. Miên" not in got.body
    initials = ("<h1>Tiêu đề bài</h1><div class='article-body'>" + paragraphs
                + "<p align='right'><strong>H.V.</strong></p></div>")
    got = extract_article(page("", initials), URL, SOURCE_VN)
    assert got.authors == ("H.V.",) and got.body.endswith("3")


def test_a_credited_byline_above_a_trailing_related_story_is_found_and_the_story_is_not_text():
    related = "Tính năng mới của ứng dụng bản đồ giúp người dùng theo dõi đường đi thuận tiện hơn mỗi ngày " * 2
    body = ("<h1>Tiêu đề bài</h1><div id='x1'>" + "".join(f"<p>{LONG} {i}</p>" for i in range(4))
            + "<p><span class='bold'>Ca Tiếu</span><span class='italic'>(theo online-tech-tips)</span></p>"
            + f"<p>{related}</p></div>")
    got = extract_article(page("", body), URL, SOURCE_VN)
    assert got.authors == ("Ca Tiếu",) and got.source_credit == "online-tech-tips"
    assert "Tính năng mới" not in got.body


def test_a_sub_heading_in_capitals_above_the_last_paragraphs_is_not_a_byline():
    body = ("<h1>Tiêu đề bài</h1><div id='x1'>" + "".join(f"<p>{LONG} {i}</p>" for i in range(4))
            + f"<p><strong>HAI BÊN ĐÃ THỐNG NHẤT</strong></p><p>{LONG} cuối</p><p>{LONG} hết</p></div>")
    got = extract_article(page("", body), URL, SOURCE_VN)
    assert got.authors == () and "HAI BÊN ĐÃ THỐNG NHẤT" in got.body and got.body.endswith("hết")


def test_a_keyword_link_in_running_text_stays_whatever_its_class_says():
    sentence = ("<p>Ngày 9-10, viện kiểm sát đã kháng nghị bản án sơ thẩm vụ <a href='/phap-luat/' class='cms-relate'>"
                f"tranh chấp</a> hợp đồng tín dụng giữa ngân hàng và hai vợ chồng.</p><p>{TEXT}</p>")
    related = "<p><a href='/khac.html' class='cms-relate'>Bài liên quan khác của chuyên mục</a></p>"
    got = extract_article(page("", "<h1>Tiêu đề bài</h1><div class='article-body'>" + sentence + related + "</div>"),
                          URL, SOURCE_VN)
    assert "bản án sơ thẩm vụ tranh chấp hợp đồng tín dụng" in got.body
    assert "Bài liên quan khác" not in got.body  # a related link standing alone is still furniture


def test_a_related_story_link_printed_in_the_standfirst_is_not_part_of_it():
    lead = ("<h2 class='sapo'>Tết Dương lịch được nghỉ 4 ngày liên tục từ 29/12/2012 đến hết ngày 1/1/2013."
            "<br><a href='/khac.htm'><b>&nbsp;&gt;&gt;&nbsp;Công chức được nghỉ 9 ngày dịp Tết</b></a></h2>")
    html = page("<meta name='description' content='Tết Dương lịch được nghỉ 4 ngày liên tục'>",
                "<h1>Tiêu đề bài</h1>" + lead + article_body(TEXT, TEXT2))
    got = extract_article(html, URL, SOURCE_VN)
    assert got.lead == "Tết Dương lịch được nghỉ 4 ngày liên tục từ 29/12/2012 đến hết ngày 1/1/2013."


def test_date_printed_in_vietnamese_words_is_the_printed_date():
    """``ngày 7 tháng 3 năm 2026`` in a date element: found as a printed date and read day, month, year."""
    body = "<h1>Tiêu đề bài viết mẫu</h1><span class='date'>Thứ Bảy, ngày 7 tháng 3 năm 2026 - 10:20</span>" \
           + article_body(TEXT, TEXT2)
    got = extract_article(page("", body), URL)
    assert got.published_at == datetime(2026, 3, 7, 10, 20, tzinfo=timezone(timedelta(hours=7)))


def test_date_printed_with_a_german_month_name_is_read_in_words():
    body = "<h1>Titel des Artikels hier</h1><span class='date'>Samstag, 7. März 2026, 10:20 Uhr</span>" \
           + article_body(TEXT, TEXT2)
    got = extract_article(page("", body, lang="de"), "https://zeitung.example.de/politik/artikel.html")
    assert got.published_at == datetime(2026, 3, 7, 10, 20, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.mark.parametrize(("printed", "authors"), [
    ("Tekst: Ola Nordmann", ("Ola Nordmann",)),  # a label and a colon: the name was refused for its colon
    ("By John Smith | Reporter", ("John Smith",)),  # a job title beside the name is not a second author
    ("Von Anna Schmidt aus Berlin", ("Anna Schmidt",)),
])
def test_printed_byline_gives_the_names_without_labels_roles_or_places(printed, authors):
    body = f"<h1>Council approves the water plan</h1><p class='byline'>{printed}</p>" + article_body(TEXT, TEXT2)
    assert extract_article(page("", body, lang="en"), "https://news.example.com/a.html").authors == authors


@pytest.mark.parametrize("account", ["admin", "jdadmin", "Webmaster", "Гость"])
def test_a_cms_account_named_as_author_is_no_author(account):
    """The account that filed the piece (``admin``, a guest account) is not who wrote it."""
    head = ld('{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Tiêu đề bài viết mẫu",'
              f' "author": {{"@type": "Person", "name": "{account}"}}}}')
    got = extract_article(page(head, "<h1>Tiêu đề bài viết mẫu</h1>" + article_body(TEXT, TEXT2)), URL)
    assert got.authors == ()
