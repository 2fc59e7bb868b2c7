#include "store/store.h"

#include <gtest/gtest.h>

namespace storyline {
namespace {

// What every backend does is in conformance_test.cc; here, what is SQLite's own.
TEST(SqliteStore, UnwritablePathIsAnIOError) {
  auto s = OpenSqliteStore("/nonexistent-dir/x.db", {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kIOError);
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
