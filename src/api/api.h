// API: the views that every front end shows. Public header of the stage.
//
// Each view reads the store (never the clustering state or the language
// model) and returns plain JSON: the CLI prints it (`--json`) or a text
// rendering of it, the server sends it (`/api/...`) and renders its HTML
// pages from it, so the terminal and the web page show the same thing.
// Field names are documented in docs/api.md.
//
// Thread safety: a view uses the store it is given, which is used by one
// thread at a time (see store.h); give each thread its own reader.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/store.h"

namespace storyline::api {

using Json = nlohmann::json;

struct StoriesQuery {
  std::string lang;                     // only stories with an article in this language
  std::string entity;                   // a name (Putin) or an entity key
  std::string source;                   // a domain or source name
  std::optional<int64_t> since, until;  // Unix seconds
  int64_t min_size = 1;
  int64_t limit = 50;           // -1: all
  std::string sort = "recent";  // "top", "recent", "sources" or "size" (see StoryFilter)
  std::string cursor;           // next_cursor of the previous page
  std::string reader_lang;      // prefer headlines in this language
};

// {"stories": [story summaries], "next_cursor": string or null}
Result<Json> Stories(ArticleStore& store, const StoriesQuery& q);

// One story: its summary (headline, bullets with citations), articles (with
// why each joined and its copy links), articles grouped by language,
// entities, quotes, figures, sources and timeline. NotFound if unknown (a
// merged story's old id resolves to the story it joined).
// `with_text` false: the articles' texts are left out (the web page shows
// titles; a story of hundreds of articles is megabytes of text).
Result<Json> Story(ArticleStore& store, const std::string& id, const std::string& reader_lang = "",
                   bool with_text = true);

// One article: text, metadata, story, copy links, its own entities, quotes
// and figures. NotFound if unknown.
Result<Json> Article(ArticleStore& store, const std::string& id);

struct SearchQuery {
  std::string q;
  std::string lang;
  int64_t limit = 20;
  int64_t offset = 0;
};
// {"query", "results": [{article, title, title_html, snippet, snippet_html,
// language, source, published, story}], "next_offset": int or null}.
// `*_html` are escaped with the matches in <mark>.
Result<Json> Search(ArticleStore& store, const SearchQuery& q);

// [{name, type, key, stories, count}], in the most stories first.
Result<Json> Entities(ArticleStore& store, int64_t limit);
// {"name", "keys", "stories": [story summaries]}; NotFound if no entity has
// that name or key.
Result<Json> Entity(ArticleStore& store, const std::string& name, int64_t limit);

// The takedown audit log, newest first.
Result<Json> Takedowns(ArticleStore& store, int64_t limit);
Json TakedownJson(const TakedownRecord& r, const std::vector<std::string>& stories = {});

// {"articles", "stories"}: what the store holds.
Result<Json> Counts(ArticleStore& store);

// A story summary as listed (also used inside other views).
Json StorySummary(const StoryRow& r, const std::string& reader_lang);

// ISO 8601 (UTC) or null.
Json Time(const std::optional<int64_t>& t);

// Text for HTML: & < > " ' escaped (invalid UTF-8 replaced).
std::string EscapeHtml(std::string_view s);
// Search-marked text (kMatchBegin/kMatchEnd around matches): escaped, the
// matches in <mark>; or plain, the marks dropped.
std::string MarkedHtml(std::string_view s);
std::string MarkedPlain(std::string_view s);

}  // namespace storyline::api
