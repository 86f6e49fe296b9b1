"""The index follows corpus/: added, edited and deleted files, rebuilds, and first use."""

from __future__ import annotations

import os

from conftest import article

from archive_search import Archive


def ids(result) -> list[str]:
    return [h.id for h in result.hits]


def test_search_builds_the_index_on_first_use(archive: Archive, add_articles):
    [a] = add_articles(article("Harbour wall holds", "The new flood wall held."), index=False)
    assert not archive.index.exists()
    assert ids(archive.search("flood")) == [a]
    assert archive.index.exists()


def test_added_edited_and_deleted_files_are_picked_up(archive: Archive, add_articles):
    [a, b] = add_articles(
        article("Harbour wall holds", "The new flood wall held in the storm."),
        article("Rates unchanged", "The central bank kept rates unchanged."),
    )
    assert ids(archive.search("storm")) == [a]

    # edit b by hand: the change is found by `arch index`
    path = archive.corpus.root / archive.index.load_manifest().ids()[b]
    text = path.read_text().replace("unchanged.", "unchanged despite the storm.")
    path.write_text(text)
    os.utime(path, ns=(1, 1))  # a different mtime even on coarse clocks
    report = archive.update_index()
    assert (report.added, report.changed, report.deleted) == (0, 1, 0)
    assert sorted(ids(archive.search("storm"))) == sorted([a, b])

    # delete a, add c
    (archive.corpus.root / archive.index.load_manifest().ids()[a]).unlink()
    [c] = add_articles(article("Storm season", "Another storm is due."), index=False)
    report = archive.update_index()
    assert (report.added, report.deleted) == (1, 1)
    assert sorted(ids(archive.search("storm"))) == sorted([b, c])


def test_nothing_changed_means_nothing_done(archive: Archive, add_articles):
    add_articles(article("One", "alpha"), article("Two", "beta"))
    gen = archive.index.current_dir()
    written = {p.name: p.stat().st_mtime_ns for p in gen.glob("*.json")}
    report = archive.update_index()
    assert (report.added, report.changed, report.deleted, report.unchanged) == (0, 0, 0, 2)
    assert {p.name: p.stat().st_mtime_ns for p in gen.glob("*.json")} == written


def test_a_folder_time_that_moved_alone_keeps_the_name_catalogue(
    archive: Archive, add_articles, monkeypatch
):
    """A file that came and went (an editor's backup) moves its folder's time: the update
    records it, so searches stop checking the corpus, but the articles are the same, and the
    name catalogue (seconds to build on a large archive) stays valid."""
    from archive_search.names import NameCatalog

    add_articles(article("Kim Jong-un in Vladivostok", "Kim Jong-un met Vladimir Putin."))
    assert archive.index.name_catalog() is not None  # built and cached
    folder = next(p.parent for p in archive.corpus.root.rglob("*.md"))
    (folder / "notes.md~").write_text("backup")
    (folder / "notes.md~").unlink()
    os.utime(folder, ns=(1, 1))
    assert archive.index.is_stale()
    report = archive.update_index()
    assert (report.added, report.changed, report.deleted) == (0, 0, 0)
    assert not archive.index.is_stale()

    def no_rebuild(*args, **kwargs):
        raise AssertionError("the name catalogue was built again")

    monkeypatch.setattr(NameCatalog, "build", no_rebuild)
    assert archive.index.name_catalog() is not None


def test_rebuild_swaps_in_a_new_generation(archive: Archive, add_articles):
    [a] = add_articles(article("Harbour wall holds", "flood"))
    old = archive.index.current_dir()
    report = archive.update_index(rebuild=True)
    assert report.rebuilt and report.added == 1
    assert archive.index.current_dir() != old
    assert old.exists()  # kept for readers that found it a moment ago; the next rebuild removes it
    assert ids(archive.search("flood")) == [a]


def test_an_unfinished_rebuild_leaves_the_old_index_answering(archive: Archive, add_articles):
    [a] = add_articles(article("Harbour wall holds", "flood"))
    live = archive.index.current_dir()
    # a rebuild killed midway leaves a half-filled generation that CURRENT does not name
    half = archive.index.root / "gen-99"
    half.mkdir()
    (half / "junk").write_text("partial")
    assert archive.index.current_dir() == live
    assert ids(archive.search("flood")) == [a]
    archive.update_index(rebuild=True)
    assert not half.exists()


