// End-to-end tests of reading every input format through Engine::IngestPaths:
// RSS 2.0, Atom, JSON Feed, an OPML list of local feed files, an HTML page,
// plain text in windows-1252 and in UTF-16LE, and a broken feed that is
// rejected without costing the others. Everything stored must be valid UTF-8.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/text.h"
#include "engine/engine.h"
#include "testing.h"

namespace storyline {
namespace {

using testing::TempDir;

void WriteFile(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// UTF-16LE with a byte-order mark (BMP text only).
std::string Utf16LeWithBom(const std::u16string& s) {
  std::string out = "\xFF\xFE";
  for (char16_t c : s) {
    out.push_back(static_cast<char>(c & 0xFF));
    out.push_back(static_cast<char>(c >> 8));
  }
  return out;
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::unique_ptr<Engine> OpenEngine(const std::string& db) { return testing::OpenTestEngine(db); }

// Every stored article, by id.
std::map<std::string, StoredArticle> AllArticles(Engine& e) {
  std::set<std::string> stories;
  Status s = e.store().ForEachAssignment([&](const std::string&, const std::string& story,
                                             const std::string&) { stories.insert(story); });
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::map<std::string, StoredArticle> out;
  for (const auto& story : stories) {
    auto articles = e.store().StoryArticles(story);
    EXPECT_TRUE(articles.ok()) << articles.status().ToString();
    if (!articles.ok()) continue;
    for (auto& a : *articles) out[a.article.id] = a;
  }
  return out;
}

std::vector<Reject> RejectsUnder(Engine& e, const std::string& path) {
  std::vector<Reject> out;
  auto all = e.store().ListRejects(-1);
  EXPECT_TRUE(all.ok()) << all.status().ToString();
  if (!all.ok()) return out;
  for (const auto& [r, at] : *all)
    if (StartsWith(r.origin, path)) out.push_back(r);
  return out;
}

bool HasRepairStartingWith(const StoredArticle& a, const std::string& prefix) {
  for (const auto& r : a.article.repairs)
    if (StartsWith(r, prefix)) return true;
  return false;
}

// ---------------------------------------------------------------------------
// Inputs. All text is original, written for these tests.

constexpr char kRss[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>The Coastal Courier</title>
  <link>https://coastal.example/</link>
  <language>en-GB</language>
  <item>
    <title>Ferry operator orders two electric vessels</title>
    <link>https://coastal.example/news/electric-ferries</link>
    <guid isPermaLink="false">coastal-2026-031</guid>
    <pubDate>Tue, 10 Feb 2026 08:00:00 GMT</pubDate>
    <description>The island ferry company has signed a contract for two battery-powered boats that will replace its diesel fleet on the short crossing by the spring of 2028. The shipyard expects to start cutting steel this summer, and the harbour will need a new charging station before the first vessel arrives.</description>
  </item>
  <item>
    <title>School meals programme expanded to all primary pupils</title>
    <link>https://coastal.example/news/school-meals</link>
    <guid isPermaLink="false">coastal-2026-032</guid>
    <pubDate>Tue, 10 Feb 2026 13:30:00 GMT</pubDate>
    <content:encoded><![CDATA[<p>Every primary pupil in the county will receive a free hot lunch from August, the education committee decided on Tuesday.</p><p>Head teachers said kitchens in several older schools would have to be rebuilt, and parents asked for more vegetarian options on the menu.</p>]]></content:encoded>
  </item>
</channel>
</rss>
)";

constexpr char kAtom[] = R"(<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">
  <title>Rheinufer Anzeiger</title>
  <id>urn:uuid:2b4f7c1e-8d3a-4e56-9f01-a2b3c4d5e6f7</id>
  <updated>2026-02-11T12:40:00+01:00</updated>
  <link href="https://rheinufer.example/"/>
  <entry>
    <title>Stadtrat beschließt neuen Radweg am Flussufer</title>
    <id>urn:uuid:3c5e8d2f-9e4b-4f67-8012-b3c4d5e6f708</id>
    <link href="https://rheinufer.example/lokales/radweg-flussufer"/>
    <published>2026-02-11T07:15:00+01:00</published>
    <content type="text">Der Stadtrat hat am Mittwoch mit großer Mehrheit den Bau eines vier Kilometer langen Radwegs entlang des Flussufers beschlossen. Die Arbeiten sollen im Herbst beginnen und etwa ein Jahr dauern. Anwohner hatten sich seit langem über den gefährlichen Verkehr auf der Uferstraße beschwert.</content>
  </entry>
  <entry>
    <title>Hallenbad öffnet nach Sanierung wieder</title>
    <id>urn:uuid:4d6f9e30-af5c-4078-9123-c4d5e6f70819</id>
    <link href="https://rheinufer.example/lokales/hallenbad"/>
    <published>2026-02-11T11:40:00Z</published>
    <summary type="html">&lt;p&gt;Nach zwei Jahren Umbau ist das städtische Hallenbad ab Samstag wieder geöffnet. Neu sind ein Kinderbecken, eine Sauna und längere Öffnungszeiten am Wochenende.&lt;/p&gt;</summary>
  </entry>
</feed>
)";

constexpr char kJsonFeed[] = R"({
  "version": "https://jsonfeed.org/version/1.1",
  "title": "Le Petit Quotidien",
  "home_page_url": "https://quotidien.example/",
  "language": "fr",
  "items": [
    {
      "id": "jf-2026-0212-marche",
      "url": "https://quotidien.example/ville/marche-couvert",
      "title": "Le marché couvert rouvre après deux ans de travaux",
      "content_text": "Le marché couvert du centre-ville a rouvert ses portes jeudi matin après deux ans de rénovation. Une quarantaine de commerçants ont retrouvé leurs étals, et la mairie promet des horaires plus longs le samedi.\n\nLes habitants ont salué la nouvelle verrière, même si certains regrettent la hausse des loyers pour les petits producteurs.",
      "date_published": "2026-02-12T09:00:00+01:00"
    },
    {
      "id": "jf-2026-0212-biblio",
      "url": "https://quotidien.example/culture/bibliotheques-dimanche",
      "title": "Les bibliothèques prolongent leurs horaires le dimanche",
      "content_html": "<p>À partir du mois prochain, les trois bibliothèques municipales seront ouvertes le dimanche après-midi.</p><p>La ville financera cette ouverture grâce à une subvention régionale destinée à la lecture publique.</p>",
      "date_published": "2026-02-12T16:45:00Z"
    }
  ]
}
)";

// Listed by the OPML file. No language declared: detected from the text.
constexpr char kListedRss[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
  <title>Headland Weekly</title>
  <link>https://headland.example/</link>
  <item>
    <title>Lighthouse keeper's cottage to become a small museum</title>
    <link>https://headland.example/stories/lighthouse-museum</link>
    <guid isPermaLink="false">headland-0213-lighthouse</guid>
    <pubDate>Fri, 13 Feb 2026 09:00:00 GMT</pubDate>
    <description>The old keeper's cottage beside the northern lighthouse will open as a museum next summer after a local trust raised the money to repair its roof. Volunteers have collected logbooks, lamps and photographs from families whose grandparents kept the light burning through the war years.</description>
  </item>
</channel>
</rss>
)";

constexpr char kListedJson[] = R"({
  "version": "https://jsonfeed.org/version/1",
  "title": "Förortsbladet",
  "language": "sv",
  "items": [
    {
      "id": "fb-0213-buss",
      "url": "https://fororts.example/nyheter/ny-busslinje",
      "title": "Ny busslinje knyter ihop förorterna",
      "content_text": "Från och med augusti kör en ny busslinje mellan de norra och södra förorterna utan att passera centrum. Regionen räknar med att resan för många pendlare blir en kvart kortare, och bussarna ska gå var tionde minut under rusningstid.",
      "date_published": "2026-02-13T10:00:00Z"
    }
  ]
}
)";

