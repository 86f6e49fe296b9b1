"""What every importer is given and what it gives back.

An importer is a module that meets the :class:`Importer` protocol: ``NAME``, ``EXTENSIONS``,
``sniff(head, name)`` and ``read(source, options)``, registered by one entry in
:data:`archive_search.importers.FORMATS` (``tests/test_importers.py`` checks every registered
module against the protocol, and the README's table of formats against the registry).

``read`` yields :class:`~archive_search.article.Article` objects, :class:`RecordFailure`
objects for records it cannot use, and :class:`RecordWarning` objects for notes about the
article yielded just before (or, with no record, about the whole input). It never raises for
bad input; a raised :class:`ImportFailure` fails the whole input with that one-line reason, a
raised :class:`NothingToImport` skips it with that reason (:class:`NotAnArticle` when the input
is readable but is no article: a licence, a word list). It reads within ``options.limits``
(:class:`Limits`): the streams ``source.open()`` gives are bounded, a record larger than
``limits.article`` is a :class:`RecordFailure` saying :meth:`Limits.record_failure`, and an
input read whole stops at ``limits.document``. The framework in :mod:`archive_search.importers`
has already turned away empty and binary inputs; it fills ``origin`` and ``imported_at`` and
writes the files.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, Protocol, runtime_checkable

from ..config import ImportSettings

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..article import Article

MB = 1024 * 1024


class ImportFailure(Exception):
    """A whole input cannot be imported; the message is the one-line reason shown to the user."""


class NothingToImport(ImportFailure):
    """An input that is read fine but holds no article (a feed with no entries): it is
    skipped, and the message says why."""


class NotAnArticle(NothingToImport):
    """The input is readable but holds no article (a licence, a word list, a host name): it is
    skipped with this reason rather than failed, and rather than imported as noise."""


@dataclass(frozen=True)
class Limits:
    """How much of an input is read, so that memory stays bounded whatever the input is.

    Set from the ``import`` settings (:class:`~archive_search.config.ImportSettings`). ``article``
    caps one article: a text file read as one article, one record (a JSON Lines line, a CSV
    row, a JSON array element) and the text an importer extracts. ``document`` caps an input
    that has to be read whole (an HTML page, a feed, a JSON object). ``input`` caps everything
    read from one input, streamed or not, and what is spooled from standard input. ``ratio``
    caps how many times its compressed size a ``.gz`` file or zip member may grow.
    """

    article: int
    document: int
    input: int
    ratio: float

    @classmethod
    def from_settings(cls, settings: ImportSettings) -> Limits:
        """The limits the ``import`` settings set (sizes in MB, checked when read)."""
        return cls(int(settings.max_article_mb * MB), int(settings.max_document_mb * MB),
                   int(settings.max_input_mb * MB), settings.max_ratio)

    @classmethod
    def defaults(cls) -> Limits:
        """The limits of an archive that sets none: the settings' defaults, the one source."""
        return cls.from_settings(ImportSettings())

    def record_failure(self) -> str:
        """The reason given for a record larger than :attr:`article`."""
        return (f"record larger than {_mb(self.article)}, longer than any news article "
                "(import.max_article_mb); not imported")


def _mb(size: float) -> str:
    return f"{size / MB:.3g} MB"


#: Decompressed output below this is never judged by its ratio (tiny files compress oddly).
_RATIO_FLOOR = 1 * MB
#: What zlib, gzip and zipfile raise for damaged or lying compressed data.
_DAMAGED = (zlib.error, EOFError, zipfile.BadZipFile, gzip.BadGzipFile)


