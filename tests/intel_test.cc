// Story intelligence end to end (issue 11): on the seeds (skipped when
// ../shared is absent) and on the project's own annotated set.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/engine.h"
#include "testing.h"

namespace storyline {
namespace {

using nlohmann::json;
using testing::TempDir;

json StoryIntelOf(Engine& e, const std::string& article) {
  auto story = e.store().StoryOf(article);
  EXPECT_TRUE(story.ok());
  auto intel = e.store().GetStoryIntel(*story);
  EXPECT_TRUE(intel.ok() && intel->has_value());
  return intel.ok() && intel->has_value() ? json::parse(**intel, nullptr, false) : json();
}

TEST(Intel, TheSeedsAsAnEditorSeesThem) {
  std::string shared = testing::SharedDir();
  if (shared.empty() || !std::filesystem::exists(shared + "/seeds"))
    GTEST_SKIP() << "../shared/seeds not present";
  TempDir dir;
  auto e = testing::OpenTestEngine(dir.File("seeds.db"));
  ASSERT_TRUE(e && e->IngestPaths({shared + "/seeds"}).ok());
  json j = StoryIntelOf(*e, "000_763dc34de00f0863");
  ASSERT_TRUE(j.is_object());

  // Entities, each merged across languages.
  std::map<std::string, json> by_key;
  for (const auto& x : j["entities"]) by_key[x["key"].get<std::string>()] = x;
  for (const char* key : {"putin", "scholz", "nato", "country:UA"}) {
    ASSERT_TRUE(by_key.count(key)) << key;
    EXPECT_GE(by_key[key]["languages"].size(), 3u) << key;
  }
  std::set<std::string> names;
  for (const auto& x : j["entities"]) names.insert(x["name"].get<std::string>());
  for (const char* name : {"Vladimir Putin", "Olaf Scholz", "Moscow", "Nord Stream 2"})
    EXPECT_TRUE(names.count(name)) << name;

  // Putin's no-war statement: one group across Norwegian, Swedish and English.
  std::map<int, std::set<std::string>> langs_of_group;
  int no_war = -1;
  for (const auto& q : j["quotes"]) {
    if (q["speaker_key"] != "putin") continue;
    langs_of_group[q["group"].get<int>()].insert(q["lang"].get<std::string>());
    if (q["text"].get<std::string>().find("ikke krig") != std::string::npos)
      no_war = q["group"].get<int>();
  }
  ASSERT_NE(no_war, -1);
  EXPECT_TRUE(langs_of_group[no_war].count("no"));
  EXPECT_TRUE(langs_of_group[no_war].count("sv"));
  EXPECT_TRUE(langs_of_group[no_war].count("en"));

  // 100,000 against 130,000 troops: sources disagree.
  bool troops = false;
  for (const auto& f : j["figures"]) {
    std::set<double> values;
    for (const auto& v : f["values"]) values.insert(v["value"].get<double>());
    if (f["what"] == "troops" && values.count(100000) && values.count(130000))
      troops = f["disagree"].get<bool>();
  }
  EXPECT_TRUE(troops);

  // Provenance and independent sources.
  const json& src = j["sources"];
  EXPECT_EQ(src["articles"], 5);
  EXPECT_LT(src["independent"].get<int>(), 5);
  bool copied = false;
  for (const auto& c : src["copies"])
    copied |= c["article"] == "004_16628ebba5c8c21d" && c["of"] == "001_d424f699915e0a8c";
  EXPECT_TRUE(copied);

  // A headline and 3-5 bullets that cite their articles.
  EXPECT_FALSE(j["summary"]["headline"].get<std::string>().empty());
  EXPECT_GE(j["summary"]["bullets"].size(), 3u);
  EXPECT_LE(j["summary"]["bullets"].size(), 5u);
  for (const auto& b : j["summary"]["bullets"]) EXPECT_GE(b["articles"].size(), 1u);
  EXPECT_TRUE(j["summary"]["headlines"].contains("en"));
}

// The CLI shows it: `story ID --json` has the fields, `entities` and
// `entity NAME` list across stories.
TEST(Intel, TheCliShowsEntitiesAndStoryFields) {
  TempDir dir;
  const std::string db = dir.File("x.db");
  auto run = testing::RunStoryline("--db " + db + " ingest " + testing::SourceDir() +
                                   "/examples/articles");
  ASSERT_EQ(run.code, 0) << run.out;
  run = testing::RunStoryline("--db " + db + " stories --json");
  ASSERT_EQ(run.code, 0);
  json stories = json::parse(run.out, nullptr, false);
  ASSERT_TRUE(stories.is_array() && !stories.empty());
  std::string id = stories[0]["id"];
  run = testing::RunStoryline("--db " + db + " story " + id + " --json");
  ASSERT_EQ(run.code, 0);
  json story = json::parse(run.out, nullptr, false);
  for (const char* field : {"entities", "quotes", "figures", "sources", "summary", "timeline"})
    EXPECT_TRUE(story.contains(field)) << field;
  run = testing::RunStoryline("--db " + db + " entities --json");
  ASSERT_EQ(run.code, 0);
  json entities = json::parse(run.out, nullptr, false);
  ASSERT_TRUE(entities.is_array() && !entities.empty());
  std::string name = entities[0]["name"];
  run = testing::RunStoryline("--db " + db + " entity '" + name + "' --json");
  ASSERT_EQ(run.code, 0) << name;
  json found = json::parse(run.out, nullptr, false);
  ASSERT_TRUE(found.is_array());
  EXPECT_GE(found.size(), 1u);
  // The text listing's columns line up, whatever the names' scripts (padded
  // by characters, not bytes: the examples have "Auswärtige Amt").
  auto chars = [](const std::string& s) {  // code points
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  json listed = json::parse(
      testing::RunStoryline("--db " + db + " entities --limit 100 --json").out, nullptr, false);
  run = testing::RunStoryline("--db " + db + " entities --limit 100");
  ASSERT_EQ(run.code, 0);
  ASSERT_TRUE(listed.is_array());
  std::set<size_t> columns;  // where " stories " starts, in characters
  bool non_ascii = false;
  size_t i = 0;
  for (size_t at = 0, nl; (nl = run.out.find('\n', at)) != std::string::npos; at = nl + 1, ++i) {
    ASSERT_LT(i, listed.size());
    const std::string name = listed[i]["name"], line = run.out.substr(at, nl - at);
    non_ascii |= chars(name) != name.size();
    if (chars(name) > 32) continue;  // a long name pushes its line's columns
    columns.insert(chars(line.substr(0, line.find(" stories "))));
  }
  EXPECT_TRUE(non_ascii) << run.out;
  EXPECT_EQ(columns.size(), 1u) << run.out;
  run = testing::RunStoryline("--db " + db + " entity 'Nobody Atall'");
  EXPECT_EQ(run.code, 4);
}

}  // namespace
}  // namespace storyline
