"""Versions: a revised story becomes a new version of its article, a different story under a
taken id becomes an article of its own, and no text a user imports is ever lost.

The texts are written here for the tests: a desk's story and its update share most sentences;
an unrelated story shares none.
"""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive_search import Archive
from archive_search.article import Article, is_safe_id, story_overlap
from archive_search.check import check
from archive_search.errors import NotFound

FIRST = (
    "A strong earthquake struck the city on Friday morning, damaging several old buildings in "
    "the centre. Officials said two people were injured and roads to the airport were closed "
    "while engineers inspected the bridges over the river."
)
UPDATED = (
    "A strong earthquake struck the city on Friday morning, damaging several old buildings in "
    "the centre. Officials said five people were injured and roads to the airport were closed "
    "while engineers inspected the bridges over the river. The mayor asked residents to spend "
    "the night outdoors."
)
OTHER = (
    "Football fans celebrated late into the night after the home side won the cup final, with "
    "fireworks over the harbour and a parade planned for Sunday afternoon."
)
STORY = {"title": "Quake hits city", "date": "2024-03-01", "source": "Desk"}


def jsonl(path: Path, *bodies: str, **fields: str) -> Path:
    path.write_text(
        "".join(json.dumps({**STORY, **fields, "body": b}) + "\n" for b in bodies),
        encoding="utf-8",
    )
    return path


def ids_found(archive: Archive, query: str) -> list[str]:
    return [hit.id for hit in archive.search(query, limit=0).hits]


def only_id(archive: Archive) -> str:
    [article_id] = archive.index.load_manifest().ids()
    return article_id


# -- updates ------------------------------------------------------------------------------------


def test_an_edited_jsonl_record_becomes_version_2_and_version_1_is_kept(archive, tmp_path):
    archive.import_paths([jsonl(tmp_path / "a.jsonl", FIRST)])
    report = archive.import_paths([jsonl(tmp_path / "b.jsonl", UPDATED)])

    assert (report.imported, report.updated, report.duplicates) == (0, 1, 0)
    assert "imported 0, updated 1, duplicates 0, failed 0" in report.summary()
    article_id = only_id(archive)
    current, path = archive.get(article_id)
    assert current.body == UPDATED and current.extra["version"] == 2
    old, old_path = archive.get(article_id, 1)
    assert old.body == FIRST
    assert old_path == f"corpus/.versions/{article_id}/1.md"
    assert [(v.version, v.current) for v in archive.versions(article_id)] == [(1, False), (2, True)]
    assert ids_found(archive, "mayor") == [article_id]
    assert ids_found(archive, '"two people"') == []  # an old version is no search hit


def test_an_edited_csv_row_becomes_a_new_version(archive, tmp_path):
    def write(name: str, body: str) -> Path:
        path = tmp_path / name
        with open(path, "w", newline="", encoding="utf-8") as fh:
            out = csv.DictWriter(fh, ["title", "date", "source", "body"])
            out.writeheader()
            out.writerow({**STORY, "body": body})
        return path

    archive.import_paths([write("a.csv", FIRST)])
    report = archive.import_paths([write("b.csv", UPDATED)])

    assert (report.imported, report.updated) == (0, 1)
    article_id = only_id(archive)
    assert archive.get(article_id)[0].body == UPDATED
    assert archive.get(article_id, 1)[0].body == FIRST


def _page(body: str) -> bytes:
    paragraphs = "".join(f"<p>{sentence}.</p>" for sentence in body.split(". "))
    return (
        "<!DOCTYPE html><html lang='en'><head><title>Quake hits city</title>"
        "<link rel='canonical' href='https://desk.example/2024/03/01/quake'>"
        "<meta property='article:published_time' content='2024-03-01T09:00:00+01:00'>"
        f"</head><body><article><h1>Quake hits city</h1>{paragraphs}</article></body></html>"
    ).encode()


def test_a_saved_page_saved_again_after_an_edit_becomes_a_new_version(archive, tmp_path):
    page = tmp_path / "quake.html"
    page.write_bytes(_page(FIRST * 2))
    archive.import_paths([page])
    page.write_bytes(_page(UPDATED * 2))
    report = archive.import_paths([page])

    assert (report.imported, report.updated, report.failed) == (0, 1, [])
    article_id = only_id(archive)
    assert "mayor" in archive.get(article_id)[0].body
    assert "mayor" not in archive.get(article_id, 1)[0].body


