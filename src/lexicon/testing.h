// Test helpers: tiny dictd dictionaries written on the fly (tests only).
#pragma once

#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace storyline::lexicon_testing {

inline std::string EncodeDictdNumber(uint64_t v) {
  static const char* kDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string s;
  do {
    s.insert(s.begin(), kDigits[v % 64]);
    v /= 64;
  } while (v > 0);
  return s;
}

class Dir {
 public:
  Dir() {
    char tmpl[] = "/tmp/storyline_lexicon_XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~Dir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Writes <dir>/<name>.index and <name>.dict.dz (gzip, as dictzip is) with
// the metadata entry dictd tools write and the given (headword, body) entries.
inline bool WriteDictd(const std::string& dir, const std::string& name,
                       const std::string& description,
                       const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string dict, index;
  auto add = [&](const std::string& head, const std::string& body) {
    index +=
        head + "\t" + EncodeDictdNumber(dict.size()) + "\t" + EncodeDictdNumber(body.size()) + "\n";
    dict += body;
  };
  add("00-database-short", "00-database-short\n" + description + "\n");
  for (const auto& [h, b] : entries) add(h, b);
  std::ofstream(dir + "/" + name + ".index") << index;
  gzFile gz = gzopen((dir + "/" + name + ".dict.dz").c_str(), "wb");
  if (!gz) return false;
  bool ok =
      gzwrite(gz, dict.data(), static_cast<unsigned>(dict.size())) == static_cast<int>(dict.size());
  return gzclose(gz) == Z_OK && ok;
}

}  // namespace storyline::lexicon_testing
