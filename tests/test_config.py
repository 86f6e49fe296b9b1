"""Settings: archive.yaml over the defaults, and the parsed copy kept beside the index."""

from __future__ import annotations

import json
import os

import pytest

from archive_search import Archive, ArchiveError
from archive_search.config import SETTINGS_CACHE


def write_settings(archive: Archive, text: str) -> None:
    (archive.root / "archive.yaml").write_text(text, encoding="utf-8")


def test_settings_are_read_again_after_an_edit(archive: Archive):
    write_settings(archive, "search:\n  limit: 7\n")
    assert Archive.open(archive.root).settings["search"]["limit"] == 7
    assert (archive.root / "index" / SETTINGS_CACHE).is_file()
    write_settings(archive, "search:\n  limit: 8\n")
    assert Archive.open(archive.root).settings["search"]["limit"] == 8


def test_a_same_size_edit_within_the_same_second_is_seen(archive: Archive):
    path = archive.root / "archive.yaml"
    write_settings(archive, "search:\n  limit: 7\n")
    Archive.open(archive.root)
    before = path.stat()
    write_settings(archive, "search:\n  limit: 9\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime
    assert Archive.open(archive.root).settings["search"]["limit"] == 9


def test_a_damaged_or_foreign_cache_is_ignored(archive: Archive):
    write_settings(archive, "search:\n  limit: 7\n")
    cache = archive.root / "index" / SETTINGS_CACHE
    for junk in ("{not json", json.dumps({"stamp": [1, 2, 3, 4], "settings": {"x": 1}}), "[]"):
        cache.write_text(junk, encoding="utf-8")
        assert Archive.open(archive.root).settings["search"]["limit"] == 7


def test_settings_that_json_cannot_hold_are_parsed_every_time(archive: Archive):
    write_settings(archive, "name: dated\nsince: 2023-09-01\n")
    cache = archive.root / "index" / SETTINGS_CACHE
    cache.unlink(missing_ok=True)
    assert str(Archive.open(archive.root).settings["since"]) == "2023-09-01"
    assert not cache.exists()


def test_invalid_yaml_is_an_error_even_after_a_good_version_was_cached(archive: Archive):
    write_settings(archive, "search:\n  limit: 7\n")
    Archive.open(archive.root)
    write_settings(archive, "search: [unclosed\n")
    with pytest.raises(ArchiveError, match="not valid YAML"):
        Archive.open(archive.root)


def test_an_archive_without_an_index_folder_still_opens(archive: Archive):
    write_settings(archive, "search:\n  limit: 6\n")
    (archive.root / "index").rename(archive.root / "elsewhere")
    assert Archive.open(archive.root).settings["search"]["limit"] == 6
    assert not (archive.root / "index").exists()