def test_an_update_in_the_same_batch_leaves_one_search_hit(archive, tmp_path):
    report = archive.import_paths([jsonl(tmp_path / "a.jsonl", FIRST, UPDATED)])

    assert (report.imported, report.updated) == (1, 1)
    article_id = only_id(archive)
    assert ids_found(archive, "earthquake") == [article_id]
    assert ids_found(archive, "mayor") == [article_id]
    assert check(archive).ok


def test_importing_an_old_version_again_is_a_duplicate_and_keeps_the_new_one(archive, tmp_path):
    old = jsonl(tmp_path / "a.jsonl", FIRST)
    archive.import_paths([old])
    archive.import_paths([jsonl(tmp_path / "b.jsonl", UPDATED)])

    again = archive.import_paths([old])
    current = archive.import_paths([tmp_path / "b.jsonl"])

    assert (again.imported, again.updated, again.duplicates) == (0, 0, 1)
    assert (current.imported, current.updated, current.duplicates) == (0, 0, 1)
    article_id = only_id(archive)
    assert archive.get(article_id)[0].body == UPDATED
    assert [v.version for v in archive.versions(article_id)] == [1, 2]


def test_importing_the_same_input_again_keeps_a_hand_edit(archive, tmp_path):
    source = jsonl(tmp_path / "a.jsonl", FIRST)
    archive.import_paths([source])
    article_id = only_id(archive)
    path = archive.root / archive.get(article_id)[1]
    path.write_text(path.read_text().replace("two people", "three people"))
    archive.update_index()

    report = archive.import_paths([source])

    assert (report.imported, report.updated, report.duplicates) == (0, 0, 1)
    assert "three people" in archive.get(article_id)[0].body
    assert archive.versions(article_id)[0].current


def test_an_article_file_edited_outside_and_imported_again_becomes_a_new_version(
    archive, tmp_path
):
    archive.import_paths([jsonl(tmp_path / "a.jsonl", FIRST)])
    article_id = only_id(archive)
    edited = tmp_path / "edited.md"
    edited.write_text((archive.root / archive.get(article_id)[1]).read_text() + "\nA late line.\n")

    report = archive.import_paths([edited])

    assert report.updated == 1
    assert archive.get(article_id)[0].body.endswith("A late line.")
    assert archive.get(article_id, 1)[0].body == FIRST


def test_an_update_of_an_article_not_yet_indexed_keeps_the_old_text(archive, tmp_path):
    archive.import_paths([jsonl(tmp_path / "a.jsonl", FIRST)], index=False)
    report = archive.import_paths([jsonl(tmp_path / "b.jsonl", UPDATED)], index=False)

    assert (report.imported, report.updated) == (0, 1)
    archive.update_index()
    article_id = only_id(archive)
    assert [archive.get(article_id, n)[0].body for n in (1, 2)] == [FIRST, UPDATED]
    assert check(archive).ok


def test_a_new_archive_remembers_old_versions_across_processes_too(archive, tmp_path):
    """The fingerprints of old versions come from corpus/.versions/, not from memory."""
    archive.import_paths([jsonl(tmp_path / "a.jsonl", FIRST)])
    archive.import_paths([jsonl(tmp_path / "b.jsonl", UPDATED)])
    reopened = Archive.open(archive.root)
    assert reopened.import_paths([tmp_path / "a.jsonl"]).duplicates == 1


def test_three_versions_are_numbered_in_order(archive, tmp_path):
    third = UPDATED + " Schools stay closed on Monday."
    for n, body in enumerate([FIRST, UPDATED, third]):
        archive.import_paths([jsonl(tmp_path / f"{n}.jsonl", body)])
    article_id = only_id(archive)
    assert [v.version for v in archive.versions(article_id)] == [1, 2, 3]
    assert [archive.get(article_id, n)[0].body for n in (1, 2, 3)] == [FIRST, UPDATED, third]
    with pytest.raises(NotFound, match="has no version 4"):
        archive.get(article_id, 4)


