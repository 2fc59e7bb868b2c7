#include "ingest/html.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/text.h"

namespace storyline {
namespace {

std::string PagesDir() { return std::string(STORYLINE_SOURCE_DIR) + "/tests/pages"; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ReadPage(const std::string& name) { return ReadFile(PagesDir() + "/" + name); }

// Lower-case word tokens; bytes >= 0x80 count as letters so that "på" and
// "fergekai" stay whole.
std::vector<std::string> Tokens(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c >= 0x80) {
      cur += static_cast<char>(std::tolower(c));
    } else if (!cur.empty()) {
      out.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

struct Quality {
  double precision = 0, recall = 0, f1 = 0;
};

// Bag-of-words precision and recall of `got` against `want`.
Quality Measure(std::string_view got, std::string_view want) {
  std::map<std::string, int> g, w;
  for (auto& t : Tokens(got)) ++g[t];
  for (auto& t : Tokens(want)) ++w[t];
  int got_n = 0, want_n = 0, common = 0;
  for (auto& [t, n] : g) got_n += n;
  for (auto& [t, n] : w) {
    want_n += n;
    auto it = g.find(t);
    if (it != g.end()) common += std::min(n, it->second);
  }
  Quality q;
  q.precision = got_n == 0 ? 0 : static_cast<double>(common) / got_n;
  q.recall = want_n == 0 ? 0 : static_cast<double>(common) / want_n;
  q.f1 = q.precision + q.recall == 0 ? 0 : 2 * q.precision * q.recall / (q.precision + q.recall);
  return q;
}

std::vector<std::string> PagesWithExpectations() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(PagesDir())) {
    std::string f = e.path().filename().string();
    const std::string suffix = ".expected.txt";
    if (f.size() > suffix.size() && f.substr(f.size() - suffix.size()) == suffix) {
      names.push_back(f.substr(0, f.size() - suffix.size()));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(HtmlPageQuality, EveryPageMatchesItsExpectedText) {
  auto names = PagesWithExpectations();
  ASSERT_GE(names.size(), 6u);
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    std::string html = ReadPage(name + ".html");
    ASSERT_FALSE(html.empty());
    std::string want = ReadPage(name + ".expected.txt");
    auto page = ExtractPage(html, "https://example.org/" + name);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    Quality q = Measure(page->text, want);
    std::cout << "[page quality] " << name << " precision=" << q.precision << " recall=" << q.recall
              << " f1=" << q.f1 << "\n";
    ::testing::Test::RecordProperty(name + "_precision", std::to_string(q.precision));
    ::testing::Test::RecordProperty(name + "_recall", std::to_string(q.recall));
    EXPECT_GE(q.f1, 0.9) << "extracted:\n" << page->text;
    // Every region that is not main text carries a word ending in MARKER.
    EXPECT_EQ(page->text.find("MARKER"), std::string::npos) << "extracted:\n" << page->text;
    EXPECT_TRUE(IsValidUtf8(page->text));
    EXPECT_EQ(page->text.find("\n\n\n"), std::string::npos);
    EXPECT_FALSE(page->title.empty());
  }
}

TEST(HtmlPage, ClassicNewsMetadata) {
  auto page = ExtractPage(ReadPage("classic_news.html"),
                          "https://www.coastalcourier.example/news/local/"
                          "harbour-bridge-closes-repairs?utm_source=rss#top");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->title, "Harbour bridge closes for three weeks of repairs");
  EXPECT_EQ(page->published, ParseIsoDate("2023-09-14T07:45:00+01:00"));
  EXPECT_EQ(page->canonical_url,
            "https://www.coastalcourier.example/news/local/harbour-bridge-closes-repairs?id=4471");
  EXPECT_EQ(page->lang, "en");
  EXPECT_EQ(page->author, "Dana Whitlock");
  EXPECT_EQ(
      page->description,
      "The Eastgate harbour bridge will close on Monday while engineers replace worn cables.");
  // The subheading is its own paragraph.
  EXPECT_NE(page->text.find("\n\nFerry service extended\n\n"), std::string::npos) << page->text;
  EXPECT_EQ(page->text.find("Harbour bridge closes"), std::string::npos);
}

TEST(HtmlPage, JsonLdWinsOverMetaTags) {
  auto page = ExtractPage(ReadPage("jsonld_news.html"), "https://www.northernscience.example/x");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->title, "Radar survey reveals meltwater lake beneath Halvard ice shelf");
  EXPECT_EQ(page->published, ParseIsoDate("2024-03-05T10:30:00+01:00"));
  EXPECT_EQ(page->canonical_url,
            "https://www.northernscience.example/environment/2024/03/05/"
            "meltwater-lake-ice-shelf?ref=home");
  EXPECT_EQ(page->site_name, "Northern Science Daily");
  EXPECT_EQ(page->author, "Ingrid Solheim, Tomasz Wróbel");
  EXPECT_EQ(page->lang, "en-GB");
  EXPECT_EQ(
      page->description,
      "A radar survey revealed a lake the size of a small town beneath the Halvard ice shelf.");
}

TEST(HtmlPage, LiveBlogKeepsEveryEntry) {
  auto page = ExtractPage(ReadPage("liveblog.html"), "https://valleyherald.example/live");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->title, "Regional election 2024: live results and reaction");
  EXPECT_EQ(page->published, ParseIsoDate("2024-05-12T18:05:00+02:00"));
  EXPECT_EQ(page->canonical_url,
            "https://valleyherald.example/politics/live/regional-election-results");
  EXPECT_EQ(page->site_name, "Valley Herald");
  for (const char* entry : {"First seats declared", "Counting slower", "Turnout reached",
                            "Polling stations across the region"}) {
    EXPECT_NE(page->text.find(entry), std::string::npos) << entry;
  }
  // Newest first, as on the page.
  EXPECT_LT(page->text.find("First seats"), page->text.find("Polls have closed"));
}

TEST(HtmlPage, DivTextAndTitleSuffix) {
  auto page = ExtractPage(ReadPage("div_text.html"), "http://riverside.example/city/4411");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->title, "City council votes to keep night buses");
  EXPECT_EQ(page->published, ParseIsoDate("2022-11-03T16:20:00Z"));
  EXPECT_EQ(page->canonical_url, "http://riverside.example/city/4411");
  // <br><br> separates paragraphs.
  EXPECT_NE(page->text.find("taxis.\n\nThe transport department"), std::string::npos) << page->text;
}

