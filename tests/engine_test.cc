// End-to-end tests of the pipeline through the Engine: the bundled examples
// (golden), the shared seeds (when ../shared is present), bad input, and
// persistence across runs.
#include "engine/engine.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/text.h"
#include "eval/metrics.h"
#include "testing.h"

namespace storyline {
namespace {

using testing::TempDir;

std::unique_ptr<Engine> OpenEngine(const std::string& db) { return testing::OpenTestEngine(db); }

std::map<std::string, std::string> Assignments(Engine& e) {
  std::map<std::string, std::string> m;
  Status s = e.store().ForEachAssignment(
      [&](const std::string& id, const std::string& story, const std::string&) { m[id] = story; });
  EXPECT_TRUE(s.ok());
  return m;
}

std::map<std::string, std::string> Languages(Engine& e) {
  std::map<std::string, std::string> m;
  Status s = e.store().ForEachAssignment(
      [&](const std::string& id, const std::string&, const std::string& lang) { m[id] = lang; });
  EXPECT_TRUE(s.ok());
  return m;
}

TEST(Examples, StoriesMatchTheLabelledTruth) {
  TempDir dir;
  auto e = OpenEngine(dir.File("ex.db"));
  ASSERT_TRUE(e);
  auto sum = e->IngestPaths({testing::SourceDir() + "/examples/articles"});
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->rejected, 0);

  std::ifstream in(testing::SourceDir() + "/examples/expected-stories.json");
  auto truth = nlohmann::json::parse(in);
  auto pred = Assignments(*e);
  auto langs = Languages(*e);
  std::vector<eval::Item> items;
  for (const auto& story : truth["stories"])
    for (const auto& id : story["articles"]) {
      eval::Item it;
      it.id = id.get<std::string>();
      it.gold_cluster = story["slug"].get<std::string>();
      // The file name carries the language: <slug>-<lang>-<outlet>.
      std::string rest = it.id.substr(it.gold_cluster.size() + 1);
      it.gold_lang = rest.substr(0, rest.find('-'));
      ASSERT_TRUE(pred.count(it.id)) << it.id;
      it.pred_cluster = pred[it.id];
      it.pred_lang = langs[it.id];
      items.push_back(it);
    }
  EXPECT_EQ(items.size(), pred.size());
  eval::Scores s = eval::Score(items);
  // Never merge two different stories; find all of each story.
  EXPECT_DOUBLE_EQ(s.bcubed.precision, 1.0);
  EXPECT_DOUBLE_EQ(s.bcubed.recall, 1.0);
  EXPECT_DOUBLE_EQ(s.crosslingual_pairwise.recall, 1.0);
  EXPECT_DOUBLE_EQ(s.langid_accuracy, 1.0);

  // Wire copies are linked to their originals, in that direction.
  for (const auto& w : truth["wire_copies"]) {
    std::string copy = w["copy"], original = w["original"];
    auto links = e->store().DuplicatesOf(copy);
    ASSERT_TRUE(links.ok());
    bool found = false;
    for (const auto& l : *links)
      if (l.article == copy && l.of == original &&
          (l.kind == "wire_copy" || l.kind == "near_duplicate"))
        found = true;
    EXPECT_TRUE(found) << copy << " should be linked as a copy of " << original;
    EXPECT_EQ(pred[copy], pred[original]);
  }
}

TEST(Seeds, OneStoryAcrossEnglishNorwegianSwedish) {
  std::string shared = testing::SharedDir();
  if (shared.empty() || !std::filesystem::exists(shared + "/seeds"))
    GTEST_SKIP() << "../shared/seeds not present";
  TempDir dir;
  auto e = OpenEngine(dir.File("seeds.db"));
  ASSERT_TRUE(e);
  auto sum = e->IngestPaths({shared + "/seeds"});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->stored, 5);
  auto pred = Assignments(*e);
  ASSERT_EQ(pred.size(), 5u);
  std::set<std::string> stories;
  for (auto& [id, st] : pred) stories.insert(st);
  EXPECT_EQ(stories.size(), 1u) << "all five seeds are one story";

