#include "server/server.h"

#include <httplib.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>

#include "api/api.h"
#include "common/text.h"
#include "server/html.h"

namespace storyline {

namespace {

using Json = nlohmann::json;
using Steady = std::chrono::steady_clock;

constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,   0.25,   0.5,   1,    2.5,   10};
constexpr const char* kCsp =
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'";

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

// Equal strings in time that depends on their lengths only.
bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

const char* ErrorCode(int http) {
  switch (http) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 413:
      return "payload_too_large";
    case 429:
      return "too_many_requests";
    case 503:
      return "unavailable";
    default:
      return http >= 500 ? "internal" : "error";
  }
}

// The one place where a Status becomes an HTTP status.
int HttpStatus(const Status& s) {
  switch (s.code()) {
    case Status::Code::kNotFound:
      return 404;
    case Status::Code::kInvalidArgument:
      return 400;
    default:
      return 500;
  }
}

bool IsApi(const httplib::Request& req) { return req.path.rfind("/api/", 0) == 0; }

struct Task {
  int64_t id = 0;
  std::string kind;  // "ingest", "ingest_url", "takedown"
  std::string status = "queued";
  int64_t created = 0, started = 0, finished = 0;
  std::vector<Article> articles;  // ingest: parsed on arrival
  std::vector<Reject> rejects;
  std::string url;  // ingest_url
  Engine::TakedownRequest takedown;
  Json result;
  std::string error;
};

Json TaskJson(const Task& t) {
  Json j = {{"id", t.id},
            {"kind", t.kind},
            {"status", t.status},
            {"created", FormatIsoDate(t.created)},
            {"started", t.started ? Json(FormatIsoDate(t.started)) : Json(nullptr)},
            {"finished", t.finished ? Json(FormatIsoDate(t.finished)) : Json(nullptr)}};
  if (!t.result.is_null()) j["result"] = t.result;
  if (!t.error.empty()) j["error"] = t.error;
  return j;
}

Json SummaryJson(const IngestSummary& s) {
  Json rejects = Json::array();
  for (const auto& r : s.rejects)
    rejects.push_back({{"origin", r.origin}, {"reason", r.reason}, {"message", r.message}});
  return {{"read", s.read},
          {"stored", s.stored},
          {"repaired", s.repaired},
          {"rejected", s.rejected},
          {"unchanged", s.unchanged},
          {"updated", s.updated},
          {"duplicates", s.duplicates},
          {"new_stories", s.new_stories},
          {"stories", s.stories_total},
          {"rejects", rejects}};
}

}  // namespace

Status Validate(const ServerOptions& o) {
  auto colon = o.listen.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return Status::InvalidArgument("listen = '" + o.listen + "' must be host:port");
  std::string port = o.listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535)
    return Status::InvalidArgument("listen = '" + o.listen + "': the port must be 0 to 65535");
  if (o.max_body_bytes < 1024 || o.max_body_bytes > (1ull << 30))
    return Status::InvalidArgument("max_body_bytes must be from 1024 to 1073741824");
  if (o.max_queue < 1 || o.max_queue > 100000)
    return Status::InvalidArgument("max_queue must be from 1 to 100000");
  if (o.threads < 1 || o.threads > 1024)
    return Status::InvalidArgument("server_threads must be from 1 to 1024");
  if (!o.api_key.empty() && o.api_key.size() < 16)
    return Status::InvalidArgument("api_key must be at least 16 characters");
  return Status::Ok();
}

struct Server::Impl {
  EngineOptions engine_options;
  ServerOptions options;
  httplib::Server http;
  std::string host;
  int port = 0;
  int listen_fd = -1;
  std::string base;  // public URL without trailing slash

  // Read connections, one per request thread at most.
  std::mutex readers_mu;
  std::vector<std::unique_ptr<ArticleStore>> readers;

  // Write tasks and the writer thread.
  std::mutex tasks_mu;
  std::condition_variable tasks_cv;
  std::deque<int64_t> queue;
  std::map<int64_t, Task> tasks;  // the newest kMaxTasks
  int64_t next_task = 1;
  bool stopping = false;
  std::thread writer;
  static constexpr size_t kMaxTasks = 1000;

  // Metrics.
  std::mutex metrics_mu;
  std::map<std::pair<std::string, int>, int64_t> requests;
  struct Histogram {
    std::array<int64_t, kBuckets.size()> counts{};
    int64_t count = 0;
    double sum = 0;
  };
  std::map<std::string, Histogram> latency;
  std::atomic<bool> stopped{false};

  // Rendered story pages, by story and headline language, valid while the
  // story's stamp (StoryStamp) is unchanged; the least recently used go
  // first beyond kMaxPages.
  struct CachedPage {
    std::string stamp;
    std::string html;
    uint64_t used = 0;
  };
  std::mutex pages_mu;
  std::unordered_map<std::string, CachedPage> pages;
  uint64_t pages_clock = 0;
  static constexpr size_t kMaxPages = 2000;
  std::atomic<int64_t> page_hits{0}, page_misses{0};

