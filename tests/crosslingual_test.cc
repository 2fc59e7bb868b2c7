// End-to-end test on the cross-lingual golden corpus tests/data/crosslingual.jsonl:
// wire-ticker-length items (1-3 sentences, few names) about 10 invented events in
// 13 languages, with traps (same country and prime minister on the same days, two
// strikes in neighbouring countries on consecutive days). See tests/data/README.md.
//
// Floors are what the engine achieved when the test was written, measured with
//   storyline eval tests/data/crosslingual.jsonl --by-lang
// and set a little below; raise them when the engine improves. Two builds were
// measured (the clusterer was being changed at the time); "A / B" below gives
// both, A the older.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "eval/evaluate.h"
#include "eval/metrics.h"
#include "testing.h"

namespace storyline {
namespace {

std::string CorpusPath() { return testing::SourceDir() + "/tests/data/crosslingual.jsonl"; }

void PrintScores(const eval::Report& r) {
  const eval::Scores& o = r.overall;
  std::printf("crosslingual corpus: %lld articles\n", static_cast<long long>(o.articles));
  std::printf("  B-cubed      P %.3f  R %.3f  F1 %.3f\n", o.bcubed.precision, o.bcubed.recall,
              o.bcubed.f1);
  std::printf("  pairwise     P %.3f  R %.3f  F1 %.3f\n", o.pairwise.precision, o.pairwise.recall,
              o.pairwise.f1);
  std::printf("  x-lingual    P %.3f  R %.3f  F1 %.3f  (%lld gold pairs, %lld predicted)\n",
              o.crosslingual_pairwise.precision, o.crosslingual_pairwise.recall,
              o.crosslingual_pairwise.f1, static_cast<long long>(o.crosslingual_pairwise.support),
              static_cast<long long>(o.crosslingual_pairwise.predicted));
  for (const auto& [lang, s] : r.by_lang)
    std::printf("  %-3s B-cubed  P %.3f  R %.3f  (%lld articles)\n", lang.c_str(),
                s.bcubed.precision, s.bcubed.recall, static_cast<long long>(s.articles));
  std::fflush(stdout);
}

TEST(CrossLingual, GoldenCorpusScores) {
  eval::EvalRun run;
  run.gold_path = CorpusPath();
  run.by_lang = true;
  auto out = eval::Evaluate(EngineOptions{}, run);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const eval::Report& r = out->report;
  PrintScores(r);
  ASSERT_EQ(r.overall.articles, 59);

  // (b) Different events are not merged. Measured 0.983 / 0.971: the only
  // error is the flood/Sejm trap below (the same prime minister, same days).
  EXPECT_GE(r.overall.bcubed.precision, 0.95);
  // Measured 1.000 / 0.969 (B: the Polish flood follow-up joins the Sejm story).
  EXPECT_GE(r.overall.crosslingual_pairwise.precision, 0.95);

  // (c) An event's items in one language end up in one story: per-language
  // B-cubed recall >= 0.9, except for the languages below, measured at
  //   pl 0.667 / 0.833 (klodzko-flood-pl-2 not in its event's story),
  //   es 0.750 / 0.750 (antofagasta-quake-es-2 alone: one name, one number),
  //   fi 0.500 / 0.500 (fi-port-strike-fi-2 alone: names only inflected).
  // de measures 0.900 / 1.000 (A split de-rail-strike into two stories).
  const std::map<std::string, double> known_shortfall = {{"es", 0.70}, {"fi", 0.45}, {"pl", 0.60}};
  for (const auto& [lang, s] : r.by_lang) {
    auto it = known_shortfall.find(lang);
    double floor = it == known_shortfall.end() ? 0.9 - 1e-9 : it->second;
    EXPECT_GE(s.bcubed.recall, floor) << "language " << lang;
  }
  EXPECT_EQ(r.by_lang.size(), 13u);

  // (d) Cross-lingual pairwise recall: measured 0.820 / 0.899 (114 / 125 of
  // 139 gold pairs) with `storyline eval tests/data/crosslingual.jsonl --by-lang`.
  EXPECT_GE(r.overall.crosslingual_pairwise.recall, 0.78);
}

// The traps, checked by name: events that share a country, a leader or a kind
// of event within days must not share a story.
TEST(CrossLingual, TrapEventsStaySeparate) {
  std::vector<Article> articles;
  std::vector<eval::Item> gold;
  std::vector<Reject> rejects;
  std::vector<std::pair<std::string, std::string>> dup_of;
  ASSERT_TRUE(eval::ReadGold(CorpusPath(), false, &articles, &gold, &rejects, &dup_of).ok());
  ASSERT_TRUE(rejects.empty());
  // The same options as eval::Evaluate.
  EngineOptions options;
  options.db_path = ":memory:";
  options.ignore_lang_hints = true;
  options.store.synchronous = "OFF";
  auto engine = Engine::Open(options);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  ASSERT_TRUE((*engine)->Ingest(std::move(articles)).ok());
  std::map<std::string, std::string> story;  // article id -> story
  ASSERT_TRUE((*engine)
                  ->store()
                  .ForEachAssignment([&](const std::string& id, const std::string& s,
                                         const std::string&) { story[id] = s; })
                  .ok());

  // Articles of event `a` put in one story with an article of event `b`.
  auto mixed = [&](const std::string& a, const std::string& b) {
    std::set<std::string> ids;
    for (const auto& x : gold)
      for (const auto& y : gold)
        if (x.gold_cluster == a && y.gold_cluster == b && story[x.id] == story[y.id]) {
          std::printf("  trap merged: %s + %s\n", x.id.c_str(), y.id.c_str());
          ids.insert(x.id);
        }
    return ids.size();
  };
  // Finnish dock strike (Mar 10-11) vs German rail strike (Mar 11-12).
  EXPECT_EQ(mixed("fi-port-strike", "de-rail-strike"), 0u);
  // Kłodzko flood (Mar 3-4) vs Sejm budget vote (Mar 4-5), both naming Prime
  // Minister Tomasz Wierzbicki. Measured: one flood article,
  // xl-klodzko-flood-pl-2, shares a story with Sejm articles (A: with
  // sejm-budget-pl-2 alone; B: joins the whole Sejm story). Target 0.
  EXPECT_LE(mixed("klodzko-flood", "sejm-budget"), 1u);
  std::fflush(stdout);
}

}  // namespace
}  // namespace storyline
