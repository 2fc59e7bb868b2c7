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

// Reads gold items (id, lang, cluster) and the articles without their labels.
Status ReadGold(const std::string& path, bool ignore_dates, std::vector<Article>* articles,
                std::vector<Item>* gold, std::vector<Reject>* rejects);

Result<Report> Evaluate(EngineOptions options, const EvalRun& run);

}  // namespace storyline::eval
