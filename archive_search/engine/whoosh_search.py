"""A query run by Whoosh: :meth:`WhooshSearcher.rank
<archive_search.engine.whoosh_searcher.WhooshSearcher.rank>` gives a :class:`WhooshRanking`,
the :class:`~archive_search.engine.Ranking` the engine-neutral search works on."""

from __future__ import annotations

import datetime as _dt
import itertools
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from whoosh import query, sorting
from whoosh.util.times import datetime_to_long

from . import RankedHit
from .fields import DATE
from .stored import StoredArticle
from .whoosh_query import compile_query
from .whoosh_ranking import Feedback, feedback, prepare, wants_feedback

if TYPE_CHECKING:
    from whoosh import searching

    from ..config import Settings
    from ..query import QueryReading
    from . import BodyReader

#: Above this many likely matches, :meth:`WhooshRanking.count` gives Whoosh's estimate instead
#: of an exact count (counting exactly costs a second pass over every matching document).
EXACT_COUNT_UP_TO = 2000


def rank(
    searcher: searching.Searcher,
    reading: QueryReading,
    settings: Settings,
    *,
    sort: str = "relevance",
    limit: int | None = None,
    read_body: BodyReader | None = None,
) -> WhooshRanking:
    """Run ``reading``: its best ``limit`` matches (all with None) by relevance, or by date
    with ``sort`` ``newest``/``oldest``. ``read_body`` lets feedback read the best matches
    (:func:`~archive_search.engine.whoosh_ranking.feedback`), in the same pass that finds them.

    A reading whose articles with some of the words come after those with all of them
    (``some_words_after``, relevance order only) runs as two tiers: the query with every word
    required, then, while the page is not full, the query of any of its words without the
    articles of the first tier."""
    opts = settings.search
    compiled = compile_query(reading, searcher, settings)
    strict = prepare(compiled.query, reading, searcher, settings)
    found = WhooshRanking(searcher, compiled.terms, compiled.warnings)
    found.reading = str(strict)
    if read_body is not None and sort == "relevance" and wants_feedback(strict, reading, opts):
        # the best matches feedback re-ranks come from the pass that finds the page
        depth = None if limit is None else max(limit, opts.feedback_rerank, opts.feedback_docs)
        results = _run(searcher, strict, reading, sort, depth)
        best = [(hit.docnum, float(hit.score or 0.0))
                for hit in itertools.islice(results, opts.feedback_rerank)]
        extra = feedback(strict, best, searcher, opts, read_body)
        found.add_tier(strict, results, depth, keep=limit, feedback=extra)
        if extra is not None:
            found.reading = f"{strict} RERANKED BY FEEDBACK({' '.join(extra.words)})"
    else:
        found.add_tier(strict, _run(searcher, strict, reading, sort, limit), limit,
                       by_date=sort != "relevance")
    if reading.some_words_after and sort == "relevance":
        any_word = replace(reading, all_words=False)
        loose = compile_query(any_word, searcher, settings)
        found.warnings.extend(w for w in loose.warnings if w not in found.warnings)
        some = prepare(loose.query, any_word, searcher, settings)
        rest = query.AndNot(some, strict)
        found.reading = f"{found.reading} THEN SOME WORDS {some}"
        found.tiered = True
        if limit is None or len(found.hits) < limit:
            left = None if limit is None else limit - len(found.hits)
            found.add_tier(some, _run(searcher, rest, reading, sort, left), left,
                           by_date=sort != "relevance")
        else:  # the page is full: the rest is only counted, if asked
            found.uncounted = lambda: len(_run(searcher, rest, reading, sort, 1))
    return found


def _run(searcher: searching.Searcher, q: query.Query, reading: QueryReading, sort: str,
         limit: int | None) -> Any:
    kwargs: dict[str, Any] = {}
    if reading.date_start or reading.date_end:
        dated, outside = date_filter(searcher, reading.date_start, reading.date_end)
        q = query.And([q, dated])
        if outside:
            kwargs["mask"] = outside
    if sort != "relevance":
        kwargs["sortedby"] = sorting.FieldFacet(DATE, reverse=(sort == "newest"))
    return searcher.search(q, limit=limit, **kwargs)


