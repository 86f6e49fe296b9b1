"""The semantic extra: the model loads offline from the wheel's files, article vectors follow
the index (incrementally, rebuilt, checked), related articles blend meaning with shared words,
and without the extra (or with it switched off) nothing changes."""

from __future__ import annotations

import dataclasses
import json
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from conftest import article

from archive_search import Archive, semantic
from archive_search.related import related

needs_extra = pytest.mark.skipif(
    not semantic.installed(),
    reason="the semantic extra is not installed (pip install -e '.[semantic]')",
)

# one event told twice in other words, and another that shares words with the first telling
# (from bench/semantic_pairs.jsonl)
FIRE = article("Wildfire forces thousands to flee homes",
               "A wildfire driven by strong winds burned through dry forest and forced thousands "
               "of residents to evacuate on Saturday. Firefighters said the blaze was not "
               "contained.")
BLAZE = article("Blaze sweeps woodland, residents evacuated",
                "Flames fanned by gusts raced across parched woods at the weekend and whole "
                "neighbourhoods were ordered out. Crews admitted they had no control over the "
                "inferno yet.")
HEAT = article("Heat wave breaks temperature records",
               "Temperatures reached 44 degrees on Saturday, the highest ever recorded in the "
               "region, and officials urged residents to stay indoors and drink water.")
BANK = article("Central bank raises interest rates",
               "The central bank lifted its main interest rate by half a point, saying prices "
               "were still rising too fast.")


def _stories() -> list:
    return [article(a.title, a.body, date=a.date) for a in (FIRE, BLAZE, HEAT, BANK)]


def _vectors(arc: Archive):
    from archive_search.semantic.vectors import Vectors

    return Vectors.open(arc.index.current_dir())


@needs_extra
def test_the_model_loads_with_the_network_cut_off(monkeypatch):
    from archive_search.semantic import model

    def refuse(*args, **kwargs):
        raise AssertionError("the network was touched")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    model.load.cache_clear()
    loaded = model.load()
    vectors = loaded.embed(["The ferry capsized.", "", "A vessel sank."])
    assert vectors.shape == (3, 256)
    assert abs(float((vectors[0] ** 2).sum()) - 1) < 1e-4
    assert not vectors[1].any()  # no token: a zero vector, not NaN
    assert "wordllama" not in sys.modules  # its files are read, its code is not run


@needs_extra
def test_the_same_event_in_other_words_is_closer_in_meaning_than_shared_words():
    from archive_search.semantic.model import load

    fire, blaze, heat = load().embed([f"{a.title}\n{a.body}" for a in (FIRE, BLAZE, HEAT)])
    assert float(fire @ blaze) > float(fire @ heat) + 0.2


@needs_extra
def test_vectors_follow_the_index_at_a_cost_that_follows_the_change(archive, add_articles,
                                                                    monkeypatch):
    from archive_search.semantic import model

    ids = add_articles(*_stories())
    assert sorted(_vectors(archive).ids) == sorted(ids)
    # the half-written file of a writer killed meanwhile goes with the next update
    from archive_search.store import TMP_PREFIX

    left = archive.index.current_dir() / f"{TMP_PREFIX}99999-vectors.bin"
    left.write_bytes(b"half")
    embedded: list[str] = []
    real = model.Model.embed
    monkeypatch.setattr(model.Model, "embed",
                        lambda self, texts: embedded.extend(texts) or real(self, texts))
    # an added article is found from the manifest's rows written since, not by comparing the
    # key of every article
    from archive_search.semantic import vectors

    def every_key(manifest):
        raise AssertionError("every article's key was compared")

    monkeypatch.setattr(vectors, "expected", every_key)
    new = add_articles(article("Rail workers strike over pay", "Trains were cancelled."),
                       article("Aardvark found in zoo", "An aardvark was found in the zoo."))
    assert sorted(t.split()[0] for t in embedded) == ["Aardvark", "Rail"]
    monkeypatch.undo()
    # the rows written after the others are found by id, and the file is whole
    from archive_search.check import check

    found = _vectors(archive)
    assert [found.row(a) for a in found.ids] == list(range(6))
    assert found.intact() and check(archive).ok
    assert not left.exists()
    monkeypatch.setattr(model.Model, "embed",
                        lambda self, texts: embedded.extend(texts) or real(self, texts))
    (archive.corpus.root / archive.index.load_manifest().ids()[ids[3]]).unlink()
    archive.update_index()
    assert sorted(_vectors(archive).ids) == sorted(ids[:3] + new)
    assert len(embedded) == 2  # a deletion embeds nothing
    archive.update_index(rebuild=True)
    assert sorted(_vectors(archive).ids) == sorted(ids[:3] + new)


