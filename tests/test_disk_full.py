"""A full disk (or a read-only folder, or a failing device) is one line and exit status 74.

No command prints a traceback for it, none exits with 70 (which means a bug in arch), and
nothing is left half-written: article files and export files are written whole or not at all,
and the index is committed whole or not at all, also when one of Whoosh's indexing processes
is the one that runs out of room. The disk is filled by simulation: writes made to fail with
the errno a full disk gives, /dev/full for standard output, and a file-size limit (the kernel's
own EFBIG) for the real worker processes.
"""

from __future__ import annotations

import errno
import io
import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, article
from whoosh.filedb.structfile import StructFile

from archive_search import Archive, export
from archive_search.check import check
from archive_search.search import run_search
from archive_search.store import TMP_PREFIX, Corpus

NO_ROOM = "No space left on device"


def no_room(*args, **kwargs):
    raise OSError(errno.ENOSPC, NO_ROOM)


def fill_disk_after(monkeypatch, writes: int) -> None:
    """Every file write after the first ``writes`` fails as on a full disk."""
    real = Path.write_bytes
    done = [0]

    def write_bytes(self, data):
        done[0] += 1
        if done[0] > writes:
            no_room()
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    fail_export_writes(monkeypatch, no_room)


def fail_export_writes(monkeypatch, fail) -> None:
    """Every write to a file an export streams into (:mod:`archive_search.export`) calls
    ``fail``, which raises."""

    class Failing(io.FileIO):
        def write(self, data):
            fail()

    monkeypatch.setattr(export, "open", lambda path, mode="r": Failing(path, "w"), raising=False)


