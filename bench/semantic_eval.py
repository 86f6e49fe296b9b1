"""Semantic related articles: shared words (lexical) against meaning (semantic) against the
blend, on our own judged pairs and on Reuters-21578 topic overlap, in one run.

    python bench/semantic_eval.py                           # both evaluations
    python bench/semantic_eval.py --reuters-archive /tmp/r  # build the Reuters archive once
    python bench/semantic_eval.py --sample 200 --seed 21578
    python bench/semantic_eval.py --time /tmp/sem200        # arch related, whole processes

Needs the semantic extra (``pip install -e '.[semantic]'``).

Judged pairs (bench/semantic_pairs.jsonl, written for this project): 24 events, each told
twice in different words, in 12 groups of two events that share words (a ferry capsizing and
a ferry company's record year). A pair of the same event is related (24 pairs), a pair of two
events of one group is not (48 pairs). The table gives, for each way of scoring, the AUC of
the score on those 72 pairs (the chance that a related pair scores above an unrelated one),
and over the 48 articles of an archive holding only them, how often the other telling of the
same event is the first suggestion (hit@1), among the first 10 (hit@10), and the mean
reciprocal rank.

Reuters-21578 (TOPICS=YES stories, imported as ``arch import`` makes them): for a fixed sample
of articles with topics, P@10 is the share of the 10 suggestions sharing a topic with the
article. Tags are not used (they hold the topics).

The blend is ``(1 - w) * lexical + w * max(0, (cosine - f) / (1 - f))``. Each article's
candidates (lexical ones and the nearest in meaning) are scored once with their lexical score
and cosine recorded, so that every (w, f) of the grid ranks the same candidates; the setting
is chosen on one set and reported on the other (leave one set out), and the chosen one is then
run as ``arch related`` runs it.

``--time ARCHIVE`` instead times ``arch related ID --lexical`` and ``--semantic`` as whole
processes (``/usr/bin/time``: seconds and peak memory), for a few ids of the archive taken at
fixed places in its manifest, alternating, several turns each.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from archive_search import Archive  # noqa: E402
from archive_search import related as related_mod  # noqa: E402
from archive_search.semantic import installed  # noqa: E402
from archive_search.semantic.vectors import Vectors  # noqa: E402

PAIRS = REPO / "bench" / "semantic_pairs.jsonl"
REUTERS = REPO.parent / "shared" / "corpora" / "reuters21578"
K = 10
WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)
FLOORS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6)

#: One article's candidates: id -> (lexical score, cosine or None, shares something lexically)
Candidates = dict[str, tuple[float, float | None, bool]]


def collect(arc: Archive, article_id: str, limit: int) -> Candidates:
    """Every candidate ``related`` compares for ``article_id`` with the meaning blended in,
    with its lexical score and cosine as ``_blend`` saw them."""
    seen: Candidates = {}
    blend = related_mod._blend

    def recording(archive, meaning, other_id, lexical, reasons, days):  # type: ignore[no-untyped-def]
        seen[other_id] = (lexical, meaning.cosine.get(other_id), bool(reasons))
        return blend(archive, meaning, other_id, lexical, reasons, days)

    related_mod._blend = recording
    try:
        related_mod.related(arc, article_id, limit=limit, use_tags=False, semantic=True)
    finally:
        related_mod._blend = blend
    return seen


def blended(found: Candidates, w: float, f: float) -> list[str]:
    """The candidates ranked by the blend (ties by id), as ``related`` would keep them."""
    scored = []
    for other, (lexical, cos, shares) in found.items():
        close = 0.0 if cos is None else min(max((cos - f) / (1 - f), 0.0), 1.0)
        if not shares and close <= 0:
            continue
        scored.append((-((1 - w) * lexical + w * close), other))
    return [other for _, other in sorted(scored)]


def set_weights(arc: Archive, w: float, f: float, candidates: int | None = None) -> None:
    related = arc.settings.related
    changes = {"semantic_weight": w, "semantic_floor": f}
    if candidates is not None:
        changes["semantic_candidates"] = candidates
    arc.settings = dataclasses.replace(arc.settings,
                                       related=dataclasses.replace(related, **changes))


# -- judged pairs ------------------------------------------------------------------------------


def judged_archive(root: Path) -> tuple[Archive, dict[str, str], list[tuple[str, str, int]]]:
    """The 48 articles in a new archive; each id's event; the judged pairs (a, b, related)."""
    rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    records, event_of, group_of = [], {}, {}
    for n, row in enumerate(rows, 1):
        article_id = f"p{n:02d}"
        event_of[article_id], group_of[article_id] = row["event"], row["group"]
        records.append({"id": article_id, "title": row["title"], "body": row["body"],
                        "date": "2024-05-01"})
    source = root / "pairs.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    arc = Archive.init(root / "archive")
    arc.import_paths([str(source)])
    ids = sorted(event_of)
    pairs = [(a, b, int(event_of[a] == event_of[b])) for i, a in enumerate(ids)
             for b in ids[i + 1:] if group_of[a] == group_of[b]]
    return arc, event_of, pairs


