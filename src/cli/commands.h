// Helpers of the CLI: configuration loading and the eval command.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"
#include "queue/queue.h"
#include "server/server.h"

namespace storyline {

struct CliConfig {
  std::string db;           // --db
  std::string config_file;  // --config
  bool verbose = false;
  bool wait = false;  // --wait: queue behind another writer
  std::string queue;  // --queue: a NATS URL, or "none" (in-process)
};

// Options from defaults, then the config file (--config, $STORYLINE_CONFIG,
// or ./storyline.conf if present), then environment variables
// (STORYLINE_<KEY>), then flags. Keys: db (or store), now, synchronous, cache_mib, threshold,
// window_days, time_sigma_days, neutral_weight, merge_threshold, name_boost,
// pivot_weight, min_shared_pivot, min_shared_neutral, model, lexicon, data_dir,
// batch_size. Server keys (listen, api_key, max_body_bytes, max_queue,
// server_threads, cors_origin, public_url) go to `server` when given, and
// are accepted (unused) otherwise.
// Queue keys (queue, queue_prefix, ack_wait_seconds, max_deliver) go to
// `queue` the same way; `queue` = "none" (the default) or a nats:// URL.
Result<EngineOptions> LoadOptions(const CliConfig& cfg, ServerOptions* server = nullptr,
                                  QueueOptions* queue = nullptr, bool* queued = nullptr);

// Applies one key = value setting; InvalidArgument for an unknown key, a
// malformed value or one out of its range (see Validate in engine.h).
Status ApplySetting(const std::string& key, const std::string& value, EngineOptions* o);

struct ServeArgs {
  std::string listen;  // --listen (overrides the config and STORYLINE_LISTEN)
};
// `storyline serve`: the server of src/server until SIGINT or SIGTERM.
int RunServe(const CliConfig& cfg, const ServeArgs& args);

struct EvalArgs {
  std::string gold;
  bool json = false;
  bool by_lang = false;
  bool ignore_dates = false;
};
int RunEval(const EngineOptions& options, const EvalArgs& args);

struct EvalIntelArgs {
  std::string gold;                // directory in the intel-dev format
  std::vector<std::string> paths;  // articles: files, directories, JSON Lines
  bool json = false;
};
// `storyline eval-intel`: scores the enrich stage (quotes, speakers, figures,
// entities, agencies) against a gold directory (src/eval/intel.h).
int RunEvalIntel(const EngineOptions& options, const EvalIntelArgs& args);

struct BenchArgs {
  int64_t articles = 10000;  // size of the synthetic corpus
  bool json = false;
  bool in_memory = false;  // store in memory instead of a temporary file
  bool scaling = false;    // also time 10k / 100k / 1M (cost growth)
  bool baseline = true;    // run the all-pairs reference clusterer too
  uint64_t seed = 42;
  bool cluster = false;    // the distributed mode's figures (bench_cluster.cc)
  std::string pg_scratch;  // --cluster: an empty PostgreSQL database for the embedded run
};
// `storyline bench`: whole-pipeline benchmark on a deterministic synthetic
// corpus (src/cli/bench.cc).
int RunBench(const EngineOptions& options, const BenchArgs& args);
// `storyline bench --cluster`: needs --queue and an empty --store postgres://.
int RunClusterBench(const EngineOptions& options, const QueueOptions& queue, const BenchArgs& args);

struct LoadTestArgs {
  int readers = 100;             // concurrent readers of story pages
  int requests_per_reader = 50;  // each stops after this many
  int server_threads = 16;
  int64_t base_articles = 5000;    // stored before the readers start
  int64_t ingest_articles = 5000;  // POSTed to /api/ingest while they read
  int64_t ingest_batch = 250;      // articles per POST
  bool json = false;
};
// `storyline bench --load`: a bounded load test of `serve` on loopback
// (src/cli/loadtest.cc). Exit 1 if any request failed or any article was lost.
int RunLoadTest(const EngineOptions& options, const LoadTestArgs& args);

struct LexiconArgs {
  std::string action;  // "build", "lookup", "info"
  std::string dictd_dir = "/usr/share/dictd";
  std::string out;   // build: output path (default: the lexicon path in use)
  std::string lang;  // lookup
  std::vector<std::string> words;
  std::string file;  // coverage: a JSON Lines file with "lang"
  bool json = false;
};
// `storyline lexicon build|lookup|info|coverage`: the FreeDict pivot lexicon.
int RunLexicon(const EngineOptions& options, const LexiconArgs& args);

}  // namespace storyline
