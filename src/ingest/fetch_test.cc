// Tests for the libcurl Fetcher against an in-process HTTP server that listens
// on 127.0.0.1 only (tests/local_http_server.h). Nothing else is ever
// contacted. The server gives the tests byte-level control: exact validators,
// hand-made gzip, bodies without Content-Length and bodies that stall
// mid-transfer.
#include "ingest/fetch.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "../../tests/local_http_server.h"

namespace storyline {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// The loopback server lives in tests/local_http_server.h.
using testing::Connection;
using testing::Gzip;
using testing::Head;
using testing::Headers;
using testing::HttpRequest;
using testing::LocalServer;
using testing::Response;

constexpr char kEtag[] = R"(W/"5f3a-b c;d")";
constexpr char kLastModified[] = "Wed, 21 Oct 2015 07:28:00 GMT";
constexpr char kFeedBody[] = "<rss version=\"2.0\"><channel><title>t</title></channel></rss>";
constexpr uint64_t kSmallLimit = 64 * 1024;

std::string GzipText() {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "Line " + std::to_string(i) + ": Tromsø ferje – news\n";
  return text;
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

FetchRequest Req(std::string url, std::string etag = "", std::string last_modified = "") {
  FetchRequest r;
  r.url = std::move(url);
  r.etag = std::move(etag);
  r.last_modified = std::move(last_modified);
  return r;
}

// Options for fast tests: no politeness delay, tiny back-off.
FetchOptions FastOptions() {
  FetchOptions o;
  o.connect_timeout = milliseconds(2000);
  o.total_timeout = milliseconds(4000);
  o.per_host_interval = milliseconds(0);
  o.backoff = milliseconds(10);
  o.max_retry_wait = milliseconds(3000);
  return o;
}

class CurlFetchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Make sure no proxy from the environment sees our loopback requests.
    for (const char* v :
         {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
      ::unsetenv(v);
    }
  }

  void SetUp() override {
    server_.Handle("/feed", [](const HttpRequest& req, Connection& c) {
      const Headers validators = {{"ETag", kEtag}, {"Last-Modified", kLastModified}};
      bool not_modified = false;
      if (req.Has("if-none-match")) {
        not_modified = req.Header("if-none-match") == kEtag;
      } else if (req.Has("if-modified-since")) {
        not_modified = req.Header("if-modified-since") == kLastModified;
      }
      if (not_modified) {
        c.Write(Head(304, validators, -1));
        return;
      }
      Headers h = validators;
      h.emplace_back("Content-Type", "application/rss+xml; charset=\"ISO-8859-1\"");
      c.Write(Response(200, h, kFeedBody));
    });
    server_.Handle("/bare-304", [](const HttpRequest&, Connection& c) {
      c.Write(Head(304, {}, -1));  // repeats no validators
    });
    server_.Handle("/gzip", [](const HttpRequest&, Connection& c) {
      c.Write(Response(
          200, {{"Content-Type", "text/plain; charset=utf-8"}, {"Content-Encoding", "gzip"}},
          Gzip(GzipText())));
    });
    server_.Handle("/slow", [](const HttpRequest&, Connection& c) {
      c.Write(Head(200, {{"Content-Type", "text/plain"}}, 100000));
      c.Write("abc");
      c.WaitForHangUp(milliseconds(4000));
    });
    server_.Handle("/big", [](const HttpRequest&, Connection& c) {
      c.Write(Response(200, {{"Content-Type", "application/octet-stream"}},
                       std::string(100 * 1024, 'x')));
    });
    server_.Handle("/big-stream", [](const HttpRequest&, Connection& c) {
      c.Write(Head(200, {{"Content-Type", "application/octet-stream"}}, -1));
      const std::string chunk(8192, 'y');
      for (int i = 0; i < 32; ++i) {
        if (!c.Write(chunk)) return;  // the client hung up, as it should
      }
    });
    server_.Handle("/exact", [](const HttpRequest&, Connection& c) {
      c.Write(Head(200, {{"Content-Type", "application/octet-stream"}}, -1));
      c.Write(std::string(kSmallLimit, 'z'));
    });
    server_.Handle("/bomb", [](const HttpRequest&, Connection& c) {
      static const std::string bomb = Gzip(std::string(16 << 20, '\0'));
      c.Write(Response(200, {{"Content-Type", "text/plain"}, {"Content-Encoding", "gzip"}}, bomb));
    });
    server_.Handle("/flaky", [this](const HttpRequest&, Connection& c) {
      if (flaky_hits_++ == 0) {
        c.Write(Response(503, {}, "busy"));
      } else {
        c.Write(Response(200, {{"Content-Type", "text/plain"}}, "ok"));
      }
    });
    server_.Handle("/always-503",
                   [](const HttpRequest&, Connection& c) { c.Write(Response(503, {}, "busy")); });
    server_.Handle("/retry-after", [this](const HttpRequest&, Connection& c) {
      if (retry_after_hits_++ == 0) {
        c.Write(Response(429, {{"Retry-After", "1"}}, "slow down"));
      } else {
        c.Write(Response(200, {{"Content-Type", "text/plain"}}, "ok"));
      }
    });
    server_.Handle("/retry-after-long", [](const HttpRequest&, Connection& c) {
      c.Write(Response(503, {{"Retry-After", "120"}}, "come back later"));
    });
    server_.Handle("/missing", [](const HttpRequest&, Connection& c) {
      c.Write(Response(404, {{"Content-Type", "text/html"}}, "<h1>not here</h1>"));
    });
    server_.Handle("/gone",
                   [](const HttpRequest&, Connection& c) { c.Write(Response(410, {}, "")); });
    server_.Handle("/forbidden",
                   [](const HttpRequest&, Connection& c) { c.Write(Response(403, {}, "no")); });
    server_.Handle("/redirect", [](const HttpRequest&, Connection& c) {
      c.Write(Response(302, {{"Location", "/feed"}}, "moved"));
    });
    server_.Handle("/redirect-abs", [this](const HttpRequest&, Connection& c) {
      c.Write(Response(301, {{"Location", server_.Url("/redirect")}}, ""));
    });
    server_.Handle("/loop", [](const HttpRequest&, Connection& c) {
      c.Write(Response(302, {{"Location", "/loop"}}, ""));
    });
    server_.Handle("/to-file", [](const HttpRequest&, Connection& c) {
      c.Write(Response(302, {{"Location", "file:///etc/hostname"}}, ""));
    });
    server_.Handle("/hit", [](const HttpRequest&, Connection& c) {
      c.Write(Response(200, {{"Content-Type", "text/plain"}}, "x"));
    });
    ASSERT_TRUE(server_.Start());
  }

  void TearDown() override { server_.Stop(); }

  LocalServer server_;
  std::atomic<int> flaky_hits_{0};
  std::atomic<int> retry_after_hits_{0};
};

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

TEST_F(CurlFetchTest, FetchesFeedAndCapturesHeaders) {
  auto fetcher = MakeCurlFetcher(FastOptions());
  auto r = fetcher->Get(Req(server_.Url("/feed")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, kFeedBody);
  EXPECT_EQ(r->etag, kEtag);
  EXPECT_EQ(r->last_modified, kLastModified);
  EXPECT_EQ(r->content_type, "application/rss+xml; charset=\"ISO-8859-1\"");
  EXPECT_EQ(r->charset, "iso-8859-1");
  EXPECT_EQ(r->final_url, server_.Url("/feed"));
  EXPECT_EQ(r->attempts, 1);
  auto seen = server_.Requests("/feed");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_FALSE(seen[0].Has("if-none-match"));
  EXPECT_FALSE(seen[0].Has("if-modified-since"));
  EXPECT_EQ(seen[0].Header("user-agent"), FetchOptions().user_agent);
}

TEST_F(CurlFetchTest, ConditionalGetEchoesValidatorsExactlyAndGets304) {
  auto fetcher = MakeCurlFetcher(FastOptions());
  auto r = fetcher->Get(Req(server_.Url("/feed"), kEtag, kLastModified));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 304);
  EXPECT_TRUE(r->body.empty());
  EXPECT_EQ(r->etag, kEtag);
  EXPECT_EQ(r->last_modified, kLastModified);
  auto seen = server_.Requests("/feed");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].Header("if-none-match"), kEtag);
  EXPECT_EQ(seen[0].Header("if-modified-since"), kLastModified);

  // Each validator alone is enough.
  auto only_lm = fetcher->Get(Req(server_.Url("/feed"), "", kLastModified));
  ASSERT_TRUE(only_lm.ok()) << only_lm.status().ToString();
  EXPECT_EQ(only_lm->status, 304);
  auto only_etag = fetcher->Get(Req(server_.Url("/feed"), kEtag, ""));
  ASSERT_TRUE(only_etag.ok()) << only_etag.status().ToString();
  EXPECT_EQ(only_etag->status, 304);

  // A stale validator gets the full body.
  auto stale = fetcher->Get(Req(server_.Url("/feed"), R"(W/"old")", ""));
  ASSERT_TRUE(stale.ok()) << stale.status().ToString();
  EXPECT_EQ(stale->status, 200);
  EXPECT_EQ(stale->body, kFeedBody);
  EXPECT_EQ(server_.Requests("/feed").back().Header("if-none-match"), R"(W/"old")");
}

