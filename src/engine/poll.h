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
  // Both must outlive the poller.
  Poller(Engine& engine, Fetcher& fetcher) : engine_(engine), fetcher_(fetcher) {}

  // Feed URLs listed in an OPML file (local path or URL).
  Result<std::vector<std::string>> FeedsFromOpml(const std::string& opml);

  // One round over `feeds`: a failing feed is recorded and skipped; the
  // others go on. Returns a Status only when the store fails.
  Result<PollRound> PollOnce(const std::vector<std::string>& feeds);

 private:
  Engine& engine_;
  Fetcher& fetcher_;
};

// "10m", "30s", "2h", "90" (seconds). -1 if malformed.
int64_t ParseDurationSeconds(std::string_view s);

}  // namespace storyline