std::string Opml(const std::vector<std::string>& paths) {
  std::string out = R"(<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Local files</title></head>
  <body>
)";
  for (const auto& p : paths) out += "    <outline text=\"local\" xmlUrl=\"" + p + "\"/>\n";
  out += "  </body>\n</opml>\n";
  return out;
}

// A Norwegian article in windows-1252: å = E5, ø = F8, é = E9, æ = E6, and
// the typographic quotes and dash of 1252 (93, 94, 96).
const std::string kCp1252Text =
    "Nytt caf\xE9 \xE5pner p\xE5 torget i Troms\xF8\n"
    "\n"
    "Et nytt caf\xE9 \xE5pner d\xF8rene p\xE5 torget i Troms\xF8 til helgen. Eierne har pusset "
    "opp det gamle bakeriet i over et \xE5r, og lover kaffe fra lokale brennerier og "
    "boller bakt hver morgen.\n"
    "\n"
    "\x93Vi \xF8nsket et sted der folk kan m\xF8tes uten \xE5 ha det travelt\x94, sier daglig "
    "leder Ingrid Mathisen. Kommunen har gitt tillatelse til uteservering fra mai "
    "\x96 s\xE5 lenge v\xE6ret tillater det.\n";

const std::u16string kUtf16Text =
    u"Wind farm off Tromsø approved after two-year review\n"
    u"\n"
    u"The energy ministry has approved a floating wind farm west of Tromsø, ending a review "
    u"that took more than two years. Fishermen had warned that the turbines would close "
    u"traditional fishing grounds, and the developer has agreed to keep two corridors open "
    u"for boats. Construction is planned to start in 2027.\n";

