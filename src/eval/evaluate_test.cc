#include "eval/evaluate.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace storyline::eval {
namespace {

std::string WriteGold() {
  std::string path = ::testing::TempDir() + "/gold_" + std::to_string(::getpid()) + ".jsonl";
  std::ofstream out(path);
  out << R"({"id":"a1","lang":"en","cluster":"A","title":"Ferry runs aground near Tromsø","text":"The ferry Fjordlyn ran aground near Tromsø on Tuesday; 92 passengers were evacuated by the coastguard.","published":"2026-03-11T08:00:00Z"})"
         "\n";
  out << R"({"id":"a2","lang":"no","cluster":"A","title":"Ferje på grunn ved Tromsø","text":"Ferja Fjordlyn gikk på grunn ved Tromsø tirsdag; 92 passasjerer ble evakuert av Kystvakten.","published":"2026-03-11T09:00:00Z"})"
         "\n";
  out << R"({"id":"a3","lang":"no","cluster":"A","title":"Ferje på grunn ved Tromsø","text":"Ferja Fjordlyn gikk på grunn ved Tromsø tirsdag; 92 passasjerer ble evakuert av Kystvakten.","published":"2026-03-11T09:00:00Z","dup_of":"a2"})"
         "\n";
  out << R"({"id":"b1","lang":"en","cluster":"B","title":"Norges Bank cuts its rate to 3.75 per cent","text":"Norges Bank lowered its policy rate by a quarter point to 3.75 per cent, citing lower inflation.","published":"2026-03-12T10:00:00Z"})"
         "\n";
  out << "not json\n";
  return path;
}

TEST(ReadGold, StripsLabelsAndLanguageFromWhatThePipelineSees) {
  std::vector<Article> articles;
  std::vector<Item> gold;
  std::vector<Reject> rejects;
  std::vector<std::pair<std::string, std::string>> dups;
  std::string path = WriteGold();
  ASSERT_TRUE(ReadGold(path, false, &articles, &gold, &rejects, &dups).ok());
  ASSERT_EQ(articles.size(), 4u);
  for (const auto& a : articles) {
    EXPECT_TRUE(a.lang_hint.empty());
    EXPECT_EQ(a.text.find("cluster"), std::string::npos);
  }
  EXPECT_EQ(gold[0].gold_cluster, "A");
  EXPECT_EQ(gold[1].gold_lang, "no");
  ASSERT_EQ(dups.size(), 1u);
  EXPECT_EQ(dups[0], (std::pair<std::string, std::string>{"a3", "a2"}));
  EXPECT_EQ(rejects.size(), 1u);
  EXPECT_TRUE(articles[0].published.has_value());

  articles.clear();
  gold.clear();
  ASSERT_TRUE(ReadGold(path, /*ignore_dates=*/true, &articles, &gold, &rejects, &dups).ok());
  for (const auto& a : articles) EXPECT_FALSE(a.published.has_value());
  std::remove(path.c_str());
}

TEST(Evaluate, ScoresASmallCrossLingualFile) {
  std::string path = WriteGold();
  EngineOptions o;
  EvalRun run;
  run.gold_path = path;
  run.by_lang = true;
  auto out = Evaluate(o, run);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->report.overall.articles, 4);
  EXPECT_EQ(out->duplicates_labelled, 1);
  EXPECT_EQ(out->duplicates_found, 1);
  EXPECT_DOUBLE_EQ(out->report.overall.langid_accuracy, 1.0);
  EXPECT_DOUBLE_EQ(out->report.overall.bcubed.precision, 1.0);
  EXPECT_DOUBLE_EQ(out->report.overall.crosslingual_pairwise.recall, 1.0);
  EXPECT_FALSE(out->report.by_lang.empty());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace storyline::eval
