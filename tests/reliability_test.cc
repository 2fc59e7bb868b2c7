// The write path never loses or rewrites what was stored (issue 10):
// re-delivery is a no-op, a failed batch rolls back completely (database and
// memory), feed state goes with its items, one writer at a time, readers
// need neither the model nor the clustering state, implausible dates do not
// poison the clustering window, and options are validated.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/text.h"
#include "engine/engine.h"
#include "synth/synth.h"
#include "testing.h"

namespace storyline {
namespace {

using testing::TempDir;

// Runs SQL on the store file through a connection of its own.
void Sql(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(h);
}

// id -> stored text, straight from the file.
std::map<std::string, std::string> Texts(const std::string& db) {
  std::map<std::string, std::string> out;
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return out;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(h, "SELECT id, text FROM articles", -1, &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW)
    out[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] =
        reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
  sqlite3_finalize(st);
  sqlite3_close(h);
  return out;
}

int64_t Count(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  int64_t n = -1;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return n;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(h);
  return n;
}

// The first column of the first row, as text ("" when none).
std::string Text(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  std::string out;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return out;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(h);
  return out;
}

std::map<std::string, std::string> Assignments(Engine& e) {
  std::map<std::string, std::string> m;
  Status s = e.store().ForEachAssignment(
      [&](const std::string& id, const std::string& story, const std::string&) { m[id] = story; });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return m;
}

// The ids whose story differs between two runs ("" when absent), for messages.
std::vector<std::string> Differences(const std::map<std::string, std::string>& a,
                                     const std::map<std::string, std::string>& b) {
  std::vector<std::string> out;
  for (const auto& [id, story] : a)
    if (auto it = b.find(id); it == b.end() || it->second != story)
      out.push_back(id + ": " + story + " vs " + (it == b.end() ? "" : it->second));
  for (const auto& [id, story] : b)
    if (!a.count(id)) out.push_back(id + ": absent vs " + story);
  return out;
}

// Ingests the first `cut` articles (in time order, so the cut falls on a
// commit of the uninterrupted run: chunks of 256), restarts, ingests the
// whole corpus, and expects exactly the uninterrupted run's stories.
void ExpectRestartsAtCommitsEqual(const TempDir& dir, const std::vector<Article>& corpus,
                                  const std::vector<Article>& by_time, const EngineOptions& o,
                                  const std::map<std::string, std::string>& reference) {
  for (int cut : {256, 512}) {
    std::string db = dir.File("split" + std::to_string(cut) + ".db");
    {
      auto e = testing::OpenTestEngine(db, o);
      ASSERT_TRUE(e &&
                  e->Ingest(std::vector<Article>(by_time.begin(), by_time.begin() + cut)).ok());
    }
    auto e = testing::OpenTestEngine(db, o);
    ASSERT_TRUE(e && e->Ingest(corpus).ok());
    EXPECT_EQ(Differences(Assignments(*e), reference), std::vector<std::string>{}) << cut;
  }
}

std::vector<Article> Synthetic(int64_t n, int64_t start_time = 1704067200) {
  synth::SynthOptions o;
  o.articles = n;
  o.seed = 7;
  o.start_time = start_time;
  o.articles_per_day = 100;
  synth::CorpusGenerator gen(o);
  std::vector<synth::SynthArticle> out;
  while (gen.Next(256, &out) > 0) {
  }
  std::vector<Article> articles;
  for (auto& a : out) articles.push_back(std::move(a.article));
  return articles;
}

// A source whose articles end with the same footer (learned boilerplate),
// as JSON Lines.
std::string HarbourFeed(int items) {
  std::string out;
  const char* places[] = {"Aldermoor", "Brinstead", "Corwick", "Dunmere", "Eastholt"};
  for (int i = 0; i < items; ++i) {
    std::string place = places[i % 5];
    std::string text = "The council of " + place + " met on day " + std::to_string(i + 1) +
                       " to discuss the new ferry timetable for " + place + ".\n\n" +
                       "Residents of " + place + " asked for " + std::to_string(10 + i) +
                       " more crossings every week, the mayor said.\n\n" +
                       "Follow the Harbour Post on Mastodon for live updates.";
    nlohmann::json j = {{"id", "harbour-" + std::to_string(i)},
                        {"title", place + " ferry timetable, part " + std::to_string(i + 1)},
                        {"text", text},
                        {"source", "Harbour Post"},
                        {"published", "2024-03-0" + std::to_string(1 + i % 9) + "T08:00:00Z"}};
    out += j.dump() + "\n";
  }
  return out;
}

TEST(Redelivery, TheSameFeedTenTimesInOneCallOrTenCallsChangesNothing) {
  TempDir dir;
  const std::string feed = dir.File("harbour.jsonl");
  std::ofstream(feed) << HarbourFeed(20);

  const std::string once = dir.File("once.db");
  std::map<std::string, std::string> texts;
  {
    auto e = testing::OpenTestEngine(once);
    ASSERT_TRUE(e);
    auto sum = e->IngestPaths({feed});
    ASSERT_TRUE(sum.ok()) << sum.status().ToString();
    EXPECT_EQ(sum->stored, 20);
    texts = Texts(once);
    ASSERT_EQ(texts.size(), 20u);
    // The footer was learned from the first articles and cut from the later ones.
    EXPECT_EQ(texts["harbour-19"].find("Mastodon"), std::string::npos);
    for (const auto& [id, text] : texts) EXPECT_NE(text.find("council"), std::string::npos) << id;
    // Ten more calls: nothing updated, nothing rewritten.
    for (int call = 0; call < 10; ++call) {
      auto again = e->IngestPaths({feed});
      ASSERT_TRUE(again.ok());
      EXPECT_EQ(again->updated, 0);
      EXPECT_EQ(again->unchanged, 20);
      EXPECT_EQ(again->stored, 0);
    }
  }
  EXPECT_EQ(Texts(once), texts);
  EXPECT_EQ(Count(once, "SELECT COUNT(*) FROM revisions"), 0);

  // Ten times in one call, on a new store: the same texts as once.
  const std::string ten = dir.File("ten.db");
  auto e = testing::OpenTestEngine(ten);
  ASSERT_TRUE(e);
  auto sum = e->IngestPaths(std::vector<std::string>(10, feed));
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->stored, 20);
  EXPECT_EQ(sum->updated, 0);
  EXPECT_EQ(sum->unchanged, 180);
  EXPECT_EQ(Texts(ten), texts);
  // A fresh engine on the same store (state restored from the file): still nothing.
  e.reset();
  e = testing::OpenTestEngine(ten);
  auto later = e->IngestPaths({feed});
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->updated, 0);
  EXPECT_EQ(Texts(ten), texts);
}

