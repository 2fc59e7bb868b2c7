#include "ingest/ingest.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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

TEST_F(ReadPathTest, ADirectoryIsStreamedInChunks) {
  for (int i = 0; i < 7; ++i)
    Write("f" + std::to_string(i) + ".txt", "Title " + std::to_string(i) + "\nText");
  Write("empty.txt", "");
  IngestBatch b;
  std::vector<size_t> chunks;
  std::vector<std::string> ids;
  size_t rejects = 0;
  b.flush_at = 3;
  b.flush = [&](IngestBatch* batch) {
    chunks.push_back(batch->articles.size());
    for (const auto& a : batch->articles) ids.push_back(a.id);
    rejects += batch->rejects.size();
    batch->articles.clear();
    batch->rejects.clear();
  };
  ASSERT_TRUE(ReadPath(dir_.string(), {}, &b).ok());
  // Never more than a chunk held; what is left is the caller's.
  EXPECT_EQ(chunks, (std::vector<size_t>{3, 3}));
  EXPECT_EQ(b.articles.size(), 1u);
  for (const auto& a : b.articles) ids.push_back(a.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"f0", "f1", "f2", "f3", "f4", "f5", "f6"}));
  EXPECT_EQ(rejects + b.rejects.size(), 1u);
}

TEST_F(ReadPathTest, MissingPathIsNotFound) {
  IngestBatch b;
  Status s = ReadPath((dir_ / "nope").string(), {}, &b);
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
}

// A one-item RSS feed whose item has the guid `id`.
std::string Rss(const std::string& id) {
  return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>F</title><item><title>" + id +
         " title</title><guid>" + id + "</guid><description>Text of " + id +
         ".</description></item></channel></rss>";
}

std::string Opml(const std::vector<std::string>& urls) {
  std::string out = "<?xml version=\"1.0\"?><opml version=\"2.0\"><body>";
  for (const auto& u : urls) out += "<outline text=\"x\" xmlUrl=\"" + u + "\"/>";
  return out + "</body></opml>";
}

std::vector<std::string> Ids(const IngestBatch& b) {
  std::vector<std::string> ids;
  for (const auto& a : b.articles) ids.push_back(a.id);
  return ids;
}

std::vector<std::string> Reasons(const IngestBatch& b) {
  std::vector<std::string> reasons;
  for (const auto& r : b.rejects) reasons.push_back(r.reason);
  return reasons;
}

// Every id, origin, repair and reject is valid UTF-8 and can be written as
// JSON (nlohmann's dump throws on invalid UTF-8; the CLI's export aborted).
void ExpectJsonSafe(const IngestBatch& b) {
  for (const auto& a : b.articles) {
    EXPECT_TRUE(IsValidUtf8(a.id)) << a.id;
    EXPECT_TRUE(IsValidUtf8(a.origin)) << a.origin;
    for (const auto& r : a.repairs) EXPECT_TRUE(IsValidUtf8(r)) << r;
    nlohmann::json j = {{"id", a.id}, {"origin", a.origin}, {"repairs", a.repairs}};
    EXPECT_NO_THROW((void)j.dump());
  }
  for (const auto& r : b.rejects) {
    EXPECT_TRUE(IsValidUtf8(r.origin)) << r.origin;
    EXPECT_TRUE(IsValidUtf8(r.message)) << r.message;
    nlohmann::json j = {{"origin", r.origin}, {"reason", r.reason}, {"message", r.message}};
    EXPECT_NO_THROW((void)j.dump());
  }
}

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Regression test (issue 10): an OPML file that lists itself recursed until
// the stack overflowed (SIGSEGV). Now the second visit is a Reject
// "opml_cycle" and the feeds listed before and after it are read.
TEST_F(ReadPathTest, OpmlListingItselfIsACycle) {
  Write("first.rss", Rss("first"));
  Write("last.rss", Rss("last"));
  Write("sub/self.opml", Opml({"../first.rss", "self.opml", "../last.rss"}));
  IngestBatch b;
  ASSERT_TRUE(ReadPath((dir_ / "sub/self.opml").string(), {}, &b).ok());
  EXPECT_EQ(Ids(b), (std::vector<std::string>{"first", "last"}));
  ASSERT_EQ(Reasons(b), (std::vector<std::string>{"opml_cycle"}));
  EXPECT_NE(b.rejects[0].message.find("self.opml -> "), std::string::npos) << b.rejects[0].message;
  ExpectJsonSafe(b);
}

