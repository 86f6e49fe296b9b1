"""Nothing from the data reaches a terminal as a control sequence.

Titles, sources, tags, bodies and file names can hold characters a terminal acts on instead of
showing: ESC sequences that clear the screen, set the window title or make text blink, other C0
and C1 controls, right-to-left overrides. Everything arch writes for people (tables, text,
every message on stderr) shows them as escapes (``\\x1b``, ``\\u202e``); data formats written
to a file or a pipe keep them exactly.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, article

from archive_search import Archive, Article
from archive_search.output import TerminalSafe, visible, write_rows
from archive_search.progress import Progress

#: Everything a terminal may act on (line breaks and tabs aside): C0, DEL, C1, bidi controls.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CLEAR, TITLE, BLINK, CSI8, RLO = "\x1b[2J", "\x1b]0;pwned\x07", "\x1b[5m", "\x9b31m", "\u202e"
HOSTILE_TITLE = f"Harbour {CLEAR}report{TITLE} on {BLINK}Anna Kowalska{RLO}txt.exe{CSI8}\rX"
HOSTILE_SOURCE = f"Gazette{CLEAR}\x08\x08\x7f"
HOSTILE_TAGS = [f"floods{BLINK}", f"rtl{RLO}\u2066x\u2069"]
HOSTILE_BODY = (f"Anna Kowalska said the harbour wall held.{CLEAR} A bell\x07, a nul\x00, a "
                f"form feed\x0c and an override {RLO}evil{TITLE}. Anna Kowalska again.")


def assert_safe(text: str) -> None:
    assert not RAW.search(text), RAW.findall(text)


@pytest.fixture
def hostile(add_articles) -> str:
    """A hand-written article file (nothing cleans it on the way in) full of controls, beside
    a plain one."""
    ids = add_articles(
        Article(title=HOSTILE_TITLE, body=HOSTILE_BODY, date="2023-09-18", id="hostile-1",
                source=HOSTILE_SOURCE, tags=HOSTILE_TAGS, url=f"https://x.example/{CLEAR}"),
        article("Harbour wall holds", "Anna Kowalska inspected the harbour wall.", id="plain-1",
                source="Gazette", tags=["floods"]),
    )
    return ids[0]


def test_visible_escapes_what_a_terminal_acts_on_and_nothing_else():
    assert visible("a\x1b[2Jb\x07c\x9bd\u202ee\u2066f\x00") == (
        "a\\x1b[2Jb\\x07c\\x9bd\\u202ee\\u2066f\\x00")
    assert visible("two\nlines\tand\rreturn") == "two\\x0alines\\x09and\\x0dreturn"
    assert visible("two\nlines\tand\rreturn", keep="\n\t") == "two\nlines\tand\\x0dreturn"
    assert visible("bad name \udcff.txt") == "bad name \\udcff.txt"  # undecodable bytes
    # text is text: accents, scripts, no-break spaces, joiners, marks of direction stay
    kept = "Pöhl – «Kim Jong-un» 김정은 שלום\u200f عربي\u00a0\u200d👩\u200d💻 ﷺ"
    assert visible(kept) == kept


@pytest.mark.parametrize("args", [
    ("search", "harbour", "--format", "table"),
    ("search", "harbour", "--format", "table", "--explain", "--related", "1"),
    ("search", "harbour", "--format", "table", "--fields", "id,title,source,tags,url,snippet"),
    ("search", f"harbour {CLEAR}", "--format", "table"),
    ("search", "harbur", "--format", "table"),  # did you mean
    ("search", f"title:{TITLE}", "--format", "table"),
    ("search", "Anna Kowalska", "--format", "table"),
    ("names", "Anna Kowalska", "--format", "table"),
    ("names", "--format", "table"),
    ("names", "--clusters", "--format", "table"),
    ("related", "hostile-1", "--format", "table"),
    ("related", "plain-1", "--format", "table", "--fields", "id,title,source,reasons"),
    ("export", "--format", "table", "--fields", "id,title,source,tags,url"),
    ("stats",),
    ("check",),
    ("show", f"no{CLEAR}such"),
    ("search", f"{TITLE}\x9b2J\u202e", "--format", "table"),
    ("search", "harbour", f"--colour{CLEAR}"),  # click's own usage error
])
def test_a_hostile_article_reaches_no_terminal_raw(run, hostile, args):
    result = run(*args)
    assert_safe(result.stdout)
    assert_safe(result.stderr)
    assert "Traceback" not in result.output


def test_tables_show_the_controls_as_escapes(run, hostile):
    out = run("search", "harbour", "--format", "table", "--fields", "title,source").stdout
    assert "\\x1b[2J" in out and "\\u202e" in out and "\\x9b31m" in out
    stats = run("stats").stdout
    assert "Gazette\\x1b[2J\\x08\\x08\\x7f" in stats and "floods\\x1b[5m" in stats


def test_data_formats_keep_the_data_exactly(run, hostile):
    [hit] = [h for h in json.loads(run("search", "harbour", "--format", "json").stdout)
             if h["id"] == hostile]
    assert (hit["title"], hit["source"], hit["tags"]) == (HOSTILE_TITLE, HOSTILE_SOURCE,
                                                          HOSTILE_TAGS)
    shown = json.loads(run("show", hostile, "--format", "json").stdout)
    assert (shown["title"], shown["body"]) == (HOSTILE_TITLE, HOSTILE_BODY)
    assert HOSTILE_BODY in run("show", hostile).stdout  # the article file, to a pipe
    rows = csv.reader(io.StringIO(run("search", "harbour", "--format", "csv").stdout))
    assert [hostile, HOSTILE_TITLE] in [row[:3:2] for row in rows]
    stats = json.loads(run("stats", "--format", "json").stdout)
    assert [HOSTILE_SOURCE, 1] in stats["sources"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl", "yaml", "markdown"])
def test_data_formats_written_to_a_terminal_are_made_visible(fmt):
    rows = [{"title": HOSTILE_TITLE, "tags": HOSTILE_TAGS}]
    out = Terminal()
    write_rows(rows, ["title", "tags"], fmt, out)
    assert_safe(out.getvalue())
    pipe = io.StringIO()
    write_rows(rows, ["title", "tags"], fmt, pipe)
    assert RLO in pipe.getvalue()  # to a file or a pipe, as it is


def test_every_message_on_stderr_is_made_visible_and_the_progress_line_is_not():
    terminal = Terminal()
    safe = TerminalSafe(terminal)
    safe.write(f"arch: failed: {TITLE}.json: bad\nnext line\tok\n")
    assert terminal.getvalue() == "arch: failed: \\x1b]0;pwned\\x07.json: bad\nnext line\tok\n"
    bar = Progress("importing", stream=safe)  # arch's own carriage return and erase-line
    bar(5)
    bar.close()
    assert "\rimporting: 5" in terminal.getvalue() and "\x1b[K" in terminal.getvalue()


def test_file_and_member_names_in_import_messages_are_made_visible(run, tmp_path: Path):
    bad = tmp_path / f"evil{TITLE}{RLO}.json"
    bad.write_text("{", encoding="utf-8")
    newline = tmp_path / "two\nlines.json"
    newline.write_text("[", encoding="utf-8")
    zipped = tmp_path / "dump.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr(f"member{CLEAR}.json", "{")
    front = tmp_path / "front.md"  # YAML's own escape for ESC, in a double-quoted string
    front.write_text('---\ntitle: "Harbour \\e[2J \\e]0;pwned\\a"\nsource: "Desk\\e[5m"\n'
                     'date: 2023-09-18\n---\n\n'
                     "Harbour text.\n", encoding="utf-8")
    result = run("import", str(bad), str(newline), str(zipped), str(front))
    assert_safe(result.stderr)
    lines = result.stderr.splitlines()
    assert any("evil\\x1b]0;pwned\\x07\\u202e.json" in line for line in lines), lines
    assert any("two\\x0alines.json" in line for line in lines), lines  # one line, not two
    assert any("member\\x1b[2J.json" in line for line in lines), lines
    assert len(lines) == 4  # three failures and the summary
    table = run("search", "harbour", "--format", "table", "--fields", "title,source").stdout
    assert_safe(table)
    assert "Harbour \\x1b[2J \\x1b]0;pwned\\x07" in table and "Desk\\x1b[5m" in table


def test_on_a_real_terminal_only_arch_own_highlighting_is_sent(hostile, archive: Archive):
    """Through a pseudo-terminal, as a person sees it: the table's bold highlights are the only
    escape sequences, and the article file shown on the terminal is made visible too."""
    for args, expected in [
        (["search", "harbour"], "\\x1b[2J"),
        (["show", hostile], "\\x1b[2J"),
        (["search", "harbour", "--format", "json", "--fields", "title"], "\\u202e"),
    ]:
        out = _on_a_terminal(archive.root, *args)
        assert expected in out, out
        assert_safe(out.replace("\x1b[1m", "").replace("\x1b[0m", "").replace("\x1b[22m", ""))


def _on_a_terminal(root: Path, *args: str) -> str:
    """stdout of ``arch --archive ROOT ARGS`` written to a pseudo-terminal."""
    primary, secondary = pty.openpty()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO),
                                                        os.environ.get("PYTHONPATH", "")])}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "archive_search", "--archive", str(root),
                             *args], stdout=secondary, stderr=subprocess.PIPE, env=env)
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO: the other side has closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    _, err = proc.communicate(timeout=60)
    assert_safe(err.decode())
    return b"".join(chunks).decode().replace("\r\n", "\n")
