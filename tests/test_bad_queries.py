"""Bad queries get a clear one-line error or a bounded answer within 2 s: never a traceback, and
never a silent zero (no results because the query was misread, with nothing said about it)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive_search import Archive, Article, QueryError
from archive_search.cli import cli

LIMIT = 5
SECONDS = 2.0


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """Forty small articles, and one with 1,500 different words starting with 'a' (more than
    the 1,000 a wildcard may expand to)."""
    arc = Archive.init(tmp_path_factory.mktemp("bad-queries") / "news")
    topics = ["harbour storm", "korea missile", "tram line", "budget vote", "museum roof"]
    for i in range(40):
        topic = topics[i % len(topics)]
        article = Article(
            title=f"{topic.title()} report {i}",
            body=f"The {topic} story, part {i}.",
            date=f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}",
            tags=[topic.split()[0]],
        )
        article.ensure_id()
        arc.corpus.write(article)
    many = Article(title="Word list", body=" ".join(f"a{n:04d}x" for n in range(1500)))
    many.ensure_id()
    arc.corpus.write(many)
    arc.update_index()
    return arc


def outcome(arc: Archive, text: str) -> str:
    """``"error: …"`` or ``"N results"``, checking the promises every query must keep."""
    started = time.perf_counter()
    try:
        result = arc.search(text, limit=LIMIT)
    except QueryError as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message
        answer = f"error: {message}"
    else:
        assert len(result.hits) <= LIMIT
        answer = f"{result.total} results"
    assert time.perf_counter() - started < SECONDS, f"{text[:60]!r} took too long"
    return answer


def cli_search(arc: Archive, text: str):
    """``arch search -n 5 --format tsv -- TEXT`` (after ``--`` a query may start with '-')."""
    return CliRunner().invoke(
        cli,
        ["--archive", str(arc.root), "search", "-n", str(LIMIT), "--format", "tsv", "--", text],
        obj={},
        catch_exceptions=False,
    )


# Each query is answered (bounded by the limit) or refused with a message that says what to
# do; `None` means "any bounded answer with at least one result".
EXPECTED = {
    '"korea missile': "unbalanced quote",
    'korea "missile': "unbalanced quote",
    "*": None,
    "korea*": None,
    "a*": "matches more than 1,000 different words",
    "**": "matches every word",
    "?": "no searchable words",
    "date:blarg": "not a date: 'blarg'",
    "date:[2023-01-01 to blarg]": "not a date: 'blarg'",
    "date:2023-07 korea": None,
    "foo:bar": "unknown field 'foo:'",
    "Title:harbour": None,
    "byline:smith": "unknown field 'byline:'",
    "x" * 10_000: "query too long",
    "/a.*b/": "regular expressions are not supported",
    "/korea/": "regular expressions are not supported",
    "[a-z]+": "not a range",
    "korea^": "must be followed by a number",
    "korea^abc": "must be followed by a number",
    "korea^2": None,
    "AND": "no searchable words",
    "NOT": "no searchable words",
    "( )": "no searchable words",
    "&&": "no searchable words",
    "- ~ {": "no searchable words",
    '"korea"~': None,
    # boosts: a weight above 0 and at most 1,000, written as a plain number
    "korea^0": "a weight must be above 0",
    "title:korea^0": "a weight must be above 0",
    "korea^0.0": "a weight must be above 0",
    "korea^1e5": "'^1e5' is not a weight",
    "korea^2^3": "is not a weight",
    "korea^5000": "at most 1,000",
    "korea^0.5 missile": None,
    # the ends of the calendar
    "date:>9999-12-31": "leaves no date to search",
    "date:<0001-01-01": "leaves no date to search",
    "date:>=2023-01 date:<2022": "exclude every date",
    # nesting, repeated and chained operators
    "(" * 1000 + "korea" + ")" * 1000: "brackets nested 1,000 deep",
    "(" * 20 + "korea" + ")" * 20: None,
    "NOT " * 1000 + "korea": None,
    "korea NOT NOT missile": None,
    "korea OR OR tram": None,
    "korea AND AND AND missile": None,
    "korea ANDNOT " * 11 + "tram": "more than 10 ANDNOT and ANDMAYBE",
    "korea ANDMAYBE " * 11 + "tram": "more than 10 ANDNOT and ANDMAYBE",
    # '<' and '>' outside field:>value are punctuation (a Reuters ticker, prose)
    "<KOREA>": None,
    "korea > missile": None,
    # ranges and wildcards within their bounds
    "body:[a TO b]": "matches more than 1,000 different words",
    "*x": "matches more than 1,000 different words",
    "tags:>a": None,
}


@pytest.mark.parametrize("text", list(EXPECTED), ids=lambda t: t[:24])
def test_bad_queries_are_refused_clearly_or_answered(news: Archive, text: str):
    expected = EXPECTED[text]
    answer = outcome(news, text)
    if expected is None:
        assert answer.endswith("results") and not answer.startswith("0 "), answer
    else:
        assert answer.startswith("error: ") and expected in answer, answer


@pytest.mark.parametrize("text", list(EXPECTED), ids=lambda t: t[:24])
def test_the_cli_says_the_same_in_one_line(news: Archive, text: str):
    result = cli_search(news, text)
    if EXPECTED[text] is None:
        assert result.exit_code == 0, result.stderr
        assert 1 < len(result.stdout.splitlines()) <= LIMIT + 1
    else:
        assert result.exit_code == 2
        assert result.stdout == ""
        [line] = result.stderr.splitlines()
        assert line.startswith("arch: error: ") and EXPECTED[text] in line


def test_a_long_query_under_the_limit_is_answered_in_time(news: Archive):
    text = " OR ".join(f"word{n}" for n in range(500))[:4000]
    assert outcome(news, text) == "0 results"  # none of these words is in the archive
    assert outcome(news, f"korea OR {text}").endswith(" results")


def batch(arc: Archive, lines: bytes, *options: str):
    """``arch search --batch - -n 5 --fields id OPTIONS`` with ``lines`` on stdin."""
    return CliRunner().invoke(
        cli, ["--archive", str(arc.root), "search", "--batch", "-", "-n", str(LIMIT), "--fields",
              "id", *options], input=lines, obj={}, catch_exceptions=False,
    )


def test_a_query_file_with_bad_lines_reports_each_and_runs_the_rest(news: Archive):
    result = batch(news, b'korea\n"unbalanced\nfoo:bar\ntram\n', "--format", "tsv")
    assert result.exit_code == 2
    assert [line.split(":", 3)[2] for line in result.stderr.splitlines()] == [" line 2", " line 3"]
    rows = [row.split("\t") for row in result.stdout.splitlines()]
    assert rows[0] == ["query", "rank", "id", "suggestion", "error"]
    assert {row[0] for row in rows[1:] if row[1]} == {"korea", "tram"}
    assert [(row[0], row[4][:20]) for row in rows[1:] if not row[1]] == [
        ('"unbalanced', "unbalanced quote in "), ("foo:bar", "unknown field 'foo:'")]


def test_a_batch_query_that_finds_nothing_shows_its_did_you_mean(news: Archive):
    """With no hit, the suggestion once never reached a batch's output (no row at all)."""
    result = batch(news, b"harbuor\n", "--format", "json")
    [row] = json.loads(result.stdout)
    assert (row["query"], row["rank"], row["error"]) == ("harbuor", None, None)
    assert row["suggestion"].lower() == "harbour"


