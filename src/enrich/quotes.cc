#include "enrich/quotes.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <set>

namespace storyline::enrich {

namespace {

constexpr size_t kMinWords = 2;          // single-word quotes are terms, not speech
constexpr size_t kMinUnattributed = 5;   // an unattributed quote must look like a sentence
constexpr size_t kPostWindow = 14;       // tokens after a quote where its tag may be
constexpr size_t kPreWindow = 30;        // tokens before a quote in its sentence
constexpr size_t kSubjectReach = 6;      // tokens between a speech verb and its subject
constexpr size_t kAppositionReach = 12;  // "Peskov, the Kremlin spokesman, said"
constexpr int kPronounSentences = 3;     // sentences a pronoun looks back

UChar32 CodePointAt(std::string_view s, size_t i, size_t* next) {
  int32_t j = static_cast<int32_t>(i);
  UChar32 c;
  U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), j, static_cast<int32_t>(s.size()), c);
  *next = static_cast<size_t>(j);
  return c;
}

UChar32 CodePointBefore(std::string_view s, size_t i) {
  if (i == 0) return -1;
  int32_t j = static_cast<int32_t>(i);
  UChar32 c;
  U8_PREV(reinterpret_cast<const uint8_t*>(s.data()), 0, j, c);
  return c;
}

bool Space(UChar32 c) { return c < 0 || u_isUWhiteSpace(c) || c == 0xA0 || c == 0x202F; }
bool Letter(UChar32 c) { return c >= 0 && u_isalnum(c); }

bool IsMark(UChar32 c) {
  switch (c) {
    case '"':
    case '\'':
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0xAB:
    case 0xBB:
    case 0x2018:
    case 0x2019:
    case 0x2039:
    case 0x203A:
    case '`':
      return true;
    default:
      return false;
  }
}

// The marks that may close a quote opened with `open`.
std::vector<UChar32> Closers(UChar32 open) {
  switch (open) {
    case '"':
      return {'"'};
    case 0x201C:
      return {0x201D, 0x201C};  // “…” (and „…“'s closer written alone)
    case 0x201E:
      return {0x201C, 0x201D};  // „…“ „…”
    case 0xAB:
      return {0xBB};  // «…»
    case 0xBB:
      return {0xAB, 0xBB};  // »…« »…»
    case 0x201D:
      return {0x201D};  // ”…”
    case 0x2018:
      return {0x2019};  // ‘…’
    case '\'':
      return {'\''};
    case 0x2039:
      return {0x203A};
    case 0x203A:
      return {0x2039};
    default:
      return {};
  }
}

bool DoubleMark(UChar32 c) { return c != '\'' && c != 0x2018 && c != 0x2039 && c != 0x203A; }

struct Span {
  size_t begin = 0, end = 0;   // bytes of the quoted words
  size_t first = 0, last = 0;  // tokens inside (inclusive)
  size_t after = 0;            // first token after the closing mark or attribution
  size_t before = 0;           // the opening mark's token (or the dash's)
  int para = 0;
  bool unclosed = false;
  bool dash = false;
  bool para_start = false;  // the quote opens its paragraph
  size_t words = 0;
  // Attribution:
  int verb_tok = -1, verb_len = 0;
  int entity = -1;
  bool pronoun = false;
  size_t subject_tok = 0;
};

class QuoteFinder {
 public:
  QuoteFinder(std::string_view text, size_t body_offset, const std::vector<Token>& tokens,
              EntityResult& found, const QuoteContext& ctx)
      : text_(text),
        body_(body_offset),
        tokens_(tokens),
        found_(found),
        ctx_(ctx),
        lists_(*ctx.lists) {}

  std::vector<Quote> Run();

