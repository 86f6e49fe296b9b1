"""News agency XML (NewsML-G2, NewsML 1, RCV1 newsitem), on small stories written here."""

from __future__ import annotations

import socket

import pytest
from conftest import read_or_refusal
from hypothesis import given, settings
from hypothesis import strategies as st

from archive_search.article import Article, is_safe_id
from archive_search.importers import detect_format, newsml
from archive_search.importers.base import (
    ImportFailure,
    ImportOptions,
    NothingToImport,
    RecordFailure,
    RecordWarning,
    Source,
)

RCV1 = """<?xml version="1.0" encoding="iso-8859-1" ?>
<newsitem itemid="90001" id="root" date="1996-09-02" xml:lang="en">
<title>NORWAY: Ferry line adds a winter route.</title>
<headline>Ferry line adds a winter route.</headline>
<byline>Kari Nordmann</byline>
<dateline>BERGEN 1996-09-02</dateline>
<text>
<p>A ferry line said on Monday it would run a winter route to the
islands, the first since the bridge opened.</p>
<p>Fares rise by 5 &amp; 10 percent, "Bergen &amp; Co" said.</p>
</text>
<copyright>(c) Our own test text 1996</copyright>
<metadata>
<codes class="bip:countries:1.0"><code code="NORW"> </code></codes>
<codes class="bip:industries:1.0"><code code="I77002"> </code></codes>
<codes class="bip:topics:1.0"><code code="C24"> </code><code code="CCAT"> </code></codes>
<dc element="dc.source" value="Test Wire"/>
</metadata>
</newsitem>
""".encode("latin-1")

G2 = """<?xml version="1.0" encoding="UTF-8"?>
<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">
 <header><sent>2024-05-02T09:00:00Z</sent></header>
 <itemSet>
  <newsItem guid="urn:newsml:wire.example:20240502:harbour-crane" version="{version}"
      standard="NewsML-G2" standardversion="2.29" xml:lang="en-GB">
   <itemMeta>
    <itemClass qcode="ninat:text"/>
    <provider qcode="nprov:EXAMPLEWIRE"><name>Example Wire</name></provider>
    <versionCreated>2024-05-02T08:{minute}:00Z</versionCreated>
    <firstCreated>2024-05-02T07:30:00+01:00</firstCreated>
   </itemMeta>
   <contentMeta>
    <located><name>Gdynia</name></located>
    <creator><name>Ola Test</name></creator>
    <language tag="en-GB"/>
    <subject type="cpnat:abstract" qcode="medtop:20000349">
     <name xml:lang="en-GB">maritime transport</name>
     <broader qcode="medtop:04000000"><name>economy</name></broader>
    </subject>
    <subject qcode="medtop:20000350"/>
    <keyword>cranes</keyword>
    <headline>Harbour gets its tallest crane</headline>
    <dateline>GDYNIA, May 2 (Example Wire) -</dateline>
    <by>By Ola Test and Ana Sample</by>
   </contentMeta>
   <contentSet>
    <inlineXML contenttype="application/xhtml+xml">
     <html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head>
      <body><h1>Harbour gets its tallest crane</h1>
       <p>The port{nbsp}unveiled a crane &#8212; the tallest on the coast.</p>
       <p>Workers&apos; unions welcomed it.</p></body></html>
    </inlineXML>
   </contentSet>
  </newsItem>
  <newsItem guid="urn:newsml:wire.example:20240502:crane-photo" version="1">
   <itemMeta><itemClass qcode="ninat:picture"/></itemMeta>
  </newsItem>
 </itemSet>
</newsMessage>
"""

