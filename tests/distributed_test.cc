// The distributed mode in one process: the publisher, analysis workers and
// the clusterer over a throwaway NATS JetStream and PostgreSQL give the
// stories of the embedded mode, story ids included. (The same with separate
// processes, killed and restarted, is in cluster_test.cc.)
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "distributed_testing.h"
#include "queue/nats_testing.h"
#include "queue/queue.h"

namespace storyline {
namespace {

using testing::Batches;
using testing::Everything;
using testing::IngestAll;
using testing::SourceDir;
using testing::TempDir;

TEST(AnalysedWire, RoundTripsWhatTheClustererUses) {
  EngineOptions o;
  auto an = Analyser::Open(o);
  ASSERT_TRUE(an.ok()) << an.status().ToString();
  Article a;
  a.id = "x1";
  a.title = "Putin og Scholz møttes i Moskva";
  a.text = "Forbundskansler Olaf Scholz sa at 130 000 soldater er «for mange». Putin svarte.";
  a.published = 1644900000;
  a.source = "NTB";
  AnalysedArticle x = (*an)->Analyse(a);
  ASSERT_TRUE(x.analysed);
  ASSERT_FALSE(x.sig.terms.empty());
  AnalysedArticle y;
  std::string why;
  ASSERT_TRUE(DecodeAnalysed(EncodeAnalysed(x), &y, &why)) << why;
  EXPECT_EQ(y.c.article.id, "x1");
  EXPECT_EQ(y.c.article.text, x.c.article.text);
  EXPECT_EQ(y.c.article.published, a.published);
  EXPECT_EQ(y.c.content_hash, x.c.content_hash);
  EXPECT_EQ(y.lang.lang, x.lang.lang);
  EXPECT_EQ(y.lang.confidence, x.lang.confidence);
  ASSERT_EQ(y.sig.terms.size(), x.sig.terms.size());
  for (size_t i = 0; i < x.sig.terms.size(); ++i) {
    EXPECT_EQ(y.sig.terms[i].key, x.sig.terms[i].key);
    EXPECT_EQ(y.sig.terms[i].tf, x.sig.terms[i].tf);
  }
  EXPECT_EQ(y.sig.sketch, x.sig.sketch);
  EXPECT_EQ(y.sig.name_labels, x.sig.name_labels);
  EXPECT_EQ(EncodeEnrichment(y.intel), EncodeEnrichment(x.intel));
  // Damaged bytes are an error, not a crash.
  EXPECT_FALSE(DecodeAnalysed("\x81\xa1v\x02", &y, &why));
  EXPECT_FALSE(DecodeAnalysed("garbage", &y, &why));
  EXPECT_FALSE(why.empty());
}

TEST(AnalysedWire, RawMessagesRoundTripAndIdsFollowTheContent) {
  Article a;
  a.id = "id1";
  a.title = "T";
  a.text = "x";
  a.published = 5;
  a.repairs = {"r"};
  std::optional<Article> got;
  std::optional<Reject> rej;
  std::string why;
  ASSERT_TRUE(DecodeRaw(EncodeRawArticle(a), &got, &rej, &why)) << why;
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->published, 5);
  EXPECT_EQ(got->repairs, a.repairs);
  ASSERT_TRUE(DecodeRaw(EncodeRawReject({"f:1", "empty", "m"}), &got, &rej, &why));
  EXPECT_EQ(rej->reason, "empty");
  EXPECT_FALSE(DecodeRaw("{\"x\":1}", &got, &rej, &why));
  Article b = a;
  EXPECT_EQ(RawMessageId(a), RawMessageId(b));
  b.text = "y";  // an update is a new message, a re-delivery is not
  EXPECT_NE(RawMessageId(a), RawMessageId(b));
}

// The clusterer's guard: a batch is applied only on top of the position it
// was read after (a second clusterer that got ahead is never doubled).
TEST(IngestAnalysed, AppliesOnlyOnTheExpectedPosition) {
  TempDir dir;
  EngineOptions o;
  o.clock = std::make_shared<FixedClock>(1645000000);
  auto e = testing::OpenTestEngine(dir.File("guard.db"), o);
  ASSERT_NE(e, nullptr);
  auto an = Analyser::Open(o);
  ASSERT_TRUE(an.ok());
  auto article = [&](const std::string& id) {
    Article a;
    a.id = id;
    a.title = "Council approves bridge budget " + id;
    a.text = "The council approved the budget for the new bridge on Monday evening.";
    a.published = 1644900000;
    AnalysedArticle x = (*an)->Analyse(a);
    x.chunk_end = true;
    return std::vector<AnalysedArticle>{x};
  };
  const std::string key = kQueuePositionKey;
  auto r = e->IngestAnalysed(article("a"), {}, {{key, "1"}}, std::make_pair(key, std::string()));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Stale: it read the position before "a" was applied.
  r = e->IngestAnalysed(article("b"), {}, {{key, "1"}}, std::make_pair(key, std::string()));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("another writer"), std::string::npos);
  EXPECT_EQ(*e->store().CountArticles(), 1);
  EXPECT_EQ(**e->store().GetMeta(key), "1");
  r = e->IngestAnalysed(article("b"), {}, {{key, "2"}}, std::make_pair(key, std::string("1")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*e->store().CountArticles(), 2);
  EXPECT_EQ(**e->store().GetMeta(key), "2");
}

// A worker with other settings (here: another shingle size) cannot skew
// the stories: the clusterer sees the fingerprint and analyses again.
TEST(IngestAnalysed, AnArticleAnalysedWithOtherSettingsIsAnalysedAgain) {
  TempDir dir;
  EngineOptions o;
  o.clock = std::make_shared<FixedClock>(1645000000);
  EngineOptions other = o;
  other.signals.shingle_words = 3;
  auto worker = Analyser::Open(other);
  auto same = Analyser::Open(o);
  ASSERT_TRUE(worker.ok() && same.ok());
  Article a;
  a.id = "a";
  a.title = "Council approves bridge budget";
  a.text =
      "The council approved the budget for the new bridge on Monday evening, after a long "
      "debate about the cost of the works and the traffic they will bring to the centre.";
  a.published = 1644900000;
  AnalysedArticle x = (*worker)->Analyse(a), y = (*same)->Analyse(a);
  ASSERT_NE(x.fingerprint, y.fingerprint);
  ASSERT_NE(x.sig.sketch, y.sig.sketch);
  x.chunk_end = true;
  auto e = testing::OpenTestEngine(dir.File("fp.db"), o);
  ASSERT_NE(e, nullptr);
  ASSERT_TRUE(e->IngestAnalysed({x}, {}, {}).ok());
  std::vector<uint64_t> stored;
  ASSERT_TRUE(e->store()
                  .LoadSketches(std::nullopt, 0,
                                [&](int64_t, std::optional<int64_t>, int64_t,
                                    std::vector<uint64_t> s) { stored = std::move(s); })
                  .ok());
  EXPECT_EQ(stored, y.sig.sketch);  // this engine's analysis, not the worker's
}

// Publisher, two workers and a clusterer, in threads, over real servers.
TEST(DistributedRoles, GiveTheStoriesOfTheEmbeddedMode) {
  if (!QueueSupported()) GTEST_SKIP() << "built without libnats";
  std::string why;
  auto* pg = testing::PostgresServer::Get(&why);
  if (!pg) GTEST_SKIP() << why;
  testing::NatsServer nats(&why);
  if (!why.empty()) GTEST_SKIP() << why;

  EngineOptions o;
  o.clock = std::make_shared<FixedClock>(1645000000);
  o.store.synchronous = "OFF";
  o.db_path = pg->NewDatabase();
  o.batch_size = 7;  // several transactions, cut across the publisher's chunks
  QueueOptions q;
  q.url = nats.Url();
  uint64_t published = 0;
  for (const auto& paths : Batches()) {
    auto r = PublishPaths(paths, o, q);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    published = r->last_seq;
  }
  EXPECT_GT(published, 20u);

  StopRequested() = false;
  std::vector<std::thread> workers;
  std::vector<WorkerStats> stats(2);
  for (int w = 0; w < 2; ++w)
    workers.emplace_back([&, w] {
      auto r = RunWorker(o, q);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (r.ok()) stats[w] = *r;
    });
  // Bounded: if the clusterer never catches up, a stop ends it (and the
  // position check below fails).
  std::atomic<bool> finished{false};
  std::thread watchdog([&] {
    for (int i = 0; i < 3000 && !finished; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!finished) StopRequested() = true;
  });
  auto c = RunClusterer(o, q, /*exit_when_caught_up=*/true);
  finished = true;
  watchdog.join();
  StopRequested() = true;
  for (auto& t : workers) t.join();
  StopRequested() = false;
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->position, published);
  EXPECT_EQ(stats[0].analysed + stats[1].analysed + stats[0].rejects + stats[1].rejects,
            static_cast<int64_t>(published));

  auto status = GetQueueStatus(o, q);
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->published, published);
  EXPECT_EQ(status->applied, published);
  EXPECT_EQ(status->dead, 0u);

  auto store = OpenStore(o.db_path, o.store);
  ASSERT_TRUE(store.ok());
  nlohmann::json distributed = Everything(**store);
  TempDir dir;
  nlohmann::json embedded = IngestAll(dir.File("embedded.db"));
  ASSERT_FALSE(embedded["stories"]["stories"].empty());
  EXPECT_EQ(distributed["assignments"], embedded["assignments"]);
  EXPECT_EQ(distributed["stories"], embedded["stories"]);
  for (auto& [id, page] : embedded["story"].items())
    EXPECT_EQ(distributed["story"][id], page) << "story " << id;

  // Published again: every message is a duplicate, nothing changes.
  for (const auto& paths : Batches()) {
    auto r = PublishPaths(paths, o, q);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->articles + r->rejects, r->duplicates);
    EXPECT_EQ(r->last_seq, published);
  }
}

}  // namespace
}  // namespace storyline
