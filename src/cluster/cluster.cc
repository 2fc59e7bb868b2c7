#include "cluster/cluster.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_set>

#include "common/text.h"

namespace storyline {

namespace {

constexpr double kDay = 86400.0;

double Norm(const SparseVector& v) {
  double s = 0;
  for (const auto& f : v) s += static_cast<double>(f.tf) * f.tf;
  return std::sqrt(s);
}

void Normalize(SparseVector& v) {
  double n = Norm(v);
  if (n <= 0) return;
  for (auto& f : v) f.tf = static_cast<float>(f.tf / n);
}

// Dot product of two key-sorted vectors; counts shared keys.
double Dot(const SparseVector& a, const SparseVector& b, int* shared) {
  double s = 0;
  int n = 0;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i].key < b[j].key) {
      ++i;
    } else if (a[i].key > b[j].key) {
      ++j;
    } else {
      s += static_cast<double>(a[i].tf) * b[j].tf;
      ++n;
      ++i;
      ++j;
    }
  }
  if (shared) *shared = n;
  return s;
}

// a += b (both key-sorted); returns the keys that are new to a.
SparseVector AddInto(SparseVector& a, const SparseVector& b) {
  SparseVector merged, added;
  merged.reserve(a.size() + b.size());
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].key < b[j].key)) {
      merged.push_back(a[i++]);
    } else if (i == a.size() || b[j].key < a[i].key) {
      merged.push_back(b[j]);
      added.push_back(b[j]);
      ++j;
    } else {
      merged.push_back({a[i].key, a[i].tf + b[j].tf});
      ++i;
      ++j;
    }
  }
  a.swap(merged);
  return added;
}

// The keys a story is found by: those of its full, neutral and pivot
// centroids (names and numbers the full vector's cap left out too), sorted.
std::vector<uint64_t> IndexKeys(const StoryState& s) {
  std::vector<uint64_t> k;
  k.reserve(s.full.size() + s.neutral.size() + s.pivot.size());
  for (const SparseVector* v : {&s.full, &s.neutral, &s.pivot})
    for (const auto& f : *v) k.push_back(f.key);
  std::sort(k.begin(), k.end());
  k.erase(std::unique(k.begin(), k.end()), k.end());
  return k;
}

// The `n` heaviest entries of `v` (ties: smaller key), in no particular order.
SparseVector Strongest(SparseVector v, size_t n) {
  if (v.size() > n) {
    std::nth_element(v.begin(), v.begin() + static_cast<long>(n), v.end(),
                     [](const Feature& a, const Feature& b) {
                       return a.tf != b.tf ? a.tf > b.tf : a.key < b.key;
                     });
    v.resize(n);
  }
  return v;
}

// Keeps the `cap` heaviest entries (ties: smaller key), key-sorted.
void Truncate(SparseVector& v, size_t cap) {
  if (v.size() <= cap) return;
  v = Strongest(std::move(v), cap);
  std::sort(v.begin(), v.end(), [](const Feature& a, const Feature& b) { return a.key < b.key; });
}

}  // namespace

int64_t DayOf(int64_t t) {
  constexpr int64_t kSecondsPerDay = 86400;
  return t >= 0 ? t / kSecondsPerDay : -((-(t + 1)) / kSecondsPerDay) - 1;
}

void DocumentFrequencies::Add(const Signals& s, Bucket b) {
  ++documents_;
  Days& days = buckets_[b];
  ++days.documents;
  dirty_buckets_.insert(b);
  auto& dirty = dirty_[b];
  for (const auto* list : {&s.terms, &s.names, &s.numbers, &s.pivots})
    for (const auto& f : *list) {
      ++df_[f.key];
      ++days.counts[f.key];
      dirty.insert(f.key);
    }
}

double DocumentFrequencies::Idf(uint64_t key) const {
  auto it = df_.find(key);
  double df = it == df_.end() ? 0 : it->second;
  return std::log((static_cast<double>(documents_) + 1) / (df + 1)) + 1;
}

size_t DocumentFrequencies::bucket_entries() const {
  size_t n = 0;
  for (const auto& [b, days] : buckets_) n += days.counts.size();
  return n;
}

void DocumentFrequencies::Set(Bucket b, uint64_t key, uint32_t n) {
  uint32_t& have = buckets_[b].counts[key];
  df_[key] += n - have;  // unsigned wrap-around adds the difference
  have = n;
}

