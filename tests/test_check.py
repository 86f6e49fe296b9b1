"""`arch check`: corpus files are verified, the index is compared with them, and --repair /
--fix-corpus put things right without ever deleting an article."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest
from conftest import article
from whoosh import index as whoosh_index

from archive_search import Archive, ArchiveLocked
from archive_search.check import check, format_report
from archive_search.index import IndexSession


def kinds(report) -> dict[str, str]:
    """``path -> kind`` of every problem (``None`` paths keyed by kind)."""
    return {p.path or p.kind: p.kind for p in report.problems}


def write_raw(archive: Archive, rel: str, data: bytes) -> Path:
    path = archive.corpus.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def three(add_articles) -> list[str]:
    return add_articles(
        article("Harbour wall holds", "The new flood wall held in the storm."),
        article("Rates unchanged", "The central bank kept rates unchanged.", date="2023-10-02"),
        article("Tram line opens", "The first trams ran on Sunday.", date=None),
    )


# -- healthy archives ----------------------------------------------------------------------------


def test_a_new_empty_archive_is_healthy(archive: Archive):
    report = check(archive)
    assert report.ok and report.exit_code == 0
    assert (report.articles, report.indexed) == (0, 0)


def test_a_healthy_archive_says_ok_in_text_and_json(archive: Archive, add_articles):
    three(add_articles)
    report = check(archive)
    assert report.ok, report.problems
    assert (report.articles, report.indexed) == (3, 3)
    assert format_report(report).splitlines()[-1] == "ok"
    data = json.loads(format_report(report, "json"))
    assert data["ok"] is True and data["problems"] == [] and data["articles"] == 3


def test_unknown_report_format_is_refused(archive: Archive):
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        format_report(check(archive), "xml")


# -- corpus problems -----------------------------------------------------------------------------

UNREADABLE = {
    "2023/09/no-front-matter.md": b"Just some text, no front matter.\n",
    "2023/09/bad-yaml.md": b"---\ntitle: [unclosed\n---\nbody\n",
    "2023/09/latin1.md": "---\ntitle: Caf\u00e9\n---\n".encode("latin-1"),
    "2023/09/python-tag.md": b"---\ntitle: !!python/object/apply:os.system ['true']\n---\nx\n",
    "2023/09/half-written.md": b"---\nid: half-written\ntitle: Cut off in the mid",
}


def test_unreadable_files_are_reported_and_left_alone_by_repair(archive: Archive, add_articles):
    three(add_articles)
    for rel, data in UNREADABLE.items():
        write_raw(archive, rel, data)

    report = check(archive, repair=True)

    assert not report.ok and report.exit_code == 1
    assert kinds(report) == {f"corpus/{rel}": "unreadable" for rel in UNREADABLE}
    for rel, data in UNREADABLE.items():
        assert (archive.corpus.root / rel).read_bytes() == data  # corpus/ untouched
    text = format_report(report)
    assert "corpus/2023/09/bad-yaml.md: cannot read: front matter is not valid YAML" in text
    assert "corpus/2023/09/latin1.md: cannot read: not UTF-8 text" in text
    assert "--fix-corpus" in text.splitlines()[-1]
    assert all("\n" not in p.message for p in report.problems)


def test_fix_corpus_moves_unreadable_files_to_quarantine_keeping_their_path(
    archive: Archive, add_articles
):
    three(add_articles)
    for rel, data in UNREADABLE.items():
        write_raw(archive, rel, data)
    earlier = write_raw(archive, ".quarantine/2023/09/bad-yaml.md", b"from an earlier check")

    report = check(archive, fix_corpus=True)

    assert report.ok, report.problems
    assert len(report.fixed) == len(UNREADABLE)
    quarantine = archive.corpus.root / ".quarantine"
    for rel, data in UNREADABLE.items():
        assert not (archive.corpus.root / rel).exists()
        name = "2023/09/bad-yaml.2.md" if rel == "2023/09/bad-yaml.md" else rel
        assert (quarantine / name).read_bytes() == data
    assert earlier.read_bytes() == b"from an earlier check"  # never replaced
    assert (
        "moved unreadable corpus/2023/09/bad-yaml.md to corpus/.quarantine/2023/09/bad-yaml.2.md"
        in report.repaired
    )
    assert check(archive).ok  # quarantined files are not articles any more


def test_front_matter_problems_are_reported_for_a_person_to_fix(archive: Archive, add_articles):
    three(add_articles)
    files = {
        "2023/09/untitled.md": b"---\nid: untitled\n---\nA body without a title.\n",
        "2023/09/odd-date.md": b"---\nid: odd-date\ntitle: Odd\ndate: last Tuesday\n---\nx\n",
        "2023/09/renamed.md": b"---\nid: original-name\ntitle: Renamed\n---\nx\n",
        "2023/09/unsafe.md": b"---\nid: ../../etc/passwd\ntitle: Unsafe\n---\nx\n",
    }
    for rel, data in files.items():
        write_raw(archive, rel, data)

    report = check(archive, repair=True, fix_corpus=True)

    assert kinds(report) == {
        "corpus/2023/09/untitled.md": "no-title",
        "corpus/2023/09/odd-date.md": "bad-date",
        "corpus/2023/09/renamed.md": "id-mismatch",
        "corpus/2023/09/unsafe.md": "bad-id",
    }
    for rel, data in files.items():
        assert (archive.corpus.root / rel).read_bytes() == data
    assert format_report(report).splitlines()[-1] == "4 problem(s); edit the files named above"


def test_every_file_sharing_an_id_is_named(archive: Archive, add_articles):
    three(add_articles)
    write_raw(archive, "2023/09/twin.md", b"---\ntitle: One\n---\nfirst\n")
    write_raw(archive, "2023/10/twin.md", b"---\ntitle: Two\n---\nsecond\n")

    report = check(archive, repair=True)

    assert kinds(report) == {
        "corpus/2023/09/twin.md": "duplicate-id",
        "corpus/2023/10/twin.md": "duplicate-id",
    }
    assert "also used by corpus/2023/10/twin.md" in str(report.problems[0])


# -- index problems ------------------------------------------------------------------------------


def test_missing_stale_and_orphaned_entries_are_found_and_repaired(archive: Archive, add_articles):
    wall, rates, tram = (
        article("Harbour wall holds", "The new flood wall held in the storm."),
        article("Rates unchanged", "The central bank kept rates unchanged.", date="2023-10-02"),
        article("Tram line opens", "The first trams ran on Sunday.", date=None),
    )
    add_articles(wall, rates, tram)
    [added] = add_articles(article("Bridge opens", "A new cycle bridge."), index=False)
    edited = archive.corpus.root / archive.corpus.relpath_for(rates)
    edited.write_text(edited.read_text().replace("unchanged.", "unchanged, to general relief."))
    (archive.corpus.root / archive.corpus.relpath_for(tram)).unlink()

    found = check(archive)
    assert sorted(p.kind for p in found.problems) == ["missing", "orphaned", "stale"]
    assert check(archive).problems == found.problems  # a check alone changes nothing

    repaired = check(archive, repair=True)

    assert repaired.ok, repaired.problems
    assert sorted(p.kind for p in repaired.fixed) == ["missing", "orphaned", "stale"]
    assert repaired.repaired[0].startswith("updated the index: 1 added, 1 changed, 1 deleted")
    assert [h.id for h in archive.search("relief").hits] == [rates.id]
    assert [h.id for h in archive.search("cycle bridge").hits] == [added]
    assert archive.search("trams").hits == []


def test_an_update_killed_between_index_commit_and_manifest_write_is_found_and_repaired(
    archive: Archive, add_articles
):
    three(add_articles)
    late = article("Late edition", "Printed after midnight.")
    late.ensure_id()
    rel = archive.corpus.write(late)
    session = IndexSession(archive.index, archive.index.current_dir(), bulk=False)
    session.add(rel, late)
    session.writer.commit()  # ... and the process dies before session.commit() writes the manifest

    report = check(archive)
    assert kinds(report) == {f"corpus/{rel}": "manifest"}
    assert "an index update was interrupted" in str(report.problems[0])

    repaired = check(archive, repair=True)
    assert repaired.ok, repaired.problems
    assert repaired.indexed == repaired.articles == 4  # re-indexed, not indexed twice


def index_bytes(archive: Archive) -> int:
    """The size of the live generation's Whoosh files."""
    gen = archive.index.current_dir()
    return sum(p.stat().st_size for p in gen.iterdir() if p.name.startswith(("MAIN_", "_MAIN")))