// Regression test (issue 10): two lists that name each other (under other
// spellings of the same path: absolute, "./", through a symbolic link).
TEST_F(ReadPathTest, OpmlListsNamingEachOtherAreACycle) {
  Write("a.rss", Rss("a"));
  Write("b.rss", Rss("b"));
  std::filesystem::create_directory_symlink(dir_ / "sub", dir_ / "alias");
  Write("one.opml", Opml({"a.rss", "./sub/two.opml"}));
  Write("sub/two.opml",
        Opml({(dir_ / "alias" / ".." / "one.opml").string(), "../b.rss", "../alias/two.opml"}));
  IngestBatch b;
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(ReadPath((dir_ / "one.opml").string(), {}, &b).ok());
  EXPECT_LT(SecondsSince(t0), 10.0);
  EXPECT_EQ(Ids(b), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Reasons(b), (std::vector<std::string>{"opml_cycle", "opml_cycle"}));
  ExpectJsonSafe(b);
}

// A directory holding a list that names the directory: the list is on the
// chain when the directory walk reaches it again.
TEST_F(ReadPathTest, OpmlNamingItsOwnDirectoryIsACycle) {
  Write("sub/a.rss", Rss("a"));
  Write("sub/list.opml", Opml({"."}));
  IngestBatch b;
  ASSERT_TRUE(ReadPath((dir_ / "sub/list.opml").string(), {}, &b).ok());
  EXPECT_EQ(Ids(b), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Reasons(b), (std::vector<std::string>{"opml_cycle"}));
}

TEST_F(ReadPathTest, OpmlNestedTooDeepIsRejected) {
  // l0 -> l1 -> l2 -> l3 -> l4, each list also naming one feed.
  for (int i = 0; i <= 4; ++i) {
    std::string n = std::to_string(i);
    Write("f" + n + ".rss", Rss("f" + n));
    Write("l" + n + ".opml", Opml({"f" + n + ".rss", "l" + std::to_string(i + 1) + ".opml"}));
  }
  IngestBatch b;
  ASSERT_TRUE(ReadPath((dir_ / "l0.opml").string(), {}, &b).ok());
  EXPECT_EQ(Ids(b), (std::vector<std::string>{"f0", "f1", "f2"}));
  ASSERT_EQ(Reasons(b), (std::vector<std::string>{"opml_depth"}));
  EXPECT_EQ(b.rejects[0].origin, (dir_ / "l3.opml").string());
}

TEST_F(ReadPathTest, OpmlListedTwiceIsReadOnce) {
  Write("a.rss", Rss("a"));
  Write("inner.opml", Opml({"a.rss"}));
  Write("outer.opml", Opml({"inner.opml", "inner.opml"}));
  IngestBatch b;
  ASSERT_TRUE(ReadPath((dir_ / "outer.opml").string(), {}, &b).ok());
  EXPECT_EQ(Ids(b), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Reasons(b), (std::vector<std::string>{"opml_repeat"}));
}

// Regression test (issue 10): a link to an enclosing directory. It was not
// followed, but said nothing; now it is a Reject and the files are read once.
TEST_F(ReadPathTest, SymlinkToEnclosingDirectoryIsALoop) {
  Write("a.txt", "Title A\nText A");
  Write("sub/c.txt", "Title C\nText C");
  std::filesystem::create_directory_symlink(dir_, dir_ / "sub" / "loop");
  IngestBatch b;
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(ReadPath(dir_.string(), {}, &b).ok());
  EXPECT_LT(SecondsSince(t0), 10.0);
  EXPECT_EQ(Ids(b), (std::vector<std::string>{"a", "c"}));
  ASSERT_EQ(Reasons(b), (std::vector<std::string>{"symlink_loop"}));
  EXPECT_EQ(b.rejects[0].origin, (dir_ / "sub" / "loop").string());
}