void DocumentFrequencies::SetDocuments(Bucket b, uint64_t n) {
  uint64_t& have = buckets_[b].documents;
  documents_ = documents_ - have + n;
  have = n;
}

std::vector<DocumentFrequencies::Bucket> DocumentFrequencies::Expire(
    std::optional<int64_t> dated_since_day, int64_t undated_since_day, uint64_t min_documents) {
  std::vector<Bucket> old;
  for (const auto& [b, days] : buckets_)
    if (b.undated ? b.day < undated_since_day : dated_since_day && b.day < *dated_since_day)
      old.push_back(b);
  // Oldest first, whichever clock: the day decides, dated before undated.
  std::sort(old.begin(), old.end(), [](const Bucket& a, const Bucket& b) {
    return std::pair(a.day, a.undated) < std::pair(b.day, b.undated);
  });
  std::vector<Bucket> dropped;
  for (const Bucket& b : old) {
    auto it = buckets_.find(b);
    if (documents_ - it->second.documents < min_documents) break;
    documents_ -= it->second.documents;
    for (const auto& [key, n] : it->second.counts) {
      auto d = df_.find(key);
      if (d == df_.end()) continue;
      if (d->second <= n)
        df_.erase(d);
      else
        d->second -= n;
    }
    buckets_.erase(it);
    dirty_.erase(b);
    dirty_buckets_.erase(b);
    dropped.push_back(b);
  }
  return dropped;
}

std::vector<DocumentFrequencies::Count> DocumentFrequencies::DirtyCounts() const {
  std::vector<Count> out;
  for (const auto& [b, keys] : dirty_) {
    auto days = buckets_.find(b);
    if (days == buckets_.end()) continue;
    for (uint64_t k : keys)
      if (auto it = days->second.counts.find(k); it != days->second.counts.end())
        out.push_back({b, k, it->second});
  }
  // A stable order, so that the writes (and the file) do not depend on hashing.
  std::sort(out.begin(), out.end(), [](const Count& a, const Count& b) {
    return std::tie(a.bucket, a.key) < std::tie(b.bucket, b.key);
  });
  return out;
}

std::vector<std::pair<DocumentFrequencies::Bucket, uint64_t>> DocumentFrequencies::DirtyDocuments()
    const {
  std::vector<std::pair<Bucket, uint64_t>> out;
  for (const Bucket& b : dirty_buckets_)
    if (auto it = buckets_.find(b); it != buckets_.end()) out.emplace_back(b, it->second.documents);
  return out;
}

std::string StoryIdFor(const std::string& article_id) {
  return "s" + Hex64(Hash64(article_id, 0x73746f72u));
}

std::string EncodeVector(const SparseVector& v) {
  std::string out(v.size() * 12, '\0');
  char* p = out.data();
  for (const auto& f : v) {
    std::memcpy(p, &f.key, 8);
    std::memcpy(p + 8, &f.tf, 4);
    p += 12;
  }
  return out;
}

SparseVector DecodeVector(std::string_view bytes) {
  SparseVector v(bytes.size() / 12);
  const char* p = bytes.data();
  for (auto& f : v) {
    std::memcpy(&f.key, p, 8);
    std::memcpy(&f.tf, p + 8, 4);
    p += 12;
  }
  std::sort(v.begin(), v.end(), [](const Feature& a, const Feature& b) { return a.key < b.key; });
  return v;
}