 private:
  size_t TokenAt(size_t byte) const;
  std::string_view Tok(size_t k) const {
    return text_.substr(tokens_[k].begin, tokens_[k].end - tokens_[k].begin);
  }
  bool IsPunct(size_t k, std::string_view p) const { return !tokens_[k].word && Tok(k) == p; }
  bool IsDashTok(size_t k) const {
    return !tokens_[k].word &&
           (Tok(k) == "-" || Tok(k) == "\xE2\x80\x93" || Tok(k) == "\xE2\x80\x94");
  }
  bool IsMarkTok(size_t k) const {
    size_t n;
    return !tokens_[k].word && IsMark(CodePointAt(text_, tokens_[k].begin, &n));
  }
  int VerbAt(size_t k) const;
  bool Pronoun(size_t k) const { return lists_.Has("pronouns", ctx_.lang, tokens_[k].lower); }
  bool Skippable(size_t k) const;
  bool SkippableAfter(size_t k) const;

  void IndexMentions();
  void FindSpans();
  void MarkSpans(size_t pb, size_t pe);
  bool DashSpan(size_t pb, size_t pe);
  bool Attribute(Span& s);
  bool Subject(Span& s, size_t verb, size_t len, size_t lo, size_t hi);
  bool SubjectBefore(Span& s, size_t verb, size_t lo);
  bool TakeMention(Span& s, size_t p, size_t lo);
  bool Apposition(Span& s, size_t comma, size_t lo);
  bool SubjectAfter(Span& s, size_t verb, size_t len, size_t hi);
  int ResolveImplicit(size_t k, int para, size_t span_index) const;
  int UniquePerson(size_t k, int para) const;
  std::set<int> PersonsIn(size_t lo, size_t hi) const;
  bool Keep(const Span& s) const;
  bool Speaker(int entity) const;
  bool SpokesAt(size_t k) const;
  std::string SpokesKey(int entity) const;

  std::string_view text_;
  size_t body_;
  const std::vector<Token>& tokens_;
  EntityResult& found_;
  const QuoteContext& ctx_;
  const Lists& lists_;
  std::vector<int> starts_, ends_;  // token -> entity of the mention starting / ending there
  std::vector<Span> spans_;
};

size_t QuoteFinder::TokenAt(size_t byte) const {
  auto it = std::lower_bound(tokens_.begin(), tokens_.end(), byte,
                             [](const Token& t, size_t b) { return t.begin < b; });
  return static_cast<size_t>(it - tokens_.begin());
}

int QuoteFinder::VerbAt(size_t k) const {
  if (k >= tokens_.size() || !tokens_[k].word) return 0;
  std::vector<std::string> words;
  for (size_t j = k; j < tokens_.size() && words.size() < 3; ++j) {
    if (!tokens_[j].word || tokens_[j].para != tokens_[k].para) break;
    words.push_back(tokens_[j].lower);
  }
  return static_cast<int>(lists_.LongestPhrase("verbs", ctx_.lang, words, 0, true));
}

void QuoteFinder::IndexMentions() {
  starts_.assign(tokens_.size(), -1);
  ends_.assign(tokens_.size(), -1);
  for (const Mention& m : found_.mentions) {
    if (m.first < tokens_.size()) starts_[m.first] = m.entity;
    if (m.last < tokens_.size()) ends_[m.last] = m.entity;
  }
}

// ---------------------------------------------------------------- spans

void QuoteFinder::FindSpans() {
  size_t pb = body_;
  while (pb <= text_.size()) {
    size_t pe = text_.find('\n', pb);
    if (pe == std::string_view::npos) pe = text_.size();
    if (pe > pb && !DashSpan(pb, pe)) MarkSpans(pb, pe);
    pb = pe + 1;
  }
}

// Trims whitespace and a trailing comma off [b, e).
void Trim(std::string_view text, size_t* b, size_t* e) {
  while (*b < *e) {
    size_t n;
    if (!Space(CodePointAt(text, *b, &n))) break;
    *b = n;
  }
  while (*e > *b) {
    UChar32 c = CodePointBefore(text, *e);
    if (!Space(c) && c != ',') break;
    *e -= U8_LENGTH(c);
  }
}

