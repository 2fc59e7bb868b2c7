// Store: where articles, stories and everything learned about them live.
// Public header of the stage.
//
// ArticleStore is the interface the engine writes through; SqliteStore is the
// embedded default (one SQLite file, WAL). A distributed implementation can
// come later behind the same interface and pass the same tests. The store
// knows plain structs only (no clustering types): the engine converts.
// The schema is in DESIGN.md ("Storage").
//
// Transactions: every write happens between Begin() and Commit(); Rollback()
// undoes everything since Begin(). One writer at a time per store: a writer
// holds a WriterLock (below) for its whole run.
//
// Thread safety: an ArticleStore is used by one thread at a time (it keeps
// prepared statements). Several processes may read one store while one
// writes: in WAL mode a reader sees the last committed transaction and is
// never blocked by the writer.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "ingest/ingest.h"

namespace storyline {

// An article as stored, with what the pipeline learned about it.
struct StoredArticle {
  Article article;  // cleaned title/text and metadata
  std::string lang;
  double lang_confidence = 0;
  std::string lang_method;
  uint64_t content_hash = 0;  // of the stored (cleaned, boilerplate-free) title and text
  uint64_t raw_hash = 0;      // of the title and text as they arrived (after cleaning, before
                              // boilerplate removal): how a re-delivery is recognised
  int64_t ingested = 0;       // Unix seconds
  std::vector<uint64_t> sketch;
  std::vector<std::string> names;  // display forms of name candidates
  int64_t handle = 0;              // storage handle (set by PutArticle)
};

struct Membership {
  std::string article;
  std::string story;
  double score = 0;
  std::string reason;  // "new", "text", "names", "duplicate"
  std::string detail;  // JSON object explaining the decision
};

struct DuplicateLink {
  std::string article;  // the later one (the copy)
  std::string of;       // the earlier one (the original)
  std::string kind;     // "exact", "near_duplicate", "wire_copy", "shares_text"
  double resemblance = 0;
  double containment = 0;
  int shared = 0;
};

// What the store keeps of a story's clustering state. The vectors are opaque
// bytes (the clusterer's encoding).
struct StoryRecord {
  std::string id;
  std::string title;
  uint32_t size = 0;     // whole articles
  uint32_t entries = 0;  // live-blog entries
  std::map<std::string, uint32_t> langs;
  std::optional<int64_t> first_time, last_time;
  std::string full_vector, neutral_vector, pivot_vector;
  uint64_t seq = 0;     // creation order (0: unknown, a store made before it was kept)
  int64_t updated = 0;  // ingest time of the last article that joined (0: now)
};

// Document frequencies are kept per day: a publication day, or for undated
// articles an ingest day (a series of its own).
struct DfDay {
  int64_t day = 0;  // days since 1970-01-01
  bool undated = false;
};
struct DfCount {
  DfDay bucket;
  uint64_t feature = 0;
  uint32_t n = 0;
};
struct DfDocuments {
  DfDay bucket;
  uint64_t documents = 0;
};

// An entity of a story (ListEntities: over all stories, with their number).
struct EntityRow {
  std::string key;
  std::string name;
  std::string type;  // "person", "organisation", "place", "other"
  int64_t count = 0;
  int64_t stories = 1;
};

// What is known of a stored article, to decide whether an incoming one is new.
struct KnownArticle {
  std::string id;  // the stored (canonical) id
  uint64_t content_hash = 0;
  std::optional<uint64_t> raw_hash;  // absent for articles stored before it was kept
                                     // (for an alias: the alias's own content)
  bool text_empty = false;           // the stored text is empty (a title-only item)
};

struct StoryRow {
  std::string id;
  std::string title;
  int64_t size = 0;     // whole articles
  int64_t entries = 0;  // live-blog entries
  std::map<std::string, int64_t> langs;
  std::optional<int64_t> first_time, last_time;
  int64_t updated = 0;
  int64_t independent = 0;  // independent sources (from the summary; 0 before it)
  std::string headline;     // the summary's headline ("" before it)
  std::map<std::string, std::string> headlines;  // by language
};

// Which stories a listing shows and in what order. Paging is by keyset:
// `after` is the `cursor` of the last row of the previous page.
struct StoryFilter {
  std::string lang;    // only stories with an article in this language
  std::string entity;  // only stories that mention this entity (key)
  std::string source;  // only stories with an article from this source (domain or name)
  std::optional<int64_t> since, until;  // last published at or after / first at or before
  int64_t limit = 50;                   // -1: no limit
  int64_t min_size = 1;
  // "size" (largest first), "recent" (newest last article first), "sources"
  // (most independent sources first), "top" (recency and sources: each
  // independent source, up to 10, counts as one day newer); ties: newest,
  // then id.
  std::string sort = "size";
  std::string after;  // a cursor; "" for the first page
};
// The cursor of a row in a listing sorted by `sort` (opaque to callers).
std::string StoryCursor(const StoryRow& r, const std::string& sort);

// Full-text search over titles and texts (every language; case and
// diacritics folded: `mote` finds `møte`). Words are ANDed; a trailing `*`
// matches a prefix. Best matches first (BM25, the title weighing more).
struct SearchQuery {
  std::string text;
  std::string lang;  // only articles in this language
  int64_t limit = 20;
  int64_t offset = 0;
};
struct SearchHit {
  std::string article;
  std::string title;
  std::string lang;
  std::string source;
  std::optional<int64_t> published;
  std::string story;  // "" if none
  // Title and a passage of the text around the matches, with each match
  // between the control characters kMatchBegin and kMatchEnd.
  std::string title_marked;
  std::string snippet_marked;
};
inline constexpr char kMatchBegin = '\x02';
inline constexpr char kMatchEnd = '\x03';

// A takedown request as recorded (the audit log), and the tombstones that
// keep what it removed from coming back: kind "article" (an id), "url",
// "source" (a domain or source name) or "hash" (the content of a removed
// article, so a copy under another id is refused too).
struct TakedownRecord {
  int64_t seq = 0;
  std::string kind;
  std::string value;
  std::string reason;
  int64_t at = 0;
  std::vector<std::string> articles;  // what it removed
};

// What the poller remembers of a feed.
struct FeedState {
  std::string url;
  std::string etag;           // as received, echoed exactly
  std::string last_modified;  // as received, echoed exactly
  long last_status = 0;
  int64_t last_checked = 0;
  int failures = 0;  // consecutive
  std::string last_error;
};

struct StoreOptions {
  // "FULL" (default: a committed batch survives power loss) or "NORMAL".
  std::string synchronous = "FULL";
  // SQLite's page cache per connection, MiB. Past it, the writer reads the
  // file's pages again (from the OS) and spills dirty ones early. 256 instead
  // of 64 saved 1.7% of the CPU time at 60k articles for 200 MiB more RSS
  // (BENCHMARKS.md): not the default.
  int64_t cache_mib = 64;
};

// The one-writer-per-store lock: an advisory lock (flock) on "<db>.lock",
// held from Acquire until the object is destroyed (or the process dies: the
// kernel releases it, so a killed writer never leaves a stale lock). The
// file holds the writer's pid, for the message a second writer gets.
class WriterLock {
 public:
  // `wait`: block until the lock is free (calling `on_wait` once with the
  // holder's pid first); else fail at once with a message naming the holder.
  // ":memory:" and "" need no lock.
  static Result<std::unique_ptr<WriterLock>> Acquire(
      const std::string& db_path, bool wait,
      const std::function<void(const std::string& holder)>& on_wait = {});
  ~WriterLock();
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  WriterLock() = default;
  int fd_ = -1;
  std::shared_ptr<void> remote_;  // a PostgreSQL store's lock (its connection)
};

class ArticleStore {
 public:
  virtual ~ArticleStore() = default;

  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  // A reader's snapshot: every query between BeginRead and EndRead sees the
  // same committed state (a view made of several queries is consistent).
  virtual Status BeginRead() = 0;
  virtual Status EndRead() = 0;
  // Undoes everything since Begin(); a no-op outside a transaction.
  virtual Status Rollback() = 0;
  // Copies committed pages from the write-ahead log into the database and
  // lets the log restart (long runs call it between transactions).
  virtual Status Checkpoint() = 0;

