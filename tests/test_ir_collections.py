"""The IR test collection readers (bench/ir_collections.py) against the real files.

The counts are the verified ones in ``shared/corpora/README.md`` section 2; the quirks checked
are the ones that silently skew a ranking evaluation when they are got wrong.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
IR = REPO.parent / "shared" / "corpora" / "ir"
sys.path.insert(0, str(REPO / "bench"))

import ir_collections  # noqa: E402
from ir_collections import Document, cranfield_gain, write_jsonl  # noqa: E402

needs_corpora = pytest.mark.skipif(not IR.is_dir(), reason="../shared/corpora not present")


@pytest.fixture(scope="module")
def time_collection() -> ir_collections.Collection:
    return ir_collections.load("time", IR)


@pytest.fixture(scope="module")
def cisi() -> ir_collections.Collection:
    return ir_collections.load("cisi", IR)


@pytest.fixture(scope="module")
def cranfield() -> ir_collections.Collection:
    return ir_collections.load("cranfield", IR)


def pair_count(collection: ir_collections.Collection) -> int:
    return sum(len(judged) for judged in collection.qrels.values())


# --- TIME ---


@needs_corpora
def test_time_counts(time_collection):
    assert len(time_collection.documents) == 423
    assert len({doc.id for doc in time_collection.documents}) == 423
    assert list(time_collection.queries) == [str(n) for n in range(1, 84)]
    assert pair_count(time_collection) + len(time_collection.dropped_pairs) == 324


@needs_corpora
def test_time_rel_numbers_are_positions_in_time_all_not_text_numbers(time_collection):
    # TIME.REL line "2  326 334": the 326th and 334th records are *TEXT 418 and *TEXT 434.
    assert set(time_collection.relevant("2")) == {"time-418", "time-434"}


@needs_corpora
def test_time_pairs_citing_docs_424_and_425_are_dropped_and_counted(time_collection):
    assert time_collection.dropped_pairs == [("15", "424"), ("23", "425"), ("26", "425")]
    # Query 23 cites only the missing doc 425, so 82 queries are left to score on.
    assert "23" not in time_collection.judged_queries()
    assert len(time_collection.judged_queries()) == 82


@needs_corpora
def test_time_dates_come_from_irregular_headers(time_collection):
    dates = {doc.id: doc.date for doc in time_collection.documents}
    assert dates["time-17"] == "1963-01-04"
    assert dates["time-431"] == "1963-08-30"  # "*TEXT 431 08/30 63 PAGE 026"
    assert dates["time-557"] == "1963-12-27"  # "*TEXT 557        12/27/63         PAGE 021"
    assert all(date and date.startswith("1963-") for date in dates.values())
    # 44 spellings in the headers, 43 issues: "08/30 63" is "08/30/63" missing its slash.
    assert len(set(dates.values())) == 43
    assert Counter(dates.values())["1963-11-13"] == 1


@needs_corpora
def test_time_title_is_the_first_text_line_and_the_body_keeps_it(time_collection):
    first = time_collection.documents[0]
    assert first.title == "THE ALLIES AFTER NASSAU IN DECEMBER 1960, THE U.S . FIRST"
    assert first.body.startswith(first.title + "\nPROPOSED TO HELP NATO")
    assert all("\n\n" not in doc.body for doc in time_collection.documents)  # double spacing


@needs_corpora
def test_time_queries_are_collapsed_to_one_line(time_collection):
    assert time_collection.queries["2"] == (
        "EFFORTS OF AMBASSADOR HENRY CABOT LODGE TO GET VIET NAM'S "
        "PRESIDENT DIEM TO CHANGE HIS POLICIES OF POLITICAL REPRESSION ."
    )


# --- CISI ---


@needs_corpora
def test_cisi_counts(cisi):
    assert [doc.id for doc in cisi.documents] == [f"cisi-{n}" for n in range(1, 1461)]
    assert list(cisi.queries) == [str(n) for n in range(1, 113)]
    assert pair_count(cisi) == 3114
    assert cisi.dropped_pairs == []
    assert len(cisi.judged_queries()) == 76


@needs_corpora
def test_cisi_crlf_and_markers_with_trailing_spaces(cisi):
    doc2 = cisi.documents[1]  # its markers are ".T " and ".A "
    assert doc2.title == "Use Made of Technical Libraries"
    assert doc2.body.startswith("This report is an analysis of 6300 acts of use")
    texts = [doc.title + doc.body for doc in cisi.documents] + list(cisi.queries.values())
    assert not any("\r" in text for text in texts)
    assert all(doc.title and doc.body for doc in cisi.documents)


@needs_corpora
def test_cisi_query_is_the_w_text_not_the_source_papers_title(cisi):
    assert cisi.queries["60"].startswith("A linkage similarity measure")
    assert "Bichteler" not in cisi.queries["60"]


# --- Cranfield ---


@needs_corpora
def test_cranfield_counts(cranfield):
    assert [doc.id for doc in cranfield.documents] == [f"cran-{n}" for n in range(1, 1401)]
    assert pair_count(cranfield) == 1837
    assert len(cranfield.judged_queries()) == 225


@needs_corpora
def test_cranfield_queries_are_numbered_by_position(cranfield):
    # cran.qry numbers them 001, 002, 004, ...; cranqrel numbers them 1, 2, 3, ...
    assert list(cranfield.queries) == [str(n) for n in range(1, 226)]
    assert cranfield.queries["3"].startswith("what problems of heat conduction in composite slabs")
    assert not any("\r" in text for text in cranfield.queries.values())


@needs_corpora
def test_cranfield_grades_become_gains_and_minus_one_is_not_relevant(cranfield):
    gains = Counter(gain for judged in cranfield.qrels.values() for gain in judged.values())
    # grade 1 x128, 2 x387, 3 x734, 4 x363, -1 x225
    assert gains == {4: 128, 3: 387, 2: 734, 1: 363, 0: 225}
    assert all(list(judged.values()).count(0) == 1 for judged in cranfield.qrels.values())
    assert cranfield.graded


@needs_corpora
def test_cranfield_irregular_records(cranfield):
    docs = {doc.id: doc for doc in cranfield.documents}
    assert docs["cran-471"].title == docs["cran-471"].body == ""
    assert docs["cran-995"].title == docs["cran-995"].body == ""
    assert docs["cran-993"].body  # the readme lists it as empty, but its .W has text
    assert "limit characteristics" in docs["cran-576"].body  # from its second .W
    assert docs["cran-576"].body.startswith("viscous and inviscid stagnation flow")


# --- without the corpora ---


def test_cranfield_gain_follows_cleverdons_codes():
    assert [cranfield_gain(grade) for grade in (1, 2, 3, 4, -1, 5)] == [4, 3, 2, 1, 0, 0]


def test_jsonl_has_one_record_per_line_and_omits_an_unknown_date(tmp_path):
    path = tmp_path / "docs.jsonl"
    write_jsonl(
        [Document("time-17", "T", "line 1\nline 2", "1963-01-04"), Document("a", "", "")], path
    )
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"id": "time-17", "title": "T", "body": "line 1\nline 2", "date": "1963-01-04"},
        {"id": "a", "title": "", "body": ""},
    ]


def test_unknown_collection_is_a_one_line_error(tmp_path):
    with pytest.raises(ValueError, match="unknown collection 'trec'"):
        ir_collections.load("trec", tmp_path)