// "– Vi ønsker selvsagt ikke krig, sa Putin." / "— Текст, — сказал он."
bool QuoteFinder::DashSpan(size_t pb, size_t pe) {
  size_t k = TokenAt(pb);
  if (k >= tokens_.size() || tokens_[k].begin >= pe || !IsDashTok(k)) return false;
  size_t first = k + 1;
  if (first >= tokens_.size() || tokens_[first].begin >= pe) return false;
  size_t end_tok = TokenAt(pe);  // first token of the next paragraph
  Span s;
  s.dash = true;
  s.para_start = true;
  s.para = tokens_[k].para;
  s.before = k;
  s.first = first;
  s.last = end_tok - 1;
  s.after = end_tok;
  // The attribution: a comma, dash, '?' or '!' followed by a speech verb
  // (or a name or pronoun and a verb).
  for (size_t j = first + 1; j + 1 < end_tok; ++j) {
    if (tokens_[j].word) continue;
    std::string_view p = Tok(j);
    if (p != "," && p != "?" && p != "!" && !IsDashTok(j)) continue;
    size_t v = j + 1;
    while (v < end_tok && IsDashTok(v)) ++v;
    size_t cand = v;
    if (cand < end_tok && (starts_[cand] >= 0 || Pronoun(cand))) {
      size_t e = cand;
      while (e + 1 < end_tok && tokens_[e + 1].word && tokens_[e + 1].cap) ++e;
      cand = e + 1;
    } else {
      cand = end_tok;
    }
    int len = VerbAt(v);
    if (len == 0 && cand < end_tok) {
      len = VerbAt(cand);
      if (len) v = cand;
    }
    if (len == 0) continue;
    s.last = (p == "?" || p == "!") ? j : j - 1;
    s.after = j + 1;
    Subject(s, v, static_cast<size_t>(len), j + 1, end_tok);
    break;
  }
  size_t b = tokens_[first].begin;
  size_t e = tokens_[s.last].end;
  Trim(text_, &b, &e);
  s.begin = b;
  s.end = e;
  for (size_t j = s.first; j <= s.last; ++j) s.words += tokens_[j].word;
  if (s.verb_tok < 0) {
    // No tag: only a full sentence is speech (a crosshead has no full stop),
    // and English dashes start list items.
    UChar32 last = CodePointBefore(text_, e);
    bool sentence = last == '.' || last == '!' || last == '?' || last == 0x2026 || last == 0xBB ||
                    last == 0x201D || last == '"';
    if (!sentence || ctx_.lang == "en") return true;
  }
  spans_.push_back(s);
  return true;
}

void QuoteFinder::MarkSpans(size_t pb, size_t pe) {
  size_t i = pb;
  while (i < pe) {
    size_t j;
    UChar32 c = CodePointAt(text_, i, &j);
    bool ap = c == '`' && j < pe && text_[j] == '`';  // ``AP wire''
    if (!IsMark(c) || (c == '`' && !ap)) {
      i = j;
      continue;
    }
    UChar32 prev = i == pb ? ' ' : CodePointBefore(text_, i);
    size_t inner = ap ? j + 1 : j;
    if (c == '\'' && inner < pe && text_[inner] == '\'') inner++;  // ''AP''
    size_t after_inner;
    UChar32 next = inner < pe ? CodePointAt(text_, inner, &after_inner) : ' ';
    bool opens = (Space(prev) || prev == '(' || prev == '[' || prev == 0x2013 || prev == 0x2014 ||
                  prev == '-' || prev == ':' || prev == '/' || IsMark(prev)) &&
                 (!Space(next) || c == 0xAB || c == 0xBB);
    if (!DoubleMark(c) && !Letter(next)) opens = false;
    if (c == 0x2019 || c == 0x201D) opens = opens && (c == 0x201D);  // ’ never opens
    if (!opens) {
      i = j;
      continue;
    }
    // Find the closing mark.
    std::vector<UChar32> closers = ap ? std::vector<UChar32>{'\''} : Closers(c);
    bool double_ap = ap || (c == '\'' && inner == j + 1);
    size_t k = inner, close = std::string::npos, close_end = 0;
    while (k < pe) {
      size_t n;
      UChar32 d = CodePointAt(text_, k, &n);
      if (std::find(closers.begin(), closers.end(), d) != closers.end()) {
        UChar32 before = CodePointBefore(text_, k);
        size_t n2 = n;
        if (double_ap && n < pe && text_[n] == '\'') n2 = n + 1;
        UChar32 after = n2 < pe ? CodePointAt(text_, n2, &n2) : ' ';
        if (double_ap && !(n < pe && text_[n] == '\'')) {
          k = n;
          continue;
        }
        bool closes = !Space(before) || d == 0xBB || d == 0xAB;
        if (!DoubleMark(c) && Letter(after)) closes = false;  // an apostrophe
        if (d == '"' && Letter(after)) closes = false;
        if (closes) {
          close = k;
          close_end = double_ap ? n + 1 : n;
          break;
        }
      }
      k = n;
    }
    Span s;
    s.para = tokens_[TokenAt(i)].para;
    s.before = TokenAt(i);
    if (close == std::string::npos) {
      if (!DoubleMark(c) || double_ap) {
        i = j;
        continue;
      }
      s.unclosed = true;
      close = pe;
      close_end = pe;
    }
    size_t b = inner, e = close;
    Trim(text_, &b, &e);
    if (e > b) {
      s.begin = b;
      s.end = e;
      s.first = TokenAt(b);
      s.last = TokenAt(e) - 1;
      s.after = TokenAt(close_end);
      s.para_start = s.before == TokenAt(pb);
      for (size_t t = s.first; t <= s.last && t < tokens_.size(); ++t) s.words += tokens_[t].word;
      spans_.push_back(s);
    }
    i = close_end;
  }
}

