// Evaluation runs: ingest a labelled file into a fresh in-memory store
// (never reading the gold "cluster" or "lang" fields) and score the stories.
#pragma once

#include <string>

#include "engine/engine.h"
#include "eval/metrics.h"

namespace storyline::eval {

struct EvalRun {
  std::string gold_path;
  bool ignore_dates = false;  // drop every "published" before ingesting
  bool by_lang = false;
};

// Reads gold items (id, lang, cluster) and the articles without their labels;
// `dup_of` pairs (id, original) where the gold file marks exact duplicates.
Status ReadGold(const std::string& path, bool ignore_dates, std::vector<Article>* articles,
                std::vector<Item>* gold, std::vector<Reject>* rejects,
                std::vector<std::pair<std::string, std::string>>* dup_of);

struct EvalOutcome {
  Report report;
  int64_t duplicates_labelled = 0;  // gold dup_of pairs
  int64_t duplicates_found = 0;     // of those, linked by the pipeline (alias or duplicate link)
  double seconds = 0;               // ingest time
};

Result<EvalOutcome> Evaluate(EngineOptions options, const EvalRun& run);

}  // namespace storyline::eval
