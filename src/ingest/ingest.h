// Ingest: turns files on disk into Article structs. Public header of the stage.
//
// Formats (this stage): a plain-text article file, a directory of them
// (recursive, in name order), and JSON Lines. Bad input never aborts a batch:
// each rejected item becomes a Reject with a reason code and a message, and
// the good items of the same file are kept.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace storyline {

// One article as it arrived, before cleaning. Text may hold invalid UTF-8
// until the clean stage has run, except where noted in `repairs`.
struct Article {
  std::string id;  // JSONL "id", or the file name without extension (Utf8Name)
  std::string title;
  std::string text;                  // body, without the title
  std::optional<int64_t> published;  // Unix seconds UTC, if known
  std::string source;                // outlet or feed name, may be empty
  std::string url;
  std::string lang_hint;             // language declared by metadata, may be empty
  std::string origin;                // where it came from: "path" or "path:line" (Utf8Name)
  std::vector<std::string> repairs;  // what was repaired on the way in
};

// An input item that could not become an article.
struct Reject {
  std::string origin;   // "path" or "path:line", valid UTF-8 (Utf8Name)
  std::string reason;   // a stable code: "empty", "binary", "malformed_json", ...
  std::string message;  // a sentence for people
};

struct IngestBatch {
  std::vector<Article> articles;
  std::vector<Reject> rejects;
  // Streaming (optional): after each file or fetched document, once
  // `articles` holds at least `flush_at` articles, `flush` is called to take
  // them (and the rejects) away, so that a large directory is never held in
  // memory whole. A single file is bounded by IngestOptions::max_file_bytes.
  std::function<void(IngestBatch*)> flush;
  size_t flush_at = 0;
};

struct IngestOptions {
  // Files larger than this are rejected ("too_large"). Default 64 MiB.
  uint64_t max_file_bytes = 64ull << 20;
  // Article text longer than this is truncated (and the repair recorded).
  // Default 1 MiB.
  size_t max_article_bytes = 1u << 20;
};

class Fetcher;

// Reads a file, a directory (recursively, in name order) or an http(s) URL
// into `out`. What a document is comes from its content, then its name:
// a feed (RSS, Atom, JSON Feed), an OPML list (every feed in it is read), an
// HTML page (main text extracted), JSON Lines (.jsonl / .ndjson), or else a
// plain-text article. Bytes in any encoding are decoded once (charset.h).
// Hidden files, README files and .md files in directories are skipped. URLs
// need `fetcher` (else they are rejected). Returns a non-OK Status only when
// the path itself cannot be read (missing, unreadable); per-item problems go
// to out->rejects. Never throws.
//
// Directories: symbolic links to directories are followed, but never into a
// directory already read in this call: a link to a directory that contains it
// (dir/loop -> dir) is a Reject "symlink_loop", as is a chain of links that
// never ends (a -> b -> a); a second name for a directory read elsewhere is
// skipped. An entry that cannot be read is a Reject "unreadable" with the
// system's message (a dangling link included); the other files are read.
//
// OPML lists: a list that names itself, or a list that encloses it (a -> b ->
// a), is a Reject "opml_cycle"; a list nested more than three deep (a list in
// a list in a list in a list) "opml_depth"; a list already read in this call
// (named twice) "opml_repeat". The other outlines of the list are still read.
//
// Names: ids and origins taken from a path or URL are always valid UTF-8 (see
// Utf8Name); an article whose name had to be escaped gets the repair
// "file_name: not valid UTF-8, ...".
Status ReadPath(const std::string& path, const IngestOptions& options, IngestBatch* out,
                Fetcher* fetcher = nullptr);

// A path or URL as valid UTF-8, for ids, origins and messages: each byte
// that is not part of a well-formed UTF-8 sequence becomes "%XX" (two
// uppercase hex digits); everything else, '%' included, is kept as it is. So
// a valid name is unchanged, and the same bytes always give the same string
// ("caf\xE9.txt" -> "caf%E9.txt"). Two names can only meet if one already
// spells the other's escapes ("caf%E9.txt" itself). `*escaped` (if given)
// receives the number of bytes escaped.
std::string Utf8Name(std::string_view path, int* escaped = nullptr);

// Where an OPML outline's feed is: relative addresses resolve against the
// list (a URL, or the list file's folder). A remote list may only name
// http(s) feeds: "" for anything else, so that a served list cannot make
// Storyline read local files.
std::string ResolveOutline(const std::string& list, const std::string& xml_url);

// Turns one document's bytes into articles by content (see ReadPath).
// `name` is the file path or URL (origin, ids, relative links); `stem` the
// id of a single-article document; `http_charset` from Content-Type if any.
// Both are passed through Utf8Name for ids and origins. `depth` is the number
// of OPML lists around this document (see ReadPath for the limits).
void ParseDocument(std::string_view bytes, const std::string& name, const std::string& stem,
                   std::string_view http_charset, const IngestOptions& options, IngestBatch* out,
                   Fetcher* fetcher = nullptr, int depth = 0);

// Parses one plain-text article. The first non-empty line is the title; a
// leading "date YYYY-MM[-DD]" token on it is metadata, not text (the rest of
// that line, if any, is the title). Rejects empty and binary content.
Result<Article> ParseTextArticle(std::string_view bytes, std::string_view id,
                                 std::string_view origin, const IngestOptions& options);

// Parses JSON Lines: one object per line with "text" (or "title"), optional
// "id", "published", "source", "url", "lang". A malformed line becomes a
// Reject and does not stop the others. Lines without an id get
// "<file stem>-<line>".
void ParseJsonLines(std::string_view bytes, std::string_view file_stem, std::string_view origin,
                    const IngestOptions& options, IngestBatch* out);

// True if `bytes` look like binary data rather than text (NUL bytes, or many
// control characters).
bool LooksBinary(std::string_view bytes);

}  // namespace storyline
