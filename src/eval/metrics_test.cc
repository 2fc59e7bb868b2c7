#include "eval/metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace storyline::eval {
namespace {

constexpr double kEps = 1e-12;

Item Mk(std::string id, std::string gold, std::string gold_lang, std::string pred,
        std::string pred_lang = "") {
  return Item{std::move(id), std::move(gold), std::move(gold_lang), std::move(pred),
              std::move(pred_lang)};
}

void ExpectPrf(const PRF& m, double p, double r, double f1, const char* what) {
  EXPECT_NEAR(m.precision, p, kEps) << what;
  EXPECT_NEAR(m.recall, r, kEps) << what;
  EXPECT_NEAR(m.f1, f1, kEps) << what;
}

// Gold A = {a1, a2, a3}, B = {b1, b2}; the system merges b1 into A's story:
// pred X = {a1, a2, a3, b1}, Y = {b2}.
// Gold languages: a1 en, a2 ru, a3 en, b1 en, b2 ru.
std::vector<Item> MergeErrorCase() {
  return {Mk("a1", "A", "en", "X", "en"), Mk("a2", "A", "ru", "X", "uk"),
          Mk("a3", "A", "en", "X", "EN"), Mk("b1", "B", "en", "X", ""),
          Mk("b2", "B", "ru", "Y", "ru")};
}

TEST(MetricsScoreTest, MergeErrorByHand) {
  const Scores s = Score(MergeErrorCase());
  EXPECT_EQ(s.articles, 5);
  // B-cubed precision: a1..a3 have |X∩A|/|X| = 3/4 each, b1 |X∩B|/|X| = 1/4,
  // b2 |Y∩B|/|Y| = 1. Sum 3.5, mean 0.7.
  // Recall: a1..a3 |X∩A|/|A| = 1 each, b1 1/2, b2 1/2. Sum 4, mean 0.8.
  // F1 = 2 * 0.7 * 0.8 / 1.5 = 0.74666...
  ExpectPrf(s.bcubed, 0.7, 0.8, 1.12 / 1.5, "bcubed");
  EXPECT_EQ(s.bcubed.support, 5);
  // Pairwise: gold pairs C(3,2) + C(2,2) = 4; predicted C(4,2) = 6; together in
  // both: the three A pairs. P = 3/6, R = 3/4, F1 = 2 * .5 * .75 / 1.25 = 0.6.
  ExpectPrf(s.pairwise, 0.5, 0.75, 0.6, "pairwise");
  EXPECT_EQ(s.pairwise.support, 4);
  EXPECT_EQ(s.pairwise.predicted, 6);
  EXPECT_EQ(s.pairwise.correct, 3);
  // Cross-lingual: gold A has (a1,a2), (a2,a3) = 2, B has (b1,b2) = 1 -> 3.
  // Pred X (en, ru, en, en): 6 - C(3,2) = 3. Correct: the A pairs across
  // languages, 2. P = 2/3, R = 2/3, F1 = 2/3.
  ExpectPrf(s.crosslingual_pairwise, 2.0 / 3, 2.0 / 3, 2.0 / 3, "crosslingual");
  EXPECT_EQ(s.crosslingual_pairwise.support, 3);
  EXPECT_EQ(s.crosslingual_pairwise.predicted, 3);
  EXPECT_EQ(s.crosslingual_pairwise.correct, 2);
  // Langid: a1 en=en yes, a2 uk!=ru no, a3 EN=en yes (case), b1 "" no, b2 yes.
  EXPECT_NEAR(s.langid_accuracy, 0.6, kEps);
}

// Gold A = {a1, a2, a3}, B = {b1, b2}, all English.
std::vector<Item> TwoGoldClusters(const std::vector<std::string>& pred) {
  const char* ids[] = {"a1", "a2", "a3", "b1", "b2"};
  const char* gold[] = {"A", "A", "A", "B", "B"};
  std::vector<Item> items;
  for (int i = 0; i < 5; ++i) items.push_back(Mk(ids[i], gold[i], "en", pred[i], "en"));
  return items;
}

TEST(MetricsScoreTest, PerfectClusteringScoresOne) {
  // Pred labels differ from gold labels but induce the same partition.
  std::vector<Item> items = TwoGoldClusters({"p", "p", "p", "q", "q"});
  items[1].gold_lang = "fr";  // a cross-lingual gold pair exists and is found
  items[1].pred_lang = "fr";
  const Scores s = Score(items);
  ExpectPrf(s.bcubed, 1, 1, 1, "bcubed");
  ExpectPrf(s.pairwise, 1, 1, 1, "pairwise");
  ExpectPrf(s.crosslingual_pairwise, 1, 1, 1, "crosslingual");
  EXPECT_EQ(s.crosslingual_pairwise.support, 2);  // (a1,a2), (a2,a3)
  EXPECT_NEAR(s.langid_accuracy, 1.0, kEps);
}

TEST(MetricsScoreTest, AllSingletons) {
  const Scores s = Score(TwoGoldClusters({"1", "2", "3", "4", "5"}));
  // B-cubed: precision 1 for every item; recall 1/3 for the A items and 1/2 for
  // the B items: (3 * 1/3 + 2 * 1/2) / 5 = 0.4. F1 = 0.8 / 1.4.
  ExpectPrf(s.bcubed, 1.0, 0.4, 0.8 / 1.4, "bcubed");
  // No predicted pairs: precision 1 by convention, recall 0 of 4, F1 0.
  ExpectPrf(s.pairwise, 1.0, 0.0, 0.0, "pairwise");
  EXPECT_EQ(s.pairwise.predicted, 0);
  EXPECT_EQ(s.pairwise.support, 4);
}

TEST(MetricsScoreTest, AllInOne) {
  const Scores s = Score(TwoGoldClusters({"x", "x", "x", "x", "x"}));
  // B-cubed precision: A items 3/5, B items 2/5: (9/5 + 4/5) / 5 = 0.52.
  // Recall 1. F1 = 1.04 / 1.52.
  ExpectPrf(s.bcubed, 0.52, 1.0, 1.04 / 1.52, "bcubed");
  // Pairwise: 10 predicted, 4 gold, all 4 found: P = 0.4, R = 1, F1 = 0.8/1.4.
  ExpectPrf(s.pairwise, 0.4, 1.0, 0.8 / 1.4, "pairwise");
  EXPECT_EQ(s.pairwise.predicted, 10);
  // All English: no cross-lingual pairs on either side -> vacuous 1, 1, 1.
  ExpectPrf(s.crosslingual_pairwise, 1, 1, 1, "crosslingual");
  EXPECT_EQ(s.crosslingual_pairwise.support, 0);
  EXPECT_EQ(s.crosslingual_pairwise.predicted, 0);
}

TEST(MetricsScoreTest, EmptyClusterLabelIsASingleton) {
  // a1 and a2 have no predicted story: they must not be merged with each other.
  const Scores s = Score(TwoGoldClusters({"", "", "p", "q", "q"}));
  EXPECT_EQ(s.pairwise.predicted, 1);  // only (b1, b2)
  EXPECT_EQ(s.pairwise.correct, 1);
  // B-cubed precision is 1 for every item (no wrong merges).
  EXPECT_NEAR(s.bcubed.precision, 1.0, kEps);
  // Recall: a1, a2, a3 each 1/3; b1, b2 1: (1 + 2) / 5 = 0.6.
  EXPECT_NEAR(s.bcubed.recall, 0.6, kEps);

  // The same on the gold side: two unlabelled gold items are not a gold pair.
  std::vector<Item> items = {Mk("u1", "", "en", "p"), Mk("u2", "", "en", "p")};
  const Scores g = Score(items);
  EXPECT_EQ(g.pairwise.support, 0);
  EXPECT_EQ(g.pairwise.predicted, 1);
  ExpectPrf(g.pairwise, 0.0, 1.0, 0.0, "gold empty labels");
}

TEST(MetricsScoreTest, EmptyInputIsVacuous) {
  const Scores s = Score({});
  EXPECT_EQ(s.articles, 0);
  ExpectPrf(s.bcubed, 1, 1, 1, "bcubed");
  ExpectPrf(s.pairwise, 1, 1, 1, "pairwise");
  ExpectPrf(s.crosslingual_pairwise, 1, 1, 1, "crosslingual");
  EXPECT_NEAR(s.langid_accuracy, 1.0, kEps);
}

// Three languages.
//   i1 G1 en P1   i2 G1 en P1   i3 G1 fr P1   i4 G1 ru P2
//   i5 G2 fr P1   i6 G2 ru P2
std::vector<Item> ThreeLanguages() {
  return {Mk("i1", "G1", "en", "P1", "en"), Mk("i2", "G1", "en", "P1", "en"),
          Mk("i3", "G1", "fr", "P1", "fr"), Mk("i4", "G1", "ru", "P2", "ru"),
          Mk("i5", "G2", "fr", "P1", "fr"), Mk("i6", "G2", "ru", "P2", "ru")};
}

TEST(MetricsScoreTest, CrossLingualThreeLanguages) {
  const Scores s = Score(ThreeLanguages());
  // Gold pairs: G1 C(4,2) = 6, G2 1 -> 7. Cross: G1 6 - C(2,2)[en] = 5, G2 1 -> 6.
  // Pred pairs: P1 {i1,i2,i3,i5} 6, P2 {i4,i6} 1 -> 7.
  //   Cross: P1 6 - C(2,2)[en] - C(2,2)[fr] = 4, P2 (ru, ru) 0 -> 4.
  // Cells: (G1,P1) = {i1,i2,i3}: 3 pairs, 3 - 1 = 2 cross; other cells size 1.
  EXPECT_EQ(s.pairwise.support, 7);
  EXPECT_EQ(s.pairwise.predicted, 7);
  EXPECT_EQ(s.pairwise.correct, 3);
  EXPECT_EQ(s.crosslingual_pairwise.support, 6);
  EXPECT_EQ(s.crosslingual_pairwise.predicted, 4);
  EXPECT_EQ(s.crosslingual_pairwise.correct, 2);
  // Cross: P = 2/4, R = 2/6, F1 = 2 * (1/2) * (1/3) / (5/6) = 0.4.
  ExpectPrf(s.crosslingual_pairwise, 0.5, 1.0 / 3, 0.4, "crosslingual");
  ExpectPrf(s.pairwise, 3.0 / 7, 3.0 / 7, 3.0 / 7, "pairwise");
}

TEST(MetricsReportTest, ByLangAndLangPairs) {
  const Report r = BuildReport(ThreeLanguages(), /*by_lang=*/true);
  ASSERT_EQ(r.by_lang.size(), 3u);
  // en = {i1, i2}, both G1/P1: perfect.
  ExpectPrf(r.by_lang.at("en").bcubed, 1, 1, 1, "en bcubed");
  ExpectPrf(r.by_lang.at("en").pairwise, 1, 1, 1, "en pairwise");
  EXPECT_EQ(r.by_lang.at("en").articles, 2);
  // fr = {i3 G1 P1, i5 G2 P1}: one predicted pair, wrong; no gold pair.
  // B-cubed P = (1/2 + 1/2) / 2 = 0.5, R = 1, F1 = 2/3. Pairwise P = 0/1,
  // R = 1 (vacuous), F1 = 0.
  ExpectPrf(r.by_lang.at("fr").bcubed, 0.5, 1.0, 2.0 / 3, "fr bcubed");
  ExpectPrf(r.by_lang.at("fr").pairwise, 0.0, 1.0, 0.0, "fr pairwise");
  // ru = {i4 G1 P2, i6 G2 P2}: the same shape as fr.
  ExpectPrf(r.by_lang.at("ru").pairwise, 0.0, 1.0, 0.0, "ru pairwise");
  // Monolingual subsets have no cross-lingual pairs.
  EXPECT_EQ(r.by_lang.at("ru").crosslingual_pairwise.support, 0);
  EXPECT_EQ(r.by_lang.at("ru").crosslingual_pairwise.predicted, 0);

  // Language pairs (gold / predicted / correct):
  //   en-fr: gold G1 2*1 = 2; pred P1 2*2 = 4; cell (G1,P1) 2*1 = 2.
  //   en-ru: gold G1 2*1 = 2; pred 0 (no cluster holds both); correct 0.
  //   fr-ru: gold G1 1 + G2 1 = 2; pred 0; correct 0.
  // They sum to the cross-lingual totals 6 / 4 / 2.
  ASSERT_EQ(r.by_lang_pair.size(), 3u);
  const PRF& en_fr = r.by_lang_pair.at("en-fr");
  EXPECT_EQ(en_fr.support, 2);
  EXPECT_EQ(en_fr.predicted, 4);
  EXPECT_EQ(en_fr.correct, 2);
  ExpectPrf(en_fr, 0.5, 1.0, 2.0 / 3, "en-fr");
  const PRF& en_ru = r.by_lang_pair.at("en-ru");
  EXPECT_EQ(en_ru.support, 2);
  EXPECT_EQ(en_ru.predicted, 0);
  ExpectPrf(en_ru, 1.0, 0.0, 0.0, "en-ru");
  EXPECT_EQ(r.by_lang_pair.at("fr-ru").support, 2);
  EXPECT_EQ(r.by_lang_pair.count("ru-fr"), 0u);  // keys are sorted

  // All three languages are European: the subset is everything.
  EXPECT_EQ(r.european.articles, 6);
  EXPECT_EQ(r.european.pairwise.correct, r.overall.pairwise.correct);
}

TEST(MetricsReportTest, ByLangFalseLeavesMapsEmpty) {
  const Report r = BuildReport(ThreeLanguages(), /*by_lang=*/false);
  EXPECT_TRUE(r.by_lang.empty());
  EXPECT_TRUE(r.by_lang_pair.empty());
  EXPECT_EQ(r.overall.articles, 6);
}

TEST(MetricsReportTest, EuropeanSubsetRestrictsClusters) {
  // G1 = {e1, e2, z1}, G2 = {z2}; the system puts everything in P1.
  const std::vector<Item> items = {Mk("e1", "G1", "en", "P1"), Mk("e2", "G1", "ru", "P1"),
                                   Mk("z1", "G1", "zh", "P1"), Mk("z2", "G2", "zh", "P1")};
  const Report r = BuildReport(items, /*by_lang=*/false);
  // Overall: z2 is a wrong merge; B-cubed P = (3 * 3/4 + 1/4) / 4 = 0.625.
  EXPECT_NEAR(r.overall.bcubed.precision, 0.625, kEps);
  // European = {e1, e2}: restricted to them the clustering is perfect, and
  // their one pair is cross-lingual (en-ru) and found.
  EXPECT_EQ(r.european.articles, 2);
  ExpectPrf(r.european.bcubed, 1, 1, 1, "european bcubed");
  EXPECT_EQ(r.european.crosslingual_pairwise.support, 1);
  EXPECT_EQ(r.european.crosslingual_pairwise.correct, 1);
}

TEST(MetricsLangTest, CanonicalLang) {
  EXPECT_EQ(CanonicalLang("nb"), "no");
  EXPECT_EQ(CanonicalLang("no"), "no");
  EXPECT_EQ(CanonicalLang("nn"), "nn");
  EXPECT_EQ(CanonicalLang("pt_BR"), "pt");
  EXPECT_EQ(CanonicalLang("zh-Hant"), "zh");
  EXPECT_EQ(CanonicalLang("IW"), "he");
  EXPECT_EQ(CanonicalLang("zh-min-nan"), "zh-min-nan");
  EXPECT_EQ(CanonicalLang("be-x-old"), "be-tarask");
  EXPECT_EQ(CanonicalLang(""), "");
}

TEST(MetricsLangTest, LangidTreatsNorwegianCodesAsEqual) {
  const std::vector<Item> items = {Mk("1", "A", "no", "p", "nb"), Mk("2", "A", "nb", "p", "no"),
                                   Mk("3", "A", "no", "p", "nn"), Mk("4", "A", "no", "p", "da")};
  // 1 and 2 match (nb == no); nn and da do not: 2 / 4.
  EXPECT_NEAR(Score(items).langid_accuracy, 0.5, kEps);
}

TEST(MetricsLangTest, EmptyPredictedLanguageNeverMatches) {
  // Even against an empty gold language: "no language detected" is not a hit.
  const std::vector<Item> items = {Mk("1", "A", "", "p", ""), Mk("2", "A", "en", "p", ""),
                                   Mk("3", "A", "en", "p", "en")};
  EXPECT_NEAR(Score(items).langid_accuracy, 1.0 / 3, kEps);
}

TEST(MetricsLangTest, IsEuropeanScriptOnTheGoldLanguages) {
  // Every gold language of itn-dev.jsonl and wikinewssum.jsonl, by the script
  // its Wikipedia mainly uses.
  const std::map<std::string, bool> expected = {
      {"af", true},  {"ar", false}, {"av", true},  {"be", true},   {"bjn", true},  {"da", true},
      {"de", true},  {"el", false}, {"en", true},  {"fa", false},  {"fi", true},   {"fr", true},
      {"id", true},  {"ka", false}, {"kaa", true}, {"kk", true},   {"ko", false},  {"ku", true},
      {"ky", true},  {"la", true},  {"ms", true},  {"mzn", false}, {"ne", false},  {"nl", true},
      {"no", true},  {"pa", false}, {"pl", true},  {"pt", true},   {"ro", true},   {"ru", true},
      {"sco", true}, {"sh", true},  {"si", false}, {"sv", true},   {"ta", false},  {"th", false},
      {"tl", true},  {"uk", true},  {"ur", false}, {"uz", true},   {"xmf", false}, {"yi", false},
      {"zh", false}};
  for (const auto& [lang, european] : expected) {
    EXPECT_EQ(IsEuropeanScript(lang), european) << lang;
  }
}

TEST(MetricsLangTest, IsEuropeanScriptOtherCodes) {
  EXPECT_TRUE(IsEuropeanScript("nb"));
  EXPECT_TRUE(IsEuropeanScript("EN"));
  EXPECT_TRUE(IsEuropeanScript("pt-BR"));
  EXPECT_TRUE(IsEuropeanScript("sr"));
  EXPECT_TRUE(IsEuropeanScript("bg"));
  EXPECT_TRUE(IsEuropeanScript("vi"));
  EXPECT_TRUE(IsEuropeanScript("tr"));
  EXPECT_TRUE(IsEuropeanScript("be-tarask"));
  EXPECT_FALSE(IsEuropeanScript("ckb"));  // Sorani Kurdish: Arabic script
  EXPECT_FALSE(IsEuropeanScript("he"));
  EXPECT_FALSE(IsEuropeanScript("hy"));
  EXPECT_FALSE(IsEuropeanScript("ja"));
  EXPECT_FALSE(IsEuropeanScript("zh-yue"));
  EXPECT_FALSE(IsEuropeanScript(""));
  EXPECT_FALSE(IsEuropeanScript("xx"));
}

TEST(MetricsJsonTest, Shape) {
  const Report with = BuildReport(MergeErrorCase(), /*by_lang=*/true);
  const nlohmann::json j = ToJson(with);
  EXPECT_EQ(j.at("articles"), 5);
  for (const char* kind : {"bcubed", "pairwise", "crosslingual_pairwise"}) {
    for (const char* field : {"precision", "recall", "f1", "support"}) {
      EXPECT_TRUE(j.at(kind).contains(field)) << kind << "." << field;
      EXPECT_TRUE(j.at("european").at(kind).contains(field)) << kind << "." << field;
    }
  }
  EXPECT_DOUBLE_EQ(j.at("bcubed").at("precision").get<double>(), 0.7);
  EXPECT_DOUBLE_EQ(j.at("pairwise").at("recall").get<double>(), 0.75);
  EXPECT_EQ(j.at("pairwise").at("predicted_pairs"), 6);
  EXPECT_EQ(j.at("pairwise").at("correct_pairs"), 3);
  EXPECT_FALSE(j.at("bcubed").contains("predicted_pairs"));
  EXPECT_DOUBLE_EQ(j.at("langid_accuracy").get<double>(), 0.6);
  EXPECT_FALSE(j.at("european").contains("european"));
  EXPECT_FALSE(j.at("european").contains("by_lang"));
  ASSERT_TRUE(j.contains("by_lang"));
  EXPECT_EQ(j.at("by_lang").size(), 2u);  // en, ru
  EXPECT_EQ(j.at("by_lang").at("en").at("articles"), 3);
  ASSERT_TRUE(j.contains("by_lang_pair"));
  EXPECT_EQ(j.at("by_lang_pair").size(), 1u);
  EXPECT_EQ(j.at("by_lang_pair").at("en-ru").at("support"), 3);

  const nlohmann::json without = ToJson(BuildReport(MergeErrorCase(), /*by_lang=*/false));
  EXPECT_FALSE(without.contains("by_lang"));
  EXPECT_FALSE(without.contains("by_lang_pair"));
  EXPECT_TRUE(without.contains("european"));
}

TEST(MetricsTextTest, ListsSubsetsAndPairs) {
  const std::string t = ToText(BuildReport(ThreeLanguages(), /*by_lang=*/true));
  EXPECT_NE(t.find("overall"), std::string::npos);
  EXPECT_NE(t.find("european"), std::string::npos);
  EXPECT_NE(t.find("\nfr "), std::string::npos);
  EXPECT_NE(t.find("\nen-fr "), std::string::npos);
  EXPECT_NE(t.find("0.429"), std::string::npos);  // overall pairwise P = 3/7
  const std::string plain = ToText(BuildReport(ThreeLanguages(), /*by_lang=*/false));
  EXPECT_EQ(plain.find("en-fr"), std::string::npos);
}

// Brute-force reference: enumerates all pairs.
struct Reference {
  int64_t gold = 0, pred = 0, both = 0;     // pairwise
  int64_t xgold = 0, xpred = 0, xboth = 0;  // cross-lingual
  double b3_p = 0, b3_r = 0;                // B-cubed
  int64_t langid_ok = 0;
  std::map<std::string, std::array<int64_t, 3>> lang_pairs;  // gold, pred, both
};

// Empty labels never match (each is a singleton).
bool SameLabel(const std::string& a, const std::string& b) { return !a.empty() && a == b; }

Reference BruteForce(const std::vector<Item>& items) {
  Reference ref;
  const size_t n = items.size();
  for (size_t i = 0; i < n; ++i) {
    int64_t pred_size = 0, gold_size = 0, inter = 0;
    for (size_t j = 0; j < n; ++j) {
      const bool same_gold = i == j || SameLabel(items[i].gold_cluster, items[j].gold_cluster);
      const bool same_pred = i == j || SameLabel(items[i].pred_cluster, items[j].pred_cluster);
      gold_size += same_gold;
      pred_size += same_pred;
      inter += same_gold && same_pred;
      if (j <= i) continue;
      const bool cross = items[i].gold_lang != items[j].gold_lang;
      ref.gold += same_gold;
      ref.pred += same_pred;
      ref.both += same_gold && same_pred;
      if (cross) {
        ref.xgold += same_gold;
        ref.xpred += same_pred;
        ref.xboth += same_gold && same_pred;
        const std::string& a = std::min(items[i].gold_lang, items[j].gold_lang);
        const std::string& b = std::max(items[i].gold_lang, items[j].gold_lang);
        auto& c = ref.lang_pairs[a + "-" + b];
        c[0] += same_gold;
        c[1] += same_pred;
        c[2] += same_gold && same_pred;
      }
    }
    ref.b3_p += static_cast<double>(inter) / static_cast<double>(pred_size);
    ref.b3_r += static_cast<double>(inter) / static_cast<double>(gold_size);
    ref.langid_ok += items[i].pred_lang == items[i].gold_lang;
  }
  if (n > 0) {
    ref.b3_p /= static_cast<double>(n);
    ref.b3_r /= static_cast<double>(n);
  }
  return ref;
}

void ExpectMatchesReference(const Scores& s, const std::vector<Item>& items, int trial) {
  const Reference ref = BruteForce(items);
  EXPECT_EQ(s.articles, static_cast<int64_t>(items.size())) << trial;
  EXPECT_EQ(s.pairwise.support, ref.gold) << trial;
  EXPECT_EQ(s.pairwise.predicted, ref.pred) << trial;
  EXPECT_EQ(s.pairwise.correct, ref.both) << trial;
  EXPECT_EQ(s.crosslingual_pairwise.support, ref.xgold) << trial;
  EXPECT_EQ(s.crosslingual_pairwise.predicted, ref.xpred) << trial;
  EXPECT_EQ(s.crosslingual_pairwise.correct, ref.xboth) << trial;
  if (!items.empty()) {
    EXPECT_NEAR(s.bcubed.precision, ref.b3_p, 1e-9) << trial;
    EXPECT_NEAR(s.bcubed.recall, ref.b3_r, 1e-9) << trial;
    EXPECT_NEAR(s.langid_accuracy,
                static_cast<double>(ref.langid_ok) / static_cast<double>(items.size()), 1e-12)
        << trial;
  }
  if (ref.pred > 0) {
    EXPECT_NEAR(s.pairwise.precision, static_cast<double>(ref.both) / static_cast<double>(ref.pred),
                1e-12)
        << trial;
  }
  if (ref.xgold > 0) {
    EXPECT_NEAR(s.crosslingual_pairwise.recall,
                static_cast<double>(ref.xboth) / static_cast<double>(ref.xgold), 1e-12)
        << trial;
  }
}

TEST(MetricsRandomTest, MatchesBruteForce) {
  std::mt19937 rng(20240515);
  const std::vector<std::string> langs = {"en", "ru", "zh", "fr", "th"};
  for (int trial = 0; trial < 40; ++trial) {
    const int n = std::uniform_int_distribution<int>(0, 250)(rng);
    const int gold_k = std::uniform_int_distribution<int>(1, 20)(rng);
    const int pred_k = std::uniform_int_distribution<int>(1, 20)(rng);
    std::uniform_int_distribution<int> gold_d(0, gold_k), pred_d(0, pred_k), lang_d(0, 4);
    std::vector<Item> items;
    for (int i = 0; i < n; ++i) {
      // Cluster number 0 stands for the empty label (a singleton).
      const int g = gold_d(rng), p = pred_d(rng);
      const std::string& gl = langs[lang_d(rng)];
      const std::string& pl = lang_d(rng) < 3 ? gl : langs[lang_d(rng)];
      items.push_back(Mk(std::to_string(i), g == 0 ? "" : "g" + std::to_string(g), gl,
                         p == 0 ? "" : "p" + std::to_string(p), pl));
    }
    const Report r = BuildReport(items, /*by_lang=*/true);
    ExpectMatchesReference(r.overall, items, trial);

    // Per-language subsets and the European subset against the same reference.
    for (const std::string& lang : langs) {
      std::vector<Item> subset;
      for (const Item& it : items) {
        if (it.gold_lang == lang) subset.push_back(it);
      }
      if (subset.empty()) {
        EXPECT_EQ(r.by_lang.count(lang), 0u) << trial;
        continue;
      }
      ASSERT_EQ(r.by_lang.count(lang), 1u) << trial << " " << lang;
      ExpectMatchesReference(r.by_lang.at(lang), subset, trial);
    }
    std::vector<Item> european;
    for (const Item& it : items) {
      if (it.gold_lang != "zh" && it.gold_lang != "th") european.push_back(it);
    }
    ExpectMatchesReference(r.european, european, trial);

    // Language pairs: the same keys (pairs with some gold or predicted pair)
    // and counts.
    const Reference ref = BruteForce(items);
    std::map<std::string, std::array<int64_t, 3>> expected;
    for (const auto& [key, c] : ref.lang_pairs) {
      if (c[0] > 0 || c[1] > 0) expected[key] = c;
    }
    ASSERT_EQ(r.by_lang_pair.size(), expected.size()) << trial;
    for (const auto& [key, c] : expected) {
      ASSERT_EQ(r.by_lang_pair.count(key), 1u) << trial << " " << key;
      const PRF& m = r.by_lang_pair.at(key);
      EXPECT_EQ(m.support, c[0]) << trial << " " << key;
      EXPECT_EQ(m.predicted, c[1]) << trial << " " << key;
      EXPECT_EQ(m.correct, c[2]) << trial << " " << key;
    }
  }
}

TEST(MetricsScaleTest, LargeInputCountsDoNotOverflow) {
  // 200,000 items in one gold and one predicted story, two languages
  // alternating: C(200000, 2) = 19,999,900,000 pairs (more than 2^32);
  // same-language pairs 2 * C(100000, 2) = 9,999,900,000, cross 10^10.
  std::vector<Item> items;
  items.reserve(200000);
  for (int i = 0; i < 200000; ++i) {
    items.push_back(Mk(std::to_string(i), "G", i % 2 ? "en" : "ru", "P", "en"));
  }
  const Scores s = Score(items);
  EXPECT_EQ(s.pairwise.support, 19999900000LL);
  EXPECT_EQ(s.pairwise.correct, 19999900000LL);
  EXPECT_EQ(s.crosslingual_pairwise.support, 10000000000LL);
  ExpectPrf(s.bcubed, 1, 1, 1, "bcubed");
  EXPECT_NEAR(s.langid_accuracy, 0.5, kEps);
}

}  // namespace
}  // namespace storyline::eval
