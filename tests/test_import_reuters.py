"""The Reuters-21578 importer, on all 22 real files and on small SGML written here.

The counts and quirks checked are the ones documented in section 1 of
``../shared/corpora/README.md``.
"""

from __future__ import annotations

import gzip
import io
import re
import tracemalloc
from pathlib import Path

import pytest
from conftest import read_or_refusal
from hypothesis import given, settings
from hypothesis import strategies as st

from archive_search.article import Article
from archive_search.importers import reuters
from archive_search.importers.base import (
    ImportFailure,
    ImportOptions,
    RecordFailure,
    RecordWarning,
    Source,
)

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
FILES = sorted((CORPORA / "reuters21578").glob("reut2-*.sgm.gz"))
NOISE = re.compile(r"&#|&lt;|[\x00-\x08\x0b-\x1f\x7f]")


def read_all(data: bytes, name: str = "reut2-test.sgm") -> list:
    return list(reuters.read(Source.from_bytes(name, data), ImportOptions()))


@pytest.fixture(scope="module")
def collection() -> dict[str, list]:
    """Every item the importer yields for the 22 files, by kind; articles keyed by id."""
    if len(FILES) != 22:
        pytest.skip("Reuters-21578 not available: ../shared/corpora not present")
    items = [item for path in FILES for item in read_all(gzip.decompress(path.read_bytes()))]
    articles = [item for item in items if isinstance(item, Article)]
    return {
        "articles": articles,
        "by_id": {a.id: a for a in articles},
        "failures": [item for item in items if isinstance(item, RecordFailure)],
        "warnings": [item for item in items if isinstance(item, RecordWarning)],
    }


def test_all_21578_stories_are_read_and_only_the_empty_one_fails(collection):
    assert len(collection["articles"]) == 21577
    [empty] = collection["failures"]
    assert (empty.record, empty.reason) == (793, "empty story (no title and no text)")
    assert set(collection["by_id"]) == {f"reuters-{n}" for n in range(1, 21579)} - {
        "reuters-12793"
    }


def test_dates_fall_within_the_collection_span(collection):
    dates = [a.date for a in collection["articles"]]
    assert all(dates)
    assert min(dates)[:10] == "1987-02-26" and max(dates)[:10] == "1987-10-20"


def test_first_story(collection):
    first = collection["by_id"]["reuters-1"]
    assert first.title == "BAHIA COCOA REVIEW"
    assert first.date == "1987-02-26T15:01:01"
    assert first.tags == ["cocoa", "el-salvador", "usa", "uruguay"]
    assert first.extra == {
        "topics": ["cocoa"],
        "places": ["el-salvador", "usa", "uruguay"],
        "dateline": "SALVADOR, Feb 26",
    }
    assert (first.source, first.lang, first.origin) == ("Reuters", "en", {"record": 1})
    assert first.body.startswith("Showers continued throughout the week in the Bahia cocoa zone,")
    assert "\n\nThe dry period means the temporao will be late this year.\n\n" in first.body
    assert first.body.endswith("after carnival which ends midday on February 27.")


def test_no_title_or_body_keeps_references_or_control_characters(collection):
    noisy = [a.id for a in collection["articles"] if NOISE.search(a.title + a.body)]
    assert noisy == []


def test_no_body_keeps_the_reuter_sign_off(collection):
    signed = [a.id for a in collection["articles"] if re.search(r"\n\s*reuter\W*$", a.body, re.I)]
    assert signed == []


def test_impossible_hour_keeps_the_day_with_a_warning(collection):
    assert collection["by_id"]["reuters-17192"].date == "1987-03-31"
    assert any("605:12:19.12" in w.reason for w in collection["warnings"])


def test_guesswork_date_comment_is_ignored(collection):
    assert collection["by_id"]["reuters-15370"].date == "1987-04-09T00:00:00"


def test_brief_story_is_its_title_alone(collection):
    brief = collection["by_id"]["reuters-30"]
    assert brief.title == "ASSETS OF MONEY MARKET MUTUAL FUNDS ROSE 720.4 MLN DLRS IN LATEST WEEK"
    assert brief.body == ""


def test_unprocessed_story_keeps_its_table_and_takes_its_first_line_as_title(collection):
    table = collection["by_id"]["reuters-101"]
    assert table.title == "FEDERAL RESERVE MONEY SUPPLY REPORT - FEB 26"
    assert "\n M-1.........................736.7 up.......2.1\n" in table.body


def test_titles_are_unescaped(collection):
    assert collection["by_id"]["reuters-2"].title == "STANDARD OIL <SRD> TO FORM FINANCIAL UNIT"


def test_byline_becomes_the_author(collection):
    assert collection["by_id"]["reuters-4"].authors == ["Janie Gabbett"]