void Clusterer::Vectors(const Signals& s, SparseVector* full, SparseVector* neutral,
                        SparseVector* pivot) const {
  full->clear();
  neutral->clear();
  if (pivot) pivot->clear();
  // Sublinear tf; a fractional tf (a pivot concept shared by several
  // meanings of one word) scales down linearly.
  auto weight = [&](const Feature& f) {
    double tf = f.tf >= 1 ? 1.0 + std::log(f.tf) : f.tf;
    return tf * df_.Idf(f.key);
  };
  for (const auto& f : s.terms) full->push_back({f.key, static_cast<float>(weight(f))});
  for (const auto* list : {&s.names, &s.numbers})
    for (const auto& f : *list) {
      double w = weight(f);
      full->push_back({f.key, static_cast<float>(w * options_.name_boost)});
      neutral->push_back({f.key, static_cast<float>(w)});
    }
  auto by_key = [](const Feature& a, const Feature& b) { return a.key < b.key; };
  std::sort(full->begin(), full->end(), by_key);
  std::sort(neutral->begin(), neutral->end(), by_key);
  // Names, numbers and stems live in different hash spaces; merge the rare
  // accidental equal keys.
  auto dedupe = [](SparseVector& v) {
    size_t o = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      if (o > 0 && v[o - 1].key == v[i].key)
        v[o - 1].tf += v[i].tf;
      else
        v[o++] = v[i];
    }
    v.resize(o);
  };
  dedupe(*full);
  dedupe(*neutral);
  Normalize(*full);
  Normalize(*neutral);
  if (pivot) {
    // Pivots are sorted and unique already (one hash space).
    for (const auto& f : s.pivots) pivot->push_back({f.key, static_cast<float>(weight(f))});
    // A long article's concepts beyond its strongest few add cost and
    // little evidence.
    Truncate(*pivot, options_.max_article_pivots);
    Normalize(*pivot);
  }
}

std::optional<int64_t> WindowStart(std::optional<int64_t> watermark, const ClusterOptions& o) {
  if (!watermark) return std::nullopt;
  return *watermark - static_cast<int64_t>(std::llround(o.window_days * kDay));
}

bool Clusterer::Active(const Slot& s, std::optional<int64_t> t) const {
  if (!s.alive) return false;
  // An undated article may belong to any story still in memory.
  if (!t || !watermark_ || !s.story.last_time) return true;
  return *s.story.last_time >= *WindowStart(watermark_, options_);
}

double Clusterer::TimeFactor(const Slot& s, std::optional<int64_t> t) const {
  if (!t || !s.story.first_time) return 1.0;
  double gap = 0;
  if (*t < *s.story.first_time)
    gap = static_cast<double>(*s.story.first_time - *t);
  else if (*t > *s.story.last_time)
    gap = static_cast<double>(*t - *s.story.last_time);
  // Dates are often day-precision and time zones differ: the first day is free.
  gap = std::max(0.0, gap - kDay);
  double sigma = options_.time_sigma_days * kDay;
  double g = std::exp(-(gap * gap) / (2 * sigma * sigma));
  return options_.time_floor + (1 - options_.time_floor) * g;
}

bool Clusterer::ShareLanguage(Slot& a, Slot& b) {
  for (Slot* s : {&a, &b}) {
    if (s->lang_mask_count == s->story.langs.size()) continue;
    s->lang_mask = 0;
    s->lang_mask_ok = true;
    for (const auto& [lang, n] : s->story.langs) {
      uint32_t bit =
          lang_bits_.emplace(lang, static_cast<uint32_t>(lang_bits_.size())).first->second;
      if (bit >= 64)
        s->lang_mask_ok = false;
      else
        s->lang_mask |= uint64_t{1} << bit;
    }
    s->lang_mask_count = s->story.langs.size();
  }
  if (a.lang_mask_ok && b.lang_mask_ok) return (a.lang_mask & b.lang_mask) != 0;
  for (const auto& [lang, n] : b.story.langs)
    if (a.story.langs.count(lang)) return true;
  return false;
}

void Clusterer::AddPre(uint32_t slot, float w) {
  if (pre_score_.size() <= slot) {
    pre_score_.resize(slots_.size() > slot ? slots_.size() : slot + 1, 0.0f);
    pre_seen_.resize(pre_score_.size(), 0);
  }
  if (!pre_seen_[slot]) {
    pre_seen_[slot] = 1;
    pre_touched_.push_back(slot);
  }
  pre_score_[slot] += w;
}

void Clusterer::TakePre(std::vector<std::pair<float, uint32_t>>* out) {
  out->clear();
  out->reserve(pre_touched_.size());
  for (uint32_t slot : pre_touched_) {
    out->emplace_back(pre_score_[slot], slot);
    pre_score_[slot] = 0.0f;
    pre_seen_[slot] = 0;
  }
  pre_touched_.clear();
}

