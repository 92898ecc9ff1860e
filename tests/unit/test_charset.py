"""Bytes to text: declared, detected or refused; never mojibake. And reading Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from tasks.errors import DecodeError
from tasks.fetch.client import _retry_after
from tasks.fetch.decode import decode_html
from tasks.text import clean
from tests.sites.faults import windows_1258

TEXT = ("<html><head><title>Nông dân Cần Thơ thu hoạch lúa</title></head><body><p>Người dân phường Hưng Phú "
        "đã chuẩn bị kỹ lưỡng cho vụ lúa đông xuân; giá lúa tăng nhẹ so với cùng kỳ năm trước.</p></body></html>")


@pytest.mark.parametrize(("body", "content_type", "how"), [
    (TEXT.encode(), "text/html; charset=utf-8", "utf-8 (as declared)"),
    (TEXT.encode(), "text/html", "utf-8 (as declared)"),
    (TEXT.encode(), "text/html; charset=windows-1258", "but the bytes are utf-8"),
    (b"\xef\xbb\xbf" + TEXT.encode(), "text/html; charset=windows-1258", "utf-8 (bom)"),
    (windows_1258(TEXT), "text/html; charset=windows-1258", "windows-1258 (header)"),
    (windows_1258(TEXT.replace("<head>", '<head><meta charset="windows-1258">')), "text/html", "windows-1258 (meta)"),
    (windows_1258(TEXT), "text/html; charset=utf-8", "(detected)"),
])
def test_vietnamese_comes_out_right(body, content_type, how):
    text, used = decode_html(body, content_type)
    assert how in used
    assert "Nông dân Cần Thơ thu hoạch lúa" in clean(text)


def test_utf8_read_as_windows_1252_is_refused():
    garbled = TEXT.encode().decode("cp1252", errors="replace").encode()
    with pytest.raises(DecodeError, match="mojibake"):
        decode_html(garbled, "text/html; charset=utf-8")


def test_mojibake_inside_a_script_is_not_the_pages_text():
    """A UTF-8 page whose ad script carries comments double-encoded by their author is read, not refused."""
    script = "<script>// nÃ£o houver espaÃ§o atÃ© o final da funÃ§Ã£o</script><!-- Ã©tÃ© -->"
    text, used = decode_html(TEXT.replace("</head>", script + "</head>").encode(), "text/html; charset=utf-8")
    assert used == "utf-8 (as declared)" and "Nông dân Cần Thơ" in text
    garbled = TEXT.encode().decode("cp1252", errors="replace")
    with pytest.raises(DecodeError, match="mojibake"):  # the same comments beside garbled text change nothing
        decode_html((garbled + script).encode(), "text/html; charset=utf-8")


def test_an_xml_declaration_is_dropped_so_lxml_accepts_the_text():
    text, _ = decode_html(b'<?xml version="1.0" encoding="utf-8"?>\n<html><body>x</body></html>', "")
    assert text.lstrip().startswith("<html>")


def test_retry_after_in_seconds_or_as_an_http_date():
    assert _retry_after("7") == 7.0
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 28 <= _retry_after(when) <= 30
    assert _retry_after("soon") is None and _retry_after(None) is None
