"""The scale benchmark's corpus, small: Reuters-21578 articles copied with new ids, dates moved
by whole years and sentences shuffled (bench/bench_scale.py), imported and checked for counts
and answers, not speed. Reads ../shared/corpora; skipped without it."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive_search import Archive

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import bench_core  # noqa: E402
import bench_scale  # noqa: E402

BASE = 1000  # the first Reuters file
COPIES = 3


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Archive, list[dict]]]:
    if not bench_core.SHARED.is_dir():
        pytest.skip("real corpora not available: ../shared/corpora not present")
    folder = tmp_path_factory.mktemp("scale")
    jsonl = folder / "base.jsonl"
    bench_core.reuters_jsonl(jsonl, BASE)
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    corpus = folder / "corpus.jsonl"
    assert bench_scale.write_corpus(corpus, records, COPIES) == BASE * COPIES
    archive = Archive.init(folder / "archive")
    report = archive.import_paths([corpus])
    # every record is accounted for: the copies differ, so what is not imported is a text
    # that is one sentence long (its copies shuffle to the same text) or a duplicate already
    accounted = report.imported + report.updated + report.duplicates + len(report.failed)
    assert accounted == BASE * COPIES
    assert report.imported > BASE * COPIES * 0.9
    yield archive, records


def test_copies_differ_in_id_and_year_and_keep_their_words(built):
    _, records = built
    first = records[0]
    copy = next(bench_scale.perturbed([first], 2))
    assert copy["id"] == f"{first['id']}-c2"
    assert copy["date"][:4] == str(int(first["date"][:4]) + 2)
    assert sorted(copy["body"].split()) == sorted(first["body"].split())
    assert copy["body"] != first["body"]


def test_the_index_the_manifest_and_stats_agree(built):
    archive, _ = built
    manifest = archive.index.load_manifest()
    with archive.index.searcher() as searcher:
        indexed = searcher.doc_count()
    stats = archive.stats()
    assert len(manifest.files) == indexed == stats.articles
    assert stats.first_date[:4] == "1987" and stats.last_date[:4] == "1989"
    assert archive.update_index().unchanged == indexed


def test_a_story_is_found_in_every_copy(built):
    archive, records = built
    story = next(r for r in records if r["body"].count(". ") > 3 and len(r["title"]) > 20)
    found = {h.id for h in archive.search(f'"{story["title"]}"', limit=50).hits}
    assert {story["id"], f"{story['id']}-c1", f"{story['id']}-c2"} <= found
    related = {item.id for item in archive.related(story["id"], limit=10).items}
    assert {f"{story['id']}-c1", f"{story['id']}-c2"} & related


def test_one_more_article_is_found_by_words_and_by_name(built, tmp_path: Path):
    archive, _ = built
    before = {h.id for h in archive.search("Paul Volcker", limit=100).hits}
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"id": "scale-one", "title": "Volcker at the harbour",
                               "body": "Paul Volcker opened the new ferry terminal.",
                               "date": "2026-11-29T12:00:00"}))
    assert archive.import_paths([one]).imported == 1
    after = {h.id for h in archive.search("Paul Volcker", limit=100).hits}
    assert after == before | {"scale-one"}
    assert "Paul Volcker" in [m.name for m in archive.names_matching("Paul Volcker")]
