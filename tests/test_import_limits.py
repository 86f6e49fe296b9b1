"""Every input is read in bounded memory, and whatever goes wrong inside one input is that
input's failure, never the batch's.

The limits are settings (``import.max_article_mb`` and friends), so these tests set them small
and use small files instead of the gigabytes a user might feed in; ``bench/bench_memory.py``
measures the real sizes.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import struct
import subprocess
import sys
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from archive_search import Archive
from archive_search.check import check
from archive_search.config import ImportSettings
from archive_search.errors import ArchiveError
from archive_search.importers import Limits, jsonl

REPO = Path(__file__).resolve().parents[1]
GOOD = json.dumps({"title": "Harbour reopens", "body": "Ships sail again after the storm."})


def small_limits(archive: Archive, **limits: float) -> Archive:
    """The archive reopened with ``import:`` settings (sizes in MB)."""
    lines = "".join(f"  {key}: {value}\n" for key, value in limits.items())
    (archive.root / "archive.yaml").write_text(f"import:\n{lines}", encoding="utf-8")
    return Archive(archive.root)


def outcome(report, name: str):
    [found] = [o for o in report.outcomes if o.name.endswith(name)]
    return found


def lying_zip(path: Path, member: str, data: bytes, declared: int) -> None:
    """A zip whose headers say ``member`` holds ``declared`` bytes, whatever it holds."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, data)
    raw = bytearray(path.read_bytes())
    raw[22:26] = struct.pack("<I", declared)  # the local header's uncompressed size
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 24 : central + 28] = struct.pack("<I", declared)
    path.write_bytes(bytes(raw))


def test_a_zip_member_whose_header_lies_fails_alone_and_the_batch_goes_on(
    archive, tmp_path, run
):
    bundle = tmp_path / "bundle.zip"
    lying_zip(bundle, "story.txt", b"Harbour news. " * 50_000, declared=1000)
    good = tmp_path / "good.jsonl"
    good.write_text(GOOD + "\n")
    report = archive.import_paths([bundle, good])
    assert report.imported == 1
    assert outcome(report, "bundle.zip:story.txt").status == "failed"
    assert "damaged compressed data" in outcome(report, "bundle.zip:story.txt").reason
    result = run("import", str(bundle))
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_a_gz_or_zip_that_grows_past_the_ratio_is_refused_as_a_bomb(archive, tmp_path):
    line = b"All work and no play makes Jack a dull boy.\n"
    bomb = tmp_path / "bomb.txt.gz"
    bomb.write_bytes(gzip.compress(line * 100_000))  # 4.4 MB from about 13 KB
    bundle = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.jsonl", line * 100_000)
    good = tmp_path / "good.jsonl"
    good.write_text(GOOD + "\n")
    report = archive.import_paths([bomb, bundle, good])
    assert report.imported == 1
    for name in ("bomb.txt.gz", "bundle.zip:bomb.jsonl"):
        assert outcome(report, name).status == "failed"
        assert "compression bomb" in outcome(report, name).reason


def test_damaged_gz_data_is_a_one_line_failure(archive, tmp_path):
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gzip.compress((GOOD + "\n").encode() * 1000)[:-200])
    report = archive.import_paths([cut])
    assert "damaged compressed data" in outcome(report, "cut.jsonl.gz").reason


def test_a_record_longer_than_an_article_fails_alone_without_being_held(archive, tmp_path):
    archive = small_limits(archive, max_article_mb=0.01)  # 10 KB
    export = tmp_path / "export.jsonl"
    huge = json.dumps({"title": "Huge", "body": "word " * 20_000})
    export.write_text("\n".join([GOOD, huge, json.dumps({"title": "After", "body": "b"})]) + "\n")
    report = archive.import_paths([export])
    assert report.imported == 2
    [failure] = report.failed
    assert failure.startswith(f"{export}:2: record larger than 0.01 MB")
    assert "import.max_article_mb" in failure


