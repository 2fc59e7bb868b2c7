// `storyline bench --cluster`: the distributed mode's figures on this machine
// (BENCHMARKS.md): analysis throughput with 1 and 2 workers, the clusterer's
// own ceiling (applying articles already analysed), the store's cost per
// article on PostgreSQL and on SQLite, and the embedded mode as the baseline,
// all on one synthetic corpus in one run. Needs a running NATS JetStream
// (--queue) and an empty PostgreSQL database (--store); scripts/bench-cluster
// starts throwaway ones.
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/commands.h"
#include "synth/synth.h"

namespace storyline {

namespace {

using Steady = std::chrono::steady_clock;
double Since(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}
double CpuSeconds() {
  rusage ru = {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// The embedded ingest of `articles` into the store at `db` (one call, as
// `storyline ingest` of one file): wall seconds and the store stage's.
Result<std::pair<double, double>> Embedded(EngineOptions o, const std::string& db,
                                           const std::vector<Article>& articles) {
  o.db_path = db;
  auto e = Engine::Open(o);
  if (!e.ok()) return e.status();
  auto t = Steady::now();
  auto r = (*e)->Ingest(articles);
  if (!r.ok()) return r.status();
  return std::make_pair(Since(t), r->stages.store);
}

}  // namespace

int RunClusterBench(const EngineOptions& options, const QueueOptions& queue_options,
                    const BenchArgs& args) {
  if (!IsPostgresStore(options.db_path)) {
    spdlog::error("bench --cluster: give an empty PostgreSQL database (--store postgres://...)");
    return 2;
  }
  {
    auto store = OpenStore(options.db_path, options.store);
    if (!store.ok()) {
      spdlog::error("bench --cluster: {}", store.status().ToString());
      return 1;
    }
    auto n = (*store)->CountArticles();
    if (!n.ok() || *n != 0) {
      spdlog::error("bench --cluster: the store at --store must be empty");
      return 2;
    }
  }
  synth::SynthOptions so;
  so.articles = args.articles;
  so.seed = args.seed;
  std::vector<Article> corpus;
  for (auto& a : synth::GenerateCorpus(so)) corpus.push_back(std::move(a.article));
  const double n = static_cast<double>(corpus.size());
  nlohmann::json out = {{"articles", corpus.size()},
                        {"cores", std::thread::hardware_concurrency()}};

  // Publishing, then analysis alone with 1 and 2 workers (a stream each).
  std::string last_prefix;
  for (int workers : {1, 2}) {
    QueueOptions q = queue_options;
    q.prefix = "bench" + std::to_string(getpid()) + "w" + std::to_string(workers);
    last_prefix = q.prefix;
    auto queue = Queue::Connect(q);
    if (!queue.ok()) {
      spdlog::error("bench --cluster: {}", queue.status().ToString());
      return 1;
    }
    auto tp = Steady::now();
    std::vector<Article> copy = corpus;
    std::vector<Reject> none;
    PublishSummary published;
    Status ps = PublishBatch(**queue, &copy, &none, &published);
    if (!ps.ok()) {
      spdlog::error("bench --cluster: {}", ps.ToString());
      return 1;
    }
    double publish = Since(tp);
    StopRequested() = false;
    double cpu0 = CpuSeconds();
    auto t = Steady::now();
    std::vector<std::thread> pool;
    EngineOptions wo = options;
    wo.analysis_threads = 1;
    for (int w = 0; w < workers; ++w)
      pool.emplace_back([&] {
        auto r = RunWorker(wo, q);
        if (!r.ok()) spdlog::error("worker: {}", r.status().ToString());
      });
    // Done when the last raw message has its analysed one (bounded: 1 h).
    uint64_t last = static_cast<uint64_t>(corpus.size());
    for (int i = 0; i < 3600 * 50; ++i) {
      auto pending = (*queue)->PendingRaw();
      if (pending.ok() && *pending == 0) {
        auto a = (*queue)->GetAnalysed(last);
        if (a.ok() && a->has_value()) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    double seconds = Since(t), cpu = CpuSeconds() - cpu0;
    StopRequested() = true;
    for (auto& th : pool) th.join();
    StopRequested() = false;
    out["publish_articles_per_second"] = n / publish;
    out["workers"][std::to_string(workers)] = {{"articles_per_second", n / seconds},
                                               {"cpu_ms_per_article", 1000 * cpu / n},
                                               {"seconds", seconds}};
  }

  // The clusterer alone: everything is analysed already.
  {
    QueueOptions q = queue_options;
    q.prefix = last_prefix;
    EngineOptions co = options;
    auto t = Steady::now();
    auto r = RunClusterer(co, q, /*exit_when_caught_up=*/true);
    if (!r.ok()) {
      spdlog::error("clusterer: {}", r.status().ToString());
      return 1;
    }
    double seconds = Since(t);
    out["clusterer"] = {{"articles_per_second", n / seconds}, {"seconds", seconds}};
  }

  // The embedded mode on the same corpus (the baseline), and the store
  // stage's cost per article on SQLite and (with --pg-scratch, a second
  // empty database) on PostgreSQL.
  std::string dir = std::filesystem::temp_directory_path() /
                    ("storyline-bench-cluster-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto sqlite = Embedded(options, dir + "/embedded.db", corpus);
  std::filesystem::remove_all(dir);
  if (!sqlite.ok()) {
    spdlog::error("embedded: {}", sqlite.status().ToString());
    return 1;
  }
  out["embedded_sqlite"] = {{"articles_per_second", n / sqlite->first},
                            {"store_ms_per_article", 1000 * sqlite->second / n}};
  if (!args.pg_scratch.empty()) {
    auto pg = Embedded(options, args.pg_scratch, corpus);
    if (!pg.ok()) {
      spdlog::error("embedded on PostgreSQL: {}", pg.status().ToString());
      return 1;
    }
    out["embedded_postgres"] = {{"articles_per_second", n / pg->first},
                                {"store_ms_per_article", 1000 * pg->second / n}};
  }
  if (args.json) {
    std::cout << out.dump(2) << "\n";
  } else {
    std::printf("%lld articles on %u cores\n", static_cast<long long>(corpus.size()),
                std::thread::hardware_concurrency());
    for (const char* w : {"1", "2"})
      std::printf("  analysis, %s worker(s): %.0f articles/s (%.2f ms CPU per article)\n", w,
                  out["workers"][w]["articles_per_second"].get<double>(),
                  out["workers"][w]["cpu_ms_per_article"].get<double>());
    std::printf("  clusterer alone (PostgreSQL): %.0f articles/s\n",
                out["clusterer"]["articles_per_second"].get<double>());
    std::printf("  embedded (SQLite): %.0f articles/s, store %.3f ms per article\n",
                out["embedded_sqlite"]["articles_per_second"].get<double>(),
                out["embedded_sqlite"]["store_ms_per_article"].get<double>());
    if (out.contains("embedded_postgres"))
      std::printf("  embedded on PostgreSQL: %.0f articles/s, store %.3f ms per article\n",
                  out["embedded_postgres"]["articles_per_second"].get<double>(),
                  out["embedded_postgres"]["store_ms_per_article"].get<double>());
  }
  return 0;
}

}  // namespace storyline
