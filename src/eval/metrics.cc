#include "eval/metrics.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <iterator>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace storyline::eval {
namespace {

// An item reduced to integer ids. Ids are dense per field over the whole item
// set; an empty cluster label gets an id of its own (a singleton).
struct Coded {
  uint32_t gold = 0;
  uint32_t pred = 0;
  uint32_t lang = 0;  // gold language
  bool lang_ok = false;
};

struct Encoding {
  std::vector<Coded> items;
  std::vector<std::string> lang_names;  // lang id -> gold_lang
};

class Interner {
 public:
  // The id of `s`, or a fresh id when `s` is empty and `empty_is_unique`.
  uint32_t Id(std::string_view s, bool empty_is_unique) {
    if (s.empty() && empty_is_unique) return next_++;
    auto [it, inserted] = ids_.try_emplace(s, next_);
    if (inserted) ++next_;
    return it->second;
  }

 private:
  std::unordered_map<std::string_view, uint32_t> ids_;
  uint32_t next_ = 0;
};

// Two spellings of one language: the second is canonical.
constexpr std::pair<std::string_view, std::string_view> kSynonyms[] = {
    {"nb", "no"},  // Norwegian Bokmål; the gold files use "no"
    // Withdrawn ISO 639-1 codes (CLD2 still emits "iw").
    {"iw", "he"},
    {"in", "id"},
    {"ji", "yi"},
    {"jw", "jv"},
    {"mo", "ro"},
    {"be-x-old", "be-tarask"},  // the old name of the Taraškievica Wikipedia
};

Encoding Encode(const std::vector<Item>& items) {
  Encoding e;
  e.items.reserve(items.size());
  Interner gold, pred;
  std::unordered_map<std::string_view, uint32_t> langs;
  for (const Item& it : items) {
    Coded c;
    c.gold = gold.Id(it.gold_cluster, /*empty_is_unique=*/true);
    c.pred = pred.Id(it.pred_cluster, /*empty_is_unique=*/true);
    auto [lit, inserted] =
        langs.try_emplace(it.gold_lang, static_cast<uint32_t>(e.lang_names.size()));
    if (inserted) e.lang_names.push_back(it.gold_lang);
    c.lang = lit->second;
    c.lang_ok = !it.pred_lang.empty() && CanonicalLang(it.pred_lang) == CanonicalLang(it.gold_lang);
    e.items.push_back(c);
  }
  return e;
}

uint64_t Key(uint32_t a, uint32_t b) { return (static_cast<uint64_t>(a) << 32) | b; }

int64_t Choose2(int64_t n) { return n * (n - 1) / 2; }

double Ratio(double num, double den) { return den == 0 ? 1.0 : num / den; }

double F1(double p, double r) { return p + r == 0 ? 0.0 : 2 * p * r / (p + r); }

PRF PairPRF(int64_t correct, int64_t predicted, int64_t gold) {
  PRF m;
  m.precision = Ratio(static_cast<double>(correct), static_cast<double>(predicted));
  m.recall = Ratio(static_cast<double>(correct), static_cast<double>(gold));
  m.f1 = F1(m.precision, m.recall);
  m.support = gold;
  m.predicted = predicted;
  m.correct = correct;
  return m;
}

// Sum of C(count, 2) over the values of a count table.
template <typename Map>
int64_t SumChoose2(const Map& counts) {
  int64_t s = 0;
  for (const auto& [key, n] : counts) s += Choose2(n);
  return s;
}

Scores ScoreCoded(const std::vector<Coded>& items) {
  Scores s;
  const int64_t n = static_cast<int64_t>(items.size());
  s.articles = n;

  std::unordered_map<uint32_t, int64_t> gold_size, pred_size;
  std::unordered_map<uint64_t, uint32_t> cell_id;  // (gold, pred) -> cell
  std::vector<int64_t> cell_size;
  std::vector<std::pair<uint32_t, uint32_t>> cell_clusters;  // cell -> (gold, pred)
  // Same-language counts: (gold, lang), (pred, lang), (cell, lang).
  std::unordered_map<uint64_t, int64_t> gold_lang, pred_lang, cell_lang;
  int64_t lang_ok = 0;
  for (auto* m : {&gold_size, &pred_size}) m->reserve(items.size());
  for (auto* m : {&gold_lang, &pred_lang, &cell_lang}) m->reserve(items.size());
  cell_id.reserve(items.size());

  for (const Coded& c : items) {
    ++gold_size[c.gold];
    ++pred_size[c.pred];
    auto [it, inserted] =
        cell_id.try_emplace(Key(c.gold, c.pred), static_cast<uint32_t>(cell_size.size()));
    if (inserted) {
      cell_size.push_back(0);
      cell_clusters.emplace_back(c.gold, c.pred);
    }
    ++cell_size[it->second];
    ++gold_lang[Key(c.gold, c.lang)];
    ++pred_lang[Key(c.pred, c.lang)];
    ++cell_lang[Key(it->second, c.lang)];
    if (c.lang_ok) ++lang_ok;
  }

  // B-cubed: each item of cell (g, p) has |g ∩ p| = cell size, so the cell
  // contributes size^2 / |p| to the precision sum and size^2 / |g| to recall.
  double b3_p = 0, b3_r = 0;
  int64_t correct = 0;
  for (size_t i = 0; i < cell_size.size(); ++i) {
    const double sz = static_cast<double>(cell_size[i]);
    b3_p += sz * sz / static_cast<double>(pred_size[cell_clusters[i].second]);
    b3_r += sz * sz / static_cast<double>(gold_size[cell_clusters[i].first]);
    correct += Choose2(cell_size[i]);
  }
  s.bcubed.precision = Ratio(b3_p, static_cast<double>(n));
  s.bcubed.recall = Ratio(b3_r, static_cast<double>(n));
  s.bcubed.f1 = F1(s.bcubed.precision, s.bcubed.recall);
  s.bcubed.support = n;

  const int64_t gold_pairs = SumChoose2(gold_size);
  const int64_t pred_pairs = SumChoose2(pred_size);
  s.pairwise = PairPRF(correct, pred_pairs, gold_pairs);

  // Cross-lingual pairs of a group = all its pairs - its same-language pairs.
  s.crosslingual_pairwise =
      PairPRF(correct - SumChoose2(cell_lang), pred_pairs - SumChoose2(pred_lang),
              gold_pairs - SumChoose2(gold_lang));

  s.langid_accuracy = Ratio(static_cast<double>(lang_ok), static_cast<double>(n));
  return s;
}

// For every cluster of one kind (a key of `cluster_lang` is (cluster, lang)),
// adds n_a * n_b to out[(a, b)][slot] for each pair of distinct languages
// a < b (by id) in the cluster.
void AddLangPairCounts(const std::unordered_map<uint64_t, int64_t>& cluster_lang, int slot,
                       std::unordered_map<uint64_t, std::array<int64_t, 3>>* out) {
  std::unordered_map<uint32_t, std::vector<std::pair<uint32_t, int64_t>>> by_cluster;
  for (const auto& [key, count] : cluster_lang) {
    by_cluster[static_cast<uint32_t>(key >> 32)].emplace_back(static_cast<uint32_t>(key), count);
  }
  for (const auto& [cluster, langs] : by_cluster) {
    for (size_t i = 0; i < langs.size(); ++i) {
      for (size_t j = i + 1; j < langs.size(); ++j) {
        const uint32_t a = std::min(langs[i].first, langs[j].first);
        const uint32_t b = std::max(langs[i].first, langs[j].first);
        (*out)[Key(a, b)][slot] += langs[i].second * langs[j].second;
      }
    }
  }
}

std::map<std::string, PRF> LangPairs(const Encoding& e) {
  std::unordered_map<uint64_t, uint32_t> cell_id;
  std::unordered_map<uint64_t, int64_t> gold_lang, pred_lang, cell_lang;
  for (const Coded& c : e.items) {
    auto [it, inserted] =
        cell_id.try_emplace(Key(c.gold, c.pred), static_cast<uint32_t>(cell_id.size()));
    ++gold_lang[Key(c.gold, c.lang)];
    ++pred_lang[Key(c.pred, c.lang)];
    ++cell_lang[Key(it->second, c.lang)];
  }
  // Slots: 0 = gold pairs, 1 = predicted pairs, 2 = correct pairs.
  std::unordered_map<uint64_t, std::array<int64_t, 3>> counts;
  AddLangPairCounts(gold_lang, 0, &counts);
  AddLangPairCounts(pred_lang, 1, &counts);
  AddLangPairCounts(cell_lang, 2, &counts);

  std::map<std::string, PRF> out;
  for (const auto& [key, c] : counts) {
    const std::string& a = e.lang_names[key >> 32];
    const std::string& b = e.lang_names[static_cast<uint32_t>(key)];
    std::string name = a < b ? a + "-" + b : b + "-" + a;
    out[std::move(name)] = PairPRF(c[2], c[1], c[0]);
  }
  return out;
}

nlohmann::json PrfJson(const PRF& m, bool pairs) {
  nlohmann::json j = {
      {"precision", m.precision}, {"recall", m.recall}, {"f1", m.f1}, {"support", m.support}};
  if (pairs) {
    j["predicted_pairs"] = m.predicted;
    j["correct_pairs"] = m.correct;
  }
  return j;
}

nlohmann::json ScoresJson(const Scores& s) {
  return {{"articles", s.articles},
          {"bcubed", PrfJson(s.bcubed, false)},
          {"pairwise", PrfJson(s.pairwise, true)},
          {"crosslingual_pairwise", PrfJson(s.crosslingual_pairwise, true)},
          {"langid_accuracy", s.langid_accuracy}};
}

std::string Fmt3(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", v);
  return buf;
}

// " P R F1" as three right-aligned 6-wide columns, or dashes when vacuous.
std::string PrfCells(const PRF& m, bool vacuous) {
  char buf[64];
  if (vacuous) {
    std::snprintf(buf, sizeof(buf), " %6s %6s %6s", "-", "-", "-");
  } else {
    std::snprintf(buf, sizeof(buf), " %6s %6s %6s", Fmt3(m.precision).c_str(),
                  Fmt3(m.recall).c_str(), Fmt3(m.f1).c_str());
  }
  return buf;
}

bool PairsVacuous(const PRF& m) { return m.support == 0 && m.predicted == 0; }

std::string ScoresRow(const std::string& name, const Scores& s) {
  char head[64];
  std::snprintf(head, sizeof(head), "%-12s %8lld |", name.c_str(),
                static_cast<long long>(s.articles));
  const bool empty = s.articles == 0;
  std::string row = head;
  row += PrfCells(s.bcubed, empty) + " |";
  row += PrfCells(s.pairwise, PairsVacuous(s.pairwise)) + " |";
  row += PrfCells(s.crosslingual_pairwise, PairsVacuous(s.crosslingual_pairwise)) + " |";
  char tail[32];
  std::snprintf(tail, sizeof(tail), " %6s\n", empty ? "-" : Fmt3(s.langid_accuracy).c_str());
  row += tail;
  return row;
}

}  // namespace

