// The store conformance suite: every backend of ArticleStore passes the same
// tests (SQLite, the embedded default; PostgreSQL, for scale-out). The
// PostgreSQL run uses a throwaway server (pg_testing.h) and is skipped, with
// the reason, only where PostgreSQL is not installed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <utility>

#include "store/pg_testing.h"
#include "store/store.h"

namespace storyline {
namespace {

class StoreConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
#ifndef STORYLINE_POSTGRES
      GTEST_SKIP() << "built without libpq (scripts/install-deps test installs libpq-dev)";
#endif
      std::string why;
      auto* pg = testing::PostgresServer::Get(&why);
      if (!pg) GTEST_SKIP() << why;
      spec_ = pg->NewDatabase();
    } else {
      // One directory per test (its name holds a '/': "Name/sqlite").
      std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
      std::replace(name.begin(), name.end(), '/', '-');
      dir_ = std::filesystem::temp_directory_path() /
             ("storyline-conf-" + std::to_string(getpid()) + "-" + name);
      std::filesystem::remove_all(dir_);
      std::filesystem::create_directories(dir_);
      spec_ = "sqlite:" + (dir_ / "store.db").string();
    }
    st_ = Open();
    ASSERT_NE(st_, nullptr);
  }
  void TearDown() override {
    st_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<ArticleStore> Open() {
    auto s = OpenStore(spec_, {});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  static StoredArticle MakeArticle(const std::string& id, uint64_t hash) {
    StoredArticle a;
    a.article.id = id;
    a.article.title = "Title " + id;
    a.article.text = "Text of " + id;
    a.article.source = "Example News";
    a.article.url = "https://news.example.com/" + id;
    a.lang = "en";
    a.lang_confidence = 0.75;
    a.lang_method = "fasttext";
    a.content_hash = hash;
    a.raw_hash = hash + 1;
    a.ingested = 100;
    a.sketch = {4, 8, 12};
    return a;
  }
  // Stores articles, each its own story "s-<id>", in one batch.
  void Stories(const std::vector<std::pair<std::string, std::optional<int64_t>>>& items) {
    ASSERT_TRUE(st_->Begin().ok());
    for (const auto& [id, published] : items) {
      StoredArticle a = MakeArticle(id, std::hash<std::string>()(id));
      a.article.published = published;
      ASSERT_TRUE(st_->PutArticle(&a).ok());
      ASSERT_TRUE(st_->PutMembership({id, "s-" + id, 1, "new", "{}"}).ok());
      StoryRecord s;
      s.id = "s-" + id;
      s.title = a.article.title;
      s.size = 1;
      s.langs["en"] = 1;
      s.first_time = s.last_time = published;
      ASSERT_TRUE(st_->PutStory(s, 10).ok());
    }
    ASSERT_TRUE(st_->Commit().ok());
  }

  std::filesystem::path dir_;
  std::string spec_;
  std::unique_ptr<ArticleStore> st_;
};

TEST_P(StoreConformance, ArticlesRoundTripAndHashesAreFound) {
  ASSERT_TRUE(st_->Begin().ok());
  StoredArticle a = MakeArticle("a", 42);
  a.article.published = 1000;
  a.article.repairs = {"invalid_utf8: replaced 1 bytes"};
  a.article.text = "Ærlig talt: møte i Moskva \xE2\x80\x94 «sitat»";
  a.names = {"Olaf Scholz"};
  a.content_hash = 0xFFFFFFFFFFFFFFF0ull;  // beyond a signed 64-bit integer
  ASSERT_TRUE(st_->PutArticle(&a).ok());
  EXPECT_GT(a.handle, 0);
  StoredArticle b = MakeArticle("b", 7);
  ASSERT_TRUE(st_->PutArticle(&b).ok());
  EXPECT_GT(b.handle, a.handle);
  ASSERT_TRUE(st_->Commit().ok());

  EXPECT_EQ(**st_->ArticleHash("a"), 0xFFFFFFFFFFFFFFF0ull);
  EXPECT_FALSE(st_->ArticleHash("zz")->has_value());
  EXPECT_EQ(**st_->FindByHash(0xFFFFFFFFFFFFFFF0ull), "a");
  EXPECT_EQ(**st_->FindByHash(8), "b");  // the raw hash finds it too
  auto got = st_->GetArticle("a");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->article.text, a.article.text);
  EXPECT_EQ(got->article.published, 1000);
  EXPECT_EQ(got->article.repairs, a.article.repairs);
  EXPECT_EQ(got->names, a.names);
  EXPECT_DOUBLE_EQ(got->lang_confidence, 0.75);
  EXPECT_EQ(got->handle, a.handle);
  EXPECT_EQ(st_->GetArticle("nope").status().code(), Status::Code::kNotFound);
  auto ref = st_->ArticleByHandle(a.handle);
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->id, "a");
  auto known = st_->FindArticle("b");
  ASSERT_TRUE(known.ok() && known->has_value());
  EXPECT_EQ((*known)->raw_hash, std::optional<uint64_t>(8));
  EXPECT_FALSE((*known)->text_empty);
  EXPECT_EQ(*st_->CountArticles(), 2);
  auto repaired = st_->ListRepaired(10);
  ASSERT_TRUE(repaired.ok());
  ASSERT_EQ(repaired->size(), 1u);
  EXPECT_EQ((*repaired)[0].id, "a");
}

