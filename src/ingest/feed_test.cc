#include "ingest/feed.h"

#include <gtest/gtest.h>

#include <string>

#include "common/text.h"

namespace storyline {
namespace {

int64_t Iso(const char* s) { return *ParseIsoDate(s); }

// ---------------------------------------------------------------------------
// RSS 2.0

const char kRss20[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Example  News</title>
    <link>https://news.example.com/</link>
    <atom:link href="https://news.example.com/feed.xml" rel="self" type="application/rss+xml"/>
    <language>en-US</language>
    <item>
      <title>Leaders meet in Geneva</title>
      <link>https://news.example.com/2022/02/geneva</link>
      <guid isPermaLink="false">geneva-1</guid>
      <pubDate>Tue, 15 Feb 2022 10:20:30 GMT</pubDate>
      <dc:creator>Jane Doe</dc:creator>
      <description>Talks began on Tuesday.</description>
    </item>
    <item>
      <title>Markets &amp; oil prices</title>
      <link>/2022/02/markets</link>
      <pubDate>Wed, 16 Feb 2022 08:00:00 +0100</pubDate>
      <description><![CDATA[<p>Oil rose <b>3%</b>.</p><script>alert('x')</script><p>Stocks fell.</p>]]></description>
    </item>
  </channel>
</rss>)";

TEST(Feed, Rss20TitleTextLinkDateLang) {
  auto feed = ParseFeed(kRss20, "https://news.example.com/feed.xml");
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  EXPECT_EQ(feed->format, "rss");
  EXPECT_EQ(feed->title, "Example News");
  EXPECT_EQ(feed->url, "https://news.example.com/");
  EXPECT_EQ(feed->lang, "en-us");
  ASSERT_EQ(feed->items.size(), 2u);
  const FeedItem& a = feed->items[0];
  EXPECT_EQ(a.id, "geneva-1");
  EXPECT_EQ(a.title, "Leaders meet in Geneva");
  EXPECT_EQ(a.text, "Talks began on Tuesday.");
  EXPECT_EQ(a.url, "https://news.example.com/2022/02/geneva");
  EXPECT_EQ(a.published, Iso("2022-02-15T10:20:30Z"));
  EXPECT_EQ(a.author, "Jane Doe");
  EXPECT_EQ(a.lang, "en-us");
  const FeedItem& b = feed->items[1];
  EXPECT_EQ(b.title, "Markets & oil prices");
  EXPECT_EQ(b.url, "https://news.example.com/2022/02/markets");  // relative link resolved
  EXPECT_EQ(b.id, b.url);                                        // no guid: the link
  EXPECT_EQ(b.published, Iso("2022-02-16T07:00:00Z"));
  EXPECT_TRUE(feed->problems.empty()) << feed->problems[0];
}

TEST(Feed, RssHtmlDescriptionBecomesPlainTextWithParagraphs) {
  auto feed = ParseFeed(kRss20);
  ASSERT_TRUE(feed.ok());
  ASSERT_EQ(feed->items.size(), 2u);
  EXPECT_EQ(feed->items[1].text, "Oil rose 3%.\n\nStocks fell.");
  EXPECT_EQ(feed->items[1].text.find("alert"), std::string::npos);
}

TEST(Feed, RssEscapedHtmlAndContentEncoded) {
  const char* rss = R"(<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>T</title>
<item><title>Escaped</title>
<description>&lt;p&gt;First &amp;amp; second.&lt;/p&gt;&lt;p&gt;Third&lt;br&gt;line&lt;/p&gt;</description></item>
<item><title>Full</title><description>Short summary.</description>
<content:encoded><![CDATA[<div><h2>Heading</h2><p>Full&nbsp;text here.</p><style>p{}</style></div>]]></content:encoded></item>
</channel></rss>)";
  auto feed = ParseFeed(rss);
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  ASSERT_EQ(feed->items.size(), 2u);
  EXPECT_EQ(feed->items[0].text, "First & second.\n\nThird\nline");
  EXPECT_EQ(feed->items[1].text, "Heading\n\nFull text here.");
}

TEST(Feed, HtmlEntitiesAndBareAmpersandsInXmlAreTolerated) {
  const char* rss = R"(<rss version="2.0"><channel><title>AT&T &amp; friends</title>
<item><title>Caf&eacute;&nbsp;news &mdash; &#8220;quoted&#x201D; &unknown; here</title>
<description>Fish & chips &lt; 5&euro;</description></item></channel></rss>)";
  auto feed = ParseFeed(rss);
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  EXPECT_EQ(feed->title, "AT&T & friends");
  ASSERT_EQ(feed->items.size(), 1u);
  EXPECT_EQ(feed->items[0].title, "Café news — “quoted” &unknown; here");
  EXPECT_EQ(feed->items[0].text, "Fish & chips < 5€");
}

