"""Markdown and text files, with or without YAML front matter.

Front matter (our own article files, which come back exactly as they were written, and the
front matter of static-site generators) is read by :mod:`.frontmatter`. Without front matter
the first ``#`` heading is the title, and the date is looked for as in scraped text
(:mod:`.scraped`, which this module builds on).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..article import Article
from . import scraped, textutil
from .base import ImportFailure, ImportOptions, RecordFailure, RecordWarning, Source
from .frontmatter import FRONT_MATTER, front_matter_article, heading

NAME = "markdown"
EXTENSIONS = (".md", ".markdown", ".mdown", ".mkd")

_OPENING = re.compile(r"^\ufeff?---[ \t]*\r?\n")


def sniff(head: bytes, name: str) -> bool:
    """YAML front matter, or text that opens with a Markdown heading."""
    text = head.decode("utf-8", "replace")
    if textutil.looks_binary(head):
        return False
    return bool(FRONT_MATTER.match(text) or re.match(r"\ufeff?\s*#{1,6} \S", text))


def read(
    source: Source, options: ImportOptions
) -> Iterator[Article | RecordFailure | RecordWarning]:
    """One article per file; see the module docstring."""
    decoded = textutil.decode(scraped.read_article_bytes(source, options))
    if not decoded.text.strip():
        raise ImportFailure("empty file")
    yield from read_text(decoded.text, options)
    if decoded.fallback:
        yield RecordWarning(decoded.note)


def read_text(text: str, options: ImportOptions) -> Iterator[Article | RecordWarning]:
    """The article in Markdown ``text`` and notes about it."""
    if _OPENING.match(text):
        article, notes = front_matter_article(text, options)
    else:
        title, rest = heading(text)
        scraped.check_article_text(text, titled=title is not None)
        article, notes = scraped.parse_text(
            rest, title=title, default_source=options.default_source
        )
        if not article.title and not article.body:
            raise ImportFailure("no title or text")
    yield article
    yield from (RecordWarning(note) for note in notes)
