"""The importers' contract and registry: every format in ``FORMATS`` is a module that meets the
``Importer`` protocol, reads a small sample of its own format, and has its row in the README's
table of formats; the helpers importers share live in one place and behave one way.

Adding a format is one module, one ``FORMATS`` entry, one README row and one sample below:
leave any of them out and a test here fails.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from archive_search import Article
from archive_search.dates import ZONE_OFFSETS
from archive_search.importers import (
    FORMATS,
    Importer,
    ImportOptions,
    RecordFailure,
    RecordWarning,
    Source,
    detect_format,
    importer,
)
from archive_search.importers.feed import entry_date
from archive_search.importers.html import page_date
from archive_search.importers.textutil import dedupe, html_to_text

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "archive_search" / "importers"

STORY = (
    "The harbour reopened on Monday after a storm closed it for three days. Ferries resumed "
    "their crossings in the afternoon and ran late into the evening, the port authority said. "
    "Officials were pleased with how quickly the crews had cleared the quays of fallen cargo, "
    "and the fishing fleet is expected to sail again before the end of the week."
)

#: One small input of each format, written for these tests: a name and its bytes.
SAMPLES: dict[str, tuple[str, bytes]] = {
    "reuters": ("sample.sgm", (
        '<!DOCTYPE lewis SYSTEM "lewis.dtd">\n'
        '<REUTERS TOPICS="YES" NEWID="1"><DATE>26-FEB-1987 15:01:01.79</DATE>'
        "<TOPICS><D>ship</D></TOPICS><TEXT><TITLE>HARBOUR REOPENS AFTER STORM</TITLE>"
        f"<DATELINE>    HALIFAX, Feb 26 - </DATELINE><BODY>{STORY}\n&#3;</BODY></TEXT></REUTERS>\n"
    ).encode()),
    "feed": ("sample.rss", (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Port News"
        "</title><link>https://port.example/</link><item><title>Harbour reopens</title>"
        "<link>https://port.example/harbour</link><pubDate>Mon, 18 Sep 2023 14:17:00 EDT"
        f"</pubDate><description>{STORY}</description></item></channel></rss>"
    ).encode()),
    "newsml": ("sample.xml", (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<newsitem itemid="90001" id="root" date="1996-09-02" xml:lang="en">'
        "<title>HARBOUR: Harbour reopens.</title><headline>Harbour reopens</headline>"
        f"<dateline>HALIFAX 1996-09-02</dateline><text><p>{STORY}</p></text></newsitem>\n"
    ).encode()),
    "html": ("sample.html", (
        "<!DOCTYPE html><html lang='en'><head><title>Harbour reopens</title>"
        "<meta property='article:published_time' content='2023-09-18T14:17:00+02:00'></head>"
        f"<body><article><h1>Harbour reopens</h1><p>{STORY}</p><p>{STORY}</p></article>"
        "</body></html>"
    ).encode()),
    "markdown": ("sample.md", f"---\ntitle: Harbour reopens\ndate: 2023-09-18\n---\n\n{STORY}\n"
                 .encode()),
    "jsonl": ("sample.jsonl",
              f'{{"title": "Harbour reopens", "date": "2023-09-18", "body": "{STORY}"}}\n'
              '{"title": "Timetable", "body": "The harbour ferries keep to time again."}\n'
              .encode()),
    "json": ("sample.json",
             f'[{{"title": "Harbour reopens", "date": "2023-09-18", "body": "{STORY}"}}]'.encode()),
    "csv": ("sample.csv", f'title,date,body\nHarbour reopens,2023-09-18,"{STORY}"\n'.encode()),
    "scraped": ("sample.txt",
                f"Harbour reopens\n\nPosted on September 18, 2023 at 2:17 pm.\n\n{STORY}\n"
                .encode()),
    "lines": ("sample.cor", f"{STORY}\nThe harbour ferry timetable returns to normal on Friday.\n"
              .encode()),
}  # fmt: skip

#: First bytes an importer may be shown: nothing, a byte-order mark alone, UTF-16, binary,
#: and the openings of other formats.
HEADS = [
    b"", b"\xef\xbb\xbf", b"\xff\xfe<\x00r\x00s\x00s\x00", b"\x00\x01\x02\xff" * 8, b"<?xml",
    b"{", b"[", b"---\n", b"<html>", b"\xe9t\xe9\n", *(data[:4096] for _, data in SAMPLES.values()),
]  # fmt: skip


def test_every_format_has_a_sample_here():
    assert set(SAMPLES) == set(FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_registered_format_meets_the_importer_protocol(fmt):
    module = importer(fmt)
    assert isinstance(module, Importer)
    assert fmt == module.NAME
    assert isinstance(module.EXTENSIONS, tuple) and module.EXTENSIONS
    assert all(e.startswith(".") and e == e.lower() for e in module.EXTENSIONS)
    assert list(inspect.signature(module.sniff).parameters) == ["head", "name"]
    assert list(inspect.signature(module.read).parameters) == ["source", "options"]
    for head in HEADS:
        assert isinstance(module.sniff(head, "input.txt"), bool)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_reads_a_sample_of_its_own_as_articles_and_notes(fmt):
    name, data = SAMPLES[fmt]
    assert detect_format(name, data[:4096]) == fmt
    things = list(importer(fmt).read(Source.from_bytes(name, data), ImportOptions()))
    assert all(isinstance(t, (Article, RecordFailure, RecordWarning)) for t in things)
    articles = [t for t in things if isinstance(t, Article)]
    assert articles and all(a.title and "harbour" in a.body.lower() for a in articles)


def readme_formats() -> list[str]:
    """The format names in the first column of the README's table of import formats."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("| format | files | what is read |", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in table.splitlines()[2:] if line.startswith("|")]
    return [name for row in rows for name in re.findall(r"`([^`]+)`", row.split("|")[1])]


