#include "store/store.h"

#include <gtest/gtest.h>

namespace storyline {
namespace {

std::unique_ptr<ArticleStore> Open() {
  auto s = OpenSqliteStore(":memory:", {});
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

StoredArticle MakeArticle(const std::string& id, uint64_t hash) {
  StoredArticle a;
  a.article.id = id;
  a.article.title = "Title " + id;
  a.article.text = "Text";
  a.lang = "en";
  a.content_hash = hash;
  a.sketch = {4, 8, 12};
  return a;
}

TEST(SqliteStore, ArticlesRoundTripAndHashesAreFound) {
  auto st = Open();
  ASSERT_TRUE(st->Begin().ok());
  StoredArticle a = MakeArticle("a", 42);
  a.article.published = 1000;
  a.article.repairs = {"invalid_utf8: replaced 1 bytes"};
  ASSERT_TRUE(st->PutArticle(&a).ok());
  EXPECT_GT(a.handle, 0);
  ASSERT_TRUE(st->PutMembership({"a", "s1", 0.5, "new", "{}"}).ok());
  StoryRecord s;
  s.id = "s1";
  s.title = "Story";
  s.size = 1;
  s.langs["en"] = 1;
  s.full_vector = "vector bytes";
  ASSERT_TRUE(st->PutStory(s, 5).ok());
  ASSERT_TRUE(st->Commit().ok());

  EXPECT_EQ(**st->ArticleHash("a"), 42u);
  EXPECT_FALSE(st->ArticleHash("zz")->has_value());
  EXPECT_EQ(**st->FindByHash(42), "a");
  auto arts = st->StoryArticles("s1");
  ASSERT_TRUE(arts.ok());
  ASSERT_EQ(arts->size(), 1u);
  EXPECT_EQ((*arts)[0].article.repairs.size(), 1u);
  EXPECT_EQ((*arts)[0].article.published, 1000);
  auto ref = st->ArticleByHandle(a.handle);
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->id, "a");
  int loaded = 0;
  ASSERT_TRUE(st->LoadStories(std::nullopt, 0, [&](StoryRecord x) {
                  ++loaded;
                  EXPECT_EQ(x.full_vector, "vector bytes");
                }).ok());
  EXPECT_EQ(loaded, 1);
}

TEST(SqliteStore, MergedStoryRedirectsAndMovesMemberships) {
  auto st = Open();
  ASSERT_TRUE(st->Begin().ok());
  for (const char* id : {"a", "b", "c"}) {
    StoredArticle x = MakeArticle(id, id[0]);
    ASSERT_TRUE(st->PutArticle(&x).ok());
  }
  ASSERT_TRUE(st->PutMembership({"a", "s1", 0, "new", "{}"}).ok());
  ASSERT_TRUE(st->PutMembership({"b", "s2", 0, "new", "{}"}).ok());
  ASSERT_TRUE(st->PutMembership({"c", "s3", 0, "new", "{}"}).ok());
  ASSERT_TRUE(st->MergeStory("s2", "s1").ok());
  ASSERT_TRUE(st->MergeStory("s1", "s3").ok());  // a chain: s2 -> s1 -> s3
  ASSERT_TRUE(st->Commit().ok());
  EXPECT_EQ(*st->ResolveStory("s2"), "s3");
  EXPECT_EQ(*st->ResolveStory("s1"), "s3");
  EXPECT_EQ(*st->ResolveStory("s3"), "s3");
  EXPECT_EQ(*st->StoryOf("a"), "s3");
  EXPECT_EQ(*st->StoryOf("b"), "s3");
}

TEST(SqliteStore, UnwritablePathIsAnIOError) {
  auto s = OpenSqliteStore("/nonexistent-dir/x.db", {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kIOError);
}

}  // namespace
}  // namespace storyline
