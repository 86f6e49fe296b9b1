"""Core archive benchmark: arch against a raw Whoosh script, in the same run, on Reuters-21578.

    python bench/bench_core.py [--articles N] [--repeat 10] [--import-repeat 3]

Builds a JSONL file from ../shared/corpora/reuters21578 (through arch's own SGML reader), then
times, each as a whole process:

* full import + index: ``arch import reuters.jsonl`` into a new archive, against a raw Whoosh
  script that indexes the same records with the same schema and ``procs=2`` (median of
  ``--import-repeat`` runs each, taking turns);
* ``arch index`` with nothing changed;
* adding one article end to end (``arch import one.json``);
* one CLI search (median of ``--repeat``), against a raw Whoosh search script.

Prints a table with the ratio arch / raw Whoosh where there is a reference. The machine is noisy:
compare ratios, not seconds. Both sides run from compiled bytecode, as after ``pip install``:
Whoosh's is in site-packages, arch's is compiled first (with PYTHONDONTWRITEBYTECODE set, as on
some machines, an editable install would otherwise recompile arch's modules in every process).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# this checkout's archive_search, installed or not, here and in the processes timed below
sys.path.insert(0, str(REPO))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
SHARED = REPO.parent / "shared" / "corpora" / "reuters21578"
RAW_INDEX = r"""
import json, sys
from whoosh import index
from archive_search.index import build_schema
src, target, procs = sys.argv[1], sys.argv[2], int(sys.argv[3])
ix = index.create_in(target, build_schema())
writer = ix.writer(procs=procs, limitmb=256) if procs > 1 else ix.writer(limitmb=256)
with open(src, encoding="utf-8") as fh:
    for line in fh:
        r = json.loads(line)
        doc = {"id": r["id"], "title": r["title"], "body": r["body"], "source": r["source"],
               "tags": ",".join(r["tags"])}
        writer.add_document(**doc)
writer.commit()
"""
RAW_SEARCH = r"""
import sys
from whoosh import index, qparser
ix = index.open_dir(sys.argv[1])
with ix.searcher() as s:
    q = qparser.MultifieldParser(["title", "body", "tags"], ix.schema).parse(sys.argv[2])
    for hit in s.search(q, limit=10):
        print(hit["id"], hit.get("title", ""), sep="\t")