def auc(scores: list[tuple[float, int]]) -> float:
    pos = [s for s, y in scores if y]
    neg = [s for s, y in scores if not y]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def judged_metrics(rank: Callable[[str], list[str]], score: Callable[[str, str], float],
                   event_of: dict[str, str], pairs: list[tuple[str, str, int]]
                   ) -> tuple[float, float, float, float]:
    """(AUC, hit@1, hit@10, MRR) of one way of scoring."""
    area = auc([(score(a, b), y) for a, b, y in pairs])
    hits1 = hits10 = rr = 0.0
    for article_id, event in event_of.items():
        ranked = rank(article_id)
        spot = next((n for n, other in enumerate(ranked, 1) if event_of[other] == event), None)
        hits1 += spot == 1
        hits10 += spot is not None and spot <= K
        rr += 1 / spot if spot else 0.0
    n = len(event_of)
    return area, hits1 / n, hits10 / n, rr / n


# -- Reuters -----------------------------------------------------------------------------------


def reuters_archive(root: Path) -> Archive:
    if (root / "archive.yaml").is_file():
        return Archive.open(root)
    files = sorted(REUTERS.glob("reut2-*.sgm.gz"))
    if not files:
        sys.exit(f"Reuters-21578 not found in {REUTERS}")
    started = time.perf_counter()
    arc = Archive.init(root)
    arc.import_paths([str(f) for f in files], format="reuters")
    print(f"built {root} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return arc


def precision(ranked: list[str], topics: dict[str, frozenset[str]], asked: str) -> float:
    return sum(bool(topics.get(i, frozenset()) & topics[asked]) for i in ranked[:K]) / K


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reuters-archive", type=Path, help="build it here once, reuse it")
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=21578)
    parser.add_argument("--limit", type=int, default=30,
                        help="suggestions asked for when recording candidates")
    parser.add_argument("--time", type=Path, metavar="ARCHIVE",
                        help="only time arch related in this archive")
    parser.add_argument("--ids", type=int, default=5)
    parser.add_argument("--turns", type=int, default=3)
    args = parser.parse_args()
    if not installed():
        sys.exit("the semantic extra is not installed: pip install -e '.[semantic]'")
    if args.time:
        timing(args.time, args.ids, args.turns)
        return
    with tempfile.TemporaryDirectory(prefix="arch-semantic-") as tmp:
        run(Path(tmp), args)


