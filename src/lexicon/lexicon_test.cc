#include "lexicon/lexicon.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "lexicon/testing.h"

namespace storyline {
namespace {

TEST(Dictd, Base64NumbersDecode) {
  EXPECT_EQ(DecodeDictdNumber("A"), 0u);
  EXPECT_EQ(DecodeDictdNumber("B"), 1u);
  EXPECT_EQ(DecodeDictdNumber("/"), 63u);
  EXPECT_EQ(DecodeDictdNumber("BA"), 64u);
  EXPECT_EQ(DecodeDictdNumber("Bb"), 64u + 27u);
  for (uint64_t v : {0ull, 5ull, 64ull, 4095ull, 123456789ull})
    EXPECT_EQ(DecodeDictdNumber(lexicon_testing::EncodeDictdNumber(v)), v);
}

TEST(Dictd, ClassicEntryKeepsTranslationsAndDropsAsides) {
  DictdEntry e = ParseDictdEntry(
      "arrest /ərest/\n1. anhålla, arrestera, häkta\n2. häkte <n> [jur.]\n   Synonym: {gripa}\n",
      false);
  EXPECT_EQ(e.headword, "arrest");
  std::vector<std::string> want = {"anhålla", "arrestera", "häkta", "häkte"};
  EXPECT_EQ(e.translations, want);
}

TEST(Dictd, WikDictEntrySkipsGlossLines) {
  DictdEntry e = ParseDictdEntry(
      "arrest //əˈɹɛst// <n>\n1. pysäyttäminen\nact or instance of arresting something\n"
      "2. pidätys; vangitseminen\nconfinement, as after an arrest\n",
      true);
  EXPECT_EQ(e.headword, "arrest");
  std::vector<std::string> want = {"pysäyttäminen", "pidätys", "vangitseminen"};
  EXPECT_EQ(e.translations, want);
  // A single sense without a number: the first line only.
  e = ParseDictdEntry("earthquake /ˈɜːθkweɪk/ <n>\njordskjelv\nshaking of the surface\n", true);
  EXPECT_EQ(e.translations, std::vector<std::string>{"jordskjelv"});
}

TEST(Dictd, ReadsCompressedDictionaryThroughItsIndex) {
  lexicon_testing::Dir dir;
  ASSERT_TRUE(lexicon_testing::WriteDictd(
      dir.path(), "freedict-swe-eng", "Swedish-English FreeDict Dictionary",
      {{"jordbävning", "jordbävning /jˈuːɖbɛːvnɪŋ/\nearthquake\n"},
       {"regering", "regering\ngovernment, administration\n"}}));
  std::vector<DictdEntry> got;
  std::string description;
  Status s = ReadDictd(
      dir.path() + "/freedict-swe-eng.index", dir.path() + "/freedict-swe-eng.dict.dz",
      [&](const DictdEntry& e) { got.push_back(e); }, &description);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(description, "Swedish-English FreeDict Dictionary");
  ASSERT_EQ(got.size(), 2u);  // the 00-database-* entries are not words
  EXPECT_EQ(got[0].headword, "jordbävning");
  EXPECT_EQ(got[0].translations, std::vector<std::string>{"earthquake"});
  EXPECT_EQ(got[1].translations, (std::vector<std::string>{"government", "administration"}));

  EXPECT_FALSE(
      ReadDictd(dir.path() + "/missing.index", dir.path() + "/x.dict.dz", [](const DictdEntry&) {
      }).ok());
}

TEST(Dictd, IndexPointingPastTheDictionaryIsSkipped) {
  lexicon_testing::Dir dir;
  ASSERT_TRUE(lexicon_testing::WriteDictd(dir.path(), "freedict-dan-eng", "Danish-English",
                                          {{"hus", "hus\nhouse\n"}}));
  {
    std::ofstream idx(dir.path() + "/freedict-dan-eng.index", std::ios::app);
    idx << "bad\t////\tB\n"
        << "no tabs here\n";
  }
  int n = 0;
  Status s = ReadDictd(dir.path() + "/freedict-dan-eng.index",
                       dir.path() + "/freedict-dan-eng.dict.dz", [&](const DictdEntry&) { ++n; });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(n, 1);
}

TEST(Dictd, NameEntryWhoseOffsetPlusLengthWrapsIsIgnored) {
  // Found by fuzz_dictd: off = 2^64 - 1, len = 1 summed to 0 and passed the
  // bounds check, then std::string::substr threw std::out_of_range.
  lexicon_testing::Dir dir;
  std::ofstream(dir.path() + "/x.index") << "00-database-short\tP//////////\tB\n"
                                         << "hus\tA\tJ\n";
  gzFile gz = gzopen((dir.path() + "/x.dict.dz").c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, "hus\nhouse\n", 10), 10);
  ASSERT_EQ(gzclose(gz), Z_OK);
  int n = 0;
  std::string description = "unset";
  Status s = ReadDictd(
      dir.path() + "/x.index", dir.path() + "/x.dict.dz", [&](const DictdEntry&) { ++n; },
      &description);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(n, 1);
  EXPECT_EQ(description, "");
}

TEST(Lexicon, WriteThenMapAndLookUp) {
  lexicon_testing::Dir dir;
  LexiconWriter w;
  w.Add("sv", 100, 7, 1);
  w.Add("sv", 100, 9, 3);  // ranks first
  w.Add("sv", 100, 8, 0.5f);
  w.Add("de", 50, 7, 1);
  w.Label(7, "earthquak");
  w.Label(9, "quak");
  std::string path = dir.path() + "/x.lex";
  ASSERT_TRUE(w.Write(path, 2).ok());
  auto lex = Lexicon::Open(path);
  ASSERT_TRUE(lex.ok()) << lex.status().ToString();
  auto c = (*lex)->Lookup(100);
  ASSERT_EQ(c.size(), 2u);  // capped at 2, best first
  EXPECT_EQ(c[0], 9u);
  EXPECT_EQ(c[1], 7u);
  EXPECT_EQ((*lex)->Lookup(50).size(), 1u);
  EXPECT_TRUE((*lex)->Lookup(51).empty());
  EXPECT_EQ((*lex)->Label(7), "earthquak");
  EXPECT_EQ((*lex)->Label(8), "");
  EXPECT_EQ((*lex)->entries(), 2u);
  EXPECT_EQ((*lex)->languages().at("sv"), 1u);
  EXPECT_TRUE((*lex)->HasLanguage("de"));
  EXPECT_FALSE((*lex)->HasLanguage("fr"));
}

TEST(Lexicon, DamagedFilesAreRefusedNotMapped) {
  lexicon_testing::Dir dir;
  LexiconWriter w;
  for (uint64_t k = 1; k < 50; ++k) w.Add("sv", k * 7919, k, 1);
  std::string path = dir.path() + "/x.lex";
  ASSERT_TRUE(w.Write(path, 4).ok());
  auto size = std::filesystem::file_size(path);
  EXPECT_EQ(Lexicon::Open(dir.path() + "/none.lex").status().code(), Status::Code::kNotFound);
  // Truncated.
  std::filesystem::copy_file(path, dir.path() + "/short.lex");
  std::filesystem::resize_file(dir.path() + "/short.lex", size - 5);
  EXPECT_EQ(Lexicon::Open(dir.path() + "/short.lex").status().code(), Status::Code::kCorruption);
  // Not a lexicon.
  {
    std::ofstream f(dir.path() + "/text.lex");
    f << std::string(100, 'x');
  }
  EXPECT_EQ(Lexicon::Open(dir.path() + "/text.lex").status().code(), Status::Code::kCorruption);
}

}  // namespace
}  // namespace storyline