TEST(HtmlPage, NorwegianPage) {
  auto page = ExtractPage(ReadPage("norwegian.html"), "https://www.fjordposten.example/");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->lang, "nb");
  EXPECT_EQ(page->title, "Ny fergekai i Nordvik blir et år forsinket");
  EXPECT_EQ(page->site_name, "Fjordposten");
  EXPECT_EQ(page->published, ParseIsoDate("2023-02-08T06:30:12+01:00"));
  EXPECT_EQ(page->canonical_url,
            "https://www.fjordposten.example/nyheter/i/Xa81Q/ny-fergekai-forsinket");
  EXPECT_NE(page->text.find("– Vi kan ikke ta sjanser"), std::string::npos);
}

TEST(HtmlPage, ScriptsAndHiddenElementsNeverReachTheText) {
  auto page = ExtractPage(ReadPage("scripts_hidden.html"));
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->title, "Orchard growers report best apple harvest in a decade");
  EXPECT_EQ(page->published, ParseIsoDate("2021-10-02"));
  EXPECT_EQ(page->canonical_url, "");
  EXPECT_EQ(page->lang, "en-US");
  for (const char* bad : {"SCRIPTMARKER", "HIDDENMARKER", "TEMPLATEMARKER", "NOSCRIPTMARKER",
                          "STYLEMARKER", "IFRAMEMARKER", "SVGMARKER", "trackEvent"}) {
    EXPECT_EQ(page->text.find(bad), std::string::npos) << bad;
  }
}