TEST_P(StoreConformance, SketchesAndStoriesLoadInTheirWindowsAndOrder) {
  ASSERT_TRUE(st_->Begin().ok());
  for (auto [id, published, ingested] :
       {std::tuple<const char*, std::optional<int64_t>, int64_t>{"old", 100, 5},
        {"new", 5000, 6},
        {"undated-old", std::nullopt, 50},
        {"undated-new", std::nullopt, 900}}) {
    StoredArticle a = MakeArticle(id, id[0] + std::string(id).size());
    a.article.published = published;
    a.ingested = ingested;
    ASSERT_TRUE(st_->PutArticle(&a).ok());
  }
  for (auto [id, last, updated, seq] :
       {std::tuple<const char*, std::optional<int64_t>, int64_t, uint64_t>{"s3", 5000, 6, 3},
        {"s1", 100, 5, 1},
        {"s2", std::nullopt, 900, 2}}) {
    StoryRecord s;
    s.id = id;
    s.title = id;
    s.size = 1;
    s.first_time = s.last_time = last;
    s.updated = updated;
    s.seq = seq;
    s.full_vector = std::string("\0\1\2\xff", 4);  // bytes, zeros included
    ASSERT_TRUE(st_->PutStory(s, 1).ok());
  }
  ASSERT_TRUE(st_->Commit().ok());

  std::vector<std::string> seen;
  ASSERT_TRUE(
      st_->LoadSketches(1000, 500,
                        [&](int64_t, std::optional<int64_t>, int64_t, std::vector<uint64_t> sk) {
                          EXPECT_EQ(sk, (std::vector<uint64_t>{4, 8, 12}));
                          seen.push_back("x");
                        })
          .ok());
  EXPECT_EQ(seen.size(), 2u);  // "new" and "undated-new"
  std::vector<std::string> stories;
  ASSERT_TRUE(st_->LoadStories(std::nullopt, 0,
                               [&](StoryRecord s) {
                                 EXPECT_EQ(s.full_vector, std::string("\0\1\2\xff", 4));
                                 stories.push_back(s.id);
                               })
                  .ok());
  EXPECT_EQ(stories, (std::vector<std::string>{"s1", "s2", "s3"}));  // by seq
  stories.clear();
  ASSERT_TRUE(st_->LoadStories(1000, 500, [&](StoryRecord s) { stories.push_back(s.id); }).ok());
  EXPECT_EQ(stories, (std::vector<std::string>{"s2", "s3"}));
}

TEST_P(StoreConformance, MergedStoryRedirectsAndMovesMemberships) {
  ASSERT_TRUE(st_->Begin().ok());
  for (const char* id : {"a", "b", "c"}) {
    StoredArticle x = MakeArticle(id, id[0]);
    ASSERT_TRUE(st_->PutArticle(&x).ok());
  }
  ASSERT_TRUE(st_->PutMembership({"a", "s1", 0, "new", "{}"}).ok());
  ASSERT_TRUE(st_->PutMembership({"b", "s2", 0, "new", "{}"}).ok());
  ASSERT_TRUE(st_->PutMembership({"c", "s3", 0, "new", "{}"}).ok());
  ASSERT_TRUE(st_->MergeStory("s2", "s1").ok());
  ASSERT_TRUE(st_->MergeStory("s1", "s3").ok());  // a chain: s2 -> s1 -> s3
  ASSERT_TRUE(st_->Commit().ok());
  EXPECT_EQ(*st_->ResolveStory("s2"), "s3");
  EXPECT_EQ(*st_->ResolveStory("s1"), "s3");
  EXPECT_EQ(*st_->ResolveStory("s3"), "s3");
  EXPECT_EQ(*st_->StoryOf("a"), "s3");
  EXPECT_EQ(*st_->StoryOf("b"), "s3");
  auto members = st_->StoryMemberships("s3");
  ASSERT_TRUE(members.ok());
  EXPECT_EQ(members->size(), 3u);
}

TEST_P(StoreConformance, TheStoryCountFollowsEveryWrite) {
  auto put = [&](const std::string& id, int size) {
    StoryRecord s;
    s.id = id;
    s.title = id;
    s.size = size;
    s.langs = {{"en", size}};
    return st_->PutStory(s, 10);
  };
  ASSERT_TRUE(st_->Begin().ok());
  ASSERT_TRUE(put("s1", 2).ok());
  ASSERT_TRUE(put("s2", 1).ok());
  ASSERT_TRUE(put("s3", 0).ok());  // emptied: not a story
  ASSERT_TRUE(st_->Commit().ok());
  EXPECT_EQ(*st_->CountStories(), 2);
  ASSERT_TRUE(st_->Begin().ok());
  ASSERT_TRUE(put("s3", 4).ok());
  ASSERT_TRUE(put("s1", 0).ok());
  ASSERT_TRUE(put("s2", 3).ok());  // grows: still one
  ASSERT_TRUE(st_->Commit().ok());
  EXPECT_EQ(*st_->CountStories(), 2);
  ASSERT_TRUE(st_->Begin().ok());
  ASSERT_TRUE(put("s4", 1).ok());
  ASSERT_TRUE(put("s2", 0).ok());
  ASSERT_TRUE(st_->Rollback().ok());
  EXPECT_EQ(*st_->CountStories(), 2);
  // A merge empties the story merged away.
  ASSERT_TRUE(st_->Begin().ok());
  ASSERT_TRUE(st_->MergeStory("s2", "s3").ok());
  ASSERT_TRUE(st_->Commit().ok());
  EXPECT_EQ(*st_->CountStories(), 1);
  st_ = Open();
  ASSERT_NE(st_, nullptr);
  EXPECT_EQ(*st_->CountStories(), 1);
}