def date_filter(searcher: searching.Searcher, start: _dt.datetime | None,
                end: _dt.datetime | None) -> tuple[query.Query, set[int]]:
    """The articles dated from ``start`` to ``end`` (either open), to the instant: a range of
    whole days over the date field, which is indexed by day (``DayDates`` in ``index.py``),
    and the articles of its first and last day that fall outside the instants, found in the
    date column. Only those two days' articles are read, and only when a bound is not a
    day's first or last instant (``--since 2023-09``, ``date:2023-09-01`` never are)."""
    first_day = _day(start) if start else None
    outside: set[int] = set()
    if start and start != first_day:
        assert first_day is not None
        outside |= _dated_outside(searcher, first_day, lambda v: v < datetime_to_long(start))
    if end and end != _day_end(end):
        outside |= _dated_outside(searcher, _day(end), lambda v: v > datetime_to_long(end))
    return query.DateRange(DATE, first_day, end), outside


def _day(when: _dt.datetime) -> _dt.datetime:
    return _dt.datetime.combine(when.date(), _dt.time())


def _day_end(when: _dt.datetime) -> _dt.datetime:
    return _dt.datetime.combine(when.date(), _dt.time.max)


def _dated_outside(searcher: searching.Searcher, day: _dt.datetime,
                   outside: Callable[[int], bool]) -> set[int]:
    """The articles of ``day`` whose instant (in the date column) is ``outside``."""
    dates = searcher.reader().column_reader(DATE, translate=False)
    on_day = query.DateRange(DATE, day, _day_end(day)).docs(searcher)
    return {docnum for docnum in on_day if outside(dates[docnum])}


