// End-to-end tests of the Poller: an OPML list served by a loopback HTTP
// server (127.0.0.1 only, tests/local_http_server.h), conditional GET with the
// exact validators the server sent, a gzip-encoded Atom feed, and two feeds
// that fail (a stalled body, a body over max_bytes) without stopping the
// round or losing anything already stored.
#include "engine/poll.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/text.h"
#include "engine/engine.h"
#include "local_http_server.h"
#include "testing.h"

namespace storyline {
namespace {

using std::chrono::milliseconds;
using testing::Connection;
using testing::Gzip;
using testing::Head;
using testing::HttpRequest;
using testing::Response;
using testing::TempDir;

// Validators of /a.xml. The ETag is weak and holds characters a careless
// client would re-quote or trim; both must come back byte for byte.
constexpr char kEtagA[] = R"(W/"kestrel-7; v=2")";
constexpr char kLastModifiedA[] = "Mon, 02 Mar 2026 15:00:00 GMT";

// Publication times of the four items, Unix seconds UTC.
constexpr int64_t kA1Published = 1772433000;  // Mon, 02 Mar 2026 07:30:00 +0100
constexpr int64_t kA2Published = 1772462700;  // Mon, 02 Mar 2026 14:45:00 GMT
constexpr int64_t kB1Published = 1772525100;  // 2026-03-03T09:05:00+01:00
constexpr int64_t kB2Published = 1772533200;  // 2026-03-03T10:20:00Z

constexpr uint64_t kMaxBytes = 64 * 1024;

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// RSS 2.0, English. Links are absolute URLs on the loopback server.
std::string RssA(const std::string& base) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
  <title>Kestrel Harbour Gazette</title>
  <link>)" +
         base + R"(/</link>
  <language>en</language>
  <item>
    <title>Harbour bridge reopens after six-week repair</title>
    <link>)" +
         base + R"(/news/harbour-bridge-reopens.html</link>
    <guid isPermaLink="false">kestrel-2026-0302-bridge</guid>
    <pubDate>Mon, 02 Mar 2026 07:30:00 +0100</pubDate>
    <description>&lt;p&gt;The Kestrel Harbour bridge reopened to traffic on Monday morning after six weeks of repairs to its corroded steel cables.&lt;/p&gt;&lt;p&gt;City engineers said the work finished two days ahead of schedule and within the budget approved in January. Commuters who had used the ferry during the closure welcomed the news, although cyclists complained that the new lane markings were confusing.&lt;/p&gt;</description>
  </item>
  <item>
    <title>Regional library extends opening hours for exam season</title>
    <link>)" +
         base + R"(/news/library-opening-hours.html</link>
    <guid isPermaLink="false">kestrel-2026-0302-library</guid>
    <pubDate>Mon, 02 Mar 2026 14:45:00 GMT</pubDate>
    <description>The central library on Quay Street will stay open until midnight on weekdays from the middle of April until the end of June, the regional council announced. Students had collected more than two thousand signatures asking for quiet study space in the evenings. The extra hours will be staffed by volunteers and paid for out of the culture fund.</description>
  </item>
</channel>
</rss>
)";
}

// Atom, Norwegian (xml:lang="no"). The links are relative to the feed URL.
std::string AtomB() {
  return R"(<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="no">
  <title>Nordlys Lokalnytt</title>
  <id>urn:uuid:6f1c2a8e-0b7d-4c1e-9a52-3d0f5e7b9c41</id>
  <updated>2026-03-03T10:20:00Z</updated>
  <link rel="alternate" href="/"/>
  <entry>
    <title>Ny hurtigbåtrute mellom Tromsø og Finnsnes</title>
    <id>urn:uuid:0c9e4b7a-5d21-4f83-8e6a-1b2c3d4e5f60</id>
    <link rel="alternate" href="/nyheter/hurtigbat-tromso-finnsnes.html"/>
    <published>2026-03-03T09:05:00+01:00</published>
    <updated>2026-03-03T09:30:00+01:00</updated>
    <content type="html">&lt;p&gt;Fra neste måned får pendlerne mellom Tromsø og Finnsnes en ekstra avgang hver morgen. Fylkeskommunen sier at tilbudet skal prøves ut i et halvt år før det blir vurdert på nytt.&lt;/p&gt;&lt;p&gt;Reisende har lenge klaget over fulle båter i rushtiden, og ordføreren kaller endringen et etterlengtet løft for hele regionen.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Rekordmange søkte sommerjobb i kommunen</title>
    <id>urn:uuid:7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d</id>
    <link rel="alternate" href="/nyheter/sommerjobb-rekord.html"/>
    <published>2026-03-03T10:20:00Z</published>
    <summary>Over tusen unge har søkt sommerjobb i kommunen i år, viser nye tall fra personalavdelingen. Det er det høyeste antallet siden ordningen startet for ti år siden. Kommunen har penger til rundt tre hundre stillinger innen parkdrift, omsorg og kultur, og de første svarene sendes ut etter påske.</summary>
  </entry>
</feed>
)";
}

