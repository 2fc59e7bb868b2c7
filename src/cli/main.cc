// storyline: the command-line front end. A thin layer over storyline::Engine.
//
// Exit codes: 0 success; 1 failure (store, model, I/O); 2 usage error;
// 3 ingest finished but some inputs were rejected; 4 not found.
#include <fmt/core.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/api.h"
#include "cli/commands.h"
#include "common/text.h"
#include "engine/engine.h"
#include "engine/poll.h"

namespace sl = storyline;
using nlohmann::json;

namespace {

// The readable story view: headline, bullets, who said what, figures
// (disagreements marked), sources by language.
void PrintStoryIntel(const json& j) {
  auto str = [](const json& o, const char* k) {
    return o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : std::string();
  };
  if (!j.contains("summary")) return;
  const json& sm = j["summary"];
  std::printf("%s\n\n", str(sm, "headline").c_str());
  if (sm.contains("bullets"))
    for (const auto& b : sm["bullets"]) {
      std::string cites;
      for (const auto& a : b["articles"])
        cites += (cites.empty() ? "" : ", ") + a.get<std::string>();
      std::printf("  * %s [%s]\n", str(b, "text").c_str(), cites.c_str());
    }
  if (j.contains("quotes") && !j["quotes"].empty()) {
    std::printf("\nWho said what\n");
    int last_group = -1;
    int shown = 0;
    for (const auto& q : j["quotes"]) {
      if (str(q, "speaker").empty()) continue;
      int g = q["group"].get<int>();
      bool same = g == last_group;
      last_group = g;
      if (!same && ++shown > 10) break;
      std::printf("  %s %s (%s, %s): \"%s\"\n", same ? "   " : "-", str(q, "speaker").c_str(),
                  str(q, "lang").c_str(), str(q, "article").c_str(), str(q, "text").c_str());
    }
  }
  if (j.contains("figures") && !j["figures"].empty()) {
    std::printf("\nFigures\n");
    for (const auto& f : j["figures"]) {
      std::string vals;
      for (const auto& v : f["values"])
        vals += (vals.empty() ? "" : "; ") + str(v, "as_written") + " (" + str(v, "article") + ")";
      std::printf("  %s %s: %s\n", f["disagree"].get<bool>() ? "! sources disagree on" : "-",
                  str(f, "what").c_str(), vals.c_str());
    }
  }
  if (j.contains("sources")) {
    const json& so = j["sources"];
    std::string langs;
    for (const auto& [l, n] : so["languages"].items())
      langs += (langs.empty() ? "" : ", ") + l + " " + std::to_string(n.get<int>());
    std::string agencies;
    for (const auto& a : so["agencies"])
      agencies += (agencies.empty() ? "" : ", ") + a.get<std::string>();
    std::printf("\nSources: %d articles, %d independent (%s)%s%s\n", so["articles"].get<int>(),
                so["independent"].get<int>(), langs.c_str(),
                agencies.empty() ? "" : "; agencies credited: ", agencies.c_str());
    for (const auto& c : so["copies"])
      std::printf("  %s %s %s\n", str(c, "article").c_str(), str(c, "kind").c_str(),
                  str(c, "of").c_str());
  }
  std::printf("\n");
}

// Prints a view as JSON (invalid UTF-8 replaced, never thrown).
void PrintJson(const json& j) {
  std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

// A view's failure: 4 for not found, 2 for a bad argument, else 1.
int Failed(const sl::Status& s) {
  spdlog::error("{}", s.message());
  if (s.code() == sl::Status::Code::kNotFound) return 4;
  if (s.code() == sl::Status::Code::kInvalidArgument) return 2;
  return 1;
}

std::string Str(const json& o, const char* k) {
  return o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : std::string();
}

void Progress(int64_t done, int64_t total) {
  const int width = 30;
  int filled = total ? static_cast<int>(width * done / total) : width;
  std::fprintf(stderr, "\r[%s%s] %lld/%lld articles", std::string(filled, '#').c_str(),
               std::string(width - filled, ' ').c_str(), static_cast<long long>(done),
               static_cast<long long>(total));
  if (done == total) std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

}  // namespace

// `storyline poll`: rounds over the feeds of an OPML list (through the
// engine, or published to the queue).
// `queued`: the items were published (to the queue), not stored.
static int PollLoop(sl::Poller& poller, const std::string& opml, const std::string& every,
                    int64_t rounds, bool json_out, bool queued) {
  int64_t interval = every.empty() ? 0 : sl::ParseDurationSeconds(every);
  if (interval < 0) {
    spdlog::error("--every: '{}' is not a duration (30s, 10m, 1h)", every);
    return 2;
  }
  if (rounds < 0) rounds = every.empty() ? 1 : 0;
  auto feeds = poller.FeedsFromOpml(opml);
  if (!feeds.ok()) {
    spdlog::error("{}", feeds.status().ToString());
    return feeds.status().code() == sl::Status::Code::kNotFound ? 4 : 1;
  }
  int failed_total = 0;
  for (int64_t r = 0; rounds == 0 || r < rounds; ++r) {
    if (r > 0) std::this_thread::sleep_for(std::chrono::seconds(interval));
    auto round = poller.PollOnce(*feeds);
    if (!round.ok()) {
      spdlog::error("poll failed: {}", round.status().ToString());
      return 1;
    }
    failed_total += round->failed;
    for (const auto& rj : round->ingest.rejects)
      spdlog::warn("rejected {}: {} ({})", rj.origin, rj.message, rj.reason);
    if (json_out && queued) {
      std::cout << json{{"feeds", round->feeds},
                        {"not_modified", round->not_modified},
                        {"fetched", round->fetched},
                        {"failed", round->failed},
                        {"published", round->ingest.stored},
                        {"already_queued", round->ingest.unchanged},
                        {"rejected", round->ingest.rejected}}
                       .dump()
                << std::endl;
    } else if (json_out) {
      std::cout << json{{"feeds", round->feeds},
                        {"not_modified", round->not_modified},
                        {"fetched", round->fetched},
                        {"failed", round->failed},
                        {"stored", round->ingest.stored},
                        {"rejected", round->ingest.rejected},
                        {"new_stories", round->ingest.new_stories}}
                       .dump()
                << std::endl;
    } else if (queued) {
      std::printf(
          "feeds %d: %d fetched, %d not modified, %d failed; published %lld (%lld already "
          "queued), rejected %lld\n",
          round->feeds, round->fetched, round->not_modified, round->failed,
          (long long)round->ingest.stored, (long long)round->ingest.unchanged,
          (long long)round->ingest.rejected);
      std::fflush(stdout);
    } else {
      std::printf(
          "feeds %d: %d fetched, %d not modified, %d failed; stored %lld, rejected %lld, %lld "
          "new stories\n",
          round->feeds, round->fetched, round->not_modified, round->failed,
          (long long)round->ingest.stored, (long long)round->ingest.rejected,
          (long long)round->ingest.new_stories);
      std::fflush(stdout);
    }
  }
  return failed_total > 0 ? 3 : 0;
}

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("storyline");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%^%l%$: %v");

  CLI::App app{
      "storyline: turns a stream of news articles in many languages into stories.\n"
      "Everything lives in one SQLite file (--db, $STORYLINE_DB, default ./storyline.db),\n"
      "or in PostgreSQL (--store postgres://...) with NATS JetStream (--queue nats://...)\n"
      "carrying work to `worker`s and one `clusterer` (see README, Scale-out).\n"
      "Options go before or after the subcommand.\n"
      "Exit codes: 0 ok, 1 failure, 2 usage error, 3 some inputs rejected, 4 not found."};
  app.require_subcommand(1);
  // Options of the whole program are accepted after the subcommand too
  // (`storyline ingest --db x.db PATH`): subcommands pass what they do not
  // know up to here.
  app.fallthrough();
  sl::CliConfig cfg;
  app.add_option("--db,--store", cfg.db,
                 "The store: a SQLite file (PATH or sqlite:PATH) or a PostgreSQL URL "
                 "(postgres://...) (env STORYLINE_DB or STORYLINE_STORE)");
  app.add_option("--config", cfg.config_file,
                 "Config file of key = value lines (env STORYLINE_CONFIG)");
  app.add_option("--queue", cfg.queue,
                 "none (default: everything in this process) or a NATS JetStream URL "
                 "(nats://host:port): ingest publishes there for workers and a clusterer "
                 "(env STORYLINE_QUEUE)");
  app.add_flag("-v,--verbose", cfg.verbose, "More logging on stderr");
  app.add_flag("--wait", cfg.wait,
               "ingest, poll: if another process is writing to the database, wait for it "
               "instead of failing");

  auto* ingest = app.add_subcommand(
      "ingest",
      "Ingest files, directories, JSON Lines, feeds, OPML lists, HTML pages and http(s) URLs");
  std::vector<std::string> paths;
  ingest
      ->add_option("paths", paths,
                   "Files, directories or URLs: plain-text articles, .jsonl, RSS/Atom/JSON Feed, "
                   "OPML, HTML")
      ->required();
  bool quiet = false;
  ingest->add_flag("-q,--quiet", quiet, "No progress bar and no reject list");
  bool ingest_json = false;
  ingest->add_flag("--json", ingest_json, "Print the summary as JSON");

  auto* stories = app.add_subcommand(
      "stories", "List stories (largest first; --sort recent or sources), with paging");
  bool json_out = false;
  std::string lang;
  int64_t limit = 50;
  int64_t min_size = 1;
  std::string sort = "size", cursor, list_entity, list_source;
  stories->add_flag("--json", json_out, "JSON output");
  stories->add_option("--lang", lang, "Only stories with an article in this language");
  stories->add_option("--limit", limit, "At most this many (-1: all)")->capture_default_str();
  stories
      ->add_option("--sort", sort,
                   "size (most articles), recent (newest article), sources (most independent "
                   "sources) or top (recency with each independent source as a day newer)")
      ->check(CLI::IsMember({"size", "recent", "sources", "top"}))
      ->capture_default_str();
  stories->add_option("--cursor", cursor, "Continue a listing where the last page ended");
  stories->add_option("--entity", list_entity, "Only stories that mention this entity (a name)");
  stories->add_option("--source", list_source,
                      "Only stories with an article from this source (a domain or name)");
  stories
      ->add_option("--min-size", min_size,
                   "Only stories with at least this many articles (0: also stories made only of "
                   "live-blog entries)")
      ->capture_default_str();

  auto* story = app.add_subcommand(
      "story", "Show one story: headline, bullets, who said what, figures, sources, its articles");
  std::string story_id;
  story->add_option("id", story_id, "Story id")->required();
  story->add_flag("--json", json_out, "JSON output");
  std::string reader_lang;
  story->add_option("--lang", reader_lang,
                    "The reader's language: the headline in it when the story has one");
  auto* article =
      app.add_subcommand("article", "Show one article: text, language, source, story, copy links");
  std::string article_id;
  article->add_option("id", article_id, "Article id")->required();
  article->add_flag("--json", json_out, "JSON output (with its entities, quotes and figures)");

  auto* search = app.add_subcommand(
      "search", "Full-text search over titles and texts in every language (mote finds møte)");
  std::string search_text;
  int64_t offset = 0;
  search->add_option("query", search_text, "Words (all must match; word* for a prefix)")
      ->required();
  search->add_flag("--json", json_out, "JSON output");
  search->add_option("--lang", lang, "Only articles in this language");
  search->add_option("--limit", limit, "At most this many (-1: all)")->capture_default_str();
  search->add_option("--offset", offset, "Skip this many (paging)")->capture_default_str();

  auto* takedown = app.add_subcommand(
      "takedown",
      "Remove an article (or every article of a URL or source) everywhere, erase its text from "
      "the database files and refuse it from now on");
  std::string td_article, td_url, td_source, td_reason;
  auto* td_group = takedown->add_option_group("what", "What to take down (one of)");
  td_group->add_option("--article", td_article, "Article id");
  td_group->add_option("--url", td_url, "Article URL");
  td_group->add_option("--source", td_source, "Every article of this source (domain or name)");
  td_group->require_option(1);
  takedown->add_option("--reason", td_reason, "Why (kept in the audit log)")->required();
  takedown->add_flag("--json", json_out, "JSON output");
  auto* takedowns = app.add_subcommand("takedowns", "The takedown audit log, newest first");
  takedowns->add_flag("--json", json_out, "JSON output");
  takedowns->add_option("--limit", limit, "At most this many (-1: all)")->capture_default_str();

  sl::ServeArgs serve_args;
  auto* serve = app.add_subcommand(
      "serve", "Serve the JSON API, the web page and Atom feeds (see docs/api.md)");
  serve->add_option("--listen", serve_args.listen,
                    "host:port to listen on (config listen, env STORYLINE_LISTEN; default "
                    "127.0.0.1:8080)");

  auto* worker = app.add_subcommand(
      "worker",
      "Distributed mode: analyse raw articles from the queue (--queue) until SIGINT/SIGTERM");
  auto* clusterer_cmd = app.add_subcommand(
      "clusterer",
      "Distributed mode: apply analysed articles from the queue to the store in order (one "
      "active; a second one stands by)");
  bool caught_up = false;
  clusterer_cmd->add_flag("--exit-when-caught-up", caught_up,
                          "Return once everything published so far is applied");
  auto* queue_status = app.add_subcommand(
      "queue-status", "Distributed mode: raw articles published, applied by the clusterer, dead");
  queue_status->add_flag("--json", json_out, "JSON output");

  auto* entities = app.add_subcommand(
      "entities", "People, organisations and places over all stories, in the most stories first");
  entities->add_flag("--json", json_out, "JSON output");
  entities->add_option("--limit", limit, "At most this many (-1: all)")->capture_default_str();
  auto* entity = app.add_subcommand("entity", "The stories that mention an entity, newest first");
  std::string entity_name;
  entity->add_option("name", entity_name, "A name as written (Putin, NATO) or an entity key")
      ->required();
  entity->add_flag("--json", json_out, "JSON output");
  entity->add_option("--limit", limit, "At most this many (-1: all)")->capture_default_str();

  auto* exp = app.add_subcommand("export", "Export data as JSON Lines");
  bool assignments = false;
  exp->add_flag("--assignments", assignments, "One {\"id\", \"story\"} line per article")
      ->required();

  auto* rejects = app.add_subcommand(
      "rejects", "List rejected inputs (with --repairs: repaired articles) and reasons");
  rejects->add_flag("--json", json_out, "JSON output");
  rejects->add_option("--limit", limit, "At most this many (-1: all)")->capture_default_str();
  bool repairs = false;
  rejects->add_flag("--repairs", repairs,
                    "List stored articles that were repaired, with what was done");

  sl::EvalArgs eval_args;
  auto* eval =
      app.add_subcommand("eval", "Score clustering against a labelled JSONL file (gold 'cluster')");
  eval->add_option("gold", eval_args.gold, "Labelled JSON Lines file")
      ->required()
      ->check(CLI::ExistingFile);
  eval->add_flag("--json", eval_args.json, "JSON output");
  eval->add_flag("--by-lang", eval_args.by_lang, "Per language and per language pair");
  eval->add_flag("--ignore-dates", eval_args.ignore_dates,
                 "Drop every published date before ingesting");

  sl::EvalIntelArgs intel_args;
  auto* eval_intel = app.add_subcommand(
      "eval-intel", "Score quotes, speakers, figures, entities and agencies against a gold dir");
  eval_intel->add_option("--gold", intel_args.gold, "Gold directory (intel-dev format)")
      ->required()
      ->check(CLI::ExistingDirectory);
  eval_intel->add_option("paths", intel_args.paths, "Article files, directories or JSON Lines")
      ->required()
      ->check(CLI::ExistingPath);
  eval_intel->add_flag("--json", intel_args.json, "JSON output");

  auto* poll = app.add_subcommand(
      "poll", "Poll the feeds of an OPML list (conditional GET) and ingest new items");
  std::string opml, every;
  int64_t rounds = -1;
  poll->add_option("--feeds", opml, "OPML file or URL listing the feeds")->required();
  poll->add_option("--every", every,
                   "Poll again after this long (e.g. 30s, 10m, 1h); default: once");
  poll->add_option("--rounds", rounds,
                   "Stop after this many rounds (default: 1, or forever with --every)");
  poll->add_flag("--json", json_out, "One JSON object per round");

  sl::BenchArgs bench_args;
  auto* bench = app.add_subcommand("bench", "Benchmark the whole pipeline on a synthetic corpus");
  bench->add_option("--articles", bench_args.articles, "Corpus size")->capture_default_str();
  bench->add_flag("--json", bench_args.json, "JSON output");
  bench->add_flag("--in-memory", bench_args.in_memory, "Keep the store in memory");
  bench->add_flag("--scaling", bench_args.scaling,
                  "Also measure time per article at 10k, 100k and 1M");
  bench->add_flag("!--no-baseline", bench_args.baseline, "Skip the all-pairs reference clusterer");
  bench->add_option("--seed", bench_args.seed, "Corpus seed")->capture_default_str();
  bench->add_flag("--cluster", bench_args.cluster,
                  "The distributed mode instead: workers, clusterer, store cost (needs --queue and "
                  "an empty --store postgres://...; scripts/bench-cluster starts both)");
  bench->add_option("--pg-scratch", bench_args.pg_scratch,
                    "--cluster: a second empty PostgreSQL database, for the embedded run on it");
  bool load = false;
  sl::LoadTestArgs load_args;
  bench->add_flag("--load", load,
                  "Load test of `serve` instead: concurrent readers of story pages while an "
                  "ingest runs through the API (loopback, bounded)");
  bench->add_option("--readers", load_args.readers, "--load: concurrent readers")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  bench->add_option("--requests", load_args.requests_per_reader, "--load: requests per reader")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();

  sl::LexiconArgs lex_args;
  auto* lexicon = app.add_subcommand(
      "lexicon", "Build or query the pivot lexicon (FreeDict dictionaries to English concepts)");
  lexicon->require_subcommand(1);
  auto* lex_build = lexicon->add_subcommand(
      "build", "Build it from the installed FreeDict dictionaries (make build runs this)");
  lex_build->add_option("--dictd", lex_args.dictd_dir, "Directory of freedict-*.index/.dict.dz")
      ->capture_default_str();
  lex_build->add_option("--out", lex_args.out,
                        "Output file (default: the lexicon setting, $STORYLINE_LEXICON, or "
                        "models/pivot.lex)");
  lex_build->add_flag("--json", lex_args.json, "JSON output");
  auto* lex_lookup = lexicon->add_subcommand("lookup", "Show the English concepts of words");
  lex_lookup->add_option("lang", lex_args.lang, "Language code (sv, de, ru, ...)")->required();
  lex_lookup->add_option("words", lex_args.words, "Words")->required();
  lex_lookup->add_flag("--json", lex_args.json, "JSON output");
  auto* lex_info = lexicon->add_subcommand("info", "Languages and number of words in the lexicon");
  lex_info->add_flag("--json", lex_args.json, "JSON output");
  auto* lex_cov = lexicon->add_subcommand(
      "coverage", "Share of content words with an English concept, per language, on a JSONL file");
  lex_cov->add_option("file", lex_args.file, "JSON Lines with title, text and lang")
      ->required()
      ->check(CLI::ExistingFile);
  lex_cov->add_flag("--json", lex_args.json, "JSON output");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help prints and succeeds; every other parse error is a usage error.
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (cfg.verbose) spdlog::set_level(spdlog::level::debug);

  sl::QueueOptions queue;
  bool queued = false;
  auto options = sl::LoadOptions(cfg, nullptr, &queue, &queued);
  if (!options.ok()) {
    spdlog::error("{}", options.status().ToString());
    return 2;
  }
  if ((*worker || *clusterer_cmd || *queue_status) && !queued) {
    spdlog::error("{}: no queue (give --queue nats://HOST:PORT, or queue = ... in the config)",
                  worker->parsed()          ? "worker"
                  : clusterer_cmd->parsed() ? "clusterer"
                                            : "queue-status");
    return 2;
  }
  if (*worker || *clusterer_cmd || ((*ingest || *poll) && queued)) sl::InstallStopHandlers();
  if (*worker) {
    auto r = sl::RunWorker(*options, queue);
    if (!r.ok()) {
      spdlog::error("worker: {}", r.status().ToString());
      return 1;
    }
    spdlog::info("worker: stopped after {} analysed, {} rejects passed on, {} dead-lettered",
                 r->analysed, r->rejects, r->dead);
    return 0;
  }
  if (*clusterer_cmd) {
    auto r = sl::RunClusterer(*options, queue, caught_up);
    if (!r.ok()) {
      spdlog::error("clusterer: {}", r.status().ToString());
      return 1;
    }
    spdlog::info("clusterer: stopped after applying {} messages (position {})", r->applied,
                 r->position);
    return 0;
  }
  if (*queue_status) {
    auto r = sl::GetQueueStatus(*options, queue);
    if (!r.ok()) {
      spdlog::error("{}", r.status().ToString());
      return r.status().code() == sl::Status::Code::kNotFound ? 4 : 1;
    }
    if (json_out)
      std::cout << json{{"published", r->published},
                        {"applied", r->applied},
                        {"pending", r->pending},
                        {"dead", r->dead}}
                << "\n";
    else
      std::printf("published %llu, applied %llu, waiting for a worker %llu, dead letters %llu\n",
                  (unsigned long long)r->published, (unsigned long long)r->applied,
                  (unsigned long long)r->pending, (unsigned long long)r->dead);
    return 0;
  }
  if (*poll && queued) {
    // Feed states live in the store (--store); the items go to the queue.
    auto store = sl::OpenStore(options->db_path, options->store);
    if (!store.ok()) {
      spdlog::error("{}", store.status().ToString());
      return 1;
    }
    auto q = sl::Queue::Connect(queue);
    if (!q.ok()) {
      spdlog::error("poll: {}", q.status().ToString());
      return 1;
    }
    auto fetcher = sl::MakeCurlFetcher(options->fetch);
    sl::Poller poller(**store, *fetcher, options->ingest, options->clock,
                      [&](std::vector<sl::Article> a,
                          std::vector<sl::Reject> r) -> sl::Result<sl::IngestSummary> {
                        sl::IngestSummary sum;
                        sum.read = static_cast<int64_t>(a.size() + r.size());
                        sum.rejects = r;
                        sl::PublishSummary published;
                        sl::Status s = sl::PublishBatch(**q, &a, &r, &published);
                        if (!s.ok()) return s;
                        sum.stored = published.articles;
                        sum.unchanged = published.duplicates;
                        sum.rejected = published.rejects;
                        return sum;
                      });
    return PollLoop(poller, opml, every, rounds, json_out, true);
  }
  if (*ingest && queued) {
    auto r = sl::PublishPaths(paths, *options, queue);
    if (!r.ok()) {
      spdlog::error("ingest: {}", r.status().ToString());
      return 1;
    }
    if (ingest_json)
      std::cout << json{{"published", r->articles},
                        {"already_queued", r->duplicates},
                        {"rejects", r->rejects},
                        {"last_seq", r->last_seq}}
                << "\n";
    else
      std::printf(
          "published %lld articles (%lld already queued) and %lld rejects; raw stream at %llu\n",
          (long long)r->articles, (long long)r->duplicates, (long long)r->rejects,
          (unsigned long long)r->last_seq);
    return 0;
  }

  if (*serve) return sl::RunServe(cfg, serve_args);
  if (*eval) return sl::RunEval(*options, eval_args);
  if (*eval_intel) return sl::RunEvalIntel(*options, intel_args);
  if (*bench && load) {
    load_args.json = bench_args.json;
    // --articles: half stored before the readers start, half ingested beside them.
    load_args.base_articles = std::max<int64_t>(1, bench_args.articles / 2);
    load_args.ingest_articles = std::max<int64_t>(1, bench_args.articles - load_args.base_articles);
    return sl::RunLoadTest(*options, load_args);
  }
  if (*bench && bench_args.cluster) {
    if (!queued) {
      spdlog::error("bench --cluster: no queue (give --queue nats://HOST:PORT)");
      return 2;
    }
    return sl::RunClusterBench(*options, queue, bench_args);
  }
  if (*bench) return sl::RunBench(*options, bench_args);
  if (*lexicon) {
    lex_args.action = *lex_build    ? "build"
                      : *lex_lookup ? "lookup"
                      : *lex_cov    ? "coverage"
                                    : "info";
    return sl::RunLexicon(*options, lex_args);
  }

  // Writers (ingest, poll) take the store's writer lock and load the model
  // and the clustering state; readers only open the store.
  const bool writer = *ingest || *poll || *takedown;
  auto engine = writer ? sl::Engine::Open(*options) : sl::Engine::OpenReader(*options);
  if (!engine.ok()) {
    spdlog::error("{}", engine.status().ToString());
    // Options were validated above: this is the store or the model.
    return engine.status().code() == sl::Status::Code::kNotFound && !writer ? 4 : 1;
  }
  auto& e = **engine;

  if (*ingest) {
    bool tty = isatty(STDOUT_FILENO) && isatty(STDERR_FILENO) && !quiet;
    auto sum = e.IngestPaths(paths, tty ? sl::ProgressFn(Progress) : sl::ProgressFn());
    if (!sum.ok()) {
      spdlog::error("ingest failed: {}", sum.status().ToString());
      return 1;
    }
    if (!quiet)
      for (const auto& r : sum->rejects)
        spdlog::warn("rejected {}: {} ({})", r.origin, r.message, r.reason);
    if (ingest_json) {
      json j = {{"read", sum->read},
                {"stored", sum->stored},
                {"repaired", sum->repaired},
                {"rejected", sum->rejected},
                {"unchanged", sum->unchanged},
                {"updated", sum->updated},
                {"duplicates", sum->duplicates},
                {"new_stories", sum->new_stories},
                {"stories", sum->stories_total},
                {"seconds", sum->seconds}};
      const auto& st = sum->stages;
      j["stages_seconds"] = {
          {"read", st.read},       {"clean", st.clean},   {"langid", st.langid},
          {"signals", st.signals}, {"enrich", st.enrich}, {"dedup", st.dedup},
          {"cluster", st.cluster}, {"store", st.store},   {"summary", st.summary}};
      j["merged_stories"] = sum->merged_stories;
      j["live_blogs"] = sum->live_blogs;
      std::cout << j.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
    } else {
      std::printf(
          "read %lld, stored %lld, repaired %lld, rejected %lld, duplicates %lld, unchanged %lld, "
          "updated %lld, stories %lld (%lld new) in %.2fs\n",
          (long long)sum->read, (long long)sum->stored, (long long)sum->repaired,
          (long long)sum->rejected, (long long)sum->duplicates, (long long)sum->unchanged,
          (long long)sum->updated, (long long)sum->stories_total, (long long)sum->new_stories,
          sum->seconds);
    }
    return sum->rejected > 0 ? 3 : 0;
  }

  if (*poll) {
    sl::Poller poller(e, e.fetcher());
    return PollLoop(poller, opml, every, rounds, json_out, false);
  }

  if (*takedown) {
    sl::Engine::TakedownRequest req;
    req.kind = !td_article.empty() ? "article" : !td_url.empty() ? "url" : "source";
    req.value = !td_article.empty() ? td_article : !td_url.empty() ? td_url : td_source;
    req.reason = td_reason;
    std::vector<std::string> touched;
    auto rec = e.Takedown(req, &touched);
    if (!rec.ok()) return Failed(rec.status());
    if (json_out) {
      PrintJson(sl::api::TakedownJson(*rec, touched));
    } else {
      std::printf("takedown #%lld: %zu articles removed, %zu stories recomputed; tombstone kept\n",
                  (long long)rec->seq, rec->articles.size(), touched.size());
      for (const auto& id : rec->articles) std::printf("  removed %s\n", id.c_str());
    }
    return 0;
  }

  auto& store = e.store();
  if (*stories) {
    sl::api::StoriesQuery q;
    q.lang = lang;
    q.entity = list_entity;
    q.source = list_source;
    q.min_size = min_size;
    q.limit = limit;
    q.sort = sort;
    q.cursor = cursor;
    q.reader_lang = reader_lang;
    auto view = sl::api::Stories(store, q);
    if (!view.ok()) return Failed(view.status());
    if (json_out) {
      PrintJson((*view)["stories"]);
    } else {
      for (const auto& r : (*view)["stories"]) {
        std::string langs;
        for (const auto& [l, n] : r["languages"].items()) langs += (langs.empty() ? "" : ",") + l;
        std::printf("%s  %3lld  %2lld src  %-10s %-10s  %s\n", Str(r, "id").c_str(),
                    (long long)r["size"].get<int64_t>(),
                    (long long)r["independent_sources"].get<int64_t>(), langs.c_str(),
                    Str(r, "first_published").substr(0, 10).c_str(), Str(r, "headline").c_str());
      }
    }
    if (!(*view)["next_cursor"].is_null())
      spdlog::info("more: --cursor '{}'", (*view)["next_cursor"].get<std::string>());
    return 0;
  }

  if (*story) {
    auto view = sl::api::Story(store, story_id, reader_lang);
    if (!view.ok()) return Failed(view.status());
    const json& j = *view;
    if (json_out) {
      PrintJson(j);
    } else {
      PrintStoryIntel(j);
      std::string langs;
      for (const auto& [l, n] : j["languages"].items()) langs += (langs.empty() ? "" : ",") + l;
      std::printf("%s\n%s\nlanguages: %s, %lld articles\n\n", Str(j, "id").c_str(),
                  Str(j, "title").c_str(), langs.c_str(), (long long)j["size"].get<int64_t>());
      for (const auto& ja : j["articles"]) {
        std::printf("- %s [%s] %s %s\n  %s\n", Str(ja, "id").c_str(), Str(ja, "language").c_str(),
                    Str(ja, "source").c_str(), Str(ja, "published").substr(0, 10).c_str(),
                    Str(ja, "title").c_str());
        for (const auto& l : ja["duplicate_links"])
          std::printf("  %s %s %s (containment %.2f)\n", Str(l, "article").c_str(),
                      Str(l, "kind").c_str(), Str(l, "of").c_str(), l["containment"].get<double>());
      }
    }
    return 0;
  }

  if (*article) {
    auto view = sl::api::Article(store, article_id);
    if (!view.ok()) return Failed(view.status());
    const json& j = *view;
    if (json_out) {
      PrintJson(j);
    } else {
      std::printf("%s\n%s [%s] %s %s\n", Str(j, "title").c_str(), Str(j, "id").c_str(),
                  Str(j, "language").c_str(), Str(j, "source").c_str(),
                  Str(j, "published").substr(0, 10).c_str());
      if (j["story"].is_object())
        std::printf("story %s: %s\n", Str(j["story"], "id").c_str(),
                    Str(j["story"], "headline").c_str());
      std::printf("\n%s\n", Str(j, "text").c_str());
    }
    return 0;
  }

  if (*search) {
    sl::api::SearchQuery q;
    q.q = search_text;
    q.lang = lang;
    q.limit = limit;
    q.offset = offset;
    auto view = sl::api::Search(store, q);
    if (!view.ok()) return Failed(view.status());
    if (json_out) {
      PrintJson(*view);
    } else {
      for (const auto& r : (*view)["results"])
        std::printf("%s [%s] %s\n  %s\n", Str(r, "article").c_str(), Str(r, "language").c_str(),
                    Str(r, "title").c_str(), Str(r, "snippet").c_str());
    }
    return 0;
  }

  if (*entities) {
    auto view = sl::api::Entities(store, limit);
    if (!view.ok()) return Failed(view.status());
    if (json_out) {
      PrintJson(*view);
    } else {
      for (const auto& r : *view)
        // fmt pads by display width, not bytes (names are UTF-8: "Auswärtige Amt").
        fmt::print("{:<32} {:<12} {:5} stories {:6} mentions\n", Str(r, "name"), Str(r, "type"),
                   r["stories"].get<int64_t>(), r["count"].get<int64_t>());
    }
    return 0;
  }

  if (*entity) {
    auto view = sl::api::Entity(store, entity_name, limit);
    if (!view.ok()) {
      if (view.status().code() == sl::Status::Code::kNotFound) {
        spdlog::error("no entity named '{}' (see `storyline entities`)", entity_name);
        return 4;
      }
      return Failed(view.status());
    }
    if (json_out) {
      PrintJson((*view)["stories"]);
    } else {
      for (const auto& sj : (*view)["stories"])
        std::printf("%s  %s  %s (%lld articles)\n", Str(sj, "id").c_str(),
                    sj["last_published"].is_string()
                        ? Str(sj, "last_published").substr(0, 10).c_str()
                        : "          ",
                    Str(sj, "headline").c_str(), (long long)sj["size"].get<int64_t>());
    }
    return 0;
  }

  if (*takedowns) {
    auto view = sl::api::Takedowns(store, limit);
    if (!view.ok()) return Failed(view.status());
    if (json_out) {
      PrintJson(*view);
    } else {
      for (const auto& t : *view)
        std::printf("%s  #%lld %s %s: %s (%zu articles)\n", Str(t, "at").c_str(),
                    (long long)t["id"].get<int64_t>(), Str(t, "kind").c_str(),
                    Str(t, "value").c_str(), Str(t, "reason").c_str(), t["articles"].size());
    }
    return 0;
  }

  if (*exp) {
    sl::Status s = store.ForEachAssignment(
        [](const std::string& id, const std::string& st, const std::string&) {
          std::cout << json{{"id", id}, {"story", st}}.dump(-1, ' ', false,
                                                            json::error_handler_t::replace)
                    << "\n";
        });
    if (!s.ok()) {
      spdlog::error("{}", s.ToString());
      return 1;
    }
    return 0;
  }

  if (*rejects && repairs) {
    auto rows = store.ListRepaired(limit);
    if (!rows.ok()) {
      spdlog::error("{}", rows.status().ToString());
      return 1;
    }
    json arr = json::array();
    for (const auto& r : *rows) {
      if (json_out) {
        arr.push_back({{"id", r.id},
                       {"origin", r.origin},
                       {"repairs", r.repairs},
                       {"at", sl::FormatIsoDate(r.ingested)}});
      } else {
        for (const auto& what : r.repairs)
          std::printf("%s  %s: %s\n", sl::FormatIsoDate(r.ingested).c_str(), r.id.c_str(),
                      what.c_str());
      }
    }
    if (json_out) std::cout << arr.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    return 0;
  }
  if (*rejects) {
    auto rows = store.ListRejects(limit);
    if (!rows.ok()) {
      spdlog::error("{}", rows.status().ToString());
      return 1;
    }
    json arr = json::array();
    for (const auto& [r, at] : *rows) {
      if (json_out)
        arr.push_back({{"origin", r.origin},
                       {"reason", r.reason},
                       {"message", r.message},
                       {"at", sl::FormatIsoDate(at)}});
      else
        std::printf("%s  %-16s %s: %s\n", sl::FormatIsoDate(at).c_str(), r.reason.c_str(),
                    r.origin.c_str(), r.message.c_str());
    }
    if (json_out) std::cout << arr.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    return 0;
  }
  return 0;
}
