"""The RSS/Atom importer, on small feeds written here (the shared corpora hold no feeds)."""

from __future__ import annotations

import socket

import pytest
from conftest import read_or_refusal
from hypothesis import given, settings
from hypothesis import strategies as st

from archive_search.article import Article, derive_id, is_safe_id
from archive_search.importers import feed
from archive_search.importers.base import (
    ImportFailure,
    ImportOptions,
    NothingToImport,
    RecordFailure,
    RecordWarning,
    Source,
)
from archive_search.importers.newsml import safe_id

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Harbour Gazette</title>
  <link>https://gazette.example/</link>
  <language>en-GB</language>
  <item>
    <title>Harbour reopens after the storm</title>
    <link>https://gazette.example/2023/09/harbour</link>
    <guid isPermaLink="false">gazette-4711</guid>
    <pubDate>Mon, 18 Sep 2023 14:17:00 EDT</pubDate>
    <category>Local</category><category>Weather</category><category>local</category>
    <dc:creator>Ann Lee</dc:creator>
    <description>Short teaser.</description>
    <content:encoded><![CDATA[<p>The harbour <b>reopened</b> on Monday.</p>
      <script>track()</script><p>Ferries resumed &amp; ran late.<br>Officials were pleased.</p>]]>
    </content:encoded>
  </item>
  <item>
    <title>Tide tables</title>
    <link>https://gazette.example/2023/09/tides</link>
    <pubDate>Tue, 19 Sep 2023 08:00:00 +0200</pubDate>
    <description>High water at 06:12.</description>
  </item>
  <item>
    <description>&lt;p&gt;An entry with no title at all, only its text.&lt;/p&gt;</description>
    <pubDate>someday</pubDate>
  </item>
  <item><guid>gazette-empty</guid></item>
</channel>
</rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de-AT">
  <title type="html">Der &lt;i&gt;Bote&lt;/i&gt;</title>
  <id>tag:bote.example,2023:feed</id>
  <updated>2023-09-18T14:17:00Z</updated>
  <entry>
    <title>Hafen wieder offen</title>
    <id>tag:bote.example,2023:1</id>
    <link rel="alternate" href="https://bote.example/hafen"/>
    <published>2023-09-18T12:00:00+02:00</published>
    <updated>2023-09-18T14:17:00Z</updated>
    <author><name>Eva Berg</name></author><author><name>Jan Wolf</name></author>
    <category term="Hafen"/>
    <content type="html">&lt;h2&gt;Montag&lt;/h2&gt;
      &lt;p&gt;Die F&#228;hren fahren.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Nur aktualisiert</title>
    <id>tag:bote.example,2023:2</id>
    <link href="https://bote.example/2"/>
    <updated>2023-09-19T06:00:00Z</updated>
    <summary>Kurz.</summary>
  </entry>
</feed>
"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://old.example/"><title>Old Wire</title></channel>
  <item rdf:about="https://old.example/1">
    <title>RSS 1.0 lives</title><link>https://old.example/1</link>
    <dc:date>2004-02-01T09:30:00-05:00</dc:date>
    <description>Still parsed.</description>
  </item>
