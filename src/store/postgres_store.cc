// The PostgreSQL store: the same ArticleStore as the embedded SQLite one, for
// when one machine is not enough (DESIGN.md, "Scale-out").
//
// Writes are pipelined (libpq pipeline mode): inside a transaction a write is
// sent without waiting for its answer, and the answers are collected at the
// next read or at Commit, so a batch of writes costs one network round trip,
// not one per statement. An error in a pipelined write surfaces there, and the
// transaction is rolled back whole.
//
// Article handles are given by the writer (one at a time: the writer lock is
// an advisory lock): the largest stored handle plus one, as SQLite does, so
// both stores number articles the same way.
#ifdef STORYLINE_POSTGRES

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "store/codec.h"
#include "store/store.h"

namespace storyline {

namespace {

using namespace store_codec;  // NOLINT: the stage's own helpers

constexpr int kSchemaVersion = 1;

// Ids are compared and ordered bytewise (COLLATE "C"), as SQLite does,
// whatever the database's locale.
constexpr const char* kSchema = R"sql(
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'storyline') THEN
    CREATE TEXT SEARCH CONFIGURATION storyline (COPY = simple);
    ALTER TEXT SEARCH CONFIGURATION storyline
      ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
      WITH unaccent, simple;
  END IF;
END $$;
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles(
  handle BIGINT PRIMARY KEY,
  id TEXT COLLATE "C" NOT NULL UNIQUE,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  lang TEXT NOT NULL,
  lang_confidence DOUBLE PRECISION NOT NULL,
  lang_method TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT '',
  url TEXT NOT NULL DEFAULT '',
  published BIGINT,
  ingested BIGINT NOT NULL,
  content_hash BIGINT NOT NULL,
  origin TEXT NOT NULL DEFAULT '',
  repairs TEXT NOT NULL DEFAULT '[]',
  names TEXT NOT NULL DEFAULT '[]',
  sketch BYTEA,
  raw_hash BIGINT,
  search TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('storyline'::regconfig, left(title, 10000)), 'A') ||
    setweight(to_tsvector('storyline'::regconfig, left(text, 200000)), 'D')) STORED);
CREATE INDEX IF NOT EXISTS articles_hash ON articles(content_hash);
CREATE INDEX IF NOT EXISTS articles_raw ON articles(raw_hash);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
CREATE INDEX IF NOT EXISTS articles_url ON articles(url);
CREATE INDEX IF NOT EXISTS articles_search ON articles USING GIN(search);
CREATE TABLE IF NOT EXISTS aliases(id TEXT COLLATE "C" PRIMARY KEY, canonical TEXT COLLATE "C" NOT NULL,
  origin TEXT NOT NULL DEFAULT '', raw_hash BIGINT);
CREATE INDEX IF NOT EXISTS aliases_canonical ON aliases(canonical);
CREATE SEQUENCE IF NOT EXISTS story_order;
CREATE TABLE IF NOT EXISTS stories(
  id TEXT COLLATE "C" PRIMARY KEY,
  title TEXT NOT NULL,
  size BIGINT NOT NULL,
  entries BIGINT NOT NULL DEFAULT 0,
  langs TEXT NOT NULL,
  first_time BIGINT,
  last_time BIGINT,
  created BIGINT NOT NULL,
  updated BIGINT NOT NULL,
  full_vector BYTEA,
  neutral_vector BYTEA,
  pivot_vector BYTEA,
  seq BIGINT,
  ord BIGINT NOT NULL DEFAULT nextval('story_order'));
CREATE INDEX IF NOT EXISTS stories_last ON stories(last_time);
CREATE TABLE IF NOT EXISTS memberships(
  article TEXT COLLATE "C" PRIMARY KEY,
  story TEXT COLLATE "C" NOT NULL,
  score DOUBLE PRECISION NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}');
CREATE INDEX IF NOT EXISTS memberships_story ON memberships(story);
CREATE TABLE IF NOT EXISTS duplicates(
  article TEXT COLLATE "C" NOT NULL,
  "of" TEXT COLLATE "C" NOT NULL,
  kind TEXT NOT NULL,
  resemblance DOUBLE PRECISION NOT NULL,
  containment DOUBLE PRECISION NOT NULL,
  shared BIGINT NOT NULL,
  PRIMARY KEY(article, "of"));
CREATE INDEX IF NOT EXISTS duplicates_of ON duplicates("of");
CREATE TABLE IF NOT EXISTS rejects(
  id BIGSERIAL PRIMARY KEY,
  origin TEXT NOT NULL,
  reason TEXT NOT NULL,
  message TEXT NOT NULL,
  at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS rejects_origin ON rejects(md5(origin));
CREATE TABLE IF NOT EXISTS story_aliases(id TEXT COLLATE "C" PRIMARY KEY, target TEXT COLLATE "C" NOT NULL);
CREATE TABLE IF NOT EXISTS boilerplate(
  source TEXT NOT NULL,
  hash BIGINT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY(source, hash));
CREATE TABLE IF NOT EXISTS entries(
  article TEXT COLLATE "C" NOT NULL,
  n BIGINT NOT NULL,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY(article, n));
CREATE TABLE IF NOT EXISTS feeds(
  url TEXT PRIMARY KEY,
  etag TEXT NOT NULL DEFAULT '',
  last_modified TEXT NOT NULL DEFAULT '',
  last_status BIGINT NOT NULL DEFAULT 0,
  last_checked BIGINT NOT NULL DEFAULT 0,
  failures BIGINT NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS revisions(
  article TEXT COLLATE "C" NOT NULL,
  n BIGINT NOT NULL,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  content_hash BIGINT NOT NULL,
  replaced BIGINT NOT NULL,
  PRIMARY KEY(article, n));
CREATE TABLE IF NOT EXISTS article_intel(article TEXT COLLATE "C" PRIMARY KEY, data TEXT NOT NULL);
CREATE SEQUENCE IF NOT EXISTS intel_stamps;
CREATE TABLE IF NOT EXISTS story_intel(
  story TEXT COLLATE "C" PRIMARY KEY,
  data TEXT NOT NULL,
  updated BIGINT NOT NULL,
  independent BIGINT,
  headline TEXT NOT NULL DEFAULT '',
  headlines TEXT NOT NULL DEFAULT '{}',
  stamp BIGINT NOT NULL DEFAULT nextval('intel_stamps'));
CREATE TABLE IF NOT EXISTS story_entities(
  story TEXT COLLATE "C" NOT NULL,
  key TEXT COLLATE "C" NOT NULL,
  name TEXT COLLATE "C" NOT NULL,
  type TEXT COLLATE "C" NOT NULL,
  count BIGINT NOT NULL,
  PRIMARY KEY(story, key));
CREATE INDEX IF NOT EXISTS story_entities_key ON story_entities(key);
CREATE TABLE IF NOT EXISTS df_days(
  undated BIGINT NOT NULL,
  day BIGINT NOT NULL,
  feature BIGINT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY(undated, day, feature));
CREATE TABLE IF NOT EXISTS df_documents(
  undated BIGINT NOT NULL,
  day BIGINT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY(undated, day));
CREATE TABLE IF NOT EXISTS takedowns(
  seq BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  reason TEXT NOT NULL,
  at BIGINT NOT NULL,
  articles TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS tombstones(
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  takedown BIGINT NOT NULL,
  PRIMARY KEY(kind, value));
)sql";

// A statement parameter: text, or bytes (sent in binary), or NULL.
struct Param {
  std::string value;
  bool null = false;
  bool binary = false;
};
Param P(const std::string& v) { return {v}; }
Param P(int64_t v) { return {std::to_string(v)}; }
Param P(int v) { return {std::to_string(v)}; }
Param P(uint64_t v) { return {std::to_string(static_cast<int64_t>(v))}; }  // as SQLite: signed
Param P(bool v) { return {v ? "true" : "false"}; }
Param P(double v) {
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);  // shortest round trip
  return {std::string(buf, ec == std::errc() ? p : buf)};
}
Param P(std::optional<int64_t> v) { return v ? P(*v) : Param{"", true}; }
Param Bytes(const std::string& v) { return {v, false, true}; }
Param Null() { return {"", true}; }

// A query's result (owned).
class Rows {
 public:
  explicit Rows(PGresult* r = nullptr) : r_(r) {}
  Rows(Rows&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Rows& operator=(Rows&& o) noexcept {
    std::swap(r_, o.r_);
    return *this;
  }
  ~Rows() { PQclear(r_); }
  PGresult* get() const { return r_; }
  int size() const { return r_ ? PQntuples(r_) : 0; }
  bool Null(int row, int c) const { return PQgetisnull(r_, row, c); }
  std::string Text(int row, int c) const {
    return std::string(PQgetvalue(r_, row, c), static_cast<size_t>(PQgetlength(r_, row, c)));
  }
  int64_t Int(int row, int c) const {
    const char* v = PQgetvalue(r_, row, c);
    int64_t out = 0;
    std::from_chars(v, v + PQgetlength(r_, row, c), out);
    return out;
  }
  double Real(int row, int c) const { return std::strtod(PQgetvalue(r_, row, c), nullptr); }
  std::optional<int64_t> OptInt(int row, int c) const {
    if (Null(row, c)) return std::nullopt;
    return Int(row, c);
  }
  bool Bool(int row, int c) const { return PQgetvalue(r_, row, c)[0] == 't'; }
  std::string Blob(int row, int c) const {
    if (Null(row, c)) return {};
    size_t n = 0;
    unsigned char* b =
        PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(r_, row, c)), &n);
    if (!b) return {};
    std::string out(reinterpret_cast<const char*>(b), n);
    PQfreemem(b);
    return out;
  }

 private:
  PGresult* r_;
};