  std::optional<std::string> CachedStory(const std::string& key, const std::string& stamp) {
    std::lock_guard<std::mutex> lock(pages_mu);
    auto it = pages.find(key);
    if (it == pages.end() || it->second.stamp != stamp) return std::nullopt;
    it->second.used = ++pages_clock;
    return it->second.html;
  }
  void CacheStory(const std::string& key, const std::string& stamp, const std::string& html) {
    std::lock_guard<std::mutex> lock(pages_mu);
    if (pages.size() >= kMaxPages && !pages.count(key)) {
      auto oldest = pages.begin();
      for (auto it = pages.begin(); it != pages.end(); ++it)
        if (it->second.used < oldest->second.used) oldest = it;
      pages.erase(oldest);
    }
    pages[key] = {stamp, html, ++pages_clock};
  }

  // A read connection on loan for one request.
  class Reader {
   public:
    // One snapshot per request: a view made of several queries is consistent.
    Reader(Impl* impl, std::unique_ptr<ArticleStore> s) : impl_(impl), s_(std::move(s)) {
      if (!s_->BeginRead().ok()) (void)s_->EndRead();
    }
    Reader(Reader&&) = default;
    ~Reader() {
      if (!s_) return;
      if (!s_->EndRead().ok()) return;  // a broken connection is not pooled again
      std::lock_guard<std::mutex> lock(impl_->readers_mu);
      impl_->readers.push_back(std::move(s_));
    }
    ArticleStore& operator*() { return *s_; }

   private:
    Impl* impl_;
    std::unique_ptr<ArticleStore> s_;
  };
  Result<Reader> AcquireReader() {
    {
      std::lock_guard<std::mutex> lock(readers_mu);
      if (!readers.empty()) {
        auto s = std::move(readers.back());
        readers.pop_back();
        return Reader(this, std::move(s));
      }
    }
    auto s = OpenStore(engine_options.db_path, engine_options.store);
    if (!s.ok()) return s.status();
    return Reader(this, std::move(*s));
  }

  void Observe(const std::string& route, int code, double seconds) {
    std::lock_guard<std::mutex> lock(metrics_mu);
    ++requests[{route, code}];
    Histogram& h = latency[route];
    for (size_t i = 0; i < kBuckets.size(); ++i)
      if (seconds <= kBuckets[i]) ++h.counts[i];
    ++h.count;
    h.sum += seconds;
  }

  static void SendJson(httplib::Response& res, int code, const Json& j) {
    res.status = code;
    res.set_content(Dump(j) + "\n", "application/json; charset=utf-8");
  }
  static void SendError(httplib::Response& res, int code, const std::string& message) {
    SendJson(res, code, {{"error", {{"code", ErrorCode(code)}, {"message", message}}}});
  }
  static void SendHtml(httplib::Response& res, int code, const std::string& page) {
    res.status = code;
    res.set_content(page, "text/html; charset=utf-8");
  }
  // A failed view: JSON for the API, a page for people.
  static void SendStatus(const httplib::Request& req, httplib::Response& res, const Status& s) {
    int code = HttpStatus(s);
    std::string msg = code == 500 ? "the store could not be read: " + s.message() : s.message();
    if (IsApi(req))
      SendError(res, code, msg);
    else
      SendHtml(res, code, html::Error(code, msg));
  }

  using Fn = std::function<void(const httplib::Request&, httplib::Response&)>;
  // Times the handler, counts it by route and status, and turns anything
  // thrown into a 500 (handlers return errors as values; this is the net).
  httplib::Server::Handler Route(std::string name, Fn fn) {
    return [this, name = std::move(name), fn = std::move(fn)](const httplib::Request& req,
                                                              httplib::Response& res) {
      auto t0 = Steady::now();
      try {
        fn(req, res);
      } catch (const std::exception& e) {
        spdlog::error("{} {}: {}", req.method, req.path, e.what());
        res.body.clear();
        if (IsApi(req))
          SendError(res, 500, "internal error");
        else
          SendHtml(res, 500, html::Error(500, "internal error"));
      }
      Observe(name, res.status, std::chrono::duration<double>(Steady::now() - t0).count());
    };
  }

