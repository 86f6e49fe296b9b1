"""Any bytes, in any format, are accounted for: imported, duplicate, skipped or failed with a
reason. Never an exception out of the import, never an article file that does not read back,
never an archive that `arch check` finds unsound, and importing the same inputs again adds
nothing. Generated inputs mix each format's syntax with random text, control characters,
entities and several encodings, so that the importers meet material nobody here wrote.

Each example gets an archive of its own: Hypothesis reseeds Python's global ``random`` for every
example, and Whoosh names its segments from it, so a shared index would see a later example
write a segment under the name of an earlier one (an artefact of the test, not of arch).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive_search import Archive
from archive_search.check import check
from archive_search.importers import FORMATS

FRAGMENTS = [
    "---\n", "title: ", "date: 2023-09-18\n", "<?xml version='1.0'?>", "<rss><channel>",
    "<item><title>", "</title>", "<description>", "<![CDATA[", "]]>", "</item>", "<feed>",
    "<entry>", "<REUTERS>", "<TEXT>", "<BODY>", "&#3;", "&amp;", "&quot;", "&apos;", "&#x0;",
    "&bogus;", "<html><head><title>", "<body><article><p>", "</p>", '{"title": "',
    '", "body": "', '"}', "[", "]", "\n", "title,date,body\n", '"a,b"', ",", "\t",
    "Posted on September 18, 2023", "\x1b[2J", "\x00", "\u202e", "\ufeff", "Kim Jong-un ",
    "Ölpreise steigen ", "北朝鮮 ", "\r\n", '<newsitem itemid="1" date="1996-08-20">',
    "<headline>", "<text>", "<newsMessage>", '<newsItem guid="urn:x">', "%PDF-1.4",
]

documents = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), min_size=0, max_size=40
).map("".join)
inputs = st.lists(
    st.tuples(
        documents,
        st.sampled_from(["utf-8", "utf-16", "latin-1", "cp1252", "euc-jp", "gb2312"]),
        st.sampled_from(
            [".txt", ".md", ".json", ".jsonl", ".csv", ".html", ".xml", ".rss", ".sgm", ".tsv"]
        ),
    ),
    min_size=1, max_size=3,
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=inputs, fmt=st.one_of(st.none(), st.sampled_from(sorted(FORMATS))))
def test_any_input_is_accounted_for_reads_back_and_imports_once(tmp_path_factory, files, fmt):
    folder = tmp_path_factory.mktemp("fuzz")
    paths = []
    for n, (text, encoding, suffix) in enumerate(files):
        path = folder / "in" / f"input{n}{suffix}"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(text.encode(encoding, errors="replace"))
        paths.append(path)
    arc = Archive.init(folder / "news")
    report = arc.import_paths(paths, format=fmt)
    assert report.inputs == len(report.outcomes) == len(paths)
    for outcome in report.outcomes:
        assert outcome.status in {"imported", "updated", "duplicate", "skipped", "failed"}
        if outcome.status in {"skipped", "failed"}:
            assert outcome.reason and "\n" not in outcome.reason
    for rel in report.paths:
        article = arc.corpus.read(rel)
        assert article.id and Path(rel).stem == article.id
    for line in report.failed + report.warnings:
        assert "\n" not in line and len(line) < 600
    again = arc.import_paths(paths, format=fmt)
    assert again.imported == 0 and getattr(again, "updated", 0) == 0
    assert check(arc).ok