def test_every_batch_line_gets_a_row_that_tells_hits_nothing_and_errors_apart(news: Archive):
    """A row per hit (with its rank); one row for a query that found nothing (no rank, no
    error) and one for a query that could not run (no rank, the reason in ``error``)."""
    result = batch(news, b"korea\nzeppelin\nkorea^0\n", "--format", "jsonl")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    hits = [row for row in rows if row["query"] == "korea"]
    assert [row["rank"] for row in hits] == list(range(1, LIMIT + 1))
    assert all(row["error"] is None and row["id"] for row in hits)
    assert rows[LIMIT:] == [
        {"query": "zeppelin", "rank": None, "id": None, "suggestion": None, "error": None},
        {"query": "korea^0", "rank": None, "id": None, "suggestion": None,
         "error": rows[-1]["error"]},
    ]
    assert rows[-1]["error"].startswith("'^0': a weight must be above 0")
    assert result.exit_code == 2


def test_a_line_that_is_not_utf8_fails_alone(news: Archive):
    result = batch(news, b"\xef\xbb\xbfkorea\nmiss\xffile\ntram\n", "--format", "jsonl")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {row["query"] for row in rows if row["rank"]} == {"korea", "tram"}
    [bad] = [row for row in rows if row["error"]]
    assert bad["query"] == "miss\ufffdile"
    assert "not UTF-8 text (byte 0xff at column 5)" in bad["error"]
    assert result.stderr.startswith("arch: error: line 2: not UTF-8 text")
    assert result.exit_code == 2


