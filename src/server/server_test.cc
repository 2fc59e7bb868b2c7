// API tests: a server on loopback (an ephemeral port) over a store made
// from the examples and a few articles of the test's own.
#include "server/server.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "server/html.h"
#include "server/server_testing.h"
#include "store/store.h"

namespace storyline {
namespace {

using nlohmann::json;
using testing_server::Encode;
using testing_server::kKey;
using testing_server::kOwn;
using ServerTest = testing_server::ServerFixture;

TEST_F(ServerTest, HealthAndMetrics) {
  Start();
  EXPECT_EQ(GetJson("/healthz")["status"], "ok");
  GetJson("/api/stories?limit=1");
  auto m = client_->Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find("storyline_http_requests_total{route=\"api_stories\",code=\"200\"} 1"),
            std::string::npos)
      << m->body;
  EXPECT_NE(m->body.find("storyline_http_request_duration_seconds_bucket{route=\"api_stories\""),
            std::string::npos);
  EXPECT_NE(m->body.find("storyline_articles "), std::string::npos);
  EXPECT_NE(m->body.find("storyline_ingest_queue_depth 0"), std::string::npos);
}

TEST_F(ServerTest, StoriesPageThroughEveryStoryOnce) {
  Start();
  for (const char* sort : {"recent", "sources", "size", "top"}) {
    std::set<std::string> seen;
    std::string cursor;
    int pages = 0;
    for (;;) {
      json page = GetJson(std::string("/api/stories?limit=3&sort=") + sort +
                          (cursor.empty() ? "" : "&cursor=" + Encode(cursor)));
      ASSERT_TRUE(page["stories"].is_array());
      for (const auto& s : page["stories"]) EXPECT_TRUE(seen.insert(s["id"]).second) << s["id"];
      ++pages;
      if (page["next_cursor"].is_null()) break;
      cursor = page["next_cursor"];
      ASSERT_LT(pages, 100);
    }
    json all = GetJson(std::string("/api/stories?limit=1000&sort=") + sort);
    EXPECT_EQ(seen.size(), all["stories"].size()) << sort;
    EXPECT_GT(pages, 2) << sort;
  }
  json bad = GetJson("/api/stories?sort=sideways", 400);
  EXPECT_EQ(bad["error"]["code"], "bad_request");
  EXPECT_EQ(GetJson("/api/stories?limit=0", 400)["error"]["code"], "bad_request");
  EXPECT_EQ(GetJson("/api/stories?cursor=garbage", 400)["error"]["code"], "bad_request");
  EXPECT_EQ(GetJson("/api/stories?since=yesterday", 400)["error"]["code"], "bad_request");
}

TEST_F(ServerTest, StoriesFilters) {
  Start();
  json no = GetJson("/api/stories?lang=no&limit=100");
  ASSERT_FALSE(no["stories"].empty());
  for (const auto& s : no["stories"]) EXPECT_TRUE(s["languages"].contains("no")) << s["id"];
  json src = GetJson("/api/stories?source=testavisa.no");
  ASSERT_EQ(src["stories"].size(), 1u);
  json since = GetJson("/api/stories?since=2026-03-20&limit=100");
  for (const auto& s : since["stories"])
    EXPECT_GE(s["last_published"].get<std::string>(), "2026-03-20");
  json none = GetJson("/api/stories?entity=Nobody%20Atall");
  EXPECT_TRUE(none["stories"].empty());
}

TEST_F(ServerTest, OneStoryWithSourcesByLanguage) {
  Start();
  json list = GetJson("/api/stories?sort=size&limit=1");
  std::string id = list["stories"][0]["id"];
  json s = GetJson("/api/stories/" + id);
  EXPECT_EQ(s["id"], id);
  ASSERT_TRUE(s["articles_by_language"].is_object());
  EXPECT_GE(s["articles_by_language"].size(), 2u);
  ASSERT_FALSE(s["articles"].empty());
  for (const auto& a : s["articles"]) EXPECT_TRUE(a["joined"].contains("reason")) << a["id"];
  EXPECT_TRUE(s["summary"]["bullets"].is_array());
  // The examples' stories are short: their timelines leave nothing out.
  ASSERT_TRUE(s.contains("timeline_omitted")) << s.dump();
  EXPECT_TRUE(s["timeline_omitted"].is_null());
  json missing = GetJson("/api/stories/s-no-such-story", 404);
  EXPECT_EQ(missing["error"]["code"], "not_found");
}

// Story pages are cached until the story changes: the second view is a hit,
// and a takedown (which changes the story) is never hidden by the cache.
TEST_F(ServerTest, StoryPagesAreCachedUntilTheStoryChanges) {
  ServerOptions so;
  so.api_key = kKey;
  Start(so);
  json a = GetJson("/api/articles/own-cache");
  std::string page = "/stories/" + Encode(a["story"]["id"].get<std::string>());
  auto first = client_->Get(page.c_str());
  auto second = client_->Get(page.c_str());
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body, second->body);
  EXPECT_NE(first->body.find("/articles/own-cache"), std::string::npos);
  auto m = client_->Get("/metrics");
  EXPECT_NE(m->body.find("storyline_story_page_cache{result=\"hit\"} 1"), std::string::npos);
  auto td = Post("/api/takedowns", R"({"article":"own-cache","reason":"cache test"})", kKey);
  ASSERT_EQ(td->status, 200) << td->body;
  auto after = client_->Get(page.c_str());
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body.find("/articles/own-cache"), std::string::npos);
}

