"""JSON Lines: one JSON object per line, the usual shape of large exports and scraper output.

The input is read line by line, so a file of any size imports in bounded memory. Blank lines
are skipped; a line that is not valid JSON, or not an object, or longer than any article
(``import.max_article_mb``, skipped without being held in memory) fails alone (with its line
number) and the rest of the file still imports.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from ..article import Article
from . import textutil
from .base import ImportOptions, Limits, RecordFailure, RecordWarning, Source
from .records import RecordConverter, open_records

NAME = "jsonl"
EXTENSIONS = (".jsonl", ".ndjson", ".jsonlines")

_OBJECT_LINE = re.compile(r"^\s*\{.*\}\s*$")


def sniff(head: bytes, name: str) -> bool:
    """Two or more lines that each hold a whole JSON object (the first line is checked fully;
    the head may cut the last one short)."""
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2 or not _OBJECT_LINE.match(lines[0]):
        return False
    try:
        json.loads(lines[0])
    except ValueError:
        return False
    return lines[1].lstrip().startswith("{")


def read(
    source: Source, options: ImportOptions
) -> Iterator[Article | RecordFailure | RecordWarning]:
    """One article per non-blank line; see the module docstring."""
    reader, converter = open_records(source, options)
    yield from read_lines(reader, converter, options.limits)


def read_lines(
    reader: textutil.TextReader, converter: RecordConverter, limits: Limits
) -> Iterator[Article | RecordFailure | RecordWarning]:
    """The records of ``reader``'s lines (also used for ``.json`` files that are really JSONL)."""
    warned = False
    for number, line in enumerate(reader.lines(), 1):
        if isinstance(line, textutil.Overlong):
            yield RecordFailure(limits.record_failure(), number)
        elif line.strip():
            yield from _line(line, number, converter)
        if reader.fallback_line is not None and not warned:
            warned = True
            yield RecordWarning(reader.fallback_note, reader.fallback_line)


def _line(
    line: str, number: int, converter: RecordConverter
) -> Iterator[Article | RecordFailure | RecordWarning]:
    try:
        record = json.loads(line, strict=False)
    except json.JSONDecodeError as exc:
        yield RecordFailure(f"invalid JSON: {exc.msg} at column {exc.colno}", number)
    except (ValueError, RecursionError) as exc:  # e.g. integers with too many digits
        yield RecordFailure(f"invalid JSON: {str(exc).splitlines()[0]}", number)
    else:
        yield from converter.convert(record, number)