// A PostgreSQL array literal of text values: {"a","b \"c\""}.
std::string ArrayLiteral(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// One connection, with prepared statements and a pipeline of pending writes.
class Connection {
 public:
  ~Connection() {
    if (conn_) PQfinish(conn_);
    if (std::getenv("STORYLINE_PG_STATS"))
      std::fprintf(stderr, "pg: %ld queries, %ld writes, %ld round trips\n", queries_, writes_,
                   trips_);
  }
  long queries_ = 0, writes_ = 0, trips_ = 0;
  Status Connect(const std::string& conninfo) {
    conn_ = PQconnectdb(conninfo.c_str());
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
      std::string m = conn_ ? PQerrorMessage(conn_) : "out of memory";
      while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
      return Status::IOError("cannot connect to PostgreSQL at '" + RedactedStore(conninfo) +
                             "': " + m);
    }
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);  // NOTICEs: not errors
    return Status::Ok();
  }
  PGconn* get() { return conn_; }

  std::string Error() {
    std::string m = PQerrorMessage(conn_);
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    return m;
  }

  // A script of statements without parameters (schema, BEGIN, COMMIT).
  Status Exec(const std::string& sql) {
    Status d = Drain();
    if (!d.ok()) return d;
    Rows r(PQexec(conn_, sql.c_str()));
    return Check(r, sql.c_str());
  }

  // A query: the pipeline is drained first (its first error is returned).
  // With writes queued, the query joins them in the pipeline: the writes'
  // answers and its rows come back in one round trip.
  Result<Rows> Query(const char* sql, const std::vector<Param>& params = {}) {
    ++queries_;
    ++trips_;
    if (pipeline_) {
      auto name = Prepared(sql, true);
      if (!name.ok()) return name.status();
      Args a(params);
      if (PQsendQueryPrepared(conn_, name->c_str(), a.n, a.values.data(), a.lengths.data(),
                              a.formats.data(), 0) != 1)
        return Status::IOError("sending a query: " + Error());
      ++pending_;
      Rows last;
      Status d = Drain(&last);
      if (!d.ok()) return d;
      Status s = Check(last, sql);
      if (!s.ok()) return s;
      return last;
    }
    auto name = Prepared(sql, false);
    if (!name.ok()) return name.status();
    Args a(params);
    Rows r(PQexecPrepared(conn_, name->c_str(), a.n, a.values.data(), a.lengths.data(),
                          a.formats.data(), 0));
    Status s = Check(r, sql);
    if (!s.ok()) return s;
    return r;
  }

  // A write. Inside a transaction it is queued in the pipeline (its outcome
  // is known at the next Query, Exec or Drain); outside, it runs at once.
  Status Send(const char* sql, const std::vector<Param>& params) {
    if (!in_transaction_) {
      auto r = Query(sql, params);
      return r.ok() ? Status::Ok() : r.status();
    }
    if (!pipeline_) {
      if (PQenterPipelineMode(conn_) != 1) return Status::IOError("pipeline: " + Error());
      pipeline_ = true;
    }
    auto name = Prepared(sql, true);
    if (!name.ok()) return name.status();
    Args a(params);
    if (PQsendQueryPrepared(conn_, name->c_str(), a.n, a.values.data(), a.lengths.data(),
                            a.formats.data(), 0) != 1)
      return Status::IOError("sending a write: " + Error());
    ++pending_;
    ++writes_;
    // Bounded, so that answers never fill the socket while nothing reads them.
    if (pending_ >= 256) return Drain();
    return Status::Ok();
  }

  // Collects the answers of the queued writes; the first error, if any.
  // `last`: the answer of the last queued statement (a query's rows).
  Status Drain(Rows* last = nullptr) {
    if (!pipeline_) return Status::Ok();
    if (!last) ++trips_;
    Status first = Status::Ok();
    if (PQpipelineSync(conn_) != 1) first = Status::IOError("pipeline sync: " + Error());
    int nulls = 0;
    while (first.ok() || PQstatus(conn_) == CONNECTION_OK) {
      PGresult* r = PQgetResult(conn_);
      if (!r) {
        if (++nulls > 1 || PQstatus(conn_) != CONNECTION_OK) break;
        continue;
      }
      nulls = 0;
      ExecStatusType t = PQresultStatus(r);
      if (t == PGRES_PIPELINE_SYNC) {
        PQclear(r);
        break;
      }
      if (t == PGRES_FATAL_ERROR && first.ok()) {
        std::string m = PQresultErrorMessage(r);
        while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
        first = Status::IOError("PostgreSQL: " + m);
      }
      if (last)
        *last = Rows(r);  // the previous one is freed; the final one is the caller's
      else
        PQclear(r);
    }
    pending_ = 0;
    // After an error the rest of the pipeline was skipped, its statements
    // too: they are prepared again when next used (under new names).
    if (!first.ok())
      for (const auto& q : queued_names_) names_.erase(q);
    queued_names_.clear();
    if (PQexitPipelineMode(conn_) != 1 && first.ok())
      first = Status::IOError("pipeline: " + Error());
    pipeline_ = false;
    if (PQstatus(conn_) != CONNECTION_OK && first.ok())
      first = Status::IOError("the connection to PostgreSQL was lost: " + Error());
    return first;
  }

  void set_in_transaction(bool v) { in_transaction_ = v; }
  bool in_transaction() const { return in_transaction_; }

 private:
  struct Args {
    explicit Args(const std::vector<Param>& params) : n(static_cast<int>(params.size())) {
      for (const auto& p : params) {
        values.push_back(p.null ? nullptr : p.value.c_str());
        lengths.push_back(static_cast<int>(p.value.size()));
        formats.push_back(p.binary ? 1 : 0);
      }
    }
    int n;
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
  };

  // The outcome of a finished command.
  Status Check(const Rows& r, const char* sql) {
    PGresult* res = r.get();
    if (!res) return Status::IOError("PostgreSQL: " + Error());
    ExecStatusType t = PQresultStatus(res);
    if (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK) return Status::Ok();
    std::string m = PQresultErrorMessage(res);
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    std::string what = sql;
    if (what.size() > 80) what = what.substr(0, 77) + "...";
    if (PQstatus(conn_) != CONNECTION_OK)
      return Status::IOError("the connection to PostgreSQL was lost: " + m);
    return Status::IOError("PostgreSQL: " + m + " (in: " + what + ")");
  }

  // The name of the prepared statement for `sql`, preparing it first if
  // needed (in the pipeline when `queued`).
  Result<std::string> Prepared(const char* sql, bool queued) {
    auto it = names_.find(sql);
    if (it != names_.end()) return it->second;
    std::string name = "s" + std::to_string(++statements_);
    if (queued) {
      if (PQsendPrepare(conn_, name.c_str(), sql, 0, nullptr) != 1)
        return Status::IOError("preparing a statement: " + Error());
      ++pending_;
      queued_names_.push_back(sql);
    } else {
      Rows r(PQprepare(conn_, name.c_str(), sql, 0, nullptr));
      Status s = Check(r, sql);
      if (!s.ok()) return s;
    }
    names_.emplace(sql, name);
    return name;
  }

 private:
  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> names_;
  bool pipeline_ = false;
  bool in_transaction_ = false;
  int pending_ = 0;
  int64_t statements_ = 0;
  std::vector<std::string> queued_names_;
};

class PostgresStore final : public ArticleStore {
 public:
  Status Open(const std::string& conninfo, const StoreOptions& options) {
    Status s = c_.Connect(conninfo);
    if (!s.ok()) return s;
    // FULL: a committed batch is on disk at the server; NORMAL/OFF: the
    // commit returns before (a crash of the server can lose the last ones).
    s = c_.Exec(std::string("SET synchronous_commit = ") +
                (options.synchronous == "FULL" ? "on" : "off") +
                "; SET client_min_messages = warning; SET TIME ZONE 'UTC'");
    if (!s.ok()) return s;
    return Migrate();
  }

