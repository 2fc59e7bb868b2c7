#include "langid/langid.h"

#include <gtest/gtest.h>

namespace storyline {
namespace {

class LangIdTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = LanguageIdentifier::Open({});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    lid_ = std::move(r).value().release();
  }
  static void TearDownTestSuite() { delete lid_; }
  static LanguageIdentifier* lid_;
};
LanguageIdentifier* LangIdTest::lid_ = nullptr;

TEST_F(LangIdTest, IdentifiesArticleLanguages) {
  struct Case {
    const char* text;
    const char* lang;
  } cases[] = {
      {"The ferry ran aground near the harbour on Tuesday morning, and all passengers were "
       "rescued.",
       "en"},
      {"Fergen gikk på grunn ved havna tirsdag morgen, og alle passasjerene ble reddet av "
       "mannskapet.",
       "no"},
      {"Färjan gick på grund vid hamnen på tisdagsmorgonen, och alla passagerare räddades av "
       "besättningen.",
       "sv"},
      {"Паром сел на мель у гавани во вторник утром, все пассажиры были спасены.", "ru"},
      {"Die Fähre lief am Dienstagmorgen in der Nähe des Hafens auf Grund, alle Passagiere wurden "
       "gerettet.",
       "de"},
  };
  for (const auto& c : cases) {
    LanguageGuess g = lid_->Identify("", c.text);
    EXPECT_EQ(g.lang, c.lang) << c.text;
    EXPECT_GT(g.confidence, 0.5) << c.text;
  }
}

TEST_F(LangIdTest, MetadataHintWinsButDetectorAnswerIsKept) {
  LanguageGuess g = lid_->Identify("", "The ferry ran aground near the harbour on Tuesday.", "nb");
  EXPECT_EQ(g.lang, "no");
  EXPECT_EQ(g.method, "metadata");
  EXPECT_EQ(g.cld2, "en");
}

TEST_F(LangIdTest, EmptyTextIsUndeterminedOrLowConfidence) {
  LanguageGuess g = lid_->Identify("", "");
  EXPECT_TRUE(g.lang == "und" || g.confidence < 0.5) << g.lang << " " << g.confidence;
}

TEST(LangIdCanonical, MapsCodes) {
  EXPECT_EQ(LanguageIdentifier::Canonical("nb"), "no");
  EXPECT_EQ(LanguageIdentifier::Canonical("NO"), "no");
  EXPECT_EQ(LanguageIdentifier::Canonical("nn"), "nn");
  EXPECT_EQ(LanguageIdentifier::Canonical("zh-Hant"), "zh");
  EXPECT_EQ(LanguageIdentifier::Canonical("en_US"), "en");
  EXPECT_EQ(LanguageIdentifier::Canonical("x"), "");
  EXPECT_EQ(LanguageIdentifier::Canonical("12"), "");
}

TEST(LangIdOpen, MissingModelIsNotFound) {
  LangIdOptions o;
  o.model_path = "/nonexistent/lid.ftz";
  auto r = LanguageIdentifier::Open(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace storyline
