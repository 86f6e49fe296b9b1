"""SpillDict: a dict whose older entries go to a temporary file, so that what an import or a
rebuild remembers of each article is bounded in memory; it must answer exactly as a dict."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from archive_search import Archive
from archive_search import spill as spill_module
from archive_search.spill import SpillDict

keys = st.sampled_from([f"k{n}" for n in range(8)])
operations = st.lists(st.tuples(st.sampled_from(["set", "del", "get"]), keys,
                                st.integers(0, 99)), max_size=60)


@given(operations)
def test_a_spill_dict_answers_as_a_dict_whatever_was_spilled(ops):
    """Set, delete and look up keys through a SpillDict that spills every third entry: every
    answer, the length and the keys with their values are a dict's."""
    plain: dict[str, int] = {}
    spilling: SpillDict[int] = SpillDict(limit=3)
    for op, key, value in ops:
        if op == "set":
            plain[key] = value
            spilling[key] = value
        elif op == "del":
            assert (key in plain) == (key in spilling)
            if key in plain:
                del plain[key]
                del spilling[key]
        assert plain.get(key) == spilling.get(key)
        assert len(plain) == len(spilling)
    assert dict(spilling.items()) == plain and sorted(spilling) == sorted(plain)
    spilling.clear()
    assert len(spilling) == 0 and "k1" not in spilling


def test_an_import_larger_than_memory_holds_accounts_for_every_record_as_a_small_one(
    tmp_path, monkeypatch
):
    """With the manifest rows, ids and fingerprints of a batch spilled every two articles, an
    import gives the same summary and index as with everything in memory: a duplicate of an
    article spilled long before is still a duplicate, a revision still a new version."""
    records = [{"id": f"story-{n}", "title": f"Harbour report {n}",
                "body": f"Ferry number {n} sailed on time from pier {n}.", "date": "2023-09-18"}
               for n in range(7)]
    records.append(dict(records[0]))  # the same text again: a duplicate
    revised = dict(records[1], body=records[1]["body"] + " It came back at noon.")
    records.append(revised)            # the same story revised: a new version
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps(r) + "\n" for r in records))

    def run(name: str):
        archive = Archive.init(tmp_path / name)
        report = archive.import_paths([batch])
        hits = sorted(h.id for h in archive.search("ferry", limit=50).hits)
        return (report.imported, report.updated, report.duplicates, report.failed), hits

    in_memory = run("memory")
    monkeypatch.setattr(spill_module, "SPILL_AT", 2)
    assert run("spilled") == in_memory
    assert in_memory[0] == (7, 1, 1, [])
