// Summary: what a story says, per story. Public header of the stage.
//
// From a story's articles (their text and per-article enrichment) and the
// copy links between them: its entities merged across articles and
// languages, its quotes with the same statement grouped across languages,
// its figures with disagreements flagged, its sources (articles, independent
// sources, agencies, who copied whom), a headline, 3-5 bullets chosen by
// centrality across sources with redundancy removed (MMR), each citing its
// articles, and a timeline. No model: names, numbers and the pivot concepts
// of the signals stage carry the comparison across languages.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "enrich/enrich.h"
#include "signals/signals.h"

namespace storyline {

class Analyzer;

struct SummaryArticle {
  std::string id;
  std::string title;
  std::string text;
  std::string lang;
  std::string source;
  std::optional<int64_t> published;
  Enrichment intel;
  // Or the enrichment as stored (EncodeEnrichment), decoded by Summarize only
  // where it is read: the analysed articles when the memo has no analysis,
  // and the agencies of each (kept in the memo). Empty: `intel` is used.
  std::string intel_json;
  // A live-blog entry (its article's text holds it too): on the timeline
  // only, not counted as an article or a source.
  bool entry = false;
  // A digest of everything above (the caller's: PrepareSummary hashes the
  // stored title, text and enrichment), for a SummaryMemo. 0: unknown, and a
  // story with such an article among those summarised is always analysed.
  uint64_t digest = 0;
};

// A copy link between two of the story's articles (dedup stage).
struct SummaryLink {
  std::string article;  // the copy
  std::string of;       // the original
  std::string kind;     // "exact", "near_duplicate", "wire_copy", "shares_text"
};

struct StoryEntity {
  std::string name;
  EntityType type = EntityType::kOther;
  std::string key;
  uint32_t count = 0;  // mentions over the story's articles
  uint32_t articles = 0;
  std::vector<std::string> languages;
  std::vector<std::string> variants;
};

struct StoryQuote {
  // "marks" or "dash" (direct quotes), or "reported": a sentence that
  // reports what a named person said ("Putin has said that Russia does not
  // want war", "... Det uppger Vladimir Putin"), so that a statement is
  // grouped with its direct quotes in other languages.
  std::string form = "marks";
  std::string speaker;
  std::string speaker_key;
  std::string text;
  std::string lang;
  std::string article;
  int group = 0;  // quotes with the same group are one statement
};

struct FigureValue {
  double value = 0;
  std::optional<double> value_max;
  std::string as_written;
  std::string article;
  std::string lang;
};

struct StoryFigure {
  std::string what;
  std::string unit;
  std::vector<FigureValue> values;
  bool disagree = false;  // articles report different values for it
};

struct StorySources {
  int articles = 0;
  int independent = 0;  // articles minus copies; sources sharing wire text count once
  std::vector<std::string> agencies;
  std::vector<SummaryLink> copies;         // who copied whom
  std::map<std::string, int> by_language;  // articles per language
};

struct Bullet {
  std::string text;
  std::string lang;
  std::vector<std::string> articles;  // the article it is from first, then the ones that agree
};

struct TimelineEntry {
  std::optional<int64_t> time;
  std::string article;
  std::string title;
  std::string lang;
  std::string source;
  std::string copy_of;  // when the article is a copy
};

struct StoryIntel {
  std::string headline;
  std::string headline_lang;
  std::map<std::string, std::string> headlines;  // the most central title per language
  std::vector<Bullet> bullets;
  std::vector<StoryEntity> entities;
  std::vector<StoryQuote> quotes;
  std::vector<StoryFigure> figures;
  StorySources sources;
  std::vector<TimelineEntry> timeline;
  // Entries left out of the timeline (between its first `timeline_first` and
  // the rest), 0 if none.
  size_t timeline_omitted = 0;
  size_t timeline_omitted_after = 0;
};

struct SummaryOptions {
  size_t max_articles = 40;          // the most central are summarised (by time, earliest first)
  size_t sentences_per_article = 6;  // lead sentences considered for bullets
  size_t max_bullets = 5;
  size_t min_bullets = 3;
  double mmr_lambda = 0.7;         // centrality against redundancy
  double cite_similarity = 0.3;    // a sentence this close supports a bullet
  double quote_similarity = 0.25;  // two quotes of one speaker this close are one statement
  // A reported statement joins a direct quote of its speaker sharing this
  // share of the smaller one's words and concepts (and at least two).
  double reported_overlap = 0.2;
  double figure_ratio = 2.0;  // values within this factor count as one quantity
  size_t max_entities = 40;
  size_t max_figures = 20;
  // The timeline lists the earliest `timeline_first` and the latest
  // `timeline_last` articles and entries: a story of hundreds of articles is a
  // list, not a timeline (the story page lists them all under Sources), and
  // its summary stays the same size however long the story runs.
  size_t timeline_first = 10;
  size_t timeline_last = 40;
};

// The analysed part of a summary (entities, quotes, figures, headlines,
// bullets) depends only on the articles it summarises: the earliest
// `max_articles` originals. Once a story has that many, the articles it gains
// later change its sources and timeline, not that part. The memo keeps it for
// recent summaries, keyed by the digests of the summarised articles (and which
// of them are copies), so that a large story re-summarised at each commit is
// not analysed again: the cost of a summary stays bounded by `max_articles`
// however long the story runs. A pure cache: a hit returns what the analysis
// would. One memo per SummaryOptions and Analyzer settings; holds at most
// `max_entries` summaries (the least recently used leave first, roughly: two
// generations). Not thread-safe.
//
// A story still below `max_articles` is analysed again at each commit that
// adds to it, but its older titles, sentences and quotes are not: their
// feature vectors (a pure function of text and language) are kept too, at most
// `max_vectors` of them, in two generations as well (and as many articles'
// agencies, see SummaryArticle::intel_json) (a sentence's features:
// a few hundred bytes each, some tens of MiB at most by default). Keys are 64-bit hashes of
// the text: two texts with one key (odds ~1e-9 among 131,072) would share a
// vector. The decoded enrichment and the reported statements of the
// articles analysed are kept too (`max_articles` of each, by the hash of the
// stored JSON and by the article's digest).
//
// At most `max` values by key in two generations: when the current one holds
// half, it becomes the previous one and the previous is dropped; a value
// found in the previous one moves to the current one.
template <class V>
class TwoGenerations {
 public:
  explicit TwoGenerations(size_t max) : max_(max) {}
  size_t size() const { return current_.size() + previous_.size(); }
  const V* Find(uint64_t key) {
    if (auto it = current_.find(key); it != current_.end()) return &it->second;
    auto it = previous_.find(key);
    if (it == previous_.end()) return nullptr;
    auto node = previous_.extract(it);
    if (Full()) Rotate();
    return &current_.insert(std::move(node)).position->second;
  }
  void Put(uint64_t key, V value) {
    if (max_ == 0) return;
    if (Full()) Rotate();
    current_.insert_or_assign(key, std::move(value));
  }

