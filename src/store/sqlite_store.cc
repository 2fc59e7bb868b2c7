// The embedded store: one SQLite file in WAL mode.
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>
#include <unordered_map>

#include "store/codec.h"
#include "store/fts.h"
#include "store/store.h"

namespace storyline {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles(
  handle INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  lang TEXT NOT NULL,
  lang_confidence REAL NOT NULL,
  lang_method TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT '',
  url TEXT NOT NULL DEFAULT '',
  published INTEGER,
  ingested INTEGER NOT NULL,
  content_hash INTEGER NOT NULL,
  origin TEXT NOT NULL DEFAULT '',
  repairs TEXT NOT NULL DEFAULT '[]',
  names TEXT NOT NULL DEFAULT '[]',
  sketch BLOB,
  raw_hash INTEGER);
CREATE INDEX IF NOT EXISTS articles_hash ON articles(content_hash);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
CREATE TABLE IF NOT EXISTS aliases(id TEXT PRIMARY KEY, canonical TEXT NOT NULL, origin TEXT NOT NULL DEFAULT '', raw_hash INTEGER);
CREATE TABLE IF NOT EXISTS stories(
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  size INTEGER NOT NULL,
  entries INTEGER NOT NULL DEFAULT 0,
  langs TEXT NOT NULL,
  first_time INTEGER,
  last_time INTEGER,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  full_vector BLOB,
  neutral_vector BLOB,
  pivot_vector BLOB);
CREATE INDEX IF NOT EXISTS stories_last ON stories(last_time);
CREATE TABLE IF NOT EXISTS memberships(
  article TEXT PRIMARY KEY,
  story TEXT NOT NULL,
  score REAL NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}');
CREATE INDEX IF NOT EXISTS memberships_story ON memberships(story);
CREATE TABLE IF NOT EXISTS duplicates(
  article TEXT NOT NULL,
  of TEXT NOT NULL,
  kind TEXT NOT NULL,
  resemblance REAL NOT NULL,
  containment REAL NOT NULL,
  shared INTEGER NOT NULL,
  PRIMARY KEY(article, of));
CREATE INDEX IF NOT EXISTS duplicates_of ON duplicates(of);
CREATE TABLE IF NOT EXISTS rejects(
  rowid INTEGER PRIMARY KEY,
  origin TEXT NOT NULL,
  reason TEXT NOT NULL,
  message TEXT NOT NULL,
  at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS rejects_origin ON rejects(origin);
CREATE TABLE IF NOT EXISTS story_aliases(id TEXT PRIMARY KEY, target TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS boilerplate(
  source TEXT NOT NULL,
  hash INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY(source, hash)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS boilerplate_log(
  seq INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  hash INTEGER NOT NULL,
  n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS entries(
  article TEXT NOT NULL,
  n INTEGER NOT NULL,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY(article, n));
CREATE TABLE IF NOT EXISTS feeds(
  url TEXT PRIMARY KEY,
  etag TEXT NOT NULL DEFAULT '',
  last_modified TEXT NOT NULL DEFAULT '',
  last_status INTEGER NOT NULL DEFAULT 0,
  last_checked INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS revisions(
  article TEXT NOT NULL,
  n INTEGER NOT NULL,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  content_hash INTEGER NOT NULL,
  replaced INTEGER NOT NULL,
  PRIMARY KEY(article, n));
CREATE TABLE IF NOT EXISTS df(feature INTEGER PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS article_intel(article TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS story_intel(
  story TEXT PRIMARY KEY,
  data TEXT NOT NULL,
  updated INTEGER NOT NULL,
  independent INTEGER);
CREATE TABLE IF NOT EXISTS story_entities(
  story TEXT NOT NULL,
  key TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY(story, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS story_entities_key ON story_entities(key);
CREATE TABLE IF NOT EXISTS df_days(
  undated INTEGER NOT NULL,
  day INTEGER NOT NULL,
  feature INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY(undated, day, feature)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS df_documents(
  undated INTEGER NOT NULL,
  day INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY(undated, day)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS takedowns(
  seq INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  reason TEXT NOT NULL,
  at INTEGER NOT NULL,
  articles TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS tombstones(
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  takedown INTEGER NOT NULL,
  PRIMARY KEY(kind, value)) WITHOUT ROWID;
)sql";

// The paragraph counts as they stand (PutBoilerplate): those of the table
// that the log does not change, then the log's last count of each key (0:
// forgotten). Made after the tables (and again after a rebuild of them).
constexpr const char* kBoilerplateView = R"sql(
CREATE VIEW IF NOT EXISTS boilerplate_counts AS
  WITH latest AS (SELECT source,hash,n FROM (SELECT source,hash,n,row_number() OVER
    (PARTITION BY source,hash ORDER BY seq DESC) AS r FROM boilerplate_log) WHERE r=1)
  SELECT source,hash,n FROM boilerplate b WHERE NOT EXISTS (SELECT 1 FROM latest l
    WHERE l.source=b.source AND l.hash=b.hash)
  UNION ALL SELECT source,hash,n FROM latest WHERE n>0;
)sql";

// Full-text search over the articles table (external content: the index
// holds tokens, the text stays in `articles`), kept in step by triggers.
constexpr const char* kSearchSchema = R"sql(
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(title, text, content='articles',
  content_rowid='handle', tokenize='storyline');
CREATE TRIGGER IF NOT EXISTS articles_search_insert AFTER INSERT ON articles BEGIN
  INSERT INTO search(rowid, title, text) VALUES (new.handle, new.title, new.text);
END;
CREATE TRIGGER IF NOT EXISTS articles_search_delete AFTER DELETE ON articles BEGIN
  INSERT INTO search(search, rowid, title, text) VALUES ('delete', old.handle, old.title, old.text);
END;
CREATE TRIGGER IF NOT EXISTS articles_search_update AFTER UPDATE OF title, text ON articles BEGIN
  INSERT INTO search(search, rowid, title, text) VALUES ('delete', old.handle, old.title, old.text);
  INSERT INTO search(rowid, title, text) VALUES (new.handle, new.title, new.text);
END;
)sql";

class Stmt {
 public:
  Stmt() = default;
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Status Prepare(sqlite3* db, const char* sql) {
    sqlite3_finalize(s_);
    s_ = nullptr;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr) != SQLITE_OK)
      return Status::Internal(std::string("prepare: ") + sqlite3_errmsg(db) + " in: " + sql);
    return Status::Ok();
  }
  sqlite3_stmt* get() { return s_; }
  Stmt& Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    return *this;
  }
  Stmt& Bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, std::optional<int64_t> v) {
    if (v)
      sqlite3_bind_int64(s_, i, *v);
    else
      sqlite3_bind_null(s_, i);
    return *this;
  }
  Stmt& BindBlob(int i, const std::string& v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  int Step() { return sqlite3_step(s_); }
  std::string Text(int c) {
    auto* p = sqlite3_column_text(s_, c);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(s_, c)))
             : std::string();
  }
  std::string Blob(int c) {
    auto* p = sqlite3_column_blob(s_, c);
    return p ? std::string(static_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(s_, c)))
             : std::string();
  }
  int64_t Int(int c) { return sqlite3_column_int64(s_, c); }
  double Real(int c) { return sqlite3_column_double(s_, c); }
  std::optional<int64_t> OptInt(int c) {
    if (sqlite3_column_type(s_, c) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_int64(s_, c);
  }

 private:
  sqlite3_stmt* s_ = nullptr;
};

// A prepared statement on loan to one method: reset when the method is done
// with it, so that no statement keeps a read transaction open (an open read
// transaction stops the write-ahead log from being checkpointed and reused).
class Lease {
 public:
  explicit Lease(Stmt* s) : s_(s) {}
  Lease(Lease&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  Lease& operator=(Lease&&) = delete;
  ~Lease() {
    if (s_) sqlite3_reset(s_->get());
  }
  Stmt* operator->() { return s_; }
  operator Stmt*() { return s_; }  // NOLINT: a lease is used as the statement

 private:
  Stmt* s_;
};

using namespace store_codec;  // NOLINT: the stage's own helpers

class SqliteStore final : public ArticleStore {
 public:
  ~SqliteStore() override {
    stmts_.clear();
    if (db_) sqlite3_close_v2(db_);
  }

  Status Open(const std::string& path, const StoreOptions& options) {
    int rc =
        sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      return Status::IOError("cannot open database '" + path + "': " + msg);
    }
    sqlite3_busy_timeout(db_, 5000);
    if (Status t = RegisterFoldTokenizer(db_); !t.ok()) return t;
    std::string sync = options.synchronous == "NORMAL" ? "NORMAL"
                       : options.synchronous == "OFF"  ? "OFF"
                                                       : "FULL";
    Status s = Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=" + sync +
                    "; PRAGMA foreign_keys=OFF; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-" +
                    std::to_string(std::max<int64_t>(1, options.cache_mib) * 1024) +
                    "; PRAGMA secure_delete=ON;");
    if (!s.ok()) return Status::IOError("'" + path + "' is not a usable database: " + s.message());
    s = Exec(kSchema);
    if (!s.ok()) return Status::Corruption("'" + path + "': cannot create schema: " + s.message());
    // Columns added after the first release: stores made before get them.
    for (const auto& [table, column, type] :
         {std::tuple<const char*, const char*, const char*>{"stories", "pivot_vector", "BLOB"},
          {"articles", "raw_hash", "INTEGER"},
          {"aliases", "raw_hash", "INTEGER"},
          {"stories", "seq", "INTEGER"},
          {"story_intel", "independent", "INTEGER"}}) {
      if (HasColumn(table, column)) continue;
      const bool fill = std::string(column) == "independent";
      s = Exec(std::string(fill ? "BEGIN IMMEDIATE; " : "") + "ALTER TABLE " + table +
               " ADD COLUMN " + column + " " + type);
      // Summaries stored before the column was: filled in the same transaction.
      if (s.ok() && fill)
        s = Exec(
            "UPDATE story_intel SET independent = json_extract(data, '$.sources.independent') "
            "WHERE json_valid(data); COMMIT");
      if (!s.ok() && fill) (void)Exec("ROLLBACK");  // the error to report is s
      // Another process may have added it in between.
      if (!s.ok() && !HasColumn(table, column))
        return Status::IOError("'" + path + "': cannot upgrade schema: " + s.message());
    }
    s = Exec("CREATE INDEX IF NOT EXISTS articles_raw ON articles(raw_hash)");
    if (!s.ok()) return Status::IOError("'" + path + "': cannot upgrade schema: " + s.message());
    s = MigrateDf();
    if (s.ok()) s = MigrateBoilerplate();
    if (s.ok()) s = Exec(kBoilerplateView);
    if (!s.ok()) return Status::IOError("'" + path + "': cannot upgrade schema: " + s.message());
    s = CreateSearch();
    if (!s.ok())
      return Status::IOError("'" + path + "': cannot create the search index: " + s.message());
    s = CreateStoryCount();
    if (!s.ok()) return Status::IOError("'" + path + "': cannot upgrade schema: " + s.message());
    // The log is truncated back to this size whenever it restarts.
    return Exec("PRAGMA journal_size_limit=67108864");
  }

  // The number of live stories (size > 0), kept by triggers: counting them
  // would read the whole stories table, vectors and all, at every ingest.
  // A store made before gets the count once, in the transaction that adds
  // the triggers.
  // Whether the schema has an object of this name. The read is over when
  // this returns (a read still open would make a BEGIN IMMEDIATE after it
  // fail at once instead of waiting).
  Result<bool> InSchema(const std::string& name) {
    auto st = S("SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE name=?)");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, name);
    auto row = Row(*st);
    if (!row.ok()) return row.status();
    return *row && (*st)->Int(0) != 0;
  }

  Status CreateStoryCount() {
    auto had = InSchema("stories_count_delete");  // a plain read first
    if (!had.ok()) return had.status();
    if (*had) return Status::Ok();
    Status s = Exec(
        "BEGIN IMMEDIATE;"
        "CREATE TABLE IF NOT EXISTS counts(name TEXT PRIMARY KEY, n INTEGER NOT NULL);"
        "INSERT OR REPLACE INTO counts VALUES('live_stories', "
        "(SELECT COUNT(*) FROM stories WHERE size > 0));"
        "CREATE TRIGGER IF NOT EXISTS stories_count_insert AFTER INSERT ON stories "
        "WHEN new.size > 0 BEGIN "
        "UPDATE counts SET n = n + 1 WHERE name = 'live_stories'; END;"
        "CREATE TRIGGER IF NOT EXISTS stories_count_update AFTER UPDATE OF size ON stories "
        "WHEN (old.size > 0) <> (new.size > 0) BEGIN "
        "UPDATE counts SET n = n + (new.size > 0) - (old.size > 0) WHERE name = 'live_stories'; "
        "END;"
        "CREATE TRIGGER IF NOT EXISTS stories_count_delete AFTER DELETE ON stories "
        "WHEN old.size > 0 BEGIN "
        "UPDATE counts SET n = n - 1 WHERE name = 'live_stories'; END;"
        "COMMIT");
    if (!s.ok()) (void)Exec("ROLLBACK");
    return s;
  }

  // The search index; a store made before it gets one built from its
  // articles, once, in one transaction.
  Status CreateSearch() {
    auto exists = [&] { return InSchema("search"); };
    auto had = exists();  // a plain read first: a reader is never held up here
    if (!had.ok()) return had.status();
    if (*had) return Status::Ok();
    Status s = Exec("BEGIN IMMEDIATE");
    if (!s.ok()) return s;
    had = exists();  // another process may have made it in between
    if (!had.ok()) s = had.status();
    if (s.ok() && !*had) {
      s = Exec(kSearchSchema);
      if (s.ok()) s = Exec("INSERT INTO search(search) VALUES('rebuild')");
    }
    if (s.ok()) return Exec("COMMIT");
    (void)Exec("ROLLBACK");  // the error to report is s
    return s;
  }

  // Stores made before document frequencies were counted by day hold one
  // table of totals: it becomes the bucket of the watermark's day (which
  // leaves the window as the stream moves on), once, in one transaction.
  Status MigrateDf() {
    {
      auto legacy = S("SELECT EXISTS(SELECT 1 FROM df)");
      if (!legacy.ok()) return legacy.status();
      auto row = Row(*legacy);
      if (!row.ok()) return row.status();
      if (!*row || (*legacy)->Int(0) == 0) return Status::Ok();
    }
    Status s = Exec("BEGIN IMMEDIATE");
    if (!s.ok()) return s;
    s = Exec(
        "INSERT OR IGNORE INTO df_days(undated,day,feature,n) "
        "SELECT 0, (SELECT CASE WHEN w >= 0 THEN w / 86400 ELSE -((-(w + 1)) / 86400) - 1 END "
        "FROM (SELECT COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key='watermark'), 0) "
        "AS w)), feature, n FROM df;"
        "INSERT OR IGNORE INTO df_documents(undated,day,n) "
        "SELECT 0, day, COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE "
        "key='df_documents'), 0) FROM (SELECT DISTINCT day FROM df_days WHERE undated=0 LIMIT 1);"
        "DELETE FROM df; DELETE FROM meta WHERE key='df_documents';");
    if (!s.ok()) {
      Status r = Exec("ROLLBACK");
      (void)r;
      return s;
    }
    return Exec("COMMIT");
  }

  // Stores made before keep the paragraph counts in a table with rowids: two
  // B-trees (the rows and the key), and every count written dirtied a page of
  // each. Rebuilt once, in one transaction, keyed by (source, hash) alone.
  Status MigrateBoilerplate() {
    auto has_rowid = [&]() -> Result<bool> {
      auto st =
          S("SELECT sql NOT LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE name='boilerplate'");
      if (!st.ok()) return st.status();
      auto row = Row(*st);
      if (!row.ok()) return row.status();
      const bool old = *row && (*st)->Int(0) == 1;
      (*st)->Reset();
      return old;
    };
    auto old = has_rowid();
    if (!old.ok()) return old.status();
    if (!*old) return Status::Ok();
    Status s = Exec("BEGIN IMMEDIATE");
    if (!s.ok()) return s;
    old = has_rowid();  // another process may have rebuilt it in between
    if (old.ok() && *old) {
      s = Exec(
          "DROP VIEW IF EXISTS boilerplate_counts;"  // made again below
          "CREATE TABLE boilerplate_rebuilt(source TEXT NOT NULL, hash INTEGER NOT NULL, "
          "n INTEGER NOT NULL, PRIMARY KEY(source, hash)) WITHOUT ROWID;"
          "INSERT INTO boilerplate_rebuilt(source, hash, n) SELECT source, hash, n FROM "
          "boilerplate;"
          "DROP TABLE boilerplate;"
          "ALTER TABLE boilerplate_rebuilt RENAME TO boilerplate;");
      if (s.ok()) s = Exec(kBoilerplateView);  // in the same transaction
    } else if (!old.ok()) {
      s = old.status();
    }
    if (!s.ok()) {
      Status r = Exec("ROLLBACK");
      (void)r;
      return s;
    }
    return Exec("COMMIT");
  }

  bool HasColumn(const std::string& table, const std::string& column) {
    sqlite3_stmt* st = nullptr;
    std::string sql = "SELECT 1 FROM pragma_table_info('" + table + "') WHERE name=?";
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) return false;
    sqlite3_bind_text(st, 1, column.c_str(), -1, SQLITE_TRANSIENT);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
  }

  Status Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string m = err ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      return Status::IOError(m);
    }
    return Status::Ok();
  }