TEST(Redelivery, AnEmptyTextNeverReplacesAStoredOne) {
  TempDir dir;
  auto e = testing::OpenTestEngine(dir.File("e.db"));
  ASSERT_TRUE(e);
  Article a;
  a.id = "e1";
  a.title = "Harbour reopens";
  a.text = "The harbour of Aldermoor reopened on Monday after three weeks of repairs.";
  ASSERT_TRUE(e->Ingest({a}).ok());
  Article emptied = a;
  emptied.text = "";
  auto sum = e->Ingest({emptied});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->updated, 0);
  ASSERT_EQ(sum->rejects.size(), 1u);
  EXPECT_EQ(sum->rejects[0].reason, "emptied");
  EXPECT_EQ(Texts(dir.File("e.db"))["e1"], a.text);
  // Delivered so again and again (a feed polled every few minutes): each
  // call says so, the store keeps one reject, not one per delivery.
  for (int poll = 0; poll < 5; ++poll) {
    sum = e->Ingest({emptied});
    ASSERT_TRUE(sum.ok());
    EXPECT_EQ(sum->rejects.size(), 1u);
  }
  EXPECT_EQ(e->store().ListRejects(-1)->size(), 1u);
  // A real update still is one, and keeps the old text as a revision.
  Article changed = a;
  changed.text += " The first ferry left at noon.";
  sum = e->Ingest({changed});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->updated, 1);
  EXPECT_EQ(*e->store().CountRevisions("e1"), 1);
}

// A write that fails in the middle of a batch: the batch is rolled back, the
// engine's memory goes back to what is stored, and going on gives exactly the
// stories of a run that never failed.
TEST(Rollback, AFailedBatchLeavesNoTraceAndTheRunGoesOnExactly) {
  TempDir dir;
  std::vector<Article> corpus = Synthetic(600);
  EngineOptions o;
  o.batch_size = 50;
  std::map<std::string, std::string> reference;
  {
    auto e = testing::OpenTestEngine(dir.File("ref.db"), o);
    ASSERT_TRUE(e);
    ASSERT_TRUE(e->Ingest(corpus).ok());
    reference = Assignments(*e);
  }
  // The 400th article in publication order fails to get its membership.
  std::vector<Article> by_time = corpus;
  std::stable_sort(by_time.begin(), by_time.end(),
                   [](const Article& a, const Article& b) { return *a.published < *b.published; });
  const std::string poison = by_time[399].id;

  const std::string db = dir.File("t.db");
  auto e = testing::OpenTestEngine(db, o);
  ASSERT_TRUE(e);
  Sql(db, "CREATE TRIGGER poison BEFORE INSERT ON memberships WHEN NEW.article = '" + poison +
              "' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
  FeedState feed;
  feed.url = "http://127.0.0.1/feed.xml";
  feed.etag = "\"v2\"";
  auto failed = e->Ingest(corpus, {}, {}, {feed});
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("injected failure"), std::string::npos);
  // Commits fall between chunks of 256 articles once 50 are waiting: the
  // first chunk was committed, nothing of the second is stored.
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM articles"), 256);
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM articles WHERE id='" + poison + "'"), 0);
  EXPECT_EQ(Count(db,
                  "SELECT COUNT(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM memberships m "
                  "WHERE m.article = a.id)"),
            0);
  // The feed's new state was not committed ahead of its items.
  auto fs = e->store().GetFeedState(feed.url);
  ASSERT_TRUE(fs.ok());
  EXPECT_FALSE(fs->has_value());

  // The same engine goes on: exactly the stories of the uninterrupted run.
  Sql(db, "DROP TRIGGER poison");
  auto resumed = e->Ingest(corpus, {}, {}, {feed});
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_EQ(resumed->updated, 0);
  EXPECT_EQ(Differences(Assignments(*e), reference), std::vector<std::string>{});
  fs = e->store().GetFeedState(feed.url);
  ASSERT_TRUE(fs.ok() && fs->has_value());
  EXPECT_EQ((*fs)->etag, "\"v2\"");
}

