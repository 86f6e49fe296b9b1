"""Ranked search over the index, with highlighted snippets read from the article files."""

from __future__ import annotations

import contextlib
import datetime as _dt
import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from whoosh import query, sorting

from . import query as query_mod
from . import ranking
from .dates import parse_iso
from .engine.fields import BODY, DATE, TITLE
from .engine.stored import StoredArticle
from .errors import ArchiveError, QueryError
from .options import SearchOptions

if TYPE_CHECKING:
    from .archive import Archive
    from .config import SearchSettings, Settings

SORTS = ("relevance", "newest", "oldest")


@dataclass
class Hit:
    """One search result. ``snippet`` contains HL_START/HL_END around matched words."""

    rank: int
    id: str
    score: float
    title: str
    date: str | None
    source: str | None
    tags: list[str]
    url: str | None
    path: str
    lang: str | None
    snippet: str = ""
    explain: list[tuple[str, float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Suggestion:
    """A "did you mean": the corrected query and how many articles it finds."""

    query: str
    words: list[tuple[str, str]]
    articles: int


@dataclass
class SearchResult:
    """Hits for one query plus how it was read (for ``--explain`` and scripts)."""

    query: str
    hits: list[Hit]
    #: exact up to EXACT_COUNT_UP_TO likely matches, Whoosh's (upper) estimate beyond;
    #: None when not counted (``count=False`` and a full page)
    total: int | None
    offset: int = 0
    limit: int = 10
    #: more articles matched than this page holds: known even when they were not counted (one
    #: match beyond the page is asked for), so that output cut by the limit can say so
    more: bool = False
    seconds: float = 0.0
    terms: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reading: str = ""
    date_start: _dt.datetime | None = None
    date_end: _dt.datetime | None = None
    suggestion: Suggestion | None = None
    variants: list[str] = field(default_factory=list)
    #: paths of hits left out because their file is gone from corpus/ (deleted since the
    #: index was last updated)
    gone: list[str] = field(default_factory=list)
    #: what was changed to answer in time (the commonest words of a very long query left out)
    warnings: list[str] = field(default_factory=list)


def run_search(
    archive: Archive, text: str, options: SearchOptions | None = None, **changes: Any
) -> SearchResult:
    """Search the archive. Raises :class:`~archive_search.errors.QueryError` for bad queries.

    The options are a :class:`~archive_search.options.SearchOptions` (``options``, with
    ``changes`` as keywords applied to it): ``recent`` re-ranks the best matches so that newer
    ones move up (see :func:`_recency`), ``explain`` fills each hit's ``explain`` with the
    parts of its score, ``count=False`` skips counting a full page's matches.
    """
    opted = SearchOptions.of(options, **changes)
    since, until, sort, limit, offset = (opted.since, opted.until, opted.sort, opted.limit,
                                         opted.offset)
    snippets, explain, recent, suggest, exact, count = (
        opted.snippets, opted.explain, opted.recent, opted.suggest, opted.exact, opted.count)
    started = time.perf_counter()
    settings = archive.settings
    opts = settings.search
    limit = opts.limit if limit is None else limit
    if sort not in SORTS:
        raise QueryError(f"unknown sort {sort!r} (use {', '.join(SORTS)})")
    ix = archive.index.open()
    with ix.searcher(weighting=ranking.weighting(opts)) as searcher:
        names = None if exact else archive.index.name_catalogs
        parsed = query_mod.parse(text, searcher, settings, names=names)
        start = max(filter(None, [parsed.date_start, since]), default=None)
        end = min(filter(None, [parsed.date_end, until]), default=None)
        if start and end and start > end:
            raise QueryError(
                f"the dates leave no day to search: from {start:%Y-%m-%d} to {end:%Y-%m-%d} "
                "(check --since, --until and the date: clauses)"
            )
        # feedback must hear only the articles the dates let through
        parsed.date_start, parsed.date_end = start, end
        parsed.query = ranking.prepare(
            parsed, searcher, settings, archive.corpus.read_body if sort == "relevance" else None
        )
        q = parsed.query
        if start or end:
            q = query.And([q, query.DateRange(DATE, start, end)])
        kwargs: dict[str, Any] = {}
        if sort != "relevance":
            kwargs["sortedby"] = sorting.FieldFacet(DATE, reverse=(sort == "newest"))
        # one beyond the page: whether more matched is known without counting them all
        wanted = offset + limit + 1 if limit > 0 else None
        if recent and sort == "relevance":
            wanted = max(wanted or 0, RECENT_POOL) if wanted else None
        results = searcher.search(q, limit=wanted, **kwargs)
        chars = opts.snippet_chars
        if snippets:
            from .snippets import prepare_highlighting, snippet

            prepare_highlighting(results, chars)
        hits: list[Hit] = []
        # not list(results): list() asks len() for a size hint, and Whoosh answers it by
        # counting every match, the very pass count=False is there to avoid
        ranked = list(iter(results))
        shown_score = {hit.docnum: float(hit.score or 0.0) for hit in ranked}
        if recent and sort == "relevance":
            ranked, shown_score = _recency(ranked, opts)
        page = ranked[offset:] if limit <= 0 else ranked[offset : offset + limit]
        for rank, hit in enumerate(page, offset + 1):
            stored = StoredArticle.of(hit.fields())
            item = Hit(
                rank=rank,
                id=stored.id,
                score=round(shown_score[hit.docnum], 4),
                title=stored.title,
                date=stored.date,
                source=stored.source,
                tags=stored.tags,
                url=stored.url,
                path=f"corpus/{stored.path}",
                lang=stored.lang,
            )
            if snippets:
                item.snippet = snippet(archive, hit, stored, chars)
            hits.append(item)
        if explain:
            parts = _score_parts(searcher, parsed.query, [hit.docnum for hit in page])
            for item, hit in zip(hits, page, strict=True):
                item.explain = parts[hit.docnum]
        # a page that is not full already says how many matched; only a full one needs
        # Whoosh's second pass over the matches to count the rest
        full = limit > 0 and len(hits) >= limit
        few = opts.suggest_below
        total: int | None = offset + len(hits)
        if full:
            total = _count(results) if count or (suggest and total < few) else None
        suggestion = None
        if (suggest and total is not None and total < few and parsed.words
                and not parsed.variants):
            suggestion = _suggest(archive, searcher, parsed, total, settings)
    return SearchResult(
        query=text,
        hits=hits,
        total=total,
        offset=offset,
        limit=limit,
        more=limit > 0 and len(ranked) > offset + limit,
        seconds=time.perf_counter() - started,
        terms=parsed.terms,
        notes=parsed.notes,
        reading=str(parsed.query),
        date_start=start,
        date_end=end,
        suggestion=suggestion,
        variants=parsed.variants,
        warnings=parsed.warnings,
    )


@dataclass
class BatchAnswer:
    """One line of a query file: the result of its query, or why there is none."""

    line: int
    query: str
    result: SearchResult | None = None
    error: str | None = None
    #: the error is a bug in arch (exit status 70), not something wrong with the query
    bug: bool = False


def search_lines(
    archive: Archive, lines: BinaryIO, options: SearchOptions | None = None
) -> Iterator[BatchAnswer]:
    """Run the query on each line of ``lines`` (a file opened in binary mode), in order, each
    with the same ``options``. Blank lines are skipped.

    Every line gets its own answer, and nothing on one line stops the others: each is decoded
    on its own (a line that is not UTF-8 is an error of that line alone), a line longer than
    a query may be is read no further than that, and a query that is refused, or that meets a
    bug, is reported as that line's ``error``.
    """
    for number, raw, whole in _read_lines(lines, query_mod.MAX_QUERY_CHARS * 4):
        if not whole:
            yield BatchAnswer(number, raw[:80].decode("utf-8", "replace") + " …",
                              error=f"query too long (the limit is "
                                    f"{query_mod.MAX_QUERY_CHARS:,} characters)")
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield BatchAnswer(number, raw.decode("utf-8", "replace").strip(),
                              error=f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at column "
                                    f"{exc.start + 1}); save the file as UTF-8")
            continue
        text = text.lstrip("\ufeff").strip() if number == 1 else text.strip()
        if not text:
            continue
        try:
            yield BatchAnswer(number, text, archive.search(text, options))
        except ArchiveError as exc:
            yield BatchAnswer(number, text, error=str(exc))
        except Exception as exc:  # a bug in arch: said, and the other lines still answered
            yield BatchAnswer(number, text, error=f"unexpected {type(exc).__name__}: {exc}",
                              bug=True)


def _read_lines(stream: BinaryIO, limit: int) -> Iterator[tuple[int, bytes, bool]]:
    """``(number, line, whole)`` for each line, holding at most ``limit`` bytes of one: the
    rest of a longer line is skipped (``whole`` is False), so memory stays bounded."""
    number = 0
    while raw := stream.readline(limit + 1):
        number += 1
        whole = raw.endswith(b"\n") or len(raw) <= limit
        rest = raw
        while not (rest.endswith(b"\n") or len(rest) <= limit):
            rest = stream.readline(limit + 1)
        yield number, raw.rstrip(b"\r\n"), whole


#: Above this many likely matches, the total is Whoosh's estimate instead of an exact count
#: (counting exactly costs a second pass over every matching document).
EXACT_COUNT_UP_TO = 2000


def _count(results: Any) -> int:
    if results.has_exact_length():
        return len(results)
    estimate = results.estimated_length()
    return len(results) if estimate <= EXACT_COUNT_UP_TO else estimate


#: How many of the best matches ``--recent`` re-ranks, and the share of the best score a match
#: needs to count as relevant enough to be moved up for being new.
RECENT_POOL = 100
RECENT_FLOOR = 0.5


def _recency(hits: list[Any], opts: SearchSettings) -> tuple[list[Any], dict[int, float]]:
    """Blend relevance with recency among the best matches: the hits in their new order, and
    each one's blended score on the scale of the scores (the best match's relevance), so that
    the scores printed go down the list as the hits do.

    Scores are scaled to the best match (1.0); an article's recency is
    ``0.5 ** (days older than the newest match / half life)``. Only matches scoring at least
    half the best are moved up for being new, and the blend weight stays below one half, so a
    clearly better match is never buried under merely newer, weaker ones.
    """
    if not hits:
        return hits, {}
    weight = min(opts.recent_weight, 0.45)
    half_life = max(opts.recent_half_life_days, 0.1)
    best = max(h.score or 0.0 for h in hits) or 1.0
    dates = [StoredArticle.of(h.fields()).date for h in hits]
    parsed = [parse_iso(d) if d else None for d in dates]
    newest = max((d for d in parsed if d), default=None)

    def blended(pair: tuple[Any, _dt.datetime | None]) -> float:
        hit, when = pair
        relevance = (hit.score or 0.0) / best
        fresh = 0.0
        if relevance < RECENT_FLOOR:
            return (1 - weight) * relevance
        if newest and when:
            age = (newest - when).total_seconds() / 86400
            fresh = 0.5 ** (age / half_life)
        return (1 - weight) * relevance + weight * fresh

    scored = sorted(((hit, blended((hit, when))) for hit, when in zip(hits, parsed, strict=True)),
                    key=lambda pair: pair[1], reverse=True)
    return [hit for hit, _ in scored], {hit.docnum: score * best for hit, score in scored}


def _score_parts(
    searcher: Any, q: query.Query, docnums: list[int]
) -> dict[int, list[tuple[str, float]]]:
    """Each document's score split by query part (each term or phrase that matched), plus
    what pseudo-relevance feedback added, when it re-ranked the matches.

    One matcher per part walks the documents in order: the cost grows with the parts of the
    query, not with parts times hits (a thousand-word query explained ten hits in minutes).
    """
    parts: dict[int, list[tuple[str, float]]] = {docnum: [] for docnum in docnums}
    if isinstance(q, ranking.Reranked):
        typed = _scores_at(searcher, q.typed, docnums)
        words = f"{' '.join(q.words[:8])}{' …' if len(q.words) > 8 else ''}"
        for docnum, score in typed.items():
            if docnum in q.scores:
                parts[docnum].append((f"feedback({words})", round(q.scores[docnum] - score, 4)))
    summed: dict[int, dict[str, float]] = {docnum: {} for docnum in docnums}
    for leaf in q.leaves():
        try:
            scores = _scores_at(searcher, leaf, docnums)
        except Exception:  # an exotic leaf type without a matcher adds nothing to explain
            continue
        # a part the query holds twice (a phrase as the exact-phrase bonus and as a spelling
        # searched for a name) is listed once, with what it adds in all
        for docnum, score in scores.items():
            label = str(leaf)
            summed[docnum][label] = summed[docnum].get(label, 0.0) + score
    for docnum, labels in summed.items():
        parts[docnum].extend((label, round(score, 4)) for label, score in labels.items())
    return {docnum: sorted(found, key=lambda p: -p[1]) for docnum, found in parts.items()}


def _scores_at(searcher: Any, q: query.Query, docnums: list[int]) -> dict[int, float]:
    """``q``'s score for each of ``docnums`` it matches."""
    scores: dict[int, float] = {}
    matcher = q.matcher(searcher)
    for docnum in sorted(set(docnums)):
        if not matcher.is_active():
            break
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
        if matcher.is_active() and matcher.id() == docnum:
            scores[docnum] = float(matcher.score())
    return scores


def _suggest(
    archive: Archive, searcher: Any, parsed: Any, total: int, settings: Settings
) -> Suggestion | None:
    """Replace each rare word of the query by a close spelling that many articles use.

    Only suggestions that the analyser keeps as they are (proper names, unstemmed words) are
    offered, so the user never sees a truncated stem like 'compani'.
    """
    reader = searcher.reader()
    schema = searcher.schema
    replaced: list[tuple[str, str]] = []
    corrected = parsed.text
    lexicon: list[str] = []
    for word in parsed.words[:8]:
        analysed = [t for t in schema[BODY].process_text(word, mode="query")]
        if len(analysed) != 1 or len(analysed[0]) > MAX_TYPO_CHARS:
            continue
        stem = analysed[0]
        have = reader.doc_frequency(BODY, stem) + reader.doc_frequency(TITLE, stem)
        if have > 1:
            continue  # a word the archive uses is not a typo
        best: tuple[int, str] | None = None
        # one edit for short words, two for long ones: 'war' is not a misspelt 'year'
        maxdist = 1 if len(stem) < 7 else 2
        lexicon = lexicon or [word.decode() for word in reader.lexicon(BODY)]
        for candidate in _close_words(reader, lexicon, stem, maxdist):
            if candidate == stem or len(candidate) < 3:
                continue
            if list(schema[BODY].process_text(candidate, mode="query")) != [candidate]:
                continue
            freq = reader.doc_frequency(BODY, candidate)
            if freq >= 2 and (best is None or freq > best[0]):
                best = (freq, candidate)
        if best:
            replacement = best[1] if word.islower() else best[1].capitalize()
            corrected = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", replacement, corrected,
                               count=1)
            replaced.append((word, replacement))
    if not replaced or corrected == parsed.text:
        return None
    try:
        again = query_mod.parse(corrected, searcher, settings)
    except QueryError:
        return None
    results = searcher.search(again.query, limit=1)
    found = len(results)
    if found <= total:
        return None
    if results:
        surface = _surface_words(archive, StoredArticle.of(results[0].fields()), schema)
        for i, (word, stem) in enumerate(replaced):
            written = surface.get(stem.lower())
            if written:
                corrected = re.sub(rf"(?<!\w){re.escape(stem)}(?!\w)", written, corrected,
                                   count=1)
                replaced[i] = (word, written)
    return Suggestion(query=corrected, words=replaced, articles=found)


#: Longer words are not looked at for typos: no misspelt word is this long, and comparing
#: one with every word of the archive costs time for nothing.
MAX_TYPO_CHARS = 30


def _close_words(reader: Any, lexicon: list[str], stem: str, maxdist: int) -> list[str]:
    """The five most frequent words of ``lexicon`` (the body field's) within ``maxdist`` edits
    of ``stem``, a transposition counting as one: what Whoosh's corrector suggests, found by
    rapidfuzz in milliseconds instead of Whoosh's Python edit distance to every word of the
    archive (one to two seconds a word on Reuters)."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    close = process.extract(stem, lexicon, scorer=OSA.distance, score_cutoff=maxdist,
                            limit=None)
    return sorted((word for word, _, _ in close),
                  key=lambda word: -reader.frequency(BODY, word))[:5]


def _surface_words(archive: Archive, stored: StoredArticle, schema: Any) -> dict[str, str]:
    """Stem -> the word as an article writes it, so suggestions read 'Vostochny', not the
    stem 'vostochni'."""
    text = stored.title
    with contextlib.suppress(OSError, UnicodeDecodeError, ValueError, KeyError):
        text += "\n" + archive.corpus.read_body(stored.path)
    words: dict[str, str] = {}
    for word in set(re.findall(r"[^\W\d_]{3,}", text)):
        stems = list(schema[BODY].process_text(word, mode="query"))
        if len(stems) == 1:
            words.setdefault(stems[0], word)
    return words