  // Parameters that shape stored data; checked by the engine on open.
  virtual Result<std::optional<std::string>> GetMeta(const std::string& key) = 0;
  virtual Status PutMeta(const std::string& key, const std::string& value) = 0;
  // GetMeta inside a write transaction, holding the value against other
  // writers until the commit (SQLite: the write lock does; PostgreSQL: a row
  // lock, SELECT ... FOR UPDATE).
  virtual Result<std::optional<std::string>> GetMetaForUpdate(const std::string& key) {
    return GetMeta(key);
  }

  // nullopt if absent; else the stored content hash.
  virtual Result<std::optional<uint64_t>> ArticleHash(const std::string& id) = 0;
  // The stored article with this id (or alias), if any.
  virtual Result<std::optional<KnownArticle>> FindArticle(const std::string& id) = 0;
  // The id of an article with this content hash (or raw hash), if any.
  virtual Result<std::optional<std::string>> FindByHash(uint64_t content_hash) = 0;
  virtual Result<std::string> CanonicalId(const std::string& id) = 0;  // follows aliases
  virtual Status PutArticle(StoredArticle* a) = 0;
  // Replaces an article's title/text, keeping the old ones as a revision.
  virtual Status UpdateArticle(const std::string& id, const std::string& title,
                               const std::string& text, uint64_t content_hash, uint64_t raw_hash,
                               int64_t now) = 0;
  virtual Result<int64_t> CountRevisions(const std::string& id) = 0;
  // `raw_hash`: the alias's own content as it arrived (0: unknown).
  virtual Status PutAlias(const std::string& id, const std::string& canonical,
                          const std::string& origin, uint64_t raw_hash = 0) = 0;
  // An alias that turned out to be an article of its own: the alias and its
  // "exact" duplicate link are removed.
  virtual Status RemoveAlias(const std::string& id) = 0;
  virtual Status PutMembership(const Membership& m) = 0;
  // An entry of a live blog (stored once with its article; its own
  // membership is under the id "<article>#<n>").
  virtual Status PutEntry(const std::string& article, int n, const std::string& title,
                          const std::string& text) = 0;
  // The entries stored for a live blog, by number.
  struct StoredEntry {
    int n = 0;
    std::string title, text;
  };
  virtual Result<std::vector<StoredEntry>> Entries(const std::string& article) = 0;
  virtual Status PutDuplicate(const DuplicateLink& d) = 0;
  virtual Status PutReject(const Reject& r, int64_t at) = 0;
  virtual Status PutStory(const StoryRecord& s, int64_t now) = 0;
  // Document frequencies by day: the changed counts and document totals, and
  // the days that left the window (deleted first).
  virtual Status PutDf(const std::vector<DfCount>& counts,
                       const std::vector<DfDocuments>& documents,
                       const std::vector<DfDay>& removed) = 0;
  // Story `from` joins `into`: its memberships move, its id becomes an alias.
  virtual Status MergeStory(const std::string& from, const std::string& into) = 0;
  // The current id of a story (follows merges); the id itself if not merged.
  virtual Result<std::string> ResolveStory(const std::string& id) = 0;

