// Helpers of the tests of the distributed mode (PostgreSQL store, NATS
// roles): a corpus in batches, and everything a reader sees of a store.
#pragma once

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

inline std::vector<std::vector<std::string>> Batches() {
  const std::string d = SourceDir();
  return {{d + "/examples/articles"},
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