  auto langs = Languages(*e);
  std::map<std::string, std::string> want = {
      {"000", "en"}, {"001", "no"}, {"002", "sv"}, {"003", "en"}, {"004", "no"}};
  for (auto& [id, lang] : langs) EXPECT_EQ(lang, want[id.substr(0, 3)]) << id;

  // 001 and 004 share wire-agency text; 000 and 003 copy nothing.
  auto id_of = [&](const std::string& prefix) {
    for (auto& [id, st] : pred)
      if (id.rfind(prefix, 0) == 0) return id;
    return std::string();
  };
  auto links = e->store().DuplicatesOf(id_of("004"));
  ASSERT_TRUE(links.ok());
  ASSERT_EQ(links->size(), 1u);
  EXPECT_EQ((*links)[0].of, id_of("001"));
  // Cross-lingual joins say why: the names they share with the story.
  auto members = e->store().StoryMemberships(*e->store().StoryOf(id_of("000")));
  ASSERT_TRUE(members.ok());
  int explained = 0;
  for (const auto& m : *members) {
    auto d = nlohmann::json::parse(m.detail);
    if (m.reason != "names") continue;
    ASSERT_TRUE(d.contains("shared")) << m.article;
    auto names = d["shared"]["names"].get<std::vector<std::string>>();
    EXPECT_NE(std::find(names.begin(), names.end(), "Putin"), names.end()) << m.article;
    ++explained;
  }
  EXPECT_GE(explained, 1);
  // Boilerplate is gone from the stored texts.
  auto story = e->store().StoryOf(id_of("000"));
  ASSERT_TRUE(story.ok());
  auto articles = e->store().StoryArticles(*story);
  ASSERT_TRUE(articles.ok());
  for (const auto& a : *articles) {
    for (const char* blurb : {"Denial of responsibility!", "Så arbetar vi", "hur vi arbetar",
                              "WATCH: The latest news from around the World"})
      EXPECT_EQ(a.article.text.find(blurb), std::string::npos) << a.article.id << ": " << blurb;
  }
  // The live blog (003) is split into entries, each with a story of its own
  // choosing, while the article stays one article in the seeds' story.
  int entries = 0;
  std::set<std::string> entry_stories;
  for (int n = 1; n < 50; ++n) {
    auto st = e->store().StoryOf(id_of("003") + "#" + std::to_string(n));
    if (!st.ok()) break;
    ++entries;
    entry_stories.insert(*st);
  }
  EXPECT_GE(entries, 5);
  EXPECT_GE(entry_stories.size(), 2u) << "entries on different sub-events join different stories";
  EXPECT_EQ(pred[id_of("003")], *story);
  for (const char* p : {"000", "002", "003"}) {
    auto l = e->store().DuplicatesOf(id_of(p));
    ASSERT_TRUE(l.ok());
    EXPECT_TRUE(l->empty()) << p << " is not a duplicate of anything";
  }
}

TEST(BadInput, IsRejectedWithReasonsAndGoodArticlesAreStored) {
  TempDir dir;
  std::filesystem::create_directories(dir.File("in"));
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir.File("in/" + name), std::ios::binary) << bytes;
  };
  write("good.txt", "date 2026-03-01\nA good article\n\nIt has text about a harbour.");
  write("empty.txt", "");
  write("binary.dat", std::string("\x7f"
                                  "ELF\x02\x01\x01\x00\x00\x00",
                                  10));
  write("latin1.txt", "Caf\xE9 in Troms\xF8\n\nThe caf\xE9 opened.");
  write("feed.jsonl",
        "{\"id\":\"j1\",\"title\":\"JSON one\",\"text\":\"First json article.\"}\n"
        "{\"id\":\"j2\",\"title\":\"broken\"\n"
        "{\"id\":\"j3\",\"title\":\"JSON three\",\"text\":\"Third json article.\"}\n");
  auto e = OpenEngine(dir.File("bad.db"));
  ASSERT_TRUE(e);
  auto sum = e->IngestPaths({dir.File("in"), dir.File("missing.txt")});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->stored, 4);  // good, latin1 (repaired), j1, j3
  EXPECT_EQ(sum->repaired, 1);
  std::multiset<std::string> reasons;
  for (const auto& r : sum->rejects) reasons.insert(r.reason);
  EXPECT_EQ(reasons,
            (std::multiset<std::string>{"binary", "empty", "malformed_json", "not_found"}));
  auto stored = e->store().ListRejects(-1);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->size(), 4u);
  for (const auto& [r, at] : *stored) EXPECT_FALSE(r.message.empty());
  // The repaired article says what was repaired.
  auto repaired = e->store().ListRepaired(-1);
  ASSERT_TRUE(repaired.ok());
  ASSERT_EQ(repaired->size(), 1u);
  EXPECT_EQ((*repaired)[0].id, "latin1");
  ASSERT_FALSE((*repaired)[0].repairs.empty());
  EXPECT_EQ((*repaired)[0].repairs[0].rfind("charset:", 0), 0u);
}

