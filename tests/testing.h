// Helpers shared by the end-to-end tests.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "engine/engine.h"

namespace storyline::testing {

inline std::string SourceDir() { return STORYLINE_SOURCE_DIR; }

// ../shared beside the repository, if present.
inline std::string SharedDir() {
  auto p = std::filesystem::path(SourceDir()).parent_path() / "shared";
  return std::filesystem::exists(p) ? p.string() : std::string();
}

// An engine on `db` for tests: no fsync, otherwise `options` as given.
inline std::unique_ptr<Engine> OpenTestEngine(const std::string& db, EngineOptions options = {}) {
  options.db_path = db;
  options.store.synchronous = "OFF";
  auto e = Engine::Open(options);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? std::move(e).value() : nullptr;
}

struct CliRun {
  int code = -1;
  std::string out;  // standard output
};

// Runs the storyline binary with `args` (a shell command line); `env`
// ("NAME=value ") is prefixed; standard error goes to `err_file` if given.
inline CliRun RunStoryline(const std::string& args, const std::string& env = "",
                           const std::string& err_file = "/dev/null") {
  std::string cmd = env + std::string(STORYLINE_BINARY) + " " + args + " 2>" + err_file;
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/storyline_test_XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const {
    return (std::filesystem::path(path_) / name).string();
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace storyline::testing