TEST(Feed, Rss091) {
  const char* rss = R"(<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old</title><link>http://old.example.com/</link>
<language>de</language>
<item><title>Alte Nachricht</title><link>http://old.example.com/1</link>
<description>Text&nbsp;hier.</description></item></channel></rss>)";
  auto feed = ParseFeed(rss);
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  ASSERT_EQ(feed->items.size(), 1u);
  EXPECT_EQ(feed->items[0].title, "Alte Nachricht");
  EXPECT_EQ(feed->items[0].text, "Text hier.");
  EXPECT_EQ(feed->items[0].url, "http://old.example.com/1");
  EXPECT_EQ(feed->items[0].lang, "de");
  EXPECT_FALSE(feed->items[0].published.has_value());
}

TEST(Feed, Rss10Rdf) {
  const char* rdf = R"(<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example.org/">
    <title>RDF Site</title><link>https://rdf.example.org/</link>
    <dc:language>fr</dc:language>
    <items><rdf:Seq><rdf:li rdf:resource="https://rdf.example.org/a"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://rdf.example.org/a">
    <title>Premier article</title>
    <link>https://rdf.example.org/a</link>
    <description>Le texte de l'article.</description>
    <dc:date>2022-02-15T10:20:30+01:00</dc:date>
    <dc:creator>Marie</dc:creator>
  </item>
  <item rdf:about="https://rdf.example.org/b">
    <title>Second</title>
    <dc:language>br</dc:language>
  </item>
</rdf:RDF>)";
  auto feed = ParseFeed(rdf);
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  EXPECT_EQ(feed->format, "rdf");
  EXPECT_EQ(feed->title, "RDF Site");
  EXPECT_EQ(feed->lang, "fr");
  ASSERT_EQ(feed->items.size(), 2u);
  EXPECT_EQ(feed->items[0].title, "Premier article");
  EXPECT_EQ(feed->items[0].text, "Le texte de l'article.");
  EXPECT_EQ(feed->items[0].url, "https://rdf.example.org/a");
  EXPECT_EQ(feed->items[0].published, Iso("2022-02-15T09:20:30Z"));
  EXPECT_EQ(feed->items[0].author, "Marie");
  EXPECT_EQ(feed->items[0].lang, "fr");
  EXPECT_EQ(feed->items[1].url, "https://rdf.example.org/b");  // from rdf:about
  EXPECT_EQ(feed->items[1].lang, "br");
}

// ---------------------------------------------------------------------------
// Atom

const char kAtom[] = R"(<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="nb" xml:base="https://atom.example.no/">
  <title type="text">Atom Nyheter</title>
  <link rel="self" href="https://atom.example.no/feed.atom"/>
  <link href="https://atom.example.no/"/>
  <id>urn:uuid:feed</id>
  <updated>2022-02-16T12:00:00Z</updated>
  <author><name>Redaksjonen</name></author>
  <entry>
    <title type="html">Statsministeren &lt;em&gt;møter&lt;/em&gt; pressen</title>
    <link rel="alternate" type="text/html" href="artikler/1"/>
    <link rel="enclosure" href="bilde.jpg"/>
    <id>urn:uuid:1</id>
    <published>2022-02-15T10:20:30+01:00</published>
    <updated>2022-02-15T11:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Første <b>avsnitt</b>.</p><ul><li>En</li><li>To</li></ul><p>Andre avsnitt.</p></div></content>
  </entry>
  <entry xml:lang="nn">
    <title>Oppdatering</title>
    <link href="https://atom.example.no/artiklar/2"/>
    <id>urn:uuid:2</id>
    <updated>2022-02-16T08:00:00Z</updated>
    <summary type="html">&lt;p&gt;Kort &amp;amp; godt.&lt;/p&gt;</summary>
    <author><name>Kari</name></author>
  </entry>
  <entry>
    <title>Tekst</title>
    <id>urn:uuid:3</id>
    <updated>2022-02-16T09:00:00Z</updated>
    <content type="text">Linje én
og to.

Nytt avsnitt &lt;ikke tag&gt;</content>
  </entry>
</feed>)";

TEST(Feed, AtomTextHtmlAndXhtmlContent) {
  auto feed = ParseFeed(kAtom);
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  EXPECT_EQ(feed->format, "atom");
  EXPECT_EQ(feed->title, "Atom Nyheter");
  EXPECT_EQ(feed->url, "https://atom.example.no/");
  EXPECT_EQ(feed->lang, "nb");
  ASSERT_EQ(feed->items.size(), 3u);
  const FeedItem& a = feed->items[0];
  EXPECT_EQ(a.id, "urn:uuid:1");
  EXPECT_EQ(a.title, "Statsministeren møter pressen");
  EXPECT_EQ(a.text, "Første avsnitt.\n\nEn\nTo\n\nAndre avsnitt.");
  EXPECT_EQ(a.url, "https://atom.example.no/artikler/1");  // xml:base applied
  EXPECT_EQ(a.published, Iso("2022-02-15T09:20:30Z"));     // published before updated
  EXPECT_EQ(a.author, "Redaksjonen");                      // feed author inherited
  EXPECT_EQ(a.lang, "nb");
  const FeedItem& b = feed->items[1];
  EXPECT_EQ(b.text, "Kort & godt.");
  EXPECT_EQ(b.published, Iso("2022-02-16T08:00:00Z"));
  EXPECT_EQ(b.author, "Kari");
  EXPECT_EQ(b.lang, "nn");
  const FeedItem& c = feed->items[2];
  EXPECT_EQ(c.text, "Linje én\nog to.\n\nNytt avsnitt <ikke tag>");
  EXPECT_EQ(c.url, "");
  EXPECT_EQ(c.id, "urn:uuid:3");
}

