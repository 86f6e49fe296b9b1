"""Plain text saved by a scraper or typed by hand: the commonest thing users import.

The shape this importer knows best is the project's seed file: a crawl date, site-name lines,
the headline twice, ``Posted on <date>``, then paragraphs separated by blank lines with
injected ``See also <other headline>`` links. Text without those markers still imports: the
first line is the title, and the date is looked for where news pages put it (a
``Published``/``Updated`` line, a line that is only a date, or a dateline such as
``PARIS, Sept. 18, 2023 (AFP) -``). Without one the date stays unknown and the user is told.

Text that is not an article is skipped with the reason (:func:`not_an_article`: a licence, a
word list, a host name), and a file of one story per line is pointed to ``--format lines``
rather than imported as one giant article. A file is one article, so it is read only up to
``import.max_article_mb``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .. import dates
from ..article import Article, normalize_text
from . import textutil
from .base import (
    ImportFailure,
    ImportOptions,
    NotAnArticle,
    RecordFailure,
    RecordWarning,
    Source,
)
from .frontmatter import FRONT_MATTER, front_matter_article
from .records import NO_DATE

NAME = "scraped"
EXTENSIONS = (".txt", ".text")

#: How many leading paragraphs may hold the site names, headline, byline and date.
_HEADER_BLOCKS = 6
_MAX_META_LINE = 160
_MAX_SEE_ALSO = 300
_MAX_TITLE = 200

_SEE_ALSO = re.compile(
    r"^(?:(?:see|read|voir|lire)\s+(?:also|aussi)|also\s+read)\s*[:\-\u2013\u2014|\u00bb>]?\s*"
    r"|^(?:related|read\s+more)\s*[:\-\u2013\u2014|\u00bb>]\s*",
    re.I,
)
_DATE_LINE = re.compile(
    r"^(?P<kind>posted|published|first\s+published|date|dated|updated|last\s+updated|modified)"
    r"(?:\s+(?:on|at))?\s*[:\-\u2013\u2014]?\s*(?P<rest>.+)$",
    re.I,
)
_BY = re.compile(r"\s+by\s+", re.I)
_DATE_LINE_END = re.compile(r"\s*[|\u00b7\u2022]\s*")
_BYLINE = re.compile(r"^by\s+(?P<names>[^.!?]{2,80})$", re.I)
_NAME_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b)\s*")
_MONTH_DATE = r"[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\.?\s+[A-Z][a-z]{2,8}\.?,?\s+\d{4}"
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Za-z.'\u2019 -]{1,40}(?:\s*\([^)]{1,40}\))?,\s*)?"
    rf"(?P<date>(?:[A-Z][a-z]+,?\s+)?(?:{_MONTH_DATE}))"
    r"(?:\s*\([^)]{1,40}\))?\s*[-\u2013\u2014:]"
)


def sniff(head: bytes, name: str) -> bool:
    """Any text that is not a structured format (front matter, JSON, markup) is ours."""
    stripped = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if not stripped or textutil.looks_binary(head):
        return False
    if FRONT_MATTER.match(head.decode("utf-8", "replace")):
        return False
    return stripped[:1] not in (b"{", b"[", b"<")


def read(
    source: Source, options: ImportOptions
) -> Iterator[Article | RecordFailure | RecordWarning]:
    """One article per file; see the module docstring for what is recognised."""
    decoded = textutil.decode(read_article_bytes(source, options))
    text = decoded.text
    if not text.strip():
        raise ImportFailure("empty file")
    if FRONT_MATTER.match(text):  # named --format scraped, or read from standard input
        article, notes = front_matter_article(text, options)
    else:
        check_article_text(text)
        article, notes = parse_text(text, default_source=options.default_source)
    yield article
    yield from (RecordWarning(note) for note in notes)
    if decoded.fallback:
        yield RecordWarning(decoded.note)


def parse_text(
    text: str, *, title: str | None = None, default_source: str | None = None
) -> tuple[Article, list[str]]:
    """The article in scraped or hand-written ``text``, and notes for the user.

    With ``title`` given (a Markdown heading already found) the text is taken as the body and
    only the date, byline and "See also" lines are looked for.
    """
    paragraphs = split_paragraphs(text)
    found = _Found()
    blocks = [b for b in paragraphs if not _take_metadata_line(b, found)]
    if not blocks and title is None:  # nothing but a date or link line: that line is the title
        blocks = paragraphs
        found.see_also.clear()
    if title is None:
        blocks, title = _take_header(blocks, found)
    blocks = _take_header_tail(blocks, found)
    if blocks and found.published is None:
        match = _DATELINE.match(blocks[0])
        found.dateline = dates.parse_date(match["date"]) if match else None
    article = Article(
        title=textutil.one_line(title),
        body="\n\n".join(blocks),
        date=found.date(),
        source=found.site_names[-1] if found.site_names else default_source,
        authors=_unique(found.authors),
        see_also=_unique(found.see_also),
    )
    if found.site_names:
        article.extra["site_names"] = found.site_names
    if found.crawled:
        article.extra["crawled"] = found.crawled
    if found.updated and found.updated != article.date:
        article.extra["updated"] = found.updated
    return article, ([] if article.date else [NO_DATE])


def read_article_bytes(source: Source, options: ImportOptions) -> bytes:
    """The bytes of a file that is one article, at most ``import.max_article_mb`` of them."""
    return source.read_bytes(
        options.limits.article,
        ", longer than any news article (import.max_article_mb); "
        "if it holds one story per line, use --format lines",
    )


def check_article_text(text: str, titled: bool = False) -> None:
    """Raise :class:`NotAnArticle` (skipped, with the reason) for text that is no article, and
    :class:`ImportFailure` for a file of one story per line (it needs ``--format lines``).
    ``titled`` text (Markdown with a title heading) is only checked for being a licence."""
    problem = not_an_article(text, titled)
    if problem:
        raise NotAnArticle(problem)
    stories = 0 if titled else _stories_per_line(text)
    if stories:
        raise ImportFailure(
            f"looks like one story per line ({stories} long lines, no title): "
            "use --format lines to import each line as an article"
        )


#: Phrases of licence texts (MIT, BSD, Apache, GPL, Creative Commons); two of them make a
#: licence, one alone may be a news story about one.
_LICENCE_PHRASES = re.compile(
    r"(permission is hereby granted)|(without warrant(?:y|ies)(?: or conditions)? of any kind)"
    r"|(provided\W{0,3}as is\W)|(redistribution and use in source and binary forms)"
    r"|(apache license,?\s+version \d)|(gnu (?:lesser |affero |library )?general public licen)"
    r"|(everyone is permitted to copy and distribute verbatim)|(creative commons)"
    r"|(public licen[cs]e)|(terms and conditions for use, reproduction)"
    r"|(express or implied warrant)|(licensor)|(is free software)"
    r"|(you may not use this file except in compliance)",
    re.I,
)
_LICENCE_LOOK = 20_000


def not_an_article(text: str, titled: bool = False) -> str | None:
    """Why ``text`` is not an article (a licence, a host name or other lone word, a list of
    short lines, data or code), or None. Said to the user as the reason it was skipped.
    ``titled`` text has a title marked as one, so only a licence is looked for."""
    phrases = {m.lastindex for m in _LICENCE_PHRASES.finditer(text[:_LICENCE_LOOK])}
    if len(phrases) >= 2:
        return "a licence text, not an article"
    if titled:
        return None
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) == 1 and len(lines[0].split()) <= 2:
        return f"a single short line, not an article ({textutil.clip(lines[0], 40)!r})"
    if len(lines) >= 3 and all(len(line.split()) <= 2 for line in lines):
        return "does not look like article text (a list of short lines)"
    problem = not_prose(lines)
    return f"does not look like article text ({problem})" if problem else None


#: How many lines, each a story, make a file of one story per line (the Lee corpus has 50).
_STORY_LINES = 30
_STORY_CHARS = 300


def _stories_per_line(text: str) -> int:
    """The number of stories when ``text`` holds one per line: many long lines, no blank
    lines between them and no title line (an article's paragraphs have a title above them).
    Zero otherwise."""
    lines = text.strip().splitlines()
    if len(lines) < _STORY_LINES or len(lines[0]) <= _MAX_TITLE:
        return 0
    full = [line for line in lines if line.strip()]
    long = sum(1 for line in full if len(line) >= _STORY_CHARS)
    blank = len(lines) - len(full)
    return len(full) if long >= len(full) * 0.8 and blank <= len(full) * 0.1 else 0


#: Only texts with at least this many lines are judged: a short note is always an article.
_JUDGED_LINES = 15


def not_prose(lines: list[str]) -> str | None:
    """Why a long text (its non-blank ``lines``) is not an article (a word list, a data dump,
    code), or None.

    A text is prose when most of its characters stand in lines of five or more words; word
    lists (one category per line) and data files (``bgfact("Afghanistan", …)``) are not, and
    importing them as articles would fill the archive with noise.
    """
    if len(lines) < _JUDGED_LINES:
        return None
    prose = sum(len(line) for line in lines if _is_sentence_like(line))
    total = sum(len(line) for line in lines)
    if prose >= total * 0.5:
        return None
    short = sum(1 for line in lines if len(line.split()) <= 2)
    if short >= len(lines) * 0.8:
        return "a list of short lines"
    return "mostly lines that are not sentences, like data or code"


_WORD = re.compile(r"^[\W_]*[^\W\d_]{1,}[\W_]*$")


def _is_sentence_like(line: str) -> bool:
    """Five or more space-separated tokens, most of them words."""
    tokens = line.split()
    return len(tokens) >= 5 and sum(1 for t in tokens if _WORD.match(t)) >= len(tokens) * 0.6


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs (runs of non-blank lines, each line trimmed), with newlines normalised and
    control characters removed."""
    text = textutil.strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    paragraphs = []
    for chunk in re.split(r"\n[ \t\u00a0]*\n", text):
        lines = [line.strip() for line in chunk.split("\n")]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return paragraphs


@dataclass
class _Found:
    """What the header and metadata lines of a text told us."""

    published: str | None = None
    updated: str | None = None
    header_date: str | None = None
    dateline: str | None = None
    crawled: str | None = None
    site_names: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    see_also: list[str] = field(default_factory=list)

    def date(self) -> str | None:
        """The publication date, best evidence first."""
        return self.published or self.header_date or self.dateline or self.updated


def _take_metadata_line(block: str, found: _Found) -> bool:
    """Record a "See also" or "Posted on" paragraph in ``found``; True when it was one."""
    if "\n" in block:
        return False
    see_also = _SEE_ALSO.match(block)
    if see_also and block[see_also.end() :].strip() and len(block) <= _MAX_SEE_ALSO:
        found.see_also.append(block[see_also.end() :].strip())
        return True
    line = _DATE_LINE.match(block) if len(block) <= _MAX_META_LINE else None
    if not line:
        return False
    when_text, *byline = _BY.split(line["rest"], maxsplit=1)
    when = dates.parse_date(_DATE_LINE_END.split(when_text, maxsplit=1)[0], whole=True)
    if when is None:
        return False
    if line["kind"].lower().endswith(("updated", "modified")):
        found.updated = found.updated or when
    else:
        found.published = found.published or when
    if byline:
        found.authors.extend(_names(_DATE_LINE_END.split(byline[0], maxsplit=1)[0]))
    return True


def _take_header(blocks: list[str], found: _Found) -> tuple[list[str], str]:
    """Find the title (and the crawl date and site names before it); return the rest."""
    if len(blocks) > 1 and "\n" not in blocks[0]:
        crawled = dates.parse_date(blocks[0], whole=True)
        if crawled:
            found.crawled = crawled
            blocks = blocks[1:]
    repeat = _repeated_headline(blocks)
    if repeat is not None:
        found.site_names = blocks[:repeat]
        return blocks[repeat + 2 :], blocks[repeat]
    first, _, rest = blocks[0].partition("\n") if blocks else ("", "", "")
    if len(first) > _MAX_TITLE:  # a file of prose: name it by its opening words, keep them
        return blocks, _shorten(first)
    return ([rest] if rest else []) + blocks[1:], first


def _repeated_headline(blocks: list[str]) -> int | None:
    """Index of a headline printed twice in a row after at most a few short site-name lines."""
    for i in range(min(len(blocks) - 1, _HEADER_BLOCKS)):
        block = blocks[i]
        if "\n" in block or len(block) > _MAX_TITLE * 2:
            return None
        if _same_line(block, blocks[i + 1]):
            return i
    return None


def _take_header_tail(blocks: list[str], found: _Found) -> list[str]:
    """Take a byline and a line that is only a date from just under the title."""
    taken = 0
    for block in blocks[:3]:
        if "\n" in block or len(block) > _MAX_META_LINE:
            break
        byline = _BYLINE.match(block)
        when = None if byline else dates.parse_date(block, whole=True)
        if byline:
            found.authors.extend(_names(byline["names"]))
        elif when:
            found.header_date = found.header_date or when
        else:
            break
        taken += 1
    return blocks[taken:]


def _same_line(a: str, b: str) -> bool:
    return normalize_text(a).rstrip(".!?:") == normalize_text(b).rstrip(".!?:")


def _names(text: str) -> list[str]:
    return [n for n in (textutil.one_line(p) for p in _NAME_SEPARATORS.split(text)) if n]


def _shorten(text: str) -> str:
    cut = text[:_MAX_TITLE].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "\u2026"


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