  // The schema, created or checked under an advisory lock (two processes
  // opening a new database at once make it once). A database made by a newer
  // Storyline is refused, not rewritten.
  Status Migrate() {
    Status s = c_.Exec("BEGIN; SELECT pg_advisory_xact_lock(7307416836)");
    if (!s.ok()) return s;
    auto fail = [&](Status e) {
      (void)c_.Exec("ROLLBACK");  // the error to report is e
      return Status::IOError("cannot prepare the PostgreSQL schema: " + e.message());
    };
    auto exists = c_.Query("SELECT to_regclass('meta') IS NOT NULL");
    if (!exists.ok()) return fail(exists.status());
    int64_t version = 0;
    if (exists->Bool(0, 0)) {
      auto v = c_.Query("SELECT value FROM meta WHERE key='schema_version'");
      if (!v.ok()) return fail(v.status());
      if (v->size() > 0) version = v->Int(0, 0);
    }
    if (version > kSchemaVersion) {
      (void)c_.Exec("ROLLBACK");
      return Status::InvalidArgument("the PostgreSQL database has schema version " +
                                     std::to_string(version) +
                                     ", made by a newer Storyline (this one knows up to " +
                                     std::to_string(kSchemaVersion) + "): upgrade Storyline");
    }
    if (version < kSchemaVersion) {
      s = c_.Exec(kSchema);
      if (!s.ok()) return fail(s);
      // Later versions: ALTERs from `version` up, here, in this transaction.
      auto put = c_.Query(
          "INSERT INTO meta(key,value) VALUES('schema_version',$1) ON CONFLICT(key) DO UPDATE "
          "SET value=excluded.value",
          {P(static_cast<int64_t>(kSchemaVersion))});
      if (!put.ok()) return fail(put.status());
    }
    return c_.Exec("COMMIT");
  }

  Status Begin() override {
    Status s = c_.Exec("BEGIN");
    if (!s.ok()) return s;
    c_.set_in_transaction(true);
    return Status::Ok();
  }
  Status Commit() override {
    Status s = c_.Drain();
    if (!s.ok()) return s;
    // A statement failed earlier (its error was seen, maybe ignored, by a
    // caller): PostgreSQL would answer COMMIT with a silent ROLLBACK.
    if (PQtransactionStatus(c_.get()) == PQTRANS_INERROR)
      return Status::IOError(
          "the transaction was aborted by an earlier error: nothing of this batch is stored");
    s = c_.Exec("COMMIT");
    c_.set_in_transaction(false);
    if (!s.ok()) next_handle_ = 0;
    return s;
  }
  Status BeginRead() override { return c_.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }
  Status EndRead() override {
    if (PQtransactionStatus(c_.get()) == PQTRANS_IDLE) return Status::Ok();
    return c_.Exec("COMMIT");
  }
  Status Rollback() override {
    (void)c_.Drain();  // errors of the writes being undone do not matter
    c_.set_in_transaction(false);
    next_handle_ = 0;  // handles given in the batch are free again
    if (PQtransactionStatus(c_.get()) == PQTRANS_IDLE) return Status::Ok();
    return c_.Exec("ROLLBACK");
  }
  Status Checkpoint() override { return c_.Drain(); }  // the server manages its log

  Result<std::optional<std::string>> GetMeta(const std::string& key) override {
    return OptionalText("SELECT value FROM meta WHERE key=$1", key);
  }
  Result<std::optional<std::string>> GetMetaForUpdate(const std::string& key) override {
    return OptionalText("SELECT value FROM meta WHERE key=$1 FOR UPDATE", key);
  }
  Status PutMeta(const std::string& key, const std::string& value) override {
    return c_.Send(
        "INSERT INTO meta(key,value) VALUES($1,$2) ON CONFLICT(key) DO UPDATE SET "
        "value=excluded.value",
        {P(key), P(value)});
  }

  Result<std::optional<uint64_t>> ArticleHash(const std::string& id) override {
    auto a = FindArticle(id);
    if (!a.ok()) return a.status();
    if (!a->has_value()) return std::optional<uint64_t>();
    return std::optional<uint64_t>((*a)->content_hash);
  }

  Result<std::optional<KnownArticle>> FindArticle(const std::string& id) override {
    auto r = c_.Query(
        "SELECT id, content_hash, raw_hash, length(text) = 0 FROM articles WHERE id=$1 "
        "UNION ALL SELECT a.id, a.content_hash, COALESCE(l.raw_hash, a.raw_hash), "
        "length(a.text) = 0 FROM aliases l JOIN articles a ON a.id=l.canonical WHERE l.id=$1 "
        "LIMIT 1",
        {P(id)});
    if (!r.ok()) return r.status();
    if (r->size() == 0) return std::optional<KnownArticle>();
    KnownArticle k;
    k.id = r->Text(0, 0);
    k.content_hash = static_cast<uint64_t>(r->Int(0, 1));
    if (auto raw = r->OptInt(0, 2)) k.raw_hash = static_cast<uint64_t>(*raw);
    k.text_empty = r->Bool(0, 3);
    return std::optional<KnownArticle>(std::move(k));
  }

  Result<std::optional<std::string>> FindByHash(uint64_t h) override {
    auto r = c_.Query(
        "SELECT id FROM articles WHERE content_hash=$1 OR raw_hash=$1 ORDER BY handle LIMIT 1",
        {P(h)});
    if (!r.ok()) return r.status();
    if (r->size() == 0) return std::optional<std::string>();
    return std::optional<std::string>(r->Text(0, 0));
  }

  Result<std::string> CanonicalId(const std::string& id) override {
    auto r = c_.Query("SELECT canonical FROM aliases WHERE id=$1", {P(id)});
    if (!r.ok()) return r.status();
    return r->size() ? r->Text(0, 0) : id;
  }

  Status PutArticle(StoredArticle* a) override {
    if (next_handle_ == 0) {
      auto r = c_.Query("SELECT COALESCE(MAX(handle), 0) + 1 FROM articles");
      if (!r.ok()) return r.status();
      next_handle_ = r->Int(0, 0);
    }
    const Article& ar = a->article;
    Status s = c_.Send(
        "INSERT INTO articles(handle,id,title,text,lang,lang_confidence,lang_method,source,url,"
        "published,ingested,content_hash,origin,repairs,names,sketch,raw_hash) "
        "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)",
        {P(next_handle_), P(ar.id), P(ar.title), P(ar.text), P(a->lang), P(a->lang_confidence),
         P(a->lang_method), P(ar.source), P(ar.url), P(ar.published), P(a->ingested),
         P(a->content_hash), P(ar.origin), P(nlohmann::json(ar.repairs).dump()),
         P(nlohmann::json(a->names).dump()), Bytes(EncodeSketch(a->sketch)), P(a->raw_hash)});
    if (!s.ok()) return s;
    a->handle = next_handle_++;
    return Status::Ok();
  }

  Status UpdateArticle(const std::string& id, const std::string& title, const std::string& text,
                       uint64_t content_hash, uint64_t raw_hash, int64_t now) override {
    Status s = c_.Send(
        "INSERT INTO revisions(article,n,title,text,content_hash,replaced) "
        "SELECT id, (SELECT COUNT(*) FROM revisions WHERE article=$1) + 1, title, text, "
        "content_hash, $2 FROM articles WHERE id=$1",
        {P(id), P(now)});
    if (!s.ok()) return s;
    return c_.Send(
        "UPDATE articles SET title=$2, text=$3, content_hash=$4, raw_hash=$5 WHERE id=$1",
        {P(id), P(title), P(text), P(content_hash), P(raw_hash)});
  }

  Result<int64_t> CountRevisions(const std::string& id) override {
    return Count("SELECT COUNT(*) FROM revisions WHERE article=$1", {P(id)});
  }

  Status PutAlias(const std::string& id, const std::string& canonical, const std::string& origin,
                  uint64_t raw_hash) override {
    return c_.Send(
        "INSERT INTO aliases(id,canonical,origin,raw_hash) VALUES($1,$2,$3,$4) "
        "ON CONFLICT(id) DO NOTHING",
        {P(id), P(canonical), P(origin), raw_hash ? P(raw_hash) : Null()});
  }

  Status RemoveAlias(const std::string& id) override {
    Status s = c_.Send("DELETE FROM aliases WHERE id=$1", {P(id)});
    if (!s.ok()) return s;
    return c_.Send("DELETE FROM duplicates WHERE article=$1 AND kind='exact'", {P(id)});
  }

  Status PutMembership(const Membership& m) override {
    return c_.Send(
        "INSERT INTO memberships(article,story,score,reason,detail) VALUES($1,$2,$3,$4,$5) "
        "ON CONFLICT(article) DO UPDATE SET story=excluded.story, score=excluded.score, "
        "reason=excluded.reason, detail=excluded.detail",
        {P(m.article), P(m.story), P(m.score), P(m.reason), P(m.detail)});
  }

  Status PutEntry(const std::string& article, int n, const std::string& title,
                  const std::string& text) override {
    return c_.Send(
        "INSERT INTO entries(article,n,title,text) VALUES($1,$2,$3,$4) ON CONFLICT(article,n) "
        "DO UPDATE SET title=excluded.title, text=excluded.text",
        {P(article), P(n), P(title), P(text)});
  }

