#include "common/paths.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace storyline {

namespace {

bool IsDirectory(const std::string& p) {
  std::error_code ec;
  return !p.empty() && std::filesystem::is_directory(p, ec);
}

// <prefix>/share/storyline/<what> for an executable in <prefix>/bin.
std::string Installed(const char* what) {
  std::string exe = ExecutableDirectory();
  if (exe.empty()) return {};
  std::string p =
      (std::filesystem::path(exe).parent_path() / "share" / "storyline" / what).string();
  return IsDirectory(p) ? p : std::string();
}

}  // namespace

std::string ExecutableDirectory() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return {};
  return std::filesystem::path(std::string(buf, static_cast<size_t>(n))).parent_path().string();
}

std::string DataDirectory(const std::string& configured) {
  if (!configured.empty()) return configured;
  if (const char* env = std::getenv("STORYLINE_DATA"); env && *env) return env;
  if (std::string p = Installed("data"); !p.empty()) return p;
#ifdef STORYLINE_DATA_DIR
  if (IsDirectory(STORYLINE_DATA_DIR)) return STORYLINE_DATA_DIR;
#endif
  return "data";
}

std::string ModelDirectory() {
  if (const char* env = std::getenv("STORYLINE_MODEL_DIR"); env && *env) return env;
  if (std::string p = Installed("models"); !p.empty()) return p;
#ifdef STORYLINE_MODEL_DIR
  if (IsDirectory(STORYLINE_MODEL_DIR)) return STORYLINE_MODEL_DIR;
#endif
  return "models";
}

}  // namespace storyline
