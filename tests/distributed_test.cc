// The distributed mode in one process: the publisher, analysis workers and
// the clusterer over a throwaway NATS JetStream and PostgreSQL give the
// stories of the embedded mode, story ids included. (The same with separate
// processes, killed and restarted, is in cluster_test.cc.)
#include <gtest/gtest.h>

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
  auto c = RunClusterer(o, q, /*exit_when_caught_up=*/true);
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