  Result<std::vector<StoredEntry>> Entries(const std::string& article) override {
    auto r = c_.Query("SELECT n,title,text FROM entries WHERE article=$1 ORDER BY n", {P(article)});
    if (!r.ok()) return r.status();
    std::vector<StoredEntry> out;
    for (int i = 0; i < r->size(); ++i)
      out.push_back({static_cast<int>(r->Int(i, 0)), r->Text(i, 1), r->Text(i, 2)});
    return out;
  }

  Status PutDuplicate(const DuplicateLink& d) override {
    return c_.Send(
        "INSERT INTO duplicates(article,\"of\",kind,resemblance,containment,shared) "
        "VALUES($1,$2,$3,$4,$5,$6) ON CONFLICT(article,\"of\") DO UPDATE SET kind=excluded.kind, "
        "resemblance=excluded.resemblance, containment=excluded.containment, "
        "shared=excluded.shared",
        {P(d.article), P(d.of), P(d.kind), P(d.resemblance), P(d.containment), P(d.shared)});
  }

  Status PutReject(const Reject& r, int64_t at) override {
    // The same reject again (a feed re-delivers its items at every poll, a
    // dead feed fails at every round): one row per origin and reason, the
    // latest. Without an origin, only the same message is the same reject.
    Status s = c_.Send(
        "DELETE FROM rejects WHERE md5(origin) = md5($1) AND origin = $1 AND reason = $2 AND "
        "($1 <> '' OR message = $3)",
        {P(r.origin), P(r.reason), P(r.message)});
    if (!s.ok()) return s;
    return c_.Send("INSERT INTO rejects(origin,reason,message,at) VALUES($1,$2,$3,$4)",
                   {P(r.origin), P(r.reason), P(r.message), P(at)});
  }

  Status PutStory(const StoryRecord& s, int64_t now) override {
    return c_.Send(
        "INSERT INTO stories(id,title,size,langs,first_time,last_time,created,updated,full_vector,"
        "neutral_vector,entries,pivot_vector,seq) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,"
        "$13) ON CONFLICT(id) DO UPDATE SET size=excluded.size, entries=excluded.entries, "
        "langs=excluded.langs, first_time=excluded.first_time, last_time=excluded.last_time, "
        "updated=excluded.updated, full_vector=excluded.full_vector, "
        "neutral_vector=excluded.neutral_vector, pivot_vector=excluded.pivot_vector, "
        "seq=excluded.seq",
        {P(s.id), P(s.title), P(static_cast<int64_t>(s.size)), P(nlohmann::json(s.langs).dump()),
         P(s.first_time), P(s.last_time), P(now), P(s.updated ? s.updated : now),
         Bytes(s.full_vector), Bytes(s.neutral_vector), P(static_cast<int64_t>(s.entries)),
         Bytes(s.pivot_vector), s.seq ? P(static_cast<int64_t>(s.seq)) : Null()});
  }

