"""The scores of a question's matches, computed faster than Whoosh computes them, and the same.

Feedback adds the scores of some fifty words to the best few hundred matches of a question,
and the question itself scores tens of thousands of matches. These tests hold the fast paths
(a binary search within each postings block, only a block's ids and weights unpickled; each
document's length read straight from its segment) to Whoosh's own matcher and look-ups: the
same scores to the last bit, in an index of several segments, with deleted articles, with
words in one, two, three or hundreds of articles, under both weighting models.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh import scoring
from whoosh.codec.whoosh3 import W3LeafMatcher, W3PerDocReader
from whoosh.reading import TermNotFound
from whoosh.writing import SegmentWriter

from archive_search.engine.whoosh_ranking import InExpB2, _scores_of
from archive_search.index import _codec, build_schema

#: Words of the made-up bodies, and how many of the articles hold each: common words span
#: several postings blocks of 128 articles, rare ones have a block of one to three.
COMMON = ["harbour", "ferry", "council", "storm"]
SEGMENTS = 3
PER_SEGMENT = 220


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index in arch's schema and codec: three segments of made-up articles, a few of them
    deleted afterwards (so that each segment's postings come wrapped in a filter)."""
    folder = tmp_path_factory.mktemp("feedback-index")
    ix = whoosh_index.create_in(str(folder), build_schema())
    rng = random.Random(15)
    number = 0
    for _ in range(SEGMENTS):
        writer = SegmentWriter(ix, compound=False, codec=_codec())
        for _ in range(PER_SEGMENT):
            words = [w for w in COMMON for _ in range(rng.randint(0, 4))]
            words += ["breakwater"] * (number % 3 == 0)  # in a third, once each: weights all 1
            words += [f"only{number}", f"pair{number // 2}", f"trio{number // 3}"]
            words += ["filler"] * rng.randint(0, 30)  # lengths differ
            rng.shuffle(words)
            writer.add_document(id=str(number), title=f"Report {number}", body=" ".join(words),
                                names=f"name{number % 5}")
            number += 1
        writer.commit(merge=False)
    writer = ix.writer()
    for deleted in range(5, SEGMENTS * PER_SEGMENT, 37):
        writer.delete_by_term("id", str(deleted))
    writer.commit(merge=False)
    return folder


def whoosh_walk(searcher, terms, docnums) -> Counter[int]:
    """The scores as Whoosh's own matcher gives them, one ``skip_to`` after another."""
    scores: Counter[int] = Counter()
    for field, word, boost in terms:
        try:
            postings = searcher.postings(field, searcher.schema[field].to_bytes(word))
        except TermNotFound:
            continue
        for docnum in docnums:
            if not postings.is_active():
                break
            if postings.id() < docnum:
                postings.skip_to(docnum)
            if postings.is_active() and postings.id() == docnum:
                scores[docnum] += boost * postings.score()
    return scores


def best_matches(searcher, count: int) -> list[int]:
    """``count`` live documents spread over every segment, sorted, as feedback is given them."""
    reader = searcher.reader()
    live = [docnum for docnum in range(reader.doc_count_all()) if not reader.is_deleted(docnum)]
    return sorted(random.Random(count).sample(live, count))


TERMS = [
    *(("body", word, 1.0 + n / 7) for n, word in enumerate(COMMON)),
    ("title", "report", 0.7),
    ("body", "breakwat", 0.9),
    ("body", "only12", 1.1),  # one article: the posting is kept in the term's own entry
    ("body", "pair40", 1.2),  # two and three articles: a block of fewer than four
    ("body", "trio100", 1.3),
    ("body", "nowhere", 2.0),  # in no article
    ("names", "name3", 0.5),  # a field without positions
]


@pytest.mark.parametrize("model", [InExpB2(), scoring.BM25F()], ids=["in_expb2", "bm25"])
@pytest.mark.parametrize("count", [1, 40, 300])
def test_feedback_scores_are_whooshs_own(index_dir: Path, model, count: int) -> None:
    """Whatever the words and wherever the best matches lie, each one's feedback score is
    exactly what Whoosh's matcher gives, summed in the same order."""
    ix = whoosh_index.open_dir(str(index_dir))
    with ix.searcher(weighting=model) as searcher:
        assert not searcher.is_atomic()
        docnums = best_matches(searcher, min(count, 500))
        fast = _scores_of(searcher, TERMS, docnums)
        assert fast == whoosh_walk(searcher, TERMS, docnums)
        assert len(fast) > count // 2