  virtual Status LoadDf(const std::function<void(const DfCount&)>& count,
                        const std::function<void(const DfDocuments&)>& documents) = 0;
  virtual Result<std::optional<FeedState>> GetFeedState(const std::string& url) = 0;
  virtual Status PutFeedState(const FeedState& f) = 0;
  // Learned boilerplate: paragraph hashes seen in several articles of a
  // source; n = 0 removes the count (forgotten: BoilerplateOptions).
  virtual Status PutBoilerplate(const std::string& source, uint64_t hash, uint32_t n) = 0;
  virtual Status LoadBoilerplate(
      const std::function<void(const std::string&, uint64_t, uint32_t)>& fn) = 0;
  // Stories whose last dated article is at or after `since` (all dated ones
  // without it), and undated stories updated at or after `undated_since`
  // (ingest time), in creation (seq) order.
  virtual Status LoadStories(std::optional<int64_t> since, int64_t undated_since,
                             const std::function<void(StoryRecord)>& fn) = 0;
  // Sketches of articles published at or after `since`, and of undated ones
  // ingested at or after `undated_since`, by handle.
  virtual Status LoadSketches(
      std::optional<int64_t> since, int64_t undated_since,
      const std::function<void(int64_t handle, std::optional<int64_t> published, int64_t ingested,
                               std::vector<uint64_t>)>& fn) = 0;
  struct ArticleRef {
    std::string id;
    std::optional<int64_t> published;
  };
  virtual Result<ArticleRef> ArticleByHandle(int64_t handle) = 0;
  virtual Result<std::string> StoryOf(const std::string& article_id) = 0;

