// The poll crash test's loopback feed server: a few RSS 2.0 feeds made of
// synthetic articles (src/synth), each with a strong ETag, served slowly
// (chunked, with small sleeps between chunks) so that a kill can land in the
// middle of a poll round. A request whose If-None-Match equals a feed's ETag
// gets 304, as a real server would, so a poller that committed the ETag
// without the items never sees those items again.
//
// Runs on tests/local_http_server.h (127.0.0.1 only, nothing else is ever
// contacted).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "local_http_server.h"

namespace storyline::crash {

struct FeedSpec {
  std::string path;              // "/feed-1.xml"
  std::string title;             // channel title
  std::string etag;              // strong ETag, sent with 200 and 304
  std::string body;              // the RSS document
  std::vector<std::string> ids;  // guids of its items (= the article ids Storyline stores)
};

struct FeedCorpus {
  int64_t items = 300;  // over all feeds, dealt round-robin in publication order
  int feeds = 3;
  uint64_t seed = 42;
  int mean_bytes = 2000;
};

// What the server did for one feed.
struct FeedCounters {
  int64_t full = 0;          // 200, whole body sent
  int64_t cut = 0;           // 200, the client went away mid-body
  int64_t not_modified = 0;  // 304
};

class FeedServer {
 public:
  // `serve_time`: how long sending one feed's body takes (spread over chunks).
  explicit FeedServer(std::chrono::milliseconds serve_time) : serve_time_(serve_time) {}
  ~FeedServer() { Stop(); }
  FeedServer(const FeedServer&) = delete;
  FeedServer& operator=(const FeedServer&) = delete;

  // Starts listening, then generates the feeds (item links point at the
  // server). False (and `*error`) on failure.
  bool Start(const FeedCorpus& corpus, std::string* error);
  void Stop() { server_.Stop(); }

  std::string Url(const std::string& path) const { return server_.Url(path); }
  const std::vector<FeedSpec>& feeds() const { return feeds_; }  // after Start
  std::vector<FeedCounters> Counters() const;                    // a snapshot, one per feed

 private:
  void Serve(size_t feed, const testing::HttpRequest& req, testing::Connection& c);

  std::chrono::milliseconds serve_time_;
  testing::LocalServer server_;
  mutable std::mutex mu_;
  std::vector<FeedSpec> feeds_;  // written once in Start (under mu_), before any poller runs
  std::vector<FeedCounters> counters_;
};

// An OPML 2.0 list naming `urls`.
std::string MakeOpml(const std::vector<std::pair<std::string, std::string>>& title_and_url);

}  // namespace storyline::crash
