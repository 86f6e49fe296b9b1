"""The parts of related() (archive_search/relatedness/), each on a tiny made-up archive or on
made-up profiles, and related() as a whole against answers recorded before the split."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from conftest import article
from related_golden import GOLDEN, answers, build

from archive_search import Article
from archive_search.relatedness import candidates, scoring
from archive_search.relatedness.boilerplate import Boilerplate, SourceText, contains
from archive_search.relatedness.profiles import Profile, Profiler, Tokens
from archive_search.relatedness.terms import Terms, TermStats

BANNER = "Subscribe to the Quarry Ledger for alerts."


def test_related_answers_as_recorded(tmp_path: Path):
    # every article and text of a made-up archive: same ids, order, scores, reasons and notes
    recorded = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = answers(build(tmp_path / "news"))
    assert got.keys() == recorded.keys()
    for key, expected in recorded.items():
        assert got[key] == expected, key


@pytest.fixture
def quarry(add_articles) -> list[str]:
    """Six stories, four of them (and a fifth by another wording) ending in a banner line."""
    bodies = [
        "Granite blocks were cut at the north face.",
        "The granite crusher broke down again.",
        "Slate roofs need granite ridges.",
        "Masons bought granite for the bridge.",
    ]
    return add_articles(
        *(article(f"Quarry story {n}", f"{body}\n{BANNER}") for n, body in enumerate(bodies)),
        article("Quarry ledger", "The Quarry Ledger printed alerts about the subscription."),
        article("Gravel price", "Gravel prices rose at the granite quarry."),
    )


def parts(archive, text_terms=None, **settings):
    """TermStats and Boilerplate over the archive's index, with small thresholds."""
    searcher = archive.index.searcher()
    stats = TermStats(
        searcher, "title", "body", text_terms,
        min_df=2, max_df_share=settings.get("max_df_share", 1.0), min_df_ceiling=10, idf_floor=4.0,
    )
    source_text = SourceText(searcher, stats.ceiling, share=0.5, min_docs=3)

    def body_of(docnum: int) -> str:
        return archive.corpus.read(searcher.stored(docnum).path).body

    junk = Boilerplate(
        stats, source_text, body_of, body_terms(searcher),
        max_tokens=settings.get("max_tokens", 20), min_docs=settings.get("min_docs", 4),
    )
    return searcher, stats, junk


def body_terms(searcher) -> Terms:
    """The terms of a text as the index's ``body`` field has them."""
    return Terms(searcher.analyzer("body"), searcher.word_pattern("body"))


def test_a_line_in_enough_other_articles_is_boilerplate(archive, quarry):
    searcher, stats, junk = parts(archive)
    terms_of = body_terms(searcher)
    banner = terms_of(BANNER)
    with searcher:
        # asked from a fifth article, the banner is in four others; from one of the four, in
        # three others only (the article itself does not count)
        assert junk.is_line(banner, None, exclude=None)
        first = searcher.document_number(quarry[0])
        assert not junk.is_line(banner, None, exclude=first)
        # its words all in another article, but not as a line: that one does not confirm it
        assert not parts(archive, min_docs=5)[2].is_line(banner, None, exclude=None)
        assert not parts(archive, max_tokens=3)[2].is_line(banner, None, exclude=None)
        lines = [banner, terms_of("Granite blocks were cut at the north face.")]
        assert junk.lines(lines, None, exclude=None) == {banner}


def test_a_source_standing_text_does_not_count(archive, add_articles):
    add_articles(
        *(article(f"Item {n}", f"Note {n} about walls. Pellmouth desk.", source="Gull Post")
          for n in range(4)),
        article("Other", "Pellmouth desk visits walls.", source="Other Post"),
    )
    searcher, stats, junk = parts(archive)
    with searcher:
        assert len(junk.source_text.docs("Gull Post")) == 4
        assert not junk.informative("pellmouth", "Gull Post")  # in all four of its articles
        assert junk.informative("pellmouth", "Other Post")  # one article: too few to tell
        assert junk.informative("pellmouth", None)
        assert not junk.informative("1987", None)  # figures never count as words


def test_contains_finds_a_run_of_terms():
    assert contains(("a", "b", "c", "d"), ("b", "c"))
    assert not contains(("a", "b", "c", "d"), ("b", "d"))
    assert not contains(("a",), ("a", "b"))


