"""Turning input bytes into text, and saying clearly when they are not text at all.

Inputs arrive as bytes of unknown encoding. UTF-8 is tried first; Western text that is not
UTF-8 is almost always Windows-1252 or Latin-1 (old Western exports, Excel CSV files), which
decode without loss as Windows-1252. A whole document that is neither (an undeclared EUC-JP,
GB2312, Big5 or KOI8-R feed) is recognised by charset-normalizer, see :func:`guess_encoding`.
Importers are told when such a guess was made so the user can be warned instead of silently
getting wrong letters.
"""

from __future__ import annotations

import codecs
import html
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, AnyStr
from urllib.parse import urlsplit

from .base import ImportFailure, Source

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
    """NUL bytes or many control characters in the first 8 KiB: not a text format we read
    (text in UTF-16 or UTF-32, whose every character carries NUL bytes, is text)."""
    head = data[:8192]
    if not head:
        return False
    if wide_encoding(head):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(head) * 0.05


#: Byte-order marks of the wide encodings, longest first (UTF-32-LE's begins like UTF-16-LE's).
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def wide_encoding(head: bytes) -> str | None:
    """``utf-16``/``utf-32`` (with a byte-order mark) or the byte order of one without, when
    ``head`` is text in such an encoding; else None.

    Without a mark (feeds saved by old Windows tools, XML that declares UTF-16 in its own
    bytes), the text is recognised by what it decodes to: no NUL, few controls, and mostly
    ASCII, as markup and Western text are. Binary data fails one of these within a few bytes.
    """
    for bom, name in _WIDE_BOMS:
        if head.startswith(bom):
            return name
    if b"\x00" not in head[:64]:
        return None
    for name, width in (("utf-32-le", 4), ("utf-32-be", 4), ("utf-16-le", 2), ("utf-16-be", 2)):
        sample = head[: len(head) - len(head) % width]
        try:
            text = sample.decode(name)
        except UnicodeDecodeError:
            continue
        if not text or "\x00" in text:
            continue
        controls = sum(1 for c in text if c < " " and c not in "\t\n\r\f")
        ascii_printable = sum(1 for c in text if " " <= c <= "~" or c in "\t\n\r")
        if controls <= len(text) * 0.05 and ascii_printable >= len(text) * 0.3:
            return name
    return None


def head_as_utf8(head: bytes) -> bytes:
    """The first bytes of a file without a UTF-8 byte-order mark, and UTF-16 or UTF-32
    re-encoded as UTF-8, so that a format's signature can be matched with one bytes pattern."""
    if head.startswith(codecs.BOM_UTF8):
        return head[3:]
    wide = wide_encoding(head)
    if wide:
        return head.decode(wide, errors="ignore").encode("utf-8")
    return head


@dataclass
class Decoded:
    """Text decoded from bytes, and the encoding that was used to decode it."""

    text: str
    encoding: str
    guessed: bool = False

    @property
    def fallback(self) -> bool:
        """True when the bytes were not valid in any encoding they claimed or UTF-8, so the
        encoding was guessed."""
        return self.guessed

    @property
    def note(self) -> str:
        """The warning to give when :attr:`fallback` is true."""
        return encoding_note(self.encoding)


def encoding_note(encoding: str) -> str:
    """``not valid UTF-8; read as Windows-1252`` (or as the encoding that was guessed)."""
    if encoding == FALLBACK:
        return FALLBACK_NOTE
    return f"not valid UTF-8; read as {display_name(encoding)} (a guess)"


def display_name(encoding: str) -> str:
    """A codec name as people write it: ``cp1251`` -> ``Windows-1251``, ``euc_jp`` ->
    ``EUC-JP``."""
    name = codecs.lookup(encoding).name
    if re.fullmatch(r"cp125\d", name):
        return f"Windows-{name[2:]}"
    return name.replace("_", "-").upper()


#: How much of a document the encoding is guessed from; its markup is left out first.
_GUESS_BYTES = 256 * 1024
_MARKUP = re.compile(rb"<!--.*?-->|<[^>]*>", re.S)
#: Fewer bytes beyond ASCII than this are too little to tell one encoding from another: a stray
#: byte or two is line noise, read as Windows-1252 (with the warning saying so).
_LEAST_EVIDENCE = 8
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))
#: Characters running text hardly ever has, which a wrong multi-byte guess produces in numbers:
#: Hangul compatibility jamo, box drawing, private use, CJK compatibility forms, half-width
#: katakana, and C1 controls.
_RARE = re.compile("[\u3130-\u318f\u2500-\u257f\ue000-\uf8ff\uf900-\ufaff\uff61-\uff9f\x80-\x9f]")


