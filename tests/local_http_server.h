// A small HTTP/1.1 server for tests, listening on 127.0.0.1 only (an
// ephemeral port). Nothing else is ever contacted.
//
// Deliberately minimal (one request per connection, "Connection: close"),
// which gives tests byte-level control: exact validators, hand-made gzip,
// bodies without Content-Length and bodies that stall mid-transfer.
//
//   testing::LocalServer server;
//   server.Handle("/feed.xml", [](const testing::HttpRequest& req, testing::Connection& c) {
//     c.Write(testing::Response(200, {{"Content-Type", "application/rss+xml"}}, body));
//   });
//   ASSERT_TRUE(server.Start());
//   fetcher->Get({server.Url("/feed.xml"), "", ""});
//
// Handlers are registered before Start() and run on the server's threads.
// Header-only (everything inline): include it from any test file.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace storyline::testing {

struct HttpRequest {
  std::string method;
  std::string path;                            // without the query
  std::map<std::string, std::string> headers;  // lower-case names
  std::chrono::steady_clock::time_point arrived;

  bool Has(const std::string& name) const { return headers.count(name) > 0; }
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class Connection {
 public:
  Connection(int fd, const std::atomic<bool>* stopping) : fd_(fd), stopping_(stopping) {}

  bool Write(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Waits until the client hangs up, the server stops or `limit` passes.
  void WaitForHangUp(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline && !stopping_->load()) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0) {
        char c;
        ssize_t n = ::recv(fd_, &c, 1, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) return;
      }
    }
  }

 private:
  int fd_;
  const std::atomic<bool>* stopping_;
};

using Handler = std::function<void(const HttpRequest&, Connection&)>;
using Headers = std::vector<std::pair<std::string, std::string>>;

inline std::string Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 410:
      return "Gone";
    case 429:
      return "Too Many Requests";
    case 503:
      return "Service Unavailable";
    default:
      return "Whatever";
  }
}

// Status line and headers, with Content-Length unless `length` is negative (then
// the body is delimited by closing the connection).
inline std::string Head(int status, const Headers& headers, long long length) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + Reason(status) + "\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  if (length >= 0) out += "Content-Length: " + std::to_string(length) + "\r\n";
  out += "Connection: close\r\n\r\n";
  return out;
}

inline std::string Response(int status, const Headers& headers, const std::string& body) {
  return Head(status, headers, static_cast<long long>(body.size())) + body;
}

class LocalServer {
 public:
  ~LocalServer() { Stop(); }

  void Handle(const std::string& path, Handler handler) { handlers_[path] = std::move(handler); }

  bool Start() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) return false;
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // 127.0.0.1 only
    addr.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return false;
    if (::listen(listen_fd_, 64) != 0) return false;
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
    return true;
  }

  void Stop() {
    if (stopping_.exchange(true)) return;
    if (accept_thread_.joinable()) accept_thread_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
    std::vector<std::thread> workers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      workers.swap(workers_);
    }
    for (auto& t : workers) t.join();
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  std::vector<HttpRequest> Requests(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<HttpRequest> out;
    for (const auto& r : requests_) {
      if (r.path == path) out.push_back(r);
    }
    return out;
  }

  int Hits(const std::string& path) { return static_cast<int>(Requests(path).size()); }

 private:
  void AcceptLoop() {
    while (!stopping_.load()) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::lock_guard<std::mutex> lock(mu_);
      workers_.emplace_back([this, fd] {
        Serve(fd);
        ::close(fd);
      });
    }
  }

  void Serve(int fd) {
    std::string buf;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(3000);
    while (buf.find("\r\n\r\n") == std::string::npos) {
      if (stopping_.load() || std::chrono::steady_clock::now() > deadline || buf.size() > 65536)
        return;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      char chunk[4096];
      ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
      if (n <= 0) return;
      buf.append(chunk, static_cast<size_t>(n));
    }
    HttpRequest req;
    req.arrived = std::chrono::steady_clock::now();
    std::string_view head(buf.data(), buf.find("\r\n\r\n"));
    size_t eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    size_t sp1 = line.find(' ');
    size_t sp2 = line.find(' ', sp1 + 1);
    if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) return;
    req.method = std::string(line.substr(0, sp1));
    std::string target(line.substr(sp1 + 1, sp2 - sp1 - 1));
    req.path = target.substr(0, target.find('?'));
    while (eol != std::string_view::npos) {
      head.remove_prefix(eol + 2);
      eol = head.find("\r\n");
      std::string_view h = head.substr(0, eol);
      size_t colon = h.find(':');
      if (colon == std::string_view::npos) continue;
      std::string name(h.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string_view value = h.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      req.headers.emplace(name, std::string(value));
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(req);
    }
    Connection conn(fd, &stopping_);
    auto it = handlers_.find(req.path);
    if (it == handlers_.end()) {
      conn.Write(Response(404, {{"Content-Type", "text/plain"}}, "no route"));
    } else {
      it->second(req, conn);
    }
    ::shutdown(fd, SHUT_WR);
  }

  std::map<std::string, Handler> handlers_;  // set before Start
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
  std::vector<HttpRequest> requests_;
};

// Gzip (RFC 1952) of `in`, for Content-Encoding: gzip responses; "" on failure.
inline std::string Gzip(const std::string& in) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END ? out : std::string();
}

}  // namespace storyline::testing
