// Engine: the one object front ends talk to. Runs articles through the
// pipeline (ingest -> clean -> langid -> signals -> dedup -> cluster -> store)
// and answers queries. Built from one validated EngineOptions; no globals.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "clean/boilerplate.h"
#include "clean/clean.h"
#include "cluster/cluster.h"
#include "common/status.h"
#include "dedup/dedup.h"
#include "ingest/fetch.h"
#include "ingest/ingest.h"
#include "langid/langid.h"
#include "signals/signals.h"
#include "store/store.h"

namespace storyline {

struct EngineOptions {
  std::string db_path = "storyline.db";  // ":memory:" for an in-memory store
  StoreOptions store;
  FetchOptions fetch;
  IngestOptions ingest;
  CleanOptions clean;
  BoilerplateOptions boilerplate;
  LangIdOptions langid;
  SignalsOptions signals;
  DedupOptions dedup;
  ClusterOptions cluster;
  // Dates further in the future than this are clamped to now. Default 1 day.
  int64_t max_clock_skew_seconds = 86400;
  // Threads for the per-article stages that need no shared state (clean,
  // language ID, signals); the rest runs in order on one thread. Default 2.
  int analysis_threads = 2;
  // Commit every this many articles. Default 2000.
  size_t batch_size = 2000;
  // Ignore languages declared by metadata (evaluation measures detection).
  bool ignore_lang_hints = false;
};

// Wall time spent per stage, seconds.
struct StageTimes {
  double read = 0, clean = 0, langid = 0, signals = 0, dedup = 0, cluster = 0, store = 0;
};

struct IngestSummary {
  int64_t read = 0;      // items read (articles + rejects)
  int64_t stored = 0;    // new articles stored
  int64_t repaired = 0;  // stored articles with at least one repair
  int64_t rejected = 0;
  int64_t unchanged = 0;   // already stored with the same content
  int64_t updated = 0;     // known id, new content: updated, old text kept as a revision
  int64_t duplicates = 0;  // exact copies (aliases) + near/wire copies
  int64_t new_stories = 0;
  int64_t merged_stories = 0;
  int64_t live_blogs =
      0;  // articles split into entries  // stories joined into another by a bridging article
  int64_t stories_total = 0;
  double seconds = 0;
  StageTimes stages;
  std::vector<Reject> rejects;  // this run's rejects, in order
};

// Called as articles are processed: (done, total).
using ProgressFn = std::function<void(int64_t done, int64_t total)>;

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> Open(const EngineOptions& options);
  ~Engine();

  // Reads paths (files, directories) and ingests everything in them. A path
  // that cannot be read is a reject, not a failure; a Status is returned
  // only when the store fails.
  Result<IngestSummary> IngestPaths(const std::vector<std::string>& paths,
                                    const ProgressFn& progress = {});

  // Ingests articles (processed in publication order; undated ones after the
  // dated, in the order given). `rejects` from reading are recorded too.
  Result<IngestSummary> Ingest(std::vector<Article> articles, std::vector<Reject> rejects = {},
                               const ProgressFn& progress = {});

  ArticleStore& store() { return *store_; }
  Fetcher& fetcher();
  const Clusterer& clusterer() const { return clusterer_; }
  const DupIndex& dup_index() const { return dup_index_; }
  const EngineOptions& options() const { return options_; }

 private:
  explicit Engine(const EngineOptions& options);
  Status Restore();
  Status CheckParameters();
  Status Flush(int64_t now);
  // An article on its way: cleaned, then (in parallel) identified and analysed.
  struct Prepared {
    CleanArticle c;
    LanguageGuess lang;
    Signals sig;
    bool analysed = false;
  };
  void Polish(CleanArticle* c, int64_t now);  // boilerplate (stateful), dates, title
  Status ProcessOne(Prepared p, int64_t now, IngestSummary* sum);
  nlohmann::json ExplainShared(const std::vector<uint64_t>& keys, const Article& ar,
                               const Signals& sig);

  EngineOptions options_;
  std::unique_ptr<ArticleStore> store_;
  std::unique_ptr<LanguageIdentifier> langid_;
  std::unique_ptr<Analyzer> analyzer_;
  std::vector<std::unique_ptr<Analyzer>> worker_analyzers_;  // one per extra analysis thread
  std::unique_ptr<Fetcher> fetcher_;                         // for URL inputs; created on first use
  BoilerplateFilter boilerplate_;
  DupIndex dup_index_;
  Clusterer clusterer_;
};

}  // namespace storyline
