"""arch related and search --related: the library's data, printed."""

from __future__ import annotations

import json

import pytest
from conftest import article


@pytest.fixture
def story(add_articles):
    return add_articles(
        article("Barrier holds against the storm surge",
                "The Kelsport tidal barrier held back the storm surge on Friday night.",
                tags=["floods"]),
        article("Storm surge tests the Kelsport barrier",
                "Engineers said the Kelsport barrier and its pumps held during the surge.",
                tags=["floods"], date="2023-09-20T10:00:00"),
        article("Central bank keeps rates on hold", "Inflation eased and rates were held.",
                tags=["economy"]),
    )


def test_related_json_has_the_documented_keys(run, story):
    result = run("related", story[0], "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert list(rows[0]) == ["id", "date", "title", "score", "reasons", "duplicate"]
    assert rows[0]["id"] == story[1]
    assert 0 <= rows[0]["score"] <= 1


def test_related_to_a_text_from_stdin(run, story):
    text = "Kelsport storm\nThe barrier at Kelsport held back another storm surge.\n"
    rows = json.loads(run("related", "--text", "-", "-f", "json", input=text).stdout)
    assert {r["id"] for r in rows[:2]} == {story[0], story[1]}


def test_related_errors(run, story):
    assert run("related").exit_code == 2
    missing = run("related", "no-such-article")
    assert missing.exit_code == 1 and "no article with id" in missing.stderr


def test_search_related_adds_a_column(run, story):
    rows = json.loads(run("search", "tidal", "--related", "1", "-f", "json",
                          "--fields", "id").stdout)
    assert rows == [{"id": story[0], "related": [story[1]]}]
