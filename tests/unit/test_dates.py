"""Dates as Vietnamese pages print them become the right instant."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tasks.dates import has_offset, is_midnight, parse_date, plausible

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC7 = timezone(timedelta(hours=7))


@pytest.mark.parametrize(("raw", "expected"), [
    ("23/01/2018 - 22:19", datetime(2018, 1, 23, 22, 19, tzinfo=UTC7)),
    ("Thứ Ba, 23/1/2018 22:19 (GMT+7)", datetime(2018, 1, 23, 22, 19, tzinfo=UTC7)),
    ("07/03/2026 08:01 GMT+7", datetime(2026, 3, 7, 8, 1, tzinfo=UTC7)),
    ("07-03-2026 - 00:01 AM", datetime(2026, 3, 7, 0, 1, tzinfo=UTC7)),
    ("Cập nhật: 07/03/2026 12:30 PM", datetime(2026, 3, 7, 12, 30, tzinfo=UTC7)),
    ("Chủ nhật, 8/3/2026, 07:05 (GMT+7)", datetime(2026, 3, 8, 7, 5, tzinfo=UTC7)),
    ("2018-01-23T22:19:00", datetime(2018, 1, 23, 22, 19, tzinfo=UTC7)),
    ("2018-01-23T15:19:00Z", datetime(2018, 1, 23, 22, 19, tzinfo=UTC7)),
    ("2018-01-23T22:19:00+07:00", datetime(2018, 1, 23, 22, 19, tzinfo=UTC7)),
    ("Tue, 23 Jan 2018 15:19:00 GMT", datetime(2018, 1, 23, 22, 19, tzinfo=UTC7)),
    ("Tue, 23 Jan 2018 22:19:00 +0700", datetime(2018, 1, 23, 22, 19, tzinfo=UTC7)),
    # the date in words: day, then "tháng" (month) and its number, then the year
    ("Thứ Bảy, ngày 7 tháng 3 năm 2026 10:20", datetime(2026, 3, 7, 10, 20, tzinfo=UTC7)),
    ("Ngày 7 tháng 3 năm 2026", datetime(2026, 3, 7, tzinfo=UTC7)),
    ("Cập nhật 20:15 ngày 12 tháng 11 năm 2025 (GMT+7)", datetime(2025, 11, 12, 20, 15, tzinfo=UTC7)),
])
def test_same_instant(raw, expected):
    value = parse_date(raw, VN)
    assert value is not None and value.tzinfo is not None
    assert value == expected


def test_gmt_plus_is_east_of_utc_not_posix_inverted():
    assert parse_date("23/01/2018 22:19 GMT+7", ZoneInfo("UTC")).utcoffset() == timedelta(hours=7)
    assert parse_date("23/01/2018 22:19 GMT-3", ZoneInfo("UTC")).utcoffset() == timedelta(hours=-3)


def test_local_time_without_offset_takes_the_source_zone():
    assert parse_date("23/01/2018 - 22:19", ZoneInfo("Europe/Berlin")).utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize("raw", [None, "", "Chia sẻ bài viết", "32/13/2018"])
def test_no_date_is_none(raw):
    assert parse_date(raw, VN) is None


@pytest.mark.parametrize(("raw", "offset"), [
    ("2026-03-07T08:01:00+07:00", True), ("07/03/2026 08:01 GMT+7", True), ("2018-01-23T15:19:00Z", True),
    ("Tue, 23 Jan 2018 15:19:00 GMT", True), ("2026-03-07T08:01:00", False), ("23/01/2018 - 22:19", False),
    ("Cập nhật: 07-03-2026 - 00:01 AM", False),
])
def test_has_offset_tells_a_stated_offset_from_a_local_time(raw, offset):
    assert has_offset(raw) is offset


def test_english_and_german_printed_dates():
    berlin = ZoneInfo("Europe/Berlin")
    assert parse_date("30.06.2025, 15:59 Uhr", berlin) == datetime(2025, 6, 30, 15, 59, tzinfo=berlin)
    assert parse_date("June 30, 2025 3:59 PM GMT+2", VN) == datetime(2025, 6, 30, 15, 59,
                                                                    tzinfo=timezone(timedelta(hours=2)))
    assert parse_date("Updated 5 hours ago", VN) is None  # no year: not a date, not today


@pytest.mark.parametrize(("raw", "expected"), [
    # a year-first date is year-month-day, never year-day-month
    ("2026/03/07 08:01", datetime(2026, 3, 7, 8, 1, tzinfo=UTC7)),
    ("2026.03.07", datetime(2026, 3, 7, tzinfo=UTC7)),
    # parts of the day in Vietnamese words, and a two-digit year after slashes
    ("Cập nhật thứ hai, ngày 24/12/12 11:05 tối", datetime(2012, 12, 24, 23, 5, tzinfo=UTC7)),
    ("30/11/12 04:00 chiều", datetime(2012, 11, 30, 16, 0, tzinfo=UTC7)),
    ("7/3/2026 09:15 sáng", datetime(2026, 3, 7, 9, 15, tzinfo=UTC7)),
    ("12:30 trưa 7/3/2026", datetime(2026, 3, 7, 12, 30, tzinfo=UTC7)),
    ("10g20 ngày 21/6/2018", datetime(2018, 6, 21, 10, 20, tzinfo=UTC7)),
    # a numeric offset after a day-first date (seen in JSON-LD)
    ("24-03-2019T07:50:00+07:00", datetime(2019, 3, 24, 7, 50, tzinfo=UTC7)),
    ("24-03-2019T00:50:00+00:00", datetime(2019, 3, 24, 7, 50, tzinfo=UTC7)),
])
def test_vietnamese_printed_forms(raw, expected):
    assert parse_date(raw, ZoneInfo("UTC") if has_offset(raw) else VN) == expected


def test_day_first_unless_the_source_prints_month_first():
    assert parse_date("07/03/2026 10:00", VN) == datetime(2026, 3, 7, 10, 0, tzinfo=UTC7)
    assert parse_date("07/03/2026 10:00", VN, "mdy") == datetime(2026, 7, 3, 10, 0, tzinfo=UTC7)
    assert parse_date("2026/07/03", VN, "mdy") == datetime(2026, 7, 3, tzinfo=UTC7)  # year first: either way
    assert parse_date("13/03/2026", VN, "mdy") == datetime(2026, 3, 13, tzinfo=UTC7)  # no 13th month: one reading


def test_implausible_dates_and_midnights():
    now = datetime(2026, 3, 7, 12, 0, tzinfo=UTC7)
    assert plausible(datetime(2026, 3, 8, 11, 0, tzinfo=UTC7), now)  # within a day ahead (zones, clocks)
    assert not plausible(datetime(2026, 3, 9, tzinfo=UTC7), now)
    assert not plausible(parse_date("0001-01-01T00:00:00+00:00", VN), now)
    assert not plausible(datetime(1989, 12, 31, tzinfo=UTC7), now) and not plausible(None, now)
    assert plausible(datetime(1990, 1, 1, tzinfo=UTC7), now)
    assert is_midnight("2012-12-25T00:00:00+07:00") and not is_midnight("2012-12-25")
    assert not is_midnight("25/12/2012 10:03")


@pytest.mark.parametrize("raw", [
    "7 mars 2026 à 10h20", "Veröffentlicht am 7. März 2026, 10:20 Uhr", "07 de marzo de 2026, 10:20",
    "7 марта 2026, 10:20", "7 marca 2026 10:20", "07 maart 2026 10:20", "7 de março de 2026 às 10h20",
    "7 Mart 2026 10:20", "March 7, 2026 10:20", "2026年3月7日 10:20", "2026년 3월 7일 10:20",
])
def test_month_in_words_of_many_languages(raw):
    """The month in words, in the page's language: 7 March, not 1 July (the day taken for the month)."""
    assert parse_date(raw, UTC7) == datetime(2026, 3, 7, 10, 20, tzinfo=UTC7)


@pytest.mark.parametrize("raw", ["7 Zorgl 2026 10:20", "7 listopada 2026"])
def test_month_word_unknown_or_of_two_months_gives_no_date(raw):
    """A word no language makes a month, or one two languages give to different months (listopad:
    November in Polish, October in Croatian): no date rather than a guessed one."""
    assert parse_date(raw, UTC7) is None


def test_a_long_string_is_no_date():
    """A value longer than any date line (a field filled with other text) is not read for a date in it."""
    assert parse_date("Cập nhật: 07/03/2026 08:01 " + "và " * 200, UTC7) is None
