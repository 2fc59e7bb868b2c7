#include "cli/commands.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "common/text.h"
#include "eval/evaluate.h"
#include "eval/intel.h"
#include "lexicon/lexicon.h"
#include "signals/signals.h"

namespace storyline {

namespace {

Result<double> ParseDouble(const std::string& key, const std::string& v) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0')
    return Status::InvalidArgument(key + ": '" + v + "' is not a number");
  return d;
}

}  // namespace

namespace {
Status ApplyOne(const std::string& key, const std::string& value, EngineOptions* o);

constexpr const char* kServerKeys[] = {"listen",    "api_key",        "max_body_bytes",
                                       "max_queue", "server_threads", "cors_origin",
                                       "public_url"};
constexpr const char* kQueueKeys[] = {"queue", "queue_prefix", "ack_wait_seconds", "max_deliver"};
bool IsQueueKey(const std::string& key) {
  for (const char* k : kQueueKeys)
    if (key == k) return true;
  return false;
}
Result<int64_t> ParseWhole(const std::string& key, const std::string& v, double lo, double hi);
// `queued`: a queue other than "none" was named.
Status ApplyQueue(const std::string& key, const std::string& value, QueueOptions* o, bool* queued) {
  if (key == "queue") {
    if (value == "none" || value.empty()) {
      *queued = false;
      return Status::Ok();
    }
    if (value.rfind("nats://", 0) != 0 && value.rfind("tls://", 0) != 0)
      return Status::InvalidArgument("queue = " + value +
                                     ": expected none or a NATS URL (nats://host:port)");
    o->url = value;
    *queued = true;
  } else if (key == "queue_prefix") {
    bool ok = !value.empty();
    for (char c : value) ok &= std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    if (!ok)
      return Status::InvalidArgument("queue_prefix = " + value +
                                     ": letters, digits, '_' and '-' only");
    o->prefix = value;
  } else {
    auto n = ParseWhole(key, value, 1, key == "max_deliver" ? 1000 : 86400);
    if (!n.ok()) return n.status();
    (key == "max_deliver" ? o->max_deliver : o->ack_wait_seconds) = static_cast<int>(*n);
  }
  return Status::Ok();
}
bool IsServerKey(const std::string& key) {
  for (const char* k : kServerKeys)
    if (key == k) return true;
  return false;
}
Result<int64_t> ParseWhole(const std::string& key, const std::string& v, double lo, double hi);

Status ApplyServer(const std::string& key, const std::string& value, ServerOptions* o) {
  if (key == "listen") {
    o->listen = value;
  } else if (key == "api_key") {
    o->api_key = value;
  } else if (key == "cors_origin") {
    o->cors_origin = value;
  } else if (key == "public_url") {
    o->public_url = value;
  } else {
    auto n = ParseWhole(key, value, 1, key == "max_body_bytes" ? 1073741824.0 : 100000.0);
    if (!n.ok()) return n.status();
    if (key == "max_body_bytes") o->max_body_bytes = static_cast<size_t>(*n);
    if (key == "max_queue") o->max_queue = static_cast<size_t>(*n);
    if (key == "server_threads") o->threads = static_cast<int>(*n);
  }
  return Validate(*o);
}
}  // namespace

// Applies one setting, then checks the options (so a bad value is reported
// with the key, and by the caller with where it came from).
Status ApplySetting(const std::string& key, const std::string& value, EngineOptions* o) {
  Status s = ApplyOne(key, value, o);
  if (!s.ok()) return s;
  return Validate(*o);
}