uint32_t Clusterer::NewSlot(StoryState story) {
  uint32_t idx;
  if (!free_slots_.empty()) {
    idx = free_slots_.back();
    free_slots_.pop_back();
  } else {
    idx = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[idx];
  s.story = std::move(story);
  s.lang_mask = 0;  // a reused slot: its languages are the new story's
  s.lang_mask_count = 0;
  s.lang_mask_ok = true;
  if (s.story.seq == 0) s.story.seq = next_seq_;
  next_seq_ = std::max(next_seq_, s.story.seq + 1);
  s.full_norm = Norm(s.story.full);
  s.neutral_norm = Norm(s.story.neutral);
  s.pivot_norm = Norm(s.story.pivot);
  s.alive = true;
  story_slot_[s.story.id] = idx;
  Index(idx, IndexKeys(s.story));
  return idx;
}

void Clusterer::Index(uint32_t slot, const std::vector<uint64_t>& keys) {
  const uint64_t seq = slots_[slot].story.seq;
  for (uint64_t key : keys) {
    auto& list = postings_[key];
    if (list.empty() || slots_[list.back()].story.seq < seq) {
      list.push_back(slot);  // the common case: the newest story
      continue;
    }
    auto it = std::lower_bound(list.begin(), list.end(), seq,
                               [&](uint32_t x, uint64_t s) { return slots_[x].story.seq < s; });
    if (it == list.end() || *it != slot) list.insert(it, slot);
  }
}

void Clusterer::Unindex(uint32_t slot, const std::vector<uint64_t>& keys) {
  const uint64_t seq = slots_[slot].story.seq;
  for (uint64_t key : keys) {
    auto p = postings_.find(key);
    if (p == postings_.end()) continue;
    auto& list = p->second;
    auto it = std::lower_bound(list.begin(), list.end(), seq,
                               [&](uint32_t x, uint64_t s) { return slots_[x].story.seq < s; });
    if (it != list.end() && *it == slot) list.erase(it);
    if (list.empty()) postings_.erase(p);
  }
}

void Clusterer::Reindex(uint32_t slot, const std::vector<uint64_t>& before) {
  std::vector<uint64_t> after = IndexKeys(slots_[slot].story), gone, added;
  std::set_difference(before.begin(), before.end(), after.begin(), after.end(),
                      std::back_inserter(gone));
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                      std::back_inserter(added));
  Unindex(slot, gone);
  Index(slot, added);
}

void Clusterer::Merge(Slot& slot, const SparseVector& full, const SparseVector& neutral,
                      const SparseVector& pivot, std::optional<int64_t> t, const std::string& lang,
                      bool entry) {
  StoryState& st = slot.story;
  const std::vector<uint64_t> before = IndexKeys(st);
  AddInto(st.full, full);
  AddInto(st.neutral, neutral);
  AddInto(st.pivot, pivot);
  if (st.full.size() > options_.max_story_terms * 3 / 2)
    Truncate(st.full, options_.max_story_terms);
  if (st.neutral.size() > options_.max_story_neutral * 3 / 2)
    Truncate(st.neutral, options_.max_story_neutral);
  if (st.pivot.size() > options_.max_story_pivot * 3 / 2)
    Truncate(st.pivot, options_.max_story_pivot);
  slot.full_norm = Norm(st.full);
  slot.neutral_norm = Norm(st.neutral);
  slot.pivot_norm = Norm(st.pivot);
  Reindex(static_cast<uint32_t>(&slot - slots_.data()), before);
  if (t) {
    st.first_time = st.first_time ? std::min(*st.first_time, *t) : *t;
    st.last_time = st.last_time ? std::max(*st.last_time, *t) : *t;
  }
  if (entry) {
    ++st.entries;
  } else {
    ++st.size;
  }
  ++st.langs[lang];
  st.last_seen = std::max(st.last_seen, now_);
  st.dirty = true;
}

