"""Tokens of the trade: names with an ampersand, tickers, abbreviations with dots, figures and
hyphenated names are searched as a reader of the news expects (issue 14, section 3).

Each row of :data:`ROWS` is a query, the fixture articles it must find, and one it must not:
the one that holds the same letters or words, only not as the token the query names.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from click.testing import Result
from conftest import article

from archive_search import Archive

#: Articles written for this test: id -> (title, body).
TEXTS = {
    "sp": ("Index funds track the S&P 500", "The S&P 500 closed higher as chip makers rallied."),
    "sand": ("Barges carry sand", "The barge P carried sand downriver; S was its sister ship."),
    "att": ("AT&T plans a bond sale", "AT&T said it would sell bonds to pay for new masts."),
    "meet": ("Meet at T junction", "Drivers meet at the T junction outside town."),
    "hr": ("H&R Block hires for tax season", "H&R Block will hire seasonal tax preparers."),
    "block": ("A block of flats is sold", "A block of flats near the river was sold."),
    "pg": ("P&G raises detergent prices", "Procter & Gamble, or P&G, raised prices again."),
    "jj": ("Johnson&Johnson recalls a lotion", "The maker recalled a batch of baby lotion."),
    "rd": ("Drug makers spend more on R&D", "Research spending rose at most drug makers."),
    "dia": ("Diamond Shamrock sells unit", "Diamond Shamrock Corp <DIA> agreed to sell a unit."),
    "us": ("U.S. trade gap narrows", "The U.S. trade deficit narrowed in March."),
    "us2": ("A song about us", "The choir sang a song about us and them."),
    "us3": ("US jobless claims fall", "Fewer Americans filed claims, US officials said."),
    "pct": ("Prices rise 4.5 pct", "Consumer prices rose 4.5 pct in the year to June."),
    "pct2": ("Output up 4 pct", "Output rose 4 pct, and exports rose 5 pct."),
    "bn": ("Insurer raises $1.5 billion", "The insurer raised $1.5 billion in a share sale."),
    "bn2": ("Insurer raises 1 billion", "It raised 1 billion in a sale, 5 more than planned."),
    "kim": ("Kim Jong-un visits a plant", "North Korean leader Kim Jong-un toured a factory."),
    "jong": ("Jong Park speaks at the UN", "Jong Park, a diplomat, spoke at the UN on Monday."),
    "coke": ("Coca-Cola sales rise", "Coca-Cola sold more soft drinks in the summer."),
    "cola": ("Cola makers fight for shelves", "Cola is crowded; coca leaves are another story."),
}

#: (query, ids it must find, an id it must not find)
ROWS = [
    ("S&P", {"sp"}, "sand"),
    ("S&P 500", {"sp"}, "sand"),
    ("S & P", {"sp"}, "sand"),
    ("AT&T", {"att"}, "meet"),
    ("AT & T", {"att"}, "meet"),
    ("at&t", {"att"}, "meet"),
    ("H&R Block", {"hr"}, "block"),
    ("P&G", {"pg"}, "sand"),
    ("R&D", {"rd"}, "dia"),
    ("Procter", {"pg"}, "jj"),
    ("Johnson", {"jj"}, "pg"),
    ("<DIA>", {"dia"}, "sp"),
    ("DIA", {"dia"}, "sp"),
    ("U.S.", {"us"}, "us2"),
    ("U.S. trade", {"us"}, "us2"),
    ("US", {"us", "us3"}, "us2"),
    ("U.S. officials", {"us3"}, "us2"),
    ("4.5 pct", {"pct"}, "pct2"),
    ("$1.5 billion", {"bn"}, "bn2"),
    ("1.5 billion", {"bn"}, "bn2"),
    ("Jong-un", {"kim"}, "jong"),
    ("Kim Jong-un", {"kim"}, "jong"),
    ("Coca-Cola", {"coke"}, "cola"),
    ("coca-cola sales", {"coke"}, "cola"),
]


@pytest.fixture
def trade(archive: Archive, add_articles: Callable[..., list[str]]) -> Archive:
    add_articles(*(article(title, body, id=key) for key, (title, body) in TEXTS.items()))
    return archive


@pytest.mark.parametrize(("query", "wanted", "unwanted"), ROWS, ids=[row[0] for row in ROWS])
def test_trade_token_is_found_as_written(trade: Archive, query: str, wanted: set[str],
                                         unwanted: str) -> None:
    """What the query matches as a whole: for a short query of plain words, the articles with
    every word, which rank before those with some of them (``4.5 pct`` lists 'Output up 4 pct'
    after the article that has '4.5 pct')."""
    result = trade.search(query, limit=50, snippets=False)
    found = [hit.id for hit in result.hits]
    every_word = set(found if result.all_words is None else found[:result.all_words])
    assert wanted <= every_word
    assert unwanted not in every_word


def test_ampersand_name_and_ticker_through_the_cli(trade: Archive,
                                                   run: Callable[..., Result]) -> None:
    for query, wanted in (("AT&T", ["att"]), ("<DIA>", ["dia"]), ("S & P", ["sp"])):
        result = run("search", query, "-f", "json", "--fields", "id")
        assert result.exit_code == 0, result.output
        assert [row["id"] for row in json.loads(result.stdout)] == wanted


def test_in_a_long_question_the_parts_of_a_hyphenated_word_stay_optional_words(
        trade: Archive) -> None:
    """Only where every word is required is a hyphenated word a phrase: in a question of four
    words or more, 'coca' and 'cola' each still count where they stand apart."""
    found = {hit.id for hit in trade.search("coca-cola makers fight shelves", snippets=False).hits}
    assert {"cola", "coke"} <= found
