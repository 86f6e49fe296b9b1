"""What every importer is given and what it gives back.

An importer is a module with ``NAME``, ``EXTENSIONS``, ``sniff(head, name)`` and
``read(source, options)``. ``read`` yields :class:`~archive_search.article.Article` objects,
:class:`RecordFailure` objects for records it cannot use, and :class:`RecordWarning` objects for
notes about the article yielded just before. It never raises for bad input; a raised
:class:`ImportFailure` fails the whole input with that one-line reason, a raised
:class:`NothingToImport` skips it with that reason. The framework in
:mod:`archive_search.importers` fills ``origin`` and ``imported_at`` and writes the files.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO


class ImportFailure(Exception):
    """A whole input cannot be imported; the message is the one-line reason shown to the user."""


class NothingToImport(ImportFailure):
    """An input that is read fine but holds no article (a feed with no entries): it is
    skipped, and the message says why."""


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

    def read_bytes(self) -> bytes:
        with self.open() as stream:
            return stream.read()


@dataclass
class ImportOptions:
    """Settings that reach every importer.

    ``mapping`` maps our field names to the input's (``{"title": "headline"}``), from ``--map``.
    ``default_source`` names the source when the input does not (e.g. a feed's title).
    """

    mapping: dict[str, str] = field(default_factory=dict)
    default_source: str | None = None
    max_file_bytes: int = 512 * 1024 * 1024
