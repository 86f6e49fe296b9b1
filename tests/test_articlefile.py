"""The article file format: readable, hand-editable, and exact on the round trip."""

from __future__ import annotations

import pytest

from archive_search import articlefile
from archive_search.article import Article, derive_id, is_safe_id


def make() -> Article:
    a = Article(
        title="In the Russian Far East, Kim’s visit: a “test”",
        body="First paragraph.\n\nSecond paragraph with “curly quotes”.",
        date="2023-09-18T14:17:00+09:00",
        source="Pacific Desk",
        tags=["korea", "russia"],
        see_also=["Another story"],
        origin={"file": "a.txt", "sha256": "ab" * 32},
        extra={"editor_note": "checked"},
    )
    a.ensure_id()
    return a


def test_round_trip_is_exact():
    a = make()
    text = articlefile.dumps(a)
    b = articlefile.loads(text)
    assert b == a
    assert articlefile.dumps(b) == text


def test_file_is_readable_front_matter_then_body():
    text = articlefile.dumps(make())
    head, body = text.split("\n---\n", 1)
    assert head.startswith("---\nid: ")
    assert "date: '2023-09-18T14:17:00+09:00'" in head
    assert body.strip().startswith("First paragraph.")


def test_hand_edited_values_are_tolerated():
    text = "---\ntitle: Edited\ndate: 2023-09-20\ntags: korea, russia\n---\nBody.\n"
    a = articlefile.loads(text)
    assert a.date == "2023-09-20"
    assert a.tags == ["korea", "russia"]
    assert a.body == "Body."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no front matter", "no front matter"),
        ("---\ntitle: x\n", "not closed"),
        ("---\ntitle: [unclosed\n---\n", "not valid YAML at line"),
        ("---\n- a list\n---\n", "must be a mapping"),
    ],
)
def test_broken_files_give_one_line_reasons(text, message):
    with pytest.raises(articlefile.ArticleFileError, match=message):
        articlefile.loads(text)


def test_ids_are_stable_and_safe():
    first = derive_id("Kim Jong-un arrives", "2023-09-12", "Pacific Desk", None)
    assert first == derive_id("Kim  jong-un ARRIVES", "2023-09-12T08:00:00", "pacific desk", None)
    assert first.startswith("kim-jong-un-arrives-")
    assert is_safe_id(first)
    assert derive_id("x", None, None, "https://a.example/1") != derive_id(
        "x", None, None, "https://a.example/2"
    )


@pytest.mark.parametrize("bad", ["../etc/passwd", "a/b", ".hidden", "", "x" * 200, "a..b"])
def test_unsafe_ids_are_replaced(bad):
    a = Article(title="T", body="B", id=bad)
    assert a.ensure_id() != bad
    assert is_safe_id(a.id)
