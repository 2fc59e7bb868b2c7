// The engine on PostgreSQL gives what it gives on SQLite: the same stories,
// story ids included, the same story pages, the same copies and entities
// (the view layer's JSON, compared whole). Uses the throwaway server of
// pg_testing.h; skipped, with the reason, where PostgreSQL is not installed.
#include <gtest/gtest.h>

#include "distributed_testing.h"

namespace storyline {
namespace {

using storyline::testing::Batches;
using storyline::testing::Everything;
using storyline::testing::IngestAll;
using storyline::testing::OpenTestEngine;
using storyline::testing::TempDir;

TEST(PostgresEngine, StoriesAreTheSameAsTheEmbeddedStores) {
  std::string why;
  auto* pg = testing::PostgresServer::Get(&why);
  if (!pg) GTEST_SKIP() << why;
#ifndef STORYLINE_POSTGRES
  GTEST_SKIP() << "built without libpq";
#endif
  TempDir dir;
  nlohmann::json embedded = IngestAll(dir.File("embedded.db"));
  nlohmann::json distributed = IngestAll(pg->NewDatabase());
  ASSERT_FALSE(embedded["stories"]["stories"].empty());
  EXPECT_GE(embedded["stories"]["stories"].size(), 3u);
  // Compared part by part first, for a readable failure.
  EXPECT_EQ(distributed["assignments"], embedded["assignments"]);
  EXPECT_EQ(distributed["stories"], embedded["stories"]);
  for (auto& [id, page] : embedded["story"].items())
    EXPECT_EQ(distributed["story"][id], page) << "story " << id;
  EXPECT_EQ(distributed["entities"], embedded["entities"]);
}

TEST(PostgresEngine, ReopenedStoreRestoresTheClusteringState) {
  std::string why;
  auto* pg = testing::PostgresServer::Get(&why);
  if (!pg) GTEST_SKIP() << why;
#ifndef STORYLINE_POSTGRES
  GTEST_SKIP() << "built without libpq";
#endif
  // Two runs over one store (the state saved and loaded between them) give
  // the stories one run gives.
  std::string url = pg->NewDatabase();
  auto batches = Batches();
  EngineOptions o;
  o.clock = std::make_shared<FixedClock>(1645000000);
  for (size_t half : {size_t{0}, size_t{1}}) {
    auto e = OpenTestEngine(url, o);
    ASSERT_NE(e, nullptr);
    for (size_t i = half * 2; i < (half ? batches.size() : 2); ++i)
      ASSERT_TRUE(e->IngestPaths(batches[i]).ok());
  }
  auto reader = Engine::OpenReader([&] {
    EngineOptions r = o;
    r.db_path = url;
    return r;
  }());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  TempDir dir;
  EXPECT_EQ(Everything((*reader)->store())["assignments"],
            IngestAll(dir.File("one-run.db"))["assignments"]);
}

TEST(PostgresEngine, AnUnreachableServerIsAClearError) {
  EngineOptions o;
  o.db_path = "postgresql:///nodb?host=/nonexistent-dir&connect_timeout=2";
  auto e = Engine::Open(o);
  ASSERT_FALSE(e.ok());
#ifdef STORYLINE_POSTGRES
  EXPECT_NE(e.status().message().find("cannot connect to PostgreSQL"), std::string::npos)
      << e.status().message();
#else
  EXPECT_NE(e.status().message().find("without PostgreSQL support"), std::string::npos);
#endif
}

}  // namespace
}  // namespace storyline
