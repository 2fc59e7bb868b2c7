// Cluster: online story assignment. Public header of the stage.
//
// Articles arrive in publication order. Each is scored against the stories
// active in a time window, found through an inverted index from features to
// stories (never all pairs), and joins the best one above a threshold or
// opens a new story. Two cosines are computed against a story's centroid:
//   full    - over language-specific stems plus names and numbers (TF-IDF);
//   neutral - over names and numbers only, which carry across languages;
//   pivot   - over English pivot concepts of the content words (FreeDict).
// Against a story with an article in the article's language the full cosine
// decides; against a story in other languages only language-neutral evidence
// counts: neutral_weight * neutral + pivot_weight * pivot, and only with
// enough shared names/numbers (see min_shared_neutral). Either score is
// multiplied by a time factor, a Gaussian of the gap between the article and
// the story's dated span (1 when either side has no date). Same input, same
// order: same stories.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "signals/signals.h"

namespace storyline {

struct ClusterOptions {
  // Stories whose newest dated article is older than this (behind the newest
  // date seen) stop taking articles, and are no longer linked to. Default
  // 10 days (reports of one event in other languages keep coming for more
  // than a week).
  double window_days = 10;
  // Document frequencies are counted over the same window (by day), but the
  // oldest days are kept while fewer than this many documents would remain,
  // so that a sparse stream keeps enough history for stable term weights.
  // Default 10,000.
  uint64_t df_min_documents = 10000;
  // Sigma of the Gaussian time factor. Default 4 days (reports of one
  // event keep coming for about a week).
  double time_sigma_days = 4;
  // Floor of the time factor (a story far in time is penalised, not barred,
  // inside the window). Default 0.3.
  double time_floor = 0.3;
  // Join the best story when its score is at least this. Default 0.25.
  double threshold = 0.25;
  // The same for a story in other languages (scored on language-neutral
  // evidence); 0: `threshold`.
  double cross_threshold = 0;
  // Story-level linking: after an article is placed, its story is compared
  // (centroid to centroid, on names, numbers and pivot concepts) with active
  // stories that share none of its languages, and merged with the best one
  // scoring at least this. 0 turns it off. Default 0.35.
  double link_threshold = 0.35;
  // Shared names/numbers a story link needs beyond min_shared_neutral. Default 1.
  int link_extra_shared = 1;
  // Other stories that score at least this against the same article are
  // merged into the one it joins (an article can bridge two stories that
  // formed separately, typically one per language). Default 0.45.
  double merge_threshold = 0.45;
  // Weight of the language-neutral cosine, used against stories with no
  // article in the article's language. Default 1.3.
  double neutral_weight = 1.3;
  // Cross-language evidence counts only with at least this many shared
  // names/numbers, or with one and at least min_shared_pivot shared pivot
  // concepts. Defaults 2 and 2.
  int min_shared_neutral = 2;
  int min_shared_pivot = 2;
  // Weight of the pivot cosine in the cross-language score. Default 1.0.
  double pivot_weight = 1.0;
  // Weight of a name or number in the full vector relative to a stem. Default 1.5.
  double name_boost = 1.5;
  // Centroid size caps. Defaults 300 and 100.
  size_t max_story_terms = 300;
  size_t max_story_neutral = 100;
  size_t max_story_pivot = 200;
  // An article's pivot vector keeps its this many strongest concepts. Default 64.
  size_t max_article_pivots = 64;
  // Retrieval: the article's strongest features used to look stories up, and
  // how many most recent stories to take per feature. Defaults 24 and 100.
  size_t query_features = 24;
  size_t pivot_query_features = 8;
  size_t max_stories_per_feature = 100;
  // Of the stories found, only this many with the highest pre-score (summed
  // weights of the features they share) are scored exactly. Default 32.
  size_t max_candidates = 32;
};

// A sparse vector, sorted by key.
using SparseVector = std::vector<Feature>;

// Document frequencies, online, over a sliding window of days, so that the
// state stays bounded however long the stream runs. A document counts in the
// bucket of its day: its date's day, or for an undated one the day it was
// ingested (a separate series: ingest days and publication days are
// different clocks). Buckets leave with Expire(). Counts are integers, so a
// restart that reloads the buckets weighs every term exactly as before.
class DocumentFrequencies {
 public:
  struct Bucket {
    int64_t day = 0;  // days since 1970-01-01 (floor)
    bool undated = false;
    auto operator<=>(const Bucket&) const = default;
  };
  struct BucketHash {
    size_t operator()(const Bucket& b) const {
      return std::hash<int64_t>()(b.day * 2 + (b.undated ? 1 : 0));
    }
  };

