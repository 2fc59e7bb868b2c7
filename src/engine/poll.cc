#include "engine/poll.h"

#include <fstream>
#include <sstream>

#include "ingest/feed.h"

namespace storyline {

int64_t ParseDurationSeconds(std::string_view s) {
  if (s.empty()) return -1;
  int64_t mult = 1;
  char unit = s.back();
  if (unit == 's' || unit == 'm' || unit == 'h') {
    mult = unit == 's' ? 1 : unit == 'm' ? 60 : 3600;
    s.remove_suffix(1);
  }
  if (s.empty() || s.size() > 9) return -1;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v * mult;
}

Poller::Poller(Engine& engine, Fetcher& fetcher)
    : store_(engine.store()),
      fetcher_(fetcher),
      ingest_options_(engine.options().ingest),
      now_([&engine] { return engine.Now(); }),
      ingest_([&engine](std::vector<Article> a, std::vector<Reject> r,
                        const std::vector<FeedState>& states) {
        return engine.Ingest(std::move(a), std::move(r), {}, states);
      }) {}

Poller::Poller(ArticleStore& store, Fetcher& fetcher, const IngestOptions& ingest,
               std::shared_ptr<const Clock> clock, Sink sink)
    : store_(store),
      fetcher_(fetcher),
      ingest_options_(ingest),
      now_([clock = clock ? clock : DefaultClock()] { return clock->Now(); }),
      ingest_([&store, sink = std::move(sink)](
                  std::vector<Article> a, std::vector<Reject> r,
                  const std::vector<FeedState>& states) -> Result<IngestSummary> {
        auto sum = sink(std::move(a), std::move(r));
        if (!sum.ok()) return sum.status();
        Status s = store.Begin();
        for (size_t i = 0; s.ok() && i < states.size(); ++i) s = store.PutFeedState(states[i]);
        if (s.ok()) s = store.Commit();
        if (!s.ok()) {
          (void)store.Rollback();  // the error to report is s
          return s;
        }
        return sum;
      }) {}

Result<std::vector<std::string>> Poller::FeedsFromOpml(const std::string& opml) {
  std::string bytes;
  if (IsHttpUrl(opml)) {
    auto r = fetcher_.Get({opml, "", ""});
    if (!r.ok()) return r.status();
    bytes = std::move(r->body);
  } else {
    std::ifstream in(opml, std::ios::binary);
    if (!in) return Status::NotFound("cannot read OPML file '" + opml + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    bytes = ss.str();
  }
  auto outlines = ParseOpml(bytes);
  if (!outlines.ok()) return outlines.status();
  std::vector<std::string> feeds;
  for (const auto& o : *outlines) {
    std::string url = ResolveOutline(opml, o.xml_url);
    if (!url.empty()) feeds.push_back(url);
  }
  return feeds;
}

Result<PollRound> Poller::PollOnce(const std::vector<std::string>& feeds) {
  PollRound round;
  IngestBatch batch;
  ArticleStore& store = store_;
  const int64_t now = now_();
  std::vector<FeedState> states;
  for (const auto& url : feeds) {
    ++round.feeds;
    auto state = store.GetFeedState(url);
    if (!state.ok()) return state.status();
    FeedState fs;
    if (state->has_value()) fs = **state;
    fs.url = url;
    auto r = fetcher_.Get({url, fs.etag, fs.last_modified});
    fs.last_checked = now;
    if (!r.ok()) {
      const std::string& m = r.status().message();
      ++round.failed;
      ++fs.failures;
      fs.last_error = m;
      batch.rejects.push_back({url, m.substr(0, m.find(':')), m});
    } else if (r->status == 304) {
      ++round.not_modified;
      fs.failures = 0;
      fs.last_error.clear();
      fs.last_status = 304;
    } else {
      ++round.fetched;
      fs.failures = 0;
      fs.last_error.clear();
      fs.last_status = r->status;
      fs.etag = r->etag;
      fs.last_modified = r->last_modified;
      ParseDocument(r->body, url, "", r->charset, ingest_options_, &batch, &fetcher_);
    }
    states.push_back(std::move(fs));
  }
  // The feeds' new states are committed with their items, never before: a
  // round killed half-way fetches the same items again next time.
  auto sum = ingest_(std::move(batch.articles), std::move(batch.rejects), states);
  if (!sum.ok()) return sum.status();
  round.ingest = std::move(sum).value();
  return round;
}

}  // namespace storyline