TEST_F(CurlFetchTest, NotModifiedKeepsRequestValidatorsWhenServerOmitsThem) {
  auto fetcher = MakeCurlFetcher(FastOptions());
  auto r = fetcher->Get(Req(server_.Url("/bare-304"), "\"v1\"", kLastModified));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 304);
  EXPECT_EQ(r->etag, "\"v1\"");
  EXPECT_EQ(r->last_modified, kLastModified);
}

TEST_F(CurlFetchTest, RejectsValidatorsThatWouldInjectHeaders) {
  auto fetcher = MakeCurlFetcher(FastOptions());
  auto r = fetcher->Get(Req(server_.Url("/feed"), "\"x\"\r\nX-Evil: 1", ""));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(server_.Hits("/feed"), 0);
}

TEST_F(CurlFetchTest, GzipBodyArrivesDecompressed) {
  auto fetcher = MakeCurlFetcher(FastOptions());
  auto r = fetcher->Get(Req(server_.Url("/gzip")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, GzipText());
  EXPECT_EQ(r->charset, "utf-8");
  auto seen = server_.Requests("/gzip");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_NE(seen[0].Header("accept-encoding").find("gzip"), std::string::npos);
}

TEST_F(CurlFetchTest, StalledBodyTimesOut) {
  FetchOptions o = FastOptions();
  o.total_timeout = milliseconds(1000);
  o.retries = 0;
  auto fetcher = MakeCurlFetcher(o);
  const auto start = Clock::now();
  auto r = fetcher->Get(Req(server_.Url("/slow")));
  const double elapsed = SecondsSince(start);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kIOError);
  EXPECT_TRUE(StartsWith(r.status().message(), "timeout:")) << r.status().message();
  // It waited for the timeout (a lower bound: a loaded machine only adds to
  // it; no upper bound, which load would break).
  EXPECT_GE(elapsed, 0.9);
}

