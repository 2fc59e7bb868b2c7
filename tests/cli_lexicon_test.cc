// The `storyline lexicon` commands, run as a user would: build from
// dictionaries, look words up, measure coverage, and fail clearly.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "lexicon/testing.h"
#include "testing.h"

namespace storyline {
namespace {

using testing::CliRun;

CliRun Storyline(const std::string& args, const std::string& env = "") {
  return testing::RunStoryline(args, env);
}

TEST(CliLexicon, BuildLookUpAndMeasureCoverage) {
  lexicon_testing::Dir dir;
  ASSERT_TRUE(lexicon_testing::WriteDictd(
      dir.path(), "freedict-swe-eng", "Swedish-English FreeDict Dictionary",
      {{"jordbävning", "jordbävning\nearthquake\n"}, {"regering", "regering\ngovernment\n"}}));
  std::string lex = dir.path() + "/pivot.lex";
  CliRun b = Storyline("lexicon build --dictd " + dir.path() + " --out " + lex + " --json");
  ASSERT_EQ(b.code, 0) << b.out;
  auto jb = nlohmann::json::parse(b.out);
  EXPECT_EQ(jb["keys"], 2);
  EXPECT_EQ(jb["words_per_language"]["sv"], 2);
  EXPECT_EQ(jb["dictionaries"][0]["how"], "forward");

  // The lexicon in use comes from the environment (as for every setting).
  std::string env = "STORYLINE_LEXICON=" + lex + " ";
  CliRun lk = Storyline("lexicon lookup sv jordbävningen okänt --json", env);
  ASSERT_EQ(lk.code, 0) << lk.out;
  auto jl = nlohmann::json::parse(lk.out);
  ASSERT_EQ(jl.size(), 2u);
  EXPECT_EQ(jl[0]["concepts"], nlohmann::json::array({"earthquak"}));  // inflected form, stemmed
  EXPECT_TRUE(jl[1]["concepts"].empty());

  std::ofstream(dir.path() + "/items.jsonl")
      << R"({"lang":"sv","title":"Jordbävningen","text":"Regeringen samlas"})"
      << "\n"
      << R"({"title":"no language","text":"x"})"
      << "\n";
  CliRun cov = Storyline("lexicon coverage " + dir.path() + "/items.jsonl --json", env);
  ASSERT_EQ(cov.code, 0) << cov.out;
  auto jc = nlohmann::json::parse(cov.out);
  EXPECT_EQ(jc["sv"]["articles"], 1);
  EXPECT_GT(jc["sv"]["translated"].get<int>(), 0);
  EXPECT_LE(jc["sv"]["translated"].get<int>(), jc["sv"]["content_words"].get<int>());
}

TEST(CliLexicon, NoDictionariesIsNotFoundWithAHint) {
  lexicon_testing::Dir dir;
  CliRun b = Storyline("lexicon build --dictd " + dir.path() + " --out " + dir.path() + "/x.lex");
  EXPECT_EQ(b.code, 4);  // not found
  // A damaged lexicon is refused, not read.
  std::ofstream(dir.path() + "/bad.lex") << "not a lexicon";
  CliRun l = Storyline("lexicon info", "STORYLINE_LEXICON=" + dir.path() + "/bad.lex ");
  EXPECT_EQ(l.code, 1);
}

}  // namespace
}  // namespace storyline
