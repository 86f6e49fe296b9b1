"""What an index reflects and what an update of it did.

The manifest (``index/gen-N/manifest.sqlite``) lists the corpus files the index holds, by path,
modification time and size, with each article's id, content fingerprint, date and names: enough
to find what changed since, to spot duplicates on import and to build the name catalogue
without reading the corpus. It is derived data, rebuilt with the index.

It is an SQLite table rather than one JSON document, so that the cost of every operation
follows the change, not the archive (as git's index and notmuch's database do): adding one
article looks up its id and fingerprint by the table's indexes and writes one row, where a JSON
manifest was parsed and rewritten whole (seconds at 200,000 articles). A :class:`Manifest`
reads rows when asked and keeps what is changed in memory until :meth:`Manifest.save` writes
it in one transaction (which a kill rolls back whole). Each row also carries what ``arch
stats`` counts (source, tags, language, date as stored) and the revision that last wrote it, so
that the name catalogue finds the articles changed since it was built without a full read.

This module is loaded only by what updates or inspects the index, not by a search.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import marshal
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .engine.fields import DATE_TEXT, LANG, SCHEMA_VERSION, SOURCE, TAGS
from .errors import StorageError
from .spill import SpillDict
from .store import adjust_digest, folder_of

if TYPE_CHECKING:
    from .article import Article

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    rel TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL,
    id TEXT NOT NULL, fingerprint TEXT NOT NULL, date TEXT, names TEXT NOT NULL,
    source TEXT, tags TEXT NOT NULL, lang TEXT, shown_date TEXT, revision INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS files_id ON files (id);
CREATE INDEX IF NOT EXISTS files_fingerprint ON files (fingerprint);
CREATE INDEX IF NOT EXISTS files_revision ON files (revision);
CREATE INDEX IF NOT EXISTS files_shown_date ON files (shown_date);
CREATE TABLE IF NOT EXISTS counts (
    kind TEXT NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL, first INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
);
"""
#: What ``arch stats`` ranks, each as the ``counts`` table keeps it: ``kind -> SQL`` giving
#: ``(key, articles, first rowid)`` over ``files`` (how a manifest of an older arch is counted).
_RANKED = {
    "source": "SELECT source, count(*), min(rowid) FROM files WHERE source IS NOT NULL "
              "GROUP BY source",
    "tag": "SELECT t.value, count(*), min(files.rowid) FROM files, json_each(files.tags) AS t "
           "GROUP BY t.value",
    "lang": "SELECT coalesce(lang, 'unknown'), count(*), min(rowid) FROM files GROUP BY 1",
}
#: A ``first`` that never wins ``min()``: what a count going down offers.
_LAST = 1 << 62
_COLUMNS = "rel, mtime_ns, size, id, fingerprint, date, names, source, tags, lang, shown_date"


class ManifestError(ValueError):
    """The manifest file cannot be read as one (damaged, truncated, not SQLite)."""


@dataclass(slots=True)
class ManifestEntry:
    """One corpus file the index holds (an import keeps one per article in memory until its
    commit: slots, not a dict each)."""

    mtime_ns: int
    size: int
    id: str
    fingerprint: str
    date: str | None = None
    names: list[str] = field(default_factory=list)
    #: what ``arch stats`` counts, as the index stores it (:func:`stats_fields`)
    source: str | None = None
    tags: list[str] = field(default_factory=list)
    lang: str | None = None
    #: the date the index stores: None when the article's date cannot be read as one
    shown_date: str | None = None

    @classmethod
    def of(
        cls, stat: tuple[int, int], article: Article, names: list[str],
        fingerprint: str | None = None, document: dict[str, Any] | None = None,
    ) -> ManifestEntry:
        """The entry of ``article`` (``document``: its index document, for what stats count)."""
        source, tags, lang, shown = stats_fields(document or {})
        return cls(stat[0], stat[1], article.id or "", fingerprint or article.fingerprint(),
                   article.date, names, source, tags, lang, shown)

    def _blob(self) -> bytes:
        return marshal.dumps((self.mtime_ns, self.size, self.id, self.fingerprint, self.date,
                              self.names, self.source, self.tags, self.lang, self.shown_date))

    def _row(self, rel: str, revision: int) -> tuple[Any, ...]:
        return (rel, self.mtime_ns, self.size, self.id, self.fingerprint, self.date,
                json.dumps(self.names, ensure_ascii=False), self.source,
                json.dumps(self.tags, ensure_ascii=False), self.lang, self.shown_date, revision)

    @classmethod
    def _of_row(cls, row: tuple[Any, ...]) -> ManifestEntry:
        return cls(row[1], row[2], row[3], row[4], row[5], json.loads(row[6]), row[7],
                   json.loads(row[8]), row[9], row[10])