Assignment Clusterer::Assign(const std::string& article_id, const std::string& title,
                             const Signals& signals, std::optional<int64_t> time, bool entry) {
  df_.Add(signals, DfBucket(time));
  if (time && (!watermark_ || *time > *watermark_)) watermark_ = time;
  SparseVector full, neutral, pivot;
  Vectors(signals, &full, &neutral, &pivot);

  // Retrieval: the strongest features of the article, most recent stories first.
  SparseVector query = Strongest(full, options_.query_features);
  // Every neutral feature is a query feature too: names carry across
  // languages; so do the strongest pivot concepts.
  for (const auto& f : neutral) query.push_back(f);
  for (const auto& f : Strongest(pivot, options_.pivot_query_features))
    query.push_back({f.key, f.tf * static_cast<float>(options_.pivot_weight)});
  // Each posting hit adds the feature's weight to the story's pre-score (an
  // inverted-index approximation of the dot product); only the best
  // `max_candidates` are scored exactly.
  for (const auto& f : query) {
    auto it = postings_.find(f.key);
    if (it == postings_.end()) continue;
    const auto& list = it->second;
    size_t taken = 0;
    for (auto r = list.rbegin(); r != list.rend() && taken < options_.max_stories_per_feature;
         ++r, ++taken)
      AddPre(*r, f.tf);
  }
  std::vector<std::pair<float, uint32_t>> ranked;
  TakePre(&ranked);
  std::erase_if(ranked, [&](const auto& c) { return !Active(slots_[c.second], time); });
  auto by_pre = [&](const std::pair<float, uint32_t>& a, const std::pair<float, uint32_t>& b) {
    return a.first != b.first ? a.first > b.first : Earlier(a.second, b.second);
  };
  if (ranked.size() > options_.max_candidates) {
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<long>(options_.max_candidates),
                      ranked.end(), by_pre);
    ranked.resize(options_.max_candidates);
  } else {
    std::sort(ranked.begin(), ranked.end(), by_pre);
  }
  std::vector<uint32_t> candidates;
  candidates.reserve(ranked.size());
  for (const auto& [p, slot] : ranked) candidates.push_back(slot);

  Assignment best;
  int best_slot = -1;
  std::vector<uint32_t> strong;  // candidates above the merge threshold
  for (uint32_t c : candidates) {
    const Slot& s = slots_[c];
    int shared_full = 0, shared_neutral = 0, shared_pivot = 0;
    // Without an article in this language the story shares no stems with it:
    // only the language-neutral evidence (and its rules) applies.
    bool same_language = s.story.langs.count(signals.lang) > 0;
    double fc =
        same_language && s.full_norm > 0 ? Dot(full, s.story.full, &shared_full) / s.full_norm : 0;
    double nc =
        s.neutral_norm > 0 ? Dot(neutral, s.story.neutral, &shared_neutral) / s.neutral_norm : 0;
    double pc = !same_language && s.pivot_norm > 0 && !pivot.empty()
                    ? Dot(pivot, s.story.pivot, &shared_pivot) / s.pivot_norm
                    : 0;
    // Across languages: names and numbers, and the words' pivot concepts, but
    // only with enough shared names/numbers (topic words alone would join two
    // earthquakes in different countries).
    bool evidence = shared_neutral >= options_.min_shared_neutral ||
                    (shared_neutral >= 1 && shared_pivot >= options_.min_shared_pivot);
    double nscore = evidence ? options_.neutral_weight * nc + options_.pivot_weight * pc : 0;
    double tf = TimeFactor(s, time);
    // Same language: the full vector (stems, names, numbers) decides. Names
    // alone would join different events that share a country or a leader.
    if (same_language) nscore = 0;
    double score = std::max(fc, nscore) * tf;
    if (score >= options_.merge_threshold) strong.push_back(c);
    bool better =
        score > best.score || (score == best.score && best_slot >= 0 && s.story.id < best.story_id);
    if (better) {
      best.score = score;
      best.full = fc;
      best.neutral = nc;
      best.pivot = pc;
      best.cross_language = !same_language;
      best.time_factor = tf;
      best.shared_neutral = shared_neutral;
      best.shared_pivot = shared_pivot;
      best.story_id = s.story.id;
      best.reason = nscore > fc ? "names" : "text";
      best_slot = static_cast<int>(c);
    }
  }

  const double threshold = best.cross_language && options_.cross_threshold > 0
                               ? options_.cross_threshold
                               : options_.threshold;
  if (best_slot >= 0 && best.score >= threshold) {
    // Record the shared language-neutral evidence before the article merges in.
    const SparseVector& sn = slots_[static_cast<size_t>(best_slot)].story.neutral;
    for (const auto& f : neutral) {
      auto it = std::lower_bound(sn.begin(), sn.end(), f.key,
                                 [](const Feature& a, uint64_t k) { return a.key < k; });
      if (it != sn.end() && it->key == f.key) best.shared_neutral_keys.push_back(f.key);
    }
    if (best.cross_language) {
      // The shared pivot concepts that weigh most in the dot product.
      const SparseVector& sp = slots_[static_cast<size_t>(best_slot)].story.pivot;
      std::vector<std::pair<float, uint64_t>> shared;
      for (const auto& f : pivot) {
        auto it = std::lower_bound(sp.begin(), sp.end(), f.key,
                                   [](const Feature& a, uint64_t k) { return a.key < k; });
        if (it != sp.end() && it->key == f.key) shared.emplace_back(f.tf * it->tf, f.key);
      }
      std::sort(shared.begin(), shared.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
      });
      for (size_t i = 0; i < shared.size() && i < 8; ++i)
        best.shared_pivot_keys.push_back(shared[i].second);
    }
    // The largest of the stories the article bridges keeps its id.
    uint32_t survivor = static_cast<uint32_t>(best_slot);
    for (uint32_t c : strong)
      if (slots_[c].story.size > slots_[survivor].story.size) survivor = c;
    Merge(slots_[survivor], full, neutral, pivot, time, signals.lang, entry);
    strong.push_back(static_cast<uint32_t>(best_slot));
    std::sort(strong.begin(), strong.end(), [&](uint32_t a, uint32_t b) { return Earlier(a, b); });
    strong.erase(std::unique(strong.begin(), strong.end()), strong.end());
    for (uint32_t c : strong) {
      if (c == survivor || !slots_[c].alive) continue;
      best.merged.push_back(slots_[c].story.id);
      MergeStories(survivor, c);
    }
    best.story_id = slots_[survivor].story.id;
  } else {
    StoryState st;
    st.id = StoryIdFor(article_id);
    st.title = title;
    uint32_t idx = NewSlot(std::move(st));
    Slot& slot = slots_[idx];
    slot.story.size = 0;
    Merge(slot, full, neutral, pivot, time, signals.lang, entry);
    Assignment a;
    a.story_id = slot.story.id;
    a.new_story = true;
    a.reason = "new";
    a.full = best.full;
    a.neutral = best.neutral;
    best = a;
  }
  if (auto it = story_slot_.find(best.story_id); it != story_slot_.end())
    LinkAcrossLanguages(it->second, &best,
                        slots_[it->second].story.langs[signals.lang] == 1u || best.new_story);
  return best;
}

