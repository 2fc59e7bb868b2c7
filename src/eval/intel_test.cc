#include "eval/intel.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace storyline::eval {
namespace {

ArticleIntel Article(const std::string& id, const std::string& lang, const std::string& text) {
  ArticleIntel a;
  a.id = id;
  a.lang = lang;
  a.text = text;
  return a;
}

Quote MakeQuote(const std::string& text, const std::string& speaker, const std::string& key) {
  Quote q;
  q.text = text;
  q.speaker = speaker;
  q.speaker_key = key;
  return q;
}

Figure MakeFigure(const std::string& text, const std::string& phrase, double value,
                  const std::string& what) {
  Figure f;
  f.as_written = phrase;
  f.offset = text.find(phrase);
  f.value = value;
  f.what = what;
  return f;
}

TEST(IntelTest, QuoteDetectionAndAttribution) {
  IntelGold gold;
  gold.has_quotes = true;
  gold.quotes = {
      {"a1", "Anna Berg", "berg", "We will not give up on"},  // found, right speaker
      {"a1", "Per Olsen", "olsen", "The bridge is closed"},   // found, wrong speaker
      {"a1", "Tom Hå", "hå", "Nobody saw it coming"},         // missed
      {"a1", "", "", "A short one"},                          // found, no gold speaker
  };
  ArticleIntel a = Article("a1", "en", "");
  a.found.quotes = {
      MakeQuote("“We  will not give up on this town,” she said", "Anna Berg", "berg"),
      MakeQuote("The bridge is closed until Friday.", "Kari Lie", "lie"),
      MakeQuote("short one", "", ""),               // contained in the gold snippet
      MakeQuote("Unrelated words here", "X", "x"),  // a false quote
  };
  IntelReport r = ScoreIntel(gold, {a});
  EXPECT_EQ(r.overall.quote_precision.hit, 3);
  EXPECT_EQ(r.overall.quote_precision.total, 4);
  EXPECT_EQ(r.overall.quote_recall.hit, 3);
  EXPECT_EQ(r.overall.quote_recall.total, 4);
  // Matched with a predicted speaker: Berg (right), Lie (wrong). "short one" has none.
  EXPECT_EQ(r.overall.attribution_precision.hit, 1);
  EXPECT_EQ(r.overall.attribution_precision.total, 2);
  // Gold quotes with a speaker: 3, one attributed correctly.
  EXPECT_EQ(r.overall.attribution_recall.hit, 1);
  EXPECT_EQ(r.overall.attribution_recall.total, 3);
}

TEST(IntelTest, AttributionFoldsDiacriticsAndAcceptsTheSurname) {
  IntelGold gold;
  gold.has_quotes = true;
  gold.quotes = {{"a", "Jürgen Häupl", "häupl", "Das ist gut so"},
                 {"a", "Lene Dahl", "justice ministry", "Vi må vente"}};
  ArticleIntel a = Article("a", "de", "");
  a.found.quotes = {MakeQuote("Das ist gut so", "Häupl", "haupl"),
                    MakeQuote("Vi må vente og se", "Lene Dahl", "")};  // surname of the speaker
  IntelReport r = ScoreIntel(gold, {a});
  EXPECT_EQ(r.overall.attribution_precision.hit, 2);
  EXPECT_EQ(FoldKey("Häupl"), "haupl");
  EXPECT_EQ(FoldKey("Путин"), "putin");
}

TEST(IntelTest, QuotesOfOtherArticlesNeverMatch) {
  IntelGold gold;
  gold.has_quotes = true;
  gold.quotes = {{"a", "", "", "same words in both"}};
  ArticleIntel b = Article("b", "en", "");
  b.found.quotes = {MakeQuote("same words in both", "", "")};
  IntelReport r = ScoreIntel(gold, {Article("a", "en", ""), b});
  EXPECT_EQ(r.overall.quote_recall.hit, 0);
  EXPECT_EQ(r.overall.quote_precision.hit, 0);
  EXPECT_EQ(r.overall.quote_precision.total, 1);
}

TEST(IntelTest, FigureRecallPrecisionAndWhat) {
  std::string text = "Over 4,500 troops came. Some 300 tanks too. Costs rose 12 percent in May.";
  IntelGold gold;
  gold.has_figures = true;
  gold.figures = {
      {"a", "troops", 4500, std::nullopt, "Over 4,500 troops"},  // found, what right
      {"a", "count", 300, std::nullopt, "300 tanks"},            // found, what wrong
      {"a", "percent", 12, std::nullopt, "12 percent"},          // value wrong -> missed
  };
  ArticleIntel a = Article("a", "en", text);
  a.found.figures = {MakeFigure(text, "4,500 troops", 4510, "troops"),  // within 0.5 %
                     MakeFigure(text, "Some 300 tanks", 300, "people"),
                     MakeFigure(text, "12 percent", 21, "percent"),
                     MakeFigure(text, "May", 5, "count")};  // unlabelled: not in precision
  IntelReport r = ScoreIntel(gold, {a});
  EXPECT_EQ(r.overall.figure_recall.hit, 2);
  EXPECT_EQ(r.overall.figure_recall.total, 3);
  EXPECT_EQ(r.overall.figure_precision.hit, 2);
  EXPECT_EQ(r.overall.figure_precision.total, 3);
  EXPECT_EQ(r.overall.figure_what.hit, 1);
  EXPECT_EQ(r.overall.figure_what.total, 2);
  EXPECT_EQ(r.overall.figures_unlocated, 0);
}

TEST(IntelTest, FigureMustOverlapTheGoldNumber) {
  std::string text = "In 2020 there were 40 boats; in 2021 there were 40 boats again.";
  IntelGold gold;
  gold.has_figures = true;
  gold.figures = {{"a", "count", 40, std::nullopt, "40 boats again"}};
  ArticleIntel a = Article("a", "en", text);
  a.found.figures = {MakeFigure(text, "40 boats;", 40, "count")};  // the first 40, not the gold's
  IntelReport r = ScoreIntel(gold, {a});
  EXPECT_EQ(r.overall.figure_recall.hit, 0);
  a.found.figures.push_back(MakeFigure(text, "40 boats again", 40, "count"));
  r = ScoreIntel(gold, {a});
  EXPECT_EQ(r.overall.figure_recall.hit, 1);
}

TEST(IntelTest, EntitiesPerArticle) {
  IntelGold gold;
  gold.has_entities = true;
  gold.entities = {{"Olaf Scholz", {"Olaf Scholz", "Scholz"}, {"a", "b"}},
                   {"Oslo", {"Oslo"}, {"a"}},
                   {"Berlin", {"Berlin"}, {"b"}}};
  ArticleIntel a = Article("a", "de", "");
  Entity scholz;
  scholz.name = "scholz";  // case-insensitive
  Entity berlin;
  berlin.name = "Berlin";  // a gold entity, but not of this article
  a.found.entities = {scholz, berlin};
  IntelReport r = ScoreIntel(gold, {a});
  EXPECT_EQ(r.overall.entity_recall.hit, 1);
  EXPECT_EQ(r.overall.entity_recall.total, 2);
  EXPECT_EQ(r.overall.entity_precision.hit, 1);
  EXPECT_EQ(r.overall.entity_precision.total, 2);
}

TEST(IntelTest, AgenciesAndLanguagesAddUp) {
  IntelGold gold;
  gold.has_agencies = true;
  gold.agencies = {{"a", {"NTB", "AP"}}, {"b", {"dpa"}}};
  ArticleIntel a = Article("a", "no", "");
  a.found.agencies = {"NTB", "TT"};
  ArticleIntel b = Article("b", "de", "");
  b.found.agencies = {"dpa"};
  IntelReport r = ScoreIntel(gold, {a, b});
  EXPECT_EQ(r.overall.agency_precision.hit, 2);
  EXPECT_EQ(r.overall.agency_precision.total, 3);
  EXPECT_EQ(r.overall.agency_recall.hit, 2);
  EXPECT_EQ(r.overall.agency_recall.total, 3);
  EXPECT_EQ(r.by_lang.at("no").agency_recall.total, 2);
  EXPECT_EQ(r.by_lang.at("de").agency_recall.hit, 1);
  EXPECT_EQ(r.overall.articles, 2);
  EXPECT_NE(IntelToText(r).find("all"), std::string::npos);
  EXPECT_DOUBLE_EQ(IntelToJson(r)["overall"]["agencies"]["recall"]["value"].get<double>(),
                   2.0 / 3.0);
}

class IntelGoldFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sl_intel_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& body) {
    std::ofstream(dir_ / name) << body;
  }
  std::filesystem::path dir_;
};

