// Helpers shared by the end-to-end tests.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace storyline::testing {

inline std::string SourceDir() { return STORYLINE_SOURCE_DIR; }

// ../shared beside the repository, if present.
inline std::string SharedDir() {
  auto p = std::filesystem::path(SourceDir()).parent_path() / "shared";
  return std::filesystem::exists(p) ? p.string() : std::string();
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