  void Add(const Signals& s, Bucket b);
  double Idf(uint64_t key) const;
  uint64_t documents() const { return documents_; }
  size_t keys() const { return df_.size(); }
  size_t bucket_entries() const;  // (bucket, key) pairs held, for memory figures

  // Restoring: one bucket's count of a key, one bucket's documents.
  void Set(Bucket b, uint64_t key, uint32_t n);
  void SetDocuments(Bucket b, uint64_t n);

  // Drops the oldest buckets that lie before `dated_since` (publication days;
  // none without a value) or `undated_since` (ingest days), oldest first, as
  // long as at least `min_documents` documents remain. Returns the buckets
  // dropped (the store forgets them at its next write).
  std::vector<Bucket> Expire(std::optional<int64_t> dated_since_day, int64_t undated_since_day,
                             uint64_t min_documents);

  // What changed since the last ClearDirty(), for incremental persistence:
  // (bucket, key) counts and bucket document totals, each once.
  struct Count {
    Bucket bucket;
    uint64_t key;
    uint32_t n;
  };
  std::vector<Count> DirtyCounts() const;
  std::vector<std::pair<Bucket, uint64_t>> DirtyDocuments() const;
  void ClearDirty() {
    dirty_.clear();
    dirty_buckets_.clear();
  }

 private:
  struct Days {
    uint64_t documents = 0;
    std::unordered_map<uint64_t, uint32_t> counts;
  };
  std::unordered_map<uint64_t, uint32_t> df_;  // over all buckets held
  std::map<Bucket, Days> buckets_;
  std::unordered_map<Bucket, std::unordered_set<uint64_t>, BucketHash> dirty_;
  std::set<Bucket> dirty_buckets_;
  uint64_t documents_ = 0;
};

// Days since 1970-01-01 of a Unix time, rounded down (also before 1970).
int64_t DayOf(int64_t unix_seconds);

// A story's state as the clusterer keeps it (and as the store persists it).
struct StoryState {
  std::string id;
  SparseVector full;                             // sum of members' normalised full vectors
  SparseVector neutral;                          // sum of members' normalised neutral vectors
  SparseVector pivot;                            // sum of members' normalised pivot vectors
  std::optional<int64_t> first_time, last_time;  // dated span
  uint32_t size = 0;                             // whole articles
  uint32_t entries = 0;                          // live-blog entries
  std::map<std::string, uint32_t> langs;         // articles per language
  std::string title;                             // founder's title
  // Creation order (persisted; 0: not yet given). Posting lists are kept in
  // this order and ties break on it, so that decisions never depend on
  // where a story sits in memory: a restarted run decides as one that was not.
  uint64_t seq = 0;
  // When an article last joined (ingest time, Clusterer::set_now): a story
  // with no dated article leaves the window by this clock.
  int64_t last_seen = 0;
  bool dirty = false;  // changed since last persisted
};

struct Assignment {
  std::string story_id;
  bool new_story = false;
  double score = 0;  // the winning score (0 for a new story)
  double full = 0, neutral = 0, pivot = 0, time_factor = 1;
  bool cross_language = false;                // scored on language-neutral evidence
  int shared_neutral = 0;                     // names/numbers shared with the story
  int shared_pivot = 0;                       // pivot concepts shared with the story
  std::vector<uint64_t> shared_neutral_keys;  // which ones (feature keys), for explanations
  std::vector<uint64_t> shared_pivot_keys;    // the heaviest shared concepts
  std::vector<std::string> merged;            // stories merged into story_id by this article
  std::string linked;                         // the story linked to across languages (merged)
  double link_score = 0;                      // the story-to-story score of that link
  std::string reason;                         // "new", "text", "names", "duplicate"
};

class Clusterer {
 public:
  explicit Clusterer(const ClusterOptions& options = {}) : options_(options) {}

  // Scores `signals` against the active stories and joins or opens one.
  // `time` is the article's date, if known. Updates document frequencies.
  // `entry`: a live-blog entry, counted in StoryState::entries, not size.
  Assignment Assign(const std::string& article_id, const std::string& title, const Signals& signals,
                    std::optional<int64_t> time, bool entry = false);

  // Adds an article to a known story without scoring (duplicates, wire
  // copies). Returns false if the story is not active in memory.
  bool AddTo(const std::string& story_id, const Signals& signals, std::optional<int64_t> time);

  // The ingest time (Unix seconds) of what comes next: undated articles and
  // stories are kept in the window by it. Set before each batch.
  void set_now(int64_t now) { now_ = now; }

  // Loads a persisted story (on open); call Canonicalize() after the last one.
  void Restore(StoryState story);
  DocumentFrequencies& df() { return df_; }