// Malformed beyond repair: a stray '&', and the document ends mid-tag before
// any item. Recovery finds nothing to keep.
constexpr char kBrokenFeed[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
  <title>Broken & Co</title>
  <link>https://broken.example/</lin
)";

// Partly broken: the first item is fine, the second has mismatched tags and
// the document is cut off. The parser recovers item by item (feed.h), so the
// good item is kept and the problems are recorded.
constexpr char kPartlyBrokenFeed[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
  <title>Valley Post</title>
  <language>en</language>
  <item>
    <title>Flood barrier passes its first winter test</title>
    <guid isPermaLink="false">valley-0214-barrier</guid>
    <pubDate>Sat, 14 Feb 2026 07:00:00 GMT</pubDate>
    <description>The new flood barrier on the lower river held back the highest water in twelve years during the storm on Friday night, the water authority said. Shops along the embankment stayed dry for the first time since the barrier was built.</description>
  </item>
  <item>
    <title>Market hall <b>rent dispute</title>
    <guid isPermaLink="false">valley-0214-rent</guid>
    <description>Traders and the council could not agree
)";

class IngestFormatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.File("news.rss"), kRss);
    WriteFile(dir_.File("bulletin.atom"), kAtom);
    WriteFile(dir_.File("feed.json"), kJsonFeed);
    WriteFile(dir_.File("listed/headland.xml"), kListedRss);
    WriteFile(dir_.File("listed/forort.json"), kListedJson);
    WriteFile(dir_.File("subscriptions.opml"),
              Opml({dir_.File("listed/headland.xml"), dir_.File("listed/forort.json")}));
    const std::string page = testing::SourceDir() + "/tests/pages/norwegian.html";
    has_page_ = std::filesystem::exists(page);
    if (has_page_) WriteFile(dir_.File("fergekai.html"), ReadFile(page));
    WriteFile(dir_.File("cafe-1252.txt"), kCp1252Text);
    WriteFile(dir_.File("vind-utf16.txt"), Utf16LeWithBom(kUtf16Text));
    WriteFile(dir_.File("broken.xml"), kBrokenFeed);
    WriteFile(dir_.File("partly-broken.xml"), kPartlyBrokenFeed);
  }

  std::vector<std::string> Inputs() const {
    std::vector<std::string> in = {dir_.File("news.rss"),      dir_.File("bulletin.atom"),
                                   dir_.File("feed.json"),     dir_.File("subscriptions.opml"),
                                   dir_.File("cafe-1252.txt"), dir_.File("vind-utf16.txt"),
                                   dir_.File("broken.xml")};
    if (has_page_) in.push_back(dir_.File("fergekai.html"));
    return in;
  }

  TempDir dir_;
  bool has_page_ = false;
};

struct Expected {
  std::string id, title, lang;
  std::optional<int64_t> published;
  std::string url;     // "" = not checked
  std::string phrase;  // must occur in the stored text
  bool from_metadata;  // language declared by the document
};