  Status PutDf(const std::vector<DfCount>& counts, const std::vector<DfDocuments>& documents,
               const std::vector<DfDay>& removed) override {
    for (const DfDay& d : removed)
      for (const char* sql : {"DELETE FROM df_days WHERE undated=$1 AND day=$2",
                              "DELETE FROM df_documents WHERE undated=$1 AND day=$2"}) {
        Status s = c_.Send(sql, {P(static_cast<int64_t>(d.undated)), P(d.day)});
        if (!s.ok()) return s;
      }
    // Counts go in arrays: one statement for the whole batch.
    if (!counts.empty()) {
      std::string undated = "{", day = "{", feature = "{", n = "{";
      for (size_t i = 0; i < counts.size(); ++i) {
        const char* sep = i ? "," : "";
        const DfCount& c = counts[i];
        undated += sep + std::to_string(c.bucket.undated ? 1 : 0);
        day += sep + std::to_string(c.bucket.day);
        feature += sep + std::to_string(static_cast<int64_t>(c.feature));
        n += sep + std::to_string(c.n);
      }
      for (std::string* a : {&undated, &day, &feature, &n}) *a += '}';
      Status s = c_.Send(
          "INSERT INTO df_days(undated,day,feature,n) SELECT * FROM unnest($1::bigint[], "
          "$2::bigint[], $3::bigint[], $4::bigint[]) ON CONFLICT(undated,day,feature) DO UPDATE "
          "SET n=excluded.n",
          {P(undated), P(day), P(feature), P(n)});
      if (!s.ok()) return s;
    }
    for (const DfDocuments& d : documents) {
      Status s = c_.Send(
          "INSERT INTO df_documents(undated,day,n) VALUES($1,$2,$3) ON CONFLICT(undated,day) "
          "DO UPDATE SET n=excluded.n",
          {P(static_cast<int64_t>(d.bucket.undated)), P(d.bucket.day),
           P(static_cast<int64_t>(d.documents))});
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  Status MergeStory(const std::string& from, const std::string& into) override {
    for (const char* sql :
         {"UPDATE memberships SET story=$2 WHERE story=$1",
          "UPDATE story_aliases SET target=$2 WHERE target=$1",
          "INSERT INTO story_aliases(id, target) VALUES($1, $2) ON CONFLICT(id) DO UPDATE SET "
          "target=excluded.target",
          "DELETE FROM stories WHERE id=$1 AND $2::text IS NOT NULL",
          "DELETE FROM story_intel WHERE story=$1 AND $2::text IS NOT NULL",
          "DELETE FROM story_entities WHERE story=$1 AND $2::text IS NOT NULL"}) {
      Status s = c_.Send(sql, {P(from), P(into)});
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  Result<std::string> ResolveStory(const std::string& id) override {
    auto r = c_.Query("SELECT target FROM story_aliases WHERE id=$1", {P(id)});
    if (!r.ok()) return r.status();
    return r->size() ? r->Text(0, 0) : id;
  }

  Status PutBoilerplate(const std::string& source, uint64_t hash, uint32_t n) override {
    if (n == 0)
      return c_.Send("DELETE FROM boilerplate WHERE source=$1 AND hash=$2", {P(source), P(hash)});
    return c_.Send(
        "INSERT INTO boilerplate(source,hash,n) VALUES($1,$2,$3) ON CONFLICT(source,hash) DO "
        "UPDATE SET n=excluded.n",
        {P(source), P(hash), P(static_cast<int64_t>(n))});
  }

  Status LoadBoilerplate(
      const std::function<void(const std::string&, uint64_t, uint32_t)>& fn) override {
    auto r = c_.Query("SELECT source,hash,n FROM boilerplate");
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->size(); ++i)
      fn(r->Text(i, 0), static_cast<uint64_t>(r->Int(i, 1)), static_cast<uint32_t>(r->Int(i, 2)));
    return Status::Ok();
  }

  Result<std::optional<FeedState>> GetFeedState(const std::string& url) override {
    auto r = c_.Query(
        "SELECT etag,last_modified,last_status,last_checked,failures,last_error FROM feeds "
        "WHERE url=$1",
        {P(url)});
    if (!r.ok()) return r.status();
    if (r->size() == 0) return std::optional<FeedState>();
    FeedState f;
    f.url = url;
    f.etag = r->Text(0, 0);
    f.last_modified = r->Text(0, 1);
    f.last_status = static_cast<long>(r->Int(0, 2));
    f.last_checked = r->Int(0, 3);
    f.failures = static_cast<int>(r->Int(0, 4));
    f.last_error = r->Text(0, 5);
    return std::optional<FeedState>(f);
  }

  Status PutFeedState(const FeedState& f) override {
    return c_.Send(
        "INSERT INTO feeds(url,etag,last_modified,last_status,last_checked,failures,last_error) "
        "VALUES($1,$2,$3,$4,$5,$6,$7) ON CONFLICT(url) DO UPDATE SET etag=excluded.etag, "
        "last_modified=excluded.last_modified, last_status=excluded.last_status, "
        "last_checked=excluded.last_checked, failures=excluded.failures, "
        "last_error=excluded.last_error",
        {P(f.url), P(f.etag), P(f.last_modified), P(static_cast<int64_t>(f.last_status)),
         P(f.last_checked), P(static_cast<int64_t>(f.failures)), P(f.last_error)});
  }

  Status PutArticleIntel(const std::string& article, const std::string& json) override {
    return c_.Send(
        "INSERT INTO article_intel(article, data) VALUES($1, $2) ON CONFLICT(article) DO UPDATE "
        "SET data=excluded.data",
        {P(article), P(json)});
  }

  Result<std::optional<std::string>> GetArticleIntel(const std::string& article) override {
    return OptionalText("SELECT data FROM article_intel WHERE article=$1", article);
  }

  Result<std::map<std::string, std::string>> StoryArticleIntel(const std::string& story) override {
    auto r = c_.Query(
        "SELECT i.article, i.data FROM memberships m JOIN article_intel i ON "
        "i.article=m.article WHERE m.story=$1",
        {P(story)});
    if (!r.ok()) return r.status();
    std::map<std::string, std::string> out;
    for (int i = 0; i < r->size(); ++i) out[r->Text(i, 0)] = r->Text(i, 1);
    return out;
  }

  Status PutStoryIntel(const std::string& story, const std::string& json,
                       const std::vector<EntityRow>& entities, int64_t now) override {
    // What listings sort and show, as columns (read here, not by the server).
    std::optional<int64_t> independent;
    std::string headline, headlines = "{}";
    auto j = nlohmann::json::parse(json, nullptr, false);
    if (j.is_object()) {
      auto src = j.find("sources");
      if (src != j.end() && src->is_object() && src->contains("independent") &&
          (*src)["independent"].is_number_integer())
        independent = (*src)["independent"].get<int64_t>();
      auto sum = j.find("summary");
      if (sum != j.end() && sum->is_object()) {
        if (sum->contains("headline") && (*sum)["headline"].is_string())
          headline = (*sum)["headline"].get<std::string>();
        if (sum->contains("headlines"))
          headlines =
              (*sum)["headlines"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      }
    }
    Status s = c_.Send(
        "INSERT INTO story_intel(story, data, updated, independent, headline, headlines) "
        "VALUES($1,$2,$3,$4,$5,$6) ON CONFLICT(story) DO UPDATE SET data=excluded.data, "
        "updated=excluded.updated, independent=excluded.independent, "
        "headline=excluded.headline, headlines=excluded.headlines, stamp=nextval('intel_stamps')",
        {P(story), P(json), P(now), P(independent), P(headline), P(headlines)});
    if (!s.ok()) return s;
    s = c_.Send("DELETE FROM story_entities WHERE story=$1", {P(story)});
    if (!s.ok()) return s;
    if (entities.empty()) return Status::Ok();
    // One statement for all of them (arrays), the last of a key winning.
    std::vector<std::string> keys, names, types, counts;
    for (const auto& e : entities) {
      keys.push_back(e.key);
      names.push_back(e.name);
      types.push_back(e.type);
      counts.push_back(std::to_string(e.count));
    }
    return c_.Send(
        "INSERT INTO story_entities(story, key, name, type, count) SELECT DISTINCT ON (k) $1, "
        "k, n, t, c FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[]) WITH "
        "ORDINALITY AS x(k, n, t, c, o) ORDER BY k, o DESC",
        {P(story), P(ArrayLiteral(keys)), P(ArrayLiteral(names)), P(ArrayLiteral(types)),
         P(ArrayLiteral(counts))});
  }

  Result<std::optional<std::string>> GetStoryIntel(const std::string& story) override {
    return OptionalText("SELECT data FROM story_intel WHERE story=$1", story);
  }

  static Param Limit(int64_t limit) { return limit < 0 ? Null() : P(limit); }

  Result<std::vector<EntityRow>> ListEntities(int64_t limit) override {
    auto r = c_.Query(
        "SELECT key, (SELECT name FROM story_entities b WHERE b.key=a.key GROUP BY name "
        "ORDER BY COUNT(*) DESC, LENGTH(name) DESC, name LIMIT 1), "
        "(SELECT type FROM story_entities b WHERE b.key=a.key GROUP BY type "
        "ORDER BY COUNT(*) DESC, type LIMIT 1), SUM(count), COUNT(*) FROM story_entities a "
        "GROUP BY key ORDER BY COUNT(*) DESC, SUM(count) DESC, key LIMIT $1::bigint",
        {Limit(limit)});
    if (!r.ok()) return r.status();
    std::vector<EntityRow> out;
    for (int i = 0; i < r->size(); ++i)
      out.push_back({r->Text(i, 0), r->Text(i, 1), r->Text(i, 2), r->Int(i, 3), r->Int(i, 4)});
    return out;
  }

  Result<std::vector<std::string>> EntityStories(const std::string& key, int64_t limit) override {
    return Strings(
        "SELECT e.story FROM story_entities e JOIN stories s ON s.id=e.story WHERE e.key=$1 "
        "ORDER BY s.last_time IS NULL, s.last_time DESC, s.updated DESC LIMIT $2::bigint",
        {P(key), Limit(limit)});
  }

  Result<std::vector<std::string>> FindEntityKeys(const std::string& name) override {
    return Strings(
        "SELECT DISTINCT key FROM story_entities WHERE lower(key COLLATE \"C\")=lower($1 "
        "COLLATE \"C\") OR lower(name COLLATE \"C\")=lower($1 COLLATE \"C\") ORDER BY key",
        {P(name)});
  }

  Result<std::vector<std::string>> Strings(const char* sql, const std::vector<Param>& params) {
    auto r = c_.Query(sql, params);
    if (!r.ok()) return r.status();
    std::vector<std::string> out;
    for (int i = 0; i < r->size(); ++i) out.push_back(r->Text(i, 0));
    return out;
  }

  Result<std::optional<std::string>> OptionalText(const char* sql, const std::string& arg) {
    auto r = c_.Query(sql, {P(arg)});
    if (!r.ok()) return r.status();
    if (r->size() == 0) return std::optional<std::string>();
    return std::optional<std::string>(r->Text(0, 0));
  }

  Status LoadDf(const std::function<void(const DfCount&)>& count,
                const std::function<void(const DfDocuments&)>& documents) override {
    {
      auto r = c_.Query("SELECT undated,day,feature,n FROM df_days ORDER BY undated,day,feature");
      if (!r.ok()) return r.status();
      for (int i = 0; i < r->size(); ++i) {
        int64_t n = r->Int(i, 3);
        if (n < 0 || n > UINT32_MAX)
          return Status::Corruption("df_days: count " + std::to_string(n) + " out of range");
        count({{r->Int(i, 1), r->Int(i, 0) != 0},
               static_cast<uint64_t>(r->Int(i, 2)),
               static_cast<uint32_t>(n)});
      }
    }
    auto r = c_.Query("SELECT undated,day,n FROM df_documents ORDER BY undated,day");
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->size(); ++i) {
      int64_t n = r->Int(i, 2);
      if (n < 0) return Status::Corruption("df_documents: negative count");
      documents({{r->Int(i, 1), r->Int(i, 0) != 0}, static_cast<uint64_t>(n)});
    }
    return Status::Ok();
  }

  Status LoadStories(std::optional<int64_t> since, int64_t undated_since,
                     const std::function<void(StoryRecord)>& fn) override {
    auto r = c_.Query(
        "SELECT id,title,size,langs,first_time,last_time,full_vector,neutral_vector,entries,"
        "pivot_vector,seq,updated FROM stories "
        "WHERE (last_time IS NULL AND updated >= $2::bigint) OR (last_time IS NOT NULL AND "
        "($1::bigint IS NULL OR last_time >= $1::bigint)) ORDER BY seq NULLS FIRST, ord",
        {P(since), P(undated_since)});
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->size(); ++i) {
      StoryRecord s;
      s.id = r->Text(i, 0);
      s.title = r->Text(i, 1);
      s.size = static_cast<uint32_t>(r->Int(i, 2));
      s.langs = ParseLangs<uint32_t>(r->Text(i, 3));
      s.first_time = r->OptInt(i, 4);
      s.last_time = r->OptInt(i, 5);
      s.full_vector = r->Blob(i, 6);
      s.neutral_vector = r->Blob(i, 7);
      s.entries = static_cast<uint32_t>(r->Int(i, 8));
      s.pivot_vector = r->Blob(i, 9);
      s.seq = static_cast<uint64_t>(r->OptInt(i, 10).value_or(0));
      s.updated = r->Int(i, 11);
      fn(std::move(s));
    }
    return Status::Ok();
  }

  Status LoadSketches(std::optional<int64_t> since, int64_t undated_since,
                      const std::function<void(int64_t, std::optional<int64_t>, int64_t,
                                               std::vector<uint64_t>)>& fn) override {
    auto r = c_.Query(
        "SELECT handle,published,ingested,sketch FROM articles WHERE (published IS NULL AND "
        "ingested >= $2::bigint) OR (published IS NOT NULL AND ($1::bigint IS NULL OR "
        "published >= $1::bigint)) ORDER BY handle",
        {P(since), P(undated_since)});
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->size(); ++i)
      fn(r->Int(i, 0), r->OptInt(i, 1), r->Int(i, 2), DecodeSketch(r->Blob(i, 3)));
    return Status::Ok();
  }

  Result<ArticleRef> ArticleByHandle(int64_t handle) override {
    auto r = c_.Query("SELECT id, published FROM articles WHERE handle=$1", {P(handle)});
    if (!r.ok()) return r.status();
    if (r->size()) return ArticleRef{r->Text(0, 0), r->OptInt(0, 1)};
    return Status::NotFound("no article with handle " + std::to_string(handle));
  }

  Result<std::string> StoryOf(const std::string& article_id) override {
    auto r = c_.Query("SELECT story FROM memberships WHERE article=$1", {P(article_id)});
    if (!r.ok()) return r.status();
    if (r->size()) return r->Text(0, 0);
    return Status::NotFound("article '" + article_id + "' has no story");
  }

  // Columns: id,title,size,langs,first_time,last_time,updated,entries,
  // independent,headline,headlines (STORY_COLUMNS).
  static StoryRow ReadStory(const Rows& r, int i) {
    StoryRow s;
    s.id = r.Text(i, 0);
    s.title = r.Text(i, 1);
    s.size = r.Int(i, 2);
    s.langs = ParseLangs<int64_t>(r.Text(i, 3));
    s.first_time = r.OptInt(i, 4);
    s.last_time = r.OptInt(i, 5);
    s.updated = r.Int(i, 6);
    s.entries = r.Int(i, 7);
    s.independent = r.Int(i, 8);
    s.headline = r.Text(i, 9);
    auto h = nlohmann::json::parse(r.Text(i, 10), nullptr, false);
    if (h.is_object())
      for (auto& [k, v] : h.items())
        if (v.is_string()) s.headlines[k] = v.get<std::string>();
    return s;
  }
#define STORY_COLUMNS                                                         \
  "s.id,s.title,s.size,s.langs,s.first_time,s.last_time,s.updated,s.entries," \
  "COALESCE(i.independent,0),COALESCE(i.headline,''),COALESCE(i.headlines,'{}') "
#define STORY_FROM "FROM stories s LEFT JOIN story_intel i ON i.story=s.id "

  Result<std::vector<StoryRow>> ListStories(const StoryFilter& f) override {
    std::string like;  // the source as a LIKE pattern: its wildcards escaped
    for (char c : f.source) {
      if (c == '%' || c == '_' || c == '\\') like += '\\';
      like += c;
    }
    std::vector<Param> params = {P(f.min_size), P(f.lang),  P(f.entity),    P(f.source),
                                 P(f.since),    P(f.until), Limit(f.limit), P(f.sort),
                                 Null(),        Null(),     Null(),         P(like)};
    if (!f.after.empty()) {
      // "k0:k1:id"
      size_t c1 = f.after.find(':');
      size_t c2 = c1 == std::string::npos ? c1 : f.after.find(':', c1 + 1);
      int64_t k0 = 0, k1 = 0;
      auto num = [](std::string_view v, int64_t* out) {
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
        return ec == std::errc() && p == v.data() + v.size();
      };
      std::string_view a(f.after);
      if (c2 == std::string::npos || !num(a.substr(0, c1), &k0) ||
          !num(a.substr(c1 + 1, c2 - c1 - 1), &k1))
        return Status::InvalidArgument("not a cursor of this listing: '" + f.after + "'");
      params[8] = P(k0);
      params[9] = P(k1);
      params[10] = P(f.after.substr(c2 + 1));
    }
    auto r = c_.Query(
        "SELECT * FROM (SELECT " STORY_COLUMNS
        ", CASE $8::text WHEN 'size' THEN s.size WHEN 'sources' THEN "
        "COALESCE(i.independent,0) WHEN 'top' THEN "
        "COALESCE(s.last_time,0) + 86400 * LEAST(COALESCE(i.independent,0), 10) ELSE "
        "COALESCE(s.last_time,0) END AS k0, "
        "COALESCE(s.last_time,0) AS k1 " STORY_FROM
        "WHERE s.size >= $1::bigint AND ($2::text = '' OR EXISTS (SELECT 1 FROM memberships m "
        "JOIN articles a ON a.id=m.article WHERE m.story=s.id AND a.lang=$2::text)) "
        "AND ($3::text = '' OR EXISTS (SELECT 1 FROM story_entities e WHERE e.story=s.id AND "
        "e.key=$3::text)) "
        "AND ($4::text = '' OR EXISTS (SELECT 1 FROM memberships m JOIN articles a ON "
        "a.id=m.article WHERE m.story=s.id AND (lower(a.source COLLATE \"C\")=lower($4::text "
        "COLLATE \"C\") OR a.url LIKE "
        "'%://' || $12::text || '/%' OR a.url LIKE '%.' || $12::text || '/%'))) "
        "AND ($5::bigint IS NULL OR s.last_time >= $5::bigint) AND ($6::bigint IS NULL OR "
        "s.first_time <= $6::bigint)) q "
        "WHERE ($9::bigint IS NULL OR k0 < $9::bigint OR (k0 = $9::bigint AND (k1 < $10::bigint "
        "OR (k1 = $10::bigint AND id > $11::text COLLATE \"C\")))) "
        "ORDER BY k0 DESC, k1 DESC, id LIMIT $7::bigint",
        params);
    if (!r.ok()) return r.status();
    std::vector<StoryRow> out;
    for (int i = 0; i < r->size(); ++i) out.push_back(ReadStory(*r, i));
    return out;
  }

  Result<std::string> StoryStamp(const std::string& id) override {
    auto r = c_.Query(
        "SELECT s.size, s.entries, s.updated, COALESCE(s.last_time, 0), COALESCE(i.stamp, 0) "
        "FROM stories s LEFT JOIN story_intel i ON i.story=s.id WHERE s.id=$1",
        {P(id)});
    if (!r.ok()) return r.status();
    if (r->size() == 0) return Status::NotFound("no story '" + id + "'");
    std::string stamp;
    for (int c = 0; c < 5; ++c) stamp += std::to_string(r->Int(0, c)) + ":";
    return stamp;
  }

  Result<StoryRow> GetStory(const std::string& id) override {
    auto r = c_.Query("SELECT " STORY_COLUMNS STORY_FROM "WHERE s.id=$1", {P(id)});
    if (!r.ok()) return r.status();
    if (r->size()) return ReadStory(*r, 0);
    return Status::NotFound("no story '" + id + "'");
  }

  // Columns: id,title,text,lang,lang_confidence,lang_method,source,url,
  // published,ingested,content_hash,origin,repairs,names,handle.
  static StoredArticle ReadArticle(const Rows& r, int i) {
    StoredArticle a;
    a.article.id = r.Text(i, 0);
    a.article.title = r.Text(i, 1);
    a.article.text = r.Text(i, 2);
    a.lang = r.Text(i, 3);
    a.lang_confidence = r.Real(i, 4);
    a.lang_method = r.Text(i, 5);
    a.article.source = r.Text(i, 6);
    a.article.url = r.Text(i, 7);
    a.article.published = r.OptInt(i, 8);
    a.ingested = r.Int(i, 9);
    a.content_hash = static_cast<uint64_t>(r.Int(i, 10));
    a.article.origin = r.Text(i, 11);
    a.article.repairs = ParseStrings(r.Text(i, 12));
    a.names = ParseStrings(r.Text(i, 13));
    a.handle = r.Int(i, 14);
    return a;
  }

  Result<std::vector<StoredArticle>> StoryArticles(const std::string& id,
                                                   bool with_text = true) override {
    auto r = c_.Query(
        "SELECT a.id,a.title,CASE WHEN $2::boolean THEN a.text ELSE '' "
        "END,a.lang,a.lang_confidence,a.lang_method,a.source,a.url,"
        "a.published,a.ingested,a.content_hash,a.origin,a.repairs,a.names,a.handle FROM "
        "memberships m JOIN articles a ON a.id=m.article WHERE m.story=$1 "
        "UNION ALL SELECT (e.article || '#' || e.n) COLLATE \"C\", e.title, CASE WHEN "
        "$2::boolean THEN e.text ELSE '' END, a.lang, a.lang_confidence, "
        "a.lang_method, a.source, a.url, a.published, a.ingested, 0, a.origin, '[]', '[]', "
        "a.handle FROM memberships m JOIN entries e ON m.article = e.article || '#' || e.n "
        "JOIN articles a ON a.id=e.article WHERE m.story=$1 ORDER BY 9 NULLS FIRST, 15, 1",
        {P(id), P(with_text)});
    if (!r.ok()) return r.status();
    std::vector<StoredArticle> out;
    for (int i = 0; i < r->size(); ++i) out.push_back(ReadArticle(*r, i));
    return out;
  }

  Result<std::vector<Membership>> StoryMemberships(const std::string& id) override {
    auto r = c_.Query(
        "SELECT article,story,score,reason,detail FROM memberships WHERE story=$1 ORDER BY "
        "article",
        {P(id)});
    if (!r.ok()) return r.status();
    std::vector<Membership> out;
    for (int i = 0; i < r->size(); ++i)
      out.push_back({r->Text(i, 0), r->Text(i, 1), r->Real(i, 2), r->Text(i, 3), r->Text(i, 4)});
    return out;
  }

  Result<std::vector<DuplicateLink>> Links(const char* sql, const std::string& arg) {
    auto r = c_.Query(sql, {P(arg)});
    if (!r.ok()) return r.status();
    std::vector<DuplicateLink> out;
    for (int i = 0; i < r->size(); ++i)
      out.push_back({r->Text(i, 0), r->Text(i, 1), r->Text(i, 2), r->Real(i, 3), r->Real(i, 4),
                     static_cast<int>(r->Int(i, 5))});
    return out;
  }
  Result<std::vector<DuplicateLink>> DuplicatesOf(const std::string& article_id) override {
    return Links(
        "SELECT article,\"of\",kind,resemblance,containment,shared FROM duplicates WHERE "
        "article=$1 OR \"of\"=$1 ORDER BY article, \"of\"",
        article_id);
  }
  Result<std::vector<DuplicateLink>> StoryDuplicates(const std::string& story) override {
    return Links(
        "SELECT article,\"of\",kind,resemblance,containment,shared FROM duplicates WHERE article "
        "IN (SELECT article FROM memberships WHERE story=$1) OR \"of\" IN (SELECT article FROM "
        "memberships WHERE story=$1) ORDER BY article, \"of\"",
        story);
  }

  Status ForEachAssignment(const std::function<void(const std::string&, const std::string&,
                                                    const std::string&)>& fn) override {
    auto r = c_.Query(
        "SELECT m.article, m.story, a.lang FROM memberships m JOIN articles a ON a.id=m.article "
        "UNION ALL SELECT l.id, m.story, a.lang FROM aliases l JOIN memberships m ON "
        "m.article=l.canonical JOIN articles a ON a.id=l.canonical ORDER BY 1");
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->size(); ++i) fn(r->Text(i, 0), r->Text(i, 1), r->Text(i, 2));
    return Status::Ok();
  }

