// Tests only: a throwaway NATS JetStream server on loopback (nats-server -js
// with its store in a temporary directory), started by the test that needs
// it and stopped (SIGKILL, then the directory removed) when the object goes.
// Restart() stops it and starts it again on the same port and store: a NATS
// restart mid-run.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

namespace storyline::testing {

class NatsServer {
 public:
  // Empty `why` and a running server, or `why` says why there is none.
  explicit NatsServer(std::string* why) {
    bin_ = "/usr/bin/nats-server";
    if (!std::filesystem::exists(bin_)) bin_ = "/usr/sbin/nats-server";
    if (!std::filesystem::exists(bin_)) {
      *why = "nats-server is not installed (scripts/install-deps test installs it)";
      return;
    }
    char tmpl[] = "/tmp/storyline-nats-XXXXXX";
    if (!mkdtemp(tmpl)) {
      *why = "cannot make a temporary directory";
      return;
    }
    dir_ = tmpl;
    port_ = FreePort();
    if (!Start()) *why = "nats-server did not start (see " + dir_ + "/server.log)";
  }
  ~NatsServer() {
    Stop();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  std::string Url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  bool running() const { return pid_ > 0; }
  // `graceful`: SIGTERM (a restart), else SIGKILL.
  void Stop(bool graceful = false) {
    if (pid_ <= 0) return;
    kill(pid_, graceful ? SIGTERM : SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  bool Restart() {
    Stop(true);
    return Start();
  }

 private:
  static int FreePort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a = {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    int port = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
      port = ntohs(a.sin_port);
    close(fd);
    return port;
  }
  bool Accepting() const {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a = {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port_));
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(fd);
    return ok;
  }
  bool Start() {
    pid_ = fork();
    if (pid_ == 0) {
      std::string log = dir_ + "/server.log", store = dir_ + "/js", port = std::to_string(port_);
      execl(bin_.c_str(), "nats-server", "-js", "-a", "127.0.0.1", "-p", port.c_str(), "-sd",
            store.c_str(), "-l", log.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    if (pid_ < 0) return false;
    // Ready when it accepts connections (bounded: 20 s).
    for (int i = 0; i < 400; ++i) {
      if (Accepting()) return true;
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  std::string bin_, dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace storyline::testing
