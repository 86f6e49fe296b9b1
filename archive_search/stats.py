"""What ``arch stats`` reports: counts, date range, top sources, tags and languages."""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .archive import Archive


@dataclass
class ArchiveStats:
    """What ``arch stats`` reports."""

    root: str
    articles: int
    first_date: str | None
    last_date: str | None
    undated: int
    sources: list[tuple[str, int]]
    tags: list[tuple[str, int]]
    languages: list[tuple[str, int]]
    index_up_to_date: bool
    index_documents: int
    problems: list[str] = field(default_factory=list)


def archive_stats(archive: Archive, top: int = 10) -> ArchiveStats:
    """Counts, date range, top sources, tags and languages, and index freshness."""
    up_to_date = not archive.index.is_stale() and _files_unchanged(archive)
    archive.ensure_index()
    sources: collections.Counter[str] = collections.Counter()
    tags: collections.Counter[str] = collections.Counter()
    langs: collections.Counter[str] = collections.Counter()
    dates: list[str] = []
    undated = 0
    with archive.index.searcher() as searcher:
        count = searcher.doc_count()
        for stored in searcher.all_stored():
            if stored.source:
                sources[stored.source] += 1
            for tag in stored.tags:
                tags[tag] += 1
            langs[stored.lang or "unknown"] += 1
            if stored.date:
                dates.append(stored.date[:19])
            else:
                undated += 1
    return ArchiveStats(
        root=str(archive.root),
        articles=count,
        first_date=min(dates) if dates else None,
        last_date=max(dates) if dates else None,
        undated=undated,
        sources=sources.most_common(top),
        tags=tags.most_common(top),
        languages=langs.most_common(top),
        index_up_to_date=up_to_date,
        index_documents=count,
    )


def _files_unchanged(archive: Archive) -> bool:
    """Whether every corpus file is the one the index holds (same paths, times and sizes)."""
    manifest = archive.index.load_manifest()
    scanned = archive.corpus.scan()
    if set(scanned) != set(manifest.files):
        return False
    return all((e.mtime_ns, e.size) == scanned[rel] for rel, e in manifest.files.items())
