// `storyline bench --load`: concurrent readers of story pages while an
// ingest runs through the API, on loopback, bounded (a fixed number of
// requests per reader and a fixed corpus), stopping by itself. Reports
// requests per second, latency percentiles, errors and articles lost.
#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/api.h"
#include "cli/commands.h"
#include "common/text.h"
#include "server/server.h"
#include "synth/synth.h"

namespace storyline {

namespace {

using Json = nlohmann::json;
using Steady = std::chrono::steady_clock;

Json ArticleLine(const Article& a) {
  Json j = {
      {"id", a.id}, {"title", a.title}, {"text", a.text}, {"source", a.source}, {"url", a.url}};
  if (a.published) j["published"] = FormatIsoDate(*a.published);
  return j;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(std::min<double>(v.size() - 1, p * (v.size() - 1) + 0.5));
  return v[i];
}

}  // namespace

int RunLoadTest(const EngineOptions& base_options, const LoadTestArgs& args) {
  char tmpl[] = "/tmp/storyline_load_XXXXXX";
  if (!mkdtemp(tmpl)) {
    spdlog::error("bench --load: cannot make a temporary directory");
    return 1;
  }
  const std::string dir = tmpl;
  EngineOptions options = base_options;
  options.db_path = dir + "/load.db";

  // 1. A store to read: the first part of a synthetic corpus.
  synth::SynthOptions so;
  so.articles = args.base_articles + args.ingest_articles;
  so.articles_per_day = 2000;
  synth::CorpusGenerator gen(so);
  {
    auto engine = Engine::Open(options);
    if (!engine.ok()) {
      spdlog::error("{}", engine.status().ToString());
      return 1;
    }
    std::vector<synth::SynthArticle> chunk;
    int64_t done = 0;
    while (done < args.base_articles) {
      chunk.clear();
      size_t n =
          gen.Next(static_cast<size_t>(std::min<int64_t>(2000, args.base_articles - done)), &chunk);
      if (n == 0) break;
      std::vector<Article> articles;
      for (auto& a : chunk) articles.push_back(std::move(a.article));
      auto sum = (*engine)->Ingest(std::move(articles));
      if (!sum.ok()) {
        spdlog::error("{}", sum.status().ToString());
        return 1;
      }
      done += static_cast<int64_t>(n);
    }
    spdlog::info("bench --load: {} articles stored before the readers start", done);
  }

  // 2. The server, on loopback.
  ServerOptions server_options;
  server_options.listen = "127.0.0.1:0";
  server_options.api_key = "load-test-key-0123456789";
  server_options.threads = args.server_threads;
  server_options.max_queue = 1000;
  auto server = Server::Create(options, server_options);
  if (!server.ok()) {
    spdlog::error("{}", server.status().ToString());
    return 1;
  }
  auto port = (*server)->Bind();
  if (!port.ok()) {
    spdlog::error("{}", port.status().ToString());
    return 1;
  }
  std::thread serving([&] { (*server)->Run(); });

  // The story pages to read: the largest stories.
  std::vector<std::string> pages;
  {
    auto store = OpenSqliteStore(options.db_path, options.store);
    if (store.ok()) {
      api::StoriesQuery q;
      q.sort = "size";
      q.limit = 200;
      auto list = api::Stories(**store, q);
      if (list.ok())
        for (const auto& s : (*list)["stories"]) pages.push_back(s["id"].get<std::string>());
    }
  }
  if (pages.empty()) {
    spdlog::error("bench --load: no stories to read");
    (*server)->Stop();
    serving.join();
    return 1;
  }

  // 3. The ingest: the rest of the corpus, POSTed in batches while the readers run.
  std::vector<std::string> sent_ids;
  std::vector<int64_t> tasks;
  std::atomic<bool> ingest_done{false};
  int ingest_errors = 0;
  auto t_ingest = Steady::now();
  double ingest_seconds = 0;
  std::thread ingest([&] {
    httplib::Client c("127.0.0.1", *port);
    c.set_read_timeout(300, 0);
    httplib::Headers h = {{"Authorization", "Bearer " + server_options.api_key}};
    std::vector<synth::SynthArticle> chunk;
    while (true) {
      chunk.clear();
      if (gen.Next(static_cast<size_t>(args.ingest_batch), &chunk) == 0) break;
      std::string body;
      for (const auto& a : chunk) {
        body += ArticleLine(a.article).dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
        sent_ids.push_back(a.article.id);
      }
      auto r = c.Post("/api/ingest", h, body, "application/x-ndjson");
      if (!r || r->status != 202) {
        ++ingest_errors;
        continue;
      }
      tasks.push_back(Json::parse(r->body)["task"].get<int64_t>());
    }
    // Wait for the tasks (polling, bounded by their number).
    for (int64_t id : tasks) {
      for (int i = 0; i < 36000; ++i) {
        auto r = c.Get(("/api/tasks/" + std::to_string(id)).c_str(), h);
        if (r && r->status == 200) {
          std::string s = Json::parse(r->body)["status"];
          if (s == "done") break;
          if (s == "failed" || s == "cancelled") {
            ++ingest_errors;
            break;
          }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    ingest_seconds = std::chrono::duration<double>(Steady::now() - t_ingest).count();
    ingest_done = true;
  });

  // 4. The readers.
  std::vector<std::vector<double>> latencies(static_cast<size_t>(args.readers));
  std::atomic<int64_t> errors{0}, while_ingesting{0};
  auto t0 = Steady::now();
  std::vector<std::thread> readers;
  for (int i = 0; i < args.readers; ++i)
    readers.emplace_back([&, i] {
      httplib::Client c("127.0.0.1", *port);
      c.set_read_timeout(60, 0);
      for (int k = 0; k < args.requests_per_reader; ++k) {
        const std::string& id = pages[static_cast<size_t>(i * 7 + k) % pages.size()];
        auto s = Steady::now();
        auto r = c.Get(("/stories/" + id).c_str());
        double ms = std::chrono::duration<double, std::milli>(Steady::now() - s).count();
        if (!r || r->status != 200) ++errors;
        latencies[static_cast<size_t>(i)].push_back(ms);
        if (!ingest_done) ++while_ingesting;
      }
    });
  for (auto& t : readers) t.join();
  double read_seconds = std::chrono::duration<double>(Steady::now() - t0).count();
  ingest.join();
  (*server)->Stop();
  serving.join();

  // 5. Articles lost: every id sent must be stored (as an article or an alias).
  int64_t lost = 0;
  {
    auto store = OpenSqliteStore(options.db_path, options.store);
    if (!store.ok()) {
      spdlog::error("{}", store.status().ToString());
      return 1;
    }
    for (const auto& id : sent_ids) {
      auto k = (*store)->FindArticle(id);
      if (!k.ok() || !k->has_value()) ++lost;
    }
  }
  std::vector<double> all;
  for (auto& v : latencies) all.insert(all.end(), v.begin(), v.end());
  Json out = {{"readers", args.readers},
              {"server_threads", args.server_threads},
              {"requests", all.size()},
              {"requests_while_ingesting", while_ingesting.load()},
              {"seconds", read_seconds},
              {"requests_per_second", all.size() / std::max(read_seconds, 1e-9)},
              {"latency_ms",
               {{"p50", Percentile(all, 0.5)},
                {"p90", Percentile(all, 0.9)},
                {"p99", Percentile(all, 0.99)},
                {"max", Percentile(all, 1.0)}}},
              {"errors", errors.load()},
              {"base_articles", args.base_articles},
              {"ingested_articles", sent_ids.size()},
              {"ingest_seconds", ingest_seconds},
              {"ingest_errors", ingest_errors},
              {"articles_lost", lost}};
  std::filesystem::remove_all(dir);
  if (args.json) {
    std::cout << out.dump(2) << "\n";
  } else {
    std::printf(
        "%d readers, %zu story-page requests in %.1f s (%lld while the ingest ran): %.0f "
        "requests/s; latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms; errors %lld\n"
        "ingest through the API: %zu articles in %.1f s beside the readers; errors %d; articles "
        "lost %lld\n",
        args.readers, all.size(), read_seconds, (long long)while_ingesting.load(),
        all.size() / std::max(read_seconds, 1e-9), Percentile(all, 0.5), Percentile(all, 0.9),
        Percentile(all, 0.99), Percentile(all, 1.0), (long long)errors.load(), sent_ids.size(),
        ingest_seconds, ingest_errors, (long long)lost);
  }
  return errors == 0 && lost == 0 && ingest_errors == 0 ? 0 : 1;
}

}  // namespace storyline
