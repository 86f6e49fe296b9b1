"""The index manifest (an SQLite table): updates write only what changed, old archives upgrade
themselves, and what is read from it (stats, recent names) matches the index."""

from __future__ import annotations

import collections
import json
import os
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


def rows_asked(monkeypatch) -> list[set[str]]:
    """Record which folders' rows each update reads from the manifest."""
    from archive_search.manifest import FileTable

    asked: list[set[str]] = []
    original = FileTable.stamps_in

    def spy(self, folders):
        asked.append(set(folders))
        return original(self, folders)

    monkeypatch.setattr(FileTable, "stamps_in", spy)
    return asked


def edit_in_place(path, old: str, new: str) -> None:
    """Rewrite a file in place (as many editors do), leaving its folder's time as it was."""
    folder_times = path.parent.stat()
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    os.utime(path.parent, ns=(folder_times.st_atime_ns, folder_times.st_mtime_ns))


def test_an_update_with_nothing_changed_compares_folders_not_rows(
    archive: Archive, add_articles, monkeypatch
):
    """`arch index` with nothing changed reads no row of the manifest: each folder's time,
    file count and stamp digest equal the recorded ones (Corpus.survey, Manifest.digests)."""
    add_articles(article("Harbour wall holds", "The new flood wall held."),
                 article("Ferry sails late", "The ferry left an hour late.", date="2021-03-02"))
    asked = rows_asked(monkeypatch)
    report = archive.update_index()
    assert asked == [set()]
    assert (report.added, report.changed, report.deleted, report.unchanged) == (0, 0, 0, 2)


def test_an_article_edited_in_place_is_found_though_its_folder_time_stayed(
    archive: Archive, add_articles, monkeypatch
):
    """An edit that leaves the folder's time alone still changes the file's own time and
    size: its folder's digest differs, that folder alone is compared row by row, the edit is
    indexed, and `arch stats` says the index was behind until then."""
    [a, _] = add_articles(article("Harbour wall holds", "The new flood wall held."),
                          article("Ferry sails late", "The ferry left an hour late.",
                                  date="2021-03-02"))
    path = archive.root / "corpus" / "2023" / "09" / f"{a}.md"
    edit_in_place(path, "flood wall", "storm barrier")
    assert archive.stats().index_up_to_date is False
    asked = rows_asked(monkeypatch)
    report = archive.update_index()
    assert asked == [{"2023/09/"}]
    assert (report.changed, report.unchanged) == (1, 1)
    assert [h.id for h in archive.search("barrier").hits] == [a]
    assert archive.stats().index_up_to_date is True


def test_a_file_renamed_in_its_folder_is_found_though_the_folder_digest_is_the_same(
    archive: Archive, add_articles
):
    """A rename keeps the file's time and size (the folder's count and digest stay the same)
    but moves the folder's own time: the folder is compared row by row."""
    [a] = add_articles(article("Harbour wall holds", "The new flood wall held.", id="aa"))
    folder = archive.root / "corpus" / "2023" / "09"
    (folder / "aa.md").rename(folder / "renamed.md")
    report = archive.update_index()
    assert (report.added, report.deleted) == (1, 1)
    assert [h.path for h in archive.search("harbour").hits] == ["corpus/2023/09/renamed.md"]


def test_a_manifest_without_digests_is_compared_row_by_row_once_then_by_folder(
    archive: Archive, add_articles, monkeypatch
):
    """An index written by an arch that kept no folder digests: the next update compares
    every row (as that arch did) and records the digests; the one after compares folders."""
    add_articles(article("Harbour wall holds", "The new flood wall held."))
    gen = archive.index.current_dir()
    with sqlite3.connect(gen / MANIFEST) as db:
        db.execute("DELETE FROM meta WHERE key = 'digests'")
    asked = rows_asked(monkeypatch)
    archive.update_index()
    archive.update_index()
    assert asked[0] == {".", "2023/", "2023/09/"} and asked[1] == set()