def test_term_statistics_count_a_text_as_one_more_article(archive, quarry):
    searcher, stats, _ = parts(archive)
    with searcher:
        assert stats.total == 6 and stats.df("granit") == 5
        assert stats.idf(5) == 4.0 + math.log(7 / 6)  # the floor plus the rarity
    searcher, with_text, _ = parts(archive, text_terms={"granit"})
    with searcher:
        assert with_text.total == 7
        assert with_text.df("granit") == 6 and with_text.df("gravel") == 1
        assert with_text.field_df("tags", "none") == 1
        assert with_text.rarity(6) == math.log(8 / 7)


def test_a_term_only_in_titles_counts_for_rare_terms(archive, add_articles):
    add_articles(article("Basalt news", "Nothing here."), article("Basalt again", "Or here."))
    searcher, stats, _ = parts(archive)
    with searcher:
        assert searcher.doc_frequency("body", "basalt") == 0
        assert stats.df("basalt") == 2


def test_terms_are_the_index_analyzers(archive, quarry):
    with archive.index.searcher() as searcher:
        analyzer = searcher.analyzer("body")
        pattern = searcher.word_pattern("body")
    text = "The Masons were cutting granite, and the granites were cut."
    assert pattern is not None  # each word is analysed once, not the whole text
    assert Terms(analyzer, pattern)(text) == tuple(t.text for t in analyzer(text))
    assert Terms(analyzer, None)(text) == tuple(t.text for t in analyzer(text))
    tokens = Tokens.of(analyzer, Article(title="Cutting Granite", body="Masons\ncut granites"))
    assert tokens.title == ("cut", "granit")
    assert tokens.lines == [("Masons", ("mason",)), ("cut granites", ("cut", "granit"))]
    assert tokens.words == {"cut": "cutting", "granit": "granite", "mason": "masons"}


def test_a_profile_weighs_title_words_twice_and_leaves_lines_out(archive, quarry):
    searcher, stats, junk = parts(archive)
    profiler = Profiler(stats, junk, body_terms(searcher), searcher.analyzer("tags"),
                        title_weight=2)
    with searcher:
        story = Article(title="Granite quarry", body="The quarry sells gravel.\n" + BANNER,
                        tags=["stone"], source="Quarry Ledger")
        banner = body_terms(searcher)(BANNER)
        profile = profiler.of_article(story, leave_out={banner})
        # "quarry" is in the source's name; "subscrib" left out with the banner line; "gravel"
        # is in one archived article only: it lengthens the vector but cannot be shared
        assert set(profile.terms) == {"granit"}
        assert profile.terms["granit"] == (1 + math.log(2)) * stats.idf(stats.df("granit"))
        assert profile.norm > profile.terms["granit"]
        assert set(profiler.of_article(story, leave_out=set()).terms) == {
            "granit", "subscrib", "alert"
        }


def test_the_postings_budget_reads_the_strongest_terms_always():
    df = {"a": 900, "b": 50, "c": 700, "d": 200, "e": 90}.__getitem__
    terms = ["a", "b", "c", "d", "e"]
    # a and b always (950 of 1200); c does not fit in what is left, d does (50 left), e not
    assert list(candidates.within_budget(terms, df, budget=1200, always=2)) == ["a", "b", "d"]
    # the strongest term is read even when it alone is over the budget
    assert list(candidates.within_budget(terms, df, budget=100, always=1)) == ["a"]
    assert list(candidates.within_budget(terms, df, budget=10_000, always=0)) == terms
    assert candidates.key_terms({"x": 1.0, "y": 3.0, "z": 1.0}, 2) == ["y", "x"]


def test_candidates_hold_the_key_terms_and_never_the_article_itself(archive, quarry):
    searcher, stats, _ = parts(archive)
    with searcher:
        me = searcher.document_number(quarry[5])
        keys = [("body", "gravel", 2.0), ("body", "granit", 1.0), ("body", "nosuchterm", 9.0)]
        found = candidates.gather(
            searcher, keys, exclude=me, length=candidates.field_length(searcher, stats.fields),
            asked_length=8, wanted=2, since=None, until=None, pool_factor=4, short=1,
        )
        ids = [searcher.stored(d).id for d in found]
        assert me not in found and set(ids) <= set(quarry[:4])
        assert len(found) in (2, 3)  # two by weight, one by weight per length (maybe the same)


def profile(terms: dict[str, float], text: str, **kw) -> Profile:
    values = {
        "article": Article(title="", body=text), "terms": terms,
        "norm": math.sqrt(sum(w * w for w in terms.values())), "names": {}, "name_labels": {},
        "tags": {}, "tag_labels": {}, "shingles": frozenset(text.split()),
        "numbers": frozenset(), "fingerprint": text, "day": None,
    }
    return Profile(**{**values, **kw})


