#include "ingest/ingest.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/text.h"
#include "ingest/charset.h"
#include "ingest/feed.h"
#include "ingest/fetch.h"
#include "ingest/html.h"

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

bool SkipInDirectory(const fs::path& p) {
  auto name = p.filename().string();
  if (name.empty() || name[0] == '.') return true;
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  return lower.rfind("readme", 0) == 0 || p.extension() == ".md";
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

namespace {

bool LooksLikeOpml(std::string_view bytes) {
  return bytes.substr(0, 2048).find("<opml") != std::string_view::npos;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

}  // namespace

std::string ResolveOutline(const std::string& list, const std::string& xml_url) {
  if (IsHttpUrl(list)) {
    std::string resolved = ResolveUrl(list, xml_url);
    return IsHttpUrl(resolved) ? resolved : std::string();  // never a local file from a remote list
  }
  if (IsHttpUrl(xml_url) || xml_url.empty() || fs::path(xml_url).is_absolute()) return xml_url;
  return (fs::path(list).parent_path() / xml_url).lexically_normal().string();
}

namespace {

// Reads the feeds an OPML list names (files or URLs).
void ReadOpml(std::string_view bytes, const std::string& name, const IngestOptions& options,
              IngestBatch* out, Fetcher* fetcher, int depth) {
  auto outlines = ParseOpml(bytes);
  if (!outlines.ok()) {
    out->rejects.push_back({name, "malformed_opml", outlines.status().message()});
    return;
  }
  for (const auto& listed : *outlines) {
    OpmlOutline o = listed;
    o.xml_url = ResolveOutline(name, o.xml_url);
    if (o.xml_url.empty()) {
      out->rejects.push_back(
          {listed.xml_url, "local_path_from_remote",
           "a remote OPML list may only name http(s) feeds, not '" + listed.xml_url + "'"});
      continue;
    }
    if (IsHttpUrl(o.xml_url)) {
      if (!fetcher) {
        out->rejects.push_back(
            {o.xml_url, "no_network", "URLs need the network (fetcher not available)"});
        continue;
      }
      auto r = fetcher->Get({o.xml_url, "", ""});
      if (!r.ok()) {
        const std::string& m = r.status().message();
        out->rejects.push_back({o.xml_url, m.substr(0, m.find(':')), m});
        continue;
      }
      ParseDocument(r->body, r->final_url.empty() ? o.xml_url : r->final_url, "", r->charset,
                    options, out, fetcher, depth + 1);
    } else {
      Status s = ReadPath(o.xml_url, options, out, fetcher);
      if (!s.ok()) out->rejects.push_back({o.xml_url, "not_found", s.message()});
    }
  }
}

}  // namespace

void ParseDocument(std::string_view bytes, const std::string& name, const std::string& stem,
                   std::string_view http_charset, const IngestOptions& options, IngestBatch* out,
                   Fetcher* fetcher, int depth) {
  std::string ext = Lower(fs::path(name.substr(0, name.find('?'))).extension().string());
  if (ext == ".jsonl" || ext == ".ndjson") {
    ParseJsonLines(bytes, stem.empty() ? name : stem, name, options, out);
    return;
  }
  if (TrimAscii(bytes).empty()) {
    out->rejects.push_back({name, "empty", "empty: the document has no text"});
    return;
  }
  if (LooksLikeOpml(bytes) || ext == ".opml") {
    if (depth > 2) {
      out->rejects.push_back({name, "opml_depth", "OPML lists nested too deep"});
      return;
    }
    ReadOpml(bytes, name, options, out, fetcher, depth);
    return;
  }
  if (LooksLikeFeed(bytes)) {
    auto feed = ParseFeedWithCharset(bytes, http_charset, IsHttpUrl(name) ? name : std::string());
    if (!feed.ok()) {
      const std::string& m = feed.status().message();
      out->rejects.push_back({name, "malformed_feed", m});
      return;
    }
    FeedToArticles(*feed, name, out);
    for (const auto& p : feed->problems) out->rejects.push_back({name, "feed_item", p});
    return;
  }
  if (LooksBinary(bytes) && !(bytes.size() >= 2 && ((bytes[0] == '\xFF' && bytes[1] == '\xFE') ||
                                                    (bytes[0] == '\xFE' && bytes[1] == '\xFF')))) {
    out->rejects.push_back({name, "binary", "binary: the file is not text"});
    return;
  }
  DecodedText decoded = DecodeToUtf8(bytes, http_charset);
  std::string charset_note;
  if (decoded.charset != "utf-8" || decoded.replaced > 0)
    charset_note =
        "charset: decoded from " + decoded.charset + " (" + decoded.evidence + ")" +
        (decoded.replaced ? ", " + std::to_string(decoded.replaced) + " bytes replaced" : "");
  if (LooksLikeHtml(decoded.utf8) || ext == ".html" || ext == ".htm") {
    auto page = ExtractPage(decoded.utf8, IsHttpUrl(name) ? name : std::string());
    if (!page.ok()) {
      const std::string& m = page.status().message();
      out->rejects.push_back({name, "no_article_text", m});
      return;
    }
    Article a;
    a.origin = name;
    a.url = page->canonical_url;
    a.id = !stem.empty() ? stem : (!a.url.empty() ? a.url : name);
    a.title = page->title;
    a.text = page->text;
    a.published = page->published;
    a.source = page->site_name;
    a.lang_hint = page->lang;
    a.repairs = page->problems;
    if (!charset_note.empty()) a.repairs.push_back(charset_note);
    Truncate(&a, options.max_article_bytes);
    out->articles.push_back(std::move(a));
    return;
  }
  auto article = ParseTextArticle(decoded.utf8, stem.empty() ? name : stem, name, options);
  if (!article.ok()) {
    const std::string& m = article.status().message();
    out->rejects.push_back({name, m.substr(0, m.find(':')), m});
    return;
  }
  if (!charset_note.empty()) article->repairs.push_back(charset_note);
  out->articles.push_back(std::move(article).value());
}

Status ReadPath(const std::string& path, const IngestOptions& options, IngestBatch* out,
                Fetcher* fetcher) {
  if (IsHttpUrl(path)) {
    if (!fetcher) return Status::Unsupported(path + ": URLs need the network");
    auto r = fetcher->Get({path, "", ""});
    if (!r.ok()) {
      const std::string& m = r.status().message();
      out->rejects.push_back({path, m.substr(0, m.find(':')), m});
      return Status::Ok();
    }
    std::string url = r->final_url.empty() ? path : StripTrackingParameters(r->final_url);
    ParseDocument(r->body, url, "", r->charset, options, out, fetcher);
    return Status::Ok();
  }

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
    ParseDocument(bytes, f.string(), f.stem().string(), {}, options, out, fetcher);
  }
  return Status::Ok();
}

}  // namespace storyline