std::string Opml(const std::vector<std::string>& urls) {
  std::string out = R"(<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Poll test subscriptions</title></head>
  <body>
    <outline text="Local news">
)";
  for (const auto& u : urls)
    out += "      <outline type=\"rss\" text=\"feed\" xmlUrl=\"" + u + "\"/>\n";
  out += "    </outline>\n  </body>\n</opml>\n";
  return out;
}

// The stored article `id` (looked up through its story), if any.
std::optional<StoredArticle> FindArticle(Engine& e, const std::string& id) {
  auto story = e.store().StoryOf(id);
  if (!story.ok()) return std::nullopt;
  auto articles = e.store().StoryArticles(*story);
  if (!articles.ok()) return std::nullopt;
  for (auto& a : *articles)
    if (a.article.id == id) return a;
  return std::nullopt;
}

std::vector<Reject> RejectsFor(Engine& e, const std::string& origin) {
  std::vector<Reject> out;
  auto all = e.store().ListRejects(-1);
  EXPECT_TRUE(all.ok()) << all.status().ToString();
  if (!all.ok()) return out;
  for (const auto& [r, at] : *all)
    if (r.origin == origin) out.push_back(r);
  return out;
}

FeedState StateOf(Engine& e, const std::string& url) {
  auto s = e.store().GetFeedState(url);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s.ok() && s->has_value()) << "no feed state for " << url;
  return s.ok() && s->has_value() ? **s : FeedState{};
}

class PollTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // No proxy from the environment may see the loopback requests.
    for (const char* v : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                          "ALL_PROXY", "no_proxy", "NO_PROXY"}) {
      ::unsetenv(v);
    }
  }

  void SetUp() override {
    server_.Handle("/a.xml", [this](const HttpRequest& req, Connection& c) {
      const testing::Headers validators = {{"ETag", kEtagA}, {"Last-Modified", kLastModifiedA}};
      // If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2); both are
      // compared byte for byte.
      bool not_modified = false;
      if (req.Has("if-none-match")) {
        not_modified = req.Header("if-none-match") == kEtagA;
      } else if (req.Has("if-modified-since")) {
        not_modified = req.Header("if-modified-since") == kLastModifiedA;
      }
      if (not_modified) {
        c.Write(Head(304, validators, -1));
        return;
      }
      testing::Headers h = validators;
      h.emplace_back("Content-Type", "application/rss+xml; charset=utf-8");
      c.Write(Response(200, h, RssA(server_.Url(""))));
    });
    server_.Handle("/b.xml", [](const HttpRequest&, Connection& c) {
      c.Write(Response(
          200,
          {{"Content-Type", "application/atom+xml; charset=utf-8"}, {"Content-Encoding", "gzip"}},
          Gzip(AtomB())));
    });
    server_.Handle("/slow.xml", [](const HttpRequest&, Connection& c) {
      // Promises 50 KB, sends the start of a feed, then nothing.
      c.Write(Head(200, {{"Content-Type", "application/rss+xml"}}, 50000));
      c.Write("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>");
      c.WaitForHangUp(milliseconds(3000));
    });
    server_.Handle("/big.xml", [](const HttpRequest&, Connection& c) {
      // A well-formed feed, padded past max_bytes with a long comment.
      std::string body = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Big</title>";
      body += "<!-- " + std::string(kMaxBytes + 16 * 1024, 'p') + " -->";
      body += "</channel></rss>";
      c.Write(Response(200, {{"Content-Type", "application/rss+xml"}}, body));
    });
    server_.Handle("/feeds.opml", [this](const HttpRequest&, Connection& c) {
      c.Write(Response(200, {{"Content-Type", "text/x-opml; charset=utf-8"}}, Opml(FeedUrls())));
    });
    // Relative feed addresses, to be resolved against the list's own URL.
    server_.Handle("/relative.opml", [](const HttpRequest&, Connection& c) {
      c.Write(Response(200, {{"Content-Type", "text/x-opml; charset=utf-8"}},
                       Opml({"a.xml", "/b.xml"})));
    });
    // A remote list naming a file on the local disk (set by the test).
    server_.Handle("/local-file.opml", [this](const HttpRequest&, Connection& c) {
      c.Write(Response(200, {{"Content-Type", "text/x-opml; charset=utf-8"}}, Opml({local_file_})));
    });
    ASSERT_TRUE(server_.Start());
  }

  void TearDown() override { server_.Stop(); }

  std::vector<std::string> FeedUrls() const {
    return {server_.Url("/a.xml"), server_.Url("/b.xml"), server_.Url("/slow.xml"),
            server_.Url("/big.xml")};
  }

  std::unique_ptr<Engine> OpenEngine(const std::string& db) {
    EngineOptions o;
    o.fetch.connect_timeout = milliseconds(1000);
    o.fetch.total_timeout = milliseconds(1000);
    o.fetch.low_speed_window = milliseconds(1000);
    o.fetch.max_bytes = kMaxBytes;
    o.fetch.retries = 0;
    o.fetch.backoff = milliseconds(10);
    o.fetch.max_retry_wait = milliseconds(100);
    o.fetch.per_host_interval = milliseconds(0);
    return testing::OpenTestEngine(db, o);
  }

  testing::LocalServer server_;
  TempDir dir_;
  std::string local_file_;  // listed by /local-file.opml
};

