"""JSON documents: one article object, an array of them, or an object wrapping the array.

Wrappers seen in the wild are recognised: ``{"articles": [...]}`` (NewsAPI),
``{"response": {"results": [...]}}`` (The Guardian), ``{"hits": {"hits": [...]}}``
(Elasticsearch), ``{"items": [...]}`` (JSON Feed, whose title then names the source), and any
object whose only list of objects is the obvious candidate. A top-level array is parsed one
element at a time, so large exports import in bounded memory; if it breaks off, the articles
before the break are kept and the failure says where. A ``.json`` file that is really JSON
Lines is read as such.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..article import Article
from . import jsonl, textutil
from .base import (
    MB,
    ImportFailure,
    ImportOptions,
    Limits,
    RecordFailure,
    RecordWarning,
    Source,
)
from .records import RecordConverter, fields_for_keys, open_records

NAME = "json"
EXTENSIONS = (".json",)

#: Keys under which exports put their list of articles, most specific first.
WRAPPERS = ("articles", "items", "entries", "posts", "stories", "news", "documents", "docs",
            "records", "results", "result", "hits", "data", "response", "feed", "rows",
            "objects", "value")  # fmt: skip
_WHITESPACE = " \t\r\n"


def sniff(head: bytes, name: str) -> bool:
    """Starts like JSON (an object or array) and is not JSON Lines."""
    text = head.decode("utf-8", "replace").lstrip("\ufeff" + _WHITESPACE)
    return text[:1] in ("{", "[") and not jsonl.sniff(head, name)


def read(
    source: Source, options: ImportOptions
) -> Iterator[Article | RecordFailure | RecordWarning]:
    """The articles in a JSON document; see the module docstring."""
    reader, converter = open_records(source, options)
    start = reader.head.decode("utf-8", "replace").lstrip("\ufeff" + _WHITESPACE)[:1]
    limits = options.limits
    if start == "[":
        yield from _stream_array(reader, converter, limits)
        return
    if start != "{":
        raise ImportFailure("not JSON: expected an object or an array of objects")
    text = _whole(reader, limits, source.size)
    try:
        data = json.loads(text, strict=False)
    except json.JSONDecodeError as exc:
        if _is_json_lines(text, exc):
            yield from jsonl.read_lines(reader, converter, limits)
            return
        where = f"line {exc.lineno} column {exc.colno}"
        raise ImportFailure(f"invalid JSON at {where}: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:
        raise ImportFailure(f"invalid JSON: {str(exc).splitlines()[0]}") from None
    del text  # the parsed records are enough; free the text while they are converted
    records, feed_title = _records_in(data)
    if feed_title and not converter.default_source:
        converter.default_source = feed_title
    for number, record in enumerate(records, 1):
        yield from converter.convert(record, number)
        if number == 1 and reader.fallback_line is not None:
            yield RecordWarning(reader.fallback_note, None)


def _whole(reader: textutil.TextReader, limits: Limits, size: int | None) -> str:
    """The text of a JSON document that must be parsed whole (an object, not an array),
    refused past ``limits.document``."""
    too_large = ImportFailure(
        f"larger than {limits.document // MB:,} MB, too large to read as one JSON object "
        "(import.max_document_mb); export it as JSON Lines or as an array"
    )
    if size is not None and size > limits.document:
        raise too_large
    parts, total = [], 0
    for chunk in reader.chunks():
        total += len(chunk)
        if total > limits.document:
            raise too_large
        parts.append(chunk)
    return "".join(parts)


def _is_json_lines(text: str, exc: json.JSONDecodeError) -> bool:
    """Extra data after a first object that ended its line: JSON Lines named ``.json``."""
    before = text[: exc.pos]
    first = before.rstrip()
    return exc.msg == "Extra data" and first.endswith("}") and "\n" in before[len(first) :]


def _records_in(data: Any) -> tuple[list[Any], str | None]:
    """The list of article records in a parsed document, and a feed title if it has one."""
    if isinstance(data, list):
        return data, None
    wrapped = _wrapped_list(data, depth=0)
    if wrapped is None:
        return [data], None
    version = data.get("version")
    title = data.get("title")
    is_feed = isinstance(version, str) and "jsonfeed" in version and isinstance(title, str)
    return wrapped, (title.strip() or None) if is_feed else None


def _wrapped_list(data: dict[str, Any], depth: int) -> list[Any] | None:
    if depth > 3:
        return None
    lowered = {str(key).lower(): value for key, value in data.items()}
    for key in WRAPPERS:
        value = lowered.get(key)
        if isinstance(value, list):
            return value
        if isinstance(value, dict):
            inner = _wrapped_list(value, depth + 1)
            if inner is not None:
                return inner
    if depth == 0 and {"title", "body"} & fields_for_keys(lowered):
        return None  # the object is itself an article
    lists = [v for v in lowered.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
    return lists[0] if len(lists) == 1 else None


class _Cursor:
    """A position in text that arrives in chunks; old text is dropped as parsing moves on."""

    def __init__(self, chunks: Iterator[str], max_element: int) -> None:
        self._chunks = chunks
        self._max_element = max_element
        self._decoder = json.JSONDecoder(strict=False)
        self.buf = ""
        self.pos = 0
        self.eof = False
        self._lines_dropped = 0

    def _more(self) -> bool:
        chunk = next(self._chunks, None)
        if chunk is None:
            self.eof = True
            return False
        if self.pos > 1 << 20:
            self._lines_dropped += self.buf.count("\n", 0, self.pos)
            self.buf, self.pos = self.buf[self.pos :], 0
        self.buf += chunk
        return True

    def peek(self) -> str | None:
        """The next character that is not white space, or None at the end."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WHITESPACE + "\ufeff":
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return None

    def value(self) -> Any:
        """The JSON value at the position; raises ValueError (with a located message)."""
        while True:
            try:
                value, end = self._decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self._can_grow() and self._more():
                    continue
                if not self.eof and len(self.buf) - self.pos >= self._max_element:
                    raise ValueError(
                        f"{self.where(self.pos)}: an element larger than "
                        f"{self._max_element // MB:,} MB, longer than any news article "
                        "(import.max_article_mb)"
                    ) from None
                raise ValueError(f"{self.where(exc.pos)}: {exc.msg}") from None
            except RecursionError:
                raise ValueError(f"{self.where(self.pos)}: nested too deeply") from None
            if end == len(self.buf) and not self.eof and self._more():
                continue  # a number or literal may go on in the next chunk
            self.pos = end
            return value

    def _can_grow(self) -> bool:
        return not self.eof and len(self.buf) - self.pos < self._max_element

    def where(self, pos: int) -> str:
        line = self._lines_dropped + self.buf.count("\n", 0, pos) + 1
        column = pos - (self.buf.rfind("\n", 0, pos) + 1) + 1
        return f"line {line} column {column}"