def guess_encoding(data: bytes) -> str:
    """The encoding of text that is not UTF-8 and says nothing of its own, by charset-normalizer.

    Only the text is looked at, not markup or comments (a comment that happens to contain
    ``charset=…`` must not decide), and only encodings that keep ASCII as it is are taken.
    Western text is read as Windows-1252 even when a sister code page (Windows-1250, Mac Roman)
    fits as well: it is by far the most common, and the letters of Western European languages
    agree in it. Other scripts (Cyrillic, Greek, Hebrew, Thai, Chinese, Japanese, Korean) take
    the detector's answer.
    """
    from charset_normalizer import from_bytes  # loaded only when a guess is needed

    sample = _MARKUP.sub(b" ", data[:_GUESS_BYTES])
    if sum(1 for byte in sample if byte > 127) < _LEAST_EVIDENCE:
        return FALLBACK
    # the markup was readable as ASCII, so the text is in an encoding that keeps ASCII as it is
    # (never UTF-16 or EBCDIC, which a detector may offer for a few odd bytes)
    found = from_bytes(sample, preemptive_behaviour=False)
    matches = [match for match in found if _keeps_ascii(match.encoding)]
    if not matches:
        return FALLBACK
    # On short text the detector can prefer a sister encoding of the same bytes (EUC-JP read as
    # Korean): of its candidates, take the one whose text has the fewest rarely written letters
    rarity = [len(_RARE.findall(str(match))) for match in matches]
    best = matches[rarity.index(min(rarity))]
    encoding = codecs.lookup(best.encoding).name
    letters = [c for c in str(best) if ord(c) > 127 and c.isalpha()]
    if all(ord(c) < 0x250 for c in letters) and _is_cp1252(sample):
        return FALLBACK
    return encoding


_XML_ENCODING = re.compile(rb"^<\?xml[^>]*?\bencoding\s*=\s*[\"']([\w.:-]+)[\"']")
#: Byte-order marks of UTF-8, UTF-16 and UTF-32, and ``<?`` in UTF-16, UTF-32 and EBCDIC: an XML
#: parser reads those itself, as the XML specification says.
_XML_SIGNATURES = (
    codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE,
    b"\x00\x00\x00<", b"<\x00\x00\x00", b"\x00<\x00?", b"<\x00?\x00", b"\x4c\x6f\xa7\x94",
)


def undeclared_xml_encoding(data: bytes) -> str | None:
    """The guessed encoding of an XML document that is not UTF-8 and declares nothing (or
    wrongly declares UTF-8); None when the parser can go by a byte-order mark, the XML
    declaration or the bytes being UTF-8."""
    if data.startswith(_XML_SIGNATURES):
        return None
    declared = _XML_ENCODING.match(data.lstrip()[:200])
    if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return guess_encoding(data)
    return None


def _keeps_ascii(encoding: str) -> bool:
    try:
        return _PRINTABLE_ASCII.decode(encoding) == _PRINTABLE_ASCII.decode("ascii")
    except (LookupError, UnicodeDecodeError):
        return False


