// `storyline bench`: the whole pipeline on a deterministic synthetic corpus
// (src/synth), measured for speed, memory, storage and quality, next to a
// plain all-pairs reference clusterer.
//
// Timing covers Engine::Ingest only (corpus generation is timed separately).
// The corpus is streamed in chunks of kChunk articles through repeated
// Ingest calls, so the harness itself holds one chunk at a time. Results go
// to stdout (text, or one JSON object with --json); logs go to stderr.
// Environment: STORYLINE_BENCH_SCALING="10000,100000,300000" sets the sizes
// of --scaling; STORYLINE_BENCH_KEEP_DB=1 keeps the temporary databases.
// BENCHMARKS.md has the commands and the figures.
#include <dlfcn.h>
#include <sched.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>
#include <utf8proc.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <unordered_map>
#include <vector>

#include "cli/commands.h"
#include "eval/metrics.h"
#include "synth/synth.h"

namespace storyline {

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr size_t kChunk = 10000;
constexpr int64_t kBaselineMax = 5000;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// CPU time of the process, all threads (the engine analyses on
// EngineOptions::analysis_threads threads; nothing else runs during Ingest).
double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// --- Process memory ----------------------------------------------------------

// Resets the peak-RSS mark (Linux: writing 5 to clear_refs resets VmHWM).
bool ResetPeakRss() {
  std::ofstream f("/proc/self/clear_refs");
  if (!f) return false;
  f << "5";
  f.flush();
  return static_cast<bool>(f);
}

// Peak resident set size in bytes: VmHWM, else getrusage's ru_maxrss.
int64_t PeakRssBytes() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atoll(line.c_str() + 6) * 1024;
  }
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<int64_t>(ru.ru_maxrss) * 1024;
}

// 1-minute load average: the figures are wall clock, and other work on the
// machine shows up in them.
double LoadAverage() {
  double l[1] = {0};
  return getloadavg(l, 1) == 1 ? l[0] : -1;
}

// CPUs this process may run on (taskset / cgroup cpusets).
int CpusAllowed() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
  return CPU_COUNT(&set);
}

// --- Temporary store ---------------------------------------------------------

std::string TempDbPath(const std::string& tag) {
  static int serial = 0;
  std::error_code ec;
  auto dir = std::filesystem::temp_directory_path(ec);
  if (ec) dir = ".";
  return (dir / ("storyline-bench-" + std::to_string(getpid()) + "-" + tag + "-" +
                 std::to_string(serial++) + ".db"))
      .string();
}

void RemoveDb(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal", ".lock"})  // .lock: WriterLock
    std::filesystem::remove(path + suffix, ec);
}

// The temporary store in use, removed if the bench is interrupted (a large
// run leaves gigabytes behind otherwise). Only async-signal-safe calls below.
char g_temp_db[5][512];

void OnSignal(int sig) {
  for (const auto& p : g_temp_db)
    if (p[0]) unlink(p);
  signal(sig, SIG_DFL);
  raise(sig);
}

void TrackTempDb(const std::string& path) {
  static bool installed = false;
  if (!installed) {
    signal(SIGINT, OnSignal);
    signal(SIGTERM, OnSignal);
    installed = true;
  }
  const char* suffixes[] = {"", "-wal", "-shm", "-journal", ".lock"};
  for (size_t i = 0; i < 5; ++i) {
    std::string p = path.empty() ? "" : path + suffixes[i];
    if (p.size() >= sizeof g_temp_db[i]) p.clear();
    std::memcpy(g_temp_db[i], p.c_str(), p.size() + 1);
  }
}

int64_t DbBytes(const std::string& path) {
  int64_t total = 0;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    auto n = std::filesystem::file_size(path + suffix, ec);
    if (!ec) total += static_cast<int64_t>(n);
  }
  return total;
}

// --- One pipeline run --------------------------------------------------------