def test_a_kill_between_keeping_the_old_text_and_writing_the_new_loses_nothing(
    archive, tmp_path, monkeypatch
):
    archive.import_paths([jsonl(tmp_path / "a.jsonl", FIRST)])
    article_id = only_id(archive)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(archive.corpus, "write", killed)
        with pytest.raises(KeyboardInterrupt):
            archive.import_paths([jsonl(tmp_path / "b.jsonl", UPDATED)])

    assert archive.get(article_id)[0].body == FIRST
    assert archive.get(article_id, 1)[0].body == FIRST  # kept before the current is replaced
    assert check(archive).ok  # the trace of an interrupted update is no damage
    report = archive.import_paths([tmp_path / "b.jsonl"])
    assert report.updated == 1
    assert [archive.get(article_id, n)[0].body for n in (1, 2)] == [FIRST, UPDATED]
    assert check(archive).ok


# -- different stories under one id -------------------------------------------------------------


def test_two_stories_sharing_title_date_and_source_are_two_searchable_articles(archive, tmp_path):
    archive.import_paths([jsonl(tmp_path / "a.jsonl", FIRST)])
    report = archive.import_paths([jsonl(tmp_path / "b.jsonl", OTHER)])

    assert (report.imported, report.updated, report.duplicates) == (1, 0, 0)
    [line] = report.warnings
    assert "already used by a different article" in line and "imported as" in line
    first_id = ids_found(archive, "earthquake")[0]
    assert ids_found(archive, "football") == [f"{first_id}-2"]
    assert archive.get(f"{first_id}-2")[0].body == OTHER
    assert check(archive).ok


def test_a_revision_of_the_second_story_updates_the_second_story(archive, tmp_path):
    archive.import_paths([jsonl(tmp_path / "a.jsonl", FIRST, OTHER)])
    revised = OTHER + " Police said the night passed peacefully."
    report = archive.import_paths([jsonl(tmp_path / "b.jsonl", revised)])

    assert (report.imported, report.updated) == (0, 1)
    second = ids_found(archive, "football")
    assert len(second) == 1 and second[0].endswith("-2")
    assert archive.get(second[0])[0].body == revised
    assert archive.get(second[0].removesuffix("-2"))[0].body == FIRST


@pytest.mark.parametrize(
    ("policy", "body", "outcome"),
    [("separate", UPDATED, (1, 0, 0)), ("version", OTHER, (0, 1, 0)), ("auto", UPDATED, (0, 1, 0)),
     ("keep-first", UPDATED, (0, 0, 1))],
)
def test_on_conflict_chooses_the_policy(archive, tmp_path, policy, body, outcome):
    archive.import_paths([jsonl(tmp_path / "a.jsonl", FIRST)])
    report = archive.import_paths([jsonl(tmp_path / "b.jsonl", body)], on_conflict=policy)
    assert (report.imported, report.updated, report.kept_first) == outcome
    assert report.duplicates == 0
    if policy == "keep-first":  # the one policy that leaves a text out says so
        assert "not imported 1 whose id was taken" in report.summary()
        assert "keep-first" in report.warnings[0]


def test_the_overlap_line_separates_revisions_from_other_stories():
    assert story_overlap(FIRST, UPDATED) >= 0.6
    flash = FIRST.split(". ")[0]
    assert story_overlap(FIRST, flash) == 1.0  # a flash, then the full story
    assert story_overlap(FIRST, OTHER) < 0.1
    assert story_overlap("", FIRST) == 0.0


def test_a_dry_run_plans_updates_and_separate_articles_and_writes_nothing(archive, tmp_path):
    archive.import_paths([jsonl(tmp_path / "a.jsonl", FIRST)])
    before = sorted(p for p in archive.corpus.root.rglob("*") if p.is_file())
    report = archive.import_paths([jsonl(tmp_path / "b.jsonl", UPDATED, OTHER)], dry_run=True)
    assert (report.imported, report.updated) == (1, 1)
    assert [p.action.split()[0] for p in report.planned] == ["update", "import"]
    assert sorted(p for p in archive.corpus.root.rglob("*") if p.is_file()) == before


# -- the index and arch check -------------------------------------------------------------------


def _three_versions(archive: Archive, tmp_path: Path) -> str:
    third = UPDATED + " Schools stay closed on Monday."
    for n, body in enumerate([FIRST, UPDATED, third]):
        archive.import_paths([jsonl(tmp_path / f"{n}.jsonl", body)])
    return only_id(archive)


def test_a_rebuild_and_a_repair_keep_old_versions_out_of_the_hits_and_on_disk(archive, tmp_path):
    article_id = _three_versions(archive, tmp_path)
    kept = sorted((archive.corpus.root / ".versions" / article_id).iterdir())

    archive.update_index(rebuild=True)
    report = check(archive, repair=True)

    assert report.ok and report.articles == 1 and report.indexed == 1
    assert ids_found(archive, "earthquake") == [article_id]
    assert ids_found(archive, '"two people"') == []
    assert sorted((archive.corpus.root / ".versions" / article_id).iterdir()) == kept