TEST(Feed, AtomSingleEntryAndForeignNamespace) {
  auto entry = ParseFeed(
      R"(<entry xmlns="http://www.w3.org/2005/Atom"><title>Solo</title><id>x</id></entry>)");
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  ASSERT_EQ(entry->items.size(), 1u);
  EXPECT_EQ(entry->items[0].title, "Solo");
  auto other = ParseFeed(R"(<feed xmlns="urn:not-atom"><entry><title>x</title></entry></feed>)");
  EXPECT_FALSE(other.ok());
}

// ---------------------------------------------------------------------------
// JSON Feed

TEST(Feed, JsonFeed11) {
  const char* json = R"({
    "version": "https://jsonfeed.org/version/1.1",
    "title": "JSON News",
    "home_page_url": "https://json.example.com/",
    "feed_url": "https://json.example.com/feed.json",
    "language": "es",
    "authors": [{"name": "Equipo"}],
    "items": [
      {"id": "1", "url": "/a", "title": "Primera", "content_html": "<p>Hola <i>mundo</i>.</p><p>Adiós.</p>",
       "date_published": "2022-02-15T10:20:30Z"},
      {"id": 2, "url": "https://json.example.com/b", "content_text": "Solo texto.\n\nDos párrafos.",
       "date_modified": "2022-02-16T10:00:00-05:00", "language": "ca", "authors": [{"name": "Pau"}]},
      "not an object",
      {"id": "3", "title": "", "date_published": "yesterday", "summary": "Resumen."}
    ]})";
  auto feed = ParseFeed(json);
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  EXPECT_EQ(feed->format, "jsonfeed");
  EXPECT_EQ(feed->title, "JSON News");
  EXPECT_EQ(feed->url, "https://json.example.com/");
  EXPECT_EQ(feed->lang, "es");
  ASSERT_EQ(feed->items.size(), 3u);
  EXPECT_EQ(feed->items[0].id, "1");
  EXPECT_EQ(feed->items[0].url, "https://json.example.com/a");
  EXPECT_EQ(feed->items[0].text, "Hola mundo.\n\nAdiós.");
  EXPECT_EQ(feed->items[0].published, Iso("2022-02-15T10:20:30Z"));
  EXPECT_EQ(feed->items[0].author, "Equipo");
  EXPECT_EQ(feed->items[0].lang, "es");
  EXPECT_EQ(feed->items[1].id, "2");
  EXPECT_EQ(feed->items[1].text, "Solo texto.\n\nDos párrafos.");
  EXPECT_EQ(feed->items[1].published, Iso("2022-02-16T15:00:00Z"));
  EXPECT_EQ(feed->items[1].lang, "ca");
  EXPECT_EQ(feed->items[1].author, "Pau");
  EXPECT_EQ(feed->items[2].text, "Resumen.");
  EXPECT_FALSE(feed->items[2].published.has_value());
  ASSERT_EQ(feed->problems.size(), 2u);
  EXPECT_NE(feed->problems[0].find("item 3"), std::string::npos) << feed->problems[0];
  EXPECT_NE(feed->problems[1].find("bad_date"), std::string::npos) << feed->problems[1];
}

TEST(Feed, JsonFeed10AuthorAndErrors) {
  auto feed = ParseFeed(R"({"version":"https://jsonfeed.org/version/1","title":"Old",
    "author":{"name":"Solo Writer"},"items":[{"id":"a","content_text":"x"}]})");
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  ASSERT_EQ(feed->items.size(), 1u);
  EXPECT_EQ(feed->items[0].author, "Solo Writer");
  EXPECT_FALSE(ParseFeed(R"({"title":"no version","items":[]})").ok());
  EXPECT_FALSE(ParseFeed(R"({"version":"https://jsonfeed.org/version/1", "items": [)").ok());
  std::string deep = R"({"version":"https://jsonfeed.org/version/1","items":[)" +
                     std::string(100000, '[') + std::string(100000, ']') + "]}";
  auto d = ParseFeed(deep);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message().rfind("malformed_json", 0), 0u);
}

// ---------------------------------------------------------------------------
// Encodings

