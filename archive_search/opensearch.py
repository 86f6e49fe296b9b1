"""The OpenSearch side of an export: the index definition and one document per article.

The definition is the mapping ``docs/engines.md`` designs, built from the same table the
Whoosh schema is (:mod:`archive_search.engine.fields`), so that a field or analyser added
there reaches the export too: the per-language title and body fields with analysers that
match arch's (its one stop list, Snowball stemming, accent folding, words of one letter
dropped), a ``date`` field, tags as lower-cased keywords, and arch's weighting, In_expB2 with
this archive's ``c`` for bodies and for titles (or BM25 when the archive ranks with it).
Field names and analysis syntax follow OpenSearch's documentation (the pages are listed in
``docs/engines.md``); nothing here talks to a server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .article import Article
from .dates import parse_iso
from .engine.fields import FIELDS, TITLE, Field, text_fields
from .index import article_names, stop_words

if TYPE_CHECKING:
    from .config import Settings

#: The Snowball stemmer Whoosh uses for each stemmed language, by OpenSearch's name for it
#: (``porter2`` is Snowball English; OpenSearch's ``english`` is another, Porter-style one).
STEMMERS = {"english": "porter2", "stemmed:de": "german", "stemmed:fr": "french"}


def mapping(settings: Settings) -> dict[str, Any]:
    """The body of ``PUT /<index>``: settings (similarities, analysis) and mappings."""
    return {"settings": {"index": {"similarity": _similarities(settings),
                                   "analysis": _analysis()}},
            "mappings": {"dynamic": "strict", "properties": _properties()}}


def _similarities(settings: Settings) -> dict[str, Any]:
    """arch's weighting per kind of field: the DFR model In_expB2 (basic model ``ine``,
    after-effect ``b``, normalisation ``h2`` with its ``c``), or BM25 with its ``b`` and
    ``k1`` when ``search.weighting`` is ``bm25``."""
    search = settings.search
    if search.weighting == "bm25":
        bm25 = {"type": "BM25", "b": search.bm25_b, "k1": search.bm25_k1}
        return {"arch_title": bm25, "arch_body": bm25}

    def dfr(c: float) -> dict[str, Any]:
        return {"type": "DFR", "basic_model": "ine", "after_effect": "b",
                "normalization": "h2", "normalization.h2.c": str(c)}

    return {"arch_title": dfr(search.dfr_title_c), "arch_body": dfr(search.dfr_c)}


def _analysis() -> dict[str, Any]:
    """Whoosh's chains in OpenSearch's terms: tokenize, lower-case, drop arch's stop words and
    words of one letter (Whoosh's ``StopFilter`` drops both), stem, fold accents."""
    base = ["lowercase", "arch_stop", "arch_min2"]
    analyzers: dict[str, Any] = {
        "arch_neutral": {"type": "custom", "tokenizer": "standard",
                         "filter": [*base, "asciifolding"]},
        "arch_simple": {"type": "custom", "tokenizer": "standard",
                        "filter": ["lowercase", "asciifolding"]},
    }
    filters: dict[str, Any] = {
        "arch_stop": {"type": "stop", "stopwords": sorted(stop_words())},
        "arch_min2": {"type": "length", "min": 2},
    }
    for name, language in STEMMERS.items():
        key = _analyser_name(name)
        filters[f"{key}_stemmer"] = {"type": "stemmer", "language": language}
        analyzers[key] = {"type": "custom", "tokenizer": "standard",
                          "filter": [*base, f"{key}_stemmer", "asciifolding"]}
    return {"filter": filters, "analyzer": analyzers,
            "normalizer": {"arch_lowercase": {"type": "custom", "filter": ["lowercase"]}}}


def _analyser_name(name: str) -> str:
    """OpenSearch's name for an analyser of the field table (``stemmed:de`` -> ``arch_de``)."""
    return "arch_" + ("en" if name == "english" else name.rpartition(":")[2])


def _properties() -> dict[str, Any]:
    """One property per field of the index table, plus the fields only an export carries
    (kept in ``_source``, searchable where a query could want them)."""
    props: dict[str, Any] = {}
    for f in FIELDS:
        prop = _property(f)
        if prop is not None:
            props[f.name] = prop
    props.update({
        "names_given": {"type": "keyword"},
        "see_also": {"type": "keyword"},
        "imported_at": {"type": "keyword"},
        "version": {"type": "integer"},
        "origin": {"type": "object", "enabled": False},
        "extra": {"type": "object", "enabled": False},
    })
    return props


def _property(f: Field) -> dict[str, Any] | None:
    if f.kind == "id":
        return {"type": "keyword"}
    if f.kind == "stored":
        # the date as written is the document's own ``date`` text: no second copy
        return None if f.name == "date_text" else {"type": "keyword", "index": False}
    if f.kind == "datetime":
        return {"type": "date"}
    if f.kind in ("keyword", "keywords"):
        return {"type": "keyword"}
    if f.analyser == "tags":
        return {"type": "keyword", "normalizer": "arch_lowercase"}
    if f.analyser == "simple":
        return {"type": "text", "analyzer": "arch_simple"}
    analyser = "arch_neutral" if f.analyser == "neutral" else _analyser_name(str(f.analyser))
    return {"type": "text", "analyzer": analyser,
            "similarity": "arch_title" if f.role == "title" else "arch_body"}


def document(row: dict[str, Any], names: list[str] | None = None) -> dict[str, Any]:
    """The ``_source`` of one article (an export row with every field): its title and body
    in the fields of its language, as arch indexes them, and every other field as it is;
    ``names`` as the folded keys arch's index searches names by (the names of the front
    matter, the authors and those found in the text: ``names``, as the index found them when
    it indexed this very file, else found again here), ``names_given`` the front matter's
    own list as written."""
    from .names import fold_key

    title_field, body_field = text_fields(row["lang"])
    doc: dict[str, Any] = {"id": row["id"], "path": row["path"], title_field: row["title"],
                           body_field: row["body"]}
    if title_field != TITLE:
        doc[TITLE] = row["title"]  # the title shown for every article, as in arch's index
    for key in ("tags", "authors", "see_also"):
        if row[key]:
            doc[key] = row[key]
    found = names if names is not None else article_names(Article(
        title=row["title"], body=row["body"], names=row["names"], authors=row["authors"],
        extra=row["extra"]))
    keys = sorted({k for k in (fold_key(n) for n in found) if k})
    if keys:
        doc["names"] = keys
    if row["names"]:
        doc["names_given"] = row["names"]
    for key in ("source", "url", "imported_at"):
        if row[key]:
            doc[key] = row[key]
    if row["lang"]:
        doc["lang"] = row["lang"].lower()
    # ISO text as arch keeps it, with the "T" OpenSearch's date format wants; a date edited
    # by hand into something else is left out rather than failing the whole document
    if row["date"] and parse_iso(row["date"]) is not None:
        doc["date"] = row["date"].strip().replace(" ", "T", 1)
    doc["version"] = row["version"]
    for key in ("origin", "extra"):
        if row[key]:
            doc[key] = row[key]
    return doc