NEWSML1 = b"""<?xml version="1.0" encoding="UTF-8"?>
<NewsML>
 <NewsEnvelope><DateAndTime>20010315T101500Z</DateAndTime></NewsEnvelope>
 <NewsItem>
  <Identification><NewsIdentifier>
   <ProviderId>wire.example</ProviderId><DateId>20010315</DateId>
   <NewsItemId>BRIDGE-77</NewsItemId><RevisionId Update="N">2</RevisionId>
   <PublicIdentifier>urn:newsml:wire.example:20010315:BRIDGE-77:2</PublicIdentifier>
  </NewsIdentifier></Identification>
  <NewsManagement><FirstCreated>20010315T101500+0100</FirstCreated>
   <ThisRevisionCreated>20010315T111500+0100</ThisRevisionCreated></NewsManagement>
  <NewsComponent>
   <NewsLines><HeadLine>Old bridge reopens</HeadLine><ByLine>By Sam Example</ByLine>
    <DateLine>PORTO, March 15</DateLine></NewsLines>
   <DescriptiveMetadata><Language FormalName="pt"/>
    <SubjectCode><Subject FormalName="11000000"/></SubjectCode></DescriptiveMetadata>
   <ContentItem><MediaType FormalName="Text"/><DataContent>
    <nitf><body><body.content><p>The bridge reopened after two years.</p>
     <p>Traffic was light.</p></body.content></body></nitf>
   </DataContent></ContentItem>
   <ContentItem><MediaType FormalName="Photo"/></ContentItem>
  </NewsComponent>
 </NewsItem>
</NewsML>
"""


def read_all(data: bytes, name: str = "story.xml") -> list:
    return list(newsml.read(Source.from_bytes(name, data), ImportOptions()))


def g2(version: int = 1, minute: int = 0, nbsp: str = "&nbsp;") -> bytes:
    text = G2.replace("{version}", str(version)).replace("{minute}", f"{minute:02d}")
    return text.replace("{nbsp}", nbsp).encode("utf-8")


def test_rcv1_newsitem_keeps_headline_date_dateline_byline_codes_and_paragraphs():
    (article,) = read_all(RCV1)
    assert article.id == "rcv1-90001"
    assert article.title == "Ferry line adds a winter route."
    assert article.date == "1996-09-02"
    assert article.lang == "en"
    assert article.source == "Test Wire"
    assert article.authors == ["Kari Nordmann"]
    assert article.tags == ["C24", "CCAT", "NORW"]
    assert article.extra["dateline"] == "BERGEN 1996-09-02"
    assert article.extra["industries"] == ["I77002"]
    assert article.body == (
        "A ferry line said on Monday it would run a winter route to the islands, the first "
        "since the bridge opened.\n\n"
        'Fares rise by 5 & 10 percent, "Bergen & Co" said.'
    )


def test_newsml_g2_text_item_becomes_an_article_and_a_picture_item_is_a_record_failure():
    article, *notes = read_all(g2())
    assert isinstance(article, Article)
    assert article.title == "Harbour gets its tallest crane"
    assert article.date == "2024-05-02T07:30:00+01:00"
    assert article.source == "Example Wire"
    assert article.lang == "en"
    assert article.authors == ["Ola Test", "Ana Sample"]
    assert article.tags == ["maritime transport", "medtop:20000350", "cranes"]
    assert article.extra["dateline"] == "GDYNIA, May 2 (Example Wire) -"
    assert article.extra["guid"] == "urn:newsml:wire.example:20240502:harbour-crane"
    assert article.extra["version"] == "1"
    assert article.body == (
        "The port unveiled a crane \u2014 the tallest on the coast.\n\n"
        "Workers' unions welcomed it."
    )
    [failure] = [n for n in notes if isinstance(n, RecordFailure)]
    assert (failure.record, failure.reason) == (2, "a picture item, not a text story")


def test_a_later_version_of_the_same_guid_keeps_the_article_id():
    first = read_all(g2(version=1))[0]
    second = read_all(g2(version=2, minute=45))[0]
    assert first.id == second.id
    assert first.id.startswith("newsml-wire.example-20240502-harbour-crane-")
    assert is_safe_id(first.id)
    assert (second.extra["version"], second.extra["version_created"]) == (
        "2",
        "2024-05-02T08:45:00Z",
    )


def test_newsml_1_item_with_nitf_body():
    (article,) = read_all(NEWSML1)
    assert article.id.startswith("wire.example-20010315-BRIDGE-77-")
    assert article.title == "Old bridge reopens"
    assert article.date == "2001-03-15T10:15:00+01:00"
    assert article.lang == "pt"
    assert article.authors == ["Sam Example"]
    assert article.tags == ["11000000"]
    assert article.extra["version"] == "2"
    assert article.body == "The bridge reopened after two years.\n\nTraffic was light."


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("urn:newsml:wire.example:20240502:a", "newsml-wire.example-20240502-a-"),
        ("tag:wire.example,2024:abc", "tag-wire.example-2024-abc-"),
        ("3f2b8c1e-1111-4222-8333-944445555666", "3f2b8c1e-1111-4222-8333-944445555666"),
    ],
)
def test_identifiers_become_safe_stable_ids(identifier, expected):
    made = newsml.safe_id(identifier)
    assert made == newsml.safe_id(identifier) and is_safe_id(made)
    assert made.startswith(expected) and len(made) in (len(expected), len(expected) + 10)