TEST_F(ServerTest, OneArticle) {
  Start();
  json a = GetJson("/api/articles/own-no-mote");
  EXPECT_EQ(a["language"], "no");
  EXPECT_TRUE(a["story"].is_object());
  GetJson("/api/articles/no-such-article", 404);
}

TEST_F(ServerTest, SearchFoldsDiacritics) {
  Start();
  for (const char* q : {"m%C3%B8te", "mote", "MOTE"}) {
    json r = GetJson(std::string("/api/search?q=") + q);
    ASSERT_FALSE(r["results"].empty()) << q;
    EXPECT_EQ(r["results"][0]["article"], "own-no-mote") << q;
    EXPECT_NE(r["results"][0]["snippet_html"].get<std::string>().find("<mark>"), std::string::npos);
  }
  json markup = GetJson("/api/search?q=markup");
  ASSERT_FALSE(markup["results"].empty());
  std::string title_html = markup["results"][0]["title_html"];
  EXPECT_EQ(title_html.find("<script"), std::string::npos) << title_html;
  EXPECT_NE(title_html.find("&lt;script&gt;"), std::string::npos);
  GetJson("/api/search", 400);
  EXPECT_TRUE(GetJson("/api/search?q=%22%22%22")["results"].empty());  // not a syntax error
}

TEST_F(ServerTest, EntitiesAndOneEntity) {
  Start();
  json list = GetJson("/api/entities?limit=5");
  ASSERT_FALSE(list["entities"].empty());
  std::string key = list["entities"][0]["key"];
  json e = GetJson("/api/entities/" + Encode(key));
  EXPECT_FALSE(e["stories"].empty());
  GetJson("/api/entities/Nobody%20Atall", 404);
}

// A long story's timeline: its earliest and latest articles, and a line
// that says how many are between them, where they are left out.
TEST(StoryPageTest, ALongTimelineSaysHowManyArticlesItLeavesOut) {
  json story = {{"id", "s1"}, {"articles", json::array()}};
  story["timeline"] = json::array();
  for (const char* title : {"First", "Second", "Latest"})
    story["timeline"].push_back({{"article", title}, {"title", title}, {"lang", "en"}});
  story["timeline_omitted"] = {{"after", 2}, {"count", 37}};
  const std::string page = html::Story(story, "en");
  const size_t second = page.find("Second"), gap = page.find("37 more entries"),
               latest = page.find("Latest");
  ASSERT_NE(gap, std::string::npos) << page;
  EXPECT_LT(second, gap);
  EXPECT_LT(gap, latest);
  // The entries after the gap are numbered on from it.
  EXPECT_NE(page.find("start=\"40\""), std::string::npos) << page;
  // A gap at the end (nothing after it) is said too.
  story["timeline_omitted"] = {{"after", 3}, {"count", 5}};
  EXPECT_NE(html::Story(story, "en").find("5 more entries"), std::string::npos);
  story["timeline_omitted"] = nullptr;
  EXPECT_EQ(html::Story(story, "en").find("more entr"), std::string::npos);
}

