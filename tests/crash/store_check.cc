#include "crash/store_check.h"

#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <tuple>
#include <utility>

namespace storyline::crash {

namespace {

constexpr size_t kExamples = 5;

// A read-only connection. Never writes the database (the -shm index may be
// rebuilt, which SQLite does for any reader after a crash).
class Db {
 public:
  Db() = default;
  ~Db() {
    if (db_ != nullptr) sqlite3_close_v2(db_);
  }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  bool Open(const std::string& path, std::string* error) {
    int rc =
        sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      *error = "cannot open " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
      return false;
    }
    sqlite3_busy_timeout(db_, 10000);
    return true;
  }

  // Runs `sql`; every row's columns joined by " | ". Keeps the first
  // `keep` rows in `*rows` and counts all of them in `*total`.
  bool Query(const std::string& sql, size_t keep, std::vector<std::string>* rows, int64_t* total,
             std::string* error) {
    rows->clear();
    *total = 0;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      *error = std::string(sqlite3_errmsg(db_)) + " (in: " + sql + ")";
      sqlite3_finalize(st);
      return false;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      ++*total;
      if (rows->size() >= keep) continue;
      std::string row;
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        if (c > 0) row += " | ";
        const unsigned char* t = sqlite3_column_text(st, c);
        row += t ? reinterpret_cast<const char*>(t) : "NULL";
      }
      rows->push_back(std::move(row));
    }
    const bool ok = rc == SQLITE_DONE;
    if (!ok) *error = std::string(sqlite3_errmsg(db_)) + " (in: " + sql + ")";
    sqlite3_finalize(st);
    return ok;
  }

  bool Count(const std::string& sql, int64_t* n, std::string* error) {
    std::vector<std::string> rows;
    int64_t total = 0;
    if (!Query(sql, 1, &rows, &total, error)) return false;
    *n = rows.empty() ? 0 : std::strtoll(rows[0].c_str(), nullptr, 10);
    return true;
  }

  // Each value of the first column, all rows.
  bool Column(const std::string& sql, std::set<std::string>* out, std::string* error) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      *error = std::string(sqlite3_errmsg(db_)) + " (in: " + sql + ")";
      sqlite3_finalize(st);
      return false;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(st, 0);
      if (t != nullptr) out->insert(reinterpret_cast<const char*>(t));
    }
    const bool ok = rc == SQLITE_DONE;
    if (!ok) *error = std::string(sqlite3_errmsg(db_)) + " (in: " + sql + ")";
    sqlite3_finalize(st);
    return ok;
  }

  bool HasTable(const std::string& name, bool* has, std::string* error) {
    int64_t n = 0;
    if (!Count("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='" + name + "'", &n,
               error))
      return false;
    *has = n > 0;
    return true;
  }

 private:
  sqlite3* db_ = nullptr;
};

std::string Join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

// Adds a violation when the query finds rows (or fails).
void Expect(Db& db, const std::string& what, const std::string& sql, StoreReport* r) {
  std::vector<std::string> rows;
  int64_t total = 0;
  std::string error;
  if (!db.Query(sql, kExamples, &rows, &total, &error)) {
    r->violations.push_back("cannot check " + what + ": " + error);
    return;
  }
  if (total > 0)
    r->violations.push_back(std::to_string(total) + " " + what + " (e.g. " + Join(rows, ", ") +
                            ")");
}

}  // namespace

