"""Dates as Vietnamese pages print them become the right instant."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tasks.dates import has_offset, parse_date

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