namespace {

// A whole number in [lo, hi] (checked before any conversion).
Result<int64_t> ParseWhole(const std::string& key, const std::string& v, double lo, double hi) {
  auto d = ParseDouble(key, v);
  if (!d.ok()) return d.status();
  if (!(*d >= lo && *d <= hi) || *d != std::floor(*d))
    return Status::InvalidArgument(key + " = " + v +
                                   " is out of range: it must be a whole number " + "from " +
                                   std::to_string(static_cast<int64_t>(lo)) + " to " +
                                   std::to_string(static_cast<int64_t>(hi)));
  return static_cast<int64_t>(*d);
}

Status ApplyOne(const std::string& key, const std::string& value, EngineOptions* o) {
  auto num = [&](double* dst) -> Status {
    auto d = ParseDouble(key, value);
    if (!d.ok()) return d.status();
    *dst = *d;
    return Status::Ok();
  };
  if (key == "db" || key == "store") {
    o->db_path = value;
  } else if (key == "now") {
    // A fixed "now" (Unix seconds): re-clustering an archive as of a date,
    // or two runs that must be compared byte for byte.
    auto t = ParseWhole(key, value, 0, 253402300799.0);
    if (!t.ok()) return t.status();
    o->clock = std::make_shared<FixedClock>(*t);
  } else if (key == "synchronous") {
    if (value != "FULL" && value != "NORMAL" && value != "OFF")
      return Status::InvalidArgument("synchronous must be FULL, NORMAL or OFF");
    o->store.synchronous = value;
  } else if (key == "threshold") {
    return num(&o->cluster.threshold);
  } else if (key == "cross_threshold") {
    return num(&o->cluster.cross_threshold);
  } else if (key == "link_threshold") {
    return num(&o->cluster.link_threshold);
  } else if (key == "window_days") {
    return num(&o->cluster.window_days);
  } else if (key == "time_sigma_days") {
    return num(&o->cluster.time_sigma_days);
  } else if (key == "neutral_weight") {
    return num(&o->cluster.neutral_weight);
  } else if (key == "merge_threshold") {
    return num(&o->cluster.merge_threshold);
  } else if (key == "caseless_name_weight" || key == "cognate_weight") {
    double d = 0;
    Status s = num(&d);
    if (!s.ok()) return s;
    (key == "cognate_weight" ? o->signals.cognate_weight : o->signals.caseless_name_weight) =
        static_cast<float>(d);
  } else if (key == "pivot_weight") {
    return num(&o->cluster.pivot_weight);
  } else if (key == "min_shared_pivot" || key == "min_shared_neutral" ||
             key == "link_extra_shared") {
    auto d = ParseWhole(key, value, 0, 1000);
    if (!d.ok()) return d.status();
    (key == "min_shared_pivot"     ? o->cluster.min_shared_pivot
     : key == "min_shared_neutral" ? o->cluster.min_shared_neutral
                                   : o->cluster.link_extra_shared) = static_cast<int>(*d);
  } else if (key == "name_boost") {
    return num(&o->cluster.name_boost);
  } else if (key == "model") {
    o->langid.model_path = value;
  } else if (key == "lexicon") {
    o->signals.lexicon_path = value;
  } else if (key == "data_dir") {
    o->signals.data_dir = value;
  } else if (key == "batch_size") {
    auto d = ParseWhole(key, value, 1, 10'000'000);
    if (!d.ok()) return d.status();
    o->batch_size = static_cast<size_t>(*d);
  } else if (key == "cache_mib") {
    auto d = ParseWhole(key, value, 1, 1'048'576);
    if (!d.ok()) return d.status();
    o->store.cache_mib = static_cast<int64_t>(*d);
  } else if (key == "read_chunk") {
    auto d = ParseWhole(key, value, 1, 10'000'000);
    if (!d.ok()) return d.status();
    o->read_chunk = static_cast<size_t>(*d);
  } else if (key == "df_min_documents") {
    auto d = ParseWhole(key, value, 0, 1'000'000'000);
    if (!d.ok()) return d.status();
    o->cluster.df_min_documents = static_cast<uint64_t>(*d);
  } else {
    return Status::InvalidArgument("unknown setting '" + key + "'");
  }
  return Status::Ok();
}

}  // namespace

Result<EngineOptions> LoadOptions(const CliConfig& cfg, ServerOptions* server, QueueOptions* queue,
                                  bool* queued) {
  EngineOptions o;
  ServerOptions unused;
  if (!server) server = &unused;
  QueueOptions unused_queue;
  if (!queue) queue = &unused_queue;
  bool unused_queued = false;
  if (!queued) queued = &unused_queued;
  auto apply = [&](const std::string& key, const std::string& value) {
    if (IsQueueKey(key)) return ApplyQueue(key, value, queue, queued);
    return IsServerKey(key) ? ApplyServer(key, value, server) : ApplySetting(key, value, &o);
  };
  std::string file = cfg.config_file;
  if (file.empty())
    if (const char* env = std::getenv("STORYLINE_CONFIG")) file = env;
  std::error_code ec;
  if (file.empty() && std::filesystem::exists("storyline.conf", ec)) file = "storyline.conf";
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return Status::NotFound("config file '" + file + "' cannot be read");
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      std::string_view t = TrimAscii(line);
      if (t.empty() || t[0] == '#') continue;
      auto eq = t.find('=');
      if (eq == std::string_view::npos)
        return Status::InvalidArgument(file + ":" + std::to_string(n) + ": expected key = value");
      Status s =
          apply(std::string(TrimAscii(t.substr(0, eq))), std::string(TrimAscii(t.substr(eq + 1))));
      if (!s.ok())
        return Status::InvalidArgument(file + ":" + std::to_string(n) + ": " + s.message());
    }
  }
  for (const char* key : {"db",
                          "store",
                          "synchronous",
                          "cache_mib",
                          "threshold",
                          "cross_threshold",
                          "link_threshold",
                          "window_days",
                          "time_sigma_days",
                          "neutral_weight",
                          "name_boost",
                          "merge_threshold",
                          "pivot_weight",
                          "caseless_name_weight",
                          "cognate_weight",
                          "min_shared_pivot",
                          "min_shared_neutral",
                          "link_extra_shared",
                          "model",
                          "lexicon",
                          "data_dir",
                          "batch_size",
                          "df_min_documents",
                          "read_chunk",
                          "now",
                          "queue",
                          "queue_prefix",
                          "ack_wait_seconds",
                          "max_deliver",
                          "listen",
                          "api_key",
                          "max_body_bytes",
                          "max_queue",
                          "server_threads",
                          "cors_origin",
                          "public_url"}) {
    std::string env = "STORYLINE_";
    for (const char* p = key; *p; ++p) env.push_back(static_cast<char>(std::toupper(*p)));
    if (const char* v = std::getenv(env.c_str())) {
      Status s = apply(key, v);
      if (!s.ok()) return Status::InvalidArgument(env + ": " + s.message());
    }
  }
  if (!cfg.db.empty()) o.db_path = cfg.db;
  if (!cfg.queue.empty()) {
    Status s = ApplyQueue("queue", cfg.queue, queue, queued);
    if (!s.ok()) return Status::InvalidArgument("--queue: " + s.message());
  }
  o.db_path = StorePath(o.db_path);  // "sqlite:PATH" is PATH
  o.wait_for_writer = cfg.wait;
  Status v = Validate(o);
  if (!v.ok()) return v;
  return o;
}

