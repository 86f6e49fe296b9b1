"""One story per line: a common layout of research corpora and text dumps (the Lee/ABC
corpus, sentence-per-line or document-per-line exports).

Each non-blank line is one article. Its title is its first sentence (or its opening words,
cut at about 120 characters); its body is the whole line, so no text is lost; the date is
unknown; the record number is the line number. Such files are never detected by content (a
text file is taken to be one article), so name the format: ``arch import lee.cor --format
lines``. A file read as one article that looks like this is refused with that advice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..article import Article
from . import textutil
from .base import ImportOptions, RecordFailure, RecordWarning, Source
from .records import NO_DATE, open_records

NAME = "lines"
EXTENSIONS = (".cor",)

_TITLE_CHARS = 120
#: A sentence end: . ! or ? (and a closing quote) before white space and a capital or quote.
_SENTENCE_END = re.compile(r"[.!?][\"'\u2019\u201d)]?(?=\s+[\"'\u2018\u201c(]?[A-Z0-9])")


def sniff(head: bytes, name: str) -> bool:
    """Never chosen by content: one story per line looks like any other text."""
    return False


def read(
    source: Source, options: ImportOptions
) -> Iterator[Article | RecordFailure | RecordWarning]:
    """One article per non-blank line; see the module docstring."""
    reader, _ = open_records(source, options)
    warned = False
    for number, line in enumerate(reader.lines(), 1):
        if isinstance(line, textutil.Overlong):
            yield RecordFailure(options.limits.record_failure(), number)
            continue
        text = " ".join(textutil.strip_controls(line).split())
        if text:
            article = Article(title=title_of(text), body=text, source=options.default_source)
            article.origin = {"record": number}
            yield article
            yield RecordWarning(NO_DATE, number)
        if reader.fallback_line is not None and not warned:
            warned = True
            yield RecordWarning(textutil.FALLBACK_NOTE, reader.fallback_line)


def title_of(text: str) -> str:
    """The first sentence of ``text`` when it is short enough for a title, else its opening
    words up to about 120 characters, ending with an ellipsis."""
    match = _SENTENCE_END.search(text, 0, _TITLE_CHARS + 1)
    if match and match.end() >= 20:
        return text[: match.end()]
    if len(text) <= _TITLE_CHARS:
        return text
    cut = text[:_TITLE_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "\u2026"
