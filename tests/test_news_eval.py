"""The news evaluation's own parts (bench/news_eval.py, bench/loco.py, the metrics of
bench/ir_eval.py): the query file is well formed, and the scores are the textbook values on a
ranking worked out by hand. Not a test of speed or of ranking quality."""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TOPICS = REPO.parent / "shared" / "corpora" / "reuters21578" / "all-topics-strings.lc.txt"
sys.path.insert(0, str(REPO / "bench"))

import loco  # noqa: E402
import news_eval  # noqa: E402
from ir_eval import average_precision, ndcg_at, precision_at  # noqa: E402


def test_query_file_is_one_short_query_per_code_split_in_fixed_halves() -> None:
    queries = news_eval.read_queries()
    codes = [q.code for q in queries]
    assert len(queries) >= 50
    assert len(set(codes)) == len(codes)
    # the documented split: codes in alphabetical order, alternately dev and held
    assert codes == sorted(codes)
    assert [q.split for q in queries] == ["dev" if i % 2 == 0 else "held"
                                          for i in range(len(queries))]
    for q in queries:
        assert re.fullmatch(r"[a-z]+(?:-[a-z]+)*", q.code), q.code
        assert 1 <= len(q.text.split()) <= 4, q.text


def test_every_query_names_a_reuters_topic_code() -> None:
    if not TOPICS.is_file():
        pytest.skip("../shared/corpora/reuters21578 not present: the code list is read there")
    known = set(TOPICS.read_text(encoding="latin-1").split())
    assert {q.code for q in news_eval.read_queries()} <= known


def test_a_malformed_query_line_is_refused_with_its_line_number(tmp_path: Path) -> None:
    path = tmp_path / "q.tsv"
    path.write_text("# head\ncrude\tdev\tcrude oil\ngrain\ttrain\tgrain\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"q.tsv:3"):
        news_eval.read_queries(path)


def test_metrics_on_a_ranking_worked_out_by_hand() -> None:
    ranked = ["a", "x", "b", "y", "z"]
    relevant = {"a": 1, "b": 1, "c": 1}
    # precisions at the relevant ranks 1 and 3 are 1 and 2/3; c is never found
    assert average_precision(ranked, relevant) == pytest.approx((1 + 2 / 3) / 3)
    assert precision_at(ranked, relevant, k=10) == pytest.approx(0.2)
    assert precision_at(ranked, relevant, k=2) == pytest.approx(0.5)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at(ranked, relevant) == pytest.approx((1 + 1 / math.log2(4)) / ideal)
    assert average_precision([], relevant) == 0.0


def test_loco_neighbours_are_one_step_along_one_setting() -> None:
    grid = {"a": [1, 2, 3], "b": ["x", "y"]}
    assert sorted(loco.neighbours(grid, (2, "x"))) == [(1, "x"), (2, "y"), (3, "x")]
    assert loco.parse_grid(["search.dfr_c=1.0,1.4", "default_operator=auto,or"]) == {
        "dfr_c": [1.0, 1.4], "default_operator": ["auto", "or"]}


def test_loco_chooses_on_the_other_collections_only() -> None:
    grid = {"c": [1, 2]}
    ratios = {"one": {(1,): 1.0, (2,): 1.2}, "two": {(1,): 1.0, (2,): 1.2},
              "three": {(1,): 1.3, (2,): 0.5}}
    rows = {r["left_out"]: r for r in loco.held_out(ratios, grid, (1,))}
    assert rows["three"]["chosen"] == "c=2" and rows["three"]["held_out"] == 0.5
    assert rows["one"]["chosen"] == "c=1" and rows["one"]["best_possible"] == 1.2
