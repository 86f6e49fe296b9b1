"""Every shape of input has a route in or a clear reason: one story per line, files that are
not articles (licences, host names, lists), symbolic links and pipes, binary data, formats
that do not exist. The fixtures are written here; no third-party text is copied."""

from __future__ import annotations

import gzip
import os
import random
import zipfile
from pathlib import Path

import pytest

from archive_search.errors import ArchiveError
from archive_search.importers import FORMATS, lines

WORDS = (
    *("harbour", "council", "minister", "storm", "railway", "budget", "election", "festival"),
    *("court", "bridge", "museum", "river", "tram", "ferry", "school", "hospital", "market"),
    *("said", "would", "after", "before", "the", "a", "on"),
)
LICENCE = (
    "Copyright (c) 2024 Example Maintainers\n\n"
    "Permission is hereby granted, free of charge, to any person obtaining a copy of this "
    "software, to deal in the Software without restriction.\n\n"
    'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED.\n'
)
STORY = "Harbour reopens\n\nShips sailed again on Monday after the storm had passed the bay.\n"


def stories(count: int, seed: int = 3) -> str:
    """``count`` made-up stories, one per line, four sentences each."""
    rng = random.Random(seed)

    def sentence() -> str:
        return " ".join(rng.choice(WORDS) for _ in range(14)).capitalize() + "."

    return "".join(" ".join(sentence() for _ in range(4)) + "\n" for _ in range(count))


def outcome(report, name: str):
    [found] = [o for o in report.outcomes if o.name.endswith(name)]
    return found


# -- one story per line -----------------------------------------------------------------------


def test_one_story_per_line_is_not_imported_as_one_giant_article(archive, tmp_path):
    corpus = tmp_path / "background.txt"
    corpus.write_text(stories(60))
    report = archive.import_paths([corpus])
    assert report.imported == 0
    assert "looks like one story per line" in outcome(report, "background.txt").reason
    assert "--format lines" in outcome(report, "background.txt").reason


def test_format_lines_imports_each_line_as_an_article(archive, tmp_path):
    corpus = tmp_path / "background.txt"
    text = stories(60)
    corpus.write_text(text + "\n\n")
    report = archive.import_paths([corpus], format="lines")
    assert report.imported == 60 and report.failed == []
    articles = sorted((a.origin["record"], a) for _, a in archive.articles())
    first_line = text.splitlines()[0]
    record, first = articles[0]
    assert record == 1 and first.body == first_line and first.date is None
    assert first.title == first_line.split(". ")[0] + "."
    assert report.grouped_warnings() == [f"{corpus}: no publication date found (60 records)"]


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("Storm closes the harbour. Ships wait outside.", "Storm closes the harbour."),
        ("Short. Then a second sentence follows here.",
         "Short. Then a second sentence follows here."),
        ("word " * 60, ("word " * 24).strip() + "\u2026"),
    ],
)  # fmt: skip
def test_a_line_is_titled_by_its_first_sentence_or_opening_words(line, title):
    assert lines.title_of(" ".join(line.split())) == title


def test_a_wrong_format_says_so_in_a_short_line(archive, tmp_path, run):
    corpus = tmp_path / "background.txt"
    corpus.write_text(stories(30))
    result = run("import", str(corpus), "--format", "csv")
    assert result.exit_code == 1
    [failed] = [line for line in result.output.splitlines() if line.startswith("arch: failed")]
    assert len(failed) < 300 + len(str(corpus)) and "\u2026" in failed


def test_a_format_that_does_not_exist_is_a_usage_error(archive, tmp_path, run):
    story = tmp_path / "story.txt"
    story.write_text(STORY)
    result = run("import", str(story), "--format", "xml")
    assert result.exit_code == 2 and "'xml' is not one of" in result.output
    assert all(name in result.output for name in FORMATS)
    with pytest.raises(ArchiveError, match="unknown format 'xml'"):
        archive.import_paths([story], format="xml")
    help_text = run("import", "--help").output
    assert all(name in help_text for name in FORMATS)


@pytest.mark.parametrize("fmt", [None, *FORMATS])
def test_a_binary_file_says_binary_data_whatever_the_format(archive, tmp_path, fmt):
    blob = tmp_path / "photo.jsonl"
    blob.write_bytes(bytes(range(256)) * 64)
    report = archive.import_paths([blob], format=fmt)
    assert report.failed == [f"{blob}: binary data, not text"]


# -- files that are not articles ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("terms.txt", LICENCE, "a licence text"),
        ("hostname", "myhost\n", "a single short line"),
        ("categories.txt", "acq\nalum\nbarley\ncocoa\ncoffee\n", "a list of short lines"),
        ("notes.md", LICENCE, "a licence text"),
    ],
)  # fmt: skip
def test_text_that_is_not_an_article_is_skipped_with_its_reason_everywhere(
    archive, tmp_path, name, text, reason
):
    """Named on the command line, found in a folder, inside a zip or gzipped: the same."""
    named = tmp_path / name
    named.write_text(text)
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / name).write_text(text)
    (folder / "story.txt").write_text(STORY)
    bundle = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        zf.writestr(name, text)
    packed = tmp_path / f"{name}.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    report = archive.import_paths([named, folder, bundle, packed])
    assert report.imported == 1 and report.failed == []
    skipped = [o for o in report.outcomes if o.status == "skipped"]
    assert len(skipped) == 4
    assert all(reason in o.reason for o in skipped)
    assert reason in report.summary()