// Learned boilerplate goes with the articles it was learned from: after a
// failed batch (or a crash) the texts come out as in an uninterrupted run.
TEST(Rollback, LearnedBoilerplateIsCommittedWithItsArticles) {
  TempDir dir;
  const std::string feed = dir.File("harbour.jsonl");
  std::ofstream(feed) << HarbourFeed(600);
  EngineOptions o;
  o.batch_size = 50;
  std::map<std::string, std::string> texts;
  {
    auto e = testing::OpenTestEngine(dir.File("ref.db"), o);
    ASSERT_TRUE(e && e->IngestPaths({feed}).ok());
    texts = Texts(dir.File("ref.db"));
  }
  const std::string db = dir.File("t.db");
  auto e = testing::OpenTestEngine(db, o);
  ASSERT_TRUE(e);
  Sql(db,
      "CREATE TRIGGER poison BEFORE INSERT ON memberships WHEN NEW.article = 'harbour-300' "
      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
  ASSERT_FALSE(e->IngestPaths({feed}).ok());
  Sql(db, "DROP TRIGGER poison");
  auto resumed = e->IngestPaths({feed});
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(resumed->updated, 0);
  EXPECT_EQ(Texts(db), texts);
}

// Learned boilerplate is bounded: paragraphs not seen again within the
// horizon leave memory and the store; boilerplate that keeps appearing stays,
// so the texts are those of an unbounded run; a restart resumes from the
// store's counts.
TEST(BoundedState, BoilerplateCountsLeaveAfterTheHorizonAndRecurringBoilerplateStays) {
  TempDir dir;
  const std::string feed = dir.File("harbour.jsonl");
  std::ofstream(feed) << HarbourFeed(600);
  EngineOptions unbounded;
  unbounded.batch_size = 50;
  unbounded.boilerplate.horizon_articles = 100000;
  {
    auto e = testing::OpenTestEngine(dir.File("ref.db"), unbounded);
    ASSERT_TRUE(e && e->IngestPaths({feed}).ok());
  }
  EngineOptions o = unbounded;
  o.boilerplate.horizon_articles = 40;
  const std::string db = dir.File("t.db");
  {
    auto e = testing::OpenTestEngine(db, o);
    ASSERT_TRUE(e && e->IngestPaths({feed}).ok());
  }
  // Each article has two paragraphs of its own and the blurb.
  const int64_t all = Count(dir.File("ref.db"), "SELECT COUNT(*) FROM boilerplate_counts");
  const int64_t kept = Count(db, "SELECT COUNT(*) FROM boilerplate_counts");
  EXPECT_EQ(all, 2 * 600 + 1);
  EXPECT_LE(kept, 2 * (40 + 40 / 8) + 1);
  EXPECT_GE(kept, 2 * 40 + 1);
  EXPECT_EQ(Count(db, "SELECT n FROM boilerplate_counts ORDER BY n DESC LIMIT 1"),
            600);  // the blurb
  EXPECT_EQ(Texts(db), Texts(dir.File("ref.db")));
  // Reopened, the engine learns on from the stored counts.
  std::ofstream(dir.File("more.jsonl"))
      << nlohmann::json({{"id", "harbour-more"},
                         {"title", "Ferry timetable agreed"},
                         {"text",
                          "The council agreed the new ferry timetable on Friday.\n\n"
                          "Follow the Harbour Post on Mastodon for live updates."},
                         {"source", "Harbour Post"},
                         {"published", "2024-03-09T09:00:00Z"}})
             .dump()
      << "\n";
  auto e = testing::OpenTestEngine(db, o);
  ASSERT_TRUE(e && e->IngestPaths({dir.File("more.jsonl")}).ok());
  EXPECT_EQ(Texts(db)["harbour-more"], "The council agreed the new ferry timetable on Friday.");
}

TEST(Redelivery, AnAliasWithNewContentBecomesAnArticleAndLeavesItsOriginalAlone) {
  TempDir dir;
  auto e = testing::OpenTestEngine(dir.File("a.db"));
  ASSERT_TRUE(e);
  Article y;
  y.id = "wire-y";
  y.title = "Ferry strike ends";
  y.text = "The ferry strike in Aldermoor ended on Tuesday after four days of talks.";
  Article x = y;
  x.id = "copy-x";  // the same story under another id: an alias of y
  auto first = e->Ingest({y, x});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->duplicates, 1);
  // x is corrected by its publisher: it is an article of its own now.
  x.text += " Crossings resume on Wednesday morning.";
  auto second = e->Ingest({x});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->stored, 1);
  auto texts = Texts(dir.File("a.db"));
  EXPECT_EQ(texts["wire-y"], y.text);
  EXPECT_EQ(texts["copy-x"], x.text);
  // Delivered again, neither changes.
  auto third = e->Ingest({y, x});
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->unchanged, 2);
  EXPECT_EQ(Texts(dir.File("a.db")), texts);
}

