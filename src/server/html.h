// Internal to the server: HTML pages and Atom feeds rendered from the views
// of src/api (the same JSON the API returns). Every string that comes from
// an article is escaped here; nothing else builds markup.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace storyline::html {

using Json = nlohmann::json;

// Percent-encodes a path segment or query value.
std::string UrlEncode(std::string_view s);

// A whole page: the header (home, search box, entities, reader language),
// `body` inside <main>, the footer.
std::string Layout(const std::string& title, const std::string& body,
                   const std::string& reader_lang, const std::string& query = "");

std::string Front(const Json& stories, const std::string& reader_lang, bool more,
                  const std::string& next_cursor);
std::string Story(const Json& story, const std::string& reader_lang);
std::string Article(const Json& article);
std::string Search(const Json& results, const std::string& q, const std::string& reader_lang);
std::string Entities(const Json& entities);
std::string Entity(const Json& entity, const std::string& reader_lang);
std::string Error(int code, const std::string& message);

// An Atom 1.0 feed of story summaries. `base`: absolute URL of the site,
// without a trailing slash; `self`: the feed's own URL path and query.
std::string Atom(const Json& stories, const std::string& base, const std::string& self,
                 const std::string& lang, const std::string& updated);

// The style sheet served at /static/style.css.
extern const char kStyle[];

}  // namespace storyline::html
