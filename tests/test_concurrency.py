"""One writer at a time, any number of readers: readers never fail, a second writer waits or
says who holds the lock, and a writer killed with SIGKILL never leaves the archive locked."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import article

from archive_search import Archive, ArchiveLocked
from archive_search.check import check
from archive_search.cli import cli

REPO = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}


def write_batch(path: Path, n: int, prefix: str, body_words: int = 40) -> Path:
    """``n`` articles as JSON Lines, each with a unique word ``<prefix>N`` in its body."""
    words = ["harbour", "storm", "council", "tram", "ferry", "budget", "court", "museum"]
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            body = " ".join(words[(i + k) % len(words)] for k in range(body_words))
            record = {
                "id": f"{prefix}-{i:05d}",
                "title": f"{prefix} report {i}",
                "date": f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "body": f"{body} {prefix}{i}",
            }
            out.write(json.dumps(record) + "\n")
    return path


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """``spawn(*argv)`` starts a Python process (``-m archive_search …`` or ``-c …``); any still
    running when the test ends are killed."""
    started: list[subprocess.Popen[bytes]] = []

    def start(*argv: str) -> subprocess.Popen[bytes]:
        with open(tmp_path / "spawned.log", "ab") as log:
            proc = subprocess.Popen(
                [sys.executable, *argv], stdout=log, stderr=log, env=ENV, cwd=REPO
            )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def wait_for_lock(root: Path, pid: int, timeout: float = 30.0) -> None:
    """Until process ``pid`` holds the archive's write lock (it writes its PID into the file)."""
    lock = root / "index" / "write.lock"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lock.exists() and lock.read_text().strip() == str(pid):
            return
        time.sleep(0.02)
    pytest.fail(f"process {pid} never took the write lock")


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for its parent to reap it counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def arch(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--archive", str(root), *args], obj={}, catch_exceptions=False)


@pytest.fixture
def importing(tmp_path: Path, spawn) -> Iterator[tuple[Path, subprocess.Popen[bytes]]]:
    """An archive with 50 articles, and an import of 800 more running in another process
    (already holding the write lock)."""
    root = tmp_path / "news"
    Archive.init(root).import_paths([write_batch(tmp_path / "first.jsonl", 50, "first")])
    proc = spawn(
        "-m",
        "archive_search",
        "--archive",
        str(root),
        "import",
        str(write_batch(tmp_path / "big.jsonl", 800, "big")),
    )
    wait_for_lock(root, proc.pid)
    yield root, proc
    proc.wait(timeout=120)


# -- writers -------------------------------------------------------------------------------------


def test_a_second_writer_waits_then_names_the_lock_holder(importing, tmp_path: Path):
    root, first = importing
    small = write_batch(tmp_path / "small.jsonl", 20, "small")

    t0 = time.monotonic()
    refused = arch(root, "import", str(small), "--wait", "0.5")
    assert refused.exit_code == 3
    assert refused.stderr == (
        f"arch: error: archive locked by PID {first.pid} (another import or index is running); "
        "retry later or pass --wait SECONDS\n"
    )
    assert time.monotonic() - t0 >= 0.5

    waited = arch(root, "import", str(small), "--wait", "120")
    assert waited.exit_code == 0, waited.stderr
    assert first.wait(timeout=120) == 0
    assert "imported 20, updated 0, duplicates 0" in waited.stderr
    report = check(Archive.open(root))
    assert report.ok, report.problems
    assert report.indexed == 50 + 800 + 20


def test_readers_never_fail_while_an_import_runs(importing):
    root, writer = importing
    totals: list[int] = []
    while writer.poll() is None:
        totals.append(Archive.open(root).search("report", limit=1).total)
        result = arch(root, "search", "harbour", "--format", "jsonl", "--fields", "id")
        assert result.exit_code == 0, result.stderr
        assert arch(root, "stats", "--format", "json").exit_code == 0
    assert writer.returncode == 0
    assert len(totals) >= 3, "the import finished before the readers got going"
    assert totals == sorted(totals) and totals[0] >= 50  # each answer whole, never going back
    assert Archive.open(root).search("report", limit=1).total == 850


def test_writers_in_threads_of_one_process_exclude_each_other_too(archive: Archive):
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with archive.writing():
            holding.set()
            release.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait(5)
    with pytest.raises(ArchiveLocked, match=f"archive locked by PID {os.getpid()} "):
        archive.update_index(wait=0.1)
    threading.Timer(0.3, release.set).start()
    t0 = time.monotonic()
    archive.update_index(wait=5)  # waits for the other thread, then runs
    assert time.monotonic() - t0 >= 0.2
    thread.join()


# -- killed writers ------------------------------------------------------------------------------

HOLD_AND_DIE = """
import os, signal, sys, time
from archive_search import Archive
with Archive.open(sys.argv[1]).writing():
    helper = os.fork()
    if helper == 0:
        time.sleep(60)
        os._exit(0)
    print(helper, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_writer_killed_with_its_helper_process_running_leaves_no_lock(
    archive: Archive, tmp_path: Path
):
    # A forked helper shares the writer's lock; if it kept it, the archive would stay locked
    # for as long as the orphaned helper lives.
    proc = subprocess.run(
        [sys.executable, "-c", HOLD_AND_DIE, str(archive.root)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == -signal.SIGKILL
    helper = int(proc.stdout)
    with archive.writing(wait=0):
        pass
    deadline = time.monotonic() + 5
    while alive(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(helper), "the helper outlived the killed writer"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_an_import_killed_with_sigkill_leaves_the_archive_writable_at_once(
    archive: Archive, tmp_path: Path, spawn
):
    # A big batch with two indexing processes: Whoosh forks workers that hold locks too.
    (archive.root / "archive.yaml").write_text("index:\n  procs: 2\n", encoding="utf-8")
    batch = write_batch(tmp_path / "big.jsonl", 1500, "big", body_words=600)
    assert batch.stat().st_size > 4 * 1024 * 1024
    proc = spawn("-m", "archive_search", "--archive", str(archive.root), "import", str(batch))
    wait_for_lock(archive.root, proc.pid)
    deadline = time.monotonic() + 60
    while not children(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = children(proc.pid)
    assert workers, "the import never started its indexing workers"

    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with archive.writing(wait=0):  # the very next writer gets the lock
        pass
    indexed = subprocess.run(
        [sys.executable, "-m", "archive_search", "--archive", str(archive.root), "index"],
        env=ENV,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert indexed.returncode == 0, indexed.stderr
    assert not [pid for pid in workers if alive(pid)]
    assert check(archive).ok


# -- generations ---------------------------------------------------------------------------------

REBUILD_LOOP = """
import sys
from archive_search import Archive
arc = Archive.open(sys.argv[1])
for _ in range(int(sys.argv[2])):
    arc.update_index(rebuild=True)
"""


def test_readers_never_fail_while_rebuilds_replace_the_index(
    archive: Archive, tmp_path: Path, spawn, monkeypatch
):
    archive.import_paths([write_batch(tmp_path / "small.jsonl", 40, "gen")])
    # A slow reader (busy machine, slow disk): 50 ms between finding the live generation and
    # opening it. The generation it found must still be there when it gets to it.
    import whoosh.index

    real_open_dir = whoosh.index.open_dir

    def slow_open_dir(*args, **kwargs):
        time.sleep(0.05)
        return real_open_dir(*args, **kwargs)

    monkeypatch.setattr(whoosh.index, "open_dir", slow_open_dir)
    rebuilds = spawn("-c", REBUILD_LOOP, str(archive.root), "15")
    failures: list[str] = []
    searches = 0
    while rebuilds.poll() is None:
        searches += 1
        try:
            assert Archive.open(archive.root).search("gen7").total == 1
        except Exception as exc:
            failures.append(f"{type(exc).__name__}: {exc}")
    assert rebuilds.returncode == 0
    assert searches >= 20
    assert failures == [], failures[:3]


def test_an_index_writer_left_by_another_process_is_named_not_a_crash(archive, run):
    """A stray index writer (an orphaned helper of a killed import, on a system without
    PR_SET_PDEATHSIG) holding Whoosh's own lock: one line and exit 3, never exit 70."""
    from whoosh.filedb.filestore import FileStorage

    first = article("Harbour storm", "The storm closed the harbour.")
    first.ensure_id()
    archive.corpus.write(first)
    archive.update_index()
    gen = archive.index.current_dir()
    stray = FileStorage(str(gen)).lock("MAIN_WRITELOCK")
    assert stray.acquire()
    try:
        second = article("Ferry strike", "The ferry crews walked out.")
        second.ensure_id()
        archive.corpus.write(second)
        result = run("index")
    finally:
        stray.release()
    assert result.exit_code == 3
    assert "held by another process's index writer" in result.stderr
    assert result.stderr.count("\n") == 1


HOLD_AS = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
os.ftruncate(fd, 0)
os.write(fd, (sys.argv[2] + "\\n").encode())
print("held", flush=True)
time.sleep(float(sys.argv[3]))
"""


def test_a_lock_left_by_a_writer_that_is_gone_is_waited_for_a_moment(tmp_path: Path):
    """A writer killed right after forking leaves the lock to children that have not yet run
    their let-go: the next writer, even one told not to wait, waits the moment it takes them
    (a flaky failure of the SIGKILL test above), but not for a writer that is alive."""
    from archive_search.lock import write_lock

    lock = tmp_path / "write.lock"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_AS, str(lock), gone, "0.5"],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    with write_lock(lock, wait=0):  # taken once the stand-in child lets go
        pass
    holder.wait()

    alive = subprocess.Popen([sys.executable, "-c", HOLD_AS, str(lock), "{pid}", "3"],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert alive.stdout is not None and alive.stdout.readline().strip() == "held"
        lock.write_text(f"{alive.pid}\n")
        started = time.monotonic()
        with pytest.raises(ArchiveLocked), write_lock(lock, wait=0):
            pass
        assert time.monotonic() - started < 1.0
    finally:
        alive.kill()
        alive.wait()