TEST(Feed, Windows1252Rss) {
  std::string rss =
      "<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n"
      "<rss version=\"2.0\"><channel><title>Caf\xE9 \x93Journal\x94</title>"
      "<item><title>Na\xEFve \x96 \x80"
      "5</title><description>R\xE9sum\xE9</description></item>"
      "</channel></rss>";
  auto feed = ParseFeed(rss);
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  EXPECT_EQ(feed->title, "Café “Journal”");
  ASSERT_EQ(feed->items.size(), 1u);
  EXPECT_EQ(feed->items[0].title, "Naïve – €5");
  EXPECT_EQ(feed->items[0].text, "Résumé");
}

TEST(Feed, Iso88591LabelOnLatin1BytesAndUtf8MislabelledIso88591) {
  std::string latin1 =
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel>"
      "<item><title>Gr\xFC\xDF Gott</title></item></channel></rss>";
  auto a = ParseFeed(latin1);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->items.size(), 1u);
  EXPECT_EQ(a->items[0].title, "Grüß Gott");

  std::string utf8 =
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel>"
      "<item><title>Grüß Gott – Ærø</title></item></channel></rss>";
  auto b = ParseFeed(utf8);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->items.size(), 1u);
  EXPECT_EQ(b->items[0].title, "Grüß Gott – Ærø");  // not "GrÃ¼ÃŸ"
}

TEST(Feed, HttpCharsetIsUsedForUndeclaredBytes) {
  // "Москва" in windows-1251, no encoding declaration in the document.
  std::string rss =
      "<rss version=\"2.0\"><channel><item><title>\xCC\xEE\xF1\xEA\xE2\xE0</title></item>"
      "</channel></rss>";
  auto feed = ParseFeedWithCharset(rss, "windows-1251");
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  ASSERT_EQ(feed->items.size(), 1u);
  EXPECT_EQ(feed->items[0].title, "Москва");
}

TEST(Feed, Utf16WithBom) {
  std::string ascii =
      "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\"><channel>"
      "<item><title>Wide \xC3\xA9t\xC3\xA9</title></item></channel></rss>";
  // Encode as UTF-16LE by hand (only ASCII and U+00E9 used).
  std::string bytes = "\xFF\xFE";
  for (size_t i = 0; i < ascii.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(ascii[i]);
    if (c == 0xC3) {
      bytes.push_back(static_cast<char>(0xC0 | (ascii[i + 1] & 0x3F)));
      bytes.push_back('\0');
      ++i;
    } else {
      bytes.push_back(static_cast<char>(c));
      bytes.push_back('\0');
    }
  }
  auto feed = ParseFeed(bytes);
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  ASSERT_EQ(feed->items.size(), 1u);
  EXPECT_EQ(feed->items[0].title, "Wide été");
  EXPECT_TRUE(LooksLikeFeed(bytes));
}

// ---------------------------------------------------------------------------
// Safety

TEST(Feed, BillionLaughsIsRefused) {
  const char* xml = R"(<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><item><title>&lol9;</title></item></channel></rss>)";
  auto feed = ParseFeed(xml);
  ASSERT_FALSE(feed.ok());
  EXPECT_EQ(feed.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(feed.status().message().find("entities"), std::string::npos) << feed.status().message();
  auto opml = ParseOpml(xml);
  EXPECT_FALSE(opml.ok());
  // Parameter entities, and a declaration after a comment with a quote in it.
  for (const char* doc : {R"(<!DOCTYPE r [<!ENTITY % a "aaaaaaaaaa"><!ENTITY % b "%a;%a;%a;%a;">
]><rss version="2.0"><channel><item><title>x</title></item></channel></rss>)",
                          R"(<!DOCTYPE rss [ <!-- don't --> <!ENTITY e "boom"> ]>
<rss version="2.0"><channel><item><title>&e;</title></item></channel></rss>)"}) {
    auto r = ParseFeed(doc);
    ASSERT_FALSE(r.ok()) << doc;
    EXPECT_EQ(r.status().message().rfind("entities:", 0), 0u) << r.status().message();
  }
}

TEST(Feed, ExternalEntityIsNotExpanded) {
  const char* xml = R"(<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<rss version="2.0"><channel><title>t</title>
<item><title>Leak &xxe; here</title><description>&xxe;</description></item></channel></rss>)";
  auto feed = ParseFeed(xml);
  if (feed.ok()) {
    for (const auto& item : feed->items) {
      EXPECT_EQ(item.title.find("root:"), std::string::npos);
      EXPECT_EQ(item.text.find("root:"), std::string::npos);
    }
  } else {
    EXPECT_NE(feed.status().message().find("entities"), std::string::npos);
  }
  // An external DTD is never loaded either.
  const char* dtd = R"(<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "file:///etc/passwd">
<rss version="2.0"><channel><item><title>Safe</title></item></channel></rss>)";
  auto ok = ParseFeed(dtd);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_EQ(ok->items.size(), 1u);
  EXPECT_EQ(ok->items[0].title, "Safe");
  // Nor is XInclude processed.
  auto xi = ParseFeed(R"(<rss version="2.0" xmlns:xi="http://www.w3.org/2001/XInclude"><channel>
<item><title>x</title><description><xi:include href="file:///etc/passwd" parse="text"/></description></item>
</channel></rss>)");
  ASSERT_TRUE(xi.ok());
  ASSERT_EQ(xi->items.size(), 1u);
  EXPECT_EQ(xi->items[0].text.find("root:"), std::string::npos);
}