def one_error_line(result) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("arch: error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(f"{TMP_PREFIX}*")]


def write_batch(path: Path, n: int, words: int = 20, unique: bool = False) -> Path:
    """``n`` articles as JSON Lines; ``unique``: each word once in the whole batch, which makes
    the index (a term list) several times the size of the batch."""
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            body = " ".join(["harbour", "council", "storm", "ferry"] * (words // 4))
            if unique:
                body = "harbour " + " ".join(f"w{i}x{k}" for k in range(words))
            out.write(json.dumps({"id": f"b-{i}", "title": f"Harbour report {i}",
                                  "date": "2023-09-18", "body": f"{body} marker{i}"}) + "\n")
    return path


def test_a_full_disk_stops_an_import_in_one_line_and_keeps_what_was_written(
        run, archive: Archive, tmp_path: Path, monkeypatch):
    batch = write_batch(tmp_path / "batch.jsonl", 5)
    run("index")  # the index exists; the import writes article files, then indexes them
    fill_disk_after(monkeypatch, 2)
    result = run("import", str(batch))
    assert result.exit_code == 74
    line = one_error_line(result)
    assert line.startswith(f"arch: error: disk full: cannot write {archive.root / 'corpus'}")
    assert f": {NO_ROOM} (import stopped;" in line
    assert temporaries(archive.root) == []
    assert 0 < len(archive.corpus.scan()) < 5  # those written before: whole, readable
    assert all(archive.corpus.read(rel).title for rel in archive.corpus.scan())

    monkeypatch.undo()  # room again: the same import adds the rest
    result = run("import", str(batch))
    assert result.exit_code == 0, result.output
    report = check(archive)
    assert report.ok and report.articles == report.indexed == 5, report.problems


def test_a_full_disk_while_indexing_leaves_the_index_as_it_was(
        run, archive: Archive, add_articles, monkeypatch):
    add_articles(article("Harbour wall holds", "The harbour wall held.", id="old-1"))
    live = archive.index.current_dir()
    add_articles(article("Harbour ferry sails", "The harbour ferry sailed.", id="new-1"),
                 index=False)
    monkeypatch.setattr(StructFile, "write", no_room)  # every write of Whoosh's
    for args in (("index",), ("index", "--rebuild"), ("search", "harbour")):
        result = run(*args)
        assert result.exit_code == 74, (args, result.output)
        line = one_error_line(result)
        assert line.startswith("arch: error: disk full: cannot update the index in "), line
        assert line.endswith(NO_ROOM)
    assert archive.index.current_dir() == live
    assert [h.id for h in run_search(archive, "harbour").hits] == ["old-1"]  # as before

    monkeypatch.undo()
    assert sorted(h.id for h in archive.search("harbour").hits) == ["new-1", "old-1"]
    assert check(archive, repair=True).ok


def test_an_export_to_a_full_disk_leaves_the_old_file_whole(run, add_articles, tmp_path: Path,
                                                            monkeypatch):
    add_articles(article("Harbour wall holds", "The harbour wall held."))
    target = tmp_path / "out" / "hits.csv"
    target.parent.mkdir()
    target.write_text("the old export\n", encoding="utf-8")
    fill_disk_after(monkeypatch, 0)
    result = run("export", "harbour", "-o", str(target))
    assert result.exit_code == 74
    assert one_error_line(result) == (
        f"arch: error: disk full: cannot write {target}: {NO_ROOM}")
    assert target.read_text(encoding="utf-8") == "the old export\n"
    assert list(target.parent.iterdir()) == [target]


@pytest.mark.parametrize("number", [errno.EACCES, errno.EROFS, errno.EIO])
def test_any_other_error_of_the_file_system_is_one_line_and_74_too(
        run, archive: Archive, add_articles, tmp_path: Path, monkeypatch, number):
    [known] = add_articles(article("Harbour wall holds", "The harbour wall held."))
    batch = write_batch(tmp_path / "batch.jsonl", 2)
    reason = os.strerror(number)

    def fail(*args, **kwargs):
        raise OSError(number, reason)

    def fail_reading(self, rel):
        raise OSError(number, reason, str(self.root / rel))

    monkeypatch.setattr(Path, "write_bytes", fail)
    fail_export_writes(monkeypatch, fail)
    for args in (("import", str(batch)), ("export", "-o", str(tmp_path / "x.json"))):
        result = run(*args)
        assert result.exit_code == 74, (args, result.output)
        assert one_error_line(result).startswith("arch: error: cannot write "), result.stderr
        assert result.stderr.rstrip().endswith(reason) or "(import stopped" in result.stderr
    monkeypatch.undo()
    monkeypatch.setattr(StructFile, "write", fail)
    result = run("index", "--rebuild")
    assert result.exit_code == 74
    line = one_error_line(result)
    assert line.startswith(f"arch: error: cannot update the index in {archive.root / 'index'}")
    assert line.endswith(reason)
    monkeypatch.undo()
    monkeypatch.setattr(Corpus, "read", fail_reading)
    result = run("show", known)
    assert result.exit_code == 74
    assert one_error_line(result).endswith(f"{known}.md: {reason}")


# -- separate processes: standard output on a full device, Whoosh's worker processes --------------

def arch(root: Path, *args: str, stdout=subprocess.PIPE, code: str = "",
         limit: int | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run ``arch --archive ROOT ARGS`` in a process of its own, after ``code`` (to make its
    writes fail), under a limit on the size of the files it writes (``limit`` bytes)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO),
                                                        os.environ.get("PYTHONPATH", "")])}

    def limited() -> None:  # a write past the limit then fails with EFBIG, as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-c", f"{code}\nfrom archive_search.cli import main\nmain()",
         "--archive", str(root), *args],
        stdout=stdout, stderr=subprocess.PIPE, env=env, cwd=REPO, timeout=120,
        preexec_fn=limited if limit else None,
    )


