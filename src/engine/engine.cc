#include "engine/engine.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "common/paths.h"
#include "common/text.h"
#include "ingest/html.h"
#include "lexicon/lexicon.h"
#include "summary/summary.h"

namespace storyline {

namespace {

constexpr const char* kSchemaVersion = "1";
// How feature keys are made (stems, name keys, pivot concepts). Version 2:
// truncation stems for Slavic and Baltic languages, re-joined Han names,
// Arabic/Korean name affixes, pivot concepts. A store made with other keys
// would match nothing it restored.
constexpr const char* kSignalsVersion = "2";

using Steady = std::chrono::steady_clock;

double Since(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

// The clustering state as the store keeps it, and back.
StoryRecord ToRecord(const StoryState& s) {
  StoryRecord r;
  r.id = s.id;
  r.title = s.title;
  r.size = s.size;
  r.entries = s.entries;
  r.langs = s.langs;
  r.first_time = s.first_time;
  r.last_time = s.last_time;
  r.full_vector = EncodeVector(s.full);
  r.neutral_vector = EncodeVector(s.neutral);
  r.pivot_vector = EncodeVector(s.pivot);
  r.seq = s.seq;
  r.updated = s.last_seen;
  return r;
}

StoryState FromRecord(StoryRecord r) {
  StoryState s;
  s.id = std::move(r.id);
  s.title = std::move(r.title);
  s.size = r.size;
  s.entries = r.entries;
  s.langs = std::move(r.langs);
  s.first_time = r.first_time;
  s.last_time = r.last_time;
  s.full = DecodeVector(r.full_vector);
  s.neutral = DecodeVector(r.neutral_vector);
  s.pivot = DecodeVector(r.pivot_vector);
  s.seq = r.seq;
  s.last_seen = r.updated;
  return s;
}

}  // namespace

Status Validate(const EngineOptions& o) {
  auto range = [](const char* key, double v, double lo, double hi) -> Status {
    if (std::isfinite(v) && v >= lo && v <= hi) return Status::Ok();
    std::string value = std::isnan(v) ? "nan" : fmt::format("{}", v);
    return Status::InvalidArgument(
        fmt::format("{} = {} is out of range: it must be a number from "
                    "{} to {}",
                    key, value, lo, hi));
  };
  auto positive = [](const char* key, double v, double hi) -> Status {
    if (std::isfinite(v) && v > 0 && v <= hi) return Status::Ok();
    std::string value = std::isnan(v) ? "nan" : fmt::format("{}", v);
    return Status::InvalidArgument(fmt::format(
        "{} = {} is out of range: it must be a number above 0 and at most {}", key, value, hi));
  };
  const ClusterOptions& c = o.cluster;
  for (Status s : {
           range("threshold", c.threshold, 0, 10),
           range("cross_threshold", c.cross_threshold, 0, 10),
           range("link_threshold", c.link_threshold, 0, 10),
           range("merge_threshold", c.merge_threshold, 0, 10),
           positive("window_days", c.window_days, 3650),
           positive("time_sigma_days", c.time_sigma_days, 3650),
           range("time_floor", c.time_floor, 0, 1),
           range("neutral_weight", c.neutral_weight, 0, 100),
           range("pivot_weight", c.pivot_weight, 0, 100),
           range("name_boost", c.name_boost, 0, 100),
           range("min_shared_neutral", c.min_shared_neutral, 0, 1000),
           range("min_shared_pivot", c.min_shared_pivot, 0, 1000),
           range("link_extra_shared", c.link_extra_shared, 0, 1000),
           range("caseless_name_weight", o.signals.caseless_name_weight, 0, 100),
           range("cognate_weight", o.signals.cognate_weight, 0, 100),
           range("batch_size", static_cast<double>(o.batch_size), 1, 10'000'000),
           range("read_chunk", static_cast<double>(o.read_chunk), 1, 10'000'000),
           range("cache_mib", static_cast<double>(o.store.cache_mib), 1, 1'048'576),
           range("df_min_documents", static_cast<double>(c.df_min_documents), 0, 1e9),
           range("analysis_threads", o.analysis_threads, 1, 256),
           range("max_clock_skew_seconds", static_cast<double>(o.max_clock_skew_seconds), 0,
                 366.0 * 86400),
       })
    if (!s.ok()) return s;
  if (o.store.synchronous != "FULL" && o.store.synchronous != "NORMAL" &&
      o.store.synchronous != "OFF")
    return Status::InvalidArgument("synchronous = " + o.store.synchronous +
                                   " is not one of FULL, NORMAL, OFF");
  if (o.db_path.empty()) return Status::InvalidArgument("db: the database path is empty");
  return Status::Ok();
}

namespace {

Result<int64_t> ParseInt64(const std::string& what, const std::string& v) {
  int64_t out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || end != v.data() + v.size())
    return Status::Corruption(what + " is not a number: '" + v + "'");
  return out;
}

}  // namespace

const char* SignalsVersion() { return kSignalsVersion; }

std::vector<size_t> IngestOrder(const std::vector<Article>& articles) {
  std::vector<size_t> order(articles.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const auto& pa = articles[a].published;
    const auto& pb = articles[b].published;
    if (pa.has_value() != pb.has_value()) return pa.has_value();
    return pa.has_value() && *pa < *pb;
  });
  return order;
}

Engine::Engine(const EngineOptions& options)
    : options_(options),
      clock_(options.clock ? options.clock : DefaultClock()),
      boilerplate_(options.boilerplate),
      dup_index_(options.dedup),
      clusterer_(options.cluster) {}

Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::OpenReader(const EngineOptions& options) {
  Status v = Validate(options);
  if (!v.ok()) return v;
  // A reader never creates a database (a mistyped --db is "not found").
  std::error_code ec;
  if (options.db_path != ":memory:" && !IsPostgresStore(options.db_path) &&
      !std::filesystem::exists(options.db_path, ec))
    return Status::NotFound("no database at '" + options.db_path +
                            "' (nothing has been ingested there)");
  std::unique_ptr<Engine> e(new Engine(options));
  e->reader_ = true;
  auto store = OpenStore(options.db_path, options.store);
  if (!store.ok()) return store.status();
  e->store_ = std::move(store).value();
  return e;
}