TEST(Persistence, ReingestIsIdempotentAndStateSurvivesReopen) {
  TempDir dir;
  std::string db = dir.File("p.db");
  std::string ex = testing::SourceDir() + "/examples/articles";
  std::map<std::string, std::string> first;
  {
    auto e = OpenEngine(db);
    ASSERT_TRUE(e);
    ASSERT_TRUE(e->IngestPaths({ex}).ok());
    first = Assignments(*e);
  }
  auto e = OpenEngine(db);
  ASSERT_TRUE(e);
  auto sum = e->IngestPaths({ex});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->stored, 0);
  EXPECT_EQ(sum->unchanged, static_cast<int64_t>(first.size()) - 0 - sum->duplicates);
  EXPECT_EQ(Assignments(*e), first);
  auto n = e->store().CountArticles();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, static_cast<int64_t>(first.size()));
}

TEST(Persistence, StreamingInTwoRunsEqualsOneRun) {
  // Ingesting the first half, closing, then the second half gives the same
  // stories as one run: the clustering state is restored from the store.
  TempDir dir;
  std::vector<std::string> files;
  for (auto& p : std::filesystem::directory_iterator(testing::SourceDir() + "/examples/articles"))
    files.push_back(p.path().string());
  std::sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
    // Publication order: the date is on the first line.
    auto date = [](const std::string& f) {
      std::ifstream in(f);
      std::string l;
      std::getline(in, l);
      return l;
    };
    return date(a) != date(b) ? date(a) < date(b) : a < b;
  });
  std::vector<std::string> half1(files.begin(), files.begin() + files.size() / 2);
  std::vector<std::string> half2(files.begin() + files.size() / 2, files.end());
  std::map<std::string, std::string> one_run, two_runs;
  {
    auto e = OpenEngine(dir.File("one.db"));
    ASSERT_TRUE(e->IngestPaths(files).ok());
    one_run = Assignments(*e);
  }
  {
    auto e = OpenEngine(dir.File("two.db"));
    ASSERT_TRUE(e->IngestPaths(half1).ok());
  }
  {
    auto e = OpenEngine(dir.File("two.db"));
    ASSERT_TRUE(e->IngestPaths(half2).ok());
    two_runs = Assignments(*e);
  }
  EXPECT_EQ(one_run, two_runs);
}

// Summaries are computed on the analysis threads too (each story on one):
// the stored summaries are the same, byte for byte.
TEST(Threads, OneOrTwoAnalysisThreadsGiveTheSameStoriesAndSummaries) {
  TempDir dir;
  std::map<std::string, std::string> runs[2], intel[2];
  for (int threads : {1, 2}) {
    EngineOptions o;
    o.db_path = dir.File("t" + std::to_string(threads) + ".db");
    o.store.synchronous = "OFF";
    o.analysis_threads = threads;
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok());
    ASSERT_TRUE((*e)->IngestPaths({testing::SourceDir() + "/examples/articles"}).ok());
    runs[threads - 1] = Assignments(**e);
    for (const auto& [article, story] : runs[threads - 1]) {
      auto j = (*e)->store().GetStoryIntel(story);
      ASSERT_TRUE(j.ok());
      ASSERT_TRUE(j->has_value()) << story;
      intel[threads - 1][story] = **j;
    }
  }
  EXPECT_FALSE(runs[0].empty());
  EXPECT_EQ(runs[0], runs[1]);
  EXPECT_GT(intel[0].size(), 2u);
  EXPECT_EQ(intel[0], intel[1]);
}