def test_identifiers_differing_only_in_unsafe_characters_get_different_ids():
    one, two = newsml.safe_id("urn:x:a/b"), newsml.safe_id("urn:x:a?b")
    assert one != two and is_safe_id(one) and is_safe_id(two)


def test_item_without_date_is_imported_with_a_warning():
    data = RCV1.replace(b' date="1996-09-02"', b"")
    article, warning = read_all(data)
    assert article.date is None
    assert warning == RecordWarning("no publication date found", None)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<newsitem itemid='1'><headline>x</headline>", "not well-formed XML"),
        (b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><newsitem>&e;</newsitem>',
         ""),
    ],
)
def test_broken_or_empty_files_fail_with_one_line_and_read_no_other_file(data, reason):
    try:
        items = read_all(data)
    except ImportFailure as exc:
        assert reason and str(exc).startswith(reason)
    else:
        assert not reason
        assert [type(i) for i in items] == [RecordFailure]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<NewsML><NewsEnvelope/></NewsML>", "no news items in this <NewsML>"),
        (b'<packageItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="p1"><itemMeta/>'
         b"</packageItem>", "a NewsML-G2 packageItem, which holds no story of its own"),
    ],
)
def test_files_without_a_story_are_skipped_saying_why(data, reason):
    assert detect_format("package.xml", data) == "newsml"
    with pytest.raises(NothingToImport) as skipped:
        read_all(data)
    assert str(skipped.value) == reason


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (RCV1[:200], "newsml"),
        (g2()[:200], "newsml"),
        (NEWSML1[:200], "newsml"),
        (b'<?xml version="1.0"?>\n<rss version="2.0"><channel>', "feed"),
        (b'<?xml version="1.0"?>\n<REUTERS NEWID="1"><DATE>', "reuters"),
        (b'<?xml version="1.0"?>\n<corpus><document>', "feed"),
    ],
)
def test_xml_files_are_told_apart_by_their_root_element(head, expected):
    assert detect_format("in/story.xml", head) == expected


def test_undeclared_latin1_item_is_read_with_a_warning_naming_the_encoding():
    data = RCV1.replace(b' encoding="iso-8859-1"', b"").replace(b"BERGEN", b"TROMS\xd8")
    article, warning = read_all(data)
    assert article.extra["dateline"] == "TROMS\u00d8 1996-09-02"
    assert warning == RecordWarning("not valid UTF-8; read as Windows-1252", None)


PARTS = [
    "<newsitem itemid='7' date='1996-09-02'>", "</newsitem>", "<headline>", "</headline>",
    "<text>", "</text>", "<p>", "</p>", "Words &amp; more", "&nbsp;", "&#0;", "&#xD800;",
    "&nosuch;", "<newsItem guid='urn:x:1' version='x'>", "</newsItem>", "<itemClass qcode=''/>",
    "<contentSet>", "</contentSet>", "<inlineData>", "</inlineData>", "<subject qcode='a:b'>",
    "</subject>", "<NewsML>", "</NewsML>", "<NewsItem>", "</NewsItem>", "<DataContent>",
    "</DataContent>", "\x00", "\u00e9", "<![CDATA[<p>x</p>]]>", "<!-- c -->",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.lists(st.sampled_from(PARTS), max_size=40).map(lambda p: "".join(p).encode()),
    )
)
def test_fuzz_only_import_failure_escapes(data):
    for item in read_or_refusal(read_all, data) or []:
        if isinstance(item, Article):
            "".join(str(v) for v in item.extra.values()).encode("utf-8")
            assert is_safe_id(item.id) if item.id else True


def test_external_dtds_and_entities_are_not_fetched(monkeypatch):
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the importer tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    data = (
        b'<?xml version="1.0"?><!DOCTYPE NewsML SYSTEM "http://127.0.0.1:9/NewsMLv1.2.dtd" '
        b'[<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>' + NEWSML1.split(b"?>", 1)[1]
    ).replace(b"Traffic was light.", b"Traffic &x; was light.")
    (article,) = read_all(data)
    assert article.title == "Old bridge reopens"
