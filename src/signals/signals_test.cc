#include "signals/signals.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace storyline {
namespace {

bool Has(const std::vector<Feature>& v, uint64_t key) {
  return std::any_of(v.begin(), v.end(), [&](const Feature& f) { return f.key == key; });
}

TEST(ExtractNumbers, NormalisesFormatsAcrossLanguages) {
  using V = std::vector<std::string>;
  EXPECT_EQ(ExtractNumbers("100,000 troops"), V{"100000"});
  EXPECT_EQ(ExtractNumbers("100.000 Soldaten"), V{"100000"});
  EXPECT_EQ(ExtractNumbers("100 000 soldater"), V{"100000"});
  EXPECT_EQ(ExtractNumbers("100\xC2\xA0"
                           "000 soldats"),
            V{"100000"});
  EXPECT_EQ(ExtractNumbers("130 thousand"), V{"130000"});
  EXPECT_EQ(ExtractNumbers("2,5 millioner kroner"), V{"2500000"});
  EXPECT_EQ(ExtractNumbers("2.5 million dollars"), V{"2500000"});
  EXPECT_EQ(ExtractNumbers("3,5 prosent and 3.5 per cent"), (V{"3.5", "3.5"}));
  EXPECT_EQ(ExtractNumbers("1,2 млрд рублей"), V{"1200000000"});
}

TEST(ExtractNumbers, YearsSmallNumbersAndSentences) {
  using V = std::vector<std::string>;
  EXPECT_EQ(ExtractNumbers("In 2022, 7 people and 45 cars."), (V{"y2022", "45"}));
  EXPECT_EQ(ExtractNumbers("on 14 March 2026"), (V{"14", "y2026"}));
  EXPECT_EQ(ExtractNumbers("E18 and A4"), V{});  // road names are not numbers
  EXPECT_EQ(ExtractNumbers("40. 50 people"), (V{"40", "50"}));
}

TEST(AsciiDigits, DigitsOfEveryScriptBecomeAscii) {
  std::string out;
  EXPECT_TRUE(AsciiDigits("۱۹ نفر از ۴۳", &out));  // Persian
  EXPECT_EQ(ExtractNumbers(out), (std::vector<std::string>{"19", "43"}));
  EXPECT_TRUE(AsciiDigits("١٬٠٠٠٫٥", &out));  // Arabic-Indic with Arabic separators
  EXPECT_EQ(out, "1,000.5");
  EXPECT_TRUE(AsciiDigits("२०२२ में", &out));  // Devanagari
  EXPECT_EQ(ExtractNumbers(out), std::vector<std::string>{"y2022"});
  EXPECT_TRUE(AsciiDigits("２６８人", &out));  // fullwidth
  EXPECT_EQ(ExtractNumbers(out), std::vector<std::string>{"268"});
  EXPECT_FALSE(AsciiDigits("268 people, Tromsø", &out));
  EXPECT_EQ(out, "268 people, Tromsø");
}

TEST(Names, PersianAndEnglishShareTheirNumbers) {
  Analyzer a;
  Signals fa =
      a.Analyze("", "هواپیما در دریاچه ویکتوریا سقوط کرد و ۱۹ نفر از ۴۳ سرنشین کشته شدند.", "fa");
  Signals en =
      a.Analyze("", "A plane crashes into Lake Victoria, killing 19 of the 43 on board.", "en");
  EXPECT_TRUE(Has(fa.numbers, NumberKey("19")));
  EXPECT_TRUE(Has(en.numbers, NumberKey("19")));
  EXPECT_TRUE(Has(fa.numbers, NumberKey("43")));
}

TEST(Names, ForeignNamesInHanCharactersAreTakenBackAsOneWord) {
  Analyzer a;
  // ICU cuts 卡斯蒂略 (Castillo) and 博鲁阿尔特 (Boluarte) into single characters.
  Signals zh =
      a.Analyze("", "秘魯總統佩德羅·卡斯蒂略試圖解散國會未果，由副總統迪娜·博鲁阿尔特繼任。", "zh");
  Signals en = a.Analyze(
      "", "Peruvian president Pedro Castillo is removed; Dina Boluarte succeeds him.", "en");
  for (const char* name : {"castillo", "boluarte"}) {
    uint64_t key = NameFeatureKey(NameSkeleton(name));
    EXPECT_TRUE(Has(zh.names, key)) << name;
    EXPECT_TRUE(Has(en.names, key)) << name;
  }
}

TEST(Names, ArabicArticleAndKoreanParticlesAreNotPartOfTheName) {
  EXPECT_EQ(StripNameAffixes("البرازيل"), "برازيل");    // al-Brazil
  EXPECT_EQ(StripNameAffixes("والبرازيل"), "برازيل");   // wa-l-Brazil
  EXPECT_EQ(StripNameAffixes("الهند"), "هند");          // al-Hind (India)
  EXPECT_EQ(StripNameAffixes("الرب"), "الرب");          // two letters left: kept
  EXPECT_EQ(StripNameAffixes("모르비에서"), "모르비");  // "in Morbi"
  EXPECT_EQ(StripNameAffixes("인도"), "인도");  // ends like a particle, but is two syllables
  EXPECT_EQ(StripNameAffixes("Castillo"), "Castillo");
  Analyzer a;
  Signals ko = a.Analyze("", "인도 구자라트주 모르비에서 현수교가 붕괴되었다.", "ko");
  Signals en = a.Analyze("", "A footbridge collapses in Morbi, India.", "en");
  uint64_t morbi = NameFeatureKey(NameSkeleton("morbi"));
  EXPECT_TRUE(Has(en.names, morbi));
  EXPECT_TRUE(Has(ko.names, morbi));  // moleubi, read with r: ~561
}

TEST(Names, CaselessScriptWordsWeighLessThanRealNames) {
  SignalsOptions o;
  o.caseless_name_weight = 0.25f;
  Analyzer a(o);
  // Han words next to a Latin acronym: still caseless candidates, at a
  // quarter of a name's weight; the acronym is a full name.
  Signals zh = a.Analyze("", "彗星ZTF从离地球最近点掠过", "zh");
  float acronym = 0, weakest = 1e9;
  for (const auto& f : zh.names) {
    if (f.key == NameFeatureKey("ztf")) acronym = f.tf;
    weakest = std::min(weakest, f.tf);
  }
  EXPECT_FLOAT_EQ(acronym, 1.0f);
  EXPECT_FLOAT_EQ(weakest, 0.25f);
}

class AnalyzerTest : public ::testing::Test {
 protected:
  Analyzer analyzer_;
};

TEST_F(AnalyzerTest, NameKeysMeetAcrossScripts) {
  EXPECT_EQ(analyzer_.NameKey("Путин"), "putin");
  EXPECT_EQ(analyzer_.NameKey("putin"), "putin");
  EXPECT_EQ(analyzer_.NameKey("Tromsø"), "tromso");
  EXPECT_EQ(analyzer_.NameKey("Zürich"), "zurich");
}

TEST_F(AnalyzerTest, PutinInCyrillicAndLatinGiveTheSameNameFeature) {
  Signals ru =
      analyzer_.Analyze("Встреча", "Президент России Владимир Путин встретился с канцлером.", "ru");
  Signals en = analyzer_.Analyze("Meeting",
                                 "The Russian president Vladimir Putin met the chancellor.", "en");
  uint64_t putin = NameFeatureKey("putin");
  EXPECT_TRUE(Has(ru.names, putin));
  EXPECT_TRUE(Has(en.names, putin));
}

TEST_F(AnalyzerTest, StemsAreLanguageSpecificAndStopWordsDropped) {
  Signals s = analyzer_.Analyze("Ferries", "The ferries were running and the ferry runs.", "en");
  EXPECT_TRUE(Has(s.terms, TermKey("en", "ferri")));
  EXPECT_TRUE(Has(s.terms, TermKey("en", "run")));
  EXPECT_FALSE(Has(s.terms, TermKey("en", "the")));
  EXPECT_FALSE(Has(s.terms, TermKey("no", "ferri")));
  EXPECT_EQ(s.lang, "en");
}

TEST_F(AnalyzerTest, SentenceInitialWordsAreNotNamesUnlessCapitalisedElsewhere) {
  Signals s = analyzer_.Analyze(
      "", "Yesterday the talks ended. Oslo said no. Talks with Oslo resume.", "en");
  EXPECT_TRUE(Has(s.names, NameFeatureKey("oslo")));
  EXPECT_FALSE(Has(s.names, NameFeatureKey("yeste")));
  EXPECT_FALSE(Has(s.names, NameFeatureKey("talks")));
}

TEST_F(AnalyzerTest, TitleTokensWeighMore) {
  Signals s = analyzer_.Analyze("Avalanche", "An avalanche hit the valley.", "en");
  auto it = std::find_if(s.terms.begin(), s.terms.end(),
                         [](const Feature& f) { return f.key == TermKey("en", "avalanch"); });
  ASSERT_NE(it, s.terms.end());
  EXPECT_FLOAT_EQ(it->tf, analyzer_.options().title_weight + 1.0f);
}

TEST_F(AnalyzerTest, SketchIsDeterministicSortedAndSampled) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "word" + std::to_string(i) + " ";
  Signals a = analyzer_.Analyze("T", text, "en");
  Signals b = analyzer_.Analyze("T", text, "en");
  EXPECT_EQ(a.sketch, b.sketch);
  EXPECT_TRUE(std::is_sorted(a.sketch.begin(), a.sketch.end()));
  for (uint64_t h : a.sketch) EXPECT_EQ(h % analyzer_.options().sketch_modulus, 0u);
  // About 1 in 4 of ~197 shingles.
  EXPECT_GT(a.sketch.size(), 25u);
  EXPECT_LT(a.sketch.size(), 90u);
}

