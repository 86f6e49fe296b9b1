"""How many articles match a query, per day, week, month or year: ``arch timeline``.

A reporter's first questions about a name or a subject are "since when?" and "how much?". The
counts are those of the search itself (:meth:`Archive.search <archive_search.Archive.search>`
with every match and no snippets), grouped by the date each article gives, so that a timeline
never disagrees with ``arch search QUERY --limit 0``, and a name counts every spelling the search
finds once per article.

>>> tl = timeline(arc, "Kim Jong Un", TimelineOptions(by="month"))  # doctest: +SKIP
>>> [(p.label, n) for p, n in zip(tl.periods, tl.counts, strict=True) if n]  # doctest: +SKIP
[('2023-09', 9), ('2023-11', 1)]
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import ArchiveError

if TYPE_CHECKING:
    from .archive import Archive
    from .search import Hit

BY = ("day", "week", "month", "year")
SPLITS = ("source", "tag")
#: At most this many periods: a timeline by day over a century would be a million rows that
#: nobody reads; a coarser ``by`` says the same in fewer.
MAX_PERIODS = 5000
#: ``by`` chosen from the span gives at most about this many periods (a chart that fits a screen).
AUTO_PERIODS = 40
#: The keys a split keeps by default; the rest are counted together as OTHER.
TOP_KEYS = 8
OTHER, NONE = "(other)", "(none)"


@dataclass(frozen=True)
class TimelineOptions:
    """What to count: per ``by`` (None: chosen from the span, see :func:`choose_by`), between
    ``since`` and ``until`` (inclusive), ``split`` by source or tag into the ``top`` most
    frequent keys plus OTHER; ``exact`` counts a name only as typed, as search's ``exact``."""

    by: str | None = None
    since: _dt.datetime | None = None
    until: _dt.datetime | None = None
    split: str | None = None
    top: int = TOP_KEYS
    exact: bool = False

    @classmethod
    def of(cls, options: TimelineOptions | None = None, **changes: Any) -> TimelineOptions:
        """``options`` (the defaults when None) with ``changes`` applied."""
        base = cls() if options is None else options
        return dataclasses.replace(base, **changes) if changes else base


@dataclass(frozen=True)
class Period:
    """One bar of a timeline: ``label`` as written in tables (``2023-09-12``, ``2023-W37``,
    ``2023-09``, ``2023``) and its first and last day."""

    label: str
    start: _dt.date
    end: _dt.date


@dataclass
class Timeline:
    """The counts of one query per period, from the first period to the last with a match
    (or from ``since`` to ``until`` when given), empty periods included.

    ``series`` holds, when split, each key's counts per period (keys most frequent first, OTHER
    last); with ``split="tag"`` an article with two tags counts under both, so the series can
    add up to more than ``counts``. ``undated`` matched but give no date, so are in no period.
    """

    query: str
    by: str
    periods: list[Period]
    counts: list[int]
    matched: int
    undated: int = 0
    split: str | None = None
    series: dict[str, list[int]] = field(default_factory=dict)
    #: the other spellings of a name the search also matched
    variants: list[str] = field(default_factory=list)
    #: what the search changed to answer (see SearchResult.warnings)
    warnings: list[str] = field(default_factory=list)

    def peaks(self, n: int = 3) -> list[int]:
        """The indexes of the periods a chart labels: at most ``n``, most articles first
        (earlier first among equals), each with at least half the highest count and more
        than the periods around it on one side at least, so that a flat run of ones or a
        period beside the peak is not called a peak."""
        top = max(self.counts, default=0)
        found = []
        for i, count in enumerate(self.counts):
            before = self.counts[i - 1] if i else -1
            after = self.counts[i + 1] if i + 1 < len(self.counts) else -1
            if count and count * 2 >= top and count >= before and count >= after and (
                    count > before or count > after or len(self.counts) == 1):
                found.append(i)
        return sorted(found, key=lambda i: -self.counts[i])[:n]

    def rows(self) -> list[dict[str, Any]]:
        """One row per period (``period``, ``start``, ``end``, ``count``), or, split, one per
        period and key with the key under the split's name: what ``--format`` writes."""
        rows = []
        for i, period in enumerate(self.periods):
            base = {"period": period.label, "start": period.start.isoformat(),
                    "end": period.end.isoformat()}
            if not self.split:
                rows.append({**base, "count": self.counts[i]})
                continue
            for key, counts in self.series.items():
                rows.append({**base, self.split: key, "count": counts[i]})
        return rows

    def fields(self) -> list[str]:
        """The columns of :meth:`rows`."""
        return ["period", "start", "end", *([self.split] if self.split else []), "count"]


