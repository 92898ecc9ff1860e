"""Bylines, datelines and names as the warehouse stores them."""

import pytest

from tasks.extract.conventions import is_widget_label, looks_like_byline
from tasks.normalise import (
    CARRIED_FIELDS,
    content_hash,
    language_code,
    normalise_article,
    parse_byline,
    split_byline,
    split_dateline,
)
from tasks.records import ExtractedPage
from tasks.text import clean, title_case_name


@pytest.mark.parametrize(("byline", "authors"), [
    ("Tin, ảnh: ANH DŨNG", ("Anh Dũng",)),
    ("Bài, ảnh: CHÂU NGỌC ĐIỀN", ("Châu Ngọc Điền",)),
    ("Bài và ảnh: GIA BẢO", ("Gia Bảo",)),
    ("Bài: MỸ THANH - Ảnh: DUY KHÔI", ("Mỹ Thanh", "Duy Khôi")),
    ("KHÁNH TRUNG", ("Khánh Trung",)),
    ("Ngọc Hân - Bảo Trân", ("Ngọc Hân", "Bảo Trân")),
    ("Minh Khôi", ("Minh Khôi",)),
    ("Bài: ĐỨC ANH, HOÀI PHƯƠNG", ("Đức Anh", "Hoài Phương")),
    # initials keep their capitals and their closing full stop
    ("H.V.", ("H.V.",)),
    ("K. MIÊN", ("K. Miên",)),
    ("Tin, ảnh: NHẬT XUÂN - T.H.", ("Nhật Xuân", "T.H.")),
    # a desk or a role is not a person
    ("Nhóm PV", ()),
    ("PV", ()),
    # a label and a colon, in any language, before the names
    ("Autor: Jan Kowalski", ("Jan Kowalski",)),
    ("Redaktion: Marcus Bensmann, Elena Müller", ("Marcus Bensmann", "Elena Müller")),
    ("Text: Max Muster, Fotos: Erika Muster", ("Max Muster", "Erika Muster")),
    ("Written by Anna Nowak", ("Anna Nowak",)),
    # a job title beside the name, the place it was filed from, an editor: no author
    ("By Jane Doe, Staff Writer", ("Jane Doe",)),
    ("Jane Doe, Senior Correspondent", ("Jane Doe",)),
    ("By Jane Doe in London", ("Jane Doe",)),
    ("Reporting by Jane Doe; Editing by John Roe", ("Jane Doe",)),
])
def test_byline_to_authors(byline, authors):
    assert parse_byline(byline) == authors


@pytest.mark.parametrize(("lead", "dateline", "rest"), [
    ("(CT)- Ngày 23-1-2018, tập thể", "CT", "Ngày 23-1-2018, tập thể"),
    ("(Dân trí) - Sáng nay", "Dân trí", "Sáng nay"),
    ("(NLĐO)-Chiều 5-3", "NLĐO", "Chiều 5-3"),
    ("(Chinhphu.vn) - Thủ tướng", "Chinhphu.vn", "Thủ tướng"),
    ("TTO - Sáng 7-3", "TTO", "Sáng 7-3"),
    ("VOV.VN - Chiều nay", "VOV.VN", "Chiều nay"),
    ("Ngày 5 - 3 vừa qua", None, "Ngày 5 - 3 vừa qua"),
])
def test_dateline_is_split_from_lead(lead, dateline, rest):
    assert split_dateline(lead) == (dateline, rest)


def test_clean_is_nfc_without_invisibles():
    decomposed = "Cần Tho\u0302\u0300"  # "Thồ" written with combining marks
    assert clean(f"\ufeff  {decomposed}\u200b \u00a0 x ") == "Cần Thồ x"


def test_title_case_keeps_mixed_case_names():
    assert title_case_name("ANH DŨNG") == "Anh Dũng"
    assert title_case_name("Lê Văn An") == "Lê Văn An"