TEST(Feed, TooLargeInputIsRefused) {
  std::string big = "<rss version=\"2.0\"><channel><title>";
  big.append(33u << 20, 'a');
  auto feed = ParseFeed(big);
  ASSERT_FALSE(feed.ok());
  EXPECT_EQ(feed.status().message().rfind("too_large", 0), 0u);
}

TEST(Feed, UnsafeLinksAreDropped) {
  auto feed = ParseFeed(
      R"(<rss version="2.0"><channel><item><title>x</title><link>javascript:alert(1)</link></item></channel></rss>)");
  ASSERT_TRUE(feed.ok());
  ASSERT_EQ(feed->items.size(), 1u);
  EXPECT_EQ(feed->items[0].url, "");
}

TEST(Feed, LinksAreResolvedAndCleaned) {
  auto feed = ParseFeed(R"(<rss version="2.0"><channel><title>x</title>
<item><title>a</title><link> a b.html </link></item>
<item><title>b</title><link>//cdn.example.org/x?q=1#frag</link></item>
<item><title>c</title><link>../up/ø.html</link></item>
<item><title>d</title><link>https://other.example/ø</link></item>
</channel></rss>)",
                        "https://news.example.com/dir/feed.xml");
  ASSERT_TRUE(feed.ok());
  ASSERT_EQ(feed->items.size(), 4u);
  EXPECT_EQ(feed->items[0].url, "https://news.example.com/dir/a%20b.html");
  EXPECT_EQ(feed->items[1].url, "https://cdn.example.org/x?q=1#frag");
  EXPECT_EQ(feed->items[2].url, "https://news.example.com/up/%C3%B8.html");
  EXPECT_EQ(feed->items[3].url, "https://other.example/ø");  // absolute: kept as written
}

// ---------------------------------------------------------------------------
// Leniency

TEST(Feed, BrokenItemKeepsTheOthers) {
  const char* rss = R"(<rss version="2.0"><channel><title>Mixed</title>
<item><title>Good one</title><description>First.</description></item>
<item><description>   </description></item>
<item><title>Bad date</title><pubDate>not a date</pubDate></item>
<item><title>Broken <b>markup</title><description>Unclosed</item>
<item><title>Good two</title><description>Last.</description></item>
</channel></rss>)";
  auto feed = ParseFeed(rss);
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  std::vector<std::string> titles;
  for (const auto& item : feed->items) titles.push_back(item.title);
  ASSERT_GE(titles.size(), 3u);
  EXPECT_EQ(titles.front(), "Good one");
  EXPECT_NE(std::find(titles.begin(), titles.end(), "Bad date"), titles.end());
  EXPECT_EQ(titles.back(), "Good two");
  EXPECT_EQ(feed->items.back().text, "Last.");
  bool empty_reported = false, date_reported = false, xml_reported = false;
  for (const auto& p : feed->problems) {
    empty_reported |= p.rfind("empty_item", 0) == 0;
    date_reported |= p.rfind("bad_date", 0) == 0;
    xml_reported |= p.rfind("malformed_xml", 0) == 0;
  }
  EXPECT_TRUE(empty_reported);
  EXPECT_TRUE(date_reported);
  EXPECT_TRUE(xml_reported);
}

TEST(Feed, MalformedAndForeignDocumentsAreRefused) {
  EXPECT_FALSE(ParseFeed("").ok());
  EXPECT_FALSE(ParseFeed("   \n").ok());
  EXPECT_FALSE(ParseFeed("just some text").ok());
  EXPECT_FALSE(ParseFeed("<html><body><p>page</p></body></html>").ok());
  EXPECT_FALSE(ParseFeed("<?xml version=\"1.0\"?><note><to>x</to></note>").ok());
  EXPECT_FALSE(
      ParseFeed("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>").ok());
  auto r = ParseFeed("<html><body>x</body></html>");
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("not_a_feed", 0), 0u) << r.status().message();
}

TEST(Feed, LimitsOnItemsAndText) {
  std::string rss = "<rss version=\"2.0\"><channel>";
  for (int i = 0; i < 5; ++i)
    rss += "<item><title>t" + std::to_string(i) + "</title><description>" + std::string(100, 'x') +
           " \xC3\xA9" + "</description></item>";
  rss += "</channel></rss>";
  FeedLimits limits;
  limits.max_items = 3;
  limits.max_text_bytes = 102;  // cuts inside "é": the cut moves back
  auto feed = ParseFeed(rss, {}, limits);
  ASSERT_TRUE(feed.ok());
  ASSERT_EQ(feed->items.size(), 3u);
  EXPECT_EQ(feed->items[0].text, std::string(100, 'x') + " ");
  EXPECT_TRUE(IsValidUtf8(feed->items[0].text));
  bool truncated_items = false;
  for (const auto& p : feed->problems) truncated_items |= p.find("more than 3 items") != p.npos;
  EXPECT_TRUE(truncated_items);
}