def _is_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def decode(data: bytes, declared: str | None = None) -> Decoded:
    """Decode input bytes to text, saying which encoding was used.

    Order: byte-order mark, the encoding the document declares, UTF-8, then the encoding
    :func:`guess_encoding` finds (``guessed`` is then set). Raises :class:`ImportFailure` for
    binary data.
    """
    if looks_binary(data):
        raise ImportFailure("binary data, not text")
    wide = wide_encoding(data[:8192])
    if wide:
        return Decoded(data.decode(wide, errors="replace").lstrip("\ufeff"), wide)
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
        pass
    encoding = guess_encoding(data)
    if encoding == FALLBACK:
        return Decoded(_decode_fallback(data), FALLBACK, guessed=True)
    return Decoded(data.decode(encoding, errors="replace"), encoding, guessed=True)


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode input bytes to text (see :func:`decode`); raises :class:`ImportFailure` for
    binary data."""
    return decode(data, declared).text


def _decode_fallback(data: bytes, encoding: str = FALLBACK) -> str:
    # The five bytes Windows-1252 leaves undefined are line noise in practice; drop them.
    if encoding != FALLBACK:
        return data.decode(encoding, errors="replace")
    return data.decode("cp1252", errors="replace").replace("\ufffd", "")


#: A character or entity reference closed by its semicolon. Only closed references are decoded:
#: HTML's legacy forms without one (``&copy``, ``&amp``) turn prose such as ``R&D&copy`` into
#: nonsense, and every XML or SGML writer closes them.
_REFERENCE = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});")
_BARE_AMPERSAND = re.compile(
    r"&(?!#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]{1,31};)"
)


def decode_references(text: str) -> str:
    """``&apos;``, ``&quot;``, ``&eacute;``, ``&#233;`` and ``&#xE9;`` as the characters they
    stand for, in one pass (``&amp;quot;`` becomes the text ``&quot;``, as its writer meant).

    References to control characters, surrogates and code points beyond Unicode are dropped:
    no article file can hold them. ``&#146;`` is the quote Windows-1252 puts there, as browsers
    read it. A name that is no HTML or XML entity is kept as written.
    """
    if "&" not in text:
        return text
    return _REFERENCE.sub(_reference_text, text)


def _reference_text(match: re.Match[str]) -> str:
    # html.unescape knows every HTML5 name, maps &#146; to the Windows-1252 quote HTML means
    # by it, and turns control characters into nothing and impossible code points into U+FFFD
    decoded = html.unescape(match.group(0))
    if match.group(1)[0] == "#":
        return strip_controls(decoded.replace("\ufffd", ""))
    return decoded


def is_escaped_text(text: str) -> bool:
    """True when ``text`` without tags is written with references (``Smith &amp; Wesson``,
    ``MCLEAN&apos;S``): it holds one and every ``&`` in it starts one. Prose that writes a bare
    ampersand (``AT&T``) is plain text, and whatever references it quotes are left alone."""
    return bool(_REFERENCE.search(text)) and not _BARE_AMPERSAND.search(text)


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

    UTF-8 unless the input is UTF-16 or UTF-32 (:func:`wide_encoding`: a byte-order mark, or
    text whose characters carry NUL bytes). Bytes that are not valid UTF-8 are read in the
    encoding :func:`guess_encoding` finds in the first line (or chunk) that is not, usually
    Windows-1252 (line by line in :meth:`lines`, for the rest of the input in :meth:`chunks`);
    :attr:`fallback_line` records the first line where that happened and
    :attr:`fallback_note` is the warning to give. Raises :class:`ImportFailure` at construction
    when the input is binary.
    A line longer than ``max_line`` bytes is skipped and stands as an :class:`Overlong`.
    """

    HEAD = 8192

    def __init__(self, source: Source, max_line: int = 64 * 1024 * 1024) -> None:
        with source.open() as stream:
            self.head: bytes = stream.read(self.HEAD)
        if looks_binary(self.head):
            raise ImportFailure("binary data, not text")
        self._source = source
        self._wide = wide_encoding(self.head)
        self.fallback_line: int | None = None
        self.max_line = max_line
        self.fallback_encoding: str = FALLBACK

    @property
    def fallback_note(self) -> str:
        """The warning for an input that was not all UTF-8, naming the encoding used."""
        return encoding_note(self.fallback_encoding)

    def _fall_back(self, raw: bytes, line: int) -> str:
        """Decode bytes that are not UTF-8; the first time, choose the encoding from them."""
        if self.fallback_line is None:
            self.fallback_line = line
            self.fallback_encoding = guess_encoding(raw)
        return _decode_fallback(raw, self.fallback_encoding)

    def is_blank(self) -> bool:
        """True when the input holds nothing but white space (looked at within the head)."""
        return len(self.head) < self.HEAD and not self.head.lstrip(codecs.BOM_UTF8).strip()

    def lines(self) -> Iterator[str]:
        """The lines with their line endings, as the csv module wants them."""
        with self._source.open() as stream:
            if self._wide:
                wrapper = io.TextIOWrapper(stream, encoding=self._wide, errors="replace",
                                           newline="")
                lines = _bounded_lines(wrapper.readline, "\n", self.max_line)
                for number, line in enumerate(lines, 1):
                    yield line.lstrip("\ufeff") if number == 1 and isinstance(line, str) else line
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
                    yield self._fall_back(raw, number)

    def chunks(self, size: int = 1 << 20) -> Iterator[str]:
        """The text in pieces of about ``size`` bytes each."""
        with self._source.open() as stream:
            if self._wide:
                wrapper = io.TextIOWrapper(stream, encoding=self._wide, errors="replace")
                for number, chunk in enumerate(iter(lambda: wrapper.read(size), "")):
                    yield chunk.lstrip("\ufeff") if number == 0 else chunk
                return
            decoder = codecs.getincrementaldecoder("utf-8")("strict")
            lines_before = 1
            for number, raw in enumerate(iter(lambda: stream.read(size), b"")):
                if number == 0:
                    raw = raw.removeprefix(codecs.BOM_UTF8)
                if self.fallback_line is not None:
                    yield _decode_fallback(raw, self.fallback_encoding)
                    continue
                pending = decoder.getstate()[0]
                try:
                    text = decoder.decode(raw)
                except UnicodeDecodeError:
                    text = self._fall_back(pending + raw, lines_before)
                lines_before += text.count("\n")
                yield text
            if self.fallback_line is None:
                try:
                    yield decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    yield self._fall_back(decoder.getstate()[0], lines_before)