def test_scores_are_symmetric_and_names_and_tags_only_add():
    a = profile({"granit": 2.0, "quarri": 1.0}, "a", names={"k": 3.0}, tags={"t": 1.0})
    b = profile({"granit": 1.0, "gravel": 1.0}, "b", names={"k": 3.0}, tags={"u": 1.0})
    ab, shared = scoring.score(a, b, use_tags=True, names_weight=0.2, tags_weight=0.2)
    ba, _ = scoring.score(b, a, use_tags=True, names_weight=0.2, tags_weight=0.2)
    plain, _ = scoring.score(a, b, use_tags=True, names_weight=0.0, tags_weight=0.0)
    assert shared == {"granit": 2.0}
    assert ab == pytest.approx(ba) and plain < ab <= 1.0
    assert plain == pytest.approx(2.0 / (math.sqrt(5) * math.sqrt(2)))


def test_copies_are_the_same_text_or_nearly_the_same_with_the_same_figures():
    one = profile({}, "x", shingles=frozenset(range(10)), numbers=frozenset({"12"}))
    near = profile({}, "y", shingles=frozenset(range(1, 11)), numbers=frozenset({"12"}))
    figure = profile({}, "z", shingles=frozenset(range(1, 11)), numbers=frozenset({"13"}))
    assert scoring.same_story(one, profile({}, "x"), 0.8)  # the same fingerprint
    assert scoring.same_story(one, near, 0.8)  # 9 of 11 trigrams
    assert not scoring.same_story(one, near, 0.9)
    assert not scoring.same_story(one, figure, 0.8)


def test_reasons_name_the_rarest_shared_terms_names_tags_and_days():
    a = profile({}, "a", names={"kim": 1.0}, name_labels={"kim": "Kim Jong-un"},
                tags={"korea": 1.0}, tag_labels={"korea": "Korea"})
    b = profile({}, "b", names={"kim": 1.0}, tags={"korea": 1.0})
    shared = {"kim": 9.0, "rocket": 1.0, "launch": 1.0, "site": 1.0}
    rarity = {"kim": 1.0, "rocket": 3.0, "launch": 2.0, "site": 2.0}.__getitem__

    def reasons(**kw):
        options = {"duplicate": False, "days": 3, "rarity": rarity, "words": {"launch": "launches"},
                   "terms_of": lambda name: ("kim", "jong", "un"), "use_tags": True, "items": 2}
        return scoring.reasons(a, b, shared, **{**options, **kw})

    assert reasons() == ["shared terms: rocket, launches", "shared names: Kim Jong-un",
                         "same tags: Korea", "3 days apart"]
    assert reasons(duplicate=True, days=0, use_tags=False) == [
        "duplicate", "shared terms: rocket, launches", "shared names: Kim Jong-un", "same day"
    ]
    assert reasons(days=1)[-1] == "1 day apart"
    assert scoring.reasons(profile({}, "a"), profile({}, "b"), {}, duplicate=False, days=0,
                           rarity=rarity, words={}, terms_of=lambda n: (), use_tags=True,
                           items=5) == []


def test_reasons_never_list_function_words():
    """`related` listed "his", "since", "under" among the shared terms: they still count in
    the score, but a reason names what two stories have in common."""
    a, b = profile({}, "a"), profile({}, "b")
    shared = {"his": 5.0, "since": 5.0, "barrier": 1.0, "under": 4.0, "flood": 1.0}
    found = scoring.reasons(a, b, shared, duplicate=False, days=None,
                            rarity=lambda t: 1.0, words={}, terms_of=lambda n: (),
                            use_tags=False, items=5)
    assert found == ["shared terms: barrier, flood"]


def test_reasons_never_list_the_words_of_every_news_story():
    """`related` listed "say" and "met" (and "along", "across") as what two stories share:
    every story attributes and says where; a reason names what these two have in common.
    Stems and the words they are written as are both recognised ('say' written 'says')."""
    a, b = profile({}, "a"), profile({}, "b")
    shared = {"say": 5.0, "met": 5.0, "along": 4.0, "ferri": 1.0, "across": 3.0, "told": 2.0}
    found = scoring.reasons(a, b, shared, duplicate=False, days=None,
                            rarity=lambda t: 1.0, words={"say": "says", "ferri": "ferry"},
                            terms_of=lambda n: (), use_tags=False, items=5)
    assert found == ["shared terms: ferry"]
