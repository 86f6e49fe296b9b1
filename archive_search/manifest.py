"""What an index reflects and what an update of it did.

The manifest (``index/gen-N/manifest.json``) lists the corpus files the index holds, by path,
modification time and size, with each article's id, content fingerprint, date and names: enough
to find what changed since, to spot duplicates on import and to build the name catalogue
without reading the corpus. It is derived data, rebuilt with the index. This module is loaded
only by what updates or inspects the index, not by a search.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .engine.fields import SCHEMA_VERSION

if TYPE_CHECKING:
    from .article import Article


@dataclass
class ManifestEntry:
    mtime_ns: int
    size: int
    id: str
    fingerprint: str
    date: str | None = None
    names: list[str] = field(default_factory=list)

    @classmethod
    def of(
        cls, stat: tuple[int, int], article: Article, names: list[str],
        fingerprint: str | None = None,
    ) -> ManifestEntry:
        return cls(stat[0], stat[1], article.id or "", fingerprint or article.fingerprint(),
                   article.date, names)


@dataclass
class Manifest:
    """Which corpus files the index reflects; derived data, rebuilt with the index."""

    files: dict[str, ManifestEntry] = field(default_factory=dict)
    folders: dict[str, int] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION
    #: grows with every save, so caches derived from the manifest know when they are stale
    revision: int = 0

    def ids(self) -> dict[str, str]:
        return {e.id: rel for rel, e in self.files.items()}

    def fingerprints(self) -> dict[str, str]:
        return {e.fingerprint: e.id for e in self.files.values()}

    def to_json(self) -> str:
        return json.dumps(
            {
                "schema_version": self.schema_version,
                "folders": self.folders,
                "revision": self.revision,
                "files": {
                    rel: [e.mtime_ns, e.size, e.id, e.fingerprint, e.date, e.names]
                    for rel, e in self.files.items()
                },
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        files = {rel: ManifestEntry(*vals) for rel, vals in data.get("files", {}).items()}
        return cls(
            files, data.get("folders", {}), data.get("schema_version", 0), data.get("revision", 0)
        )


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
