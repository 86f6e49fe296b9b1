"""Dates as articles carry them: ISO 8601 text in, naive local datetimes for the index.

Importers call :func:`parse_date` on whatever the input says ("Posted on September 18, 2023 at
2:17 pm.", "2020-01-19T12:25:36Z", "26-FEB-1987 15:01:01.79", "Tue Jan 28 15:28:56 CET 2020",
"1695046620") and store the ISO text it returns. The index works on the article's own
wall-clock time, so ``date:2023-09-18`` means the day the article says, whatever its zone.

A date must name its year, month and day: "2023" or "September 18" alone is not a publication
date, and guessing the missing parts would put articles on days they were never published.
"""

from __future__ import annotations

import datetime as _dt
import re

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Epoch seconds (9-10 digits) or milliseconds (13 digits), optionally with a fraction.
_EPOCH_TEXT = re.compile(r"^-?(?:\d{9,10}|\d{13})(?:\.\d+)?$")
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}|\b\d{1,2}\s*[ap]\.?m\b", re.I)
#: Words that may surround a date on a line that is otherwise only the date.
_FILLER = re.compile(r"^(?:[\s,.;:|/()\-\u2013\u2014]|\b(?:at|on|the|of|um|am|le)\b)*$", re.I)
#: Earliest and latest years accepted from an input; anything else is a parse error, not a date.
MIN_YEAR, MAX_YEAR = 1800, 2200

_H = 3600
#: Zone abbreviations seen in news pages and feeds, as fixed UTC offsets in seconds. Ambiguous
#: names take their most common meaning in English-language news (CST is US Central, IST is
#: India, BST is British Summer Time). Names not listed leave the time without a zone.
ZONE_OFFSETS: dict[str, int] = {
    "UTC": 0, "UT": 0, "GMT": 0, "Z": 0, "WET": 0,
    "BST": _H, "WEST": _H, "CET": _H, "MET": _H, "MEZ": _H,
    "CEST": 2 * _H, "MEST": 2 * _H, "MESZ": 2 * _H, "EET": 2 * _H, "SAST": 2 * _H,
    "EEST": 3 * _H, "MSK": 3 * _H,
    "IST": 5 * _H + 1800, "PKT": 5 * _H,
    "ICT": 7 * _H, "WIB": 7 * _H,
    "HKT": 8 * _H, "SGT": 8 * _H, "AWST": 8 * _H, "PHT": 8 * _H,
    "JST": 9 * _H, "KST": 9 * _H,
    "ACST": 9 * _H + 1800, "AEST": 10 * _H, "AEDT": 11 * _H,
    "NZST": 12 * _H, "NZDT": 13 * _H,
    "AST": -4 * _H, "ADT": -3 * _H, "NST": -3 * _H - 1800, "NDT": -2 * _H - 1800,
    "EST": -5 * _H, "EDT": -4 * _H,
    "CST": -6 * _H, "CDT": -5 * _H,
    "MST": -7 * _H, "MDT": -6 * _H,
    "PST": -8 * _H, "PDT": -7 * _H,
    "AKST": -9 * _H, "AKDT": -8 * _H, "HST": -10 * _H,
}  # fmt: skip


class DateError(ValueError):
    """A date that cannot be understood; the message quotes it."""


def to_iso(value: _dt.datetime | _dt.date, *, date_only: bool = False) -> str:
    """ISO 8601 text, keeping the zone when there is one, seconds always, no microseconds."""
    if date_only or not isinstance(value, _dt.datetime):
        return value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else str(value)
    value = value.replace(microsecond=0)
    return value.isoformat(timespec="seconds")


def parse_iso(text: str) -> _dt.datetime | None:
    """The naive local datetime of stored ISO text (``None`` when it is not ISO)."""
    text = text.strip()
    try:
        if _ISO_DATE.match(text):
            return _dt.datetime.strptime(text, "%Y-%m-%d")
        value = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.replace(tzinfo=None)