 private:
  bool Full() const { return current_.size() >= std::max<size_t>(1, max_ / 2); }
  void Rotate() {
    previous_ = std::move(current_);
    current_.clear();
  }
  size_t max_;
  std::unordered_map<uint64_t, V> current_, previous_;
};

class SummaryMemo {
 public:
  // The defaults hold what a full clustering window asks of it while the
  // stories touched by a call are summarised again (a window of ~100k
  // articles: their titles and lead sentences, ~4 vectors and one list of
  // reported statements each, ~200 MB at most); decoded enrichments are
  // larger and cheaper to redo, so fewer are kept.
  static constexpr size_t kMaxEntries = 2048, kMaxVectors = size_t{1} << 19,
                          kMaxDecoded = size_t{1} << 14, kMaxReported = size_t{1} << 17;
  explicit SummaryMemo(size_t max_entries = kMaxEntries, size_t max_vectors = kMaxVectors,
                       size_t max_decoded = kMaxDecoded, size_t max_reported = kMaxReported)
      : analysed_(max_entries),
        vectors_(max_vectors),
        agencies_(max_reported),
        decoded_(max_decoded),
        reported_(max_reported) {}
  size_t hits() const { return hits_; }
  size_t misses() const { return misses_; }
  size_t size() const { return analysed_.size(); }
  size_t vector_hits() const { return vector_hits_; }
  size_t vector_misses() const { return vector_misses_; }

  // The analysed part stored under `key`, or nullptr.
  const StoryIntel* Find(uint64_t key);
  void Put(uint64_t key, StoryIntel analysed);

  // A feature vector (sorted, normalised) stored under `key`, or nullptr.
  const std::vector<Feature>* FindVector(uint64_t key);
  void PutVector(uint64_t key, std::vector<Feature> features);

  // The agencies of a stored enrichment (keyed by its JSON's hash), or nullptr.
  const std::vector<std::string>* FindAgencies(uint64_t key) { return agencies_.Find(key); }
  void PutAgencies(uint64_t key, std::vector<std::string> agencies) {
    agencies_.Put(key, std::move(agencies));
  }

  // A stored enrichment decoded (keyed by its JSON's hash), or nullptr: an
  // article analysed at each commit while its story grows is decoded once.
  const Enrichment* FindDecoded(uint64_t key) {
    const Enrichment* hit = decoded_.Find(key);
    decoded_hits_ += hit != nullptr;
    return hit;
  }
  size_t decoded_hits() const { return decoded_hits_; }
  size_t reported_hits() const { return reported_hits_; }
  void PutDecoded(uint64_t key, Enrichment e) { decoded_.Put(key, std::move(e)); }

  // An article's reported statements (keyed by its digest), or nullptr.
  const std::vector<StoryQuote>* FindReported(uint64_t digest) {
    const std::vector<StoryQuote>* hit = reported_.Find(digest);
    reported_hits_ += hit != nullptr;
    return hit;
  }
  void PutReported(uint64_t digest, std::vector<StoryQuote> q) {
    reported_.Put(digest, std::move(q));
  }

 private:
  size_t hits_ = 0, misses_ = 0, vector_hits_ = 0, vector_misses_ = 0, decoded_hits_ = 0,
         reported_hits_ = 0;
  TwoGenerations<StoryIntel> analysed_;
  TwoGenerations<std::vector<Feature>> vectors_;
  TwoGenerations<std::vector<std::string>> agencies_;
  TwoGenerations<Enrichment> decoded_;
  TwoGenerations<std::vector<StoryQuote>> reported_;
};

// `analyzer` compares titles, sentences and quotes (names, numbers, pivot
// concepts); not thread-safe, like the Analyzer. Never fails. With `memo`,
// the analysis of an unchanged set of summarised articles is reused.
StoryIntel Summarize(const std::vector<SummaryArticle>& articles,
                     const std::vector<SummaryLink>& links, Analyzer& analyzer,
                     const SummaryOptions& options = {}, SummaryMemo* memo = nullptr);

// As a JSON object with the fields `entities`, `quotes`, `figures`,
// `sources`, `summary` and `timeline` of `storyline story ID --json`.
std::string EncodeStoryIntel(const StoryIntel& s);

}  // namespace storyline
