"""Where the article text starts and ends: a page in, its body paragraphs and lead out.

The first paragraph of the text is often what the description metadata repeats (a CMS fills the
description from it); printed like the paragraphs after it, it is text, not a standfirst.
"""

from __future__ import annotations

from tasks.extract.article import extract_page

FIRST = ("The city council approved the new water supply plan on Tuesday after a long debate about "
         "the cost of the pipes.")
SECOND = ("Work in the eastern districts starts next month, and the first households should be connected "
          "before the dry season, the council said in a statement after the vote. ") * 3
THIRD = "Residents who asked for a connection last year will be served first, in the order of their requests. " * 3
URL = "https://news.example.com/city/water-plan.html"


def page(description: str, body: str) -> str:
    return (f"<html lang='en'><head><meta name='description' content='{description}'></head>"
            f"<body><h1>Council approves water plan</h1>{body}</body></html>")


def test_first_paragraph_the_description_repeats_stays_in_the_body():
    html = page(FIRST, f"<div class='article-body'><p>{FIRST}</p><p>{SECOND}</p><p>{THIRD}</p></div>")
    got = extract_page(html, URL)
    assert got.paragraphs == (FIRST, SECOND.strip(), THIRD.strip())
    assert got.lead is None


def test_first_paragraph_before_an_ad_slot_is_text_like_the_next():
    """An ad slot between the first and second paragraph does not make the first one a standfirst."""
    body = (f"<div class='story'><p>{FIRST}</p><div class='ad-slot'><span>Advertisement</span></div>"
            f"<p>{SECOND}</p><p>{THIRD}</p></div>")
    got = extract_page(page(FIRST, body), URL)
    assert got.paragraphs[0] == FIRST
    assert got.lead is None


def test_a_standfirst_printed_apart_is_still_the_lead():
    body = (f"<p class='summary-text'>{FIRST}</p><div class='story'><p>{SECOND}</p><p>{THIRD}</p></div>")
    got = extract_page(page(FIRST, body), URL)
    assert got.lead == FIRST
    assert got.paragraphs[0] == SECOND.strip()


LETTER = ("Tôi năm nay 29 tuổi, đã lấy vợ được 5 năm, có một đứa con trai rất ngoan.",
          "Vợ chồng tôi rất thương yêu nhau và dành hết tình cảm cho cháu, từ khi còn học cấp hai. "
          "Chúng tôi quen nhau từ nhỏ, thời mà tình yêu chỉ đơn giản và trong sáng.",
          "Bây giờ tôi phải làm sao cho đúng, mong mọi người cho tôi một lời khuyên. Tôi xin chân thành cảm ơn!")
OTHER_STORY = ("Anh cặp bồ rất công khai, không một chút e dè hay giấu giếm, chửi tôi không tiếc lời trước mặt "
               "người đó. ") * 2


def test_a_figure_inside_a_custom_element_is_a_caption_not_a_paragraph():
    """A web component (``<x-lightbox>``) wrapping a figure is a block: its caption stays out of the text."""
    figure = ("<x-lightbox><figure><img src='/a.png'><figcaption>The new pipes are laid along the river."
              "</figcaption></figure></x-lightbox>")
    html = page("A water plan.", f"<div class='article-body'><p>{SECOND}</p>{figure}<p>{THIRD}</p></div>")
    got = extract_page(html, URL)
    assert got.paragraphs == (SECOND.strip(), THIRD.strip())
    assert got.captions == ("The new pipes are laid along the river.",)


def test_a_sub_heading_anchored_for_the_table_of_contents_is_kept():
    """A sub-heading's id (``nav_…``) is an anchor a table of contents links to, not a menu."""
    html = page("A water plan.", f"<div class='article-body'><p>{SECOND}</p>"
                                 "<h3 id='nav_what_changes__0'>What changes for residents</h3>"
                                 f"<p>{THIRD}</p></div>")
    got = extract_page(html, URL)
    assert got.paragraphs == (SECOND.strip(), "What changes for residents", THIRD.strip())


CAPTIONS = ("Leila Lopes bước lên sân khấu trao lại vương miện cho tân hoa hậu, tối 19/12.",
            "Hình ảnh mới của cô rất khác so với những đêm trước đó, với mái tóc vừa cắt ngắn.",
            "Năm ngoái, cô từng gây bất ngờ khi đăng quang, vượt qua nhiều nhan sắc nổi trội khác.",
            "Có lẽ, cô hợp hơn với mái tóc xoăn dài. Kiểu tóc này khiến cô trông rất sang trọng.")


def test_text_the_generic_reader_finds_keeps_its_first_paragraph_when_a_line_precedes_it():
    """No container holds the text; the generic reader's text opens with a kicker line, then the first
    paragraph, which the description rewords: printed like the next, that paragraph is text, once."""
    kicker = "Pipes for the eastern districts are ordered this week"
    html = ("<html lang='en'><head><meta name='description' content='The council approved the water plan "
            "after a debate about the cost of the pipes.'></head><body><div class='wrap'>"
            f"<p>{kicker}</p><h1>Council approves water plan</h1><p>{FIRST}</p><p>{SECOND}</p><p>{THIRD}</p>"
            "</div></body></html>")
    got = extract_page(html, URL)
    assert got.provenance["body"] == "fallback"
    assert got.lead is None
    assert got.paragraphs.count(FIRST) == 1
