"""Reading index files through memory maps, without copying them.

Whoosh reads a segment file either through a plain file object (one ``seek`` and ``read``
system call per look-up: thousands for a related-articles query) or, for a compound segment,
through a ``BytesIO`` copy of the whole part (the entire index read into memory by every
process that opens it). A memory map gives both cheap look-ups and no up-front copy: pages
are read when a look-up touches them and shared between processes through the page cache.
"""

from __future__ import annotations

import mmap
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile


class MappedFile(StructFile):
    """A read-only :class:`StructFile` over a memory map; ``get`` slices the map directly."""

    def __init__(self, mapped: mmap.mmap, name: str | None = None) -> None:
        super().__init__(mapped, name=name)
        self._map = mapped

    def get(self, position: int, length: int) -> bytes:
        return self._map[position : position + length]


class MappedStorage(FileStorage):
    """A :class:`FileStorage` whose files open as memory maps (empty files, which cannot be
    mapped, open as plain files). For reading only: writers use the plain storage."""

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        with open(self._fpath(name), "rb") as fh:
            try:
                mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError:  # an empty file
                return super().open_file(name, **kwargs)
        return MappedFile(mapped, name=name)