def test_repair_compacts_a_batch_indexed_twice_by_an_interrupted_update(archive: Archive):
    batch = [article(f"Report {i}", f"Council minutes, item {i}: harbour, trams and budget. "
                     * 20) for i in range(400)]
    archive.update_index()  # the empty index
    session = IndexSession(archive.index, archive.index.current_dir(), bulk=False)
    for a in batch:
        a.ensure_id()
        session.add(archive.corpus.write(a), a)
    session.writer.commit()  # ... and the process dies before the manifest is written
    normal = index_bytes(archive)

    repaired = check(archive, repair=True)
    assert repaired.ok, repaired.problems
    assert repaired.indexed == 400 and repaired.replaced == 0
    assert repaired.repaired[-1].startswith("compacted the index: dropped 400 replaced documents")
    assert index_bytes(archive) < 1.2 * normal  # an update alone leaves it twice the size
    assert check(archive).ok


def test_check_notes_room_wasted_by_replaced_documents(archive: Archive, add_articles):
    add_articles(*[article(f"Report {i}", "Council minutes.") for i in range(40)])
    for path in sorted(archive.corpus.root.rglob("*.md"))[:8]:
        path.write_text(path.read_text() + "\nAmended.\n")
    archive.update_index()
    report = check(archive)
    assert report.ok and report.replaced == 8 and report.bloated
    assert ("note: the index still stores 8 replaced or deleted documents (room wasted, "
            "harmless); --repair compacts it") in format_report(report)
    assert check(archive, repair=True).replaced == 0