TEST_F(IntelGoldFiles, ReadsWhatIsThereAndSkipsTheRest) {
  Write("quotes.jsonl",
        R"({"article":"x","lang":"sv","speaker":"A B","speaker_key":"b","quote_snippet":"hej"})"
        "\n\n");
  Write(
      "figures.jsonl",
      R"({"what":"troops","values":[{"article":"x","value":50,"value_max":60,"as_written":"50-60 soldater"}]})"
      "\n");
  auto g = ReadIntelGold(dir_.string());
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(g->has_quotes);
  EXPECT_TRUE(g->has_figures);
  EXPECT_FALSE(g->has_entities);
  EXPECT_FALSE(g->has_agencies);
  ASSERT_EQ(g->figures.size(), 1u);
  EXPECT_EQ(*g->figures[0].value_max, 60);
  EXPECT_EQ(g->lang.at("x"), "sv");
}

TEST_F(IntelGoldFiles, MalformedLineIsAnError) {
  Write("agencies.jsonl", "{\"article\":\"x\",\"agencies\":[\"AP\"]}\nnot json\n");
  auto g = ReadIntelGold(dir_.string());
  EXPECT_FALSE(g.ok());
  EXPECT_FALSE(ReadIntelGold((dir_ / "missing").string()).ok());
}

TEST(IntelDevTest, SeedFiguresAreFound) {
  const std::string gold = "/work/shared/eval/intel-dev";
  if (!std::filesystem::exists(gold + "/figures.jsonl")) GTEST_SKIP() << "no shared dev data";
  IntelRun run;
  run.gold_dir = gold;
  run.paths = {"/work/shared/seeds"};
  auto r = EvaluateIntel(run);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->overall.articles, 5);
  EXPECT_GE(r->overall.figure_recall.Value(), 0.9);
}

}  // namespace
}  // namespace storyline::eval