def stats_fields(document: dict[str, Any]) -> tuple[str | None, list[str], str | None, str | None]:
    """Source, tags, language and date of an index document, as
    :class:`~archive_search.engine.stored.StoredArticle` reads them back."""
    tags = [t for t in (document.get(TAGS) or "").split(",") if t]
    return (document.get(SOURCE) or None, tags, document.get(LANG) or None,
            document.get(DATE_TEXT) or None)


def _entry_blob(entry: ManifestEntry | None) -> bytes:
    return marshal.dumps(None) if entry is None else entry._blob()


def _entry_of_blob(blob: bytes) -> ManifestEntry | None:
    fields = marshal.loads(blob)
    return None if fields is None else ManifestEntry(*fields)


class FileTable(MutableMapping[str, ManifestEntry]):
    """``relpath -> ManifestEntry``: the rows of the manifest file, read on demand, with the
    changes made since it was opened kept until :meth:`Manifest.save` (in memory, the oldest
    in a temporary file beyond :data:`~archive_search.spill.SPILL_AT`: a rebuild or an import
    of a million articles holds a million rows)."""

    def __init__(self, db: sqlite3.Connection | None = None) -> None:
        self._db = db
        #: changed rows; None for a row deleted
        self.changes: SpillDict[ManifestEntry | None] = SpillDict(
            encode=_entry_blob, decode=_entry_of_blob)

    def _stored(self, rel: str) -> ManifestEntry | None:
        if self._db is None:
            return None
        row = _query(self._db, f"SELECT {_COLUMNS} FROM files WHERE rel = ?", (rel,)).fetchone()
        return ManifestEntry._of_row(row) if row else None

    def __getitem__(self, rel: str) -> ManifestEntry:
        entry = self.changes[rel] if rel in self.changes else self._stored(rel)
        if entry is None:
            raise KeyError(rel)
        return entry

    def __setitem__(self, rel: str, entry: ManifestEntry) -> None:
        self.changes[rel] = entry

    def __delitem__(self, rel: str) -> None:
        self[rel]  # noqa: B018  (KeyError for a row that is not there, as a dict)
        self.changes[rel] = None

    def items(self) -> Iterator[tuple[str, ManifestEntry]]:  # type: ignore[override]
        """Every row, read in one pass (a full read: for rebuilds, checks and catalogues)."""
        if self._db is not None:
            rows = _query(self._db, f"SELECT {_COLUMNS} FROM files ORDER BY rowid")
            for row in rows:
                if row[0] not in self.changes:
                    yield row[0], ManifestEntry._of_row(row)
        for rel, entry in self.changes.items():
            if entry is not None:
                yield rel, entry

    def values(self) -> Iterator[ManifestEntry]:  # type: ignore[override]
        return (entry for _, entry in self.items())

    def stamps(self) -> dict[str, tuple[int, int]]:
        """``relpath -> (mtime_ns, size)`` of every row, as :meth:`Corpus.scan
        <archive_search.store.Corpus.scan>` gives them: one read of two columns, which is what
        an update with nothing changed compares."""
        found: dict[str, tuple[int, int]] = {}
        if self._db is not None:
            rows = _query(self._db, "SELECT rel, mtime_ns, size FROM files").fetchall()
            found = {rel: (mtime, size) for rel, mtime, size in rows}
        for rel, entry in self.changes.items():
            if entry is None:
                found.pop(rel, None)
            else:
                found[rel] = (entry.mtime_ns, entry.size)
        return found

    def stamps_in(self, folders: Collection[str]) -> dict[str, tuple[int, int]]:
        """As :meth:`stamps`, of the rows directly in ``folders`` only (``"2023/09/"``, or
        ``"."``), by ranges of the table's key: what an update compares in the folders that
        changed."""
        found: dict[str, tuple[int, int]] = {}
        if self._db is not None:
            for folder in folders:
                if folder == ".":
                    rows = _query(self._db, "SELECT rel, mtime_ns, size FROM files "
                                            "WHERE instr(rel, '/') = 0")
                else:  # every key that starts with "2023/09/" sorts below "2023/090"
                    rows = _query(self._db, "SELECT rel, mtime_ns, size FROM files "
                                            "WHERE rel >= ? AND rel < ?",
                                  (folder, folder[:-1] + "0"))
                found.update((rel, (mtime, size)) for rel, mtime, size in rows.fetchall()
                             if folder_of(rel) == folder)
        for rel, entry in self.changes.items():
            if folder_of(rel) in folders:
                if entry is None:
                    found.pop(rel, None)
                else:
                    found[rel] = (entry.mtime_ns, entry.size)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self.stamps())

    def __len__(self) -> int:
        if self._db is None:
            return sum(1 for e in self.changes.values() if e is not None)
        count = _query(self._db, "SELECT count(*) FROM files").fetchone()[0]
        for rel, entry in self.changes.items():
            stored = self._stored(rel) is not None
            count += (entry is not None) - stored
        return count