TEST_F(IngestFormatsTest, EveryFormatEndToEnd) {
  auto engine = OpenEngine(dir_.File("formats.db"));
  ASSERT_TRUE(engine);
  auto sum = engine->IngestPaths(Inputs());
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();

  std::vector<Expected> expected = {
      // RSS 2.0 (description; content:encoded with CDATA).
      {"coastal-2026-031", "Ferry operator orders two electric vessels", "en", 1770710400,
       "https://coastal.example/news/electric-ferries", "battery-powered boats", true},
      {"coastal-2026-032", "School meals programme expanded to all primary pupils", "en",
       1770730200, "https://coastal.example/news/school-meals", "vegetarian options", true},
      // Atom (text content; html summary).
      {"urn:uuid:3c5e8d2f-9e4b-4f67-8012-b3c4d5e6f708",
       "Stadtrat beschließt neuen Radweg am Flussufer", "de", 1770790500,
       "https://rheinufer.example/lokales/radweg-flussufer", "gefährlichen Verkehr", true},
      {"urn:uuid:4d6f9e30-af5c-4078-9123-c4d5e6f70819", "Hallenbad öffnet nach Sanierung wieder",
       "de", 1770810000, "https://rheinufer.example/lokales/hallenbad", "Kinderbecken", true},
      // JSON Feed (content_text; content_html).
      {"jf-2026-0212-marche", "Le marché couvert rouvre après deux ans de travaux", "fr",
       1770883200, "https://quotidien.example/ville/marche-couvert", "nouvelle verrière", true},
      {"jf-2026-0212-biblio", "Les bibliothèques prolongent leurs horaires le dimanche", "fr",
       1770914700, "https://quotidien.example/culture/bibliotheques-dimanche",
       "subvention régionale", true},
      // Through the OPML list.
      {"headland-0213-lighthouse", "Lighthouse keeper's cottage to become a small museum", "en",
       1770973200, "https://headland.example/stories/lighthouse-museum", "logbooks, lamps", false},
      {"fb-0213-buss", "Ny busslinje knyter ihop förorterna", "sv", 1770976800,
       "https://fororts.example/nyheter/ny-busslinje", "rusningstid", true},
      // Plain text in windows-1252 and UTF-16LE; the id is the file stem.
      {"cafe-1252", "Nytt café åpner på torget i Tromsø", "no", std::nullopt, "",
       "“Vi ønsket et sted der folk kan møtes uten å ha det travelt”", false},
      {"vind-utf16", "Wind farm off Tromsø approved after two-year review", "en", std::nullopt, "",
       "floating wind farm west of Tromsø", false},
  };
  if (has_page_) {
    expected.push_back({"fergekai", "Ny fergekai i Nordvik blir et år forsinket", "no",
                        ParseIsoDate("2023-02-08T06:30:12+01:00"), "", "– Vi kan ikke ta sjanser",
                        true});
  }

  EXPECT_EQ(sum->stored, static_cast<int64_t>(expected.size()));
  auto articles = AllArticles(*engine);
  EXPECT_EQ(articles.size(), expected.size());
  auto count = engine->store().CountArticles();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, static_cast<int64_t>(expected.size()));

  for (const auto& x : expected) {
    SCOPED_TRACE(x.id);
    auto it = articles.find(x.id);
    ASSERT_NE(it, articles.end());
    const StoredArticle& a = it->second;
    EXPECT_EQ(a.article.title, x.title);
    EXPECT_EQ(a.lang, x.lang) << "method " << a.lang_method;
    if (x.from_metadata) {
      EXPECT_EQ(a.lang_method, "metadata");
    } else {
      EXPECT_NE(a.lang_method, "metadata");  // detected from the text
    }
    EXPECT_EQ(a.article.published, x.published);
    if (!x.url.empty()) {
      EXPECT_EQ(a.article.url, x.url);
    }
    EXPECT_NE(a.article.text.find(x.phrase), std::string::npos) << a.article.text;
    EXPECT_EQ(a.article.text.find('<'), std::string::npos) << "markup left: " << a.article.text;
    EXPECT_TRUE(IsValidUtf8(a.article.id));
    EXPECT_TRUE(IsValidUtf8(a.article.title)) << a.article.title;
    EXPECT_TRUE(IsValidUtf8(a.article.text)) << a.article.text;
    EXPECT_TRUE(IsValidUtf8(a.article.source)) << a.article.source;
    EXPECT_EQ(a.article.title.find("\xEF\xBF\xBD"), std::string::npos) << "U+FFFD in title";
    EXPECT_EQ(a.article.text.find("\xEF\xBF\xBD"), std::string::npos) << "U+FFFD in text";
  }

  // Sources come from the feed titles.
  EXPECT_EQ(articles["coastal-2026-031"].article.source, "The Coastal Courier");
  EXPECT_EQ(articles["fb-0213-buss"].article.source, "Förortsbladet");

  // The decoded text files say how they were decoded; UTF-8 inputs do not.
  EXPECT_TRUE(HasRepairStartingWith(articles["cafe-1252"], "charset:"));
  bool says_1252 = false;
  for (const auto& r : articles["cafe-1252"].article.repairs)
    says_1252 |= r.find("windows-1252") != std::string::npos;
  EXPECT_TRUE(says_1252) << ::testing::PrintToString(articles["cafe-1252"].article.repairs);
  EXPECT_TRUE(HasRepairStartingWith(articles["vind-utf16"], "charset:"));
  EXPECT_FALSE(HasRepairStartingWith(articles["coastal-2026-031"], "charset:"));
  if (has_page_) {
    EXPECT_FALSE(HasRepairStartingWith(articles["fergekai"], "charset:"));
  }

  // The broken feed is rejected, with a reason and a message saying what was
  // wrong; nothing of it is stored and nothing else is rejected.
  auto broken = RejectsUnder(*engine, dir_.File("broken.xml"));
  ASSERT_FALSE(broken.empty());
  bool says_malformed = false;
  for (const auto& r : broken) {
    EXPECT_FALSE(r.reason.empty());
    EXPECT_FALSE(r.message.empty());
    EXPECT_TRUE(IsValidUtf8(r.message));
    says_malformed |= StartsWith(r.message, "malformed_xml:");
  }
  EXPECT_TRUE(says_malformed) << broken[0].reason << ": " << broken[0].message;
  EXPECT_EQ(sum->rejected, static_cast<int64_t>(broken.size()));
  for (const auto& [id, a] : articles)
    EXPECT_FALSE(StartsWith(a.article.origin, dir_.File("broken.xml")))
        << id << " title=[" << a.article.title << "] text=[" << a.article.text << "]";
}