  Result<Lease> S(const char* sql) {
    auto it = stmts_.find(sql);
    if (it != stmts_.end()) {
      it->second->Reset();
      return Lease(it->second.get());
    }
    auto st = std::make_unique<Stmt>();
    Status s = st->Prepare(db_, sql);
    if (!s.ok()) return s;
    Stmt* p = st.get();
    stmts_.emplace(sql, std::move(st));
    return Lease(p);
  }

  Status Done(Stmt* st) {
    int rc = st->Step();
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return Status::IOError(sqlite3_errmsg(db_));
    return Status::Ok();
  }
  // After a loop over rows: the step code that ended it must be SQLITE_DONE.
  Status Ended(int rc) {
    if (rc == SQLITE_DONE) return Status::Ok();
    return Status::IOError(std::string("reading the store: ") + sqlite3_errmsg(db_));
  }
  // A single-row query: true if there is a row, false if none, else an error.
  Result<bool> Row(Stmt* st) {
    int rc = st->Step();
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return Status::IOError(std::string("reading the store: ") + sqlite3_errmsg(db_));
  }

  Status Begin() override { return Exec("BEGIN IMMEDIATE"); }
  Status BeginRead() override { return Exec("BEGIN"); }
  Status EndRead() override {
    if (sqlite3_get_autocommit(db_)) return Status::Ok();
    return Exec("COMMIT");
  }
  Status Commit() override { return Exec("COMMIT"); }
  Status Rollback() override {
    log_rows_.reset();                                     // counted again when next needed
    if (sqlite3_get_autocommit(db_)) return Status::Ok();  // no transaction open
    return Exec("ROLLBACK");
  }
  Status Checkpoint() override {
    int log = 0, done = 0;
    int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
      return Status::IOError(std::string("checkpoint: ") + sqlite3_errmsg(db_));
    return Status::Ok();
  }