class _Lookup(MutableMapping[str, str]):
    """A dict-like snapshot of one column of the manifest keyed by another (``id -> relpath``,
    ``fingerprint -> id``), answering each key by an indexed query; what the caller sets or
    deletes is kept in memory. Iterating reads the whole table (rarely needed)."""

    def __init__(self, find: Callable[[str], str | None], everything: Callable[[], dict[str, str]]
                 ) -> None:
        self._find = find
        self._everything = everything
        self._set: SpillDict[str] = SpillDict()
        self._deleted: set[str] = set()

    def __getitem__(self, key: str) -> str:
        if key in self._set:
            return self._set[key]
        found = None if key in self._deleted else self._find(key)
        if found is None:
            raise KeyError(key)
        return found

    def __setitem__(self, key: str, value: str) -> None:
        self._set[key] = value
        self._deleted.discard(key)

    def __delitem__(self, key: str) -> None:
        self[key]  # noqa: B018  (KeyError for a key that is not there, as a dict)
        self._set.pop(key, None)
        self._deleted.add(key)

    def _all(self) -> dict[str, str]:
        found = {k: v for k, v in self._everything().items() if k not in self._deleted}
        found.update(self._set)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


class Manifest:
    """Which corpus files the index reflects; derived data, rebuilt with the index.

    Opened from a file (:meth:`open`) it reads rows as asked; created empty, it holds its rows
    in memory until it is saved. Either way :attr:`files` reads like a dict.
    """

    def __init__(
        self, folders: dict[str, int] | None = None, schema_version: int = SCHEMA_VERSION,
        revision: int = 0, db: sqlite3.Connection | None = None,
    ) -> None:
        self.files = FileTable(db)
        self.folders: dict[str, int] = folders or {}
        #: ``folder -> (rows, stamp digest)`` of the rows in each folder
        #: (:func:`~archive_search.store.stamp_digest`), kept up to date by :meth:`save`, so
        #: that an update with nothing changed compares folders, not rows. None for a
        #: manifest written before digests were kept: the next save counts them.
        self.digests: dict[str, tuple[int, int]] | None = {} if db is None else None
        self.schema_version = schema_version
        #: grows with every save that changes articles, so caches derived from the manifest
        #: know when they are stale
        self.revision = revision
        self._db = db

    @classmethod
    def open(cls, path: Path) -> Manifest:
        """The manifest in the file ``path``; :class:`ManifestError` when it is missing or
        cannot be read as one."""
        if not path.is_file():
            raise ManifestError(f"{path} is missing")
        try:
            db = _connect(path)
            meta = dict(_query(db, "SELECT key, value FROM meta").fetchall())
            manifest = cls(json.loads(meta.get("folders", "{}")),
                           int(meta.get("schema_version", 0)), int(meta.get("revision", 0)), db)
            if "digests" in meta:
                manifest.digests = {folder: (int(count), int(digest)) for folder, (count, digest)
                                    in json.loads(meta["digests"]).items()}
            return manifest
        except (sqlite3.DatabaseError, ValueError, TypeError) as exc:
            raise ManifestError(f"{path}: {exc}") from None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()

    def _snapshot(self, key: str, value: str) -> _Lookup:
        """``key -> value`` over the rows as they are now (changes made so far included)."""
        changes = dict(self.files.changes)
        shadow = {getattr(e, key): (rel if value == "rel" else getattr(e, value))
                  for rel, e in changes.items() if e is not None}
        db = self._db

        def find(k: str) -> str | None:
            if k in shadow:
                return shadow[k]
            if db is None:
                return None
            # fetched whole: a statement left open would hold the file's read lock
            rows = _query(db, f"SELECT rel, {value} FROM files WHERE {key} = ? "
                          "ORDER BY rowid DESC", (k,)).fetchall()
            return next((v for rel, v in rows if rel not in changes), None)

        def everything() -> dict[str, str]:
            found = {}
            if db is not None:
                sql = f"SELECT rel, {key}, {value} FROM files ORDER BY rowid"
                for rel, k, v in _query(db, sql):
                    if rel not in changes:
                        found[k] = v
            found.update(shadow)
            return found

        return _Lookup(find, everything)

    def ids(self) -> MutableMapping[str, str]:
        """``article id -> relpath``, looked up as needed."""
        return self._snapshot("id", "rel")

    def fingerprints(self) -> MutableMapping[str, str]:
        """``fingerprint -> article id``, looked up as needed."""
        return self._snapshot("fingerprint", "id")

    def changed_since(self, revision: int, limit: int) -> list[ManifestEntry] | None:
        """The entries written by a save after ``revision``, or None when more than ``limit``:
        by the table's revision index, at a cost that follows the change."""
        if self._db is None:
            return None
        rows = _query(self._db, f"SELECT {_COLUMNS} FROM files WHERE revision > ? LIMIT ?",
                      (revision, limit + 1)).fetchall()
        if len(rows) > limit:
            return None
        return [ManifestEntry._of_row(row) for row in rows]

    def name_records(self) -> Iterator[tuple[str, str | None, list[str]]]:
        """``(article id, date, names)`` of every row: what the name catalogue is built from,
        read without decoding the rest of each row."""
        if self._db is not None:
            changes = self.files.changes
            for rel, article_id, date, names in _query(
                    self._db, "SELECT rel, id, date, names FROM files ORDER BY rowid"):
                if rel not in changes:
                    yield article_id, date, json.loads(names)
        for entry in self.files.changes.values():
            if entry is not None:
                yield entry.id, entry.date, entry.names

    def counts(self, top: int) -> dict[str, Any]:
        """What ``arch stats`` reports of the saved rows: the top sources, tags and languages
        (most first, then first indexed first), first and last date, undated. From the
        ``counts`` table that every save keeps up to date, and the date index: a cost that
        does not follow the archive (a manifest of an older arch is counted row by row)."""
        if self._db is None:
            return {"articles": 0, "sources": [], "tags": [], "languages": [], "first": None,
                    "last": None, "undated": 0}
        db = self._db
        meta = dict(_query(db, "SELECT key, value FROM meta").fetchall())
        counted = meta.get("counted") == "1"

        def ranked(kind: str) -> list[tuple[str, int]]:
            if counted:
                sql = "SELECT key, n, first FROM counts WHERE kind = ?"
                rows = _query(db, sql + " ORDER BY 2 DESC, 3 LIMIT ?", (kind, top))
            else:
                rows = _query(db, _RANKED[kind] + " ORDER BY 2 DESC, 3 LIMIT ?", (top,))
            return [(k, n) for k, n, _ in rows]

        # one subquery each: min and max side by side in one SELECT read every row (47 ms at
        # 191,321 articles), each alone is one look-up in the date index
        first, last = _query(db, "SELECT substr((SELECT min(shown_date) FROM files), 1, 19), "
                                 "substr((SELECT max(shown_date) FROM files), 1, 19)").fetchone()
        articles = _query(db, "SELECT count(*) FROM files").fetchone()[0]
        undated = _query(db, "SELECT count(*) FROM files WHERE shown_date IS NULL").fetchone()[0]
        return {
            "articles": articles, "sources": ranked("source"), "tags": ranked("tag"),
            "languages": ranked("lang"), "first": first, "last": last, "undated": undated,
        }

    def save(self, path: Path, bump: bool) -> None:
        """Write the changes (all rows, for a manifest not read from ``path``) and the summary
        in one transaction; ``bump``: the articles changed, the revision moves on."""
        if bump:
            self.revision += 1
        fresh = self._db is None
        try:
            db = self._db if self._db is not None else _connect(path)
            with db:
                db.executescript("BEGIN IMMEDIATE;" + _TABLES)
                if fresh:
                    db.execute("DELETE FROM files")
                    db.execute("DELETE FROM counts")
                counted = fresh or _query(db, "SELECT value FROM meta WHERE key = 'counted'"
                                          ).fetchone() == ("1",)
                old = {} if fresh else self._rows_replaced(db)
                digests = self._digests_after(old, fresh)
                gone = [(rel,) for rel, e in self.files.changes.items() if e is None]
                db.executemany("DELETE FROM files WHERE rel = ?", gone)
                # a row rewritten goes to the end, as Whoosh puts a replaced document
                # (streamed: the changes of a large batch are mostly in a temporary file)
                db.executemany("DELETE FROM files WHERE rel = ?",
                               ((rel,) for rel, e in self.files.changes.items() if e is not None))
                db.executemany(
                    f"INSERT INTO files ({_COLUMNS}, revision) VALUES ({', '.join('?' * 12)})",
                    (e._row(rel, self.revision) for rel, e in self.files.changes.items()
                     if e is not None))
                if digests is None:  # kept by an older arch without digests: count them
                    digests = _count_digests(_query(db, "SELECT rel, mtime_ns, size FROM files"))
                if counted:
                    _count(db, [row[2:] for row in old.values()], self._rows_written(db))
                else:  # kept by an older arch without counts: count every row once
                    db.execute("DELETE FROM counts")
                    for kind, sql in _RANKED.items():
                        db.execute(f"INSERT INTO counts (kind, key, n, first) "
                                   f"SELECT '{kind}', * FROM ({sql})")
                db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [
                    ("schema_version", str(self.schema_version)), ("revision", str(self.revision)),
                    ("folders", json.dumps(self.folders, separators=(",", ":"))),
                    ("digests", json.dumps(digests, separators=(",", ":"))), ("counted", "1")])
        except sqlite3.Error as exc:
            raise StorageError(f"cannot write {path}: {exc}") from None
        self._db = self.files._db = db
        self.files.changes.clear()
        self.digests = digests

    def _rows_replaced(self, db: sqlite3.Connection) -> dict[str, tuple[Any, ...]]:
        """``rel -> (mtime_ns, size, source, tags, lang)`` of the saved rows that the changes
        replace or delete (none for an import of new articles, however large)."""
        return {row[0]: row[1:] for row in _rows_of(
            db, "rel, mtime_ns, size, source, tags, lang", iter(self.files.changes))}

    def _rows_written(self, db: sqlite3.Connection) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """``(rowid, (source, tags, lang))`` of the rows the changes just wrote."""
        written = (rel for rel, e in self.files.changes.items() if e is not None)
        return ((row[0], row[1:]) for row in _rows_of(db, "rowid, source, tags, lang", written))

    def _digests_after(self, old: dict[str, tuple[Any, ...]], fresh: bool
                       ) -> dict[str, tuple[int, int]] | None:
        """The folder digests once the changes are written: the rows replaced or deleted
        (``old``) taken out of their folders' digests and the new ones put in (a cost that
        follows the change); None when there are none to adjust (a manifest of an older
        arch)."""
        changes = self.files.changes
        if fresh:
            return _count_digests((rel, e.mtime_ns, e.size) for rel, e in changes.items()
                                  if e is not None)
        if self.digests is None:
            return None
        digests = dict(self.digests)
        for rel, (mtime, size, *_) in old.items():
            _fold(digests, folder_of(rel), [(mtime, size)], ())
        for rel, entry in changes.items():
            if entry is not None:
                _fold(digests, folder_of(rel), (), [(entry.mtime_ns, entry.size)])
        return digests