  // Parameters.
  static std::string Param(const httplib::Request& req, const char* k) {
    return req.has_param(k) ? req.get_param_value(k) : std::string();
  }
  static Result<int64_t> IntParam(const httplib::Request& req, const char* k, int64_t dflt,
                                  int64_t lo, int64_t hi) {
    if (!req.has_param(k)) return dflt;
    std::string v = req.get_param_value(k);
    int64_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || p != v.data() + v.size() || n < lo || n > hi)
      return Status::InvalidArgument(std::string(k) + " must be a whole number from " +
                                     std::to_string(lo) + " to " + std::to_string(hi));
    return n;
  }
  static Result<std::optional<int64_t>> TimeParam(const httplib::Request& req, const char* k) {
    if (!req.has_param(k)) return std::optional<int64_t>();
    auto t = ParseIsoDate(req.get_param_value(k));
    if (!t)
      return Status::InvalidArgument(std::string(k) + " must be a date (2022-02-15 or RFC 3339)");
    return std::optional<int64_t>(*t);
  }

  Result<api::StoriesQuery> StoriesQueryOf(const httplib::Request& req) {
    api::StoriesQuery q;
    q.lang = Param(req, "lang");
    q.entity = Param(req, "entity");
    q.source = Param(req, "source");
    q.cursor = Param(req, "cursor");
    q.reader_lang = Param(req, "headline_lang");
    if (req.has_param("sort")) q.sort = Param(req, "sort");
    auto limit = IntParam(req, "limit", 50, 1, 1000);
    if (!limit.ok()) return limit.status();
    q.limit = *limit;
    auto min_size = IntParam(req, "min_size", 1, 0, 1000000000);
    if (!min_size.ok()) return min_size.status();
    q.min_size = *min_size;
    auto since = TimeParam(req, "since");
    if (!since.ok()) return since.status();
    q.since = *since;
    auto until = TimeParam(req, "until");
    if (!until.ok()) return until.status();
    q.until = *until;
    return q;
  }

  // The top stories: recency and independent sources together (see
  // StoryFilter::sort "top").
  Result<Json> Top(ArticleStore& store, const std::string& lang, const std::string& reader_lang,
                   const std::string& cursor, int64_t limit) {
    api::StoriesQuery q;
    q.sort = "top";
    q.lang = lang;
    q.reader_lang = reader_lang;
    q.cursor = cursor;
    q.limit = limit;
    auto top = api::Stories(store, q);
    if (!top.ok()) return top.status();
    // The feed's <updated>: the newest article of any listed story.
    Json updated = nullptr;
    for (const auto& s : (*top)["stories"])
      if (s["last_published"].is_string() &&
          (updated.is_null() ||
           s["last_published"].get<std::string>() > updated.get<std::string>()))
        updated = s["last_published"];
    (*top)["updated"] = updated;
    return top;
  }

  std::string RequestToken() {
    std::lock_guard<std::mutex> lock(tasks_mu);
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
    return buf;
  }
  std::mt19937_64 rng{std::random_device{}()};

  // Write access: a key must be configured and presented.
  bool Authorized(const httplib::Request& req, httplib::Response& res) {
    if (options.api_key.empty()) {
      SendError(res, 403,
                "writes are disabled: set api_key in the config file or STORYLINE_API_KEY");
      return false;
    }
    std::string auth = req.get_header_value("Authorization");
    const std::string prefix = "Bearer ";
    if (auth.size() <= prefix.size() || auth.compare(0, prefix.size(), prefix) != 0 ||
        !ConstantTimeEquals(auth.substr(prefix.size()), options.api_key)) {
      res.set_header("WWW-Authenticate", "Bearer");
      SendError(res, 401, "a valid API key is needed: Authorization: Bearer KEY");
      return false;
    }
    return true;
  }

  // Queues a task: its id; 0 if the queue is full (a takedown is never
  // refused for that), -1 if the server is stopping.
  int64_t Enqueue(Task t, bool front) {
    std::lock_guard<std::mutex> lock(tasks_mu);
    if (stopping) return -1;
    if (!front && queue.size() >= options.max_queue) return 0;
    t.id = next_task++;
    t.created = std::time(nullptr);
    int64_t id = t.id;
    tasks.emplace(id, std::move(t));
    if (front)
      queue.push_front(id);
    else
      queue.push_back(id);
    while (tasks.size() > kMaxTasks) {
      auto oldest = tasks.begin();
      if (oldest->second.status == "queued" || oldest->second.status == "running") break;
      tasks.erase(oldest);
    }
    tasks_cv.notify_all();
    return id;
  }

  void WriterLoop() {
    std::unique_ptr<Engine> engine;
    for (;;) {
      int64_t id = 0;
      {
        std::unique_lock<std::mutex> lock(tasks_mu);
        if (queue.empty() && engine) {
          // Nothing to do: let other writers (a CLI ingest) have the store.
          lock.unlock();
          engine.reset();
          lock.lock();
        }
        tasks_cv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (stopping) break;
        id = queue.front();
        queue.pop_front();
        Task& t = tasks[id];
        t.status = "running";
        t.started = std::time(nullptr);
      }
      Json result;
      std::string error;
      if (!engine) {
        // Another process (a CLI ingest) may be writing: wait for it, but
        // never past a stop.
        bool said = false;
        for (;;) {
          {
            std::lock_guard<std::mutex> lock(tasks_mu);
            if (stopping) break;
          }
          auto probe = WriterLock::Acquire(engine_options.db_path, false);
          if (probe.ok() ||
              probe.status().message().find("is being written by") == std::string::npos)
            break;
          if (!said) spdlog::info("serve: waiting: {}", probe.status().message());
          said = true;
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        auto e = Engine::Open(engine_options);
        if (e.ok())
          engine = std::move(*e);
        else
          error = e.status().message();
      }
      if (engine) {
        Task copy;
        {
          std::lock_guard<std::mutex> lock(tasks_mu);
          Task& t = tasks[id];
          copy.kind = t.kind;
          copy.articles = std::move(t.articles);
          copy.rejects = std::move(t.rejects);
          copy.url = t.url;
          copy.takedown = t.takedown;
        }
        if (copy.kind == "ingest") {
          auto sum = engine->Ingest(std::move(copy.articles), std::move(copy.rejects));
          if (sum.ok())
            result = SummaryJson(*sum);
          else
            error = sum.status().message();
        } else if (copy.kind == "ingest_url") {
          auto sum = engine->IngestPaths({copy.url});
          if (sum.ok())
            result = SummaryJson(*sum);
          else
            error = sum.status().message();
        } else {
          std::vector<std::string> stories;
          auto rec = engine->Takedown(copy.takedown, &stories);
          if (rec.ok())
            result = api::TakedownJson(*rec, stories);
          else
            error = rec.status().message();
        }
        if (!error.empty()) engine.reset();  // reopen (and reload) for the next task
      }
      std::lock_guard<std::mutex> lock(tasks_mu);
      Task& t = tasks[id];
      t.finished = std::time(nullptr);
      t.status = error.empty() ? "done" : "failed";
      t.result = std::move(result);
      t.error = std::move(error);
      tasks_cv.notify_all();
    }
    std::lock_guard<std::mutex> lock(tasks_mu);
    for (int64_t id : queue) {
      tasks[id].status = "cancelled";
      tasks[id].error = "the server stopped before this task ran";
    }
    queue.clear();
    tasks_cv.notify_all();
  }

  void Routes();
};