def test_standard_output_on_a_full_device_is_one_line(add_articles, archive: Archive):
    if not os.path.exists("/dev/full"):
        pytest.skip("needs /dev/full (Linux)")
    [known] = add_articles(article("Harbour wall holds", "The harbour wall held. " * 50))
    for args in (("search", "harbour"), ("export", "--format", "json"), ("show", known),
                 ("stats",), ("names",)):
        with open("/dev/full", "w") as full:
            result = arch(archive.root, *args, stdout=full)
        assert (result.returncode, result.stderr.decode()) == (
            74, f"arch: error: disk full: cannot write standard output: {NO_ROOM}\n"), args


#: Index with worker processes whatever the size of the input (normally above 1 MB).
BULK = "import archive_search.archive as a\na._total_bytes = lambda names: 1 << 30\n"


def bulk_archive(tmp_path: Path, n: int = 300, memory_mb: int = 256,
                 unique: bool = False) -> tuple[Path, Path]:
    """An archive that indexes with two processes, and a batch for them (with ``BULK``)."""
    root = tmp_path / "news"
    Archive.init(root)
    (root / "archive.yaml").write_text(f"index:\n  procs: 2\n  memory_mb: {memory_mb}\n",
                                       encoding="utf-8")
    return root, write_batch(tmp_path / "big.jsonl", n, words=200, unique=unique)


WORKER_FAILS = {
    "while indexing": "import errno, archive_search.mpwriter as m\n"
                      "def fail(*a): raise OSError(errno.ENOSPC, 'No space left on device')\n"
                      "m._Worker._process_file = fail",
    "when finishing": "import errno, os, whoosh.writing as w\n"
                      "parent, finish = os.getpid(), w.SegmentWriter._finalize_segment\n"
                      "def fail(self):\n"
                      "    if os.getpid() != parent:\n"
                      "        raise OSError(errno.ENOSPC, 'No space left on device')\n"
                      "    return finish(self)\n"
                      "w.SegmentWriter._finalize_segment = fail",
}


@pytest.mark.parametrize("moment", WORKER_FAILS)
def test_an_indexing_process_that_runs_out_of_room_fails_the_import_in_one_line(
        tmp_path: Path, moment: str):
    root, batch = bulk_archive(tmp_path)
    result = arch(root, "import", str(batch), code=BULK + WORKER_FAILS[moment])
    stderr = result.stderr.decode()
    assert result.returncode == 74, stderr
    assert stderr.startswith(
        f"arch: error: disk full: cannot update the index in {root / 'index' / 'gen-1'}: "
        f"{NO_ROOM} (import stopped;"), stderr
    assert len(stderr.splitlines()) == 1, stderr  # no worker's traceback
    arc = Archive.open(root)
    assert run_search(arc, "harbour", limit=1).total == 0  # nothing committed without its part
    written = len(arc.corpus.scan())
    assert check(arc, repair=True).ok
    assert arc.search("harbour", limit=0).total == written
    report = arc.import_paths([batch])  # room again: the same import adds the rest
    assert (report.imported, report.duplicates) == (300 - written, written)
    assert arc.search("harbour", limit=0).total == 300


def test_a_real_file_size_limit_in_the_indexing_processes_is_one_line(tmp_path: Path):
    """The kernel's own error (EFBIG past RLIMIT_FSIZE) where Whoosh's workers write their
    segments: the article files and the writer's job files (at most 160 kB) fit under the
    limit, a worker's term list and postings do not."""
    root, batch = bulk_archive(tmp_path, memory_mb=1, unique=True)  # 0.5 MB, 60,000 words
    result = arch(root, "import", str(batch), code=BULK, limit=300_000)
    stderr = result.stderr.decode()
    assert result.returncode == 74, stderr
    assert len(stderr.splitlines()) == 1 and "Traceback" not in stderr, stderr
    assert f"cannot update the index in {root / 'index' / 'gen-1'}: File too large" in stderr
    arc = Archive.open(root)
    assert temporaries(root / "corpus") == []
    assert run_search(arc, "harbour", limit=1).total == 0  # nothing committed without its part
    assert not [p for p in check(arc).problems if p.in_corpus]  # every article file whole
