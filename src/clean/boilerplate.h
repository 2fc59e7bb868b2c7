// Boilerplate removal: paragraphs that are not the article.
//
// Two sources of knowledge:
//  - rules (data/boilerplate/rules.txt): blurbs that come once per article
//    (aggregator disclaimers, "WATCH: ...", newsroom policy blurbs, "read
//    more" lines), matched on the case-folded paragraph;
//  - learning: a paragraph that has already appeared in `min_repeats` other
//    articles of the same source is that source's boilerplate. Counts are
//    kept per source for short paragraphs only (boilerplate is short; news
//    paragraphs that recur are quotes, which are long), bounded in memory.
//    Filter() only reads what was learned; the caller calls Learn() for an
//    article it stores for the first time, so a re-delivered or updated
//    article never counts twice (its own paragraphs would become
//    "boilerplate" and be cut from it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace storyline {

struct BoilerplateOptions {
  std::string rules_path;          // empty: <data dir>/boilerplate/rules.txt
  int min_repeats = 3;             // learned after this many other articles of a source
  size_t max_learned_bytes = 400;  // longer paragraphs are never learned
  size_t max_entries_per_source = 20000;
};

struct BoilerplateResult {
  std::string text;  // the text without boilerplate paragraphs
  int removed_by_rule = 0;
  int removed_learned = 0;
  std::vector<uint64_t> paragraphs;  // hashes of the paragraphs Learn() may count (each once)
};

class BoilerplateFilter {
 public:
  explicit BoilerplateFilter(const BoilerplateOptions& options = {});
  // Loads the rules; NotFound if the file is missing, InvalidArgument for a bad line.
  Status LoadRules(const std::string& path);
  // Adds one rule line ("prefix: ...").
  Status AddRule(std::string_view line);

  // Removes boilerplate from `text` (paragraphs separated by blank lines or
  // single newlines) with the rules and what was learned of `source`.
  BoilerplateResult Filter(std::string_view source, std::string_view text);
  // Counts one more article of `source` with these paragraphs (from Filter).
  void Learn(std::string_view source, const std::vector<uint64_t>& paragraphs);
  // Forgets every learned count (before reloading them from the store).
  void ForgetLearned() {
    counts_.clear();
    per_source_.clear();
    dirty_.clear();
  }

  // Learned counts, for persistence: (source, paragraph hash) -> articles.
  struct Key {
    std::string source;
    uint64_t hash;
    bool operator==(const Key& o) const { return hash == o.hash && source == o.source; }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return std::hash<std::string>()(k.source) ^ k.hash; }
  };
  const std::unordered_map<Key, uint32_t, KeyHash>& counts() const { return counts_; }
  void SetCount(const std::string& source, uint64_t hash, uint32_t n) {
    if (counts_.emplace(Key{source, hash}, n).second) ++per_source_[source];
  }
  // Keys counted since the last ClearDirty() (a key may appear more than once).
  const std::vector<Key>& dirty() const { return dirty_; }
  void ClearDirty() { dirty_.clear(); }
  size_t rules() const { return rules_.size(); }

  // The key a paragraph is compared under (case-folded, whitespace collapsed).
  static std::string Fold(std::string_view paragraph);

 private:
  enum class Kind { kPrefix, kExact, kContains, kHeading };
  struct Rule {
    Kind kind;
    std::string text;
  };
  bool MatchesRule(const std::string& folded, bool* heading) const;

  BoilerplateOptions options_;
  std::vector<Rule> rules_;
  std::unordered_map<Key, uint32_t, KeyHash> counts_;
  std::unordered_map<std::string, size_t> per_source_;
  std::vector<Key> dirty_;
};

}  // namespace storyline