def test_an_overlong_line_is_never_read_into_memory_whole(archive):
    """The reader asks for at most one article's worth of a line at a time."""
    from archive_search.importers.base import ImportOptions, Source

    asked: list[int] = []

    class Spy:
        def __init__(self) -> None:
            data = (GOOD + "\n" + "x" * 300_000 + "\n" + GOOD + "\n").encode()
            self.pos, self.data = 0, data

        def read(self, size: int = -1) -> bytes:
            chunk = self.data[self.pos : self.pos + size]
            self.pos += len(chunk)
            return chunk

        def readline(self, size: int = -1) -> bytes:
            asked.append(size)
            end = self.data.find(b"\n", self.pos, self.pos + size)
            end = self.pos + size if end < 0 else end + 1
            chunk, self.pos = self.data[self.pos : end], end
            return chunk

        def __enter__(self):  # noqa: ANN204
            return self

        def __exit__(self, *exc: object) -> None:
            return None

    options = ImportOptions(limits=replace(Limits.defaults(), article=10_000))
    results = list(jsonl.read(Source("spy.jsonl", Spy), options))  # type: ignore[arg-type]
    assert [type(r).__name__ for r in results].count("Article") == 2
    assert any("record larger than" in getattr(r, "reason", "") for r in results)
    assert max(asked) <= 1 << 20 and all(size > 0 for size in asked)


def test_a_text_file_larger_than_an_article_is_refused_with_advice(archive, tmp_path):
    archive = small_limits(archive, max_article_mb=0.01)
    big = tmp_path / "big.txt"
    big.write_text("A long paragraph of prose about the harbour and its ships. " * 400)
    report = archive.import_paths([big])
    reason = outcome(report, "big.txt").reason
    assert "longer than any news article" in reason and "--format lines" in reason


def test_whole_documents_are_capped_for_every_format_that_reads_them_whole(archive, tmp_path):
    archive = small_limits(archive, max_document_mb=0.02)  # 20 KB
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>T</title></head><body>"
                    + "<p>Ships sail again.</p>" * 2000 + "</body></html>")
    feed = tmp_path / "feed.rss"
    items = "".join(f"<item><title>Story {i}</title><description>Text {i}</description></item>"
                    for i in range(1000))
    feed.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>')
    obj = tmp_path / "one.json"
    obj.write_text(json.dumps({"title": "One", "body": "word " * 10_000}))
    report = archive.import_paths([page, feed, obj])
    for name in ("page.html", "feed.rss", "one.json"):
        assert outcome(report, name).status == "failed"
        assert "import.max_document_mb" in outcome(report, name).reason


def test_a_json_array_element_or_csv_cell_longer_than_an_article_fails(archive, tmp_path):
    archive = small_limits(archive, max_article_mb=0.01)
    array = tmp_path / "array.json"
    array.write_text(json.dumps([json.loads(GOOD), {"title": "Huge", "body": "w " * 20_000}]))
    table = tmp_path / "table.csv"
    table.write_text('title,body\nFirst,"short"\nHuge,"' + "w " * 20_000 + '"\nLast,"short"\n')
    report = archive.import_paths([array, table])
    assert outcome(report, "array.json").imported == 1
    assert any("array.json" in f and "import.max_article_mb" in f for f in report.failed)
    assert outcome(report, "table.csv").imported >= 1
    assert any(f.startswith(f"{table}:3: record larger than 0.01 MB") for f in report.failed)


def test_an_article_extracted_longer_than_the_limit_is_refused_not_indexed(archive, tmp_path):
    archive = small_limits(archive, max_article_mb=0.01)
    feed = tmp_path / "feed.rss"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel>'
                    "<item><title>Small</title><description>Text</description></item>"
                    f"<item><title>Huge</title><description>{'w ' * 20_000}</description></item>"
                    "</channel></rss>")
    report = archive.import_paths([feed])
    assert report.imported == 1
    [failure] = report.failed
    assert "import.max_article_mb" in failure