// ---------------------------------------------------------------- attribution

// Words a subject search may step over: titles, articles, adverbs, places
// ("sa Ukrainas utenriksminister Dmytro Kuleba", "said on Tuesday").
bool QuoteFinder::Skippable(size_t k) const {
  const Token& t = tokens_[k];
  if (!t.word) return false;
  if (lists_.Has("titles", ctx_.lang, t.lower, true)) return true;
  if (t.cap) return false;
  if (lists_.IsStopword(ctx_.lang, t.lower) || lists_.IsStopword("en", t.lower)) return true;
  return t.lower.size() > 4 && t.lower.compare(t.lower.size() - 2, 2, "ly") == 0;
}

// After the verb only titles and articles: "said the Kremlin", "sa
// utenriksminister Dmytro Kuleba", "a déclaré M. Macron"; not "said in Moscow".
bool QuoteFinder::SkippableAfter(size_t k) const {
  static const std::set<std::string> kArticles = {"the", "der", "die", "das", "le", "la",     "les",
                                                  "el",  "il",  "o",   "a",   "de", "former", "ex"};
  const Token& t = tokens_[k];
  if (!t.word) return false;
  if (lists_.Has("titles", ctx_.lang, t.lower, true)) return true;
  if (lists_.Has("demonyms", ctx_.lang, t.lower) || lists_.Has("demonyms", "en", t.lower))
    return true;
  return !t.cap && kArticles.count(t.lower) > 0;
}

bool QuoteFinder::Speaker(int entity) const {
  if (entity < 0) return false;
  EntityType type = found_.entities[static_cast<size_t>(entity)].type;
  if (type == EntityType::kOther) {
    // An unknown single word ("Tinseltown", "Technology") is too often no
    // speaker at all; a two-word name is usually a person.
    const std::string& name = found_.entities[static_cast<size_t>(entity)].name;
    return name.find(' ') != std::string::npos;
  }
  return type == EntityType::kPerson || type == EntityType::kOrganisation;
}

// The subject right before a speech verb: "Putin said", "Putin also said",
// "Peskov, the Kremlin spokesman, said", "he said".
bool QuoteFinder::SubjectBefore(Span& s, size_t verb, size_t lo) {
  size_t k = verb;
  int skipped = 0;
  while (k > lo) {
    size_t p = k - 1;
    const Token& t = tokens_[p];
    if (t.para != tokens_[verb].para) return false;
    if (ends_[p] >= 0) return TakeMention(s, p, lo);
    if (t.word && Pronoun(p)) {
      s.pronoun = true;
      s.subject_tok = p;
      return true;
    }
    if (!t.word && Tok(p) == ",") return Apposition(s, p, lo);
    if (!t.word || skipped >= 2 || t.cap || !Skippable(p)) return false;
    ++skipped;
    --k;
  }
  return false;
}

