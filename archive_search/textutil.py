"""Turning input bytes into text, and saying clearly when they are not text at all.

Inputs arrive as bytes of unknown encoding. UTF-8 is tried first; text that is not UTF-8 is
almost always Windows-1252 or Latin-1 (old Western exports, Excel CSV files), which decode
without loss as Windows-1252. Importers are told when that fallback was used so the user can be
warned instead of silently getting wrong letters.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, AnyStr

from .importers.base import ImportFailure, Source

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: The encoding name used when bytes were not UTF-8; see :data:`FALLBACK_NOTE`.
FALLBACK = "windows-1252"
#: The warning importers give when :data:`FALLBACK` was used.
FALLBACK_NOTE = "not valid UTF-8; read as Windows-1252"


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 8 KiB: not a text format we read."""
    head = data[:8192]
    if not head:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(head) * 0.05


def head_as_utf8(head: bytes) -> bytes:
    """The first bytes of a file without a UTF-8 byte-order mark, and UTF-16 re-encoded as
    UTF-8, so that a format's signature can be matched with one bytes pattern."""
    if head.startswith(codecs.BOM_UTF8):
        return head[3:]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="ignore").encode("utf-8")
    return head


@dataclass
class Decoded:
    """Text decoded from bytes, and the encoding that was used to decode it."""

    text: str
    encoding: str

    @property
    def fallback(self) -> bool:
        """True when the bytes were not valid in any encoding they claimed or UTF-8."""
        return self.encoding == FALLBACK