struct RunResult {
  int64_t articles = 0;
  double seconds = 0;           // in Engine::Ingest, wall clock
  double cpu_seconds = 0;       // in Engine::Ingest, CPU time of all threads
  double generate_seconds = 0;  // corpus generation (not in `seconds`)
  StageTimes stages;
  int64_t stored = 0, duplicates = 0, stories = 0;
  int64_t summaries = 0, summaries_deferred = 0;  // story summaries written, put off
  int64_t peak_rss = 0;
  bool peak_rss_reset = false;  // peak measured for this run alone
  int64_t db_bytes = 0;         // 0 in memory
  int64_t max_wal_bytes = 0;    // largest write-ahead log seen between two chunks
  double text_bytes = 0;        // title + text, all articles
  size_t clusterer_bytes = 0;
  size_t active_stories = 0;
  int64_t active_articles = 0;  // articles dated inside the window at the end
  // Sampled after each chunk: the clusterer's bytes per article in the window
  // when the window held the most articles (steady state; at the very end the
  // window holds only the stories' tails), and the largest footprint seen.
  double full_window_bytes_per_active = 0;
  int64_t full_window_articles = 0;
  size_t peak_clusterer_bytes = 0;
  std::vector<double> chunk_us;  // wall us/article of each chunk, in order
  size_t dup_documents = 0, dup_postings = 0;
  bool scored = false;
  eval::Scores scores;
  std::map<std::string, eval::Scores> by_lang;  // monolingual quality per true language

  double per_s() const { return seconds > 0 ? static_cast<double>(articles) / seconds : 0; }
  double per_cpu_s() const {
    return cpu_seconds > 0 ? static_cast<double>(articles) / cpu_seconds : 0;
  }
  double bytes_per_active() const {
    return active_articles
               ? static_cast<double>(clusterer_bytes) / static_cast<double>(active_articles)
               : 0.0;
  }
};

// Index of an article from its synthetic id ("syn00001234" -> 1234).
int64_t SerialOf(const std::string& id, const std::string& prefix) {
  if (id.rfind(prefix, 0) != 0) return -1;
  int64_t v = -1;
  auto r = std::from_chars(id.data() + prefix.size(), id.data() + id.size(), v);
  return r.ec == std::errc() ? v : -1;
}