TEST_F(IngestFormatsTest, PartlyBrokenFeedKeepsItsGoodItem) {
  auto engine = OpenEngine(dir_.File("partly.db"));
  ASSERT_TRUE(engine);
  auto sum = engine->IngestPaths({dir_.File("partly-broken.xml"), dir_.File("news.rss")});
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  auto articles = AllArticles(*engine);
  ASSERT_TRUE(articles.count("valley-0214-barrier"));
  const StoredArticle& good = articles["valley-0214-barrier"];
  EXPECT_EQ(good.article.title, "Flood barrier passes its first winter test");
  EXPECT_EQ(good.article.published, std::optional<int64_t>(1771052400));
  EXPECT_NE(good.article.text.find("highest water in twelve years"), std::string::npos);
  EXPECT_EQ(good.lang, "en");
  // The other file is untouched by its neighbour's problems.
  EXPECT_TRUE(articles.count("coastal-2026-031"));
  EXPECT_TRUE(articles.count("coastal-2026-032"));
  for (const auto& [id, a] : articles) {
    EXPECT_TRUE(IsValidUtf8(a.article.title)) << id;
    EXPECT_TRUE(IsValidUtf8(a.article.text)) << id;
  }
  auto problems = RejectsUnder(*engine, dir_.File("partly-broken.xml"));
  ASSERT_FALSE(problems.empty());
  bool says_malformed = false;
  for (const auto& r : problems) says_malformed |= r.message.find("malformed") == 0;
  EXPECT_TRUE(says_malformed) << problems[0].message;
  EXPECT_TRUE(RejectsUnder(*engine, dir_.File("news.rss")).empty());
}

TEST_F(IngestFormatsTest, SecondIngestChangesNothing) {
  auto engine = OpenEngine(dir_.File("again.db"));
  ASSERT_TRUE(engine);
  auto first = engine->IngestPaths(Inputs());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = engine->IngestPaths(Inputs());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->stored, 0);
  EXPECT_EQ(second->unchanged, first->stored);
  auto count = engine->store().CountArticles();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, first->stored);
}

TEST_F(IngestFormatsTest, MissingPathIsARejectNotAFailure) {
  auto engine = OpenEngine(dir_.File("missing.db"));
  ASSERT_TRUE(engine);
  auto sum = engine->IngestPaths({dir_.File("no-such-file.rss"), dir_.File("news.rss")});
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->stored, 2);
  ASSERT_EQ(sum->rejects.size(), 1u);
  EXPECT_EQ(sum->rejects[0].reason, "not_found");
}