@pytest.mark.parametrize(("text", "expected"), [
    ("Tin, ảnh: ANH DŨNG", True), ("THU SƯƠNG", True), ("Chia sẻ bài viết", False),
    ("Theo kế hoạch, kiểm điểm sẽ diễn ra hết ngày 24-1-2018.", False), ("HĐND THÀNH PHỐ HỌP.", False),
])
def test_byline_detection(text, expected):
    assert looks_like_byline(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Chia sẻ bài viết", True), ("Xem thêm: Cần Thơ đón 2 triệu khách", True), ("Mehr zum Thema:", True),
    ("分享让更多人看到", True), ("分享到：", True),
    ("Are protests breaking out in your area? Get in touch at webnews@example.co.uk", True),  # a call for tips
    ("Chia sẻ của người dân về dự án nước sạch cho thấy nhiều hộ vẫn thiếu nước.", False),
    ("分享经济在中国发展迅速，许多城市的共享单车数量已经超过百万辆。", False),
])
def test_widget_labels(text, expected):
    assert is_widget_label(text) is expected


def test_language_code_and_hash():
    assert language_code("vi-VN") == "vi" and language_code("vi_VN") == "vi" and language_code("x") is None
    assert content_hash("A", "b", "c") == content_hash(" A ", "b", "c")
    assert content_hash("A", "b", "c") != content_hash("A", "b", "c d")


def test_fields_a_page_and_the_record_share_are_carried_as_extracted():
    page = ExtractedPage(url="http://127.0.0.1/a.html", title="Tiêu đề", paragraphs=("Một.",), section="Thời sự",
                         tags=("Cần Thơ",), image_url="http://127.0.0.1/a.jpg", published_raw="hôm qua",
                         modified_raw="hôm nay")
    article = normalise_article(page)
    assert (article.section, article.tags, article.image_url, article.published_raw, article.modified_raw) == (
        "Thời sự", ("Cần Thơ",), "http://127.0.0.1/a.jpg", "hôm qua", "hôm nay")
    assert {"section", "tags", "image_url", "published_raw", "modified_raw"} <= set(CARRIED_FIELDS)


@pytest.mark.parametrize(("byline", "authors", "credit"), [
    ("Theo Sầm Hoa (Vietnamnet/Reuters)", ("Sầm Hoa",), "Vietnamnet/Reuters"),  # a writer at another outlet
    ("Theo Minh Nguyễn/Vcamp.vn", ("Minh Nguyễn",), "Vcamp.vn"),
    ("Theo Ngoisao", (), "Ngoisao"),  # an outlet alone
    ("Theo TTXVN/Vietnam+", (), "TTXVN/Vietnam+"),  # agencies both
    ("Ca Tiếu(theo online-tech-tips)", ("Ca Tiếu",), "online-tech-tips"),
    ("Hà Thu (tổng hợp)", ("Hà Thu",), None),
    ("Nguồn: VTV", (), "VTV"),  # a credit word's colon is no label
])
def test_credit_words_leave_the_names_and_the_outlet_goes_to_source_credit(byline, authors, credit):
    assert split_byline(byline) == (authors, credit)


def test_author_metadata_with_a_credit_word_is_read_like_a_byline():
    def record(*values: str):
        page = ExtractedPage(url="https://bao.example.vn/a.html", title="T", lead=None, paragraphs=("Văn bản.",),
                             captions=(), byline=None, meta_authors=values)
        return normalise_article(page)

    got = record("Theo Sầm Hoa (Vietnamnet/Reuters)")
    assert got.authors == ("Sầm Hoa",) and got.source_credit == "Vietnamnet/Reuters"
    outlet = record("Theo Ngoisao")
    assert outlet.authors == () and outlet.source_credit == "Ngoisao"
    assert record("Nhóm PV").authors == ()


def test_a_signature_naming_only_the_first_writer_gives_way_to_the_metadata_naming_all():
    def record(byline: str, *values: str):
        page = ExtractedPage(url="https://bao.example.vn/a.html", title="T", lead=None, paragraphs=("Văn bản.",),
                             captions=(), byline=byline, meta_authors=values, provenance={"meta_authors": "json-ld"})
        return normalise_article(page)

    both = record("THUẬN VĂN", "THUẬN VĂN, LÊ ÁNH")
    assert both.authors == ("Thuận Văn", "Lê Ánh") and both.provenance["authors"] == "json-ld"
    # metadata naming someone else (an editor) does not replace the signature
    other = record("THUẬN VĂN", "Nguyễn Biên Tập")
    assert other.authors == ("Thuận Văn",) and other.provenance["authors"] == "byline"
