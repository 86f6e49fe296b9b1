"""Importing records: JSON, JSON Lines, CSV/TSV, and the field-name mapping they share."""

from __future__ import annotations

import io
import json
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive_search.article import Article
from archive_search.importers import csvfile, jsonfile, jsonl
from archive_search.importers.base import (
    ImportFailure,
    ImportOptions,
    RecordFailure,
    RecordWarning,
    Source,
)
from archive_search.importers.records import RecordConverter

pytestmark = pytest.mark.filterwarnings("error")


def read(module: ModuleType, name: str, data: bytes | str, **options) -> list:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return list(module.read(Source.from_bytes(name, raw), ImportOptions(**options)))


def articles(results: list) -> list[Article]:
    return [r for r in results if isinstance(r, Article)]


def failures(results: list) -> list[RecordFailure]:
    return [r for r in results if isinstance(r, RecordFailure)]


def warnings_of(results: list) -> list[str]:
    return [r.reason for r in results if isinstance(r, RecordWarning)]


def convert(record, **options) -> list:
    return list(RecordConverter(ImportOptions(**options)).convert(record, 7))


# -- field names ------------------------------------------------------------------------------


def test_common_field_names_whatever_their_spelling() -> None:
    record = {
        "Headline": "Storm hits coast",
        "publishedAt": "2023-09-18T14:17:00Z",
        "article_body": "Wind.\n\nRain.",
        "Keywords": "weather; storms, coast",
        "link": "https://example.org/storm",
        "source": {"id": None, "name": "Example News"},
        "authors": [{"name": "Jane Doe"}, "John Roe"],
        "GUID": "storm-2023",
        "language": "en",
        "internal_score": 0.93,
    }
    [article] = convert(record)
    assert article == Article(
        title="Storm hits coast",
        body="Wind.\n\nRain.",
        id="storm-2023",
        date="2023-09-18T14:17:00+00:00",
        source="Example News",
        url="https://example.org/storm",
        authors=["Jane Doe", "John Roe"],
        tags=["weather", "storms", "coast"],
        lang="en",
        origin={"record": 7},
    )


@pytest.mark.parametrize("value", [1695046620, 1695046620000, "1695046620"])
def test_epoch_dates_in_seconds_or_milliseconds(value) -> None:
    [article] = convert({"title": "t", "timestamp": value})
    assert article.date == "2023-09-18T14:17:00+00:00"


def test_a_real_body_field_beats_a_longer_summary() -> None:
    record = {"title": "t", "description": "A much longer summary " * 5, "text": "Body"}
    [article, _] = convert(record)
    assert article.body == "Body"


def test_a_summary_is_the_body_when_there_is_nothing_else() -> None:
    [article, _] = convert({"title": "t", "summary": "Only a summary."})
    assert article.body == "Only a summary."


def test_html_in_feeds_and_cms_exports_becomes_text() -> None:
    record = {
        "title": {"rendered": "Tom &amp; Jerry"},
        "content": {"rendered": "<p>One</p><p>Two<br>2b</p>"},
    }
    [article, _] = convert(record)
    assert (article.title, article.body) == ("Tom & Jerry", "One\n\nTwo\n2b")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("MCLEAN&apos;S &quot;FLAT&quot; YEAR", 'MCLEAN\'S "FLAT" YEAR'),
        ("caf&eacute; &#8212; &#x2014;", "caf\u00e9 \u2014 \u2014"),
        ("the entity &amp;quot; explained", "the entity &quot; explained"),
        ("AT&T writes &amp; in its notes", "AT&T writes &amp; in its notes"),
        ("AT&T and R&D", "AT&T and R&D"),
        ("&nosuch; stays", "&nosuch; stays"),
    ],
)
def test_references_are_decoded_once_and_plain_ampersands_are_left_alone(title, expected):
    [article, _] = convert({"title": title, "body": f"{title}\n\nSecond paragraph."})
    assert article.title == expected
    assert article.body == f"{expected}\n\nSecond paragraph."


def test_a_record_with_neither_title_nor_text_fails_with_its_number() -> None:
    assert convert({"id": 3, "score": 1}) == [
        RecordFailure("no title or text (keys: id, score)", 7)
    ]


def test_a_record_without_title_is_named_by_its_opening_words() -> None:
    results = convert({"text": "First line.\nSecond line."})
    assert results[0].title == "First line."
    assert RecordWarning("no title; named by the opening words of the text", 7) in results


