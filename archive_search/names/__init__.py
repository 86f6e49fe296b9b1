"""The name layer: finding names in articles, and matching their many spellings.

News spells the same person many ways ("Kim Jong-un", "Kim Jong Un", "Kim Jongun"; "Poehl",
"Pöhl", "Pohl"), while different people share most of their letters ("Kim Jong-un", "Kim
Jong-il", "Kim Yo-jong"). This package extracts names at import time
(:func:`extract_names`), compares them word by word with transliteration keys and, across
languages, with each press convention's romanisation (:mod:`.romanize`: "Gorbatschow",
"Gorbatchev", "Gorbachev") (:func:`same_name`, :func:`name_similarity`) and keeps an
archive-wide catalogue of them
(:class:`NameCatalog`) for lookups and name-aware search.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Where each public name lives. Submodules load on first use: extracting names or keying a
#: spelling (every import, every search) should not pay for the catalogue and rapidfuzz.
_HOME = {
    "Cluster": "catalog",
    "NameCatalog": "catalog",
    "NameEntry": "catalog",
    "NameMatch": "catalog",
    "extract_names": "extract",
    "fold_key": "keys",
    "translit_key": "keys",
    "name_similarity": "match",
    "same_name": "match",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "Cluster",
    "NameCatalog",
    "NameEntry",
    "NameMatch",
    "extract_names",
    "fold_key",
    "name_similarity",
    "same_name",
    "translit_key",
]