Result<std::unique_ptr<Engine>> Engine::Open(const EngineOptions& options) {
  Status v = Validate(options);
  if (!v.ok()) return v;
  std::unique_ptr<Engine> e(new Engine(options));
  auto lock =
      WriterLock::Acquire(options.db_path, options.wait_for_writer, [&](const std::string& holder) {
        spdlog::info("database '{}' is being written by {}: waiting",
                     RedactedStore(options.db_path), holder);
      });
  if (!lock.ok()) return lock.status();
  e->lock_ = std::move(lock).value();
  auto store = OpenStore(options.db_path, options.store);
  if (!store.ok()) return store.status();
  e->store_ = std::move(store).value();
  auto lid = LanguageIdentifier::Open(options.langid);
  if (!lid.ok()) return lid.status();
  e->langid_ = std::move(lid).value();
  e->analyzer_ = std::make_unique<Analyzer>(options.signals);
  e->fingerprint_ = AnalysisFingerprint(options, *e->analyzer_);
  if (!e->analyzer_->lexicon() && options.signals.lexicon_path != "none")
    spdlog::warn(
        "no pivot lexicon at {}: stories link across languages on names and numbers only (build "
        "it with `storyline lexicon build`, which `make build` runs)",
        options.signals.lexicon_path.empty() ? DefaultLexiconPath() : options.signals.lexicon_path);
  std::string rules = options.boilerplate.rules_path;
  if (rules.empty()) rules = DataDirectory(options.signals.data_dir) + "/boilerplate/rules.txt";
  spdlog::debug("data: {}; models: {}; boilerplate rules: {}",
                DataDirectory(options.signals.data_dir), ModelDirectory(), rules);
  Status rs = e->boilerplate_.LoadRules(rules);
  if (!rs.ok()) return rs;
  Status s = e->CheckParameters();
  if (!s.ok()) return s;
  s = e->Restore();
  if (!s.ok()) return s;
  e->SummarizePending();
  return e;
}

// Summaries a commit put off (Flush, `summaries_pending`) that no finished
// call wrote (a failed batch, a crash): written now, in a commit of their
// own, so a reopened or rolled-back store serves exact summaries. Best
// effort: on failure they stay pending for the next commit.
void Engine::SummarizePending() {
  if (intel_dirty_.empty()) return;
  Status s = store_->Begin();
  if (s.ok()) s = Flush(clock_->Now(), /*last=*/true);
  if (!s.ok()) {
    (void)store_->Rollback();  // the error to report is s
    spdlog::warn("{} story summaries left for the next commit: {}", intel_dirty_.size(),
                 s.message());
  }
}

// Parameters that shape stored data must match the ones the database was made with.
Status Engine::CheckParameters() {
  const std::pair<std::string, std::string> params[] = {
      {"schema_version", kSchemaVersion},
      {"shingle_words", std::to_string(options_.signals.shingle_words)},
      {"sketch_modulus", std::to_string(options_.signals.sketch_modulus)},
      {"name_key_chars", std::to_string(options_.signals.name_key_chars)},
      {"signals_version", kSignalsVersion},
  };
  auto articles = store_->CountArticles();
  if (!articles.ok()) return articles.status();
  const bool has_data = *articles > 0;
  for (const auto& [key, want] : params) {
    auto have = store_->GetMeta(key);
    if (!have.ok()) return have.status();
    // A store with data but no signals_version predates it: version 1.
    if (!have->has_value() && key == "signals_version" && has_data) *have = std::string("1");
    if (!have->has_value()) {
      Status s = store_->PutMeta(key, want);
      if (!s.ok()) return s;
    } else if (**have != want) {
      return Status::InvalidArgument(
          "database '" + RedactedStore(options_.db_path) + "' was made with " + key + "=" + **have +
          ", this build uses " + want + " (use a new database or re-ingest)");
    }
  }
  return Status::Ok();
}

Status Engine::Restore() {
  clusterer_.set_now(clock_->Now());
  auto stones = store_->CountTombstones();
  if (!stones.ok()) return stones.status();
  has_tombstones_ = *stones > 0;
  DocumentFrequencies& df = clusterer_.df();
  Status s = store_->LoadDf(
      [&](const DfCount& c) {
        df.Set({c.bucket.day, c.bucket.undated}, c.feature, c.n);
      },
      [&](const DfDocuments& d) {
        df.SetDocuments({d.bucket.day, d.bucket.undated}, d.documents);
      });
  if (!s.ok()) return s;
  df.ClearDirty();
  s = store_->LoadBoilerplate([&](const std::string& source, uint64_t h, uint32_t n) {
    boilerplate_.SetCount(source, h, n);
  });
  if (!s.ok()) return s;
  std::optional<int64_t> since;
  auto wm = store_->GetMeta("watermark");
  if (!wm.ok()) return wm.status();
  if (wm->has_value()) {
    auto w = ParseInt64("meta watermark", **wm);
    if (!w.ok()) return w.status();
    since = WindowStart(*w, options_.cluster);
  }
  // Stories keep their creation order (seq); a store made before it was kept
  // numbers its stories in the order they were stored, after every known seq.
  auto next_seq = store_->GetMeta("story_seq");
  if (!next_seq.ok()) return next_seq.status();
  if (next_seq->has_value()) {
    auto n = ParseInt64("meta story_seq", **next_seq);
    if (!n.ok()) return n.status();
    clusterer_.set_next_seq(static_cast<uint64_t>(std::max<int64_t>(1, *n)));
  }
  // Stories whose summaries a commit put off (Flush): summarised with the
  // next one, as if their articles had just changed.
  auto pending = store_->GetMeta("summaries_pending");
  if (!pending.ok()) return pending.status();
  if (pending->has_value())
    for (size_t at = 0, nl; (nl = (*pending)->find('\n', at)) != std::string::npos; at = nl + 1)
      if (nl > at) intel_dirty_.insert((*pending)->substr(at, nl - at));
  const int64_t undated_since = clusterer_.UndatedWindowStart();
  s = store_->LoadStories(since, undated_since,
                          [&](StoryRecord st) { clusterer_.Restore(FromRecord(std::move(st))); });
  if (!s.ok()) return s;
  clusterer_.Canonicalize();
  sketch_time_.clear();
  return store_->LoadSketches(
      since, undated_since,
      [&](int64_t handle, std::optional<int64_t> published, int64_t ingested,
          std::vector<uint64_t> sketch) {
        dup_index_.Add(static_cast<uint32_t>(handle), sketch);
        sketch_time_.emplace(static_cast<uint32_t>(handle), SketchTime{published, ingested});
      });
}

// What a story's summary reads, from the store (PrepareSummary), and what
// it becomes (Summarize, on any thread: it touches nothing shared).
struct Engine::SummaryJob {
  std::string story;  // as stored (resolved)
  std::vector<SummaryArticle> articles;
  std::vector<SummaryLink> links;
  StoryIntel intel;
};