def test_a_line_too_long_to_be_a_query_is_not_read_whole(news: Archive):
    result = batch(news, b"korea\n" + b"x" * 100_000 + b"\ntram\n", "--format", "tsv")
    assert "line 2: query too long" in result.stderr
    assert {row.split("\t")[0] for row in result.stdout.splitlines()[1:]} == {
        "korea", "x" * 80 + " …", "tram"}


def test_a_bug_on_one_line_is_reported_and_the_batch_goes_on(news: Archive, monkeypatch):
    import archive_search.search as search_mod

    real = search_mod.run_search

    def broken(archive, text, options=None, **changes):
        if text == "tram":
            raise ZeroDivisionError("float division by zero")
        return real(archive, text, options, **changes)

    monkeypatch.setattr(search_mod, "run_search", broken)
    result = batch(news, b"korea\ntram\nmissile\n", "--format", "csv")
    assert {row.split(",")[0] for row in result.stdout.splitlines()[1:]} == {
        "korea", "tram", "missile"}
    assert "arch: error: line 2: unexpected ZeroDivisionError" in result.stderr
    assert result.exit_code == 70  # a bug in arch, said as such


@pytest.mark.parametrize(("lines", "status"), [
    (b"korea\nzeppelin\n", 0), (b"zeppelin\nquasar\n", 1), (b"korea\n\"x\n", 2),
])
def test_the_batch_exit_status_sums_up_its_lines(news: Archive, lines: bytes, status: int):
    for fmt in ("table", "jsonl"):
        assert batch(news, lines, "--format", fmt).exit_code == status


# -- fuzzing -------------------------------------------------------------------------------------

PIECES = [
    "korea",
    "tram",
    "harbour",
    "Korea",
    "missile",
    "a",
    "the",
    "x",
    "2023",
    "é",
    "北",
    "title:",
    "body:",
    "tags:",
    "source:",
    "author:",
    "id:",
    "lang:",
    "date:",
    "foo:",
    "date:2023",
    "date:[2023-01 to 2023-06]",
    "date:>2023-09",
    "date:<",
    "AND",
    "OR",
    "NOT",
    "ANDNOT",
    "to",
    '"',
    "'",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "*",
    "?",
    "~",
    "~2",
    "^",
    "^2",
    "\\",
    "/",
    "-",
    "+",
    ":",
    "|",
    "&",
    "!",
    "%",
    "\x00",
    "\t",
    "\u200b",
    "..",
    "../",
    "=",
    "@",
]
PIECES += [
    # boosts
    "^0", "^0.0", "^1e5", "^0.5", "^1000", "^1001", "^.5", "^2^3", "korea^0", "tram^1e9",
    # extreme dates
    "date:9999-12-31", "date:>9999-12-31", "date:>=9999-12-31", "date:<0001-01-01",
    "date:<=0001-01-01", "date:0001", "date:9999", "date:[0001 to 9999]",
    "date:[9999-12-31 to 0001-01-01]", "date:>9999-12-31T23:59:59",
    # operators, comparisons
    "ANDMAYBE", "<", ">", "<DIA>", "title:>", "title:<", "tags:>a",
]
query_like = st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).flatmap(
    lambda parts: st.lists(
        st.sampled_from(["", " "]), min_size=len(parts), max_size=len(parts)
    ).map(lambda seps: "".join(p + s for p, s in zip(parts, seps, strict=True)))
)