// The mention ending at `p` speaks, unless it only says where the speaker
// is from ("Mike Ryan of Clarkston said", "Freidman of The New York Times").
bool QuoteFinder::TakeMention(Span& s, size_t p, size_t lo) {
  size_t start = p;
  while (start > lo && (starts_[start] < 0)) --start;
  if (start > lo + 1 && tokens_[start - 1].word &&
      (tokens_[start - 1].lower == "of" || tokens_[start - 1].lower == "from") &&
      ends_[start - 2] >= 0 && Speaker(ends_[start - 2])) {
    s.entity = ends_[start - 2];
    s.subject_tok = start - 2;
    return true;
  }
  if (!Speaker(ends_[p])) return false;
  s.entity = ends_[p];
  s.subject_tok = p;
  return true;
}

// "Dmitry Peskov, the Kremlin spokesman, said": the name before the clause's
// first comma; "his spokesman, Gen Guillermo Garin, told": the name right
// before the verb's comma.
bool QuoteFinder::Apposition(Span& s, size_t comma, size_t lo) {
  if (comma > lo && ends_[comma - 1] >= 0 && Speaker(ends_[comma - 1])) {
    size_t start = comma - 1;
    while (start > lo && starts_[start] < 0) --start;
    if (start > lo && (Tok(start - 1) == "," ||
                       lists_.Has("titles", ctx_.lang, tokens_[start - 1].lower, true))) {
      s.entity = ends_[comma - 1];
      s.subject_tok = comma - 1;
      return true;
    }
  }
  size_t first_comma = comma;
  for (size_t q = comma; q > lo && comma - q < kAppositionReach * 2; --q)
    if (!tokens_[q - 1].word && Tok(q - 1) == ",") first_comma = q - 1;
  if (first_comma > lo && ends_[first_comma - 1] >= 0 && Speaker(ends_[first_comma - 1])) {
    size_t start = first_comma - 1;
    while (start > lo && starts_[start] < 0) --start;
    if (start - lo <= 3) {
      s.entity = ends_[first_comma - 1];
      s.subject_tok = first_comma - 1;
      return true;
    }
  }
  return false;
}

// The subject after a speech verb: "said Putin", "sa han", "sagte
// Bundeskanzler Olaf Scholz", "a déclaré M. Macron".
bool QuoteFinder::SubjectAfter(Span& s, size_t verb, size_t len, size_t hi) {
  static const std::set<std::string> kListenerAfter = {"told",  "tell", "tells",    "telling",
                                                       "asked", "asks", "fortalte", "berättade"};
  if (len == 1 && kListenerAfter.count(tokens_[verb].lower)) return false;
  size_t k = verb + len;
  // After a title, its complement and an apposition comma are stepped over:
  // "a déclaré le ministre norvégien de la Défense, Halvard Lien", "dijo el
  // ministro de Protección Civil, Petros Zafeiriou".
  bool saw_title = false;
  const size_t reach = kSubjectReach + 6;
  for (size_t steps = 0; k < hi && k < tokens_.size() && steps < reach; ++k, ++steps) {
    const Token& t = tokens_[k];
    if (t.para != tokens_[verb].para) return false;
    if (!saw_title && steps >= kSubjectReach) return false;
    if (starts_[k] >= 0) {
      // "el ministro de Protección Civil, ...": the body a title heads is
      // not its holder.
      static const std::set<std::string> kOf = {"de", "del",   "des", "du", "of",  "for", "für",
                                                "di", "della", "da",  "do", "för", "für", "af"};
      if (saw_title && k > 0 && kOf.count(tokens_[k - 1].lower)) {
        while (k + 1 < hi && ends_[k] < 0) ++k;
        continue;
      }
      if (!Speaker(starts_[k])) {
        // "sa Ukrainas utenriksminister ...": step over a place; after a
        // title, over the body it heads ("de la Défense").
        EntityType type = found_.entities[static_cast<size_t>(starts_[k])].type;
        if (type != EntityType::kPlace && !saw_title) return false;
        while (k + 1 < hi && ends_[k] < 0) ++k;
        continue;
      }
      s.entity = starts_[k];
      s.subject_tok = k;
      return true;
    }
    if (t.word && Pronoun(k)) {
      s.pronoun = true;
      s.subject_tok = k;
      return true;
    }
    if (!t.word) {
      if (Tok(k) == "." && k > 0 && tokens_[k - 1].word && tokens_[k - 1].lower.size() <= 3)
        continue;                                // "M." "Dr."
      if (Tok(k) == "," && saw_title) continue;  // the apposition: "le ministre, Halvard Lien"
      return false;
    }
    if (lists_.Has("titles", ctx_.lang, t.lower, true)) saw_title = true;
    if (SkippableAfter(k)) continue;
    // Within a title's phrase, lower-case words of its complement ("de la
    // Protection civile", "europea de Comercio").
    if (saw_title && !t.cap && t.lower.size() <= 12) continue;
    return false;
  }
  return false;
}