Status Engine::PrepareSummary(const std::string& story, SummaryJob* job) {
  auto id = store_->ResolveStory(story);
  if (!id.ok()) return id.status();
  job->story = *id;
  auto stored = store_->StoryArticles(*id);
  if (!stored.ok()) return stored.status();
  if (stored->empty()) return Status::Ok();
  // The story's enrichments and copy links in one query each (not one per
  // article: on a networked store that is a round trip each).
  auto intels = store_->StoryArticleIntel(*id);
  if (!intels.ok()) return intels.status();
  auto story_links = store_->StoryDuplicates(*id);
  if (!story_links.ok()) return story_links.status();
  std::map<std::string, std::vector<const DuplicateLink*>> links_of;  // by copy, by original
  for (const auto& d : *story_links) links_of[d.article].push_back(&d);
  std::vector<SummaryArticle>& articles = job->articles;
  std::set<std::string> ids;
  for (auto& a : *stored) {
    SummaryArticle s;
    s.id = a.article.id;
    s.title = std::move(a.article.title);
    s.text = std::move(a.article.text);
    s.lang = a.lang;
    s.source = a.article.source;
    s.published = a.article.published;
    s.entry = s.id.find('#') != std::string::npos;
    // What the summary reads of the article, for the memo (the stored content
    // hash stands for the title and text).
    std::string digest = std::to_string(a.content_hash);
    digest.push_back('\x1f');
    digest.append(s.id).push_back('\x1f');
    digest.append(s.lang).push_back('\x1f');
    digest.append(s.source).push_back('\x1f');
    digest.append(s.published ? std::to_string(*s.published) : "-").push_back(s.entry ? 'e' : 'a');
    if (auto it = intels->find(s.id); it != intels->end()) {
      digest.append(it->second);
      s.intel_json = std::move(it->second);  // decoded by Summarize where read
    }
    s.digest = Hash64(digest, 0x61727469u) | 1;  // never 0 ("unknown")
    ids.insert(s.id);
    articles.push_back(std::move(s));
  }
  for (const auto& a : articles)
    if (auto it = links_of.find(a.id); it != links_of.end())
      for (const DuplicateLink* d : it->second)
        if (ids.count(d->of)) job->links.push_back({d->article, d->of, d->kind});
  return Status::Ok();
}

void Engine::EnsureWorkers() {
  const size_t threads = static_cast<size_t>(std::max(1, options_.analysis_threads));
  while (worker_analyzers_.size() + 1 < threads)
    worker_analyzers_.push_back(std::make_unique<Analyzer>(options_.signals));
  // The memo is split by story (each story always goes to the same thread):
  // together they hold what one would.
  if (summary_memos_.size() != threads) {
    summary_memos_.clear();
    for (size_t w = 0; w < threads; ++w)
      summary_memos_.push_back(std::make_unique<SummaryMemo>(
          SummaryMemo::kMaxEntries / threads, SummaryMemo::kMaxVectors / threads,
          SummaryMemo::kMaxDecoded / threads, SummaryMemo::kMaxReported / threads));
  }
}

// Recomputes the stories' intelligence from their stored articles and
// stores it, in the given order. The store is read and written on this
// thread; the summaries themselves are computed on the analysis threads, a
// group of stories at a time (bounded memory), each story on the thread its
// id hashes to. Same stories, same summaries, whatever the number of threads.
Status Engine::SummarizeStories(const std::vector<std::string>& stories, int64_t now,
                                double* seconds) {
  if (stories.empty()) return Status::Ok();
  auto t0 = Steady::now();
  EnsureWorkers();
  const size_t threads = summary_memos_.size();
  const size_t kGroup = 32;
  Status s;
  for (size_t from = 0; from < stories.size() && s.ok(); from += kGroup) {
    const size_t n = std::min(kGroup, stories.size() - from);
    std::vector<SummaryJob> jobs(n);
    for (size_t i = 0; i < n && s.ok(); ++i) s = PrepareSummary(stories[from + i], &jobs[i]);
    if (!s.ok()) break;
    auto run = [&](size_t w) {
      Analyzer& an = w == 0 ? *analyzer_ : *worker_analyzers_[w - 1];
      for (auto& job : jobs)
        if (!job.articles.empty() && Hash64(job.story, 0x73686172u) % threads == w)
          job.intel =
              Summarize(job.articles, job.links, an, SummaryOptions{}, summary_memos_[w].get());
    };
    std::vector<std::thread> pool;
    for (size_t w = 1; w < threads && n > 1; ++w) pool.emplace_back(run, w);
    if (pool.empty())
      for (size_t w = 0; w < threads; ++w) run(w);
    else
      run(0);
    for (auto& th : pool) th.join();
    for (auto& job : jobs) {
      if (job.articles.empty() || !s.ok()) continue;
      std::vector<EntityRow> entities;
      for (const auto& e : job.intel.entities)
        entities.push_back({e.key, e.name, EntityTypeName(e.type), e.count, 1});
      s = store_->PutStoryIntel(job.story, EncodeStoryIntel(job.intel), entities, now);
    }
  }
  *seconds += Since(t0);
  return s;
}

void Engine::ExpireSketches() {
  std::optional<int64_t> since = WindowStart(clusterer_.watermark(), options_.cluster);
  const int64_t undated_since = clusterer_.UndatedWindowStart();
  auto old = [&](const SketchTime& t) {
    return t.published ? since && *t.published < *since : t.ingested < undated_since;
  };
  bool any = false;
  for (const auto& [doc, t] : sketch_time_) any |= old(t);
  if (!any) return;
  dup_index_.RemoveIf([&](uint32_t doc) {
    auto it = sketch_time_.find(doc);
    return it != sketch_time_.end() && old(it->second);
  });
  std::erase_if(sketch_time_, [&](const auto& kv) { return old(kv.second); });
}

Result<TakedownRecord> Engine::Takedown(const TakedownRequest& request,
                                        std::vector<std::string>* stories_out) {
  if (reader_) return Status::InvalidArgument("a reader cannot take articles down");
  if (!broken_.ok()) return broken_;
  if (request.kind != "article" && request.kind != "url" && request.kind != "source")
    return Status::InvalidArgument("a takedown names an article, a url or a source, not '" +
                                   request.kind + "'");
  if (request.value.empty()) return Status::InvalidArgument("a takedown needs a value");
  const int64_t now = clock_->Now();
  TakedownRecord rec;
  rec.kind = request.kind;
  rec.value = request.kind == "url" ? StripTrackingParameters(request.value) : request.value;
  rec.reason = request.reason;
  rec.at = now;
  std::set<std::string> stories;
  auto run = [&]() -> Status {
    Status s = store_->Begin();
    if (!s.ok()) return s;
    auto targets = store_->TakedownTargets(rec.kind, rec.value);
    if (!targets.ok()) return targets.status();
    std::vector<uint64_t> hashes;
    std::vector<std::string> aliases;
    for (const auto& id : *targets) {
      auto erased = store_->EraseArticle(id);
      if (!erased.ok()) return erased.status();
      stories.insert(erased->stories.begin(), erased->stories.end());
      hashes.insert(hashes.end(), erased->hashes.begin(), erased->hashes.end());
      aliases.insert(aliases.end(), erased->aliases.begin(), erased->aliases.end());
      rec.articles.push_back(id);
    }
    // Copies stored as aliases were removed with their article: their ids
    // are refused from now on too.
    rec.articles.insert(rec.articles.end(), aliases.begin(), aliases.end());
    s = store_->PutTakedown(&rec, hashes);
    if (!s.ok()) return s;
    std::vector<std::string> kept_stories;
    for (const auto& st : stories) {
      auto kept = store_->RecountStory(st, now);
      if (!kept.ok()) return kept.status();
      if (*kept) kept_stories.push_back(st);
    }
    double seconds = 0;
    s = SummarizeStories(kept_stories, now, &seconds);
    if (!s.ok()) return s;
    return store_->Commit();
  };
  Status s = run();
  if (!s.ok()) {
    (void)store_->Rollback();  // the error to report is s
    return s;
  }
  // The clusterer's stories and the duplicate index still hold what was
  // removed: reload them from the store.
  s = ResetState();
  if (!s.ok()) {
    broken_ = s;
    return s;
  }
  s = store_->Scrub();
  if (!s.ok()) spdlog::warn("takedown {}: {}", rec.seq, s.message());
  if (stories_out) stories_out->assign(stories.begin(), stories.end());
  return rec;
}