def timeline(
    archive: Archive, query: str, options: TimelineOptions | None = None, **changes: Any
) -> Timeline:
    """Count the articles matching ``query`` per period. The options are a
    :class:`TimelineOptions`, or its fields as keywords, or both. Raises
    :class:`~archive_search.errors.QueryError` for a query search refuses and
    :class:`~archive_search.errors.ArchiveError` for options that cannot be met."""
    opted = TimelineOptions.of(options, **changes)
    _check(opted)
    # in date order, a short query counts the articles with every word, not those with some
    # that a ranked list puts after them: "how much" is about the subject, not its words
    result = archive.search(query, since=opted.since, until=opted.until, limit=0,
                            sort="oldest", snippets=False, suggest=False, exact=opted.exact,
                            count=False)
    found = from_hits(result.hits, opted, query=query)
    found.variants = list(result.variants)
    found.warnings = list(result.warnings)
    return found


def from_hits(hits: Sequence[Hit], options: TimelineOptions | None = None,
              query: str = "") -> Timeline:
    """The timeline of search hits already found (the web page's search has them): each hit
    counted once, in the period of its date."""
    opted = TimelineOptions.of(options)
    _check(opted)
    dated: list[tuple[_dt.date, Hit]] = []
    undated = 0
    for hit in hits:
        day = _day(hit.date)
        if day is None:
            undated += 1
        else:
            dated.append((day, hit))
    # since/until widen the span to the days asked for; the dates of the matches widen it
    # further when an article's own time zone puts it on a day outside them
    days = [day for day, _ in dated]
    days += [when.date() for when in (opted.since, opted.until) if when is not None]
    first, last = min(days, default=None), max(days, default=None)
    by = opted.by or choose_by(first, last)
    periods = _periods(first, last, by) if first and last else []
    where = {p.label: i for i, p in enumerate(periods)}
    counts = [0] * len(periods)
    keyed: list[tuple[int, list[str]]] = []
    for day, hit in dated:
        i = where[_label(day, by)]
        counts[i] += 1
        if opted.split:
            keyed.append((i, _keys(hit, opted.split)))
    series = _series(keyed, len(periods), opted.top) if opted.split else {}
    return Timeline(query=query, by=by, periods=periods, counts=counts, matched=len(hits),
                    undated=undated, split=opted.split, series=series)


def choose_by(first: _dt.date | None, last: _dt.date | None) -> str:
    """The finest of day, week, month and year that gives at most AUTO_PERIODS periods over
    ``first``…``last``."""
    if first is None or last is None:
        return "day"
    for by in BY:
        if _count_periods(first, last, by) <= AUTO_PERIODS:
            return by
    return "year"


def _check(options: TimelineOptions) -> None:
    if options.by is not None and options.by not in BY:
        raise ArchiveError(f"unknown period {options.by!r} (use {', '.join(BY)})")
    if options.split is not None and options.split not in SPLITS:
        raise ArchiveError(f"unknown split {options.split!r} (use {', '.join(SPLITS)})")
    if options.top < 1:
        raise ArchiveError("a split keeps at least one key (top >= 1)")
    if options.since and options.until and options.since > options.until:
        raise ArchiveError("since is after until: no day is left to count")


def _day(text: str | None) -> _dt.date | None:
    """The day an article's date names, as written (its own time zone): what a reader of the
    article and ``arch search`` see."""
    if not text:
        return None
    try:
        return _dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _start(day: _dt.date, by: str) -> _dt.date:
    if by == "week":
        return day - _dt.timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    if by == "year":
        return day.replace(month=1, day=1)
    return day