</rdf:RDF>
"""


def read_all(data: bytes, options: ImportOptions | None = None) -> list:
    return list(feed.read(Source.from_bytes("feed.xml", data), options or ImportOptions()))


def articles(data: bytes, options: ImportOptions | None = None) -> list[Article]:
    return [item for item in read_all(data, options) if isinstance(item, Article)]


def test_rss_entry_becomes_an_article():
    first = articles(RSS)[0]
    assert first.title == "Harbour reopens after the storm"
    assert first.url == "https://gazette.example/2023/09/harbour"
    assert first.source == "Harbour Gazette"
    assert first.authors == ["Ann Lee"]
    assert first.tags == ["Local", "Weather"]
    assert first.lang == "en"
    assert first.origin == {"record": 1}


def test_body_is_the_full_content_as_plain_paragraphs():
    body = articles(RSS)[0].body
    assert body == (
        "The harbour reopened on Monday.\n\nFerries resumed & ran late.\nOfficials were pleased."
    )


def test_named_zone_keeps_its_offset_and_numeric_offsets_survive():
    first, second = articles(RSS)[:2]
    assert first.date == "2023-09-18T14:17:00-04:00"
    assert second.date == "2023-09-19T08:00:00+02:00"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Mon, 18 Sep 2023 14:17:00 CEST", "2023-09-18T14:17:00+02:00"),
        ("Mon, 18 Sep 2023 14:17:00 GMT", "2023-09-18T14:17:00+00:00"),
        ("Mon, 18 Sep 2023 14:17:00 XYZ", "2023-09-18T14:17:00"),  # unknown zone: no offset
        ("2023-09-18T14:17:00Z", "2023-09-18T14:17:00+00:00"),
        ("2023-09-18", "2023-09-18"),
    ],
)
def test_entry_date_keeps_the_zone_it_was_written_in(raw, expected):
    assert feed.entry_date({"published": raw}) == (expected, None)


def test_entry_without_title_takes_its_first_words_and_warns_about_its_date():
    items = read_all(RSS)
    untitled = next(i for i in items if isinstance(i, Article) and i.origin == {"record": 3})
    assert untitled.title == "An entry with no title at all, only its text."
    assert untitled.date is None
    assert RecordWarning("date 'someday' not understood; date left unknown", 3) in items


def test_empty_entry_is_a_record_failure_and_the_rest_still_imports():
    items = read_all(RSS)
    assert RecordFailure("entry has neither a title nor text", 4) in items
    assert len([i for i in items if isinstance(i, Article)]) == 3


def test_atom_entries():
    first, second = articles(ATOM)
    assert first.source == "Der Bote"
    assert first.body == "Montag\n\nDie Fähren fahren."
    assert first.date == "2023-09-18T12:00:00+02:00"  # published wins over updated
    assert first.authors == ["Eva Berg", "Jan Wolf"]
    assert first.tags == ["Hafen"]
    assert first.lang == "de"
    assert second.date == "2023-09-19T06:00:00+00:00"  # only updated: used
    assert second.body == "Kurz."


def test_rss_1_0_rdf_feed():
    (only,) = articles(RDF)
    assert (only.title, only.url, only.date) == (
        "RSS 1.0 lives",
        "https://old.example/1",
        "2004-02-01T09:30:00-05:00",
    )


def test_entry_ids_give_stable_safe_article_ids_and_entries_without_one_use_their_link():
    first_run, second_run = articles(RSS), articles(RSS)
    assert first_run[1].id is None  # "Tide tables" has no guid
    ids = [a.ensure_id() for a in first_run]
    assert ids == [a.ensure_id() for a in second_run]
    assert all(is_safe_id(i) for i in ids) and len(set(ids)) == len(ids)
    harbour, tides = first_run[0], first_run[1]
    # "gazette-4711" is unique only within its feed: qualified by the feed's address
    assert harbour.id == safe_id("https://gazette.example/#gazette-4711")
    assert harbour.extra["guid"] == "gazette-4711"
    assert tides.id == derive_id(tides.title, None, None, tides.url)


def test_an_updated_entry_keeps_its_id():
    updated = ATOM.replace(b"Die F&#228;hren fahren.", b"Die F&#228;hren fahren wieder.")
    assert [a.id for a in articles(ATOM)] == [a.id for a in articles(updated)]
    assert articles(ATOM)[0].id == safe_id("tag:bote.example,2023:1")


ATOM_URN = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>
  <entry><title>Only an id</title><id>urn:uuid:6f1d6a3e-0000-4000-8000-00000000abcd</id>
    <updated>2024-01-02T03:04:05Z</updated><summary>Text.</summary></entry>
  <entry><title>Id and link</title><id>tag:wire.example,2024:2</id>
    <link href="https://wire.example/2"/><updated>2024-01-02T03:04:05Z</updated>
    <summary>More text.</summary></entry>
</feed>"""


