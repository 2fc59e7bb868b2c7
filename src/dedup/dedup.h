// Dedup: near-duplicates and wire copies. Public header of the stage.
//
// Each article carries a MOD-m sketch of its word 5-gram shingles (Broder
// 1997: keep every shingle whose hash is 0 mod m). Because the sample is
// consistent across documents, the shared sample count estimates both
// resemblance |A∩B|/|A∪B| and containment |A∩B|/min(|A|,|B|); containment
// finds an edited wire copy inside a longer article, which resemblance misses.
// An inverted index from sampled shingle to documents finds candidates
// without comparing all pairs.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace storyline {

struct DedupOptions {
  // Articles with fewer sampled shingles than this are not compared (too
  // short to tell a copy from a shared quote). Default 4.
  uint32_t min_sketch = 4;
  // A link needs at least this many shared samples (~4 words each). Default 6.
  uint32_t min_shared = 6;
  // Resemblance at or above this: "near_duplicate". Default 0.8.
  double near_resemblance = 0.8;
  // Containment at or above this: "wire_copy" (the smaller is mostly inside the
  // larger). Default 0.5.
  double copy_containment = 0.5;
  // Containment at or above this (and min_shared): "shares_text" (shared wire
  // paragraphs, each side with text of its own). Default 0.15.
  double shared_containment = 0.15;
  // Shingles found in more indexed documents than this are boilerplate and
  // are not used for matching. Default 50.
  uint32_t max_posting = 50;
};

enum class DupKind { kNone, kSharesText, kWireCopy, kNearDuplicate };
const char* DupKindName(DupKind k);

struct DupMatch {
  uint32_t doc = 0;           // the indexed document's handle
  uint32_t shared = 0;        // shared sampled shingles
  double resemblance = 0;     // shared / |A ∪ B| (on the samples)
  double containment = 0;     // shared / min(|A|, |B|)
  uint32_t size_query = 0;    // |A|: samples of the queried sketch
  uint32_t size_indexed = 0;  // |B|: samples of the indexed document
  DupKind kind = DupKind::kNone;
};

// Not thread-safe (Query uses scratch space of the index). Handles are
// dense small integers (the store's article row ids): the index keeps a few
// bytes per handle up to the largest one.
class DupIndex {
 public:
  explicit DupIndex(const DedupOptions& options = {}) : options_(options) {}

  // Links from `sketch` to indexed documents, strongest first (kind, then
  // shared count, then older handle). Only matches of some kind are returned.
  std::vector<DupMatch> Query(const std::vector<uint64_t>& sketch) const;

  // Indexes `sketch` under handle `doc` (handles are the caller's, unique).
  void Add(uint32_t doc, const std::vector<uint64_t>& sketch);

  // Forgets documents for which `expired(doc)` is true (window maintenance).
  // Their postings are dropped lazily: Query skips them and counts only live
  // postings against max_posting, so results are exactly those of an index
  // rebuilt from the remaining documents; the posting lists are compacted
  // once dead postings outnumber half the live ones (amortised, instead of a
  // scan of every list at each call).
  template <typename Pred>
  void RemoveIf(Pred expired);

  size_t documents() const { return documents_; }
  size_t postings() const { return postings_count_ - dead_postings_; }
  // Postings of removed documents not yet compacted away (for tests, stats).
  size_t dead_postings() const { return dead_postings_; }
  const DedupOptions& options() const { return options_; }

  // Classifies a pair from its sample counts (exposed for tests and for the
  // brute-force reference in the differential fuzzer).
  DupMatch Classify(uint32_t doc, uint32_t shared, uint32_t size_a, uint32_t size_b) const;

 private:
  uint32_t SizeOf(uint32_t doc) const { return doc < sizes_.size() ? sizes_[doc] : 0; }
  void Compact();

  DedupOptions options_;
  std::unordered_map<uint64_t, std::vector<uint32_t>> index_;
  std::vector<uint32_t> sizes_;  // samples by handle; 0 = not indexed
  std::vector<uint32_t> live_;   // indexed handles (unordered)
  std::vector<uint32_t> slot_;   // position in live_ by handle
  size_t documents_ = 0;
  size_t postings_count_ = 0;              // entries in index_, live or dead
  size_t dead_postings_ = 0;               // entries of removed documents
  std::vector<uint32_t> removed_;          // removed since the last compaction
  std::vector<uint8_t> removed_mark_;      // by handle: in removed_
  mutable std::vector<uint32_t> counts_;   // Query scratch, by handle
  mutable std::vector<uint32_t> touched_;  // Query scratch
};

template <typename Pred>
void DupIndex::RemoveIf(Pred expired) {
  for (size_t i = 0; i < live_.size();) {
    uint32_t doc = live_[i];
    if (!expired(doc)) {
      ++i;
      continue;
    }
    dead_postings_ += sizes_[doc];
    sizes_[doc] = 0;
    --documents_;
    removed_.push_back(doc);
    removed_mark_[doc] = 1;
    live_[i] = live_.back();
    slot_[live_[i]] = static_cast<uint32_t>(i);
    live_.pop_back();
  }
  if (dead_postings_ * 2 > postings_count_ - dead_postings_) Compact();
}

}  // namespace storyline