TEST(HtmlPage, TableLayoutTitleFromTitleTag) {
  auto page = ExtractPage(ReadPage("table_layout.html"), "http://gazette.example/n/1.html");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->title, "Lighthouse keeper retires after 40 years");
  EXPECT_EQ(page->text.find("Lighthouse keeper retires"), std::string::npos) << page->text;
}

TEST(HtmlPage, NavigationOnlyPageIsInvalid) {
  auto page = ExtractPage(ReadPage("nav_only.html"), "https://metro.example/sections");
  ASSERT_FALSE(page.ok()) << page->text;
  EXPECT_EQ(page.status().code(), Status::Code::kInvalidArgument);
}

TEST(HtmlPage, EmptyInputsAreInvalid) {
  for (const char* html : {"", "   \n ", "<html></html>", "<html><body></body></html>",
                           "<p>short</p>", "<!-- just a comment -->"}) {
    auto page = ExtractPage(html);
    ASSERT_FALSE(page.ok()) << html;
    EXPECT_EQ(page.status().code(), Status::Code::kInvalidArgument) << html;
  }
}

const char kSimple[] =
    "<html><body><article><p>The first paragraph of a simple article has enough words, "
    "commas, and clauses to count.</p><p>The second paragraph says a little more about the "
    "same thing, so that the article is long enough.</p></article></body></html>";

TEST(HtmlPage, TooManyNodesIsRefused) {
  HtmlLimits limits;
  limits.max_nodes = 5;
  auto page = ExtractPage(kSimple, {}, limits);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(page.status().message().find("too_large"), std::string::npos);
  EXPECT_TRUE(ExtractPage(kSimple).ok());
}

TEST(HtmlPage, LongTextIsTruncatedOnACharacterBoundary) {
  std::string html = "<html><body><article>";
  for (int i = 0; i < 200; ++i) {
    html += "<p>Ærlig talt, dette er en lang setning på norsk, med æøå i hvert eneste avsnitt.</p>";
  }
  html += "</article></body></html>";
  HtmlLimits limits;
  limits.max_text_bytes = 1001;
  auto page = ExtractPage(html, {}, limits);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_LE(page->text.size(), 1001u);
  EXPECT_GT(page->text.size(), 800u);
  EXPECT_TRUE(IsValidUtf8(page->text));
  ASSERT_FALSE(page->problems.empty());
  EXPECT_NE(page->problems.back().find("truncated"), std::string::npos);
}

TEST(HtmlPage, InvalidUtf8IsRepairedAndReported) {
  std::string html = kSimple;
  html.insert(html.find("first"), "\xFF\xC3");
  html.insert(html.find("second"), std::string("\0", 1));
  auto page = ExtractPage(html);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_TRUE(IsValidUtf8(page->text));
  EXPECT_NE(page->text.find("\xEF\xBF\xBD"), std::string::npos);
  EXPECT_GE(page->problems.size(), 2u);
}

TEST(HtmlPage, DeeplyNestedDocumentDoesNotCrash) {
  std::string html = "<html><body>";
  for (int i = 0; i < 50000; ++i) html += "<div>";
  html += "<p>Deep inside many containers there is a paragraph, with commas, that is the text.</p>";
  auto page = ExtractPage(html);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_NE(page->text.find("Deep inside"), std::string::npos);
}