@needs_extra
def test_check_reports_missing_and_damaged_vectors_and_repair_computes_them(archive,
                                                                           add_articles):
    from archive_search.check import check
    from archive_search.semantic.vectors import VECTORS

    add_articles(*_stories())
    assert check(archive).ok
    path = archive.index.current_dir() / VECTORS
    path.unlink()
    found = check(archive).problems
    assert [p.kind for p in found] == ["vectors"]
    assert "no article vectors (4 articles)" in found[0].message
    report = check(archive, repair=True)
    assert report.ok and path.is_file()
    data = bytearray(path.read_bytes())
    data[200] ^= 0xFF
    path.write_bytes(bytes(data))
    assert "checksum does not match" in check(archive).problems[0].message
    report = check(archive, repair=True)
    assert report.ok and not any("rebuilt" in line for line in report.repaired)
    # a reader never fails on a damaged file: it falls back to shared words and says why
    path.write_bytes(path.read_bytes()[:100])
    first = sorted(archive.index.load_manifest().ids())[0]
    (note,) = related(archive, first, semantic=True).notes
    assert note.startswith("vectors.bin is damaged: ") and "by shared words only" in note
    assert "vectors.bin is damaged" in check(archive).problems[0].message
    assert check(archive, repair=True).ok


@needs_extra
def test_related_finds_a_story_told_in_other_words_and_says_so(archive, add_articles):
    fire, blaze, heat, bank = add_articles(*_stories())
    lexical = related(archive, fire, semantic=False)
    blended = related(archive, fire, semantic=True)
    assert [i.id for i in lexical.items][0] == heat  # shares "residents", "saturday"
    assert [i.id for i in blended.items][0] == blaze
    reasons = blended.items[0].reasons
    assert reasons[0].startswith("similar in meaning (0.")
    assert not blended.notes


@needs_extra
def test_related_without_vectors_falls_back_to_shared_words_and_says_so(archive, add_articles):
    from archive_search.semantic.vectors import VECTORS

    fire, *_ = add_articles(*_stories())
    (archive.index.current_dir() / VECTORS).unlink()
    got = related(archive, fire, semantic=True)
    assert [i.as_dict() for i in got.items] == [
        i.as_dict() for i in related(archive, fire, semantic=False).items]
    assert got.notes == ["the archive has no article vectors yet; related by shared words "
                         "only (arch index computes them)"]


def test_without_the_extra_related_answers_as_with_lexical(archive, add_articles, monkeypatch,
                                                          run):
    fire, *_ = add_articles(*_stories())
    lexical = run("related", fire, "--lexical", "-f", "json").stdout
    monkeypatch.setattr(semantic, "installed", lambda: False)
    assert run("related", fire, "-f", "json").stdout == lexical
    refused = run("related", fire, "--semantic")
    assert refused.exit_code == 2
    assert "pip install 'archive-search[semantic]'" in refused.stderr


