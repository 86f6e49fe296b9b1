"""The index manifest (an SQLite table): updates write only what changed, old archives upgrade
themselves, and what is read from it (stats, recent names) matches the index."""

from __future__ import annotations

import collections
import json
import sqlite3

from conftest import article

from archive_search import Archive
from archive_search.index import MANIFEST


def rows_by_revision(archive: Archive) -> dict[int, int]:
    gen = archive.index.current_dir()
    with sqlite3.connect(gen / MANIFEST) as db:
        return dict(db.execute("SELECT revision, count(*) FROM files GROUP BY revision"))


def test_adding_an_article_writes_its_row_and_leaves_the_others_alone(archive: Archive, tmp_path):
    """One import adds one row at the next revision; the rows already there keep theirs, so
    the name catalogue can read just the new ones (Manifest.changed_since)."""
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(
        json.dumps({"title": f"Harbour report {n}", "body": f"Ferry number {n} sailed on time.",
                    "date": "2023-09-18"}) + "\n" for n in range(5)))
    archive.import_paths([batch])
    before = rows_by_revision(archive)
    assert sum(before.values()) == 5 and len(before) == 1

    one = tmp_path / "one.json"
    one.write_text(json.dumps({"title": "Paul Volcker speaks", "body": "Paul Volcker spoke.",
                               "date": "2023-09-19"}))
    archive.import_paths([one])
    after = rows_by_revision(archive)
    [revision] = before
    assert after == {revision: 5, revision + 1: 1}
    manifest = archive.index.load_manifest()
    assert [e.names for e in manifest.changed_since(revision, 10)] == [["Paul Volcker"]]
    assert manifest.changed_since(revision - 1, 3) is None  # more than the limit: rebuild
    assert [m.name for m in archive.names_matching("Paul Volcker")] == ["Paul Volcker"]


def test_an_index_of_the_json_manifest_era_is_rebuilt_by_the_next_search(
    archive: Archive, add_articles
):
    """An archive indexed by schema 4 (manifest.json, no manifest.sqlite) answers its first
    search after rebuilding its index from corpus/, without being asked."""
    [a] = add_articles(article("Harbour wall holds", "The new flood wall held."))
    gen = archive.index.current_dir()
    (gen / MANIFEST).unlink()
    (gen / "manifest.json").write_text('{"schema_version": 4, "files": {}}')
    (gen / "state.json").write_text('{"schema_version": 4, "folders": {}, "revision": 1}')
    assert not archive.index.exists()

    reopened = Archive.open(archive.root)
    assert [h.id for h in reopened.search("flood").hits] == [a]
    assert reopened.index.exists() and reopened.index.current_dir() != gen
    assert reopened.update_index().unchanged == 1


def test_stats_from_the_manifest_match_a_count_of_every_stored_document(
    archive: Archive, add_articles
):
    """`arch stats` counts by SQL over the manifest; the figures are those of a count over the
    index's stored documents, ties in first-indexed order as before."""
    add_articles(
        article("A", "Oil.", source="Wire", tags=["oil", "energy"], lang="en"),
        article("B", "Gas.", source="Paper", tags=["gas", "energy"], lang="de"),
        article("C", "Coal.", source="Wire", tags=["coal"], date="2021-01-02T03:04:05+01:00"),
        article("D", "Sun.", source=None, tags=[], date=None),
        article("E", "Odd date.", source="Paper", date="sometime in spring"),
    )
    stats = archive.stats(top=10)

    sources: collections.Counter[str] = collections.Counter()
    tags: collections.Counter[str] = collections.Counter()
    langs: collections.Counter[str] = collections.Counter()
    dates = []
    with archive.index.searcher() as searcher:
        for stored in searcher.all_stored():
            sources.update([stored.source] if stored.source else [])
            tags.update(stored.tags)
            langs[stored.lang or "unknown"] += 1
            if stored.date:
                dates.append(stored.date[:19])
    assert stats.sources == sources.most_common(10)
    assert stats.tags == tags.most_common(10)
    assert stats.languages == langs.most_common(10)
    assert (stats.first_date, stats.last_date) == (min(dates), max(dates))
    assert stats.undated == 5 - len(dates) and stats.articles == 5