int RunServe(const CliConfig& cfg, const ServeArgs& args) {
  ServerOptions server;
  auto options = LoadOptions(cfg, &server);
  if (!options.ok()) {
    spdlog::error("{}", options.status().ToString());
    return 2;
  }
  if (!args.listen.empty()) server.listen = args.listen;
  Status v = Validate(server);
  if (!v.ok()) {
    spdlog::error("{}", v.message());
    return 2;
  }
  return RunServer(*options, server);
}

int RunEval(const EngineOptions& options, const EvalArgs& args) {
  eval::EvalRun run;
  run.gold_path = args.gold;
  run.ignore_dates = args.ignore_dates;
  run.by_lang = args.by_lang;
  auto outcome = eval::Evaluate(options, run);
  if (!outcome.ok()) {
    spdlog::error("eval failed: {}", outcome.status().ToString());
    return 1;
  }
  if (args.json) {
    nlohmann::json j = eval::ToJson(outcome->report);
    j["exact_duplicates"] = {{"labelled", outcome->duplicates_labelled},
                             {"found", outcome->duplicates_found}};
    j["seconds"] = outcome->seconds;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << eval::ToText(outcome->report);
    if (outcome->duplicates_labelled > 0)
      std::cout << "exact duplicates (dup_of) found: " << outcome->duplicates_found << " / "
                << outcome->duplicates_labelled << "\n";
  }
  return 0;
}