NO_EXTRA = """
import sys
if {missing!r}:  # as if not installed: importing them fails, and so does looking them up
    sys.modules["wordllama"] = sys.modules["tokenizers"] = None
from archive_search import cli
for args in {commands!r}:
    sys.argv = ["arch", *args]
    try:
        cli.main()
    except SystemExit as exc:
        assert not exc.code, (args, exc.code)
print("numpy" in sys.modules, sys.modules.get("wordllama") is not None, file=sys.stderr)
"""


@pytest.mark.parametrize("missing", [True, False], ids=["extra-missing", "switched-off"])
def test_without_the_extra_or_switched_off_no_command_imports_numpy(tmp_path: Path, missing):
    root = tmp_path / "news"
    Archive.init(root)
    if not missing:
        with open(root / "archive.yaml", "a", encoding="utf-8") as fh:
            fh.write("related:\n  semantic: off\n")
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps({"id": f"s{n}", "title": a.title, "body": a.body})
                                for n, a in enumerate(_stories())) + "\n")
    commands = [["--archive", str(root), "import", str(source)],
                ["--archive", str(root), "index", "--rebuild"],
                ["--archive", str(root), "related", "s0", "-f", "json"],
                ["--archive", str(root), "check"]]
    code = textwrap.dedent(NO_EXTRA).format(missing=missing, commands=commands)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.stderr.splitlines()[-1] == "False False", done.stderr
    assert '"id": "s1"' in done.stdout  # related answered
    assert not list((root / "index").glob("gen-*/vectors.bin"))


def test_the_semantic_setting_takes_auto_on_or_off(archive):
    from archive_search.config import SettingsError, read_settings

    settings, _ = read_settings({"related": {"semantic": "OFF", "semantic_weight": 0.3}})
    assert settings.related.semantic == "off"
    # YAML reads an unquoted on/off as true/false
    assert read_settings(yaml.safe_load("related:\n  semantic: off"))[0].related.semantic == "off"
    assert read_settings(yaml.safe_load("related:\n  semantic: on"))[0].related.semantic == "on"
    assert not semantic.wanted(settings)
    assert semantic.wanted(settings, asked=True)
    with pytest.raises(SettingsError, match="related.semantic: 'sometimes' is not one of"):
        read_settings({"related": {"semantic": "sometimes"}})


@needs_extra
@pytest.mark.parametrize("floor, weight", [(1, 0.5), (7, 3)])
def test_any_weight_or_floor_the_settings_take_gives_scores_in_0_to_1(archive, add_articles,
                                                                      floor, weight):
    fire, *_ = add_articles(*_stories())
    changed = dataclasses.replace(archive.settings.related, semantic_floor=floor,
                                  semantic_weight=weight)
    archive.settings = dataclasses.replace(archive.settings, related=changed)
    got = related(archive, fire, semantic=True)
    assert got.items and all(0 <= item.score <= 1 for item in got.items)


@needs_extra
def test_an_archive_emptied_keeps_a_vector_file_of_no_vectors(archive, add_articles):
    ids = add_articles(*_stories())
    for article_id in ids:
        (archive.corpus.root / archive.index.load_manifest().ids()[article_id]).unlink()
    archive.update_index()
    assert len(_vectors(archive)) == 0 and _vectors(archive).intact()


@needs_extra
def test_an_import_that_adds_nothing_brings_vectors_a_killed_writer_left_behind(
    archive, tmp_path
):
    """The vectors are written after the manifest: a writer killed in between leaves them
    behind. The next import catches them up before its work, even one that adds nothing (every
    record a duplicate), so `arch check` finds the archive whole."""
    from archive_search.check import check
    from archive_search.semantic.vectors import VECTORS

    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps({"title": s.title, "body": s.body, "date": s.date}) + "\n"
                             for s in _stories()), encoding="utf-8")
    archive.import_paths([batch])
    (archive.index.current_dir() / VECTORS).unlink()  # as a kill after the manifest leaves it
    report = archive.import_paths([batch])
    assert report.imported == 0 and report.duplicates == len(_stories())
    assert check(archive).ok