Result<RunResult> RunPipeline(EngineOptions options, const synth::SynthOptions& so, bool in_memory,
                              bool score, const std::string& tag) {
  RunResult r;
  options.db_path = in_memory ? ":memory:" : TempDbPath(tag);
  if (!in_memory) RemoveDb(options.db_path);
  struct Cleanup {
    std::string path;
    bool active;
    ~Cleanup() {
      if (!active) return;
      RemoveDb(path);
      TrackTempDb("");
    }
  } cleanup{options.db_path, !in_memory};
  if (!in_memory) TrackTempDb(options.db_path);

  r.peak_rss_reset = ResetPeakRss();
  auto opened = Engine::Open(options);
  if (!opened.ok()) return opened.status();
  std::unique_ptr<Engine> engine = std::move(opened).value();

  // Truth, compactly (the harness should not dominate the memory figures).
  std::vector<uint32_t> truth_story;
  std::vector<uint8_t> truth_lang;
  std::vector<std::string> lang_names;
  std::vector<uint32_t> per_minute;  // dated articles per minute since start_time
  if (score) {
    truth_story.reserve(static_cast<size_t>(so.articles));
    truth_lang.reserve(static_cast<size_t>(so.articles));
  }

  // Articles dated at or after watermark - window.
  auto in_window = [&](std::optional<int64_t> wm) -> int64_t {
    if (!wm) return r.articles;
    int64_t from = *wm - static_cast<int64_t>(options.cluster.window_days * 86400) - so.start_time;
    int64_t n = 0;
    for (size_t m = 0; m < per_minute.size(); ++m)
      if (static_cast<int64_t>(m) * 60 + 59 >= from) n += per_minute[m];
    return n;
  };

  synth::CorpusGenerator gen(so);
  std::vector<synth::SynthArticle> chunk;
  int64_t next_log = 0;
  while (true) {
    chunk.clear();
    auto tg = Clock::now();
    size_t n = gen.Next(kChunk, &chunk);
    r.generate_seconds += Since(tg);
    if (n == 0) break;
    std::vector<Article> articles;
    articles.reserve(n);
    for (auto& a : chunk) {
      r.text_bytes += static_cast<double>(a.article.title.size() + a.article.text.size());
      if (a.article.published) {
        size_t minute =
            static_cast<size_t>(std::max<int64_t>(0, (*a.article.published - so.start_time) / 60));
        if (minute >= per_minute.size()) per_minute.resize(minute + 1024, 0);
        ++per_minute[minute];
      }
      if (score) {
        truth_story.push_back(
            static_cast<uint32_t>(std::strtoul(a.story.c_str() + 1, nullptr, 10)));
        auto it = std::find(lang_names.begin(), lang_names.end(), a.lang);
        if (it == lang_names.end()) it = lang_names.insert(lang_names.end(), a.lang);
        truth_lang.push_back(static_cast<uint8_t>(it - lang_names.begin()));
      }
      articles.push_back(std::move(a.article));
    }
    chunk.clear();
    auto ti = Clock::now();
    double ci = ProcessCpuSeconds();
    auto sum = engine->Ingest(std::move(articles));
    double chunk_seconds = Since(ti);
    r.cpu_seconds += ProcessCpuSeconds() - ci;
    r.seconds += chunk_seconds;
    if (!sum.ok()) return sum.status();
    r.chunk_us.push_back(chunk_seconds / static_cast<double>(n) * 1e6);
    if (!in_memory) {
      std::error_code ec;
      auto wal = std::filesystem::file_size(options.db_path + "-wal", ec);
      if (!ec) r.max_wal_bytes = std::max(r.max_wal_bytes, static_cast<int64_t>(wal));
    }
    r.articles += static_cast<int64_t>(n);
    r.stored += sum->stored;
    r.duplicates += sum->duplicates;
    r.summaries += sum->summaries;
    r.summaries_deferred += sum->summaries_deferred;
    r.stories = sum->stories_total;
    const StageTimes& s = sum->stages;
    r.stages.read += s.read;
    r.stages.clean += s.clean;
    r.stages.langid += s.langid;
    r.stages.signals += s.signals;
    r.stages.enrich += s.enrich;
    r.stages.summary += s.summary;
    r.stages.dedup += s.dedup;
    r.stages.cluster += s.cluster;
    r.stages.store += s.store;
    {
      size_t bytes = engine->clusterer().MemoryBytes();
      int64_t active = in_window(engine->clusterer().watermark());
      r.peak_clusterer_bytes = std::max(r.peak_clusterer_bytes, bytes);
      if (active > 0 && active >= r.full_window_articles) {
        r.full_window_articles = active;
        r.full_window_bytes_per_active = static_cast<double>(bytes) / static_cast<double>(active);
      }
    }
    if (r.articles >= next_log) {
      spdlog::info("bench[{}]: {}/{} articles, {:.0f} articles/s (this chunk {:.0f})", tag,
                   r.articles, so.articles, r.per_s(), static_cast<double>(n) / chunk_seconds);
      next_log += std::max<int64_t>(kChunk, so.articles / 10);
    }
  }
  r.peak_rss = PeakRssBytes();

  const Clusterer& cl = engine->clusterer();
  r.clusterer_bytes = cl.MemoryBytes();
  r.active_stories = cl.active_stories();
  r.dup_documents = engine->dup_index().documents();
  r.dup_postings = engine->dup_index().postings();
  r.active_articles = in_window(cl.watermark());

  if (score) {
    std::vector<eval::Item> items(truth_story.size());
    for (size_t i = 0; i < items.size(); ++i) {
      items[i].gold_cluster = std::to_string(truth_story[i]);
      items[i].gold_lang = lang_names[truth_lang[i]];
    }
    Status s = engine->store().ForEachAssignment(
        [&](const std::string& id, const std::string& story, const std::string& lang) {
          int64_t k = SerialOf(id, so.id_prefix);
          if (k < 0 || k >= static_cast<int64_t>(items.size())) return;
          items[static_cast<size_t>(k)].pred_cluster = story;
          items[static_cast<size_t>(k)].pred_lang = lang;
        });
    if (!s.ok()) return s;
    for (size_t i = 0; i < items.size(); ++i)
      if (items[i].pred_cluster.empty())
        items[i].pred_cluster.append("unassigned:").append(std::to_string(i));
    eval::Report report = eval::BuildReport(items, /*by_lang=*/true);
    r.scores = report.overall;
    r.by_lang = std::move(report.by_lang);
    r.scored = true;
  }
  engine.reset();  // closes the store: the WAL is checkpointed into the file
  if (!in_memory) r.db_bytes = DbBytes(options.db_path);
  // STORYLINE_BENCH_KEEP_DB=1 keeps the store for inspection (sqlite3, dbstat).
  const char* keep = std::getenv("STORYLINE_BENCH_KEEP_DB");
  if (!in_memory && keep && std::string(keep) == "1") {
    cleanup.active = false;
    TrackTempDb("");
    spdlog::info("bench[{}]: kept the store at {}", tag, options.db_path);
  }
  return r;
}

