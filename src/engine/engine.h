// Engine: the one object front ends talk to. Runs articles through the
// pipeline (ingest -> clean -> langid -> signals -> dedup -> cluster -> store)
// and answers queries. Built from one validated EngineOptions; no globals.
//
// Two ways to open one:
//  - Engine::Open: the writer. Takes the store's writer lock for its whole
//    life (a second writer fails at once, or waits with `wait_for_writer`),
//    loads the language-ID model and the clustering state.
//  - Engine::OpenReader: for queries. No lock, no model, no clustering
//    state: opens in milliseconds whatever the size of the store, and is
//    never blocked by a writer (it sees the last committed batch).
//
// Transactions: Ingest commits every `batch_size` articles. A batch is all
// or nothing: if a write fails, the batch is rolled back and the in-memory
// state (stories, document frequencies, duplicate index, learned
// boilerplate) is reloaded from the store, so the engine goes on from
// exactly what is stored.
//
// Thread safety: an Engine is used by one thread at a time; it runs its own
// analysis threads inside Ingest (and for the summaries of each commit).
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "clean/boilerplate.h"
#include "clean/clean.h"
#include "cluster/cluster.h"
#include "common/clock.h"
#include "common/status.h"
#include "dedup/dedup.h"
#include "enrich/enrich.h"
#include "ingest/fetch.h"
#include "ingest/ingest.h"
#include "langid/langid.h"
#include "signals/signals.h"
#include "store/store.h"
#include "summary/summary.h"

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
  // language ID, signals, enrichment) and for computing the summaries of a
  // commit; the rest runs in order on one thread. Default 2.
  int analysis_threads = 2;
  // Commit every this many articles. Default 2000.
  size_t batch_size = 2000;
  // IngestPaths reads and ingests this many articles at a time (each chunk
  // in publication order), so that memory does not grow with the input.
  // Default 20,000.
  size_t read_chunk = 20000;
  // Ignore languages declared by metadata (evaluation measures detection).
  bool ignore_lang_hints = false;
  // A second writer on the same store waits for the first instead of failing.
  bool wait_for_writer = false;
  // Where "now" comes from (tests set it); null: the system clock.
  std::shared_ptr<const Clock> clock;
};

// Checks every option against its accepted range. InvalidArgument names the
// key (as in the config file) and the range.
Status Validate(const EngineOptions& options);

// Publication dates before this (1900-01-01) are not plausible: dropped, with a repair.
constexpr int64_t kEarliestPlausibleDate = -2208988800;

// Wall time spent per stage, seconds.
struct StageTimes {
  double read = 0, clean = 0, langid = 0, signals = 0, enrich = 0, dedup = 0, cluster = 0,
         store = 0, summary = 0;
};

struct IngestSummary {
  int64_t read = 0;      // items read (articles + rejects)
  int64_t stored = 0;    // new articles stored
  int64_t repaired = 0;  // stored articles with at least one repair
  int64_t rejected = 0;
  int64_t unchanged = 0;   // already stored with the same content
  int64_t updated = 0;     // known id, new content: updated, old text kept as a revision
                           // (a re-delivery of stored content is `unchanged`, never an update)
  int64_t duplicates = 0;  // exact copies (aliases) + near/wire copies
  int64_t new_stories = 0;
  int64_t merged_stories = 0;  // stories joined into another by a bridging article
  int64_t live_blogs = 0;      // articles split into entries
  int64_t stories_total = 0;
  // Story summaries written, and put off to a later commit of the same call
  // (Engine::Flush): counted once per commit.
  int64_t summaries = 0;
  int64_t summaries_deferred = 0;
  double seconds = 0;
  StageTimes stages;
  std::vector<Reject> rejects;  // this run's rejects, in order
};

// The version of how feature keys are made (stored in meta; see engine.cc).
const char* SignalsVersion();

// The order Ingest processes articles in: by publication date, undated ones
// after the dated, ties and undated in the order given.
std::vector<size_t> IngestOrder(const std::vector<Article>& articles);

// Called as articles are processed: (done, total).
using ProgressFn = std::function<void(int64_t done, int64_t total)>;

// Distributed mode (DESIGN.md, "Scale-out"): an article as an analysis
// worker leaves it. Cleaned, then language, signals and enrichment of the
// cleaned title and text (`analysed` false when there was nothing to analyse:
// an article empty after cleaning). The clusterer uses the analysis as it is
// unless the ordered steps before it (learned boilerplate, a title taken from
// the text) change the title or text: then it analyses again, so that the
// stories are those of the embedded mode.
struct AnalysedArticle {
  CleanArticle c;
  LanguageGuess lang;
  Signals sig;
  Enrichment intel;
  bool analysed = false;
  // The last article of one of the publisher's chunks (IngestOrder, 256 at
  // a time, as Engine::Ingest cuts its input): the clusterer applies whole
  // chunks only, so that every chunk is the embedded mode's.
  bool chunk_end = false;
  // The settings and data that shaped the analysis (AnalysisFingerprint): a
  // clusterer whose own differ analyses the article again, so that a worker
  // with another lexicon or shingle size cannot skew the stories.
  std::string fingerprint;
};
class Analyzer;
// What shapes an article's analysis: the signals version, the signals and
// cleaning options, the lexicon's size. Equal fingerprints, equal analyses.
std::string AnalysisFingerprint(const EngineOptions& options, const Analyzer& analyzer);
// Wire form (MessagePack, versioned). Decode never throws: false on bytes it
// cannot read, with `error` saying why.
std::string EncodeAnalysed(const AnalysedArticle& a);
bool DecodeAnalysed(std::string_view bytes, AnalysedArticle* out, std::string* error);

