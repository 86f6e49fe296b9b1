"""The index boundary: one table of fields, one way back from a stored document."""

from __future__ import annotations

from archive_search.article import Article
from archive_search.engine import fields
from archive_search.engine.stored import StoredArticle, article_document
from archive_search.index import build_schema


def test_the_schema_has_exactly_the_fields_of_the_table():
    schema = build_schema()
    assert sorted(schema.names()) == sorted(f.name for f in fields.FIELDS)
    stored = {name for name in schema.names() if schema[name].stored}
    # STORED() fields are always stored; the others as the table says
    assert stored == {f.name for f in fields.FIELDS if f.stored}


def test_each_language_has_its_title_and_body_fields():
    assert fields.text_fields("en") == ("title", "body")
    assert fields.text_fields(None) == ("title", "body")
    assert fields.text_fields("de-AT") == ("title_de", "body_de")
    assert fields.text_fields("fr") == ("title_fr", "body_fr")
    assert fields.text_fields("pl") == ("title_xx", "body_xx")
    assert fields.all_text_fields()[:2] == ["title", "body"]
    assert all(fields.is_title(fields.title_of(body)) for body in fields.all_text_fields()
               if fields.is_body(body))


def test_a_stored_document_reads_back_as_the_article_it_was_written_from():
    """What the index stores of an article is read back the same way everywhere."""
    article = Article(title="Hafenmauer hält", body="Die Mauer hielt.", id="a1", lang="de",
                      date="2023-09-18", source="Lokalblatt", tags=["Hafen", "Sturm, Flut"],
                      url="https://example.org/a1")
    doc = article_document(article, "2023/09/a1.md")
    schema = build_schema()
    stored = {name: value for name, value in doc.items() if schema[name].stored}
    assert StoredArticle.of(stored) == StoredArticle(
        id="a1", path="2023/09/a1.md", title="Hafenmauer hält", date="2023-09-18",
        source="Lokalblatt", tags=["Hafen", "Sturm  Flut"], lang="de",
        url="https://example.org/a1",
    )


def test_an_article_with_no_metadata_reads_back_with_none_not_empty_strings():
    doc = article_document(Article(title="Bare", body="Text.", id="b"), "b.md")
    schema = build_schema()
    stored = {name: value for name, value in doc.items() if schema[name].stored}
    assert StoredArticle.of(stored) == StoredArticle(id="b", path="b.md", title="Bare")


def test_the_index_meets_the_engine_protocol():
    """Every method of the Engine and EngineSession protocols exists on the Whoosh
    implementation with the same parameters."""
    import inspect

    from archive_search.engine import Engine, EngineSession
    from archive_search.index import Index, IndexSession

    for protocol, implementation in ((Engine, Index), (EngineSession, IndexSession)):
        for name, member in vars(protocol).items():
            if name.startswith("_") or not callable(member):
                continue
            wanted = list(inspect.signature(member).parameters)
            assert list(inspect.signature(getattr(implementation, name)).parameters) == wanted, name


def test_the_whoosh_searcher_meets_the_searcher_protocol(archive, add_articles):
    """Every method of the Searcher protocol exists on the Whoosh implementation with the same
    parameters, and a searcher opened from the index answers through it."""
    import inspect
    from datetime import datetime

    from conftest import article

    from archive_search.engine import Searcher
    from archive_search.engine.whoosh_searcher import WhooshSearcher

    for name, member in vars(Searcher).items():
        if name.startswith("_") and name not in ("__enter__", "__exit__") or not callable(member):
            continue
        wanted = list(inspect.signature(member).parameters)
        assert list(inspect.signature(getattr(WhooshSearcher, name)).parameters) == wanted, name
    first, _ = add_articles(article("Granite quarry", "Granite blocks."),
                            article("Slate roofs", "Slate and granite."))
    with archive.index.searcher() as searcher:
        assert searcher.doc_count() == 2
        assert searcher.doc_frequency("body", "granit") == 2
        assert searcher.doc_frequency("body", "nosuchterm") == 0
        assert searcher.postings("body", "nosuchterm") == []
        number = searcher.document_number(first)
        assert searcher.stored(number).title == "Granite quarry"
        assert searcher.postings("title", "quarri") == [number]
        assert searcher.docs_with_all("body", ["granit", "block"]) == {number}
        assert searcher.field_length(number, "body") == 2
        assert searcher.document_number("nosuchid") is None
        assert sorted(s.title for s in searcher.all_stored()) == ["Granite quarry", "Slate roofs"]
        within = searcher.dates_within(datetime(2023, 9, 18), None)
        assert within(number) and not searcher.dates_within(None, datetime(2023, 9, 17))(number)