Status Engine::ResetState() {
  clusterer_ = Clusterer(options_.cluster);
  dup_index_ = DupIndex(options_.dedup);
  sketch_time_.clear();
  expired_df_.clear();
  intel_dirty_.clear();
  summarized_at_.clear();
  boilerplate_.ForgetLearned();
  return Restore();
}

Fetcher& Engine::fetcher() {
  if (!fetcher_) fetcher_ = MakeCurlFetcher(options_.fetch);
  return *fetcher_;
}

// Writes what changed in memory and commits. Dirty marks are cleared only
// once the commit succeeded (after a failure the state is reloaded anyway).
Status Engine::Flush(int64_t now, bool last) {
  for (const StoryState* st : clusterer_.TakeDirty()) {
    Status s = store_->PutStory(ToRecord(*st), now);
    if (!s.ok()) return s;
  }
  DocumentFrequencies& df = clusterer_.df();
  std::vector<DfCount> counts;
  for (const auto& c : df.DirtyCounts())
    counts.push_back({{c.bucket.day, c.bucket.undated}, c.key, c.n});
  std::vector<DfDocuments> documents;
  for (const auto& [b, n] : df.DirtyDocuments()) documents.push_back({{b.day, b.undated}, n});
  // Summaries. Before the call's last commit, a story summarised earlier in
  // this call is summarised again only once it has grown by a quarter (at
  // least one article): a story of n articles that gains a few at every
  // commit then costs about 5n over the call instead of n per commit. The
  // ones put off are kept in `summaries_pending` with the commit, so a
  // restart after a crash summarises them (Restore); the last commit of the
  // call summarises every one, so a finished call leaves every summary exact.
  std::set<std::string> deferred;
  std::vector<std::pair<std::string, uint32_t>> summarized;
  {
    std::vector<std::string> now_due;
    for (const auto& story : intel_dirty_) {
      const StoryState* st = last ? nullptr : clusterer_.Find(story);
      const uint32_t n = st ? st->size + st->entries : 0;
      if (st) {
        auto at = summarized_at_.find(story);
        if (at != summarized_at_.end() && n < at->second + std::max<uint32_t>(1, at->second / 4)) {
          deferred.insert(story);
          continue;
        }
      }
      now_due.push_back(story);
      if (st) summarized.emplace_back(story, n);
    }
    double seconds = 0;
    Status is = SummarizeStories(now_due, now, &seconds);
    summary_seconds_ += seconds;
    if (!is.ok()) return is;
  }
  {
    std::string pending;
    for (const auto& story : deferred) pending.append(story).push_back('\n');
    Status ps = store_->PutMeta("summaries_pending", pending);
    if (!ps.ok()) return ps;
  }
  for (const auto& b : clusterer_.TakeExpiredDf()) expired_df_.push_back(b);
  std::vector<DfDay> removed;
  for (const auto& b : expired_df_) removed.push_back({b.day, b.undated});
  Status s = store_->PutDf(counts, documents, removed);
  if (!s.ok()) return s;
  for (const auto& k : boilerplate_.removed()) {
    if (boilerplate_.Count(k.source, k.hash)) continue;  // counted again since
    s = store_->PutBoilerplate(k.source, k.hash, 0);
    if (!s.ok()) return s;
  }
  std::unordered_set<std::string> written;  // a key counted twice is written once
  for (const auto& k : boilerplate_.dirty()) {
    auto n = boilerplate_.Count(k.source, k.hash);
    if (!n) continue;  // forgotten since
    if (!written.insert(k.source + '\x1f' + std::to_string(k.hash)).second) continue;
    s = store_->PutBoilerplate(k.source, k.hash, *n);
    if (!s.ok()) return s;
  }
  if (auto wm = clusterer_.watermark()) {
    s = store_->PutMeta("watermark", std::to_string(*wm));
    if (!s.ok()) return s;
  }
  s = store_->PutMeta("story_seq", std::to_string(clusterer_.next_seq()));
  if (!s.ok()) return s;
  s = store_->Commit();
  if (!s.ok()) return s;
  df.ClearDirty();
  boilerplate_.ClearDirty();
  expired_df_.clear();
  summaries_ += static_cast<int64_t>(intel_dirty_.size() - deferred.size());
  summaries_deferred_ += static_cast<int64_t>(deferred.size());
  intel_dirty_ = std::move(deferred);
  for (auto& [story, n] : summarized) summarized_at_[story] = n;
  if (last) summarized_at_.clear();
  // The state a restart would restore from what was just committed: the
  // same from here on, restarted or not. Days of document frequencies that
  // leave now are deleted from the store with the next commit (a restart in
  // between drops them the same way).
  clusterer_.Canonicalize();
  expired_df_ = clusterer_.TakeExpiredDf();
  ExpireSketches();
  return Status::Ok();
}

namespace {

void AddSummary(IngestSummary* into, IngestSummary from) {
  into->read += from.read;
  into->stored += from.stored;
  into->repaired += from.repaired;
  into->rejected += from.rejected;
  into->unchanged += from.unchanged;
  into->updated += from.updated;
  into->duplicates += from.duplicates;
  into->new_stories += from.new_stories;
  into->merged_stories += from.merged_stories;
  into->live_blogs += from.live_blogs;
  into->stories_total = from.stories_total;
  into->summaries += from.summaries;
  into->summaries_deferred += from.summaries_deferred;
  into->seconds += from.seconds;
  StageTimes& a = into->stages;
  const StageTimes& b = from.stages;
  a.read += b.read, a.clean += b.clean, a.langid += b.langid, a.signals += b.signals;
  a.dedup += b.dedup, a.cluster += b.cluster, a.store += b.store;
  a.enrich += b.enrich, a.summary += b.summary;
  for (auto& r : from.rejects) into->rejects.push_back(std::move(r));
}

}  // namespace