TEST(Redelivery, ATitleOnlyItemCanBeCorrected) {
  TempDir dir;
  auto e = testing::OpenTestEngine(dir.File("t.db"));
  ASSERT_TRUE(e);
  Article a;
  a.id = "flash-1";
  a.title = "Ferry strike in Aldermoor ends";
  ASSERT_TRUE(e->Ingest({a}).ok());
  a.title = "Ferry strike in Aldermoor ends after four days";
  auto sum = e->Ingest({a});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->updated, 1);
  EXPECT_TRUE(sum->rejects.empty());
}

TEST(WriterLock, OneWriterAtATimeAndReadersAreNeverRefused) {
  TempDir dir;
  EngineOptions o;
  o.db_path = dir.File("w.db");
  o.store.synchronous = "OFF";
  auto first = Engine::Open(o);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = Engine::Open(o);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("being written by process"), std::string::npos)
      << second.status().message();
  EXPECT_NE(second.status().message().find("--wait"), std::string::npos);
  auto reader = Engine::OpenReader(o);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_TRUE((*reader)->store().CountArticles().ok());
  EXPECT_FALSE((*reader)->Ingest({}).ok());  // a reader cannot write
  // The same file under another name is the same store.
  std::filesystem::create_symlink(o.db_path, dir.File("link.db"));
  EngineOptions via_link = o;
  via_link.db_path = dir.File("link.db");
  EXPECT_FALSE(Engine::Open(via_link).ok());
  first->reset();
  EXPECT_TRUE(Engine::Open(o).ok());  // released with the writer
}

TEST(Reader, NeedsNeitherTheModelNorTheClusteringState) {
  TempDir dir;
  EngineOptions o;
  o.db_path = dir.File("r.db");
  o.store.synchronous = "OFF";
  {
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok());
    ASSERT_TRUE((*e)->Ingest(Synthetic(20)).ok());
  }
  // A damaged clustering state stops a writer, not a reader.
  Sql(o.db_path, "UPDATE meta SET value='not a time' WHERE key='watermark'");
  o.langid.model_path = dir.File("no-such-model.ftz");
  EXPECT_FALSE(Engine::Open(o).ok());
  auto r = Engine::OpenReader(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto rows = (*r)->store().ListStories({});
  ASSERT_TRUE(rows.ok());
  EXPECT_FALSE(rows->empty());
}

// One article from the year 9999 must not push the window past every
// ordinary article: later calls cluster as if it had never come.
TEST(Dates, AFutureDateDoesNotPoisonTheWindow) {
  TempDir dir;
  EngineOptions o;
  o.clock = std::make_shared<FixedClock>(1796083200);  // 2026-12-01
  const int64_t y2015 = 1420070400;
  std::vector<Article> corpus = Synthetic(200, y2015);
  Article future;
  future.id = "from-the-future";
  future.title = "A date from the year 9999";
  future.text = "This item says it was published on the last day of the year 9999.";
  future.published = 253402300799;  // 9999-12-31T23:59:59Z

  auto clean = testing::OpenTestEngine(dir.File("clean.db"), o);
  ASSERT_TRUE(clean && clean->Ingest(corpus).ok());
  auto want = Assignments(*clean);

  auto e = testing::OpenTestEngine(dir.File("poisoned.db"), o);
  ASSERT_TRUE(e);
  auto first = e->Ingest({future});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->repaired, 1);
  auto sum = e->Ingest(corpus);
  ASSERT_TRUE(sum.ok());
  auto got = Assignments(*e);
  got.erase(future.id);
  EXPECT_EQ(Differences(got, want), std::vector<std::string>{});
  // The repair says what happened; the article is ordered at the ingest time.
  auto repaired = e->store().ListRepaired(-1);
  ASSERT_TRUE(repaired.ok());
  bool clamped = false;
  for (const auto& r : *repaired)
    for (const auto& what : r.repairs)
      clamped |= r.id == future.id && what.rfind("clock_skew:", 0) == 0;
  EXPECT_TRUE(clamped);
}

