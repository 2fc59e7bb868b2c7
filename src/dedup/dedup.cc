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
  std::unordered_map<uint32_t, uint32_t> counts;
  for (uint64_t h : sketch) {
    auto it = index_.find(h);
    if (it == index_.end() || it->second.size() > options_.max_posting) continue;
    for (uint32_t d : it->second) ++counts[d];
  }
  for (const auto& [doc, shared] : counts) {
    auto sz = sizes_.find(doc);
    if (sz == sizes_.end()) continue;
    DupMatch m = Classify(doc, shared, static_cast<uint32_t>(sketch.size()), sz->second);
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

}  // namespace storyline
