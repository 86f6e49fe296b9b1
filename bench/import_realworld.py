"""Real-world import benchmark: hundreds of real and malformed inputs, every one accounted for.

    python bench/import_realworld.py             # all collections that can be had
    python bench/import_realworld.py --top 30    # show more reasons per collection

Collections, each imported into a fresh temporary archive, one input per file on disk:

- feedparser's own test feeds (its sdist, downloaded at run time with ``pip download``; the
  files are read from a temporary folder and never copied into this repository): real feeds,
  broken ones, every encoding and entity feedparser was ever tested with;
- the 41 saved news pages in ``../shared/corpora/web-html``;
- the Reuters XML and the RCV1 newsitem shipped by R's ``tm`` package (Debian ``r-cran-tm``,
  fetched with ``apt-get download``).

A collection that cannot be had is skipped with a message. For each one the script prints how
many inputs were imported, updated, duplicates, skipped (grouped by reason) and failed (grouped
by reason), then checks that the outcomes add up to the number of files found on disk, and runs
the same import once more through the ``arch`` command line to see that it does not exit with
status 70 (a bug in arch). It exits 1 when an input is unaccounted for, the import raised, or
``arch`` exited 70.
"""

from __future__ import annotations

import argparse
import glob
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from archive_search import Archive  # noqa: E402

CORPORA = REPO.parent / "shared" / "corpora"
#: The feedparser release whose tests are imported: the one installed, which reads them.
FEEDPARSER = importlib.metadata.version("feedparser")
#: A number inside a reason ("3 records failed", "line 12") is not part of what it says.
_NUMBER = re.compile(r"\d+")
_REFERENCE = re.compile(r"&(?:#[0-9]+|#x[0-9a-f]+|[a-z][a-z0-9]+);", re.I)


def feedparser_tests(work: Path) -> tuple[list[Path], str]:
    """feedparser's tests folder from its sdist, or no inputs and why."""
    target = work / "sdist"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
         f"feedparser=={FEEDPARSER}", "-d", str(target), "-q"],
        capture_output=True, text=True, timeout=300,
    )
    archives = sorted(target.glob("feedparser-*.tar.gz")) if target.exists() else []
    if proc.returncode != 0 or not archives:
        return [], f"pip download feedparser=={FEEDPARSER} failed: {proc.stderr.strip()[-200:]}"
    shutil.unpack_archive(str(archives[0]), str(work / "feedparser"))
    tests = next((work / "feedparser").glob("feedparser-*/tests"), None)
    if tests is None:
        return [], "the feedparser sdist has no tests folder"
    return [tests], ""


def web_pages() -> tuple[list[Path], str]:
    folder = CORPORA / "web-html"
    if not folder.is_dir():
        return [], f"{folder} not present"
    return [folder], ""


def tm_texts(work: Path) -> tuple[list[Path], str]:
    """The Reuters XML files (``crude``, ``acq``, ``reuters-21578.xml``) and the RCV1 newsitem of
    R's tm package, from its Debian package."""
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        return [], "apt-get/dpkg-deb not available"
    target = work / "deb"
    target.mkdir()
    proc = subprocess.run(["apt-get", "download", "r-cran-tm"], cwd=target,
                          capture_output=True, text=True, timeout=300)
    debs = sorted(target.glob("r-cran-tm_*.deb"))
    if proc.returncode != 0 or not debs:
        return [], f"apt-get download r-cran-tm failed: {proc.stderr.strip()[-200:]}"
    subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(target / "x")], check=True)
    texts = next(iter(glob.glob(str(target / "x" / "usr" / "lib" / "R" / "*" / "tm" / "texts"))),
                 None)
    if texts is None:
        return [], "the r-cran-tm package has no tm/texts folder"
    texts_path = Path(texts)
    found = [texts_path / "crude", texts_path / "acq", texts_path / "reuters-21578.xml",
             texts_path / "rcv1_2330.xml"]
    return [p for p in found if p.exists()], ""


def files_on_disk(paths: list[Path]) -> int:
    """Every file the import is given or will find by walking, hidden ones excepted."""
    count = 0
    for path in paths:
        if path.is_file():
            count += 1
            continue
        for _, dirnames, filenames in os.walk(path):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            count += sum(1 for name in filenames if not name.startswith("."))
    return count


