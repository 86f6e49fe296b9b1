"""The saved-web-page importer, against the 41 real pages and small pages written here.

What a page must yield is checked against section 3 of ``../shared/corpora/README.md``, read at
run time: its url exactly, and its published time to the day at least, keeping the time and
offset where the page states them. Pages the table marks "(no meta)" are checked against what
the page itself shows, noted below where each was read.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive_search.article import Article
from archive_search.importers import html
from archive_search.importers.base import ImportFailure, ImportOptions, RecordWarning, Source

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
PAGES = CORPORA / "web-html"

#: Dates for rows whose "published" cell is not an ISO time, as each page shows them.
SHOWN_DATES = {
    "dw.com.colonial.html": "2020-01-19",  # "Date 19.01.2020" under the article
    "dw.com.uncork.html": "2013-06-10",  # "Date 10.06.2013" (a sidebar says 01.08.2019)
    "faz.net.streaming.html": "2020-01-28T15:28:56+01:00",  # Java's "... CET 2020"
    "landwirt.com.sensortechnik.html": "2007-10-25T15:19:00",  # "veröffentlicht: 25.10.2007 15:19"
    "lanouvellerepublique.fr.martin.html": None,  # only the placeholder dd/MM/yyyy
    "meedia.de.freenet.html": "2016-03-08T15:30:55+00:00",  # <time itemprop=datePublished>
    "nature.com.telescope.html": "2019-09-24",  # dc.date
    "rnz.de.witzel.html": "2015-10-12T19:16:00",  # "12.10.2015, 19:16 Uhr" in the header
    "sonntag-sachsen.de.emanuel.html": "2019-06-07",  # "VERÖFFENTLICHT AM 07.06.2019"
    "sueddeutsche.de.flixtrain.html": "2019-05-15T05:28:29",  # the article's <time>
}
#: The table gives ndr's podcast uploadDate (14:16); the page's datePublished says 13:15.
SAME_DAY_ONLY = {"ndr.de.podcastcoronavirus140.html"}
#: Languages of the pages without ``<html lang>``, from their meta tags (theverge has none).
META_LANGS = {"phys.org.tool.html": "en", "rnz.de.witzel.html": "de"}


def table_rows() -> list[dict[str, str]]:
    """Section 3's per-page table as dicts keyed by file, lang, url and published."""
    text = (CORPORA / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## 3. `web-html/`") :]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[0].endswith(".html"):
            published = " | ".join(cells[4:])  # meedia's cell contains an escaped "|"
            rows.append(
                {"file": cells[0], "lang": cells[1], "url": cells[3], "published": published}
            )
    return rows


def read_page(data: bytes, name: str = "page.html") -> tuple[Article, list[str]]:
    items = list(html.read(Source.from_bytes(name, data), ImportOptions()))
    assert isinstance(items[0], Article)
    assert all(isinstance(item, RecordWarning) for item in items[1:])
    return items[0], [item.reason for item in items[1:]]


def _no_network(*args: object, **kwargs: object) -> None:
    raise AssertionError("the importer tried to use the network")


def read_or_refuse(path: Path) -> tuple[Article, list[str]] | str:
    """The page's article and warnings, or the reason it was refused."""
    try:
        return read_page(path.read_bytes(), path.name)
    except ImportFailure as failure:
        return str(failure)


@pytest.fixture(scope="module")
def outcomes() -> dict[str, tuple[Article, list[str]] | str]:
    """Every real page, imported once with all network access made to fail."""
    if not PAGES.is_dir():
        pytest.skip("real pages not available: ../shared/corpora not present")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _no_network)
        patch.setattr(socket, "create_connection", _no_network)
        patch.setattr(socket, "getaddrinfo", _no_network)
        return {p.name: read_or_refuse(p) for p in sorted(PAGES.glob("*.html"))}


#: The one page of the 41 that is not an article: a CMS editing screen saved unrendered.
NOT_ARTICLES = {"lanouvellerepublique.fr.martin.html"}


