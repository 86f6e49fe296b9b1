"""Ranking quality on news: Reuters-21578 searched with a reporter's short queries, arch against
SQLite FTS5 and tantivy in the same run.

Run ``python bench/news_eval.py [--quick] [--turns 3]`` from the repository root.

The documents are the stories whose ``TOPICS`` attribute is ``YES`` (the ones Reuters' indexers
judged for subject codes), read with arch's own Reuters reader, and imported as title and body
only: no tags, dateline or places, so the subject codes cannot be matched, only the words of the
story. The queries are ``bench/news_queries.tsv``: one short query per code that labels at least
20 of those stories, written by hand (see the file's head); a story is relevant to a query when
it carries the query's code. Every system is built once and asked every query ``--turns`` times
(the scores are the same each turn; the query time is the median turn's), and the scores are
given for all queries and for the fixed development and held-out halves, so that tuning can be
reported on queries it was not tuned on.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import ir_eval
from ir_collections import Collection, Document
from ir_eval import Builder, Metrics, System
from tabulate import tabulate

REPO = Path(__file__).resolve().parents[1]
DEFAULT_REUTERS = REPO.parent / "shared" / "corpora" / "reuters21578"
QUERIES = Path(__file__).resolve().parent / "news_queries.tsv"
SPLITS = ("dev", "held")
#: A code must label at least this many of the judged stories to get a query.
MIN_STORIES = 20


@dataclass(frozen=True)
class NewsQuery:
    """One line of ``news_queries.tsv``: the topic code it is judged by, its half, its text."""

    code: str
    split: str
    text: str


def read_queries(path: Path = QUERIES) -> list[NewsQuery]:
    """The query file's rows in file order; ``#`` lines are its documentation. A row that is
    not ``code<TAB>dev|held<TAB>query`` raises ValueError naming its line."""
    queries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or parts[1] not in SPLITS or not all(p.strip() for p in parts):
            raise ValueError(f"{path.name}:{number}: expected code<TAB>dev|held<TAB>query")
        queries.append(NewsQuery(parts[0], parts[1], parts[2]))
    return queries


def judged_stories(folder: Path) -> Iterator[tuple[Document, list[str]]]:
    """Each story with ``TOPICS="YES"`` as a title-and-body document, with its topic codes.

    arch's Reuters reader (the one ``arch import`` uses) makes the title and body, so all
    systems see exactly the text an archive would hold; stories it refuses (empty) are left out.
    """
    from archive_search.article import Article
    from archive_search.importers import reuters

    for path in sorted(folder.glob("reut2-*.sgm.gz")):
        with gzip.open(path) as stream:
            for record, (story, complete) in enumerate(reuters.stories(stream), start=1):
                if not complete or 'TOPICS="YES"' not in story[: story.find(">")]:
                    continue
                for item in reuters.parse_story(story, record):
                    if isinstance(item, Article) and item.id:
                        doc = Document(item.id, item.title, item.body, item.date)
                        yield doc, reuters.story_list(story, "topics")


def load(folder: Path = DEFAULT_REUTERS, queries: Sequence[NewsQuery] | None = None) -> Collection:
    """Reuters as an evaluation collection: query ids are the topic codes."""
    queries = read_queries() if queries is None else queries
    documents: list[Document] = []
    qrels: dict[str, dict[str, int]] = {q.code: {} for q in queries}
    for doc, codes in judged_stories(folder):
        documents.append(doc)
        for code in codes:
            if code in qrels:
                qrels[code][doc.id] = 1
    if not documents:
        raise OSError(f"no Reuters-21578 stories in {folder}")
    return Collection("reuters", documents, {q.code: q.text for q in queries}, qrels)


def half(collection: Collection, queries: Sequence[NewsQuery], split: str) -> Collection:
    """The collection asked only the queries of one half (``dev`` or ``held``)."""
    wanted = {q.code for q in queries if q.split == split}
    kept = {qid: text for qid, text in collection.queries.items() if qid in wanted}
    return replace(collection, queries=kept)


def quick(collection: Collection, every: int = 3) -> Collection:
    """Every ``every``-th query only, for a fast check that the run works end to end."""
    kept = dict(list(collection.queries.items())[::every])
    return replace(collection, queries=kept)


# --- the run ----------------------------------------------------------------------------------


@dataclass
class Scored:
    """One system's scores on all queries and on each half, its build time and query time."""

    system: str
    scores: dict[str, Metrics]
    index_seconds: float
    ms_per_query: float
    note: str = ""


def score(system: System, parts: dict[str, Collection], turns: int) -> tuple[dict[str, Metrics],
                                                                               float]:
    """Each part scored once (rankings do not change between turns) and the whole query set
    timed ``turns`` times: the median turn's milliseconds per query."""
    scores = {name: ir_eval.evaluate(system.run, part) for name, part in parts.items()}
    times = [scores["all"].ms_per_query]
    for _ in range(turns - 1):
        times.append(ir_eval.evaluate(system.run, parts["all"]).ms_per_query)
    return scores, statistics.median(times)


def run(collection: Collection, queries: Sequence[NewsQuery], builders: dict[str, Builder],
        depth: int, turns: int) -> list[Scored]:
    """Build each system once on ``collection`` and score it on all queries and each half."""
    parts = {"all": collection} | {split: half(collection, queries, split) for split in SPLITS}
    results = []
    for name, build in builders.items():
        with tempfile.TemporaryDirectory(prefix=f"news-{name}-") as scratch:
            started = time.perf_counter()
            try:
                system = build(collection, Path(scratch), depth)
            except Exception as exc:  # noqa: BLE001 - reported, the other systems still run
                print(f"{name}: not run: {type(exc).__name__}: {exc}", file=sys.stderr)
                continue
            index_seconds = time.perf_counter() - started
            scores, ms = score(system, parts, turns)
            results.append(Scored(name, scores, index_seconds, ms, system.note))
    return results