def _next(start: _dt.date, by: str) -> _dt.date | None:
    """The first day of the period after the one starting on ``start`` (None past year 9999)."""
    try:
        if by == "day":
            return start + _dt.timedelta(days=1)
        if by == "week":
            return start + _dt.timedelta(days=7)
        if by == "month":
            return (start.replace(year=start.year + 1, month=1) if start.month == 12
                    else start.replace(month=start.month + 1))
        return start.replace(year=start.year + 1)
    except (OverflowError, ValueError):
        return None


def _label(day: _dt.date, by: str) -> str:
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if by == "month":
        return f"{day:%Y-%m}"
    if by == "year":
        return f"{day.year:04d}"
    return day.isoformat()


def _count_periods(first: _dt.date, last: _dt.date, by: str) -> int:
    if by == "day":
        return (last - first).days + 1
    if by == "week":
        return (_start(last, "week") - _start(first, "week")).days // 7 + 1
    if by == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return last.year - first.year + 1


def _periods(first: _dt.date, last: _dt.date, by: str) -> list[Period]:
    total = _count_periods(first, last, by)
    if total > MAX_PERIODS:
        coarser = [b for b in BY[BY.index(by) + 1:]
                   if _count_periods(first, last, b) <= MAX_PERIODS]
        hint = f"; count by {coarser[0]}" if coarser else ""
        raise ArchiveError(f"{first} to {last} is {total:,} periods by {by}, more than a "
                           f"timeline shows ({MAX_PERIODS:,}){hint}, or narrow the dates")
    periods = []
    start: _dt.date | None = _start(first, by)
    while start is not None and start <= last:
        after = _next(start, by)
        end = after - _dt.timedelta(days=1) if after else _dt.date.max
        periods.append(Period(_label(start, by), start, end))
        start = after
    return periods


def _keys(hit: Hit, split: str) -> list[str]:
    if split == "source":
        return [hit.source.strip() if hit.source and hit.source.strip() else NONE]
    tags = list(dict.fromkeys(t.strip() for t in hit.tags if t.strip()))
    return tags or [NONE]


