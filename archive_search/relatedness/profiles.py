"""What an article is compared on: its weighted terms, names and tags, and its text's shingles.

Terms are weighted ``(1 + log tf) * idf``, title words counted ``title_weight`` times; terms
that cannot tell stories apart (see :mod:`.boilerplate`) are left out, and so are the lines the
caller names as boilerplate. Terms only this article has still lengthen its vector (they are
part of what it says) though they can never be shared.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..article import Article, content_fingerprint, normalize_text, word_shingles
from ..engine.fields import NAMES, TAGS
from ..names import extract_names, fold_key
from .boilerplate import Boilerplate
from .terms import Terms, TermStats

_NUMBER = re.compile(r"\d+(?:[.,/]\d+)*")

#: A line of an article's body with its terms.
Line = tuple[str, tuple[str, ...]]


@dataclass
class Profile:
    """What one article is compared on: weighted terms, names, tags, shingles and its day."""

    article: Article
    terms: dict[str, float]
    norm: float
    names: dict[str, float]
    name_labels: dict[str, str]
    tags: dict[str, float]
    tag_labels: dict[str, str]
    shingles: frozenset[int]
    numbers: frozenset[str]
    fingerprint: str
    day: _dt.date | None


@dataclass
class Tokens:
    """An article's title and body lines as index terms, with a readable word for each term
    (its first spelling in the text, lowercased) to show in reasons."""

    title: tuple[str, ...]
    lines: list[Line]
    words: dict[str, str]

    @property
    def terms(self) -> set[str]:
        return {t for tokens in [self.title, *(t for _, t in self.lines)] for t in tokens}

    @classmethod
    def of(cls, analyzer: Any, article: Article) -> Tokens:
        words: dict[str, str] = {}

        def tokens(text: str) -> tuple[str, ...]:
            terms = []
            for token in analyzer(text, chars=True):
                terms.append(token.text)
                words.setdefault(token.text, text[token.startchar : token.endchar].lower())
            return tuple(terms)

        title = tokens(article.title)
        lines = [(line, tokens(line)) for line in article.body.split("\n")]
        return cls(title, lines, words)


class Profiler:
    """Builds profiles with the archive's statistics (``stats``) and its junk filters."""

    def __init__(
        self,
        stats: TermStats,
        boilerplate: Boilerplate,
        terms_of: Terms,
        tags_analyzer: Any,
        *,
        title_weight: int,
    ) -> None:
        self.stats = stats
        self.boilerplate = boilerplate
        self.terms_of = terms_of
        self.tags_analyzer = tags_analyzer
        self.title_weight = title_weight

    def of_article(self, article: Article, leave_out: set[tuple[str, ...]]) -> Profile:
        """An article's profile, without its lines whose terms are those of a line in
        ``leave_out`` (the boilerplate found in the article asked about)."""
        lines = ((line, self.terms_of(line)) for line in article.body.split("\n"))
        kept = [(line, tokens) for line, tokens in lines if tokens not in leave_out]
        return self.profile(article, self.terms_of(article.title), kept)

    def profile(self, article: Article, title: tuple[str, ...], lines: list[Line]) -> Profile:
        """Weighted terms, names and tags of an article whose boilerplate lines are gone."""
        stats = self.stats
        counts: dict[str, int] = {}
        for term in title:
            counts[term] = counts.get(term, 0) + self.title_weight
        for _, tokens in lines:
            for term in tokens:
                counts[term] = counts.get(term, 0) + 1
        source = article.source
        source_words = set(self.terms_of(source or ""))
        terms: dict[str, float] = {}
        rare = 0.0  # terms only this article has: never shared, but part of what it says
        for term, tf in counts.items():
            if term in source_words or not self.boilerplate.informative(term, source):
                continue
            df = stats.df(term)
            weight = (1.0 + math.log(tf)) * stats.idf(df)
            if df >= stats.min_df:
                terms[term] = weight
            else:
                rare += weight * weight
        # names given with the article or found in its text (not its authors, and not metadata
        # lists such as Reuters places, which are its tags)
        body = "\n".join(line for line, _ in lines)
        names, name_labels = self._keyed(
            (
                (fold_key(name), name)
                for name in [*article.names, *extract_names(article.title, body)]
                if not set(self.terms_of(name)) <= source_words
            ),
            NAMES,
            source,
        )
        tags, tag_labels = self._keyed(
            ((t.text, tag) for tag in article.tags for t in self.tags_analyzer(tag)), TAGS
        )
        when = article.datetime
        text = normalize_text(article.title + "\n" + article.body)
        return Profile(
            article=article,
            terms=terms,
            norm=math.sqrt(sum(w * w for w in terms.values()) + rare),
            names=names,
            name_labels=name_labels,
            tags=tags,
            tag_labels=tag_labels,
            shingles=word_shingles(text),
            numbers=frozenset(_NUMBER.findall(normalize_text(article.body) or text)),
            fingerprint=content_fingerprint(article.title, article.body),
            day=when.date() if when else None,
        )

    def _keyed(
        self, keyed: Iterable[tuple[str, str]], fieldname: str, source: str | None = None
    ) -> tuple[dict[str, float], dict[str, str]]:
        """Names or tags by their index key (with its idf, and a label to show), leaving out,
        as for terms, those too common to tell stories apart or standing in a source."""
        stats = self.stats
        weights: dict[str, float] = {}
        labels: dict[str, str] = {}
        for key, label in keyed:
            if not key or key in weights:
                continue
            df = stats.field_df(fieldname, key)
            if df > stats.ceiling or (
                source and self.boilerplate.source_text.holds(source, key, df, (fieldname,))
            ):
                continue
            weights[key] = stats.idf(df)
            labels[key] = label
        return weights, labels