def test_feedback_reads_no_positions_and_walks_no_block_posting_by_posting(
        index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At 194,000 articles most of feedback's time went to unpickling the positions of every
    block of the expansion words' postings (three quarters of a block's bytes, which feedback
    never uses) and to Whoosh's ``skip_to`` stepping through a block one posting at a time:
    neither happens now."""
    unpickled, stepped = Counter(), Counter()
    read_data, step = W3LeafMatcher._read_data, W3LeafMatcher.next

    def counting_read(self) -> None:
        unpickled["blocks"] += 1
        read_data(self)

    def counting_next(self) -> bool:
        stepped["postings"] += 1
        return step(self)

    ix = whoosh_index.open_dir(str(index_dir))
    with ix.searcher(weighting=InExpB2()) as searcher:
        docnums = best_matches(searcher, 300)
        body_words = [("body", word, 1.0) for word in COMMON]
        monkeypatch.setattr(W3LeafMatcher, "_read_data", counting_read)
        monkeypatch.setattr(W3LeafMatcher, "next", counting_next)
        scores = _scores_of(searcher, body_words, docnums)
        monkeypatch.undo()
        assert scores == whoosh_walk(searcher, body_words, docnums)
    assert len(scores) > 250
    assert unpickled["blocks"] == 0 and stepped["postings"] == 0


def test_each_match_is_scored_as_whoosh_scores_it_without_its_length_look_ups(
        index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In_expB2 scores a match from its weight and its length in the field: Whoosh looks the
    length up through four layers of calls per match, a fifth of a question's search at
    194,000 articles. The length byte is now read from the segment's lengths directly, and
    the score is the one Whoosh's look-up gives, to the last bit, for every document of every
    segment."""
    looked_up = Counter()
    look_up = W3PerDocReader.doc_field_length

    def counting_look_up(self, docnum, fieldname, default=0):
        looked_up[fieldname] += 1
        return look_up(self, docnum, fieldname, default)

    ix = whoosh_index.open_dir(str(index_dir))
    with ix.searcher(weighting=InExpB2()) as searcher:
        checked = 0
        for leaf, _ in searcher.leaf_searchers():
            reader = leaf.reader()
            for field, word in [("body", "harbour"), ("body", "breakwat"), ("title", "report")]:
                text = searcher.schema[field].to_bytes(word)
                scorer = searcher.weighting.scorer(leaf, field, text)
                postings = reader.postings(field, text, scorer=scorer)
                while postings.is_active():
                    monkeypatch.setattr(W3PerDocReader, "doc_field_length", counting_look_up)
                    fast = postings.score()
                    monkeypatch.undo()
                    length = leaf.doc_field_length(postings.id(), field, 1)
                    assert fast == scorer._score(postings.weight(), length)
                    checked += 1
                    postings.next()
    assert checked > 500 and not looked_up


def search_everything(searcher, q) -> list[tuple[int, float]]:
    return [(hit.docnum, hit.score) for hit in searcher.search(q, limit=None)]


def scored_postings(leaf, word: str):
    """A segment's postings of a body word as a search opens them: with a scorer."""
    text = leaf.schema["body"].to_bytes(word)
    return leaf.reader().postings("body", text, scorer=leaf.weighting.scorer(leaf, "body", text))


def test_a_search_reads_no_positions_but_a_phrase_still_reads_them(
        index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A question scores the postings of its words across the whole archive, and unpickling
    the positions of every block it read was a quarter of its search at 194,000 articles:
    the index's postings, opened for a search (with a scorer), now read a block's ids and
    weights alone, and its positions only when a phrase asks for them, with the same
    matches, scores and positions as Whoosh's. A merge (no scorer) reads whole blocks."""
    from whoosh import query

    from archive_search.engine.whoosh_postings import LeafPostings

    words = query.Or([query.Term("body", "harbour"), query.Term("body", "ferri"),
                      query.Term("title", "report")])
    phrase = query.Phrase("body", ["harbour", "ferri"])
    unpickled = Counter()
    read_data = W3LeafMatcher._read_data

    def counting_read(self) -> None:
        unpickled["blocks"] += 1
        read_data(self)

    ix = whoosh_index.open_dir(str(index_dir))
    with ix.searcher(weighting=InExpB2()) as searcher:
        monkeypatch.setattr(W3LeafMatcher, "_read_data", counting_read)
        lazy_words = search_everything(searcher, words)
        assert unpickled["blocks"] == 0
        lazy_phrase = search_everything(searcher, phrase)
        assert unpickled["blocks"] > 0
        positions = [list(scored_postings(leaf, "harbour").all_items())
                     for leaf, _ in searcher.leaf_searchers()]
        monkeypatch.setattr(LeafPostings, "_read_data", read_data)  # Whoosh's: whole blocks
        assert search_everything(searcher, words) == lazy_words
        assert search_everything(searcher, phrase) == lazy_phrase
        assert positions == [list(scored_postings(leaf, "harbour").all_items())
                             for leaf, _ in searcher.leaf_searchers()]
    assert len(lazy_words) > 500 and 0 < len(lazy_phrase) < len(lazy_words)
    with ix.reader() as reader:  # a merge's postings: no scorer (the deleted filtered out)
        opened = [leaf.postings("body", b"harbour") for leaf, _ in reader.leaf_readers()]
        assert all(isinstance(m.child, W3LeafMatcher) and not isinstance(m.child, LeafPostings)
                   for m in opened)
