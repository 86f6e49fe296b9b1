"""A query run by Whoosh: :meth:`WhooshSearcher.rank
<archive_search.engine.whoosh_searcher.WhooshSearcher.rank>` gives a :class:`WhooshRanking`,
the :class:`~archive_search.engine.Ranking` the engine-neutral search works on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from whoosh import query, sorting

from . import RankedHit
from .fields import DATE
from .stored import StoredArticle
from .whoosh_query import compile_query
from .whoosh_ranking import Reranked, prepare

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
    with ``sort`` ``newest``/``oldest``. ``read_body`` lets feedback read the best matches."""
    compiled = compile_query(reading, searcher, settings)
    q = prepare(compiled.query, reading, searcher, settings, read_body)
    run = q
    if reading.date_start or reading.date_end:
        run = query.And([q, query.DateRange(DATE, reading.date_start, reading.date_end)])
    kwargs: dict[str, Any] = {}
    if sort != "relevance":
        kwargs["sortedby"] = sorting.FieldFacet(DATE, reverse=(sort == "newest"))
    results = searcher.search(run, limit=limit, **kwargs)
    return WhooshRanking(searcher, q, results, compiled.terms, compiled.warnings)


class WhooshRanking:
    """The matches of one query in one Whoosh searcher, valid while the searcher is open."""

    def __init__(self, searcher: searching.Searcher, q: query.Query, results: Any,
                 terms: list[tuple[str, str]], warnings: list[str]) -> None:
        self._searcher = searcher
        self._query = q
        self._results = results
        self._highlighting = False
        self.reading = str(q)
        self.terms = terms
        self.warnings = warnings
        # not list(results): list() asks len() for a size hint, and Whoosh answers it by
        # counting every match, the very pass an uncounted search is there to avoid
        self._hits = {hit.docnum: hit for hit in iter(results)}
        self.hits = [RankedHit(docnum, float(hit.score or 0.0), StoredArticle.of(hit.fields()))
                     for docnum, hit in self._hits.items()]

    def count(self, exact: bool = False) -> int:
        results = self._results
        if exact or results.has_exact_length():
            return len(results)
        estimate = results.estimated_length()
        return len(results) if estimate <= EXACT_COUNT_UP_TO else estimate

    def highlight(self, hit: RankedHit, fieldname: str, text: str, chars: int) -> str:
        from .whoosh_highlight import passages, prepare_highlighting

        if not self._highlighting:
            prepare_highlighting(self._results, chars)
            self._highlighting = True
        return passages(self._hits[hit.docnum], fieldname, text)

    def explain(self, docnums: list[int]) -> dict[int, list[tuple[str, float]]]:
        """Each document's score split by query part (each term or phrase that matched), plus
        what pseudo-relevance feedback added, when it re-ranked the matches.

        One matcher per part walks the documents in order: the cost grows with the parts of
        the query, not with parts times hits (a thousand-word query explained ten hits in
        minutes).
        """
        q = self._query
        parts: dict[int, list[tuple[str, float]]] = {docnum: [] for docnum in docnums}
        if isinstance(q, Reranked):
            typed = self._scores_at(q.typed, docnums)
            words = f"{' '.join(q.words[:8])}{' …' if len(q.words) > 8 else ''}"
            for docnum, score in typed.items():
                if docnum in q.scores:
                    parts[docnum].append((f"feedback({words})",
                                          round(q.scores[docnum] - score, 4)))
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
        """``q``'s score for each of ``docnums`` it matches."""
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