def test_urn_and_tag_ids_are_ids_not_links():
    items = read_all(ATOM_URN)
    assert not [i for i in items if isinstance(i, RecordWarning)]
    only_id, with_link = [i for i in items if isinstance(i, Article)]
    assert only_id.url is None
    assert only_id.id == safe_id("urn:uuid:6f1d6a3e-0000-4000-8000-00000000abcd")
    assert with_link.url == "https://wire.example/2"
    assert with_link.extra["guid"] == "tag:wire.example,2024:2"


#: The same small feed text in encodings feeds really come in, with no declaration.
UNDECLARED = {
    "euc-jp": (
        "東京の新しい橋が開通しました",
        "市民は新しい橋をとても喜んでいます。朝から多くの人が渡りました。",
    ),
    "gb2312": ("北京的新桥今天开通了", "市民们都很高兴。早上很多人走过了这座新桥，大家都说很漂亮"),
    "big5": ("台北的新橋今天開通了", "市民們都很高興。早上很多人走過了這座新橋，大家都說很漂亮。"),
    "euc-kr": (
        "서울의 새 다리가 개통되었습니다",
        "시민들은 새 다리를 매우 기뻐하고 있습니다. 아침부터 많은 사람들이 건넜습니다.",
    ),
    "koi8-r": (
        "В Москве открылся новый мост",
        "Жители очень рады новому мосту. С утра по нему прошло много людей.",
    ),
}


@pytest.mark.parametrize("encoding", sorted(UNDECLARED))
def test_feed_without_an_encoding_declaration_is_decoded_by_its_guessed_encoding(encoding):
    title, text = UNDECLARED[encoding]
    xml = (
        f"<rss version='2.0'><channel><title>{title}</title><item><title>{title}</title>"
        f"<description>{text} {text}</description></item></channel></rss>"
    )
    items = read_all(xml.encode(encoding))
    [article] = [i for i in items if isinstance(i, Article)]
    assert (article.title, article.body) == (title, f"{text} {text}")
    [warning] = [i for i in items if isinstance(i, RecordWarning)]
    assert warning.reason.startswith("not valid UTF-8; read as ")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "cp500"])
def test_feeds_that_say_their_encoding_in_its_own_bytes_are_not_guessed(encoding):
    xml = (
        f"<?xml version='1.0' encoding='{encoding}'?><rss version='2.0'><channel><item>"
        "<title>Caf\u00e9 \u00e0 Z\u00fcrich</title></item></channel></rss>"
    )
    assert read_all(xml.encode(encoding)) == articles(xml.encode(encoding))
    assert articles(xml.encode(encoding))[0].title == "Caf\u00e9 \u00e0 Z\u00fcrich"


def test_a_stray_odd_byte_is_too_little_to_guess_from():
    xml = b"<rss version='2.0'><channel><item><title>Price \xa3 5</title></item></channel></rss>"
    assert read_all(xml)[1:] == [RecordWarning("not valid UTF-8; read as Windows-1252")]


def test_undeclared_windows_1252_feed_is_read_so_with_a_warning():
    xml = "<rss version='2.0'><channel><item><title>Café à Zürich</title></item></channel></rss>"
    items = read_all(xml.encode("cp1252"))
    assert items[0].title == "Café à Zürich"
    assert items[1] == RecordWarning("not valid UTF-8; read as Windows-1252")


def test_default_source_names_a_feed_without_a_title():
    untitled = RDF.replace(b"<title>Old Wire</title>", b"")
    assert articles(untitled, ImportOptions(default_source="Wire"))[0].source == "Wire"