TEST_P(StoreConformance, AliasesAndCopiesAreKept) {
  ASSERT_TRUE(st_->Begin().ok());
  StoredArticle a = MakeArticle("orig", 1), b = MakeArticle("wire", 2);
  ASSERT_TRUE(st_->PutArticle(&a).ok());
  ASSERT_TRUE(st_->PutArticle(&b).ok());
  ASSERT_TRUE(st_->PutAlias("copy", "orig", "feed.xml:3", 99).ok());
  ASSERT_TRUE(st_->PutAlias("copy2", "orig", "feed.xml:4").ok());
  ASSERT_TRUE(st_->PutMembership({"orig", "s", 1, "new", "{}"}).ok());
  ASSERT_TRUE(st_->PutMembership({"wire", "s", 0.9, "duplicate", "{\"of\":\"orig\"}"}).ok());
  ASSERT_TRUE(st_->PutDuplicate({"copy", "orig", "exact", 1, 1, 10}).ok());
  ASSERT_TRUE(st_->PutDuplicate({"wire", "orig", "wire_copy", 0.5, 0.8, 7}).ok());
  ASSERT_TRUE(st_->PutDuplicate({"wire", "orig", "wire_copy", 0.6, 0.9, 8}).ok());  // replaces
  ASSERT_TRUE(st_->Commit().ok());

  EXPECT_EQ(*st_->CanonicalId("copy"), "orig");
  EXPECT_EQ(*st_->CanonicalId("orig"), "orig");
  auto k = st_->FindArticle("copy");
  ASSERT_TRUE(k.ok() && k->has_value());
  EXPECT_EQ((*k)->id, "orig");
  EXPECT_EQ((*k)->raw_hash, std::optional<uint64_t>(99));  // the alias's own content
  auto k2 = st_->FindArticle("copy2");
  EXPECT_EQ((**k2).raw_hash, std::optional<uint64_t>(2));  // unknown: the article's
  EXPECT_EQ(st_->GetArticle("copy")->article.id, "orig");
  auto links = st_->DuplicatesOf("orig");
  ASSERT_TRUE(links.ok());
  ASSERT_EQ(links->size(), 2u);
  EXPECT_EQ((*links)[0].article, "copy");
  EXPECT_EQ((*links)[1].shared, 8);
  EXPECT_DOUBLE_EQ((*links)[1].containment, 0.9);
  EXPECT_EQ(st_->StoryDuplicates("s")->size(), 2u);
  std::vector<std::string> assigned;
  ASSERT_TRUE(st_->ForEachAssignment(
                     [&](const std::string& id, const std::string& story, const std::string& lang) {
                       assigned.push_back(id + ">" + story + ":" + lang);
                     })
                  .ok());
  EXPECT_EQ(assigned,
            (std::vector<std::string>{"copy>s:en", "copy2>s:en", "orig>s:en", "wire>s:en"}));

  ASSERT_TRUE(st_->Begin().ok());
  ASSERT_TRUE(st_->RemoveAlias("copy").ok());
  ASSERT_TRUE(st_->Commit().ok());
  EXPECT_EQ(*st_->CanonicalId("copy"), "copy");
  EXPECT_EQ(st_->DuplicatesOf("orig")->size(), 1u);
}

