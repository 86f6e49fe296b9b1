"""The name layer: finding names in articles, and matching their many spellings.

News spells the same person many ways ("Kim Jong-un", "Kim Jong Un", "Kim Jongun"; "Poehl",
"Pöhl", "Pohl"), while different people share most of their letters ("Kim Jong-un", "Kim
Jong-il", "Kim Yo-jong"). This package extracts names at import time
(:func:`extract_names`), compares them word by word with transliteration keys
(:func:`same_name`, :func:`name_similarity`) and keeps an archive-wide catalogue of them
(:class:`NameCatalog`) for lookups and name-aware search.
"""

from .catalog import Cluster, NameCatalog, NameEntry, NameMatch
from .extract import extract_names
from .keys import fold_key, translit_key
from .match import name_similarity, same_name

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
