"""Name-aware `arch search` and `arch names` on a Reuters-21578 archive: quality and speed.

    python bench/names_search_eval.py                 # builds a temporary Reuters archive
    python bench/names_search_eval.py --archive DIR   # or uses one built with `arch import`

Truth: Reuters' PEOPLE tags (see bench/names_eval.py for how each tag's spellings are found).
For every person tagged on at least three stories, the query is the person's usual spelling,
then the same with one letter dropped from the surname (a typo). Precision and recall are over
the stories tagged with the person, for name-aware search and for ``--exact`` in the same run.
Then: seconds of a whole ``arch names QUERY`` process (median of 10), and what extracting
names costs a rebuild (a rebuild with extraction against one without, same run).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import names_eval  # noqa: E402

from archive_search import Archive  # noqa: E402
from archive_search.names import extract_names  # noqa: E402


def typo(name: str) -> str:
    """A typo: the surname without its second-to-last letter (Volcker -> Volckr)."""
    words = name.split()
    last = words[-1]
    if len(last) > 4:
        words[-1] = last[:-2] + last[-1]
    return " ".join(words)


def prf(found: set[str], truth: set[str]) -> tuple[float, float]:
    hit = len(found & truth)
    return (hit / len(found) if found else 1.0), hit / len(truth)


def process_seconds(cmd: list[str], repeat: int = 10) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, default=None)
    args = parser.parse_args()
    if not names_eval.DEFAULT_CORPORA.is_dir():
        print("skipped: ../shared/corpora not present", file=sys.stderr)
        return 0
    stories = names_eval.load_stories(names_eval.DEFAULT_CORPORA)
    people = names_eval.find_people(stories, [extract_names(s.title, s.body) for s in stories])
    tagged: dict[str, set[str]] = {}
    for story in stories:
        for tag in story.people:
            tagged.setdefault(tag, set()).add(story.id)
    people = [p for p in people if len(tagged.get(p.tag, ())) >= 3]
    with tempfile.TemporaryDirectory(prefix="arch-names-") as tmp:
        root = args.archive
        if root is None:
            root = Path(tmp) / "reuters"
            arc = Archive.init(root)
            arc.import_paths(sorted(names_eval.DEFAULT_CORPORA.glob("reut2-*.sgm.gz")))
        arc = Archive.open(root)
        arc.ensure_index()
        arc.index.name_catalog()
        rows = []
        for kind, make in (("usual spelling", lambda p: p.intended),
                           ("typo", lambda p: typo(p.intended))):
            for exact in (False, True):
                precisions, recalls = [], []
                for person in people:
                    result = arc.search(make(person), limit=0, snippets=False, exact=exact,
                                        suggest=False)
                    p, r = prf({h.id for h in result.hits}, tagged[person.tag])
                    precisions.append(p)
                    recalls.append(r)
                label = "arch search --exact" if exact else "arch search (name-aware)"
                rows.append((kind, label, statistics.mean(precisions), statistics.mean(recalls)))
        arch = [sys.executable, "-m", "archive_search", "--archive", str(root)]
        names_s = process_seconds([*arch, "names", "Volcker", "--format", "tsv"])
        search_s = process_seconds([*arch, "search", "Paul Volker", "--format", "tsv",
                                    "--fields", "id,title"])
        import archive_search.index as index_mod

        started = time.perf_counter()
        arc.index.rebuild()
        with_names = time.perf_counter() - started
        original = index_mod.article_names
        index_mod.article_names = lambda article: list(article.names)
        try:
            started = time.perf_counter()
            arc.index.rebuild()
            without = time.perf_counter() - started
        finally:
            index_mod.article_names = original
            arc.index.rebuild()
    print(f"\n{len(people)} people tagged on 3+ Reuters stories\n")
    print(f"| {'query':<15} | {'system':<25} | {'precision':>9} | {'recall':>6} |")
    print(f"|{'-' * 17}|{'-' * 27}|{'-' * 11}|{'-' * 8}|")
    for kind, label, p, r in rows:
        print(f"| {kind:<15} | {label:<25} | {p:9.3f} | {r:6.3f} |")
    print(f"\narch names Volcker, whole process (median of 10): {names_s:.2f} s")
    print(f"arch search 'Paul Volker', whole process (median of 10): {search_s:.2f} s")
    print(f"rebuild with name extraction {with_names:.1f} s, without {without:.1f} s: "
          f"+{(with_names / without - 1) * 100:.0f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