void Server::Impl::Routes() {
  http.set_payload_max_length(options.max_body_bytes);
  const int threads = options.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  // The listening socket, to raise its backlog after bind: the library's is
  // 5, and a burst of connections beyond it waits a second for a SYN retry.
  http.set_socket_options([this](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd = sock;
  });
  // A kept-alive connection holds a request thread while idle: keep it short.
  http.set_keep_alive_max_count(20);
  http.set_keep_alive_timeout(2);

  // Headers on every answer.
  http.set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Content-Security-Policy", kCsp);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("X-Frame-Options", "DENY");
    if (!options.cors_origin.empty() && IsApi(req) && req.method == "GET")
      res.set_header("Access-Control-Allow-Origin", options.cors_origin);
  });
  // Unknown routes, oversized bodies and the like: the same error shapes.
  http.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string msg =
        res.status == 404 ? "no such page: " + req.path
        : res.status == 413
            ? "the request body is larger than " + std::to_string(options.max_body_bytes) + " bytes"
            : "the request failed (HTTP " + std::to_string(res.status) + ")";
    if (IsApi(req) || res.status == 413)
      SendError(res, res.status, msg);
    else
      SendHtml(res, res.status, html::Error(res.status, msg));
    Observe(res.status == 404 ? "unmatched" : "error", res.status, 0);
  });

  http.Get("/healthz", Route("healthz", [this](const httplib::Request&, httplib::Response& res) {
             auto r = AcquireReader();
             if (!r.ok()) return SendError(res, 503, r.status().message());
             auto c = (**r).CountStories();
             if (!c.ok()) return SendError(res, 503, c.status().message());
             SendJson(res, 200, {{"status", "ok"}});
           }));

  http.Get(
      "/metrics", Route("metrics", [this](const httplib::Request&, httplib::Response& res) {
        std::string out;
        {
          std::lock_guard<std::mutex> lock(metrics_mu);
          out +=
              "# HELP storyline_http_requests_total Requests by route and status.\n"
              "# TYPE storyline_http_requests_total counter\n";
          for (const auto& [k, n] : requests)
            out += "storyline_http_requests_total{route=\"" + k.first + "\",code=\"" +
                   std::to_string(k.second) + "\"} " + std::to_string(n) + "\n";
          out +=
              "# HELP storyline_http_request_duration_seconds Time to answer.\n"
              "# TYPE storyline_http_request_duration_seconds histogram\n";
          for (const auto& [route, h] : latency) {
            std::string l = "storyline_http_request_duration_seconds";
            for (size_t i = 0; i < kBuckets.size(); ++i)
              out += l + "_bucket{route=\"" + route + "\",le=\"" + fmt::format("{}", kBuckets[i]) +
                     "\"} " + std::to_string(h.counts[i]) + "\n";
            out += l + "_bucket{route=\"" + route + "\",le=\"+Inf\"} " + std::to_string(h.count) +
                   "\n";
            out += l + "_sum{route=\"" + route + "\"} " + fmt::format("{:.6f}", h.sum) + "\n";
            out += l + "_count{route=\"" + route + "\"} " + std::to_string(h.count) + "\n";
          }
        }
        size_t depth = 0;
        {
          std::lock_guard<std::mutex> lock(tasks_mu);
          depth = queue.size();
        }
        out +=
            "# HELP storyline_story_page_cache Story pages sent from the cache or rendered.\n"
            "# TYPE storyline_story_page_cache counter\n"
            "storyline_story_page_cache{result=\"hit\"} " +
            std::to_string(page_hits.load()) + "\nstoryline_story_page_cache{result=\"miss\"} " +
            std::to_string(page_misses.load()) + "\n";
        out +=
            "# HELP storyline_ingest_queue_depth Write tasks waiting.\n"
            "# TYPE storyline_ingest_queue_depth gauge\nstoryline_ingest_queue_depth " +
            std::to_string(depth) + "\n";
        auto r = AcquireReader();
        if (r.ok()) {
          auto counts = api::Counts(**r);
          if (counts.ok())
            out +=
                "# HELP storyline_articles Articles stored.\n# TYPE storyline_articles "
                "gauge\nstoryline_articles " +
                std::to_string((*counts)["articles"].get<int64_t>()) +
                "\n# HELP storyline_stories Stories.\n# TYPE storyline_stories "
                "gauge\nstoryline_stories " +
                std::to_string((*counts)["stories"].get<int64_t>()) + "\n";
        }
        res.set_content(out, "text/plain; version=0.0.4; charset=utf-8");
      }));

  // JSON API: reads.
  http.Get("/api/stories",
           Route("api_stories", [this](const httplib::Request& req, httplib::Response& res) {
             auto q = StoriesQueryOf(req);
             if (!q.ok()) return SendStatus(req, res, q.status());
             auto r = AcquireReader();
             if (!r.ok()) return SendStatus(req, res, r.status());
             auto v = api::Stories(**r, *q);
             if (!v.ok()) return SendStatus(req, res, v.status());
             SendJson(res, 200, *v);
           }));
  http.Get(R"(/api/stories/(.+))",
           Route("api_story", [this](const httplib::Request& req, httplib::Response& res) {
             auto r = AcquireReader();
             if (!r.ok()) return SendStatus(req, res, r.status());
             auto v = api::Story(**r, req.matches[1].str(), Param(req, "lang"));
             if (!v.ok()) return SendStatus(req, res, v.status());
             SendJson(res, 200, *v);
           }));
  http.Get(R"(/api/articles/(.+))",
           Route("api_article", [this](const httplib::Request& req, httplib::Response& res) {
             auto r = AcquireReader();
             if (!r.ok()) return SendStatus(req, res, r.status());
             auto v = api::Article(**r, req.matches[1].str());
             if (!v.ok()) return SendStatus(req, res, v.status());
             SendJson(res, 200, *v);
           }));
  http.Get("/api/search",
           Route("api_search", [this](const httplib::Request& req, httplib::Response& res) {
             api::SearchQuery q;
             q.q = Param(req, "q");
             q.lang = Param(req, "lang");
             auto limit = IntParam(req, "limit", 20, 1, 1000);
             if (!limit.ok()) return SendStatus(req, res, limit.status());
             auto offset = IntParam(req, "offset", 0, 0, 1000000000);
             if (!offset.ok()) return SendStatus(req, res, offset.status());
             q.limit = *limit;
             q.offset = *offset;
             if (q.q.empty()) return SendError(res, 400, "q (the words to search) is required");
             auto r = AcquireReader();
             if (!r.ok()) return SendStatus(req, res, r.status());
             auto v = api::Search(**r, q);
             if (!v.ok()) return SendStatus(req, res, v.status());
             SendJson(res, 200, *v);
           }));
  http.Get("/api/entities",
           Route("api_entities", [this](const httplib::Request& req, httplib::Response& res) {
             auto limit = IntParam(req, "limit", 100, 1, 10000);
             if (!limit.ok()) return SendStatus(req, res, limit.status());
             auto r = AcquireReader();
             if (!r.ok()) return SendStatus(req, res, r.status());
             auto v = api::Entities(**r, *limit);
             if (!v.ok()) return SendStatus(req, res, v.status());
             SendJson(res, 200, {{"entities", *v}});
           }));
  http.Get(R"(/api/entities/(.+))",
           Route("api_entity", [this](const httplib::Request& req, httplib::Response& res) {
             auto limit = IntParam(req, "limit", 50, 1, 1000);
             if (!limit.ok()) return SendStatus(req, res, limit.status());
             auto r = AcquireReader();
             if (!r.ok()) return SendStatus(req, res, r.status());
             auto v = api::Entity(**r, req.matches[1].str(), *limit);
             if (!v.ok()) return SendStatus(req, res, v.status());
             SendJson(res, 200, *v);
           }));
  http.Get(R"(/api/tasks/(\d+))",
           Route("api_task", [this](const httplib::Request& req, httplib::Response& res) {
             if (!Authorized(req, res)) return;  // tasks are the writers' (takedowns)
             int64_t id = std::stoll(req.matches[1].str().substr(0, 18));
             std::lock_guard<std::mutex> lock(tasks_mu);
             auto it = tasks.find(id);
             if (it == tasks.end()) return SendError(res, 404, "no task " + std::to_string(id));
             SendJson(res, 200, TaskJson(it->second));
           }));

  // JSON API: writes (with the key).
  http.Post(
      "/api/ingest",
      Route("api_ingest", [this](const httplib::Request& req, httplib::Response& res) {
        if (!Authorized(req, res)) return;
        Task t;
        Json as_json = Json::parse(req.body, nullptr, false);
        if (as_json.is_object() && as_json.contains("url") && !as_json.contains("text") &&
            !as_json.contains("title")) {
          if (!as_json["url"].is_string()) return SendError(res, 400, "url must be a string");
          t.kind = "ingest_url";
          t.url = as_json["url"].get<std::string>();
          if (t.url.rfind("http://", 0) != 0 && t.url.rfind("https://", 0) != 0)
            return SendError(res, 400, "url must be an http(s) URL of a feed or page");
        } else {
          t.kind = "ingest";
          IngestBatch batch;
          // Articles without an id get "api-<token>-<line>": a token unique
          // to this request (random), never an id already stored.
          std::string token = RequestToken();
          ParseJsonLines(req.body, "api-" + token, "api:" + token, engine_options.ingest, &batch);
          if (batch.articles.empty()) {
            std::string why = batch.rejects.empty()
                                  ? "the body holds no articles (JSON Lines: one object "
                                    "per line with title and text)"
                                  : batch.rejects.front().message;
            return SendError(res, 400, why);
          }
          t.articles = std::move(batch.articles);
          t.rejects = std::move(batch.rejects);
        }
        int64_t id = Enqueue(std::move(t), false);
        if (id < 0) return SendError(res, 503, "the server is stopping");
        if (!id) {
          res.set_header("Retry-After", std::to_string(options.retry_after_seconds));
          return SendError(res, 429, "the ingest queue is full; try again later");
        }
        res.set_header("Location", "/api/tasks/" + std::to_string(id));
        SendJson(
            res, 202,
            {{"task", id}, {"status", "queued"}, {"href", "/api/tasks/" + std::to_string(id)}});
      }));
  http.Post("/api/takedowns",
            Route("api_takedown", [this](const httplib::Request& req, httplib::Response& res) {
              if (!Authorized(req, res)) return;
              Json body = Json::parse(req.body, nullptr, false);
              if (!body.is_object()) return SendError(res, 400, "the body must be a JSON object");
              Task t;
              t.kind = "takedown";
              int named = 0;
              for (const char* k : {"article", "url", "source"})
                if (body.contains(k)) {
                  ++named;
                  if (!body[k].is_string() || body[k].get<std::string>().empty())
                    return SendError(res, 400, std::string(k) + " must be a non-empty string");
                  t.takedown.kind = k;
                  t.takedown.value = body[k].get<std::string>();
                }
              if (named != 1)
                return SendError(res, 400, "name exactly one of article, url or source");
              if (!body.contains("reason") || !body["reason"].is_string() ||
                  body["reason"].get<std::string>().empty())
                return SendError(res, 400, "reason (a string) is required");
              t.takedown.reason = body["reason"].get<std::string>();
              int64_t id = Enqueue(std::move(t), /*front=*/true);
              if (id < 0) return SendError(res, 503, "the server is stopping");
              // Answer when it is done (takedowns are quick), else with the task.
              std::unique_lock<std::mutex> lock(tasks_mu);
              bool done = tasks_cv.wait_for(lock, std::chrono::seconds(60), [&] {
                const std::string& s = tasks[id].status;
                return s == "done" || s == "failed" || s == "cancelled";
              });
              const Task& task = tasks[id];
              if (!done) {
                res.set_header("Location", "/api/tasks/" + std::to_string(id));
                return SendJson(res, 202, TaskJson(task));
              }
              if (task.status == "done") return SendJson(res, 200, task.result);
              SendError(res, task.status == "cancelled" ? 503 : 500, task.error);
            }));
  http.Get("/api/takedowns",
           Route("api_takedowns", [this](const httplib::Request& req, httplib::Response& res) {
             if (!Authorized(req, res)) return;
             auto limit = IntParam(req, "limit", 100, 1, 100000);
             if (!limit.ok()) return SendStatus(req, res, limit.status());
             auto r = AcquireReader();
             if (!r.ok()) return SendStatus(req, res, r.status());
             auto v = api::Takedowns(**r, *limit);
             if (!v.ok()) return SendStatus(req, res, v.status());
             SendJson(res, 200, {{"takedowns", *v}});
           }));

  // The web page.
  http.Get("/static/style.css",
           Route("static", [](const httplib::Request&, httplib::Response& res) {
             res.set_header("Cache-Control", "max-age=3600");
             res.set_content(html::kStyle, "text/css; charset=utf-8");
           }));
  http.Get("/", Route("page_front", [this](const httplib::Request& req, httplib::Response& res) {
             auto r = AcquireReader();
             if (!r.ok()) return SendStatus(req, res, r.status());
             std::string lang = Param(req, "lang");
             auto top = Top(**r, "", lang, Param(req, "cursor"), 30);
             if (!top.ok()) return SendStatus(req, res, top.status());
             bool more = !(*top)["next_cursor"].is_null();
             SendHtml(res, 200,
                      html::Front((*top)["stories"], lang, more,
                                  more ? (*top)["next_cursor"].get<std::string>() : ""));
           }));
  http.Get(R"(/stories/(.+))",
           Route("page_story", [this](const httplib::Request& req, httplib::Response& res) {
             auto r = AcquireReader();
             if (!r.ok()) return SendStatus(req, res, r.status());
             std::string lang = Param(req, "lang");
             // A page rendered since the story last changed is sent as it is.
             auto id = (**r).ResolveStory(req.matches[1].str());
             if (!id.ok()) return SendStatus(req, res, id.status());
             auto stamp = (**r).StoryStamp(*id);
             std::string key = *id + "\n" + lang;
             if (stamp.ok())
               if (auto page = CachedStory(key, *stamp)) {
                 ++page_hits;
                 return SendHtml(res, 200, *page);
               }
             ++page_misses;
             auto v = api::Story(**r, req.matches[1].str(), lang, /*with_text=*/false);
             if (!v.ok()) return SendStatus(req, res, v.status());
             std::string page = html::Story(*v, lang);
             if (stamp.ok()) CacheStory(key, *stamp, page);
             SendHtml(res, 200, page);
           }));
  http.Get(R"(/articles/(.+))",
           Route("page_article", [this](const httplib::Request& req, httplib::Response& res) {
             auto r = AcquireReader();
             if (!r.ok()) return SendStatus(req, res, r.status());
             auto v = api::Article(**r, req.matches[1].str());
             if (!v.ok()) return SendStatus(req, res, v.status());
             SendHtml(res, 200, html::Article(*v));
           }));
  http.Get("/search",
           Route("page_search", [this](const httplib::Request& req, httplib::Response& res) {
             std::string q = Param(req, "q");
             std::string lang = Param(req, "lang");
             auto offset = IntParam(req, "offset", 0, 0, 1000000000);
             if (!offset.ok()) return SendStatus(req, res, offset.status());
             Json results = {{"results", Json::array()}, {"next_offset", nullptr}};
             if (!q.empty()) {
               auto r = AcquireReader();
               if (!r.ok()) return SendStatus(req, res, r.status());
               api::SearchQuery sq;
               sq.q = q;
               sq.limit = 20;
               sq.offset = *offset;
               auto v = api::Search(**r, sq);
               if (!v.ok()) return SendStatus(req, res, v.status());
               results = *v;
             }
             SendHtml(res, 200, html::Search(results, q, lang));
           }));
  http.Get("/entities",
           Route("page_entities", [this](const httplib::Request& req, httplib::Response& res) {
             auto r = AcquireReader();
             if (!r.ok()) return SendStatus(req, res, r.status());
             auto v = api::Entities(**r, 200);
             if (!v.ok()) return SendStatus(req, res, v.status());
             SendHtml(res, 200, html::Entities(*v));
           }));
  http.Get(R"(/entities/(.+))",
           Route("page_entity", [this](const httplib::Request& req, httplib::Response& res) {
             auto r = AcquireReader();
             if (!r.ok()) return SendStatus(req, res, r.status());
             auto v = api::Entity(**r, req.matches[1].str(), 50);
             if (!v.ok()) return SendStatus(req, res, v.status());
             SendHtml(res, 200, html::Entity(*v, Param(req, "lang")));
           }));
  http.Get(
      "/feeds/top.atom", Route("feed", [this](const httplib::Request& req, httplib::Response& res) {
        auto r = AcquireReader();
        if (!r.ok()) return SendStatus(req, res, r.status());
        std::string lang = Param(req, "lang");
        auto top = Top(**r, lang, lang, "", 30);
        if (!top.ok()) return SendStatus(req, res, top.status());
        std::string updated = (*top)["updated"].is_string() ? (*top)["updated"].get<std::string>()
                                                            : FormatIsoDate(std::time(nullptr));
        std::string self =
            "/feeds/top.atom" + (lang.empty() ? "" : "?lang=" + html::UrlEncode(lang));
        res.status = 200;
        res.set_content(html::Atom((*top)["stories"], base, self, lang, updated),
                        "application/atom+xml; charset=utf-8");
      }));
}

