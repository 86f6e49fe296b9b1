"""Ranked search over the archive: a query read (:mod:`archive_search.query`), run by the
engine (:meth:`archive_search.engine.Searcher.rank`), paged, re-ranked for recency, explained,
counted, with highlighted snippets read from the article files and a "did you mean" when few
articles match. Nothing here knows which engine runs the query."""

from __future__ import annotations

import contextlib
import datetime as _dt
import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from . import query as query_mod
from . import ranking
from .engine.fields import BODY, TITLE, text_fields
from .errors import ArchiveError, QueryError
from .options import SearchOptions

if TYPE_CHECKING:
    from .archive import Archive
    from .config import Settings
    from .engine import RankedHit, Ranking, Searcher
    from .engine.stored import StoredArticle
    from .query import QueryReading

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
    #: exact up to a bound the engine sets (2,000 for Whoosh), an (upper) estimate beyond;
    #: None when not counted (``count=False`` and a full page)
    total: int | None
    #: of ``total``, how many have every word of a short query, when the articles with some
    #: of its words came after them (None otherwise, or when not counted)
    all_words: int | None = None
    #: ``total`` (and ``all_words``) are the engine's upper estimate, not an exact count
    estimated: bool = False
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
    ones move up (see :func:`~archive_search.ranking.recency`), ``explain`` fills each hit's
    ``explain`` with the parts of its score, ``count=False`` skips counting a full page's
    matches.
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
    with archive.index.searcher(opts) as searcher:
        names = None if exact else archive.index.name_catalogs
        reading = query_mod.read(text, settings, names=names)
        start = max(filter(None, [reading.date_start, since]), default=None)
        end = min(filter(None, [reading.date_end, until]), default=None)
        if start and end and start > end:
            raise QueryError(
                f"the dates leave no day to search: from {start:%Y-%m-%d} to {end:%Y-%m-%d} "
                "(check --since, --until and the date: clauses)"
            )
        # feedback must hear only the articles the dates let through
        reading.date_start, reading.date_end = start, end
        # one beyond the page: whether more matched is known without counting them all
        wanted = offset + limit + 1 if limit > 0 else None
        if recent and sort == "relevance":
            wanted = max(wanted or 0, ranking.RECENT_POOL) if wanted else None
        found = searcher.rank(reading, settings, sort=sort, limit=wanted,
                              read_body=archive.corpus.read_body if sort == "relevance" else None)
        ranked = found.hits
        shown_score = {hit.docnum: hit.score for hit in ranked}
        if recent and sort == "relevance":
            ranked, shown_score = ranking.recency(ranked, opts)
        page = ranked[offset:] if limit <= 0 else ranked[offset : offset + limit]
        hits: list[Hit] = []
        for rank, hit in enumerate(page, offset + 1):
            stored = hit.stored
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
                item.snippet = _snippet(archive, found, hit, opts.snippet_chars)
            hits.append(item)
        if explain:
            parts = found.explain([hit.docnum for hit in page])
            for item, hit in zip(hits, page, strict=True):
                item.explain = parts[hit.docnum]
        # a page that is not full already says how many matched; only a full one needs a
        # second pass over the matches to count the rest
        full = limit > 0 and len(hits) >= limit
        few = opts.suggest_below
        total: int | None = offset + len(hits)
        if full and not found.tiered:
            total = found.count() if count or (suggest and total < few) else None
        elif full:
            total = found.count() if count else None
        # with the articles of some words after those of all, "few" means few with all
        all_words = found.count_all_words(exact=total is not None)
        basis = all_words if found.tiered else total
        suggestion = None
        if (suggest and basis is not None and basis < few and reading.words
                and not reading.variants):
            suggestion = _suggest(archive, searcher, reading, basis, settings)
    return SearchResult(
        query=text,
        hits=hits,
        total=total,
        all_words=all_words,
        estimated=found.estimated,
        offset=offset,
        limit=limit,
        more=limit > 0 and len(ranked) > offset + limit,
        seconds=time.perf_counter() - started,
        terms=found.terms,
        notes=reading.notes,
        reading=found.reading,
        date_start=start,
        date_end=end,
        suggestion=suggestion,
        variants=reading.variants,
        warnings=found.warnings,
    )


