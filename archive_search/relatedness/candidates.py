"""Which archived articles to compare in full: a few index look-ups, never a pass over the
archive.

The article's strongest terms, its names and tags each add their weight to every article
holding them (read from the postings); the strongest terms always, the weaker ones while their
postings fit in a budget, since a common term costs more to read than it helps to find. The
best by weight, and the best by weight per length (briefs), are the candidates.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from ..engine.fields import NAMES, TAGS
from .profiles import Profile
from .terms import LETTER, TermStats

if TYPE_CHECKING:
    from ..engine import Searcher

#: A postings list to read: (field, term or key, the weight it adds to each article in it).
Key = tuple[str, str, float]


def key_terms(terms: dict[str, float], count: int) -> list[str]:
    """The ``count`` strongest of weighted terms, strongest first (ties in their order)."""
    return sorted(terms, key=terms.__getitem__, reverse=True)[:count]


def within_budget(
    terms: list[str], df: Callable[[str], int], *, budget: int, always: int
) -> Iterator[str]:
    """The terms (strongest first) whose postings are read: the first ``always`` of them, and
    each later one whose postings (``df``) still fit in what is left of ``budget``."""
    for n, term in enumerate(terms):
        found = df(term)
        if n >= always and found > budget:
            continue  # a common term costs more to read than it helps to find
        budget -= found
        yield term


def figures(terms: Iterable[str], stats: TermStats, count: int) -> list[str]:
    """The ``count`` rarest figures (terms without a letter) among ``terms`` that other
    articles hold too and that are not too common."""
    found = sorted(
        (
            t
            for t in set(terms)
            if not LETTER.search(t) and stats.min_df <= stats.df(t) <= stats.ceiling
        ),
        key=lambda t: (stats.df(t), t),
    )
    return found[:count]


def keys(
    asked: Profile,
    strongest: list[str],
    stats: TermStats,
    rarest_figures: list[str],
    *,
    use_tags: bool,
    budget: int,
    always: int,
    figure_weight: float,
) -> Iterator[Key]:
    """The postings to read for ``asked``, in order: its strongest terms within the budget
    (title and body), its names, its tags (with ``use_tags``), then its rarest figures."""
    title_field, body_field = stats.fields
    for term in within_budget(strongest, stats.df, budget=budget, always=always):
        weight = asked.terms[term]
        yield title_field, term, weight
        yield body_field, term, weight
    for key, weight in asked.names.items():
        yield NAMES, key, weight
    if use_tags:
        yield from ((TAGS, key, weight) for key, weight in asked.tags.items())
    # figures never make articles similar, but among look-alikes (the Fed's daily briefs)
    # the ones with the same figures come first: copies do
    for figure in rarest_figures:
        yield title_field, figure, figure_weight
        yield body_field, figure, figure_weight


def gather(
    searcher: Searcher,
    postings: Iterable[Key],
    *,
    exclude: int | None,
    length: Callable[[int], int],
    asked_length: int,
    wanted: int,
    since: _dt.datetime | None,
    until: _dt.datetime | None,
    pool_factor: int,
    short: int,
) -> list[int]:
    """Document numbers most likely to be related, best first, within the dates.

    Adds up the weights of the ``postings`` each article is in: cheap, and good enough to
    choose which articles to compare in full. The ``wanted`` best by weight come first, then
    the ``short`` best by weight per length among ``pool_factor`` times as many.
    """
    scores: dict[int, float] = {}
    for fieldname, key, weight in postings:
        for docnum in searcher.postings(fieldname, key):
            scores[docnum] = scores.get(docnum, 0.0) + weight
    if exclude is not None:
        scores.pop(exclude, None)
    within = searcher.dates_within(since, until) if since or until else None
    pool: list[int] = []
    for docnum in sorted(scores, key=lambda d: (-scores[d], d)):
        if searcher.is_deleted(docnum):
            continue
        if within is not None and not within(docnum):
            continue
        pool.append(docnum)
        if len(pool) >= pool_factor * wanted:
            break
    # a short article holding the key terms (a brief, a copy of one) is as close as a long
    # one holding more of them: the best by weight per length join the best by weight.
    # Among equals, articles as long as the asked one come first: copies are.
    lengths = {d: length(d) for d in pool}
    off = {d: abs(lengths[d] - asked_length) for d in pool}
    per_length = {d: scores[d] / math.sqrt(1 + lengths[d]) for d in pool}
    by_weight = sorted(pool, key=lambda d: (-scores[d], off[d], d))[:wanted]
    by_length = sorted(pool, key=lambda d: (-per_length[d], off[d], d))[:short]
    return list(dict.fromkeys(by_weight + by_length))


def field_length(searcher: Searcher, fields: tuple[str, ...]) -> Callable[[int], int]:
    """How many terms an archived article holds in ``fields``, from the index."""

    def length(docnum: int) -> int:
        return sum(searcher.field_length(docnum, f) for f in fields)

    return length
