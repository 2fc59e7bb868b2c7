// HTTP fetching with libcurl: conditional GET, limits, politeness, retries.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/status.h"

namespace storyline {

struct FetchOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{20000};  // whole transfer
  std::chrono::milliseconds low_speed_window{10000};  // abort if < 1 KB/s for this long
  uint64_t max_bytes = 16ull << 20;  // after decompression; larger bodies are refused
  int retries = 2;                   // on connection errors, timeouts and 5xx/429, with back-off
  std::chrono::milliseconds backoff{500};  // doubled per retry; Retry-After honoured up to 60 s
  std::chrono::milliseconds per_host_interval{1000};  // politeness: at least this between requests to one host
  std::string user_agent = "Storyline/0.1 (+offline news clustering)";
  bool allow_file_urls = false;
};

struct FetchRequest {
  std::string url;
  std::string etag;           // sent as If-None-Match, exactly as received
  std::string last_modified;  // sent as If-Modified-Since, exactly as received
};

struct FetchResponse {
  long status = 0;            // HTTP status (304 = not modified)
  std::string body;           // decompressed
  std::string content_type;   // full header value
  std::string charset;        // charset parameter of Content-Type, lower case
  std::string etag;
  std::string last_modified;
  std::string final_url;      // after redirects
  int attempts = 0;
};

// Thread-compatible; one per thread. Tests can substitute their own.
class Fetcher {
 public:
  virtual ~Fetcher() = default;
  // OK with status 200 or 304; IOError for network failures and timeouts;
  // InvalidArgument("too_large: ...") when the body exceeds max_bytes;
  // NotFound for 404/410; Unsupported for other statuses. The message starts
  // with a reason code: "timeout:", "too_large:", "http_<status>:", "network:".
  virtual Result<FetchResponse> Get(const FetchRequest& request) = 0;
};

std::unique_ptr<Fetcher> MakeCurlFetcher(const FetchOptions& options = {});

bool IsHttpUrl(std::string_view s);

}  // namespace storyline