def test_an_unparseable_date_is_kept_as_unknown_with_a_warning() -> None:
    [article, note] = convert({"title": "t", "date": "blarg"})
    assert article.date is None
    assert note == RecordWarning("date 'blarg' not understood; kept as unknown", 7)


def test_a_missing_date_is_reported() -> None:
    [_, note] = convert({"title": "t"})
    assert note.reason == "no publication date found"


@pytest.mark.parametrize(
    "record",
    [
        {"title": 42, "body": ["a", {"text": "b"}, None]},
        {"title": {"deeply": {"nested": {"thing": 1}}}, "body": "x"},
        {"title": True, "text": 3.5, "date": {"$date": "2023-09-18"}},
        {"title": "t", "tags": [[1, 2], {"term": "x"}, None], "url": "not a link"},
        {"title": "t", "date": float("nan"), "authors": 5},
        ["not", "an", "object"],
        "a string",
        None,
    ],
)
def test_values_of_unexpected_types_never_raise(record) -> None:
    results = convert(record)
    assert all(isinstance(r, (Article, RecordFailure, RecordWarning)) for r in results)


def test_unknown_keys_are_dropped() -> None:
    [article, _] = convert({"title": "t", "crawler_batch": 9, "meta": {"x": 1}})
    assert article.extra == {}


def test_search_engine_dumps_are_unwrapped() -> None:
    [article, _] = convert({"_index": "news", "_id": "1", "_source": {"title": "Inside"}})
    assert article.title == "Inside"


# -- --map ------------------------------------------------------------------------------------


def test_a_mapping_overrides_the_guess_and_follows_dotted_paths() -> None:
    record = {
        "title": "Section front",
        "headline_text": "The real headline",
        "meta": {"Published": "18 Sep 2023"},
    }
    mapping = {"title": "headline_text", "date": "meta.published"}
    [article] = convert(record, mapping=mapping)
    assert (article.title, article.date) == ("The real headline", "2023-09-18")


def test_a_mapped_key_missing_from_a_record_is_named_in_the_failure() -> None:
    [failure] = convert({"title": "x"}, mapping={"title": "headline", "body": "story"})
    assert failure.reason == "no title or text (mapped key 'headline' / 'story' not in this record)"


def test_a_mapping_to_an_unknown_field_fails_the_whole_input() -> None:
    with pytest.raises(ImportFailure, match="--map: unknown field 'titel'"):
        read(jsonl, "a.jsonl", '{"title": "x"}\n', mapping={"titel": "headline"})


# -- JSON -------------------------------------------------------------------------------------


def test_json_array_of_objects() -> None:
    data = json.dumps([{"title": "A", "date": "2023-01-01"}, {"title": "B", "date": "2023-01-02"}])
    results = read(jsonfile, "a.json", data)
    assert [(a.title, a.date, a.origin) for a in articles(results)] == [
        ("A", "2023-01-01", {"record": 1}),
        ("B", "2023-01-02", {"record": 2}),
    ]
    assert warnings_of(results) == []


def test_json_single_object() -> None:
    [article, _] = read(jsonfile, "a.json", '{"title": "Alone", "body": "b"}')
    assert (article.title, article.body) == ("Alone", "b")


@pytest.mark.parametrize(
    "document",
    [
        {"status": "ok", "articles": [{"title": "A"}]},  # NewsAPI
        {"response": {"status": "ok", "results": [{"webTitle": "A"}]}},  # The Guardian
        {"hits": {"total": 1, "hits": [{"_id": "1", "_source": {"title": "A"}}]}},  # Elasticsearch
        {"export": "2024-01-01", "stuff": [{"headline": "A"}]},  # the only list of objects
    ],
)
def test_json_wrappers_are_found(document) -> None:
    assert [a.title for a in articles(read(jsonfile, "a.json", json.dumps(document)))] == ["A"]


def test_a_json_feed_title_names_the_source() -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Harbour Gazette",
        "items": [{"id": "1", "title": "A", "content_text": "x", "date_published": "2020-01-01"}],
    }
    [article] = read(jsonfile, "feed.json", json.dumps(feed))
    assert (article.source, article.date, article.body) == ("Harbour Gazette", "2020-01-01", "x")


def test_a_json_file_that_is_really_json_lines() -> None:
    results = read(jsonfile, "a.json", '{"title": "A"}\n{"title": "B"}\n')
    assert [a.title for a in articles(results)] == ["A", "B"]