class BoundedStream(io.BufferedIOBase):
    """A binary input stream that refuses, with an :class:`ImportFailure`, to deliver more than
    the :class:`Limits` allow, so that no input can exhaust memory or run for ever.

    A read of everything (``read()``, as whole-file importers do) is capped at
    ``limits.document``; sized reads (streaming importers) at ``limits.input`` in all. For
    compressed data ``compressed`` tells how many compressed bytes were used so far, and output
    growing past ``limits.ratio`` times that is refused as a compression bomb. Damaged
    compressed data (a zip member whose header lies about its size, a cut-off ``.gz``) is an
    :class:`ImportFailure` too, never an exception that would stop the batch.
    """

    def __init__(
        self,
        raw: BinaryIO,
        limits: Limits,
        compressed: Callable[[], int] | None = None,
        also_close: tuple[BinaryIO, ...] = (),
    ) -> None:
        super().__init__()
        self._raw = raw
        self._limits = limits
        self._compressed = compressed
        self._also_close = also_close
        self.delivered = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self._read_whole()
        return self._count(self._call(self._raw.read, size))

    def read1(self, size: int = -1) -> bytes:
        return self.read(size if size >= 0 else io.DEFAULT_BUFFER_SIZE)

    def readline(self, size: int | None = -1) -> bytes:
        """A line, capped at ``limits.article`` bytes when no size is given: past that it is
        not a line of text but one huge record."""
        cap = self._limits.article + 1 if size is None or size < 0 else size
        line = self._count(self._call(self._raw.readline, cap))
        if (size is None or size < 0) and len(line) == cap and not line.endswith(b"\n"):
            raise ImportFailure(self._limits.record_failure())
        return line

    def close(self) -> None:
        if not self.closed:
            for stream in (self._raw, *self._also_close):
                stream.close()
        super().close()

    def _read_whole(self) -> bytes:
        parts, total, cap = [], 0, self._limits.document
        while chunk := self.read(min(1 * MB, cap + 1 - total)):
            parts.append(chunk)
            total += len(chunk)
            if total > cap:
                raise ImportFailure(
                    f"larger than {_mb(cap)}, too large to read whole (import.max_document_mb)"
                )
        return b"".join(parts)

    def _call(self, method: Callable[[int], bytes], size: int) -> bytes:
        if self._compressed is None:
            return method(size)
        try:
            return method(size)
        except _DAMAGED as exc:
            raise ImportFailure(f"damaged compressed data ({exc})") from None

    def _count(self, data: bytes) -> bytes:
        self.delivered += len(data)
        if self.delivered > self._limits.input:
            raise ImportFailure(
                f"more than {_mb(self._limits.input)} of data (import.max_input_mb); "
                "the rest was not read"
            )
        if (
            self._compressed is not None
            and self.delivered > _RATIO_FLOOR
            and self.delivered > self._limits.ratio * max(self._compressed(), 1)
        ):
            raise ImportFailure(
                f"decompresses to more than {self._limits.ratio:g} times its compressed "
                "size (import.max_ratio), like a compression bomb; not read further"
            )
        return data


@dataclass
class RecordFailure:
    """One record inside an input could not be imported (the rest of the input still is)."""

    reason: str
    record: int | None = None


@dataclass
class RecordWarning:
    """Something the user should know about an imported record (e.g. "date 'blarg' not
    understood, kept as unknown"). The article is still imported."""

    reason: str
    record: int | None = None


@dataclass
class Source:
    """One input: a file, a member of a zip, or standard input.

    ``name`` is what messages show (``articles/a.jsonl``, ``dump.zip:b.json``, ``<stdin>``).
    ``open`` returns a fresh binary stream each time it is called, so an importer may read twice.
    """

    name: str
    open: Callable[[], BinaryIO]
    size: int | None = None

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> Source:
        return cls(name=name, open=lambda: io.BytesIO(data), size=len(data))

    def read_bytes(self, limit: int | None = None, too_large: str = "") -> bytes:
        """The whole input; with ``limit``, :class:`ImportFailure` (saying ``too_large``) when
        it holds more bytes than that."""
        with self.open() as stream:
            if limit is None:
                return stream.read()
            data = stream.read(limit + 1)
        if len(data) > limit:
            raise ImportFailure(f"larger than {_mb(limit)}{too_large}")
        return data


@dataclass
class ImportOptions:
    """Settings that reach every importer.

    ``mapping`` maps our field names to the input's (``{"title": "headline"}``), from ``--map``.
    ``default_source`` names the source when the input does not (e.g. a feed's title).
    ``limits`` bound what is read (see :class:`Limits`).
    """

    mapping: dict[str, str] = field(default_factory=dict)
    default_source: str | None = None
    limits: Limits = field(default_factory=Limits.defaults)


@runtime_checkable
class Importer(Protocol):
    """What a format module provides (a module meets a protocol as an object would, its
    functions taking the place of methods).

    ``NAME`` is the format's name: its key in :data:`~archive_search.importers.FORMATS` and
    the ``--format`` choice. ``EXTENSIONS`` are the lower-case name endings, with their dot,
    that suggest the format. ``sniff`` tells from the first bytes of an input (up to 4 KiB, as
    stored: a byte-order mark or UTF-16 included) and its lower-case name (without ``.gz``)
    whether the input is in this format; it is cheap and never raises. ``read`` gives the
    input's articles as the module docstring says.
    """

    NAME: str
    EXTENSIONS: tuple[str, ...]

    def sniff(self, head: bytes, name: str) -> bool: ...

    def read(
        self, source: Source, options: ImportOptions
    ) -> Iterator[Article | RecordFailure | RecordWarning]: ...