def _stream_array(
    reader: textutil.TextReader, converter: RecordConverter, limits: Limits
) -> Iterator[Article | RecordFailure | RecordWarning]:
    """The elements of a top-level array, one at a time, none larger than an article."""
    cursor = _Cursor(reader.chunks(), limits.article)
    cursor.peek()
    cursor.pos += 1  # the "["
    number, warned = 0, False
    while True:
        problem = None
        char = cursor.peek()
        if char == "]":
            cursor.pos += 1
            if cursor.peek() is not None:
                problem = f"{cursor.where(cursor.pos)}: extra data after the array"
        elif char is None:
            problem = f"{cursor.where(len(cursor.buf))}: the array is not closed (the file ends)"
        elif number and char != ",":
            problem = f"{cursor.where(cursor.pos)}: expected ',' or ']'"
        else:
            if number:
                cursor.pos += 1  # the ","
                cursor.peek()
            try:
                record = cursor.value()
            except ValueError as exc:
                problem = str(exc)
            else:
                number += 1
                yield from converter.convert(record, number)
                if reader.fallback_line is not None and not warned:
                    warned = True
                    yield RecordWarning(reader.fallback_note, number)
                continue
        if problem is None:
            return
        if not number:
            raise ImportFailure(f"invalid JSON at {problem}")
        yield RecordFailure(f"invalid JSON at {problem}; the rest of the file was not read")
        return