TEST_P(StoreConformance, RevisionsEntriesRejectsFeedsMetaAndBoilerplate) {
  ASSERT_TRUE(st_->Begin().ok());
  StoredArticle a = MakeArticle("blog", 5);
  a.article.published = 50;
  ASSERT_TRUE(st_->PutArticle(&a).ok());
  ASSERT_TRUE(st_->UpdateArticle("blog", "New title", "New text", 6, 7, 200).ok());
  ASSERT_TRUE(st_->PutEntry("blog", 1, "Entry one", "First entry").ok());
  ASSERT_TRUE(st_->PutEntry("blog", 10, "Entry ten", "Tenth entry").ok());
  ASSERT_TRUE(st_->PutEntry("blog", 2, "Entry two", "Second entry, first text").ok());
  ASSERT_TRUE(st_->PutEntry("blog", 2, "Entry two", "Second entry").ok());  // edited
  ASSERT_TRUE(st_->PutMembership({"blog", "s", 1, "new", "{}"}).ok());
  ASSERT_TRUE(st_->PutMembership({"blog#2", "s", 1, "text", "{}"}).ok());
  ASSERT_TRUE(st_->PutReject({"feed.xml:1", "empty", "no title or text"}, 9).ok());
  ASSERT_TRUE(st_->PutReject({"feed.xml:2", "binary", "not text"}, 10).ok());
  // Seen again (a feed re-delivers): one row each, the latest time.
  ASSERT_TRUE(st_->PutReject({"feed.xml:1", "empty", "no title or text"}, 11).ok());
  ASSERT_TRUE(st_->PutReject({"feed.xml:2", "binary", "not text"}, 12).ok());
  ASSERT_TRUE(st_->PutReject({"feed.xml:2", "binary", "not text either"}, 13).ok());  // latest
  // No origin: only the same message is the same reject.
  ASSERT_TRUE(st_->PutReject({"", "empty", "item 1 is empty"}, 14).ok());
  ASSERT_TRUE(st_->PutReject({"", "empty", "item 2 is empty"}, 14).ok());
  ASSERT_TRUE(st_->PutReject({"", "empty", "item 2 is empty"}, 15).ok());
  FeedState f;
  f.url = "https://example.com/rss";
  f.etag = "W/\"abc\"";
  f.last_modified = "Tue, 15 Feb 2022 10:00:00 GMT";
  f.last_status = 200;
  f.failures = 2;
  f.last_error = "timeout";
  ASSERT_TRUE(st_->PutFeedState(f).ok());
  f.failures = 0;
  ASSERT_TRUE(st_->PutFeedState(f).ok());
  ASSERT_TRUE(st_->PutMeta("k", "v1").ok());
  ASSERT_TRUE(st_->PutMeta("k", "v2").ok());
  ASSERT_TRUE(st_->PutBoilerplate("Example News", 0x8000000000000001ull, 3).ok());
  ASSERT_TRUE(st_->PutBoilerplate("Example News", 0x8000000000000001ull, 4).ok());
  ASSERT_TRUE(st_->PutBoilerplate("Example News", 7, 1).ok());
  ASSERT_TRUE(st_->PutBoilerplate("Example News", 7, 0).ok());  // forgotten: removed
  ASSERT_TRUE(st_->PutBoilerplate("Example News", 8, 0).ok());  // never there: nothing
  ASSERT_TRUE(st_->Commit().ok());

  ASSERT_TRUE(st_->Begin().ok());
  ASSERT_TRUE(st_->PutArticleIntel("blog", R"({"e":1})").ok());
  ASSERT_TRUE(st_->PutArticleIntel("blog#2", R"({"e":2})").ok());
  ASSERT_TRUE(st_->PutArticleIntel("elsewhere", R"({"e":3})").ok());
  ASSERT_TRUE(st_->Commit().ok());
  auto intel = st_->StoryArticleIntel("s");
  ASSERT_TRUE(intel.ok()) << intel.status().ToString();
  EXPECT_EQ(*intel,
            (std::map<std::string, std::string>{{"blog", R"({"e":1})"}, {"blog#2", R"({"e":2})"}}));
  EXPECT_EQ(**st_->GetArticleIntel("elsewhere"), R"({"e":3})");
  EXPECT_EQ(*st_->CountRevisions("blog"), 1);
  EXPECT_EQ(st_->GetArticle("blog")->article.text, "New text");
  EXPECT_EQ(**st_->ArticleHash("blog"), 6u);
  auto arts = st_->StoryArticles("s");
  ASSERT_TRUE(arts.ok());
  ASSERT_EQ(arts->size(), 2u);
  EXPECT_EQ((*arts)[1].article.id, "blog#2");
  EXPECT_EQ((*arts)[1].article.text, "Second entry");
  EXPECT_EQ(st_->StoryArticles("s", false)->at(0).article.text, "");
  auto rejects = st_->ListRejects(10);
  ASSERT_TRUE(rejects.ok());
  ASSERT_EQ(rejects->size(), 4u);
  EXPECT_EQ((*rejects)[0].first.message, "item 2 is empty");  // newest first
  EXPECT_EQ((*rejects)[0].second, 15);
  EXPECT_EQ((*rejects)[1].first.message, "item 1 is empty");
  EXPECT_EQ((*rejects)[2].first.message, "not text either");
  EXPECT_EQ((*rejects)[2].second, 13);
  EXPECT_EQ((*rejects)[3].first.origin, "feed.xml:1");
  EXPECT_EQ((*rejects)[3].second, 11);
  EXPECT_EQ(st_->ListRejects(-1)->size(), 4u);
  auto feed = st_->GetFeedState(f.url);
  ASSERT_TRUE(feed.ok() && feed->has_value());
  EXPECT_EQ((*feed)->etag, "W/\"abc\"");
  EXPECT_EQ((*feed)->failures, 0);
  EXPECT_EQ((*feed)->last_status, 200);
  EXPECT_FALSE(st_->GetFeedState("https://other")->has_value());
  EXPECT_EQ(**st_->GetMeta("k"), "v2");
  auto entries = st_->Entries("blog");
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 3u);  // by number
  EXPECT_EQ((*entries)[0].title, "Entry one");
  EXPECT_EQ((*entries)[1].n, 2);
  EXPECT_EQ((*entries)[1].text, "Second entry");
  EXPECT_EQ((*entries)[2].n, 10);
  EXPECT_TRUE(st_->Entries("nope")->empty());
  EXPECT_FALSE(st_->GetMeta("nope")->has_value());
  int bp = 0;
  ASSERT_TRUE(st_->LoadBoilerplate([&](const std::string& s, uint64_t h, uint32_t n) {
                   EXPECT_EQ(s, "Example News");
                   EXPECT_EQ(h, 0x8000000000000001ull);
                   EXPECT_EQ(n, 4u);
                   ++bp;
                 })
                  .ok());
  EXPECT_EQ(bp, 1);
}