def test_a_broken_json_array_keeps_the_articles_before_the_break() -> None:
    data = '[{"title": "A"},\n {"title": "B"}\n {"title": "C"}]'
    results = read(jsonfile, "a.json", data)
    assert [a.title for a in articles(results)] == ["A", "B"]
    assert failures(results) == [
        RecordFailure(
            "invalid JSON at line 3 column 2: expected ',' or ']';"
            " the rest of the file was not read"
        )
    ]


def test_invalid_json_before_any_article_fails_the_input() -> None:
    with pytest.raises(ImportFailure, match="invalid JSON at line 2 column 12: Expecting value"):
        read(jsonfile, "a.json", '{\n  "title": }')


def test_json_that_is_not_an_object_or_array_fails() -> None:
    with pytest.raises(ImportFailure, match="expected an object or an array"):
        read(jsonfile, "a.json", '"just a string"')


# -- JSON Lines -------------------------------------------------------------------------------


def test_a_bad_line_in_the_middle_fails_alone() -> None:
    data = '{"title": "A"}\n{"title": oops}\n\n[1, 2]\n{"title": "D"}\n'
    results = read(jsonl, "a.jsonl", data)
    assert [(a.title, a.origin["record"]) for a in articles(results)] == [("A", 1), ("D", 5)]
    assert failures(results) == [
        RecordFailure("invalid JSON: Expecting value at column 11", 2),
        RecordFailure("a list, not an object with fields", 4),
    ]


#: Enough records (about 4 MB) that reading them whole would show.
BIG = [{"title": f"t{i}", "body": "x" * 200} for i in range(20_000)]


class CountingStream(io.BytesIO):
    """A stream that remembers how far it has been read."""

    furthest = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        CountingStream.furthest = max(CountingStream.furthest, self.tell())
        return data

    def readline(self, size: int | None = -1) -> bytes:
        data = super().readline(size)
        CountingStream.furthest = max(CountingStream.furthest, self.tell())
        return data

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


@pytest.mark.parametrize(
    ("module", "name", "data"),
    [
        (jsonl, "big.jsonl", "".join(json.dumps(r) + "\n" for r in BIG)),
        (jsonfile, "big.json", json.dumps(BIG)),
        (csvfile, "big.csv", "title,body\n" + "".join(f"{r['title']},{r['body']}\n" for r in BIG)),
    ],
    ids=["jsonl", "json-array", "csv"],
)
def test_large_inputs_are_streamed_not_read_whole(module, name, data) -> None:
    raw = data.encode()
    CountingStream.furthest = 0
    source = Source(name=name, open=lambda: CountingStream(raw), size=len(raw))
    first = next(iter(module.read(source, ImportOptions())))
    assert first.title == "t0"
    assert CountingStream.furthest < len(raw) // 2


# -- CSV / TSV --------------------------------------------------------------------------------


def test_csv_with_bom_sniffed_delimiter_and_embedded_newlines() -> None:
    data = (
        "\ufeffHeadline;Published At;Body;Tags\n"
        '"Storm; then calm";2023-09-18;"Line one\nLine two";weather,coast\n'
    )
    [article] = read(csvfile, "a.csv", data)
    assert article.title == "Storm; then calm"
    assert article.body == "Line one\nLine two"
    assert (article.date, article.tags) == ("2023-09-18", ["weather", "coast"])


def test_record_numbers_are_the_line_a_row_starts_on() -> None:
    data = 'title,body\nA,"two\nlines"\n\nB,x\n'
    assert [a.origin["record"] for a in articles(read(csvfile, "a.csv", data))] == [2, 5]


def test_tsv_by_extension() -> None:
    data = "title\tbody\tdate\nA, with comma\tText\t2023-01-01\n"
    [article] = read(csvfile, "a.tsv", data)
    assert (article.title, article.body, article.date) == ("A, with comma", "Text", "2023-01-01")


def test_a_formula_looking_cell_is_imported_as_plain_text() -> None:
    data = 'title,body,date\n=HYPERLINK("http://x"),"=1+2",2023-01-01\n'
    [article] = read(csvfile, "a.csv", data)
    assert (article.title, article.body) == ('=HYPERLINK("http://x")', "=1+2")


def test_csv_with_a_mapping() -> None:
    data = "Kop,Tekst,Datum\nA,B,18-09-2023\n"
    mapping = {"title": "Kop", "body": "tekst", "date": "Datum"}
    [article] = read(csvfile, "a.csv", data, mapping=mapping)
    assert (article.title, article.body, article.date) == ("A", "B", "2023-09-18")