@st.composite
def hostile(draw: st.DrawFn) -> str:
    """Deep nesting, long runs of one operator or word, many boosts: a query-like text wrapped
    in up to 1,200 brackets, or an operator or word repeated up to 1,200 times."""
    inner = draw(query_like)
    kind = draw(st.sampled_from(["nest", "repeat", "chain"]))
    n = draw(st.integers(min_value=1, max_value=1200))
    if kind == "nest":
        return "(" * n + inner + ")" * draw(st.integers(min_value=0, max_value=n))
    word = draw(st.sampled_from(["NOT ", "AND ", "OR ", "ANDNOT ", "ANDMAYBE ", "korea ",
                                 "korea^2 ", "( ", ") ", "a* ", '"korea" ']))
    if kind == "repeat":
        return (word * n + inner)[: 4096]
    return (" ".join([inner] * min(n, 40)))[:4096]


FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(text=st.one_of(query_like, st.text(max_size=60)))
def test_any_text_is_answered_or_refused_in_one_line(news: Archive, text: str):
    outcome(news, text)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=hostile())
def test_nesting_repeats_and_chains_are_answered_or_refused_in_one_line(news: Archive, text: str):
    outcome(news, text)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=hostile())
def test_nesting_repeats_and_chains_through_the_cli_exit_0_1_or_2(news: Archive, text: str):
    result = cli_search(news, text)
    assert result.exit_code in (0, 1, 2), result.stderr
    assert "Traceback" not in result.output and "unexpected" not in result.stderr
    if result.exit_code == 2:
        assert len(result.stderr.splitlines()) == 1


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=query_like)
def test_any_text_through_the_cli_exits_0_1_or_2_without_a_traceback(news: Archive, text: str):
    result = cli_search(news, text)
    assert result.exit_code in (0, 1, 2), result.stderr
    assert "Traceback" not in result.output and "unexpected" not in result.stderr
    if result.exit_code == 2:
        assert len(result.stderr.splitlines()) == 1


def test_queries_never_write_anything(news: Archive):
    before = {p: p.stat().st_mtime_ns for p in Path(news.root).rglob("*") if p.is_file()}
    for text in list(EXPECTED)[:10]:
        outcome(news, text)
    after = {p: p.stat().st_mtime_ns for p in Path(news.root).rglob("*") if p.is_file()}
    assert after == before


def test_slashes_in_a_sentence_are_punctuation_not_a_regex(archive: Archive, add_articles):
    [found] = add_articles(Article(title="Wind tunnel", body="A boat tail cuts the drag.",
                                   date="2023-01-01"))
    result = archive.search("how does the addition of a /boat-tail/ affect the drag")
    assert [h.id for h in result.hits] == [found]


# -- bounds --------------------------------------------------------------------------------------


def test_dates_at_the_ends_of_the_calendar_are_answered(news: Archive):
    assert outcome(news, "date:9999-12-31") == "0 results"
    assert outcome(news, "date:9999") == "0 results"
    assert outcome(news, "date:0001-01-01") == "0 results"
    assert outcome(news, "date:>=0001-01-01 korea").endswith(" results")
    assert outcome(news, "date:[2023 to 9999] korea") == outcome(news, "korea")


def test_since_after_until_is_refused_by_the_library_too(news: Archive):
    import datetime as dt

    with pytest.raises(QueryError, match="the dates leave no day to search"):
        news.search("date:2023-05 korea", since=dt.datetime(2023, 6, 1))


def test_a_leading_wildcard_that_would_read_too_much_of_the_index_is_refused(
        news: Archive, monkeypatch):
    import archive_search.engine.whoosh_query as query_mod

    assert outcome(news, "*0x").endswith(" results")  # reads every word of each field
    monkeypatch.setattr(query_mod, "MAX_SCAN", 1000)
    assert outcome(news, "*0x").startswith("error: '*0x' would read more than 1,000 words")
    assert outcome(news, "a00*").endswith(" results")  # a prefix reads only its own words