TEST_F(ServerTest, PagesEscapeArticleTextAndSendCsp) {
  Start();
  for (const char* path : {"/", "/articles/own-markup", "/search?q=markup", "/entities"}) {
    auto r = client_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->body.find("<script"), std::string::npos) << path;
    EXPECT_NE(r->get_header_value("Content-Security-Policy").find("default-src 'none'"),
              std::string::npos);
    EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "");
  }
  auto a = client_->Get("/articles/own-markup");
  EXPECT_NE(a->body.find("&lt;script&gt;document.title="), std::string::npos);
  auto missing = client_->Get("/stories/nothing-here");
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->get_header_value("Content-Type").find("text/html"), std::string::npos);
}

TEST_F(ServerTest, AtomFeedsParse) {
  Start();
  for (const char* path : {"/feeds/top.atom", "/feeds/top.atom?lang=no"}) {
    auto r = client_->Get(path);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    EXPECT_NE(r->get_header_value("Content-Type").find("application/atom+xml"), std::string::npos);
    xmlDocPtr doc = xmlReadMemory(r->body.data(), static_cast<int>(r->body.size()), "feed.xml",
                                  nullptr, XML_PARSE_NONET | XML_PARSE_NOERROR);
    ASSERT_NE(doc, nullptr) << r->body;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    EXPECT_STREQ(reinterpret_cast<const char*>(root->name), "feed");
    ASSERT_NE(root->ns, nullptr);
    EXPECT_STREQ(reinterpret_cast<const char*>(root->ns->href), "http://www.w3.org/2005/Atom");
    int entries = 0;
    std::set<std::string> feed_children;
    for (xmlNodePtr n = root->children; n; n = n->next) {
      if (n->type != XML_ELEMENT_NODE) continue;
      std::string name = reinterpret_cast<const char*>(n->name);
      feed_children.insert(name);
      if (name != "entry") continue;
      ++entries;
      std::set<std::string> have;
      for (xmlNodePtr c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) have.insert(reinterpret_cast<const char*>(c->name));
      for (const char* need : {"id", "title", "updated", "link"})
        EXPECT_TRUE(have.count(need)) << path << " entry lacks " << need;
    }
    for (const char* need : {"id", "title", "updated", "author"})
      EXPECT_TRUE(feed_children.count(need)) << path << " feed lacks " << need;
    EXPECT_GT(entries, 0) << path;
    xmlFreeDoc(doc);
  }
}

TEST_F(ServerTest, WritesNeedTheKey) {
  ServerOptions so;
  so.api_key = kKey;
  Start(so);
  const std::string line = R"({"id":"k1","title":"t","text":"x"})";
  auto none = Post("/api/ingest", line, "");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(json::parse(none->body)["error"]["code"], "unauthorized");
  EXPECT_EQ(Post("/api/ingest", line, "test-key-0123456789abcdeX")->status, 401);
  EXPECT_EQ(Post("/api/ingest", line, "short")->status, 401);
  EXPECT_EQ(Post("/api/takedowns", R"({"article":"x","reason":"r"})", "")->status, 401);
  EXPECT_EQ(client_->Get("/api/tasks/1")->status, 401);  // tasks show takedowns
  EXPECT_EQ(client_->Get("/api/takedowns")->status, 401);
}

TEST_F(ServerTest, NoKeyConfiguredMeansNoWrites) {
  Start();
  auto r = Post("/api/ingest", R"({"id":"k1","title":"t","text":"x"})", kKey);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
}

