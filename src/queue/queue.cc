// NATS JetStream behind Queue (queue.h), and the raw message format.
#include "queue/queue.h"

#include <xxhash.h>

#include <cctype>
#include <csignal>
#include <nlohmann/json.hpp>

#ifdef STORYLINE_NATS
#include <nats/nats.h>
#endif

namespace storyline {

std::atomic<bool>& StopRequested() {
  static std::atomic<bool> stop{false};
  return stop;
}

void InstallStopHandlers() {
  struct sigaction sa = {};
  sa.sa_handler = [](int) { StopRequested().store(true); };
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

std::string EncodeRawArticle(const Article& a, bool chunk_end) {
  nlohmann::json j = {{"id", a.id},         {"title", a.title},    {"text", a.text},
                      {"source", a.source}, {"url", a.url},        {"lang_hint", a.lang_hint},
                      {"origin", a.origin}, {"repairs", a.repairs}};
  if (a.published) j["published"] = *a.published;
  return nlohmann::json{{"article", j}, {"chunk_end", chunk_end}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string EncodeRawReject(const Reject& r, bool chunk_end) {
  nlohmann::json j = {
      {"reject", {{"origin", r.origin}, {"reason", r.reason}, {"message", r.message}}},
      {"chunk_end", chunk_end}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool DecodeRaw(const std::string& data, std::optional<Article>* article,
               std::optional<Reject>* reject, std::string* error, bool* chunk_end) {
  article->reset();
  reject->reset();
  auto j = nlohmann::json::parse(data, nullptr, false);
  if (chunk_end) {
    // Absent: an article is inside a chunk, a reject is between chunks.
    bool is_article = j.is_object() && j.contains("article");
    auto it = j.is_object() ? j.find("chunk_end") : j.end();
    *chunk_end = it != j.end() && it->is_boolean() ? it->get<bool>() : !is_article;
  }
  auto str = [](const nlohmann::json& o, const char* k) {
    auto it = o.find(k);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (j.is_object() && j.contains("article") && j["article"].is_object()) {
    const auto& o = j["article"];
    Article a;
    a.id = str(o, "id");
    if (a.id.empty()) {
      *error = "a raw article without an id";
      return false;
    }
    a.title = str(o, "title");
    a.text = str(o, "text");
    a.source = str(o, "source");
    a.url = str(o, "url");
    a.lang_hint = str(o, "lang_hint");
    a.origin = str(o, "origin");
    if (o.contains("published") && o["published"].is_number_integer())
      a.published = o["published"].get<int64_t>();
    if (o.contains("repairs") && o["repairs"].is_array())
      for (const auto& r : o["repairs"])
        if (r.is_string()) a.repairs.push_back(r.get<std::string>());
    *article = std::move(a);
    return true;
  }
  if (j.is_object() && j.contains("reject") && j["reject"].is_object()) {
    const auto& o = j["reject"];
    *reject = Reject{str(o, "origin"), str(o, "reason"), str(o, "message")};
    return true;
  }
  *error = j.is_discarded() ? "not JSON" : "neither an article nor a reject";
  return false;
}

std::string RawMessageId(const Article& a) {
  XXH64_state_t* st = XXH64_createState();
  XXH64_reset(st, 0);
  for (const std::string* p : {&a.title, &a.text, &a.url, &a.source}) {
    XXH64_update(st, p->data(), p->size());
    XXH64_update(st, "\x1f", 1);
  }
  int64_t pub = a.published.value_or(INT64_MIN);
  XXH64_update(st, &pub, sizeof pub);
  uint64_t h = XXH64_digest(st);
  XXH64_freeState(st);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return a.id + "@" + hex;
}

#ifdef STORYLINE_NATS

bool QueueSupported() { return true; }

namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
Status NatsError(const std::string& what, natsStatus s,
                 jsErrCode jerr = static_cast<jsErrCode>(0)) {
  std::string m = what + ": " + natsStatus_GetText(s);
  if (jerr) m += " (JetStream error " + std::to_string(static_cast<int>(jerr)) + ")";
  if (const char* last = nats_GetLastError(nullptr);
      last && *last && std::string(last) != natsStatus_GetText(s))
    m += ": " + std::string(last);
  return Status::IOError(m);
}
constexpr int64_t kSecond = 1'000'000'000;  // JetStream durations are nanoseconds

}  // namespace

struct Queue::Impl {
  QueueOptions o;
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  natsSubscription* workers = nullptr;
  std::string raw_stream, analysed_stream, dead_stream;
  ~Impl() {
    if (workers) natsSubscription_Destroy(workers);
    if (js) jsCtx_Destroy(js);
    if (nc) {
      natsConnection_Close(nc);
      natsConnection_Destroy(nc);
    }
  }
  // Publishes with a message id (JetStream drops a repeat within the
  // duplicate window) and waits for the ack.
  Status Publish(const std::string& subject, const std::string& msg_id, const std::string& data,
                 bool* duplicate = nullptr) {
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = msg_id.c_str();
    jsPubAck* pa = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = js_Publish(&pa, js, subject.c_str(), data.data(), static_cast<int>(data.size()),
                              &po, &jerr);
    if (s != NATS_OK) return NatsError("publishing to " + subject, s, jerr);
    if (duplicate) *duplicate = pa->Duplicate;
    jsPubAck_Destroy(pa);
    return Status::Ok();
  }
  Status AddStream(const std::string& name, const std::string& subject, jsRetentionPolicy ret,
                   int64_t max_age_ns) {
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    if (js_GetStreamInfo(&si, js, name.c_str(), nullptr, &jerr) == NATS_OK) {
      jsStreamInfo_Destroy(si);
      return Status::Ok();
    }
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    cfg.Name = name.c_str();
    const char* subjects[] = {subject.c_str()};
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 1;
    cfg.Retention = ret;
    cfg.Storage = js_FileStorage;
    cfg.Duplicates = static_cast<int64_t>(o.duplicate_window_seconds) * kSecond;
    cfg.MaxAge = max_age_ns;
    natsStatus s = js_AddStream(&si, js, &cfg, nullptr, &jerr);
    if (s == NATS_OK) {
      jsStreamInfo_Destroy(si);
      return Status::Ok();
    }
    // Another process may have made it in between.
    if (js_GetStreamInfo(&si, js, name.c_str(), nullptr, nullptr) == NATS_OK) {
      jsStreamInfo_Destroy(si);
      return Status::Ok();
    }
    return NatsError("cannot create the JetStream stream " + name, s, jerr);
  }
};

Result<std::unique_ptr<Queue>> Queue::Connect(const QueueOptions& options) {
  std::unique_ptr<Queue> q(new Queue());
  q->impl_ = std::make_unique<Impl>();
  Impl& m = *q->impl_;
  m.o = options;
  m.raw_stream = Upper(options.prefix) + "_RAW";
  m.analysed_stream = Upper(options.prefix) + "_ANALYSED";
  m.dead_stream = Upper(options.prefix) + "_DEAD";
  natsOptions* no = nullptr;
  natsStatus s = natsOptions_Create(&no);
  if (s == NATS_OK) s = natsOptions_SetURL(no, options.url.c_str());
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(no, -1);  // forever
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(no, 200);
  if (s == NATS_OK) s = natsOptions_SetTimeout(no, 5000);
  if (s == NATS_OK) s = natsOptions_SetName(no, "storyline");
  if (s == NATS_OK) s = natsConnection_Connect(&m.nc, no);
  natsOptions_Destroy(no);
  if (s != NATS_OK) return NatsError("cannot connect to NATS at '" + options.url + "'", s);
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = 10000;  // ms for a JetStream API answer
  s = natsConnection_JetStream(&m.js, m.nc, &jo);
  if (s != NATS_OK) return NatsError("JetStream", s);
  Status st = m.AddStream(m.raw_stream, options.prefix + ".raw", js_WorkQueuePolicy, 0);
  if (st.ok())
    st = m.AddStream(m.analysed_stream, options.prefix + ".analysed.>", js_LimitsPolicy,
                     options.retention_seconds * kSecond);
  if (st.ok())
    st = m.AddStream(m.dead_stream, options.prefix + ".dead", js_LimitsPolicy,
                     options.retention_seconds * kSecond);
  if (!st.ok()) return st;
  return q;
}

Queue::~Queue() = default;

int64_t Queue::MaxPayload() const { return natsConnection_GetMaxPayload(impl_->nc); }

Status Queue::PublishRaw(const std::string& msg_id, const std::string& data, bool* duplicate) {
  return impl_->Publish(impl_->o.prefix + ".raw", msg_id, data, duplicate);
}

Result<std::vector<QueueMessage>> Queue::FetchRaw(int n, int timeout_ms) {
  Impl& m = *impl_;
  if (!m.workers) {
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = m.raw_stream.c_str();
    so.Config.AckPolicy = js_AckExplicit;
    so.Config.AckWait = static_cast<int64_t>(m.o.ack_wait_seconds) * kSecond;
    so.Config.MaxDeliver = -1;  // the cap is the worker's (it dead-letters, with a reason)
    so.Config.MaxAckPending = 1000;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    std::string subject = m.o.prefix + ".raw";
    natsStatus s =
        js_PullSubscribe(&m.workers, m.js, subject.c_str(), "workers", nullptr, &so, &jerr);
    if (s != NATS_OK) {
      m.workers = nullptr;
      return NatsError("subscribing to " + subject, s, jerr);
    }
  }
  natsMsgList list = {};
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = natsSubscription_Fetch(&list, m.workers, n, timeout_ms, &jerr);
  std::vector<QueueMessage> out;
  if (s == NATS_TIMEOUT) return out;
  if (s != NATS_OK) return NatsError("fetching work", s, jerr);
  for (int i = 0; i < list.Count; ++i) {
    natsMsg* msg = list.Msgs[i];
    list.Msgs[i] = nullptr;  // ours now
    QueueMessage q;
    q.data.assign(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
      q.seq = meta->Sequence.Stream;
      q.delivered = meta->NumDelivered;
      jsMsgMetaData_Destroy(meta);
    }
    q.handle = msg;
    out.push_back(std::move(q));
  }
  natsMsgList_Destroy(&list);
  return out;
}

void Queue::Release(QueueMessage* m) {
  if (m->handle) natsMsg_Destroy(static_cast<natsMsg*>(m->handle));
  m->handle = nullptr;
}

Status Queue::Ack(QueueMessage* m) {
  // Synchronous: the ack is known to be in before the worker moves on.
  natsStatus s = natsMsg_AckSync(static_cast<natsMsg*>(m->handle), nullptr, nullptr);
  Release(m);
  if (s != NATS_OK) return NatsError("acknowledging message " + std::to_string(m->seq), s);
  return Status::Ok();
}

void Queue::InProgress(QueueMessage* m) {
  if (m->handle) (void)natsMsg_InProgress(static_cast<natsMsg*>(m->handle), nullptr);
}

Status Queue::Nak(QueueMessage* m) {
  natsStatus s = natsMsg_Nak(static_cast<natsMsg*>(m->handle), nullptr);
  Release(m);
  if (s != NATS_OK) return NatsError("returning message " + std::to_string(m->seq), s);
  return Status::Ok();
}

Status Queue::PublishAnalysed(uint64_t raw_seq, const std::string& data) {
  return impl_->Publish(impl_->o.prefix + ".analysed." + std::to_string(raw_seq),
                        "analysed-" + std::to_string(raw_seq), data);
}

Status Queue::PublishDead(uint64_t raw_seq, const std::string& reason, const std::string& data) {
  // The message itself, cut to 64 KiB (a dead letter must fit where the
  // message did not).
  std::string kept = data.size() > 65536 ? data.substr(0, 65536) : data;
  nlohmann::json j = {
      {"raw_seq", raw_seq}, {"reason", reason}, {"bytes", data.size()}, {"data", kept}};
  return impl_->Publish(impl_->o.prefix + ".dead", "dead-" + std::to_string(raw_seq),
                        j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Result<std::optional<std::string>> Queue::GetAnalysed(uint64_t raw_seq) {
  std::string subject = impl_->o.prefix + ".analysed." + std::to_string(raw_seq);
  natsMsg* msg = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetLastMsg(&msg, impl_->js, impl_->analysed_stream.c_str(), subject.c_str(),
                               nullptr, &jerr);
  if (s == NATS_NOT_FOUND) return std::optional<std::string>();
  if (s != NATS_OK) return NatsError("reading " + subject, s, jerr);
  std::string data(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
  natsMsg_Destroy(msg);
  return std::optional<std::string>(std::move(data));
}

namespace {
Result<uint64_t> StreamState(jsCtx* js, const std::string& stream, bool last) {
  jsStreamInfo* si = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&si, js, stream.c_str(), nullptr, &jerr);
  if (s != NATS_OK) return NatsError("stream " + stream, s, jerr);
  uint64_t v = last ? si->State.LastSeq : si->State.Msgs;
  jsStreamInfo_Destroy(si);
  return v;
}
}  // namespace

Result<uint64_t> Queue::LastRawSeq() { return StreamState(impl_->js, impl_->raw_stream, true); }
Result<uint64_t> Queue::DeadLetters() { return StreamState(impl_->js, impl_->dead_stream, false); }
Result<uint64_t> Queue::PendingRaw() { return StreamState(impl_->js, impl_->raw_stream, false); }

#else  // built without libnats

bool QueueSupported() { return false; }

struct Queue::Impl {};

Result<std::unique_ptr<Queue>> Queue::Connect(const QueueOptions&) {
  return Status::InvalidArgument(
      "this storyline was built without NATS support (install libnats-dev: "
      "`scripts/install-deps test`, then rebuild)");
}
Queue::~Queue() = default;
int64_t Queue::MaxPayload() const { return 0; }
Status Queue::PublishRaw(const std::string&, const std::string&, bool*) { return Status::Ok(); }
Result<std::vector<QueueMessage>> Queue::FetchRaw(int, int) { return std::vector<QueueMessage>(); }
Status Queue::Ack(QueueMessage*) { return Status::Ok(); }
Status Queue::Nak(QueueMessage*) { return Status::Ok(); }
void Queue::InProgress(QueueMessage*) {}
void Queue::Release(QueueMessage*) {}
Status Queue::PublishAnalysed(uint64_t, const std::string&) { return Status::Ok(); }
Status Queue::PublishDead(uint64_t, const std::string&, const std::string&) { return Status::Ok(); }
Result<std::optional<std::string>> Queue::GetAnalysed(uint64_t) {
  return std::optional<std::string>();
}
Result<uint64_t> Queue::LastRawSeq() { return uint64_t{0}; }
Result<uint64_t> Queue::DeadLetters() { return uint64_t{0}; }
Result<uint64_t> Queue::PendingRaw() { return uint64_t{0}; }

#endif  // STORYLINE_NATS

}  // namespace storyline