_HTML_HINT = re.compile(
    r"<(?:p|br|div|span|a|em|strong|b|i|h[1-6]|ul|ol|li|blockquote|img|figure|table)\b[^>]*>",
    re.I,
)
#: Elements that end a paragraph where they open and where they close.
_BLOCK_TAGS = frozenset((
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
))  # fmt: skip
_SKIP_TAGS = frozenset(("script", "style", "noscript", "template"))
_BR = "\u2028"  # stands for <br> until white space has been collapsed
#: Lone surrogates (``&#xD800;`` decoded by a lenient parser): no file can be written with them.
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def looks_like_html(text: str) -> bool:
    """True when ``text`` carries HTML tags (feeds and CMS exports often do). Text with
    references but no tags is told by :func:`is_escaped_text`."""
    return bool(_HTML_HINT.search(text))


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed entry, a CSV or JSON field, a page's JSON-LD
    ``articleBody``): one paragraph per block element, separated by blank lines.

    ``<br>`` is a line break inside its paragraph, as a browser shows it (an address, a verse,
    a byline over a dateline); two or more in a row leave an empty line, so they end the
    paragraph, as ``text<br><br>more`` means in feeds written without ``<p>``. Scripts and
    styles are dropped, entities decoded, control characters and lone surrogates removed.
    Text without tags or references keeps its blank-line paragraphs, its other line breaks
    being only wrapping. Never raises: markup ``html.parser`` trips over (``<![;``) gives the
    text with its tags stripped.
    """
    fragment = _SURROGATES.sub("", fragment)
    if "<" not in fragment and "&" not in fragment:
        paragraphs = re.split(r"\n\s*\n", strip_controls(fragment))
        return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
    parser = _TextExtractor()
    try:
        parser.feed(fragment)
        parser.close()
    except AssertionError:  # html.parser asserts on some malformed declarations
        return " ".join(strip_controls(re.sub(r"<[^>]*>?", " ", fragment)).split())
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
        """End the paragraph being collected; an empty line in it (``<br><br>``) ends one
        too."""
        text = _SURROGATES.sub("", strip_controls("".join(self._pieces)))
        lines: list[str] = []
        for part in [*text.split(_BR), ""]:
            line = " ".join(part.split())
            if line:
                lines.append(line)
            elif lines:
                self.paragraphs.append("\n".join(lines))
                lines = []
        self._pieces = []


def dedupe(values: Iterable[str]) -> list[str]:
    """The values without blanks and without repeats that differ only in case or surrounding
    space, each kept as first written, in order: tags, authors and names gathered from several
    places of one input."""
    seen: set[str] = set()
    kept = []
    for value in values:
        value = value.strip()
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            kept.append(value)
    return kept


#: A language tag (``en``, ``de-CH``, ``pt_BR``, ``zh-Hant-TW``): its language subtag is kept.
_LANG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")


def lang_code(value: str | None) -> str | None:
    """The lower-case language code of a language tag a feed or page declares (``en-US`` ->
    ``en``); None for anything that is no language tag."""
    match = _LANG.match((value or "").strip())
    return match.group(1).lower() if match else None


def is_web_address(url: str) -> bool:
    """True for an absolute ``http``/``https`` address: only such a link is kept as an
    article's url (a relative link or an id such as ``urn:uuid:…`` is no address)."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


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
