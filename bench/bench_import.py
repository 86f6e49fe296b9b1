"""Import benchmark: every input format on real data, as whole `arch import` processes.

    python bench/bench_import.py            # Reuters as JSONL vs SGML, the 41 web pages
    python bench/bench_import.py --big      # also a 200 MB JSONL file, for peak memory

Each import runs in a fresh archive, in its own process, timed from outside; peak memory is the
process's maximum resident set size. The JSONL figure is the reference for the SGML one (same
articles, same run), so the ratio is what to read on a noisy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import reuters_jsonl  # noqa: E402


def run_import(archive: Path, *inputs: str | Path, extra: tuple[str, ...] = ()) -> dict:
    """One ``arch import`` process: wall seconds, peak RSS (MB) and its summary line."""
    subprocess.run([sys.executable, "-m", "archive_search", "init", str(archive)],
                   check=True, stderr=subprocess.DEVNULL)
    cmd = [sys.executable, "-m", "archive_search", "--archive", str(archive), "import",
           *extra, *map(str, inputs)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stderr = proc.stderr.read() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    summary = [line for line in stderr.splitlines() if "imported" in line][-1:]
    return {"seconds": elapsed, "peak_mb": usage.ru_maxrss / 1024,
            "summary": summary[0] if summary else stderr[-300:], "status": proc.returncode}


def imported(result: dict) -> int:
    words = result["summary"].split("imported ", 1)[-1].split(",", 1)[0]
    return int(words) if words.isdigit() else 0


def big_jsonl(path: Path, source: Path, megabytes: int) -> int:
    """Repeat the Reuters JSONL with fresh ids and titles until the file has ``megabytes``."""
    lines = source.read_text(encoding="utf-8").splitlines()
    count, size, copy = 0, 0, 0
    with open(path, "w", encoding="utf-8") as out:
        while size < megabytes * 1_000_000:
            copy += 1
            for line in lines:
                record = json.loads(line)
                record["id"] = f"{record['id']}-copy{copy}"
                record["title"] = f"{record['title']} (copy {copy})"
                text = json.dumps(record) + "\n"
                out.write(text)
                size += len(text)
                count += 1
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", action="store_true", help="also import a 200 MB JSONL file")
    args = parser.parse_args()
    if not CORPORA.is_dir():
        print("skipped: ../shared/corpora not present", file=sys.stderr)
        return 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="arch-bench-import-") as tmp:
        tmp_path = Path(tmp)
        jsonl = tmp_path / "reuters.jsonl"
        reuters_jsonl(jsonl, None)
        sgml = sorted((CORPORA / "reuters21578").glob("reut2-*.sgm.gz"))
        as_jsonl = run_import(tmp_path / "a1", jsonl)
        as_sgml = run_import(tmp_path / "a2", *sgml)
        pages = run_import(tmp_path / "a3", CORPORA / "web-html")
        rows += [("Reuters-21578 as JSONL", as_jsonl), ("Reuters-21578 as SGML (.sgm.gz)", as_sgml),
                 ("41 saved web pages (HTML)", pages)]
        if args.big:
            big = tmp_path / "big.jsonl"
            n = big_jsonl(big, jsonl, 200)
            print(f"{n:,} records, {big.stat().st_size / 1e6:.0f} MB", file=sys.stderr)
            rows.append(("200 MB JSONL, --no-index", run_import(tmp_path / "a4", big,
                                                               extra=("--no-index",))))
    print(f"\n| {'input':<34} | {'articles':>8} | {'seconds':>7} | {'articles/s':>10} "
          f"| {'peak MB':>7} |")
    print(f"|{'-' * 36}|{'-' * 10}|{'-' * 9}|{'-' * 12}|{'-' * 9}|")
    for name, r in rows:
        n = imported(r)
        print(f"| {name:<34} | {n:8,} | {r['seconds']:7.1f} | {n / r['seconds']:10,.0f} "
              f"| {r['peak_mb']:7.0f} |")
    per_jsonl = as_jsonl["seconds"] / max(imported(as_jsonl), 1)
    per_sgml = as_sgml["seconds"] / max(imported(as_sgml), 1)
    print(f"\nSGML time per article / JSONL time per article: {per_sgml / per_jsonl:.2f}")
    for name, r in rows:
        print(f"{name}: {r['summary']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
