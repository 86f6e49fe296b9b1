"""Peak memory and time of `arch import` on inputs that are large or lie about themselves.

    python bench/bench_memory.py                    # 1 MB, 100 MB and 1 GB of each kind
    python bench/bench_memory.py --sizes 1,100      # sizes in MB
    python bench/bench_memory.py --dir /var/tmp     # where the inputs are generated

Kinds of input, each generated into a temporary folder (streamed to disk, never held whole in
memory) and deleted afterwards:

- ``text``: a plain-text article of N MB (a title line, then paragraphs);
- ``jsonl``: a JSON Lines file of a few small records around one line of N MB;
- ``gz-bomb``: a ``.txt.gz`` that decompresses to N MB of one repeated sentence;
- ``lying-zip``: a zip whose headers say its N MB member holds 1,000 bytes;
- ``html``, ``feed``: a saved page of N MB of paragraphs, an RSS feed of N MB of items.

Each import runs in a fresh archive as its own process; peak memory is that process's maximum
resident set size (``ru_maxrss`` from ``wait4``, which covers its helper processes). Then the
inputs just under the default limits, which are imported rather than refused (the costliest
accepted inputs), and for the largest article the time of a four-word search afterwards. The
free space of the target folder is checked first: the largest size needs about twice its size.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

MB = 1024 * 1024
SENTENCE = "The harbour council met on Monday and the minister said the ferry would run again. "
PARAGRAPH = (SENTENCE * 6).strip() + "\n\n"


def chunks(size: int, text: str) -> Iterator[bytes]:
    """``size`` bytes made of ``text`` repeated, in pieces of about 1 MB."""
    piece = (text * (MB // len(text) + 1)).encode()[:MB]
    left = size
    while left > 0:
        yield piece[:left]
        left -= len(piece)


def make_text(folder: Path, size: int) -> Path:
    path = folder / "article.txt"
    with path.open("wb") as out:
        out.write(b"Ferry service returns to the harbour\n\n")
        for piece in chunks(size, PARAGRAPH):
            out.write(piece)
    return path


def make_jsonl(folder: Path, size: int) -> Path:
    path = folder / "export.jsonl"
    small = [json.dumps({"title": f"Story {i}", "body": SENTENCE}) for i in range(3)]
    with path.open("wb") as out:
        out.write((small[0] + "\n").encode())
        out.write(b'{"title": "One huge record", "body": "')
        for piece in chunks(size, SENTENCE):
            out.write(piece)
        out.write(b'"}\n')
        out.write(("\n".join(small[1:]) + "\n").encode())
    return path


def make_gz_bomb(folder: Path, size: int) -> Path:
    path = folder / "bomb.txt.gz"
    with gzip.open(path, "wb", compresslevel=9) as out:
        for piece in chunks(size, SENTENCE):
            out.write(piece)
    return path


def make_lying_zip(folder: Path, size: int) -> Path:
    path = folder / "lying.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("story.txt", "w") as out:
        for piece in chunks(size, PARAGRAPH):
            out.write(piece)
    with path.open("r+b") as raw:
        raw.seek(22)  # the local header's uncompressed size
        raw.write(struct.pack("<I", 1000))
        raw.seek(0, os.SEEK_END)
        end = raw.tell()
        raw.seek(max(0, end - 4096))
        tail = raw.read()
        central = end - len(tail) + tail.rfind(b"PK\x01\x02")
        raw.seek(central + 24)
        raw.write(struct.pack("<I", 1000))
    return path


def make_html(folder: Path, size: int) -> Path:
    path = folder / "page.html"
    with path.open("wb") as out:
        out.write(b"<html><head><title>Ferry returns</title></head><body><article>"
                  b"<h1>Ferry returns</h1>")
        for piece in chunks(size - 200, f"<p>{SENTENCE * 5}</p>\n"):
            out.write(piece)
        out.write(b"</p></article></body></html>")
    return path


def make_feed(folder: Path, size: int) -> Path:
    path = folder / "feed.rss"
    with path.open("w") as out:
        out.write('<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>')
        written, number = 0, 0
        while written < size - 200:
            item = (f"<item><title>Story {number}</title><link>https://desk.example/{number}"
                    f"</link><description>{SENTENCE * 10}</description></item>\n")
            out.write(item)
            written, number = written + len(item), number + 1
        out.write("</channel></rss>")
    return path


KINDS: dict[str, Callable[[Path, int], Path]] = {
    "text": make_text,
    "jsonl": make_jsonl,
    "gz-bomb": make_gz_bomb,
    "lying-zip": make_lying_zip,
    "html": make_html,
    "feed": make_feed,
}
#: Inputs just under the default limits (``import.max_article_mb`` 1, ``max_document_mb`` 10).
AT_LIMITS = (("text", 0.99), ("jsonl", 0.99), ("html", 9.9), ("feed", 9.9))


def arch(*args: str) -> list[str]:
    return [sys.executable, "-m", "archive_search", *args]


def run_import(archive: Path, path: Path) -> dict:
    """One ``arch import`` process in a fresh archive: seconds, peak RSS, status, stderr."""
    subprocess.run(arch("init", str(archive)), check=True, stderr=subprocess.DEVNULL)
    started = time.perf_counter()
    proc = subprocess.Popen(arch("--archive", str(archive), "import", str(path)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stderr = proc.stderr.read() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    return {"seconds": time.perf_counter() - started, "peak_mb": usage.ru_maxrss / 1024,
            "status": os.waitstatus_to_exitcode(status), "stderr": stderr}


def said(stderr: str) -> str:
    """The line that says what became of the big input (a failure, else the summary)."""
    lines = stderr.strip().splitlines()
    failed = [line for line in lines if line.startswith("arch: failed")]
    return (failed or lines or [""])[-1][:150]


def search_after_largest_article(folder: Path) -> tuple[dict, float]:
    """Import a JSONL record just under the default article limit (1 MB) of 50,000 distinct
    words (the worst case for stemming), then time a four-word search (the best of three
    runs, after one to warm up). Returns the import's figures and the search's seconds."""
    path = folder / "largest.jsonl"
    words = " ".join(f"w{i % 50_000}" for i in range(700_000))[: MB - 1000]
    with path.open("w") as out:
        out.write(json.dumps({"title": "Largest article", "body": SENTENCE + words}) + "\n")
        out.write(json.dumps({"title": "Ferry", "body": SENTENCE}) + "\n")
    archive = folder / "archive-largest"
    result = run_import(archive, path)
    query = arch("--archive", str(archive), "search", "harbour minister ferry w17",
                 "--format", "tsv")
    times = []
    for _ in range(4):
        started = time.perf_counter()
        subprocess.run(query, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    shutil.rmtree(archive)
    path.unlink()
    return result, min(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,100,1024", help="input sizes in MB")
    parser.add_argument("--no-limits", action="store_true",
                        help="skip the inputs just under the limits and the search after")
    parser.add_argument("--kinds", default=",".join(KINDS), help="which kinds of input")
    parser.add_argument("--dir", default=None, help="folder for the generated inputs")
    args = parser.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    base = Path(args.dir or tempfile.gettempdir())
    free = shutil.disk_usage(base).free
    if free < 2 * max(sizes) * MB + 512 * MB:
        sys.exit(f"{base}: {free // MB:,} MB free, need {2 * max(sizes) + 512:,.0f} MB")
    print(f"{base}: {free // MB:,} MB free; python {sys.version.split()[0]}", flush=True)
    print(f"{'input':<10} {'MB':>5} {'make s':>7} {'import s':>8} {'peak MB':>8} {'exit':>4}  "
          "what arch said")
    runs = [(kind, size) for kind in args.kinds.split(",") for size in sizes]
    if not args.no_limits:
        runs += list(AT_LIMITS)
    with tempfile.TemporaryDirectory(prefix="bench-memory-", dir=base) as tmp:
        folder = Path(tmp)
        for kind, size in runs:
            started = time.perf_counter()
            path = KINDS[kind](folder, int(size * MB))
            made = time.perf_counter() - started
            result = run_import(folder / "archive", path)
            print(f"{kind:<10} {size:>5g} {made:>7.1f} {result['seconds']:>8.2f} "
                  f"{result['peak_mb']:>8.0f} {result['status']:>4}  {said(result['stderr'])}",
                  flush=True)
            path.unlink()
            shutil.rmtree(folder / "archive")
        if not args.no_limits:
            imported, searched = search_after_largest_article(folder)
            print(f"\na 1 MB article of 50,000 distinct words: imported in "
                  f"{imported['seconds']:.1f} s, peak {imported['peak_mb']:.0f} MB; then a "
                  f"four-word search takes {searched:.2f} s")


if __name__ == "__main__":
    main()
