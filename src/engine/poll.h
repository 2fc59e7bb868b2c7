// Polling feeds: conditional GET of every feed in an OPML list, new items
// through the pipeline, per-feed state (ETag, Last-Modified, failures) kept
// in the store so a restarted poller stays polite.
#pragma once

#include <string>
#include <vector>

#include "engine/engine.h"
#include "ingest/fetch.h"

namespace storyline {

struct PollRound {
  int feeds = 0;
  int not_modified = 0;  // 304
  int fetched = 0;       // 200 and parsed
  int failed = 0;        // network, timeout, too large, HTTP errors (each a reject with a reason)
  IngestSummary ingest;
};

class Poller {
 public:
  // Items go through `engine`, feed states are committed with them. Both
  // must outlive the poller.
  Poller(Engine& engine, Fetcher& fetcher);
  // Items go to `sink` (the distributed mode: published to the queue); feed
  // states are read from `store` and written there after the sink took the
  // round's items (never before: a poller killed in between fetches the same
  // items again, and publishing them again is a no-op).
  using Sink = std::function<Result<IngestSummary>(std::vector<Article>, std::vector<Reject>)>;
  Poller(ArticleStore& store, Fetcher& fetcher, const IngestOptions& ingest,
         std::shared_ptr<const Clock> clock, Sink sink);

  // Feed URLs listed in an OPML file (local path or URL).
  Result<std::vector<std::string>> FeedsFromOpml(const std::string& opml);

  // One round over `feeds`: a failing feed is recorded and skipped; the
  // others go on. Returns a Status only when the store fails.
  Result<PollRound> PollOnce(const std::vector<std::string>& feeds);

 private:
  ArticleStore& store_;
  Fetcher& fetcher_;
  IngestOptions ingest_options_;
  std::function<int64_t()> now_;
  // The round's items and the feeds' new states to their destination.
  std::function<Result<IngestSummary>(std::vector<Article>, std::vector<Reject>,
                                      const std::vector<FeedState>&)>
      ingest_;
};

// "10m", "30s", "2h", "90" (seconds). -1 if malformed.
int64_t ParseDurationSeconds(std::string_view s);

}  // namespace storyline