  // Queries for front ends.
  virtual Result<std::vector<StoryRow>> ListStories(const StoryFilter& f) = 0;
  virtual Result<StoryRow> GetStory(const std::string& id) = 0;
  // A value that changes whenever the story or its summary changes (for
  // caching what is rendered from them); NotFound if there is no such story.
  virtual Result<std::string> StoryStamp(const std::string& id) = 0;
  // `with_text` false: texts are left empty (a page that shows titles only).
  virtual Result<std::vector<StoredArticle>> StoryArticles(const std::string& id,
                                                           bool with_text = true) = 0;
  virtual Result<std::vector<Membership>> StoryMemberships(const std::string& id) = 0;
  virtual Result<std::vector<DuplicateLink>> DuplicatesOf(const std::string& article_id) = 0;
  // Every copy link with an end among a story's articles (one query).
  virtual Result<std::vector<DuplicateLink>> StoryDuplicates(const std::string& story) = 0;
  // Every article id (aliases included) with its story.
  virtual Status ForEachAssignment(
      const std::function<void(const std::string& id, const std::string& story,
                               const std::string& lang)>& fn) = 0;
  virtual Result<std::vector<std::pair<Reject, int64_t>>> ListRejects(int64_t limit) = 0;
  // Stored articles that were repaired on the way in: (id, origin, repairs).
  struct Repaired {
    std::string id;
    std::string origin;
    std::vector<std::string> repairs;
    int64_t ingested = 0;
  };
  virtual Result<std::vector<Repaired>> ListRepaired(int64_t limit) = 0;
  virtual Result<int64_t> CountArticles() = 0;
  virtual Result<int64_t> CountStories() = 0;

  // Story intelligence (enrich and summary stages), as opaque JSON: per
  // article its enrichment, per story its summary and its entities (kept as
  // rows too, so that entities can be listed across stories).
  virtual Status PutArticleIntel(const std::string& article, const std::string& json) = 0;
  virtual Result<std::optional<std::string>> GetArticleIntel(const std::string& article) = 0;
  // The enrichment of every article of a story that has one, by article id
  // (one query: a summary reads a whole story).
  virtual Result<std::map<std::string, std::string>> StoryArticleIntel(
      const std::string& story) = 0;
  // A story's summary and its entity rows (replacing the story's rows; the
  // last of a key wins; only rows that changed are written). Each call
  // changes the story's StoryStamp.
  virtual Status PutStoryIntel(const std::string& story, const std::string& json,
                               const std::vector<EntityRow>& entities, int64_t now) = 0;
  virtual Result<std::optional<std::string>> GetStoryIntel(const std::string& story) = 0;
  // Entities over all stories, in the most stories first.
  virtual Result<std::vector<EntityRow>> ListEntities(int64_t limit) = 0;
  // The stories that mention an entity (by key), newest first.
  virtual Result<std::vector<std::string>> EntityStories(const std::string& key, int64_t limit) = 0;
  // Keys of entities whose name or key is `name` (case-insensitive ASCII).
  virtual Result<std::vector<std::string>> FindEntityKeys(const std::string& name) = 0;