Result<std::unique_ptr<Server>> Server::Create(const EngineOptions& engine,
                                               const ServerOptions& options) {
  Status v = Validate(options);
  if (!v.ok()) return v;
  if (engine.db_path == ":memory:")
    return Status::InvalidArgument("the server needs a database file, not :memory:");
  // Create the store if it is missing, so that a new server can take ingest.
  auto store = OpenStore(engine.db_path, engine.store);
  if (!store.ok()) return store.status();
  std::unique_ptr<Server> s(new Server());
  s->impl_ = std::make_unique<Impl>();
  s->impl_->engine_options = engine;
  s->impl_->options = options;
  s->impl_->readers.push_back(std::move(*store));
  s->impl_->Routes();
  return s;
}

Server::~Server() {
  if (!impl_) return;
  Stop();
  if (impl_->writer.joinable()) impl_->writer.join();
}

Result<int> Server::Bind() {
  Impl& m = *impl_;
  auto colon = m.options.listen.rfind(':');
  m.host = m.options.listen.substr(0, colon);
  if (m.host.size() > 2 && m.host.front() == '[' && m.host.back() == ']')
    m.host = m.host.substr(1, m.host.size() - 2);
  int port = std::stoi(m.options.listen.substr(colon + 1));
  if (port == 0) {
    port = m.http.bind_to_any_port(m.host);
    if (port < 0) return Status::IOError("cannot listen on " + m.options.listen);
  } else if (!m.http.bind_to_port(m.host, port)) {
    return Status::IOError("cannot listen on " + m.options.listen +
                           " (in use, or not an address of this machine)");
  }
  if (m.listen_fd >= 0) ::listen(m.listen_fd, 1024);
  m.port = port;
  m.base = m.options.public_url;
  if (m.base.empty())
    m.base = "http://" + (m.host.find(':') != std::string::npos ? "[" + m.host + "]" : m.host) +
             ":" + std::to_string(port);
  while (!m.base.empty() && m.base.back() == '/') m.base.pop_back();
  return port;
}