TEST(Feed, LooksLikeFeed) {
  EXPECT_TRUE(LooksLikeFeed(kRss20));
  EXPECT_TRUE(LooksLikeFeed(kAtom));
  EXPECT_TRUE(LooksLikeFeed("\xEF\xBB\xBF<!-- c --><rss version=\"2.0\"/>"));
  EXPECT_TRUE(
      LooksLikeFeed("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
                    "xmlns=\"http://purl.org/rss/1.0/\">"));
  EXPECT_TRUE(LooksLikeFeed("{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": []}"));
  EXPECT_FALSE(LooksLikeFeed("{\"id\": 1, \"text\": \"jsonl\"}"));
  EXPECT_FALSE(LooksLikeFeed("<!DOCTYPE html><html><head><title>rss</title></head></html>"));
  EXPECT_FALSE(LooksLikeFeed("<feed><entry/></feed>"));  // no Atom namespace
  EXPECT_FALSE(LooksLikeFeed(""));
  EXPECT_FALSE(LooksLikeFeed("Plain text about <rss> feeds."));
}

TEST(Feed, FeedToArticles) {
  auto feed = ParseFeed(kRss20);
  ASSERT_TRUE(feed.ok());
  feed->items.push_back(FeedItem{"empty-1", "", "  ", "https://x/1", std::nullopt, "", ""});
  IngestBatch batch;
  FeedToArticles(*feed, "feeds/example.xml", &batch);
  ASSERT_EQ(batch.articles.size(), 2u);
  const Article& a = batch.articles[0];
  EXPECT_EQ(a.id, "geneva-1");
  EXPECT_EQ(a.title, "Leaders meet in Geneva");
  EXPECT_EQ(a.text, "Talks began on Tuesday.");
  EXPECT_EQ(a.url, "https://news.example.com/2022/02/geneva");
  EXPECT_EQ(a.published, Iso("2022-02-15T10:20:30Z"));
  EXPECT_EQ(a.source, "Example News");
  EXPECT_EQ(a.lang_hint, "en-us");
  EXPECT_EQ(a.origin, "feeds/example.xml:1");
  ASSERT_EQ(batch.rejects.size(), 1u);
  EXPECT_EQ(batch.rejects[0].reason, "empty");
  EXPECT_EQ(batch.rejects[0].origin, "feeds/example.xml:3");
}

// ---------------------------------------------------------------------------
// OPML

TEST(Opml, NestedOutlinesAreFlattenedInOrder) {
  const char* opml = R"(<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Subscriptions</title></head>
  <body>
    <outline text="News">
      <outline text="World" title="World &amp; Politics" type="rss"
               xmlUrl="https://a.example/feed" htmlUrl="https://a.example/"/>
      <outline text="Deeper">
        <outline text="Deep feed" xmlurl=" https://b.example/rss "/>
      </outline>
    </outline>
    <outline text="No feed here" htmlUrl="https://c.example/"/>
    <outline text="Top" xmlUrl="https://d.example/atom"/>
  </body>
</opml>)";
  auto outlines = ParseOpml(opml);
  ASSERT_TRUE(outlines.ok()) << outlines.status().ToString();
  ASSERT_EQ(outlines->size(), 3u);
  EXPECT_EQ((*outlines)[0].title, "World & Politics");
  EXPECT_EQ((*outlines)[0].xml_url, "https://a.example/feed");
  EXPECT_EQ((*outlines)[0].html_url, "https://a.example/");
  EXPECT_EQ((*outlines)[1].title, "Deep feed");
  EXPECT_EQ((*outlines)[1].xml_url, "https://b.example/rss");
  EXPECT_EQ((*outlines)[2].xml_url, "https://d.example/atom");
}

