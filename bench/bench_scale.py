"""Scale benchmark (issue 15): arch against a raw Whoosh script on Reuters-21578 copied N times.

    python bench/bench_scale.py [--size 9] [--turns 1] [--keep DIR] [--corpora DIR]
        [--no-hostile] [--no-raw] [--no-raw-hostile] [--no-same-documents] [--no-semantic]

Each copy of Reuters-21578 gets new ids (``<id>-c<k>``), its dates shifted by ``k`` whole years
and its body sentences in another order (copy k takes the k-th permutation, so every run builds
the same corpus; a text of too few sentences has its words reordered instead), so that no copy
is a duplicate of another: ``--size 9`` is about
190,000 articles, ``--size 47`` about a million. The JSONL file is written to a temporary
folder, never into the repository.

Then, each as a whole process (``env -u PYTHONDONTWRITEBYTECODE``, arch compiled first, as after
``pip install``), with its wall time and peak memory (the child's maximum resident set):

* import + index: ``arch import corpus.jsonl`` against the raw Whoosh script of
  ``bench_core.py`` (same schema, ``procs=2``), ``--turns`` times each, taking turns;
* index size on disk, both sides, and beside a raw Whoosh index of exactly the documents arch
  indexes (``--same-documents``: every field arch fills, Whoosh's own field classes and codec);
* the first name search after the big import (``Paul Volcker``: it loads the name catalogue
  that the import built, where it used to build it);
* ``arch index`` with nothing changed, ``arch stats``;
* the ordinary searches (against the raw script's search for the same words) and the hostile
  table of ``bench_hostile_queries.py``;
* ``arch related ID``;
* adding one article end to end, each followed by ``Paul Volcker`` (the next search).

Prints one table: seconds and peak MB for arch, the raw script where there is one, the ratio.
The machine is shared: compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import bench_core  # noqa: E402  (puts this checkout on the path of the processes timed)
from bench_hostile_queries import QUERIES as HOSTILE  # noqa: E402

from archive_search import semantic  # noqa: E402

_PIECES = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])|\n+")
#: the ordinary searches of the issue's table: (label, query)
ORDINARY = [
    ("search `oil prices`", "oil prices"),
    ("search, six-word question", "what did opec decide about oil"),
]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
#: A raw Whoosh index of exactly the documents arch indexes (every field arch fills: names,
#: dates, paths, urls besides the five of the raw script), with Whoosh's own field classes and
#: codec, read from the archive's corpus: what of arch's index size is content, what arch's own.
RAW_SAME_DOCUMENTS = r"""
import sys
from whoosh import fields, index
from archive_search import Archive
from archive_search.engine.stored import article_document
from archive_search.index import article_names, build_schema
archive = Archive.open(sys.argv[1])
schema = build_schema()
schema.remove("date")
schema.add("date", fields.DATETIME(sortable=True))  # Whoosh's own, not arch's DayDates
ix = index.create_in(sys.argv[2], schema)
writer = ix.writer(procs=2, limitmb=256)
for rel in sorted(archive.corpus.scan()):
    article = archive.corpus.read(rel)
    writer.add_document(**article_document(article, rel, article_names(article)))
