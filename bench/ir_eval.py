"""Ranking quality of arch against SQLite FTS5 and tantivy on TIME, CISI and Cranfield.

Run ``python bench/ir_eval.py [--collections time,cisi,cranfield]`` from the repository root.
Every system indexes the same documents (title and body) and answers every judged query exactly
as it is written in the collection, white space collapsed; each is scored with MAP, P@10 and
nDCG@10 (graded for Cranfield). The baselines are plain, untuned setups, so the ratio of arch's
MAP to the better baseline says whether arch ranks as well as an ordinary search engine would.

For tuning, :func:`evaluate` scores any ``query text -> ranked ids`` function, and
``--arch-config search.bm25_b=0.5`` writes settings into the temporary archive's
``archive.yaml`` before the import, so ranking settings can be tried without code changes.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from collections.abc import Collection as Container
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import ir_collections
import yaml
from ir_collections import Collection
from tabulate import tabulate

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = REPO.parent / "shared" / "corpora" / "ir"

#: Maps query text to document ids, best first.
RunFn = Callable[[str], list[str]]

_TERMS = re.compile(r"[^\W_]+")
_TANTIVY_SPECIAL = re.compile(r"""([+\-&|!(){}\[\]^"~*?:\\/'<>=])""")


# --- metrics ----------------------------------------------------------------------------------


@dataclass
class Metrics:
    """Scores of one system on one collection, averaged over the judged queries.

    ``errors`` maps query id to the one-line error the system raised (that query then scores
    as an empty ranking); ``average_precision`` is per query, for comparing two runs.
    """

    map: float
    p10: float
    ndcg10: float
    queries: int
    ms_per_query: float
    errors: dict[str, str] = field(default_factory=dict)
    average_precision: dict[str, float] = field(default_factory=dict)


def average_precision(ranked: Sequence[str], relevant: Container[str]) -> float:
    """Mean of the precision at each relevant document's rank, over *all* relevant documents:
    one that was never retrieved adds a precision of zero."""
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for rank, doc in enumerate(ranked, start=1):
        if doc in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


def precision_at(ranked: Sequence[str], relevant: Container[str], k: int = 10) -> float:
    """The share of the first ``k`` places (not of what was returned) holding relevant docs."""
    return sum(1 for doc in ranked[:k] if doc in relevant) / k


def ndcg_at(ranked: Sequence[str], gains: dict[str, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain with linear gains and a log2(rank + 1) discount;
    the ideal ranking is built from every judged document, retrieved or not."""
    dcg = sum(gains.get(doc, 0) / math.log2(rank + 1) for rank, doc in enumerate(ranked[:k], 1))
    ideal = sorted((g for g in gains.values() if g > 0), reverse=True)[:k]
    idcg = sum(gain / math.log2(rank + 1) for rank, gain in enumerate(ideal, start=1))
    return dcg / idcg if idcg else 0.0


def evaluate(run_fn: RunFn, collection: Collection) -> Metrics:
    """Run every judged query of ``collection`` through ``run_fn`` and score the rankings.

    Queries without a relevant document are skipped: no ranking can score on them. A query
    that raises is recorded in ``errors`` and scored as an empty ranking, so one bad query
    cannot hide the quality of the others.
    """
    per_query: dict[str, tuple[float, float, float]] = {}
    errors: dict[str, str] = {}
    elapsed = 0.0
    for qid in collection.judged_queries():
        gains = collection.relevant(qid)
        started = time.perf_counter()
        try:
            ranked = _unique(run_fn(collection.queries[qid]))
        except Exception as exc:  # noqa: BLE001 - any failure is a finding to report
            errors[qid] = f"{type(exc).__name__}: {_one_line(str(exc))}"
            ranked = []
        elapsed += time.perf_counter() - started
        per_query[qid] = (
            average_precision(ranked, gains),
            precision_at(ranked, gains),
            ndcg_at(ranked, gains),
        )
    count = len(per_query) or 1
    return Metrics(
        map=sum(ap for ap, _, _ in per_query.values()) / count,
        p10=sum(p for _, p, _ in per_query.values()) / count,
        ndcg10=sum(n for _, _, n in per_query.values()) / count,
        queries=len(per_query),
        ms_per_query=1000 * elapsed / count,
        errors=errors,
        average_precision={qid: scores[0] for qid, scores in per_query.items()},
    )


def _unique(ids: Sequence[str]) -> list[str]:
    """The ranking with repeats removed, so a system cannot score a document twice."""
    return list(dict.fromkeys(ids))


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "(no message)"


# --- systems ----------------------------------------------------------------------------------


@dataclass
class System:
    """An indexed collection ready to answer queries; ``note`` reports on the indexing;
    ``archive`` is arch's :class:`~archive_search.archive.Archive` (None for the baselines),
    whose query-time settings a caller may replace between runs (see ``bench/loco.py``)."""

    run: RunFn
    note: str = ""
    archive: Any = None


#: Indexes a collection in a scratch folder and returns the system answering up to N results.
Builder = Callable[[Collection, Path, int], System]


def build_fts5(collection: Collection, workdir: Path, depth: int) -> System:
    """SQLite FTS5 with ``porter unicode61`` and its built-in bm25 over title and body.

    FTS5 query syntax would choke on the collections' punctuation (``.``, ``'``, ``?``), so a
    query becomes its alphanumeric runs (what ``unicode61`` would split it into), each quoted
    as a string and joined with ``OR``: ``"what" OR "similarity" OR "laws" ...``.
    """
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, "
        "tokenize='porter unicode61')"
    )
    with db:
        db.executemany(
            "INSERT INTO docs (id, title, body) VALUES (?, ?, ?)",
            ((doc.id, doc.title, doc.body) for doc in collection.documents),
        )

    def run(query: str) -> list[str]:
        terms = _TERMS.findall(query)
        if not terms:
            return []
        match = " OR ".join(f'"{term}"' for term in terms)
        rows = db.execute(
            "SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, depth)
        )
        return [row[0] for row in rows]

    return System(run)


def build_tantivy(collection: Collection, workdir: Path, depth: int) -> System:
    """tantivy with ``en_stem`` title and body fields, queried through its own query parser.

    The query is lower-cased (``en_stem`` lower-cases anyway, and the upper-case TIME queries
    would otherwise read ``AND``/``OR``/``NOT``/``IN`` as operators) and the parser's special
    characters ``+ - & | ! ( ) { } [ ] ^ " ~ * ? : \\ / ' < > =`` are backslash-escaped. The
    parser's default OR applies; a word its tokenizer splits (``u.s``, ``nam's``,
    ``lift-drag``) becomes a phrase, as tantivy does by default.
    """
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", tokenizer_name="en_stem")
    builder.add_text_field("body", tokenizer_name="en_stem")
    index = tantivy.Index(builder.build())
    writer = index.writer(heap_size=64_000_000, num_threads=1)
    for doc in collection.documents:
        writer.add_document(tantivy.Document(id=doc.id, title=doc.title, body=doc.body))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    searcher = index.searcher()

    def run(query: str) -> list[str]:
        parsed = index.parse_query(_TANTIVY_SPECIAL.sub(r"\\\1", query.lower()), ["title", "body"])
        hits = searcher.search(parsed, depth).hits
        return [searcher.doc(address)["id"][0] for _, address in hits]

    return System(run)


def build_arch(
    collection: Collection, workdir: Path, depth: int, settings: dict[str, Any] | None = None
) -> System:
    """arch through its library: a fresh archive, ``settings`` laid over its ``archive.yaml``,
    the collection imported from JSONL, and ``Archive.search`` for each query (snippets off:
    they are not scored, and reading article files for 1000 hits would dominate the time)."""
    from archive_search.archive import Archive

    jsonl = workdir / f"{collection.name}.jsonl"
    ir_collections.write_jsonl(collection.documents, jsonl)
    root = workdir / "archive"
    archive = Archive.init(root)
    if settings:
        _overlay_settings(root / "archive.yaml", settings)
        archive = Archive(root)
    report = archive.import_paths([jsonl])
    note = (
        f"imported {report.imported}, duplicates {report.duplicates}, "
        f"failed {len(report.failed)} of {len(collection.documents)}"
        + (f" (first: {report.failed[0]})" if report.failed else "")
    )

    def run(query: str) -> list[str]:
        return [hit.id for hit in archive.search(query, limit=depth, snippets=False).hits]

    return System(run, note, archive)


def _overlay_settings(path: Path, settings: dict[str, Any]) -> None:
    from archive_search.config import merge

    current = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    path.write_text(yaml.safe_dump(merge(current, settings), sort_keys=False), encoding="utf-8")


def parse_settings(pairs: Sequence[str]) -> dict[str, Any]:
    """``["search.bm25_b=0.5", "search.default_operator=or"]`` as the nested mapping
    ``{"search": {"bm25_b": 0.5, "default_operator": "or"}}``; values are read as YAML."""
    settings: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--arch-config {pair!r}: expected KEY=VALUE, e.g. search.bm25_b=0.5")
        *parents, leaf = key.strip().split(".")
        node = settings
        for name in parents:
            node = node.setdefault(name, {})
            if not isinstance(node, dict):
                raise ValueError(f"--arch-config {pair!r}: {name} is already set to a value")
        node[leaf] = _yaml_value(raw)
    return settings


def _yaml_value(raw: str) -> Any:
    """``0.5`` -> 0.5, ``or`` -> "or", ``[a, b]`` -> a list; text YAML cannot read stays text."""
    try:
        return yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        return raw


# --- the run ----------------------------------------------------------------------------------


@dataclass
class Row:
    system: str
    metrics: Metrics | None
    index_seconds: float = 0.0
    note: str = ""


def run_collection(collection: Collection, builders: dict[str, Builder], depth: int) -> list[Row]:
    """Index and evaluate ``collection`` with each system; a system that cannot be built is
    reported with its one-line reason instead of stopping the whole run."""
    rows = []
    for name, build in builders.items():
        with tempfile.TemporaryDirectory(prefix=f"ir-{name}-") as scratch:
            started = time.perf_counter()
            try:
                system = build(collection, Path(scratch), depth)
            except Exception as exc:  # noqa: BLE001 - reported, the other systems still run
                rows.append(Row(name, None, note=f"not run: {type(exc).__name__}: {exc}"))
                continue
            index_seconds = time.perf_counter() - started
            rows.append(Row(name, evaluate(system.run, collection), index_seconds, system.note))
    return rows


def describe(collection: Collection) -> str:
    judged = collection.judged_queries()
    pairs = sum(len(collection.relevant(qid)) for qid in judged)
    text = (
        f"{collection.name.upper()}: {len(collection.documents)} docs, {len(judged)} judged "
        f"queries of {len(collection.queries)}, {pairs} relevant pairs"
    )
    if collection.dropped_pairs:
        cited = ", ".join(f"q{qid}->{doc}" for qid, doc in collection.dropped_pairs)
        text += f" ({len(collection.dropped_pairs)} pairs citing missing docs ignored: {cited})"
    return text


def report(collection: Collection, rows: list[Row]) -> str:
    """The table for one collection, arch's MAP against the better baseline, and notes."""
    table = [
        [
            row.system,
            row.metrics.map,
            row.metrics.p10,
            row.metrics.ndcg10,
            row.index_seconds,
            row.metrics.ms_per_query,
        ]
        for row in rows
        if row.metrics
    ]
    headers = ["system", "MAP", "P@10", "nDCG@10", "index time (s)", "query time (ms/query)"]
    lines = [describe(collection), tabulate(table, headers, floatfmt=".4f")]
    scored = {row.system: row.metrics.map for row in rows if row.metrics}
    baselines = [scored[name] for name in ("fts5", "tantivy") if name in scored]
    if "arch" in scored and baselines and max(baselines) > 0:
        lines.append(f"arch MAP / best baseline MAP = {scored['arch'] / max(baselines):.3f}")
    for row in rows:
        if row.note:
            lines.append(f"{row.system}: {row.note}")
        if row.metrics and row.metrics.errors:
            lines.append(f"{row.system}: {len(row.metrics.errors)} queries raised:")
            lines.extend(
                f"  q{qid} {collection.queries[qid][:70]!r}: {message}"
                for qid, message in row.metrics.errors.items()
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--collections", default=",".join(ir_collections.NAMES))
    parser.add_argument("--systems", default="arch,fts5,tantivy")
    parser.add_argument("--depth", type=int, default=1000, help="results per query (default 1000)")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA, help="the ir/ folder")
    parser.add_argument(
        "--arch-config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a setting for the temporary archive's archive.yaml (repeatable)",
    )
    parser.add_argument("--json", type=Path, help="also write every score (per query too) here")
    args = parser.parse_args(argv)

    try:
        settings = parse_settings(args.arch_config)
    except ValueError as exc:
        parser.error(str(exc))
    available: dict[str, Builder] = {
        "arch": partial(build_arch, settings=settings),
        "fts5": build_fts5,
        "tantivy": build_tantivy,
    }
    systems = [name.strip() for name in args.systems.split(",") if name.strip()]
    names = [name.strip() for name in args.collections.split(",") if name.strip()]
    for name in systems:
        if name not in available:
            parser.error(f"unknown system {name!r}; choose from {', '.join(available)}")
    for name in names:
        if name not in ir_collections.NAMES:
            known = ", ".join(ir_collections.NAMES)
            parser.error(f"unknown collection {name!r}; choose from {known}")
    if not args.corpora.is_dir():
        parser.error(f"{args.corpora} not found; pass --corpora DIR (the shared corpora's ir/)")

    results: dict[str, Any] = {"depth": args.depth, "arch_config": settings, "collections": {}}
    for name in names:
        try:
            collection = ir_collections.load(name, args.corpora)
        except OSError as exc:
            print(f"{name}: cannot read the collection ({exc})", file=sys.stderr)
            return 2
        rows = run_collection(collection, {s: available[s] for s in systems}, args.depth)
        print(report(collection, rows), end="\n\n", flush=True)
        results["collections"][name] = {
            row.system: {"index_seconds": row.index_seconds, "note": row.note}
            | (asdict(row.metrics) if row.metrics else {})
            for row in rows
        }
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))  # run as a script: let it find archive_search in this tree
    sys.exit(main())