def test_documentation_names_are_skipped_in_zip_files_as_in_folders(archive, tmp_path):
    bundle = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        zf.writestr("LICENSE", "Use it as you like; this text is not news at all, really.\n")
        zf.writestr("docs/README.md", "# About\n\nHow this dump was made.\n")
        zf.writestr("story.txt", STORY)
    report = archive.import_paths([bundle])
    assert report.imported == 1
    assert {Path(o.name).name: o.reason for o in report.outcomes if o.status == "skipped"} == {
        "bundle.zip:LICENSE": "not an article", "README.md": "not an article"}


def test_a_news_file_whose_name_merely_contains_notice_is_imported(archive, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "notice-of-strike.txt").write_text(STORY)
    report = archive.import_paths([folder])
    assert report.imported == 1


def test_a_feed_or_page_is_never_skipped_for_its_name_alone(archive, tmp_path):
    """Found by bench/import_realworld.py: feeds named ``feed_copyright_*.xml`` were skipped
    as documentation. A documentation name counts only for plain text; the rest is judged
    by its content."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "copyright-ruling.html").write_text(
        "<html><head><title>Court rules on copyright</title></head><body><article>"
        + "".join(f"<p>The court ruled on part {n} of the copyright case on Monday, ending "
                  f"one more round of a long dispute between the two publishers.</p>"
                  for n in range(5))
        + "</article></body></html>")
    (folder / "authors.json").write_text(
        '{"title": "Authors sue", "body": "A group of authors sued the publisher today."}')
    report = archive.import_paths([folder])
    assert report.imported == 2, report.outcomes


# -- links and special files ------------------------------------------------------------------


def test_links_that_leave_the_folder_are_skipped_unless_asked(archive, tmp_path):
    outside = tmp_path / "hostname-like.txt"
    outside.write_text("Ferry returns\n\nThe ferry runs again after the storm passed.\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "other.txt").write_text("Tram line opens\n\nThe new tram line opened today.\n")
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "story.txt").write_text(STORY)
    (folder / "inside-link.txt").symlink_to("story.txt")
    (folder / "outside-link.txt").symlink_to(outside)
    (folder / "folder-link").symlink_to(elsewhere)
    (folder / "z-last.txt").write_text("Museum reopens\n\nThe museum opened its doors again.\n")
    report = archive.import_paths([folder])
    by_name = {Path(o.name).name: o for o in report.outcomes}
    assert by_name["outside-link.txt"].status == "skipped"
    assert "symbolic link to a file outside the folder" in by_name["outside-link.txt"].reason
    assert "--follow-links" in by_name["outside-link.txt"].reason
    assert by_name["folder-link"].status == "skipped"
    assert {by_name["inside-link.txt"].status, by_name["story.txt"].status} == {
        "imported", "duplicate"}  # a link inside the folder is read
    assert by_name["z-last.txt"].status == "imported"
    followed = archive.import_paths([folder], follow_links=True)
    assert followed.imported == 2  # the file outside and the one in the linked folder


def test_a_named_pipe_in_a_folder_is_skipped_not_waited_on(archive, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")
    (folder / "story.txt").write_text(STORY)
    report = archive.import_paths([folder])
    assert report.imported == 1
    assert outcome(report, "pipe.txt").reason.startswith("not a regular file")


def test_a_pipe_named_on_the_command_line_is_read_once(archive, tmp_path, run):
    read_end, write_end = os.pipe()
    os.write(write_end, STORY.encode())
    os.close(write_end)
    try:
        report = archive.import_paths([f"/dev/fd/{read_end}"])
    finally:
        os.close(read_end)
    assert report.imported == 1
    assert not list(archive.index.root.glob("stdin-*"))


def test_a_folder_that_cannot_be_listed_is_a_failure_not_a_silence(
    archive, tmp_path, monkeypatch
):
    folder = tmp_path / "inbox"
    locked = folder / "locked"
    locked.mkdir(parents=True)
    (locked / "hidden-story.txt").write_text(STORY)
    (folder / "story.txt").write_text(STORY.replace("Harbour", "Ferry"))
    scandir = os.scandir

    def refusing(path=".", *args):  # noqa: ANN001, ANN202 - as a folder without read permission
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return scandir(path, *args)

    monkeypatch.setattr(os, "scandir", refusing)
    report = archive.import_paths([folder])
    assert report.imported == 1
    assert outcome(report, "locked").status == "failed"
    assert outcome(report, "locked").reason == "cannot read folder: Permission denied"