def test_check_reports_versions_without_their_article_and_gaps(archive, tmp_path):
    article_id = _three_versions(archive, tmp_path)
    folder = archive.corpus.root / ".versions" / article_id
    (folder / "1.md").unlink()
    shutil.copy(folder / "2.md", folder / "7.md")
    (folder / "notes.txt").write_text("mine")
    shutil.copy(folder / "2.md", folder / "\u00b2.md")

    (folder / ".tmp-99-3.md").write_text("half a file")  # left by a killed writer

    report = check(archive)
    assert {p.kind for p in report.problems} == {"version-gap", "version-number", "version-name"}
    assert report.temporaries == 1
    check(archive, repair=True)
    assert not (folder / ".tmp-99-3.md").exists()

    _, rel = archive.get(article_id)
    (archive.root / rel).unlink()
    report = check(archive, repair=True)
    assert "version-orphan" in {p.kind for p in report.problems}
    assert (folder / "2.md").exists() and (folder / "7.md").exists()  # never deleted


def test_arch_show_lists_and_prints_versions(archive, tmp_path, run):
    archive.import_paths([jsonl(tmp_path / "a.jsonl", FIRST)])
    result = run("import", str(jsonl(tmp_path / "b.jsonl", UPDATED)))
    assert "imported 0, updated 1, duplicates 0, failed 0" in result.stderr
    article_id = only_id(archive)

    listed = run("show", article_id, "--versions")
    lines = listed.stdout.splitlines()
    assert lines[0].split("\t")[:2] == ["version", "current"]
    assert [line.split("\t")[:2] for line in lines[1:]] == [["1", "False"], ["2", "True"]]
    assert FIRST in run("show", f"{article_id}@1").stdout
    assert UPDATED in run("show", f"{article_id}@2").stdout
    shown = run("show", article_id)
    assert UPDATED in shown.stdout and "--versions" in shown.stderr
    data = json.loads(run("show", article_id, "--versions", "--format", "json").stdout)
    assert [v["version"] for v in data] == [1, 2]
    assert run("show", f"{article_id}@5").exit_code == 1
    assert run("show", f"{article_id}@\u00b2").exit_code == 1  # a superscript two: no version
    assert run("show", "no-such-id", "--versions").exit_code == 1


def test_arch_import_says_where_a_different_story_went_and_takes_a_policy(archive, tmp_path, run):
    run("import", str(jsonl(tmp_path / "a.jsonl", FIRST)))
    other = run("import", str(jsonl(tmp_path / "b.jsonl", OTHER)))
    assert other.exit_code == 0
    assert "already used by a different article" in other.stderr and "-2'" in other.stderr
    assert "imported 1, updated 0, duplicates 0" in other.stderr
    forced = run("import", str(jsonl(tmp_path / "c.jsonl", UPDATED)), "--on-conflict", "separate")
    assert "imported 1, updated 0, duplicates 0" in forced.stderr
    assert len(archive.index.load_manifest().ids()) == 3


# -- ids ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["CON", "con", "Nul", "aux", "PRN", "COM1", "com9", "LPT1", "nul.txt", "CON.tar.gz",
             "aux.md", "com0"],
)
def test_windows_device_names_are_not_safe_ids(name):
    assert not is_safe_id(name)


@pytest.mark.parametrize("name", ["console", "nullify", "auxiliary", "com10", "com", "lpt"])
def test_names_that_merely_start_like_device_names_are_safe(name):
    assert is_safe_id(name)


def test_a_device_name_given_as_id_gets_a_portable_id_and_is_remembered(archive, tmp_path):
    report = archive.import_paths([jsonl(tmp_path / "a.jsonl", FIRST, id="CON")])
    assert report.imported == 1
    [article_id] = report.ids
    assert is_safe_id(article_id) and article_id.startswith("con-")
    assert archive.get(article_id)[0].origin["id"] == "CON"