def ratios(results: Sequence[Scored], part: str = "all") -> dict[str, float]:
    """arch's MAP, P@10 and nDCG@10 divided by the better baseline's (each metric on its own);
    empty when arch or both baselines are missing."""
    by_name = {r.system: r.scores[part] for r in results}
    baselines = [by_name[n] for n in ("fts5", "tantivy") if n in by_name]
    if "arch" not in by_name or not baselines:
        return {}
    arch = by_name["arch"]
    out = {}
    for metric in ("map", "p10", "ndcg10"):
        best = max(getattr(b, metric) for b in baselines)
        out[metric] = getattr(arch, metric) / best if best else 0.0
    return out


def losses(results: Sequence[Scored], most: int = 8) -> list[tuple[str, float, float]]:
    """The ``most`` queries where arch's average precision falls furthest below the better
    baseline's, as (code, arch AP, best baseline AP): where to look first."""
    by_name = {r.system: r.scores["all"].average_precision for r in results}
    baselines = [by_name[n] for n in ("fts5", "tantivy") if n in by_name]
    if "arch" not in by_name or not baselines:
        return []
    rows = [(code, ap, max(b.get(code, 0.0) for b in baselines))
            for code, ap in by_name["arch"].items()]
    return sorted(rows, key=lambda row: row[1] - row[2])[:most]


def report(collection: Collection, queries: Sequence[NewsQuery], results: Sequence[Scored]) -> str:
    """One table per part (all, dev, held), then arch's ratios and the build notes."""
    judged = collection.judged_queries()
    pairs = sum(len(collection.relevant(qid)) for qid in judged)
    lines = [
        f"REUTERS topics: {len(collection.documents)} stories (TOPICS=YES), {len(judged)} "
        f"queries, {pairs} relevant pairs"
    ]
    for part in ("all", *SPLITS):
        table = []
        for r in results:
            m = r.scores[part]
            row: list[Any] = [r.system, m.map, m.p10, m.ndcg10]
            if part == "all":
                row += [r.index_seconds, r.ms_per_query]
            table.append(row)
        headers = ["system", "MAP", "P@10", "nDCG@10"]
        if part == "all":
            headers += ["index time (s)", "query time (ms/query)"]
        count = next(iter(results)).scores[part].queries if results else 0
        lines += ["", f"{part} ({count} queries)", tabulate(table, headers, floatfmt=".4f")]
        found = ratios(results, part)
        if found:
            lines.append("arch / best baseline: " + ", ".join(
                f"{name} {value:.3f}" for name, value in found.items()))
    lines += ["", "queries where arch loses most average precision to the better baseline:"]
    lines += [f"  {code} {collection.queries[code]!r}: arch {arch:.3f}, best baseline "
              f"{best:.3f}" for code, arch, best in losses(results)]
    for r in results:
        if r.note:
            lines.append(f"{r.system}: {r.note}")
        errors = r.scores["all"].errors
        if errors:
            lines.append(f"{r.system}: {len(errors)} queries raised: {errors}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--systems", default="arch,fts5,tantivy")
    parser.add_argument("--depth", type=int, default=1000, help="results per query (default 1000)")
    parser.add_argument("--turns", type=int, default=3, help="timed passes over the queries")
    parser.add_argument("--reuters", type=Path, default=DEFAULT_REUTERS,
                        help="the reuters21578/ folder of the shared corpora")
    parser.add_argument("--quick", action="store_true",
                        help="every third query and one turn: a check that it runs")
    parser.add_argument("--arch-config", action="append", default=[], metavar="KEY=VALUE",
                        help="a setting for the temporary archive's archive.yaml (repeatable)")
    parser.add_argument("--json", type=Path, help="also write every score (per query too) here")
    args = parser.parse_args(argv)
    try:
        settings = ir_eval.parse_settings(args.arch_config)
    except ValueError as exc:
        parser.error(str(exc))
    available: dict[str, Builder] = {
        "arch": lambda c, w, d: ir_eval.build_arch(c, w, d, settings=settings),
        "fts5": ir_eval.build_fts5,
        "tantivy": ir_eval.build_tantivy,
    }
    systems = [name.strip() for name in args.systems.split(",") if name.strip()]
    for name in systems:
        if name not in available:
            parser.error(f"unknown system {name!r}; choose from {', '.join(available)}")
    if not args.reuters.is_dir():
        parser.error(f"{args.reuters} not found; pass --reuters DIR")
    queries = read_queries()
    collection = load(args.reuters, queries)
    turns = 1 if args.quick else max(1, args.turns)
    if args.quick:
        collection = quick(collection)
    results = run(collection, queries, {s: available[s] for s in systems}, args.depth, turns)
    print(report(collection, queries, results), flush=True)
    if args.json:
        out = {
            "depth": args.depth, "turns": turns, "arch_config": settings,
            "systems": {r.system: {"index_seconds": r.index_seconds, "ms_per_query":
                                   r.ms_per_query, "note": r.note,
                                   "scores": {p: asdict(m) for p, m in r.scores.items()}}
                        for r in results},
        }
        args.json.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))  # run as a script: let it find archive_search in this tree
    sys.exit(main())
