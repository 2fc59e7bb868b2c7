// Invariants of a Storyline database that must hold at any moment, in
// particular right after the writer was killed with SIGKILL. Checked with the
// sqlite3 C API on a read-only connection (the schema is in
// src/store/sqlite_store.cc); nothing here goes through Storyline's code.
//
//   - PRAGMA integrity_check says "ok";
//   - every row of `articles` has its row in `memberships` (an article is
//     either absent or stored with its story);
//   - every membership's `article` is an article id or a live-blog entry id
//     "<article>#<n>" present in `entries`;
//   - every membership's `story` exists in `stories`;
//   - every `story_aliases.target` exists in `stories`.
//
// A database file that does not exist yet is a valid (empty) store: the kill
// may land before the writer created it. A table that does not exist yet
// counts as empty.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace storyline::crash {

struct StoreReport {
  bool exists = false;  // false: no database file (nothing stored)
  int64_t articles = 0;
  int64_t memberships = 0;
  int64_t stories = 0;
  int64_t entries = 0;
  int64_t feeds_with_etag = 0;          // rows of `feeds` with a non-empty ETag
  std::vector<std::string> violations;  // empty: every invariant holds
};

StoreReport CheckStore(const std::string& db_path);

// Ids a reader can find: `articles.id` and `aliases.id` (exact duplicates).
// False (and `*error`) if the database cannot be read.
bool StoredIds(const std::string& db_path, std::set<std::string>* ids, std::string* error);

// Feed URLs with a non-empty ETag in `feeds`.
bool FeedsWithEtag(const std::string& db_path, std::set<std::string>* urls, std::string* error);

}  // namespace storyline::crash