TEST_F(PollTest, FeedsFromOpmlUrlAndFile) {
  auto engine = OpenEngine(dir_.File("opml.db"));
  ASSERT_TRUE(engine);
  Poller poller(*engine, engine->fetcher());

  auto from_url = poller.FeedsFromOpml(server_.Url("/feeds.opml"));
  ASSERT_TRUE(from_url.ok()) << from_url.status().ToString();
  EXPECT_EQ(*from_url, FeedUrls());
  EXPECT_EQ(server_.Hits("/feeds.opml"), 1);

  const std::string path = dir_.File("feeds.opml");
  {
    std::ofstream out(path, std::ios::binary);
    out << Opml(FeedUrls());
  }
  auto from_file = poller.FeedsFromOpml(path);
  ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
  EXPECT_EQ(*from_file, FeedUrls());

  auto missing = poller.FeedsFromOpml(dir_.File("no-such.opml"));
  EXPECT_FALSE(missing.ok());
  // Listing feeds fetches nothing but the list.
  EXPECT_EQ(server_.Hits("/a.xml"), 0);
}

// The distributed mode's poller (poll --queue): items go to a sink (the
// queue), feed states to the store only after the sink took the items.
TEST_F(PollTest, ASinkTakesTheItemsAndValidatorsAreKeptOnlyAfterIt) {
  auto store = OpenStore(dir_.File("feeds.db"), {});
  ASSERT_TRUE(store.ok());
  auto engine_for_options = OpenEngine(dir_.File("unused.db"));
  ASSERT_TRUE(engine_for_options);
  const EngineOptions& o = engine_for_options->options();
  auto fetcher = MakeCurlFetcher(o.fetch);
  std::vector<std::string> got;
  bool fail = true;
  Poller poller(**store, *fetcher, o.ingest, std::make_shared<FixedClock>(1772600000),
                [&](std::vector<Article> a, std::vector<Reject> r) -> Result<IngestSummary> {
                  if (fail) return Status::IOError("the queue is away");
                  for (const auto& x : a) got.push_back(x.id);
                  IngestSummary sum;
                  sum.stored = static_cast<int64_t>(a.size());
                  sum.rejected = static_cast<int64_t>(r.size());
                  return sum;
                });
  const std::vector<std::string> feeds = {server_.Url("/a.xml"), server_.Url("/b.xml")};
  // The sink fails: the round fails and no validator is kept.
  EXPECT_FALSE(poller.PollOnce(feeds).ok());
  EXPECT_FALSE((*store)->GetFeedState(server_.Url("/a.xml"))->has_value());
  // It works: four items, then the feed's validators are stored.
  fail = false;
  auto r1 = poller.PollOnce(feeds);
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_EQ(r1->ingest.stored, 4);
  EXPECT_EQ(got.size(), 4u);
  auto state = (*store)->GetFeedState(server_.Url("/a.xml"));
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_EQ((*state)->etag, kEtagA);
  // The next round sends them: /a.xml is not modified, only /b.xml's items come again.
  got.clear();
  auto r2 = poller.PollOnce(feeds);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->not_modified, 1);
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(server_.Requests("/a.xml").back().Header("if-none-match"), kEtagA);
}