TEST(Opml, NotOpmlIsRefused) {
  auto r = ParseOpml(kRss20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("not_opml", 0), 0u);
  EXPECT_FALSE(ParseOpml("").ok());
  EXPECT_FALSE(ParseOpml("{}").ok());
  auto empty = ParseOpml("<opml version=\"1.0\"><body/></opml>");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

// ---------------------------------------------------------------------------
// Dates

TEST(FeedDate, Rfc822Forms) {
  const int64_t t = Iso("2022-02-15T10:20:30Z");
  EXPECT_EQ(ParseFeedDate("Tue, 15 Feb 2022 10:20:30 GMT"), t);
  EXPECT_EQ(ParseFeedDate("Tue, 15 Feb 2022 10:20:30 UTC"), t);
  EXPECT_EQ(ParseFeedDate("Tue, 15 Feb 2022 10:20:30 Z"), t);
  EXPECT_EQ(ParseFeedDate("15 Feb 2022 10:20:30 GMT"), t);     // no weekday
  EXPECT_EQ(ParseFeedDate("Tue, 15 Feb 22 10:20:30 GMT"), t);  // 2-digit year
  EXPECT_EQ(ParseFeedDate("Tue, 15 Feb 2022 11:20:30 +0100"), t);
  EXPECT_EQ(ParseFeedDate("Tue, 15 Feb 2022 05:20:30 -0500"), t);
  EXPECT_EQ(ParseFeedDate("Tue, 15 Feb 2022 05:20:30 EST"), t);
  EXPECT_EQ(ParseFeedDate("Tue, 15 Feb 2022 06:20:30 EDT"), t);
  EXPECT_EQ(ParseFeedDate("Tue, 15 Feb 2022 04:20:30 CST"), t);
  EXPECT_EQ(ParseFeedDate("Tue, 15 Feb 2022 05:20:30 CDT"), t);
  EXPECT_EQ(ParseFeedDate("Tue, 15 Feb 2022 03:20:30 MST"), t);
  EXPECT_EQ(ParseFeedDate("Tue, 15 Feb 2022 04:20:30 MDT"), t);
  EXPECT_EQ(ParseFeedDate("Tue, 15 Feb 2022 02:20:30 PST"), t);
  EXPECT_EQ(ParseFeedDate("Tue, 15 Feb 2022 03:20:30 PDT"), t);
  EXPECT_EQ(ParseFeedDate("Tue, 15 Feb 2022 11:20:30 +01:00"), t);
  EXPECT_EQ(ParseFeedDate("  tuesday, 15 february 2022 10:20:30 gmt "), t);
  EXPECT_EQ(ParseFeedDate("Tue, 15 Feb 2022 11:20:30 +0100 (CET)"), t);
  EXPECT_EQ(ParseFeedDate("Tue, 15 Feb 2022 10:20:30"), t);  // no zone: UTC
  EXPECT_EQ(ParseFeedDate("Tue, 15 Feb 2022 10:20 GMT"), t - 30);
  EXPECT_EQ(ParseFeedDate("Tue, 5 Feb 2022 00:00:00 GMT"), Iso("2022-02-05"));
  EXPECT_EQ(ParseFeedDate("15 Feb 2022"), Iso("2022-02-15"));
  EXPECT_EQ(ParseFeedDate("15-Feb-2022 10:20:30 GMT"), t);
  EXPECT_EQ(ParseFeedDate("Tue Feb 15 10:20:30 2022"), t);  // asctime
  EXPECT_EQ(ParseFeedDate("Sun, 01 Jan 99 00:00:00 GMT"), Iso("1999-01-01"));
  EXPECT_EQ(ParseFeedDate("Tue, 15 Feb 2022 10:20:30 GMT+0100"), t - 3600);
  EXPECT_EQ(ParseFeedDate("Tue, 15 Feb 2022 10:20:30 CET"), t - 3600);
  EXPECT_EQ(ParseFeedDate("Feb 15, 2022 10:20:30 PM GMT"), t + 12 * 3600);
}

TEST(FeedDate, IsoForms) {
  const int64_t t = Iso("2022-02-15T10:20:30Z");
  EXPECT_EQ(ParseFeedDate("2022-02-15T10:20:30Z"), t);
  EXPECT_EQ(ParseFeedDate("2022-02-15T10:20:30.123Z"), t);
  EXPECT_EQ(ParseFeedDate("2022-02-15T11:20:30+01:00"), t);
  EXPECT_EQ(ParseFeedDate("2022-02-15T11:20:30+0100"), t);
  EXPECT_EQ(ParseFeedDate("2022-02-15 10:20:30"), t);
  EXPECT_EQ(ParseFeedDate("2022-02-15 11:20:30 +0100"), t);
  EXPECT_EQ(ParseFeedDate("2022-02-15 10:20:30 UTC"), t);
  EXPECT_EQ(ParseFeedDate("2022-02-15t10:20:30z"), t);
  EXPECT_EQ(ParseFeedDate("2022-02-15"), Iso("2022-02-15"));
  EXPECT_EQ(ParseFeedDate("2022-02"), Iso("2022-02-01"));
}

TEST(FeedDate, GarbageIsRejected) {
  for (const char* s : {"", "   ", "yesterday", "Tue, 32 Feb 2022 10:20:30 GMT",
                        "Tue, 30 Feb 2022 10:20:30 GMT", "Tue, 15 Foo 2022 10:20:30 GMT",
                        "Tue, 15 Feb 2022 25:20:30 GMT", "Tue, 15 Feb 2022 10:61:30 GMT", "15 Feb",
                        "Feb 2022", "2022-02-30", "2022-13-01", "Tue, 15 Feb 2022 10:20:30 +9999",
                        "Tue, 15 Feb 2022 10:20:30 GMT extra words here", "12345678901234567890"}) {
    EXPECT_FALSE(ParseFeedDate(s).has_value()) << s;
  }
}

// Regression test (issue 10): "Fri, 31 Dec 9999 23:59:59 GMT" was
// "unparseable" (the RFC 822 parser refused years outside 1800-3000) and the
// item was stored undated. Every year the date can spell is returned now;
// the engine decides what is plausible.
TEST(FeedDate, EveryFourDigitYear) {
  EXPECT_EQ(ParseFeedDate("Fri, 31 Dec 9999 23:59:59 GMT"), 253402300799);
  EXPECT_EQ(ParseFeedDate("31 Dec 9999"), Iso("9999-12-31"));
  EXPECT_EQ(ParseFeedDate("Mon, 01 Jan 0001 00:00:00 GMT"), -62135596800);
  EXPECT_EQ(ParseFeedDate("Mon, 01 Jan 0001 01:00:00 +0100"), -62135596800);
  EXPECT_EQ(ParseFeedDate("Sat, 14 Jul 1789 12:00:00 GMT"), Iso("1789-07-14T12:00:00Z"));
  EXPECT_EQ(ParseFeedDate("Wed, 01 Jan 3001 00:00:00 GMT"), Iso("3001-01-01"));
  EXPECT_EQ(ParseFeedDate("Tue, 29 Feb 2000 00:00:00 GMT"), Iso("2000-02-29"));
  EXPECT_EQ(ParseFeedDate("9999-12-31T23:59:59Z"), 253402300799);
  EXPECT_EQ(ParseFeedDate("0001-01-01T00:00:00Z"), -62135596800);
  // Still malformed: no such day, five-digit years.
  for (const char* s : {"Mon, 29 Feb 2100 00:00:00 GMT", "Fri, 31 Dec 10000 23:59:59 GMT",
                        "Fri, 31 Nov 9999 23:59:59 GMT", "9999-02-29", "10000-01-01"}) {
    EXPECT_FALSE(ParseFeedDate(s).has_value()) << s;
  }
}

// Issue 10: JSON values of any type are read without throwing; a numeric id
// above INT64_MAX is kept as written (it came out as "-1").
TEST(Feed, JsonFeedOddValueTypes) {
  auto feed = ParseFeed(R"({"version": "https://jsonfeed.org/version/1", "title": 7,
"items": [{"id": 18446744073709551615, "title": "Big id", "date_published": 12},
          {"id": -5, "title": ["x"], "content_text": {"a": 1}, "url": 1.5, "summary": "s"},
          {"id": true, "title": "T", "authors": [7, {"name": 8}], "language": null}]})");
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  ASSERT_EQ(feed->items.size(), 3u);
  EXPECT_EQ(feed->items[0].id, "18446744073709551615");
  EXPECT_FALSE(feed->items[0].published);
  EXPECT_EQ(feed->items[1].id, "-5");
  EXPECT_EQ(feed->items[1].text, "s");
  EXPECT_FALSE(feed->items[2].id.empty());
}