void Server::Run() {
  Impl& m = *impl_;
  m.writer = std::thread([&m] { m.WriterLoop(); });
  if (!m.stopped) m.http.listen_after_bind();  // a stop before listening: done
  {
    std::lock_guard<std::mutex> lock(m.tasks_mu);
    m.stopping = true;
  }
  m.tasks_cv.notify_all();
  if (m.writer.joinable()) m.writer.join();
}

void Server::Stop() {
  Impl& m = *impl_;
  if (m.stopped.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(m.tasks_mu);
    m.stopping = true;
  }
  m.tasks_cv.notify_all();
  m.http.stop();
}

int RunServer(const EngineOptions& engine, const ServerOptions& options) {
  // SIGINT and SIGTERM are taken by one thread (sigwait), never by a handler
  // interrupting the others.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  auto server = Server::Create(engine, options);
  if (!server.ok()) {
    spdlog::error("{}", server.status().message());
    return server.status().code() == Status::Code::kInvalidArgument ? 2 : 1;
  }
  auto port = (*server)->Bind();
  if (!port.ok()) {
    spdlog::error("{}", port.status().message());
    return 1;
  }
  Server* s = server->get();
  std::thread([set, s] {
    int sig = 0;
    sigwait(&set, &sig);
    spdlog::info("serve: {} received, finishing requests and the running task",
                 sig == SIGINT ? "SIGINT" : "SIGTERM");
    s->Stop();
  }).detach();
  std::string host = options.listen.substr(0, options.listen.rfind(':'));
  spdlog::info("serving {} on http://{}:{}/ (writes {})", RedactedStore(engine.db_path), host,
               *port,
               options.api_key.empty() ? "disabled: no api_key" : "enabled with the API key");
  (*server)->Run();
  spdlog::info("serve: stopped");
  return 0;
}

}  // namespace storyline
