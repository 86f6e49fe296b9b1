"""Markdown and text files, with or without YAML front matter.

Our own article files (see :mod:`archive_search.articlefile`) come back exactly as they were
written: same id, fields and extra keys. Front matter written for static-site generators
(Jekyll, Hugo: ``author``, ``categories``, ``keywords``, ``description``...) is mapped onto our
fields with the record field names; keys with no field of ours are kept in ``extra``, because
front matter is metadata someone wrote on purpose. Without front matter the first ``#``
heading is the title, and the date is looked for as in scraped text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .. import articlefile, dates
from ..article import Article
from . import records, scraped, textutil
from .base import ImportFailure, ImportOptions, RecordFailure, RecordWarning, Source

NAME = "markdown"
EXTENSIONS = (".md", ".markdown", ".mdown", ".mkd")

_HEADING = re.compile(
    r"^(?:(?P<marks>#{1,6})[ \t]+(?P<atx>.+?)(?:[ \t]+#+)?"  # "# Title"
    r"|(?P<setext>[^\s#>*=-].*)\n(?P<rule>=+|-+))[ \t]*$",  # "Title" over "====="
    re.M,
)
_OPENING = re.compile(r"^\ufeff?---[ \t]*\r?\n")
_SCALARS = ("title", "date", "source", "url", "lang", "id")
_LISTS = ("authors", "tags", "see_also", "names")


def sniff(head: bytes, name: str) -> bool:
    """YAML front matter, or text that opens with a Markdown heading."""
    text = head.decode("utf-8", "replace")
    if textutil.looks_binary(head):
        return False
    return bool(scraped.FRONT_MATTER.match(text) or re.match(r"\ufeff?\s*#{1,6} \S", text))


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
    """The article in Markdown ``text`` and notes about it (also used for front-matter
    ``.txt`` files)."""
    if _OPENING.match(text):
        article, notes = _from_front_matter(text, options)
    else:
        title, rest = _heading(text)
        scraped.check_article_text(text, titled=title is not None)
        article, notes = scraped.parse_text(
            rest, title=title, default_source=options.default_source
        )
    if not article.title and not article.body:
        raise ImportFailure("no title or text")
    yield article
    yield from (RecordWarning(note) for note in notes)


def _from_front_matter(text: str, options: ImportOptions) -> tuple[Article, list[str]]:
    try:
        article = articlefile.loads(text)
    except articlefile.ArticleFileError as exc:
        raise ImportFailure(str(exc)) from None
    if article.id and (article.origin or article.imported_at):
        return article, []  # one of ours: keep it exactly as written
    notes = _adopt_foreign_keys(article, records.check_mapping(options.mapping))
    if not article.title:
        title, body = _heading(article.body)
        article.title, article.body = title or "", (body if title else article.body).strip("\n")
    article.source = article.source or options.default_source
    return article, notes


def _adopt_foreign_keys(article: Article, mapping: dict[str, str]) -> list[str]:
    """Move values from foreign front-matter keys (kept in ``extra``) to our fields."""
    notes: list[str] = []
    wanted = [f for f in _SCALARS if f in mapping or not getattr(article, f)] + list(_LISTS)
    if article.date and "date" not in wanted:
        raw, article.date = article.date, dates.parse_date(article.date)
        if article.date is None:
            notes.append(records.unknown_date_note(raw))
    values, used, more = records.extract_fields(article.extra, mapping, wanted)
    for key in used:
        article.extra.pop(key, None)
    for name, value in values.items():
        if name in _LISTS:
            value = list(dict.fromkeys([*getattr(article, name), *value]))
        setattr(article, name, value)
    return notes + more


def _heading(text: str) -> tuple[str | None, str]:
    """The title heading and the text without it: a heading of any level that opens the
    text, else the first level-1 heading."""
    body = text.lstrip("\ufeff")
    for match in _HEADING.finditer(body):
        opens = not body[: match.start()].strip()
        level_one = match["marks"] == "#" or (match["rule"] or "").startswith("=")
        if opens or level_one:
            rest = body[: match.start()] + body[match.end() :]
            return textutil.one_line(match["atx"] or match["setext"]), rest
    return None, text