@pytest.fixture(scope="module")
def imported(outcomes) -> dict[str, tuple[Article, list[str]]]:
    assert {name for name, o in outcomes.items() if isinstance(o, str)} == NOT_ARTICLES
    return {name: o for name, o in outcomes.items() if not isinstance(o, str)}


@pytest.fixture(scope="module")
def rows(outcomes) -> list[dict[str, str]]:
    found = table_rows()
    assert len(found) == 41 == len(outcomes)
    return [row for row in found if row["file"] not in NOT_ARTICLES]


def test_every_page_yields_an_article_with_title_and_text(imported):
    for name, (article, warnings) in imported.items():
        assert article.title and len(article.body) > 100, name
        from_jsonld = any("articleBody" in w for w in warnings)
        assert "\n\n" in article.body or len(article.body) < 700 or from_jsonld, name


def test_url_is_the_tables_absolute_url_or_none(imported, rows):
    for row in rows:
        expected = row["url"] if row["url"].startswith("http") else None
        assert imported[row["file"]][0].url == expected, row["file"]


def test_date_agrees_with_the_published_time(imported, rows):
    for row in rows:
        name, date = row["file"], imported[row["file"]][0].date
        if name in SHOWN_DATES:
            assert date == SHOWN_DATES[name], name
            continue
        stated = row["published"].strip("`")
        if name in SAME_DAY_ONLY or re.fullmatch(r"\d{4}-\d{2}-\d{2}", stated):
            assert date and date[:10] == stated[:10], name
        else:
            assert date == dt.datetime.fromisoformat(stated.replace("Z", "+00:00")).isoformat(
                timespec="seconds"
            ), name


def test_lang_is_the_primary_subtag_of_the_declared_language(imported, rows):
    for row in rows:
        lang = imported[row["file"]][0].lang
        if row["lang"] == "(none)":
            assert lang == META_LANGS.get(row["file"]), row["file"]
        else:
            assert lang == row["lang"].split("-")[0].lower(), row["file"]


def test_latin1_page_is_decoded_with_its_declared_charset(imported):
    article, _ = imported["landwirt.com.sensortechnik.html"]
    assert "täglichen Melkarbeit" in article.body
    assert "\ufffd" not in article.body


def test_page_without_charset_is_read_as_utf8(imported):
    article, _ = imported["github.blog.spiceland.html"]
    assert "’" in article.body and "â€" not in article.body


def test_an_unrendered_cms_page_is_refused_as_not_an_article(outcomes):
    reason = outcomes["lanouvellerepublique.fr.martin.html"]
    assert reason.startswith("not an article: an unrendered page template")


def test_relative_canonical_without_a_base_is_dropped_with_a_warning(imported):
    article, warnings = imported["ndr.de.podcastcoronavirus140.html"]
    assert article.url is None
    assert any("relative" in w for w in warnings)


def test_sidebar_events_with_year_0000_are_not_the_date(imported):
    article, _ = imported["sonntag-sachsen.de.emanuel.html"]
    assert article.date == "2019-06-07"


def test_source_and_authors_come_from_the_page(imported):
    article, _ = imported["correctiv.org.zusage.html"]
    assert article.authors == ["Marcus Bensmann", "Justus von Daniels", "Ulrich Stoll"]
    assert imported["theguardian.com.academics.html"][0].source == "The Guardian"


def _page(head: str, body: str, lang: str = "en-US") -> bytes:
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head>{head}</head><body>{body}</body></html>".encode()
    )


ARTICLE_BODY = (
    "<article><h1>Harbour reopens</h1>"
    + "".join(
        f"<p>Paragraph {n}: the harbour reopened on Monday after the storm, officials said, and "
        f"ferries resumed their timetable with extra crossings.</p>"
        for n in range(4)
    )
    + "</article>"
)


