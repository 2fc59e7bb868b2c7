#include "store/fts.h"

#include <cstring>
#include <vector>

namespace storyline {

namespace {

struct Fold {
  const char* from;  // UTF-8 of a lower-case letter
  const char* to;
};
// Lower case only: unicode61 has folded case before we see the token.
constexpr Fold kFolds[] = {{"ø", "o"}, {"æ", "ae"}, {"œ", "oe"}, {"ß", "ss"}, {"đ", "d"},
                           {"ð", "d"}, {"þ", "th"}, {"ł", "l"},  {"ı", "i"},  {"ħ", "h"},
                           {"ŧ", "t"}, {"ŀ", "l"},  {"ĸ", "k"},  {"ŉ", "n"},  {"ſ", "s"}};

struct Tokenizer {
  fts5_tokenizer inner_api{};
  Fts5Tokenizer* inner = nullptr;
};

struct Forward {
  void* ctx;
  int (*token)(void*, int, const char*, int, int, int);
  std::string buf;
};

int OnToken(void* p, int flags, const char* tok, int n, int start, int end) {
  auto* f = static_cast<Forward*>(p);
  bool high = false;
  for (int i = 0; i < n && !high; ++i) high = static_cast<unsigned char>(tok[i]) >= 0x80;
  if (!high) return f->token(f->ctx, flags, tok, n, start, end);
  f->buf = FoldToken(std::string(tok, static_cast<size_t>(n)));
  return f->token(f->ctx, flags, f->buf.data(), static_cast<int>(f->buf.size()), start, end);
}

int Create(void* api_ptr, const char** /*args*/, int /*nargs*/, Fts5Tokenizer** out) {
  auto* api = static_cast<fts5_api*>(api_ptr);
  auto* t = new Tokenizer;
  void* ud = nullptr;
  int rc = api->xFindTokenizer(api, "unicode61", &ud, &t->inner_api);
  if (rc == SQLITE_OK) {
    const char* args[] = {"remove_diacritics", "2"};
    rc = t->inner_api.xCreate(ud, args, 2, &t->inner);
  }
  if (rc != SQLITE_OK) {
    delete t;
    return rc;
  }
  *out = reinterpret_cast<Fts5Tokenizer*>(t);
  return SQLITE_OK;
}

void Delete(Fts5Tokenizer* p) {
  auto* t = reinterpret_cast<Tokenizer*>(p);
  if (t->inner) t->inner_api.xDelete(t->inner);
  delete t;
}

int Tokenize(Fts5Tokenizer* p, void* ctx, int flags, const char* text, int n,
             int (*token)(void*, int, const char*, int, int, int)) {
  auto* t = reinterpret_cast<Tokenizer*>(p);
  Forward f{ctx, token, {}};
  return t->inner_api.xTokenize(t->inner, &f, flags, text, n, OnToken);
}

}  // namespace

std::string FoldToken(const std::string& token) {
  std::string out;
  out.reserve(token.size() + 2);
  for (size_t i = 0; i < token.size();) {
    bool done = false;
    if (static_cast<unsigned char>(token[i]) >= 0x80) {
      for (const Fold& f : kFolds) {
        size_t len = std::strlen(f.from);
        if (token.compare(i, len, f.from) == 0) {
          out += f.to;
          i += len;
          done = true;
          break;
        }
      }
    }
    if (!done) out += token[i++];
  }
  return out;
}

Status RegisterFoldTokenizer(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, nullptr) != SQLITE_OK)
    return Status::Internal(std::string("full-text search (FTS5) is not available: ") +
                            sqlite3_errmsg(db));
  sqlite3_bind_pointer(st, 1, reinterpret_cast<void*>(&api), "fts5_api_ptr", nullptr);
  sqlite3_step(st);
  sqlite3_finalize(st);
  if (!api) return Status::Internal("full-text search (FTS5) is not available");
  fts5_tokenizer tok{Create, Delete, Tokenize};
  if (api->xCreateTokenizer(api, "storyline", api, &tok, nullptr) != SQLITE_OK)
    return Status::Internal(std::string("cannot register the search tokenizer: ") +
                            sqlite3_errmsg(db));
  return Status::Ok();
}

}  // namespace storyline