def test_unreadable_and_duplicate_id_files_are_reported_not_fatal(archive: Archive, add_articles):
    [a] = add_articles(article("Harbour wall holds", "flood"))
    bad = archive.corpus.root / "2023" / "09" / "broken.md"
    bad.write_text("not an article file")
    twin = archive.corpus.root / "2023" / "09" / "twin.md"
    twin.write_text(f"---\nid: {a}\ntitle: Same id\n---\nflood too\n")
    report = archive.update_index()
    assert any("broken.md: cannot read: no front matter" in p for p in report.problems)
    assert any("twin.md: id" in p and "already used" in p for p in report.problems)
    assert ids(archive.search("flood")) == [a]


def test_leftover_temporary_files_are_ignored_and_cleaned(archive: Archive, add_articles):
    add_articles(article("One", "alpha"))
    leftover = archive.corpus.root / "2023" / "09" / ".tmp-123-one.md"
    leftover.write_text("half an artic")
    assert all(".tmp-" not in rel for rel in archive.corpus.scan())
    archive.update_index()
    assert not leftover.exists()


def test_leftovers_are_cleaned_by_the_update_that_surveys_the_corpus_and_leave_it_current(
    archive: Archive, add_articles
):
    """A killed writer's temporaries in an article folder and in an article's versions folder
    are removed by the same walk that surveys the corpus (Corpus.survey with ``clean``); the
    folder's time is read after the removal, so the index is current afterwards and the next
    update finds nothing to compare."""
    [a] = add_articles(article("One", "alpha"))
    leftovers = [archive.corpus.root / "2023" / "09" / ".tmp-123-one.md",
                 archive.corpus.root / ".versions" / a / ".tmp-123-1.md"]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("half an artic")
    report = archive.update_index()
    assert not any(path.exists() for path in leftovers)
    assert (report.added, report.changed, report.deleted, report.unchanged) == (0, 0, 0, 1)
    assert not archive.index.is_stale()
    assert archive.stats().index_up_to_date


def test_an_update_with_nothing_changed_lists_each_folder_once(
    archive: Archive, add_articles, monkeypatch
):
    """`arch index` with nothing changed is mostly one walk of corpus/: each folder is listed
    once, for the survey and the clean-up of temporaries together, not once for each."""
    add_articles(article("One", "alpha"), article("Two", "beta", date="2021-03-02"),
                 article("Three", "gamma", date=None))
    listed: list[object] = []
    for name in ("listdir", "scandir"):
        original = getattr(os, name)

        def spy(path=".", original=original):
            found = original(path)
            listed.append(path)
            return found

        monkeypatch.setattr(os, name, spy)
    archive.update_index()
    folders = ["corpus", "2023", "2023/09", "2021", "2021/03", "undated"]
    assert len(listed) == len(folders)


def test_the_survey_counts_the_files_a_scan_finds_folder_by_folder(archive: Archive):
    """Corpus.survey (count and digest per folder) agrees with Corpus.scan (every article
    file) in a corpus with things that are not article files beside them: hidden files,
    links, other files, a folder named like an article, folders below a month folder, the
    quarantine and versions folders."""
    from archive_search.store import folder_of, stamp_digest

    root = archive.corpus.root
    for rel in ("2023/09/a.md", "2023/09/b.md", "2023/09/odd.md/c.md", "2023/09/deeper/d.md",
                "2023/e.md", "f.md", "undated/g.md", ".quarantine/h.md", ".versions/a/1.md",
                "2023/09/.hidden.md", "2023/09/.tmp-1-a.md", "2023/09/notes.txt"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"text of {rel}\n" * len(rel))
    os.symlink(root / "2023" / "09" / "a.md", root / "2023" / "09" / "link.md")
    os.symlink(root / "undated", root / "2023" / "linked")
    survey = archive.corpus.survey()
    by_folder: dict[str, list[tuple[int, int]]] = {}
    for rel, stamp in archive.corpus.scan().items():
        by_folder.setdefault(folder_of(rel), []).append(stamp)
    assert sorted(by_folder) == [".", "2023/", "2023/09/", "2023/09/deeper/", "2023/09/odd.md/",
                                 "undated/"]
    assert {folder: (count, digest) for folder, (_, count, digest) in survey.items()} == {
        folder: stamp_digest(by_folder.get(folder, [])) for folder in survey}
    assert set(survey) == set(by_folder)
    assert survey["2023/09/"][0] == os.stat(root / "2023" / "09").st_mtime_ns