  Result<std::vector<std::pair<Reject, int64_t>>> ListRejects(int64_t limit) override {
    auto r =
        c_.Query("SELECT origin,reason,message,at FROM rejects ORDER BY id DESC LIMIT $1::bigint",
                 {Limit(limit)});
    if (!r.ok()) return r.status();
    std::vector<std::pair<Reject, int64_t>> out;
    for (int i = 0; i < r->size(); ++i)
      out.push_back({Reject{r->Text(i, 0), r->Text(i, 1), r->Text(i, 2)}, r->Int(i, 3)});
    return out;
  }

  Result<std::vector<Repaired>> ListRepaired(int64_t limit) override {
    auto r = c_.Query(
        "SELECT id, origin, repairs, ingested FROM articles WHERE repairs != '[]' "
        "ORDER BY handle DESC LIMIT $1::bigint",
        {Limit(limit)});
    if (!r.ok()) return r.status();
    std::vector<Repaired> out;
    for (int i = 0; i < r->size(); ++i) {
      Repaired x;
      x.id = r->Text(i, 0);
      x.origin = r->Text(i, 1);
      x.repairs = ParseStrings(r->Text(i, 2));
      x.ingested = r->Int(i, 3);
      out.push_back(std::move(x));
    }
    return out;
  }

  Result<StoredArticle> GetArticle(const std::string& id) override {
    auto canonical = CanonicalId(id);
    if (!canonical.ok()) return canonical.status();
    auto r = c_.Query(
        "SELECT id,title,text,lang,lang_confidence,lang_method,source,url,published,ingested,"
        "content_hash,origin,repairs,names,handle FROM articles WHERE id=$1",
        {P(*canonical)});
    if (!r.ok()) return r.status();
    if (r->size() == 0) return Status::NotFound("no article '" + id + "'");
    return ReadArticle(*r, 0);
  }

