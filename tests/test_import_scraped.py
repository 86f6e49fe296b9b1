"""Importing scraped plain text and Markdown (with or without YAML front matter)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive_search import articlefile
from archive_search.article import Article
from archive_search.importers import markdown, scraped
from archive_search.importers.base import (
    ImportFailure,
    ImportOptions,
    RecordFailure,
    RecordWarning,
    Source,
)

pytestmark = pytest.mark.filterwarnings("error")


def read(module: ModuleType, name: str, data: bytes | str, **options) -> list:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return list(module.read(Source.from_bytes(name, raw), ImportOptions(**options)))


def only_article(results: list) -> Article:
    articles = [r for r in results if isinstance(r, Article)]
    assert len(articles) == 1, results
    return articles[0]


def warnings_of(results: list) -> list[str]:
    return [r.reason for r in results if isinstance(r, RecordWarning)]


# -- the seed file: the shape of the text files users import ---------------------------------


@pytest.fixture
def seed(seed_file: Path) -> tuple[Article, list]:
    results = read(scraped, seed_file.name, seed_file.read_bytes())
    return only_article(results), results


def test_seed_date_is_the_posted_on_line_not_the_crawl_date(seed) -> None:
    article, results = seed
    assert article.date == "2023-09-18T14:17:00"
    assert article.extra["crawled"] == "2024-07-27"
    assert warnings_of(results) == []


def test_seed_title_is_the_repeated_headline_kept_once(seed) -> None:
    article, _ = seed
    assert article.title == (
        "In the Russian Far East, Kim Jong-un has increased his visits to the "
        "Kremlin\u2019s military-industrial complex."
    )
    assert "Kim Jong-un has increased his visits" not in article.body


def test_seed_source_is_the_site_name_nearest_the_headline(seed) -> None:
    article, _ = seed
    assert article.source == "Complete Canadian News World"
    assert article.extra["site_names"] == [
        "Ferrum College : Iron Blade Online",
        "Complete Canadian News World",
    ]


def test_seed_see_also_links_leave_the_body(seed) -> None:
    article, _ = seed
    assert article.see_also == [
        "Silvio Berlusconi is suffering from leukemia",
        "Israeli far-right ministers threaten to quit government",
    ]
    assert "See also" not in article.body


def test_seed_body_keeps_paragraphs_and_curly_quotes_and_nothing_of_the_header(seed) -> None:
    article, _ = seed
    body = article.body
    assert body.startswith("After warm handshakes")
    assert "\n\nNew collaborations\n\n" in body
    assert "\u201cSleeping Beauty\u201d" in body
    assert "via REUTERS" in body
    for header_text in ("July 27, 2024", "Ferrum College", "Complete Canadian", "Posted on"):
        assert header_text not in body


# -- other scraped text ---------------------------------------------------------------------


def test_text_without_markers_takes_the_first_line_as_title_and_warns_of_no_date() -> None:
    results = read(scraped, "note.txt", "Harbour reopens\n\nShips sail again.\nAt last.\n\nEnd.\n")
    article = only_article(results)
    assert article.title == "Harbour reopens"
    assert article.body == "Ships sail again.\nAt last.\n\nEnd."
    assert article.date is None
    assert warnings_of(results) == ["no publication date found"]


def test_a_lone_date_at_the_top_is_the_crawl_date_not_the_publication_date() -> None:
    results = read(scraped, "a.txt", "July 27, 2024\n\nHeadline\n\nBody.\n")
    article = only_article(results)
    assert (article.title, article.date, article.extra) == (
        "Headline",
        None,
        {"crawled": "2024-07-27"},
    )
    assert warnings_of(results) == ["no publication date found"]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Headline\n\nPublished: 18 Sep 2023 14:17 CEST | Updated: 19 Sep\n\nBody.",
         "2023-09-18T14:17:00+02:00"),
        ("Headline\n\nSeptember 18, 2023\n\nBody.", "2023-09-18"),
        ("Headline\n\nMIAMI, Sept. 18, 2023 (AP) \u2014 A storm came.", "2023-09-18"),
        ("Headline\n\nBody first.\n\nLast updated on 19 September 2023", "2023-09-19"),
    ],
)  # fmt: skip
def test_the_date_is_found_where_news_pages_put_it(text: str, date: str) -> None:
    article = only_article(read(scraped, "a.txt", text))
    assert article.date == date
    assert "updated" not in article.body.lower()


def test_a_sentence_mentioning_a_date_is_not_a_date_line() -> None:
    text = "Headline\n\nUpdated figures released on 3 March 2021 show growth.\n"
    article = only_article(read(scraped, "a.txt", text))
    assert article.date is None
    assert article.body == "Updated figures released on 3 March 2021 show growth."


def test_bylines_give_authors() -> None:
    text = "Headline\n\nBy Jane Doe and John Roe\n\nPosted on 18 Sep 2023 by Ann Poe\n\nBody."
    article = only_article(read(scraped, "a.txt", text))
    assert article.authors == ["Ann Poe", "Jane Doe", "John Roe"]
    assert article.body == "Body."


def test_a_single_line_is_a_title_with_an_empty_body() -> None:
    article = only_article(read(scraped, "a.txt", "Just a headline\n"))
    assert (article.title, article.body) == ("Just a headline", "")


def test_a_file_of_prose_is_named_by_its_opening_words_and_keeps_them() -> None:
    prose = "word " * 100
    article = only_article(read(scraped, "a.txt", prose))
    assert article.title.endswith("\u2026") and len(article.title) <= 201
    assert article.body == prose.strip()


def test_crlf_and_byte_order_mark() -> None:
    article = only_article(read(scraped, "a.txt", b"\xef\xbb\xbfTitle\r\n\r\nBody line\r\n"))
    assert (article.title, article.body) == ("Title", "Body line")


@pytest.mark.parametrize("data", [b"", b"  \n\n\t\n"])
def test_an_empty_file_fails(data: bytes) -> None:
    with pytest.raises(ImportFailure, match="empty file"):
        read(scraped, "a.txt", data)


def test_a_binary_file_fails() -> None:
    with pytest.raises(ImportFailure, match="binary"):
        read(scraped, "a.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_latin1_text_is_read_as_windows_1252_with_a_warning() -> None:
    results = read(scraped, "a.txt", b"Caf\xe9 au lait\n\nIl \xe9tait une fois.\n")
    article = only_article(results)
    assert (article.title, article.body) == ("Caf\u00e9 au lait", "Il \u00e9tait une fois.")
    assert "not valid UTF-8; read as Windows-1252" in warnings_of(results)


def test_koi8_r_text_is_read_as_koi8_r_with_a_warning_not_as_windows_1252() -> None:
    title, body = "Новый мост открыт", "Жители очень рады новому мосту. С утра по нему шли люди."
    results = read(scraped, "a.txt", f"{title}\n\n{body}\n".encode("koi8-r"))
    article = only_article(results)
    assert (article.title, article.body) == (title, body)
    assert "not valid UTF-8; read as KOI8-R (a guess)" in warnings_of(results)


def test_a_txt_file_with_front_matter_is_read_as_markdown() -> None:
    text = "---\ntitle: Front\ndate: 2023-09-18\n---\nBody.\n"
    article = only_article(read(scraped, "a.txt", text))
    assert (article.title, article.date, article.body) == ("Front", "2023-09-18", "Body.")


def test_sniffing() -> None:
    assert scraped.sniff(b"July 27, 2024\n\nSite\n", "a.txt")
    assert not scraped.sniff(b"---\ntitle: x\n---\n", "a.txt")
    assert not scraped.sniff(b'{"title": "x"}', "a.txt")
    assert not scraped.sniff(b"\x00\x01", "a.txt")
    assert markdown.sniff(b"---\ntitle: x\n---\n", "a.txt")
    assert markdown.sniff(b"# Heading\n\ntext", "a.txt")
    assert not markdown.sniff(b"Plain words\n", "a.txt")


# -- Markdown and front matter --------------------------------------------------------------


def test_our_own_article_files_round_trip_exactly() -> None:
    original = Article(
        title="Talks: a \u201cbreakthrough\u201d?",
        body="Para one.\n\nPara two.",
        date="2023-09-18T14:17:00+02:00",
        source="Complete Canadian News World",
        url="https://example.org/a",
        authors=["A. Writer"],
        tags=["politics"],
        lang="en",
        see_also=["Another story"],
        names=["Kim Jong-un"],
        origin={"file": "seed.txt", "sha256": "ab12", "record": 3},
        imported_at="2024-01-01T00:00:00+00:00",
        extra={"rating": 5, "author": "kept as an extra key", "notes": ["x", "y"]},
    )
    original.ensure_id()
    text = articlefile.dumps(original)
    assert read(markdown, f"{original.id}.md", text) == [original]


def test_jekyll_style_front_matter_maps_onto_our_fields() -> None:
    text = (
        "---\nlayout: post\ntitle: Hello\ndate: 2023-09-18 14:17:00 +0200\n"
        "categories: [news, world]\ntags: a, b\nauthor: Jane Doe\ndescription: Short.\n---\n"
        "Body text.\n"
    )
    results = read(markdown, "post.md", text)
    article = only_article(results)
    assert article.title == "Hello"
    assert article.date == "2023-09-18T14:17:00+02:00"
    assert article.tags == ["a", "b", "news", "world"]
    assert article.authors == ["Jane Doe"]
    assert article.extra == {"layout": "post", "description": "Short."}
    assert warnings_of(results) == []


def test_front_matter_dates_in_words_and_bad_ones() -> None:
    good = only_article(read(markdown, "a.md", '---\ntitle: H\ndate: "Sep 18 2023"\n---\nx\n'))
    assert good.date == "2023-09-18"
    results = read(markdown, "a.md", "---\ntitle: H\ndate: blarg\n---\nx\n")
    assert only_article(results).date is None
    assert warnings_of(results) == ["date 'blarg' not understood; kept as unknown"]


def test_front_matter_without_title_takes_the_first_heading() -> None:
    article = only_article(
        read(markdown, "a.md", "---\ndate: 2023-01-01\n---\n# Heading\n\nbody\n")
    )
    assert (article.title, article.body) == ("Heading", "body")


def test_markdown_without_front_matter_takes_the_first_heading_as_title() -> None:
    text = "# The Title\n\nPosted on September 18, 2023\n\nBody here.\n\nSee also: Other story\n"
    article = only_article(read(markdown, "a.md", text))
    assert article.title == "The Title"
    assert article.date == "2023-09-18"
    assert article.body == "Body here."
    assert article.see_also == ["Other story"]


def test_setext_heading() -> None:
    article = only_article(read(markdown, "a.md", "The Title\n=========\n\nBody\n"))
    assert (article.title, article.body) == ("The Title", "Body")


def test_invalid_yaml_fails_with_the_line_number() -> None:
    with pytest.raises(ImportFailure, match=r"not valid YAML at line 3: mapping values"):
        read(markdown, "a.md", "---\ntitle: B\nsummary: a: b\n---\nx\n")


def test_unclosed_front_matter_fails() -> None:
    with pytest.raises(ImportFailure, match="not closed"):
        read(markdown, "a.md", "---\ntitle: B\n")


def test_front_matter_with_nothing_in_it_fails() -> None:
    with pytest.raises(ImportFailure, match="no title or text"):
        read(markdown, "a.md", "---\n---\n")


# -- nothing a user feeds in gives a traceback ----------------------------------------------

_TEXTISH = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda t: t.encode("utf-8")),
    st.lists(
        st.sampled_from(
            ["---\n", "title: x\n", "date: 2023-09-18\n", "# H\n", "\n", "See also  y\n",
             "Posted on September 18, 2023\n", "July 27, 2024\n", ": [\n", "\xe9", "By A\n"]
        ),
        max_size=12,
    ).map(lambda parts: "".join(parts).encode("utf-8")),
)  # fmt: skip


@pytest.mark.parametrize("module", [scraped, markdown], ids=["scraped", "markdown"])
@settings(max_examples=300, deadline=None)
@given(data=_TEXTISH)
def test_any_input_gives_articles_or_one_line_failures(module: ModuleType, data: bytes) -> None:
    try:
        results = read(module, "random.txt", data)
    except ImportFailure as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert all(isinstance(r, (Article, RecordFailure, RecordWarning)) for r in results)
    assert any(isinstance(r, Article) for r in results)