  Result<std::optional<std::string>> GetMeta(const std::string& key) override {
    auto st = S("SELECT value FROM meta WHERE key=?");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, key);
    auto row = Row(*st);
    if (!row.ok()) return row.status();
    if (*row) return std::optional<std::string>((*st)->Text(0));
    return std::optional<std::string>();
  }
  Status PutMeta(const std::string& key, const std::string& value) override {
    auto st =
        S("INSERT INTO meta(key,value) VALUES(?,?) ON CONFLICT(key) DO UPDATE SET "
          "value=excluded.value");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, key).Bind(2, value);
    return Done(*st);
  }

  Result<std::optional<uint64_t>> ArticleHash(const std::string& id) override {
    auto a = FindArticle(id);
    if (!a.ok()) return a.status();
    if (!a->has_value()) return std::optional<uint64_t>();
    return std::optional<uint64_t>((*a)->content_hash);
  }

  Result<std::optional<KnownArticle>> FindArticle(const std::string& id) override {
    for (const char* sql :
         {"SELECT id, content_hash, raw_hash, length(text) = 0 FROM articles WHERE id=?",
          "SELECT a.id, a.content_hash, COALESCE(l.raw_hash, a.raw_hash), length(a.text) = 0 FROM "
          "aliases l JOIN articles a ON a.id=l.canonical WHERE l.id=?"}) {
      auto st = S(sql);
      if (!st.ok()) return st.status();
      (*st)->Bind(1, id);
      auto row = Row(*st);
      if (!row.ok()) return row.status();
      if (!*row) continue;
      KnownArticle k;
      k.id = (*st)->Text(0);
      k.content_hash = static_cast<uint64_t>((*st)->Int(1));
      if (auto raw = (*st)->OptInt(2)) k.raw_hash = static_cast<uint64_t>(*raw);
      k.text_empty = (*st)->Int(3) != 0;
      return std::optional<KnownArticle>(std::move(k));
    }
    return std::optional<KnownArticle>();
  }

  Result<std::optional<std::string>> FindByHash(uint64_t h) override {
    auto st =
        S("SELECT id FROM articles WHERE content_hash=?1 OR raw_hash=?1 ORDER BY handle LIMIT 1");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, static_cast<int64_t>(h));
    auto row = Row(*st);
    if (!row.ok()) return row.status();
    if (*row) return std::optional<std::string>((*st)->Text(0));
    return std::optional<std::string>();
  }

  Result<std::string> CanonicalId(const std::string& id) override {
    auto st = S("SELECT canonical FROM aliases WHERE id=?");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, id);
    auto row = Row(*st);
    if (!row.ok()) return row.status();
    if (*row) return (*st)->Text(0);
    return id;
  }

  Status PutArticle(StoredArticle* a) override {
    auto st =
        S("INSERT INTO "
          "articles(id,title,text,lang,lang_confidence,lang_method,source,url,published,ingested,"
          "content_hash,origin,repairs,names,sketch,raw_hash) "
          "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!st.ok()) return st.status();
    const Article& ar = a->article;
    Stmt* s = *st;
    s->Bind(1, ar.id)
        .Bind(2, ar.title)
        .Bind(3, ar.text)
        .Bind(4, a->lang)
        .Bind(5, a->lang_confidence);
    s->Bind(6, a->lang_method)
        .Bind(7, ar.source)
        .Bind(8, ar.url)
        .Bind(9, ar.published)
        .Bind(10, a->ingested);
    s->Bind(11, static_cast<int64_t>(a->content_hash)).Bind(12, ar.origin);
    s->Bind(13, nlohmann::json(ar.repairs).dump()).Bind(14, nlohmann::json(a->names).dump());
    s->BindBlob(15, EncodeSketch(a->sketch)).Bind(16, static_cast<int64_t>(a->raw_hash));
    Status r = Done(s);
    if (r.ok()) a->handle = sqlite3_last_insert_rowid(db_);
    return r;
  }

  Status UpdateArticle(const std::string& id, const std::string& title, const std::string& text,
                       uint64_t content_hash, uint64_t raw_hash, int64_t now) override {
    auto keep =
        S("INSERT INTO revisions(article,n,title,text,content_hash,replaced) "
          "SELECT id, (SELECT COUNT(*) FROM revisions WHERE article=?1) + 1, title, text, "
          "content_hash, ?2 FROM articles WHERE id=?1");
    if (!keep.ok()) return keep.status();
    (*keep)->Bind(1, id).Bind(2, now);
    Status s = Done(*keep);
    if (!s.ok()) return s;
    auto up = S("UPDATE articles SET title=?2, text=?3, content_hash=?4, raw_hash=?5 WHERE id=?1");
    if (!up.ok()) return up.status();
    (*up)->Bind(1, id).Bind(2, title).Bind(3, text).Bind(4, static_cast<int64_t>(content_hash));
    (*up)->Bind(5, static_cast<int64_t>(raw_hash));
    return Done(*up);
  }

  Result<int64_t> CountRevisions(const std::string& id) override {
    auto st = S("SELECT COUNT(*) FROM revisions WHERE article=?");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, id);
    auto row = Row(*st);
    if (!row.ok()) return row.status();
    return *row ? (*st)->Int(0) : int64_t{0};
  }

  Status PutAlias(const std::string& id, const std::string& canonical, const std::string& origin,
                  uint64_t raw_hash) override {
    auto st = S("INSERT OR IGNORE INTO aliases(id,canonical,origin,raw_hash) VALUES(?,?,?,?)");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, id).Bind(2, canonical).Bind(3, origin);
    if (raw_hash != 0) (*st)->Bind(4, static_cast<int64_t>(raw_hash));
    return Done(*st);
  }

  Status RemoveAlias(const std::string& id) override {
    for (const char* sql : {"DELETE FROM aliases WHERE id=?1",
                            "DELETE FROM duplicates WHERE article=?1 AND kind='exact'"}) {
      auto st = S(sql);
      if (!st.ok()) return st.status();
      (*st)->Bind(1, id);
      Status s = Done(*st);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  Status PutMembership(const Membership& m) override {
    auto st =
        S("INSERT INTO memberships(article,story,score,reason,detail) VALUES(?,?,?,?,?) "
          "ON CONFLICT(article) DO UPDATE SET story=excluded.story, score=excluded.score, "
          "reason=excluded.reason, detail=excluded.detail");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, m.article).Bind(2, m.story).Bind(3, m.score).Bind(4, m.reason).Bind(5, m.detail);
    return Done(*st);
  }

  Status PutEntry(const std::string& article, int n, const std::string& title,
                  const std::string& text) override {
    auto st = S("INSERT OR REPLACE INTO entries(article,n,title,text) VALUES(?,?,?,?)");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, article).Bind(2, static_cast<int64_t>(n)).Bind(3, title).Bind(4, text);
    return Done(*st);
  }

  Result<std::vector<StoredEntry>> Entries(const std::string& article) override {
    auto st = S("SELECT n,title,text FROM entries WHERE article=? ORDER BY n");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, article);
    std::vector<StoredEntry> out;
    int rc;
    while ((rc = (*st)->Step()) == SQLITE_ROW)
      out.push_back({static_cast<int>((*st)->Int(0)), (*st)->Text(1), (*st)->Text(2)});
    Status s = Ended(rc);
    if (!s.ok()) return s;
    return out;
  }

  Status PutDuplicate(const DuplicateLink& d) override {
    auto st =
        S("INSERT OR REPLACE INTO duplicates(article,of,kind,resemblance,containment,shared) "
          "VALUES(?,?,?,?,?,?)");
    if (!st.ok()) return st.status();
    (*st)
        ->Bind(1, d.article)
        .Bind(2, d.of)
        .Bind(3, d.kind)
        .Bind(4, d.resemblance)
        .Bind(5, d.containment);
    (*st)->Bind(6, static_cast<int64_t>(d.shared));
    return Done(*st);
  }

  Status PutReject(const Reject& r, int64_t at) override {
    // The same reject again (a feed re-delivers its items at every poll, a
    // dead feed fails at every round): one row per origin and reason, the
    // latest. Without an origin, only the same message is the same reject.
    {
      auto del =
          S("DELETE FROM rejects WHERE origin=?1 AND reason=?2 AND (?1 <> '' OR message=?3)");
      if (!del.ok()) return del.status();
      (*del)->Bind(1, r.origin).Bind(2, r.reason).Bind(3, r.message);
      Status s = Done(*del);
      if (!s.ok()) return s;
    }
    auto st = S("INSERT INTO rejects(origin,reason,message,at) VALUES(?,?,?,?)");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, r.origin).Bind(2, r.reason).Bind(3, r.message).Bind(4, at);
    return Done(*st);
  }

  Status PutStory(const StoryRecord& s, int64_t now) override {
    auto st = S(
        "INSERT INTO stories(id,title,size,langs,first_time,last_time,created,updated,full_vector,"
        "neutral_vector,entries,pivot_vector,seq) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?) ON "
        "CONFLICT(id) "
        "DO "
        "UPDATE SET "
        "size=excluded.size, entries=excluded.entries, langs=excluded.langs, "
        "first_time=excluded.first_time, "
        "last_time=excluded.last_time, updated=excluded.updated, full_vector=excluded.full_vector, "
        "neutral_vector=excluded.neutral_vector, pivot_vector=excluded.pivot_vector, "
        "seq=excluded.seq");
    if (!st.ok()) return st.status();
    Stmt* p = *st;
    p->Bind(1, s.id)
        .Bind(2, s.title)
        .Bind(3, static_cast<int64_t>(s.size))
        .Bind(4, nlohmann::json(s.langs).dump());
    p->Bind(5, s.first_time).Bind(6, s.last_time).Bind(7, now).Bind(8, s.updated ? s.updated : now);
    p->BindBlob(9, s.full_vector).BindBlob(10, s.neutral_vector);
    p->Bind(11, static_cast<int64_t>(s.entries));
    p->BindBlob(12, s.pivot_vector);
    if (s.seq != 0) p->Bind(13, static_cast<int64_t>(s.seq));
    return Done(p);
  }

  Status PutDf(const std::vector<DfCount>& counts, const std::vector<DfDocuments>& documents,
               const std::vector<DfDay>& removed) override {
    for (const DfDay& d : removed)
      for (const char* sql : {"DELETE FROM df_days WHERE undated=? AND day=?",
                              "DELETE FROM df_documents WHERE undated=? AND day=?"}) {
        auto st = S(sql);
        if (!st.ok()) return st.status();
        (*st)->Bind(1, static_cast<int64_t>(d.undated)).Bind(2, d.day);
        Status s = Done(*st);
        if (!s.ok()) return s;
      }
    {
      auto st =
          S("INSERT INTO df_days(undated,day,feature,n) VALUES(?,?,?,?) "
            "ON CONFLICT(undated,day,feature) DO UPDATE SET n=excluded.n");
      if (!st.ok()) return st.status();
      for (const DfCount& c : counts) {
        (*st)->Reset().Bind(1, static_cast<int64_t>(c.bucket.undated)).Bind(2, c.bucket.day);
        (*st)->Bind(3, static_cast<int64_t>(c.feature)).Bind(4, static_cast<int64_t>(c.n));
        Status s = Done(*st);
        if (!s.ok()) return s;
      }
    }
    auto st =
        S("INSERT INTO df_documents(undated,day,n) VALUES(?,?,?) "
          "ON CONFLICT(undated,day) DO UPDATE SET n=excluded.n");
    if (!st.ok()) return st.status();
    for (const DfDocuments& d : documents) {
      (*st)->Reset().Bind(1, static_cast<int64_t>(d.bucket.undated)).Bind(2, d.bucket.day);
      (*st)->Bind(3, static_cast<int64_t>(d.documents));
      Status s = Done(*st);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  Status MergeStory(const std::string& from, const std::string& into) override {
    for (const char* sql :
         {"UPDATE memberships SET story=?2 WHERE story=?1",
          "UPDATE story_aliases SET target=?2 WHERE target=?1",
          "INSERT OR REPLACE INTO story_aliases(id, target) VALUES(?1, ?2)",
          "DELETE FROM stories WHERE id=?1", "DELETE FROM story_intel WHERE story=?1",
          "DELETE FROM story_entities WHERE story=?1"}) {
      auto st = S(sql);
      if (!st.ok()) return st.status();
      (*st)->Bind(1, from).Bind(2, into);
      Status s = Done(*st);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  Result<std::string> ResolveStory(const std::string& id) override {
    auto st = S("SELECT target FROM story_aliases WHERE id=?");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, id);
    auto row = Row(*st);
    if (!row.ok()) return row.status();
    if (*row) return (*st)->Text(0);
    return id;
  }

  // Paragraph counts are keyed by a hash: written in place, the counts of a
  // batch land on pages all over the table, and at a full window a commit
  // rewrote nearly every page of it. So a count is appended to a log
  // (`boilerplate_log`, in order: a few pages per batch), which is folded
  // into `boilerplate` (the last count of a key wins; 0 removes it) once it
  // holds as many rows as the table: every page is then rewritten once per
  // that many counts, not once per batch. Load reads both.
  Status PutBoilerplate(const std::string& source, uint64_t hash, uint32_t n) override {
    auto st = S("INSERT INTO boilerplate_log(source,hash,n) VALUES(?,?,?)");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, source).Bind(2, static_cast<int64_t>(hash)).Bind(3, static_cast<int64_t>(n));
    Status s = Done(*st);
    if (!s.ok()) return s;
    if (!log_rows_) {  // counted once (and again after a rollback)
      auto log = Count("SELECT COUNT(*) FROM boilerplate_log");
      if (!log.ok()) return log.status();
      auto table = Count("SELECT COUNT(*) FROM boilerplate");
      if (!table.ok()) return table.status();
      log_rows_ = *log;
      table_rows_ = *table;
      return Status::Ok();
    }
    if (++*log_rows_ < std::max<int64_t>(kMinBoilerplateLog, table_rows_)) return Status::Ok();
    return FoldBoilerplate();
  }

  // The log into the table, in the caller's transaction.
  Status FoldBoilerplate() {
    Status s = Exec(
        "INSERT INTO boilerplate(source,hash,n) SELECT source,hash,n FROM (SELECT source,hash,n,"
        "row_number() OVER (PARTITION BY source,hash ORDER BY seq DESC) AS r FROM "
        "boilerplate_log) WHERE r=1 ORDER BY source,hash "
        "ON CONFLICT(source,hash) DO UPDATE SET n=excluded.n;"
        "DELETE FROM boilerplate WHERE n=0; DELETE FROM boilerplate_log;");
    auto table = s.ok() ? Count("SELECT COUNT(*) FROM boilerplate") : Result<int64_t>(s);
    if (!table.ok()) {
      log_rows_.reset();  // the caller rolls back
      return table.status();
    }
    log_rows_ = 0;
    table_rows_ = *table;
    return Status::Ok();
  }

  Status LoadBoilerplate(
      const std::function<void(const std::string&, uint64_t, uint32_t)>& fn) override {
    // The table's counts that the log does not change, then the log's last
    // count of each key (0: forgotten): the view in the schema.
    auto st = S("SELECT source,hash,n FROM boilerplate_counts");
    if (!st.ok()) return st.status();
    int rc;
    while ((rc = (*st)->Step()) == SQLITE_ROW)
      fn((*st)->Text(0), static_cast<uint64_t>((*st)->Int(1)),
         static_cast<uint32_t>((*st)->Int(2)));
    return Ended(rc);
  }

  Result<std::optional<FeedState>> GetFeedState(const std::string& url) override {
    auto st =
        S("SELECT etag,last_modified,last_status,last_checked,failures,last_error FROM feeds "
          "WHERE url=?");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, url);
    auto row = Row(*st);
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<FeedState>();
    FeedState f;
    f.url = url;
    f.etag = (*st)->Text(0);
    f.last_modified = (*st)->Text(1);
    f.last_status = static_cast<long>((*st)->Int(2));
    f.last_checked = (*st)->Int(3);
    f.failures = static_cast<int>((*st)->Int(4));
    f.last_error = (*st)->Text(5);
    return std::optional<FeedState>(f);
  }

  Status PutFeedState(const FeedState& f) override {
    auto st =
        S("INSERT OR REPLACE INTO feeds(url,etag,last_modified,last_status,last_checked,failures,"
          "last_error) VALUES(?,?,?,?,?,?,?)");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, f.url).Bind(2, f.etag).Bind(3, f.last_modified);
    (*st)->Bind(4, static_cast<int64_t>(f.last_status)).Bind(5, f.last_checked);
    (*st)->Bind(6, static_cast<int64_t>(f.failures)).Bind(7, f.last_error);
    return Done(*st);
  }

  Status PutArticleIntel(const std::string& article, const std::string& json) override {
    auto st = S("INSERT OR REPLACE INTO article_intel(article, data) VALUES(?, ?)");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, article).Bind(2, json);
    return Done(*st);
  }

  Result<std::optional<std::string>> GetArticleIntel(const std::string& article) override {
    return OptionalText("SELECT data FROM article_intel WHERE article=?", article);
  }

  Result<std::map<std::string, std::string>> StoryArticleIntel(const std::string& story) override {
    auto st =
        S("SELECT i.article, i.data FROM memberships m JOIN article_intel i ON "
          "i.article=m.article WHERE m.story=?");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, story);
    std::map<std::string, std::string> out;
    int rc;
    while ((rc = (*st)->Step()) == SQLITE_ROW) out[(*st)->Text(0)] = (*st)->Text(1);
    Status s = Ended(rc);
    if (!s.ok()) return s;
    return out;
  }

  Status PutStoryIntel(const std::string& story, const std::string& json,
                       const std::vector<EntityRow>& entities, int64_t now) override {
    {
      // The number of independent sources as a column, for sorting listings.
      // A new rowid each time (StoryStamp: a summary is written when one of
      // the story's articles changed, even if it reads the same).
      auto st =
          S("INSERT OR REPLACE INTO story_intel(story, data, updated, independent) VALUES(?1, ?2, "
            "?3, json_extract(?2, '$.sources.independent'))");
      if (!st.ok()) return st.status();
      (*st)->Bind(1, story).Bind(2, json).Bind(3, now);
      Status s = Done(*st);
      if (!s.ok()) return s;
    }
    // Only the entity rows that changed are written (every page written goes
    // to the log, and a deleted row is overwritten too: secure_delete).
    // The rows wanted (the last of a key wins), against those stored.
    std::map<std::string, const EntityRow*> wanted;
    for (const auto& e : entities) wanted[e.key] = &e;
    std::vector<std::string> gone;
    {
      auto st = S("SELECT key, name, type, count FROM story_entities WHERE story=?");
      if (!st.ok()) return st.status();
      (*st)->Bind(1, story);
      int rc;
      while ((rc = (*st)->Step()) == SQLITE_ROW) {
        std::string key = (*st)->Text(0);
        auto it = wanted.find(key);
        if (it == wanted.end())
          gone.push_back(std::move(key));
        else if (it->second->name == (*st)->Text(1) && it->second->type == (*st)->Text(2) &&
                 it->second->count == (*st)->Int(3))
          wanted.erase(it);  // stored as it is
      }
      Status s = Ended(rc);
      if (!s.ok()) return s;
    }
    if (!gone.empty()) {
      auto st = S("DELETE FROM story_entities WHERE story=? AND key=?");
      if (!st.ok()) return st.status();
      for (const auto& key : gone) {
        (*st)->Reset().Bind(1, story).Bind(2, key);
        Status s = Done(*st);
        if (!s.ok()) return s;
      }
    }
    // An update in place leaves the index on `key` as it is.
    auto st =
        S("INSERT INTO story_entities(story, key, name, type, count) VALUES(?,?,?,?,?) "
          "ON CONFLICT(story, key) DO UPDATE SET name=excluded.name, type=excluded.type, "
          "count=excluded.count");
    if (!st.ok()) return st.status();
    for (const auto& [key, e] : wanted) {
      (*st)->Reset().Bind(1, story).Bind(2, key).Bind(3, e->name).Bind(4, e->type);
      (*st)->Bind(5, e->count);
      Status s = Done(*st);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  Result<std::optional<std::string>> GetStoryIntel(const std::string& story) override {
    return OptionalText("SELECT data FROM story_intel WHERE story=?", story);
  }

  Result<std::vector<EntityRow>> ListEntities(int64_t limit) override {
    // The name and type most stories give.
    auto st =
        S("SELECT key, (SELECT name FROM story_entities b WHERE b.key=a.key GROUP BY name "
          "ORDER BY COUNT(*) DESC, LENGTH(name) DESC LIMIT 1), "
          "(SELECT type FROM story_entities b WHERE b.key=a.key GROUP BY type "
          "ORDER BY COUNT(*) DESC LIMIT 1), SUM(count), COUNT(*) FROM story_entities a "
          "GROUP BY key ORDER BY COUNT(*) DESC, SUM(count) DESC, key LIMIT ?");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, limit < 0 ? int64_t{-1} : limit);
    std::vector<EntityRow> out;
    int rc;
    while ((rc = (*st)->Step()) == SQLITE_ROW)
      out.push_back({(*st)->Text(0), (*st)->Text(1), (*st)->Text(2), (*st)->Int(3), (*st)->Int(4)});
    Status s = Ended(rc);
    if (!s.ok()) return s;
    return out;
  }

  Result<std::vector<std::string>> EntityStories(const std::string& key, int64_t limit) override {
    auto st =
        S("SELECT e.story FROM story_entities e JOIN stories s ON s.id=e.story WHERE e.key=? "
          "ORDER BY s.last_time IS NULL, s.last_time DESC, s.updated DESC LIMIT ?");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, key).Bind(2, limit < 0 ? int64_t{-1} : limit);
    return FirstColumn(*st);
  }

  Result<std::vector<std::string>> FindEntityKeys(const std::string& name) override {
    auto st =
        S("SELECT DISTINCT key FROM story_entities WHERE key=?1 COLLATE NOCASE OR "
          "name=?1 COLLATE NOCASE ORDER BY key");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, name);
    return FirstColumn(*st);
  }

  // The first column of every row, as text.
  Result<std::vector<std::string>> FirstColumn(Stmt* st) {
    std::vector<std::string> out;
    int rc;
    while ((rc = st->Step()) == SQLITE_ROW) out.push_back(st->Text(0));
    Status s = Ended(rc);
    if (!s.ok()) return s;
    return out;
  }

  Result<std::optional<std::string>> OptionalText(const char* sql, const std::string& arg) {
    auto st = S(sql);
    if (!st.ok()) return st.status();
    (*st)->Bind(1, arg);
    auto row = Row(*st);
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<std::string>();
    return std::optional<std::string>((*st)->Text(0));
  }

  Status LoadDf(const std::function<void(const DfCount&)>& count,
                const std::function<void(const DfDocuments&)>& documents) override {
    {
      auto st = S("SELECT undated,day,feature,n FROM df_days ORDER BY undated,day,feature");
      if (!st.ok()) return st.status();
      int rc;
      while ((rc = (*st)->Step()) == SQLITE_ROW) {
        int64_t n = (*st)->Int(3);
        if (n < 0 || n > UINT32_MAX)
          return Status::Corruption("df_days: count " + std::to_string(n) + " out of range");
        count({{(*st)->Int(1), (*st)->Int(0) != 0},
               static_cast<uint64_t>((*st)->Int(2)),
               static_cast<uint32_t>(n)});
      }
      Status s = Ended(rc);
      if (!s.ok()) return s;
    }
    auto st = S("SELECT undated,day,n FROM df_documents ORDER BY undated,day");
    if (!st.ok()) return st.status();
    int rc;
    while ((rc = (*st)->Step()) == SQLITE_ROW) {
      int64_t n = (*st)->Int(2);
      if (n < 0) return Status::Corruption("df_documents: negative count");
      documents({{(*st)->Int(1), (*st)->Int(0) != 0}, static_cast<uint64_t>(n)});
    }
    return Ended(rc);
  }

  Status LoadStories(std::optional<int64_t> since, int64_t undated_since,
                     const std::function<void(StoryRecord)>& fn) override {
    auto st =
        S("SELECT id,title,size,langs,first_time,last_time,full_vector,neutral_vector,entries,"
          "pivot_vector,seq,updated FROM stories "
          "WHERE (last_time IS NULL AND updated >= ?2) OR (last_time IS NOT NULL AND "
          "(?1 IS NULL OR last_time >= ?1)) ORDER BY seq, rowid");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, since).Bind(2, undated_since);
    int rc;
    while ((rc = (*st)->Step()) == SQLITE_ROW) {
      StoryRecord s;
      s.id = (*st)->Text(0);
      s.title = (*st)->Text(1);
      s.size = static_cast<uint32_t>((*st)->Int(2));
      s.langs = ParseLangs<uint32_t>((*st)->Text(3));
      s.first_time = (*st)->OptInt(4);
      s.last_time = (*st)->OptInt(5);
      s.full_vector = (*st)->Blob(6);
      s.neutral_vector = (*st)->Blob(7);
      s.entries = static_cast<uint32_t>((*st)->Int(8));
      s.pivot_vector = (*st)->Blob(9);
      s.seq = static_cast<uint64_t>((*st)->OptInt(10).value_or(0));
      s.updated = (*st)->Int(11);
      fn(std::move(s));
    }
    return Ended(rc);
  }

  Status LoadSketches(std::optional<int64_t> since, int64_t undated_since,
                      const std::function<void(int64_t, std::optional<int64_t>, int64_t,
                                               std::vector<uint64_t>)>& fn) override {
    auto st =
        S("SELECT handle,published,ingested,sketch FROM articles WHERE (published IS NULL AND "
          "ingested >= ?2) OR (published IS NOT NULL AND (?1 IS NULL OR published >= ?1)) "
          "ORDER BY handle");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, since).Bind(2, undated_since);
    int rc;
    while ((rc = (*st)->Step()) == SQLITE_ROW)
      fn((*st)->Int(0), (*st)->OptInt(1), (*st)->Int(2), DecodeSketch((*st)->Blob(3)));
    return Ended(rc);
  }

  Result<ArticleRef> ArticleByHandle(int64_t handle) override {
    auto st = S("SELECT id, published FROM articles WHERE handle=?");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, handle);
    auto row = Row(*st);
    if (!row.ok()) return row.status();
    if (*row) return ArticleRef{(*st)->Text(0), (*st)->OptInt(1)};
    return Status::NotFound("no article with handle " + std::to_string(handle));
  }

  Result<std::string> StoryOf(const std::string& article_id) override {
    auto st = S("SELECT story FROM memberships WHERE article=?");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, article_id);
    auto row = Row(*st);
    if (!row.ok()) return row.status();
    if (*row) return (*st)->Text(0);
    return Status::NotFound("article '" + article_id + "' has no story");
  }

  // Columns: id,title,size,langs,first_time,last_time,updated,entries,
  // independent,headline,headlines (kStoryColumns).
  StoryRow ReadStory(Stmt* st) {
    StoryRow r;
    r.id = st->Text(0);
    r.title = st->Text(1);
    r.size = st->Int(2);
    r.langs = ParseLangs<int64_t>(st->Text(3));
    r.first_time = st->OptInt(4);
    r.last_time = st->OptInt(5);
    r.updated = st->Int(6);
    r.entries = st->Int(7);
    r.independent = st->Int(8);
    r.headline = st->Text(9);
    auto h = nlohmann::json::parse(st->Text(10), nullptr, false);
    if (h.is_object())
      for (auto& [k, v] : h.items())
        if (v.is_string()) r.headlines[k] = v.get<std::string>();
    return r;
  }
