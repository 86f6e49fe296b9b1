"""A text's terms as the index has them, and how many articles hold each of them.

The compared text may not be in the index (``arch related --text``): it then counts as one
more article, in the total and in the document frequency of each of its own terms, so that a
term it shares with one archived article has the same weight as between two archived ones.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..engine import Analyzer, Searcher

#: A term holding a letter can be a word; others are figures.
LETTER = re.compile(r"[^\W\d_]")


class Terms:
    """The index analyzer's terms for a text, each distinct word analysed only once.

    ``pattern`` finds the words when the analyzer only changes or drops single words after
    finding them (:meth:`~archive_search.engine.Searcher.word_pattern`, the case for every
    text field of the schema); without one the analyzer is run on the whole text.
    """

    def __init__(self, analyzer: Analyzer, pattern: re.Pattern[str] | None) -> None:
        self.analyzer = analyzer
        self.pattern = pattern
        self.cache: dict[str, tuple[str, ...]] = {}

    def __call__(self, text: str) -> tuple[str, ...]:
        if self.pattern is None:
            return tuple(t.text for t in self.analyzer(text))
        words = [match.group() for match in self.pattern.finditer(text)]
        self._learn([w for w in dict.fromkeys(words) if w not in self.cache])
        return tuple(term for word in words for term in self.cache[word])

    def _learn(self, words: list[str]) -> None:
        """Analyse new words in one pass; stop words are marked rather than dropped, so each
        word yields exactly one token."""
        if not words:
            return
        tokens = [(t.text, t.stopped) for t in self.analyzer(" ".join(words), removestops=False)]
        if len(tokens) != len(words):  # a word did not survive alone: analyse one by one
            for word in words:
                self.cache[word] = tuple(t.text for t in self.analyzer(word))
            return
        for word, (term, stopped) in zip(words, tokens, strict=True):
            self.cache[word] = () if stopped else (term,)


class TermStats:
    """Document frequencies and weights of terms, read from the index.

    ``text_terms`` are the terms of the compared text when it is not in the index (None when it
    is): the text then counts as one more article. A term's weight is its idf, ``idf_floor +
    log((N + 1) / (df + 1))``: the floor lets a subject's everyday words count beside the rare
    words of one story. Terms in more than ``ceiling`` articles are too common to count.
    """

    def __init__(
        self,
        searcher: Searcher,
        title_field: str,
        body_field: str,
        text_terms: Collection[str] | None,
        *,
        min_df: int,
        max_df_share: float,
        min_df_ceiling: int,
        idf_floor: float,
    ) -> None:
        self.searcher = searcher
        self.fields = (title_field, body_field)
        self.text_terms = frozenset(text_terms or ())
        self.extra_doc = 0 if text_terms is None else 1
        self.total = searcher.doc_count() + self.extra_doc
        self.ceiling = max(max_df_share * self.total, min_df_ceiling)
        self.min_df = min_df
        self.idf_floor = idf_floor
        self._df: dict[str, int] = {}

    def df(self, term: str) -> int:
        """How many articles hold ``term`` in title or body, the compared text included."""
        found = self._df.get(term)
        if found is None:
            title_field, body_field = self.fields
            found = self.searcher.doc_frequency(body_field, term)
            if found < self.min_df:  # title-only articles (briefs) matter for rare terms
                found = max(found, self.searcher.doc_frequency(title_field, term))
            self._df[term] = found
        return found + (self.extra_doc if term in self.text_terms else 0)

    def field_df(self, fieldname: str, key: str) -> int:
        """How many articles hold ``key`` in ``fieldname`` (names, tags), the compared text
        included (whose own names and tags are the only ones asked about)."""
        return self.searcher.doc_frequency(fieldname, key) + self.extra_doc

    def idf(self, df: int) -> float:
        return self.idf_floor + self.rarity(df)

    def rarity(self, df: int) -> float:
        """The idf without its floor: what makes a shared term worth naming in a reason."""
        return math.log((self.total + 1) / (df + 1))
