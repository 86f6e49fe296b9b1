"""Readers never wait and never fail: a search, `show`, `names` or `related` answers at once from
the last committed index, catches up itself only with a small change and only when nobody is
writing, never makes a writer fail, and works on an archive it cannot write to."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import article
from test_concurrency import ENV, REPO

from archive_search import Archive, ArchiveLocked
from archive_search import archive as archive_mod
from archive_search import lock as lock_mod
from archive_search.cli import cli

HOLD = """
import sys, time
from collections.abc import Iterator
from pathlib import Path
from archive_search.lock import write_lock
with write_lock(Path(sys.argv[1]) / "index" / "write.lock", reader=sys.argv[2] == "reader"):
    time.sleep(float(sys.argv[3]))
"""


@pytest.fixture
def holders() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes started by :func:`hold_lock`, killed when the test ends."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def hold_lock(holders: list, root: Path, kind: str, seconds: float) -> subprocess.Popen[bytes]:
    """A process holding the archive's lock as a ``writer`` or a ``reader`` (a search catching
    up) for ``seconds``; returns once it holds it."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(root), kind, str(seconds)],
                            env=ENV, cwd=REPO)
    holders.append(proc)
    lock = root / "index" / "write.lock"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        words = lock.read_text().split() if lock.exists() else []
        if words[:1] == [str(proc.pid)]:
            return proc
        time.sleep(0.02)
    pytest.fail("the helper never took the lock")


def arch(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--archive", str(root), *args], obj={},
                              catch_exceptions=False)


def add_by_hand(archive: Archive, n: int, word: str) -> list[str]:
    """Write ``n`` article files straight into corpus/, as a person or another tool would."""
    ids = []
    for i in range(n):
        a = article(f"{word} report {i}", f"The {word} council met about the harbour.")
        a.ensure_id()
        archive.corpus.write(a)
        ids.append(a.id)
    return ids


@pytest.fixture
def indexed(archive: Archive) -> Archive:
    add_by_hand(archive, 3, "first")
    archive.update_index()
    return archive


# -- catching up -----------------------------------------------------------------------------


def test_a_search_catches_up_with_a_small_change_itself(indexed: Archive):
    [new] = add_by_hand(indexed, 1, "ferry")
    result = arch(indexed.root, "search", "ferry", "--fields", "id")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split() == ["id", new]
    assert "index updated: 1 added" in result.stderr
    assert not indexed.index.is_stale()


def test_a_large_change_is_left_to_arch_index_and_the_search_says_so(
    indexed: Archive, monkeypatch
):
    monkeypatch.setattr(archive_mod, "CATCH_UP", 5)
    add_by_hand(indexed, 8, "ferry")
    t0 = time.monotonic()
    result = arch(indexed.root, "search", "council", "--fields", "id", "-n", "0")
    assert time.monotonic() - t0 < 5
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.split()) == 1 + 3  # the three indexed articles, not the new ones
    assert ("arch: note: the index does not reflect 8 files added, changed or deleted in "
            "corpus/ (more files changed than a search brings in itself; `arch index` does "
            "it)") in result.stderr
    assert indexed.index.is_stale()
    assert arch(indexed.root, "index").exit_code == 0
    found = arch(indexed.root, "search", "council", "--fields", "id", "-n", "0").stdout.split()
    assert len(found) == 1 + 11


# -- readers and writers -----------------------------------------------------------------------


def test_a_writer_waits_for_a_search_that_is_catching_up(indexed: Archive, holders):
    reader = hold_lock(holders, indexed.root, "reader", 1.0)
    t0 = time.monotonic()
    indexed.update_index()  # no --wait: a search holding the lock is waited for all the same
    assert time.monotonic() - t0 > 0.3
    assert reader.wait(timeout=30) == 0


def test_a_search_holding_the_lock_too_long_is_named(indexed: Archive, holders, monkeypatch):
    monkeypatch.setattr(lock_mod, "READER_WAIT", 0.3)
    reader = hold_lock(holders, indexed.root, "reader", 10.0)
    with pytest.raises(ArchiveLocked, match=rf"archive locked by PID {reader.pid} \(a search "
                                            r"bringing the index up to date\)"):
        indexed.update_index()


def test_a_search_never_waits_for_a_writer_and_says_what_it_leaves_out(indexed: Archive, holders):
    writer = hold_lock(holders, indexed.root, "writer", 60.0)
    [hand] = add_by_hand(indexed, 1, "ferry")
    t0 = time.monotonic()
    result = arch(indexed.root, "search", "council", "--fields", "id")
    assert time.monotonic() - t0 < 3
    assert result.exit_code == 0, result.stderr
    assert (f"arch: note: PID {writer.pid} (a writer) is updating the index; results reflect "
            "what it has committed so far") in result.stderr
    # show reads the file itself, which the index does not know yet
    shown = arch(indexed.root, "show", hand, "--format", "json")
    assert shown.exit_code == 0, shown.stderr
    assert '"title": "ferry report 0"' in shown.stdout

    # a long-lived Archive (a server) catches up as soon as the writer is gone, here killed
    assert indexed.search("ferry").total == 0
    writer.kill()
    writer.wait()
    assert [h.id for h in indexed.search("ferry").hits] == [hand]


