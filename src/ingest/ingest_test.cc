#include "ingest/ingest.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/text.h"

namespace storyline {
namespace {

TEST(ParseTextArticle, TitleIsFirstNonEmptyLineAndDateIsMetadata) {
  auto a = ParseTextArticle("\n date 2022-02-15\nPutin meets Scholz\n\nBody line one.\nBody two.\n",
                            "x", "x.txt", {});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->title, "Putin meets Scholz");
  EXPECT_EQ(a->text, "Body line one.\nBody two.");
  EXPECT_EQ(a->published, ParseIsoDate("2022-02-15"));
  EXPECT_EQ(a->id, "x");
}

TEST(ParseTextArticle, DateTokenFollowedByTitleOnTheSameLine) {
  auto a =
      ParseTextArticle(" date 2022-02 Russlands president slår fast\n\nTekst.", "y", "y.txt", {});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->title, "Russlands president slår fast");
  EXPECT_EQ(a->published, ParseIsoDate("2022-02-01"));
}

TEST(ParseTextArticle, NoDateTokenMeansUnknownDate) {
  auto a = ParseTextArticle("date of the summit was set\nBody", "z", "z.txt", {});
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->published.has_value());
  EXPECT_EQ(a->title, "date of the summit was set");
}

TEST(ParseTextArticle, RejectsEmptyAndBinary) {
  auto e = ParseTextArticle(" \n\n\t", "e", "e.txt", {});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message().substr(0, 5), "empty");
  std::string bin("PK\x03\x04\x00\x00binary", 12);
  auto b = ParseTextArticle(bin, "b", "b.bin", {});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message().substr(0, 6), "binary");
}

TEST(ParseTextArticle, TruncatesOverlongTextAndSaysSo) {
  IngestOptions o;
  o.max_article_bytes = 10;
  auto a = ParseTextArticle("T\nøøøøøøøøøø", "t", "t.txt", o);  // 20 bytes of text
  ASSERT_TRUE(a.ok());
  EXPECT_LE(a->text.size(), 10u);
  EXPECT_TRUE(IsValidUtf8(a->text));
  ASSERT_EQ(a->repairs.size(), 1u);
}

TEST(ParseJsonLines, MalformedLineIsRejectedOthersKept) {
  IngestBatch b;
  ParseJsonLines(
      "{\"id\":\"a\",\"title\":\"One\",\"text\":\"First\",\"published\":\"2026-03-01\",\"lang\":"
      "\"en\"}\n"
      "{not json}\n"
      "\n"
      "{\"title\":\"No id\",\"text\":\"Second\"}\n"
      "{\"id\":\"c\"}\n"
      "[1,2]\n",
      "feed", "feed.jsonl", {}, &b);
  ASSERT_EQ(b.articles.size(), 2u);
  EXPECT_EQ(b.articles[0].id, "a");
  EXPECT_EQ(b.articles[0].lang_hint, "en");
  EXPECT_EQ(b.articles[0].published, ParseIsoDate("2026-03-01"));
  EXPECT_EQ(b.articles[1].id, "feed-4");
  ASSERT_EQ(b.rejects.size(), 3u);
  EXPECT_EQ(b.rejects[0].reason, "malformed_json");
  EXPECT_EQ(b.rejects[0].origin, "feed.jsonl:2");
  EXPECT_EQ(b.rejects[1].reason, "empty");
  EXPECT_EQ(b.rejects[2].reason, "malformed_json");
}

TEST(ParseJsonLines, InvalidUtf8IsRepairedAndRecorded) {
  IngestBatch b;
  ParseJsonLines("{\"id\":\"a\",\"text\":\"caf\xE9\"}\n", "f", "f.jsonl", {}, &b);
  ASSERT_EQ(b.articles.size(), 1u);
  EXPECT_TRUE(IsValidUtf8(b.articles[0].text));
  ASSERT_EQ(b.articles[0].repairs.size(), 1u);
  EXPECT_NE(b.articles[0].repairs[0].find("invalid_utf8"), std::string::npos);
}

TEST(ParseJsonLines, BadDateIsIgnoredWithARepairNote) {
  IngestBatch b;
  ParseJsonLines("{\"id\":\"a\",\"text\":\"x\",\"published\":\"last week\"}\n", "f", "f.jsonl", {},
                 &b);
  ASSERT_EQ(b.articles.size(), 1u);
  EXPECT_FALSE(b.articles[0].published);
  EXPECT_EQ(b.articles[0].repairs.size(), 1u);
}

class ReadPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sl_ingest_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "sub");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
  }
  std::filesystem::path dir_;
};

TEST_F(ReadPathTest, DirectoryMixesGoodAndBadFiles) {
  Write("b.txt", "Title B\nText B");
  Write("a.txt", "Title A\nText A");
  Write("sub/c.jsonl", "{\"id\":\"c1\",\"text\":\"C\"}\nbroken\n");
  Write("empty.txt", "");
  Write("blob.bin", std::string("\x00\x01\x02\x03", 4));
  Write("README.md", "# not an article");
  Write(".hidden", "Hidden\ntext");
  IngestBatch b;
  ASSERT_TRUE(ReadPath(dir_.string(), {}, &b).ok());
  std::vector<std::string> ids;
  for (const auto& a : b.articles) ids.push_back(a.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c1"}));
  std::vector<std::string> reasons;
  for (const auto& r : b.rejects) reasons.push_back(r.reason);
  EXPECT_EQ(reasons, (std::vector<std::string>{"binary", "empty", "malformed_json"}));
}

TEST_F(ReadPathTest, MissingPathIsNotFound) {
  IngestBatch b;
  Status s = ReadPath((dir_ / "nope").string(), {}, &b);
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace storyline
