// Eval metrics: scores a clustering of articles into stories against gold
// labels. Public header of the metrics part of the eval stage.
//
// Metrics (see /work/shared/eval/README.md):
//   - B-cubed precision / recall / F1 over items (the headline figure).
//   - Pairwise precision / recall / F1 over unordered pairs of distinct items.
//   - Cross-lingual pairwise: pairwise restricted to pairs whose two items have
//     different gold languages.
//   - Language-identification accuracy.
// Each is reported overall, for the European subset (gold language written in
// Latin or Cyrillic script), per gold language and per language pair.
//
// Cost: every metric is computed from contingency tables (cluster and
// cluster-by-language cell counts), never by enumerating pairs, so Score() is
// expected O(n) in the number of items. The per-language-pair table costs
// O(n + sum over clusters of k^2), k = distinct languages in the cluster,
// which is at most O(n * L) for L distinct languages.
//
// Conventions (the same everywhere, including empty subsets):
//   - A ratio with an empty denominator is 1.0 ("nothing claimed, nothing
//     wrong"): pairwise precision is 1.0 when there are no predicted pairs,
//     recall is 1.0 when there are no gold pairs; B-cubed precision and recall
//     and langid accuracy are 1.0 when there are no items.
//   - F1 = 2PR / (P + R), and 0.0 when P + R = 0.
//   - An empty gold_cluster or pred_cluster label means "in no story": the
//     item is a singleton on that side (empty labels never merge items).
//   - Cluster labels and gold languages are compared as exact strings.
//   - Item::id is not read; the caller makes sure each article appears once.
//
// Library code: throws nothing, prints nothing.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace storyline::eval {

// One gold article and what the system did with it.
struct Item {
  std::string id;
  std::string gold_cluster;  // gold story id; "" = a singleton
  std::string gold_lang;     // ISO 639-1/3 code as in the gold file ("no" = Norwegian)
  std::string pred_cluster;  // the story the system assigned; "" = none (a singleton)
  std::string pred_lang;     // the language the system detected ("" if none)
};

// Precision, recall and F1 of one metric.
struct PRF {
  double precision = 0;
  double recall = 0;
  double f1 = 0;
  // B-cubed: the number of items scored. Pairwise kinds: the number of gold
  // pairs (pairs together in the gold clustering).
  int64_t support = 0;
  // Pairwise kinds only (0 for B-cubed): pairs together in the prediction, and
  // pairs together in both.
  int64_t predicted = 0;
  int64_t correct = 0;
};

struct Scores {
  int64_t articles = 0;
  PRF bcubed;
  PRF pairwise;
  PRF crosslingual_pairwise;  // pairs whose items differ in gold_lang
  // Fraction of items whose pred_lang equals gold_lang after CanonicalLang()
  // (so nb == no, iw == he, "pt-BR" == "pt"); an empty pred_lang never matches.
  double langid_accuracy = 0;
};

struct Report {
  Scores overall;
  // Items whose gold language is IsEuropeanScript(); clusters restricted to
  // those items.
  Scores european;
  // Gold language -> metrics over the items in that language only, clusters
  // restricted to them (monolingual quality; the cross-lingual entry is then
  // vacuous, support 0). Only languages that occur are present.
  std::map<std::string, Scores> by_lang;
  // "a-b" (a < b, the two gold codes in byte order) -> pairwise metrics over
  // the pairs of the full item set with one item in a and the other in b.
  // Present when the pair has at least one gold or one predicted pair.
  std::map<std::string, PRF> by_lang_pair;
};

// Scores all of `items` as one set.
Scores Score(const std::vector<Item>& items);

// Overall, European-subset and (when `by_lang`) per-language and
// per-language-pair metrics. With by_lang == false the two maps stay empty.
Report BuildReport(const std::vector<Item>& items, bool by_lang);

// A language code in a canonical spelling for comparisons: ASCII-lowercased,
// '_' read as '-', region/script subtags dropped ("pt-BR" -> "pt", "zh-Hant"
// -> "zh") except for Wikimedia's multi-part codes ("be-tarask", "zh-min-nan",
// ...), and synonyms of one language merged: nb -> no, and the withdrawn
// ISO 639-1 codes iw -> he, in -> id, ji -> yi, jw -> jv, mo -> ro.
// Distinct languages (nn, ckb, pnb, hr/sr/bs vs sh, ...) stay distinct.
std::string CanonicalLang(std::string_view lang);

// True if the Wikipedia of language `lang` is mainly written in Latin or
// Cyrillic script (en, fr, ru, uk, be, pl, no, sv, id, ms, uz, ku, kk, ky,
// sh, vi, tr, az, ...). False for other scripts (zh, ja, ko, th, ar, fa, ur,
// ckb, mzn, he, yi, el, ka, xmf, hy, hi, ne, pa, ta, si, ...) and for codes
// it does not know (including ""). Reads `lang` through CanonicalLang().
// Note: "ku" is the Latin-script Kurmanji Wikipedia; Sorani Kurdish is "ckb".
bool IsEuropeanScript(std::string_view lang);

// {"articles": N,
//  "bcubed": {"precision", "recall", "f1", "support"},
//  "pairwise": {"precision", "recall", "f1", "support", "predicted_pairs",
//               "correct_pairs"},
//  "crosslingual_pairwise": {...as pairwise...},
//  "langid_accuracy": x,
//  "european": {...the same shape without "european" and "by_*"...},
//  "by_lang": {"en": {...Scores shape...}, ...},             (only when non-empty)
//  "by_lang_pair": {"en-ru": {...pairwise shape...}, ...}}   (only when non-empty)
nlohmann::json ToJson(const Report& r);

// A fixed-width table for a terminal: one row per subset (overall, european,
// then each language), then the language-pair table when present. "-" marks
// a vacuous figure (no gold and no predicted pairs, or no items).
std::string ToText(const Report& r);

}  // namespace storyline::eval