#define STORY_COLUMNS                                                         \
  "s.id,s.title,s.size,s.langs,s.first_time,s.last_time,s.updated,s.entries," \
  "COALESCE(i.independent,0),"                                                \
  "COALESCE(json_extract(i.data,'$.summary.headline'),''),"                   \
  "COALESCE(json_extract(i.data,'$.summary.headlines'),'{}') "
#define STORY_FROM "FROM stories s LEFT JOIN story_intel i ON i.story=s.id "

  Result<std::vector<StoryRow>> ListStories(const StoryFilter& f) override {
    // k0, k1, id: the keyset of the sort (see StoryCursor).
    auto st = S(
        "SELECT " STORY_COLUMNS
        ", CASE ?8 WHEN 'size' THEN s.size WHEN 'sources' THEN "
        "COALESCE(i.independent,0) WHEN 'top' THEN "
        "COALESCE(s.last_time,0) + 86400 * min(COALESCE(i.independent,0), 10) ELSE "
        "COALESCE(s.last_time,0) END AS k0, "
        "COALESCE(s.last_time,0) AS k1 " STORY_FROM
        "WHERE s.size >= ?1 AND (?2 = '' OR EXISTS (SELECT 1 FROM memberships m JOIN articles a "
        "ON a.id=m.article WHERE m.story=s.id AND a.lang=?2)) "
        "AND (?3 = '' OR EXISTS (SELECT 1 FROM story_entities e WHERE e.story=s.id AND e.key=?3)) "
        "AND (?4 = '' OR EXISTS (SELECT 1 FROM memberships m JOIN articles a ON a.id=m.article "
        "WHERE m.story=s.id AND (lower(a.source)=lower(?4) OR a.url LIKE '%://' || ?12 || '/%' "
        "ESCAPE '\\' OR a.url LIKE '%.' || ?12 || '/%' ESCAPE '\\'))) "
        "AND (?5 IS NULL OR s.last_time >= ?5) AND (?6 IS NULL OR s.first_time <= ?6) "
        "AND (?9 IS NULL OR k0 < ?9 OR (k0 = ?9 AND (k1 < ?10 OR (k1 = ?10 AND s.id > ?11)))) "
        "ORDER BY k0 DESC, k1 DESC, s.id LIMIT ?7");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, f.min_size).Bind(2, f.lang).Bind(3, f.entity).Bind(4, f.source);
    (*st)->Bind(5, f.since).Bind(6, f.until).Bind(7, f.limit < 0 ? INT64_MAX : f.limit);
    (*st)->Bind(8, f.sort);
    std::string like;  // the source as a LIKE pattern: its wildcards escaped
    for (char c : f.source) {
      if (c == '%' || c == '_' || c == '\\') like += '\\';
      like += c;
    }
    (*st)->Bind(12, like);
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
      (*st)->Bind(9, k0).Bind(10, k1).Bind(11, f.after.substr(c2 + 1));
    }
    std::vector<StoryRow> out;
    int rc;
    while ((rc = (*st)->Step()) == SQLITE_ROW) out.push_back(ReadStory(*st));
    Status s = Ended(rc);
    if (!s.ok()) return s;
    return out;
  }

  Result<std::string> StoryStamp(const std::string& id) override {
    // story_intel is written with INSERT OR REPLACE: a new rowid each time.
    auto st =
        S("SELECT s.size, s.entries, s.updated, COALESCE(s.last_time, 0), COALESCE(i.rowid, 0) "
          "FROM stories s LEFT JOIN story_intel i ON i.story=s.id WHERE s.id=?");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, id);
    auto row = Row(*st);
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("no story '" + id + "'");
    std::string stamp;
    for (int c = 0; c < 5; ++c) stamp += std::to_string((*st)->Int(c)) + ":";
    return stamp;
  }

  Result<StoryRow> GetStory(const std::string& id) override {
    auto st = S("SELECT " STORY_COLUMNS STORY_FROM "WHERE s.id=?");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, id);
    auto row = Row(*st);
    if (!row.ok()) return row.status();
    if (*row) return ReadStory(*st);
    return Status::NotFound("no story '" + id + "'");
  }

  // Columns: id,title,text,lang,lang_confidence,lang_method,source,url,
  // published,ingested,content_hash,origin,repairs,names,handle.
  static StoredArticle ReadArticle(Stmt* s) {
    StoredArticle a;
    a.article.id = s->Text(0);
    a.article.title = s->Text(1);
    a.article.text = s->Text(2);
    a.lang = s->Text(3);
    a.lang_confidence = s->Real(4);
    a.lang_method = s->Text(5);
    a.article.source = s->Text(6);
    a.article.url = s->Text(7);
    a.article.published = s->OptInt(8);
    a.ingested = s->Int(9);
    a.content_hash = static_cast<uint64_t>(s->Int(10));
    a.article.origin = s->Text(11);
    a.article.repairs = ParseStrings(s->Text(12));
    a.names = ParseStrings(s->Text(13));
    a.handle = s->Int(14);
    return a;
  }

  Result<std::vector<StoredArticle>> StoryArticles(const std::string& id,
                                                   bool with_text = true) override {
    // Articles, and live-blog entries (id "<article>#<n>") that joined this story.
    auto st =
        S("SELECT a.id,a.title,CASE WHEN ?2 THEN a.text ELSE '' "
          "END,a.lang,a.lang_confidence,a.lang_method,a.source,a.url,"
          "a.published,a.ingested,a.content_hash,a.origin,a.repairs,a.names,a.handle FROM "
          "memberships m JOIN articles a ON a.id=m.article WHERE m.story=?1 "
          "UNION ALL SELECT e.article || '#' || e.n, e.title, CASE WHEN ?2 THEN e.text ELSE '' "
          "END, a.lang, a.lang_confidence,"
          "a.lang_method, a.source, a.url, a.published, a.ingested, 0, a.origin, '[]', '[]', "
          "a.handle FROM memberships m JOIN entries e ON m.article = e.article || '#' || e.n "
          "JOIN articles a ON a.id=e.article WHERE m.story=?1 ORDER BY 9, 15, 1");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, id).Bind(2, static_cast<int64_t>(with_text));
    std::vector<StoredArticle> out;
    int rc;
    while ((rc = (*st)->Step()) == SQLITE_ROW) {
      out.push_back(ReadArticle(*st));
    }
    Status s = Ended(rc);
    if (!s.ok()) return s;
    return out;
  }

  Result<std::vector<Membership>> StoryMemberships(const std::string& id) override {
    auto st = S("SELECT article,story,score,reason,detail FROM memberships WHERE story=?");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, id);
    std::vector<Membership> out;
    int rc;
    while ((rc = (*st)->Step()) == SQLITE_ROW)
      out.push_back(
          {(*st)->Text(0), (*st)->Text(1), (*st)->Real(2), (*st)->Text(3), (*st)->Text(4)});
    Status s = Ended(rc);
    if (!s.ok()) return s;
    return out;
  }

  Result<std::vector<DuplicateLink>> DuplicatesOf(const std::string& article_id) override {
    auto st =
        S("SELECT article,of,kind,resemblance,containment,shared FROM duplicates WHERE article=?1 "
          "OR of=?1 "
          "ORDER BY article, of");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, article_id);
    std::vector<DuplicateLink> out;
    int rc;
    while ((rc = (*st)->Step()) == SQLITE_ROW)
      out.push_back({(*st)->Text(0), (*st)->Text(1), (*st)->Text(2), (*st)->Real(3), (*st)->Real(4),
                     static_cast<int>((*st)->Int(5))});
    Status s = Ended(rc);
    if (!s.ok()) return s;
    return out;
  }

  Result<std::vector<DuplicateLink>> StoryDuplicates(const std::string& story) override {
    auto st =
        S("SELECT article,of,kind,resemblance,containment,shared FROM duplicates WHERE article IN "
          "(SELECT article FROM memberships WHERE story=?1) OR of IN (SELECT article FROM "
          "memberships WHERE story=?1) ORDER BY article, of");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, story);
    std::vector<DuplicateLink> out;
    int rc;
    while ((rc = (*st)->Step()) == SQLITE_ROW)
      out.push_back({(*st)->Text(0), (*st)->Text(1), (*st)->Text(2), (*st)->Real(3), (*st)->Real(4),
                     static_cast<int>((*st)->Int(5))});
    Status s = Ended(rc);
    if (!s.ok()) return s;
    return out;
  }

  Status ForEachAssignment(const std::function<void(const std::string&, const std::string&,
                                                    const std::string&)>& fn) override {
    auto st =
        S("SELECT m.article, m.story, a.lang FROM memberships m JOIN articles a ON a.id=m.article "
          "UNION ALL SELECT l.id, m.story, a.lang FROM aliases l JOIN memberships m ON "
          "m.article=l.canonical "
          "JOIN articles a ON a.id=l.canonical ORDER BY 1");
    if (!st.ok()) return st.status();
    int rc;
    while ((rc = (*st)->Step()) == SQLITE_ROW) fn((*st)->Text(0), (*st)->Text(1), (*st)->Text(2));
    return Ended(rc);
  }

  Result<std::vector<std::pair<Reject, int64_t>>> ListRejects(int64_t limit) override {
    auto st = S("SELECT origin,reason,message,at FROM rejects ORDER BY rowid DESC LIMIT ?");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, limit < 0 ? INT64_MAX : limit);
    std::vector<std::pair<Reject, int64_t>> out;
    int rc;
    while ((rc = (*st)->Step()) == SQLITE_ROW)
      out.push_back({Reject{(*st)->Text(0), (*st)->Text(1), (*st)->Text(2)}, (*st)->Int(3)});
    Status s = Ended(rc);
    if (!s.ok()) return s;
    return out;
  }

  Result<std::vector<Repaired>> ListRepaired(int64_t limit) override {
    auto st =
        S("SELECT id, origin, repairs, ingested FROM articles WHERE repairs != '[]' "
          "ORDER BY handle DESC LIMIT ?");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, limit < 0 ? INT64_MAX : limit);
    std::vector<Repaired> out;
    int rc;
    while ((rc = (*st)->Step()) == SQLITE_ROW) {
      Repaired r;
      r.id = (*st)->Text(0);
      r.origin = (*st)->Text(1);
      r.repairs = ParseStrings((*st)->Text(2));
      r.ingested = (*st)->Int(3);
      out.push_back(std::move(r));
    }
    Status s = Ended(rc);
    if (!s.ok()) return s;
    return out;
  }

  Result<StoredArticle> GetArticle(const std::string& id) override {
    auto canonical = CanonicalId(id);
    if (!canonical.ok()) return canonical.status();
    auto st =
        S("SELECT id,title,text,lang,lang_confidence,lang_method,source,url,published,ingested,"
          "content_hash,origin,repairs,names,handle FROM articles WHERE id=?");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, *canonical);
    auto row = Row(*st);
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("no article '" + id + "'");
    return ReadArticle(*st);
  }

  // The user's words as an FTS5 expression: each word a quoted string (so
  // that no input is a syntax error), ANDed; a trailing * keeps a prefix.
  static std::string MatchExpression(const std::string& text) {
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
      std::string quoted;
      bool wordy = false;
      for (char c : word) {
        if (c == '"') continue;
        wordy |=
            std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80;
        quoted += c;
      }
      if (!wordy) continue;
      if (!out.empty()) out += ' ';
      out += '"' + quoted + '"' + (prefix ? "*" : "");
    }
    return out;
  }

  Result<std::vector<SearchHit>> Search(const SearchQuery& q) override {
    std::vector<SearchHit> out;
    std::string expr = MatchExpression(q.text);
    if (expr.empty()) return out;
    auto st =
        S("SELECT a.id, a.title, a.lang, a.source, a.published, COALESCE(m.story, ''), "
          "highlight(search, 0, char(2), char(3)), snippet(search, 1, char(2), char(3), '…', 24) "
          "FROM search JOIN articles a ON a.handle = search.rowid "
          "LEFT JOIN memberships m ON m.article = a.id "
          "WHERE search MATCH ?1 AND (?2 = '' OR a.lang = ?2) "
          "ORDER BY bm25(search, 4.0, 1.0), a.handle LIMIT ?3 OFFSET ?4");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, expr).Bind(2, q.lang).Bind(3, q.limit < 0 ? INT64_MAX : q.limit);
    (*st)->Bind(4, std::max<int64_t>(0, q.offset));
    int rc;
    while ((rc = (*st)->Step()) == SQLITE_ROW) {
      Stmt* r = *st;
      SearchHit h;
      h.article = r->Text(0);
      h.title = r->Text(1);
      h.lang = r->Text(2);
      h.source = r->Text(3);
      h.published = r->OptInt(4);
      h.story = r->Text(5);
      h.title_marked = r->Text(6);
      h.snippet_marked = r->Text(7);
      out.push_back(std::move(h));
    }
    Status s = Ended(rc);
    if (!s.ok()) return s;
    return out;
  }

  Result<std::vector<std::string>> Strings(Stmt* st) {
    std::vector<std::string> out;
    int rc;
    while ((rc = st->Step()) == SQLITE_ROW) out.push_back(st->Text(0));
    Status s = Ended(rc);
    if (!s.ok()) return s;
    return out;
  }

  Result<std::vector<std::string>> TakedownTargets(const std::string& kind,
                                                   const std::string& value) override {
    if (kind == "source") {
      // Source names and URL hosts are compared in C++ (the same rule as
      // TakenDown): a scan, but takedowns are rare.
      const std::string want = Lower(value);
      auto st = S("SELECT id, source, url FROM articles ORDER BY handle");
      if (!st.ok()) return st.status();
      std::vector<std::string> out;
      int rc;
      while ((rc = (*st)->Step()) == SQLITE_ROW) {
        std::string source = Lower((*st)->Text(1));
        bool match = !want.empty() && source == want;
        for (const auto& d : HostDomains((*st)->Text(2))) match |= d == want;
        if (match) out.push_back((*st)->Text(0));
      }
      Status s = Ended(rc);
      if (!s.ok()) return s;
      return out;
    }
    const char* sql = kind == "article" ? "SELECT id FROM articles WHERE id=?1 UNION "
                                          "SELECT canonical FROM aliases WHERE id=?1"
                      : kind == "url"   ? "SELECT id FROM articles WHERE url=?1 ORDER BY handle"
                                        : nullptr;
    if (!sql) return Status::InvalidArgument("a takedown is of an article, url or source");
    auto st = S(sql);
    if (!st.ok()) return st.status();
    (*st)->Bind(1, value);
    return Strings(*st);
  }

  Result<Erased> EraseArticle(const std::string& id) override {
    Erased out;
    // Entries are "<id>#<n>" for the n in `entries`, nothing else.
    {
      auto st =
          S("SELECT DISTINCT story FROM memberships WHERE article=?1 OR article IN (SELECT "
            "article || '#' || n FROM entries WHERE article=?1) ORDER BY story");
      if (!st.ok()) return st.status();
      (*st)->Bind(1, id);
      auto r = Strings(*st);
      if (!r.ok()) return r.status();
      out.stories = std::move(*r);
    }
    {
      auto st =
          S("SELECT id, raw_hash FROM aliases WHERE canonical=?1 UNION ALL SELECT NULL, "
            "content_hash FROM articles WHERE id=?1 UNION ALL SELECT NULL, raw_hash FROM "
            "articles WHERE id=?1");
      if (!st.ok()) return st.status();
      (*st)->Bind(1, id);
      int rc;
      while ((rc = (*st)->Step()) == SQLITE_ROW) {
        if (sqlite3_column_type((*st)->get(), 0) != SQLITE_NULL)
          out.aliases.push_back((*st)->Text(0));
        if (auto h = (*st)->OptInt(1)) out.hashes.push_back(static_cast<uint64_t>(*h));
      }
      Status s = Ended(rc);
      if (!s.ok()) return s;
    }
    for (const char* sql : {
             "DELETE FROM memberships WHERE article=?1 OR article IN (SELECT article || '#' || n "
             "FROM entries WHERE article=?1) OR article IN (SELECT id FROM aliases WHERE "
             "canonical=?1)",
             "DELETE FROM duplicates WHERE article=?1 OR of=?1 OR article IN "
             "(SELECT id FROM aliases WHERE canonical=?1)",
             "DELETE FROM aliases WHERE canonical=?1 OR id=?1",
             "DELETE FROM entries WHERE article=?1", "DELETE FROM revisions WHERE article=?1",
             "DELETE FROM article_intel WHERE article=?1",
             "DELETE FROM articles WHERE id=?1",  // and its search entry (trigger)
         }) {
      auto st = S(sql);
      if (!st.ok()) return st.status();
      (*st)->Bind(1, id);
      Status s = Done(*st);
      if (!s.ok()) return s;
    }
    return out;
  }

  Result<bool> RecountStory(const std::string& story, int64_t now) override {
    auto arts = StoryArticles(story);
    if (!arts.ok()) return arts.status();
    if (arts->empty()) {
      for (const char* sql :
           {"DELETE FROM stories WHERE id=?1", "DELETE FROM story_intel WHERE story=?1",
            "DELETE FROM story_entities WHERE story=?1",
            "DELETE FROM story_aliases WHERE target=?1"}) {
        auto st = S(sql);
        if (!st.ok()) return st.status();
        (*st)->Bind(1, story);
        Status s = Done(*st);
        if (!s.ok()) return s;
      }
      return false;
    }
    StoryTally t = Tally(*arts);
    auto st =
        S("UPDATE stories SET title=?2, size=?3, entries=?4, langs=?5, first_time=?6, "
          "last_time=?7, updated=?8 WHERE id=?1");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, story).Bind(2, t.title).Bind(3, t.size).Bind(4, t.entries).Bind(5, t.langs);
    (*st)->Bind(6, t.first).Bind(7, t.last).Bind(8, now);
    Status s = Done(*st);
    if (!s.ok()) return s;
    return true;
  }

  Status PutTakedown(TakedownRecord* r, const std::vector<uint64_t>& hashes) override {
    {
      auto st = S("INSERT INTO takedowns(kind, value, reason, at, articles) VALUES(?,?,?,?,?)");
      if (!st.ok()) return st.status();
      nlohmann::json ids = r->articles;
      (*st)->Bind(1, r->kind).Bind(2, r->value).Bind(3, r->reason).Bind(4, r->at);
      (*st)->Bind(5, ids.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      Status s = Done(*st);
      if (!s.ok()) return s;
      r->seq = sqlite3_last_insert_rowid(db_);
    }
    auto st = S("INSERT OR REPLACE INTO tombstones(kind, value, takedown) VALUES(?,?,?)");
    if (!st.ok()) return st.status();
    std::vector<std::pair<std::string, std::string>> stones = {
        {r->kind, r->kind == "source" ? Lower(r->value) : r->value}};
    for (const auto& id : r->articles) stones.push_back({"article", id});
    for (uint64_t h : hashes) stones.push_back({"hash", std::to_string(h)});
    for (const auto& [k, v] : stones) {
      (*st)->Reset().Bind(1, k).Bind(2, v).Bind(3, r->seq);
      Status s = Done(*st);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  Result<std::optional<std::string>> TakenDown(const std::string& id, const std::string& url,
                                               const std::string& source,
                                               uint64_t raw_hash) override {
    std::vector<std::pair<const char*, std::string>> probes = {
        {"article", id}, {"url", url}, {"hash", std::to_string(raw_hash)}};
    if (!source.empty()) probes.push_back({"source", Lower(source)});
    // The URL's host and each domain above it (news.example.com, example.com).
    for (const auto& d : HostDomains(url)) probes.push_back({"source", d});
    auto st =
        S("SELECT t.kind || ' ' || t.value || ': ' || t.reason FROM tombstones b JOIN takedowns t "
          "ON t.seq=b.takedown WHERE b.kind=? AND b.value=?");
    if (!st.ok()) return st.status();
    for (const auto& [kind, value] : probes) {
      if (value.empty()) continue;
      (*st)->Reset().Bind(1, std::string(kind)).Bind(2, value);
      auto row = Row(*st);
      if (!row.ok()) return row.status();
      if (*row) return std::optional<std::string>((*st)->Text(0));
    }
    return std::optional<std::string>();
  }

  Result<int64_t> CountTombstones() override { return Count("SELECT COUNT(*) FROM tombstones"); }

  Result<std::vector<TakedownRecord>> ListTakedowns(int64_t limit) override {
    auto st =
        S("SELECT seq, kind, value, reason, at, articles FROM takedowns ORDER BY seq DESC LIMIT ?");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, limit < 0 ? INT64_MAX : limit);
    std::vector<TakedownRecord> out;
    int rc;
    while ((rc = (*st)->Step()) == SQLITE_ROW) {
      Stmt* q = *st;
      TakedownRecord r;
      r.seq = q->Int(0);
      r.kind = q->Text(1);
      r.value = q->Text(2);
      r.reason = q->Text(3);
      r.at = q->Int(4);
      r.articles = ParseStrings(q->Text(5));
      out.push_back(std::move(r));
    }
    Status s = Ended(rc);
    if (!s.ok()) return s;
    return out;
  }

  Status Scrub() override {
    Status s = Exec("INSERT INTO search(search) VALUES('optimize')");
    if (!s.ok()) return s;
    int log = 0, done = 0;
    int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
    if (rc == SQLITE_BUSY)
      return Status::IOError(
          "the write-ahead log could not be emptied yet (a reader is busy): run the takedown's "
          "scrub again later");
    if (rc != SQLITE_OK) return Status::IOError(std::string("checkpoint: ") + sqlite3_errmsg(db_));
    return Status::Ok();
  }

  Result<int64_t> Count(const char* sql) {
    auto st = S(sql);
    if (!st.ok()) return st.status();
    auto row = Row(*st);
    if (!row.ok()) return row.status();
    return *row ? (*st)->Int(0) : int64_t{0};
  }
  Result<int64_t> CountArticles() override { return Count("SELECT COUNT(*) FROM articles"); }
  Result<int64_t> CountStories() override {
    return Count("SELECT n FROM counts WHERE name = 'live_stories'");
  }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, std::unique_ptr<Stmt>> stmts_;
  // Rows in boilerplate_log and boilerplate, once counted (PutBoilerplate).
  std::optional<int64_t> log_rows_;
  int64_t table_rows_ = 0;
  // The log is folded at this many rows at least (a small table: not at
  // every batch).
  static constexpr int64_t kMinBoilerplateLog = 100'000;
};

}  // namespace