TEST_F(CurlFetchTest, TimeoutsAreRetried) {
  FetchOptions o = FastOptions();
  o.total_timeout = milliseconds(300);
  o.retries = 1;
  auto fetcher = MakeCurlFetcher(o);
  auto r = fetcher->Get(Req(server_.Url("/slow")));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(StartsWith(r.status().message(), "timeout:")) << r.status().message();
  EXPECT_EQ(server_.Hits("/slow"), 2);
}

TEST_F(CurlFetchTest, RejectsBodyLargerThanContentLengthLimit) {
  FetchOptions o = FastOptions();
  o.max_bytes = kSmallLimit;
  auto fetcher = MakeCurlFetcher(o);
  auto r = fetcher->Get(Req(server_.Url("/big")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(StartsWith(r.status().message(), "too_large:")) << r.status().message();
  EXPECT_EQ(server_.Hits("/big"), 1);  // not retried
}

TEST_F(CurlFetchTest, RejectsOversizedBodyWithoutContentLength) {
  FetchOptions o = FastOptions();
  o.max_bytes = kSmallLimit;
  auto fetcher = MakeCurlFetcher(o);
  auto r = fetcher->Get(Req(server_.Url("/big-stream")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(StartsWith(r.status().message(), "too_large:")) << r.status().message();
}

TEST_F(CurlFetchTest, AcceptsBodyOfExactlyMaxBytes) {
  FetchOptions o = FastOptions();
  o.max_bytes = kSmallLimit;
  auto fetcher = MakeCurlFetcher(o);
  auto r = fetcher->Get(Req(server_.Url("/exact")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body.size(), kSmallLimit);
}

TEST_F(CurlFetchTest, RejectsGzipBomb) {
  FetchOptions o = FastOptions();
  o.max_bytes = kSmallLimit;
  auto fetcher = MakeCurlFetcher(o);
  auto r = fetcher->Get(Req(server_.Url("/bomb")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(StartsWith(r.status().message(), "too_large:")) << r.status().message();
}

TEST_F(CurlFetchTest, RetriesAfter503) {
  auto fetcher = MakeCurlFetcher(FastOptions());
  auto r = fetcher->Get(Req(server_.Url("/flaky")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(server_.Hits("/flaky"), 2);
}

TEST_F(CurlFetchTest, GivesUpAfterConfiguredRetries) {
  FetchOptions o = FastOptions();
  o.retries = 2;
  auto fetcher = MakeCurlFetcher(o);
  const auto start = Clock::now();
  auto r = fetcher->Get(Req(server_.Url("/always-503")));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(StartsWith(r.status().message(), "http_503:")) << r.status().message();
  EXPECT_EQ(server_.Hits("/always-503"), 3);
  EXPECT_GE(SecondsSince(start), 0.030);  // 10 ms + 20 ms of back-off
}

TEST_F(CurlFetchTest, HonoursRetryAfter) {
  auto fetcher = MakeCurlFetcher(FastOptions());
  auto r = fetcher->Get(Req(server_.Url("/retry-after")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->attempts, 2);
  auto seen = server_.Requests("/retry-after");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_GE(seen[1].arrived - seen[0].arrived, milliseconds(1000));
}

TEST_F(CurlFetchTest, GivesUpWhenRetryAfterIsTooLong) {
  auto fetcher = MakeCurlFetcher(FastOptions());
  auto r = fetcher->Get(Req(server_.Url("/retry-after-long")));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(StartsWith(r.status().message(), "http_503:")) << r.status().message();
  EXPECT_EQ(server_.Hits("/retry-after-long"), 1);  // gave up at once, no wait
}

TEST_F(CurlFetchTest, MapsHttpErrors) {
  auto fetcher = MakeCurlFetcher(FastOptions());
  auto missing = fetcher->Get(Req(server_.Url("/missing")));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(StartsWith(missing.status().message(), "http_404:")) << missing.status().message();
  EXPECT_EQ(server_.Hits("/missing"), 1);  // not retried

  auto gone = fetcher->Get(Req(server_.Url("/gone")));
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(StartsWith(gone.status().message(), "http_410:")) << gone.status().message();

  auto forbidden = fetcher->Get(Req(server_.Url("/forbidden")));
  ASSERT_FALSE(forbidden.ok());
  EXPECT_EQ(forbidden.status().code(), Status::Code::kUnsupported);
  EXPECT_TRUE(StartsWith(forbidden.status().message(), "http_403:"))
      << forbidden.status().message();
}

TEST_F(CurlFetchTest, FollowsRedirects) {
  auto fetcher = MakeCurlFetcher(FastOptions());
  auto r = fetcher->Get(Req(server_.Url("/redirect-abs")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, kFeedBody);
  EXPECT_EQ(r->final_url, server_.Url("/feed"));
  EXPECT_EQ(r->etag, kEtag);  // headers of the final response
  EXPECT_EQ(server_.Hits("/redirect-abs"), 1);
  EXPECT_EQ(server_.Hits("/redirect"), 1);
}

TEST_F(CurlFetchTest, StopsRedirectLoops) {
  auto fetcher = MakeCurlFetcher(FastOptions());
  auto r = fetcher->Get(Req(server_.Url("/loop")));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(StartsWith(r.status().message(), "redirects:")) << r.status().message();
  EXPECT_LE(server_.Hits("/loop"), 6);
}

TEST_F(CurlFetchTest, RefusesRedirectToFile) {
  FetchOptions o = FastOptions();
  o.allow_file_urls = true;  // even then, a server may not send us to the disk
  auto fetcher = MakeCurlFetcher(o);
  auto r = fetcher->Get(Req(server_.Url("/to-file")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnsupported);
  EXPECT_TRUE(StartsWith(r.status().message(), "scheme:")) << r.status().message();
}

TEST_F(CurlFetchTest, PolitenessSpacesRequestsToOneHost) {
  FetchOptions o = FastOptions();
  o.per_host_interval = milliseconds(200);
  auto fetcher = MakeCurlFetcher(o);
  for (int i = 0; i < 2; ++i) {
    auto r = fetcher->Get(Req(server_.Url("/hit")));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  auto seen = server_.Requests("/hit");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_GE(seen[1].arrived - seen[0].arrived, milliseconds(200));
}

TEST_F(CurlFetchTest, ConnectionRefusedIsNetworkError) {
  // A port that was just free: bind, read the number, close without listening.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  FetchOptions o = FastOptions();
  o.retries = 1;
  auto fetcher = MakeCurlFetcher(o);
  auto r = fetcher->Get(Req("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kIOError);
  EXPECT_TRUE(StartsWith(r.status().message(), "network:")) << r.status().message();
}

TEST_F(CurlFetchTest, FileUrlsOnlyWhenAllowed) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("storyline_fetch_test_" + std::to_string(::getpid()));
  {
    std::ofstream out(path, std::ios::binary);
    out << kFeedBody;
  }
  const std::string url = "file://" + path.string();

  auto denied = MakeCurlFetcher(FastOptions())->Get(Req(url));
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), Status::Code::kUnsupported);
  EXPECT_TRUE(StartsWith(denied.status().message(), "scheme:")) << denied.status().message();

  FetchOptions o = FastOptions();
  o.allow_file_urls = true;
  auto fetcher = MakeCurlFetcher(o);
  auto r = fetcher->Get(Req(url));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, kFeedBody);
  std::filesystem::remove(path);

  auto missing = fetcher->Get(Req(url));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
}

TEST_F(CurlFetchTest, RejectsOtherSchemesWithoutNetwork) {
  auto fetcher = MakeCurlFetcher(FastOptions());
  auto ftp = fetcher->Get(Req("ftp://127.0.0.1/feed"));
  ASSERT_FALSE(ftp.ok());
  EXPECT_EQ(ftp.status().code(), Status::Code::kUnsupported);
  auto empty = fetcher->Get(Req(""));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), Status::Code::kInvalidArgument);
  auto junk = fetcher->Get(Req("not a url"));
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.status().code(), Status::Code::kInvalidArgument);
}

TEST(FetchIsHttpUrl, AcceptsHttpAndHttpsOnly) {
  EXPECT_TRUE(IsHttpUrl("http://example.com"));
  EXPECT_TRUE(IsHttpUrl("https://example.com/feed.xml?x=1"));
  EXPECT_TRUE(IsHttpUrl("HTTPS://Example.COM/"));
  EXPECT_TRUE(IsHttpUrl("http://user@127.0.0.1:8080/a"));
  EXPECT_FALSE(IsHttpUrl(""));
  EXPECT_FALSE(IsHttpUrl("http://"));
  EXPECT_FALSE(IsHttpUrl("http:///path"));
  EXPECT_FALSE(IsHttpUrl("http://:80/"));
  EXPECT_FALSE(IsHttpUrl("http://exa mple.com/"));
  EXPECT_FALSE(IsHttpUrl("ftp://example.com/"));
  EXPECT_FALSE(IsHttpUrl("file:///etc/passwd"));
  EXPECT_FALSE(IsHttpUrl("example.com/feed"));
  EXPECT_FALSE(IsHttpUrl("javascript:alert(1)"));
}

}  // namespace
}  // namespace storyline
