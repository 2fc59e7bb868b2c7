// Tests only: a throwaway PostgreSQL server for the tests of the PostgreSQL
// store and of the distributed roles. One per test process, started on first
// use in a temporary directory (Unix socket only, no TCP port, fsync off),
// stopped and removed at exit. As root (CI) it runs as the `postgres` user,
// since PostgreSQL refuses to run as root.
//
// STORYLINE_TEST_POSTGRES=<libpq URL of a server>: use that server instead
// (each test makes a database of its own there).
#pragma once

#include <pwd.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

namespace storyline::testing {

class PostgresServer {
 public:
  // The running server, or nullptr with `why` saying why there is none.
  static PostgresServer* Get(std::string* why) {
    static std::once_flag once;
    static PostgresServer* server = nullptr;
    static std::string reason;
    std::call_once(once, [] {
      auto* s = new PostgresServer();
      if (s->Start(&reason)) {
        server = s;
        std::atexit([] { server->Stop(); });
      } else {
        delete s;
      }
    });
    if (why) *why = reason;
    return server;
  }

  // A new, empty database; its libpq URL.
  std::string NewDatabase() {
    static std::atomic<int> n{0};
    std::string name = "t" + std::to_string(getpid()) + "_" + std::to_string(++n);
    Psql("CREATE DATABASE " + name);
    return Url(name);
  }
  std::string Url(const std::string& db) const {
    if (!external_.empty()) {
      // The external server's URL with its database replaced.
      std::string base = external_;
      size_t q = base.find('?');
      std::string query = q == std::string::npos ? "" : base.substr(q);
      base = base.substr(0, q);
      size_t slash = base.find('/', base.find("://") + 3);
      if (slash != std::string::npos) base = base.substr(0, slash);
      return base + "/" + db + query;
    }
    return "postgresql:///" + db + "?host=" + dir_ + "&port=5432&user=storyline";
  }
  const std::string& dir() const { return dir_; }
  // Runs SQL on the maintenance database ("postgres"); true on success.
  bool Psql(const std::string& sql) {
    std::string cmd =
        "psql -q -v ON_ERROR_STOP=1 '" + Url("postgres") + "' -c \"" + sql + "\" >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
  }
  // Stops and starts the server (a restart mid-run); true if it came back.
  bool Restart() {
    return Run(Bin("pg_ctl") + " -D " + dir_ + "/data -m fast -w restart >/dev/null");
  }

 private:
  static std::string Bin(const std::string& name) {
    for (const char* v : {"16", "15"}) {
      std::string p = std::string("/usr/lib/postgresql/") + v + "/bin/" + name;
      if (std::filesystem::exists(p)) return p;
    }
    return "";
  }
  // A command as the server's user.
  bool Run(const std::string& cmd) {
    std::string full = as_ + cmd + (as_.empty() ? "" : "'") + " 2>>" + dir_ + "/setup.log";
    return std::system(full.c_str()) == 0;
  }

  bool Start(std::string* why) {
    if (const char* e = std::getenv("STORYLINE_TEST_POSTGRES"); e && *e) {
      external_ = e;
      return true;
    }
    if (Bin("initdb").empty()) {
      *why = "PostgreSQL is not installed (scripts/install-deps test installs it)";
      return false;
    }
    char tmpl[] = "/tmp/storyline-pg-XXXXXX";
    if (!mkdtemp(tmpl)) {
      *why = "cannot make a temporary directory";
      return false;
    }
    dir_ = tmpl;
    if (geteuid() == 0) {
      passwd* pw = getpwnam("postgres");
      if (!pw) {
        *why = "running as root and there is no 'postgres' user to run PostgreSQL as";
        return false;
      }
      if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        *why = "cannot give " + dir_ + " to the postgres user";
        return false;
      }
      as_ = "runuser -u postgres -- sh -c '";
    }
    std::string data = dir_ + "/data";
    if (!Run(Bin("initdb") + " -D " + data +
             " -U storyline -A trust -E UTF8 --locale=C --no-sync >/dev/null") ||
        !Run(Bin("pg_ctl") + " -D " + data + " -l " + dir_ + "/server.log -w -o \"-k " + dir_ +
             " -c listen_addresses= -p 5432 -c fsync=off -c synchronous_commit=off "
             "-c full_page_writes=off -c max_connections=60\" start >/dev/null")) {
      *why = "could not start PostgreSQL (see " + dir_ + "/setup.log and server.log)";
      return false;
    }
    return true;
  }

  void Stop() {
    if (!external_.empty() || dir_.empty()) return;
    Run(Bin("pg_ctl") + " -D " + dir_ + "/data -m immediate -w stop >/dev/null");
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string dir_, as_, external_;
};

}  // namespace storyline::testing