def test_segments_are_kept_as_separate_files(archive: Archive, add_articles):
    # Whoosh copies a compound segment into memory when it opens it; separate files are read
    # only where a search looks, which keeps a one-off search process fast on a large archive
    add_articles(article("Flood wall", "The wall held."))
    archive.update_index(rebuild=True)
    add_articles(article("Storm", "The storm passed."))
    gen = archive.index.current_dir()
    assert list(gen.glob("*.trm")) and not list(gen.glob("*.seg"))


def test_index_files_are_read_through_memory_maps(tmp_path):
    from archive_search.mapped import MappedFile, MappedStorage

    (tmp_path / "data").write_bytes(b"0123456789")
    (tmp_path / "empty").write_bytes(b"")
    storage = MappedStorage(str(tmp_path))
    mapped = storage.open_file("data")
    assert isinstance(mapped, MappedFile)
    assert mapped.get(2, 3) == b"234" and mapped.get_byte(9) == ord("9")
    mapped.seek(8)
    assert mapped.read(5) == b"89"
    mapped.close()
    empty = storage.open_file("empty")  # an empty file cannot be mapped: opened plainly
    assert empty.read() == b""
    empty.close()


def test_an_index_written_with_compressed_postings_takes_uncompressed_ones_beside_it(
    archive: Archive, add_articles
):
    """Segments written with Whoosh's default codec (every postings block compressed) keep
    working beside ours (blocks compressed by size, index.PostingsCodec): a search reads both."""
    from whoosh import index as whoosh_index

    from archive_search.index import article_document

    old = add_articles(*(article(f"Flood wall {i}", "The harbour wall held in the storm.")
                         for i in range(40)))
    # what an earlier version wrote: the same documents, Whoosh's default (zlib) codec
    writer = whoosh_index.open_dir(str(archive.index.current_dir())).writer()
    for rel in archive.index.load_manifest().files:
        writer.update_document(**article_document(archive.corpus.read(rel), rel))
    writer.commit(optimize=True)
    [new] = add_articles(article("Storm surge", "The storm surge passed the harbour."))
    codecs = sorted(type(s.codec()).__name__ for s in archive.index.open()._segments())
    assert codecs == ["PostingsCodec", "W3Codec"]
    assert sorted(ids(archive.search("harbour storm", limit=100))) == sorted([*old, new])


def test_articles_imported_one_at_a_time_share_one_small_segment(archive: Archive, add_articles):
    """Every segment costs a search a few milliseconds to open; five one-article updates leave
    one small segment beside the first, not five."""
    first = add_articles(*(article(f"Report {i}", f"Harbour report number {i}.")
                           for i in range(40)))
    later = [add_articles(article(f"Storm {i}", f"Harbour storm number {i}."))[0]
             for i in range(5)]
    segments = archive.index.open()._segments()
    assert sorted(s.doc_count_all() for s in segments) == [5, 40]
    assert sorted(ids(archive.search("harbour", limit=100))) == sorted(first + later)


def test_a_search_whose_index_file_vanished_under_a_commit_reads_again(
    archive: Archive, add_articles, monkeypatch
):
    """Whoosh opens some segment files only when a search needs them; a commit that merged that
    segment away in between must not fail the search."""
    from archive_search.mapped import MappedStorage

    [a] = add_articles(article("Flood wall", "The harbour wall held."))
    opened = MappedStorage.open_file
    failures = []

    def vanished_once(self, name, **kwargs):
        if not failures:
            failures.append(name)
            raise FileNotFoundError(2, "No such file or directory", name)
        return opened(self, name, **kwargs)

    monkeypatch.setattr(MappedStorage, "open_file", vanished_once)
    assert ids(archive.search("harbour")) == [a]
    assert failures


def test_the_classes_an_index_names_are_found_by_name():
    """An index stores its lower-casing filter (in the pickled schema) and its postings codec
    (in each segment's table of contents) by name: both must be found in ``index`` when it is
    opened by a new process. (Two module ``__getattr__`` once shadowed each other.)"""
    import pickle

    from archive_search import index

    for name in ("InitialismLowercase", "PostingsCodec"):
        found = getattr(index, name)
        assert found.__module__ == "archive_search.index" and found.__qualname__ == name
        assert pickle.loads(pickle.dumps(found)) is found