// The per-article stages that need no shared state (clean, language ID,
// signals, enrichment): an analysis worker's whole job. No store, no lock.
// One thread at a time.
class Analyser {
 public:
  static Result<std::unique_ptr<Analyser>> Open(const EngineOptions& options);
  ~Analyser();
  AnalysedArticle Analyse(Article article);

 private:
  Analyser() = default;
  EngineOptions options_;
  std::unique_ptr<LanguageIdentifier> langid_;
  std::unique_ptr<Analyzer> analyzer_;
  std::unique_ptr<Enricher> enricher_;
  std::string fingerprint_;
};

class Engine {
 public:
  // The writer (see above). Fails if another process is writing to the store.
  static Result<std::unique_ptr<Engine>> Open(const EngineOptions& options);
  // A reader: store queries only; Ingest fails with InvalidArgument. NotFound
  // if there is no database at the path (a reader never creates one).
  static Result<std::unique_ptr<Engine>> OpenReader(const EngineOptions& options);
  ~Engine();

  // Reads paths (files, directories) and ingests everything in them. A path
  // that cannot be read is a reject, not a failure; a Status is returned
  // only when the store fails.
  Result<IngestSummary> IngestPaths(const std::vector<std::string>& paths,
                                    const ProgressFn& progress = {});

  // Ingests articles (processed in publication order; undated ones after the
  // dated, in the order given). `rejects` from reading are recorded too.
  // `feeds`: feed states written in the same transaction as the last batch
  // of these articles (a poller's ETags are never ahead of its items).
  Result<IngestSummary> Ingest(std::vector<Article> articles, std::vector<Reject> rejects = {},
                               const ProgressFn& progress = {},
                               const std::vector<FeedState>& feeds = {});
  int64_t Now() const { return clock_->Now(); }

  // The clusterer's ingest (distributed mode): articles analysed by workers,
  // processed in the order given (the publisher ordered them as IngestPaths
  // would) and in the chunks their `chunk_end` marks, in one transaction.
  // `meta` (key, value) pairs are written in that same transaction (the
  // stream position applied), so that a replay after a crash changes nothing.
  // `expect`: (key, value) that must be stored when the transaction begins
  // (value "" for none), read with a row lock; else nothing is applied (an
  // IOError saying so): a clusterer that lost its lock unnoticed can never
  // apply what another one applied.
  Result<IngestSummary> IngestAnalysed(
      std::vector<AnalysedArticle> articles, std::vector<Reject> rejects,
      const std::vector<std::pair<std::string, std::string>>& meta,
      const std::optional<std::pair<std::string, std::string>>& expect = std::nullopt);

  // Removes what a takedown request names everywhere (articles, their
  // copies by alias, entries, revisions, memberships, copy links,
  // intelligence, search index), recomputes the stories they were in (a
  // story left empty is deleted), records the request with tombstones so
  // that the articles are never ingested again, commits, reloads the
  // clustering state and scrubs the database files (search index rewritten,
  // log emptied). All or nothing: a failure rolls everything back. Writer
  // only. A request that matches nothing is still recorded (it keeps the
  // article out in the future).
  struct TakedownRequest {
    std::string kind;  // "article", "url" or "source"
    std::string value;
    std::string reason;
  };
  Result<TakedownRecord> Takedown(const TakedownRequest& request,
                                  std::vector<std::string>* stories = nullptr);

  ArticleStore& store() { return *store_; }
  Fetcher& fetcher();
  const Clusterer& clusterer() const { return clusterer_; }
  const DupIndex& dup_index() const { return dup_index_; }
  const EngineOptions& options() const { return options_; }

