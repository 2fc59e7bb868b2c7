// Helpers of the tests of the distributed mode (PostgreSQL store, NATS
// roles): a corpus in batches, and everything a reader sees of a store.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "api/api.h"
#include "store/pg_testing.h"
#include "testing.h"

namespace storyline::testing {

// Everything a reader can see of a store, as one JSON value.
inline nlohmann::json Everything(ArticleStore& store) {
  nlohmann::json out;
  api::StoriesQuery q;
  q.limit = -1;
  q.sort = "size";
  auto stories = api::Stories(store, q);
  EXPECT_TRUE(stories.ok()) << stories.status().ToString();
  if (!stories.ok()) return out;
  out["stories"] = *stories;
  for (const auto& s : (*stories)["stories"]) {
    std::string id = s["id"].get<std::string>();
    auto page = api::Story(store, id);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (page.ok()) out["story"][id] = *page;
  }
  auto entities = api::Entities(store, -1);
  if (entities.ok()) out["entities"] = *entities;
  nlohmann::json assignments = nlohmann::json::array();
  EXPECT_TRUE(store
                  .ForEachAssignment([&](const std::string& id, const std::string& story,
                                         const std::string& lang) {
                    assignments.push_back({id, story, lang});
                  })
                  .ok());
  out["assignments"] = assignments;
  return out;
}

// An aggregator's copy with a disclaimer (removed by rule) and, a minute
// later, the original: the original's text as it arrives equals the copy's
// once cleaned. Whether they meet in one chunk decides what is an alias, so
// the distributed mode must cut chunks as the embedded one does.
inline std::string CopyPairFile() {
  static const std::string path = [] {
    std::string p = std::filesystem::temp_directory_path() /
                    ("storyline-copy-pair-" + std::to_string(getpid()) + ".jsonl");
    std::ofstream out(p);
    const std::string body =
        "Ferry crews in Kestrel Harbour stayed off work for a third day on Monday, the union "
        "said, as talks with the operator stalled over pay and rosters.\n\nThe operator said "
        "it had offered a 4 percent raise and would meet the union again on Wednesday.";
    nlohmann::json copy = {{"id", "agg-ferry"},
                           {"title", "Ferry strike enters third day"},
                           {"text", body + "\n\nRead original article here"},
                           {"published", "2026-03-02T07:30:00Z"}};
    nlohmann::json original = {{"id", "orig-ferry"},
                               {"title", "Ferry strike enters third day"},
                               {"text", body},
                               {"published", "2026-03-02T07:31:00Z"}};
    out << copy.dump() << "\n" << original.dump() << "\n";
    return p;
  }();
  static const bool removed_at_exit = [] {
    std::atexit([] { std::filesystem::remove(CopyPairFile()); });
    return true;
  }();
  (void)removed_at_exit;
  return path;
}

inline std::vector<std::vector<std::string>> Batches() {
  const std::string d = SourceDir();
  return {{CopyPairFile()},
          {d + "/examples/articles"},
          {d + "/tests/data/crosslingual.jsonl"},
          {d + "/tests/data/intel/articles.jsonl", d + "/tests/data/intel/copies.jsonl"},
          {d + "/tests/data/intel/quotes.jsonl", d + "/tests/data/intel/figures.jsonl"},
          {d + "/examples/articles"}};  // a re-delivery: nothing changes
}

inline nlohmann::json IngestAll(const std::string& store) {
  EngineOptions o;
  o.clock = std::make_shared<FixedClock>(1645000000);
  auto e = OpenTestEngine(store, o);
  if (!e) return {};
  for (const auto& paths : Batches()) {
    auto r = e->IngestPaths(paths);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  }
  return Everything(e->store());
}

}  // namespace storyline::testing
