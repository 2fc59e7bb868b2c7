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
#include <optional>
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
  // Bounded counts: a paragraph not seen again in the last `horizon_articles`
  // learned articles (of all sources) is forgotten, boilerplate too (what
  // still appears is counted again at each sighting, so it stays) ...
  size_t horizon_articles = 100000;
  // ... and a source holds at most this many: a full source forgets its least
  // recently seen paragraphs (those not yet boilerplate first) and goes on
  // learning.
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
  // Counts one more article of `source` with these paragraphs (from Filter),
  // then forgets what fell out of the bounds (options).
  void Learn(std::string_view source, const std::vector<uint64_t>& paragraphs);
  // Forgets every learned count (before reloading them from the store).
  void ForgetLearned() {
    counts_.clear();
    entries_ = 0;
    dirty_.clear();
    removed_.clear();
  }

  // Learned counts, for persistence: (source, paragraph hash) -> articles.
  struct Key {
    std::string source;
    uint64_t hash;
  };
  // The count of a paragraph of `source`, if held.
  std::optional<uint32_t> Count(const std::string& source, uint64_t hash) const;
  size_t entries() const { return entries_; }
  // A count from the store (seen "now": it is forgotten a horizon later
  // unless seen again).
  void SetCount(const std::string& source, uint64_t hash, uint32_t n);
  // Keys counted since the last ClearDirty() (a key may appear more than
  // once), and keys forgotten since (to remove from the store unless counted
  // again: Count() tells).
  const std::vector<Key>& dirty() const { return dirty_; }
  const std::vector<Key>& removed() const { return removed_; }
  void ClearDirty() {
    dirty_.clear();
    removed_.clear();
  }
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

  struct Counted {
    uint32_t n = 0;     // articles of the source with the paragraph
    uint64_t seen = 0;  // learned_ at the last of them
  };
  using Table = std::unordered_map<uint64_t, Counted>;  // paragraph hash -> count
  // Forgets the least recently seen of `table` (boilerplate last) down to `keep`.
  void Shrink(const std::string& source, Table& table, size_t keep);
  // Forgets what was last seen more than a horizon ago.
  void Sweep();

  BoilerplateOptions options_;
  std::vector<Rule> rules_;
  std::unordered_map<std::string, Table> counts_;  // by source
  size_t entries_ = 0;
  uint64_t learned_ = 0;  // articles learned
  uint64_t next_sweep_ = 0;
  std::vector<Key> dirty_;
  std::vector<Key> removed_;
};

}  // namespace storyline