def test_relative_link_is_dropped_with_a_warning():
    data = RSS.replace(b"https://gazette.example/2023/09/tides", b"/2023/09/tides")
    items = read_all(data)
    tides = next(i for i, item in enumerate(items) if getattr(item, "title", "") == "Tide tables")
    assert items[tides].url is None
    assert items[tides + 1] == RecordWarning(
        "link '/2023/09/tides' is not an absolute address; url left unknown", 2
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<rss version='2.0'><chan", "not a readable feed: "),
        (b"just some words", "not a readable feed: "),
        (b"", "not an RSS or Atom feed"),
        (b"<html><body><p>A page</p></body></html>",
         "not an RSS or Atom feed (the root element is <html>)"),
        (b"<?xml version='1.0'?><corpus><document/></corpus>",
         "not an RSS or Atom feed (the root element is <corpus>)"),
        (b"&nosuch;&another;\n&third;", "nothing but undefined entities ("),
    ],
)
def test_unreadable_feed_fails_as_a_whole_with_one_line(data, reason):
    with pytest.raises(ImportFailure) as failure:
        read_all(data)
    assert not isinstance(failure.value, NothingToImport)
    assert str(failure.value).startswith(reason)
    assert "\n" not in str(failure.value)


@pytest.mark.parametrize(
    "data",
    [
        b"<rss version='2.0'><channel><title>Quiet</title></channel></rss>",
        b"<rss><channel><title>Only &hellip; &nosuch; entities</title></channel></rss>",
        b"<feed xmlns='http://www.w3.org/2005/Atom'><title>Empty</title></feed>",
    ],
)
def test_feed_without_entries_is_skipped_saying_so(data):
    with pytest.raises(NothingToImport, match="^feed has no entries$"):
        read_all(data)


def test_content_that_names_a_file_is_not_read_from_that_file(tmp_path):
    # feedparser treats bytes it is handed as a possible file name; the importer must not.
    elsewhere = tmp_path / "other.rss"
    elsewhere.write_bytes(RSS)
    with pytest.raises(ImportFailure):
        read_all(str(elsewhere).encode())


def test_external_entities_are_not_fetched(monkeypatch):
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the importer tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    data = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>'
        b"<rss version='2.0'><channel><title>T</title><item><title>A &x; B</title>"
        b"<link>https://t.example/1</link></item></channel></rss>"
    )
    for item in read_all(data):
        assert isinstance(item, (Article, RecordFailure, RecordWarning))


def test_html_to_text():
    fragment = (
        "<div><h3>Head</h3>Loose text<ul><li>one</li><li>two &lt;b&gt;</li></ul>"
        "<style>x{}</style></div>"
    )
    assert feed.html_to_text(fragment) == "Head\n\nLoose text\n\none\n\ntwo <b>"
    assert feed.html_to_text("plain\nwrapped line\n\nsecond paragraph") == (
        "plain wrapped line\n\nsecond paragraph"
    )


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (RSS[:200], True),
        (ATOM[:200], True),
        (RDF[:200], True),
        (b"\xef\xbb\xbf<rss version='2.0'>", True),
        (b"<?xml version='1.0'?><?xml-stylesheet href='s.xsl'?><!-- c --><feed xmlns='x'>", True),
        (b"<!DOCTYPE html><html><link type='application/rss+xml'>", False),
        (b"<?xml version='1.0'?><catalog><rss/></catalog>", False),
        (b"", False),
    ],
)
def test_sniff(head, expected):
    assert feed.sniff(head, "feed.xml") is expected


FEED_PARTS = [
    "<rss version='2.0'>", "<channel>", "<item>", "</item>", "<title>", "</title>", "<feed>",
    "<entry>", "<link>http://x/1</link>", "<pubDate>Mon, 18 Sep 2023 14:17:00 XYZ</pubDate>",
    "<description>&lt;p&gt;x</description>", "<content:encoded><![CDATA[<p>y", "&#0;", "words ",
    "<updated>0000-00-00T99:99:99Z</updated>", "<category/>", "&#xD800;", "&#55296;", "&#99999999;",
    "<author></author>", "\x00", "é",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.lists(st.sampled_from(FEED_PARTS), max_size=40).map(lambda p: "".join(p).encode()),
    )
)
def test_fuzz_only_import_failure_escapes(data):
    read_or_refusal(read_all, data)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/!-[]&#;ab pP\n\x00é")), max_size=80))
