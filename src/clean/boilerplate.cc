#include "clean/boilerplate.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <tuple>
#include <unordered_set>

#include "common/text.h"

namespace storyline {

BoilerplateFilter::BoilerplateFilter(const BoilerplateOptions& options) : options_(options) {}

std::string BoilerplateFilter::Fold(std::string_view p) {
  utf8proc_uint8_t* out = nullptr;
  auto n = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(p.data()), static_cast<utf8proc_ssize_t>(p.size()),
      &out, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD));
  std::string folded =
      n >= 0 ? std::string(reinterpret_cast<char*>(out), static_cast<size_t>(n)) : std::string(p);
  std::free(out);
  std::string collapsed;
  bool space = false;
  for (char c : folded) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !collapsed.empty();
      continue;
    }
    if (space) collapsed.push_back(' ');
    space = false;
    collapsed.push_back(c);
  }
  return collapsed;
}

Status BoilerplateFilter::AddRule(std::string_view line) {
  std::string_view t = TrimAscii(line);
  if (t.empty() || t[0] == '#') return Status::Ok();
  auto colon = t.find(':');
  if (colon == std::string_view::npos)
    return Status::InvalidArgument("rule without a kind: " + std::string(t));
  std::string_view kind = t.substr(0, colon);
  std::string text = Fold(TrimAscii(t.substr(colon + 1)));
  if (text.empty()) return Status::InvalidArgument("empty rule: " + std::string(t));
  Kind k;
  if (kind == "prefix")
    k = Kind::kPrefix;
  else if (kind == "exact")
    k = Kind::kExact;
  else if (kind == "contains")
    k = Kind::kContains;
  else if (kind == "heading")
    k = Kind::kHeading;
  else
    return Status::InvalidArgument("unknown rule kind '" + std::string(kind) + "'");
  rules_.push_back({k, std::move(text)});
  return Status::Ok();
}

Status BoilerplateFilter::LoadRules(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("boilerplate rules not found at '" + path + "'");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    Status s = AddRule(line);
    if (!s.ok())
      return Status::InvalidArgument(path + ":" + std::to_string(n) + ": " + s.message());
  }
  return Status::Ok();
}

bool BoilerplateFilter::MatchesRule(const std::string& f, bool* heading) const {
  // Trailing punctuation does not matter for exact and heading rules.
  std::string_view bare(f);
  while (!bare.empty() &&
         (bare.back() == '.' || bare.back() == ':' || bare.back() == '!' || bare.back() == ' '))
    bare.remove_suffix(1);
  for (const auto& r : rules_) {
    switch (r.kind) {
      case Kind::kPrefix:
        if (f.compare(0, r.text.size(), r.text) == 0) return true;
        break;
      case Kind::kExact:
        if (bare == r.text) return true;
        break;
      case Kind::kContains:
        if (f.find(r.text) != std::string::npos) return true;
        break;
      case Kind::kHeading:
        if (bare == r.text) {
          *heading = true;
          return true;
        }
        break;
    }
  }
  return false;
}

BoilerplateResult BoilerplateFilter::Filter(std::string_view source, std::string_view text) {
  BoilerplateResult r;
  std::vector<std::string_view> lines = SplitLines(text);
  std::vector<bool> drop(lines.size(), false);
  std::unordered_set<uint64_t> seen_here;
  static const Table kNone;
  const Table* table = nullptr;  // the source's counts, looked up once
  bool drop_next = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = TrimAscii(lines[i]);
    if (line.empty()) continue;
    std::string folded = Fold(line);
    bool heading = false;
    if (drop_next) {
      drop[i] = true;
      drop_next = false;
      ++r.removed_by_rule;
      continue;
    }
    if (MatchesRule(folded, &heading)) {
      drop[i] = true;
      drop_next = heading;
      ++r.removed_by_rule;
      continue;
    }
    if (source.empty() || line.size() > options_.max_learned_bytes) continue;
    uint64_t h = Hash64(folded, 0x626f696cu);
    if (!seen_here.insert(h).second) continue;
    if (!table) {
      auto t = counts_.find(std::string(source));
      table = t == counts_.end() ? &kNone : &t->second;
    }
    auto it = table->find(h);
    if (it != table->end() && static_cast<int>(it->second.n) >= options_.min_repeats) {
      drop[i] = true;
      ++r.removed_learned;
    }
    r.paragraphs.push_back(h);
  }
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    if (drop[i]) continue;
    out.append(lines[i]);
    out.push_back('\n');
  }
  r.text = out;
  return r;
}

void BoilerplateFilter::Learn(std::string_view source, const std::vector<uint64_t>& paragraphs) {
  if (source.empty()) return;
  ++learned_;
  auto t = counts_.find(std::string(source));
  if (t == counts_.end()) t = counts_.emplace(std::string(source), Table{}).first;
  Table& table = t->second;
  for (uint64_t h : paragraphs) {
    auto [it, inserted] = table.try_emplace(h);
    if (inserted) ++entries_;
    // Every count is persisted (a count of 1 too: a restart must know it).
    ++it->second.n;
    it->second.seen = learned_;
    dirty_.push_back({t->first, h});
  }
  if (table.size() > options_.max_entries_per_source)
    Shrink(t->first, table, options_.max_entries_per_source * 3 / 4);
  if (learned_ >= next_sweep_) {
    Sweep();
    next_sweep_ = learned_ + std::max<size_t>(1, options_.horizon_articles / 8);
  }
}

std::optional<uint32_t> BoilerplateFilter::Count(const std::string& source, uint64_t hash) const {
  auto t = counts_.find(source);
  if (t == counts_.end()) return std::nullopt;
  auto it = t->second.find(hash);
  if (it == t->second.end()) return std::nullopt;
  return it->second.n;
}

void BoilerplateFilter::SetCount(const std::string& source, uint64_t hash, uint32_t n) {
  auto [it, inserted] = counts_[source].try_emplace(hash);
  if (inserted) ++entries_;
  it->second.n = n;
  it->second.seen = learned_;
}

void BoilerplateFilter::Shrink(const std::string& source, Table& table, size_t keep) {
  if (table.size() <= keep) return;
  std::vector<std::tuple<bool, uint64_t, uint64_t>> order;  // boilerplate, seen, hash
  order.reserve(table.size());
  for (const auto& [h, c] : table)
    order.emplace_back(static_cast<int>(c.n) >= options_.min_repeats, c.seen, h);
  std::sort(order.begin(), order.end());
  for (size_t i = 0; i + keep < order.size(); ++i) {
    uint64_t h = std::get<2>(order[i]);
    table.erase(h);
    --entries_;
    removed_.push_back({source, h});
  }
}

void BoilerplateFilter::Sweep() {
  if (learned_ <= options_.horizon_articles) return;
  const uint64_t since = learned_ - options_.horizon_articles;
  for (auto t = counts_.begin(); t != counts_.end();) {
    Table& table = t->second;
    for (auto it = table.begin(); it != table.end();) {
      if (it->second.seen < since) {
        removed_.push_back({t->first, it->first});
        it = table.erase(it);
        --entries_;
      } else {
        ++it;
      }
    }
    t = table.empty() ? counts_.erase(t) : std::next(t);
  }
}

}  // namespace storyline