// Year 9999 and year 1 in every feed format: a date, not a "bad_date".
TEST(FeedDate, ExtremeYearsInEveryFormat) {
  const int64_t max = 253402300799;  // 9999-12-31T23:59:59Z
  const int64_t one = -62135596800;  // 0001-01-01T00:00:00Z
  auto no_bad_date = [](const Feed& f) {
    for (const auto& p : f.problems)
      if (p.rfind("bad_date", 0) == 0) return false;
    return true;
  };
  auto rss = ParseFeed(R"(<rss version="2.0"><channel><title>T</title>
<item><title>Far</title><guid>r1</guid><pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate></item>
<item><title>Early</title><guid>r2</guid><pubDate>Mon, 01 Jan 0001 00:00:00 GMT</pubDate></item>
</channel></rss>)");
  ASSERT_TRUE(rss.ok()) << rss.status().ToString();
  ASSERT_EQ(rss->items.size(), 2u);
  EXPECT_EQ(rss->items[0].published, max);
  EXPECT_EQ(rss->items[1].published, one);
  EXPECT_TRUE(no_bad_date(*rss));

  auto atom = ParseFeed(R"(<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><title>Far</title><id>a1</id><updated>9999-12-31T23:59:59Z</updated></entry>
<entry><title>Early</title><id>a2</id><published>0001-01-01T00:00:00Z</published></entry>
</feed>)");
  ASSERT_TRUE(atom.ok()) << atom.status().ToString();
  ASSERT_EQ(atom->items.size(), 2u);
  EXPECT_EQ(atom->items[0].published, max);
  EXPECT_EQ(atom->items[1].published, one);
  EXPECT_TRUE(no_bad_date(*atom));

  auto json = ParseFeed(R"({"version": "https://jsonfeed.org/version/1.1", "title": "T",
"items": [{"id": "j1", "title": "Far", "date_published": "9999-12-31T23:59:59Z"},
          {"id": "j2", "title": "Early", "date_published": "0001-01-01T00:00:00+00:00"}]})");
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  ASSERT_EQ(json->items.size(), 2u);
  EXPECT_EQ(json->items[0].published, max);
  EXPECT_EQ(json->items[1].published, one);
  EXPECT_TRUE(no_bad_date(*json));
}

}  // namespace
}  // namespace storyline