// Issue 10: page dates with year 9999 or year 1 are dates (JSON-LD, meta
// tags, <time datetime>); whether they are plausible is the engine's call.
TEST(HtmlPage, ExtremeYearsAreDates) {
  const std::string article =
      "<article><p>The first paragraph of a simple article has enough words, commas, and "
      "clauses to count.</p><p>The second paragraph says a little more about the same thing, "
      "so that the article is long enough.</p></article>";
  const std::string body = "<body>" + article + "</body>";
  auto jsonld = ExtractPage(
      "<html><head><script type='application/ld+json'>{\"@type\":\"NewsArticle\","
      "\"headline\":\"Far\",\"datePublished\":\"9999-12-31T23:59:59Z\"}</script></head>" +
      body + "</html>");
  ASSERT_TRUE(jsonld.ok()) << jsonld.status().ToString();
  EXPECT_EQ(jsonld->published, 253402300799);
  auto meta = ExtractPage(
      "<html><head><meta property='article:published_time' content='0001-01-01T00:00:00Z'>"
      "</head>" +
      body + "</html>");
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_EQ(meta->published, -62135596800);
  auto time = ExtractPage("<html><body><div><time datetime='9999-12-31' pubdate>x</time>" +
                          article + "</div></body></html>");
  ASSERT_TRUE(time.ok()) << time.status().ToString();
  EXPECT_EQ(time->published, 253402214400);
  // A day the month does not have is not a date.
  auto bad = ExtractPage(
      "<html><head><meta property='article:published_time' content='2022-02-30'></head>" + body +
      "</html>");
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->published.has_value());
}

TEST(HtmlPage, JsonLdShapes) {
  const std::string body =
      "<body><div class='content'><p>Ministers met on Tuesday to agree on a new budget, after "
      "months of talks between the coalition parties.</p><p>The deal includes more money for "
      "hospitals, schools, and railways, officials said.</p></div></body>";
  // A single object whose @type is an array; an unparseable block is ignored.
  auto a = ExtractPage(
      "<html><head><script type='application/ld+json'>{broken</script>"
      "<script type='application/ld+json'>{\"@type\":[\"Thing\",\"NewsArticle\"],"
      "\"headline\":\"Budget agreed &amp; signed\",\"datePublished\":\"2022-02-15\","
      "\"author\":\"A. Writer\",\"inLanguage\":{\"@type\":\"Language\",\"alternateName\":\"de\"}}"
      "</script></head>" +
      body + "</html>");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->title, "Budget agreed & signed");
  EXPECT_EQ(a->published, ParseIsoDate("2022-02-15"));
  EXPECT_EQ(a->author, "A. Writer");
  EXPECT_EQ(a->lang, "de");
  // A WebPage whose mainEntity is the article.
  auto b = ExtractPage(
      "<html><head><script type='application/ld+json'>{\"@context\":\"https://schema.org\","
      "\"@type\":\"WebPage\",\"name\":\"Page name\",\"mainEntity\":{\"@type\":\"Article\","
      "\"headline\":\"Nested headline\"}}</script></head>" +
      body + "</html>");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->title, "Nested headline");
  // og:title with the site name appended loses it; <title> without a separator stays.
  auto c = ExtractPage(
      "<html><head><meta property='og:site_name' content='Daily'><meta property='og:title' "
      "content='Budget agreed | Daily'><title>Other</title></head>" +
      body + "</html>");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->title, "Budget agreed");
}

TEST(HtmlPage, JsonLdArticleBodyWhenTheDomHasNoText) {
  auto page = ExtractPage(
      "<html><head><script type='application/ld+json'>{\"@type\":\"NewsArticle\",\"headline\":"
      "\"H\",\"articleBody\":\"First paragraph of the body.\\n\\nSecond paragraph.\"}</script>"
      "</head><body><div id='app'></div></body></html>");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->text, "First paragraph of the body.\n\nSecond paragraph.");
}

TEST(HtmlPage, CanonicalResolvesAgainstBaseHref) {
  auto page = ExtractPage(std::string("<html><head><base href='https://cdn.example/news/'>"
                                      "<link rel='canonical' href='a/b.html?gclid=1&x=2'></head>") +
                              kSimple + "</html>",
                          "https://www.example/other");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->canonical_url, "https://cdn.example/news/a/b.html?x=2");
}

