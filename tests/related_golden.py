"""A made-up archive that exercises every part of related(), and its answers recorded.

tests/data/related_golden.json holds what related() answered on this archive when it was
written (before related.py was split into archive_search/relatedness/); the test in
test_related_parts.py checks that it still answers exactly that. To record it again after a
deliberate change of behaviour: ``python3 tests/related_golden.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from pathlib import Path
from typing import Any

from archive_search import Archive, Article
from archive_search.related import related

GOLDEN = Path(__file__).parent / "data" / "related_golden.json"

#: Made-up words: each topic has its own, and all share the common ones.
TOPICS = {
    "harbour": "dredger quay pilotage tugboat berth hawser lighter wharfage ballast moorings",
    "orchard": "quince graft pruning blossom cider rootstock frost picker espalier windfall",
    "foundry": "crucible ingot slag ladle bellows castings pattern cupola tuyere smelter",
    "library": "folio vellum catalogue lectern binding incunable archivist shelfmark codex",
    "observatory": "telescope parallax nebula eyepiece meridian transit comet almanac dome",
    "ferry": "gangway timetable crossing purser deckhand ramp sailing tidal slipway hull",
}
COMMON = [
    *("council", "town", "week", "people", "report", "plans", "local", "new", "year", "said"),
    *("officials", "visit", "season", "morning", "work", "public", "members", "group"),
    *("market", "early", "later", "former", "second", "rise", "fall"),
]
NAMES = ["Arvid Quellmark", "Tamsin Ploughwright", "Oddny Brask", "Ilse Varkonen"]
BANNER = "Follow the Pellmouth Courier for breaking news alerts every evening."
STANDING = "Readers in Pellmouth know this."
WIRE = "Harbour Wire"


def articles() -> list[Article]:
    """About seventy articles: topics with tags and names, a wire with its sign-off, a site
    with a standing sentence, a banner line, exact copies, near copies differing in one
    figure, undated and untagged ones."""
    rng = random.Random(1987)
    found: list[Article] = []
    start = dt.datetime(2024, 3, 1, 9, 0)
    for n in range(66):
        topic = list(TOPICS)[n % len(TOPICS)]
        own = TOPICS[topic].split()
        words = rng.sample(own, 5) + rng.sample(COMMON, 6)
        name = NAMES[n % len(NAMES)] if n % 3 == 0 else None
        sentences = []
        for _ in range(rng.randint(2, 5)):
            rng.shuffle(words)
            sentences.append(" ".join(words[: rng.randint(5, 9)]).capitalize() + ".")
        if name:
            sentences.insert(1, f"{name} spoke about the {own[n % len(own)]} on Tuesday.")
        if n % 7 == 0:
            sentences.append(f"The total was {100 + n} tonnes.")
        source = "Lantern Gazette" if n % 3 == 1 else (WIRE if n % 2 == 0 else None)
        if n % 6 == 1:
            sentences.append(STANDING)
        body = " ".join(sentences)
        if source == WIRE:
            body += "\n\nHarbour Wire"
        if n % 9 == 5:
            body += "\n" + BANNER
        when = None if n % 11 == 5 else start + dt.timedelta(days=n, hours=n % 5)
        coast = ["coast"] if topic in ("harbour", "ferry") else []
        found.append(
            Article(
                id=f"syn-{n:03d}",
                title=" ".join(rng.sample(own, 2) + rng.sample(COMMON, 2)).capitalize(),
                body=body,
                date=when.isoformat() if when else None,
                source=source,
                tags=[] if n % 4 == 3 else [topic, *coast],
                names=[name] if name and n % 2 else [],
            )
        )
    for n in (3, 10, 24):  # exact copies under other ids
        copy = found[n]
        found.append(Article(id=f"{copy.id}-copy", title=copy.title, body=copy.body,
                             date=copy.date, source=copy.source, tags=list(copy.tags)))
    for n in (7, 14):  # the same text with another figure: not a copy
        other = found[n]
        found.append(Article(id=f"{other.id}-next", title=other.title,
                             body=other.body.replace(f"{100 + n} tonnes", f"{200 + n} tonnes"),
                             date=other.date, source=other.source, tags=list(other.tags)))
    return found


#: Texts asked about with --text: made up, one mixing topics, one nearly empty.
TEXTS = {
    "harbour": ("Tugboat strike", "The tugboat crews and the dredger pilots met the council "
                "about berth fees and pilotage. Arvid Quellmark spoke."),
    "mixed": ("", "Comet seen from the quay as the cider season opens; telescope on the wharf."),
    "copy": (None, None),  # the text of syn-010, as if pasted
    "nothing": ("", "the and of"),
}


def answers(arc: Archive) -> dict[str, Any]:
    """related() for every article and text, with the options that change the answer: by
    shared words (the semantic extra's blend is tested in tests/test_semantic.py)."""
    out: dict[str, Any] = {}
    ids = sorted(a.id for a in articles())

    def record(key: str, *args: Any, **kw: Any) -> None:
        result = related(arc, *args, limit=kw.pop("limit", 5), semantic=False, **kw)
        out[key] = {
            "terms": result.terms,
            "notes": result.notes,
            "items": [
                [i.id, i.score, i.duplicate, i.days_apart, *i.reasons] for i in result.items
            ],
        }

    for n, article_id in enumerate(ids):
        record(article_id, article_id)
        if n % 5 == 0:
            record(f"{article_id} --exclude-duplicates", article_id, exclude_duplicates=True)
            record(f"{article_id} --no-tags", article_id, use_tags=False, limit=10)
            record(f"{article_id} --since --until", article_id,
                   since=dt.datetime(2024, 3, 20), until=dt.datetime(2024, 4, 20))
    copied, _ = arc.get("syn-010")
    for key, (title, text) in TEXTS.items():
        if text is None:
            title, text = copied.title, copied.body
        record(f"--text {key}", text=text, title=title)
    return out


def build(root: Path) -> Archive:
    arc = Archive.init(root)
    for article in articles():
        arc.corpus.write(article)
    arc.update_index()
    return arc


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        recorded = answers(build(Path(tmp) / "news"))
    lines = [f"{json.dumps(key)}: {json.dumps(value)}" for key, value in sorted(recorded.items())]
    GOLDEN.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    print(f"wrote {GOLDEN}: {len(recorded)} answers", file=sys.stderr)