bool QuoteFinder::Subject(Span& s, size_t verb, size_t len, size_t lo, size_t hi) {
  s.verb_tok = static_cast<int>(verb);
  s.verb_len = static_cast<int>(len);
  if (SubjectBefore(s, verb, lo)) return true;
  return SubjectAfter(s, verb, len, hi);
}

// Looks for the tag after the quote, then before it in the same sentence.
bool QuoteFinder::Attribute(Span& s) {
  size_t n = tokens_.size();
  // After: up to the end of the sentence, the paragraph or the next quote.
  size_t hi = s.after;
  while (hi < n && tokens_[hi].para == s.para && hi - s.after < kPostWindow) {
    if (!tokens_[hi].word && tokens_[hi].ends_sentence) break;
    if (IsMarkTok(hi) && tokens_[hi].space_before) break;
    ++hi;
  }
  if (!s.unclosed) {
    // A quote that ends its sentence ("... a date.'') is tagged only by a
    // short "Name said" / "he said" right after it.
    UChar32 last = CodePointBefore(text_, s.end);
    bool closed = last == '.' || last == '!' || last == '?';
    bool next_cap = s.after < n && tokens_[s.after].word && tokens_[s.after].cap;
    size_t reach = closed && next_cap ? 4 : kPostWindow;
    for (size_t k = s.after; k < hi && k < s.after + reach; ++k) {
      if (closed && next_cap && !tokens_[k].word) break;
      int len = VerbAt(k);
      if (len > 0) return Subject(s, k, static_cast<size_t>(len), s.after, hi);
    }
  }
  // Before: from the sentence start to the opening mark.
  size_t lo = s.before;
  while (lo > 0 && tokens_[lo - 1].para == s.para && s.before - lo < kPreWindow) {
    const Token& p = tokens_[lo - 1];
    if (!p.word && p.ends_sentence) break;
    if (IsMarkTok(lo - 1) && !p.space_before) break;  // the previous quote's close
    --lo;
  }
  for (size_t k = s.before; k > lo; --k) {
    int len = VerbAt(k - 1);
    if (len > 0) return Subject(s, k - 1, static_cast<size_t>(len), lo, s.before);
  }
  return false;
}

// The one person the context names for a pronoun or an untagged quote:
// the previous quote's speaker when no other person came between, else the
// only person named in this paragraph and the previous one.
int QuoteFinder::ResolveImplicit(size_t k, int para, size_t span_index) const {
  for (size_t i = span_index; i > 0; --i) {
    const Span& p = spans_[i - 1];
    if (p.para < para - 1) break;
    if (p.entity < 0) {
      if (p.verb_tok >= 0) break;  // the last tagged quote had no clear speaker
      continue;
    }
    if (found_.entities[static_cast<size_t>(p.entity)].type != EntityType::kPerson) break;
    bool other = false;
    for (const Mention& m : found_.mentions)
      if (m.first > p.last && m.first < k && m.entity != p.entity &&
          found_.entities[static_cast<size_t>(m.entity)].type == EntityType::kPerson)
        other = true;
    if (!other) return p.entity;
    break;
  }
  return UniquePerson(k, para);
}