// Reads and ingests in chunks of `read_chunk` articles (each chunk is one
// Ingest: committed on its own, in publication order within it), so that
// memory does not grow with the input. The first chunk that fails stops the
// run; the chunks before it stay committed.
Result<IngestSummary> Engine::IngestPaths(const std::vector<std::string>& paths,
                                          const ProgressFn& progress) {
  IngestSummary total;
  Status failed;
  int64_t done_before = 0;
  auto t0 = Steady::now();
  auto run = [&](IngestBatch* b) {
    std::vector<Article> articles = std::move(b->articles);
    std::vector<Reject> rejects = std::move(b->rejects);
    b->articles.clear();
    b->rejects.clear();
    if (!failed.ok()) return;
    double read = Since(t0);
    ProgressFn chunk_progress;
    if (progress)
      chunk_progress = [&](int64_t done, int64_t n) {
        progress(done_before + done, done_before + n);
      };
    auto r = Ingest(std::move(articles), std::move(rejects), chunk_progress);
    if (!r.ok()) {
      failed = r.status();
      return;
    }
    done_before += r->read;
    r->stages.read += read;
    r->seconds += read;
    AddSummary(&total, std::move(r).value());
    t0 = Steady::now();
  };
  IngestBatch batch;
  batch.flush = run;
  batch.flush_at = options_.read_chunk;
  for (const auto& p : paths) {
    Status s = ReadPath(p, options_.ingest, &batch, &fetcher());
    if (!s.ok())
      batch.rejects.push_back({Utf8Name(p),
                               s.code() == Status::Code::kNotFound ? "not_found" : "unreadable",
                               s.message()});
    if (!failed.ok()) return failed;
  }
  run(&batch);  // the rest (also when nothing was read: rejects, the summary)
  if (!failed.ok()) return failed;
  return total;
}

Result<IngestSummary> Engine::Ingest(std::vector<Article> articles, std::vector<Reject> rejects,
                                     const ProgressFn& progress,
                                     const std::vector<FeedState>& feeds) {
  if (reader_) return Status::InvalidArgument("this engine was opened for reading only");
  if (!broken_.ok()) return broken_;
  return Undo(IngestLocked(std::move(articles), std::move(rejects), progress, feeds));
}

Result<IngestSummary> Engine::IngestAnalysed(
    std::vector<AnalysedArticle> articles, std::vector<Reject> rejects,
    const std::vector<std::pair<std::string, std::string>>& meta,
    const std::optional<std::pair<std::string, std::string>>& expect) {
  if (reader_) return Status::InvalidArgument("this engine was opened for reading only");
  if (!broken_.ok()) return broken_;
  return Undo(
      IngestLocked({}, std::move(rejects), {}, {}, &articles, &meta, expect ? &*expect : nullptr));
}

Result<IngestSummary> Engine::Undo(Result<IngestSummary> r) {
  if (r.ok()) return r;
  // All or nothing: undo the open batch and go on from what is stored.
  Status rb = store_->Rollback();
  Status rs = rb.ok() ? ResetState() : Status::Ok();
  if (rb.ok() && rs.ok()) SummarizePending();
  if (!rb.ok() || !rs.ok()) {
    // The memory no longer matches the store: refuse to go on (reopen the engine).
    broken_ = Status::IOError("after a failed batch (" + r.status().message() +
                              ") the engine could not go back to the stored state: " +
                              (rb.ok() ? rs : rb).message() + "; reopen the database");
    spdlog::error("{}", broken_.message());
  }
  return r;
}