// Regression test (issue 10): links that point at each other (a -> b -> a)
// made is_regular_file throw; the uncaught filesystem_error aborted the whole
// ingest (SIGABRT) and the good files were lost.
TEST_F(ReadPathTest, SymlinkChainLoopKeepsTheGoodFiles) {
  Write("a.txt", "Title A\nText A");
  Write("sub/c.txt", "Title C\nText C");
  std::filesystem::create_symlink(dir_ / "sub" / "y", dir_ / "sub" / "x");
  std::filesystem::create_symlink(dir_ / "sub" / "x", dir_ / "sub" / "y");
  std::filesystem::create_symlink("self", dir_ / "self");
  IngestBatch b;
  ASSERT_TRUE(ReadPath(dir_.string(), {}, &b).ok());
  EXPECT_EQ(Ids(b), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(Reasons(b), (std::vector<std::string>{"symlink_loop", "symlink_loop", "symlink_loop"}));
  // The loop as the path itself.
  IngestBatch c;
  ASSERT_TRUE(ReadPath((dir_ / "sub" / "x").string(), {}, &c).ok());
  EXPECT_TRUE(c.articles.empty());
  EXPECT_EQ(Reasons(c), (std::vector<std::string>{"symlink_loop"}));
}

TEST_F(ReadPathTest, LinkedDirectoriesAreFollowedOnce) {
  std::filesystem::create_directories(dir_ / "real");
  Write("real/x.txt", "Title X\nText X");
  std::filesystem::create_directory_symlink(dir_ / "real", dir_ / "alias");  // sorts first
  std::filesystem::create_directories(dir_.string() + "_outside");
  std::ofstream(dir_.string() + "_outside/y.txt") << "Title Y\nText Y";
  std::filesystem::create_directory_symlink(dir_.string() + "_outside", dir_ / "outside");
  std::filesystem::create_symlink(dir_ / "missing.txt", dir_ / "dangling.txt");
  IngestBatch b;
  Status s = ReadPath(dir_.string(), {}, &b);
  std::filesystem::remove_all(dir_.string() + "_outside");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Ids(b), (std::vector<std::string>{"y", "x"}));
  ASSERT_EQ(b.articles.size(), 2u);
  EXPECT_EQ(b.articles[0].origin, (dir_ / "outside" / "y.txt").string());
  EXPECT_EQ(b.articles[1].origin, (dir_ / "real" / "x.txt").string());  // not via the alias
  ASSERT_EQ(Reasons(b), (std::vector<std::string>{"unreadable"}));
  EXPECT_EQ(b.rejects[0].origin, (dir_ / "dangling.txt").string());
}

TEST_F(ReadPathTest, UnreadableSubdirectoryKeepsTheOthers) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads every directory";
  Write("a.txt", "Title A\nText A");
  Write("sub/c.txt", "Title C\nText C");
  std::filesystem::permissions(dir_ / "sub", std::filesystem::perms::none);
  IngestBatch b;
  Status s = ReadPath(dir_.string(), {}, &b);
  std::filesystem::permissions(dir_ / "sub", std::filesystem::perms::owner_all);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Ids(b), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Reasons(b), (std::vector<std::string>{"unreadable"}));
}

TEST(Utf8Name, EscapesOnlyInvalidBytes) {
  int n = -1;
  EXPECT_EQ(Utf8Name("/tmp/Tromsø 100%.txt", &n), "/tmp/Tromsø 100%.txt");
  EXPECT_EQ(n, 0);
  EXPECT_EQ(Utf8Name("caf\xE9.txt", &n), "caf%E9.txt");
  EXPECT_EQ(n, 1);
  EXPECT_EQ(Utf8Name("\xFF\xFE.txt", &n), "%FF%FE.txt");
  EXPECT_EQ(n, 2);
  // A truncated sequence, an overlong '/', a surrogate: byte by byte.
  EXPECT_EQ(Utf8Name("a\xE2\x82"
                     "b\xC0\xAF\xED\xA0\x80ø"),
            "a%E2%82b%C0%AF%ED%A0%80ø");
  EXPECT_EQ(Utf8Name(""), "");
}

