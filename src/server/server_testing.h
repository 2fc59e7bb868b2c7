// Test-only: a server on loopback (an ephemeral port) over a store made
// from the examples and a few articles of the tests' own. Shared by the API
// tests and the browser tests.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "server/server.h"

namespace storyline::testing_server {

using nlohmann::json;

inline const char kKey[] = "test-key-0123456789abcdef";

inline std::string TempDirPath() {
  char tmpl[] = "/tmp/storyline_server_XXXXXX";
  return mkdtemp(tmpl);
}

inline std::string Source() { return STORYLINE_SOURCE_DIR; }

inline std::string Encode(const std::string& v) {
  std::string out;
  char buf[4];
  for (unsigned char c : v) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// Articles of this test: a Norwegian one with "møte", one whose text is
// markup, one to take down (with a phrase found nowhere else).
inline const char kOwn[] =
    R"({"id":"own-no-mote","title":"Statsministeren til møte i Brussel","text":"Statsministeren reiser til et møte med EU-kommisjonen i Brussel tirsdag. Møtet handler om energi og strømpriser i Norden.","lang":"no","source":"testavisa.no","url":"https://testavisa.no/a/1","published":"2026-03-21T09:00:00Z"}
{"id":"own-markup","title":"<script>document.body.setAttribute('data-pwned','1')</script> Markup in a title","text":"The text says <script>document.title='pwned'</script> and <b>bold</b> & more.","lang":"en","source":"example.org","published":"2026-03-21T10:00:00Z"}
{"id":"own-control","title":"Control\u0001 characters in a title","text":"A text with a \u0002 control character and a \u0007 bell in it.","lang":"en","published":"2026-03-21T12:30:00Z"}
{"id":"own-cache","title":"Lighthouse keeper retires after forty years on Utsira","text":"The last lighthouse keeper of Utsira retired on Friday after forty years, the coastal administration said. The light has been automatic since 2006.","lang":"en","published":"2026-03-21T12:40:00Z"}
{"id":"own-takedown","title":"Harbour crane collapses in Gdynia","text":"A harbour crane collapsed in Gdynia on Saturday. Witnesses described a zyxwvutsquorble sound before it fell. Nobody was hurt, the port authority said.","lang":"en","source":"takedown.example","url":"https://takedown.example/crane","published":"2026-03-21T11:00:00Z"}
)";

class ServerFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = TempDirPath();
    db_ = dir_ + "/s.db";
    std::ofstream(dir_ + "/own.jsonl") << kOwn;
    EngineOptions o;
    o.db_path = db_;
    o.store.synchronous = "OFF";
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    auto sum = (*e)->IngestPaths({Source() + "/examples/articles", dir_ + "/own.jsonl"});
    ASSERT_TRUE(sum.ok()) << sum.status().ToString();
    ASSERT_GE(sum->stored, 30);
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  void Start(ServerOptions so = {}) {
    EngineOptions o;
    o.db_path = db_;
    o.store.synchronous = "OFF";
    so.listen = "127.0.0.1:0";
    auto s = Server::Create(o, so);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
    auto port = server_->Bind();
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
    thread_ = std::thread([this] { server_->Run(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(120, 0);
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

  json GetJson(const std::string& path, int want = 200) {
    auto r = client_->Get(path.c_str());
    EXPECT_TRUE(r) << path;
    if (!r) return json();
    EXPECT_EQ(r->status, want) << path << ": " << r->body;
    EXPECT_NE(r->get_header_value("Content-Type").find("application/json"), std::string::npos);
    return json::parse(r->body, nullptr, false);
  }
  httplib::Result Post(const std::string& path, const std::string& body, const std::string& key,
                       const char* type = "application/json") {
    httplib::Headers h;
    if (!key.empty()) h.emplace("Authorization", "Bearer " + key);
    return client_->Post(path.c_str(), h, body, type);
  }
  // Polls a task until it has ended (bounded by a number of polls, not time).
  json WaitTask(int64_t id) {
    json t;
    httplib::Headers key = {{"Authorization", std::string("Bearer ") + kKey}};
    for (int i = 0; i < 600; ++i) {
      auto r = client_->Get(("/api/tasks/" + std::to_string(id)).c_str(), key);
      EXPECT_TRUE(r && r->status == 200);
      if (!r) break;
      t = json::parse(r->body, nullptr, false);
      std::string s = t.value("status", "");
      if (s == "done" || s == "failed" || s == "cancelled") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return t;
  }

  static inline std::string dir_, db_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace storyline::testing_server