def test_two_long_ids_differing_only_at_the_end_are_two_articles(archive, tmp_path):
    long_id = "urn:desk:" + "x" * 190
    path = tmp_path / "long.jsonl"
    path.write_text(
        json.dumps({**STORY, "id": long_id + "1", "body": FIRST}) + "\n"
        + json.dumps({**STORY, "id": long_id + "2", "body": UPDATED}) + "\n",
        encoding="utf-8",
    )
    report = archive.import_paths([path])

    assert (report.imported, report.updated, report.duplicates) == (2, 0, 0)
    assert len(set(report.ids)) == 2 and all(is_safe_id(i) for i in report.ids)
    assert {archive.get(i)[0].origin["id"] for i in report.ids} == {long_id + "1", long_id + "2"}


def test_a_long_id_is_stable_across_imports(tmp_path):
    given = "y" * 300
    first, second = Article("T", "B", id=given), Article("T", "B", id=given)
    assert first.ensure_id() == second.ensure_id()
    assert len(first.id) <= 120


def test_the_sample_corpus_ids_are_all_still_safe():
    corpus = Path(__file__).resolve().parents[1] / "corpus"
    stems = [p.name[:-3] for p in corpus.rglob("*.md") if ".versions" not in p.parts]
    assert stems and all(is_safe_id(s) for s in stems)


def test_updates_killed_with_sigkill_at_random_moments_lose_no_text(tmp_path):
    """Real processes, SIGKILL at seeded random moments while 120 articles are being updated;
    the import run once more must leave every article at version 2 with version 1 kept."""
    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join([str(repo), os.environ.get("PYTHONPATH", "")])}
    firsts = [f"Story {n} begins. {FIRST} Reported by desk {n}." for n in range(120)]
    for name, extra in (("a.jsonl", ""), ("b.jsonl", " Update one.")):
        (tmp_path / name).write_text("".join(
            json.dumps({**STORY, "title": f"Quake {n}", "body": body + extra}) + "\n"
            for n, body in enumerate(firsts)
        ))
    archive = Archive.init(tmp_path / "news")
    command = [sys.executable, "-m", "archive_search", "--archive", str(archive.root), "import"]
    # the kill moments follow this machine's speed: within the time the first import took
    # (an update does more work than an import, so they fall while it runs)
    started = time.perf_counter()
    subprocess.run([*command, str(tmp_path / "a.jsonl")], env=env, check=True,
                   capture_output=True, timeout=120)
    took = time.perf_counter() - started
    command.append(str(tmp_path / "b.jsonl"))
    rng = random.Random(int(os.environ.get("ARCH_KILL_SEED", "7")))
    kills = 0
    for _ in range(4):
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=rng.uniform(0.3, 0.9) * took)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    assert final.returncode == 0, final.stderr
    assert kills, "no import was killed: raise the delays"
    ids = archive.index.load_manifest().ids()
    assert len(ids) == 120
    for article_id in ids:
        assert [v.version for v in archive.versions(article_id)] == [1, 2]
        first, updated = archive.get(article_id, 1)[0].body, archive.get(article_id)[0].body
        assert updated == first + " Update one."
    assert check(archive).ok
    assert len(archive.search("Update", limit=0).hits) == 120


def test_a_page_that_is_mostly_its_sites_navigation_is_no_version_of_a_longer_page(archive,
                                                                                    tmp_path):
    """Found importing /usr/share/doc: two pages of one manual share a title and no url, and
    the short one (navigation and a line of its own) is contained in the long one. Contained
    is not enough: the shared text must be a real part of the longer page too, or the short
    page would hide as an old version of the other."""
    menu = " ".join(f"Menu item {n} of the manual" for n in range(12)) + ". "
    short = menu + "Questions and answers about installing the library."
    long = menu + " ".join(
        f"Section {n} explains how the parser handles case {n} in its own words."
        for n in range(40)
    )
    path = tmp_path / "pages.jsonl"
    path.write_text("".join(json.dumps({"title": "The library manual", "body": body}) + "\n"
                            for body in (long, short)))
    report = archive.import_paths([path])
    assert (report.imported, report.updated) == (2, 0)
    assert len(archive.search("library manual").hits) == 2


def test_a_flash_and_its_fuller_resend_are_one_story_revised(archive, tmp_path):
    first = "The harbour closed on Monday after the storm damaged the main pier, officials said."
    fuller = first + " Ferries were diverted to the north quay and repairs may take a week."
    path = tmp_path / "desk.jsonl"
    path.write_text("".join(json.dumps({"title": "Harbour closed", "body": body}) + "\n"
                            for body in (first, fuller)))
    report = archive.import_paths([path])
    assert (report.imported, report.updated) == (1, 1)
