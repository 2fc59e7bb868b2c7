#include "dedup/dedup.h"

#include <algorithm>

namespace storyline {

const char* DupKindName(DupKind k) {
  switch (k) {
    case DupKind::kNone:
      return "none";
    case DupKind::kSharesText:
      return "shares_text";
    case DupKind::kWireCopy:
      return "wire_copy";
    case DupKind::kNearDuplicate:
      return "near_duplicate";
  }
  return "none";
}

DupMatch DupIndex::Classify(uint32_t doc, uint32_t shared, uint32_t size_a, uint32_t size_b) const {
  DupMatch m;
  m.doc = doc;
  m.shared = shared;
  m.size_query = size_a;
  m.size_indexed = size_b;
  uint32_t uni = size_a + size_b - shared;
  m.resemblance = uni ? static_cast<double>(shared) / uni : 0;
  uint32_t small = std::min(size_a, size_b);
  m.containment = small ? static_cast<double>(shared) / small : 0;
  if (size_a < options_.min_sketch || size_b < options_.min_sketch) return m;
  if (m.resemblance >= options_.near_resemblance) {
    m.kind = DupKind::kNearDuplicate;
  } else if (shared >= options_.min_shared && m.containment >= options_.copy_containment) {
    m.kind = DupKind::kWireCopy;
  } else if (shared >= options_.min_shared && m.containment >= options_.shared_containment) {
    m.kind = DupKind::kSharesText;
  }
  return m;
}

std::vector<DupMatch> DupIndex::Query(const std::vector<uint64_t>& sketch) const {
  std::vector<DupMatch> out;
  if (sketch.size() < options_.min_sketch) return out;
  if (counts_.size() < sizes_.size()) counts_.resize(sizes_.size(), 0);
  touched_.clear();
  auto count = [&](uint32_t d) {
    if (!SizeOf(d)) return;  // removed, not yet compacted
    if (counts_[d]++ == 0) touched_.push_back(d);
  };
  for (uint64_t h : sketch) {
    auto it = index_.find(h);
    if (it == index_.end()) continue;
    const std::vector<uint32_t>& v = it->second;
    if (v.size() > options_.max_posting) {
      if (!dead_postings_) continue;
      // Live postings decide, as in a compacted list; the newest are at the
      // back, so a long live list is recognised after max_posting + 1 steps.
      size_t live = 0;
      for (auto d = v.rbegin(); d != v.rend() && live <= options_.max_posting; ++d)
        live += SizeOf(*d) != 0;
      if (live > options_.max_posting) continue;
    }
    for (uint32_t d : v) count(d);
  }
  for (uint32_t doc : touched_) {
    DupMatch m = Classify(doc, counts_[doc], static_cast<uint32_t>(sketch.size()), sizes_[doc]);
    counts_[doc] = 0;
    if (m.kind != DupKind::kNone) out.push_back(m);
  }
  std::sort(out.begin(), out.end(), [](const DupMatch& a, const DupMatch& b) {
    if (a.kind != b.kind) return a.kind > b.kind;
    if (a.shared != b.shared) return a.shared > b.shared;
    return a.doc < b.doc;
  });
  return out;
}

void DupIndex::Add(uint32_t doc, const std::vector<uint64_t>& sketch) {
  if (sketch.size() < options_.min_sketch) return;
  // A handle removed earlier and indexed again must not revive its old
  // postings.
  if (doc < removed_mark_.size() && removed_mark_[doc]) Compact();
  if (doc >= sizes_.size()) {
    size_t n = std::max<size_t>(static_cast<size_t>(doc) + 1, sizes_.size() * 3 / 2);
    sizes_.resize(n, 0);
    slot_.resize(n, 0);
    removed_mark_.resize(n, 0);
  }
  if (!sizes_[doc]) {
    ++documents_;
    slot_[doc] = static_cast<uint32_t>(live_.size());
    live_.push_back(doc);
  }
  sizes_[doc] = static_cast<uint32_t>(sketch.size());
  for (uint64_t h : sketch) {
    auto& v = index_[h];
    // Lists longer than max_posting (boilerplate) are skipped by Query but
    // kept whole, so that after the window moves on (RemoveIf) a list is the
    // same as one rebuilt from the store.
    v.push_back(doc);
    ++postings_count_;
  }
}

void DupIndex::Compact() {
  postings_count_ = 0;
  for (auto it = index_.begin(); it != index_.end();) {
    auto& v = it->second;
    std::erase_if(v, [&](uint32_t d) { return SizeOf(d) == 0; });
    if (v.empty()) {
      it = index_.erase(it);
    } else {
      postings_count_ += v.size();
      ++it;
    }
  }
  dead_postings_ = 0;
  for (uint32_t d : removed_) removed_mark_[d] = 0;
  removed_.clear();
}

}  // namespace storyline