def _series(keyed: Iterable[tuple[int, list[str]]], size: int, top: int) -> dict[str, list[int]]:
    """Each key's counts per period: the ``top`` most frequent keys by name, the rest summed
    as OTHER (an article with two rare tags counts once in OTHER)."""
    keyed = list(keyed)
    totals = Counter(key for _, keys in keyed for key in keys)
    kept = [key for key, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    series = {key: [0] * size for key in kept}
    other = [0] * size
    for i, keys in keyed:
        for key in keys:
            if key in series:
                series[key][i] += 1
        if any(key not in series for key in keys):
            other[i] += 1
    if any(other):
        series[OTHER] = other
    return series


# -- drawing -----------------------------------------------------------------------------------

_EIGHTHS = " ▏▎▍▌▋▊▉█"
#: The fill of each key of a split chart, in order (OTHER takes the next one).
_FILLS = "█▓▒░#=+:~"
_PEAK_MARKS = ("◀ peak", "◀ 2nd", "◀ 3rd")


def chart(tl: Timeline, width: int = 80) -> str:
    """The timeline as a bar chart for a terminal: one line per period, bars of block
    characters, the three highest periods marked, and a legend of the split's keys."""
    head = (f"{tl.matched} article{'s' * (tl.matched != 1)} matching {tl.query!r}, "
            f"by {tl.by}")
    if tl.split == "tag":
        head += " (an article with several tags counts under each)"
    lines = [head]
    if not tl.periods:
        lines.append("(no dated article matched)")
        return "\n".join(lines) + "\n"
    label_w = max(len(p.label) for p in tl.periods)
    count_w = len(str(max(tl.counts)))
    mark_w = max(len(m) for m in _PEAK_MARKS) + 1
    bar_w = max(10, min(50, width - label_w - count_w - mark_w - 4))
    # split by tag, an article counts under each of its tags: the longest bar is the most
    # keys counted in one period, which can be more than its articles
    stacks = [sum(counts[i] for counts in tl.series.values()) for i in range(len(tl.periods))]
    top = max(stacks if tl.split else tl.counts) or 1
    marks = {i: _PEAK_MARKS[rank] for rank, i in enumerate(tl.peaks())}
    keys = list(tl.series)
    for i, period in enumerate(tl.periods):
        if tl.split:
            bar = _stacked([tl.series[k][i] for k in keys], top, bar_w)
        else:
            bar = _bar(tl.counts[i], top, bar_w)
        mark = f" {marks[i]}" if i in marks else ""
        lines.append(f"{period.label:<{label_w}} │{bar:<{bar_w}} {tl.counts[i]:>{count_w}}{mark}"
                     .rstrip())
    if tl.split:
        legend = "  ".join(f"{_FILLS[min(n, len(_FILLS) - 1)]} {key}"
                           for n, key in enumerate(keys))
        lines.append(f"{tl.split}: {legend}")
    if tl.undated:
        lines.append(f"({tl.undated} matching article{'s' * (tl.undated != 1)} without a date "
                     "not shown)")
    return "\n".join(lines) + "\n"


def _bar(count: int, top: int, width: int) -> str:
    eighths = round(count / top * width * 8)
    if count and not eighths:
        eighths = 1  # one article still shows
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def _stacked(counts: list[int], top: int, width: int) -> str:
    """One bar of whole cells, each key's share in its own fill (a key with any article in the
    period gets at least one cell when the bar has room)."""
    bar, done, running = [], 0, 0
    for n, count in enumerate(counts):
        running += count
        end = max(round(running / top * width), done + (1 if count else 0))
        bar.append(_FILLS[min(n, len(_FILLS) - 1)] * (end - done))
        done = end
    return "".join(bar)


def save_chart(tl: Timeline, path: str) -> None:
    """Draw the timeline to an image file (SVG, PNG or PDF, by its suffix) with matplotlib:
    bars per period (stacked by key when split), the query in the title, labelled axes.

    Raises ImportError when matplotlib is not installed (the ``plot`` extra) and ArchiveError
    for a suffix it does not draw. SVG files carry no date and stable ids, so a chart drawn
    twice from the same archive is the same file.
    """
    import os

    suffix = os.path.splitext(path)[1].lower().lstrip(".")
    if suffix not in ("svg", "png", "pdf"):
        raise ArchiveError(f"cannot draw a chart as {path!r}: name a .svg, .png or .pdf file")
    import matplotlib
    from matplotlib.figure import Figure

    # no pyplot: no global figure state, no GUI backend, safe in a web server's threads
    # text stays text in an SVG (a tenth of the size of glyphs drawn as paths)
    with matplotlib.rc_context({"svg.hashsalt": "arch-timeline", "svg.fonttype": "none",
                                "font.size": 9}):
        fig = Figure(figsize=(8, 3.6), dpi=100, layout="constrained")
        ax = fig.add_subplot()
        xs = list(range(len(tl.periods)))
        if tl.split:
            bottom = [0] * len(xs)
            for key, counts in tl.series.items():
                # matplotlib leaves a label starting with "_" out of the legend
                ax.bar(xs, counts, bottom=bottom, width=0.85,
                       label=_plain(key) if not key.startswith("_") else "\u200b" + key)
                bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
            ax.legend(title=tl.split, fontsize=7, title_fontsize=8, loc="best")
        else:
            ax.bar(xs, tl.counts, width=0.85, color="#3b6ea8")
            for i in tl.peaks():
                ax.annotate(str(tl.counts[i]), (i, tl.counts[i]), ha="center", va="bottom",
                            fontsize=8, xytext=(0, 2), textcoords="offset points")
        step = max(1, len(xs) // 12)
        ax.set_xticks(xs[::step], [_plain(p.label) for p in tl.periods][::step],
                      rotation=45 if len(xs) > 6 else 0, ha="right" if len(xs) > 6 else "center")
        ax.set_xlabel(tl.by)
        ax.set_ylabel("articles")
        ax.yaxis.get_major_locator().set_params(integer=True)
        split = f", split by {tl.split}" if tl.split else ""
        ax.set_title(_plain(f"{tl.query!r}: {tl.matched} article{'s' * (tl.matched != 1)} "
                            f"by {tl.by}{split}"))
        ax.spines[["top", "right"]].set_visible(False)
        metadata = {"Date": None} if suffix in ("svg", "pdf") else None
        fig.savefig(path, metadata=metadata)


def _plain(text: str) -> str:
    """``text`` as matplotlib should draw it: a ``$`` would start its math mode (and a lone one
    make drawing fail), so each is escaped."""
    return text.replace("$", r"\$")