double Clusterer::SpanFactor(const Slot& a, const Slot& b) const {
  if (!a.story.first_time || !b.story.first_time) return 1.0;
  double gap = 0;
  if (*a.story.last_time < *b.story.first_time)
    gap = static_cast<double>(*b.story.first_time - *a.story.last_time);
  else if (*b.story.last_time < *a.story.first_time)
    gap = static_cast<double>(*a.story.first_time - *b.story.last_time);
  gap = std::max(0.0, gap - kDay);
  double sigma = options_.time_sigma_days * kDay;
  double g = std::exp(-(gap * gap) / (2 * sigma * sigma));
  return options_.time_floor + (1 - options_.time_floor) * g;
}

void Clusterer::LinkAcrossLanguages(uint32_t slot, Assignment* a, bool new_language) {
  if (options_.link_threshold <= 0) return;
  const Slot& s = slots_[slot];
  if (!s.alive || s.neutral_norm <= 0) return;
  // A story's centroid changes little with each article: it is compared
  // again when it has doubled in size or gained a language (amortised
  // O(log n) comparisons per story).
  uint32_t n = s.story.size + s.story.entries;
  if (!new_language && (n & (n - 1)) != 0) return;
  // Candidates: stories found through this story's names, numbers and
  // strongest pivot concepts that have none of its languages.
  auto visit = [&](const Feature& f) {
    auto it = postings_.find(f.key);
    if (it == postings_.end()) return;
    size_t taken = 0;
    for (auto r = it->second.rbegin();
         r != it->second.rend() && taken < options_.max_stories_per_feature; ++r, ++taken)
      if (*r != slot) AddPre(*r, f.tf);
  };
  // The story's strongest features only: the cost stays bounded however
  // large the story grows.
  for (const auto& f : Strongest(s.story.neutral, options_.query_features)) visit(f);
  for (const auto& f : Strongest(s.story.pivot, options_.pivot_query_features)) visit(f);
  std::vector<std::pair<float, uint32_t>> ranked;
  TakePre(&ranked);
  std::erase_if(ranked, [&](const auto& c) {
    Slot& o = slots_[c.second];
    return !o.alive || o.neutral_norm <= 0 || !Active(o, watermark_) ||
           ShareLanguage(slots_[slot], o);
  });
  auto by_pre = [&](const std::pair<float, uint32_t>& x, const std::pair<float, uint32_t>& y) {
    return x.first != y.first ? x.first > y.first : Earlier(x.second, y.second);
  };
  if (ranked.size() > options_.max_candidates) {
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<long>(options_.max_candidates),
                      ranked.end(), by_pre);
    ranked.resize(options_.max_candidates);
  }
  double best = 0;
  int best_slot = -1;
  for (const auto& [p, c] : ranked) {
    const Slot& o = slots_[c];
    int shared_neutral = 0, shared_pivot = 0;
    double nc =
        Dot(s.story.neutral, o.story.neutral, &shared_neutral) / (s.neutral_norm * o.neutral_norm);
    double pc =
        s.pivot_norm > 0 && o.pivot_norm > 0
            ? Dot(s.story.pivot, o.story.pivot, &shared_pivot) / (s.pivot_norm * o.pivot_norm)
            : 0;
    // Two stories share more by chance than two articles: more is asked.
    int need = options_.min_shared_neutral + options_.link_extra_shared;
    bool evidence = shared_neutral >= need ||
                    (shared_neutral >= need - 1 && shared_pivot >= options_.min_shared_pivot);
    if (!evidence) continue;
    double score = (options_.neutral_weight * nc + options_.pivot_weight * pc) * SpanFactor(s, o);
    if (score > best ||
        (score == best && best_slot >= 0 && o.story.id < slots_[best_slot].story.id)) {
      best = score;
      best_slot = static_cast<int>(c);
    }
  }
  if (best_slot < 0 || best < options_.link_threshold) return;
  // The larger story keeps its id; on a tie, the one that was there before.
  uint32_t other = static_cast<uint32_t>(best_slot);
  uint32_t into = slots_[other].story.size >= s.story.size ? other : slot;
  uint32_t from = into == slot ? other : slot;
  std::string from_id = slots_[from].story.id;
  bool absorbed_new = from == slot && a->new_story;
  MergeStories(into, from);
  a->linked = from == slot ? slots_[into].story.id : from_id;
  a->link_score = best;
  if (from == slot) {
    a->story_id = slots_[into].story.id;
    if (absorbed_new) {
      // The article's story existed only in memory: the article simply joins.
      a->new_story = false;
      a->reason = "linked";
      a->score = best;
      return;
    }
  }
  a->merged.push_back(from_id);
}