def test_a_table_without_a_title_or_text_column_fails_as_a_whole() -> None:
    with pytest.raises(ImportFailure, match=r"no title or text column \(columns: Storm, 2023"):
        read(csvfile, "a.csv", "Storm,2023-09-18,Wind\nCalm,2023-09-19,None\n")


def test_a_mapping_to_a_missing_column_fails_as_a_whole() -> None:
    with pytest.raises(ImportFailure, match="--map title=headline: no such column"):
        read(csvfile, "a.csv", "title,x\n1,2\n", mapping={"title": "headline"})


def test_a_latin1_csv_is_read_with_a_warning() -> None:
    results = read(csvfile, "a.csv", b"title,body\nCaf\xe9,cr\xe8me\n")
    [article] = articles(results)
    assert (article.title, article.body) == ("Caf\u00e9", "cr\u00e8me")
    assert RecordWarning("not valid UTF-8; read as Windows-1252", 2) in results


@pytest.mark.parametrize("module", [csvfile, jsonl])
def test_a_cyrillic_windows_1251_export_is_read_as_such_with_a_warning(module) -> None:
    title, body = "Новый мост открыт", "Жители очень рады новому мосту; с утра по нему шли люди"
    if module is csvfile:
        data = f"title,body\n{title},{body}\n".encode("cp1251")
    else:
        data = json.dumps({"title": title, "body": body}, ensure_ascii=False).encode("cp1251")
    results = read(module, "export", data + b"\n")
    [article] = articles(results)
    assert (article.title, article.body) == (title, body)
    warnings = [r.reason for r in results if isinstance(r, RecordWarning)]
    assert "not valid UTF-8; read as Windows-1251 (a guess)" in warnings


def test_sniffing_tells_json_from_json_lines_and_csv() -> None:
    lines = b'{"title": "A"}\n{"title": "B"}\n'
    assert jsonl.sniff(lines, "a.json") and not jsonfile.sniff(lines, "a.json")
    assert jsonfile.sniff(b'[{"title": "A"}]', "a.json") and not jsonl.sniff(b"[1]\n[2]\n", "x")
    assert csvfile.sniff(b"title;body\nA;B\n", "a.txt")
    assert not csvfile.sniff(b"Just a sentence, with a comma.\n", "a.txt")


# -- bad inputs for every importer ------------------------------------------------------------

_IMPORTERS = [(jsonfile, "a.json"), (jsonl, "a.jsonl"), (csvfile, "a.csv")]


@pytest.mark.parametrize(("module", "name"), _IMPORTERS, ids=["json", "jsonl", "csv"])
@pytest.mark.parametrize("data", [b"", b" \n\n "], ids=["empty", "blank"])
def test_an_empty_input_fails(module, name, data) -> None:
    with pytest.raises(ImportFailure, match="empty file"):
        read(module, name, data)


@pytest.mark.parametrize(("module", "name"), _IMPORTERS, ids=["json", "jsonl", "csv"])
def test_a_binary_input_fails(module, name) -> None:
    with pytest.raises(ImportFailure, match="binary data"):
        read(module, name, b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)))


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["title", "body", "date", "tags", "url", "author", "id", "x", "_source"]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(record=_JSON_VALUES)
def test_any_json_value_converts_without_raising(record) -> None:
    results = convert(record)
    assert all(isinstance(r, (Article, RecordFailure, RecordWarning)) for r in results)
    assert all(a.title or a.body for a in articles(results))


_RECORDISH = st.one_of(
    st.binary(max_size=300),
    st.lists(
        st.sampled_from(
            ['{"title": "a"}', "[", "]", ",", "{", "}", '"', "\n", "title", "body", ":", ";",
             "\t", "\r\n", '"a\nb"', "1e999", '{"date": 1695046620}', "null", "x,y\n", "\xe9"]
        ),
        max_size=25,
    ).map(lambda parts: "".join(parts).encode("utf-8")),
)  # fmt: skip


@pytest.mark.parametrize(("module", "name"), _IMPORTERS, ids=["json", "jsonl", "csv"])
@settings(max_examples=300, deadline=None)
@given(data=_RECORDISH)
def test_any_input_gives_records_or_one_line_failures(module, name, data: bytes) -> None:
    try:
        results = read(module, name, data)
    except ImportFailure as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert all(isinstance(r, (Article, RecordFailure, RecordWarning)) for r in results)
    assert all("\n" not in r.reason for r in results if not isinstance(r, Article))
