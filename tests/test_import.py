"""Import through the archive: files written, duplicates counted, bad input reported."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pytest

from archive_search import Archive, articlefile

SEED_TITLE = (
    "In the Russian Far East, Kim Jong-un has increased his visits to the Kremlin’s "
    "military-industrial complex."
)


def only_article(archive: Archive):
    [(rel, article)] = list(archive.articles())
    return rel, article


def test_seed_page_imports_with_its_publication_date_site_and_see_also(archive, seed_file):
    report = archive.import_paths([seed_file])
    assert (report.imported, report.duplicates, report.failed) == (1, 0, [])
    rel, article = only_article(archive)
    assert rel.startswith("2023/09/")
    assert article.date == "2023-09-18T14:17:00"
    assert article.title == SEED_TITLE
    assert article.source == "Complete Canadian News World"
    assert article.see_also == [
        "Silvio Berlusconi is suffering from leukemia",
        "Israeli far-right ministers threaten to quit government",
    ]
    assert "See also" not in article.body
    assert article.body.startswith("After warm handshakes")
    assert article.origin["file"] == seed_file.name
    assert len(article.origin["sha256"]) == 64
    assert [h.id for h in archive.search("Vostokny").hits] == [article.id]


def test_reimport_adds_nothing(archive, seed_file):
    archive.import_paths([seed_file])
    again = archive.import_paths([seed_file])
    assert (again.imported, again.duplicates) == (0, 1)
    assert len(list(archive.articles())) == 1


def test_same_story_under_another_name_is_a_duplicate(archive, tmp_path):
    a = tmp_path / "a.jsonl"
    a.write_text(json.dumps({"title": "Rates held", "body": "The bank held rates.",
                             "url": "https://a.example/1"}) + "\n")
    b = tmp_path / "b.json"
    b.write_text(json.dumps({"headline": "RATES  HELD", "text": "The bank held  rates.",
                             "link": "https://b.example/other"}))
    report = archive.import_paths([a, b])
    assert (report.imported, report.duplicates) == (1, 1)


def test_own_article_files_round_trip_exactly(archive, seed_file, tmp_path):
    archive.import_paths([seed_file])
    rel, _ = only_article(archive)
    original = (archive.corpus.root / rel).read_text()
    other = Archive.init(tmp_path / "other")
    report = other.import_paths([archive.corpus.root])
    assert report.imported == 1
    [(rel2, _)] = list(other.articles())
    assert rel2 == rel
    assert (other.corpus.root / rel2).read_text() == original


def test_numeric_ids_are_qualified_so_two_exports_do_not_collide(archive, tmp_path):
    for name in ("desk-a", "desk-b"):
        (tmp_path / f"{name}.jsonl").write_text(
            json.dumps({"id": "1", "title": f"Story from {name}", "body": "Text."}) + "\n")
    report = archive.import_paths([tmp_path / "desk-a.jsonl", tmp_path / "desk-b.jsonl"])
    assert report.imported == 2
    assert sorted(report.ids) == ["desk-a-1", "desk-b-1"]


def test_same_id_with_different_content_is_not_silently_dropped(archive, tmp_path):
    first = tmp_path / "first.jsonl"
    first.write_text(json.dumps({"id": "nw-1", "title": "One", "body": "First text."}) + "\n")
    second = tmp_path / "second.jsonl"
    second.write_text(json.dumps({"id": "nw-1", "title": "Two", "body": "Other text."}) + "\n")
    archive.import_paths([first])
    report = archive.import_paths([second])
    assert (report.imported, report.duplicates, report.ids) == (1, 0, ["nw-1-2"])
    assert any("already used by a different article" in w for w in report.warnings)
    assert archive.get("nw-1")[0].title == "One" and archive.get("nw-1-2")[0].title == "Two"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n ", "empty file"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        ("broken.json", b'{"title": "x", ', "JSON"),
    ],
)
def test_bad_files_fail_with_one_line_and_the_batch_goes_on(archive, tmp_path, seed_file,
                                                            name, data, reason):
    bad = tmp_path / name
    bad.write_bytes(data)
    report = archive.import_paths([bad, seed_file])
    assert report.imported == 1
    [line] = report.failed
    assert line.startswith(str(bad)) and reason in line and "\n" not in line
    assert all(rel.endswith(".md") for rel in archive.corpus.scan())


def test_legacy_encodings_and_missing_dates_import_with_warnings(archive, tmp_path):
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Café owners protest\n\nThe café owners of Zürich met.".encode("latin-1"))
    utf8_bad = tmp_path / "bad-utf8.txt"
    utf8_bad.write_bytes(b"Headline here\n\nBody with a stray \xff byte.")
    report = archive.import_paths([latin, utf8_bad])
    assert report.imported == 2 and report.failed == []
    titles = {a.title for _, a in archive.articles()}
    assert "Café owners protest" in titles
    assert any("Windows-1252" in w for w in report.warnings)
    assert any("no publication date" in w for w in report.warnings)
    assert all(a.date is None for _, a in archive.articles())
    assert {Path(rel).parts[0] for rel in archive.corpus.scan()} == {"undated"}


def test_bad_records_fail_alone(archive, tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join([
        json.dumps({"title": "Good one", "body": "a"}),
        "{not json",
        json.dumps({"title": "Good two", "body": "b", "date": "blarg"}),
    ]) + "\n")
    report = archive.import_paths([feed])
    assert report.imported == 2
    [failure] = report.failed
    assert failure.startswith(f"{feed}:2: ")
    assert any(w.startswith(f"{feed}:3: ") and "blarg" in w for w in report.warnings)


def test_repeated_warnings_are_grouped(archive, tmp_path):
    rows = "\n".join(f"Story {i},Body {i}" for i in range(10))
    csv_file = tmp_path / "nodates.csv"
    csv_file.write_text("title,body\n" + rows + "\n")
    report = archive.import_paths([csv_file])
    assert report.imported == 10
    grouped = report.grouped_warnings()
    assert len(grouped) == 1 and "(10 records)" in grouped[0]


def test_gz_zip_folders_and_globs(archive, tmp_path, seed_file):
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "sub" / "seed.txt.gz").write_bytes(gzip.compress(seed_file.read_bytes()))
    with zipfile.ZipFile(inbox / "bundle.zip", "w") as zf:
        zf.writestr("a.jsonl", json.dumps({"title": "Zipped", "body": "inside a zip"}) + "\n")
        zf.writestr("notes.md", "# Skipped by the glob\n\ntext\n")
    (inbox / ".hidden.json").write_text("{}")
    report = archive.import_paths([inbox], exclude=("notes.md",))
    assert report.failed == []
    assert report.imported == 2
    titles = {a.title for _, a in archive.articles()}
    assert titles == {SEED_TITLE, "Zipped"}
    zipped = next(a for _, a in archive.articles() if a.title == "Zipped")
    assert zipped.origin["file"] == "bundle.zip" and zipped.origin["member"] == "a.jsonl"


def test_dry_run_changes_nothing(archive, seed_file):
    report = archive.import_paths([seed_file], dry_run=True)
    assert report.imported == 1
    [plan] = report.planned
    assert plan.action.startswith("import to corpus/2023/09/")
    assert archive.corpus.scan() == {}


def test_no_index_leaves_indexing_to_the_next_search(archive, seed_file):
    archive.import_paths([seed_file], index=False)
    assert len(archive.search("Vostochny").hits) == 1


def test_imported_file_parses_as_an_article_file(archive, seed_file):
    archive.import_paths([seed_file])
    rel, _ = only_article(archive)
    text = (archive.corpus.root / rel).read_text()
    assert articlefile.loads(text).title == SEED_TITLE


def test_documentation_in_a_folder_is_skipped_and_said(archive, tmp_path, seed_file):
    folder = tmp_path / "dump"
    folder.mkdir()
    (folder / "article.txt").write_bytes(seed_file.read_bytes())
    (folder / "README.txt").write_text("How this dump was made.\n\nIt was made by hand.\n")
    (folder / "data-LICENSE.txt").write_text("Permission is granted to use this.\n")
    (folder / "schema.dtd").write_text("<!ELEMENT a (b)>\n")
    report = archive.import_paths([folder])
    assert report.imported == 1 and report.failed == []
    assert sorted(Path(p).name for p in report.skipped) == [
        "README.txt", "data-LICENSE.txt", "schema.dtd"]
    assert "skipped 3: not an article (README.txt, data-LICENSE.txt, schema.dtd)" in (
        report.summary())
    named = archive.import_paths([folder / "README.txt"])
    assert named.imported == 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("\n".join(f"topic-{i}" for i in range(100)), "a list of short lines"),
        ("\n".join(f'fact("Country {i}", "Capital", ["City {i}"]).' for i in range(50)),
         "not sentences"),
    ],
)
def test_word_lists_and_data_files_are_not_articles(archive, tmp_path, text, reason):
    path = tmp_path / "list.txt"
    path.write_text(text)
    report = archive.import_paths([path])
    assert report.imported == 0 and report.failed == []
    [outcome] = report.outcomes  # skipped with one short reason, however long the file
    assert outcome.status == "skipped"
    assert "does not look like article text" in outcome.reason and reason in outcome.reason
    assert len(report.summary()) < 200


def test_every_input_is_accounted_for_once(archive, tmp_path, seed_file):
    """Each input gets exactly one outcome, and an input that yields nothing is said, not lost."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a.txt").write_bytes(seed_file.read_bytes())
    (folder / "b.txt").write_bytes(seed_file.read_bytes())  # the same story again
    (folder / "c.jsonl").write_text('{"title": "One", "body": "Text one."}\nnot json\n')
    (folder / "d.json").write_text("[]")  # valid, but no articles in it
    (folder / "e.jsonl").write_text("{broken\n")
    (folder / "README.md").write_text("How this was made.\n")
    report = archive.import_paths([folder, tmp_path / "missing.txt"])
    by_name = {Path(o.name).name: o for o in report.outcomes}
    assert report.inputs == len(report.outcomes) == 7
    assert {k: o.status for k, o in by_name.items()} == {
        "a.txt": "imported", "b.txt": "duplicate", "c.jsonl": "imported",
        "d.json": "skipped", "e.jsonl": "failed", "README.md": "skipped",
        "missing.txt": "failed",
    }
    assert by_name["c.jsonl"].failed == 1
    assert by_name["d.json"].reason == "no articles in it"
    assert sum(report.outcome_counts().values()) == report.inputs