std::string StoryCursor(const StoryRow& r, const std::string& sort) {
  int64_t k1 = r.last_time.value_or(0);
  int64_t k0 = sort == "size"      ? r.size
               : sort == "sources" ? r.independent
               : sort == "top"     ? k1 + 86400 * std::min<int64_t>(r.independent, 10)
                                   : k1;
  return std::to_string(k0) + ":" + std::to_string(k1) + ":" + r.id;
}

Result<std::unique_ptr<ArticleStore>> OpenSqliteStore(const std::string& path,
                                                      const StoreOptions& options) {
  auto store = std::make_unique<SqliteStore>();
  Status s = store->Open(path, options);
  if (!s.ok()) return s;
  return std::unique_ptr<ArticleStore>(std::move(store));
}

std::string RedactedStore(const std::string& spec) {
  std::string out = spec;
  size_t scheme = out.find("://");
  size_t at = out.find('@');
  if (scheme != std::string::npos && at != std::string::npos && at > scheme) {
    size_t colon = out.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
  }
  // password=... among the URL's parameters (or a key=value conninfo)
  for (size_t p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    size_t v = p + 9, end = out.find_first_of("& ", v);
    out.replace(v, (end == std::string::npos ? out.size() : end) - v, "***");
  }
  return out;
}

std::string StorePath(const std::string& spec) {
  if (spec.rfind("sqlite:", 0) == 0) return spec.substr(7);
  return spec;
}

Result<std::unique_ptr<ArticleStore>> OpenStore(const std::string& spec,
                                                const StoreOptions& options) {
  if (IsPostgresStore(spec)) return OpenPostgresStore(spec, options);
  return OpenSqliteStore(StorePath(spec), options);
}

}  // namespace storyline
