// libcurl-backed Fetcher: conditional GET, size and time limits, retries with
// back-off, and per-host politeness. Never prints, never throws.
#include "ingest/fetch.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>

namespace storyline {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr long kMaxRedirects = 5;
constexpr long kLowSpeedBytesPerSecond = 1024;
constexpr milliseconds kMaxRetryAfter{60000};

bool GlobalInit() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; });
  return ok;
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (AsciiLower(s[i]) != AsciiLower(prefix[i])) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool IsFileUrl(std::string_view s) { return StartsWithIgnoreCase(s, "file://"); }

// Lower-case charset parameter of a Content-Type value, quotes removed.
std::string CharsetOf(std::string_view content_type) {
  size_t pos = content_type.find(';');
  while (pos != std::string_view::npos) {
    std::string_view rest = content_type.substr(pos + 1);
    size_t next = rest.find(';');
    std::string_view param = Trim(rest.substr(0, next));
    size_t eq = param.find('=');
    if (eq != std::string_view::npos && ToLower(Trim(param.substr(0, eq))) == "charset") {
      std::string_view value = Trim(param.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return ToLower(Trim(value));
    }
    pos = next == std::string_view::npos ? next : pos + 1 + next;
  }
  return {};
}

// Retry-After is either delta-seconds or an HTTP-date.
std::optional<milliseconds> ParseRetryAfter(const std::string& value) {
  std::string_view v = Trim(value);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    uint64_t seconds = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
    if (ec != std::errc()) return milliseconds::max();  // absurdly large
    if (seconds > 1000000) return milliseconds::max();
    return milliseconds(seconds * 1000);
  }
  std::string date(v);
  time_t when = curl_getdate(date.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  time_t now = std::time(nullptr);
  if (when <= now) return milliseconds(0);
  return milliseconds(static_cast<int64_t>(when - now) * 1000);
}

// What the header and write callbacks collect during one transfer. Headers are
// reset at every status line so that only the final response (after
// redirects) is kept.
struct Transfer {
  uint64_t max_bytes = 0;
  long status = 0;  // of the response whose headers are being received; 0 for file://
  std::string body;
  std::string content_type;
  std::string etag;
  std::string last_modified;
  std::string retry_after;
  bool too_large = false;
  bool discarded = false;  // we aborted an error response's body on purpose
};

bool SuccessLike(long status) { return status == 0 || (status >= 200 && status < 300); }

size_t HeaderCallback(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (StartsWithIgnoreCase(line, "HTTP/")) {
    // A new response (first, after a redirect, or after 100 Continue).
    long status = 0;
    size_t sp = line.find(' ');
    if (sp != std::string_view::npos) {
      std::string_view code = Trim(line.substr(sp + 1)).substr(0, 3);
      std::from_chars(code.data(), code.data() + code.size(), status);
    }
    t->status = status;
    t->content_type.clear();
    t->etag.clear();
    t->last_modified.clear();
    t->retry_after.clear();
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name = ToLower(Trim(line.substr(0, colon)));
  std::string_view value = Trim(line.substr(colon + 1));
  if (name == "content-type") {
    t->content_type = std::string(value);
  } else if (name == "etag") {
    t->etag = std::string(value);
  } else if (name == "last-modified") {
    t->last_modified = std::string(value);
  } else if (name == "retry-after") {
    t->retry_after = std::string(value);
  } else if (name == "content-length" && SuccessLike(t->status)) {
    // With Content-Encoding this is the compressed size; a body that is already
    // too large compressed will not shrink when decompressed.
    uint64_t length = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
    if ((ec == std::errc() && length > t->max_bytes) || ec == std::errc::result_out_of_range) {
      t->too_large = true;
      return 0;  // abort the transfer
    }
  }
  return n;
}

size_t WriteCallback(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (SuccessLike(t->status)) {
    // Data arrives here already decompressed, so this bounds the real size.
    if (n > t->max_bytes - t->body.size()) {
      t->too_large = true;
      return 0;
    }
    t->body.append(data, n);
    return n;
  }
  if (t->status >= 300 && t->status < 400) return n;  // redirect or 304 body: ignore
  t->discarded = true;                                // error page: we only need its status
  return 0;
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

// Outcome of one attempt, before mapping to the public Result.
struct Outcome {
  Status status;  // non-OK: transport-level failure
  bool retryable = false;
  long http_status = 0;
  std::optional<milliseconds> retry_after;
  FetchResponse response;
};

bool HasBadHeaderChars(std::string_view v) {
  return v.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

class CurlFetcher final : public Fetcher {
 public:
  explicit CurlFetcher(const FetchOptions& options) : options_(options) {}

  Result<FetchResponse> Get(const FetchRequest& request) override {
    if (request.url.empty()) return Status::InvalidArgument("bad_url: empty URL");
    const bool is_file = IsFileUrl(request.url);
    if (is_file) {
      if (!options_.allow_file_urls) {
        return Status::Unsupported("scheme: file URLs are not allowed: " + request.url);
      }
    } else if (!IsHttpUrl(request.url)) {
      if (request.url.find("://") != std::string::npos) {
        return Status::Unsupported("scheme: only http and https are fetched: " + request.url);
      }
      return Status::InvalidArgument("bad_url: " + request.url);
    }
    if (HasBadHeaderChars(request.etag) || HasBadHeaderChars(request.last_modified)) {
      return Status::InvalidArgument("bad_header: validator contains CR, LF or NUL");
    }
    if (!GlobalInit()) return Status::Internal("network: curl_global_init failed");
    if (!handle_) {
      handle_.reset(curl_easy_init());
      if (!handle_) return Status::Internal("network: curl_easy_init failed");
    }

    const std::string host = is_file ? std::string() : HostOf(request.url);
    const int max_attempts = 1 + std::max(0, options_.retries);
    milliseconds slept{0};
    Outcome outcome;
    for (int attempt = 1;; ++attempt) {
      WaitForHost(host);
      outcome = Perform(request, is_file);
      if (!host.empty()) last_request_[host] = Clock::now();
      outcome.response.attempts = attempt;
      if (!outcome.retryable || attempt >= max_attempts) break;

      // Exponential back-off, stretched to Retry-After; give up rather than
      // retry early when the server asks for more than we are willing to wait.
      const int shift = std::min(attempt - 1, 20);
      milliseconds delay = options_.backoff * (int64_t{1} << shift);
      if (outcome.retry_after) {
        if (*outcome.retry_after > kMaxRetryAfter) break;
        delay = std::max(delay, *outcome.retry_after);
      }
      if (delay < milliseconds(0)) delay = milliseconds(0);
      if (slept + delay > options_.max_retry_wait) break;
      slept += delay;
      std::this_thread::sleep_for(delay);
    }
    return Finish(request, std::move(outcome));
  }

 private:
  static std::string HostOf(const std::string& url) {
    std::string host;
    CURLU* u = curl_url();
    if (u == nullptr) return host;
    if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
      char* h = nullptr;
      if (curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK && h != nullptr) {
        host = ToLower(h);
        curl_free(h);
      }
    }
    curl_url_cleanup(u);
    return host;
  }

  void WaitForHost(const std::string& host) {
    if (host.empty() || options_.per_host_interval <= milliseconds(0)) return;
    auto it = last_request_.find(host);
    if (it == last_request_.end()) {
      if (last_request_.size() >= 4096) Prune();
      return;
    }
    std::this_thread::sleep_until(it->second + options_.per_host_interval);
  }

  void Prune() {
    const auto cutoff = Clock::now() - options_.per_host_interval;
    std::erase_if(last_request_, [&](const auto& kv) { return kv.second < cutoff; });
  }

  Outcome Perform(const FetchRequest& request, bool is_file) {
    CURL* c = handle_.get();
    curl_easy_reset(c);  // keeps the connection cache
    Transfer t;
    t.max_bytes = options_.max_bytes;
    char error[CURL_ERROR_SIZE] = {0};

    Slist headers;
    auto add_header = [&headers](const std::string& h) {
      curl_slist* l = curl_slist_append(headers.get(), h.c_str());
      if (l != nullptr) {
        (void)headers.release();
        headers.reset(l);
      }
    };
    if (!request.etag.empty()) add_header("If-None-Match: " + request.etag);
    if (!request.last_modified.empty()) add_header("If-Modified-Since: " + request.last_modified);

    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, kMaxRedirects);
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85.0
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR,
                     options_.allow_file_urls ? "http,https,file" : "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    long protocols = CURLPROTO_HTTP | CURLPROTO_HTTPS;
    if (options_.allow_file_urls) protocols |= CURLPROTO_FILE;
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, protocols);
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS,
                     static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // everything libcurl can decode
    curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(c, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    if (options_.connect_timeout > milliseconds(0)) {
      curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(options_.connect_timeout.count()));
    }
    if (options_.total_timeout > milliseconds(0)) {
      curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
    }
    if (options_.low_speed_window > milliseconds(0)) {
      const long seconds = std::max<long>(1, (options_.low_speed_window.count() + 999) / 1000);
      curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, kLowSpeedBytesPerSecond);
      curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, seconds);
    }
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &HeaderCallback);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &WriteCallback);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);

    const CURLcode code = curl_easy_perform(c);

    Outcome out;
    long http_status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http_status);
    char* effective = nullptr;
    curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &effective);
    out.response.final_url = effective != nullptr ? effective : request.url;
    // The pointers handed to curl die with this frame.
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);

    const std::string where = request.url + ": ";
    const std::string detail = error[0] != '\0' ? error : curl_easy_strerror(code);
    if (t.too_large) {
      out.status =
          Status::InvalidArgument("too_large: body exceeds " + std::to_string(options_.max_bytes) +
                                  " bytes: " + request.url);
      return out;
    }
    if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && t.discarded)) {
      out.status = MapCurlError(code, where + detail, &out.retryable);
      return out;
    }

    if (is_file && http_status == 0) http_status = 200;
    out.http_status = http_status;
    out.response.status = http_status;
    out.response.content_type = std::move(t.content_type);
    out.response.charset = CharsetOf(out.response.content_type);
    out.response.etag = std::move(t.etag);
    out.response.last_modified = std::move(t.last_modified);
    if (http_status >= 200 && http_status < 300) out.response.body = std::move(t.body);
    if (http_status == 429 || http_status == 408 || http_status >= 500) {
      out.retryable = true;
      out.retry_after = ParseRetryAfter(t.retry_after);
    }
    return out;
  }

  static Status MapCurlError(CURLcode code, const std::string& message, bool* retryable) {
    *retryable = false;
    switch (code) {
      case CURLE_OPERATION_TIMEDOUT:
        *retryable = true;
        return Status::IOError("timeout: " + message);
      case CURLE_COULDNT_RESOLVE_PROXY:
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_CONNECT:
      case CURLE_SEND_ERROR:
      case CURLE_RECV_ERROR:
      case CURLE_GOT_NOTHING:
      case CURLE_PARTIAL_FILE:
      case CURLE_HTTP2:
      case CURLE_HTTP2_STREAM:
      case CURLE_SSL_CONNECT_ERROR:
        *retryable = true;
        return Status::IOError("network: " + message);
      case CURLE_TOO_MANY_REDIRECTS:
        return Status::IOError("redirects: " + message);
      case CURLE_UNSUPPORTED_PROTOCOL:
        return Status::Unsupported("scheme: " + message);
      case CURLE_URL_MALFORMAT:
        return Status::InvalidArgument("bad_url: " + message);
      case CURLE_FILE_COULDNT_READ_FILE:
        return Status::NotFound("file_not_found: " + message);
      case CURLE_FILESIZE_EXCEEDED:
        return Status::InvalidArgument("too_large: " + message);
      default:
        return Status::IOError("network: " + message);
    }
  }

  static Result<FetchResponse> Finish(const FetchRequest& request, Outcome outcome) {
    if (!outcome.status.ok()) return outcome.status;
    const long s = outcome.http_status;
    FetchResponse& r = outcome.response;
    if (s == 304) {
      r.body.clear();
      // Not every server repeats its validators on 304; keep the ones we sent.
      if (r.etag.empty()) r.etag = request.etag;
      if (r.last_modified.empty()) r.last_modified = request.last_modified;
      return std::move(r);
    }
    if (s >= 200 && s < 300) return std::move(r);
    const std::string message = "http_" + std::to_string(s) + ": " + request.url;
    if (s == 404 || s == 410) return Status::NotFound(message);
    return Status::Unsupported(message);
  }

  FetchOptions options_;
  std::unique_ptr<CURL, CurlDeleter> handle_;
  std::map<std::string, Clock::time_point> last_request_;
};

}  // namespace

std::unique_ptr<Fetcher> MakeCurlFetcher(const FetchOptions& options) {
  return std::make_unique<CurlFetcher>(options);
}

bool IsHttpUrl(std::string_view s) {
  size_t start = 0;
  if (StartsWithIgnoreCase(s, "http://")) {
    start = 7;
  } else if (StartsWithIgnoreCase(s, "https://")) {
    start = 8;
  } else {
    return false;
  }
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return false;
  }
  std::string_view authority = s.substr(start);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  const size_t at = authority.rfind('@');
  std::string_view host = at == std::string_view::npos ? authority : authority.substr(at + 1);
  return !host.empty() && host.front() != ':';
}

}  // namespace storyline
