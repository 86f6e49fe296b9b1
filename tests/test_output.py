"""Every output format writes the same rows and reads back to them."""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml

from archive_search.output import FORMATS, HL_END, HL_START, neutralize, parse_fields, render

ROWS = [
    {"id": "a-1", "date": "2023-09-18T14:17:00", "title": "Kim Jong-un, in “Vladivostok”",
     "source": "Pacific Desk", "tags": ["korea", "russia"], "score": 12.5,
     "snippet": f"the {HL_START}train{HL_END}\tleft", "url": None},
    {"id": "b-2", "date": None, "title": "=HYPERLINK(\"http://evil.example\")",
     "source": "-2+3", "tags": [], "score": 1.0, "snippet": "@SUM(A1)", "url": "https://x.example"},
]
FIELDS = ["id", "date", "title", "source", "tags", "score", "snippet", "url"]


def test_json_jsonl_yaml_carry_exactly_the_fields_with_plain_text():
    as_json = json.loads(render(ROWS, FIELDS, "json"))
    as_jsonl = [json.loads(line) for line in render(ROWS, FIELDS, "jsonl").splitlines()]
    as_yaml = yaml.safe_load(render(ROWS, FIELDS, "yaml"))
    for data in (as_json, as_jsonl, as_yaml):
        assert [list(item) for item in data] == [FIELDS, FIELDS]
        assert data[0]["snippet"] == "the train\tleft"
        assert data[0]["tags"] == ["korea", "russia"]
        assert data[1]["date"] is None


def test_csv_parses_back_and_neutralises_formulas():
    rows = list(csv.DictReader(io.StringIO(render(ROWS, FIELDS, "csv"))))
    assert rows[0]["title"] == "Kim Jong-un, in “Vladivostok”"
    assert rows[0]["tags"] == "korea, russia"
    assert rows[1]["title"].startswith("'=HYPERLINK")
    assert rows[1]["source"] == "'-2+3"
    assert rows[1]["snippet"] == "'@SUM(A1)"


def test_tsv_has_one_line_per_row_and_no_quoting():
    lines = render(ROWS, FIELDS, "tsv").splitlines()
    assert len(lines) == 3
    cells = lines[1].split("\t")
    assert cells[FIELDS.index("snippet")] == "the train left"
    assert cells[FIELDS.index("title")] == "Kim Jong-un, in “Vladivostok”"


def test_markdown_is_a_pipe_table():
    lines = render(ROWS, ["id", "title"], "markdown").splitlines()
    assert lines[0].startswith("| id")
    assert set(lines[1]) <= set("|-: ")
    assert len(lines) == 4


def test_table_has_headers_and_no_markers():
    text = render(ROWS, ["date", "title", "snippet"], "table")
    assert "title" in text.splitlines()[0]
    assert HL_START not in text and HL_END not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_results_are_valid_output(fmt):
    text = render([], FIELDS, fmt)
    if fmt == "json":
        assert json.loads(text) == []
    if fmt == "yaml":
        assert yaml.safe_load(text) == []


def test_fields_are_checked():
    assert parse_fields("date, title", "csv") == ["date", "title"]
    with pytest.raises(ValueError, match="unknown field 'colour'"):
        parse_fields("date,colour", "csv")


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@x", "\tx"])
def test_neutralize(cell):
    assert neutralize(cell) == "'" + cell
    assert neutralize("plain") == "plain"
