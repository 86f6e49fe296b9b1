"""The :class:`~archive_search.engine.Searcher` protocol over a Whoosh searcher: term
statistics, postings, stored fields and ranked queries for the code that must not know
Whoosh."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.reading import TermNotFound
from whoosh.util.times import datetime_to_long

from .fields import DATE, ID
from .stored import StoredArticle

if TYPE_CHECKING:
    from types import TracebackType

    from whoosh import searching

    from ..config import Settings
    from ..query import QueryReading
    from . import Analyzer, BodyReader
    from .whoosh_search import WhooshRanking

#: The date column holds this for undated documents (the largest 64-bit value).
_LAST_DATE = datetime_to_long(_dt.datetime.max)

#: Filters that change or drop a single token, never split or join tokens.
_PER_TOKEN = (LowercaseFilter, StopFilter, StemFilter, CharsetFilter)


class WhooshSearcher:
    """A :class:`~archive_search.engine.Searcher` reading through ``searcher``, which it
    closes when the ``with`` block ends."""

    def __init__(self, searcher: searching.Searcher) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()

    def __enter__(self) -> WhooshSearcher:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.searcher.close()

    def doc_count(self) -> int:
        return self.searcher.doc_count()

    def doc_frequency(self, fieldname: str, term: str) -> int:
        return self.searcher.doc_frequency(fieldname, term)

    def postings(self, fieldname: str, term: str) -> list[int]:
        try:
            return list(self.searcher.postings(fieldname, term).all_ids())
        except TermNotFound:
            return []

    def docs_with_all(
        self, fieldname: str, terms: Iterable[str], limit: int | None = None
    ) -> set[int]:
        # The rarest term's documents, each looked for in the other lists by skip_to, which
        # passes whole blocks by their last id: Whoosh's own intersection (And(...).docs())
        # decodes every id of every list, 800,000 of them for a line of common words at
        # 200,000 articles.
        words = sorted(set(terms), key=lambda t: self.doc_frequency(fieldname, t))
        if not words or self.doc_frequency(fieldname, words[0]) == 0:
            return set()
        others = [self.searcher.postings(fieldname, word) for word in words[1:]]
        found: set[int] = set()
        for docnum in self.searcher.postings(fieldname, words[0]).all_ids():
            for other in others:
                if other.is_active() and other.id() < docnum:
                    other.skip_to(docnum)
                if not other.is_active():
                    return found
                if other.id() != docnum:
                    break
            else:
                if not self.reader.is_deleted(docnum):
                    found.add(docnum)
                    if limit is not None and len(found) >= limit:
                        break
        return found

    def is_deleted(self, docnum: int) -> bool:
        return self.reader.is_deleted(docnum)

    def document_number(self, article_id: str) -> int | None:
        return self.searcher.document_number(**{ID: article_id})

    def stored(self, docnum: int) -> StoredArticle:
        return StoredArticle.of(self.searcher.stored_fields(docnum))

    def all_stored(self) -> Iterator[StoredArticle]:
        return (StoredArticle.of(fields) for fields in self.searcher.all_stored_fields())

    def field_length(self, docnum: int, fieldname: str) -> int:
        return self.reader.doc_field_length(docnum, fieldname) or 0

    def dates_within(
        self, since: _dt.datetime | None, until: _dt.datetime | None
    ) -> Callable[[int], bool]:
        dates = self.reader.column_reader(DATE, translate=False)
        low = datetime_to_long(since) if since else 0
        high = datetime_to_long(until) if until else _LAST_DATE - 1
        return lambda docnum: low <= dates[docnum] <= high

    def analyzer(self, fieldname: str) -> Analyzer:
        return self.searcher.schema[fieldname].analyzer

    def word_pattern(self, fieldname: str) -> re.Pattern[str] | None:
        items = getattr(self.analyzer(fieldname), "items", [])
        first = items[0] if items else None
        simple = (
            isinstance(first, RegexTokenizer)
            and not first.gaps
            and all(isinstance(item, _PER_TOKEN) for item in items[1:])
        )
        return first.expression if simple else None

    def terms_of(self, fieldname: str, text: str) -> list[str]:
        return list(self.searcher.schema[fieldname].process_text(text, mode="query"))

    def lexicon(self, fieldname: str) -> list[str]:
        return [word.decode() for word in self.reader.lexicon(fieldname)]

    def frequency(self, fieldname: str, term: str) -> int:
        return int(self.reader.frequency(fieldname, term))

    def rank(
        self,
        reading: QueryReading,
        settings: Settings,
        *,
        sort: str = "relevance",
        limit: int | None = None,
        read_body: BodyReader | None = None,
    ) -> WhooshRanking:
        from .whoosh_search import rank

        return rank(self.searcher, reading, settings, sort=sort, limit=limit,
                    read_body=read_body)