Scores Score(const std::vector<Item>& items) { return ScoreCoded(Encode(items).items); }

Report BuildReport(const std::vector<Item>& items, bool by_lang) {
  Report r;
  const Encoding e = Encode(items);
  r.overall = ScoreCoded(e.items);

  std::vector<bool> european(e.lang_names.size());
  for (size_t l = 0; l < e.lang_names.size(); ++l) {
    european[l] = IsEuropeanScript(e.lang_names[l]);
  }
  std::vector<Coded> subset;
  for (const Coded& c : e.items) {
    if (european[c.lang]) subset.push_back(c);
  }
  r.european = ScoreCoded(subset);

  if (by_lang) {
    std::vector<std::vector<Coded>> per_lang(e.lang_names.size());
    for (const Coded& c : e.items) per_lang[c.lang].push_back(c);
    for (size_t l = 0; l < per_lang.size(); ++l) {
      r.by_lang[e.lang_names[l]] = ScoreCoded(per_lang[l]);
    }
    r.by_lang_pair = LangPairs(e);
  }
  return r;
}

std::string CanonicalLang(std::string_view lang) {
  std::string s(lang);
  for (char& ch : s) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    if (ch == '_') ch = '-';
  }
  // Wikimedia codes with more than one part name a language of their own.
  constexpr std::string_view kMultiPart[] = {"be-tarask",    "be-x-old", "zh-min-nan", "zh-yue",
                                             "zh-classical", "roa-tara", "roa-rup",    "nds-nl",
                                             "cbk-zam",      "map-bms",  "bat-smg",    "fiu-vro"};
  if (std::find(std::begin(kMultiPart), std::end(kMultiPart), s) == std::end(kMultiPart)) {
    const size_t dash = s.find('-');
    if (dash != std::string::npos) s.resize(dash);
  }
  for (const auto& [from, to] : kSynonyms) {
    if (s == from) {
      s = to;
      break;
    }
  }
  return s;
}