int RunEvalIntel(const EngineOptions& options, const EvalIntelArgs& args) {
  eval::IntelRun run;
  run.gold_dir = args.gold;
  run.paths = args.paths;
  run.data_dir = options.signals.data_dir;
  run.langid = options.langid;
  auto report = eval::EvaluateIntel(run);
  if (!report.ok()) {
    spdlog::error("eval-intel failed: {}", report.status().ToString());
    return 1;
  }
  if (args.json)
    std::cout << eval::IntelToJson(*report).dump(2) << "\n";
  else
    std::cout << eval::IntelToText(*report);
  return 0;
}

int RunLexicon(const EngineOptions& options, const LexiconArgs& args) {
  SignalsOptions so = options.signals;
  std::string path = so.lexicon_path.empty() ? DefaultLexiconPath() : so.lexicon_path;
  if (args.action == "build") {
    // Stems for the lexicon come from the same analyzer the pipeline uses,
    // without a lexicon of its own.
    so.lexicon_path = "none";
    Analyzer analyzer(so);
    std::string out = args.out.empty() ? path : args.out;
    LexiconBuildReport rep;
    auto t0 = std::chrono::steady_clock::now();
    Status s = BuildPivotLexicon(args.dictd_dir, out, analyzer, &rep);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!s.ok()) {
      spdlog::error("lexicon build failed: {}", s.ToString());
      return s.code() == Status::Code::kNotFound ? 4 : 1;
    }
    if (args.json) {
      nlohmann::json j = {
          {"path", out}, {"keys", rep.keys}, {"bytes", rep.bytes}, {"seconds", secs}};
      j["dictionaries"] = nlohmann::json::array();
      for (const auto& d : rep.dictionaries)
        j["dictionaries"].push_back({{"file", d.file},
                                     {"description", d.description},
                                     {"lang", d.lang},
                                     {"how", d.how},
                                     {"entries", d.entries},
                                     {"pairs", d.words}});
      j["words_per_language"] = nlohmann::json::object();
      for (const auto& [l, n] : rep.words_per_language) j["words_per_language"][l] = n;
      std::cout << j.dump(2) << "\n";
    } else {
      for (const auto& d : rep.dictionaries)
        std::printf("%-22s %-3s %-8s %8llu entries %9llu word-concept pairs  %s\n", d.file.c_str(),
                    d.lang.c_str(), d.how.c_str(), (unsigned long long)d.entries,
                    (unsigned long long)d.words, d.description.c_str());
      std::printf("\nwords per language:");
      for (const auto& [l, n] : rep.words_per_language)
        std::printf(" %s %llu", l.c_str(), (unsigned long long)n);
      std::printf("\n%s: %llu words, %.1f MB, built in %.1fs\n", out.c_str(),
                  (unsigned long long)rep.keys, rep.bytes / 1e6, secs);
    }
    return 0;
  }
  auto lex = Lexicon::Open(path);
  if (!lex.ok()) {
    spdlog::error("{} (build it: storyline lexicon build)", lex.status().ToString());
    return lex.status().code() == Status::Code::kNotFound ? 4 : 1;
  }
  if (args.action == "coverage") {
    // Share of content words that find an English concept, per language, on
    // a JSON Lines file whose items carry their language ("lang").
    so.lexicon_path = path;
    Analyzer analyzer(so);
    std::ifstream in(args.file);
    if (!in) {
      spdlog::error("cannot read {}", args.file);
      return 4;
    }
    struct Count {
      uint64_t articles = 0, words = 0, translated = 0;
    };
    std::map<std::string, Count> by_lang;
    std::string line;
    while (std::getline(in, line)) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object() || !j.contains("lang") || !j["lang"].is_string()) continue;
      std::string lang = j["lang"];
      Signals sig = analyzer.Analyze(j.value("title", ""), j.value("text", ""), lang);
      Count& c = by_lang[lang];
      ++c.articles;
      c.words += sig.content_words;
      c.translated += sig.translated_words;
    }
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [lang, c] : by_lang) {
      double share = c.words ? static_cast<double>(c.translated) / c.words : 0;
      std::string via = analyzer.PivotLanguage(lang);
      if (args.json) {
        out[lang] = {{"articles", c.articles},
                     {"content_words", c.words},
                     {"translated", c.translated},
                     {"coverage", share},
                     {"dictionary", via}};
      } else {
        std::printf("%-4s %5llu articles %7llu content words  %5.1f%% with a concept%s\n",
                    lang.c_str(), (unsigned long long)c.articles, (unsigned long long)c.words,
                    100 * share,
                    via.empty()   ? "  (no dictionary)"
                    : via == lang ? ""
                                  : ("  (via " + via + ")").c_str());
      }
    }
    if (args.json) std::cout << out.dump(2) << "\n";
    return 0;
  }
  if (args.action == "info") {
    if (args.json) {
      nlohmann::json j = {{"path", path}, {"words", (*lex)->entries()}, {"bytes", (*lex)->bytes()}};
      j["words_per_language"] = (*lex)->languages();
      std::cout << j.dump(2) << "\n";
    } else {
      std::printf("%s: %llu words, %.1f MB\n", path.c_str(), (unsigned long long)(*lex)->entries(),
                  (*lex)->bytes() / 1e6);
      for (const auto& [l, n] : (*lex)->languages())
        std::printf("  %-4s %8llu\n", l.c_str(), (unsigned long long)n);
    }
    return 0;
  }
  // lookup
  so.lexicon_path = path;
  Analyzer analyzer(so);
  std::string plang = analyzer.PivotLanguage(args.lang);
  nlohmann::json arr = nlohmann::json::array();
  bool any = false;
  for (const auto& w : args.words) {
    std::string folded = Analyzer::Fold(w);
    nlohmann::json j = {{"word", w}, {"lang", args.lang}, {"dictionary", plang}};
    std::vector<std::string> concepts;
    if (plang == "en") {
      concepts.push_back(analyzer.Stem("en", folded));
    } else if (!plang.empty()) {
      std::string stem = analyzer.Stem(plang, folded);
      j["stem"] = stem;
      for (uint64_t c : (*lex)->Lookup(TermKey(plang, stem))) {
        auto label = (*lex)->Label(c);
        concepts.push_back(label.empty() ? Hex64(c) : std::string(label));
      }
    }
    any = any || !concepts.empty();
    j["concepts"] = concepts;
    if (args.json) {
      arr.push_back(j);
    } else {
      std::string line;
      for (const auto& c : concepts) line += (line.empty() ? "" : ", ") + c;
      std::printf("%s [%s%s]: %s\n", w.c_str(), args.lang.c_str(),
                  plang.empty()        ? ", no dictionary"
                  : plang == args.lang ? ""
                                       : (" via " + plang).c_str(),
                  line.empty() ? "(unknown)" : line.c_str());
    }
  }
  if (args.json) std::cout << arr.dump(2) << "\n";
  return any ? 0 : 4;
}

}  // namespace storyline
