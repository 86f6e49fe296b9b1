"""Dates as inputs write them, turned into the ISO text articles store."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive_search.dates import parse_date, parse_epoch, parse_iso

# dateutil's UnknownTimezoneWarning (and any other warning) must never escape parse_date.
pytestmark = pytest.mark.filterwarnings("error")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Posted on September 18, 2023 at 2:17 pm.", "2023-09-18T14:17:00"),
        ("July 27, 2024", "2024-07-27"),
        ("2020-01-19T12:25:36Z", "2020-01-19T12:25:36+00:00"),
        ("2018-12-22T00:00:00+0100", "2018-12-22T00:00:00+01:00"),
        ("2020-01-10 09:00:04", "2020-01-10T09:00:04"),
        ("2020-01-14", "2020-01-14"),
        ("20230918", "2023-09-18"),
        ("26-FEB-1987 15:01:01.79", "1987-02-26T15:01:01"),
        ("Sat, 01 Jan 2022 10:00:00 +0000", "2022-01-01T10:00:00+00:00"),
    ],
)
def test_common_forms(text: str, expected: str) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue Jan 28 15:28:56 CET 2020", "2020-01-28T15:28:56+01:00"),  # Java's Date.toString
        ("Updated: 18 Sep 2023 14:17 CEST", "2023-09-18T14:17:00+02:00"),
        ("Mon, 18 Sep 2023 14:17:00 EST", "2023-09-18T14:17:00-05:00"),
        ("Sep 18 2023 6:00 PM PDT", "2023-09-18T18:00:00-07:00"),
        ("18 Sep 2023 14:17 GMT", "2023-09-18T14:17:00+00:00"),
    ],
)
def test_zone_names_become_offsets(text: str, expected: str) -> None:
    assert parse_date(text) == expected


def test_an_unknown_zone_name_leaves_the_time_naive_without_a_warning() -> None:
    assert parse_date("18 Sep 2023 14:17 XYZT") == "2023-09-18T14:17:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1695046620", "2023-09-18T14:17:00+00:00"),  # seconds
        ("1695046620000", "2023-09-18T14:17:00+00:00"),  # milliseconds
        ("1695046620.75", "2023-09-18T14:17:00+00:00"),
    ],
)
def test_epoch_text(text: str, expected: str) -> None:
    assert parse_date(text) == expected


def test_epoch_numbers_in_seconds_or_milliseconds() -> None:
    assert parse_epoch(1695046620) == "2023-09-18T14:17:00+00:00"
    assert parse_epoch(1695046620000) == "2023-09-18T14:17:00+00:00"
    assert parse_epoch(2023) is None  # a year or a count, not a time
    assert parse_epoch(float("nan")) is None
    assert parse_epoch(1e300) is None


@pytest.mark.parametrize(
    "text",
    [
        "0000-01-01T14:00:00+00:53",  # page-template placeholder
        "1066-10-14",
        "2300-01-01",
        "2023",  # a year alone is not a publication date
        "September 2023",
        "September 18",
        "In 2023 things changed",
        "blarg",
        "dd/MM/yyyy",
        "",
        "   ",
    ],
)
def test_refuses_what_is_not_a_whole_date_in_range(text: str) -> None:
    assert parse_date(text) is None


def test_whole_wants_nothing_but_the_date() -> None:
    assert parse_date("July 27, 2024", whole=True) == "2024-07-27"
    assert parse_date("Monday, 18 September 2023 at 14:17", whole=True) == "2023-09-18T14:17:00"
    assert parse_date("Sept. 18, 2023 (Reuters)", whole=True) is None
    assert parse_date("Sept. 18, 2023 (Reuters)") == "2023-09-18"


def test_dayfirst() -> None:
    assert parse_date("03/04/2023") == "2023-03-04"
    assert parse_date("03/04/2023", dayfirst=True) == "2023-04-03"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_gives_none_or_iso_in_range(text: str) -> None:
    result = parse_date(text)
    if result is not None:
        value = parse_iso(result)
        assert value is not None
        assert 1800 <= value.year <= 2200


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=dt.datetime(1800, 1, 1), max_value=dt.datetime(2200, 12, 31)))
def test_iso_text_round_trips(value: dt.datetime) -> None:
    value = value.replace(microsecond=0)
    assert parse_date(value.isoformat()) == value.isoformat()