TEST(Dates, DatesBefore1900AreDroppedWithARepair) {
  TempDir dir;
  auto e = testing::OpenTestEngine(dir.File("old.db"));
  ASSERT_TRUE(e);
  Article a;
  a.id = "old";
  a.title = "Harbour history";
  a.text = "The harbour of Aldermoor was built by the town council long ago.";
  a.published = -5000000000;  // 1811
  auto sum = e->Ingest({a});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->repaired, 1);
  auto story = e->store().StoryOf("old");
  ASSERT_TRUE(story.ok());
  auto arts = e->store().StoryArticles(*story);
  ASSERT_TRUE(arts.ok() && arts->size() == 1);
  EXPECT_FALSE((*arts)[0].article.published.has_value());
  ASSERT_FALSE((*arts)[0].article.repairs.empty());
  EXPECT_EQ((*arts)[0].article.repairs.back().rfind("date_out_of_range:", 0), 0u);
}

TEST(Options, OutOfRangeValuesAreRefusedWithTheirKey) {
  struct Case {
    const char* key;
    double EngineOptions::*unused;
  };
  auto bad = [](auto set) {
    EngineOptions o;
    set(o);
    return Validate(o);
  };
  EXPECT_TRUE(Validate(EngineOptions{}).ok());
  Status s = bad([](EngineOptions& o) { o.cluster.threshold = std::nan(""); });
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("threshold"), std::string::npos);
  EXPECT_FALSE(bad([](EngineOptions& o) { o.cluster.threshold = 1e308; }).ok());
  EXPECT_FALSE(bad([](EngineOptions& o) { o.cluster.threshold = INFINITY; }).ok());
  s = bad([](EngineOptions& o) { o.cluster.window_days = -5; });
  EXPECT_NE(s.message().find("window_days"), std::string::npos);
  EXPECT_FALSE(bad([](EngineOptions& o) { o.cluster.time_sigma_days = 0; }).ok());
  EXPECT_FALSE(bad([](EngineOptions& o) { o.batch_size = 0; }).ok());
  EXPECT_FALSE(bad([](EngineOptions& o) { o.store.cache_mib = -1; }).ok());
  EXPECT_FALSE(Engine::Open([] {
                 EngineOptions o;
                 o.db_path = ":memory:";
                 o.cluster.window_days = -5;
                 return o;
               }())
                   .ok());
}

// The CLI as people type it.
TEST(Cli, OptionsWorkBeforeAndAfterTheSubcommand) {
  TempDir dir;
  const std::string db = dir.File("cli.db");
  auto r = testing::RunStoryline("ingest --db " + db + " -q " + testing::SourceDir() +
                                 "/examples/articles");
  EXPECT_EQ(r.code, 0);
  r = testing::RunStoryline("stories --db " + db + " --json");
  ASSERT_EQ(r.code, 0);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_array());
  EXPECT_EQ(j.size(), 10u);
  r = testing::RunStoryline("--db " + db + " stories --json");
  EXPECT_EQ(nlohmann::json::parse(r.out, nullptr, false).size(), 10u);
  // A reader does not create a database: a mistyped path is "not found".
  EXPECT_EQ(testing::RunStoryline("stories --db " + dir.File("typo.db")).code, 4);
  EXPECT_FALSE(std::filesystem::exists(dir.File("typo.db")));
  // Usage errors exit 2.
  EXPECT_EQ(testing::RunStoryline("--db " + db + " no-such-command").code, 2);
  EXPECT_EQ(testing::RunStoryline("stories --db " + db + " --no-such-flag").code, 2);
  EXPECT_EQ(testing::RunStoryline("ingest").code, 2);
  EXPECT_EQ(testing::RunStoryline("--help").code, 0);
}

