// storyline: the command-line front end. A thin layer over storyline::Engine.
//
// Exit codes: 0 success; 1 failure (store, model, I/O); 2 usage error;
// 3 ingest finished but some inputs were rejected; 4 not found.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/commands.h"
#include "common/text.h"
#include "engine/engine.h"
#include "engine/poll.h"

namespace sl = storyline;
using nlohmann::json;

namespace {

std::string Langs(const std::map<std::string, int64_t>& langs) {
  std::string s;
  for (const auto& [l, n] : langs) {
    if (!s.empty()) s += ",";
    s += l;
  }
  return s;
}

std::string Date(const std::optional<int64_t>& t) {
  return t ? sl::FormatIsoDate(*t).substr(0, 10) : "";
}

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

json StoryJson(const sl::StoryRow& r) {
  json langs = json::object();
  for (const auto& [l, n] : r.langs) langs[l] = n;
  json j = {{"id", r.id},
            {"title", r.title},
            {"size", r.size},
            {"live_blog_entries", r.entries},
            {"languages", langs}};
  j["first_published"] = r.first_time ? json(sl::FormatIsoDate(*r.first_time)) : json(nullptr);
  j["last_published"] = r.last_time ? json(sl::FormatIsoDate(*r.last_time)) : json(nullptr);
  return j;
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

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("storyline");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%^%l%$: %v");

  CLI::App app{
      "storyline: turns a stream of news articles in many languages into stories.\n"
      "Everything lives in one SQLite file (--db, $STORYLINE_DB, default ./storyline.db).\n"
      "Options go before or after the subcommand.\n"
      "Exit codes: 0 ok, 1 failure, 2 usage error, 3 some inputs rejected, 4 not found."};
  app.require_subcommand(1);
  // Options of the whole program are accepted after the subcommand too
  // (`storyline ingest --db x.db PATH`): subcommands pass what they do not
  // know up to here.
  app.fallthrough();
  sl::CliConfig cfg;
  app.add_option("--db", cfg.db, "Database file (env STORYLINE_DB)");
  app.add_option("--config", cfg.config_file,
                 "Config file of key = value lines (env STORYLINE_CONFIG)");
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

  auto* stories = app.add_subcommand("stories", "List stories, largest and newest first");
  bool json_out = false;
  std::string lang;
  int64_t limit = 50;
  int64_t min_size = 1;
  stories->add_flag("--json", json_out, "JSON output");
  stories->add_option("--lang", lang, "Only stories with an article in this language");
  stories->add_option("--limit", limit, "At most this many (-1: all)")->capture_default_str();
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

  auto options = sl::LoadOptions(cfg);
  if (!options.ok()) {
    spdlog::error("{}", options.status().ToString());
    return 2;
  }

  if (*eval) return sl::RunEval(*options, eval_args);
  if (*eval_intel) return sl::RunEvalIntel(*options, intel_args);
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
  const bool writer = *ingest || *poll;
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
    int64_t interval = every.empty() ? 0 : sl::ParseDurationSeconds(every);
    if (interval < 0) {
      spdlog::error("--every: '{}' is not a duration (30s, 10m, 1h)", every);
      return 2;
    }
    if (rounds < 0) rounds = every.empty() ? 1 : 0;
    sl::Poller poller(e, e.fetcher());
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
      if (json_out) {
        std::cout << json{{"feeds", round->feeds},
                          {"not_modified", round->not_modified},
                          {"fetched", round->fetched},
                          {"failed", round->failed},
                          {"stored", round->ingest.stored},
                          {"rejected", round->ingest.rejected},
                          {"new_stories", round->ingest.new_stories}}
                         .dump()
                  << std::endl;
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

  auto& store = e.store();
  if (*story) {
    auto resolved = store.ResolveStory(story_id);
    if (resolved.ok()) story_id = *resolved;  // a merged story's old id still works
  }
  if (*stories) {
    auto rows = store.ListStories({lang, limit, min_size});
    if (!rows.ok()) {
      spdlog::error("{}", rows.status().ToString());
      return 1;
    }
    if (json_out) {
      json arr = json::array();
      for (const auto& r : *rows) arr.push_back(StoryJson(r));
      std::cout << arr.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    } else {
      for (const auto& r : *rows)
        std::printf("%s  %3lld  %-10s %-10s  %s\n", r.id.c_str(), (long long)r.size,
                    Langs(r.langs).c_str(), Date(r.first_time).c_str(), r.title.c_str());
    }
    return 0;
  }

  if (*story) {
    auto row = store.GetStory(story_id);
    if (!row.ok()) {
      spdlog::error("{}", row.status().message());
      return 4;
    }
    auto arts = store.StoryArticles(story_id);
    auto members = store.StoryMemberships(story_id);
    if (!arts.ok() || !members.ok()) {
      spdlog::error("cannot read story {}", story_id);
      return 1;
    }
    std::map<std::string, sl::Membership> by_article;
    for (auto& m : *members) by_article[m.article] = m;
    json j = StoryJson(*row);
    j["articles"] = json::array();
    for (const auto& a : *arts) {
      json ja = {{"id", a.article.id},
                 {"title", a.article.title},
                 {"language", a.lang},
                 {"language_confidence", a.lang_confidence},
                 {"source", a.article.source},
                 {"url", a.article.url},
                 {"published", a.article.published ? json(sl::FormatIsoDate(*a.article.published))
                                                   : json(nullptr)},
                 {"names", a.names},
                 {"repairs", a.article.repairs},
                 {"text", a.article.text}};
      auto links = store.DuplicatesOf(a.article.id);
      json dl = json::array();
      if (links.ok())
        for (const auto& l : *links)
          dl.push_back({{"article", l.article},
                        {"of", l.of},
                        {"kind", l.kind},
                        {"containment", l.containment},
                        {"resemblance", l.resemblance}});
      ja["duplicate_links"] = dl;
      auto m = by_article.find(a.article.id);
      if (m != by_article.end()) ja["assignment"] = json::parse(m->second.detail, nullptr, false);
      j["articles"].push_back(ja);
    }
    auto intel = store.GetStoryIntel(story_id);
    if (!intel.ok()) {
      spdlog::error("{}", intel.status().ToString());
      return 1;
    }
    if (intel->has_value()) {
      json in = json::parse(**intel, nullptr, false);
      if (in.is_object()) {
        for (const char* k : {"entities", "quotes", "figures", "sources", "timeline"})
          if (in.contains(k)) j[k] = in[k];
        if (in.contains("summary")) {
          json sm = in["summary"];
          if (!reader_lang.empty() && sm.contains("headlines") &&
              sm["headlines"].contains(reader_lang)) {
            sm["headline"] = sm["headlines"][reader_lang];
            sm["headline_lang"] = reader_lang;
          }
          j["summary"] = sm;
        }
      }
    }
    if (json_out) {
      std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    } else {
      PrintStoryIntel(j);
      std::printf("%s\n%s\nlanguages: %s, %lld articles\n\n", row->id.c_str(), row->title.c_str(),
                  Langs(row->langs).c_str(), (long long)row->size);
      for (const auto& ja : j["articles"]) {
        std::printf(
            "- %s [%s] %s %s\n  %s\n", ja["id"].get<std::string>().c_str(),
            ja["language"].get<std::string>().c_str(), ja["source"].get<std::string>().c_str(),
            ja["published"].is_null() ? ""
                                      : ja["published"].get<std::string>().substr(0, 10).c_str(),
            ja["title"].get<std::string>().c_str());
        for (const auto& l : ja["duplicate_links"])
          std::printf("  %s %s %s (containment %.2f)\n", l["article"].get<std::string>().c_str(),
                      l["kind"].get<std::string>().c_str(), l["of"].get<std::string>().c_str(),
                      l["containment"].get<double>());
      }
    }
    return 0;
  }

  if (*entities) {
    auto rows = store.ListEntities(limit);
    if (!rows.ok()) {
      spdlog::error("{}", rows.status().ToString());
      return 1;
    }
    json arr = json::array();
    for (const auto& r : *rows) {
      if (json_out)
        arr.push_back({{"name", r.name},
                       {"type", r.type},
                       {"key", r.key},
                       {"stories", r.stories},
                       {"count", r.count}});
      else
        std::printf("%-32s %-12s %5lld stories %6lld mentions\n", r.name.c_str(), r.type.c_str(),
                    (long long)r.stories, (long long)r.count);
    }
    if (json_out) std::cout << arr.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    return 0;
  }

  if (*entity) {
    auto keys = store.FindEntityKeys(entity_name);
    if (!keys.ok()) {
      spdlog::error("{}", keys.status().ToString());
      return 1;
    }
    if (keys->empty()) {
      spdlog::error("no entity named '{}' (see `storyline entities`)", entity_name);
      return 4;
    }
    json arr = json::array();
    for (const auto& key : *keys) {
      auto ids = store.EntityStories(key, limit);
      if (!ids.ok()) {
        spdlog::error("{}", ids.status().ToString());
        return 1;
      }
      for (const auto& id : *ids) {
        auto row = store.GetStory(id);
        if (!row.ok()) continue;
        json sj = StoryJson(*row);
        sj["entity"] = key;
        if (json_out)
          arr.push_back(sj);
        else
          std::printf("%s  %s  %s (%lld articles)\n", row->id.c_str(),
                      sj["last_published"].is_string()
                          ? sj["last_published"].get<std::string>().substr(0, 10).c_str()
                          : "          ",
                      row->title.c_str(), (long long)row->size);
      }
    }
    if (json_out) std::cout << arr.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
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
