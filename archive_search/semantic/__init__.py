"""Semantic related articles, an optional extra (``pip install 'archive-search[semantic]'``).

Static word embeddings (wordllama's 256-dimension ``l2_supercat`` vectors, which its wheel
ships with their tokenizer) turn an article into one vector: the mean of its tokens' vectors.
Two stories that tell one event in other words ("ferry capsized" / "vessel sank") have close
vectors though they share few words; :mod:`archive_search.related` blends that closeness with
its lexical score.

This module is the only one the rest of the code calls, and it imports nothing heavy: whether
the extra is installed is asked of the import system (:func:`installed`) without importing it,
so an archive without the extra, or with ``related.semantic: off``, never loads numpy or the
model. :mod:`.model` loads the model by explicit path (never the network);
:mod:`.vectors` keeps one vector per article beside the index, updated with it.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import Settings
    from ..manifest import Manifest
    from ..store import Corpus

#: What the extra brings: the model's package (for its files) and what reading them needs.
REQUIRED = ("wordllama", "tokenizers", "numpy")


@functools.cache
def installed() -> bool:
    """Whether the semantic extra is installed, found without importing any of it (a package
    that cannot even be looked up counts as missing)."""
    try:
        return all(importlib.util.find_spec(name) is not None for name in REQUIRED)
    except (ImportError, ValueError):
        return False


def wanted(settings: Settings, asked: bool | None = None) -> bool:
    """Whether related articles use meaning: ``asked`` (``--semantic``/``--lexical``) when
    given, else the ``related.semantic`` setting (``auto``: when the extra is installed)."""
    if asked is not None:
        return asked
    mode = settings.related.semantic
    return mode == "on" or (mode == "auto" and installed())


def refresh(gen: Path, manifest: Manifest, corpus: Corpus, settings: Settings) -> None:
    """Bring the article vectors of the index generation ``gen`` in line with ``manifest``
    (called each time the index's manifest is saved, and by ``arch index``): a vector is
    computed for each article added or changed since, at a cost that follows the change.
    Does nothing without the extra or with ``related.semantic: off``."""
    if settings.related.semantic == "off" or not installed():
        return
    from . import vectors

    vectors.refresh(gen, manifest, corpus)


def catch_up(gen: Path, manifest: Callable[[], Manifest], corpus: Corpus,
             settings: Settings) -> None:
    """Before a writer's work (an import): bring the vectors up to the manifest
    (``manifest``: read only when the extra is in use) if a killed writer left them behind,
    so that an import that adds nothing still leaves the archive whole. Does nothing without
    the extra or with ``related.semantic: off``."""
    if settings.related.semantic == "off" or not installed():
        return
    from . import vectors

    vectors.catch_up(gen, manifest(), corpus)


def problem(gen: Path, manifest: Manifest, settings: Settings) -> str | None:
    """Why the vectors of ``gen`` do not match ``manifest`` (missing, stale, damaged), in one
    line, or None when they do or are not used (``arch check``)."""
    if settings.related.semantic == "off" or not installed():
        return None
    from . import vectors

    return vectors.problem(gen, manifest)