def test_the_readme_table_has_a_row_for_every_format_and_only_formats():
    names = readme_formats()
    assert sorted(names) == sorted(FORMATS)


def test_no_two_importer_modules_import_each_other():
    """Imports between the modules of importers/ (inside functions too) run one way."""
    modules = {path.stem for path in PACKAGE.glob("*.py")}
    uses: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(alias.name for alias in node.names)
        uses[path.stem] = found & modules - {path.stem}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(n == goal or (n not in seen and reaches(n, goal, seen | {n}))
                   for n in uses[start])

    cycles = sorted(m for m in uses if m != "__init__" and reaches(m, m, {m}))
    assert cycles == []


# -- the helpers importers share -----------------------------------------------------------------

HTML = "<p>Ferries resumed.<br>Officials were pleased.</p><p>Next<br><br>part</p>"
TEXT = "Ferries resumed.\nOfficials were pleased.\n\nNext\n\npart"


def test_a_br_is_a_line_break_and_two_end_the_paragraph():
    assert html_to_text(HTML) == TEXT
    assert html_to_text("one<br/>two<br> <br />three") == "one\ntwo\n\nthree"
    assert html_to_text("<table><tr><td>cell</td><td>next</td></tr></table>") == "cell\n\nnext"


def test_html_in_a_feed_entry_and_in_a_csv_field_reads_the_same():
    rss = (
        "<rss version='2.0'><channel><title>T</title><item><title>Harbour</title>"
        f"<link>https://t.example/1</link><description><![CDATA[{HTML}]]></description></item>"
        "</channel></rss>"
    ).encode()
    csv = f'title,body\nHarbour,"{HTML}"\n'.encode()
    bodies = [
        next(t for t in importer(fmt).read(Source.from_bytes(name, data), ImportOptions())
             if isinstance(t, Article)).body
        for fmt, name, data in (("feed", "a.rss", rss), ("csv", "a.csv", csv))
    ]
    assert bodies == [TEXT, TEXT]


def test_dedupe_keeps_the_first_spelling_of_each_value():
    assert dedupe([" Kim Jong-un", "kim jong-un ", "", "Moon Jae-in", "KIM JONG-UN"]) == [
        "Kim Jong-un", "Moon Jae-in"
    ]


@pytest.mark.parametrize("zone", sorted(set(ZONE_OFFSETS) - {"Z"}))
def test_feeds_and_pages_read_every_zone_name_with_the_one_table(zone):
    seconds = ZONE_OFFSETS[zone]
    sign = "-" if seconds < 0 else "+"
    offset = f"{sign}{abs(seconds) // 3600:02d}:{abs(seconds) % 3600 // 60:02d}"
    assert entry_date({"published": f"Mon, 18 Sep 2023 14:17:00 {zone}"}) == (
        f"2023-09-18T14:17:00{offset}", None
    )
    assert page_date(f"Mon Sep 18 14:17:00 {zone} 2023") == f"2023-09-18T14:17:00{offset}"