TEST(LooksLikeHtml, Basics) {
  EXPECT_TRUE(LooksLikeHtml("<!DOCTYPE html><html><body>x</body></html>"));
  EXPECT_TRUE(LooksLikeHtml("\xEF\xBB\xBF  \n<html lang='en'>"));
  EXPECT_TRUE(LooksLikeHtml("<HTML><HEAD><TITLE>x</TITLE>"));
  EXPECT_TRUE(LooksLikeHtml("<div class='a'><p>text</p></div>"));
  EXPECT_TRUE(LooksLikeHtml("<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'>"));
  EXPECT_FALSE(LooksLikeHtml("<?xml version='1.0'?><rss version='2.0'><channel>"));
  EXPECT_FALSE(LooksLikeHtml("<feed xmlns='http://www.w3.org/2005/Atom'><title>x</title>"));
  EXPECT_FALSE(LooksLikeHtml("Plain text title\n\nBody text."));
  EXPECT_FALSE(LooksLikeHtml("{\"id\": 1}"));
  EXPECT_FALSE(LooksLikeHtml(""));
}

TEST(StripTrackingParameters, RemovesTrackersKeepsOthersInOrder) {
  EXPECT_EQ(StripTrackingParameters(
                "https://ex.org/a?utm_source=tw&id=5&fbclid=xyz&page=2&gclid=abc&utm_medium=s"),
            "https://ex.org/a?id=5&page=2");
  EXPECT_EQ(StripTrackingParameters("https://ex.org/a?utm_source=tw&UTM_CAMPAIGN=x#frag"),
            "https://ex.org/a");
  EXPECT_EQ(StripTrackingParameters("https://ex.org/a#section-2"), "https://ex.org/a");
  EXPECT_EQ(StripTrackingParameters("https://ex.org/a?b=1&a=2#x"), "https://ex.org/a?b=1&a=2");
  EXPECT_EQ(StripTrackingParameters("https://ex.org/a?mc_cid=1&mc_eid=2&igshid=3&ref_src=4&_ga=5"),
            "https://ex.org/a");
  EXPECT_EQ(StripTrackingParameters("https://ex.org/a?q=utm_source&flag"),
            "https://ex.org/a?q=utm_source&flag");
  EXPECT_EQ(StripTrackingParameters("https://ex.org/"), "https://ex.org/");
  EXPECT_EQ(StripTrackingParameters(""), "");
}

TEST(ResolveUrl, Rfc3986Examples) {
  const std::string base = "http://a/b/c/d;p?q";
  const std::pair<const char*, const char*> cases[] = {
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q#s"},
      {"g#s", "http://a/b/c/g#s"},
      {";x", "http://a/b/c/;x"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../g", "http://a/g"},
      {"../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},
      {"..g", "http://a/b/c/..g"},
      {"./../g", "http://a/b/g"},
      {"g/./h", "http://a/b/c/g/h"},
      {"g/../h", "http://a/b/c/h"},
      {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
      {"g;x=1/../y", "http://a/b/c/y"},
      {"https://other.example/x/../y", "https://other.example/y"},
      {"g:h", "g:h"},
  };
  for (const auto& [href, want] : cases) EXPECT_EQ(ResolveUrl(base, href), want) << href;
}

TEST(ResolveUrl, NewsSiteCases) {
  EXPECT_EQ(ResolveUrl("https://news.example/world/story.html", "photo.jpg"),
            "https://news.example/world/photo.jpg");
  EXPECT_EQ(ResolveUrl("https://news.example/world/story.html", "../sport/"),
            "https://news.example/sport/");
  EXPECT_EQ(ResolveUrl("https://news.example/world/story.html", "//cdn.example/a.js"),
            "https://cdn.example/a.js");
  EXPECT_EQ(ResolveUrl("https://news.example/world/story.html", "http://other.example/"),
            "http://other.example/");
  EXPECT_EQ(ResolveUrl("https://news.example/world/story.html?page=1", "?page=2"),
            "https://news.example/world/story.html?page=2");
  EXPECT_EQ(ResolveUrl("https://news.example", "a"), "https://news.example/a");
  EXPECT_EQ(ResolveUrl("https://news.example/a/b", "  \n/c\t/d "), "https://news.example/c/d");
  EXPECT_EQ(ResolveUrl("", "/x"), "/x");
}

}  // namespace
}  // namespace storyline
