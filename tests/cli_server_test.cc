// The CLI's readers and writers of the server issue, on the real binary:
// search, article, paged stories, takedown and its log; and `serve` as a
// process (SIGTERM stops it cleanly).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "testing.h"

namespace storyline {
namespace {

using nlohmann::json;
using testing::RunStoryline;
using testing::SourceDir;
using testing::TempDir;

class CliServer : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("c.db");
    std::ofstream(dir_.File("own.jsonl"))
        << R"({"id":"cli-mote","title":"Kommunestyret til møte om skolene","text":"Kommunestyret har møte torsdag om nedleggelse av to skoler. Foreldrene protesterer.","lang":"no","source":"lokalavisa.no","url":"https://lokalavisa.no/skoler","published":"2026-03-21T08:00:00Z"})"
        << "\n";
    auto r = RunStoryline("--db " + db_ + " ingest -q " + SourceDir() + "/examples/articles " +
                          dir_.File("own.jsonl"));
    ASSERT_EQ(r.code, 0) << r.out;
  }
  TempDir dir_;
  std::string db_;
};

TEST_F(CliServer, SearchAndArticle) {
  for (const char* q : {"møte", "mote", "'skole*'"}) {
    auto r = RunStoryline("--db " + db_ + " search " + q + " --json");
    ASSERT_EQ(r.code, 0);
    json j = json::parse(r.out);
    ASSERT_FALSE(j["results"].empty()) << q;
    EXPECT_EQ(j["results"][0]["article"], "cli-mote") << q;
  }
  auto a = RunStoryline("--db " + db_ + " article cli-mote --json");
  ASSERT_EQ(a.code, 0);
  EXPECT_EQ(json::parse(a.out)["language"], "no");
  EXPECT_EQ(RunStoryline("--db " + db_ + " article nothing-here").code, 4);
}

TEST_F(CliServer, StoriesPageWithACursor) {
  std::set<std::string> seen;
  auto all = RunStoryline("--db " + db_ + " stories --json --limit -1 --sort recent");
  ASSERT_EQ(all.code, 0);
  size_t total = json::parse(all.out).size();
  std::string cursor;
  for (int page = 0; page < 50; ++page) {
    std::string err = dir_.File("err.txt");
    auto r = RunStoryline("--db " + db_ + " stories --json --limit 4 --sort recent" +
                              (cursor.empty() ? "" : " --cursor '" + cursor + "'"),
                          "", err);
    ASSERT_EQ(r.code, 0);
    for (const auto& s : json::parse(r.out)) EXPECT_TRUE(seen.insert(s["id"]).second);
    std::ifstream in(err);
    std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto at = log.find("--cursor '");
    if (at == std::string::npos) break;
    cursor = log.substr(at + 10, log.find('\'', at + 10) - at - 10);
  }
  EXPECT_EQ(seen.size(), total);
  EXPECT_EQ(RunStoryline("--db " + db_ + " stories --sort sideways").code, 2);
}

TEST_F(CliServer, TakedownRemovesAndRefuses) {
  auto td = RunStoryline("--db " + db_ + " takedown --article cli-mote --reason 'test' --json");
  ASSERT_EQ(td.code, 0) << td.out;
  EXPECT_EQ(json::parse(td.out)["articles"], json::array({"cli-mote"}));
  EXPECT_EQ(RunStoryline("--db " + db_ + " article cli-mote").code, 4);
  EXPECT_TRUE(
      json::parse(RunStoryline("--db " + db_ + " search mote --json").out)["results"].empty());
  auto again = RunStoryline("--db " + db_ + " ingest --json " + dir_.File("own.jsonl"));
  EXPECT_EQ(again.code, 3);  // a reject: taken down
  EXPECT_EQ(json::parse(again.out)["stored"], 0);
  auto log = RunStoryline("--db " + db_ + " takedowns --json");
  ASSERT_EQ(log.code, 0);
  EXPECT_EQ(json::parse(log.out)[0]["value"], "cli-mote");
  // Usage: exactly one of --article, --url, --source; a reason.
  EXPECT_EQ(RunStoryline("--db " + db_ + " takedown --reason x").code, 2);
  EXPECT_EQ(RunStoryline("--db " + db_ + " takedown --article a --url b --reason x").code, 2);
  EXPECT_EQ(RunStoryline("--db " + db_ + " takedown --article a").code, 2);
}

// A copy stored as an alias goes with its article and never comes back,
// under its own id or another.
TEST_F(CliServer, TakedownTakesCopiesAlong) {
  std::string text =
      "Fiskebåten kom til kai i Ålesund etter tre uker på havet, med rekordfangst av torsk og "
      "sei. Mannskapet sier været var det verste på mange år.";
  std::ofstream(dir_.File("copies.jsonl"))
      << R"({"id":"orig-1","title":"Rekordfangst i Ålesund","text":")" << text
      << R"(","lang":"no","source":"a.no"})"
      << "\n"
      << R"({"id":"copy-1","title":"Rekordfangst i Ålesund","text":")" << text
      << R"(","lang":"no","source":"b.no"})"
      << "\n";
  std::ofstream(dir_.File("later.jsonl"))
      << R"({"id":"copy-2","title":"Rekordfangst i Ålesund","text":")" << text
      << R"(","lang":"no","source":"c.no"})"
      << "\n";
  ASSERT_EQ(RunStoryline("--db " + db_ + " ingest -q " + dir_.File("copies.jsonl")).code, 0);
  auto td = RunStoryline("--db " + db_ + " takedown --article orig-1 --reason test --json");
  ASSERT_EQ(td.code, 0);
  EXPECT_EQ(json::parse(td.out)["articles"], json::array({"orig-1", "copy-1"}));
  for (const char* file : {"copies.jsonl", "later.jsonl"}) {
    auto again = RunStoryline("--db " + db_ + " ingest --json " + dir_.File(file));
    EXPECT_EQ(again.code, 3) << file;
    EXPECT_EQ(json::parse(again.out)["stored"], 0) << file;
  }
  auto exported = RunStoryline("--db " + db_ + " export --assignments");
  EXPECT_EQ(exported.out.find("copy-1"), std::string::npos);
}

TEST_F(CliServer, ServeStopsCleanlyOnSigterm) {
  std::string log = dir_.File("serve.log");
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 2);
    execl(STORYLINE_BINARY, STORYLINE_BINARY, "--db", db_.c_str(), "serve", "--listen",
          "127.0.0.1:0", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait (a bounded number of polls) until it says it is serving.
  std::string text;
  for (int i = 0; i < 300 && text.find("serving") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream in(log);
    text.assign((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  ASSERT_NE(text.find("serving"), std::string::npos) << text;
  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::ifstream in(log);
  text.assign((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("stopped"), std::string::npos) << text;
  // A bad setting is a usage error.
  EXPECT_EQ(RunStoryline("--db " + db_ + " serve --listen nowhere").code, 2);
  EXPECT_EQ(RunStoryline("--db " + db_ + " serve", "STORYLINE_API_KEY=short ").code, 2);
}

}  // namespace
}  // namespace storyline