// --- The reference clusterer -------------------------------------------------
//
// What one would write first: lowercase word tokens, TF-IDF, cosine of every
// pair, single link above a threshold (union-find). No time, no languages.

class UnionFind {
 public:
  explicit UnionFind(size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0u); }
  uint32_t Find(uint32_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void Union(uint32_t a, uint32_t b) {
    a = Find(a);
    b = Find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }

 private:
  std::vector<uint32_t> parent_;
};

// Lowercase word tokens (letters and digits, Unicode-aware) of `s`.
void Tokenize(std::string_view s, std::vector<std::string>* out) {
  std::string cur;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t i = 0, n = static_cast<utf8proc_ssize_t>(s.size());
  while (i < n) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t len = utf8proc_iterate(p + i, n - i, &cp);
    if (len <= 0) {
      ++i;
      cp = -1;
    } else {
      i += len;
    }
    auto cat = cp >= 0 ? utf8proc_category(cp) : UTF8PROC_CATEGORY_CN;
    bool word = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
                (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
    if (word) {
      utf8proc_uint8_t buf[4];
      auto k = utf8proc_encode_char(utf8proc_tolower(cp), buf);
      cur.append(reinterpret_cast<char*>(buf), static_cast<size_t>(k));
    } else if (!cur.empty()) {
      out->push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out->push_back(std::move(cur));
}

const double kThresholds[] = {0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7};
constexpr double kDefaultThreshold = 0.3;

struct BaselineResult {
  int64_t articles = 0;
  double seconds = 0;
  double best_threshold = 0;
  eval::Scores best;        // at the best threshold (tuned on the truth)
  eval::Scores at_default;  // at kDefaultThreshold
  double per_s() const { return seconds > 0 ? static_cast<double>(articles) / seconds : 0; }
};

BaselineResult RunBaseline(const std::vector<synth::SynthArticle>& corpus) {
  BaselineResult r;
  const size_t n = corpus.size();
  r.articles = static_cast<int64_t>(n);
  auto t0 = Clock::now();

  // Vectors: term id -> tf-idf weight, L2-normalised.
  std::unordered_map<std::string, uint32_t> vocab;
  std::vector<std::vector<std::pair<uint32_t, float>>> docs(n);
  std::vector<uint32_t> df;
  std::vector<std::string> tokens;
  for (size_t d = 0; d < n; ++d) {
    tokens.clear();
    Tokenize(corpus[d].article.title, &tokens);
    Tokenize(corpus[d].article.text, &tokens);
    std::unordered_map<uint32_t, uint32_t> tf;
    for (auto& t : tokens) {
      auto [it, fresh] = vocab.try_emplace(std::move(t), static_cast<uint32_t>(vocab.size()));
      if (fresh) df.push_back(0);
      ++tf[it->second];
    }
    for (const auto& [term, count] : tf) {
      ++df[term];
      docs[d].push_back({term, static_cast<float>(count)});
    }
  }
  std::vector<float> idf(df.size());
  for (size_t t = 0; t < df.size(); ++t)
    idf[t] = static_cast<float>(std::log(static_cast<double>(n) / df[t]));
  for (auto& v : docs) {
    double norm = 0;
    for (auto& [t, w] : v) {
      w *= idf[t];
      norm += static_cast<double>(w) * w;
    }
    norm = std::sqrt(norm);
    for (auto& [t, w] : v) w = norm > 0 ? static_cast<float>(w / norm) : 0.0f;
  }

  // Every pair: scatter one document densely, dot the others against it.
  constexpr size_t kT = std::size(kThresholds);
  std::vector<UnionFind> uf(kT, UnionFind(n));
  std::vector<float> dense(vocab.size(), 0.0f);
  for (size_t i = 0; i < n; ++i) {
    for (const auto& [t, w] : docs[i]) dense[t] = w;
    for (size_t j = i + 1; j < n; ++j) {
      float dot = 0;
      for (const auto& [t, w] : docs[j]) dot += w * dense[t];
      for (size_t k = 0; k < kT && dot >= kThresholds[k]; ++k)
        uf[k].Union(static_cast<uint32_t>(i), static_cast<uint32_t>(j));
    }
    for (const auto& [t, w] : docs[i]) dense[t] = 0;
  }
  r.seconds = Since(t0);

  std::vector<eval::Item> items(n);
  for (size_t d = 0; d < n; ++d) {
    items[d].gold_cluster = corpus[d].story;
    items[d].gold_lang = corpus[d].lang;
  }
  double best_f1 = -1;
  for (size_t k = 0; k < kT; ++k) {
    for (size_t d = 0; d < n; ++d)
      items[d].pred_cluster = std::to_string(uf[k].Find(static_cast<uint32_t>(d)));
    eval::Scores s = eval::Score(items);
    if (s.bcubed.f1 > best_f1) {
      best_f1 = s.bcubed.f1;
      r.best = s;
      r.best_threshold = kThresholds[k];
    }
    if (kThresholds[k] == kDefaultThreshold) r.at_default = s;
  }
  return r;
}

// --- Reporting ---------------------------------------------------------------

json StagesJson(const RunResult& r) {
  const StageTimes& s = r.stages;
  double known = s.read + s.clean + s.langid + s.signals + s.enrich + s.dedup + s.cluster +
                 s.store + s.summary;
  return {
      {"clean", s.clean},     {"langid", s.langid},   {"signals", s.signals},
      {"enrich", s.enrich},   {"summary", s.summary}, {"dedup", s.dedup},
      {"cluster", s.cluster}, {"store", s.store},     {"other", std::max(0.0, r.seconds - known)}};
}

json ScoresJson(const eval::Scores& s, bool with_langid = true) {
  json j = {{"bcubed_f1", s.bcubed.f1},
            {"bcubed_precision", s.bcubed.precision},
            {"bcubed_recall", s.bcubed.recall},
            {"pairwise_f1", s.pairwise.f1},
            {"crosslingual_pairwise_f1", s.crosslingual_pairwise.f1}};
  if (with_langid) j["langid_accuracy"] = s.langid_accuracy;
  return j;
}

json RunJson(const RunResult& r, bool in_memory) {
  double n = std::max<double>(1, static_cast<double>(r.articles));
  json j = {{"articles", r.articles},
            {"store", in_memory ? "memory" : "file"},
            {"seconds", r.seconds},
            {"articles_per_s", r.per_s()},
            {"us_per_article", r.seconds / n * 1e6},
            {"cpu_seconds", r.cpu_seconds},
            {"articles_per_cpu_s", r.per_cpu_s()},
            {"chunk_us_per_article", r.chunk_us},
            {"generate_seconds", r.generate_seconds},
            {"stages", StagesJson(r)},
            {"stored", r.stored},
            {"duplicates", r.duplicates},
            {"summaries", r.summaries},
            {"summaries_deferred", r.summaries_deferred},
            {"stories", r.stories},
            {"peak_rss_bytes", r.peak_rss},
            {"text_bytes_per_article", r.text_bytes / n},
            {"clusterer",
             {{"memory_bytes", r.clusterer_bytes},
              {"active_stories", r.active_stories},
              {"active_articles", r.active_articles},
              {"bytes_per_active_article", r.bytes_per_active()},
              {"peak_memory_bytes", r.peak_clusterer_bytes},
              {"full_window_articles", r.full_window_articles},
              {"full_window_bytes_per_active_article", r.full_window_bytes_per_active}}},
            {"dup_index", {{"documents", r.dup_documents}, {"postings", r.dup_postings}}}};
  j["bytes_per_article"] = in_memory ? json(nullptr) : json(static_cast<double>(r.db_bytes) / n);
  j["db_bytes"] = in_memory ? json(nullptr) : json(r.db_bytes);
  j["max_wal_bytes"] = in_memory ? json(nullptr) : json(r.max_wal_bytes);
  if (r.scored) {
    j["quality"] = ScoresJson(r.scores);
    json by_lang = json::object();
    for (const auto& [lang, s] : r.by_lang)
      by_lang[lang] = {{"articles", s.articles},
                       {"bcubed_f1", s.bcubed.f1},
                       {"bcubed_precision", s.bcubed.precision},
                       {"bcubed_recall", s.bcubed.recall},
                       {"langid_accuracy", s.langid_accuracy}};
    j["quality"]["by_lang"] = by_lang;
  }
  return j;
}

void PrintRun(const char* title, const RunResult& r, bool in_memory) {
  double n = std::max<double>(1, static_cast<double>(r.articles));
  std::printf("%s\n", title);
  std::printf(
      "  articles            %lld (%.0f bytes of text each; generated in %.1f s, not timed)\n",
      static_cast<long long>(r.articles), r.text_bytes / n, r.generate_seconds);
  std::printf("  store               %s\n", in_memory ? ":memory:" : "temporary file");
  std::printf(
      "  ingest              %.2f s, %.0f articles/s, %.1f us/article (CPU %.2f s, %.0f "
      "articles/CPU-s)\n",
      r.seconds, r.per_s(), r.seconds / n * 1e6, r.cpu_seconds, r.per_cpu_s());
  const StageTimes& s = r.stages;
  double known = s.read + s.clean + s.langid + s.signals + s.enrich + s.dedup + s.cluster +
                 s.store + s.summary;
  // Clean, langid and signals run on the analysis threads: their times are
  // thread-seconds summed over threads, so the stages can add up to more than
  // the wall time ("other" is then 0).
  std::printf(
      "  stages (us/article) clean %.1f, langid %.1f, signals %.1f, enrich %.1f, dedup %.1f, "
      "cluster %.1f, store %.1f, summary %.1f, other %.1f (first four summed over analysis "
      "threads)\n",
      s.clean / n * 1e6, s.langid / n * 1e6, s.signals / n * 1e6, s.enrich / n * 1e6,
      s.dedup / n * 1e6, s.cluster / n * 1e6, s.store / n * 1e6, s.summary / n * 1e6,
      std::max(0.0, r.seconds - known) / n * 1e6);
  std::printf("  stored              %lld, duplicates %lld, stories %lld\n",
              static_cast<long long>(r.stored), static_cast<long long>(r.duplicates),
              static_cast<long long>(r.stories));
  std::printf("  peak RSS            %.1f MiB%s\n", static_cast<double>(r.peak_rss) / (1 << 20),
              r.peak_rss_reset ? "" : " (process peak)");
  if (!in_memory)
    std::printf("  database            %.1f MiB, %.0f bytes/article; largest WAL %.1f MiB\n",
                static_cast<double>(r.db_bytes) / (1 << 20), static_cast<double>(r.db_bytes) / n,
                static_cast<double>(r.max_wal_bytes) / (1 << 20));
  std::printf(
      "  clusterer memory    %.1f MiB, %zu active stories, %lld active articles, %.0f bytes/active "
      "article at the end; %.0f with the fullest window (%lld articles)\n",
      static_cast<double>(r.clusterer_bytes) / (1 << 20), r.active_stories,
      static_cast<long long>(r.active_articles), r.bytes_per_active(),
      r.full_window_bytes_per_active, static_cast<long long>(r.full_window_articles));
  std::printf("  dup index           %zu documents, %zu postings\n", r.dup_documents,
              r.dup_postings);
  if (r.scored)
    std::printf(
        "  quality             B-cubed F1 %.4f (P %.4f, R %.4f), pairwise F1 %.4f, langid accuracy "
        "%.4f\n",
        r.scores.bcubed.f1, r.scores.bcubed.precision, r.scores.bcubed.recall, r.scores.pairwise.f1,
        r.scores.langid_accuracy);
  if (r.scored && !r.by_lang.empty()) {
    std::printf("  by language         ");
    const char* sep = "";
    for (const auto& [lang, s] : r.by_lang) {
      std::printf("%s%s F1 %.3f (P %.3f)", sep, lang.c_str(), s.bcubed.f1, s.bcubed.precision);
      sep = ", ";
    }
    std::printf("\n");
  }
}

std::vector<int64_t> ScalingSizes() {
  std::vector<int64_t> sizes;
  if (const char* env = std::getenv("STORYLINE_BENCH_SCALING")) {
    std::string s = env;
    size_t start = 0;
    while (start < s.size()) {
      size_t end = s.find(',', start);
      if (end == std::string::npos) end = s.size();
      int64_t v = std::atoll(s.substr(start, end - start).c_str());
      if (v > 0) sizes.push_back(v);
      start = end + 1;
    }
  }
  if (sizes.empty()) sizes = {10000, 100000, 1000000};
  return sizes;
}

}  // namespace

int RunBench(const EngineOptions& options, const BenchArgs& args) {
  if (args.articles < 1) {
    spdlog::error("bench: --articles must be at least 1");
    return 2;
  }
  const double load_start = LoadAverage();
  synth::SynthOptions so;
  so.articles = args.articles;
  so.seed = args.seed;
  spdlog::info("bench: {} synthetic articles (seed {}), store {}, synchronous={}", args.articles,
               args.seed, args.in_memory ? ":memory:" : "temporary file",
               options.store.synchronous);

  auto main_run = RunPipeline(options, so, args.in_memory, /*score=*/true, "main");
  if (!main_run.ok()) {
    spdlog::error("bench: {}", main_run.status().ToString());
    return 1;
  }
  json out = RunJson(*main_run, args.in_memory);
  out["seed"] = args.seed;
  out["cpus"] = sysconf(_SC_NPROCESSORS_ONLN);
  out["cpus_allowed"] = CpusAllowed();
  // jemalloc when the binary was linked with it (src/CMakeLists.txt) or it
  // was preloaded: it exports mallctl, glibc does not.
  out["allocator"] = dlsym(RTLD_DEFAULT, "mallctl") ? "jemalloc" : "glibc";
  out["analysis_threads"] = options.analysis_threads;
  out["loadavg_start"] = load_start;
  out["synchronous"] = args.in_memory ? "n/a" : options.store.synchronous;
  out["batch_size"] = options.batch_size;
  out["chunk_articles"] = kChunk;
  if (!args.json) PrintRun("storyline bench", *main_run, args.in_memory);

  if (args.baseline) {
    synth::SynthOptions sub = so;
    sub.articles = std::min<int64_t>(args.articles, kBaselineMax);
    spdlog::info("bench: baseline on {} articles", sub.articles);
    auto corpus = synth::GenerateCorpus(sub);
    BaselineResult b = RunBaseline(corpus);
    corpus.clear();
    corpus.shrink_to_fit();
    auto ours = RunPipeline(options, sub, args.in_memory, /*score=*/true, "subset");
    if (!ours.ok()) {
      spdlog::error("bench: {}", ours.status().ToString());
      return 1;
    }
    double speedup = b.per_s() > 0 ? ours->per_s() / b.per_s() : 0;
    out["baseline"] = {
        {"articles", b.articles},
        {"method", "tf-idf of lowercase word tokens, all-pairs cosine, single link (union-find)"},
        {"seconds", b.seconds},
        {"articles_per_s", b.per_s()},
        {"bcubed_f1", b.best.bcubed.f1},
        {"threshold", b.best_threshold},
        {"threshold_tuned_on_truth", true},
        {"quality", ScoresJson(b.best, /*with_langid=*/false)},
        {"bcubed_f1_at_default_threshold", b.at_default.bcubed.f1},
        {"default_threshold", kDefaultThreshold},
        {"storyline",
         {{"seconds", ours->seconds},
          {"articles_per_s", ours->per_s()},
          {"bcubed_f1", ours->scores.bcubed.f1},
          {"quality", ScoresJson(ours->scores)}}},
        {"speedup", speedup},
        {"bcubed_f1_delta", ours->scores.bcubed.f1 - b.best.bcubed.f1}};
    if (!args.json) {
      std::printf("baseline (same %lld-article subset)\n", static_cast<long long>(b.articles));
      std::printf(
          "  all-pairs TF-IDF    %.2f s, %.0f articles/s, B-cubed F1 %.4f at threshold %.2f (best "
          "on truth; "
          "%.4f at %.2f)\n",
          b.seconds, b.per_s(), b.best.bcubed.f1, b.best_threshold, b.at_default.bcubed.f1,
          kDefaultThreshold);
      std::printf("  storyline           %.2f s, %.0f articles/s, B-cubed F1 %.4f\n", ours->seconds,
                  ours->per_s(), ours->scores.bcubed.f1);
      std::printf("  speedup             %.1fx, F1 delta %+.4f\n", speedup,
                  ours->scores.bcubed.f1 - b.best.bcubed.f1);
    }
  }

  if (args.scaling) {
    json runs = json::array();
    std::vector<RunResult> results;
    for (int64_t size : ScalingSizes()) {
      synth::SynthOptions s = so;
      s.articles = size;
      spdlog::info("bench: scaling run, {} articles", size);
      auto r = RunPipeline(options, s, args.in_memory, /*score=*/false, "scaling");
      if (!r.ok()) {
        spdlog::error("bench: {}", r.status().ToString());
        return 1;
      }
      runs.push_back(RunJson(*r, args.in_memory));
      results.push_back(*r);
      // Partial results as they come (a large run can take long).
      spdlog::info(
          "bench: scaling {} articles: {:.1f} us/article wall, {:.1f} us/article CPU, peak "
          "RSS {} MiB",
          r->articles, r->seconds / static_cast<double>(r->articles) * 1e6,
          r->cpu_seconds / static_cast<double>(r->articles) * 1e6, r->peak_rss >> 20);
    }
    auto cost = [](const RunResult& r) {
      return r.seconds / static_cast<double>(std::max<int64_t>(1, r.articles));
    };
    auto cpu_cost = [](const RunResult& r) {
      return r.cpu_seconds / static_cast<double>(std::max<int64_t>(1, r.articles));
    };
    const RunResult& first = results.front();
    const RunResult& last = results.back();
    double ratio = cost(first) > 0 ? cost(last) / cost(first) : 0;
    double cpu_ratio = cpu_cost(first) > 0 ? cpu_cost(last) / cpu_cost(first) : 0;
    out["scaling"] = {
        {"runs", runs},
        {"cost_ratio", ratio},
        {"cpu_cost_ratio", cpu_ratio},
        {"cost_ratio_of", std::to_string(last.articles) + "/" + std::to_string(first.articles)}};
    if (!args.json) {
      std::printf("scaling (fresh store each)\n");
      for (const auto& r : results)
        std::printf(
            "  %9lld articles   %.1f us/article (CPU %.1f), %.0f articles/s, peak RSS %.1f MiB, "
            "clusterer %.0f bytes/active article (%.0f with the fullest window)\n",
            static_cast<long long>(r.articles), cost(r) * 1e6, cpu_cost(r) * 1e6, r.per_s(),
            static_cast<double>(r.peak_rss) / (1 << 20), r.bytes_per_active(),
            r.full_window_bytes_per_active);
      std::printf("  cost ratio %lld/%lld: %.2f (CPU %.2f)\n",
                  static_cast<long long>(last.articles), static_cast<long long>(first.articles),
                  ratio, cpu_ratio);
    }
  }

  out["loadavg_end"] = LoadAverage();
  if (args.json)
    std::cout << out.dump(2) << "\n";
  else
    std::printf(
        "load average %.2f at start, %.2f at end; %ld CPUs, %d allowed; analysis_threads %d\n",
        load_start, LoadAverage(), sysconf(_SC_NPROCESSORS_ONLN), CpusAllowed(),
        options.analysis_threads);
  return 0;
}

}  // namespace storyline