def test_an_article_without_a_title_is_titled_by_its_opening_words(archive, tmp_path):
    """Found by tests/test_import_fuzz.py: text with no title was imported untitled, and
    `arch check` then reported the archive's own file as a problem."""
    path = tmp_path / "untitled.md"
    path.write_text("---\ndate: 2023-09-18\n---\n\n"
                    "The harbour reopened on Monday after the storm. More text.\n")
    report = archive.import_paths([path])
    assert report.imported == 1
    article, _ = archive.get(report.ids[0])
    assert article.title == "The harbour reopened on Monday after the storm."
    assert any("no title; titled by its opening words" in w for w in report.warnings)
    from archive_search.check import check

    assert check(archive).ok


@pytest.mark.parametrize("name, text", [
    ("a.jsonl", '{"title": "Harbour reopens", "body": "The harbour reopened on Monday."}\n'),
    ("b.csv", "title,body\nHarbour reopens,The harbour reopened on Monday.\n"),
    ("c.txt", "Harbour reopens\n\nThe harbour reopened on Monday after the storm.\n"),
])
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_text_in_utf16_or_utf32_without_a_byte_order_mark_is_read_as_such(
        archive, tmp_path, name, text, codec):
    path = tmp_path / name
    path.write_bytes(text.encode(codec))
    report = archive.import_paths([path])
    assert (report.imported, report.failed) == (1, []), report.failed
    article, _ = archive.get(report.ids[0])
    assert article.title == "Harbour reopens" and "\x00" not in article.body