  // Stories changed since the last call; clears their dirty marks.
  std::vector<const StoryState*> TakeDirty();
  // Drops stories that left the window; returns how many. A story with a
  // dated article leaves when its newest date falls behind WindowStart(); one
  // with none when its last article was ingested window_days before now.
  size_t Expire();
  // The undated window's start: now - window (ingest time).
  int64_t UndatedWindowStart() const;
  // Document-frequency buckets dropped by Canonicalize() since the last call
  // (for the store to forget).
  std::vector<DocumentFrequencies::Bucket> TakeExpiredDf();
  // Puts the state in the form that restoring it from the store gives:
  // stories that left the window are dropped (the store loads only the
  // window). Everything else already is: a story is indexed by exactly the
  // keys of its centroids, in creation (seq) order. Called after every
  // commit (every story persisted, none dirty), so that a run that restarts
  // from the store makes exactly the decisions of one that did not.
  void Canonicalize();
  // The seq the next new story gets (persisted with the stories).
  uint64_t next_seq() const { return next_seq_; }
  void set_next_seq(uint64_t s) { next_seq_ = std::max(next_seq_, s); }

  const StoryState* Find(const std::string& story_id) const;
  std::optional<int64_t> watermark() const { return watermark_; }
  size_t active_stories() const { return story_slot_.size(); }
  size_t MemoryBytes() const;  // approximate, for benchmarks
  const ClusterOptions& options() const { return options_; }

  // Vectors as used for scoring (exposed for tests and the baseline).
  void Vectors(const Signals& s, SparseVector* full, SparseVector* neutral,
               SparseVector* pivot = nullptr) const;

 private:
  struct Slot {
    StoryState story;
    double full_norm = 0, neutral_norm = 0, pivot_norm = 0;
    bool alive = false;
    // story.langs as bits of lang_bits_ (LangMask), computed for
    // lang_mask_count languages: a story only gains languages.
    uint64_t lang_mask = 0;
    size_t lang_mask_count = 0;
    bool lang_mask_ok = false;  // false past 64 languages: compare the maps
  };
  // Whether two stories share a language.
  bool ShareLanguage(Slot& a, Slot& b);
  // Candidate pre-scores, per slot (no hash map per query): AddPre, then
  // TakePre returns the slots touched with their scores and resets.
  void AddPre(uint32_t slot, float w);
  void TakePre(std::vector<std::pair<float, uint32_t>>* out);
  bool Active(const Slot& s, std::optional<int64_t> article_time) const;
  bool Expired(const Slot& s) const;
  DocumentFrequencies::Bucket DfBucket(std::optional<int64_t> time) const;
  double TimeFactor(const Slot& s, std::optional<int64_t> t) const;
  void Merge(Slot& slot, const SparseVector& full, const SparseVector& neutral,
             const SparseVector& pivot, std::optional<int64_t> t, const std::string& lang,
             bool entry = false);
  uint32_t NewSlot(StoryState story);
  void MergeStories(uint32_t into, uint32_t from);
  void LinkAcrossLanguages(uint32_t slot, Assignment* a, bool new_language);
  double SpanFactor(const Slot& a, const Slot& b) const;
  // Posting lists: every key of a story's centroids (full, neutral, pivot)
  // lists the story's slot, each list in seq order.
  void Index(uint32_t slot, const std::vector<uint64_t>& keys);
  void Unindex(uint32_t slot, const std::vector<uint64_t>& keys);
  // After a story's centroids changed from keys `before`: the index follows.
  void Reindex(uint32_t slot, const std::vector<uint64_t>& before);
  bool Earlier(uint32_t a, uint32_t b) const { return slots_[a].story.seq < slots_[b].story.seq; }

  ClusterOptions options_;
  DocumentFrequencies df_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_slots_;
  std::unordered_map<std::string, uint32_t> story_slot_;
  std::unordered_map<uint64_t, std::vector<uint32_t>> postings_;  // feature -> slots
  std::optional<int64_t> watermark_;
  uint64_t next_seq_ = 1;
  int64_t now_ = 0;
  std::vector<DocumentFrequencies::Bucket> expired_df_;
  std::unordered_map<std::string, uint32_t> lang_bits_;  // language -> bit of Slot::lang_mask
  std::vector<float> pre_score_;                         // by slot; see AddPre
  std::vector<uint8_t> pre_seen_;
  std::vector<uint32_t> pre_touched_;
};

// The oldest last_time a story may have and still take articles, given the
// newest date seen: watermark - window. None without a watermark.
std::optional<int64_t> WindowStart(std::optional<int64_t> watermark, const ClusterOptions& o);

// Stable id of a story founded by `article_id`.
std::string StoryIdFor(const std::string& article_id);

// Serialises a sparse vector (little-endian key, float pairs) and back.
std::string EncodeVector(const SparseVector& v);
SparseVector DecodeVector(std::string_view bytes);

}  // namespace storyline