Result<IngestSummary> Engine::IngestLocked(
    std::vector<Article> articles, std::vector<Reject> rejects, const ProgressFn& progress,
    const std::vector<FeedState>& feeds, std::vector<AnalysedArticle>* analysed,
    const std::vector<std::pair<std::string, std::string>>* meta,
    const std::pair<std::string, std::string>* expect) {
  auto t0 = Steady::now();
  IngestSummary sum;
  const int64_t now = clock_->Now();
  clusterer_.set_now(now);
  summary_seconds_ = 0;
  summaries_ = summaries_deferred_ = 0;
  summarized_at_.clear();
  const size_t count = analysed ? analysed->size() : articles.size();
  sum.read = static_cast<int64_t>(count + rejects.size());

  // Publication order; undated articles after the dated ones, in input order.
  // Analysed articles come ordered by their publisher.
  std::vector<size_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  if (!analysed) order = IngestOrder(articles);

  Status s = store_->Begin();
  if (!s.ok()) return s;
  if (expect) {
    auto stored = store_->GetMetaForUpdate(expect->first);
    if (!stored.ok()) return stored.status();
    if (stored->value_or("") != expect->second)
      return Status::IOError("meta " + expect->first + " is '" + stored->value_or("") + "', not '" +
                             expect->second +
                             "' as expected: another writer applied it (nothing was applied)");
  }
  for (auto& r : rejects) {
    s = store_->PutReject(r, now);
    if (!s.ok()) return s;
    sum.rejects.push_back(r);
  }
  // Per chunk: clean in parallel; boilerplate in order (it learns); language
  // ID and signals in parallel; then everything that touches shared state
  // (copies, stories, store) in order. Same input, same result, whatever the
  // number of threads.
  const size_t threads = static_cast<size_t>(std::max(1, options_.analysis_threads));
  EnsureWorkers();
  while (enrichers_.size() < threads) {
    EnrichOptions eo;
    eo.data_dir = options_.signals.data_dir;
    enrichers_.push_back(std::make_unique<Enricher>(eo));
  }
  auto parallel = [&](size_t n, const std::function<void(size_t, size_t)>& fn) {
    std::vector<std::thread> pool;
    for (size_t w = 1; w < threads && n > 8; ++w)
      pool.emplace_back([&, w] {
        for (size_t i = w; i < n; i += threads) fn(i, w);
      });
    size_t step = pool.empty() ? 1 : threads;
    for (size_t i = 0; i < n; i += step) fn(i, 0);
    for (auto& th : pool) th.join();
  };
  std::vector<double> t_clean(threads), t_langid(threads), t_signals(threads), t_enrich(threads);
  int64_t done = 0, committed = 0;
  const size_t kChunk = 256;
  Seen seen;
  // Analysed articles bring their chunks' ends (the publisher cut them as
  // this loop cuts its input), so that each chunk is the embedded mode's.
  auto chunk = [&](size_t from) {
    if (!analysed) return std::min(kChunk, order.size() - from);
    size_t i = from;
    while (i + 1 < order.size() && i + 1 - from < kChunk && !(*analysed)[order[i]].chunk_end) ++i;
    return i + 1 - from;
  };
  for (size_t from = 0, n = 0; from < order.size(); from += n) {
    n = chunk(from);
    std::vector<Prepared> prep(n);
    if (analysed) {
      for (size_t i = 0; i < n; ++i) {
        AnalysedArticle& a = (*analysed)[order[from + i]];
        Prepared& p = prep[i];
        p.c = std::move(a.c);
        p.lang = std::move(a.lang);
        p.sig = std::move(a.sig);
        p.intel = std::move(a.intel);
        p.pre_analysed = a.analysed;
        if (p.pre_analysed && a.fingerprint != fingerprint_) {
          p.pre_analysed = false;  // analysed again below, with this engine's settings
          if (!warned_fingerprint_)
            spdlog::warn(
                "articles analysed by a worker with other settings (worker: {}; here: {}): "
                "analysed again here (check the workers' config and lexicon)",
                a.fingerprint, fingerprint_);
          warned_fingerprint_ = true;
        }
        if (p.pre_analysed) {
          p.analysed_title = p.c.article.title;
          p.analysed_text = p.c.article.text;
        }
      }
    } else {
      parallel(n, [&](size_t i, size_t w) {
        auto t0 = Steady::now();
        prep[i].c = Clean(std::move(articles[order[from + i]]), options_.clean);
        t_clean[w] += Since(t0);
      });
    }
    auto tb = Steady::now();
    for (auto& p : prep) {
      s = Polish(&p, now, &seen);
      if (!s.ok()) return s;
    }
    sum.stages.clean += Since(tb);
    parallel(n, [&](size_t i, size_t w) {
      Article& ar = prep[i].c.article;
      if (ar.title.empty() && ar.text.empty()) return;
      if (prep[i].unchanged || !prep[i].alias_of.empty()) return;  // nothing to analyse
      if (prep[i].pre_analysed && ar.title == prep[i].analysed_title &&
          ar.text == prep[i].analysed_text) {
        prep[i].analysed = true;  // a worker's analysis of this very text
        return;
      }
      auto t0 = Steady::now();
      prep[i].lang =
          langid_->Identify(ar.title, ar.text, options_.ignore_lang_hints ? "" : ar.lang_hint);
      auto t1 = Steady::now();
      Analyzer& an = w == 0 ? *analyzer_ : *worker_analyzers_[w - 1];
      prep[i].sig = an.Analyze(ar.title, ar.text, prep[i].lang.lang);
      auto t2 = Steady::now();
      prep[i].intel = enrichers_[w]->Enrich(ar.title, ar.text, prep[i].lang.lang);
      prep[i].analysed = true;
      t_langid[w] += std::chrono::duration<double>(t1 - t0).count();
      t_signals[w] += std::chrono::duration<double>(t2 - t1).count();
      t_enrich[w] += Since(t2);
    });
    for (size_t i = 0; i < n; ++i) {
      s = ProcessOne(std::move(prep[i]), now, &sum);
      if (!s.ok()) return s;
      ++done;
      if (progress && (done % 64 == 0 || done == static_cast<int64_t>(order.size())))
        progress(done, static_cast<int64_t>(order.size()));
    }
    // Commits fall between chunks: what a chunk learned (boilerplate, in
    // Polish, ahead of storing) is committed with the chunk's articles, and a
    // restarted run cuts the same input into the same chunks.
    // (An analysed ingest is one transaction: it carries the stream position.)
    if (!meta && done - committed >= static_cast<int64_t>(options_.batch_size) &&
        from + n < order.size()) {
      auto ts = Steady::now();
      s = Flush(now, /*last=*/false);
      if (!s.ok()) return s;
      committed = done;
      s = store_->Begin();
      if (!s.ok()) return s;
      sum.stages.store += Since(ts);
    }
  }
  // Stage times are summed over threads (CPU-seconds spent in each stage).
  for (size_t w = 0; w < threads; ++w) {
    sum.stages.clean += t_clean[w];
    sum.stages.langid += t_langid[w];
    sum.stages.signals += t_signals[w];
    sum.stages.enrich += t_enrich[w];
  }
  auto ts = Steady::now();
  // The feeds' states go with their last items: a poller killed before this
  // commit fetches the same items again next time (and they are no-ops).
  for (const auto& f : feeds) {
    s = store_->PutFeedState(f);
    if (!s.ok()) return s;
  }
  if (meta)
    for (const auto& [k, v] : *meta) {
      s = store_->PutMeta(k, v);
      if (!s.ok()) return s;
    }
  s = Flush(now);
  if (!s.ok()) return s;
  sum.stages.store += Since(ts);
  // Summaries are written in the flushes: counted apart from the store.
  sum.stages.summary = summary_seconds_;
  sum.summaries = summaries_;
  sum.summaries_deferred = summaries_deferred_;
  sum.stages.store = std::max(0.0, sum.stages.store - summary_seconds_);
  sum.rejected = static_cast<int64_t>(sum.rejects.size());
  auto total = store_->CountStories();
  if (total.ok()) sum.stories_total = *total;
  sum.seconds = Since(t0);
  return sum;
}

// Names, countries and numbers behind shared feature keys, for people.
nlohmann::json Engine::ExplainShared(const std::vector<uint64_t>& keys, const Article& ar,
                                     const Signals& sig) {
  std::unordered_set<uint64_t> want(keys.begin(), keys.end());
  std::vector<std::string> names, numbers;
  std::unordered_set<std::string> seen;
  for (const auto& label : sig.name_labels) {
    std::string key = analyzer_->NameKey(label);
    std::string skeleton = NameSkeleton(key);
    std::string prefix = key.substr(0, options_.signals.name_key_chars);
    if ((want.count(NameFeatureKey(prefix)) ||
         (!skeleton.empty() && want.count(NameFeatureKey(skeleton)))) &&
        seen.insert(label).second)
      names.push_back(label);
  }
  for (std::string_view part : {std::string_view(ar.title), std::string_view(ar.text)})
    for (const auto& n : ExtractNumbers(part))
      if (want.count(NumberKey(n)) && seen.insert(n).second) numbers.push_back(n);
  // Keys not explained by a label are countries (gazetteer) or name variants.
  return {{"names", names}, {"numbers", numbers}, {"features", keys.size()}};
}