def _snippet(archive: Archive, found: Ranking, hit: RankedHit, chars: int) -> str:
    """The hit's best passages, or the start of its body when no word can be marked."""
    try:
        body = archive.corpus.read_body(hit.stored.path)
    except (OSError, UnicodeDecodeError, ValueError):
        return ""
    _, body_field = text_fields(hit.stored.lang)
    marked = found.highlight(hit, body_field, body, chars)
    if marked:
        return " ".join(marked.split())
    plain = " ".join(body.split())
    return plain[:chars].rsplit(" ", 1)[0] + " …" if len(plain) > chars else plain


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


def _suggest(
    archive: Archive, searcher: Searcher, reading: QueryReading, total: int, settings: Settings
) -> Suggestion | None:
    """Replace each rare word of the query by a close spelling that many articles use.

    Only suggestions that the analyser keeps as they are (proper names, unstemmed words) are
    offered, so the user never sees a truncated stem like 'compani'.
    """
    replaced: list[tuple[str, str]] = []
    corrected = reading.text
    lexicon: list[str] = []
    for word in reading.words[:8]:
        analysed = searcher.terms_of(BODY, word)
        if len(analysed) != 1 or len(analysed[0]) > MAX_TYPO_CHARS:
            continue
        stem = analysed[0]
        have = searcher.doc_frequency(BODY, stem) + searcher.doc_frequency(TITLE, stem)
        if have > 1:
            continue  # a word the archive uses is not a typo
        best: tuple[int, str] | None = None
        # one edit for short words, two for long ones: 'war' is not a misspelt 'year'
        maxdist = 1 if len(stem) < 7 else 2
        lexicon = lexicon or searcher.lexicon(BODY)
        for candidate in _close_words(searcher, lexicon, stem, maxdist):
            if candidate == stem or len(candidate) < 3:
                continue
            if searcher.terms_of(BODY, candidate) != [candidate]:
                continue
            freq = searcher.doc_frequency(BODY, candidate)
            if freq >= 2 and (best is None or freq > best[0]):
                best = (freq, candidate)
        if best:
            replacement = best[1] if word.islower() else best[1].capitalize()
            corrected = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", replacement, corrected,
                               count=1)
            replaced.append((word, replacement))
    if not replaced or corrected == reading.text:
        return None
    try:
        again = searcher.rank(query_mod.read(corrected, settings), settings, limit=1)
    except QueryError:
        return None
    found = again.count_all_words() if again.tiered else again.count(exact=True)
    if found is None or found <= total:
        return None
    if again.hits:
        surface = _surface_words(archive, again.hits[0].stored, searcher)
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


def _close_words(searcher: Searcher, lexicon: list[str], stem: str, maxdist: int) -> list[str]:
    """The five most frequent words of ``lexicon`` (the body field's) within ``maxdist`` edits
    of ``stem``, a transposition counting as one: what Whoosh's corrector suggests, found by
    rapidfuzz in milliseconds instead of Whoosh's Python edit distance to every word of the
    archive (one to two seconds a word on Reuters)."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    close = process.extract(stem, lexicon, scorer=OSA.distance, score_cutoff=maxdist,
                            limit=None)
    return sorted((word for word, _, _ in close),
                  key=lambda word: -searcher.frequency(BODY, word))[:5]


def _surface_words(archive: Archive, stored: StoredArticle, searcher: Searcher) -> dict[str, str]:
    """Stem -> the word as an article writes it, so suggestions read 'Vostochny', not the
    stem 'vostochni'."""
    text = stored.title
    with contextlib.suppress(OSError, UnicodeDecodeError, ValueError, KeyError):
        text += "\n" + archive.corpus.read_body(stored.path)
    words: dict[str, str] = {}
    for word in set(re.findall(r"[^\W\d_]{3,}", text)):
        stems = searcher.terms_of(BODY, word)
        if len(stems) == 1:
            words.setdefault(stems[0], word)
    return words