def test_stale_hits_never_point_at_files_that_are_gone(indexed: Archive, holders):
    ids = sorted(indexed.index.load_manifest().ids().items())
    (gone_id, gone_rel), (bad_id, bad_rel) = ids[0], ids[1]
    hold_lock(holders, indexed.root, "writer", 60.0)  # so that no search catches up
    (indexed.corpus.root / gone_rel).unlink()
    (indexed.corpus.root / bad_rel).write_bytes(b"---\ntitle: [unclosed\n---\n\xff\xfe")

    result = arch(indexed.root, "search", "council", "--fields", "id")
    assert result.exit_code == 0, result.stderr
    assert gone_id not in result.stdout.split() and bad_id in result.stdout.split()
    assert (f"arch: note: left out 1 hit(s) whose file is gone from corpus/ (e.g. "
            f"corpus/{gone_rel}); `arch index` updates the index") in result.stderr
    assert indexed.search("council").total == 2

    shown = arch(indexed.root, "show", gone_id)
    assert shown.exit_code == 1
    assert shown.stderr.endswith(f"arch: error: no article with id {gone_id!r}: its file "
                                 f"corpus/{gone_rel} is gone (deleted since the index was "
                                 "updated)\n")
    related = arch(indexed.root, "related", gone_id)
    assert related.exit_code == 1
    assert related.stderr.endswith(f"arch: error: corpus/{gone_rel} is gone (deleted since the "
                                   "index was updated)\n")
    garbled = arch(indexed.root, "show", bad_id)
    assert garbled.exit_code == 1
    last = garbled.stderr.splitlines()[-1]
    assert last.startswith(f"arch: error: article {bad_id!r}: its file corpus/{bad_rel} cannot "
                           "be read (not UTF-8 text at byte ")
    assert last.endswith("); `arch check` lists such files")


def test_with_no_index_and_a_writer_running_a_search_answers_in_seconds(
    archive: Archive, holders, monkeypatch
):
    monkeypatch.setattr(archive_mod, "FIRST_INDEX_WAIT", 0.5)
    add_by_hand(archive, 2, "ferry")
    writer = hold_lock(holders, archive.root, "writer", 60.0)
    t0 = time.monotonic()
    result = arch(archive.root, "search", "ferry")
    assert time.monotonic() - t0 < 3
    assert result.exit_code == 3
    assert result.stderr == (f"arch: error: there is no index yet and PID {writer.pid} is "
                             "building it; search again when it has finished\n")


def test_check_right_after_a_killed_import_is_never_locked_out_by_a_search(
    indexed: Archive, tmp_path: Path
):
    # A killed import leaves article files that the index does not list; the next search
    # brings them in. `arch check` started at that moment waits for it instead of failing.
    def run(*args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "archive_search", "--archive",
                                 str(indexed.root), *args], env=ENV, cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    for trial in range(4):
        add_by_hand(indexed, 60, f"killed{trial}")
        search = run("search", f"killed{trial}", "--fields", "id", "-n", "0")
        time.sleep(0.25 * trial / 3)  # the check starts at different moments of the catch-up
        check = run("check")
        out, err = check.communicate(timeout=60)
        assert check.returncode in (0, 1), err
        found, said = search.communicate(timeout=60)
        # the search either caught up first and found the new articles, or met the check
        # holding the lock and answered from the index as it was, saying what it left out
        assert search.returncode == 0 or (
            search.returncode == 1 and "arch: note:" in said and "Traceback" not in said
        ), said


# -- read-only archives ----------------------------------------------------------------------