def test_a_manifest_listing_documents_the_index_lacks_is_rebuilt(archive: Archive, add_articles):
    a, _, _ = three(add_articles)
    writer = whoosh_index.open_dir(str(archive.index.current_dir())).writer()
    writer.delete_by_term("id", a)
    writer.commit()

    report = check(archive)
    assert [p.kind for p in report.problems] == ["missing"]

    repaired = check(archive, repair=True)
    assert repaired.ok, repaired.problems
    assert repaired.repaired[-1].startswith("rebuilt the index: 3 added")
    assert [h.id for h in archive.search("flood wall").hits] == [a]


def test_a_damaged_index_is_reported_and_rebuilt(archive: Archive, add_articles):
    three(add_articles)
    gen = archive.index.current_dir()
    # a segment's term dictionary and postings (a compound .seg in archives written before
    # segments were kept as separate files)
    for segment in [*gen.glob("*.trm"), *gen.glob("*.pst"), *gen.glob("*.seg")]:
        segment.write_bytes(b"\0" * segment.stat().st_size)

    report = check(archive)
    assert [p.kind for p in report.problems] == ["index-unreadable"]
    assert report.problems[0].message.startswith("cannot read the index: ")

    repaired = check(archive, repair=True)
    assert repaired.ok, repaired.problems
    assert len(archive.search("storm").hits) == 1


def _old_schema(gen: Path) -> None:
    """Make the generation's manifest say an older schema built it."""
    with sqlite3.connect(gen / "manifest.sqlite") as db:
        db.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")


@pytest.mark.parametrize(
    ("damage", "kind"),
    [
        (lambda gen: (gen.parent / "CURRENT").unlink(), "no-index"),
        (lambda gen: (gen / "manifest.sqlite").write_bytes(b"SQLite format 3\0"),
         "index-unreadable"),
        (lambda gen: _old_schema(gen), "index-outdated"),
    ],
    ids=["current-missing", "manifest-truncated", "manifest-old-schema"],
)
def test_a_lost_pointer_or_manifest_means_a_rebuild(archive: Archive, add_articles, damage, kind):
    three(add_articles)
    damage(archive.index.current_dir())

    assert [p.kind for p in check(archive).problems] == [kind]
    repaired = check(archive, repair=True)
    assert repaired.ok, repaired.problems
    assert repaired.indexed == 3


def test_leftover_temporary_files_are_harmless_and_removed_by_repair(
    archive: Archive, add_articles
):
    three(add_articles)
    leftover = write_raw(archive, "2023/09/.tmp-4242-half.md", b"---\ntitle: Half")

    report = check(archive)
    assert report.ok and report.temporaries == 1
    assert "temporary file(s) left by an interrupted writer" in format_report(report)

    repaired = check(archive, repair=True)
    assert repaired.ok and repaired.temporaries == 0 and not leftover.exists()
    assert repaired.repaired == ["removed 1 leftover temporary file"]


# -- concurrency ---------------------------------------------------------------------------------


def test_check_does_not_run_beside_a_writer(archive: Archive):
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with archive.writing():
            holding.set()
            release.wait(5)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        holding.wait(5)
        with pytest.raises(ArchiveLocked, match=r"archive locked by PID \d+"):
            check(archive, wait=0.2)
    finally:
        release.set()
        thread.join()
    assert check(archive, wait=1).ok
