"""Front matter written without PyYAML's representer is byte for byte what PyYAML writes."""

from __future__ import annotations

import gzip
import random
from pathlib import Path
from typing import Any

import pytest

from archive_search import articlefile, frontmatter
from archive_search.article import Article
from archive_search.importers import ImportOptions, Source, importer

REPO = Path(__file__).resolve().parents[1]

TRICKY = [
    "Kim Jong-un arrives in Vladivostok",
    "COCOA DEAL SEEN POSITIVE, BUT NO PRICE GUARANTEE",
    "In the Russian Far East, Kim’s visit: a “test”",
    "Kim's visit",
    "https://pacific-desk.example/2023/09/kim?x=1#top",
    "a #hashtag", "a#b", "C# and F#", "ends with colon:", "key: value", "ratio 3:1",
    "yes", "No", "TRUE", "off", "null", "Null", "~", "y", "n", "NaN", ".inf", "<<", "=",
    "", " leading space", "trailing space ", "two  spaces", "tab\there", "line\nbreak",
    "para\u2028sep", "nel\x85x", "bom\ufeffx", "del\x7fx", "emoji 🚀 launch", "naïve café",
    "-dash first", "- dash space", "?question", "[bracketed]", "{braced}", "@user", "`tick`",
    "!tag", "&anchor", "*alias", "|pipe", ">fold", "%percent", "'quoted'", '"double"',
    "a, b", "a [b] {c}", "a ? b", "a - b", "x!y&z*w|v>u%t@s`r",
    "2023-09-18", "2023-09-18T14:17:00+09:00", "2023-09-18T14:17:00", "1987-03-05 09:07:29",
    "12", "012", "0x1F", "0o17", "1e5", "1.5", "1_000", "3:25:45", "+1", "-1",
    "3f2a9c", "9e8b7c6d", "0123abc", "1st", "2023-09", "20230918",
    "reuters-1", "kim-jong-un-arrives-in-vladivostok-1a2b3c4d",
]


def reference(meta: dict[str, Any]) -> str:
    return articlefile.yaml_dump(meta)


def written(meta: dict[str, Any]) -> str:
    return frontmatter.dump(meta, articlefile.yaml_dump)


@pytest.mark.parametrize("value", TRICKY)
def test_tricky_text_is_written_as_pyyaml_writes_it(value):
    for meta in (
        {"title": value},
        {"id": "x", "tags": [value, "korea"]},
        {"origin": {"file": value, "record": 3}},
        {value or "empty": "x"},
    ):
        assert written(meta) == reference(meta), meta


@pytest.mark.parametrize("length", range(88, 106))
def test_long_values_fold_where_pyyaml_folds_them(length):
    words = ("Kim Jong-un met Putin at the Vostochny cosmodrome " * 4)[:length].rstrip()
    for meta in ({"title": words}, {"tags": [words]}, {"origin": {"file": words}}):
        assert written(meta) == reference(meta)


def test_other_values_and_shared_lists_are_left_to_pyyaml():
    shared = ["a", "b"]
    meta = {"id": "x", "flag": True, "none": None, "ratio": 0.5, "one": shared, "two": shared,
            "nested": {"deep": {"er": [1, 2]}}, "empty": [], "nothing": {}}
    assert written(meta) == reference(meta)
    assert "&id001" in written(meta)
    first = {"id": "x", "one": shared, "two": shared}
    assert written(first) == reference(first)


def test_a_typical_article_needs_no_pyyaml():
    article = Article(
        title="Kim Jong-un arrives in Vladivostok", body="Text.", id="kim-arrives",
        date="2023-09-12T10:00:00+10:00", source="Pacific Desk", url="https://p.example/1",
        tags=["korea", "russia"], authors=["Jane Roe"], lang="en",
        origin={"file": "feed.json", "sha256": "ab" * 32, "record": 4},
        imported_at="2026-11-29T21:00:00+00:00",
    )

    def no_pyyaml(meta: dict[str, Any]) -> str:
        raise AssertionError(f"PyYAML asked to write {meta}")

    meta = articlefile.front_matter(article)
    assert frontmatter.dump(meta, no_pyyaml) == reference(meta)


def test_the_sample_corpus_files_are_written_again_byte_for_byte():
    files = sorted((REPO / "corpus").rglob("*.md"))
    assert len(files) >= 25
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert articlefile.dumps(articlefile.loads(text)) == text, path


def test_real_articles_are_written_as_pyyaml_writes_them(shared):
    """Every Reuters-21578 story of two files, and the seed page, through the real importers."""
    articles = []
    reader = importer("reuters")
    for sgm in sorted((shared / "reuters21578").glob("reut2-*.sgm.gz"))[:2]:
        data = gzip.decompress(sgm.read_bytes())
        source = Source.from_bytes(sgm.name[:-3], data)
        articles += [a for a in reader.read(source, ImportOptions()) if isinstance(a, Article)]
    seed = shared / "seed" / "000_aa954623e1d8c68c.txt"
    source = Source.from_bytes(seed.name, seed.read_bytes())
    articles += [a for a in importer("scraped").read(source, ImportOptions())
                 if isinstance(a, Article)]
    assert len(articles) > 1500
    for article in articles:
        article.ensure_id()
        meta = articlefile.front_matter(article)
        assert written(meta) == reference(meta), article.id


def test_random_text_from_awkward_characters_is_written_as_pyyaml_writes_it():
    rng = random.Random(20261129)
    alphabet = "aZ09 :#-?,[]{}&*!|>'\"%@`.+=~\t\n\x85\u2028\xa0é’“🚀\ufeff\x7f"
    for _ in range(3000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        for meta in ({"title": value}, {"tags": [value]}, {"origin": {"file": value}}):
            assert written(meta) == reference(meta), meta
