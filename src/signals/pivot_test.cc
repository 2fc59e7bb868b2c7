// The pivot lexicon from FreeDict dictionaries, and pivot concepts in Signals.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "lexicon/lexicon.h"
#include "lexicon/testing.h"
#include "signals/signals.h"

namespace storyline {
namespace {

using lexicon_testing::WriteDictd;

// Small dictionaries in the three shapes the builder reads.
class PivotLexiconTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Swedish -> English (forward).
    ASSERT_TRUE(WriteDictd(dir_.path(), "freedict-swe-eng", "Swedish-English FreeDict Dictionary",
                           {{"jordbävning", "jordbävning /jˈuːɖbɛːvnɪŋ/\nearthquake\n"},
                            {"regering", "regering\n1. government, administration\n"},
                            {"och", "och\nand\n"}}));
    // English -> Norwegian (read backwards), WikDict layout with glosses.
    ASSERT_TRUE(WriteDictd(
        dir_.path(), "freedict-eng-nor", "English-Norsk FreeDict+WikDict",
        {{"earthquake",
          "earthquake //ˈɜːθkweɪk// <n>\njordskjelv\nshaking of "
          "the surface of a planet\n"},
         {"to arrest", "to arrest\narrestere\nto take into custody\n"},
         {"head of state", "head of state\nstatsoverhode\nthe chief public representative\n"},
         {"person who takes part in a race",
          "person who takes part in a race\nløper\nsomeone running\n"}}));
    // Swedish -> Russian (read through Swedish's English meanings).
    ASSERT_TRUE(WriteDictd(dir_.path(), "freedict-swe-rus", "Svenska-Русский FreeDict+WikDict",
                           {{"jordbävning", "jordbävning <n>\nземлетрясение\nskakning\n"}}));
    SignalsOptions none;
    none.lexicon_path = "none";
    Analyzer builder(none);
    path_ = dir_.path() + "/pivot.lex";
    Status s = BuildPivotLexicon(dir_.path(), path_, builder, &report_);
    ASSERT_TRUE(s.ok()) << s.ToString();
    SignalsOptions o;
    o.lexicon_path = path_;
    o.cognate_weight = 0;  // dictionary concepts only (cognates: tested below)
    analyzer_ = std::make_unique<Analyzer>(o);
    ASSERT_NE(analyzer_->lexicon(), nullptr);
  }

  static bool Shares(const Signals& a, const Signals& b) {
    for (const auto& f : a.pivots)
      for (const auto& g : b.pivots)
        if (f.key == g.key) return true;
    return false;
  }

  lexicon_testing::Dir dir_;
  std::string path_;
  LexiconBuildReport report_;
  std::unique_ptr<Analyzer> analyzer_;
};

TEST_F(PivotLexiconTest, ReportsEachDictionaryAndCoveragePerLanguage) {
  ASSERT_EQ(report_.dictionaries.size(), 3u);
  std::map<std::string, std::string> how;
  for (const auto& d : report_.dictionaries) how[d.file] = d.how + " " + d.lang;
  EXPECT_EQ(how["freedict-swe-eng"], "forward sv");
  EXPECT_EQ(how["freedict-eng-nor"], "reverse no");
  EXPECT_EQ(how["freedict-swe-rus"], "via sv ru");
  std::map<std::string, uint64_t> words(report_.words_per_language.begin(),
                                        report_.words_per_language.end());
  EXPECT_EQ(words["sv"], 2u);  // "och" is a stop word
  // "head of state" gives statsoverhode {head, state}; a long English
  // headword is a definition and gives nothing.
  EXPECT_EQ(words["no"], 3u);
  EXPECT_EQ(words["ru"], 1u);
  EXPECT_GT(report_.bytes, 0u);
}

TEST_F(PivotLexiconTest, InflectedWordsMeetTheirEnglishConcept) {
  Signals en = analyzer_->Analyze("Earthquakes hit the coast", "", "en");
  Signals sv = analyzer_->Analyze("Jordbävningen drabbar kusten", "", "sv");
  Signals no = analyzer_->Analyze("Jordskjelvet rammer kysten", "", "no");
  Signals ru = analyzer_->Analyze("Землетрясение на побережье", "", "ru");
  EXPECT_TRUE(Shares(en, sv));
  EXPECT_TRUE(Shares(en, no));
  EXPECT_TRUE(Shares(en, ru));
  // The concept is the English stem, and the lexicon can name it.
  auto c = analyzer_->lexicon()->Lookup(TermKey("sv", analyzer_->Stem("sv", "jordbävning")));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(analyzer_->lexicon()->Label(c[0]), "earthquak");
  EXPECT_EQ(c[0], PivotKey("earthquak"));
}