TEST_F(AnalyzerTest, HandlesEmptyAndOddInput) {
  Signals s = analyzer_.Analyze("", "", "und");
  EXPECT_TRUE(s.terms.empty());
  EXPECT_TRUE(s.sketch.empty());
  Signals t = analyzer_.Analyze("\xEF\xBF\xBD\xEF\xBF\xBD", "東京で地震が発生した。", "ja");
  EXPECT_FALSE(t.terms.empty());
}

}  // namespace
}  // namespace storyline

namespace storyline {
namespace {

TEST(NameSkeleton, SpellingVariantsAcrossLanguagesMeet) {
  Analyzer a;
  auto sk = [&](const char* name) { return NameSkeleton(a.NameKey(name)); };
  EXPECT_EQ(sk("kamchatka"), sk("камчатка"));
  EXPECT_EQ(sk("zelensky"), sk("selenskyj"));
  EXPECT_EQ(sk("zelensky"), sk("зеленский"));
  EXPECT_EQ(sk("hipkins"), sk("гіпкінс"));
  EXPECT_EQ(sk("james"), sk("джэймс"));
  EXPECT_EQ(sk("castillo"), sk("كاستيلو"));
  EXPECT_EQ(sk("boluarte"), sk("ბოლუარტე"));
  EXPECT_NE(sk("putin"), sk("scholz"));
  EXPECT_EQ(NameSkeleton("ab"), "");  // too short to tell
}

TEST(Names, SentenceInitialNamesAreFoundByCamelCaseOrARunOfCapitals) {
  Analyzer a;
  Signals s = a.Analyze("", "LeBron scores. Pedro Castillo is removed. Yesterday rain fell.", "en");
  EXPECT_TRUE(Has(s.names, NameFeatureKey("lebro")));
  EXPECT_TRUE(Has(s.names, NameFeatureKey("pedro")));
  EXPECT_TRUE(Has(s.names, NameFeatureKey("casti")));
  EXPECT_FALSE(Has(s.names, NameFeatureKey("yeste")));
}

TEST(Names, CaselessScriptsTreatContentWordsAsNameCandidates) {
  Analyzer a;
  Signals ka = a.Analyze("", "დინა ბოლუარტე პერუს პირველი ქალი პრეზიდენტი გახდა.", "ka");
  Signals en = a.Analyze("", "Dina Boluarte becomes the first female president of Peru.", "en");
  uint64_t boluarte = NameFeatureKey(NameSkeleton("boluarte"));
  EXPECT_TRUE(Has(ka.names, boluarte));
  EXPECT_TRUE(Has(en.names, boluarte));
}

}  // namespace
}  // namespace storyline