TEST(Cli, BadSettingsAreUsageErrorsNamingTheKey) {
  TempDir dir;
  const std::string db = dir.File("cli.db");
  const std::string err = dir.File("err.txt");
  for (const char* env :
       {"STORYLINE_THRESHOLD=nan", "STORYLINE_THRESHOLD=inf", "STORYLINE_THRESHOLD=1e308",
        "STORYLINE_WINDOW_DAYS=-5", "STORYLINE_TIME_SIGMA_DAYS=0", "STORYLINE_BATCH_SIZE=1e30",
        "STORYLINE_BATCH_SIZE=2.5", "STORYLINE_MIN_SHARED_NEUTRAL=-1", "STORYLINE_QUEUE=amqp://x",
        "STORYLINE_MAX_DELIVER=0", "STORYLINE_ACK_WAIT_SECONDS=1e9", "STORYLINE_QUEUE_PREFIX=a.b",
        "STORYLINE_NOW=-1", "STORYLINE_CACHE_MIB=0", "STORYLINE_CACHE_MIB=64k"}) {
    auto r = testing::RunStoryline("--db " + db + " stories", std::string(env) + " ", err);
    EXPECT_EQ(r.code, 2) << env;
    std::ifstream in(err);
    std::string message((std::istreambuf_iterator<char>(in)), {});
    std::string key = std::string(env).substr(10, std::string(env).find('=') - 10);
    std::transform(key.begin(), key.end(), key.begin(), ::tolower);
    EXPECT_NE(message.find(key), std::string::npos) << env << ": " << message;
  }
  // The distributed roles need a queue: without one, a usage error.
  for (const char* cmd : {"worker", "clusterer", "queue-status"})
    EXPECT_EQ(testing::RunStoryline("--db " + db + " " + cmd).code, 2) << cmd;
  // A mistyped store is "not found" (exit 4) and no database is made there.
  EXPECT_EQ(testing::RunStoryline("--db " + dir.File("typo.db") +
                                  " --queue nats://127.0.0.1:1 queue-status")
                .code,
            4);
  EXPECT_FALSE(std::filesystem::exists(dir.File("typo.db")));
  std::ofstream(dir.File("bad.conf")) << "window_days = 0\n";
  EXPECT_EQ(
      testing::RunStoryline("--config " + dir.File("bad.conf") + " --db " + db + " stories").code,
      2);
}