// Regression test (issue 10): a file name that is not UTF-8 became the id
// and origin unchanged, and exporting the store then aborted on it. Now
// invalid bytes are escaped as %XX (the same file, the same id, every time)
// and the article says so.
TEST_F(ReadPathTest, NonUtf8FileNamesGiveValidIdsAndOrigins) {
  Write("\xFF\xFE.txt", "Title FF\nText");
  Write("caf\xE9.txt", "Caf\xC3\xA9\nText");
  Write("sub/l\xE9.jsonl", "{\"text\":\"one\"}\n{\"id\":\"own\",\"text\":\"two\"}\nbroken\n");
  Write("sub/f\xE9.rss", Rss("item"));
  Write("sub/empty\xE9.txt", "");
  IngestBatch b;
  ASSERT_TRUE(ReadPath(dir_.string(), {}, &b).ok());
  // In name order (bytes compared unsigned: 0xFF sorts last).
  EXPECT_EQ(Ids(b), (std::vector<std::string>{"caf%E9", "item", "l%E9-1", "own", "%FF%FE"}));
  for (const auto& a : b.articles) {
    EXPECT_EQ(a.origin.find('\xE9'), std::string::npos);
    ASSERT_FALSE(a.repairs.empty()) << a.id;
    EXPECT_EQ(a.repairs.back().rfind("file_name: not valid UTF-8", 0), 0u) << a.repairs.back();
  }
  ASSERT_EQ(b.articles.size(), 5u);
  EXPECT_EQ(b.articles[0].origin, (dir_ / "caf%E9.txt").string());
  EXPECT_EQ(b.articles[1].origin, (dir_ / "sub" / "f%E9.rss").string() + ":1");
  EXPECT_EQ(b.articles[4].origin, (dir_ / "%FF%FE.txt").string());
  EXPECT_EQ(Reasons(b), (std::vector<std::string>{"empty", "malformed_json"}));
  EXPECT_EQ(b.rejects[0].origin, (dir_ / "sub" / "empty%E9.txt").string());
  EXPECT_EQ(b.rejects[1].origin, (dir_ / "sub" / "l%E9.jsonl").string() + ":3");
  ExpectJsonSafe(b);
  // The same files give the same ids and origins again.
  IngestBatch again;
  ASSERT_TRUE(ReadPath(dir_.string(), {}, &again).ok());
  EXPECT_EQ(Ids(again), Ids(b));
  // A single file, and a missing one, named by its path.
  IngestBatch one;
  ASSERT_TRUE(ReadPath((dir_ / "caf\xE9.txt").string(), {}, &one).ok());
  EXPECT_EQ(Ids(one), (std::vector<std::string>{"caf%E9"}));
  Status missing = ReadPath((dir_ / "nope\xE9.txt").string(), {}, &one);
  EXPECT_EQ(missing.code(), Status::Code::kNotFound);
  EXPECT_TRUE(IsValidUtf8(missing.message())) << missing.message();
}

// Issue 10: year 9999 and year 1 in JSON Lines and text files are dates.
TEST(ParseJsonLines, ExtremeYearsAreDates) {
  IngestBatch b;
  ParseJsonLines(
      "{\"id\":\"far\",\"text\":\"x\",\"published\":\"9999-12-31T23:59:59Z\"}\n"
      "{\"id\":\"early\",\"text\":\"x\",\"published\":\"0001-01-01\"}\n"
      "{\"id\":\"nope\",\"text\":\"x\",\"published\":\"2022-02-30\"}\n",
      "f", "f.jsonl", {}, &b);
  ASSERT_EQ(b.articles.size(), 3u);
  EXPECT_EQ(b.articles[0].published, 253402300799);
  EXPECT_TRUE(b.articles[0].repairs.empty());
  EXPECT_EQ(b.articles[1].published, -62135596800);
  EXPECT_FALSE(b.articles[2].published);
  EXPECT_EQ(b.articles[2].repairs.size(), 1u);
}

TEST(ParseTextArticle, ExtremeYearsAreDates) {
  auto far = ParseTextArticle("date 9999-12-31 Far\nText", "f", "f.txt", {});
  ASSERT_TRUE(far.ok());
  EXPECT_EQ(far->published, 253402214400);
  EXPECT_EQ(far->title, "Far");
  auto early = ParseTextArticle("date 0001-01\nEarly\nText", "e", "e.txt", {});
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->published, -62135596800);
}

// Issue 10: no JSON value can make the library throw (get<> on the wrong
// type, numbers too large for int64).
TEST(ParseJsonLines, OddJsonTypesNeverThrow) {
  IngestBatch b;
  EXPECT_NO_THROW(ParseJsonLines(
      "{\"id\":18446744073709551615,\"text\":\"x\",\"published\":1e300}\n"
      "{\"id\":-9223372036854775808,\"title\":[1],\"text\":{\"a\":1},\"published\":true}\n"
      "{\"id\":1.5,\"text\":\"y\",\"source\":null,\"url\":[],\"lang\":{},\"published\":12}\n"
      "{\"id\":\"n\",\"text\":\"z\",\"published\":\"99999-01-01\"}\n",
      "f", "f.jsonl", {}, &b));
  // An unsigned id above INT64_MAX is kept as written (it was read as -1).
  EXPECT_EQ(Ids(b), (std::vector<std::string>{"18446744073709551615", "f-3", "n"}));
  EXPECT_EQ(Reasons(b), (std::vector<std::string>{"empty"}));
  for (const auto& a : b.articles) EXPECT_FALSE(a.published) << a.id;
}

}  // namespace
}  // namespace storyline
