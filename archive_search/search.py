"""Ranked search over the index, with highlighted snippets read from the article files."""

from __future__ import annotations

import datetime as _dt
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from whoosh import highlight, query, scoring, sorting

from . import query as query_mod
from .index import text_fields

if TYPE_CHECKING:
    from .archive import Archive

#: Markers around highlighted words in snippets; the output layer turns them into bold or
#: removes them.
HL_START, HL_END = "\x02", "\x03"
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

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SearchResult:
    """Hits for one query plus how it was read (for ``--explain`` and scripts)."""

    query: str
    hits: list[Hit]
    total: int
    offset: int = 0
    limit: int = 10
    seconds: float = 0.0
    terms: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _Marker(highlight.Formatter):
    """Wraps matched words in the highlight markers, leaves the rest as it is."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"{HL_START}{highlight.get_text(text, token, replace)}{HL_END}"


def run_search(
    archive: Archive,
    text: str,
    *,
    since: _dt.datetime | None = None,
    until: _dt.datetime | None = None,
    sort: str = "relevance",
    limit: int | None = None,
    offset: int = 0,
    snippets: bool = True,
) -> SearchResult:
    """Search the archive. Raises :class:`~archive_search.errors.QueryError` for bad queries."""
    started = time.perf_counter()
    settings = archive.settings
    opts = settings.get("search", {})
    limit = int(opts.get("limit", 10)) if limit is None else limit
    if sort not in SORTS:
        raise query_mod.QueryError(f"unknown sort {sort!r} (use {', '.join(SORTS)})")
    weighting = scoring.BM25F(B=float(opts.get("bm25_b", 0.75)), K1=float(opts.get("bm25_k1", 1.2)))
    ix = archive.index.open()
    with ix.searcher(weighting=weighting) as searcher:
        parsed = query_mod.parse(text, searcher, settings)
        start = max(filter(None, [parsed.date_start, since]), default=None)
        end = min(filter(None, [parsed.date_end, until]), default=None)
        q = parsed.query
        if start or end:
            q = query.And([q, query.DateRange("date", start, end)])
        kwargs: dict[str, Any] = {}
        if sort != "relevance":
            kwargs["sortedby"] = sorting.FieldFacet("date", reverse=(sort == "newest"))
        wanted = offset + limit if limit > 0 else None
        results = searcher.search(q, limit=wanted, **kwargs)
        results.fragmenter = highlight.ContextFragmenter(
            maxchars=int(opts.get("snippet_chars", 220)), surround=60
        )
        results.formatter = _Marker()
        hits: list[Hit] = []
        page = results[offset:] if limit <= 0 else results[offset : offset + limit]
        for rank, hit in enumerate(page, offset + 1):
            stored = hit.fields()
            tags = [t for t in (stored.get("tags") or "").split(",") if t]
            item = Hit(
                rank=rank,
                id=stored["id"],
                score=round(float(hit.score or 0.0), 4),
                title=stored.get("title", ""),
                date=stored.get("date_text"),
                source=stored.get("source"),
                tags=tags,
                url=stored.get("url") or None,
                path=f"corpus/{stored['path']}",
                lang=stored.get("lang") or None,
            )
            if snippets:
                item.snippet = _snippet(archive, hit, stored, int(opts.get("snippet_chars", 220)))
            hits.append(item)
        total = len(results)
    return SearchResult(
        query=text,
        hits=hits,
        total=total,
        offset=offset,
        limit=limit,
        seconds=time.perf_counter() - started,
        terms=parsed.terms,
        notes=parsed.notes,
    )


def _snippet(archive: Archive, hit: Any, stored: dict[str, Any], chars: int) -> str:
    try:
        article = archive.corpus.read(stored["path"])
    except (OSError, UnicodeDecodeError, ValueError):
        return ""
    body = article.body
    _, body_field = text_fields(article.lang)
    try:
        found = hit.highlights(body_field, text=body, top=2)
    except Exception:  # highlighting is a nicety; never fail a search over it
        found = ""
    if found:
        return " ".join(found.split())
    plain = " ".join(body.split())
    return plain[:chars].rsplit(" ", 1)[0] + " …" if len(plain) > chars else plain