TEST_F(ServerTest, BadBodies) {
  ServerOptions so;
  so.api_key = kKey;
  so.max_body_bytes = 4096;
  Start(so);
  auto big = Post("/api/ingest", std::string(10000, 'x'), kKey);
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(json::parse(big->body, nullptr, false)["error"]["code"], "payload_too_large");
  auto junk = Post("/api/ingest", "{not json", kKey);
  EXPECT_EQ(junk->status, 400);
  EXPECT_EQ(json::parse(junk->body)["error"]["code"], "bad_request");
  EXPECT_EQ(Post("/api/takedowns", "{nope", kKey)->status, 400);
  EXPECT_EQ(Post("/api/takedowns", R"({"article":"x"})", kKey)->status, 400);  // no reason
  EXPECT_EQ(Post("/api/takedowns", R"({"article":"x","url":"y","reason":"r"})", kKey)->status, 400);
  EXPECT_EQ(Post("/api/ingest", R"({"url":"file:///etc/passwd"})", kKey)->status, 400);
}

TEST_F(ServerTest, FullQueueAnswers429) {
  ServerOptions so;
  so.api_key = kKey;
  so.max_queue = 1;
  Start(so);
  // Hold the store's writer lock: the server's writer waits for it with the
  // first task taken, the second waits in the queue, the third is refused.
  auto lock = WriterLock::Acquire(db_, false);
  ASSERT_TRUE(lock.ok());
  auto line = [](int i) {
    return R"({"id":"q)" + std::to_string(i) + R"(","title":"Queue test )" + std::to_string(i) +
           R"(","text":"A short article for the queue test."})";
  };
  std::vector<int> codes;
  for (int i = 0; i < 4; ++i) {
    auto r = Post("/api/ingest", line(i), kKey);
    ASSERT_TRUE(r);
    codes.push_back(r->status);
    if (r->status == 429) {
      EXPECT_EQ(r->get_header_value("Retry-After"), "10");
    }
  }
  EXPECT_EQ(codes.front(), 202);
  EXPECT_EQ(codes.back(), 429);
}

TEST_F(ServerTest, IngestThenTakedown) {
  ServerOptions so;
  so.api_key = kKey;
  Start(so);
  auto r = Post(
      "/api/ingest",
      R"({"id":"api-1","title":"Ferry timetable changes in Bergen","text":"The ferry company changes its Bergen timetable from Monday, adding two evening departures.","lang":"en","published":"2026-03-21T12:00:00Z"})",
      kKey, "application/x-ndjson");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  json task = WaitTask(json::parse(r->body)["task"]);
  ASSERT_EQ(task["status"], "done") << task.dump();
  EXPECT_EQ(task["result"]["stored"], 1);
  GetJson("/api/articles/api-1");

  auto raw_files = [&] {
    std::string all;
    for (const char* suffix : {"", "-wal"}) {
      std::ifstream in(db_ + suffix, std::ios::binary);
      all.append((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    return all;
  };
  ASSERT_NE(raw_files().find("Witnesses described"), std::string::npos);  // the check can see it

  // The takedown: gone from the article, the story, search; in the audit log.
  json before = GetJson("/api/articles/own-takedown");
  ASSERT_TRUE(before["story"].is_object());
  std::string story = before["story"]["id"];
  ASSERT_FALSE(GetJson("/api/search?q=zyxwvutsquorble")["results"].empty());
  auto td =
      Post("/api/takedowns", R"({"article":"own-takedown","reason":"court order 12/3"})", kKey);
  ASSERT_TRUE(td);
  ASSERT_EQ(td->status, 200) << td->body;
  json rec = json::parse(td->body);
  EXPECT_EQ(rec["articles"], json::array({"own-takedown"}));
  GetJson("/api/articles/own-takedown", 404);
  EXPECT_TRUE(GetJson("/api/search?q=zyxwvutsquorble")["results"].empty());
  auto st = client_->Get(("/api/stories/" + story).c_str());
  if (st->status == 200) {
    EXPECT_EQ(st->body.find("own-takedown"), std::string::npos);
  }
  httplib::Headers h = {{"Authorization", std::string("Bearer ") + kKey}};
  auto log = client_->Get("/api/takedowns", h);
  ASSERT_EQ(log->status, 200);
  EXPECT_EQ(json::parse(log->body)["takedowns"][0]["reason"], "court order 12/3");

  // Never again: the same article through the API is refused.
  auto again =
      Post("/api/ingest",
           std::string(kOwn).substr(std::string(kOwn).find("{\"id\":\"own-takedown\"")), kKey);
  ASSERT_EQ(again->status, 202);
  json t2 = WaitTask(json::parse(again->body)["task"]);
  ASSERT_EQ(t2["status"], "done");
  EXPECT_EQ(t2["result"]["stored"], 0);
  ASSERT_EQ(t2["result"]["rejects"].size(), 1u);
  EXPECT_EQ(t2["result"]["rejects"][0]["reason"], "taken_down");

  // And its text is nowhere in the database files.
  server_->Stop();
  thread_.join();
  server_.reset();
  std::string bytes = raw_files();
  EXPECT_EQ(bytes.find("zyxwvutsquorble"), std::string::npos);
  EXPECT_EQ(bytes.find("Witnesses described"), std::string::npos);
}

}  // namespace
}  // namespace storyline
