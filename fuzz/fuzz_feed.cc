// Fuzzes the feed and OPML parsers: ParseFeed (RSS, RDF, Atom, JSON Feed),
// ParseOpml, LooksLikeFeed, FeedToArticles and ParseFeedDate. Besides
// crashes and sanitizer reports, it aborts when an output breaks the
// contract: text that is not valid UTF-8, more items or text than the limits
// allow.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/text.h"
#include "ingest/feed.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace storyline;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  FeedLimits limits;
  limits.max_items = 50;
  limits.max_text_bytes = 2048;
  auto feed = ParseFeed(bytes, "https://example.com/news/feed.xml", limits);
  if (feed.ok()) {
    Check(feed->items.size() <= limits.max_items);
    Check(IsValidUtf8(feed->title) && IsValidUtf8(feed->url) && IsValidUtf8(feed->lang));
    for (const FeedItem& item : feed->items) {
      Check(item.text.size() <= limits.max_text_bytes);
      Check(IsValidUtf8(item.id) && IsValidUtf8(item.title) && IsValidUtf8(item.text));
      Check(IsValidUtf8(item.url) && IsValidUtf8(item.author) && IsValidUtf8(item.lang));
      Check(!item.id.empty());
    }
    IngestBatch batch;
    FeedToArticles(*feed, "fuzz.xml", &batch);
    Check(batch.articles.size() + batch.rejects.size() == feed->items.size());
  } else {
    Check(!feed.status().message().empty());
  }
  auto outlines = ParseOpml(bytes);
  if (outlines.ok()) {
    for (const OpmlOutline& o : *outlines) {
      Check(!o.xml_url.empty());
      Check(IsValidUtf8(o.title) && IsValidUtf8(o.xml_url) && IsValidUtf8(o.html_url));
    }
  }
  (void)LooksLikeFeed(bytes);
  (void)ParseFeedDate(bytes.substr(0, 160));
  return 0;
}