TEST(Cli, ASecondWriterFailsClearlyAndReadersStillAnswer) {
  TempDir dir;
  const std::string db = dir.File("busy.db");
  ASSERT_EQ(testing::RunStoryline("--db " + db + " ingest -q " + testing::SourceDir() +
                                  "/examples/articles")
                .code,
            0);
  auto held = WriterLock::Acquire(db, false);
  ASSERT_TRUE(held.ok());
  const std::string err = dir.File("err.txt");
  auto r = testing::RunStoryline(
      "--db " + db + " ingest -q " + testing::SourceDir() + "/examples/articles", "", err);
  EXPECT_EQ(r.code, 1);
  std::ifstream in(err);
  std::string message((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(message.find("being written"), std::string::npos) << message;
  // Readers are not writers: they answer while the lock is held.
  r = testing::RunStoryline("--db " + db + " stories --json");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(nlohmann::json::parse(r.out, nullptr, false).size(), 10u);
  // ... and need no model.
  r = testing::RunStoryline("--db " + db + " stories", "STORYLINE_MODEL=/nonexistent.ftz ");
  EXPECT_EQ(r.code, 0);
}

// What makes crash recovery exact: the state after a commit is the state a
// restart restores from the store (Clusterer::Canonicalize), so a run split
// at a commit boundary makes the decisions of one that was not.
TEST(Restart, ARunSplitAtACommitEqualsOneRun) {
  TempDir dir;
  std::vector<Article> corpus = Synthetic(600);
  std::vector<Article> by_time = corpus;
  std::stable_sort(by_time.begin(), by_time.end(),
                   [](const Article& a, const Article& b) { return *a.published < *b.published; });
  EngineOptions o;
  o.batch_size = 50;
  std::map<std::string, std::string> reference;
  {
    auto e = testing::OpenTestEngine(dir.File("ref.db"), o);
    ASSERT_TRUE(e && e->Ingest(corpus).ok());
    reference = Assignments(*e);
  }
  // The commit points of the uninterrupted run (between chunks of 256).
  ExpectRestartsAtCommitsEqual(dir, corpus, by_time, o, reference);
}

// Story summaries, straight from the file: story -> stored JSON.
std::map<std::string, std::string> Summaries(const std::string& db) {
  std::map<std::string, std::string> out;
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return out;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(h, "SELECT story, data FROM story_intel", -1, &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW)
    out[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] =
        reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
  sqlite3_finalize(st);
  sqlite3_close(h);
  return out;
}

// The keys whose values differ between two maps (or that only one has).
std::vector<std::string> DifferentKeys(const std::map<std::string, std::string>& a,
                                       const std::map<std::string, std::string>& b) {
  std::vector<std::string> out;
  for (const auto& [k, v] : a)
    if (auto it = b.find(k); it == b.end() || it->second != v) out.push_back(k);
  for (const auto& [k, v] : b)
    if (!a.count(k)) out.push_back(k);
  return out;
}

// Within one call, stories that grew little since their last summary are
// summarised at a later commit; the call's last commit summarises them all,
// so a finished call leaves the summaries of one call per commit. After a
// failure (or a crash) past a commit that put some off, the next run
// summarises those too.
TEST(Summaries, PutOffWithinACallAndExactWhenTheCallEnds) {
  TempDir dir;
  std::vector<Article> corpus = Synthetic(1200);
  std::vector<Article> by_time = corpus;
  std::stable_sort(by_time.begin(), by_time.end(),
                   [](const Article& a, const Article& b) { return *a.published < *b.published; });
  EngineOptions o;
  o.batch_size = 50;  // commits between chunks of 256
  {
    auto e = testing::OpenTestEngine(dir.File("one.db"), o);
    ASSERT_TRUE(e);
    auto r = e->Ingest(corpus);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_GT(r->summaries_deferred, 0);
    EXPECT_GT(r->summaries, 0);
  }
  {
    auto e = testing::OpenTestEngine(dir.File("calls.db"), o);
    ASSERT_TRUE(e);
    for (size_t from = 0; from < by_time.size(); from += 256) {
      const size_t to = std::min(by_time.size(), from + 256);
      ASSERT_TRUE(
          e->Ingest(std::vector<Article>(by_time.begin() + from, by_time.begin() + to)).ok());
    }
  }
  const auto one = Summaries(dir.File("one.db"));
  ASSERT_GT(one.size(), 100u);
  EXPECT_EQ(DifferentKeys(Summaries(dir.File("calls.db")), one), std::vector<std::string>{});
  EXPECT_EQ(Text(dir.File("one.db"), "SELECT value FROM meta WHERE key='summaries_pending'"), "");

  // A run that fails after its third commit (768 articles) ...
  const std::string db = dir.File("t.db");
  {
    auto e = testing::OpenTestEngine(db, o);
    ASSERT_TRUE(e);
    Sql(db, "CREATE TRIGGER poison BEFORE INSERT ON memberships WHEN NEW.article = '" +
                by_time[800].id + "' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
    ASSERT_FALSE(e->Ingest(corpus).ok());
  }
  Sql(db, "DROP TRIGGER poison");
  // ... rolled back, and wrote what its earlier commits had put off.
  EXPECT_EQ(Text(db, "SELECT value FROM meta WHERE key='summaries_pending'"), "");
  {
    auto e = testing::OpenTestEngine(db, o);  // a reopened store has nothing left to do
    ASSERT_TRUE(e);
  }
  {
    auto e = testing::OpenTestEngine(dir.File("768.db"), o);
    ASSERT_TRUE(e && e->Ingest(std::vector<Article>(by_time.begin(), by_time.begin() + 768)).ok());
  }
  // A crash after such a commit: the engine opened next writes them.
  const std::string stale = Summaries(db).begin()->first;
  Sql(db, "UPDATE story_intel SET data='{}' WHERE story='" + stale + "'");
  Sql(db, "INSERT OR REPLACE INTO meta(key, value) VALUES('summaries_pending', '" + stale + "\n')");
  {
    auto e = testing::OpenTestEngine(db, o);
    ASSERT_TRUE(e);
  }
  EXPECT_EQ(Text(db, "SELECT value FROM meta WHERE key='summaries_pending'"), "");
  EXPECT_EQ(DifferentKeys(Summaries(db), Summaries(dir.File("768.db"))),
            std::vector<std::string>{});
}

// Bounded state: with a short window, stories, sketches and document
// frequencies leave as the stream moves on, and a run restarted at a commit
// still decides exactly as one that was not.
TEST(BoundedState, DocumentFrequenciesFollowTheWindowAndRestartsAreExact) {
  TempDir dir;
  std::vector<Article> corpus = Synthetic(600);  // 100 a day: 6 days
  std::vector<Article> by_time = corpus;
  std::stable_sort(by_time.begin(), by_time.end(),
                   [](const Article& a, const Article& b) { return *a.published < *b.published; });
  EngineOptions o;
  o.batch_size = 50;
  o.cluster.window_days = 1.5;
  o.cluster.df_min_documents = 50;
  std::map<std::string, std::string> reference;
  const std::string ref = dir.File("ref.db");
  {
    auto e = testing::OpenTestEngine(ref, o);
    ASSERT_TRUE(e && e->Ingest(corpus).ok());
    reference = Assignments(*e);
  }
  // The first days left (the store forgets what left memory at its next
  // commit, so the days that left at the last one are still there).
  const std::string days =
      Text(ref, "SELECT group_concat(undated || ':' || day || '=' || n, ' ') FROM df_documents");
  const int64_t first_day = DayOf(*by_time.front().published);
  const int64_t last_day = DayOf(*by_time.back().published);
  ASSERT_GE(last_day - first_day, 6);
  EXPECT_GE(Count(ref, "SELECT MIN(day) FROM df_documents"), first_day + 3) << days;
  EXPECT_EQ(Count(ref, "SELECT MAX(day) FROM df_documents"), last_day) << days;
  EXPECT_LT(Count(ref, "SELECT SUM(n) FROM df_documents"), 400);
  EXPECT_EQ(Count(ref,
                  "SELECT COUNT(*) FROM df_days WHERE day NOT IN "
                  "(SELECT day FROM df_documents)"),
            0);
  ExpectRestartsAtCommitsEqual(dir, corpus, by_time, o, reference);
}

// A directory is read and ingested a chunk at a time; nothing is lost and
// the summary covers the whole run.
TEST(BoundedState, PathsAreIngestedInChunks) {
  TempDir dir;
  const std::string examples = testing::SourceDir() + "/examples/articles";
  IngestSummary whole;
  {
    auto e = testing::OpenTestEngine(dir.File("whole.db"));
    auto sum = e->IngestPaths({examples});
    ASSERT_TRUE(sum.ok());
    whole = *sum;
  }
  ASSERT_GE(whole.stored, 5);
  EngineOptions o;
  o.read_chunk = 2;
  auto e = testing::OpenTestEngine(dir.File("chunks.db"), o);
  int64_t last_done = 0, calls = 0;
  auto sum = e->IngestPaths({examples, dir.File("missing.txt")}, [&](int64_t done, int64_t) {
    EXPECT_GE(done, last_done);
    last_done = done;
    ++calls;
  });
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->stored, whole.stored);
  EXPECT_EQ(sum->read, whole.read + 1);
  EXPECT_EQ(sum->rejected, whole.rejected + 1);  // the missing path
  EXPECT_EQ(*e->store().CountArticles(), whole.stored);
  EXPECT_GT(calls, 0);
}

// Undated articles are kept in the window by the time they were ingested.
TEST(BoundedState, UndatedArticlesLeaveTheWindowByTheirIngestTime) {
  TempDir dir;
  auto clock = std::make_shared<FixedClock>(1796083200);  // 2026-12-01
  EngineOptions o;
  o.clock = clock;
  o.cluster.df_min_documents = 0;
  std::vector<Article> corpus = Synthetic(40);
  for (auto& a : corpus) a.published.reset();
  const std::string db = dir.File("undated.db");
  Article again = corpus[0];
  again.id = "reposted";
  again.text += "\n\nThis report was updated.";  // not the same content: a near copy
  {
    auto e = testing::OpenTestEngine(db, o);
    ASSERT_TRUE(e && e->Ingest(corpus).ok());
  }
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM df_documents WHERE undated=1"), 1);
  // Five days later the same text under another id is a copy of the first.
  clock->Advance(5 * 86400);
  {
    auto e = testing::OpenTestEngine(db, o);
    ASSERT_TRUE(e && e->Ingest({again}).ok());
    auto reposted = e->store().StoryOf("reposted");
    ASSERT_TRUE(reposted.ok() && !reposted->empty());
    EXPECT_EQ(*reposted, *e->store().StoryOf(corpus[0].id));
  }
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM df_documents WHERE undated=1"), 2);
  // Twenty days later the first day's stories, sketches and counts are gone:
  // the same text opens a story of its own.
  clock->Advance(20 * 86400);
  again.id = "reposted-later";
  again.text += " Again.";
  {
    auto e = testing::OpenTestEngine(db, o);
    ASSERT_TRUE(e && e->Ingest({again}).ok());
    auto later = e->store().StoryOf("reposted-later");
    ASSERT_TRUE(later.ok() && !later->empty());
    EXPECT_NE(*later, *e->store().StoryOf(corpus[0].id));
  }
  const std::string days =
      Text(db, "SELECT group_concat(undated || ':' || day || '=' || n, ' ') FROM df_documents");
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM df_documents WHERE undated=1"), 1) << days;
  EXPECT_EQ(Count(db, "SELECT SUM(n) FROM df_documents"), 1) << days;
}

}  // namespace
}  // namespace storyline

namespace storyline {
namespace {

// Installed elsewhere, the binary finds its data and models beside itself.
TEST(Install, TheInstalledBinaryFindsItsDataAndModelsBesideItself) {
  TempDir dir;
  const std::string prefix = dir.File("prefix");
  std::string build = std::filesystem::path(STORYLINE_BINARY).parent_path().string();
  ASSERT_EQ(
      std::system(("cmake --install " + build + " --prefix " + prefix + " >/dev/null").c_str()), 0);
  ASSERT_TRUE(std::filesystem::exists(prefix + "/share/storyline/data/boilerplate/rules.txt"));
  const std::string bin = prefix + "/bin/storyline";
  const std::string err = dir.File("err.txt");
  std::string cmd = "cd " + dir.path() + " && " + bin + " -v --db " + dir.File("i.db") +
                    " ingest -q " + testing::SourceDir() + "/examples/articles >/dev/null 2>" + err;
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(err);
  std::string log((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(log.find("data: " + prefix + "/share/storyline/data;"), std::string::npos) << log;
  EXPECT_NE(log.find("models: " + prefix + "/share/storyline/models;"), std::string::npos) << log;
}

}  // namespace
}  // namespace storyline