writer.commit()
"""


def base_records(folder: Path) -> list[dict]:
    """Reuters-21578 as the records arch imports, read through arch's own SGML reader."""
    path = folder / "reuters.jsonl"
    bench_core.reuters_jsonl(path, None)
    with open(path, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    path.unlink()
    return records


def perturbed(records: list[dict], copy: int) -> Iterator[dict]:
    """Copy ``copy`` of ``records``: copy 0 as it is, the others with new ids, dates ``copy``
    years later and body sentences in the ``copy``-th order."""
    for record in records:
        if copy == 0:
            yield record
            continue
        r = dict(record)
        r["id"] = f"{record['id']}-c{copy}"
        if isinstance(r.get("date"), str) and r["date"][:4].isdigit():
            r["date"] = f"{int(r['date'][:4]) + copy:04d}{r['date'][4:]}"
        r["body"] = _shuffled(record.get("body") or "", copy)
        if len(r["body"].split()) < 3:  # a headline alone (about one in ten): its words move
            r["title"] = " ".join(_permutation(record["title"].split(), copy % math.factorial(
                len(record["title"].split()))))
        yield r


def _shuffled(body: str, copy: int) -> str:
    """``body`` with its sentences (and lines: Reuters' tables have no full stops) in the
    ``copy``-th order (lexicographic, 0 being the original), so that no two copies of a text
    are the same; a text of too few sentences for that has its words reordered instead. Only a
    text of one or two words can repeat."""
    pieces = [p for p in _PIECES.split(body) if p.strip()]
    if math.factorial(len(pieces)) <= copy:
        pieces = body.split()
    return " ".join(_permutation(pieces, copy % math.factorial(len(pieces))))


def _permutation(items: list[str], index: int) -> list[str]:
    """The ``index``-th permutation of ``items`` in lexicographic order of positions."""
    left, chosen = list(items), []
    for size in range(len(items), 0, -1):
        step = math.factorial(size - 1)
        chosen.append(left.pop(index // step))
        index %= step
    return chosen


def write_corpus(path: Path, records: list[dict], copies: int) -> int:
    """Write ``copies`` perturbed copies of ``records`` as JSONL; returns the count."""
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for copy in range(copies):
            for record in perturbed(records, copy):
                out.write(json.dumps(record) + "\n")
                count += 1
    return count


#: The raw script's search of a hostile query is stopped after this many seconds (it takes
#: minutes for some: Whoosh expands every term of a wildcard).
RAW_CAP = 60


def run(cmd: list[str], ok: tuple[int, ...] = (0, 1), cap: float | None = None
        ) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one whole process; one still running after
    ``cap`` seconds is stopped, and its time is the cap."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    timer = threading.Timer(cap, proc.kill) if cap else None
    if timer:
        timer.start()
    stderr = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if timer:
        timer.cancel()
        if seconds >= cap:  # type: ignore[operator]
            return float(cap), usage.ru_maxrss / 1024  # type: ignore[arg-type]
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        raise SystemExit(f"{' '.join(cmd)[:200]} failed ({code}): {stderr[-800:].decode()}")
    return seconds, usage.ru_maxrss / 1024


def median_run(cmd: list[str], repeat: int) -> tuple[float, float]:
    runs = [run(cmd) for _ in range(repeat)]
    return statistics.median(s for s, _ in runs), max(m for _, m in runs)


def set_semantic(archive: Path, mode: str) -> None:
    """Switch the semantic extra of ``archive`` on or off in its archive.yaml."""
    settings = archive / "archive.yaml"
    text = re.sub(r"\nrelated:\n  semantic: \w+\n", "\n", settings.read_text(encoding="utf-8"))
    settings.write_text(f"{text.rstrip()}\nrelated:\n  semantic: {mode}\n", encoding="utf-8")


def du_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


Row = tuple[str, float, float, "float | None", "float | None"]


class _Rows(list[Row]):
    """The table's rows, each also said on stderr as it is measured (a run cut short still
    shows what it got)."""

    def append(self, row: Row) -> None:
        super().append(row)
        label, ours, peak, ref, _ = row
        versus = f" (raw Whoosh {ref:.2f})" if ref is not None else ""
        print(f"{label}: {ours:.2f}, {peak:.0f} MB{versus}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=9, help="copies of Reuters-21578 (default 9)")
    parser.add_argument("--turns", type=int, default=1, help="full imports, each side")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each short command")
    parser.add_argument("--hostile", action=argparse.BooleanOptionalAction, default=True,
                        help="time the hostile query table too (default: yes)")
    parser.add_argument("--keep", type=Path, help="build in DIR and leave it there")
    parser.add_argument("--semantic", action=argparse.BooleanOptionalAction, default=True,
                        help="time the semantic extra's rows too, when it is installed "
                             "(default: yes)")
    parser.add_argument("--raw", action=argparse.BooleanOptionalAction, default=True,
                        help="build and time the raw Whoosh script beside arch (default: yes; "
                             "--no-raw: arch alone, every ratio blank)")
    parser.add_argument("--raw-hostile", action=argparse.BooleanOptionalAction, default=True,
                        help="time the raw script on the hostile queries too (up to "
                             f"{RAW_CAP} s each; default: yes)")
    parser.add_argument("--same-documents", action=argparse.BooleanOptionalAction, default=True,
                        help="also build a raw Whoosh index of arch's own documents, for the "
                             "index size (default: yes)")
    parser.add_argument("--corpora", type=Path, default=bench_core.SHARED,
                        help="the reuters21578 folder (default: ../shared/corpora/reuters21578)")
    args = parser.parse_args()
    bench_core.SHARED = args.corpora
    if not bench_core.SHARED.is_dir():
        print("skipped: ../shared/corpora/reuters21578 not present", file=sys.stderr)
        return 0
    py = sys.executable
    arch = [py, "-m", "archive_search"]
    subprocess.run([py, "-m", "compileall", "-q", str(REPO / "archive_search")], check=True)
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="arch-scale-"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        records = base_records(tmp)
        jsonl = tmp / "corpus.jsonl"
        n = write_corpus(jsonl, records, args.size)
        print(f"{n:,} articles ({args.size} copies) in {jsonl} "
              f"({jsonl.stat().st_size / 1e6:.0f} MB)", file=sys.stderr)
        rows = _Rows()
        arch_runs, raw_runs = [], []
        for turn in range(args.turns):
            raw_dir, arc = tmp / f"raw-{turn}", tmp / f"archive-{turn}"
            for old in (raw_dir, arc):
                shutil.rmtree(old, ignore_errors=True)
            raw_dir.mkdir()
            if args.raw:
                raw_runs.append(run([py, "-c", bench_core.RAW_INDEX, str(jsonl), str(raw_dir),
                                     "2"]))
            subprocess.run([*arch, "init", str(arc)], check=True, stderr=subprocess.DEVNULL,
                           env=ENV)
            # the archive as it is without the semantic extra; the vectors are timed apart
            set_semantic(arc, "off")
            arch_runs.append(run([*arch, "-a", str(arc), "import", str(jsonl)]))
            raw_said = (f", raw {raw_runs[-1][0]:.0f} s ({raw_runs[-1][1]:.0f} MB)"
                        if args.raw else "")
            print(f"import turn {turn + 1}: arch {arch_runs[-1][0]:.0f} s "
                  f"({arch_runs[-1][1]:.0f} MB){raw_said}", file=sys.stderr)
            if turn < args.turns - 1:
                shutil.rmtree(raw_dir)
                shutil.rmtree(arc)
        a = arch
        x = ["-a", str(arc)]
        rows.append((f"import + index ({args.turns} turns, median)",
                     statistics.median(s for s, _ in arch_runs), max(m for _, m in arch_runs),
                     statistics.median(s for s, _ in raw_runs) if raw_runs else None,
                     max(m for _, m in raw_runs) if raw_runs else None))
        rows.append(("index size (MB, not s)", du_mb(arc / "index"), 0.0,
                     du_mb(raw_dir) if args.raw else None, 0.0))
        if args.same_documents:
            same = tmp / "raw-same-documents"
            shutil.rmtree(same, ignore_errors=True)
            same.mkdir()
            run([py, "-c", RAW_SAME_DOCUMENTS, str(arc), str(same)], ok=(0,))
            gen = next((arc / "index").glob("gen-*"))
            whoosh_files = sum(f.stat().st_size for f in gen.glob("*MAIN*")) / 1e6
            rows.append(("index size beside a raw Whoosh index of arch's own documents "
                         "(MB, not s)", du_mb(arc / "index"), 0.0, du_mb(same), 0.0))
            rows.append(("  of which Whoosh's files (MB, not s)", whoosh_files, 0.0, du_mb(same),
                         0.0))
            shutil.rmtree(same)
        rows.append(("first name search after the import",
                     *run([*a, *x, "search", "-n", "10", "--", "Paul Volcker"]), None, None))
        rows.append(("`arch index`, nothing changed", *median_run([*a, *x, "index"], 5),
                     None, None))
        rows.append(("`arch stats`", *median_run([*a, *x, "stats"], args.repeat), None, None))
        for label, query in ORDINARY:
            ours = median_run([*a, *x, "search", "-n", "10", "--format", "tsv", "--", query],
                              args.repeat)
            raw = (median_run([py, "-c", bench_core.RAW_SEARCH, str(raw_dir), query], args.repeat)
                   if args.raw else (None, None))
            rows.append((label, *ours, *raw))
        first_id = records[0]["id"]
        rows.append((f"`arch related {first_id}`",
                     *median_run([*a, *x, "related", first_id], args.repeat), None, None))
        adds, volckers = [], []
        for i in range(args.repeat):
            one = tmp / f"one-{i}.json"
            one.write_text(json.dumps({
                "title": f"Volcker speaks at benchmark {i}", "date": "2026-11-29T12:00:00",
                "body": f"Paul Volcker said oil prices would matter, number {i}.",
                "source": "bench"}))
            adds.append(run([*a, *x, "import", str(one)], ok=(0,)))
            volckers.append(run([*a, *x, "search", "-n", "10", "--", "Paul Volcker"]))
        raw_volcker = (median_run([py, "-c", bench_core.RAW_SEARCH, str(raw_dir), "Paul Volcker"],
                                  args.repeat) if args.raw else (None, None))
        rows.append(("add one article, end to end", statistics.median(s for s, _ in adds),
                     max(m for _, m in adds), None, None))
        rows.append(("`Paul Volcker` right after adding one",
                     statistics.median(s for s, _ in volckers), max(m for _, m in volckers),
                     *raw_volcker))
        if args.semantic and semantic.installed():  # issue 20: the extra's cost at this size
            set_semantic(arc, "on")
            rows.append(("semantic extra: first `arch index` (every vector)",
                         *run([*a, *x, "index"], ok=(0,)), None, None))
            rows.append(("semantic extra: vectors file (MB, not s)",
                         sum(f.stat().st_size for f in (arc / "index").rglob("vectors.bin"))
                         / 1e6, 0.0, None, None))
            rows.append((f"semantic extra: `arch related {first_id}`",
                         *median_run([*a, *x, "related", first_id], args.repeat), None, None))
            set_semantic(arc, "off")
        if args.hostile:
            for label, query, extra in HOSTILE:
                ours = run([*a, *x, "search", "-n", "10", "--format", "tsv", *extra, "--", query],
                           ok=(0, 1, 2))
                # the raw script's search of the same text, where it is plain query text (no
                # arch option, no arch field): what Whoosh itself takes for it at this size
                # (blank where the raw script fails, as on 1,000 nested brackets, or is still
                # running after RAW_CAP seconds, which the label then says)
                raw_ref: tuple[float | None, float | None] = (None, None)
                if args.raw and args.raw_hostile and not extra and "date:" not in query:
                    with contextlib.suppress(SystemExit):
                        raw_ref = run([py, "-c", bench_core.RAW_SEARCH, str(raw_dir), query],
                                      ok=(0,), cap=RAW_CAP)
                    if raw_ref[0] is not None and raw_ref[0] >= RAW_CAP:
                        label = f"{label} (raw Whoosh > {RAW_CAP} s, stopped)"
                        raw_ref = (None, None)
                rows.append((f"hostile: {label}", *ours, *raw_ref))
        print(f"\nReuters-21578 x{args.size}: {n:,} articles, {os.cpu_count()} cores\n")
        print("| operation | arch s | arch peak MB | raw Whoosh s | raw peak MB | ratio |")
        print("|---|---|---|---|---|---|")
        for label, ours, peak, ref, ref_peak in rows:
            ref_s = f"{ref:.2f}" if ref is not None else ""
            ref_m = f"{ref_peak:.0f}" if ref_peak else ""
            ratio = f"{ours / ref:.2f}" if ref else ""
            print(f"| {label} | {ours:.2f} | {peak:.0f} | {ref_s} | {ref_m} | {ratio} |")
        worst = max(rows, key=lambda r: r[2])  # the import included
        print(f"\nlargest peak memory: {worst[0]}, {worst[2]:.0f} MB")
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
