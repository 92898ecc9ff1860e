"""The furniture vocabulary: one module, two readers' word lists built from the same concept groups."""

import pytest
from lxml import etree

from tasks.extract import furniture
from tasks.extract.furniture import ARTICLE_JUNK_WORDS, LISTING_FURNITURE_WORDS, in_junk, junk_words


@pytest.mark.parametrize("token", ["box-share", "social", "ads", "most-read", "breadcrumb", "nav"])
def test_both_readers_know_the_shared_words(token):
    assert ARTICLE_JUNK_WORDS.search(token) and LISTING_FURNITURE_WORDS.search(token)


def test_the_readers_differ_where_measured():
    assert LISTING_FURNITURE_WORDS.search("site-header") and not ARTICLE_JUNK_WORDS.search("site-header")
    assert ARTICLE_JUNK_WORDS.search("box-related") and not LISTING_FURNITURE_WORDS.search("box-related")
    assert LISTING_FURNITURE_WORDS.search("banner2") and not ARTICLE_JUNK_WORDS.search("banner2")


def test_words_are_whole_words():
    for pattern in (ARTICLE_JUNK_WORDS, LISTING_FURNITURE_WORDS):
        assert not pattern.search("navigator") and not pattern.search("shared-x") and not pattern.search("headers")
    assert not ARTICLE_JUNK_WORDS.search("57cf5fec-247c-4e61-ad4f-e6a0adf0c844")  # a UUID is not an advert


def test_an_empty_group_is_refused():
    with pytest.raises(ValueError, match="empty"):
        furniture._words(furniture.NAVIGATION, ())


def test_layout_words_exempt_a_token_and_landmarks_put_text_outside():
    root = etree.fromstring('<html><body><div class="article-comments-wrapper"><p>a</p></div>'
                            '<aside><p>b</p></aside><header><h1>t</h1></header></body></html>')
    wrapper, aside_p, h1 = root.find(".//div"), root.find(".//aside/p"), root.find(".//h1")
    assert not junk_words(wrapper)
    assert in_junk(aside_p) and not in_junk(h1)
