#include "store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace storyline {
namespace {

// What every backend does is in conformance_test.cc; here, what is SQLite's own.
TEST(SqliteStore, UnwritablePathIsAnIOError) {
  auto s = OpenSqliteStore("/nonexistent-dir/x.db", {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kIOError);
}

// A store made before the story count was kept gets it counted once, when
// it is opened.
TEST(SqliteStore, AnOlderStoreGetsItsStoryCount) {
  auto path = std::filesystem::temp_directory_path() /
              ("storyline-count-" + std::to_string(getpid()) + ".db");
  std::filesystem::remove(path);
  {
    auto st = OpenSqliteStore(path.string(), {});
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    ASSERT_TRUE((*st)->Begin().ok());
    for (int i = 0; i < 3; ++i) {
      StoryRecord s;
      s.id = "s" + std::to_string(i);
      s.title = s.id;
      s.size = i;  // s0 is empty
      ASSERT_TRUE((*st)->PutStory(s, 10).ok());
    }
    ASSERT_TRUE((*st)->Commit().ok());
    EXPECT_EQ(*(*st)->CountStories(), 2);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP TRIGGER stories_count_insert; DROP TRIGGER stories_count_update; "
                         "DROP TRIGGER stories_count_delete; DROP TABLE counts; "
                         "UPDATE stories SET size = 5 WHERE id = 's0'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  // Opened while another connection writes: the upgrade waits for it.
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::thread opener([&] {
    auto st = OpenSqliteStore(path.string(), {});
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    EXPECT_EQ(*(*st)->CountStories(), 3);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // lets it reach the lock
  ASSERT_EQ(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  opener.join();
  sqlite3_close(db);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

// A store made before the paragraph counts were kept without rowids gets its
// table rebuilt once, when it is opened, every count kept.
TEST(SqliteStore, AnOlderStoresBoilerplateCountsAreRebuiltWithoutRowids) {
  auto path = std::filesystem::temp_directory_path() /
              ("storyline-boilerplate-" + std::to_string(getpid()) + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db,
                   "CREATE TABLE boilerplate(source TEXT NOT NULL, hash INTEGER NOT NULL, "
                   "n INTEGER NOT NULL, PRIMARY KEY(source, hash));"
                   "INSERT INTO boilerplate VALUES('NTB', -5, 3), ('NTB', 7, 1), ('VG', 7, 2)",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  auto schema = [&] {
    std::string sql;
    EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE name='boilerplate'", -1, &st,
                       nullptr);
    if (sqlite3_step(st) == SQLITE_ROW)
      sql = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return sql;
  };
  EXPECT_EQ(schema().find("WITHOUT ROWID"), std::string::npos);
  for (int round = 0; round < 2; ++round) {  // and opened again: nothing more to do
    auto st = OpenSqliteStore(path.string(), {});
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    std::vector<std::tuple<std::string, uint64_t, uint32_t>> rows;
    ASSERT_TRUE((*st)
                    ->LoadBoilerplate([&](const std::string& source, uint64_t hash, uint32_t n) {
                      rows.emplace_back(source, hash, n);
                    })
                    .ok());
    std::sort(rows.begin(), rows.end());
    EXPECT_EQ(rows, (std::vector<std::tuple<std::string, uint64_t, uint32_t>>{
                        {"NTB", 7, 1}, {"NTB", static_cast<uint64_t>(-5), 3}, {"VG", 7, 2}}));
    EXPECT_NE(schema().find("WITHOUT ROWID"), std::string::npos);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

// Paragraph counts go to a log, folded into the table once the log is as
// large as the table (and at least 100,000 rows): the last count of a key
// wins, 0 removes it, before and after the fold, across a reopen, and a
// rolled-back batch leaves nothing.
TEST(SqliteStore, BoilerplateCountsAreLoggedAndFoldedLastCountWins) {
  auto path = std::filesystem::temp_directory_path() /
              ("storyline-bplog-" + std::to_string(getpid()) + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  using Counts = std::map<std::pair<std::string, uint64_t>, uint32_t>;
  auto load = [](ArticleStore& st) {
    Counts out;
    EXPECT_TRUE(st.LoadBoilerplate([&](const std::string& source, uint64_t hash, uint32_t n) {
                    EXPECT_TRUE(out.emplace(std::pair(source, hash), n).second) << "twice";
                  }).ok());
    return out;
  };
  auto rows = [&](const char* table) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, (std::string("SELECT COUNT(*) FROM ") + table).c_str(), -1, &st,
                       nullptr);
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
  };
  Counts want;
  {
    auto st = OpenSqliteStore(path.string(), {});
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    ASSERT_TRUE((*st)->Begin().ok());
    for (uint64_t h = 0; h < 1000; ++h) {
      ASSERT_TRUE((*st)->PutBoilerplate("NTB", h, 1).ok());
      want[{"NTB", h}] = 1;
    }
    ASSERT_TRUE((*st)->PutBoilerplate("NTB", 5, 2).ok());  // counted again
    want[{"NTB", 5}] = 2;
    ASSERT_TRUE((*st)->PutBoilerplate("NTB", 6, 0).ok());  // forgotten
    want.erase({"NTB", 6});
    ASSERT_TRUE((*st)->Commit().ok());
    EXPECT_EQ(load(**st), want);
    // Rolled back: not there.
    ASSERT_TRUE((*st)->Begin().ok());
    ASSERT_TRUE((*st)->PutBoilerplate("VG", 1, 3).ok());
    ASSERT_TRUE((*st)->PutBoilerplate("NTB", 5, 0).ok());
    ASSERT_TRUE((*st)->Rollback().ok());
    EXPECT_EQ(load(**st), want);
    EXPECT_EQ(rows("boilerplate"), 0);  // all in the log so far
  }
  EXPECT_EQ(rows("boilerplate_log"), 1002);
  {
    auto st = OpenSqliteStore(path.string(), {});
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    EXPECT_EQ(load(**st), want);
    // Enough to fold: the log is emptied into the table, counts kept.
    ASSERT_TRUE((*st)->Begin().ok());
    for (uint64_t h = 0; h < 100'000; ++h) {
      const uint32_t n = h % 7 == 0 ? 0 : static_cast<uint32_t>(h % 5 + 1);
      ASSERT_TRUE((*st)->PutBoilerplate("AP", h, n).ok());
      if (n)
        want[{"AP", h}] = n;
      else
        want.erase({"AP", h});
    }
    ASSERT_TRUE((*st)->PutBoilerplate("NTB", 7, 0).ok());  // after the fold: in the log
    want.erase({"NTB", 7});
    ASSERT_TRUE((*st)->Commit().ok());
    EXPECT_EQ(load(**st), want);
  }
  EXPECT_LT(rows("boilerplate_log"), 2'000);  // what came after the fold
  EXPECT_GT(rows("boilerplate"), 80'000);
  {
    auto st = OpenSqliteStore(path.string(), {});
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(load(**st), want);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

TEST(StoreSpec, NamesTheBackend) {
  EXPECT_TRUE(IsPostgresStore("postgres://u@h/db"));
  EXPECT_TRUE(IsPostgresStore("postgresql:///db?host=/tmp"));
  EXPECT_FALSE(IsPostgresStore("storyline.db"));
  EXPECT_FALSE(IsPostgresStore("sqlite:postgres://x"));
  EXPECT_EQ(StorePath("sqlite:./a.db"), "./a.db");
  EXPECT_EQ(StorePath("a.db"), "a.db");
  EXPECT_EQ(RedactedStore("postgres://me:s3cret@db:5432/x"), "postgres://me:***@db:5432/x");
  EXPECT_EQ(RedactedStore("postgresql:///x?host=/tmp&password=s3cret&port=5"),
            "postgresql:///x?host=/tmp&password=***&port=5");
  EXPECT_EQ(RedactedStore("postgres://me@db/x"), "postgres://me@db/x");
  auto s = OpenStore("sqlite::memory:", {});
  EXPECT_TRUE(s.ok()) << s.status().ToString();
}

}  // namespace
}  // namespace storyline
