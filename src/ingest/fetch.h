// HTTP fetching with libcurl: conditional GET, limits, politeness, retries.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace storyline {

struct FetchOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{20000};     // whole transfer
  std::chrono::milliseconds low_speed_window{10000};  // abort if < 1 KB/s for this long
  uint64_t max_bytes = 16ull << 20;  // after decompression; larger bodies are refused
  int retries = 2;                   // on connection errors, timeouts and 5xx/429, with back-off
  std::chrono::milliseconds backoff{500};  // doubled per retry; Retry-After honoured up to 60 s
  // Cap on the total back-off sleep within one Get. When the next back-off (or a
  // Retry-After above 60 s) would exceed it, Get gives up and returns the last
  // failure instead of retrying early.
  std::chrono::milliseconds max_retry_wait{60000};
  // Politeness: at least this between requests to one host.
  std::chrono::milliseconds per_host_interval{1000};
  std::string user_agent = "Storyline/0.1 (+offline news clustering)";
  bool allow_file_urls = false;
};

struct FetchRequest {
  std::string url;
  std::string etag;           // sent as If-None-Match, exactly as received
  std::string last_modified;  // sent as If-Modified-Since, exactly as received
};

struct FetchResponse {
  long status = 0;           // HTTP status (304 = not modified)
  std::string body;          // decompressed
  std::string content_type;  // full header value
  std::string charset;       // charset parameter of Content-Type, lower case
  std::string etag;
  std::string last_modified;
  std::string final_url;  // after redirects
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
  // Also: "redirects:" (IOError, more than 5 redirects), "scheme:" (Unsupported,
  // a URL or redirect target that is not http/https, or file:// when not
  // allowed), "bad_url:" / "bad_header:" (InvalidArgument, malformed URL or a
  // validator containing CR/LF/NUL), "file_not_found:" (NotFound, file://).
  // Only 2xx responses keep their body. On 304, etag and last_modified fall
  // back to the request's values when the server does not repeat them. A
  // file:// success is reported as status 200.
  virtual Result<FetchResponse> Get(const FetchRequest& request) = 0;
};

std::unique_ptr<Fetcher> MakeCurlFetcher(const FetchOptions& options = {});

bool IsHttpUrl(std::string_view s);

}  // namespace storyline
