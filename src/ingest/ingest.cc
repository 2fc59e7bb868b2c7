#include "ingest/ingest.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>

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
  if (ec) return Status::IOError(Utf8Name(p.string()) + ": " + ec.message());
  *too_large = size > max_bytes;
  if (*too_large) return Status::Ok();
  std::ifstream in(p, std::ios::binary);
  if (!in) return Status::IOError(Utf8Name(p.string()) + ": cannot open");
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
  // Each get<> is guarded by its type check, so none can throw.
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_unsigned()) return std::to_string(it->get<uint64_t>());
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

// Lists within lists within a list: the outermost list is at depth 0, a list
// deeper than this is rejected ("opml_depth").
constexpr int kMaxOpmlNesting = 2;

// What one ReadPath (or ParseDocument) call carries down through OPML lists
// and the files and directories they name.
struct ReadContext {
  int depth = 0;                     // OPML lists enclosing the current document
  std::vector<std::string> chain;    // ListKey of each list being read, outermost first
  std::set<std::string> lists_read;  // ListKey of every list read in this call
};

// Every Reject's origin and message are valid UTF-8 (see Utf8Name).
void AddReject(IngestBatch* out, std::string_view origin, std::string reason,
               std::string_view message) {
  out->rejects.push_back({Utf8Name(origin), std::move(reason), Utf8Name(message)});
}

// Who a list is, whatever it was called: a URL as is, a local file by its
// canonical path (symbolic links, "." and ".." resolved).
std::string ListKey(const std::string& name) {
  if (IsHttpUrl(name)) return name;
  std::error_code ec;
  fs::path canonical = fs::canonical(name, ec);
  if (!ec) return canonical.string();
  fs::path absolute = fs::absolute(name, ec);
  return (ec ? fs::path(name) : absolute).lexically_normal().string();
}

bool OnChain(const ReadContext& ctx, const std::string& key) {
  return std::find(ctx.chain.begin(), ctx.chain.end(), key) != ctx.chain.end();
}

// "a.opml -> b.opml -> a.opml": the lists on the chain from `key` on, then `key`.
std::string DescribeCycle(const ReadContext& ctx, const std::string& key) {
  auto it = std::find(ctx.chain.begin(), ctx.chain.end(), key);
  std::string cycle;
  for (; it != ctx.chain.end(); ++it) cycle += Utf8Name(*it) + " -> ";
  return cycle + Utf8Name(key);
}

Status ReadPathImpl(const std::string& path, const IngestOptions& options, IngestBatch* out,
                    Fetcher* fetcher, ReadContext* ctx);
void ParseDocumentImpl(std::string_view bytes, const std::string& raw_name,
                       const std::string& raw_stem, std::string_view http_charset,
                       const IngestOptions& options, IngestBatch* out, Fetcher* fetcher,
                       ReadContext* ctx);

}  // namespace

std::string Utf8Name(std::string_view raw, int* escaped) {
  if (escaped) *escaped = 0;
  if (IsValidUtf8(raw)) return std::string(raw);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(raw.size() + 8);
  int n = 0;
  for (size_t i = 0; i < raw.size();) {
    // A well-formed sequence is 1-4 bytes and never the prefix of another.
    size_t len = 0;
    for (size_t k = 1; k <= 4 && i + k <= raw.size(); ++k) {
      if (IsValidUtf8(raw.substr(i, k))) {
        len = k;
        break;
      }
    }
    if (len > 0) {
      out.append(raw.substr(i, len));
      i += len;
    } else {
      auto c = static_cast<unsigned char>(raw[i]);
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
      ++n;
      ++i;
    }
  }
  if (escaped) *escaped = n;
  return out;
}

std::string ResolveOutline(const std::string& list, const std::string& xml_url) {
  if (IsHttpUrl(list)) {
    std::string resolved = ResolveUrl(list, xml_url);
    return IsHttpUrl(resolved) ? resolved : std::string();  // never a local file from a remote list
  }
  if (IsHttpUrl(xml_url) || xml_url.empty() || fs::path(xml_url).is_absolute()) return xml_url;
  return (fs::path(list).parent_path() / xml_url).lexically_normal().string();
}