TEST_P(StoreConformance, DocumentFrequenciesByDay) {
  ASSERT_TRUE(st_->Begin().ok());
  ASSERT_TRUE(
      st_->PutDf({{{1, false}, 0xF000000000000000ull, 3}, {{2, false}, 9, 1}, {{7, true}, 9, 2}},
                 {{{1, false}, 10}, {{2, false}, 4}, {{7, true}, 2}}, {})
          .ok());
  ASSERT_TRUE(st_->PutDf({{{2, false}, 9, 5}}, {}, {{1, false}}).ok());
  ASSERT_TRUE(st_->Commit().ok());
  std::vector<std::string> counts, docs;
  ASSERT_TRUE(
      st_->LoadDf(
             [&](const DfCount& c) {
               counts.push_back(std::to_string(c.bucket.day) + (c.bucket.undated ? "u" : "") + ":" +
                                std::to_string(c.feature) + "=" + std::to_string(c.n));
             },
             [&](const DfDocuments& d) {
               docs.push_back(std::to_string(d.bucket.day) + "=" + std::to_string(d.documents));
             })
          .ok());
  EXPECT_EQ(counts, (std::vector<std::string>{"2:9=5", "7u:9=2"}));
  EXPECT_EQ(docs, (std::vector<std::string>{"2=4", "7=2"}));
}

TEST_P(StoreConformance, RollbackUndoesTheWholeBatch) {
  Stories({{"kept", 100}});
  ASSERT_TRUE(st_->Begin().ok());
  StoredArticle a = MakeArticle("gone", 77);
  ASSERT_TRUE(st_->PutArticle(&a).ok());
  ASSERT_TRUE(st_->PutMembership({"gone", "s-kept", 1, "text", "{}"}).ok());
  ASSERT_TRUE(st_->PutMeta("watermark", "5").ok());
  ASSERT_TRUE(st_->PutReject({"x", "empty", "m"}, 1).ok());
  ASSERT_TRUE(st_->Rollback().ok());
  EXPECT_EQ(*st_->CountArticles(), 1);
  EXPECT_FALSE(st_->ArticleHash("gone")->has_value());
  EXPECT_FALSE(st_->GetMeta("watermark")->has_value());
  EXPECT_TRUE(st_->ListRejects(10)->empty());
  EXPECT_EQ(st_->StoryMemberships("s-kept")->size(), 1u);
  EXPECT_TRUE(st_->Rollback().ok());  // outside a transaction: nothing to undo

  // The next batch works, and its article gets the handle after the kept one.
  ASSERT_TRUE(st_->Begin().ok());
  StoredArticle b = MakeArticle("next", 78);
  ASSERT_TRUE(st_->PutArticle(&b).ok());
  ASSERT_TRUE(st_->Commit().ok());
  EXPECT_EQ(b.handle, st_->GetArticle("kept")->handle + 1);
}

TEST_P(StoreConformance, AFailedWriteFailsTheBatchAndRollsBackWhole) {
  ASSERT_TRUE(st_->Begin().ok());
  StoredArticle a = MakeArticle("dup", 1), b = MakeArticle("dup", 2), c = MakeArticle("c", 3);
  ASSERT_TRUE(st_->PutArticle(&a).ok());
  // A second article with the same id breaks a constraint: the error is
  // reported by this write or, for a pipelined write, by a later call.
  Status s = st_->PutArticle(&b);
  if (s.ok()) s = st_->PutArticle(&c);
  if (s.ok()) s = st_->Commit();
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(st_->Rollback().ok());
  EXPECT_EQ(*st_->CountArticles(), 0);
  // The store is usable after it.
  Stories({{"after", 5}});
  EXPECT_EQ(*st_->CountArticles(), 1);
}