TEST_F(PollTest, TwoRoundsWithConditionalGetAndFailingFeeds) {
  auto engine = OpenEngine(dir_.File("poll.db"));
  ASSERT_TRUE(engine);
  Poller poller(*engine, engine->fetcher());
  auto feeds = poller.FeedsFromOpml(server_.Url("/feeds.opml"));
  ASSERT_TRUE(feeds.ok()) << feeds.status().ToString();
  ASSERT_EQ(feeds->size(), 4u);
  const std::string a = server_.Url("/a.xml"), b = server_.Url("/b.xml");
  const std::string slow = server_.Url("/slow.xml"), big = server_.Url("/big.xml");

  // ---- Round 1: everything is new.
  auto r1 = poller.PollOnce(*feeds);
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_EQ(r1->feeds, 4);
  EXPECT_EQ(r1->fetched, 2);
  EXPECT_EQ(r1->failed, 2);
  EXPECT_EQ(r1->not_modified, 0);
  EXPECT_EQ(r1->ingest.stored, 4);
  EXPECT_EQ(r1->ingest.rejected, 2);
  // The stalled feed is cut off by the total timeout (its reject says so,
  // below); no assertion on elapsed time, which a loaded machine stretches.
  auto count = engine->store().CountArticles();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 4);

  // The server saw plain GETs (no validators yet) that accept gzip.
  auto seen_a = server_.Requests("/a.xml");
  ASSERT_EQ(seen_a.size(), 1u);
  EXPECT_FALSE(seen_a[0].Has("if-none-match"));
  EXPECT_FALSE(seen_a[0].Has("if-modified-since"));
  auto seen_b = server_.Requests("/b.xml");
  ASSERT_EQ(seen_b.size(), 1u);
  EXPECT_NE(seen_b[0].Header("accept-encoding").find("gzip"), std::string::npos);

  struct Expected {
    std::string id, title, url, lang, phrase;
    int64_t published;
  };
  const Expected expected[] = {
      {"kestrel-2026-0302-bridge", "Harbour bridge reopens after six-week repair",
       server_.Url("/news/harbour-bridge-reopens.html"), "en", "corroded steel cables",
       kA1Published},
      {"kestrel-2026-0302-library", "Regional library extends opening hours for exam season",
       server_.Url("/news/library-opening-hours.html"), "en", "quiet study space", kA2Published},
      {"urn:uuid:0c9e4b7a-5d21-4f83-8e6a-1b2c3d4e5f60",
       "Ny hurtigbåtrute mellom Tromsø og Finnsnes",
       server_.Url("/nyheter/hurtigbat-tromso-finnsnes.html"), "no", "etterlengtet løft",
       kB1Published},
      {"urn:uuid:7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d", "Rekordmange søkte sommerjobb i kommunen",
       server_.Url("/nyheter/sommerjobb-rekord.html"), "no", "etter påske", kB2Published},
  };
  for (const auto& x : expected) {
    SCOPED_TRACE(x.id);
    auto got = FindArticle(*engine, x.id);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->article.title, x.title);
    EXPECT_EQ(got->article.url, x.url);
    ASSERT_TRUE(got->article.published.has_value());
    EXPECT_EQ(*got->article.published, x.published);
    // The feed's declared language (<language>en</language>, xml:lang="no")
    // is the hint, and a valid hint wins.
    EXPECT_EQ(got->lang, x.lang);
    EXPECT_EQ(got->lang_method, "metadata");
    EXPECT_NE(got->article.text.find(x.phrase), std::string::npos) << got->article.text;
    EXPECT_EQ(got->article.text.find('<'), std::string::npos) << "markup left in the text";
    EXPECT_TRUE(IsValidUtf8(got->article.title));
    EXPECT_TRUE(IsValidUtf8(got->article.text));
  }
  auto src_b = FindArticle(*engine, expected[2].id);
  ASSERT_TRUE(src_b.has_value());
  EXPECT_EQ(src_b->article.source, "Nordlys Lokalnytt");

  // Failing feeds are rejects with a reason code and the fetcher's message.
  auto slow_rejects = RejectsFor(*engine, slow);
  ASSERT_EQ(slow_rejects.size(), 1u);
  EXPECT_TRUE(StartsWith(slow_rejects[0].reason, "timeout")) << slow_rejects[0].reason;
  EXPECT_TRUE(StartsWith(slow_rejects[0].message, "timeout:")) << slow_rejects[0].message;
  auto big_rejects = RejectsFor(*engine, big);
  ASSERT_EQ(big_rejects.size(), 1u);
  EXPECT_TRUE(StartsWith(big_rejects[0].reason, "too_large")) << big_rejects[0].reason;
  EXPECT_TRUE(StartsWith(big_rejects[0].message, "too_large:")) << big_rejects[0].message;
  EXPECT_TRUE(RejectsFor(*engine, a).empty());
  EXPECT_TRUE(RejectsFor(*engine, b).empty());

  // Per-feed state: validators exactly as served, failures counted.
  FeedState fa = StateOf(*engine, a);
  EXPECT_EQ(fa.etag, kEtagA);
  EXPECT_EQ(fa.last_modified, kLastModifiedA);
  EXPECT_EQ(fa.last_status, 200);
  EXPECT_EQ(fa.failures, 0);
  EXPECT_TRUE(fa.last_error.empty());
  EXPECT_GT(fa.last_checked, 0);
  FeedState fb = StateOf(*engine, b);
  EXPECT_EQ(fb.last_status, 200);
  EXPECT_TRUE(fb.etag.empty());
  EXPECT_TRUE(fb.last_modified.empty());
  FeedState fslow = StateOf(*engine, slow);
  EXPECT_EQ(fslow.failures, 1);
  EXPECT_TRUE(StartsWith(fslow.last_error, "timeout:")) << fslow.last_error;
  FeedState fbig = StateOf(*engine, big);
  EXPECT_EQ(fbig.failures, 1);
  EXPECT_TRUE(StartsWith(fbig.last_error, "too_large:")) << fbig.last_error;

  // ---- Round 2: a.xml is not modified; b.xml comes again, unchanged; the
  // failing feeds fail again.
  auto r2 = poller.PollOnce(*feeds);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->feeds, 4);
  EXPECT_EQ(r2->not_modified, 1);
  EXPECT_EQ(r2->fetched, 1);
  EXPECT_EQ(r2->failed, 2);
  EXPECT_EQ(r2->ingest.stored, 0);
  EXPECT_EQ(r2->ingest.unchanged, 2);
  EXPECT_EQ(r2->ingest.rejected, 2);
  count = engine->store().CountArticles();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 4);

  // The conditional GET carried the validators byte for byte.
  seen_a = server_.Requests("/a.xml");
  ASSERT_EQ(seen_a.size(), 2u);
  EXPECT_EQ(seen_a[1].Header("if-none-match"), kEtagA);
  EXPECT_EQ(seen_a[1].Header("if-modified-since"), kLastModifiedA);
  EXPECT_EQ(server_.Hits("/b.xml"), 2);

  fa = StateOf(*engine, a);
  EXPECT_EQ(fa.etag, kEtagA);
  EXPECT_EQ(fa.last_modified, kLastModifiedA);
  EXPECT_EQ(fa.last_status, 304);
  EXPECT_EQ(fa.failures, 0);
  fslow = StateOf(*engine, slow);
  EXPECT_EQ(fslow.failures, 2);
  EXPECT_TRUE(StartsWith(fslow.last_error, "timeout:")) << fslow.last_error;
  fbig = StateOf(*engine, big);
  EXPECT_EQ(fbig.failures, 2);
  // The same failure again (its message may differ: the time it took) is
  // one reject, the latest; the feed state counts the rounds it failed.
  EXPECT_EQ(RejectsFor(*engine, slow).size(), 1u);
  EXPECT_EQ(RejectsFor(*engine, big).size(), 1u);

  // Nothing was lost.
  for (const auto& x : expected) {
    auto got = FindArticle(*engine, x.id);
    ASSERT_TRUE(got.has_value()) << x.id;
    EXPECT_EQ(got->article.title, x.title);
  }
}

