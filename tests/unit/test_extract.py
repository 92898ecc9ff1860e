"""Extraction rules that hold beyond the sample sites' two templates."""

import pytest

from tasks.errors import ExtractError
from tasks.extract.article import extract_page

TEXT = "Người dân phường An Hòa đã được hỗ trợ nước sạch trong mùa khô năm nay. " * 4
TEXT2 = "Mỗi hộ được cấp hai bồn chứa và được hướng dẫn cách xử lý nước trước khi dùng cho sinh hoạt. " * 3


def page(head: str = "", body: str = "") -> str:
    return f"<html lang='vi'><head>{head}</head><body>{body}</body></html>"


def test_title_from_title_tag_loses_the_site_name_when_there_is_no_h1():
    html = page("<title>Cấp nước sạch cho dân - Báo Cần Thơ Online</title>", f"<div><p>{TEXT}</p></div>")
    got = extract_page(html, "https://x.vn/a.html")
    assert got.title == "Cấp nước sạch cho dân" and got.provenance["title"] == "meta"


def test_json_ld_in_graph_with_trailing_comma_is_read():
    ld = """<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
      {"@type": "WebSite", "name": "X"},
      {"@type": ["NewsArticle"], "headline": "Tiêu đề", "datePublished": "2026-03-07T08:01:00+07:00",
       "author": [{"@type": "Person", "name": "Lê Văn An"}], "articleSection": "Xã hội",},
    ]}</script>"""
    got = extract_page(page(ld, f"<article><p>{TEXT}</p></article>"), "https://x.vn/a.html")
    assert got.title == "Tiêu đề" and got.provenance["title"] == "json-ld"
    assert got.published_raw == "2026-03-07T08:01:00+07:00" and got.provenance["published_at"] == "json-ld"
    assert got.meta_authors == ("Lê Văn An",) and got.section == "Xã hội"


def test_photo_credit_paragraph_is_a_caption_and_capitals_byline_is_split_off():
    body = (f"<h1>Tiêu đề</h1><div class='noidung'><p>{TEXT}</p><p><img src='/a.jpg'></p>"
            f"<p>Ảnh: Lực lượng chức năng kiểm tra hiện trường.</p><p>{TEXT2}</p><p><b>HOÀI PHƯƠNG</b></p>"
            "<div class='box-share'>Chia sẻ bài viết</div></div>")
    got = extract_page(page(body=body), "https://x.vn/a.html")
    assert got.captions == ("Ảnh: Lực lượng chức năng kiểm tra hiện trường.",)
    assert got.byline == "HOÀI PHƯƠNG"
    assert got.paragraphs == (TEXT.strip(), TEXT2.strip())


@pytest.mark.parametrize("caption", [
    "Das Wohn- und Pflegeheim in Nußdorf © Gemeinde Nußdorf",  # a caption signed with its rights holder
    "© dpa-infocom, dpa:230428-99-483045/5",  # an agency's rights line under the text
])
def test_line_ending_in_a_copyright_is_a_caption_not_text(caption):
    body = f"<h1>Tiêu đề</h1><div class='noidung'><p>{TEXT}</p><p>{caption}</p><p>{TEXT2}</p></div>"
    got = extract_page(page(body=body), "https://x.vn/a.html")
    assert got.captions == (caption,)
    assert got.paragraphs == (TEXT.strip(), TEXT2.strip())


def test_sentence_naming_a_copyright_stays_text():
    said = "Der Verlag hält das © an dem Bild, sagte die Sprecherin am Montag in Berlin."
    body = f"<h1>Tiêu đề</h1><div class='noidung'><p>{TEXT}</p><p>{said}</p><p>{TEXT2}</p></div>"
    assert extract_page(page(body=body), "https://x.vn/a.html").paragraphs == (TEXT.strip(), said, TEXT2.strip())


@pytest.mark.parametrize("note", [
    "Do you have a story to tell? Email: tips@example.com",
    "Wir freuen uns über Leserbriefe an leserbriefe@zeitung.example.de.",
])
def test_call_for_tips_ending_in_an_address_is_not_text(note):
    body = f"<h1>Tiêu đề</h1><div class='noidung'><p>{TEXT}</p><p>{TEXT2}</p><p>{note}</p></div>"
    assert extract_page(page(body=body), "https://x.vn/a.html").paragraphs == (TEXT.strip(), TEXT2.strip())


def test_sentence_giving_an_address_midway_stays_text():
    said = "Die Polizei bittet unter hinweise@polizei.example.de um Hinweise und sucht weitere Zeugen."
    body = f"<h1>Tiêu đề</h1><div class='noidung'><p>{TEXT}</p><p>{said}</p><p>{TEXT2}</p></div>"
    assert extract_page(page(body=body), "https://x.vn/a.html").paragraphs == (TEXT.strip(), said, TEXT2.strip())


def test_relative_image_and_canonical_resolve_against_base_href():
    head = "<base href='https://cdn.x.vn/news/'><meta property='og:image' content='img/a.jpg'>" \
           "<link rel='canonical' href='/bai/a.html'>"
    got = extract_page(page(head, f"<h1>T</h1><div><p>{TEXT}</p></div>"), "https://x.vn/a.html?utm_source=z")
    assert got.image_url == "https://cdn.x.vn/news/img/a.jpg"
    assert got.canonical_url == "https://cdn.x.vn/bai/a.html"


@pytest.mark.parametrize(("html", "reason"), [
    ("", "empty document"),
    (page(body=f"<div><p>{TEXT}</p></div>"), "no title found"),
    (page(body="<h1>Tiêu đề</h1><nav><p>Trang chủ</p></nav>"), "no article text found"),
])
def test_pages_without_an_article_say_why(html, reason):
    with pytest.raises(ExtractError, match=reason):
        extract_page(html, "https://x.vn/")