def test_wildcards_together_stay_within_their_budget(news: Archive, monkeypatch):
    import archive_search.engine.whoosh_query as query_mod

    monkeypatch.setattr(query_mod, "MAX_EXPANDED", 500)
    assert outcome(news, "a00*").endswith(" results")  # 100 words in body, none elsewhere
    assert "match more than 500 words together" in outcome(news, "a00* a01* a02* a03* a04* a05*")


def test_expanded_wildcards_and_ranges_find_what_whoosh_finds(news: Archive):
    """The words of a wildcard are looked up once and matched in one pass; the articles found
    are those Whoosh's own expansion finds."""
    from whoosh import query

    def found(text: str) -> set[str]:
        return {hit.id for hit in news.search(text, limit=0, snippets=False).hits}

    with news.index.open().searcher() as searcher:
        def whoosh(q) -> set[str]:
            return {hit["id"] for hit in searcher.search(q, limit=None)}

        assert found("kor*") == whoosh(query.Or([query.Prefix(f, "kor")
                                                 for f in ("title", "body", "tags")]))
        assert found("body:*00x") == whoosh(query.Wildcard("body", "*00x"))
        assert found("title:[k TO m]") == whoosh(query.TermRange("title", "k", "m"))
        assert found("kor* NOT missil*") == found("korea NOT missile")


def test_explain_gives_each_hit_its_parts(news: Archive):
    result = news.search("kor* OR tram", explain=True, limit=LIMIT)
    for hit in result.hits:
        assert hit.explain and all(score > 0 for _, score in hit.explain)
        assert sum(score for _, score in hit.explain) == pytest.approx(hit.score, rel=1e-3)


def test_a_very_long_query_of_common_words_leaves_out_the_commonest(news: Archive, monkeypatch):
    import archive_search.engine.whoosh_query as query_mod

    words = "korea missile story part report harbour storm tram line budget vote"
    everything = news.search(words, limit=0)
    assert not everything.warnings
    monkeypatch.setattr(query_mod, "MAX_POSTINGS", 30)
    bounded = news.search(words, limit=0)
    [warning] = bounded.warnings
    assert warning.startswith("left out the ") and "story" in warning  # in every article
    assert 0 < len(bounded.hits) < len(everything.hits)


def test_the_cli_says_which_words_it_left_out(news: Archive, monkeypatch):
    import archive_search.engine.whoosh_query as query_mod

    monkeypatch.setattr(query_mod, "MAX_POSTINGS", 30)
    result = cli_search(news, "korea missile story part report harbour storm")
    assert result.exit_code == 0
    assert "arch: warning: left out the " in result.stderr


def test_typo_suggestions_are_whooshs(news: Archive):
    """Did-you-mean finds the words Whoosh's corrector finds (rapidfuzz, not Whoosh's Python
    edit distance to every word, which cost seconds on Reuters)."""
    from archive_search.search import _close_words

    with news.index.searcher() as searcher, news.index.open().searcher() as whoosh:
        reader = whoosh.reader()
        lexicon = searcher.lexicon("body")
        for word in ["harbor", "misile", "koreaa", "trm", "a0007"]:
            for maxdist in (1, 2):
                ours = _close_words(searcher, lexicon, word, maxdist)
                theirs = reader.corrector("body").suggest(word, limit=5, maxdist=maxdist)
                assert set(ours) == set(theirs) or len(ours) == len(theirs) == 5, word


def test_a_query_of_one_very_long_word_is_answered_in_time(news: Archive):
    assert outcome(news, "x" * 4096) == "0 results"


def test_a_long_query_with_wildcards_leaves_out_its_costliest_parts(news: Archive, monkeypatch):
    import archive_search.engine.whoosh_query as query_mod

    monkeypatch.setattr(query_mod, "MAX_POSTINGS", 30)
    result = news.search("sto* korea missile tram harbour", limit=0)
    [warning] = result.warnings
    assert "sto*" in warning  # 'story' is in every article: the costliest part
    assert result.hits
