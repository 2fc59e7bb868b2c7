#include "signals/gazetteer.h"

#include <gtest/gtest.h>

#include "common/paths.h"
#include "signals/signals.h"

namespace storyline {
namespace {

class GazetteerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    analyzer_ = new Analyzer();
    gazetteer_ = new Gazetteer(DataDirectory() + "/gazetteer",
                               [](std::string_view w) { return analyzer_->NameKey(w); });
  }
  static void TearDownTestSuite() {
    delete gazetteer_;
    delete analyzer_;
  }
  static std::string Country(std::string_view phrase) { return gazetteer_->Lookup(phrase); }

  static Analyzer* analyzer_;
  static Gazetteer* gazetteer_;
};
Analyzer* GazetteerTest::analyzer_ = nullptr;
Gazetteer* GazetteerTest::gazetteer_ = nullptr;

TEST_F(GazetteerTest, GermanyInManyLanguagesAndForms) {
  ASSERT_FALSE(gazetteer_->empty());
  for (const char* name : {"Germany", "Tyskland", "Allemagne", "Германия", "Niemcy", "Deutschland",
                           "Alemanha", "Tysklands", "Германии", "Germany's", "Німеччини"})
    EXPECT_EQ(Country(name), "DE") << name;
}

TEST_F(GazetteerTest, MultiWordNames) {
  for (const char* name :
       {"New Zealand", "Nya Zeeland", "Nouvelle-Zélande", "Новая Зеландия", "Новой Зеландии"})
    EXPECT_EQ(Country(name), "NZ") << name;
  EXPECT_EQ(Country("United States"), "US");
  EXPECT_EQ(Country("Соединённых Штатов"), "US");
  EXPECT_EQ(Country("South Korea"), "KR");
  EXPECT_EQ(Country("North Korea"), "KP");
  EXPECT_EQ(Country("South Sudan"), "SS");
  EXPECT_EQ(Country("Sudan"), "SD");
}

TEST_F(GazetteerTest, LongestRunWins) {
  std::vector<Gazetteer::Word> words = gazetteer_->Words("Papua New Guinea and Guinea");
  std::string code;
  EXPECT_EQ(gazetteer_->Match(words, &code), 3u);
  EXPECT_EQ(code, "PG");
  EXPECT_EQ(gazetteer_->Match(std::span(words).subspan(4), &code), 1u);
  EXPECT_EQ(code, "GN");
}

TEST_F(GazetteerTest, AustriaAndAustraliaAreNotConfused) {
  for (const char* name : {"Austria", "Österreich", "Østerrike", "Австрия", "Austrian", "Austrii"})
    EXPECT_EQ(Country(name), "AT") << name;
  for (const char* name : {"Australia", "Australien", "Австралия", "Australian", "Australii"})
    EXPECT_EQ(Country(name), "AU") << name;
}

TEST_F(GazetteerTest, ShortFormsAndDemonyms) {
  EXPECT_EQ(Country("USA"), "US");
  EXPECT_EQ(Country("США"), "US");
  EXPECT_EQ(Country("Storbritannia"), "GB");
  EXPECT_EQ(Country("Britain"), "GB");
  EXPECT_EQ(Country("Russia"), "RU");
  EXPECT_EQ(Country("Russland"), "RU");
  EXPECT_EQ(Country("Rosji"), "RU");
  EXPECT_EQ(Country("России"), "RU");
  EXPECT_EQ(Country("russisk"), "RU");
  EXPECT_EQ(Country("российского"), "RU");
  EXPECT_EQ(Country("Irans"), "IR");
  EXPECT_EQ(Country("Chinese"), "CN");
  EXPECT_EQ(Country("中国"), "CN");
}

TEST_F(GazetteerTest, OtherWordsAreNotCountries) {
  for (const char* word : {"Government", "Minister", "Frankfurt", "Microsoft", "Montreal", "George",
                           "Korea", "Congo", "Rossi", "Regjeringen", "Президент"})
    EXPECT_EQ(Country(word), "") << word;
}

bool HasFeature(const std::vector<Feature>& v, uint64_t key) {
  for (const auto& f : v)
    if (f.key == key) return true;
  return false;
}

TEST(GazetteerAnalyzer, CountriesGiveOneNeutralFeatureInEveryLanguage) {
  Analyzer a;
  const uint64_t de = NameFeatureKey("@DE");
  Signals no = a.Analyze("Statsministeren til Tyskland", "Hun reiser i morgen.", "no");
  Signals ru = a.Analyze("Визит", "Канцлер Германии прибыл в Варшаву.", "ru");
  Signals pl = a.Analyze("Wizyta", "Kanclerz Niemiec przybył do Warszawy.", "pl");
  Signals zh = a.Analyze("德国总理访问华沙", "", "zh");
  for (const Signals* s : {&no, &ru, &pl, &zh}) EXPECT_TRUE(HasFeature(s->names, de)) << s->lang;
  // The name keys stay too.
  EXPECT_TRUE(HasFeature(no.names, NameFeatureKey("tyskl")));
  Signals other = a.Analyze("Storm", "The storm reached the coast on Monday.", "en");
  EXPECT_FALSE(HasFeature(other.names, de));
  Signals nz = a.Analyze("Wybory", "Wybory w Nowej Zelandii wygrała Partia Pracy.", "pl");
  EXPECT_TRUE(HasFeature(nz.names, NameFeatureKey("@NZ")));
}

TEST(GazetteerAnalyzer, MissingDataGivesNoCountryFeatures) {
  SignalsOptions options;
  options.data_dir = "/nonexistent/storyline-data";
  Analyzer a(options);
  Signals s = a.Analyze("Tyskland", "Statsministeren reiser til Tyskland.", "no");
  EXPECT_FALSE(HasFeature(s.names, NameFeatureKey("@DE")));
  EXPECT_FALSE(s.names.empty());
}

TEST(GazetteerMissing, EmptyWhenNoData) {
  Analyzer analyzer;
  Gazetteer g("/nonexistent/dir", [&](std::string_view w) { return analyzer.NameKey(w); });
  EXPECT_TRUE(g.empty());
  EXPECT_EQ(g.Lookup("Germany"), "");
}

}  // namespace
}  // namespace storyline