 private:
  explicit Engine(const EngineOptions& options);
  Status Restore();
  // After a failed batch: forget the in-memory state and reload it from the store.
  Status ResetState();
  Status CheckParameters();
  // `last`: the Ingest call's last commit, where every story whose articles
  // changed is summarised; before it, stories that grew little are put off.
  Status Flush(int64_t now, bool last = true);
  void SummarizePending();
  // `analysed`: instead of `articles`, analysed ones, kept in the given order.
  Result<IngestSummary> IngestLocked(
      std::vector<Article> articles, std::vector<Reject> rejects, const ProgressFn& progress,
      const std::vector<FeedState>& feeds, std::vector<AnalysedArticle>* analysed = nullptr,
      const std::vector<std::pair<std::string, std::string>>* meta = nullptr,
      const std::pair<std::string, std::string>* expect = nullptr);
  // Ingest's undo on failure (shared by the ingest entry points).
  Result<IngestSummary> Undo(Result<IngestSummary> r);
  // An article on its way: cleaned, then (in parallel) identified and analysed.
  struct Prepared {
    CleanArticle c;
    LanguageGuess lang;
    Signals sig;
    Enrichment intel;  // entities, quotes, figures, agencies
    bool analysed = false;
    uint64_t raw_hash = 0;     // content as it arrived, before boilerplate removal
    bool unchanged = false;    // a re-delivery of stored content: nothing to do
    std::string alias_of;      // the same content is stored under this id
    bool time_trusted = true;  // false: the date was clamped, it must not move the window
    bool new_id = false;       // Polish found the id neither stored nor earlier in this call
    std::string taken_down;    // a tombstone matches: why (the article is refused)
    // Analysed by a worker: the title and text it analysed (if Polish
    // changes them, the analysis is done again here).
    bool pre_analysed = false;
    std::string analysed_title, analysed_text;
  };
  // What this Ingest call has seen so far (re-deliveries within one call).
  struct Seen {
    std::unordered_map<std::string, uint64_t> ids;   // id -> raw hash, latest
    std::unordered_map<uint64_t, std::string> raws;  // raw hash -> first id
  };
  // Re-delivery check, boilerplate (learned only from new articles), dates, title.
  Status Polish(Prepared* p, int64_t now, Seen* seen);
  Status ProcessOne(Prepared p, int64_t now, IngestSummary* sum);
  // Entry `n` of live blog `article_id`: clustered (its own story) and stored.
  Status AddEntry(const std::string& article_id, int n, const LiveBlogEntry& entry,
                  const std::string& lang, std::optional<int64_t> time);
  // A live blog updated: its entries not seen before are added; `added` counts them.
  Status UpdateEntries(const Article& ar, const std::string& lang, std::optional<int64_t> time,
                       int* added);
  nlohmann::json ExplainShared(const std::vector<uint64_t>& keys, const Article& ar,
                               const Signals& sig);

  EngineOptions options_;
  std::shared_ptr<const Clock> clock_;
  bool reader_ = false;
  Status broken_;                     // set when a failed batch could not be undone: no more ingest
  std::unique_ptr<WriterLock> lock_;  // released after the store is closed
  std::unique_ptr<ArticleStore> store_;
  std::unique_ptr<LanguageIdentifier> langid_;
  std::unique_ptr<Analyzer> analyzer_;
  std::vector<std::unique_ptr<Analyzer>> worker_analyzers_;  // one per extra analysis thread
  std::vector<std::unique_ptr<Enricher>> enrichers_;         // one per analysis thread
  // Stories whose articles changed since the last commit: their summaries
  // are recomputed and stored with it.
  std::set<std::string> intel_dirty_;
  // Within one Ingest call, a story's size (articles and entries) when it
  // was last summarised: a story summarised again at every commit costs its
  // size each time, so one that has grown by less than a quarter since is put
  // off to a later commit (Flush). Cleared when the call ends.
  std::unordered_map<std::string, uint32_t> summarized_at_;
  int64_t summaries_ = 0, summaries_deferred_ = 0;  // in this Ingest call
  double summary_seconds_ = 0;                      // spent summarising in this Ingest call
  // The analysis of large stories' unchanged articles, one per analysis
  // thread (each summarises the stories whose ids hash to it).
  std::vector<std::unique_ptr<SummaryMemo>> summary_memos_;
  struct SummaryJob;
  Status PrepareSummary(const std::string& story, SummaryJob* job);
  Status SummarizeStories(const std::vector<std::string>& stories, int64_t now, double* seconds);
  void EnsureWorkers();               // the extra analysers and the summary memos
  std::unique_ptr<Fetcher> fetcher_;  // for URL inputs; created on first use
  BoilerplateFilter boilerplate_;
  DupIndex dup_index_;
  // Publication date of each indexed sketch: the index keeps the window only.
  struct SketchTime {
    std::optional<int64_t> published;
    int64_t ingested = 0;
  };
  std::unordered_map<uint32_t, SketchTime> sketch_time_;
  // Document-frequency days that left the window, to delete at the next commit.
  std::vector<DocumentFrequencies::Bucket> expired_df_;
  // Drops sketches of articles that left the window from the duplicate index.
  void ExpireSketches();
  Clusterer clusterer_;
  bool has_tombstones_ = false;  // any takedown recorded: incoming articles are checked
  std::string fingerprint_;      // AnalysisFingerprint of this engine's settings
  bool warned_fingerprint_ = false;
};

}  // namespace storyline