def parse_epoch(value: float) -> str | None:
    """ISO text (UTC) for a Unix time in seconds, or in milliseconds when it is too large to be
    seconds. Small numbers (below 10^8, i.e. before March 1973) are refused: in data they are
    far more often counts, years or ids than times."""
    try:
        seconds = float(value)
        if seconds != seconds or abs(seconds) < 1e8:  # NaN, or too small to be a time
            return None
        if abs(seconds) >= 1e11:
            seconds /= 1000
        moment = _dt.datetime.fromtimestamp(seconds, tz=_dt.timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None
    return to_iso(moment) if MIN_YEAR <= moment.year <= MAX_YEAR else None


def parse_date(text: str, *, dayfirst: bool = False, whole: bool = False) -> str | None:
    """Understand a date written by a person or a program and return ISO text, or None.

    A date without a time stays a date (``2020-01-14``); a time without a zone stays naive; a
    known zone name (``CET``, ``EST``) or offset is kept as an offset. Years outside 1800-2200
    (``0000-01-01`` in page templates) are refused, and so are dates missing their year, month
    or day. With ``whole=True`` the text must be a date and nothing else (a line such as
    ``July 27, 2024``), not a sentence that mentions one.
    """
    if not text or not text.strip():
        return None
    text = text.strip()
    if _EPOCH_TEXT.match(text):
        return parse_epoch(float(text))
    if parse_iso(text) is not None:
        return _from_iso(text)
    return _from_words(text, dayfirst=dayfirst, whole=whole)


def _from_iso(text: str) -> str | None:
    try:  # a calendar date alone ("2023-09-18", "20230918") stays a date
        day = _dt.date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return to_iso(day) if MIN_YEAR <= day.year <= MAX_YEAR else None
    try:
        value = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return to_iso(value) if MIN_YEAR <= value.year <= MAX_YEAR else None


def _zone(name: str | None, offset: int | None) -> _dt.tzinfo | None:
    """``tzinfos`` for dateutil: known names and explicit offsets become fixed offsets; an
    unknown name gives None, so the time stays naive instead of raising a warning."""
    seconds = ZONE_OFFSETS.get(name.upper()) if name else None
    if seconds is None:
        seconds = offset
    if seconds is None or abs(seconds) >= 86400:
        return None
    return _dt.timezone(_dt.timedelta(seconds=seconds))


def _from_words(text: str, *, dayfirst: bool, whole: bool) -> str | None:
    from dateutil import parser as _parser

    results = []
    # Parsing against two different defaults shows which parts the text really gave.
    for default in (_dt.datetime(1, 1, 1), _dt.datetime(4, 2, 2)):
        try:
            results.append(
                _parser.parse(
                    text, fuzzy_with_tokens=True, dayfirst=dayfirst, default=default, tzinfos=_zone
                )
            )
        except (ValueError, OverflowError, TypeError, ArithmeticError):
            return None
    (first, skipped), (second, _) = results
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        return None
    if not MIN_YEAR <= first.year <= MAX_YEAR:
        return None
    if whole and not all(_FILLER.match(token) for token in skipped):
        return None
    if not _HAS_TIME.search(text):
        return to_iso(first.date(), date_only=True)
    try:
        return to_iso(first)
    except (ValueError, OverflowError):
        return None


def parse_user_date(text: str, *, end: bool = False) -> _dt.datetime:
    """A date typed on the command line (``--since 2023-09``); raises :class:`DateError`.

    Partial dates cover their whole span: ``2023-09`` is the first of September as a start and
    the last instant of September as an end (``end=True``).
    """
    text = text.strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text)
    try:
        if m:
            year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
            start = _dt.datetime(year, month, day)
            if not end:
                return start
            try:
                if m[3]:
                    nxt = start + _dt.timedelta(days=1)
                elif m[2]:
                    nxt = (start.replace(day=28) + _dt.timedelta(days=4)).replace(day=1)
                else:
                    nxt = start.replace(year=year + 1)
            except (ValueError, OverflowError):  # a span that ends with the year 9999
                return _dt.datetime.max
            return nxt - _dt.timedelta(microseconds=1)
        value = parse_iso(text)
        if value is not None:
            return value
    except ValueError:
        pass
    raise DateError(f"not a date: {text!r} (use YYYY, YYYY-MM, YYYY-MM-DD or an ISO date-time)")