TEST_F(PivotLexiconTest, AmbiguousWordsSpreadTheirWeight) {
  Signals sv = analyzer_->Analyze("regering", "", "sv");
  ASSERT_EQ(sv.pivots.size(), 2u);  // government, administration
  EXPECT_EQ(sv.content_words, 1u);
  EXPECT_EQ(sv.translated_words, 1u);
  Signals unknown = analyzer_->Analyze("regering avgick", "", "sv");  // "avgick" is not in it
  EXPECT_EQ(unknown.content_words, 2u);
  EXPECT_EQ(unknown.translated_words, 1u);
  float total = 0;
  for (const auto& f : sv.pivots) total += f.tf;
  EXPECT_FLOAT_EQ(total, SignalsOptions().title_weight);
}

TEST_F(PivotLexiconTest, NamesAndUnknownLanguagesGiveNoPivots) {
  // "Jordbävning" as a name-like token mid-sentence is still a word, but a
  // proper name is left to the name keys.
  Signals sv = analyzer_->Analyze("", "Rapporten kom från Anna Lindqvist i går.", "sv");
  EXPECT_TRUE(sv.pivots.empty());
  Signals ta = analyzer_->Analyze("", "நிலநடுக்கம்", "ta");
  EXPECT_TRUE(ta.pivots.empty());
  EXPECT_EQ(analyzer_->PivotLanguage("ta"), "");
  EXPECT_EQ(analyzer_->PivotLanguage("nn"), "no");  // a close relative's dictionary
  EXPECT_EQ(analyzer_->PivotLanguage("en"), "en");
}

TEST(PivotLexicon, MissingDictionariesAreAClearError) {
  lexicon_testing::Dir empty;
  SignalsOptions none;
  none.lexicon_path = "none";
  Analyzer a(none);
  Status s = BuildPivotLexicon(empty.path(), empty.path() + "/x.lex", a, nullptr);
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  EXPECT_NE(s.message().find("dict-freedict"), std::string::npos);
  // An analyzer without a lexicon file still works, without pivots.
  SignalsOptions missing;
  missing.lexicon_path = empty.path() + "/none.lex";
  missing.cognate_weight = 0;
  Analyzer b(missing);
  EXPECT_EQ(b.lexicon(), nullptr);
  EXPECT_TRUE(b.Analyze("Jordbävning", "", "sv").pivots.empty());
  EXPECT_FALSE(b.Analyze("Earthquake", "", "en").pivots.empty());  // English is its own pivot
}

TEST(Cognates, SpellingsOfOneWordAcrossLanguagesAndScriptsShareAKey) {
  SignalsOptions o;
  o.lexicon_path = "none";
  Analyzer a(o);
  auto keys = [&](const char* text, const char* lang) {
    std::set<uint64_t> k;
    for (const auto& f : a.Analyze("", text, lang).pivots) k.insert(f.key);
    return k;
  };
  auto en = keys("the president", "en");
  ASSERT_EQ(en.size(), 2u);  // its English stem and its cognate key
  for (auto [text, lang] : std::vector<std::pair<const char*, const char*>>{
           {"o presidente", "pt"}, {"президент", "ru"}, {"prezydent", "pl"}, {"président", "fr"}}) {
    auto other = keys(text, lang);
    bool shared = false;
    for (uint64_t k : other) shared = shared || en.count(k);
    EXPECT_TRUE(shared) << text;
  }
  // Short words have no cognate key (too many collisions).
  EXPECT_TRUE(keys("kort", "sv").empty());
  o.cognate_weight = 0;
  Analyzer off(o);
  EXPECT_TRUE(off.Analyze("", "президент", "ru").pivots.empty());
}

TEST(Stem, TruncatesInflectingLanguagesWithoutSnowball) {
  SignalsOptions none;
  none.lexicon_path = "none";
  Analyzer a(none);
  EXPECT_EQ(a.Stem("pl", "aresztowany"), "areszt");
  EXPECT_EQ(a.Stem("pl", "aresztowania"), "areszt");
  EXPECT_EQ(a.Stem("uk", "землетрусу"), "землет");  // six letters, not six bytes
  EXPECT_EQ(a.Stem("pl", "rząd"), "rząd");
  EXPECT_EQ(a.Stem("en", "earthquakes"), "earthquak");
  EXPECT_EQ(a.Stem("zz", "word"), "word");
}

}  // namespace
}  // namespace storyline