void Clusterer::MergeStories(uint32_t into, uint32_t from) {
  Slot& a = slots_[into];
  Slot& b = slots_[from];
  const std::vector<uint64_t> before = IndexKeys(a.story);
  Unindex(from, IndexKeys(b.story));
  AddInto(a.story.full, b.story.full);
  AddInto(a.story.neutral, b.story.neutral);
  AddInto(a.story.pivot, b.story.pivot);
  if (a.story.full.size() > options_.max_story_terms * 3 / 2)
    Truncate(a.story.full, options_.max_story_terms);
  if (a.story.neutral.size() > options_.max_story_neutral * 3 / 2)
    Truncate(a.story.neutral, options_.max_story_neutral);
  if (a.story.pivot.size() > options_.max_story_pivot * 3 / 2)
    Truncate(a.story.pivot, options_.max_story_pivot);
  a.full_norm = Norm(a.story.full);
  a.neutral_norm = Norm(a.story.neutral);
  a.pivot_norm = Norm(a.story.pivot);
  Reindex(into, before);
  if (b.story.first_time)
    a.story.first_time = a.story.first_time ? std::min(*a.story.first_time, *b.story.first_time)
                                            : b.story.first_time;
  if (b.story.last_time)
    a.story.last_time =
        a.story.last_time ? std::max(*a.story.last_time, *b.story.last_time) : b.story.last_time;
  a.story.size += b.story.size;
  a.story.entries += b.story.entries;
  for (const auto& [lang, n] : b.story.langs) a.story.langs[lang] += n;
  a.story.last_seen = std::max(a.story.last_seen, b.story.last_seen);
  a.story.dirty = true;
  story_slot_.erase(b.story.id);
  b = Slot();
  free_slots_.push_back(from);
}