"""


def reuters_jsonl(path: Path, limit: int | None) -> int:
    """Write Reuters-21578 as JSONL (the format the core issue benchmarks); returns the count."""
    from archive_search.article import Article
    from archive_search.importers import ImportOptions, Source, importer

    reader = importer("reuters")
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for sgm in sorted(SHARED.glob("reut2-*.sgm.gz")):
            data = gzip.decompress(sgm.read_bytes())
            for item in reader.read(Source.from_bytes(sgm.name[:-3], data), ImportOptions()):
                if not isinstance(item, Article):
                    continue
                record = {
                    "id": item.id,
                    "title": item.title,
                    "date": item.date,
                    "body": item.body,
                    "tags": item.tags,
                    "source": item.source,
                }
                out.write(json.dumps(record) + "\n")
                count += 1
                if limit and count >= limit:
                    return count
    return count


def timed(cmd: list[str], ok: tuple[int, ...] = (0,)) -> float:
    """Wall time of one whole process (its stderr is shown when it fails)."""
    started = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr[-500:]}")
    return elapsed


def median_time(cmd: list[str], repeat: int) -> float:
    return statistics.median(timed(cmd) for _ in range(repeat))


def median_times(cmds: list[list[str]], repeat: int) -> list[float]:
    """Median wall time of each command, the commands taking turns, so that a burst of load
    on this shared machine falls on all of them alike."""
    times: list[list[float]] = [[] for _ in cmds]
    for _ in range(repeat):
        for cmd, seen in zip(cmds, times, strict=True):
            seen.append(timed(cmd))
    return [statistics.median(seen) for seen in times]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=None, help="only the first N articles")
    parser.add_argument("--repeat", type=int, default=10, help="searches timed, each side")
    parser.add_argument("--import-repeat", type=int, default=3, help="full imports, each side")
    parser.add_argument("--query", default="cocoa prices")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print("skipped: ../shared/corpora/reuters21578 not present", file=sys.stderr)
        return 0
    py = sys.executable
    arch = [py, "-m", "archive_search"]
    subprocess.run([py, "-m", "compileall", "-q", str(REPO / "archive_search")], check=True)
    with tempfile.TemporaryDirectory(prefix="arch-bench-") as tmp:
        tmp_path = Path(tmp)
        jsonl = tmp_path / "reuters.jsonl"
        n = reuters_jsonl(jsonl, args.articles)
        print(
            f"{n:,} Reuters articles as JSONL ({jsonl.stat().st_size / 1e6:.1f} MB)",
            file=sys.stderr,
        )
        rows = []
        # the two imports take turns, each into a new folder; the last ones are kept for the
        # measurements below
        raw_runs, arch_runs = [], []
        for turn in range(args.import_repeat):
            raw_dir = tmp_path / f"raw-index-{turn}"
            raw_dir.mkdir()
            raw_runs.append(timed([py, "-c", RAW_INDEX, str(jsonl), str(raw_dir), "2"]))
            arc = tmp_path / f"archive-{turn}"
            subprocess.run([*arch, "init", str(arc)], check=True, stderr=subprocess.DEVNULL)
            # exit 1 allowed: an input with an empty story reports it as failed
            arch_runs.append(
                timed([*arch, "--archive", str(arc), "import", str(jsonl)], ok=(0, 1))
            )
            print(f"import turn {turn + 1}: arch {arch_runs[-1]:.2f} s, raw Whoosh "
                  f"{raw_runs[-1]:.2f} s ({arch_runs[-1] / raw_runs[-1]:.2f})", file=sys.stderr)
            if turn < args.import_repeat - 1:
                shutil.rmtree(raw_dir)
                shutil.rmtree(arc)
        label = f"import + index, all articles (median of {args.import_repeat})"
        rows.append((label, statistics.median(arch_runs), statistics.median(raw_runs)))
        # both indexes hold the same articles here: the same output as the raw script (id and
        # title of the top ten), then arch's default output
        arch_id_title = [*arch, "--archive", str(arc), "search", args.query, "--format", "tsv",
                         "--fields", "id,title"]
        raw_search = [py, "-c", RAW_SEARCH, str(raw_dir), args.query]
        arch_search, arch_default, raw_time = median_times(
            [arch_id_title, [*arch, "--archive", str(arc), "search", args.query, "--format", "tsv"],
             raw_search],
            args.repeat,
        )
        label = f"one CLI search, id+title (median of {args.repeat})"
        rows.append((label, arch_search, raw_time))
        rows.append(("the same, default fields with snippets", arch_default, raw_time))
        idle = median_time([*arch, "--archive", str(arc), "index"], 5)
        rows.append(("arch index, nothing changed (median of 5)", idle, None))
        adds = []
        for i in range(5):
            one = tmp_path / f"one-{i}.json"
            one.write_text(
                json.dumps(
                    {
                        "title": f"Benchmark article {i}",
                        "date": "2026-11-29T12:00:00",
                        "body": f"A new article about cocoa number {i}.",
                        "source": "bench",
                    }
                )
            )
            adds.append(timed([*arch, "--archive", str(arc), "import", str(one)]))
        rows.append(("add one article, end to end (median of 5)", statistics.median(adds), None))
        # those imports added a small segment beside the import's two (each segment costs a
        # search a few milliseconds to open; updates fold the tiny ones into one)
        arch_after, raw_time = median_times([arch_id_title, raw_search], args.repeat)
        rows.append(("search id+title again, after those 5 imports", arch_after, raw_time))
    print(f"\nReuters-21578, {n:,} articles, {os.cpu_count()} cores\n")
    print(f"| {'measure':<44} | {'arch (s)':>9} | {'raw Whoosh (s)':>14} | {'ratio':>6} |")
    print(f"|{'-' * 46}|{'-' * 11}|{'-' * 16}|{'-' * 8}|")
    for name, ours, ref in rows:
        ref_s = f"{ref:14.2f}" if ref else f"{'-':>14}"
        ratio = f"{ours / ref:6.2f}" if ref else f"{'-':>6}"
        print(f"| {name:<44} | {ours:9.2f} | {ref_s} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