namespace {

// Reads one feed (or list, file, directory) that an OPML list names.
void ReadOutline(const std::string& list, const OpmlOutline& listed, const IngestOptions& options,
                 IngestBatch* out, Fetcher* fetcher, ReadContext* ctx) {
  std::string where = ResolveOutline(list, listed.xml_url);
  if (where.empty()) {
    AddReject(out, listed.xml_url, "local_path_from_remote",
              "a remote OPML list may only name http(s) feeds, not '" + listed.xml_url + "'");
    return;
  }
  // A list naming itself, or a list that encloses it: not read again.
  std::string key = ListKey(where);
  if (OnChain(*ctx, key)) {
    AddReject(out, where, "opml_cycle",
              "OPML lists name each other in a cycle (" + DescribeCycle(*ctx, key) +
                  "); the list was not read again");
    return;
  }
  ++ctx->depth;
  if (IsHttpUrl(where)) {
    if (!fetcher) {
      AddReject(out, where, "no_network", "URLs need the network (fetcher not available)");
    } else if (auto r = fetcher->Get({where, "", ""}); !r.ok()) {
      const std::string& m = r.status().message();
      AddReject(out, where, m.substr(0, m.find(':')), m);
    } else {
      ParseDocumentImpl(r->body, r->final_url.empty() ? where : r->final_url, "", r->charset,
                        options, out, fetcher, ctx);
    }
  } else {
    Status s = ReadPathImpl(where, options, out, fetcher, ctx);
    if (!s.ok())
      AddReject(out, where, s.code() == Status::Code::kNotFound ? "not_found" : "unreadable",
                s.message());
  }
  --ctx->depth;
}

// Reads the feeds an OPML list names (files or URLs), unless the list is
// already being read further up (a cycle), is nested too deep, or was read
// before in this call.
void ReadOpml(std::string_view bytes, const std::string& raw_name, const IngestOptions& options,
              IngestBatch* out, Fetcher* fetcher, ReadContext* ctx) {
  std::string key = ListKey(raw_name);
  if (OnChain(*ctx, key)) {  // reached by another name (a redirect, a directory)
    AddReject(out, raw_name, "opml_cycle",
              "OPML lists name each other in a cycle (" + DescribeCycle(*ctx, key) +
                  "); the list was not read again");
    return;
  }
  if (ctx->depth > kMaxOpmlNesting) {
    AddReject(out, raw_name, "opml_depth",
              "OPML lists nested deeper than " + std::to_string(kMaxOpmlNesting + 1) +
                  " levels; the list was not read");
    return;
  }
  if (!ctx->lists_read.insert(key).second) {
    AddReject(out, raw_name, "opml_repeat",
              "the OPML list was already read in this run (listed twice); its feeds are not "
              "read again");
    return;
  }
  auto outlines = ParseOpml(bytes);
  if (!outlines.ok()) {
    AddReject(out, raw_name, "malformed_opml", outlines.status().message());
    return;
  }
  ctx->chain.push_back(key);
  for (const auto& listed : *outlines) ReadOutline(raw_name, listed, options, out, fetcher, ctx);
  ctx->chain.pop_back();
}

// A document that is not an OPML list: `name` and `stem` are valid UTF-8.
void ParseLeafDocument(std::string_view bytes, const std::string& name, const std::string& stem,
                       const std::string& ext, std::string_view http_charset,
                       const IngestOptions& options, IngestBatch* out) {
  if (ext == ".jsonl" || ext == ".ndjson") {
    ParseJsonLines(bytes, stem.empty() ? name : stem, name, options, out);
    return;
  }
  if (TrimAscii(bytes).empty()) {
    out->rejects.push_back({name, "empty", "empty: the document has no text"});
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

void ParseDocumentImpl(std::string_view bytes, const std::string& raw_name,
                       const std::string& raw_stem, std::string_view http_charset,
                       const IngestOptions& options, IngestBatch* out, Fetcher* fetcher,
                       ReadContext* ctx) {
  int escaped = 0, stem_escaped = 0;
  const std::string name = Utf8Name(raw_name, &escaped);
  const std::string stem = Utf8Name(raw_stem, &stem_escaped);
  std::string ext = Lower(fs::path(name.substr(0, name.find('?'))).extension().string());
  bool jsonl = ext == ".jsonl" || ext == ".ndjson";
  if (!jsonl && !TrimAscii(bytes).empty() && (LooksLikeOpml(bytes) || ext == ".opml")) {
    ReadOpml(bytes, raw_name, options, out, fetcher, ctx);
    return;
  }
  size_t first = out->articles.size();
  ParseLeafDocument(bytes, name, stem, ext, http_charset, options, out);
  if (escaped > 0 || stem_escaped > 0) {
    std::string note = "file_name: not valid UTF-8, " +
                       std::to_string(std::max(escaped, stem_escaped)) +
                       " bytes escaped as %XX in the origin and in ids taken from the name";
    for (size_t i = first; i < out->articles.size(); ++i) out->articles[i].repairs.push_back(note);
  }
}

// True if `dir` is `ancestor` or lies inside it (both canonical).
bool IsWithin(const fs::path& dir, const fs::path& ancestor) {
  auto d = dir.begin();
  for (auto a = ancestor.begin(); a != ancestor.end(); ++a, ++d) {
    if (d == dir.end() || *d != *a) return false;
  }
  return true;
}

void RejectEntry(const fs::path& p, const std::error_code& ec, IngestBatch* out) {
  if (ec == std::errc::too_many_symbolic_link_levels) {
    AddReject(out, p.string(), "symlink_loop",
              p.string() + ": symbolic links point to each other in a loop (" + ec.message() + ")");
  } else {
    AddReject(out, p.string(), "unreadable", p.string() + ": " + ec.message());
  }
}

// Collects the regular files under `root`, recursively. Symbolic links to
// directories are followed, but never into a directory already read: a link
// to a directory that contains it is a Reject ("symlink_loop"), a second name
// for a directory read elsewhere is skipped. Real directories are walked
// before linked ones, so files are read under their own names when they can
// be. Never throws; an entry that cannot be read is a Reject and the walk goes
// on. Non-OK only when `root` itself cannot be listed.
Status WalkDirectory(const fs::path& root, std::vector<fs::path>* files, IngestBatch* out) {
  std::error_code ec;
  fs::path root_canonical = fs::canonical(root, ec);
  if (ec) return Status::IOError(Utf8Name(root.string()) + ": " + ec.message());
  struct Dir {
    fs::path path, canonical;
  };
  std::set<fs::path> visited = {root_canonical};
  std::vector<Dir> pending = {{root, root_canonical}};
  std::vector<Dir> links;  // a link to a directory, and the canonical directory holding it
  size_t next_link = 0;
  bool at_root = true;
  while (!pending.empty() || next_link < links.size()) {
    if (pending.empty()) {
      Dir link = links[next_link++];
      fs::path target = fs::canonical(link.path, ec);
      if (ec) {
        RejectEntry(link.path, ec, out);
      } else if (visited.count(target) == 0) {
        visited.insert(target);
        pending.push_back({link.path, target});
      } else if (IsWithin(link.canonical, target)) {
        AddReject(out, link.path.string(), "symlink_loop",
                  link.path.string() + ": a symbolic link to " + target.string() +
                      ", a directory that contains it; not followed");
      }  // else: a directory read under another name; skipped.
      continue;
    }
    Dir dir = std::move(pending.back());
    pending.pop_back();
    fs::directory_iterator it(dir.path, ec);
    if (ec) {
      if (at_root) return Status::IOError(Utf8Name(dir.path.string()) + ": " + ec.message());
      RejectEntry(dir.path, ec, out);
      continue;
    }
    at_root = false;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      const fs::path& p = it->path();
      std::error_code entry_ec;
      fs::file_status own = it->symlink_status(entry_ec);
      if (entry_ec) {
        RejectEntry(p, entry_ec, out);
        continue;
      }
      bool link = fs::is_symlink(own);
      fs::file_status st = link ? it->status(entry_ec) : own;
      bool dangling = link && st.type() == fs::file_type::not_found;
      if (dangling) entry_ec.clear();
      if (!entry_ec && fs::is_directory(st)) {
        if (link) {
          links.push_back({p, dir.canonical});
        } else {
          fs::path canonical = dir.canonical / p.filename();
          if (visited.insert(canonical).second) pending.push_back({p, canonical});
        }
        continue;
      }
      if (SkipInDirectory(p)) continue;
      if (entry_ec) {
        RejectEntry(p, entry_ec, out);
      } else if (fs::is_regular_file(st)) {
        files->push_back(p);
      } else if (dangling) {
        AddReject(out, p.string(), "unreadable",
                  p.string() + ": a symbolic link to a file that does not exist");
      }  // else: a device, socket or pipe; not an article.
    }
    if (ec) RejectEntry(dir.path, ec, out);
  }
  return Status::Ok();
}

void MaybeFlush(IngestBatch* out) {
  if (out->flush && out->articles.size() >= std::max<size_t>(1, out->flush_at)) out->flush(out);
}

Status ReadPathImpl(const std::string& path, const IngestOptions& options, IngestBatch* out,
                    Fetcher* fetcher, ReadContext* ctx) {
  if (IsHttpUrl(path)) {
    if (!fetcher) return Status::Unsupported(Utf8Name(path) + ": URLs need the network");
    auto r = fetcher->Get({path, "", ""});
    if (!r.ok()) {
      const std::string& m = r.status().message();
      AddReject(out, path, m.substr(0, m.find(':')), m);
      return Status::Ok();
    }
    std::string url = r->final_url.empty() ? path : StripTrackingParameters(r->final_url);
    ParseDocumentImpl(r->body, url, "", r->charset, options, out, fetcher, ctx);
    MaybeFlush(out);
    return Status::Ok();
  }

  fs::path p(path);
  std::error_code ec;
  auto st = fs::status(p, ec);
  if (ec == std::errc::too_many_symbolic_link_levels) {
    RejectEntry(p, ec, out);
    return Status::Ok();
  }
  if (st.type() == fs::file_type::not_found)
    return Status::NotFound(Utf8Name(path) + ": no such file or directory");
  if (ec) return Status::IOError(Utf8Name(path) + ": " + ec.message());
  std::vector<fs::path> files;
  if (fs::is_directory(st)) {
    Status s = WalkDirectory(p, &files, out);
    if (!s.ok()) return s;
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(p);
  }
  for (const auto& f : files) {
    std::string bytes;
    bool too_large = false;
    Status s = ReadFileBytes(f, options.max_file_bytes, &bytes, &too_large);
    if (!s.ok()) {
      AddReject(out, f.string(), "unreadable", s.message());
      continue;
    }
    if (too_large) {
      AddReject(out, f.string(), "too_large",
                "file is larger than " + std::to_string(options.max_file_bytes) + " bytes");
      continue;
    }
    ParseDocumentImpl(bytes, f.string(), f.stem().string(), {}, options, out, fetcher, ctx);
    MaybeFlush(out);
  }
  return Status::Ok();
}

}  // namespace

void ParseDocument(std::string_view bytes, const std::string& name, const std::string& stem,
                   std::string_view http_charset, const IngestOptions& options, IngestBatch* out,
                   Fetcher* fetcher, int depth) {
  ReadContext ctx;
  ctx.depth = depth;
  ParseDocumentImpl(bytes, name, stem, http_charset, options, out, fetcher, &ctx);
}

Status ReadPath(const std::string& path, const IngestOptions& options, IngestBatch* out,
                Fetcher* fetcher) {
  ReadContext ctx;
  return ReadPathImpl(path, options, out, fetcher, &ctx);
}

}  // namespace storyline