  // One stored article (an alias resolves to its article); NotFound if none.
  virtual Result<StoredArticle> GetArticle(const std::string& id) = 0;
  // Full-text search (see SearchQuery). An empty query finds nothing.
  virtual Result<std::vector<SearchHit>> Search(const SearchQuery& q) = 0;

  // Takedown (write path, inside a transaction). TakedownTargets: the stored
  // articles a request matches. EraseArticle: the article and everything
  // derived from it (aliases, entries, revisions, memberships, copy links,
  // its intelligence, its search index entry); returns the stories it was
  // in. RecountStory: a story's size, languages, dates and title from the
  // articles it still has; a story left empty is deleted with its summary.
  // PutTakedown: the audit record and its tombstones.
  virtual Result<std::vector<std::string>> TakedownTargets(const std::string& kind,
                                                           const std::string& value) = 0;
  struct Erased {
    std::vector<std::string> stories;  // the stories it was in
    std::vector<std::string> aliases;  // ids that were copies of it (erased too)
    std::vector<uint64_t> hashes;      // content and raw hashes of it and its aliases
  };
  virtual Result<Erased> EraseArticle(const std::string& id) = 0;
  virtual Result<bool> RecountStory(const std::string& story, int64_t now) = 0;  // false: deleted
  virtual Status PutTakedown(TakedownRecord* r, const std::vector<uint64_t>& hashes) = 0;
  // The reason an incoming article may not be stored, if a tombstone matches
  // its id, URL, source or content.
  virtual Result<std::optional<std::string>> TakenDown(const std::string& id,
                                                       const std::string& url,
                                                       const std::string& source,
                                                       uint64_t raw_hash) = 0;
  virtual Result<int64_t> CountTombstones() = 0;
  virtual Result<std::vector<TakedownRecord>> ListTakedowns(int64_t limit) = 0;
  // After a takedown's commit: rewrites the search index without the erased
  // entries and checkpoints the write-ahead log to zero bytes, so that no
  // removed text is left in the database files (deleted content is
  // overwritten: secure_delete). Busy readers can delay the log's truncation:
  // then an error says so, and it is retried by the next call.
  virtual Status Scrub() = 0;
};

// Opens (creating if needed) the SQLite store at `path` (":memory:" for an
// in-memory store).
Result<std::unique_ptr<ArticleStore>> OpenSqliteStore(const std::string& path,
                                                      const StoreOptions& options);

// The PostgreSQL store (DESIGN.md, "Scale-out"): `conninfo` is a libpq URL
// (postgres://user@host:port/db?...). Creates the schema if the database has
// none; refuses a database whose schema is newer than this build knows.
// Fails with a clear message when built without libpq.
Result<std::unique_ptr<ArticleStore>> OpenPostgresStore(const std::string& conninfo,
                                                        const StoreOptions& options);
// A store spec names PostgreSQL when it is a postgres:// or postgresql:// URL.
bool IsPostgresStore(const std::string& spec);
// The store a spec names: a PostgreSQL URL, "sqlite:PATH", or a plain PATH.
Result<std::unique_ptr<ArticleStore>> OpenStore(const std::string& spec,
                                                const StoreOptions& options);
// A store spec fit for messages and logs: a URL's password replaced by ***.
std::string RedactedStore(const std::string& spec);
// The SQLite path of a spec ("sqlite:PATH" or PATH); the spec itself for PostgreSQL.
std::string StorePath(const std::string& spec);
// The writer lock of a PostgreSQL store (WriterLock::Acquire calls it): a
// session advisory lock held on a connection of its own.
Result<std::shared_ptr<void>> AcquirePostgresLock(
    const std::string& conninfo, bool wait,
    const std::function<void(const std::string& holder)>& on_wait);

}  // namespace storyline