def run(tmp: Path, args: argparse.Namespace) -> None:
    grid = [(w, f) for w in WEIGHTS for f in FLOORS if not (w == 0 and f)]
    # judged pairs
    arc, event_of, pairs = judged_archive(tmp)
    others = len(event_of) - 1
    # every article is a candidate of every other: the ranking covers the whole archive
    set_weights(arc, 0.5, 0.0, candidates=others)
    found = {a: collect(arc, a, others) for a in sorted(event_of)}
    vectors = Vectors.open(arc.index.current_dir())
    assert vectors is not None
    rows = {a: vectors.row(a) for a in event_of}

    def pair_score(w: float, f: float) -> Callable[[str, str], float]:
        def score(a: str, b: str) -> float:
            lexical = found[a].get(b, (0.0, None, False))[0]
            cos = float(vectors.vector(rows[a]) @ vectors.vector(rows[b]))
            close = min(max((cos - f) / (1 - f), 0.0), 1.0)
            return (1 - w) * lexical + w * close
        return score

    judged = {(w, f): judged_metrics(lambda a, w=w, f=f: blended(found[a], w, f),
                                     pair_score(w, f), event_of, pairs) for w, f in grid}

    # Reuters
    root = args.reuters_archive or tmp / "reuters"
    rarc = reuters_archive(root)
    rarc.ensure_index()
    topics = {a.id: frozenset(a.extra.get("topics") or ()) for _, a in rarc.articles()}
    with_topics = sorted(i for i, t in topics.items() if t)
    sample = random.Random(args.seed).sample(with_topics, min(args.sample, len(with_topics)))
    set_weights(rarc, 0.5, 0.0)
    started = time.perf_counter()
    rfound = {a: collect(rarc, a, args.limit) for a in sample}
    print(f"Reuters: {len(topics)} articles, {len(with_topics)} with topics, sample "
          f"{len(sample)} (seed {args.seed}); candidates recorded in "
          f"{time.perf_counter() - started:.0f} s\n")
    reuters = {(w, f): statistics.mean(precision(blended(rfound[a], w, f), topics, a)
                                       for a in sample) for w, f in grid}

    # the semantic score alone: the nearest in meaning over the whole archive
    from archive_search.semantic.meaning import Meaning

    def nearest(archive: Archive, article_id: str, count: int) -> list[str]:
        article, _ = archive.get(article_id)
        meaning, _ = Meaning.open(archive.index.current_dir(), article_id, article.title,
                                  article.body, 0.0)
        assert meaning is not None
        return meaning.nearest(count)

    sem_judged = judged_metrics(lambda a: nearest(arc, a, others), pair_score(1.0, 0.0),
                                event_of, pairs)
    sem_reuters = statistics.mean(precision(nearest(rarc, a, K), topics, a) for a in sample)

    print("grid (judged AUC / hit@1 | Reuters P@10):")
    print("   w \\ f " + "".join(f"{f:>20.1f}" for f in FLOORS))
    for w in WEIGHTS:
        cells = []
        for f in FLOORS:
            if (w, f) in judged:
                j, r = judged[(w, f)], reuters[(w, f)]
                cells.append(f"{j[0]:.3f}/{j[1]:.2f} | {r:.3f}")
            else:
                cells.append("")
        print(f"{w:8.1f} " + "".join(f"{c:>20}" for c in cells))
    by_judged = max(grid, key=lambda k: (judged[k][0] + judged[k][3], -k[0]))
    by_reuters = max(grid, key=lambda k: (reuters[k], -k[0]))
    print(f"\nchosen on judged pairs (AUC + MRR): w={by_judged[0]} f={by_judged[1]} -> Reuters "
          f"P@10 {reuters[by_judged]:.3f} (lexical {reuters[(0.0, 0.0)]:.3f})")
    print(f"chosen on Reuters (P@10): w={by_reuters[0]} f={by_reuters[1]} -> judged AUC "
          f"{judged[by_reuters][0]:.3f} MRR {judged[by_reuters][3]:.3f} (lexical AUC "
          f"{judged[(0.0, 0.0)][0]:.3f} MRR {judged[(0.0, 0.0)][3]:.3f})")

    # the settings as arch runs them, same run
    defaults = Archive.open(rarc.root).settings.related
    w, f = defaults.semantic_weight, defaults.semantic_floor
    print(f"\nas `arch related` runs (defaults w={w}, f={f}, "
          f"{defaults.semantic_candidates} candidates by meaning):")
    print(f"{'system':34} {'AUC':>6} {'hit@1':>6} {'hit@10':>7} {'MRR':>6} {'P@10':>6} "
          f"{'ms/call':>8}")
    for label, semantic in (("lexical (today)", False), ("blend", True)):
        jarc, rarc2 = Archive.open(arc.root), Archive.open(rarc.root)

        def ranked(archive: Archive, article_id: str, limit: int, semantic: bool = semantic
                   ) -> list[str]:
            result = related_mod.related(archive, article_id, limit=limit, use_tags=False,
                                         semantic=semantic)
            return [item.id for item in result.items]

        jm = judged_metrics(lambda a, j=jarc: ranked(j, a, others),
                            pair_score(w if semantic else 0.0, f), event_of, pairs)
        started = time.perf_counter()
        p10 = statistics.mean(precision(ranked(rarc2, a, K), topics, a) for a in sample)
        ms = 1000 * (time.perf_counter() - started) / len(sample)
        print(f"{label:34} {jm[0]:6.3f} {jm[1]:6.2f} {jm[2]:7.2f} {jm[3]:6.3f} {p10:6.3f} "
              f"{ms:8.1f}")
    print(f"{'semantic alone (nearest vectors)':34} {sem_judged[0]:6.3f} {sem_judged[1]:6.2f} "
          f"{sem_judged[2]:7.2f} {sem_judged[3]:6.3f} {sem_reuters:6.3f} {'':>8}")


def timing(root: Path, count: int, turns: int) -> None:
    ids = sorted(Archive.open(root).index.load_manifest().ids())
    picked = [ids[(n * len(ids)) // count] for n in range(count)]
    got: dict[str, list[tuple[float, int]]] = {"--lexical": [], "--semantic": []}
    for _ in range(turns):
        for article_id in picked:
            for mode, found in got.items():
                done = subprocess.run(
                    ["/usr/bin/time", "-f", "%e %M", sys.executable, "-m", "archive_search",
                     "--archive", str(root), "related", article_id, mode, "-f", "json"],
                    capture_output=True, text=True, cwd=REPO, check=False)
                seconds, kb = done.stderr.strip().splitlines()[-1].split()
                found.append((float(seconds), int(kb)))
    print(f"{len(ids)} articles; {count} ids x {turns} turns each")
    for mode, found in got.items():
        seconds = [s for s, _ in found]
        print(f"arch related {mode:11} median {statistics.median(seconds):.2f} s "
              f"(range {min(seconds):.2f}-{max(seconds):.2f}), peak RSS "
              f"{max(k for _, k in found) / 1024:.0f} MB")


if __name__ == "__main__":
    main()
