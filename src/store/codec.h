// Internal to the store stage (not its public header): how both backends
// encode columns, and what they compute alike from stored rows.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace storyline::store_codec {

// JSON from the store: {"lang": n, ...} without throwing on a damaged value.
template <typename Int>
std::map<std::string, Int> ParseLangs(const std::string& text) {
  std::map<std::string, Int> out;
  auto langs = nlohmann::json::parse(text, nullptr, false);
  if (langs.is_object())
    for (auto& [k, v] : langs.items())
      if (v.is_number_integer()) out[k] = static_cast<Int>(v.template get<int64_t>());
  return out;
}
inline std::vector<std::string> ParseStrings(const std::string& text) {
  std::vector<std::string> out;
  auto a = nlohmann::json::parse(text, nullptr, false);
  if (a.is_array())
    for (const auto& v : a)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}
inline std::string EncodeSketch(const std::vector<uint64_t>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(uint64_t));
}
inline std::vector<uint64_t> DecodeSketch(const std::string& b) {
  std::vector<uint64_t> v(b.size() / sizeof(uint64_t));
  if (!v.empty()) std::memcpy(v.data(), b.data(), v.size() * sizeof(uint64_t));
  return v;
}
inline std::string Lower(std::string v) {
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v;
}
// A URL's host and each domain above it: news.example.com, example.com, com.
inline std::vector<std::string> HostDomains(const std::string& url) {
  std::vector<std::string> out;
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return out;
  size_t start = scheme + 3;
  size_t end = url.find_first_of("/:?#", start);
  std::string host = Lower(url.substr(start, end == std::string::npos ? end : end - start));
  if (auto at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
  while (!host.empty()) {
    out.push_back(host);
    size_t dot = host.find('.');
    if (dot == std::string::npos) break;
    host = host.substr(dot + 1);
  }
  return out;
}

// A story's row recomputed from the articles it still has (RecountStory).
struct StoryTally {
  int64_t size = 0, entries = 0;
  std::string langs;  // JSON
  std::optional<int64_t> first, last;
  std::string title;
};
inline StoryTally Tally(const std::vector<StoredArticle>& arts) {
  StoryTally t;
  std::map<std::string, int64_t> langs;
  for (const auto& a : arts) {
    bool entry = a.article.id.find('#') != std::string::npos;
    (entry ? t.entries : t.size) += 1;
    ++langs[a.lang];
    if (auto p = a.article.published) {
      t.first = t.first ? std::min(*t.first, *p) : *p;
      t.last = t.last ? std::max(*t.last, *p) : *p;
    }
    if (t.title.empty() && !entry) t.title = a.article.title;  // the earliest article's
  }
  if (t.title.empty() && !arts.empty()) t.title = arts.front().article.title;
  nlohmann::json jl = nlohmann::json::object();
  for (const auto& [l, n] : langs) jl[l] = n;
  t.langs = jl.dump();
  return t;
}

}  // namespace storyline::store_codec