def test_stray_latin1_byte_is_decoded(collection):
    story = collection["by_id"]["reuters-17980"]
    assert story.title == "LAWSON SAYS LOUVRE CURRENCY ACCORD SATISFACTORY"
    assert "growth.üside measures" in story.body




def story(newid: int, text: str, date: str = "26-FEB-1987 15:01:01.79", lists: str = "") -> str:
    return (
        f'<REUTERS TOPICS="NO" NEWID="{newid}">\n<DATE>{date}</DATE>\n{lists}'
        f"<UNKNOWN> &#5;&#5;&#5;C</UNKNOWN>\n<TEXT>&#2;\n{text}</TEXT>\n</REUTERS>\n"
    )


NORMAL = (
    "<TITLE>SHELL &lt;SC> SEES A&#27;[B\n   RISE</TITLE>\n"
    "<AUTHOR>    By STEPHEN JUKES AND PHILIP SHEHADI, REUTERS</AUTHOR>\n"
    "<DATELINE>    LONDON, March 2 - </DATELINE><BODY>Shell said profits\n"
    "rose &amp; costs fell.\n    Analysts agreed.\n REUTER\n Reuter\n&#3;</BODY>"
)


def test_inline_story_fields():
    lists = "<TOPICS><D>crude</D></TOPICS><PLACES><D>uk</D><D>crude</D></PLACES><PEOPLE></PEOPLE>"
    (article,) = read_all(story(7, NORMAL, lists=lists).encode())
    assert article.id == "reuters-7"
    assert article.title == "SHELL <SC> SEES A RISE"
    assert article.body == "Shell said profits rose & costs fell.\n\nAnalysts agreed."
    assert article.authors == ["Stephen Jukes", "Philip Shehadi"]
    assert article.tags == ["crude", "uk"]
    assert article.extra == {
        "topics": ["crude"],
        "places": ["uk", "crude"],
        "dateline": "LONDON, March 2",
    }


#: One story as R's tm package stores them: an XML file of its own, quotes written as entities.
XML_STORY = """<?xml version="1.0"?>
<REUTERS TOPICS="YES" NEWID="42">
 <DATE>2-MAR-1987 10:00:00.00</DATE>
 <TOPICS><D>crude</D></TOPICS>
 <TEXT>
  <TITLE>MARLOW&apos;S &lt;MRL&gt; &quot;FLAT&quot; SALES</TITLE>
  <DATELINE>ZÜRICH, March 2 -</DATELINE>
  <BODY>Marlow&apos;s said sales were &quot;flat&quot;.
    A note wrote &amp;quot; where it meant a quote; caf&#233; &#x2014; done.
 REUTER</BODY>
 </TEXT>
</REUTERS>
"""


def test_xml_story_decodes_apos_quot_and_every_reference_once():
    (article,) = read_all(XML_STORY.encode("utf-8"), "reut-00042.xml")
    assert article.title == 'MARLOW\'S <MRL> "FLAT" SALES'
    assert article.body == (
        'Marlow\'s said sales were "flat".\n\n'
        "A note wrote &quot; where it meant a quote; café \u2014 done."
    )
    assert article.extra["dateline"] == "ZÜRICH, March 2"


def test_xml_story_is_decoded_as_it_declares():
    latin = XML_STORY.replace('version="1.0"', 'version="1.0" encoding="iso-8859-1"')
    (article,) = read_all(latin.encode("latin-1"), "reut-00042.xml")
    assert article.extra["dateline"] == "ZÜRICH, March 2"


def test_undeclared_xml_story_that_is_not_utf8_is_read_by_a_guess_with_a_warning():
    text = XML_STORY.replace("Marlow&apos;s said", "Ça va, Marlow&apos;s à Genève said")
    items = read_all(text.encode("cp1252"), "reut-00042.xml")
    assert items[0].extra["dateline"] == "ZÜRICH, March 2"
    assert items[0].body.startswith("Ça va, Marlow's à Genève said")
    assert items[-1] == RecordWarning("not valid UTF-8; read as Windows-1252")


def test_brief_story_strips_asterisks_and_placeholder():
    text = "******<TITLE>FED SETS\nREPO</TITLE>Blah blah blah.\n&#3;\n"
    (article,) = read_all(story(8, text).replace("<TEXT>", '<TEXT TYPE="BRIEF">').encode())
    assert (article.title, article.body) == ("FED SETS REPO", "")