def test_small_page_with_metadata():
    head = (
        "<title>Harbour reopens</title>"
        "<meta property='og:url' content='https://news.example/a/1'>"
        "<link rel='canonical' href='/a/1'>"
        "<meta property='article:published_time' content='2023-09-18T14:17:00+02:00'>"
    )
    article, warnings = read_page(_page(head, ARTICLE_BODY))
    assert (article.title, article.url, article.lang) == (
        "Harbour reopens",
        "https://news.example/a/1",
        "en",
    )
    assert article.date == "2023-09-18T14:17:00+02:00"
    assert article.body.startswith("Paragraph 0:") and "\n\nParagraph 1:" in article.body
    assert warnings == []


def test_relative_canonical_is_resolved_against_a_base_href():
    head = "<base href='https://news.example/'><link rel='canonical' href='/a/2'>"
    article, _ = read_page(_page(head, ARTICLE_BODY))
    assert article.url == "https://news.example/a/2"


def test_unreadable_date_is_left_unknown_with_a_warning():
    head = "<meta property='article:published_time' content='dd/MM/yyyy'>"
    article, warnings = read_page(_page(head, ARTICLE_BODY))
    assert article.date is None
    assert warnings == ["date 'dd/MM/yyyy' not understood; date left unknown"]


def test_default_source_is_used_when_the_page_names_none():
    items = list(
        html.read(
            Source.from_bytes("p.html", _page("", ARTICLE_BODY)),
            ImportOptions(default_source="Example News"),
        )
    )
    assert items[0].source == "Example News"


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><head><title>Empty</title></head><body></body></html>",
        b"<html><head><script>var x = 1;</script></head><body><style>p {}</style></body></html>",
        b"",
    ],
)
def test_page_without_article_text_fails_as_a_whole(data):
    with pytest.raises(ImportFailure, match="no article text found in the page|not an HTML"):
        list(html.read(Source.from_bytes("empty.html", data), ImportOptions()))


def test_binary_data_fails_as_a_whole():
    with pytest.raises(ImportFailure, match="binary"):
        list(html.read(Source.from_bytes("x.html", b"\x00\x01\x02" * 100), ImportOptions()))


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("2020-01-20T06:05:18+0000", "2020-01-20T06:05:18+00:00"),
        ("Tue Jan 28 15:28:56 CET 2020", "2020-01-28T15:28:56+01:00"),
        ("Sat Jul 04 09:00:00 PDT 2020", "2020-07-04T09:00:00-07:00"),
        ("2020-01-14", "2020-01-14"),
        ("0000-01-01T14:00:00+00:53", None),
        ("{{content.date | date : 'dd/MM/yyyy'}}", None),
    ],
)
def test_page_date_forms(head, expected):
    assert html.page_date(head) == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"<!DOCTYPE html><html>", True),
        (b"\xef\xbb\xbf  <!doctype HTML PUBLIC '-//W3C//DTD HTML 4.01//EN'>", True),
        (b"<?xml version='1.0'?>\n<!-- saved --><html xmlns='http://www.w3.org/1999/xhtml'>", True),
        (b"<html lang='de'><head>", True),
        (b"<?xml version='1.0'?><rss version='2.0'>", False),
        (b"Posted on September 18, 2023 <html>", False),
        (b"", False),
    ],
)
def test_sniff(head, expected):
    assert html.sniff(head, "page.html") is expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=400),
        st.lists(
            st.sampled_from(
                [
                    "<html>",
                    "<p>",
                    "</p>",
                    "<article>",
                    "<meta property='og:url' content='/x'>",
                    "<time datetime='0000-00-00'>",
                    "{{x}}",
                    "Text words here. ",
                    "&#0;",
                    "<!--",
                    "<meta charset='klingon'>",
                    "\x00",
                    "é",
                    "&#xD800;",
                ]
            ),
            max_size=40,
        ).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass")),
    )
)
def test_fuzz_only_import_failure_escapes(data):
    try:
        items = list(html.read(Source.from_bytes("fuzz.html", data), ImportOptions()))
    except ImportFailure as failure:
        assert "\n" not in str(failure)
        return
    assert isinstance(items[0], Article)
    assert all(isinstance(item, RecordWarning) for item in items[1:])
    (items[0].title + items[0].body).encode("utf-8")  # no lone surrogates
