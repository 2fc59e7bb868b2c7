// Fault tests of the distributed mode, with real processes on loopback: a
// throwaway PostgreSQL and NATS JetStream, `storyline worker` and
// `storyline clusterer` processes, killed with SIGKILL or left without their
// servers mid-stream. Each must end with the stories of an uninterrupted
// embedded run of the same corpus: 0 articles lost, 0 doubled. Bounded: every
// wait has a limit (generous, for a loaded 2-core machine), and a failure
// prints the roles' logs.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include "common/text.h"
#include "queue/nats_testing.h"
#include "queue/queue.h"
#include "store/pg_testing.h"
#include "synth/synth.h"
#include "testing.h"

namespace storyline {
namespace {

using testing::RunStoryline;
using testing::TempDir;

constexpr const char* kNow = "1798761600";  // a fixed "now" for every process

class ClusterFault : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!QueueSupported()) GTEST_SKIP() << "built without libnats";
    std::string why;
    pg_ = testing::PostgresServer::Get(&why);
    if (!pg_) GTEST_SKIP() << why;
    nats_ = std::make_unique<testing::NatsServer>(&why);
    if (!why.empty()) GTEST_SKIP() << why;
    store_ = pg_->NewDatabase();
    // A corpus with stories, copies and several languages.
    synth::SynthOptions so;
    so.articles = 240;
    so.mean_bytes = 1200;
    so.articles_per_day = 120;
    so.seed = 7;
    corpus_ = dir_.File("corpus.jsonl");
    std::ofstream out(corpus_);
    for (const auto& a : synth::GenerateCorpus(so)) {
      nlohmann::json j = {
          {"id", a.article.id},     {"title", a.article.title},
          {"text", a.article.text}, {"source", a.article.source},
          {"url", a.article.url},   {"published", FormatIsoDate(*a.article.published)}};
      out << j.dump() << "\n";
    }
  }
  void TearDown() override {
    for (pid_t p : pids_) {
      kill(p, SIGKILL);
      waitpid(p, nullptr, 0);
    }
    if (HasFailure()) PrintLogs();
  }

  std::string Env() const {
    return std::string("STORYLINE_NOW=") + kNow +
           " STORYLINE_ACK_WAIT_SECONDS=2 STORYLINE_QUEUE=" + nats_->Url() + " ";
  }
  // A role in the background, its standard error in <dir>/<log>.log.
  pid_t Spawn(const std::vector<std::string>& args, const std::string& log) {
    logs_.push_back(dir_.File(log + ".log"));
    pid_t pid = fork();
    if (pid == 0) {
      setenv("STORYLINE_NOW", kNow, 1);
      setenv("STORYLINE_ACK_WAIT_SECONDS", "2", 1);
      setenv("STORYLINE_QUEUE", nats_->Url().c_str(), 1);
      setenv("STORYLINE_STORE", store_.c_str(), 1);
      FILE* f = std::freopen(logs_.back().c_str(), "w", stderr);
      (void)f;
      std::vector<char*> argv = {const_cast<char*>(STORYLINE_BINARY)};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(STORYLINE_BINARY, argv.data());
      _exit(127);
    }
    pids_.push_back(pid);
    return pid;
  }
  void Kill(pid_t pid) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    pids_.erase(std::remove(pids_.begin(), pids_.end(), pid), pids_.end());
  }
  // A number of `storyline queue-status --json` (0 if it cannot say).
  uint64_t Status(const char* key) {
    auto r = RunStoryline("queue-status --json", Env() + "STORYLINE_STORE='" + store_ + "' ");
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_object() ? j.value(key, uint64_t{0}) : 0;
  }
  uint64_t Published() { return Status("published"); }
  std::string Log(size_t i) {
    std::ifstream in(logs_.at(i));
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  // The clusterer's stored position (0 while the store cannot be read).
  uint64_t Applied() {
    auto s = OpenStore(store_, {});
    if (!s.ok()) return 0;
    auto v = (*s)->GetMeta(kQueuePositionKey);
    return v.ok() && v->has_value() ? std::stoull(**v) : 0;
  }
  // Waits (bounded) until `done` holds; false if it never did.
  template <typename Fn>
  bool WaitFor(Fn done, int seconds = 300) {
    for (int i = 0; i < seconds * 10; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  void Publish() {
    auto r = RunStoryline("ingest " + corpus_, Env());
    ASSERT_EQ(r.code, 0) << r.out;
  }
  // The distributed store's stories equal an embedded run's of the corpus.
  void ExpectEmbeddedStories() {
    std::string db = dir_.File("embedded.db");
    auto e = RunStoryline("--db " + db + " ingest -q " + corpus_,
                          std::string("STORYLINE_NOW=") + kNow + " ");
    ASSERT_EQ(e.code, 0);
    auto want = RunStoryline("--db " + db + " export --assignments");
    auto got = RunStoryline("--store '" + store_ + "' export --assignments");
    ASSERT_EQ(got.code, 0);
    EXPECT_EQ(got.out, want.out);
    auto want_stories = RunStoryline("--db " + db + " stories --json --limit -1");
    auto got_stories = RunStoryline("--store '" + store_ + "' stories --json --limit -1");
    EXPECT_EQ(got_stories.out, want_stories.out);
    // Exactly once: every article stored once, none lost.
    auto s = OpenStore(store_, {});
    ASSERT_TRUE(s.ok());
    auto es = OpenStore(db, {});
    ASSERT_TRUE(es.ok());
    EXPECT_EQ(*(*s)->CountArticles(), *(*es)->CountArticles());
    auto status = RunStoryline("queue-status --json", Env() + "STORYLINE_STORE='" + store_ + "' ");
    auto j = nlohmann::json::parse(status.out, nullptr, false);
    ASSERT_TRUE(j.is_object()) << status.out;
    EXPECT_EQ(j["dead"], 0);
  }
  void PrintLogs() {
    for (const auto& l : logs_) {
      std::ifstream in(l);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (text.size() > 4000) text = text.substr(text.size() - 4000);
      std::fprintf(stderr, "---- %s\n%s\n", l.c_str(), text.c_str());
    }
  }

  testing::PostgresServer* pg_ = nullptr;
  std::unique_ptr<testing::NatsServer> nats_;
  TempDir dir_;
  std::string store_, corpus_;
  std::vector<pid_t> pids_;
  std::vector<std::string> logs_;
};

TEST_F(ClusterFault, AKilledWorkersMessagesAreRedeliveredNothingLostNothingDoubled) {
  Publish();
  const uint64_t published = Published();
  ASSERT_GT(published, 200u);
  // Mid-stream, twice: a worker alone takes some of the work and is killed
  // with what it holds (up to 4 fetched, not acked). Alone, so that it has
  // taken work; twice, so that at least one kill almost surely falls while
  // it holds some (not between its last ack and its next fetch).
  for (uint64_t round = 1; round <= 2; ++round) {
    pid_t w = Spawn({"worker"}, "worker" + std::to_string(round));
    ASSERT_TRUE(WaitFor([&] { return Status("pending") < published * (10 - round) / 10; }, 60));
    Kill(w);  // what it held comes back to the next worker
  }
  Spawn({"worker"}, "worker3");
  Spawn({"clusterer"}, "clusterer");
  ASSERT_TRUE(WaitFor([&] { return Applied() == published; })) << Applied() << "/" << published;
  ExpectEmbeddedStories();
  EXPECT_NE(Log(2).find("is a redelivery"), std::string::npos)
      << "the killed workers held nothing?";
}

TEST_F(ClusterFault, AKilledClusterersStandbyTakesOver) {
  Spawn({"worker"}, "worker1");
  Spawn({"worker"}, "worker2");
  pid_t active = Spawn({"clusterer"}, "clusterer-a");
  // The second one waits for the first's lock.
  ASSERT_TRUE(WaitFor([&] {
    std::ifstream in(logs_.back());
    std::string t((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return t.find("active") != std::string::npos;
  }));
  Spawn({"clusterer"}, "clusterer-b");
  Publish();
  const uint64_t published = Published();
  ASSERT_TRUE(WaitFor([&] { return Applied() >= published / 3; }));
  Kill(active);
  ASSERT_TRUE(WaitFor([&] { return Applied() == published; })) << Applied() << "/" << published;
  ExpectEmbeddedStories();
  std::ifstream in(logs_.back());
  std::string b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(b.find("active"), std::string::npos) << b;
}

TEST_F(ClusterFault, NatsAndPostgresRestartsArePauses) {
  Spawn({"worker"}, "worker1");
  Spawn({"worker"}, "worker2");
  Spawn({"clusterer"}, "clusterer");
  // NATS goes away before the ingest: it waits, then goes on when NATS is back.
  nats_->Stop(true);
  pid_t publisher = Spawn({"ingest", corpus_}, "publisher");
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(waitpid(publisher, nullptr, WNOHANG), 0) << "the ingest did not wait for NATS";
  ASSERT_TRUE(nats_->Restart());
  int status = 0;
  ASSERT_TRUE(WaitFor([&] { return waitpid(publisher, &status, WNOHANG) == publisher; }));
  pids_.erase(std::remove(pids_.begin(), pids_.end(), publisher), pids_.end());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const uint64_t published = Published();
  ASSERT_GT(published, 200u);
  ASSERT_TRUE(WaitFor([&] { return Applied() >= published / 3; }));
  ASSERT_TRUE(pg_->Restart());    // mid-clustering
  ASSERT_TRUE(nats_->Restart());  // and NATS again, under workers and clusterer
  ASSERT_TRUE(WaitFor([&] { return Applied() == published; })) << Applied() << "/" << published;
  ExpectEmbeddedStories();
}

}  // namespace
}  // namespace storyline