StoreReport CheckStore(const std::string& db_path) {
  StoreReport r;
  std::error_code ec;
  if (!std::filesystem::exists(db_path, ec)) return r;
  r.exists = true;
  Db db;
  std::string error;
  if (!db.Open(db_path, &error)) {
    r.violations.push_back(error);
    return r;
  }

  std::vector<std::string> rows;
  int64_t total = 0;
  if (!db.Query("PRAGMA integrity_check", 20, &rows, &total, &error)) {
    r.violations.push_back("PRAGMA integrity_check failed: " + error);
    return r;  // nothing else can be trusted
  }
  if (!(total == 1 && rows.size() == 1 && rows[0] == "ok")) {
    r.violations.push_back("PRAGMA integrity_check: " + Join(rows, "; "));
    return r;
  }

  bool articles = false, memberships = false, stories = false, entries = false,
       story_aliases = false, feeds = false;
  for (auto [name, has] : {std::pair<const char*, bool*>{"articles", &articles},
                           {"memberships", &memberships},
                           {"stories", &stories},
                           {"entries", &entries},
                           {"story_aliases", &story_aliases},
                           {"feeds", &feeds}}) {
    if (!db.HasTable(name, has, &error)) {
      r.violations.push_back("cannot read the schema: " + error);
      return r;
    }
  }
  for (auto [table, has, n] :
       {std::tuple<const char*, bool, int64_t*>{"articles", articles, &r.articles},
        {"memberships", memberships, &r.memberships},
        {"stories", stories, &r.stories},
        {"entries", entries, &r.entries}}) {
    if (has && !db.Count(std::string("SELECT count(*) FROM ") + table, n, &error))
      r.violations.push_back(std::string("cannot count ") + table + ": " + error);
  }
  if (feeds && !db.Count("SELECT count(*) FROM feeds WHERE etag != ''", &r.feeds_with_etag, &error))
    r.violations.push_back("cannot count feeds: " + error);

  // Every article has its membership.
  if (articles && r.articles > 0) {
    if (!memberships)
      r.violations.push_back(std::to_string(r.articles) +
                             " articles stored but there is no memberships table");
    else
      Expect(db, "articles without a membership",
             "SELECT a.id FROM articles a WHERE NOT EXISTS "
             "(SELECT 1 FROM memberships m WHERE m.article = a.id) ORDER BY a.handle",
             &r);
  }
  if (memberships && r.memberships > 0) {
    // Every membership is an article's or a live-blog entry's.
    std::string sql = "SELECT m.article FROM memberships m WHERE 1";
    if (articles) sql += " AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = m.article)";
    if (entries)
      sql += " AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.article || '#' || e.n = m.article)";
    Expect(db, "memberships of an article or live-blog entry that is not stored",
           sql + " ORDER BY m.article", &r);
    // Every membership's story exists.
    if (!stories)
      r.violations.push_back(std::to_string(r.memberships) +
                             " memberships but there is no stories table");
    else
      Expect(db, "memberships pointing at a missing story",
             "SELECT m.article || ' -> ' || m.story FROM memberships m WHERE NOT EXISTS "
             "(SELECT 1 FROM stories s WHERE s.id = m.story) ORDER BY m.article",
             &r);
  }
  if (story_aliases) {
    std::string sql = "SELECT l.id || ' -> ' || l.target FROM story_aliases l";
    if (stories) sql += " WHERE NOT EXISTS (SELECT 1 FROM stories s WHERE s.id = l.target)";
    Expect(db, "story aliases pointing at a missing story", sql + " ORDER BY l.id", &r);
  }
  return r;
}

bool StoredIds(const std::string& db_path, std::set<std::string>* ids, std::string* error) {
  ids->clear();
  std::error_code ec;
  if (!std::filesystem::exists(db_path, ec)) return true;
  Db db;
  if (!db.Open(db_path, error)) return false;
  for (const char* table : {"articles", "aliases"}) {
    bool has = false;
    if (!db.HasTable(table, &has, error)) return false;
    if (has && !db.Column(std::string("SELECT id FROM ") + table, ids, error)) return false;
  }
  return true;
}

bool FeedsWithEtag(const std::string& db_path, std::set<std::string>* urls, std::string* error) {
  urls->clear();
  std::error_code ec;
  if (!std::filesystem::exists(db_path, ec)) return true;
  Db db;
  if (!db.Open(db_path, error)) return false;
  bool has = false;
  if (!db.HasTable("feeds", &has, error)) return false;
  return !has || db.Column("SELECT url FROM feeds WHERE etag != ''", urls, error);
}

}  // namespace storyline::crash