  // The user's words as a tsquery: each word a quoted lexeme (so that no
  // input is a syntax error), ANDed; a trailing * keeps a prefix. Lexemes
  // are folded by the same configuration as the index.
  static std::string QueryExpression(const std::string& text) {
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      size_t j = i;
      while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
      std::string word = text.substr(i, j - i);
      i = j;
      bool prefix = word.size() > 1 && word.back() == '*';
      if (prefix) word.pop_back();
      std::string clean;
      for (char c : word) {
        unsigned char u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || u >= 0x80)
          clean += c;
        else if (!clean.empty() && clean.back() != ' ')
          clean += ' ';
      }
      while (!clean.empty() && clean.back() == ' ') clean.pop_back();
      if (clean.empty()) continue;
      // A word with inner punctuation ("U.S.", "e-post") is its parts in a row.
      std::string part, phrase;
      for (size_t k = 0; k <= clean.size(); ++k) {
        if (k == clean.size() || clean[k] == ' ') {
          if (!phrase.empty()) phrase += " <-> ";
          phrase += "'" + part + "'";
          part.clear();
        } else {
          part += clean[k];
        }
      }
      if (prefix) phrase += ":*";
      if (!out.empty()) out += " & ";
      out += "(" + phrase + ")";
    }
    return out;
  }

  Result<std::vector<SearchHit>> Search(const SearchQuery& q) override {
    std::vector<SearchHit> out;
    std::string expr = QueryExpression(q.text);
    if (expr.empty()) return out;
    // The query's lexemes folded as the index's (to_tsquery through the
    // configuration); highlights between \x02 and \x03.
    auto r = c_.Query(
        "WITH q AS (SELECT to_tsquery('storyline', $1) AS tq) "
        "SELECT a.id, a.title, a.lang, a.source, a.published, COALESCE(m.story, ''), "
        "ts_headline('storyline', a.title, q.tq, 'HighlightAll=true, StartSel=' || chr(2) || "
        "', StopSel=' || chr(3)), "
        "ts_headline('storyline', left(a.text, 200000), q.tq, 'MaxWords=24, MinWords=12, "
        "MaxFragments=1, FragmentDelimiter=…, StartSel=' || chr(2) || ', StopSel=' || chr(3)) "
        "FROM q, articles a LEFT JOIN memberships m ON m.article = a.id "
        "WHERE a.search @@ q.tq AND ($2::text = '' OR a.lang = $2::text) "
        "ORDER BY ts_rank('{0.1, 0.2, 0.4, 1.0}', a.search, q.tq) DESC, a.handle "
        "LIMIT $3::bigint OFFSET $4::bigint",
        {P(expr), P(q.lang), Limit(q.limit), P(std::max<int64_t>(0, q.offset))});
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->size(); ++i) {
      SearchHit h;
      h.article = r->Text(i, 0);
      h.title = r->Text(i, 1);
      h.lang = r->Text(i, 2);
      h.source = r->Text(i, 3);
      h.published = r->OptInt(i, 4);
      h.story = r->Text(i, 5);
      h.title_marked = r->Text(i, 6);
      h.snippet_marked = r->Text(i, 7);
      out.push_back(std::move(h));
    }
    return out;
  }

  Result<std::vector<std::string>> TakedownTargets(const std::string& kind,
                                                   const std::string& value) override {
    if (kind == "source") {
      // Source names and URL hosts are compared in C++ (the same rule as
      // TakenDown): a scan, but takedowns are rare.
      const std::string want = Lower(value);
      auto r = c_.Query("SELECT id, source, url FROM articles ORDER BY handle");
      if (!r.ok()) return r.status();
      std::vector<std::string> out;
      for (int i = 0; i < r->size(); ++i) {
        bool match = !want.empty() && Lower(r->Text(i, 1)) == want;
        for (const auto& d : HostDomains(r->Text(i, 2))) match |= d == want;
        if (match) out.push_back(r->Text(i, 0));
      }
      return out;
    }
    if (kind == "article")
      return Strings(
          "SELECT id FROM articles WHERE id=$1 UNION SELECT canonical FROM aliases WHERE id=$1",
          {P(value)});
    if (kind == "url")
      return Strings("SELECT id FROM articles WHERE url=$1 ORDER BY handle", {P(value)});
    return Status::InvalidArgument("a takedown is of an article, url or source");
  }

  Result<Erased> EraseArticle(const std::string& id) override {
    Erased out;
    next_handle_ = 0;  // as SQLite's rowid: the largest remaining handle + 1
    auto stories = Strings(
        "SELECT DISTINCT story FROM memberships WHERE article=$1 OR article IN (SELECT "
        "article || '#' || n FROM entries WHERE article=$1) ORDER BY story",
        {P(id)});
    if (!stories.ok()) return stories.status();
    out.stories = std::move(*stories);
    auto r = c_.Query(
        "SELECT id, raw_hash FROM aliases WHERE canonical=$1 UNION ALL SELECT NULL, "
        "content_hash FROM articles WHERE id=$1 UNION ALL SELECT NULL, raw_hash FROM "
        "articles WHERE id=$1",
        {P(id)});
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->size(); ++i) {
      if (!r->Null(i, 0)) out.aliases.push_back(r->Text(i, 0));
      if (auto h = r->OptInt(i, 1)) out.hashes.push_back(static_cast<uint64_t>(*h));
    }
    for (const char* sql : {
             "DELETE FROM memberships WHERE article=$1 OR article IN (SELECT article || '#' || n "
             "FROM entries WHERE article=$1) OR article IN (SELECT id FROM aliases WHERE "
             "canonical=$1)",
             "DELETE FROM duplicates WHERE article=$1 OR \"of\"=$1 OR article IN "
             "(SELECT id FROM aliases WHERE canonical=$1)",
             "DELETE FROM aliases WHERE canonical=$1 OR id=$1",
             "DELETE FROM entries WHERE article=$1", "DELETE FROM revisions WHERE article=$1",
             "DELETE FROM article_intel WHERE article=$1",
             "DELETE FROM articles WHERE id=$1",  // and its search entry (a column)
         }) {
      Status s = c_.Send(sql, {P(id)});
      if (!s.ok()) return s;
    }
    return out;
  }

  Result<bool> RecountStory(const std::string& story, int64_t now) override {
    auto arts = StoryArticles(story);
    if (!arts.ok()) return arts.status();
    if (arts->empty()) {
      for (const char* sql :
           {"DELETE FROM stories WHERE id=$1", "DELETE FROM story_intel WHERE story=$1",
            "DELETE FROM story_entities WHERE story=$1",
            "DELETE FROM story_aliases WHERE target=$1"}) {
        Status s = c_.Send(sql, {P(story)});
        if (!s.ok()) return s;
      }
      return false;
    }
    StoryTally t = Tally(*arts);
    Status s = c_.Send(
        "UPDATE stories SET title=$2, size=$3, entries=$4, langs=$5, first_time=$6, "
        "last_time=$7, updated=$8 WHERE id=$1",
        {P(story), P(t.title), P(t.size), P(t.entries), P(t.langs), P(t.first), P(t.last), P(now)});
    if (!s.ok()) return s;
    return true;
  }

  Status PutTakedown(TakedownRecord* r, const std::vector<uint64_t>& hashes) override {
    nlohmann::json ids = r->articles;
    auto seq = c_.Query(
        "INSERT INTO takedowns(kind, value, reason, at, articles) VALUES($1,$2,$3,$4,$5) "
        "RETURNING seq",
        {P(r->kind), P(r->value), P(r->reason), P(r->at),
         P(ids.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))});
    if (!seq.ok()) return seq.status();
    r->seq = seq->Int(0, 0);
    std::vector<std::pair<std::string, std::string>> stones = {
        {r->kind, r->kind == "source" ? Lower(r->value) : r->value}};
    for (const auto& id : r->articles) stones.push_back({"article", id});
    for (uint64_t h : hashes) stones.push_back({"hash", std::to_string(h)});
    for (const auto& [k, v] : stones) {
      Status s = c_.Send(
          "INSERT INTO tombstones(kind, value, takedown) VALUES($1,$2,$3) ON CONFLICT(kind, "
          "value) DO UPDATE SET takedown=excluded.takedown",
          {P(k), P(v), P(r->seq)});
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  Result<std::optional<std::string>> TakenDown(const std::string& id, const std::string& url,
                                               const std::string& source,
                                               uint64_t raw_hash) override {
    // One query for every probe: the id, URL, content and each source name.
    std::vector<std::pair<std::string, std::string>> probes = {
        {"article", id}, {"url", url}, {"hash", std::to_string(raw_hash)}};
    if (!source.empty()) probes.push_back({"source", Lower(source)});
    for (const auto& d : HostDomains(url)) probes.push_back({"source", d});
    nlohmann::json kinds = nlohmann::json::array(), values = nlohmann::json::array();
    for (const auto& [k, v] : probes) {
      if (v.empty()) continue;
      kinds.push_back(k);
      values.push_back(v);
    }
    auto r = c_.Query(
        "SELECT t.kind || ' ' || t.value || ': ' || t.reason FROM "
        "jsonb_array_elements_text($1::jsonb) WITH ORDINALITY k(kind, o) JOIN "
        "jsonb_array_elements_text($2::jsonb) WITH ORDINALITY v(value, o) USING (o) "
        "JOIN tombstones b ON b.kind=k.kind AND b.value=v.value JOIN takedowns t ON "
        "t.seq=b.takedown ORDER BY o LIMIT 1",
        {P(kinds.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)),
         P(values.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))});
    if (!r.ok()) return r.status();
    if (r->size() == 0) return std::optional<std::string>();
    return std::optional<std::string>(r->Text(0, 0));
  }

  Result<int64_t> CountTombstones() override { return Count("SELECT COUNT(*) FROM tombstones"); }

  Result<std::vector<TakedownRecord>> ListTakedowns(int64_t limit) override {
    auto r = c_.Query(
        "SELECT seq, kind, value, reason, at, articles FROM takedowns ORDER BY seq DESC LIMIT "
        "$1::bigint",
        {Limit(limit)});
    if (!r.ok()) return r.status();
    std::vector<TakedownRecord> out;
    for (int i = 0; i < r->size(); ++i) {
      TakedownRecord t;
      t.seq = r->Int(i, 0);
      t.kind = r->Text(i, 1);
      t.value = r->Text(i, 2);
      t.reason = r->Text(i, 3);
      t.at = r->Int(i, 4);
      t.articles = ParseStrings(r->Text(i, 5));
      out.push_back(std::move(t));
    }
    return out;
  }

  // Removed rows are gone from every query at commit; VACUUM frees their
  // space for reuse (PostgreSQL does not overwrite it: DESIGN.md says what
  // that means for a takedown).
  Status Scrub() override {
    if (PQtransactionStatus(c_.get()) != PQTRANS_IDLE) return Status::Ok();
    for (const char* table : {"articles", "aliases", "entries", "revisions", "article_intel"}) {
      Status s = c_.Exec(std::string("VACUUM ") + table);  // one by one: not in a transaction
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  Result<int64_t> Count(const char* sql, const std::vector<Param>& params = {}) {
    auto r = c_.Query(sql, params);
    if (!r.ok()) return r.status();
    return r->size() ? r->Int(0, 0) : int64_t{0};
  }
  Result<int64_t> CountArticles() override { return Count("SELECT COUNT(*) FROM articles"); }
  Result<int64_t> CountStories() override {
    return Count("SELECT COUNT(*) FROM stories WHERE size > 0");
  }

 private:
  Connection c_;
  int64_t next_handle_ = 0;  // 0: read from the store at the next PutArticle
};

// The writer lock of a PostgreSQL store: a session advisory lock on a
// connection of its own, released when it closes (or the process dies).
struct PgLockHolder {
  Connection c;
};

}  // namespace

