#include "crash/feeds.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <thread>

#include "common/text.h"
#include "synth/synth.h"

namespace storyline::crash {

namespace {

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 16);
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// RFC 822 date, as RSS 2.0 wants it: "Mon, 01 Jan 2024 00:00:00 +0000".
std::string Rfc822(int64_t t) {
  static const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};  // 1970-01-01
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // FormatIsoDate gives "YYYY-MM-DDTHH:MM:SSZ" for the synthetic corpus' years.
  const std::string iso = FormatIsoDate(t);
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int month = std::atoi(iso.substr(5, 2).c_str());
  if (month < 1 || month > 12) month = 1;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s, %s %s %s %s +0000", kDays[((days % 7) + 7) % 7],
                iso.substr(8, 2).c_str(), kMonths[month - 1], iso.substr(0, 4).c_str(),
                iso.substr(11, 8).c_str());
  return buf;
}

// Paragraphs (lines) of `text` as HTML.
std::string Html(std::string_view text) {
  std::string html;
  for (std::string_view line : SplitLines(text)) {
    line = TrimAscii(line);
    if (line.empty()) continue;
    html += "<p>" + Escape(line) + "</p>";
  }
  return html;
}

}  // namespace

bool FeedServer::Start(const FeedCorpus& corpus, std::string* error) {
  if (corpus.feeds < 1 || corpus.items < 1) {
    *error = "need at least one feed and one item";
    return false;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    feeds_.assign(static_cast<size_t>(corpus.feeds), FeedSpec{});
    counters_.assign(feeds_.size(), FeedCounters{});
  }
  for (size_t k = 0; k < static_cast<size_t>(corpus.feeds); ++k) {
    server_.Handle(
        "/feed-" + std::to_string(k + 1) + ".xml",
        [this, k](const testing::HttpRequest& req, testing::Connection& c) { Serve(k, req, c); });
  }
  if (!server_.Start()) {
    *error = "cannot start the loopback HTTP server on 127.0.0.1";
    return false;
  }

  synth::SynthOptions so;
  so.articles = corpus.items;
  so.seed = corpus.seed;
  so.mean_bytes = corpus.mean_bytes;
  so.id_prefix = "item";
  synth::CorpusGenerator gen(so);
  std::vector<std::string> item_xml(feeds_.size());
  std::vector<std::vector<std::string>> ids(feeds_.size());
  std::vector<synth::SynthArticle> chunk;
  int64_t n = 0;
  for (;;) {
    chunk.clear();
    if (gen.Next(256, &chunk) == 0) break;
    for (const auto& sa : chunk) {
      const size_t k = static_cast<size_t>(n++ % corpus.feeds);
      const Article& a = sa.article;
      std::string& x = item_xml[k];
      x += "  <item>\n    <title>" + Escape(a.title) + "</title>\n";
      x += "    <link>" + Escape(server_.Url("/item/" + a.id)) + "</link>\n";
      x += "    <guid isPermaLink=\"false\">" + Escape(a.id) + "</guid>\n";
      if (a.published) x += "    <pubDate>" + Rfc822(*a.published) + "</pubDate>\n";
      x += "    <description>" + Escape(Html(a.text)) + "</description>\n  </item>\n";
      ids[k].push_back(a.id);
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t k = 0; k < feeds_.size(); ++k) {
    FeedSpec& f = feeds_[k];
    f.path = "/feed-" + std::to_string(k + 1) + ".xml";
    f.title = "Crash Test Feed " + std::to_string(k + 1);
    char etag[64];
    std::snprintf(etag, sizeof(etag), "\"crash-%" PRIu64 "-%zu-%zu\"", corpus.seed, k + 1,
                  ids[k].size());
    f.etag = etag;
    f.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\">\n<channel>\n";
    f.body += "  <title>" + f.title + "</title>\n  <link>" + server_.Url("/") + "</link>\n";
    f.body += "  <description>Synthetic items for storyline_crash</description>\n";
    f.body += item_xml[k];
    f.body += "</channel>\n</rss>\n";
    f.ids = std::move(ids[k]);
  }
  return true;
}

std::vector<FeedCounters> FeedServer::Counters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counters_;
}

void FeedServer::Serve(size_t feed, const testing::HttpRequest& req, testing::Connection& c) {
  std::string etag, body;
  {
    std::lock_guard<std::mutex> lock(mu_);
    etag = feeds_[feed].etag;
    body = feeds_[feed].body;
  }
  if (req.Has("if-none-match") && req.Header("if-none-match") == etag) {
    c.Write(testing::Head(304, {{"ETag", etag}}, -1));
    std::lock_guard<std::mutex> lock(mu_);
    ++counters_[feed].not_modified;
    return;
  }
  bool ok = c.Write(testing::Head(200,
                                  {{"Content-Type", "application/rss+xml; charset=utf-8"},
                                   {"ETag", etag},
                                   {"Transfer-Encoding", "chunked"}},
                                  -1));
  constexpr size_t kPieces = 20;
  const size_t step = (body.size() + kPieces - 1) / kPieces;
  const auto pause = serve_time_ / static_cast<int>(kPieces);
  for (size_t off = 0; ok && off < body.size(); off += step) {
    const std::string_view piece = std::string_view(body).substr(off, step);
    char size[32];
    std::snprintf(size, sizeof(size), "%zx\r\n", piece.size());
    ok = c.Write(std::string(size) + std::string(piece) + "\r\n");
    if (ok && off + step < body.size()) std::this_thread::sleep_for(pause);
  }
  if (ok) ok = c.Write("0\r\n\r\n");
  std::lock_guard<std::mutex> lock(mu_);
  ++(ok ? counters_[feed].full : counters_[feed].cut);
}

std::string MakeOpml(const std::vector<std::pair<std::string, std::string>>& title_and_url) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n"
      "  <head><title>storyline_crash feeds</title></head>\n  <body>\n";
  for (const auto& [title, url] : title_and_url)
    out += "    <outline type=\"rss\" text=\"" + Escape(title) + "\" xmlUrl=\"" + Escape(url) +
           "\"/>\n";
  out += "  </body>\n</opml>\n";
  return out;
}

}  // namespace storyline::crash