TEST_P(StoreConformance, ListingsSortFilterAndPage) {
  Stories({{"a", 1000}, {"b", 3000}, {"c", 2000}, {"d", std::nullopt}});
  ASSERT_TRUE(st_->Begin().ok());
  StoredArticle x = MakeArticle("a2", 555);
  x.lang = "nb";
  x.article.source = "NTB";
  x.article.url = "https://www.ntb.no/x";
  x.article.published = 1100;
  ASSERT_TRUE(st_->PutArticle(&x).ok());
  ASSERT_TRUE(st_->PutMembership({"a2", "s-a", 1, "text", "{}"}).ok());
  StoryRecord s;
  s.id = "s-a";
  s.title = "Title a";
  s.size = 2;
  s.langs = {{"en", 1}, {"nb", 1}};
  s.first_time = 1000;
  s.last_time = 1100;
  ASSERT_TRUE(st_->PutStory(s, 10).ok());
  ASSERT_TRUE(
      st_->PutStoryIntel(
             "s-c",
             R"({"sources":{"independent":3},"summary":{"headline":"C!","headlines":{"nb":"C på norsk"}}})",
             {{"person:putin", "Vladimir Putin", "person", 4, 1}}, 20)
          .ok());
  ASSERT_TRUE(st_->PutStoryIntel("s-b", R"({"sources":{"independent":1}})",
                                 {{"person:putin", "Putin", "person", 1, 1},
                                  {"place:moscow", "Moscow", "place", 2, 1}},
                                 20)
                  .ok());
  ASSERT_TRUE(st_->Commit().ok());
  EXPECT_EQ(*st_->CountStories(), 4);

  auto ids = [](Result<std::vector<StoryRow>> r) {
    std::vector<std::string> out;
    if (r.ok())
      for (const auto& x : *r) out.push_back(x.id);
    return out;
  };
  StoryFilter f;
  f.sort = "size";
  EXPECT_EQ(ids(st_->ListStories(f)), (std::vector<std::string>{"s-a", "s-b", "s-c", "s-d"}));
  f.sort = "recent";
  EXPECT_EQ(ids(st_->ListStories(f)), (std::vector<std::string>{"s-b", "s-c", "s-a", "s-d"}));
  f.sort = "sources";
  EXPECT_EQ(ids(st_->ListStories(f)), (std::vector<std::string>{"s-c", "s-b", "s-a", "s-d"}));
  f.sort = "top";
  EXPECT_EQ(ids(st_->ListStories(f)), (std::vector<std::string>{"s-c", "s-b", "s-a", "s-d"}));
  // Pages by cursor: the same rows, each once.
  f.sort = "recent";
  f.limit = 3;
  auto page1 = st_->ListStories(f);
  ASSERT_TRUE(page1.ok());
  ASSERT_EQ(page1->size(), 3u);
  f.after = StoryCursor(page1->back(), f.sort);
  EXPECT_EQ(ids(st_->ListStories(f)), (std::vector<std::string>{"s-d"}));
  f.after = "garbage";
  EXPECT_EQ(st_->ListStories(f).status().code(), Status::Code::kInvalidArgument);
  StoryFilter g;
  g.lang = "nb";
  EXPECT_EQ(ids(st_->ListStories(g)), (std::vector<std::string>{"s-a"}));
  g = {};
  g.source = "ntb.no";
  EXPECT_EQ(ids(st_->ListStories(g)), (std::vector<std::string>{"s-a"}));
  g.source = "ntb";
  EXPECT_EQ(ids(st_->ListStories(g)), (std::vector<std::string>{"s-a"}));
  g = {};
  g.entity = "person:putin";
  g.sort = "recent";
  EXPECT_EQ(ids(st_->ListStories(g)), (std::vector<std::string>{"s-b", "s-c"}));
  g = {};
  g.since = 1500;
  g.until = 2500;
  EXPECT_EQ(ids(st_->ListStories(g)), (std::vector<std::string>{"s-c"}));
  g = {};
  g.min_size = 2;
  EXPECT_EQ(ids(st_->ListStories(g)), (std::vector<std::string>{"s-a"}));

  auto c = st_->GetStory("s-c");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->headline, "C!");
  EXPECT_EQ(c->headlines.at("nb"), "C på norsk");
  EXPECT_EQ(c->independent, 3);
  EXPECT_EQ(st_->GetStory("s-a")->langs.at("nb"), 1);
  EXPECT_EQ(st_->GetStory("zz").status().code(), Status::Code::kNotFound);

  auto entities = st_->ListEntities(10);
  ASSERT_TRUE(entities.ok());
  ASSERT_EQ(entities->size(), 2u);
  EXPECT_EQ((*entities)[0].key, "person:putin");
  EXPECT_EQ((*entities)[0].stories, 2);
  EXPECT_EQ((*entities)[0].count, 5);
  EXPECT_EQ(*st_->EntityStories("person:putin", -1), (std::vector<std::string>{"s-b", "s-c"}));
  EXPECT_EQ(*st_->FindEntityKeys("MOSCOW"), (std::vector<std::string>{"place:moscow"}));
  EXPECT_TRUE(st_->GetStoryIntel("s-c")->has_value());

  // The stamp changes when the summary does, and with the story.
  auto stamp1 = st_->StoryStamp("s-c");
  ASSERT_TRUE(stamp1.ok());
  ASSERT_TRUE(st_->Begin().ok());
  ASSERT_TRUE(st_->PutStoryIntel("s-c", R"({"sources":{"independent":3}})", {}, 20).ok());
  ASSERT_TRUE(st_->Commit().ok());
  auto stamp2 = st_->StoryStamp("s-c");
  ASSERT_TRUE(stamp2.ok());
  EXPECT_NE(*stamp1, *stamp2);
  EXPECT_EQ(*stamp2, *st_->StoryStamp("s-c"));
  // Written again, the same summary still changes it: it is written when
  // one of the story's articles changed (a title the summary does not show).
  ASSERT_TRUE(st_->Begin().ok());
  ASSERT_TRUE(st_->PutStoryIntel("s-c", R"({"sources":{"independent":3}})", {}, 30).ok());
  ASSERT_TRUE(st_->Commit().ok());
  EXPECT_NE(*stamp2, *st_->StoryStamp("s-c"));
  EXPECT_EQ(st_->StoryStamp("zz").status().code(), Status::Code::kNotFound);
}