// OPML outlines that are relative paths, resolved against the OPML file's
// directory (as a relative link in a document resolves against the document).
//
// Regression test (was a bug) (ingest, ReadOpml in src/ingest/ingest.cc): a relative xmlUrl is
// passed to ReadPath as is, so it is resolved against the process's working
// directory, not the OPML file's: `storyline ingest dir/list.opml` reads
// different files depending on where it runs. Failing input: dir/relative.opml
// containing <outline xmlUrl="listed/headland.xml"/> next to
// dir/listed/headland.xml gives stored=0 and the reject
// "listed/headland.xml: no such file or directory". Fixed: ResolveOutline.
TEST_F(IngestFormatsTest, OpmlWithRelativePaths) {
  WriteFile(dir_.File("relative.opml"), Opml({"listed/headland.xml", "listed/forort.json"}));
  auto engine = OpenEngine(dir_.File("relative.db"));
  ASSERT_TRUE(engine);
  auto sum = engine->IngestPaths({dir_.File("relative.opml")});
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->stored, 2);
  EXPECT_EQ(sum->rejected, 0) << (sum->rejects.empty() ? "" : sum->rejects[0].message);
}

// Issue 10 end to end: a file name that is not UTF-8 is stored under an id
// with its invalid bytes written as %XX, and everything stored about it can be
// written as JSON (the export aborted on such a name before).
TEST_F(IngestFormatsTest, NonUtf8FileNameIsStoredAndExportable) {
  WriteFile(dir_.File("names/caf\xE9-1252.txt"), kCp1252Text);
  WriteFile(dir_.File("names/\xFF\xFE.txt"), "Ferry times change\n\nThe ferry leaves earlier.");
  WriteFile(dir_.File("names/empty\xE9.txt"), "");
  auto engine = OpenEngine(dir_.File("names.db"));
  ASSERT_TRUE(engine);
  auto sum = engine->IngestPaths({dir_.File("names")});
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->stored, 2);
  auto articles = AllArticles(*engine);
  ASSERT_TRUE(articles.count("caf%E9-1252")) << articles.size();
  ASSERT_TRUE(articles.count("%FF%FE"));
  for (const auto& [id, a] : articles) {
    EXPECT_TRUE(IsValidUtf8(id)) << id;
    EXPECT_TRUE(IsValidUtf8(a.article.origin)) << a.article.origin;
    EXPECT_TRUE(HasRepairStartingWith(a, "file_name: not valid UTF-8")) << id;
    nlohmann::json j = {{"id", id}, {"origin", a.article.origin}, {"repairs", a.article.repairs}};
    EXPECT_NO_THROW((void)j.dump()) << id;
  }
  auto rejects = RejectsUnder(*engine, dir_.File("names"));
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].origin, dir_.File("names/empty%E9.txt"));
  nlohmann::json j = {{"origin", rejects[0].origin}, {"message", rejects[0].message}};
  EXPECT_NO_THROW((void)j.dump());
}

// Issue 10 end to end: an OPML list that names itself and a directory with
// symbolic-link loops return promptly, with rejects, and the good inputs are
// stored.
TEST_F(IngestFormatsTest, OpmlCycleAndSymlinkLoopEndWithRejects) {
  WriteFile(dir_.File("loops/self.opml"),
            Opml({dir_.File("news.rss"), dir_.File("loops/self.opml"), "../feed.json"}));
  WriteFile(dir_.File("tree/a.txt"), "Harbour crane replaced\n\nThe old crane was removed.");
  std::filesystem::create_directory_symlink(dir_.File("tree"), dir_.File("tree/loop"));
  std::filesystem::create_symlink(dir_.File("tree/y"), dir_.File("tree/x"));
  std::filesystem::create_symlink(dir_.File("tree/x"), dir_.File("tree/y"));
  auto engine = OpenEngine(dir_.File("loops.db"));
  ASSERT_TRUE(engine);
  auto sum = engine->IngestPaths({dir_.File("loops/self.opml"), dir_.File("tree")});
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->stored, 5);  // 2 from news.rss, 2 from feed.json, tree/a.txt
  std::multiset<std::string> reasons;
  for (const auto& r : sum->rejects) reasons.insert(r.reason);
  EXPECT_EQ(reasons, (std::multiset<std::string>{"opml_cycle", "symlink_loop", "symlink_loop",
                                                 "symlink_loop"}));
}

}  // namespace
}  // namespace storyline
