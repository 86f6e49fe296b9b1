"""SIGKILL at random moments: an import or a rebuild killed anywhere loses nothing.

Each test starts real ``python -m archive_search`` processes and kills them with SIGKILL (the
signal nothing can catch or clean up after) at moments drawn from a seeded generator, then
checks the archive as a user would find it. Set ``ARCH_KILL_SEED`` to replay other moments;
the seed in use is printed with the figures (``pytest -s``).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from archive_search import Archive
from archive_search.check import check
from archive_search.search import run_search

REPO = Path(__file__).resolve().parents[1]
SEED = int(os.environ.get("ARCH_KILL_SEED", "7"))
BATCH = 1500
IMPORT_KILLS = 20
REBUILD_BATCH = 600
REBUILD_KILLS = 6
WORDS = [
    *("harbour", "council", "minister", "storm", "railway", "budget", "election", "festival"),
    *("court", "bridge", "museum", "river", "tram", "ferry", "school", "hospital", "market"),
]
QUERIES = ("harbour storm", "tram", "minister AND budget", "court OR museum", "title:bridge")


@pytest.fixture
def arch(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """``arch(root, *args)`` starts ``arch --archive ROOT ARGS`` as a separate process with its
    output in ``arch.log`` (``group=True``: in a process group of its own, as a shell starts a
    command); any still running when the test ends are killed."""
    started: list[subprocess.Popen[bytes]] = []
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }

    def start(root: Path, *args: str, group: bool = False) -> subprocess.Popen[bytes]:
        with open(tmp_path / "arch.log", "ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "archive_search", "--archive", str(root), *args],
                stdout=out,
                stderr=out,
                env=env,
                cwd=REPO,
                start_new_session=group,
            )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def kill_after(proc: subprocess.Popen[bytes], delay: float) -> bool:
    """SIGKILL ``proc`` (only it, as ``kill -9 PID`` would) after ``delay`` seconds, unless it
    has finished by then; True when it was killed."""
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def write_batch(path: Path, n: int, rng: random.Random) -> list[str]:
    """``n`` small articles as JSON Lines, each with the unique word ``markerN``; returns ids."""
    ids = []
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            ids.append(f"kill-{i:05d}")
            record = {
                "id": ids[-1],
                "title": f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} report {i}",
                "date": f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00",
                "source": "Kill Wire",
                "body": " ".join(rng.choice(WORDS) for _ in range(50)) + f" marker{i}",
            }
            out.write(json.dumps(record) + "\n")
    return ids


def corpus_ids(arc: Archive) -> list[str]:
    """The id of every article file, read back (a file that does not parse raises)."""
    return [arc.corpus.read(rel).id or "" for rel in arc.corpus.scan()]


def answers(arc: Archive) -> dict[str, dict[str, float]]:
    """What the index answers to QUERIES right now (every hit's id and score), without updating
    it first. Ranks are left out: equal scores may come in any order after a rebuild."""
    return {
        q: {h.id: h.score for h in run_search(arc, q, limit=0, snippets=False).hits}
        for q in QUERIES
    }


def test_import_killed_at_random_moments_loses_nothing(tmp_path: Path, arch):
    rng = random.Random(SEED)
    batch = tmp_path / "batch.jsonl"
    expected = write_batch(batch, BATCH, rng)
    root = tmp_path / "news"
    arc = Archive.init(root)
    kills = finished = 0
    found: Counter[str] = Counter()
    repair_seconds: list[float] = []
    started = time.perf_counter()

    while kills < IMPORT_KILLS:
        assert finished < 30, "the imports keep finishing before the kill: raise BATCH"
        proc = arch(root, "import", str(batch))
        if not kill_after(proc, rng.uniform(0.1, 1.6)):
            # the batch completed before the kill (fast machine, or little left to import):
            # it must be whole; then start again in a new archive so the kills keep landing
            # in the middle of real work
            assert proc.returncode == 0, (tmp_path / "arch.log").read_text()
            finished += 1
            done = Archive.open(root)
            assert sorted(corpus_ids(done)) == sorted(expected)
            root = tmp_path / f"news-{finished}"
            arc = Archive.init(root)
            continue
        kills += 1
        arc = Archive.open(root)

        # Nothing half-written: every article file parses, whatever the moment of the kill.
        report = check(arc)  # takes the write lock at once: the killed writer held it
        assert not [p for p in report.problems if p.in_corpus], report.problems
        found.update(p.kind for p in report.problems)
        assert len(set(corpus_ids(arc))) == report.articles

        if arc.index.exists():  # the index as the kill left it still answers
            answers(arc)
        if rng.random() < 0.5:  # half the time `arch check --repair`, else the next import
            t0 = time.perf_counter()
            repaired = check(arc, repair=True)
            repair_seconds.append(time.perf_counter() - t0)
            assert repaired.ok, repaired.problems
            assert repaired.temporaries == 0
            assert arc.search("report", limit=1).total == repaired.indexed

    t0 = time.perf_counter()
    proc = arch(root, "import", str(batch))
    assert proc.wait(timeout=120) == 0, (tmp_path / "arch.log").read_text()
    reimport = time.perf_counter() - t0

    arc = Archive.open(root)
    ids = corpus_ids(arc)
    losses = len(set(expected) - set(ids))
    final = check(arc)
    assert final.ok, final.problems
    assert (losses, len(ids), len(set(ids))) == (0, BATCH, BATCH)
    assert final.indexed == BATCH
    for i in rng.sample(range(BATCH), 5):
        assert [h.id for h in arc.search(f"marker{i}").hits] == [f"kill-{i:05d}"]
    print(
        f"\nimport kills (seed {SEED}): {kills} runs killed, {finished} finished first, "
        f"losses {losses}; problems seen after kills {dict(found)}; "
        f"repair {len(repair_seconds)}x, mean {_mean(repair_seconds):.2f} s, "
        f"max {max(repair_seconds, default=0):.2f} s; final re-import {reimport:.2f} s; "
        f"total {time.perf_counter() - started:.1f} s"
    )


def test_rebuild_killed_at_random_moments_leaves_the_previous_index_answering(tmp_path: Path, arch):
    rng = random.Random(SEED + 1)
    root = tmp_path / "news"
    arc = Archive.init(root)
    batch = tmp_path / "batch.jsonl"
    write_batch(batch, REBUILD_BATCH, rng)
    arc.import_paths([batch])
    before = answers(arc)
    assert all(before.values())

    t0 = time.perf_counter()
    proc = arch(root, "index", "--rebuild")
    assert proc.wait(timeout=120) == 0, (tmp_path / "arch.log").read_text()
    full = time.perf_counter() - t0
    assert answers(arc) == before

    kills = before_switch = 0
    while kills < REBUILD_KILLS:
        live = arc.index.current_dir()
        proc = arch(root, "index", "--rebuild")
        deadline = time.monotonic() + rng.uniform(0.1, full)
        while proc.poll() is None and time.monotonic() < deadline:
            assert answers(arc) == before  # searching while the new index is being built
        if kill_after(proc, 0):
            kills += 1
            before_switch += arc.index.current_dir() == live
        assert answers(arc) == before  # the old generation, or the new one complete

    report = check(arc)
    assert report.ok, report.problems
    replaced = arc.index.current_dir()
    proc = arch(root, "index", "--rebuild")
    assert proc.wait(timeout=120) == 0, (tmp_path / "arch.log").read_text()
    assert answers(arc) == before
    half_built = set((root / "index").glob("gen-*")) - {replaced, arc.index.current_dir()}
    assert half_built == set()  # removed once a rebuild completes
    print(
        f"\nrebuild kills (seed {SEED + 1}): {kills} runs killed ({before_switch} before the "
        f"new generation was switched in), results unchanged; "
        f"a full rebuild of {REBUILD_BATCH} articles takes {full:.2f} s"
    )


def test_ctrl_c_during_a_bulk_import_stops_at_once(tmp_path: Path, arch):
    # Two indexing processes and a batch big enough for them: Ctrl-C must stop the workers
    # too, or the interpreter waits for them at exit and the command never returns. A
    # terminal sends the Ctrl-C to every process of the command, workers included: they must
    # leave it to the import, without a traceback of their own.
    root = tmp_path / "news"
    Archive.init(root)
    (root / "archive.yaml").write_text("index:\n  procs: 2\n", encoding="utf-8")
    batch = tmp_path / "big.jsonl"
    with open(batch, "w", encoding="utf-8") as out:
        for i in range(1200):
            body = " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(700))
            out.write(json.dumps({"id": f"big-{i}", "title": f"Report {i}", "body": body}) + "\n")
    proc = arch(root, "import", str(batch), group=True)
    workers = _wait_for_children(proc)
    time.sleep(1.0)  # the workers at work

    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C on a terminal does
    assert proc.wait(timeout=15) == 130
    time.sleep(0.5)  # let any worker that outlived the import print its complaint
    output = (tmp_path / "arch.log").read_text()
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    assert output.splitlines() == ["arch: interrupted"], output  # nor a worker's "Process …:"
    deadline = time.monotonic() + 5
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if _running(pid)]
    report = check(Archive.open(root), repair=True)
    assert report.ok, report.problems


def _wait_for_children(proc: subprocess.Popen[bytes], timeout: float = 60) -> list[int]:
    """The PIDs of ``proc``'s child processes, once it has some (Linux /proc)."""
    path = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    if not path.parent.is_dir():
        pytest.skip("needs Linux /proc")
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        found = [int(pid) for pid in path.read_text().split()]
        if found:
            return found
        time.sleep(0.05)
    pytest.fail("the import never started its indexing workers")


def _running(pid: int) -> bool:
    """True while ``pid`` runs (an exited process waiting to be reaped does not count)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0