TEST_P(StoreConformance, EntitiesKeepTheirNamesExactlyAndTheLastOfAKeyWins) {
  Stories({{"a", 100}});
  ASSERT_TRUE(st_->Begin().ok());
  ASSERT_TRUE(st_->PutStoryIntel("s-a", "{}",
                                 {{"k1", "Al \"Fox\" O\\Brien, {Jr}", "person", 2, 1},
                                  {"k2", "NULL", "other", 1, 1},
                                  {"k1", "Al Fox", "person", 3, 1}},
                                 5)
                  .ok());
  ASSERT_TRUE(st_->Commit().ok());
  auto e = st_->ListEntities(-1);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(e->size(), 2u);
  EXPECT_EQ((*e)[0].key, "k1");
  EXPECT_EQ((*e)[0].name, "Al Fox");
  EXPECT_EQ((*e)[0].count, 3);
  EXPECT_EQ((*e)[1].name, "NULL");
  ASSERT_TRUE(st_->Begin().ok());
  ASSERT_TRUE(
      st_->PutStoryIntel("s-a", "{}", {{"k3", "Al \"Fox\" O\\Brien, {Jr}", "person", 1, 1}}, 6)
          .ok());
  ASSERT_TRUE(st_->Commit().ok());
  e = st_->ListEntities(-1);
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->size(), 1u);  // the story's entities were replaced
  EXPECT_EQ((*e)[0].name, "Al \"Fox\" O\\Brien, {Jr}");
  // Some rows the same, one changed, one new, one gone.
  ASSERT_TRUE(st_->Begin().ok());
  ASSERT_TRUE(st_->PutStoryIntel("s-a", "{}",
                                 {{"k3", "Al \"Fox\" O\\Brien, {Jr}", "person", 1, 1},
                                  {"k4", "Oslo", "place", 2, 1},
                                  {"k5", "NTB", "organisation", 1, 1}},
                                 7)
                  .ok());
  ASSERT_TRUE(st_->PutStoryIntel("s-a", "{}",
                                 {{"k3", "Al \"Fox\" O\\Brien, {Jr}", "person", 1, 1},
                                  {"k4", "Oslo", "place", 3, 1},
                                  {"k6", "Bergen", "place", 1, 1}},
                                 8)
                  .ok());
  ASSERT_TRUE(st_->Commit().ok());
  e = st_->ListEntities(-1);
  ASSERT_TRUE(e.ok());
  std::map<std::string, std::pair<std::string, int64_t>> rows;
  for (const auto& r : *e) rows[r.key] = {r.name, r.count};
  EXPECT_EQ(
      rows,
      (std::map<std::string, std::pair<std::string, int64_t>>{
          {"k3", {"Al \"Fox\" O\\Brien, {Jr}", 1}}, {"k4", {"Oslo", 3}}, {"k6", {"Bergen", 1}}}));
}

TEST_P(StoreConformance, SearchFoldsCaseAndDiacriticsAndRanksTitlesFirst) {
  ASSERT_TRUE(st_->Begin().ok());
  StoredArticle a = MakeArticle("no1", 1), b = MakeArticle("en1", 2), c = MakeArticle("en2", 3);
  a.lang = "nb";
  a.article.title = "Putin og Scholz i møte";
  a.article.text = "Det var et langt møte i Moskva om Ukraina.";
  b.article.title = "Scholz flies to Moscow";
  b.article.text = "The chancellor will meet Putin on Tuesday.";
  c.article.title = "Markets";
  c.article.text = "Shares rose; analysts mentioned Scholz once.";
  for (StoredArticle* x : {&a, &b, &c}) ASSERT_TRUE(st_->PutArticle(x).ok());
  ASSERT_TRUE(st_->PutMembership({"no1", "s1", 1, "new", "{}"}).ok());
  ASSERT_TRUE(st_->Commit().ok());

  auto find = [&](const std::string& text, const std::string& lang = "") {
    SearchQuery q;
    q.text = text;
    q.lang = lang;
    std::vector<std::string> out;
    auto r = st_->Search(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok())
      for (const auto& h : *r) out.push_back(h.article);
    return out;
  };
  EXPECT_EQ(find("mote"), (std::vector<std::string>{"no1"}));  // ø folded
  EXPECT_EQ(find("MØTE moskva"), (std::vector<std::string>{"no1"}));
  EXPECT_EQ(find("mosc*"), (std::vector<std::string>{"en1"}));
  EXPECT_EQ(find("putin", "en"), (std::vector<std::string>{"en1"}));
  auto scholz = find("scholz");
  ASSERT_EQ(scholz.size(), 3u);
  EXPECT_EQ(scholz.back(), "en2");          // only in the text: last
  EXPECT_TRUE(find("\"'*()&|!:").empty());  // punctuation only: no query, no error
  EXPECT_TRUE(find("").empty());
  SearchQuery q;
  q.text = "møte";
  auto hits = st_->Search(q);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].story, "s1");
  EXPECT_NE((*hits)[0].title_marked.find(std::string(1, kMatchBegin) + "møte" + kMatchEnd),
            std::string::npos)
      << (*hits)[0].title_marked;
  EXPECT_NE((*hits)[0].snippet_marked.find(kMatchBegin), std::string::npos);
}

