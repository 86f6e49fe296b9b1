"""A dict that keeps its newest entries in memory and moves the rest to a temporary file.

An import or a rebuild remembers something of every article until it commits: the manifest
row it will write, the id and fingerprint later records are checked against. Held in memory,
that grows with the batch (about a kilobyte an article: a gigabyte for a million); a
:class:`SpillDict` holds at most ``limit`` entries in memory and the rest in a private
temporary SQLite file, which goes when the dict is cleared or collected. Lookups of a spilled
key cost one indexed query.
"""

from __future__ import annotations

import marshal
import sqlite3
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any, Generic, TypeVar

V = TypeVar("V")

#: Entries held in memory before the older ones go to the temporary file: a few megabytes of
#: manifest rows, and a write to the file every this many.
SPILL_AT = 20_000


class SpillDict(MutableMapping[str, V], Generic[V]):
    """``str -> V`` like a dict; beyond ``limit`` entries (default :data:`SPILL_AT`) the older
    ones live in a temporary file. Values are stored as ``encode`` makes them (``marshal`` by
    default: plain data). Iteration gives the spilled keys first, in the order they were
    spilled, then the rest in the order they were set."""

    def __init__(
        self,
        limit: int | None = None,
        encode: Callable[[V], Any] = marshal.dumps,
        decode: Callable[[Any], V] = marshal.loads,
    ) -> None:
        self._recent: dict[str, V] = {}
        self._limit = limit or SPILL_AT
        self._encode = encode
        self._decode = decode
        self._db: sqlite3.Connection | None = None
        self._spilled = 0

    def _spill(self) -> None:
        if self._db is None:
            # "" opens a private temporary database on disk, deleted when it is closed
            self._db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
            self._db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                                   "CREATE TABLE spill (k TEXT PRIMARY KEY, v BLOB);")
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT INTO spill (k, v) VALUES (?, ?)",
                                 [(k, self._encode(v)) for k, v in self._recent.items()])
        self._spilled += len(self._recent)
        self._recent = {}

    def _spilled_value(self, key: str) -> tuple[bool, Any]:
        if self._db is None:
            return False, None
        row = self._db.execute("SELECT v FROM spill WHERE k = ?", (key,)).fetchone()
        return (True, row[0]) if row is not None else (False, None)

    def _unspill(self, key: str) -> bool:
        if self._db is None:
            return False
        gone = self._db.execute("DELETE FROM spill WHERE k = ?", (key,)).rowcount > 0
        self._spilled -= gone
        return gone

    def __getitem__(self, key: str) -> V:
        try:
            return self._recent[key]
        except KeyError:
            pass
        found, value = self._spilled_value(key)
        if not found:
            raise KeyError(key)
        return self._decode(value)

    def __contains__(self, key: object) -> bool:
        return key in self._recent or (isinstance(key, str) and self._spilled_value(key)[0])

    def __setitem__(self, key: str, value: V) -> None:
        if key not in self._recent:
            self._unspill(key)  # one copy of each key: the one set last
        self._recent[key] = value
        if len(self._recent) >= self._limit:
            self._spill()

    def __delitem__(self, key: str) -> None:
        if self._recent.pop(key, _MISSING) is _MISSING and not self._unspill(key):
            raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self.items())

    def items(self) -> Iterator[tuple[str, V]]:  # type: ignore[override]
        """Every entry, the spilled ones read from the file a batch at a time."""
        if self._db is not None:
            cursor = self._db.execute("SELECT k, v FROM spill ORDER BY rowid")
            while batch := cursor.fetchmany(1000):
                for key, value in batch:
                    yield key, self._decode(value)
        yield from list(self._recent.items())

    def values(self) -> Iterator[V]:  # type: ignore[override]
        return (value for _, value in self.items())

    def __len__(self) -> int:
        return len(self._recent) + self._spilled

    def clear(self) -> None:
        self._recent = {}
        self._spilled = 0
        if self._db is not None:
            self._db.close()
            self._db = None


_MISSING: Any = object()
