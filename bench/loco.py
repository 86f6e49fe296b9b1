"""Leave one collection out: query-time settings chosen on three collections, scored on the fourth.

Run ``python bench/loco.py [--quick]`` from the repository root.

The collections are TIME, CISI, Cranfield (``bench/ir_collections.py``) and the Reuters topics
(``bench/news_eval.py``). Each is indexed once by arch, SQLite FTS5 and tantivy; the baselines
are scored once, and arch is scored at every point of a small grid of ``search.*`` settings
that ranking reads at query time, by replacing the archive's settings in process (no re-import).
A point's score on a collection is arch's MAP divided by the better baseline's MAP there.

For each collection in turn, the point with the best mean ratio on the *other three* is chosen
and its ratio on the left-out collection reported: that figure was not tuned on. The table also
gives the defaults' ratio and the best any point reaches there (what tuning on the collection
itself would claim), and how flat the chosen point's neighbourhood is: the held-out ratio one
grid step either way on each setting.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import itertools
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ir_collections
import ir_eval
import news_eval
from ir_collections import Collection
from tabulate import tabulate

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"

#: The grid: each ``search`` setting and the values tried, in order (a neighbour is one step
#: along one setting). The defaults of ``archive_search/config.py`` sit inside it. Each point
#: costs about two minutes on a loaded 2-core machine (mostly feedback on the long questions),
#: so six keep the run near a quarter of an hour; ``--grid`` tries others (bench/README.md).
GRID: dict[str, list[Any]] = {
    "default_operator": ["auto", "or"],
    "dfr_c": [1.0, 1.4, 2.0],
}
#: ``--quick``: two points, every third query, to check the run end to end in a few minutes.
QUICK_GRID: dict[str, list[Any]] = {"default_operator": ["auto", "or"]}

Point = tuple[Any, ...]


def parse_grid(pairs: Sequence[str]) -> dict[str, list[Any]]:
    """``["dfr_c=1.0,1.4", "default_operator=auto,or"]`` as ``{"dfr_c": [1.0, 1.4], ...}``;
    values are read as YAML, so numbers are numbers."""
    grid: dict[str, list[Any]] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        values = [ir_eval._yaml_value(v.strip()) for v in raw.split(",") if v.strip()]
        if not sep or not key.strip() or not values:
            raise ValueError(f"--grid {pair!r}: expected KEY=V1,V2,..., e.g. dfr_c=1.0,1.4")
        grid[key.strip().removeprefix("search.")] = values
    return grid


def points(grid: dict[str, list[Any]]) -> list[Point]:
    return list(itertools.product(*grid.values()))


def with_search(archive: Any, grid: dict[str, list[Any]], point: Point) -> None:
    """Replace ``archive``'s ``search`` settings by the defaults changed as ``point`` says;
    ranking reads them on the next query."""
    from archive_search.config import Settings

    base = Settings().search
    search = dataclasses.replace(base, **dict(zip(grid, point, strict=True)))
    archive.settings = dataclasses.replace(archive.settings, search=search)


def neighbours(grid: dict[str, list[Any]], point: Point) -> list[Point]:
    """The points one step away along one setting."""
    found = []
    for axis, values in enumerate(grid.values()):
        at = values.index(point[axis])
        for step in (-1, 1):
            if 0 <= at + step < len(values):
                found.append(point[:axis] + (values[at + step],) + point[axis + 1 :])
    return found


def label(grid: dict[str, list[Any]], point: Point) -> str:
    return " ".join(f"{key}={value}" for key, value in zip(grid, point, strict=True))


def load_all(corpora: Path, quick: bool) -> list[Collection]:
    collections = [ir_collections.load(name, corpora / "ir") for name in ir_collections.NAMES]
    collections.append(news_eval.load(corpora / "reuters21578"))
    return [news_eval.quick(c) for c in collections] if quick else collections


def sweep(collections: Sequence[Collection], grid: dict[str, list[Any]], depth: int,
          log: Any = sys.stderr) -> dict[str, dict[Point, float]]:
    """arch's MAP / better baseline MAP for every collection and grid point."""
    ratios: dict[str, dict[Point, float]] = {}
    for collection in collections:
        with contextlib.ExitStack() as stack:
            best = 0.0
            for build in (ir_eval.build_fts5, ir_eval.build_tantivy):
                scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="loco-")))
                best = max(best, ir_eval.evaluate(build(collection, scratch, depth).run,
                                                  collection).map)
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="loco-")))
            system = ir_eval.build_arch(collection, scratch, depth)
            ratios[collection.name] = {}
            for point in points(grid):
                started = time.perf_counter()
                with_search(system.archive, grid, point)
                found = ir_eval.evaluate(system.run, collection).map
                ratios[collection.name][point] = found / best if best else 0.0
                print(f"{collection.name} {label(grid, point)}: MAP {found:.4f} ratio "
                      f"{ratios[collection.name][point]:.3f} "
                      f"({time.perf_counter() - started:.0f} s)", file=log, flush=True)
    return ratios