def decode(data: bytes, declared: str | None = None) -> Decoded:
    """Decode input bytes to text, saying which encoding was used.

    Order: byte-order mark, the encoding the document declares, UTF-8, then Windows-1252.
    Raises :class:`ImportFailure` for binary data.
    """
    if looks_binary(data):
        raise ImportFailure("binary data, not text")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom) :].decode(enc, errors="replace"), enc)
    if declared:
        try:
            return Decoded(data.decode(declared), declared.lower())
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        return Decoded(_decode_fallback(data), FALLBACK)


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode input bytes to text (see :func:`decode`); raises :class:`ImportFailure` for
    binary data."""
    return decode(data, declared).text


def _decode_fallback(data: bytes) -> str:
    # The five bytes Windows-1252 leaves undefined are line noise in practice; drop them.
    return data.decode("cp1252", errors="replace").replace("\ufffd", "")


def strip_controls(text: str) -> str:
    """Remove control characters other than tab and newlines."""
    return _CONTROL.sub("", text)


def clip(text: str, most: int = 80) -> str:
    """``text`` on one line and at most ``most`` characters, cut with an ellipsis: input quoted
    in a message (a column name, a line of the file) never floods the terminal."""
    text = one_line(text[: most * 4])
    return text if len(text) <= most else text[: most - 1].rstrip() + "\u2026"


def one_line(text: str) -> str:
    """Control characters removed and every run of white space made one space: a title."""
    return " ".join(strip_controls(text).split())


class Overlong(str):
    """Stands, in :meth:`TextReader.lines`, for a line longer than the reader's limit: its text
    is an empty line (so a consumer that ignores it reads on), ``number`` is its line number
    and ``size`` its length in bytes. The line itself was skipped, never held in memory."""

    number: int
    size: int

    def __new__(cls, number: int, size: int) -> Overlong:
        line = super().__new__(cls, "\n")
        line.number, line.size = number, size
        return line


class TextReader:
    """An input read as text in bounded memory, line by line or chunk by chunk.

    UTF-8 unless a byte-order mark says UTF-16. Bytes that are not valid UTF-8 are read as
    Windows-1252 (line by line in :meth:`lines`, for the rest of the input in :meth:`chunks`)
    and :attr:`fallback_line` records the first line where that happened, so the importer can
    warn. Raises :class:`ImportFailure` at construction when the input is binary. A line
    longer than ``max_line`` bytes is skipped and stands as an :class:`Overlong`.
    """

    HEAD = 8192

    def __init__(self, source: Source, max_line: int = 64 * 1024 * 1024) -> None:
        with source.open() as stream:
            self.head: bytes = stream.read(self.HEAD)
        if looks_binary(self.head):
            raise ImportFailure("binary data, not text")
        self._source = source
        self._utf16 = self.head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        self.fallback_line: int | None = None
        self.max_line = max_line

    def is_blank(self) -> bool:
        """True when the input holds nothing but white space (looked at within the head)."""
        return len(self.head) < self.HEAD and not self.head.lstrip(codecs.BOM_UTF8).strip()

    def lines(self) -> Iterator[str]:
        """The lines with their line endings, as the csv module wants them."""
        with self._source.open() as stream:
            if self._utf16:
                wrapper = io.TextIOWrapper(stream, encoding="utf-16", errors="replace", newline="")
                yield from _bounded_lines(wrapper.readline, "\n", self.max_line)
                return
            for number, raw in enumerate(_bounded_lines(stream.readline, b"\n", self.max_line), 1):
                if isinstance(raw, Overlong):
                    yield raw
                    continue
                if number == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8) :]
                try:
                    yield raw.decode("utf-8")
                except UnicodeDecodeError:
                    if self.fallback_line is None:
                        self.fallback_line = number
                    yield _decode_fallback(raw)

    def chunks(self, size: int = 1 << 20) -> Iterator[str]:
        """The text in pieces of about ``size`` bytes each."""
        with self._source.open() as stream:
            if self._utf16:
                wrapper = io.TextIOWrapper(stream, encoding="utf-16", errors="replace")
                yield from iter(lambda: wrapper.read(size), "")
                return
            decoder = codecs.getincrementaldecoder("utf-8")("strict")
            lines_before = 1
            for number, raw in enumerate(iter(lambda: stream.read(size), b"")):
                if number == 0:
                    raw = raw.removeprefix(codecs.BOM_UTF8)
                if self.fallback_line is not None:
                    yield _decode_fallback(raw)
                    continue
                pending = decoder.getstate()[0]
                try:
                    text = decoder.decode(raw)
                except UnicodeDecodeError:
                    self.fallback_line = lines_before
                    text = _decode_fallback(pending + raw)
                lines_before += text.count("\n")
                yield text
            if self.fallback_line is None:
                try:
                    yield decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    self.fallback_line = lines_before
                    yield _decode_fallback(decoder.getstate()[0])


_HTML_HINT = re.compile(
    r"<(?:p|br|div|span|a|em|strong|b|i|h[1-6]|ul|ol|li|blockquote|img|figure|table)\b[^>]*>"
    r"|&(?:amp|lt|gt|quot|nbsp|#\d+|#x[0-9a-f]+);",
    re.I,
)
_BLOCK_TAGS = frozenset((
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "table", "tr", "section", "article", "header", "footer", "aside", "figure", "figcaption",
    "hr", "dl", "dt", "dd", "main", "nav",
))  # fmt: skip
_SKIP_TAGS = frozenset(("script", "style", "noscript", "template"))
_BR = "\u2028"  # stands for <br> until white space has been collapsed


def looks_like_html(text: str) -> bool:
    """True when ``text`` carries HTML markup or entities (feeds and CMS exports often do)."""
    return bool(_HTML_HINT.search(text))


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: one paragraph per block element, separated by blank
    lines; ``<br>`` kept as a line break; scripts and styles dropped; entities decoded."""
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    parser.flush()
    return "\n\n".join(parser.paragraphs)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._pieces: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag == "br":
            self._pieces.append(_BR)
        elif tag in _BLOCK_TAGS:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._pieces.append(data)

    def flush(self) -> None:
        text = strip_controls("".join(self._pieces))
        lines = (" ".join(part.split()) for part in text.split(_BR))
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            self.paragraphs.append(paragraph)
        self._pieces = []


def _bounded_lines(
    readline: Callable[[int], AnyStr], newline: AnyStr, limit: int
) -> Iterator[Any]:
    """The lines ``readline`` gives, none longer than ``limit``: a longer one is read on to its
    end in pieces, dropped, and given as an :class:`Overlong` instead."""
    number = 0
    while line := readline(limit + 1):
        number += 1
        if len(line) > limit and not line.endswith(newline):
            size = len(line)
            while (more := readline(1 << 20)) and not more.endswith(newline):
                size += len(more)
            yield Overlong(number, size + len(more))
        else:
            yield line