bool IsEuropeanScript(std::string_view lang) {
  // Wikipedias mainly written in Latin or Cyrillic script. Anything else
  // (Han, Kana, Hangul, Thai, Arabic: ar fa ur ps sd ug ckb mzn azb pnb arz;
  // Hebrew: he yi; Greek: el; Georgian: ka xmf; Armenian: hy; Indic: hi ne pa
  // bn ta te si ...; Ethiopic, Tibetan, Burmese, Khmer, ...) is false, as is
  // an unknown code.
  static const auto* const kLatinOrCyrillic = new std::unordered_set<std::string_view>{
      // Latin.
      "aa", "ace", "af", "ak", "als", "ami", "an", "ang", "ast", "atj", "ay", "az", "ban", "bar",
      "bat-smg", "bbc", "bcl", "bi", "bjn", "bm", "br", "bs", "btm", "bug", "ca", "cbk-zam", "cdo",
      "ceb", "ch", "cho", "co", "cs", "csb", "cy", "da", "dag", "de", "din", "diq", "dsb", "dtp",
      "ee", "en", "eo", "es", "et", "eu", "ext", "fat", "ff", "fi", "fiu-vro", "fj", "fo", "fon",
      "fr", "frp", "frr", "fur", "fy", "ga", "gag", "gcr", "gd", "gl", "gn", "gor", "gpe", "guc",
      "gur", "guw", "gv", "ha", "hak", "haw", "hif", "ho", "hr", "hsb", "ht", "hu", "hz", "ia",
      "id", "ie", "ig", "ik", "ilo", "io", "is", "it", "jam", "jbo", "jv", "kaa", "kab", "kbp",
      "kcg", "kg", "ki", "kj", "kl", "kr", "ksh", "ku", "kw", "la", "lad", "lb", "lfn", "lg", "li",
      "lij", "lld", "lmo", "ln", "lt", "ltg", "lv", "mad", "map-bms", "mg", "mh", "mi", "min", "ms",
      "mt", "mus", "mwl", "na", "nah", "nan", "nap", "nds", "nds-nl", "ng", "nia", "nl", "nn", "no",
      "nov", "nr", "nrm", "nso", "nv", "ny", "oc", "om", "pag", "pam", "pap", "pcd", "pcm", "pdc",
      "pfl", "pih", "pl", "pms", "pt", "pwn", "qu", "rm", "rmy", "rn", "ro", "roa-rup", "roa-tara",
      "rw", "sc", "scn", "sco", "se", "sg", "sh", "sk", "sl", "sm", "smn", "sn", "so", "sq", "srn",
      "ss", "st", "stq", "su", "sv", "sw", "szl", "szy", "tay", "tet", "tk", "tl", "tly", "tn",
      "to", "tpi", "tr", "trv", "ts", "tum", "tw", "ty", "uz", "ve", "vec", "vep", "vi", "vls",
      "vo", "wa", "war", "wo", "xh", "yo", "za", "zea", "zh-min-nan", "zu",
      // Cyrillic.
      "ab", "ady", "alt", "av", "ba", "be", "be-tarask", "bg", "bxr", "ce", "cu", "cv", "inh",
      "kbd", "kk", "koi", "krc", "kum", "kv", "ky", "lbe", "lez", "mdf", "mhr", "mk", "mn", "mrj",
      "myv", "os", "ru", "rue", "sah", "sr", "tg", "tt", "tyv", "udm", "uk", "xal"};
  return kLatinOrCyrillic->contains(CanonicalLang(lang));
}