// The persons named in the last few sentences before token `k` (this
// paragraph and the previous one); when one of those sentences itself opens
// with a pronoun, the referent is further back and the window grows.
int QuoteFinder::UniquePerson(size_t k, int para) const {
  auto window_start = [&](size_t from, int min_para) {
    size_t lo = from;
    int sentences = 0;
    while (lo > 0 && tokens_[lo - 1].para >= min_para) {
      --lo;
      if (tokens_[lo].word && tokens_[lo].sentence_start && ++sentences > kPronounSentences) break;
    }
    return lo;
  };
  auto opens_with_pronoun = [&](size_t lo, size_t hi) {
    for (size_t j = lo; j < hi; ++j)
      if (tokens_[j].word && tokens_[j].sentence_start && Pronoun(j)) return true;
    return false;
  };
  size_t own = k;
  while (own > 0 && !(tokens_[own].word && tokens_[own].sentence_start)) --own;
  size_t lo = window_start(k, para - 1);
  auto persons = PersonsIn(lo, k);
  if (persons.empty() || opens_with_pronoun(lo, own)) {
    lo = window_start(lo, tokens_[lo].para - 1);
    persons = PersonsIn(lo, k);
  }
  return persons.size() == 1 ? *persons.begin() : -1;
}

std::set<int> QuoteFinder::PersonsIn(size_t lo, size_t hi) const {
  std::set<int> persons;
  for (const Mention& m : found_.mentions)
    if (m.first >= lo && m.first < hi &&
        found_.entities[static_cast<size_t>(m.entity)].type == EntityType::kPerson)
      persons.insert(m.entity);
  return persons;
}

bool QuoteFinder::SpokesAt(size_t k) const {
  if (!tokens_[k].word) return false;
  if (lists_.Has("spokes", ctx_.lang, tokens_[k].lower, true)) return true;
  std::vector<std::string> two{tokens_[k].lower};
  for (size_t j = k + 1; j < tokens_.size() && j <= k + 2 && two.size() < 2; ++j)
    if (tokens_[j].word) two.push_back(tokens_[j].lower);
  return two.size() == 2 && lists_.Has("spokes", ctx_.lang, two[0] + " " + two[1], true);
}

// When the article calls a person the spokesperson of an organisation (or
// of another person) - "Kremlin spokesman Dmitry Peskov", "Malte Pollmann,
// spokesman for Lycos Europe", "Kreml-talsmann" - that one's key.
std::string QuoteFinder::SpokesKey(int entity) const {
  constexpr size_t kReach = 6;
  for (const Mention& m : found_.mentions) {
    if (m.entity != entity) continue;
    size_t lo = m.first > kReach ? m.first - kReach : 0;
    size_t hi = std::min(tokens_.size(), m.last + kReach + 1);
    for (size_t k = lo; k < hi; ++k) {
      if (k >= m.first && k <= m.last) continue;
      if (tokens_[k].para != tokens_[m.first].para || !SpokesAt(k)) continue;
      // Whose: a name right before the word ("Kremlin spokesman", "Gregoire's
      // spokesman"), else one right after it ("spokesman for Lycos Europe").
      for (size_t j = k; j > 0 && k - j < 3; --j) {
        int e = ends_[j - 1];
        if (e >= 0 && e != entity &&
            found_.entities[static_cast<size_t>(e)].type != EntityType::kPlace)
          return found_.entities[static_cast<size_t>(e)].key;
        if (!tokens_[j - 1].word && Tok(j - 1) != "-") break;
      }
      for (size_t j = k + 1; j < hi && j <= k + 4; ++j) {
        int e = starts_[j];
        EntityType type =
            e >= 0 ? found_.entities[static_cast<size_t>(e)].type : EntityType::kPlace;
        if (e >= 0 && e != entity &&
            (type == EntityType::kOrganisation || type == EntityType::kOther))
          return found_.entities[static_cast<size_t>(e)].key;
        if (!tokens_[j].word) break;
      }
    }
  }
  return {};
}