TEST(Exact, DuplicateUnderAnotherIdBecomesAnAlias) {
  TempDir dir;
  auto e = OpenEngine(dir.File("a.db"));
  Article a;
  a.id = "one";
  a.title = "Harbour fire";
  a.text = "A fire broke out in the harbour of Bergen on Monday night.";
  Article b = a;
  b.id = "two";
  b.text = "A fire  broke out in the harbour of Bergen on Monday night. ";
  auto sum = e->Ingest({a, b});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->stored, 1);
  EXPECT_EQ(sum->duplicates, 1);
  auto m = Assignments(*e);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m["one"], m["two"]);
}

TEST(Updates, SameIdWithNewContentIsAnUpdateAndKeepsTheRevision) {
  TempDir dir;
  auto e = OpenEngine(dir.File("u.db"));
  Article a;
  a.id = "fire-1";
  a.title = "Harbour fire";
  a.text = "A fire broke out in the harbour of Bergen on Monday night.";
  ASSERT_TRUE(e->Ingest({a}).ok());
  std::string story = *e->store().StoryOf("fire-1");
  a.text += " Two boats were destroyed, the fire brigade said on Tuesday.";
  auto sum = e->Ingest({a});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->updated, 1);
  EXPECT_EQ(sum->stored, 0);
  EXPECT_EQ(*e->store().CountRevisions("fire-1"), 1);
  EXPECT_EQ(*e->store().StoryOf("fire-1"), story);
  auto arts = e->store().StoryArticles(story);
  ASSERT_TRUE(arts.ok());
  ASSERT_EQ(arts->size(), 1u);
  EXPECT_NE((*arts)[0].article.text.find("Two boats"), std::string::npos);
}

// A live blog is updated all day: its new entries are split and clustered as
// on first sight, stored entries keep their numbers and stories, an edited
// entry gets its new text, and a dropped one is kept.
TEST(Updates, ALiveBlogUpdatedGetsItsNewEntries) {
  TempDir dir;
  auto e = OpenEngine(dir.File("blog.db"));
  const std::string ferry =
      "Ferry refloated in Grotsund\n\n"
      "The coastguard pulled the Fjordlyn off the rocks at high tide on Wednesday morning.\n\n";
  const std::string bank =
      "Norges Bank holds press conference\n\n"
      "The governor said inflation was falling faster than expected, and more cuts may "
      "follow.\n\n";
  const std::string avalanche =
      "Avalanche warning raised for Lyngen\n\n"
      "Forecasters raised the warning to level four after heavy snowfall overnight.\n\n";
  const std::string bridge =
      "Tromso bridge closed by wind\n\n"
      "Gusts of 40 metres per second closed the Tromso bridge to all traffic in the "
      "afternoon.\n\n";
  Article a;
  a.id = "blog";
  a.title = "Live: Northern Norway news";
  a.published = 1700000000;
  a.text = "Follow the day's events as they unfold below.\n\n" + avalanche + bank + ferry;
  ASSERT_TRUE(e->Ingest({a}).ok());
  auto before = e->store().Entries("blog");
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->size(), 4u);  // the intro and three entries
  std::map<std::string, std::string> story_of;
  for (int n = 1; n <= 4; ++n) {
    const std::string id = "blog#" + std::to_string(n);
    story_of[id] = *e->store().StoryOf(id);
  }
  // Newest first, as live blogs are: a new entry on top, the bank entry
  // edited, the ferry entry gone.
  a.text = "Follow the day's events as they unfold below.\n\n" + bridge + avalanche +
           "Norges Bank holds press conference\n\n"
           "The governor said inflation was falling faster than expected; two more cuts may "
           "follow this year.\n\n";
  auto sum = e->Ingest({a});
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->updated, 1);
  auto after = e->store().Entries("blog");
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 5u);
  EXPECT_EQ((*after)[4].n, 5);
  EXPECT_EQ((*after)[4].title, "Tromso bridge closed by wind");
  auto bridge_story = e->store().StoryOf("blog#5");
  ASSERT_TRUE(bridge_story.ok());
  EXPECT_FALSE(bridge_story->empty());
  for (const auto& [id, story] : story_of) EXPECT_EQ(*e->store().StoryOf(id), story) << id;
  for (const auto& entry : *after) {
    if (entry.title == "Norges Bank holds press conference")
      EXPECT_NE(entry.text.find("two more cuts"), std::string::npos);
    if (entry.title == "Ferry refloated in Grotsund")  // no longer in the blog: kept
      EXPECT_NE(entry.text.find("coastguard"), std::string::npos);
  }
  // Delivered again unchanged: nothing more.
  sum = e->Ingest({a});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->unchanged, 1);
  EXPECT_EQ(e->store().Entries("blog")->size(), 5u);
}

