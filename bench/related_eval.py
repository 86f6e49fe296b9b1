"""Related-article suggestions on Reuters-21578: arch against plain baselines, in one run.

    python bench/related_eval.py                        # build a temporary archive, evaluate
    python bench/related_eval.py --archive /tmp/reuters # build it there once, reuse it after
    python bench/related_eval.py --set CANDIDATES=80    # try a setting of archive_search.related

The archive holds all of Reuters-21578 as ``arch import`` makes it, plus the copies the import
refuses as exact duplicates, written straight into ``corpus/`` with their own ids and indexed
(so duplicates are present, as in an archive filled by hand). For a fixed sample of articles
with topics (``extra.topics``), each system suggests 10 articles; the table gives:

* P@10: the share of the 10 suggestions sharing at least one topic with the article;
* exact copies found: of all (article, copy) pairs with identical title and body, the share
  where the copy is among the 10 suggestions (for arch: and flagged ``duplicate``);
* near-copies flagged: suggestions flagged ``duplicate`` that are not exact copies;
* the mean time per call, in process.

Systems: scikit-learn tf-idf cosine over title and body (defaults; and with English stop words
and sublinear tf), Whoosh ``more_like`` with its defaults, and arch's ``related`` without and
with tag overlap. Tags include the topics, so the figure with tags leaks the answer; the honest
one is without. ``--speed`` also times ``related`` as a whole Python process (median of 10).
"""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from archive_search import Archive, Article  # noqa: E402
from archive_search import related as related_mod  # noqa: E402
from archive_search.importers import ImportOptions, Source, importer  # noqa: E402

REUTERS = REPO.parent / "shared" / "corpora" / "reuters21578"
K = 10
#: numterms tried for a tuned more_like (its default is 5, which picks words unique to the story)
MORE_LIKE_TERMS = (30,)


@dataclass
class Doc:
    id: str
    title: str
    body: str
    topics: frozenset[str]


@dataclass
class Row:
    system: str
    p_at_10: float
    copies_found: float
    near_flagged: int | None
    ms_per_call: float


def build_archive(root: Path) -> Archive:
    """Reuters-21578 imported by arch, plus the exact duplicates the import refused."""
    if (root / "archive.yaml").is_file():
        return Archive.open(root)
    files = sorted(REUTERS.glob("reut2-*.sgm.gz"))
    if not files:
        sys.exit(f"Reuters-21578 not found in {REUTERS}")
    started = time.perf_counter()
    arc = Archive.init(root)
    report = arc.import_paths([str(f) for f in files], format="reuters")
    have = set(arc.index.load_manifest().ids())
    reader = importer("reuters")
    added = 0
    for sgm in files:
        source = Source.from_bytes(sgm.name[:-3], gzip.decompress(sgm.read_bytes()))
        for item in reader.read(source, ImportOptions()):
            if isinstance(item, Article) and item.id not in have and (item.title or item.body):
                arc.corpus.write(item)
                added += 1
    arc.update_index()
    print(
        f"built {root}: {report.imported} imported, {added} refused copies added "
        f"({time.perf_counter() - started:.0f} s)",
        file=sys.stderr,
    )
    return arc


def load_docs(arc: Archive) -> dict[str, Doc]:
    docs = {}
    for _, article in arc.articles():
        topics = frozenset(article.extra.get("topics") or ())
        docs[article.id] = Doc(article.id, article.title, article.body, topics)
    return docs


def copy_groups(docs: dict[str, Doc]) -> dict[str, set[str]]:
    """Each article with an exact copy (same title and body) -> the ids of its copies."""
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for doc in docs.values():
        groups[(doc.title, doc.body)].add(doc.id)
    return {i: group - {i} for group in groups.values() if len(group) > 1 for i in group}


def evaluate(
    name: str,
    suggest: Callable[[str], list[tuple[str, bool]]],
    sample: list[str],
    docs: dict[str, Doc],
    copies: dict[str, set[str]],
    flags: bool,
) -> Row:
    """Score a system: ``suggest(id)`` returns (id, flagged as duplicate) pairs, best first."""
    precisions, times = [], []
    found = total = near = 0
    for doc_id in sample:
        started = time.perf_counter()
        got = suggest(doc_id)[:K]
        times.append(time.perf_counter() - started)
        topics = docs[doc_id].topics
        precisions.append(sum(bool(docs[i].topics & topics) for i, _ in got) / K)
    for doc_id, others in sorted(copies.items()):
        started = time.perf_counter()
        got = suggest(doc_id)[:K]
        times.append(time.perf_counter() - started)
        listed = {i for i, flagged in got if flagged or not flags}
        found += len(others & listed)
        total += len(others)
        near += sum(1 for i, flagged in got if flagged and i not in others)
    return Row(
        name,
        statistics.mean(precisions),
        found / total if total else 0.0,
        near if flags else None,
        1000 * statistics.mean(times),
    )


def tfidf_system(docs: dict[str, Doc], **options: object) -> Callable[[str], list]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    ids = sorted(docs)
    position = {doc_id: n for n, doc_id in enumerate(ids)}
    matrix = TfidfVectorizer(**options).fit_transform(
        [docs[i].title + "\n" + docs[i].body for i in ids]
    )

    def suggest(doc_id: str) -> list[tuple[str, bool]]:
        row = position[doc_id]
        sims = (matrix @ matrix[row].T).toarray().ravel()
        sims[row] = -1.0
        best = sims.argsort()[::-1][:K]
        return [(ids[n], False) for n in best if sims[n] > 0]

    return suggest