def _rows_of(db: sqlite3.Connection, columns: str, rels: Iterator[str]
             ) -> Iterator[tuple[Any, ...]]:
    """``columns`` of the rows of ``rels``, by the table's key, a few hundred at a time."""
    while chunk := tuple(itertools.islice(rels, 500)):
        yield from _query(db, f"SELECT {columns} FROM files WHERE rel IN "
                              f"({', '.join('?' * len(chunk))})", chunk).fetchall()


def _fold(digests: dict[str, tuple[int, int]], folder: str,
          removed: Iterable[tuple[int, int]], added: Iterable[tuple[int, int]]) -> None:
    """Take ``removed`` stamps out of a folder's digest and put ``added`` in; a folder with
    no file left goes."""
    count, digest = adjust_digest(digests.get(folder, (0, 0)), removed, added)
    if count:
        digests[folder] = (count, digest)
    else:
        digests.pop(folder, None)


def _count(db: sqlite3.Connection, removed: Iterable[tuple[Any, ...]],
           added: Iterable[tuple[int, tuple[Any, ...]]]) -> None:
    """Take the ``removed`` rows' sources, tags and languages (each ``(source, tags, lang)``)
    out of the ``counts`` table and put the ``added`` ones' in (each ``(rowid, (source, tags,
    lang))``), in one step: a key no row has any more goes, and a key that a rewritten row
    takes out and puts back keeps its first rowid, so ties stay in the order their keys first
    came into the archive."""
    delta: dict[tuple[str, str], list[int]] = {}
    for sign, rowid, (source, tags, lang) in itertools.chain(
            ((-1, _LAST, row) for row in removed), ((+1, rowid, row) for rowid, row in added)):
        keys = [("lang", lang or "unknown"), *(("tag", t) for t in dict.fromkeys(json.loads(tags)))]
        if source is not None:
            keys.append(("source", source))
        for key in keys:
            seen = delta.setdefault(key, [0, rowid])
            seen[0] += sign
            seen[1] = min(seen[1], rowid)
    db.executemany(
        "INSERT INTO counts (kind, key, n, first) VALUES (?, ?, ?, ?) ON CONFLICT (kind, key) "
        "DO UPDATE SET n = n + excluded.n, first = min(first, excluded.first)",
        [(kind, key, n, first) for (kind, key), (n, first) in delta.items()])
    db.execute("DELETE FROM counts WHERE n <= 0")


