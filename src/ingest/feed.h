// Feeds: RSS 0.9x/1.0/2.0, Atom 1.0, JSON Feed 1.0/1.1, and OPML lists.
//
// Parsing is strict about safety and lenient about form: libxml2 runs with
// no network, no DTD loading, no external entities and no entity expansion
// beyond the predefined ones (billion-laughs documents are refused); a
// malformed item is skipped with a reason while the others are kept.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "ingest/ingest.h"

namespace storyline {

struct FeedItem {
  std::string id;     // guid / atom:id / JSON Feed id; else the link
  std::string title;  // plain text (markup and entities resolved)
  // Plain text of content:encoded / content / description / summary (HTML
  // stripped; paragraphs separated by blank lines).
  std::string text;
  std::string url;  // the item's link, absolute
  // pubDate / published / updated / dc:date / date_published, Unix seconds.
  std::optional<int64_t> published;
  std::string author;
  // Item or feed language (xml:lang, <language>, JSON Feed "language"), lower
  // case; may be empty.
  std::string lang;
};

struct Feed {
  std::string format;  // "rss", "rdf", "atom", "jsonfeed"
  std::string title;
  std::string url;  // the feed's home page link
  std::string lang;
  std::vector<FeedItem> items;
  std::vector<std::string> problems;  // skipped items and other repairs, one sentence each
};

struct FeedLimits {
  size_t max_items = 10000;
  size_t max_text_bytes = 1u << 20;  // per item
};

// Parses a feed from UTF-8 (or XML that declares its own encoding) bytes.
// `base_url` resolves relative links. Unsupported / malformed documents give
// InvalidArgument with a message saying what was wrong.
// The message starts with a reason code: "too_large:" (more than 32 MiB),
// "empty:", "entities:" (the DTD declares entities), "malformed_xml:",
// "malformed_json:", "not_a_feed:". A recoverable XML error does not fail the
// feed: when the document is malformed every item is parsed on its own, and
// Feed::problems says what was repaired or skipped (each problem also starts
// with a code: "malformed_xml:", "malformed_item:", "empty_item:",
// "bad_date:", "truncated:", "invalid_encoding:", "no_items:").
Result<Feed> ParseFeed(std::string_view bytes, std::string_view base_url = {},
                       const FeedLimits& limits = {});

// ParseFeed for bytes fetched over HTTP: `http_charset` is the charset
// parameter of the Content-Type (FetchResponse::charset), which DecodeToUtf8
// weighs as described in charset.h. ParseFeed(b, u, l) is
// ParseFeedWithCharset(b, "", u, l).
Result<Feed> ParseFeedWithCharset(std::string_view bytes, std::string_view http_charset,
                                  std::string_view base_url = {}, const FeedLimits& limits = {});

// True if the bytes look like a feed (RSS/RDF/Atom root, or a JSON Feed version).
bool LooksLikeFeed(std::string_view bytes);

// Converts feed items to Articles (id, title, text, url, published, lang hint,
// source = feed title). Items with neither title nor text become Rejects
// (reason "empty"). Article::origin (and Reject::origin) is "<origin>:<n>",
// n being the item's 1-based position in feed.items.
void FeedToArticles(const Feed& feed, std::string_view origin, IngestBatch* out);

struct OpmlOutline {
  std::string title;
  std::string xml_url;  // the feed address
  std::string html_url;
};
// All outlines with an xmlUrl, nested folders flattened, in document order.
// Same XML safety rules and error codes as ParseFeed, plus "not_opml:".
Result<std::vector<OpmlOutline>> ParseOpml(std::string_view bytes);

// RFC 822 / RFC 1123 dates as found in RSS ("Tue, 15 Feb 2022 10:20:30 GMT",
// "+0100", named US zones) and ISO 8601; nullopt if unparseable. Any year
// the date can spell is returned (four digits: 0000-9999; two digits:
// 1950-2049; three digits: 1900 + n, as RFC 2822's obsolete years); whether
// it is plausible is the engine's decision. The day must exist in its month.
std::optional<int64_t> ParseFeedDate(std::string_view s);

}  // namespace storyline
