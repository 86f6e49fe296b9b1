"""An article as the index stores it, and back: :func:`article_document` and its one inverse,
:meth:`StoredArticle.of`.

Every module that reads stored fields reads them through :class:`StoredArticle`, so a stored
field is added here (and in :mod:`~archive_search.engine.fields`) and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..article import Article
from .fields import (
    AUTHORS,
    DATE,
    DATE_TEXT,
    ID,
    LANG,
    NAMES,
    PATH,
    SOURCE,
    TAGS,
    TITLE,
    URL,
    text_fields,
)


def article_document(
    article: Article, relpath: str, names: list[str] | None = None
) -> dict[str, Any]:
    """The index document for one article (``names`` as from
    :func:`archive_search.index.article_names`)."""
    title_field, body_field = text_fields(article.lang)
    doc: dict[str, Any] = {
        ID: article.id,
        PATH: relpath,
        title_field: article.title,
        body_field: article.body,
        LANG: (article.lang or "").lower(),
        URL: article.url or "",
    }
    if title_field != TITLE:
        doc[TITLE] = article.title  # stored for display; analysed as English too, harmlessly
    if article.tags:
        doc[TAGS] = ",".join(t.replace(",", " ") for t in article.tags)
    if article.source:
        doc[SOURCE] = article.source
    if article.authors:
        doc[AUTHORS] = " ; ".join(article.authors)
    if names:
        from ..names import fold_key

        keys = {fold_key(n) for n in names}
        doc[NAMES] = ",".join(sorted(k for k in keys if k))
    when = article.datetime
    if when is not None:
        doc[DATE] = when
        doc[DATE_TEXT] = article.date
    return doc


@dataclass
class StoredArticle:
    """What the index stores of an article: enough to list it in results and to find its file
    (``path``, relative to ``corpus/``); the body is read from that file when needed."""

    id: str
    path: str
    title: str = ""
    #: the date as the article writes it (ISO 8601), or None when it has none
    date: str | None = None
    source: str | None = None
    tags: list[str] = field(default_factory=list)
    lang: str | None = None
    url: str | None = None

    @classmethod
    def of(cls, stored: Mapping[str, Any]) -> StoredArticle:
        """The record for a stored document as :func:`article_document` wrote it."""
        return cls(
            id=stored[ID],
            path=stored[PATH],
            title=stored.get(TITLE, ""),
            date=stored.get(DATE_TEXT) or None,
            source=stored.get(SOURCE) or None,
            tags=[t for t in (stored.get(TAGS) or "").split(",") if t],
            lang=stored.get(LANG) or None,
            url=stored.get(URL) or None,
        )