def test_fuzz_html_to_text_always_returns_text(fragment):
    text = feed.html_to_text(fragment)
    assert "\x00" not in text and "\n\n\n" not in text


def test_every_feed_in_a_folder_is_accounted_for_with_its_reason(archive, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "good.rss").write_bytes(RDF)
    (inbox / "quiet.xml").write_bytes(b"<rss version='2.0'><channel></channel></rss>")
    (inbox / "cut.xml").write_bytes(b"<rss version='2.0'><chan")
    (inbox / "junk.xml").write_bytes(b"<?xml version='1.0'?><corpus><doc/></corpus>")
    report = archive.import_paths([inbox])
    outcomes = {o.name.rsplit("/", 1)[-1]: (o.status, o.reason) for o in report.outcomes}
    assert outcomes == {
        "good.rss": ("imported", None),
        "quiet.xml": ("skipped", "feed has no entries"),
        "cut.xml": ("failed", "not a readable feed: unclosed token"),
        "junk.xml": ("failed", "not an RSS or Atom feed (the root element is <corpus>)"),
    }
    assert sum(report.outcome_counts().values()) == report.inputs == 4


def test_a_local_guid_in_a_feed_without_address_or_title_is_no_identity():
    untitled = b"<rss version='2.0'><channel><item><guid isPermaLink='false'>a</guid>"
    one = articles(untitled + b"<title>One</title></item></channel></rss>")[0]
    two = articles(untitled + b"<title>Two</title></item></channel></rss>")[0]
    assert "a" not in (one.id, two.id) and one.id != two.id


def test_entries_with_neither_id_nor_link_are_told_apart_by_their_text():
    feed_of = b"<rss version='2.0'><channel><item><title>Update</title><description>%s"
    first = articles(feed_of % b"Roads closed.</description></item></channel></rss>")[0]
    second = articles(feed_of % b"Roads open.</description></item></channel></rss>")[0]
    again = articles(feed_of % b"Roads closed.</description></item></channel></rss>")[0]
    assert first.id != second.id and first.id == again.id and is_safe_id(first.id)


_WIDE_FEED = (
    '<?xml version="1.0" encoding="{enc}"?><rss version="2.0"><channel><title>Desk</title>'
    "<item><title>Harbour reopens</title><link>https://desk.example/h</link>"
    "<description>The harbour reopened on Monday after the storm.</description></item>"
    "</channel></rss>"
)


@pytest.mark.parametrize("codec, declared, bom", [
    ("utf-16-le", "utf-16", b""), ("utf-16-be", "utf-16", b""),
    ("utf-32-be", "utf-32", b"\x00\x00\xfe\xff"), ("utf-32-le", "utf-32", b""),
])
def test_feeds_in_utf16_or_utf32_are_text_not_binary_data(tmp_path, codec, declared, bom):
    """Found by bench/import_realworld.py on feedparser's test feeds: a feed in UTF-16 or
    UTF-32 (every character carrying NUL bytes) was refused as binary data."""
    from archive_search import Archive

    path = tmp_path / "wide.xml"
    path.write_bytes(bom + _WIDE_FEED.format(enc=declared).encode(codec))
    report = Archive.init(tmp_path / "news").import_paths([path])
    assert (report.imported, report.failed) == (1, []), report.failed
    assert report.outcomes[0].status == "imported"


def test_wide_text_is_told_from_binary_data():
    from archive_search.importers.textutil import looks_binary, wide_encoding

    assert wide_encoding("<rss>news</rss>".encode("utf-16-le")) == "utf-16-le"
    assert wide_encoding("<rss>news</rss>".encode("utf-32-be")) == "utf-32-be"
    assert wide_encoding(b"plain text") is None
    assert looks_binary(bytes(range(256)) * 8)
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 20)