def test_an_input_larger_than_the_input_limit_is_refused_whole(archive, tmp_path):
    archive = small_limits(archive, max_input_mb=0.05)  # 50 KB
    lines = "".join(
        json.dumps({"title": f"Story {i}", "body": f"Text {i}"}) + "\n" for i in range(2000))
    export = tmp_path / "export.jsonl"
    export.write_text(lines)
    packed = tmp_path / "packed.jsonl.gz"  # its size is known only by reading it
    packed.write_bytes(gzip.compress(lines.encode()))
    report = archive.import_paths([export, packed])
    for name in ("export.jsonl", "packed.jsonl.gz"):
        found = outcome(report, name)
        assert found.status == "failed" and "import.max_input_mb" in found.reason
    assert report.imported == 0


def test_any_exception_inside_one_input_is_that_inputs_failure(archive, tmp_path, monkeypatch):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(GOOD + "\n" + GOOD + "\n")
    good = tmp_path / "good.txt"
    good.write_text("Ferry returns\n\nThe ferry runs again after the storm.\n")

    def broken(source, options):  # noqa: ANN001, ANN202
        raise KeyError("a bug in an importer")
        yield

    monkeypatch.setattr(jsonl, "read", broken)
    report = archive.import_paths([bad, good])
    assert report.imported == 1
    assert outcome(report, "bad.jsonl").reason == "KeyError: 'a bug in an importer'"


def test_an_interruption_inside_an_input_still_stops_the_batch(archive, tmp_path, monkeypatch):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(GOOD + "\n" + GOOD + "\n")

    def interrupted(source, options):  # noqa: ANN001, ANN202
        raise KeyboardInterrupt
        yield

    monkeypatch.setattr(jsonl, "read", interrupted)
    with pytest.raises(KeyboardInterrupt):
        archive.import_paths([bad])


@pytest.mark.parametrize("value", ["lots", 0, -1, True, ".inf"])
def test_the_import_limits_must_be_positive_numbers(archive, value):
    with pytest.raises(ArchiveError, match=r"import\.max_article_mb"):
        small_limits(archive, max_article_mb=value)
    (archive.root / "archive.yaml").write_text("import: 5\n", encoding="utf-8")
    with pytest.raises(ArchiveError, match="not a mapping"):
        Archive(archive.root)


def test_the_limits_without_settings_are_the_documented_defaults():
    assert Limits.defaults() == Limits.from_settings(ImportSettings())


# -- standard input is spooled where the archive can find it ----------------------------------


def test_standard_input_is_spooled_in_index_and_removed_after(archive, run):
    result = run("import", "-", "--format", "jsonl", input=GOOD + "\n")
    assert result.exit_code == 0, result.output
    assert not list(archive.index.root.glob("stdin-*"))
    assert archive.search("harbour").hits


def test_a_killed_stdin_import_leaves_a_spool_that_repair_and_the_next_import_remove(
    archive, tmp_path
):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "archive_search", "--archive", str(archive.root),
               "import", "-", "--format", "jsonl"]

    def killed_import() -> Path:
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, env=env,
                                stderr=subprocess.DEVNULL)
        assert proc.stdin is not None
        proc.stdin.write((GOOD + "\n").encode())
        proc.stdin.flush()
        deadline = time.monotonic() + 30
        while not (spools := list(archive.index.root.glob("stdin-*.spool"))):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdin.close()
        [spool] = spools
        assert spool.name.startswith(f"stdin-{proc.pid}-")
        return spool

    spool = killed_import()
    before = check(archive)
    assert before.temporaries == 1 and before.ok
    after = check(archive, repair=True)
    assert not spool.exists()
    assert any("removed 1 leftover" in line for line in after.repaired)

    spool = killed_import()
    archive.import_paths([])
    assert not spool.exists()