def _count_digests(rows: Iterable[tuple[str, int, int]]) -> dict[str, tuple[int, int]]:
    """``folder -> (rows, digest)`` of ``(rel, mtime_ns, size)`` rows, counted afresh."""
    digests: dict[str, tuple[int, int]] = {}
    for rel, mtime, size in rows:
        _fold(digests, folder_of(rel), (), [(mtime, size)])
    return digests


def _connect(path: Path) -> sqlite3.Connection:
    """The manifest file, opened for reading as asked and writing in explicit transactions
    (the default rollback journal: a reader of a read-only archive needs no -wal file)."""
    db = sqlite3.connect(str(path), timeout=30.0, isolation_level=None,
                         check_same_thread=False)
    with contextlib.suppress(sqlite3.DatabaseError):
        db.execute("PRAGMA synchronous = NORMAL")
    return db


def _query(db: sqlite3.Connection, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Cursor:
    """Run a read; a damaged file is a :class:`ManifestError`."""
    try:
        return db.execute(sql, args)
    except sqlite3.DatabaseError as exc:
        raise ManifestError(f"the index manifest cannot be read: {exc}") from None


@dataclass
class SyncReport:
    """What an index update did. ``problems`` are one-line messages about corpus files."""

    added: int = 0
    changed: int = 0
    deleted: int = 0
    unchanged: int = 0
    rebuilt: bool = False
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: files added, changed or deleted in ``corpus/`` that the index still does not reflect
    #: (a search that could not catch up: see :meth:`archive_search.Archive.ensure_index`)
    pending: int = 0
    #: why they were left, in one line for the user
    note: str = ""
