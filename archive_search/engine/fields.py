"""The one table of the index's fields, languages and analysers.

Every field name the package uses is read from here: the Whoosh schema (``index.py``) is built
from :data:`FIELDS`, the query language's field names from :data:`QUERY_NAMES`, and the
per-language title and body fields from :data:`LANGUAGES`. Analysers are named, not built: an
engine maps each name onto its own analysis chain (``index.py`` for Whoosh; ``docs/engines.md``
for OpenSearch), so this module imports no search library.

Adding a stored field: one :class:`Field` row, its value in ``article_document`` (``index.py``)
and its attribute on :class:`~archive_search.engine.stored.StoredArticle`; then bump
:data:`SCHEMA_VERSION`. Adding a language with its own stemmer: one entry in
:data:`STEMMED_LANGUAGES` (the analyser must exist for that language in the engine).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Bump when the schema or the analysis changes: an older index is then rebuilt automatically.
SCHEMA_VERSION = 7  # 5: trade tokens (S&P, US) in the analysers; 6: the manifest in SQLite;
#  7: dates indexed by day (index.py, DayDates)

#: Languages with their own stemmed fields; English has the plain ``title``/``body``, and every
#: other language goes to the neutral, unstemmed ``*_xx`` fields.
STEMMED_LANGUAGES = ("de", "fr")
#: The language family of the neutral fields.
NEUTRAL = "xx"


@dataclass(frozen=True)
class Field:
    """One field of the index.

    ``kind``: ``id`` (one exact, unique token), ``keyword`` (one exact token), ``text``
    (analysed by ``analyser``), ``keywords`` (comma-separated exact keys, scored),
    ``datetime`` (sortable) or ``stored`` (kept, not searchable). ``role`` is ``title`` or
    ``body`` for the per-language text fields, ``lang`` their language family (``en``, a
    stemmed language, or ``xx``). ``boost`` names the ``search.*`` setting that weighs a query
    word found in this field.
    """

    name: str
    kind: str
    stored: bool = False
    analyser: str | None = None
    role: str | None = None
    lang: str | None = None
    boost: str | None = None


def _language_fields(lang: str) -> tuple[Field, Field]:
    if lang == "en":
        title, body, analyser = "title", "body", "english"
    else:
        title, body = f"title_{lang}", f"body_{lang}"
        analyser = "neutral" if lang == NEUTRAL else f"stemmed:{lang}"
    return (
        # ``title`` (English) is also the stored title of every article, for display
        Field(title, "text", stored=lang == "en", analyser=analyser, role="title", lang=lang,
              boost="title_boost"),
        Field(body, "text", analyser=analyser, role="body", lang=lang),
    )


_EN_TITLE, _EN_BODY = _language_fields("en")

#: Every field, in schema order.
FIELDS: tuple[Field, ...] = (
    Field("id", "id", stored=True),
    Field("path", "stored", stored=True),
    _EN_TITLE,
    _EN_BODY,
    Field("date", "datetime"),
    Field("date_text", "stored", stored=True),
    Field("tags", "text", stored=True, analyser="tags", boost="tags_boost"),
    Field("source", "text", stored=True, analyser="simple"),
    Field("authors", "text", analyser="simple"),
    Field("names", "keywords"),
    Field("lang", "keyword", stored=True),
    Field("url", "stored", stored=True),
    *(f for lang in (*STEMMED_LANGUAGES, NEUTRAL) for f in _language_fields(lang)),
)
BY_NAME = {f.name: f for f in FIELDS}

#: The language families, each with its (title, body) field names.
LANGUAGES: dict[str, tuple[str, str]] = {
    f.lang: (f.name, BY_NAME[f.name.replace("title", "body", 1)].name)
    for f in FIELDS
    if f.role == "title" and f.lang
}

#: Names of the fields that are not per-language text, for the modules that use them.
ID, PATH, DATE, DATE_TEXT, TAGS, SOURCE, AUTHORS, NAMES, LANG, URL = (
    "id", "path", "date", "date_text", "tags", "source", "authors", "names", "lang", "url",
)
#: The English title and body: the stored title, and the fields queries are analysed with.
TITLE, BODY = LANGUAGES["en"]
assert all(name in BY_NAME for name in (ID, PATH, DATE, DATE_TEXT, TAGS, SOURCE, AUTHORS,
                                         NAMES, LANG, URL))

#: Field names a user may type in a query, and the field each means.
QUERY_NAMES = {
    "title": TITLE,
    "body": BODY,
    "text": BODY,
    "tags": TAGS,
    "tag": TAGS,
    "source": SOURCE,
    "site": SOURCE,
    "author": AUTHORS,
    "authors": AUTHORS,
    "id": ID,
    "lang": LANG,
    "names": NAMES,
    "name": NAMES,
    "date": DATE,
}


def language_family(lang: str | None) -> str:
    """The family whose fields index text in ``lang``: ``en`` for English and unknown, the
    language for a stemmed one, ``xx`` for any other."""
    base = (lang or "en").lower()[:2]
    return base if base in LANGUAGES else NEUTRAL


def text_fields(lang: str | None) -> tuple[str, str]:
    """The (title, body) field names an article in language ``lang`` is indexed under."""
    return LANGUAGES[language_family(lang)]


def all_text_fields() -> list[str]:
    """Every per-language title and body field: English first, then as in :data:`FIELDS`."""
    return [name for pair in LANGUAGES.values() for name in pair]


def is_title(name: str) -> bool:
    """Whether ``name`` is a per-language title field."""
    field = BY_NAME.get(name)
    return field is not None and field.role == "title"


def is_body(name: str) -> bool:
    """Whether ``name`` is a per-language body field."""
    field = BY_NAME.get(name)
    return field is not None and field.role == "body"


def title_of(body: str) -> str:
    """The title field of the language whose body field is ``body``."""
    lang = BY_NAME[body].lang
    assert lang is not None
    return LANGUAGES[lang][0]


def boosted_fields() -> dict[str, str]:
    """``{field: settings key}`` for the fields a query word weighs more in."""
    return {f.name: f.boost for f in FIELDS if f.boost}