Status Engine::Polish(Prepared* p, int64_t now, Seen* seen) {
  CleanArticle* c = &p->c;
  Article& ar = c->article;
  p->raw_hash = c->content_hash;
  if (ar.title.empty() && ar.text.empty()) return Status::Ok();   // rejected as empty later
  if (!ar.url.empty()) ar.url = StripTrackingParameters(ar.url);  // utm_*, fbclid, ...

  if (has_tombstones_) {
    auto gone = store_->TakenDown(ar.id, ar.url, ar.source, p->raw_hash);
    if (!gone.ok()) return gone.status();
    if (gone->has_value()) {
      p->taken_down = **gone;
      return Status::Ok();
    }
  }
  // A re-delivery (this id with this content, stored or seen earlier in this
  // call) is recognised before anything learns from it.
  bool known_id = false;
  if (auto it = seen->ids.find(ar.id); it != seen->ids.end()) {
    if (it->second == p->raw_hash) {
      p->unchanged = true;
      return Status::Ok();
    }
    known_id = true;
  } else {
    auto known = store_->FindArticle(ar.id);
    if (!known.ok()) return known.status();
    if (known->has_value()) {
      const KnownArticle& k = **known;
      // Stores made before raw hashes were kept: the stored hash is the best we have.
      if (k.raw_hash ? *k.raw_hash == p->raw_hash : k.content_hash == p->raw_hash) {
        p->unchanged = true;
        return Status::Ok();
      }
      known_id = true;
    }
  }
  seen->ids[ar.id] = p->raw_hash;
  p->new_id = !known_id;
  if (!known_id) {
    // The same content under another id: an alias, nothing to learn.
    if (auto it = seen->raws.find(p->raw_hash); it != seen->raws.end()) {
      p->alias_of = it->second;
      return Status::Ok();
    }
    auto same = store_->FindByHash(p->raw_hash);
    if (!same.ok()) return same.status();
    if (same->has_value()) {
      p->alias_of = **same;
      return Status::Ok();
    }
    seen->raws.emplace(p->raw_hash, ar.id);
  }

  // Boilerplate: removed with what is known; learned only from new articles
  // (an update or a re-delivery of a known one teaches nothing).
  BoilerplateResult bp = boilerplate_.Filter(ar.source, ar.text);
  if (!known_id) boilerplate_.Learn(ar.source, bp.paragraphs);
  if (bp.removed_by_rule + bp.removed_learned > 0) {
    ar.text = NormalizeWhitespace(bp.text);
    ar.repairs.push_back("boilerplate: removed " +
                         std::to_string(bp.removed_by_rule + bp.removed_learned) + " paragraphs (" +
                         std::to_string(bp.removed_by_rule) + " by rule, " +
                         std::to_string(bp.removed_learned) + " learned from the source)");
    c->content_hash = ContentHash(ar.title, ar.text);
  }
  // Dates outside a plausible range are repairs. Too old: dropped. In the
  // future (a clock error): clamped to now for ordering and display, but it
  // must not move the clustering window, so the clusterer sees it undated.
  if (ar.published && *ar.published < kEarliestPlausibleDate) {
    ar.repairs.push_back("date_out_of_range: published " + FormatIsoDate(*ar.published) +
                         " is before 1900; treated as undated");
    ar.published.reset();
  } else if (ar.published && *ar.published > now + options_.max_clock_skew_seconds) {
    ar.repairs.push_back("clock_skew: published " + FormatIsoDate(*ar.published) +
                         " is in the future; clamped to the ingest time");
    ar.published = now;
    p->time_trusted = false;
  }
  if (ar.title.empty() && !ar.text.empty()) {
    // Use the first line of the text as a title, so every story has a headline.
    auto nl = ar.text.find('\n');
    ar.title = ar.text.substr(0, std::min<size_t>(nl, 160));
  }
  return Status::Ok();
}

Status Engine::ProcessOne(Prepared p, int64_t now, IngestSummary* sum) {
  auto reject = [&](const std::string& origin, const std::string& reason, const std::string& msg) {
    Reject r{origin, reason, msg};
    sum->rejects.push_back(r);
    return store_->PutReject(r, now);
  };
  CleanArticle& c = p.c;
  Article& ar = c.article;
  if (p.unchanged) {
    ++sum->unchanged;
    return Status::Ok();
  }
  if (ar.title.empty() && ar.text.empty())
    return reject(ar.origin, "empty", "article '" + ar.id + "' is empty after cleaning");
  if (p.taken_down.empty() && has_tombstones_) {
    // The same text as a removed article once boilerplate is gone.
    auto gone = store_->TakenDown("", "", "", c.content_hash);
    if (!gone.ok()) return gone.status();
    if (gone->has_value()) p.taken_down = **gone;
  }
  if (!p.taken_down.empty())
    return reject(ar.origin, "taken_down",
                  "article '" + ar.id + "' was taken down (" + p.taken_down + ")");

  auto t = Steady::now();
  auto alias = [&](const std::string& same) {
    // The same text under another id: an alias of the stored article (never
    // of another alias: `same` may have become one earlier in this call).
    auto of = store_->CanonicalId(same);
    if (!of.ok()) return of.status();
    Status s = store_->PutAlias(ar.id, *of, ar.origin, p.raw_hash);
    if (s.ok()) s = store_->PutDuplicate({ar.id, *of, "exact", 1.0, 1.0, 0});
    ++sum->duplicates;
    sum->stages.store += Since(t);
    return s;
  };
  if (!p.alias_of.empty()) return alias(p.alias_of);
  // Polish already looked the id up: only an id it knew needs a second look
  // (an article earlier in this call may have stored or updated it since).
  Result<std::optional<KnownArticle>> known = std::optional<KnownArticle>();
  if (!p.new_id) known = store_->FindArticle(ar.id);
  if (!known.ok()) return known.status();
  if (known->has_value() && (*known)->id != ar.id) {
    // An alias arriving with content of its own is no longer a copy: it
    // becomes an article (the one it pointed to is left as it is).
    Status s = store_->RemoveAlias(ar.id);
    if (!s.ok()) return s;
    known->reset();
  }
  if (known->has_value()) {
    sum->stages.store += Since(t);
    const KnownArticle& k = **known;
    if (k.content_hash == c.content_hash) {
      ++sum->unchanged;
      return Status::Ok();
    }
    // The same id with new content: an update. The old text is kept as a
    // revision; the article keeps its story. Empty never replaces text.
    if (ar.text.empty() && !k.text_empty)
      return reject(ar.origin, "emptied",
                    "article '" + ar.id + "' arrived again with no text; the stored text is kept");
    Status us = store_->UpdateArticle(k.id, ar.title, ar.text, c.content_hash, p.raw_hash, now);
    if (!us.ok()) return us;
    us = store_->PutArticleIntel(k.id, EncodeEnrichment(p.intel));
    if (!us.ok()) return us;
    int added = 0;  // (k.id is ar.id here: an alias was turned into an article above)
    us = UpdateEntries(ar, p.lang.lang, p.time_trusted ? ar.published : std::nullopt, &added);
    if (!us.ok()) return us;
    if (auto story = store_->StoryOf(k.id); story.ok() && !story->empty())
      intel_dirty_.insert(*story);
    ++sum->updated;
    return Status::Ok();
  }
  auto same = store_->FindByHash(c.content_hash);
  if (!same.ok()) return same.status();
  sum->stages.store += Since(t);
  if (same->has_value()) return alias(**same);

  const LanguageGuess& lang = p.lang;
  const Signals& sig = p.sig;

  t = Steady::now();
  std::vector<DupMatch> matches = dup_index_.Query(sig.sketch);
  sum->stages.dedup += Since(t);

  StoredArticle st;
  st.lang = lang.lang;
  st.lang_confidence = lang.confidence;
  st.lang_method = lang.method;
  st.content_hash = c.content_hash;
  st.raw_hash = p.raw_hash;
  st.ingested = now;
  // A clamped date orders the article but does not move the window.
  const std::optional<int64_t> time = p.time_trusted ? ar.published : std::nullopt;
  st.sketch = sig.sketch;
  st.names = sig.name_labels;

  // A copy joins its original's story.
  t = Steady::now();
  Membership m;
  m.article = ar.id;
  nlohmann::json detail;
  std::vector<DuplicateLink> links;
  std::string first_match;  // the stored article of the strongest link
  for (const auto& dm : matches) {
    if (links.size() >= 8) break;
    auto other = store_->ArticleByHandle(dm.doc);
    if (!other.ok() && other.status().code() != Status::Code::kNotFound) return other.status();
    if (!other.ok()) continue;
    if (first_match.empty()) first_match = other->id;
    // Who copied whom: the earlier article is the original; on the same
    // date (or without dates) the one contained in the other is, since a
    // copy adds its own paragraphs to the wire text.
    bool new_is_copy = true;
    const auto& a_time = ar.published;
    const auto& b_time = other->published;
    if (a_time && b_time && std::llabs(*a_time - *b_time) > 3600) {
      new_is_copy = *a_time > *b_time;
    } else if (dm.size_query != dm.size_indexed) {
      new_is_copy = dm.size_query > dm.size_indexed;
    }
    DuplicateLink l{ar.id,          other->id,      DupKindName(dm.kind),
                    dm.resemblance, dm.containment, static_cast<int>(dm.shared)};
    if (!new_is_copy) std::swap(l.article, l.of);
    links.push_back(l);
  }
  bool joined = false;
  if (!links.empty()) {
    auto story = store_->StoryOf(first_match);
    if (!story.ok() && story.status().code() != Status::Code::kNotFound) return story.status();
    if (story.ok() && clusterer_.AddTo(*story, sig, time)) {
      m.story = *story;
      m.score = links[0].containment;
      m.reason = "duplicate";
      detail = {{"reason", "duplicate"},
                {"of", first_match},
                {"kind", links[0].kind},
                {"containment", links[0].containment},
                {"resemblance", links[0].resemblance}};
      joined = true;
    }
  }
  if (!joined) {
    Assignment as = clusterer_.Assign(ar.id, ar.title, sig, time);
    m.story = as.story_id;
    m.score = as.score;
    m.reason = as.reason;
    detail = {{"reason", as.reason},           {"score", as.score},
              {"full_cosine", as.full},        {"neutral_cosine", as.neutral},
              {"time_factor", as.time_factor}, {"shared_names_numbers", as.shared_neutral}};
    if (as.new_story) ++sum->new_stories;
    for (const auto& from : as.merged) {
      Status s = store_->MergeStory(from, as.story_id);
      if (!s.ok()) return s;
      ++sum->merged_stories;
    }
    if (!as.merged.empty()) detail["merged"] = as.merged;
    if (!as.linked.empty()) detail["linked"] = {{"story", as.linked}, {"score", as.link_score}};
    if (!as.shared_neutral_keys.empty())
      detail["shared"] = ExplainShared(as.shared_neutral_keys, ar, sig);
    if (as.cross_language) {
      detail["cross_language"] = true;
      detail["pivot_cosine"] = as.pivot;
      detail["shared_pivot_concepts"] = as.shared_pivot;
      // The shared concepts as English stems, heaviest first.
      if (const Lexicon* lex = analyzer_->lexicon()) {
        std::vector<std::string> words;
        for (uint64_t k : as.shared_pivot_keys)
          if (auto label = lex->Label(k); !label.empty()) words.emplace_back(label);
        if (!words.empty()) detail["shared_concepts"] = words;
      }
    }
  }
  m.detail = detail.dump();
  sum->stages.cluster += Since(t);

  t = Steady::now();
  if (!ar.repairs.empty()) ++sum->repaired;
  st.article = std::move(ar);
  Status s = store_->PutArticle(&st);
  if (!s.ok()) return s;
  dup_index_.Add(static_cast<uint32_t>(st.handle), st.sketch);
  sketch_time_.emplace(static_cast<uint32_t>(st.handle), SketchTime{st.article.published, now});
  s = store_->PutMembership(m);
  if (!s.ok()) return s;
  s = store_->PutArticleIntel(st.article.id, EncodeEnrichment(p.intel));
  if (!s.ok()) return s;
  intel_dirty_.insert(m.story);
  for (const auto& l : links) {
    s = store_->PutDuplicate(l);
    if (!s.ok()) return s;
  }
  if (!links.empty() && (links[0].kind == "near_duplicate" || links[0].kind == "wire_copy"))
    ++sum->duplicates;
  // A live blog stays one article; its entries join stories of their own.
  std::vector<LiveBlogEntry> entries = SplitLiveBlog(st.article);
  for (size_t n = 0; n < entries.size(); ++n) {
    s = AddEntry(st.article.id, static_cast<int>(n + 1), entries[n], st.lang, time);
    if (!s.ok()) return s;
  }
  if (!entries.empty()) ++sum->live_blogs;
  ++sum->stored;
  sum->stages.store += Since(t);
  return Status::Ok();
}