TEST_F(PollTest, RestartedPollerSendsStoredValidators) {
  const std::string db = dir_.File("restart.db");
  const std::vector<std::string> feeds = {server_.Url("/a.xml"), server_.Url("/b.xml")};
  {
    auto engine = OpenEngine(db);
    ASSERT_TRUE(engine);
    Poller poller(*engine, engine->fetcher());
    auto r = poller.PollOnce(feeds);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->fetched, 2);
    EXPECT_EQ(r->ingest.stored, 4);
  }
  auto engine = OpenEngine(db);
  ASSERT_TRUE(engine);
  Poller poller(*engine, engine->fetcher());
  auto r = poller.PollOnce(feeds);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->not_modified, 1);
  EXPECT_EQ(r->fetched, 1);
  EXPECT_EQ(r->failed, 0);
  EXPECT_EQ(r->ingest.stored, 0);
  auto seen = server_.Requests("/a.xml");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].Header("if-none-match"), kEtagA);
  EXPECT_EQ(seen[1].Header("if-modified-since"), kLastModifiedA);
  auto count = engine->store().CountArticles();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 4);
}

// A list fetched over HTTP names feeds by URL; relative ones resolve against
// the list's URL, as every relative link on the web does.
//
// Regression test (was a bug) (ingest ReadOpml in src/ingest/ingest.cc, and
// Poller::FeedsFromOpml in src/engine/poll.cc): xmlUrl values are used as
// they are. Failing input: http://127.0.0.1:<port>/relative.opml listing
// xmlUrl="a.xml" and xmlUrl="/b.xml": FeedsFromOpml returns {"a.xml",
// "/b.xml"} (PollOnce then fails them as bad URLs) and IngestPaths looks for
// local files "a.xml" and "/b.xml" instead of fetching the feeds. Fixed by
// Fixed: ResolveOutline.
TEST_F(PollTest, RelativeFeedUrlsInRemoteOpmlResolveAgainstTheList) {
  auto engine = OpenEngine(dir_.File("relative.db"));
  ASSERT_TRUE(engine);
  Poller poller(*engine, engine->fetcher());
  auto feeds = poller.FeedsFromOpml(server_.Url("/relative.opml"));
  ASSERT_TRUE(feeds.ok()) << feeds.status().ToString();
  EXPECT_EQ(*feeds, (std::vector<std::string>{server_.Url("/a.xml"), server_.Url("/b.xml")}));

  auto sum = engine->IngestPaths({server_.Url("/relative.opml")});
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->stored, 4);
  EXPECT_EQ(sum->rejected, 0) << (sum->rejects.empty() ? "" : sum->rejects[0].message);
  EXPECT_EQ(server_.Hits("/a.xml"), 1);
  EXPECT_EQ(server_.Hits("/b.xml"), 1);
}