def full_count(archive: Archive) -> dict:
    """What the manifest's rows say when counted one by one (as an older arch did)."""
    from archive_search.manifest import _RANKED

    with sqlite3.connect(archive.index.current_dir() / MANIFEST) as db:
        return {kind: [(k, n) for k, n, _ in db.execute(sql + " ORDER BY 2 DESC, 3")]
                for kind, sql in _RANKED.items()}


def test_stats_counts_follow_edits_and_deletions_without_a_full_count(
    archive: Archive, add_articles
):
    """The counts table is adjusted by each save (the rows replaced or deleted taken away, the
    new ones added): after a source is edited and an article deleted, `arch stats` gives the
    counts a count of every row gives, and a source no article has any more is gone. Ties stay
    in the order their keys first came into the archive ("oil" before "gas", though the edited
    article's row is now the last)."""
    ids = add_articles(
        article("A", "Oil.", source="Wire", tags=["oil", "energy"], id="a"),
        article("B", "Gas.", source="Paper", tags=["gas", "energy"], lang="de", id="b"),
        article("C", "Coal.", source="Gazette", tags=["coal"], id="c"),
    )
    folder = archive.root / "corpus" / "2023" / "09"
    path = folder / f"{ids[0]}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("source: Wire", "source: Paper"),
                    encoding="utf-8")
    (folder / f"{ids[2]}.md").unlink()
    archive.update_index()
    stats = archive.stats(top=10)
    counted = full_count(archive)
    assert stats.sources == counted["source"] == [("Paper", 2)]
    assert stats.tags == [("energy", 2), ("oil", 1), ("gas", 1)]
    assert sorted(stats.tags) == sorted(counted["tag"])
    assert sorted(stats.languages) == sorted(counted["lang"])
    assert stats.articles == 2


def test_a_manifest_without_counts_is_counted_by_its_next_save(archive: Archive, add_articles):
    """An index whose manifest an older arch wrote (no counts table) is counted row by row
    until the next update, which fills the table once."""
    add_articles(article("A", "Oil.", source="Wire", tags=["oil"]))
    with sqlite3.connect(archive.index.current_dir() / MANIFEST) as db:
        db.execute("DROP TABLE counts")
        db.execute("DELETE FROM meta WHERE key = 'counted'")
    assert archive.stats().sources == [("Wire", 1)]
    add_articles(article("B", "Gas.", source="Wire", tags=["gas"]))
    with sqlite3.connect(archive.index.current_dir() / MANIFEST) as db:
        assert dict(db.execute("SELECT key, n FROM counts WHERE kind = 'source'")) == {"Wire": 2}
    assert archive.stats().sources == [("Wire", 2)]


def test_stats_finds_the_first_and_last_date_in_the_date_index_without_reading_every_row(
    archive: Archive, add_articles
):
    """`arch stats` looks the first and last date up in the manifest's date index (a cost that
    does not follow the archive), with an undated article left out of both."""
    add_articles(article("Harbour wall holds", "The new flood wall held.", date="2021-03-02"),
                 article("Ferry sails late", "The ferry left late.", date="2023-09-18T14:17:00"),
                 article("Pier closed", "The pier is closed.", date=None))
    manifest = archive.index.load_manifest()
    statements: list[str] = []
    manifest._db.set_trace_callback(statements.append)
    counts = manifest.counts(10)
    manifest._db.set_trace_callback(None)
    assert (counts["first"], counts["last"], counts["undated"]) == (
        "2021-03-02", "2023-09-18T14:17:00", 1)
    dated = [sql for sql in statements if "min(shown_date)" in sql or "max(shown_date)" in sql]
    assert dated
    for sql in dated:
        steps = [row[-1] for row in manifest._db.execute(f"EXPLAIN QUERY PLAN {sql}")]
        assert not any(step.startswith("SCAN files") for step in steps), steps
