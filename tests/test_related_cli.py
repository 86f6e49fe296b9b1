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


@pytest.mark.parametrize(("content", "said"), [
    (b"\x7fELF\x02\x01\x01\x00\xd0\x9f\xff\xfe binary", "is not UTF-8 text (byte 0xff at offset"),
    (b"\x00" * 3000, "looks like a binary file (it has NUL bytes)"),
])
def test_related_text_refuses_a_binary_file_in_one_line(run, story, tmp_path, content, said):
    binary = tmp_path / "program"
    binary.write_bytes(content)
    result = run("related", "--text", str(binary))
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("arch: error: ") and said in line


def test_related_text_reads_no_more_than_one_article_can_be(run, story, tmp_path, monkeypatch):
    import archive_search.cli as cli_mod

    monkeypatch.setattr(cli_mod, "MAX_TEXT_BYTES", 100)
    big = tmp_path / "big.txt"
    big.write_text("Storm surge at the barrier\n" + "The barrier held. " * 10, encoding="utf-8")
    result = run("related", "--text", str(big))
    assert result.exit_code == 2
    assert "is larger than" in result.stderr


@pytest.mark.parametrize("command", [
    ["search", "storm"], ["export", "storm"], ["related", "--text", "-"],
])
def test_since_after_until_is_a_usage_error(run, story, command):
    result = run(*command, "--since", "2023-10", "--until", "2023-09", input="Storm surge")
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert "--since 2023-10 is after --until 2023-09" in line