@pytest.mark.parametrize(
    ("raw", "date", "warned"),
    [
        ("26-FEB-1987 15:01:01.79", "1987-02-26T15:01:01", False),
        (" 2-MAR-1987 09:15:05.40", "1987-03-02T09:15:05", False),
        ("3-MAR-1987  13:04:18.47", "1987-03-03T13:04:18", False),
        ("27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM", "1987-03-27T00:02:59", False),
        ("16-MAR-1987 16:22:00.0", "1987-03-16T16:22:00", False),
        ("31-MAR-1987 605:12:19.12", "1987-03-31", True),
        (
            "9-APR-1987 00:00:00.00    # date added by S Finch as guesswork ",
            "1987-04-09T00:00:00",
            False,
        ),
        ("31-FEB-1987 10:00:00.00", None, True),
        ("1-XYZ-1987 10:00:00.00", None, True),
        ("", None, True),
    ],
)
def test_story_date_forms(raw, date, warned):
    found, warning = reuters.story_date(raw)
    assert found == date
    assert (warning is not None) is warned


def test_unclosed_story_fails_alone_and_the_next_one_imports():
    broken = story(1, NORMAL).replace("</REUTERS>", "")
    items = read_all((broken + story(2, NORMAL)).encode())
    assert items[0] == RecordFailure("story is not closed by </REUTERS>", 1)
    assert isinstance(items[1], Article) and items[1].id == "reuters-2"


def test_story_without_text_is_a_record_failure():
    items = read_all(b'<REUTERS NEWID="5"><DATE>1-MAR-1987 10:00:00.00</DATE></REUTERS>')
    assert items == [RecordFailure("story has no <TEXT> element", 1)]


@pytest.mark.parametrize(
    "data", [b"", b'<!DOCTYPE lewis SYSTEM "lewis.dtd">\n', b"plain words, no stories"]
)
def test_file_without_stories_fails_as_a_whole(data):
    with pytest.raises(ImportFailure, match=r"^no <REUTERS> stories in the file$"):
        read_all(data)


def test_stories_split_across_read_chunks(monkeypatch):
    monkeypatch.setattr(reuters, "_CHUNK", 7)
    data = ('<!DOCTYPE lewis SYSTEM "lewis.dtd">\n' + story(1, NORMAL) + story(2, NORMAL)).encode()
    assert [a.id for a in read_all(data)] == ["reuters-1", "reuters-2"]


class _RepeatingStream(io.RawIOBase):
    """``count`` copies of one story, produced as they are read, never all held at once."""

    def __init__(self, one: bytes, count: int) -> None:
        self.block = memoryview(one * 64)
        self.left = len(one) * count
        self.offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        size = min(len(buffer), self.left, len(self.block) - self.offset)
        buffer[:size] = self.block[self.offset : self.offset + size]
        self.offset = (self.offset + size) % len(self.block)
        self.left -= size
        return size


def test_memory_stays_bounded_on_a_large_file(monkeypatch):
    # 64 KiB reads stand in for the real 1 MiB ones so that a small input shows the bound.
    monkeypatch.setattr(reuters, "_CHUNK", 1 << 16)
    one = story(1, NORMAL).encode()
    count = (2 << 20) // len(one)  # about 2 MB of stories
    source = Source("big.sgm", lambda: io.BufferedReader(_RepeatingStream(one, count), 1 << 16))
    tracemalloc.start()
    try:
        seen = sum(1 for _ in reuters.read(source, ImportOptions()))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seen == count
    assert peak < 1 << 20  # half the input: the file is never held whole


def test_oversized_unclosed_story_is_dropped_not_buffered():
    data = story(1, NORMAL).replace("</REUTERS>", "").encode() + b"x" * (3 << 20)
    assert read_all(data + story(2, NORMAL).encode())[0] == RecordFailure(
        "story is not closed by </REUTERS>", 1
    )


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<!DOCTYPE lewis SYSTEM "lewis.dtd">\n<REUTERS TOPICS="YES"', True),
        (b'<REUTERS TOPICS="NO" NEWID="1">', True),
        (b"<!DOCTYPE html><html>", False),
        (b"REUTERS said on Monday", False),
    ],
)
def test_sniff(head, expected):
    assert reuters.sniff(head, "reut2-000.sgm") is expected


SGML_PARTS = [
    "<REUTERS NEWID=\"1\">", "</REUTERS>", "<TEXT>", '<TEXT TYPE="BRIEF">', '<TEXT TYPE="UNPROC">',
    "</TEXT>", "<TITLE>", "</TITLE>", "<BODY>", "</BODY>", "<DATE>", "</DATE>", "31-MAR-1987 ",
    "605:12:19.12", "<TOPICS><D>x</D></TOPICS>", "&#27;[B", "&#3;", "&lt;", "&#99999999;",
    "&#55296;", " Reuter", "\n    ", "words ", "\xfc", "<AUTHOR>By </AUTHOR>",
    "<DATELINE> - </DATELINE>",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.lists(st.sampled_from(SGML_PARTS), max_size=40).map(
            lambda parts: "".join(parts).encode("latin-1")
        ),
    )
)
def test_fuzz_only_import_failure_escapes(data):
    for item in read_or_refusal(read_all, data) or []:
        if isinstance(item, Article):
            assert not NOISE.search(item.title + item.body)