def held_out(ratios: dict[str, dict[Point, float]], grid: dict[str, list[Any]],
             defaults: Point) -> list[dict[str, Any]]:
    """For each collection left out: the point best on the mean of the others, and its ratio
    on the one left out, beside the defaults', the best possible, and the neighbours'."""
    rows = []
    for left in ratios:
        train = [name for name in ratios if name != left]

        def trained(point: Point, train: list[str] = train) -> float:
            return statistics.mean(ratios[name][point] for name in train)

        # a tie goes to the defaults: a setting is only changed for a gain
        chosen = max(points(grid), key=lambda p: (trained(p), p == defaults))
        near = [ratios[left][p] for p in neighbours(grid, chosen)]
        rows.append({
            "left_out": left,
            "chosen": label(grid, chosen),
            "train_mean": trained(chosen),
            "held_out": ratios[left][chosen],
            "defaults": ratios[left].get(defaults),
            "best_possible": max(ratios[left].values()),
            "neighbours_min": min(near, default=None),
            "neighbours_max": max(near, default=None),
        })
    return rows


def report(rows: list[dict[str, Any]]) -> str:
    headers = ["left out", "chosen on the other three", "train mean", "held-out ratio",
               "defaults", "best possible", "neighbours (min-max)"]
    table = [[r["left_out"], r["chosen"], r["train_mean"], r["held_out"], r["defaults"],
              r["best_possible"],
              "" if r["neighbours_min"] is None
              else f"{r['neighbours_min']:.3f}-{r['neighbours_max']:.3f}"]
             for r in rows]
    mean = statistics.mean(r["held_out"] for r in rows)
    return (tabulate(table, headers, floatfmt=".3f")
            + f"\nmean held-out ratio (arch MAP / best baseline MAP): {mean:.3f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA,
                        help="the shared corpora folder (holding ir/ and reuters21578/)")
    parser.add_argument("--depth", type=int, default=1000, help="results per query (default 1000)")
    parser.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2",
                        help="replace the grid (repeatable; search.* keys)")
    parser.add_argument("--quick", action="store_true",
                        help="two points and every third query: a check that it runs")
    parser.add_argument("--json", type=Path, help="also write every ratio here")
    args = parser.parse_args(argv)
    try:
        grid = parse_grid(args.grid) if args.grid else (QUICK_GRID if args.quick else GRID)
    except ValueError as exc:
        parser.error(str(exc))
    from archive_search.config import Settings

    base = Settings().search
    unknown = [key for key in grid if not hasattr(base, key)]
    if unknown:
        parser.error(f"not search settings: {', '.join(unknown)}")
    defaults = tuple(getattr(base, key) for key in grid)
    if not args.corpora.is_dir():
        parser.error(f"{args.corpora} not found; pass --corpora DIR")
    started = time.perf_counter()
    ratios = sweep(load_all(args.corpora, args.quick), grid, args.depth)
    rows = held_out(ratios, grid, defaults)
    print(report(rows))
    print(f"{len(points(grid))} points, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if args.json:
        out = {"grid": grid, "rows": rows,
               "ratios": {c: {label(grid, p): r for p, r in by.items()}
                          for c, by in ratios.items()}}
        args.json.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))  # run as a script: let it find archive_search in this tree
    sys.exit(main())