class WhooshRanking:
    """The matches of one query in one Whoosh searcher, valid while the searcher is open: one
    tier of results, or two (every word, then some words)."""

    def __init__(self, searcher: searching.Searcher, terms: list[tuple[str, str]],
                 warnings: list[str]) -> None:
        self._searcher = searcher
        #: (query whose leaves explain the scores, its results, whether they hold every match)
        self._tiers: list[tuple[query.Query, Any, bool]] = []
        self._whoosh_hits: dict[int, tuple[int, Any]] = {}
        self._highlighting = False
        #: what feedback added to the best matches' scores, and its words
        self._feedback: Feedback | None = None
        self.reading = ""
        self.terms = terms
        self.warnings = warnings
        self.hits: list[RankedHit] = []
        #: whether the articles with every word came first, then those with some
        self.tiered = False
        #: counts the second tier when it was not run (the first filled the page)
        self.uncounted: Callable[[], int] | None = None
        #: a count given so far is Whoosh's (upper) estimate, not an exact count
        self.estimated = False

    def add_tier(self, q: query.Query, results: Any, asked: int | None,
                 keep: int | None = None, feedback: Feedback | None = None,
                 by_date: bool = False) -> None:
        """Append the first ``keep`` (all with None) of ``results`` (of ``q``, whose leaves
        explain their scores, ``asked`` for at most that many) to the hits, their scores raised
        by what ``feedback`` adds, in the order of those scores; results sorted ``by_date``
        keep their order, each with its score for ``q`` (Whoosh gives the sort key instead)."""
        tier = len(self._tiers)
        # not list(results): list() asks len() for a size hint, and Whoosh answers it by
        # counting every match, the very pass an uncounted search is there to avoid
        found = list(iter(results))
        self._tiers.append((q, results, asked is None or len(found) < asked))
        extras = feedback.extras if feedback is not None else {}
        self._feedback = feedback or self._feedback
        if by_date:
            relevance = self._scores_at(q, [hit.docnum for hit in found])
            scored = [(hit, relevance.get(hit.docnum, 0.0)) for hit in found]
        else:
            scored = [(hit, float(hit.score or 0.0) + extras.get(hit.docnum, 0.0))
                      for hit in found]
        if extras:  # stable: ties keep the order of the typed scores
            scored.sort(key=lambda pair: -pair[1])
        if keep is not None:
            scored = scored[:keep]
        for hit, score in scored:
            self._whoosh_hits[hit.docnum] = (tier, hit)
            self.hits.append(RankedHit(hit.docnum, score, StoredArticle.of(hit.fields())))

    def count(self, exact: bool = False) -> int:
        total = sum(self._count(tier, exact) for tier in range(len(self._tiers)))
        return total + (self.uncounted() if self.uncounted else 0)

    def count_all_words(self, exact: bool = True) -> int | None:
        if not self.tiered or not (exact or self._tiers[0][2]):
            return None
        return self._count(0, exact=False)

    def _count(self, tier: int, exact: bool) -> int:
        _, results, whole = self._tiers[tier]
        if whole:  # fewer than asked for: every match is among the results
            return results.scored_length()
        if exact or results.has_exact_length():
            return len(results)
        estimate = results.estimated_length()
        if estimate <= EXACT_COUNT_UP_TO:
            return len(results)
        self.estimated = True
        return estimate

    def highlight(self, hit: RankedHit, fieldname: str, text: str, chars: int) -> str:
        from .whoosh_highlight import passages, prepare_highlighting

        if not self._highlighting:
            for _, results, _ in self._tiers:
                prepare_highlighting(results, chars)
            self._highlighting = True
        return passages(self._whoosh_hits[hit.docnum][1], fieldname, text)

    def explain(self, docnums: list[int]) -> dict[int, list[tuple[str, float]]]:
        """Each document's score split by the parts of the query that ranked it (each term or
        phrase that matched), plus what pseudo-relevance feedback added, when it re-ranked the
        matches."""
        parts: dict[int, list[tuple[str, float]]] = {}
        for tier, (q, _, _) in enumerate(self._tiers):
            mine = [d for d in docnums if self._whoosh_hits.get(d, (None,))[0] == tier]
            parts.update(self._explain(q, mine))
        return parts

    def _explain(self, q: query.Query, docnums: list[int]) -> dict[int, list[tuple[str, float]]]:
        """One matcher per part walks the documents in order: the cost grows with the parts
        of the query, not with parts times hits (a thousand-word query explained ten hits in
        minutes)."""
        parts: dict[int, list[tuple[str, float]]] = {docnum: [] for docnum in docnums}
        fed = self._feedback
        if fed is not None and q is self._tiers[0][0]:
            words = f"{' '.join(fed.words[:8])}{' …' if len(fed.words) > 8 else ''}"
            for docnum in docnums:
                if docnum in fed.extras:
                    parts[docnum].append((f"feedback({words})", round(fed.extras[docnum], 4)))
        summed: dict[int, dict[str, float]] = {docnum: {} for docnum in docnums}
        for leaf in q.leaves():
            try:
                scores = self._scores_at(leaf, docnums)
            except Exception:  # an exotic leaf type without a matcher adds nothing to explain
                continue
            # a part the query holds twice (a phrase as the exact-phrase bonus and as a
            # spelling searched for a name) is listed once, with what it adds in all
            for docnum, score in scores.items():
                label = str(leaf)
                summed[docnum][label] = summed[docnum].get(label, 0.0) + score
        for docnum, labels in summed.items():
            parts[docnum].extend((label, round(score, 4)) for label, score in labels.items())
        return {docnum: sorted(found, key=lambda p: -p[1]) for docnum, found in parts.items()}

    def _scores_at(self, q: query.Query, docnums: list[int]) -> dict[int, float]:
        """``q``'s score for each of ``docnums`` it matches; every article for ``'*'``, which
        scores its boost (its matcher would list every article first)."""
        if isinstance(q, query.Every):
            return dict.fromkeys(docnums, q.boost)
        scores: dict[int, float] = {}
        matcher = q.matcher(self._searcher)
        for docnum in sorted(set(docnums)):
            if not matcher.is_active():
                break
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
            if matcher.is_active() and matcher.id() == docnum:
                scores[docnum] = float(matcher.score())
        return scores