def test_a_query_reading_runs_through_the_searcher_protocol(archive, add_articles):
    """Search needs nothing of the engine but ``Searcher.rank`` and the ``Ranking`` it gives:
    hits with stored fields, a count, highlighted passages, the parts of each score; and the
    Whoosh ranking has every member of the protocol."""
    import inspect

    from conftest import article

    from archive_search.engine import Ranking
    from archive_search.engine.whoosh_search import WhooshRanking
    from archive_search.output import HL_START
    from archive_search.query import read

    for name, member in vars(Ranking).items():
        if not name.startswith("_") and callable(member):
            wanted = list(inspect.signature(member).parameters)
            assert list(inspect.signature(getattr(WhooshRanking, name)).parameters) == wanted
    add_articles(article("Granite quarry", "Granite blocks cut from the quarry."),
                 article("Slate roofs", "Slate and granite."),
                 article("Tram line", "A new tram line."))
    with archive.index.searcher(archive.settings.search) as searcher:
        found = searcher.rank(read("granite", archive.settings), archive.settings, limit=1)
        [best] = found.hits
        assert best.stored.title == "Granite quarry" and best.score > 0
        assert found.count() == 2 and ("body", "granit") in found.terms
        assert HL_START in found.highlight(best, "body", "Granite blocks.", 100)
        [(part, score)] = [p for p in found.explain([best.docnum])[best.docnum]
                           if p[0].startswith("body")]
        assert "granit" in part and score > 0
        oldest = searcher.rank(read("*", archive.settings), archive.settings, sort="oldest")
        assert oldest.count() == 3


def test_only_the_engine_modules_import_whoosh():
    """Whoosh stays behind the engine boundary: a module outside WHOOSH_MODULES that imports
    it fails here (and a listed module that no longer does should leave the list)."""
    import re
    from pathlib import Path

    import archive_search
    from archive_search.engine import WHOOSH_MODULES

    package = Path(archive_search.__file__).parent
    importing = {
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if re.search(r"^\s*(from|import) whoosh\b", path.read_text(encoding="utf-8"), re.M)
    }
    assert importing == WHOOSH_MODULES


def test_manifest_and_index_do_not_import_each_other():
    """The manifest needs only the schema version, from the field table."""
    from pathlib import Path

    import archive_search

    manifest = (Path(archive_search.__file__).parent / "manifest.py").read_text(encoding="utf-8")
    assert "from .index" not in manifest and "import index" not in manifest


def test_docs_with_all_finds_the_live_documents_with_every_term_and_stops_at_a_limit(
    archive, add_articles
):
    """The intersection walks the rarest term's documents and skips along the others: the
    live documents with every term, in full or the first ``limit`` in document order; a
    document replaced since is not among them."""
    from conftest import article

    ids = add_articles(*(article(f"Report {n}", f"harbour ferry {'storm ' * (n % 2)}pier {n}",
                                 id=f"r{n}") for n in range(9)))
    path = archive.root / "corpus" / "2023" / "09" / "r1.md"
    path.write_text(path.read_text(encoding="utf-8").replace("storm", "calm"), encoding="utf-8")
    archive.update_index()
    with archive.index.searcher() as searcher:
        every = searcher.docs_with_all("body", ["harbour", "storm", "ferri"])
        stored = {searcher.stored(d).id for d in every}
        assert stored == {"r3", "r5", "r7"} and len(ids) == 9
        first_two = searcher.docs_with_all("body", ["storm", "harbour"], limit=2)
        assert first_two == set(sorted(every)[:2])
        assert searcher.docs_with_all("body", ["storm", "absent"]) == set()