def more_like_system(
    arc: Archive, docs: dict[str, Doc], numterms: int = 5
) -> Callable[[str], list]:
    """Whoosh's ``more_like`` on the body field: with its defaults (``numterms=5``, Bo1 term
    selection) or with more terms, the one setting that changes its answers much."""
    searcher = arc.index.open().searcher()

    def suggest(doc_id: str) -> list[tuple[str, bool]]:
        docnum = searcher.document_number(id=doc_id)
        text = docs[doc_id].title + "\n" + docs[doc_id].body
        hits = searcher.more_like(docnum, "body", text=text, numterms=numterms, top=K)
        return [(hit["id"], False) for hit in hits]

    return suggest


def arch_system(arc: Archive, use_tags: bool) -> Callable[[str], list]:
    def suggest(doc_id: str) -> list[tuple[str, bool]]:
        result = related_mod.related(arc, doc_id, limit=K, use_tags=use_tags)
        return [(item.id, item.duplicate) for item in result.items]

    return suggest


def process_times(root: Path, article_id: str, repeat: int) -> list[tuple[str, float]]:
    """Median wall time of whole Python processes: imports only, a search, related()."""
    scripts = {
        "python + import archive_search": "from archive_search import Archive",
        "search (Archive.open(path).search)": (
            "from archive_search import Archive\n"
            f"Archive.open({str(root)!r}).search('cocoa', limit=10)"
        ),
        "related (Archive.open + related)": (
            "from archive_search import Archive\n"
            "from archive_search.related import related\n"
            f"related(Archive.open({str(root)!r}), {article_id!r}, limit=10)"
        ),
    }
    commands = {label: [sys.executable, "-c", code] for label, code in scripts.items()}
    # the measure: the command a reader types, as a whole process
    commands["arch related ID (the CLI)"] = [
        sys.executable, "-m", "archive_search", "--archive", str(root), "related", article_id,
        "--format", "tsv",
    ]
    # from compiled bytecode, as after pip install (PYTHONDONTWRITEBYTECODE may be set)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "archive_search")],
                   check=True)
    rows = []
    for label, command in commands.items():
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            subprocess.run(command, check=True, cwd=REPO, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - started)
        rows.append((label, statistics.median(times)))
    return rows


def apply_settings(pairs: list[str]) -> None:
    for pair in pairs:
        name, _, value = pair.partition("=")
        if not hasattr(related_mod, name):
            sys.exit(f"archive_search.related has no setting {name}")
        setattr(related_mod, name, type(getattr(related_mod, name))(eval(value)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--archive", type=Path, help="build the archive here once and reuse it")
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--seed", type=int, default=21578)
    parser.add_argument("--systems", default="tfidf,tfidf-sw,more_like,more_like-30,arch,arch+tags")
    parser.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a setting of related.py",
    )
    parser.add_argument("--speed", action="store_true", help="also time whole processes")
    args = parser.parse_args()
    apply_settings(args.settings)

    with tempfile.TemporaryDirectory(prefix="arch-related-") as tmp:
        root = args.archive or Path(tmp) / "reuters"
        arc = build_archive(root)
        arc.ensure_index()
        docs = load_docs(arc)
        copies = copy_groups(docs)
        with_topics = sorted(i for i, d in docs.items() if d.topics)
        sample = random.Random(args.seed).sample(with_topics, args.sample)
        print(
            f"{len(docs)} articles, {len(with_topics)} with topics, sample {len(sample)} "
            f"(seed {args.seed}); {len(copies)} articles have exact copies "
            f"({sum(map(len, copies.values()))} pairs)\n"
        )
        systems: dict[str, tuple[Callable[[], Callable[[str], list]], bool]] = {
            "tfidf": (lambda: tfidf_system(docs), False),
            "tfidf-sw": (
                lambda: tfidf_system(docs, stop_words="english", sublinear_tf=True),
                False,
            ),
            "more_like": (lambda: more_like_system(arc, docs), False),
            **{
                f"more_like-{n}": (lambda n=n: more_like_system(arc, docs, numterms=n), False)
                for n in MORE_LIKE_TERMS
            },
            "arch": (lambda: arch_system(arc, use_tags=False), True),
            "arch+tags": (lambda: arch_system(arc, use_tags=True), True),
        }
        labels = {
            "tfidf": "tf-idf cosine (scikit-learn defaults)",
            "tfidf-sw": "tf-idf cosine (English stop words, sublinear tf)",
            "more_like": "Whoosh more_like (defaults)",
            **{f"more_like-{n}": f"Whoosh more_like, numterms={n}" for n in MORE_LIKE_TERMS},
            "arch": "arch related, no tags (honest)",
            "arch+tags": "arch related, with tags (leaks topics)",
        }
        rows = []
        for key in args.systems.split(","):
            make, flags = systems[key]
            rows.append(evaluate(labels[key], make(), sample, docs, copies, flags))
        print(f"{'system':50} {'P@10':>6} {'copies found':>13} {'near flagged':>13} {'ms/call':>8}")
        for row in rows:
            near = "-" if row.near_flagged is None else str(row.near_flagged)
            print(
                f"{row.system:50} {row.p_at_10:6.3f} {row.copies_found:13.1%} {near:>13} "
                f"{row.ms_per_call:8.1f}"
            )
        if args.speed:
            print("\nwhole process, median of 10:")
            for label, seconds in process_times(root, sample[0], 10):
                print(f"  {label:45} {seconds:6.3f} s")


if __name__ == "__main__":
    main()