TEST(Dates, FutureDatesAreClampedAndTheOriginalKept) {
  TempDir dir;
  auto e = OpenEngine(dir.File("d.db"));
  Article a;
  a.id = "future";
  a.title = "Election results";
  a.text = "The results were announced.";
  a.published = ParseIsoDate("2999-01-01");
  ASSERT_TRUE(e->Ingest({a}).ok());
  auto arts = e->store().StoryArticles(*e->store().StoryOf("future"));
  ASSERT_TRUE(arts.ok());
  ASSERT_EQ(arts->size(), 1u);
  ASSERT_TRUE((*arts)[0].article.published.has_value());
  EXPECT_LT(*(*arts)[0].article.published, *ParseIsoDate("2999-01-01"));
  ASSERT_FALSE((*arts)[0].article.repairs.empty());
  EXPECT_NE((*arts)[0].article.repairs[0].find("2999-01-01"), std::string::npos);
}

TEST(Urls, TrackingParametersAreStripped) {
  TempDir dir;
  auto e = OpenEngine(dir.File("url.db"));
  Article a;
  a.id = "u1";
  a.title = "Bridge reopens";
  a.text = "The harbour bridge reopened on Friday after three weeks of repairs.";
  a.url = "https://news.example/bridge?id=7&utm_source=feed&fbclid=abc#top";
  ASSERT_TRUE(e->Ingest({a}).ok());
  auto arts = e->store().StoryArticles(*e->store().StoryOf("u1"));
  ASSERT_TRUE(arts.ok());
  ASSERT_EQ(arts->size(), 1u);
  EXPECT_EQ((*arts)[0].article.url, "https://news.example/bridge?id=7");
}

TEST(Parameters, StoreWithKeysFromBeforeSignalsVersion2IsRefused) {
  TempDir dir;
  std::string db = dir.File("v1.db");
  {
    auto e = OpenEngine(db);
    ASSERT_TRUE(e);
    auto sum = e->IngestPaths({testing::SourceDir() + "/examples/articles"});
    ASSERT_TRUE(sum.ok());
  }
  // What a store made before signals_version existed looks like.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(raw, "DELETE FROM meta WHERE key='signals_version'", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(raw);
  EngineOptions o;
  o.db_path = db;
  auto e = Engine::Open(o);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("signals_version=1"), std::string::npos)
      << e.status().message();
  // An empty store without it is simply stamped.
  std::string fresh = dir.File("fresh.db");
  ASSERT_TRUE(OpenEngine(fresh));
  ASSERT_TRUE(OpenEngine(fresh));
}

TEST(Parameters, DatabaseMadeWithOtherShinglesIsRefused) {
  TempDir dir;
  std::string db = dir.File("p.db");
  ASSERT_TRUE(OpenEngine(db));
  EngineOptions o;
  o.db_path = db;
  o.signals.shingle_words = 7;
  auto e = Engine::Open(o);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("shingle_words"), std::string::npos);
}

}  // namespace
}  // namespace storyline