// A document fetched from the network must not make the engine read the
// local disk: an OPML list served over HTTP that names a local path is a
// reject, and the file stays unread.
//
// Regression test (was a bug) (ingest ReadOpml in src/ingest/ingest.cc): any xmlUrl that is not
// http(s) goes to ReadPath, also when the list itself came from a URL.
// Failing input: http://127.0.0.1:<port>/local-file.opml listing
// xmlUrl="/tmp/storyline_test_XXXXXX/private-notes.txt": IngestPaths stores
// that local file as an article (stored=1, no reject). A remote list can so
// pull any readable local file (or directory) into the database. Fixed by
// Fixed: ResolveOutline.
TEST_F(PollTest, RemoteOpmlCannotReadLocalFiles) {
  local_file_ = dir_.File("private-notes.txt");
  {
    std::ofstream out(local_file_, std::ios::binary);
    out << "Private notes\n\nThis local file must never be read because a remote list named "
           "it.\n";
  }
  auto engine = OpenEngine(dir_.File("local.db"));
  ASSERT_TRUE(engine);
  auto sum = engine->IngestPaths({server_.Url("/local-file.opml")});
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->stored, 0);
  EXPECT_EQ(sum->rejected, 1);
  auto count = engine->store().CountArticles();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 0);
}

}  // namespace
}  // namespace storyline
