// Queue: the distributed roles and the work they pass over NATS JetStream
// (DESIGN.md, "Scale-out"). Public header of the stage.
//
//   storyline ingest --queue URL PATHS   publishes raw articles to <prefix>.raw
//                                        (stream <PREFIX>_RAW, a work queue),
//                                        in the order the embedded ingest
//                                        would process them; message id = the
//                                        article's id and content, so a
//                                        re-publish is dropped.
//   storyline worker                     any number: pulls raw articles
//                                        (durable consumer "workers"), cleans
//                                        and analyses them, publishes each to
//                                        <prefix>.analysed.<raw sequence>
//                                        (stream <PREFIX>_ANALYSED), then acks.
//   storyline clusterer                  one active (a PostgreSQL advisory
//                                        lock; others stand by): reads the
//                                        analysed articles in raw-sequence
//                                        order, one at a time, and applies
//                                        them with the stream position in the
//                                        same store transaction.
//
// At-least-once delivery becomes exactly-once in effect: publishes carry
// message ids (JetStream drops duplicates), an analysed article is stored
// under its raw sequence (a second analysis of it is a duplicate), and the
// clusterer applies sequence N only when the store says N-1 was the last.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"

namespace storyline {

struct QueueOptions {
  std::string url = "nats://127.0.0.1:4222";
  // Subject prefix; streams are named after it in capitals (STORYLINE_RAW).
  std::string prefix = "storyline";
  // A worker that holds a message longer than this without an ack loses it
  // to another worker.
  int ack_wait_seconds = 30;
  // A raw article delivered this many times without an ack (its workers
  // crashed or hung on it) is dead-lettered instead of analysed again.
  int max_deliver = 5;
  // How long JetStream remembers message ids (a re-publish within it is dropped).
  int duplicate_window_seconds = 3600;
  // Analysed articles and dead letters are kept this long.
  int64_t retention_seconds = 7 * 86400;
};

// Whether this build has NATS support (libnats).
bool QueueSupported();

struct QueueMessage {
  uint64_t seq = 0;        // stream sequence
  uint64_t delivered = 1;  // times delivered, this one included
  std::string data;
  void* handle = nullptr;  // the client's message, for Ack/Nak (owned)
};

// One connection to NATS JetStream; the streams are created on connect if
// missing. One thread at a time. The connection reconnects by itself; a
// call made while it is down fails with IOError and may be retried.
class Queue {
 public:
  static Result<std::unique_ptr<Queue>> Connect(const QueueOptions& options);
  ~Queue();

  // Publishes a raw message; waits for JetStream's ack. `duplicate` is set
  // when JetStream had it already (the same message id).
  Status PublishRaw(const std::string& msg_id, const std::string& data, bool* duplicate = nullptr);
  // Up to `n` raw messages for a worker, waiting up to `timeout_ms` for the first.
  Result<std::vector<QueueMessage>> FetchRaw(int n, int timeout_ms);
  Status Ack(QueueMessage* m);
  Status Nak(QueueMessage* m);  // redeliver soon
  // Still working on it: the ack wait starts again (a slow article is not
  // taken for a lost one).
  void InProgress(QueueMessage* m);
  void Release(QueueMessage* m);  // frees the message without an answer

  // A worker's result for raw message `raw_seq`.
  Status PublishAnalysed(uint64_t raw_seq, const std::string& data);
  // A message no worker could handle, with why (kept for people to look at).
  Status PublishDead(uint64_t raw_seq, const std::string& reason, const std::string& data);
  // The analysed message for raw message `raw_seq`, if there is one yet.
  Result<std::optional<std::string>> GetAnalysed(uint64_t raw_seq);
  // Raw messages published so far (the last sequence), and dead letters.
  Result<uint64_t> LastRawSeq();
  // Raw messages not yet acknowledged by a worker (waiting or being analysed).
  Result<uint64_t> PendingRaw();
  Result<uint64_t> DeadLetters();
  // The largest message the server takes.
  int64_t MaxPayload() const;

 private:
  Queue() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Raw messages: an article, or a reject from reading.
// `chunk_end`: the last article of one of the publisher's chunks of 256 (a
// reject is always one: rejects come between chunks).
std::string EncodeRawArticle(const Article& a, bool chunk_end = false);
std::string EncodeRawReject(const Reject& r, bool chunk_end = true);
// false (with `error`) if the bytes are not a raw message.
bool DecodeRaw(const std::string& data, std::optional<Article>* article,
               std::optional<Reject>* reject, std::string* error, bool* chunk_end = nullptr);
// The message id of a raw article: its id and a hash of its content.
std::string RawMessageId(const Article& a);

// Set by SIGINT/SIGTERM (InstallStopHandlers): the roles finish what they
// hold and return.
std::atomic<bool>& StopRequested();
void InstallStopHandlers();

struct PublishSummary {
  int64_t articles = 0;    // published
  int64_t duplicates = 0;  // JetStream had them already
  int64_t rejects = 0;     // from reading (published for the clusterer to record)
  uint64_t last_seq = 0;   // the raw stream's last sequence after publishing
};
// Publishes read rejects, then articles in IngestOrder (one message each;
// an article larger than the server takes becomes a `too_large` reject),
// retrying while NATS is away, until done or a stop is requested. Adds to
// `sum`; the vectors are emptied.
Status PublishBatch(Queue& queue, std::vector<Article>* articles, std::vector<Reject>* rejects,
                    PublishSummary* sum);
// `storyline ingest --queue`: reads paths as Engine::IngestPaths does (the
// same chunks, each in IngestOrder) and publishes. A publish that fails
// (NATS down) is retried until it succeeds or a stop is requested.
Result<PublishSummary> PublishPaths(const std::vector<std::string>& paths,
                                    const EngineOptions& engine, const QueueOptions& queue);

struct WorkerStats {
  int64_t analysed = 0, rejects = 0, dead = 0, redelivered = 0;
};
// `storyline worker`: until a stop is requested.
Result<WorkerStats> RunWorker(const EngineOptions& engine, const QueueOptions& queue);

struct ClustererStats {
  int64_t applied = 0;    // raw messages applied in this run
  uint64_t position = 0;  // the last raw sequence applied (stored)
};
// `storyline clusterer`: waits for the writer lock (standby), then applies
// analysed articles in order until a stop is requested (or, with
// `exit_when_caught_up`, until it has applied everything published).
Result<ClustererStats> RunClusterer(const EngineOptions& engine, const QueueOptions& queue,
                                    bool exit_when_caught_up = false);

// What `storyline queue status` shows.
struct QueueStatus {
  uint64_t published = 0;  // raw messages published (last sequence)
  uint64_t applied = 0;    // the store's position
  uint64_t dead = 0;
  uint64_t pending = 0;  // raw messages no worker has finished yet
};
Result<QueueStatus> GetQueueStatus(const EngineOptions& engine, const QueueOptions& queue);

// The store meta key holding the last raw sequence applied.
inline constexpr const char* kQueuePositionKey = "queue_applied";

}  // namespace storyline
