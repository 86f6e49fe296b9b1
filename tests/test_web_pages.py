"""Saved news pages as a journalist checks them: headline, date, site and where the text starts.

``tests/data/web_pages_expected.tsv`` holds, for each of the 41 pages in
``../shared/corpora/web-html``, what a person reading the page finds: the headline as the page
displays it (without the site name or date its ``<title>`` appends), the publication date it
states, the name the site gives itself, and the first words of the article text. The pages are
third-party and stay outside the repository; without them these tests skip.

The small pages below are written here, one for each kind of slip found on the real pages:
a body that is a photo caption while the page holds the whole text, a CMS editing screen saved
instead of the article, a title carrying the site name and a date, the site's section menu
given as keywords, and a source name made from the host name.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from archive_search import Archive
from archive_search.article import Article
from archive_search.importers import html
from archive_search.importers.base import ImportFailure, ImportOptions, RecordWarning, Source

PAGES = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "web-html"
EXPECTED = Path(__file__).parent / "data" / "web_pages_expected.tsv"
FIELDS = ("title", "date", "source", "first_words")
#: Pages where the importer knowingly differs from the table, with the reason. Empty: all 41
#: agree on every field.
KNOWN_DISAGREEMENTS: dict[tuple[str, str], str] = {}


def expected_rows() -> list[dict[str, str]]:
    lines = [
        line
        for line in EXPECTED.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    ]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def read(data: bytes, name: str = "page.html") -> tuple[Article, list[str]]:
    items = list(html.read(Source.from_bytes(name, data), ImportOptions()))
    assert isinstance(items[0], Article)
    assert all(isinstance(item, RecordWarning) for item in items[1:])
    return items[0], [item.reason for item in items[1:]]


def first_words(text: str, count: int) -> list[str]:
    """The first words of a text, without list bullets and with line breaks as spaces."""
    return re.sub(r"^[-•*]\s+", "", text.strip()).split()[:count]


def compare(row: dict[str, str]) -> dict[str, tuple[str, str]]:
    """The fields on which importing the page disagrees with the row: {field: (want, got)}."""
    data = (PAGES / row["file"]).read_bytes()
    if row["title"] == "refused":
        try:
            article, _ = read(data, row["file"])
        except ImportFailure:
            return {}
        return {f: ("refused", "imported") for f in FIELDS}
    article, _ = read(data, row["file"])
    want_words = row["first_words"].split()
    got = {
        "title": article.title,
        "date": article.date or "",
        "source": article.source or "",
        "first_words": " ".join(first_words(article.body, len(want_words))),
    }
    want = {**row, "first_words": " ".join(want_words)}
    return {f: (want[f], got[f]) for f in FIELDS if want[f] != got[f]}


@pytest.fixture(scope="module")
def disagreements() -> dict[str, dict[str, tuple[str, str]]]:
    if not PAGES.is_dir():
        pytest.skip("real pages not available: ../shared/corpora/web-html not present")
    rows = expected_rows()
    assert len(rows) == 41 == len(list(PAGES.glob("*.html")))
    return {row["file"]: compare(row) for row in rows}


def test_the_table_covers_every_page_once():
    files = [row["file"] for row in expected_rows()]
    assert len(files) == len(set(files)) == 41


def test_titles_dates_sources_and_first_words_agree_with_the_pages(disagreements, capsys):
    counts = {f: sum(f not in d for d in disagreements.values()) for f in FIELDS}
    with capsys.disabled():
        print("\nagreement with the pages:", ", ".join(f"{f} {n}/41" for f, n in counts.items()))
    unexpected = {
        (name, field): values
        for name, fields in disagreements.items()
        for field, values in fields.items()
        if (name, field) not in KNOWN_DISAGREEMENTS
    }
    assert unexpected == {}


def test_the_cms_page_is_skipped_as_not_an_article_and_the_caption_page_imports_whole(tmp_path):
    if not PAGES.is_dir():
        pytest.skip("real pages not available: ../shared/corpora/web-html not present")
    archive = Archive.init(tmp_path / "news")
    pages = ["lanouvellerepublique.fr.martin.html", "scmp.com.playbook.html"]
    report = archive.import_paths([PAGES / name for name in pages], index=False)
    assert report.imported == 1
    assert report.failed == [] and len(report.skipped) == 1
    assert "lanouvellerepublique" in report.skipped[0]
    outcome = next(o for o in report.outcomes if o.status == "skipped")
    assert outcome.reason.startswith("not an article: an unrendered page template")
    assert any(
        w.endswith(
            "scmp.com.playbook.html: the page's layout gave only 24 words of text; body "
            "taken from its JSON-LD articleBody (702 words, paragraph breaks as the page "
            "gives them)"
        )
        for w in report.warnings
    ), report.warnings


# --- small pages written for these tests -------------------------------------------------

LEDE = (
    "The council voted on Tuesday to reopen the old harbour bridge to cyclists after two years "
    "of repairs, ending a long detour through the industrial estate."
)
PARAGRAPHS = [
    LEDE,
    "Engineers replaced the deck and the railings and found the piers sound, the council said.",
    "Traders on both banks welcomed the decision and expect more visitors at the weekend market.",
    "The bridge will close again for one night in March while the lighting is installed.",
]


def page(head: str, body: str) -> bytes:
    return f"<!DOCTYPE html><html lang='en'><head>{head}</head><body>{body}</body></html>".encode()


def article_body(paragraphs: list[str] = PARAGRAPHS) -> str:
    return (
        "<article><h1>Harbour bridge reopens</h1>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</article>"
    )


def test_a_page_drawn_by_javascript_gives_its_jsonld_text_not_the_caption():
    caption = (
        "The harbour bridge seen from the north bank on Monday morning, before the council "
        "meeting, with the new railings in place and the first cyclists waiting at the barrier "
        "for the ribbon to be cut by the mayor of the town. Photo: Desk"
    )
    full = "\n".join(PARAGRAPHS * 3)
    head = (
        "<title>Harbour bridge reopens</title><script type='application/ld+json'>"
        + json.dumps(
            {"@type": "NewsArticle", "headline": "Harbour bridge reopens", "articleBody": full}
        )
        + "</script>"
    )
    body = (
        "<main><article><h1>Harbour bridge reopens</h1>"
        f"<div class='image'><img src='b.jpg'><p>{caption}</p></div></article></main>"
    )
    article, warnings = read(page(head, body))
    assert article.body.startswith(LEDE)
    assert len(article.body.split()) == len(full.split())
    assert any("JSON-LD articleBody" in w for w in warnings)


def test_a_body_much_shorter_than_the_pages_paragraphs_is_warned_about():
    # the article's paragraphs sit in a block trafilatura takes for a comment section
    block = "".join(f"<p>{p}</p>" for p in PARAGRAPHS * 3)
    body = (
        "<article><h1>Harbour bridge reopens</h1><p>" + " ".join(LEDE.split()[:30]) + "</p>"
        f"</article><div class='comments'>{block}</div>"
    )
    article, warnings = read(page("<title>Harbour bridge reopens</title>", body))
    assert any("the body may be a caption or teaser" in w for w in warnings), warnings


def test_an_unrendered_cms_editing_page_is_refused_as_not_an_article():
    body = (
        "<div>{{page.status === 'draft' ? 'Draft' : 'Published'}} {{page.user.name}} - "
        "{{page.time | date : 'dd/MM/yyyy'}}</div><p>Return to the published version</p>"
        "<p>Page being edited</p><p>Open the advanced mode</p>"
    )
    with pytest.raises(ImportFailure, match="not an article: an unrendered page template"):
        read(page("<title>{{page.title}}</title>", body))


def test_a_page_with_a_few_words_only_is_refused_with_the_count():
    body = "<article><p>Subscribe to read the rest of this story today.</p></article>"
    with pytest.raises(ImportFailure, match=r"not an article: only \d+ words"):
        read(page("<title>Harbour</title>", body))


@pytest.mark.parametrize(
    ("title", "head", "expected"),
    [
        (
            "Harbour bridge reopens | DW | 19.01.2020",
            "<meta property='og:url' content='https://www.dw.example/a/1'>",
            "Harbour bridge reopens",
        ),
        (
            "Harbour bridge reopens - Harbour Times",
            "<meta property='og:site_name' content='Harbour Times'>",
            "Harbour bridge reopens",
        ),
        (
            "Harbour bridge reopens | Kulu Post",
            "<link rel='canonical' href='https://kulu-post.example/a'>",
            "Harbour bridge reopens",
        ),
        (
            "Harbour Times: Harbour bridge reopens",
            "<meta property='og:site_name' content='Harbour Times'>",
            "Harbour Times: Harbour bridge reopens",
        ),
        (
            "Letters: Bridges | Buses | Parking",
            "<meta property='og:site_name' content='Harbour Times'>",
            "Letters: Bridges | Buses | Parking",
        ),
        ("Harbour bridge reopens - 19 January 2020", "", "Harbour bridge reopens"),
        ("Harbour bridge - Episode 12, 2020", "", "Harbour bridge - Episode 12, 2020"),
    ],
)
def test_the_site_name_and_a_date_are_cut_from_the_title(title, head, expected):
    body = article_body(PARAGRAPHS).replace("<h1>Harbour bridge reopens</h1>", "")
    og_title = f"<meta property='og:title' content='{title}'>"
    article, _ = read(page(f"<title>{title}</title>{og_title}{head}", body))
    assert article.title == expected


def test_section_menu_keywords_are_dropped_and_the_articles_tags_kept():
    head = (
        "<title>Harbour bridge reopens</title>"
        "<meta property='og:site_name' content='Harbour Times'>"
        "<meta name='keywords' content='Harbour Times, News, World, Lifestyle, Sport, Bridges'>"
        "<meta property='article:section' content='Local'>"
        "<meta property='article:tag' content='Bridges'>"
        "<meta property='article:tag' content='Cycling'>"
        "<meta property='article:tag' content='channel_local_news'>"
        "<meta property='article:tag' content='2020'>"
    )
    article, _ = read(page(head, article_body()))
    assert article.tags == ["Bridges", "Cycling"]


def test_topic_tags_written_in_lower_case_with_a_hyphen_or_digits_are_kept():
    head = (
        "<title>Harbour bridge reopens</title>"
        "<meta property='article:tag' content='covid-19'>"
        "<meta property='article:tag' content='Harbour Board'>"
    )
    article, _ = read(page(head, article_body()))
    assert article.tags == ["covid-19", "Harbour Board"]


def test_keywords_are_kept_when_the_page_gives_no_more_specific_tags():
    head = "<title>Harbour bridge reopens</title><meta name='keywords' content='bridges, cycling'>"
    article, _ = read(page(head, article_body()))
    assert article.tags == ["bridges", "cycling"]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            "<meta property='og:site_name' content='harbour-times.example'>"
            "<meta property='og:url' content='https://harbour-times.example/a'>",
            "harbour-times.example",
        ),
        # a section in og:site_name: the JSON-LD publisher agrees with the domain
        (
            "<meta property='og:site_name' content='U.S.'>"
            "<meta property='og:url' content='https://www.harbourtimes.example/a'>"
            "<script type='application/ld+json'>"
            '{"@type": "NewsArticle", "publisher": {"@type": "Organization", '
            '"name": "Harbour Times"}}</script>',
            "Harbour Times",
        ),
        # the same under a country's second-level domain
        (
            "<meta property='og:site_name' content='U.S.'>"
            "<meta property='og:url' content='https://news.harbourtimes.co.uk/a'>"
            "<script type='application/ld+json'>"
            '{"@type": "NewsArticle", "publisher": {"@type": "Organization", '
            '"name": "Harbour Times"}}</script>',
            "Harbour Times",
        ),
        # the publisher named in JSON-LD, not the Twitter handle made into "Harbourtimes"
        (
            "<meta name='twitter:site' content='@harbourtimes'>"
            "<script type='application/ld+json'>"
            '{"@type": "NewsArticle", "publisher": {"@type": "Organization", '
            '"name": "harbourtimes.example"}}</script>',
            "harbourtimes.example",
        ),
        # no name stated but in the <title>: its suffix that agrees with the domain (initials)
        (
            "<meta name='twitter:site' content='@hbt'>"
            "<meta property='og:url' content='https://www.hbt.example/a'>",
            "Harbour Bridge Times",
        ),
    ],
)
def test_the_source_is_the_name_the_site_gives_itself(head, expected):
    title = "Harbour bridge reopens"
    if "hbt.example" in head:
        title += " | Harbour Bridge Times"
    article, _ = read(page(f"<title>{title}</title>{head}", article_body()))
    assert article.source == expected


def test_a_caption_and_a_byline_before_the_text_are_not_its_start():
    caption = "Cyclists crossing the harbour bridge on its first morning"
    body = (
        f"<article><figure><img src='b.jpg' alt='{caption}'></figure><p>{caption}. Photo: Desk</p>"
        "<p>By Jane Doe</p>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</article>"
    )
    article, _ = read(page("<title>Harbour bridge reopens</title>", body))
    assert article.body.startswith(LEDE)
    assert article.authors == ["Jane Doe"]


def test_a_logo_in_an_h1_is_not_taken_for_the_headline():
    head = (
        "<title>Harbour Times</title><meta property='og:site_name' content='Harbour Times'>"
        "<meta property='og:title' content='Harbour bridge reopens'>"
    )
    body = "<header><h1>Harbour Times</h1></header>" + article_body()
    article, _ = read(page(head, body))
    assert article.title == "Harbour bridge reopens"


def test_html_markup_in_a_jsonld_article_body_becomes_paragraphs():
    marked_up = "".join(f"<p>{p}</p>" for p in PARAGRAPHS * 3)
    head = (
        "<title>Harbour bridge reopens</title><script type='application/ld+json'>"
        + json.dumps({"@type": "NewsArticle", "articleBody": marked_up})
        + "</script>"
    )
    caption = " ".join(["The harbour bridge seen from the north bank on Monday morning."] * 4)
    body = (
        "<main><article><h1>Harbour bridge reopens</h1>"
        f"<div class='image'><img src='b.jpg'><p>{caption}</p></div></article></main>"
    )
    article, warnings = read(page(head, body))
    assert any("JSON-LD articleBody" in w for w in warnings)
    assert article.body.startswith(LEDE + "\n\n" + PARAGRAPHS[1])
    assert "<p>" not in article.body