// Scare quotes, terms and titles out; speech in.
bool QuoteFinder::Keep(const Span& s) const {
  if (s.words < kMinWords) return false;
  if (s.verb_tok >= 0 || s.entity >= 0) {
    // A short all-capitalised phrase is a title ("Nord Stream", "War and Peace").
    size_t caps = 0;
    for (size_t k = s.first; k <= s.last && k < tokens_.size(); ++k)
      caps += tokens_[k].word && tokens_[k].cap;
    return !(s.words <= 4 && caps == s.words);
  }
  return s.words >= kMinUnattributed && (s.para_start || s.dash);
}

std::vector<Quote> QuoteFinder::Run() {
  IndexMentions();
  FindSpans();
  std::vector<Span> kept;
  for (size_t i = 0; i < spans_.size(); ++i) {
    Span& s = spans_[i];
    if (!s.dash) Attribute(s);
    if (s.pronoun) s.entity = ResolveImplicit(s.subject_tok, s.para, i);
  }
  // Untagged quotes: the continuation of a quote (same paragraph, or a
  // paragraph that opens with a quote right after one) keeps its speaker.
  for (size_t i = 0; i < spans_.size(); ++i) {
    Span& s = spans_[i];
    if (s.verb_tok >= 0 || s.entity >= 0 || i == 0) continue;
    const Span& p = spans_[i - 1];
    bool same = p.para == s.para;
    bool next = p.para + 1 == s.para && s.para_start && (p.unclosed || p.verb_tok >= 0);
    if ((same || next) && p.entity >= 0) s.entity = p.entity;
    if (s.dash && s.entity < 0) s.entity = ResolveImplicit(s.first, s.para, i);
  }
  // A quote running over paragraphs takes the speaker its last part names.
  for (size_t i = spans_.size(); i-- > 1;) {
    Span& p = spans_[i - 1];
    const Span& s = spans_[i];
    if (p.unclosed && p.entity < 0 && p.verb_tok < 0 && s.para == p.para + 1 && s.para_start)
      p.entity = s.entity;
  }
  std::vector<Quote> out;
  for (const Span& s : spans_) {
    if (!Keep(s)) continue;
    Quote q;
    q.text = std::string(text_.substr(s.begin, s.end - s.begin));
    q.form = s.dash ? QuoteForm::kDash : QuoteForm::kMarks;
    q.offset = s.begin - body_;
    if (s.verb_tok >= 0) {
      size_t v = static_cast<size_t>(s.verb_tok);
      size_t e = v + static_cast<size_t>(s.verb_len) - 1;
      q.verb = std::string(text_.substr(tokens_[v].begin, tokens_[e].end - tokens_[v].begin));
    }
    if (s.entity >= 0 && Speaker(s.entity)) {
      Entity& e = found_.entities[static_cast<size_t>(s.entity)];
      if (e.type == EntityType::kOther) {
        // A name that speaks and is no organisation is a person: keyed by surname.
        e.type = EntityType::kPerson;
        e.key = PersonKey(e.key);
      }
      q.speaker = e.name;
      q.speaker_key = e.key;
      if (e.type == EntityType::kPerson) {
        std::string spokes = SpokesKey(s.entity);
        if (!spokes.empty()) q.speaker_key = spokes;
      }
    }
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace

std::vector<Quote> FindQuotes(std::string_view text, size_t body_offset,
                              const std::vector<Token>& tokens, EntityResult& found,
                              const QuoteContext& ctx) {
  if (!ctx.lists || body_offset > text.size()) return {};
  QuoteFinder f(text, body_offset, tokens, found, ctx);
  return f.Run();
}

}  // namespace storyline::enrich