Status Engine::AddEntry(const std::string& article_id, int n, const LiveBlogEntry& entry,
                        const std::string& lang, std::optional<int64_t> time) {
  std::string entry_id = article_id + "#" + std::to_string(n);
  Signals es = analyzer_->Analyze(entry.title, entry.text, lang);
  Assignment ea = clusterer_.Assign(entry_id, entry.title, es, time, true);
  for (const auto& from : ea.merged) {
    Status s = store_->MergeStory(from, ea.story_id);
    if (!s.ok()) return s;
  }
  nlohmann::json ed = {{"entry_of", article_id}, {"reason", ea.reason}, {"score", ea.score}};
  Status s = store_->PutEntry(article_id, n, entry.title, entry.text);
  if (s.ok()) s = store_->PutMembership({entry_id, ea.story_id, ea.score, ea.reason, ed.dump()});
  return s;
}

// A live blog grows: the entries it has now that were not stored are added
// after the stored ones (numbers are never reused, so a stored entry keeps
// its id and story), as on first sight. An entry whose heading is stored
// once with another text was edited: its text is replaced and it keeps its
// story. Entries no longer in the blog are kept (nothing stored is lost).
Status Engine::UpdateEntries(const Article& ar, const std::string& lang,
                             std::optional<int64_t> time, int* added) {
  *added = 0;
  std::vector<LiveBlogEntry> entries = SplitLiveBlog(ar);
  if (entries.empty()) return Status::Ok();
  auto stored = store_->Entries(ar.id);
  if (!stored.ok()) return stored.status();
  std::unordered_set<uint64_t> known;
  std::unordered_map<std::string, int> by_title;  // heading -> its entry, or -1 if several
  int last = 0;
  for (const auto& e : *stored) {
    known.insert(ContentHash(e.title, e.text));
    auto [it, fresh] = by_title.try_emplace(e.title, e.n);
    if (!fresh) it->second = -1;
    last = std::max(last, e.n);
  }
  for (const auto& e : entries) {
    if (!known.insert(ContentHash(e.title, e.text)).second) continue;
    if (auto it = by_title.find(e.title); it != by_title.end() && it->second > 0) {
      Status s = store_->PutEntry(ar.id, it->second, e.title, e.text);
      if (!s.ok()) return s;
      it->second = -1;  // edited once per update
      continue;
    }
    Status s = AddEntry(ar.id, ++last, e, lang, time);
    if (!s.ok()) return s;
    ++*added;
  }
  return Status::Ok();
}

}  // namespace storyline