TEST_P(StoreConformance, TakedownErasesTheArticleAndEverythingDerived) {
  Stories({{"keep", 100}, {"bad", 200}});
  ASSERT_TRUE(st_->Begin().ok());
  ASSERT_TRUE(st_->PutAlias("bad-copy", "bad", "f:1", 31).ok());
  ASSERT_TRUE(st_->PutEntry("bad", 1, "e", "entry text").ok());
  ASSERT_TRUE(st_->PutMembership({"bad#1", "s-keep", 1, "text", "{}"}).ok());
  ASSERT_TRUE(st_->PutDuplicate({"bad-copy", "bad", "exact", 1, 1, 1}).ok());
  ASSERT_TRUE(st_->PutArticleIntel("bad", "{}").ok());
  ASSERT_TRUE(st_->UpdateArticle("bad", "Title bad", "Revised", 5, 6, 300).ok());
  ASSERT_TRUE(st_->Commit().ok());
  EXPECT_EQ(*st_->CountStories(), 2);

  auto targets = st_->TakedownTargets("article", "bad-copy");
  ASSERT_TRUE(targets.ok());
  EXPECT_EQ(*targets, (std::vector<std::string>{"bad"}));
  EXPECT_EQ(*st_->TakedownTargets("url", "https://news.example.com/bad"),
            (std::vector<std::string>{"bad"}));
  EXPECT_EQ(st_->TakedownTargets("source", "example.com")->size(), 2u);
  EXPECT_EQ(st_->TakedownTargets("source", "EXAMPLE NEWS")->size(), 2u);
  EXPECT_FALSE(st_->TakedownTargets("nonsense", "x").ok());

  ASSERT_TRUE(st_->Begin().ok());
  auto erased = st_->EraseArticle("bad");
  ASSERT_TRUE(erased.ok()) << erased.status().ToString();
  EXPECT_EQ(erased->stories, (std::vector<std::string>{"s-bad", "s-keep"}));
  EXPECT_EQ(erased->aliases, (std::vector<std::string>{"bad-copy"}));
  EXPECT_FALSE(erased->hashes.empty());
  auto kept = st_->RecountStory("s-keep", 400);
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(*kept);
  auto emptied = st_->RecountStory("s-bad", 400);
  ASSERT_TRUE(emptied.ok());
  EXPECT_FALSE(*emptied);
  TakedownRecord rec;
  rec.kind = "article";
  rec.value = "bad";
  rec.reason = "court order";
  rec.at = 400;
  rec.articles = {"bad", "bad-copy"};
  ASSERT_TRUE(st_->PutTakedown(&rec, erased->hashes).ok());
  EXPECT_GT(rec.seq, 0);
  ASSERT_TRUE(st_->Commit().ok());
  Status scrub = st_->Scrub();
  ASSERT_TRUE(scrub.ok()) << scrub.ToString();
  EXPECT_EQ(*st_->CountStories(), 1);  // s-bad emptied and deleted

  EXPECT_EQ(st_->GetArticle("bad").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(st_->GetArticle("bad-copy").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(*st_->CountRevisions("bad"), 0);
  EXPECT_FALSE(st_->GetArticleIntel("bad")->has_value());
  EXPECT_EQ(st_->GetStory("s-bad").status().code(), Status::Code::kNotFound);
  auto keep = st_->StoryArticles("s-keep");
  ASSERT_TRUE(keep.ok());
  ASSERT_EQ(keep->size(), 1u);
  EXPECT_EQ(st_->GetStory("s-keep")->entries, 0);
  SearchQuery q;
  q.text = "revised";
  EXPECT_TRUE(st_->Search(q)->empty());
  EXPECT_TRUE(st_->DuplicatesOf("bad")->empty());
  // Tombstones refuse it again under its id, URL, content or source.
  EXPECT_TRUE(st_->TakenDown("bad", "", "", 0)->has_value());
  EXPECT_TRUE(st_->TakenDown("other", "", "", 31)->has_value());
  EXPECT_NE(st_->TakenDown("bad-copy", "", "", 0)->value_or("").find("court order"),
            std::string::npos);
  EXPECT_FALSE(st_->TakenDown("fine", "https://x.org/a", "X", 12345)->has_value());
  std::set<std::string> stones = {"article:bad", "article:bad-copy"};
  for (uint64_t h : erased->hashes) stones.insert("hash:" + std::to_string(h));
  EXPECT_EQ(*st_->CountTombstones(), static_cast<int64_t>(stones.size()));
  ASSERT_TRUE(st_->Begin().ok());
  TakedownRecord src;
  src.kind = "source";
  src.value = "Example.com";
  src.reason = "request";
  src.at = 500;
  ASSERT_TRUE(st_->PutTakedown(&src, {}).ok());
  ASSERT_TRUE(st_->Commit().ok());
  EXPECT_TRUE(st_->TakenDown("n", "https://www.example.com/x", "", 0)->has_value());
  EXPECT_FALSE(st_->TakenDown("n", "https://example.org/x", "", 0)->has_value());
  auto list = st_->ListTakedowns(10);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].kind, "source");  // newest first
  EXPECT_EQ((*list)[1].articles, (std::vector<std::string>{"bad", "bad-copy"}));
}

TEST_P(StoreConformance, ReadersSeeCommittedBatchesAndStableSnapshots) {
  Stories({{"first", 100}});
  auto reader = Open();
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(*reader->CountArticles(), 1);
  ASSERT_TRUE(st_->Begin().ok());
  StoredArticle a = MakeArticle("second", 2);
  ASSERT_TRUE(st_->PutArticle(&a).ok());
  EXPECT_EQ(*reader->CountArticles(), 1);  // not committed yet
  ASSERT_TRUE(st_->Commit().ok());
  EXPECT_EQ(*reader->CountArticles(), 2);

  // A snapshot holds still while the writer goes on.
  ASSERT_TRUE(reader->BeginRead().ok());
  EXPECT_EQ(*reader->CountArticles(), 2);
  Stories({{"third", 300}});
  EXPECT_EQ(*reader->CountArticles(), 2);
  EXPECT_EQ(reader->GetStory("s-third").status().code(), Status::Code::kNotFound);
  ASSERT_TRUE(reader->EndRead().ok());
  EXPECT_EQ(*reader->CountArticles(), 3);
  EXPECT_TRUE(reader->EndRead().ok());  // outside a snapshot: nothing to end
}

TEST_P(StoreConformance, OneWriterAtATime) {
  std::string path = GetParam() == "postgres" ? spec_ : StorePath(spec_);
  auto first = WriterLock::Acquire(path, false);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = WriterLock::Acquire(path, false);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("one writer at a time"), std::string::npos)
      << second.status().message();
  first->reset();
  auto third = WriterLock::Acquire(path, false);
  EXPECT_TRUE(third.ok()) << third.status().ToString();
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace storyline