def run_collection(name: str, paths: list[Path], work: Path, top: int) -> bool:
    """Import one collection twice (library, then the ``arch`` command) and print its counts;
    False when something is wrong."""
    expected = files_on_disk(paths)
    archive_root = work / f"archive-{name}"
    archive = Archive.init(archive_root)
    started = time.perf_counter()
    try:
        report = archive.import_paths([str(p) for p in paths])
    except Exception:  # noqa: BLE001 - a benchmark reports every crash, then fails
        print(f"\n## {name}: the import raised\n{traceback.format_exc()}")
        return False
    seconds = time.perf_counter() - started
    counts = report.outcome_counts()
    accounted = sum(counts.values())
    print(f"\n## {name}: {expected} files on disk, {accounted} outcomes, "
          f"{report.imported} articles in {seconds:.1f} s")
    print(f"imported {counts['imported']}, updated {getattr(report, 'updated', 0)}, "
          f"duplicates {counts['duplicate']}, skipped {counts['skipped']}, "
          f"failed {counts['failed']}")
    other = set(counts) - {"imported", "duplicate", "skipped", "failed"}
    for status in sorted(other):
        print(f"{status} {counts[status]}")
    for status in ("skipped", "failed"):
        reasons = Counter(_NUMBER.sub("N", reason)
                          for o in report.outcomes if o.status == status
                          for reason in _reasons(o, report.failed))
        for reason, count in reasons.most_common(top):
            print(f"  {status} {count:5d}  {reason[:110]}")
        rest = sum(reasons.values()) - sum(c for _, c in reasons.most_common(top))
        if rest:
            print(f"  {status} {rest:5d}  ({len(reasons) - top} other reasons)")
    guessed = Counter(w.rsplit("read as ", 1)[-1] for w in report.warnings if "read as " in w)
    if guessed:
        print("  encodings guessed: " + ", ".join(f"{e} {n}" for e, n in guessed.most_common()))
    clashes = sum(1 for w in report.warnings if "is already used by a different article" in w)
    if clashes:
        print(f"  {clashes} different articles met an id already taken; each was imported "
              "under an id of its own")
    literal = sum(1 for _, article in archive.articles()
                  if _REFERENCE.search(article.title) or _REFERENCE.search(article.body))
    print(f"  articles that still show a character reference (&quot;, &#39;): {literal}")
    unnamed = [o for o in report.outcomes if o.status in ("skipped", "failed") and not o.reason]
    ok = accounted == expected == report.inputs and not unnamed
    if not ok:
        print(f"PROBLEM: {expected} files, {report.inputs} inputs, {accounted} outcomes, "
              f"{len(unnamed)} skipped/failed without a reason")
    cli_root = work / f"cli-{name}"
    subprocess.run([sys.executable, "-m", "archive_search", "init", str(cli_root)],
                   check=True, capture_output=True)
    proc = subprocess.run(
        [sys.executable, "-m", "archive_search", "--archive", str(cli_root), "import",
         *map(str, paths)],
        capture_output=True, text=True, timeout=1800,
    )
    print(f"arch import exit status {proc.returncode}")
    if proc.returncode == 70 or "Traceback" in proc.stderr:
        print(f"PROBLEM: arch import crashed:\n{proc.stderr[-2000:]}")
        ok = False
    return ok


def _reasons(outcome: object, failures: list[str]) -> list[str]:
    """An input's reason; for one whose records all failed, the records' own reasons."""
    reason = getattr(outcome, "reason", None) or "no reason given"
    name = getattr(outcome, "name", "")
    if not re.fullmatch(r"\d+ records? failed", reason):
        return [reason]
    own = [line[len(name):] for line in failures if line.startswith(name + ":")]
    return [f"record: {line.split(': ', 1)[-1]}" for line in own] or [reason]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--top", type=int, default=15, help="reasons shown per status")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="arch-realworld-") as tmp:
        work = Path(tmp)
        collections = [
            ("feedparser-tests", lambda: feedparser_tests(work)),
            ("web-html", web_pages),
            ("r-cran-tm", lambda: tm_texts(work)),
        ]
        for name, fetch in collections:
            try:
                paths, why = fetch()
            except (OSError, subprocess.SubprocessError) as exc:
                paths, why = [], str(exc)
            if not paths:
                print(f"\n## {name}: skipped ({why})")
                continue
            ok = run_collection(name, paths, work, args.top) and ok
    print("\nall inputs accounted for" if ok else "\nPROBLEMS found (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