nlohmann::json ToJson(const Report& r) {
  nlohmann::json j = ScoresJson(r.overall);
  j["european"] = ScoresJson(r.european);
  if (!r.by_lang.empty()) {
    nlohmann::json langs = nlohmann::json::object();
    for (const auto& [lang, s] : r.by_lang) langs[lang] = ScoresJson(s);
    j["by_lang"] = std::move(langs);
  }
  if (!r.by_lang_pair.empty()) {
    nlohmann::json pairs = nlohmann::json::object();
    for (const auto& [pair, m] : r.by_lang_pair) pairs[pair] = PrfJson(m, true);
    j["by_lang_pair"] = std::move(pairs);
  }
  return j;
}

std::string ToText(const Report& r) {
  std::string out;
  char line[160];
  std::snprintf(line, sizeof(line), "%-12s %8s | %20s | %20s | %20s | %6s\n", "subset", "articles",
                "B-cubed  P / R / F1", "pairwise P / R / F1", "x-lingual P / R / F1", "langid");
  out += line;
  out += std::string(std::string_view(line).size() - 1, '-') + "\n";
  out += ScoresRow("overall", r.overall);
  out += ScoresRow("european", r.european);
  for (const auto& [lang, s] : r.by_lang) out += ScoresRow(lang.empty() ? "(none)" : lang, s);

  if (!r.by_lang_pair.empty()) {
    out += "\n";
    std::snprintf(line, sizeof(line), "%-16s %11s %11s %11s | %20s\n", "language pair",
                  "gold pairs", "pred pairs", "correct", "pairwise P / R / F1");
    out += line;
    out += std::string(std::string_view(line).size() - 1, '-') + "\n";
    for (const auto& [pair, m] : r.by_lang_pair) {
      std::snprintf(line, sizeof(line), "%-16s %11lld %11lld %11lld |", pair.c_str(),
                    static_cast<long long>(m.support), static_cast<long long>(m.predicted),
                    static_cast<long long>(m.correct));
      out += line;
      out += PrfCells(m, PairsVacuous(m)) + "\n";
    }
  }
  return out;
}

}  // namespace storyline::eval