Result<std::unique_ptr<ArticleStore>> OpenPostgresStore(const std::string& conninfo,
                                                        const StoreOptions& options) {
  auto store = std::make_unique<PostgresStore>();
  Status s = store->Open(conninfo, options);
  if (!s.ok()) return s;
  return std::unique_ptr<ArticleStore>(std::move(store));
}

Result<std::shared_ptr<void>> AcquirePostgresLock(
    const std::string& conninfo, bool wait,
    const std::function<void(const std::string& holder)>& on_wait) {
  auto h = std::make_shared<PgLockHolder>();
  Status s = h->c.Connect(conninfo);
  if (!s.ok()) return s;
  constexpr const char* kKey = "7307416837";
  auto got = h->c.Query((std::string("SELECT pg_try_advisory_lock(") + kKey + ")").c_str());
  if (!got.ok()) return got.status();
  if (!got->Bool(0, 0)) {
    auto who = h->c.Query(
        (std::string("SELECT COALESCE(a.application_name, '') || ' (server pid ' || l.pid || "
                     "', from ' || COALESCE(host(a.client_addr), 'a local socket') || ')' FROM "
                     "pg_locks l LEFT JOIN pg_stat_activity a ON a.pid=l.pid WHERE "
                     "l.locktype='advisory' AND l.granted AND l.objid=") +
         kKey + " % 4294967296 LIMIT 1")
            .c_str());
    std::string holder = who.ok() && who->size() ? who->Text(0, 0) : "another writer";
    if (!wait)
      return Status::IOError("the PostgreSQL store is being written by " + holder +
                             "; one writer at a time (use --wait to queue behind it)");
    if (on_wait) on_wait(holder);
    auto wr = h->c.Query((std::string("SELECT pg_advisory_lock(") + kKey + ")").c_str());
    if (!wr.ok()) return wr.status();
  }
  return std::shared_ptr<void>(h);
}

bool IsPostgresStore(const std::string& spec) {
  return spec.rfind("postgres://", 0) == 0 || spec.rfind("postgresql://", 0) == 0;
}

}  // namespace storyline

#else  // built without libpq

#include "store/store.h"

namespace storyline {

namespace {
Status NotBuilt() {
  return Status::InvalidArgument(
      "this storyline was built without PostgreSQL support (install libpq-dev: "
      "`scripts/install-deps test`, then rebuild)");
}
}  // namespace

Result<std::unique_ptr<ArticleStore>> OpenPostgresStore(const std::string&, const StoreOptions&) {
  return NotBuilt();
}
Result<std::shared_ptr<void>> AcquirePostgresLock(const std::string&, bool,
                                                  const std::function<void(const std::string&)>&) {
  return NotBuilt();
}
bool IsPostgresStore(const std::string& spec) {
  return spec.rfind("postgres://", 0) == 0 || spec.rfind("postgresql://", 0) == 0;
}

}  // namespace storyline

#endif  // STORYLINE_POSTGRES
