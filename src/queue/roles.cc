// The distributed roles (queue.h): publisher, analysis worker, clusterer.
#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "ingest/fetch.h"
#include "queue/queue.h"

namespace storyline {

namespace {

void Sleep(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// Retries `fn` until it succeeds or a stop is requested, warning once per
// outage (a NATS or PostgreSQL restart is a pause, not a failure); an
// InvalidArgument is returned at once.
template <typename Fn>
auto Retrying(const std::string& what, Fn fn) -> decltype(fn()) {
  bool warned = false;
  for (;;) {
    auto r = fn();
    if (r.ok()) {
      if (warned) spdlog::info("{}: going on", what);
      return r;
    }
    // A usage error (a bad URL, a build without the client) does not pass.
    if (StopRequested() || r.status().code() == Status::Code::kInvalidArgument) return r;
    if (!warned) spdlog::warn("{}: {} (retrying)", what, r.status().message());
    warned = true;
    Sleep(250);
  }
}

Result<bool> AsResult(Status s) {
  if (!s.ok()) return s;
  return true;
}

// Analysed messages: 'A' + an analysed article, or 'R' + a raw reject.
constexpr char kAnalysedArticle = 'A';
constexpr char kAnalysedReject = 'R';

}  // namespace

Status PublishBatch(Queue& queue, std::vector<Article>* articles, std::vector<Reject>* rejects,
                    PublishSummary* sum) {
  auto publish = [&](const std::string& id, const std::string& data) {
    bool dup = false;
    auto r = Retrying("publishing", [&] { return AsResult(queue.PublishRaw(id, data, &dup)); });
    if (!r.ok()) return r.status();
    if (dup) ++sum->duplicates;
    return Status::Ok();
  };
  // Rejects first, then the articles in the order Ingest would take them.
  for (const auto& r : *rejects) {
    Status s = publish("reject@" + r.origin + "@" + r.reason, EncodeRawReject(r));
    if (!s.ok()) return s;
    ++sum->rejects;
  }
  const int64_t max_payload = queue.MaxPayload();
  const std::vector<size_t> order = IngestOrder(*articles);
  constexpr size_t kChunk = 256;  // as Engine::Ingest cuts its input
  for (size_t k = 0; k < order.size(); ++k) {
    const Article& a = (*articles)[order[k]];
    const bool chunk_end = k % kChunk == kChunk - 1 || k + 1 == order.size();
    std::string data = EncodeRawArticle(a, chunk_end);
    Status s;
    if (max_payload > 0 && static_cast<int64_t>(data.size()) > max_payload - 1024) {
      Reject r{a.origin, "too_large",
               "article '" + a.id + "' is " + std::to_string(data.size()) +
                   " bytes, more than the queue's largest message (" + std::to_string(max_payload) +
                   " bytes; nats-server max_payload)"};
      s = publish("reject@" + a.id, EncodeRawReject(r, chunk_end));
      ++sum->rejects;
    } else {
      s = publish(RawMessageId(a), data);
      ++sum->articles;
    }
    if (!s.ok()) return s;
  }
  articles->clear();
  rejects->clear();
  return Status::Ok();
}

Result<PublishSummary> PublishPaths(const std::vector<std::string>& paths,
                                    const EngineOptions& engine, const QueueOptions& queue) {
  auto q = Retrying("connecting to NATS", [&] { return Queue::Connect(queue); });
  if (!q.ok()) return q.status();
  PublishSummary sum;
  Status failed = Status::Ok();
  auto run = [&](IngestBatch* b) {
    if (failed.ok()) failed = PublishBatch(**q, &b->articles, &b->rejects, &sum);
  };
  std::unique_ptr<Fetcher> fetcher;
  IngestBatch batch;
  batch.flush = run;
  batch.flush_at = engine.read_chunk;
  for (const auto& p : paths) {
    if (!fetcher) fetcher = MakeCurlFetcher(engine.fetch);
    Status s = ReadPath(p, engine.ingest, &batch, fetcher.get());
    if (!s.ok())
      batch.rejects.push_back({Utf8Name(p),
                               s.code() == Status::Code::kNotFound ? "not_found" : "unreadable",
                               s.message()});
    if (!failed.ok()) return failed;
  }
  run(&batch);
  if (!failed.ok()) return failed;
  auto last = (*q)->LastRawSeq();
  if (last.ok()) sum.last_seq = *last;
  return sum;
}

Result<WorkerStats> RunWorker(const EngineOptions& engine, const QueueOptions& queue) {
  auto analyser = Analyser::Open(engine);
  if (!analyser.ok()) return analyser.status();
  auto q = Retrying("connecting to NATS", [&] { return Queue::Connect(queue); });
  if (!q.ok()) return q.status();
  WorkerStats stats;
  bool warned = false;
  while (!StopRequested()) {
    // A few at a time: each is marked in progress when its turn comes, but
    // the ack wait of the last one runs from the fetch.
    auto msgs = (*q)->FetchRaw(4, 500);
    if (!msgs.ok()) {
      if (!warned) spdlog::warn("worker: {} (retrying)", msgs.status().message());
      warned = true;
      Sleep(250);
      continue;
    }
    if (warned && !msgs->empty()) spdlog::info("worker: going on");
    warned = warned && msgs->empty();
    for (auto& m : *msgs) {
      if (StopRequested()) {
        (void)(*q)->Nak(&m);  // another worker takes it
        continue;
      }
      (*q)->InProgress(&m);
      std::string out;
      std::optional<Article> article;
      std::optional<Reject> reject;
      std::string why;
      std::string origin = "queue:raw#" + std::to_string(m.seq);
      bool chunk_end = true;  // unknown (unreadable): a boundary, never a wait
      if (m.delivered > static_cast<uint64_t>(queue.max_deliver)) {
        why = "delivered " + std::to_string(m.delivered) +
              " times without an ack (its workers crashed or hung on it)";
      } else if (!DecodeRaw(m.data, &article, &reject, &why, &chunk_end)) {
        why = "malformed raw message: " + why;
      }
      if (!why.empty()) {
        // Dead letter: kept with the reason, and recorded as a reject by the
        // clusterer (which must not wait for it).
        std::string ignored;
        if (DecodeRaw(m.data, &article, &reject, &ignored, &chunk_end) && article)
          origin = article->origin;
        Status s = (*q)->PublishDead(m.seq, why, m.data);
        if (s.ok())
          s = (*q)->PublishAnalysed(
              m.seq, kAnalysedReject + EncodeRawReject({origin, "dead_letter", why}, chunk_end));
        if (!s.ok()) {
          spdlog::warn("worker: {}", s.message());
          (void)(*q)->Nak(&m);
          continue;
        }
        ++stats.dead;
        spdlog::warn("worker: raw message {} dead-lettered: {}", m.seq, why);
      } else if (article) {
        if (m.delivered > 1) {
          ++stats.redelivered;
          spdlog::info("worker: raw message {} is a redelivery (delivery {})", m.seq, m.delivered);
        }
        origin = article->origin;
        AnalysedArticle a = analyser.value()->Analyse(std::move(*article));
        a.chunk_end = chunk_end;
        out = kAnalysedArticle + EncodeAnalysed(a);
        ++stats.analysed;
      } else {
        out = kAnalysedReject + EncodeRawReject(*reject, chunk_end);
        ++stats.rejects;
      }
      const int64_t max_payload = (*q)->MaxPayload();
      if (!out.empty() && max_payload > 0 &&
          static_cast<int64_t>(out.size()) > max_payload - 1024) {
        // Text, features and enrichment together are more than the server
        // takes: the clusterer records why instead of waiting for it.
        out = kAnalysedReject +
              EncodeRawReject({origin, "too_large",
                               "the analysed article is " + std::to_string(out.size()) +
                                   " bytes, more than the queue's largest "
                                   "message (nats-server max_payload " +
                                   std::to_string(max_payload) + ")"},
                              chunk_end);
      }
      if (!out.empty()) {
        Status s = (*q)->PublishAnalysed(m.seq, out);
        if (!s.ok()) {
          spdlog::warn("worker: {}", s.message());
          (void)(*q)->Nak(&m);
          continue;
        }
      }
      Status s = (*q)->Ack(&m);
      // A lost ack: the message comes back and its analysis is a duplicate.
      if (!s.ok()) spdlog::warn("worker: {}", s.message());
    }
  }
  return stats;
}

namespace {

Result<uint64_t> StoredPosition(ArticleStore& store) {
  auto v = store.GetMeta(kQueuePositionKey);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return uint64_t{0};
  try {
    return static_cast<uint64_t>(std::stoull(**v));
  } catch (...) {
    return Status::Corruption(std::string("meta ") + kQueuePositionKey + " is not a number: '" +
                              **v + "'");
  }
}

}  // namespace

Result<ClustererStats> RunClusterer(const EngineOptions& options, const QueueOptions& queue,
                                    bool exit_when_caught_up) {
  EngineOptions o = options;
  o.wait_for_writer = true;  // a second clusterer stands by until the first is gone
  ClustererStats stats;
  auto q = Retrying("connecting to NATS", [&] { return Queue::Connect(queue); });
  if (!q.ok()) return q.status();
  std::unique_ptr<Engine> engine;
  uint64_t position = 0;
  int idle_ms = 0;
  // Messages per transaction (whole chunks of at most 256 articles each).
  const size_t limit = 1024;
  while (!StopRequested()) {
    if (!engine) {
      // (Again) from what is stored: the store is the truth, not memory.
      auto e = Retrying("opening the store", [&] { return Engine::Open(o); });
      if (!e.ok()) return e.status();
      engine = std::move(e).value();
      auto p = StoredPosition(engine->store());
      if (!p.ok()) return p.status();
      position = *p;
      spdlog::info("clusterer: active, applying from raw message {}", position + 1);
    }
    std::vector<AnalysedArticle> batch;
    std::vector<Reject> rejects;
    uint64_t next = position + 1;
    // Up to the last chunk end read: what follows waits for the rest of its chunk.
    size_t whole_articles = 0, whole_rejects = 0;
    uint64_t whole_next = next;
    Status read = Status::Ok();
    while (batch.size() + rejects.size() < limit) {
      auto d = (*q)->GetAnalysed(next);
      if (!d.ok()) {
        read = d.status();
        break;
      }
      if (!d->has_value()) break;
      const std::string& data = **d;
      std::string why;
      bool chunk_end = true;  // a malformed message: a boundary, never a wait
      if (!data.empty() && data[0] == kAnalysedArticle) {
        AnalysedArticle a;
        if (DecodeAnalysed(std::string_view(data).substr(1), &a, &why)) {
          chunk_end = a.chunk_end;
          batch.push_back(std::move(a));
        } else {
          rejects.push_back({"queue:analysed#" + std::to_string(next), "malformed_analysis", why});
        }
      } else {
        std::optional<Article> article;
        std::optional<Reject> reject;
        if (!data.empty() && data[0] == kAnalysedReject &&
            DecodeRaw(data.substr(1), &article, &reject, &why, &chunk_end) && reject)
          rejects.push_back(*reject);
        else
          rejects.push_back({"queue:analysed#" + std::to_string(next), "malformed_analysis",
                             why.empty() ? "unknown message kind" : why});
      }
      ++next;
      if (chunk_end) {
        whole_articles = batch.size();
        whole_rejects = rejects.size();
        whole_next = next;
      }
    }
    if (whole_next == position + 1 && batch.size() + rejects.size() >= limit) {
      // No chunk end in a full batch: not from our publisher. Cut here.
      spdlog::warn("clusterer: {} messages without a chunk end; applying them as they are", limit);
      whole_articles = batch.size();
      whole_rejects = rejects.size();
      whole_next = next;
    }
    batch.resize(whole_articles);
    rejects.resize(whole_rejects);
    next = whole_next;
    if (!read.ok() && next == position + 1) {
      spdlog::warn("clusterer: {} (retrying)", read.message());
      Sleep(250);
      continue;
    }
    if (next == position + 1) {
      if (exit_when_caught_up) {
        auto last = (*q)->LastRawSeq();
        if (last.ok() && *last <= position) break;
      }
      Sleep(std::min(idle_ms += 10, 100));  // nothing new yet
      continue;
    }
    idle_ms = 0;
    size_t n = batch.size() + rejects.size();
    auto r = engine->IngestAnalysed(
        std::move(batch), std::move(rejects), {{kQueuePositionKey, std::to_string(next - 1)}},
        std::make_pair(std::string(kQueuePositionKey),
                       position == 0 ? std::string() : std::to_string(position)));
    if (!r.ok()) {
      // Nothing of the batch is stored (rolled back): start again from the
      // store, when it is back.
      spdlog::warn("clusterer: {} (reopening the store)", r.status().message());
      engine.reset();
      Sleep(250);
      continue;
    }
    position = next - 1;
    stats.applied += static_cast<int64_t>(n);
  }
  stats.position = position;
  return stats;
}

Result<QueueStatus> GetQueueStatus(const EngineOptions& engine, const QueueOptions& queue) {
  QueueStatus out;
  // As a reader: a mistyped path is "not found", never a new database.
  auto reader = Engine::OpenReader(engine);
  if (!reader.ok()) return reader.status();
  auto p = StoredPosition((*reader)->store());
  if (!p.ok()) return p.status();
  out.applied = *p;
  auto q = Queue::Connect(queue);
  if (!q.ok()) return q.status();
  auto last = (*q)->LastRawSeq();
  if (!last.ok()) return last.status();
  out.published = *last;
  auto dead = (*q)->DeadLetters();
  if (!dead.ok()) return dead.status();
  out.dead = *dead;
  auto pending = (*q)->PendingRaw();
  if (!pending.ok()) return pending.status();
  out.pending = *pending;
  return out;
}

}  // namespace storyline
