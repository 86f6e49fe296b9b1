"""Terms and lines that cannot tell stories apart, and so are left out of every comparison.

* a source's standing text: a term in most articles of one source (a site's name, the
  "Reuter" sign-off of a wire), found from the index's postings;
* boilerplate lines: a short line found word for word in several other articles (sign-offs,
  "subscribe" banners), confirmed by reading a few of them;
* terms too common (above the document-frequency ceiling) and terms without a letter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from ..engine.fields import SOURCE
from .terms import LETTER, TermStats

if TYPE_CHECKING:
    from ..engine import Searcher


class SourceText:
    """Which terms stand in at least ``share`` of the articles of one source (of at least
    ``min_docs`` articles): that source's standing text."""

    def __init__(self, searcher: Searcher, ceiling: float, *, share: float, min_docs: int) -> None:
        self.searcher = searcher
        self.ceiling = ceiling
        self.share = share
        self.min_docs = min_docs
        self._docs: dict[str, set[int]] = {}
        self._holds: dict[tuple[str, str, str], bool] = {}

    def holds(self, source: str, term: str, df: int, fields: tuple[str, ...]) -> bool:
        """True when ``term`` (in ``fields``, held by ``df`` articles in all) is in ``share``
        of the articles of ``source``."""
        docs = self.docs(source)
        if len(docs) < self.min_docs or df < self.share * len(docs):
            return False
        found = self._holds.get((source, fields[0], term))
        if found is None:
            holding: set[int] = set()
            for fieldname in fields:
                holding.update(self.searcher.postings(fieldname, term))
            found = len(holding & docs) >= self.share * len(docs)
            self._holds[(source, fields[0], term)] = found
        return found

    def docs(self, source: str) -> set[int]:
        """The articles whose source has the same words as ``source``.

        A source that covers more articles than any term may be in (the whole archive, say)
        cannot have standing text the ceiling does not already remove, so it is not listed.
        """
        docs = self._docs.get(source)
        if docs is None:
            words = [t.text for t in self.searcher.analyzer(SOURCE)(source)]
            smallest = min((self.searcher.doc_frequency(SOURCE, w) for w in words), default=0)
            if not words or self.share * smallest > self.ceiling:
                docs = set()
            else:
                docs = self.searcher.docs_with_all(SOURCE, words)
            self._docs[source] = docs
        return docs


class Boilerplate:
    """Which terms count and which lines are boilerplate, for articles of a given source.

    ``read_body(docnum)`` gives an archived article's body (None when it cannot be read) and
    ``terms_of`` its terms: a line is only called boilerplate once found in ``min_docs`` of
    them, not on the index's word (which knows words, not lines) alone.
    """

    def __init__(
        self,
        stats: TermStats,
        source_text: SourceText,
        read_body: Callable[[int], str | None],
        terms_of: Callable[[str], tuple[str, ...]],
        *,
        max_tokens: int,
        min_docs: int,
    ) -> None:
        self.stats = stats
        self.source_text = source_text
        self.read_body = read_body
        self.terms_of = terms_of
        self.max_tokens = max_tokens
        self.min_docs = min_docs

    def informative(self, term: str, source: str | None) -> bool:
        """Whether ``term`` can tell stories apart: it holds a letter, is not above the
        ceiling and is not standing text of ``source``. Terms in fewer than ``min_df``
        articles are informative but cannot be shared."""
        if not LETTER.search(term):
            return False
        df = self.stats.df(term)
        if df > self.stats.ceiling:
            return False
        return not (source and self.source_text.holds(source, term, df, self.stats.fields))

    def lines(
        self, lines: Iterable[tuple[str, ...]], source: str | None, exclude: int | None
    ) -> set[tuple[str, ...]]:
        """The boilerplate among ``lines`` (each as its terms) of an article of ``source``;
        ``exclude`` is the article's own document number, if it is in the index."""
        return {tokens for tokens in lines if self.is_line(tokens, source, exclude)}

    def is_line(self, tokens: tuple[str, ...], source: str | None, exclude: int | None) -> bool:
        """True for a short line found word for word in ``min_docs`` other articles.

        Only terms that would count matter, so the articles holding all of them are found
        first (stopping at once when the rarest term is in too few); only then are a few of
        those articles read to confirm the line itself.
        """
        if not tokens or len(tokens) > self.max_tokens:
            return False
        stats = self.stats
        keys = sorted(
            {t for t in tokens if self.informative(t, source) and stats.df(t) >= stats.min_df},
            key=stats.df,
        )
        if not keys:
            return False
        field = stats.fields[1]
        # the rarest term's articles first: most lines stop there, at the cost of its postings
        rarest = set(stats.searcher.postings(field, keys[0]))
        rarest.discard(exclude)  # type: ignore[arg-type]
        if len(rarest) < self.min_docs:
            return False
        # the rest through the engine's intersection, which skips along the longer lists
        # rather than reading them whole (a line of common words read 600,000 postings), and
        # stops at the few articles the confirmation below reads
        wanted = 2 * self.min_docs + 1  # one may be the article itself
        docs = (stats.searcher.docs_with_all(field, keys, limit=wanted) if len(keys) > 1
                else rarest)
        docs.discard(exclude)  # type: ignore[arg-type]
        if len(docs) < self.min_docs:
            return False
        confirmed = 0
        for docnum in sorted(docs or ())[: 2 * self.min_docs]:
            body = self.read_body(docnum)
            if body is None:
                continue
            confirmed += contains(self.terms_of(body), tokens)
            if confirmed >= self.min_docs:
                return True
        return False


def contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    """Whether ``needle`` occurs as a contiguous run in ``haystack``."""
    first, size = needle[0], len(needle)
    return any(
        haystack[i] == first and haystack[i : i + size] == needle
        for i in range(len(haystack) - size + 1)
    )
