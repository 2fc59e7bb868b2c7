#include "ingest/ingest.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/text.h"

namespace storyline {

namespace fs = std::filesystem;

namespace {

Status ReadFileBytes(const fs::path& p, uint64_t max_bytes, std::string* out, bool* too_large) {
  std::error_code ec;
  auto size = fs::file_size(p, ec);
  if (ec) return Status::IOError(p.string() + ": " + ec.message());
  *too_large = size > max_bytes;
  if (*too_large) return Status::Ok();
  std::ifstream in(p, std::ios::binary);
  if (!in) return Status::IOError(p.string() + ": cannot open");
  out->resize(size);
  in.read(out->data(), static_cast<std::streamsize>(size));
  out->resize(static_cast<size_t>(in.gcount()));
  return Status::Ok();
}

bool IsJsonLinesName(const fs::path& p) {
  auto ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
  return ext == ".jsonl" || ext == ".ndjson";
}

bool SkipInDirectory(const fs::path& p) {
  auto name = p.filename().string();
  if (name.empty() || name[0] == '.') return true;
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  return lower.rfind("readme", 0) == 0 || p.extension() == ".json" || p.extension() == ".md";
}

// Takes a leading "date YYYY-MM[-DD]" token off `line`; sets `published`.
std::string_view TakeDateToken(std::string_view line, std::optional<int64_t>* published) {
  std::string_view t = TrimAscii(line);
  if (t.substr(0, 5) != "date ") return line;
  std::string_view rest = TrimAscii(t.substr(5));
  size_t end = rest.find_first_of(" \t");
  std::string_view token = rest.substr(0, end);
  auto when = ParseIsoDate(token);
  if (!when) return line;
  *published = when;
  return end == std::string_view::npos ? std::string_view() : TrimAscii(rest.substr(end));
}

void Truncate(Article* a, size_t max_bytes) {
  if (a->text.size() <= max_bytes) return;
  size_t cut = max_bytes;
  // Do not cut inside a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(a->text[cut]) & 0xC0) == 0x80) --cut;
  a->repairs.push_back("truncated: text longer than " + std::to_string(max_bytes) + " bytes");
  a->text.resize(cut);
}

std::string JsonString(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return {};
}

}  // namespace

bool LooksBinary(std::string_view bytes) {
  size_t control = 0;
  size_t n = std::min<size_t>(bytes.size(), 8192);
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = bytes[i];
    if (c == 0) return true;
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') ++control;
  }
  return n > 0 && control * 20 > n;  // more than 5% control characters
}

Result<Article> ParseTextArticle(std::string_view bytes, std::string_view id,
                                 std::string_view origin, const IngestOptions& options) {
  if (TrimAscii(bytes).empty()) return Status::InvalidArgument("empty: the file has no text");
  if (LooksBinary(bytes)) return Status::Unsupported("binary: the file is not text");
  Article a;
  a.id = std::string(id);
  a.origin = std::string(origin);
  // Strip a UTF-8 byte-order mark.
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  auto lines = SplitLines(bytes);
  size_t i = 0;
  while (i < lines.size() && TrimAscii(lines[i]).empty()) ++i;
  std::string_view first = TakeDateToken(lines[i], &a.published);
  if (TrimAscii(first).empty()) {
    // The date token stood alone: the title is the next non-empty line.
    ++i;
    while (i < lines.size() && TrimAscii(lines[i]).empty()) ++i;
    first = i < lines.size() ? lines[i] : std::string_view();
  }
  a.title = std::string(TrimAscii(first));
  std::string body;
  for (size_t k = i + 1; k < lines.size(); ++k) {
    body.append(lines[k]);
    body.push_back('\n');
  }
  a.text = std::string(TrimAscii(body));
  if (a.title.empty() && a.text.empty())
    return Status::InvalidArgument("empty: the file has no text");
  Truncate(&a, options.max_article_bytes);
  return a;
}

void ParseJsonLines(std::string_view bytes, std::string_view file_stem, std::string_view origin,
                    const IngestOptions& options, IngestBatch* out) {
  auto lines = SplitLines(bytes);
  for (size_t n = 0; n < lines.size(); ++n) {
    std::string_view line = TrimAscii(lines[n]);
    if (line.empty()) continue;
    std::string where = std::string(origin) + ":" + std::to_string(n + 1);
    int replaced = 0;
    std::string valid = RepairUtf8(line, &replaced);
    nlohmann::json obj = nlohmann::json::parse(valid, nullptr, /*allow_exceptions=*/false);
    if (obj.is_discarded() || !obj.is_object()) {
      out->rejects.push_back(
          {where, "malformed_json", "line " + std::to_string(n + 1) + " is not a JSON object"});
      continue;
    }
    Article a;
    a.origin = where;
    a.id = JsonString(obj, "id");
    if (a.id.empty()) a.id = std::string(file_stem) + "-" + std::to_string(n + 1);
    a.title = JsonString(obj, "title");
    a.text = JsonString(obj, "text");
    if (a.text.empty()) a.text = JsonString(obj, "body");
    a.source = JsonString(obj, "source");
    a.url = JsonString(obj, "url");
    a.lang_hint = JsonString(obj, "lang");
    std::string published = JsonString(obj, "published");
    if (!published.empty()) {
      a.published = ParseIsoDate(published);
      if (!a.published)
        a.repairs.push_back("bad_date: ignored unparseable published '" + published + "'");
    }
    if (TrimAscii(a.title).empty() && TrimAscii(a.text).empty()) {
      out->rejects.push_back({where, "empty", "article '" + a.id + "' has neither title nor text"});
      continue;
    }
    if (replaced > 0)
      a.repairs.push_back("invalid_utf8: replaced " + std::to_string(replaced) + " bytes");
    Truncate(&a, options.max_article_bytes);
    out->articles.push_back(std::move(a));
  }
}

Status ReadPath(const std::string& path, const IngestOptions& options, IngestBatch* out) {
  fs::path p(path);
  std::error_code ec;
  auto st = fs::status(p, ec);
  if (ec || !fs::exists(st)) return Status::NotFound(path + ": no such file or directory");
  std::vector<fs::path> files;
  if (fs::is_directory(st)) {
    for (auto it = fs::recursive_directory_iterator(p, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file() && !SkipInDirectory(it->path())) files.push_back(it->path());
    }
    if (ec) return Status::IOError(path + ": " + ec.message());
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(p);
  }
  for (const auto& f : files) {
    std::string bytes;
    bool too_large = false;
    Status s = ReadFileBytes(f, options.max_file_bytes, &bytes, &too_large);
    if (!s.ok()) {
      out->rejects.push_back({f.string(), "unreadable", s.message()});
      continue;
    }
    if (too_large) {
      out->rejects.push_back(
          {f.string(), "too_large",
           "file is larger than " + std::to_string(options.max_file_bytes) + " bytes"});
      continue;
    }
    if (IsJsonLinesName(f)) {
      ParseJsonLines(bytes, f.stem().string(), f.string(), options, out);
      continue;
    }
    auto article = ParseTextArticle(bytes, f.stem().string(), f.string(), options);
    if (!article.ok()) {
      const std::string& m = article.status().message();
      std::string reason = m.substr(0, m.find(':'));
      out->rejects.push_back({f.string(), reason, m});
      continue;
    }
    out->articles.push_back(std::move(article).value());
  }
  return Status::Ok();
}

}  // namespace storyline