bool Clusterer::AddTo(const std::string& story_id, const Signals& signals,
                      std::optional<int64_t> time) {
  auto it = story_slot_.find(story_id);
  if (it == story_slot_.end()) return false;  // Assign counts the article then
  df_.Add(signals, DfBucket(time));
  if (time && (!watermark_ || *time > *watermark_)) watermark_ = time;
  SparseVector full, neutral, pivot;
  Vectors(signals, &full, &neutral, &pivot);
  Merge(slots_[it->second], full, neutral, pivot, time, signals.lang);
  return true;
}

void Clusterer::Restore(StoryState story) {
  if (story.last_time && (!watermark_ || *story.last_time > *watermark_))
    watermark_ = story.last_time;
  story.dirty = false;
  NewSlot(std::move(story));
}

std::vector<const StoryState*> Clusterer::TakeDirty() {
  std::vector<const StoryState*> out;
  for (auto& s : slots_)
    if (s.alive && s.story.dirty) {
      s.story.dirty = false;
      out.push_back(&s.story);
    }
  return out;
}

int64_t Clusterer::UndatedWindowStart() const {
  return now_ - static_cast<int64_t>(std::llround(options_.window_days * kDay));
}

bool Clusterer::Expired(const Slot& s) const {
  if (!s.alive || s.story.dirty) return false;
  if (!s.story.last_time) return s.story.last_seen < UndatedWindowStart();
  return !Active(s, watermark_);
}

size_t Clusterer::Expire() {
  std::vector<uint32_t> gone;
  std::vector<uint64_t> keys;
  for (uint32_t i = 0; i < slots_.size(); ++i)
    if (Expired(slots_[i])) {
      gone.push_back(i);
      std::vector<uint64_t> k = IndexKeys(slots_[i].story);
      keys.insert(keys.end(), k.begin(), k.end());
    }
  if (gone.empty()) return 0;
  // One pass over each posting list the expired stories are in (they are the
  // oldest, at the front: erasing them one by one moved each list once per
  // story). The order of what stays is kept.
  std::vector<char> dead(slots_.size(), 0);
  for (uint32_t i : gone) dead[i] = 1;
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (uint64_t key : keys) {
    auto p = postings_.find(key);
    if (p == postings_.end()) continue;
    std::erase_if(p->second, [&](uint32_t slot) { return dead[slot] != 0; });
    if (p->second.empty()) postings_.erase(p);
  }
  for (uint32_t i : gone) {
    story_slot_.erase(slots_[i].story.id);
    slots_[i] = Slot();
    free_slots_.push_back(i);
  }
  return gone.size();
}

void Clusterer::Canonicalize() {
  Expire();
  std::optional<int64_t> since = WindowStart(watermark_, options_);
  std::optional<int64_t> dated_day;
  if (since) dated_day = DayOf(*since);
  for (const auto& b :
       df_.Expire(dated_day, DayOf(UndatedWindowStart()), options_.df_min_documents))
    expired_df_.push_back(b);
}

std::vector<DocumentFrequencies::Bucket> Clusterer::TakeExpiredDf() {
  std::vector<DocumentFrequencies::Bucket> out;
  out.swap(expired_df_);
  return out;
}

DocumentFrequencies::Bucket Clusterer::DfBucket(std::optional<int64_t> time) const {
  return time ? DocumentFrequencies::Bucket{DayOf(*time), false}
              : DocumentFrequencies::Bucket{DayOf(now_), true};
}

const StoryState* Clusterer::Find(const std::string& story_id) const {
  auto it = story_slot_.find(story_id);
  return it == story_slot_.end() ? nullptr : &slots_[it->second].story;
}

size_t Clusterer::MemoryBytes() const {
  size_t b = slots_.capacity() * sizeof(Slot);
  for (const auto& s : slots_)
    b += (s.story.full.capacity() + s.story.neutral.capacity() + s.story.pivot.capacity()) *
         sizeof(Feature);
  for (const auto& [k, v] : postings_) b += 48 + v.capacity() * 4;
  b += df_.keys() * 32 + df_.bucket_entries() * 40;
  return b;
}

}  // namespace storyline