def test_a_read_only_archive_is_searched_as_it_is_and_says_what_it_leaves_out(
    indexed: Archive, monkeypatch
):
    # Simulated: every attempt to take the lock meets a read-only file system, as on a DVD
    # (tests run as root, whom permission bits do not stop; the real mount is tested below).
    real_open = os.open

    def read_only_open(path, flags, *args):
        if flags & (os.O_WRONLY | os.O_RDWR) and str(path).startswith(str(indexed.root)):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)

    [hand] = add_by_hand(indexed, 1, "ferry")
    monkeypatch.setattr(lock_mod.os, "open", read_only_open)
    result = arch(indexed.root, "search", "council", "--fields", "id")
    assert result.exit_code == 0, result.stderr
    assert ("arch: note: the index does not reflect 1 file added, changed or deleted in "
            "corpus/ (the archive is read-only)") in result.stderr
    assert arch(indexed.root, "show", hand).exit_code == 0
    # writers say in one line that they cannot write; a check only looks
    refused = arch(indexed.root, "index")
    assert refused.exit_code == 2
    assert refused.stderr == (f"arch: error: cannot write to this archive: {indexed.root}/index "
                              "is read-only (Read-only file system); searching it works\n")
    checked = arch(indexed.root, "check")
    assert checked.exit_code == 1
    assert checked.stdout.splitlines()[-2].endswith(".md: not in the index")

    # a batch of queries counts what the index leaves out once, not once per query
    from archive_search.index import Index

    counted = []
    real_pending = Index.pending
    monkeypatch.setattr(Index, "pending", lambda self: counted.append(1) or real_pending(self))
    batch = CliRunner().invoke(cli, ["--archive", str(indexed.root), "search", "--batch", "-"],
                               input="council\nharbour\nferry\n", obj={})
    assert batch.exit_code == 0, batch.stderr
    assert len(counted) == 1 and batch.stderr.count("(the archive is read-only)") == 1


def test_a_read_only_archive_without_an_index_gets_one_in_the_cache_folder(
    archive: Archive, tmp_path: Path, monkeypatch
):
    add_by_hand(archive, 2, "ferry")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(archive_mod, "_read_only", lambda folder: True)
    result = arch(archive.root, "search", "ferry", "--fields", "id")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.split()) == 3
    assert f"arch: building the index in {tmp_path / 'cache' / 'archive-search'}" in result.stderr
    assert not (archive.root / "index" / "CURRENT").exists()
    again = arch(archive.root, "search", "ferry", "--fields", "id")
    assert again.stdout == result.stdout and again.stderr == ""

    monkeypatch.setenv("XDG_CACHE_HOME", "/proc/no-such-folder")
    refused = arch(archive.root, "search", "ferry")
    assert refused.exit_code == 2
    assert refused.stderr.startswith("arch: error: there is no index yet, the archive is "
                                     "read-only, and the cache folder /proc/no-such-folder/")


def _read_only_mount_works() -> bool:
    try:
        return subprocess.run(["unshare", "-rm", "sh", "-c", "mount -o remount,ro,bind / /"],
                              capture_output=True, timeout=10).returncode == 0 or subprocess.run(
            ["unshare", "-rm", "sh", "-c", "mount --bind /tmp /tmp && "
             "mount -o remount,ro,bind /tmp"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.mark.skipif(shutil.which("unshare") is None or not _read_only_mount_works(),
                    reason="needs `unshare -rm` and mount to make a read-only bind mount")
def test_a_really_read_only_archive_never_fails(indexed: Archive, tmp_path: Path):
    indexed_id = next(iter(indexed.index.load_manifest().ids()))
    [hand] = add_by_hand(indexed, 1, "ferry")
    root = indexed.root
    run = f"{sys.executable} -m archive_search -a {root}"
    script = (
        f"mount --bind {root} {root} && mount -o remount,ro,bind {root} && "
        f"{run} search council --fields id; echo rc=$?; "
        f"{run} show {hand} >/dev/null; echo rc=$?; "
        f"{run} related {indexed_id} >/dev/null; echo rc=$?; "
        f"{run} stats >/dev/null; echo rc=$?; "
        f"{run} check >/dev/null; echo rc=$?; "
        f"{run} index; echo rc=$?"
    )
    env = {**ENV, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.split()[-6:] == ["rc=0"] * 4 + ["rc=1", "rc=2"], done.stderr
    assert "(the archive is read-only)" in done.stderr
    assert "unexpected" not in done.stderr


def test_what_the_index_leaves_out_is_found_by_listing_only_the_folders_that_moved(
    indexed: Archive, monkeypatch
):
    rels = sorted(indexed.index.load_manifest().files)
    (indexed.corpus.root / rels[0]).unlink()                                    # deleted
    os.rename(indexed.corpus.root / rels[1], indexed.corpus.root / "renamed.md")  # moved
    later = article("Ferry late", "The ferry was late.", date="2024-02-01")
    later.ensure_id()
    added = indexed.corpus.write(later)                                          # a new folder
    listed: list[str] = []
    real = indexed.corpus.scan_folder
    monkeypatch.setattr(indexed.corpus, "scan_folder", lambda f: listed.append(f) or real(f))

    changed, gone = indexed.index.pending()
    assert sorted(changed) == sorted([added, "renamed.md"])
    assert sorted(gone) == sorted(rels[:2])
    assert "2024/02/" in listed and "." in listed and len(listed) <= 4
