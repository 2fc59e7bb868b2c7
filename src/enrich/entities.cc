#include "enrich/entities.h"

#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include "common/text.h"
#include "signals/gazetteer.h"

namespace storyline::enrich {

namespace {

constexpr size_t kMaxPhraseWords = 4;
constexpr size_t kMaxAcronym = 5;         // longer all-caps words are headings, not acronyms
constexpr size_t kMaxTrailingDigits = 3;  // "Nord Stream 2", "Apollo 11"

// Reads one code point at `i` (advancing it); -1 for an invalid sequence.
UChar32 Next(std::string_view s, int32_t& i) {
  UChar32 c;
  U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, static_cast<int32_t>(s.size()), c);
  return c;
}

UChar32 Peek(std::string_view s, int32_t i) {
  if (i >= static_cast<int32_t>(s.size())) return -1;
  return Next(s, i);
}

bool IsWordChar(UChar32 c) {
  if (c < 0) return false;
  return u_isalnum(c) || u_charType(c) == U_NON_SPACING_MARK ||
         u_charType(c) == U_COMBINING_SPACING_MARK;
}

bool IsApostrophe(UChar32 c) { return c == '\'' || c == 0x2019; }

std::string Fold(std::string_view s) {
  // Most words are ASCII: no conversion needed.
  if (std::all_of(s.begin(), s.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    std::string out(s);
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
  }
  icu::UnicodeString u =
      icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  u.findAndReplace(icu::UnicodeString(static_cast<UChar32>(0x2019)), icu::UnicodeString("'"));
  std::string out;
  u.foldCase().toUTF8String(out);
  return out;
}

// "U.S.", "U.K.": single capitals each followed by '.'; returns the end or 0.
int32_t DottedAcronymEnd(std::string_view s, int32_t i) {
  int32_t j = i, letters = 0, end = 0;
  while (true) {
    int32_t k = j;
    UChar32 c = Peek(s, k);
    if (c < 0 || !u_isupper(c)) break;
    Next(s, k);
    if (Peek(s, k) != '.') break;
    ++k;
    if (IsWordChar(Peek(s, k)) && !u_isupper(Peek(s, k))) break;
    ++letters;
    j = k;
    end = k;
  }
  return letters >= 2 ? end : 0;
}

// Extends a word from `i` over letters, digits and inner apostrophes ("Scholz’s",
// "O'Brien") and Swedish genitive colons ("SVT:s").
int32_t WordEnd(std::string_view s, int32_t i) {
  int32_t n = static_cast<int32_t>(s.size());
  while (i < n) {
    int32_t j = i;
    UChar32 c = Next(s, j);
    if (IsWordChar(c)) {
      i = j;
      continue;
    }
    if ((IsApostrophe(c) || c == ':') && IsWordChar(Peek(s, j)) && u_isalpha(Peek(s, j))) {
      if (c == ':' && u_isupper(Peek(s, j))) break;
      i = j;
      continue;
    }
    break;
  }
  return i;
}

void SetWordFlags(std::string_view text, Token& t) {
  std::string_view w = text.substr(t.begin, t.end - t.begin);
  t.base_end = t.end;
  size_t n = w.size();
  if (n > 3 && w[n - 1] == 's' && (w[n - 2] == '\'' || w[n - 2] == ':')) t.base_end = t.end - 2;
  if (n > 5 && w[n - 1] == 's' && w.substr(n - 4, 3) == "\xE2\x80\x99") t.base_end = t.end - 4;
  t.lower = Fold(text.substr(t.begin, t.base_end - t.begin));
  int32_t i = 0, letters = 0, lowers = 0;
  bool first = true, digits = true;
  while (i < static_cast<int32_t>(w.size())) {
    UChar32 c = Next(w, i);
    if (u_isalpha(c)) {
      ++letters;
      if (u_islower(c)) ++lowers;
      if (first) t.cap = u_isupper(c) || u_istitle(c);
      first = false;
    }
    if (!u_isdigit(c)) digits = false;
    if (first && u_isdigit(c)) first = false;
  }
  t.digits = digits;
  t.all_caps = letters >= 2 && lowers == 0;
  if (t.all_caps) t.cap = true;
}

bool IsQuoteChar(std::string_view p) {
  static const char* kMarks[] = {
      "\"",           "'",           "`",        "\xE2\x80\x9C", "\xE2\x80\x9D",
      "\xE2\x80\x9E", "\xC2\xAB",    "\xC2\xBB", "\xE2\x80\x98", "\xE2\x80\x99",
      "\xE2\x80\xB9", "\xE2\x80\xBA"};
  for (const char* m : kMarks)
    if (p == m) return true;
  return false;
}

bool IsDash(std::string_view p) { return p == "-" || p == "\xE2\x80\x93" || p == "\xE2\x80\x94"; }

bool IsAbbreviation(const Token& t) {
  static const std::unordered_set<std::string> kAbbrev = {
      "mr",  "mrs", "ms",  "dr",  "st",  "gen", "lt",  "col", "sgt",  "capt", "prof",
      "rev", "sen", "rep", "gov", "jr",  "sr",  "inc", "co",  "corp", "ltd",  "vs",
      "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",  "nov",
      "dec", "no",  "nr",  "ca",  "bzw", "z",   "m",   "mme", "adm",  "ft",   "mt"};
  return kAbbrev.count(t.lower) > 0 || (t.lower.size() == 1 && t.cap);
}

void MarkSentences(std::string_view text, std::vector<Token>& tokens) {
  for (size_t k = 0; k < tokens.size(); ++k) {
    Token& t = tokens[k];
    if (t.word) continue;
    std::string_view p = text.substr(t.begin, t.end - t.begin);
    if (p != "." && p != "!" && p != "?" && p != "\xE2\x80\xA6") continue;
    bool end = true;
    if (p == "." && k > 0 && tokens[k - 1].word && IsAbbreviation(tokens[k - 1])) end = false;
    // The next word decides: lower case or a digit continues the sentence.
    for (size_t j = k + 1; j < tokens.size() && tokens[j].para == t.para; ++j) {
      if (!tokens[j].word) continue;
      if (!tokens[j].cap) end = false;
      break;
    }
    t.ends_sentence = end;
  }
  for (size_t k = 0; k < tokens.size(); ++k) {
    Token& t = tokens[k];
    if (!t.word) continue;
    size_t j = k;
    bool start = true;
    while (j > 0) {
      const Token& p = tokens[j - 1];
      if (p.para != t.para) break;
      std::string_view pt = text.substr(p.begin, p.end - p.begin);
      if (!p.word && IsQuoteChar(pt)) {
        // An opening mark (space before it) starts a quote: a new sentence.
        if (j == k && p.space_before) break;
        --j;
        continue;
      }
      if (!p.word && IsDash(pt) && p.space_before) {
        // A dash at the paragraph start opens a line of speech.
        bool first = j == 1 || tokens[j - 2].para != t.para;
        if (first) break;
      }
      start = !p.word && (p.ends_sentence || pt == ":");
      break;
    }
    t.sentence_start = start;
  }
}

// French and Italian elision: "l'Ukraine" -> "l'" + "Ukraine".
bool SplitElision(std::string_view text, Token& t, Token* rest) {
  std::string_view w = text.substr(t.begin, t.end - t.begin);
  size_t apos = w.find('\'');
  size_t len = 1;
  if (apos == std::string_view::npos) {
    apos = w.find("\xE2\x80\x99");
    len = 3;
  }
  if (apos == std::string_view::npos || apos == 0 || apos > 2) return false;
  std::string head = Fold(w.substr(0, apos));
  static const std::unordered_set<std::string> kElided = {"l", "d", "j", "n", "s",
                                                          "c", "m", "t", "qu"};
  if (!kElided.count(head) || apos + len >= w.size()) return false;
  *rest = t;
  rest->begin = t.begin + apos + len;
  rest->space_before = false;
  t.end = rest->begin;
  return true;
}

std::vector<std::string> SplitTab(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return out;
}

EntityType ParseType(const std::string& s) {
  if (s == "person") return EntityType::kPerson;
  if (s == "organisation") return EntityType::kOrganisation;
  if (s == "place") return EntityType::kPlace;
  return EntityType::kOther;
}

// Replaces hyphens by spaces and lower-cases (list phrases are written so).
std::string ListPhrase(const std::string& s) {
  std::string out = Fold(s);
  for (char& c : out)
    if (c == '-') c = ' ';
  return out;
}

}  // namespace

// ---------------------------------------------------------------- tokens

std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> out;
  int32_t n = static_cast<int32_t>(text.size()), i = 0;
  int para = 0;
  bool space = true;
  while (i < n) {
    int32_t start = i;
    UChar32 c = Next(text, i);
    if (c == '\n') {
      ++para;
      space = true;
      continue;
    }
    if (c < 0 || u_isUWhiteSpace(c) || c == 0xA0 || c == 0xAD || c == 0x200B) {
      space = true;
      continue;
    }
    Token t;
    t.begin = static_cast<size_t>(start);
    t.para = para;
    t.space_before = space;
    space = false;
    if (IsWordChar(c)) {
      int32_t acronym = DottedAcronymEnd(text, start);
      t.end = static_cast<size_t>(acronym ? acronym : WordEnd(text, i));
      t.word = true;
      Token rest;
      bool split = SplitElision(text, t, &rest);
      SetWordFlags(text, t);
      out.push_back(t);
      if (split) {
        SetWordFlags(text, rest);
        out.push_back(rest);
      }
      i = static_cast<int32_t>(split ? rest.end : t.end);
      continue;
    }
    t.end = static_cast<size_t>(i);
    t.base_end = t.end;
    t.lower = std::string(text.substr(t.begin, t.end - t.begin));
    out.push_back(t);
  }
  MarkSentences(text, out);
  return out;
}

std::vector<std::string> LowerWords(const std::vector<Token>& tokens, size_t first, size_t last) {
  std::vector<std::string> out;
  for (size_t k = first; k <= last && k < tokens.size(); ++k)
    if (tokens[k].word) out.push_back(tokens[k].lower);
  return out;
}

std::string PhraseKey(std::string_view phrase,
                      const std::function<std::string(std::string_view)>& name_key) {
  std::string out, word;
  auto flush = [&] {
    if (word.empty()) return;
    std::string k = name_key(Fold(word));
    if (!k.empty()) {
      if (!out.empty()) out.push_back(' ');
      out += k;
    }
    word.clear();
  };
  int32_t i = 0;
  while (i < static_cast<int32_t>(phrase.size())) {
    int32_t start = i;
    UChar32 c = Next(phrase, i);
    if (IsWordChar(c))
      word.append(phrase.substr(start, i - start));
    else if (IsApostrophe(c) && !word.empty() && IsWordChar(Peek(phrase, i)))
      continue;  // "O'Brien" -> obrien
    else
      flush();
  }
  flush();
  return out;
}

// ---------------------------------------------------------------- lists

void Lists::LoadFile(const std::string& path, const std::string& kind) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto f = SplitTab(line);
    if (f.size() < 2 || f[1].empty()) continue;
    Set& set = sets_[kind + "/" + f[0]];
    std::string p = ListPhrase(f[1]);
    if (p.size() > 1 && p[0] == '*')
      set.suffixes.insert(p.substr(1));
    else if (p.size() > 1 && p.back() == '*')
      set.prefixes.insert(p.substr(0, p.size() - 1));
    else
      set.exact.insert(p);
  }
}

void Lists::LoadStopwords(const std::string& dir, const std::string& lang) {
  std::ifstream in(dir + "/" + lang + ".txt");
  std::string line;
  auto& set = stopwords_[lang];
  while (std::getline(in, line)) {
    std::string_view t = TrimAscii(line);
    if (!t.empty() && t[0] != '#') set.insert(Fold(t));
  }
}

void Lists::Load(const std::string& dir) {
  std::string e = dir + "/enrich/";
  for (const char* kind :
       {"titles", "orgwords", "verbs", "pronouns", "nonnames", "demonyms", "spokes"})
    LoadFile(e + kind + ".tsv", kind);
  std::ifstream al(e + "aliases.tsv");
  std::string line;
  while (std::getline(al, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto f = SplitTab(line);
    if (f.size() >= 3) aliases_[f[2]] = Alias{f[0], ParseType(f[1])};
  }
  for (const char* file : {"places.tsv", "places-extra.tsv"}) {
    std::ifstream in(e + file);
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      auto f = SplitTab(line);
      if (name_key) places_.insert(PhraseKey(f[0], name_key));
    }
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/stopwords", ec)) {
    if (entry.path().extension() != ".txt") continue;
    LoadStopwords(dir + "/stopwords", entry.path().stem().string());
  }
}

bool Lists::HasOne(const std::string& kind, const std::string& lang,
                   const std::string& phrase) const {
  auto it = sets_.find(kind + "/" + lang);
  if (it == sets_.end()) return false;
  const Set& s = it->second;
  if (s.exact.count(phrase)) return true;
  if (phrase.find(' ') != std::string::npos) return false;
  for (const auto& suf : s.suffixes)
    if (phrase.size() > suf.size() &&
        phrase.compare(phrase.size() - suf.size(), suf.size(), suf) == 0)
      return true;
  for (const auto& pre : s.prefixes)
    if (phrase.size() >= pre.size() && phrase.compare(0, pre.size(), pre) == 0) return true;
  return false;
}

bool Lists::Has(const std::string& kind, const std::string& lang, const std::string& phrase,
                bool with_en) const {
  return HasOne(kind, lang, phrase) || HasOne(kind, "*", phrase) ||
         (with_en && lang != "en" && HasOne(kind, "en", phrase)) ||
         (lang == "nb" && HasOne(kind, "no", phrase));
}

size_t Lists::LongestPhrase(const std::string& kind, const std::string& lang,
                            const std::vector<std::string>& words, size_t start,
                            bool with_en) const {
  std::string phrase;
  size_t best = 0;
  for (size_t n = 1; n <= kMaxPhraseWords && start + n <= words.size(); ++n) {
    if (n > 1) phrase.push_back(' ');
    phrase += words[start + n - 1];
    if (Has(kind, lang, phrase, with_en)) best = n;
  }
  return best;
}

const Lists::Alias* Lists::FindAlias(const std::string& name_key) const {
  auto it = aliases_.find(name_key);
  return it == aliases_.end() ? nullptr : &it->second;
}

bool Lists::IsStopword(const std::string& lang, const std::string& lower) const {
  auto it = stopwords_.find(lang == "nb" ? "no" : lang);
  return it != stopwords_.end() && it->second.count(lower) > 0;
}

// ---------------------------------------------------------------- entities

namespace {

// One name occurrence before grouping.
struct Candidate {
  size_t first = 0, last = 0;  // token indices (inclusive), titles dropped
  bool title = false;          // in the article's title
  bool person = false;         // a title or trigger word marks it
  bool speaker = false;        // subject or object of a speech verb
  bool org = false;            // organisation word or acronym
  bool heading = false;        // an all-caps heading or long all-caps word
  std::string country;         // ISO code when the gazetteer names it
  const Lists::Alias* alias = nullptr;
  bool place = false;
  std::string written;  // as written, possessive included
  std::string surface;  // possessive dropped
  std::string key;      // PhraseKey(surface)
  std::string norm;     // grouping key (genitive and case endings merged)
  size_t words = 0;
};

class Finder {
 public:
  Finder(std::string_view text, const std::vector<Token>& tokens, int body_para,
         const EntityContext& ctx)
      : text_(text), tokens_(tokens), body_para_(body_para), ctx_(ctx), lists_(*ctx.lists) {}

  EntityResult Run();

 private:
  bool InBody(size_t k) const { return tokens_[k].para >= body_para_; }
  bool Germanic() const {
    return ctx_.lang == "de";  // every noun is capitalised
  }
  bool Genitive() const {
    static const std::unordered_set<std::string> kLangs = {"no", "nb", "nn", "sv",
                                                           "da", "de", "nl", "is"};
    return kLangs.count(ctx_.lang) > 0;
  }
  std::string_view Punct(size_t k) const {
    return text_.substr(tokens_[k].begin, tokens_[k].end - tokens_[k].begin);
  }
  bool Joined(size_t k) const { return k < tokens_.size() && !tokens_[k].space_before; }

  void CollectSeen();
  std::vector<std::pair<size_t, size_t>> RawRuns() const;
  bool Connector(size_t k) const;
  void SplitRun(size_t first, size_t last);
  void AddSegment(std::vector<size_t> words, bool person);
  bool TitleBefore(size_t first) const;
  bool Known(const Token& t) const;
  bool Confirmed(const Token& t) const;
  bool VerbNear(size_t first, size_t last) const;
  void Classify(Candidate& c) const;
  void Normalise();
  EntityResult Group();

  std::string_view text_;
  const std::vector<Token>& tokens_;
  int body_para_;
  const EntityContext& ctx_;
  const Lists& lists_;
  std::unordered_set<std::string> lower_seen_, cap_mid_;
  std::vector<Candidate> cands_;
};

void Finder::CollectSeen() {
  for (const Token& t : tokens_) {
    if (!t.word || t.para < body_para_) continue;
    if (!t.cap && !t.digits) lower_seen_.insert(t.lower);
    if (t.cap && !t.sentence_start && !t.all_caps) cap_mid_.insert(t.lower);
  }
}

bool Finder::Connector(size_t k) const {
  static const std::unordered_set<std::string> kParticles = {"de",  "da",    "do",  "dos", "das",
                                                             "del", "della", "di",  "du",  "von",
                                                             "van", "der",   "den", "bin"};
  const Token& t = tokens_[k];
  return t.word && !t.cap && (kParticles.count(t.lower) || t.lower == "of");
}

// Maximal runs of capitalised words (joined by hyphens or name particles),
// with a short trailing number.
std::vector<std::pair<size_t, size_t>> Finder::RawRuns() const {
  std::vector<std::pair<size_t, size_t>> runs;
  size_t n = tokens_.size();
  for (size_t k = 0; k < n;) {
    const Token& t = tokens_[k];
    if (!(t.word && t.cap && !t.digits)) {
      ++k;
      continue;
    }
    size_t last = k, j = k + 1;
    while (j < n && tokens_[j].para == t.para && tokens_[last].base_end == tokens_[last].end) {
      const Token& u = tokens_[j];
      bool dotted = Punct(last).find('.') != std::string_view::npos;
      if (u.word && u.cap && !u.digits && (u.all_caps == tokens_[last].all_caps || dotted)) {
        last = j++;
        continue;
      }
      // A middle initial: "David C. John".
      if (!u.word && Punct(j) == "." && tokens_[last].lower.size() == 1 && last > k && j + 1 < n &&
          tokens_[j + 1].word && tokens_[j + 1].cap && tokens_[j + 1].para == t.para) {
        last = j + 1;
        j += 2;
        continue;
      }
      if (!u.word && IsDash(Punct(j)) && Punct(j) == "-" && !u.space_before && j + 1 < n &&
          Joined(j + 1) && tokens_[j + 1].word && tokens_[j + 1].cap) {
        last = j + 1;
        j += 2;
        continue;
      }
      if (Connector(j) && j + 1 < n && tokens_[j + 1].word && tokens_[j + 1].cap &&
          !tokens_[j + 1].digits) {
        bool of = u.lower == "of";
        auto words = LowerWords(tokens_, k, last);
        bool org_before = std::any_of(words.begin(), words.end(), [&](const std::string& w) {
          return lists_.Has("orgwords", ctx_.lang, w, true);
        });
        // "Secretary of State Antony Blinken", "Minister of Defence".
        org_before = org_before || lists_.Has("titles", ctx_.lang, tokens_[last].lower, true);
        if (!of || org_before) {
          last = j + 1;
          j += 2;
          continue;
        }
      }
      if (u.word && u.digits && u.end - u.begin <= kMaxTrailingDigits && u.space_before &&
          !lists_.Has("nonnames", ctx_.lang, tokens_[last].lower) &&
          (j + 1 >= n || tokens_[j + 1].para != t.para || !tokens_[j + 1].word ||
           !tokens_[j + 1].digits)) {
        last = j;
      }
      break;
    }
    runs.push_back({k, last});
    k = last + 1;
  }
  return runs;
}

bool Finder::TitleBefore(size_t first) const {
  std::vector<std::string> words;
  size_t k = first;
  while (k > 0 && words.size() < 3) {
    const Token& p = tokens_[k - 1];
    if (p.para != tokens_[first].para) break;
    if (!p.word) {
      std::string_view pt = Punct(k - 1);
      if (((pt == "." && !p.ends_sentence) || pt == "-") && words.empty()) {
        --k;
        continue;
      }
      break;
    }
    words.insert(words.begin(), p.lower);
    --k;
  }
  for (size_t s = 0; s < words.size(); ++s)
    if (lists_.LongestPhrase("titles", ctx_.lang, words, s, true) == words.size() - s) return true;
  return false;
}

bool Finder::Known(const Token& t) const {
  std::string key = PhraseKey(text_.substr(t.begin, t.base_end - t.begin), ctx_.name_key);
  if (lists_.FindAlias(key) || lists_.IsPlace(key)) return true;
  if (lists_.Has("orgwords", ctx_.lang, t.lower, true)) return true;
  if (ctx_.gazetteer && !lists_.Has("demonyms", ctx_.lang, t.lower) &&
      !ctx_.gazetteer->Lookup(text_.substr(t.begin, t.base_end - t.begin)).empty())
    return true;
  return false;
}

// A capitalised word the article also writes capitalised inside a sentence
// (an inflected form counts), or one the lists know.
bool Finder::Confirmed(const Token& t) const {
  if (cap_mid_.count(t.lower) || Known(t)) return true;
  const std::string& w = t.lower;
  if (Genitive() && w.size() > 3 && w.back() == 's' && cap_mid_.count(w.substr(0, w.size() - 1)))
    return true;
  // A Cyrillic case ending: a two-byte letter more or less.
  for (const auto& m : cap_mid_)
    if (m.size() >= 6 && w.size() >= 6 && (m.compare(0, w.size() - 2, w, 0, w.size() - 2) == 0) &&
        (m.size() == w.size() || m.size() + 2 == w.size() || m.size() == w.size() + 2) &&
        static_cast<unsigned char>(w[0]) >= 0xD0 && static_cast<unsigned char>(w[0]) <= 0xD4)
      return true;
  return false;
}

// Splits a run at titles ("Russian President Vladimir Putin" -> "Russian",
// "Vladimir Putin" marked a person) and hands the pieces on.
void Finder::SplitRun(size_t first, size_t last) {
  std::vector<size_t> idx;
  for (size_t k = first; k <= last; ++k)
    if (tokens_[k].word) idx.push_back(k);
  std::vector<std::string> words;
  for (size_t k : idx) words.push_back(tokens_[k].lower);
  auto org_from = [&](size_t p) {
    return std::any_of(
        words.begin() + static_cast<long>(p), words.end(),
        [&](const std::string& w) { return lists_.Has("orgwords", ctx_.lang, w, true); });
  };
  bool person = TitleBefore(first);
  std::vector<size_t> seg;
  for (size_t p = 0; p < idx.size();) {
    size_t title = lists_.LongestPhrase("titles", ctx_.lang, words, p, true);
    // "General Motors", "Prime Minister's Office": the title is part of the name.
    if (title > 0 && org_from(p + title)) title = 0;
    // A title is dropped only before a name; a last word stays ("Mayor")
    // unless an abbreviation's full stop and the name follow ("U.S. Gen. Jones").
    bool abbreviated = p + title == idx.size() && last + 1 < tokens_.size() &&
                       Punct(last + 1) == "." && !tokens_[last + 1].ends_sentence;
    if (title > 0 && (p + title < idx.size() || abbreviated)) {
      AddSegment(seg, person);
      seg.clear();
      person = true;
      p += title;
      continue;
    }
    seg.push_back(idx[p]);
    ++p;
  }
  AddSegment(seg, person);
}

// One cleaned-up name: sentence-initial words, months, demonyms and stray
// particles dropped.
void Finder::AddSegment(std::vector<size_t> w, bool person) {
  auto drop_front = [&] { w.erase(w.begin()); };
  while (!w.empty() && (Connector(w.front()) ||
                        lists_.Has("nonnames", ctx_.lang, tokens_[w.front()].lower, true)))
    drop_front();
  while (!w.empty() && Connector(w.back())) w.pop_back();
  if (w.empty()) return;
  if (std::all_of(w.begin(), w.end(), [&](size_t k) {
        return lists_.Has("titles", ctx_.lang, tokens_[k].lower, true);
      }))
    return;  // "Lt", "Secretary"
  const Token& f = tokens_[w.front()];
  if (f.sentence_start && !person) {
    bool ordinary = lists_.IsStopword(ctx_.lang, f.lower) || lists_.IsStopword("en", f.lower) ||
                    lower_seen_.count(f.lower) > 0;
    bool confirmed = Confirmed(f);
    // Outside English the stop word lists are short: an unconfirmed first
    // word of a sentence is taken for an ordinary word ("Позиция Путина").
    if (w.size() > 1 && !confirmed && ctx_.lang != "en") ordinary = true;
    if (w.size() > 1 && ordinary) {
      drop_front();
      while (!w.empty() && Connector(w.front())) drop_front();
    } else if (w.size() == 1 && (ordinary || !confirmed)) {
      return;
    }
  }
  if (w.empty()) return;
  if (w.size() == 1 && lists_.Has("demonyms", ctx_.lang, tokens_[w[0]].lower)) return;
  if (w.size() > 1 && lists_.Has("demonyms", ctx_.lang, tokens_[w[0]].lower)) {
    // "Russian Foreign Ministry" keeps it; "Russian Vladimir ..." does not.
    auto words = LowerWords(tokens_, w.front(), w.back());
    bool org = std::any_of(words.begin(), words.end(), [&](const std::string& x) {
      return lists_.Has("orgwords", ctx_.lang, x, true);
    });
    if (!org) drop_front();
  }
  if (w.empty()) return;
  Candidate c;
  c.first = w.front();
  c.last = w.back();
  const Token& b = tokens_[c.first];
  const Token& l = tokens_[c.last];
  std::string_view written = text_.substr(b.begin, l.end - b.begin);
  if (written.size() < 2 || (w.size() == 1 && tokens_[w[0]].lower.size() < 2)) return;
  if (w.size() == 1 && (tokens_[w[0]].lower == "i")) return;
  c.words = w.size();
  c.person = person;
  c.title = b.para < body_para_;
  c.written = std::string(written);
  c.surface = std::string(text_.substr(b.begin, l.base_end - b.begin));
  cands_.push_back(std::move(c));
}

bool Finder::VerbNear(size_t first, size_t last) const {
  // "Putin said", "Putin also said", "said Putin," / "sa Putin."
  for (size_t k = last + 1; k < tokens_.size() && k <= last + 2; ++k) {
    const Token& t = tokens_[k];
    if (!t.word || t.para != tokens_[last].para) break;
    if (lists_.Has("verbs", ctx_.lang, t.lower, true)) return true;
    if (t.cap) break;
  }
  if (first > 0) {
    const Token& p = tokens_[first - 1];
    if (p.word && p.para == tokens_[first].para && lists_.Has("verbs", ctx_.lang, p.lower, true)) {
      size_t k = last + 1;
      return k >= tokens_.size() || !tokens_[k].word || tokens_[k].para != p.para;
    }
  }
  return false;
}

void Finder::Classify(Candidate& c) const {
  c.key = PhraseKey(c.surface, ctx_.name_key);
  c.alias = lists_.FindAlias(c.key);
  const Token& f = tokens_[c.first];
  bool single = c.first == c.last;
  if (ctx_.gazetteer && !c.alias && !lists_.Has("demonyms", ctx_.lang, f.lower)) {
    // The gazetteer also reads adjectives ("Russian"); only whole names count.
    std::string code = ctx_.gazetteer->Lookup(c.surface);
    if (!code.empty()) c.country = code;
  }
  c.place = lists_.IsPlace(c.key);
  auto words = LowerWords(tokens_, c.first, c.last);
  for (const auto& w : words)
    if (lists_.Has("orgwords", ctx_.lang, w, true)) c.org = true;
  if (single && f.all_caps) {
    size_t letters = static_cast<size_t>(std::count_if(f.lower.begin(), f.lower.end(), [](char ch) {
      return (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
    }));
    bool heading =
        f.para >= 0 && c.first + 1 < tokens_.size() && Punct(c.first + 1) == ":" &&
        (c.first == 0 || tokens_[c.first - 1].para != f.para || tokens_[c.first - 1].all_caps);
    if (letters > kMaxAcronym || heading)
      c.heading = true;
    else
      c.org = true;
  }
  if (!single) {
    bool caps = true;
    for (size_t k = c.first; k <= c.last; ++k)
      if (tokens_[k].word && !tokens_[k].all_caps) caps = false;
    if (caps) c.heading = true;
  }
  c.speaker = VerbNear(c.first, c.last);
}

std::string LastWord(const std::string& key) {
  size_t sp = key.rfind(' ');
  return sp == std::string::npos ? key : key.substr(sp + 1);
}

}  // namespace

std::string PersonKey(const std::string& name_key) {
  static const std::unordered_set<std::string> kParticles = {"van", "von", "de", "der", "den", "di",
                                                             "du",  "le",  "la", "ter", "ten"};
  std::vector<std::string> words;
  size_t start = 0;
  while (start <= name_key.size()) {
    size_t sp = name_key.find(' ', start);
    if (sp == std::string::npos) sp = name_key.size();
    if (sp > start) words.push_back(name_key.substr(start, sp - start));
    start = sp + 1;
  }
  if (words.empty()) return name_key;
  std::string key = words.back();
  for (size_t i = words.size() - 1; i > 0 && kParticles.count(words[i - 1]); --i)
    key = words[i - 1] + " " + key;
  return key;
}

namespace {

bool IsCyrillic(std::string_view s) {
  int32_t i = 0;
  UChar32 c = Next(s, i);
  UErrorCode st = U_ZERO_ERROR;
  return c > 0 && uscript_getScript(c, &st) == USCRIPT_CYRILLIC;
}

// Merges inflected forms onto a base form the article also writes:
// "Putins" -> "putin" (genitive s), "Путина" -> "putin" (case endings).
void Finder::Normalise() {
  std::unordered_set<std::string> keys;
  for (const auto& c : cands_) {
    keys.insert(c.key);
    keys.insert(LastWord(c.key));
  }
  static const char* kEndings[] = {"ym", "om", "oi", "ei", "iu", "ia", "a", "u", "e", "y"};
  for (auto& c : cands_) {
    c.norm = c.key;
    if (c.key.size() < 4) continue;
    if (Genitive() && c.key.back() == 's' && keys.count(c.key.substr(0, c.key.size() - 1))) {
      c.norm = c.key.substr(0, c.key.size() - 1);
      continue;
    }
    if (!IsCyrillic(c.surface)) continue;
    for (const char* e : kEndings) {
      std::string_view ev(e);
      if (c.key.size() > ev.size() + 3 &&
          c.key.compare(c.key.size() - ev.size(), ev.size(), ev) == 0) {
        std::string base = c.key.substr(0, c.key.size() - ev.size());
        if (keys.count(base)) {
          c.norm = base;
          break;
        }
      }
    }
  }
}

struct NameGroup {
  std::vector<size_t> members;  // candidate indices
  std::string id;
  bool absorbed_short = false;  // a one-word form of a longer name joined it
};

EntityResult Finder::Group() {
  std::map<std::string, NameGroup> groups;
  std::vector<std::string> order;
  auto group_id = [&](const Candidate& c) {
    if (c.alias) return "alias:" + c.alias->key;
    if (!c.country.empty() && !c.person) return "country:" + c.country;
    return "name:" + c.norm;
  };
  for (size_t i = 0; i < cands_.size(); ++i) {
    std::string id = group_id(cands_[i]);
    auto [it, inserted] = groups.try_emplace(id);
    if (inserted) {
      it->second.id = id;
      order.push_back(id);
    }
    it->second.members.push_back(i);
  }
  // One-word names join the unique longer name they end ("Putin" -> "Vladimir Putin").
  std::unordered_map<std::string, std::vector<std::string>> by_last;
  for (const auto& id : order) {
    const Candidate& c = cands_[groups[id].members[0]];
    if (id.rfind("name:", 0) == 0 && c.norm.find(' ') != std::string::npos)
      by_last[LastWord(c.norm)].push_back(id);
  }
  for (const auto& id : order) {
    auto& g = groups[id];
    const Candidate& c = cands_[g.members[0]];
    if (id.rfind("name:", 0) != 0 || c.norm.find(' ') != std::string::npos) continue;
    auto it = by_last.find(c.norm);
    if (it == by_last.end() || it->second.size() != 1) continue;
    bool known = std::any_of(g.members.begin(), g.members.end(), [&](size_t m) {
      return cands_[m].place || cands_[m].org || cands_[m].alias || !cands_[m].country.empty();
    });
    if (known) continue;  // "Europe" is not short for "Lycos Europe"

    auto& target = groups[it->second[0]];
    target.members.insert(target.members.end(), g.members.begin(), g.members.end());
    target.absorbed_short = true;
    g.members.clear();
  }
  EntityResult out;
  std::vector<std::pair<size_t, size_t>> first_seen;  // entity -> first token
  std::vector<std::vector<size_t>> entity_members;
  for (const auto& id : order) {
    auto& g = groups[id];
    if (g.members.empty()) continue;
    bool body = false, person = false, speaker = false, org = false, place = false,
         all_heading = true;
    std::string country;
    const Lists::Alias* alias = nullptr;
    for (size_t m : g.members) {
      const Candidate& c = cands_[m];
      body |= !c.title;
      person |= c.person;
      speaker |= c.speaker;
      org |= c.org;
      place |= c.place;
      all_heading &= c.heading;
      if (!c.country.empty()) country = c.country;
      if (c.alias) alias = c.alias;
    }
    if (!body && country.empty() && !place && !alias) continue;  // title words need support
    if (all_heading) continue;
    Entity e;
    if (alias) {
      e.type = alias->type;
      e.key = alias->key;
    } else if (id.rfind("country:", 0) == 0) {
      e.type = EntityType::kPlace;
      e.key = id;
    } else if (place && !person) {
      e.type = EntityType::kPlace;
    } else if (org) {
      e.type = EntityType::kOrganisation;
    } else if (person || speaker) {
      e.type = EntityType::kPerson;
    } else if (g.absorbed_short) {
      e.type = EntityType::kPerson;
    } else {
      e.type = EntityType::kOther;
    }
    // German capitalises every noun: a lone word needs some evidence.
    if (Germanic() && e.type == EntityType::kOther) {
      bool multi = std::any_of(g.members.begin(), g.members.end(),
                               [&](size_t m) { return cands_[m].words > 1; });
      if (!multi) continue;
    }
    // The name: most words, not all caps, not inflected, most frequent.
    std::map<std::string, uint32_t> freq;
    for (size_t m : g.members) ++freq[cands_[m].written];
    const Candidate* best = nullptr;
    auto better = [&](const Candidate& a, const Candidate& b) {
      bool ah = a.heading || tokens_[a.first].all_caps, bh = b.heading || tokens_[b.first].all_caps;
      if (e.type != EntityType::kOrganisation && ah != bh) return !ah;
      bool ai = a.norm != a.key, bi = b.norm != b.key;
      if (ai != bi) return !ai;
      if (a.title != b.title) return !a.title;
      if (a.words != b.words) return a.words > b.words;
      return freq[a.written] > freq[b.written];
    };
    for (size_t m : g.members)
      if (!best || better(cands_[m], *best)) best = &cands_[m];
    e.name = best->surface;
    if (e.key.empty()) {
      std::string k = PhraseKey(e.name, ctx_.name_key);
      e.key = e.type == EntityType::kPerson ? PersonKey(best->norm) : best->norm;
      if (k.empty()) e.key = best->norm;
    }
    std::vector<std::pair<std::string, uint32_t>> vars(freq.begin(), freq.end());
    std::stable_sort(vars.begin(), vars.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [v, n] : vars) e.variants.push_back(v);
    e.count = static_cast<uint32_t>(g.members.size());
    size_t first_tok = tokens_.size();
    for (size_t m : g.members) first_tok = std::min(first_tok, cands_[m].first);
    first_seen.push_back({first_tok, out.entities.size()});
    entity_members.push_back(g.members);
    out.entities.push_back(std::move(e));
  }
  // Two persons with one surname ("Dave Harris", "Pat Harris") keep their
  // full names as keys.
  std::unordered_map<std::string, int> surnames;
  for (const auto& e : out.entities)
    if (e.type == EntityType::kPerson && e.name.find(' ') != std::string::npos) ++surnames[e.key];
  for (auto& e : out.entities)
    if (e.type == EntityType::kPerson && e.name.find(' ') != std::string::npos &&
        surnames[e.key] > 1)
      e.key = PhraseKey(e.name, ctx_.name_key);
  // Most mentioned first, then first seen.
  std::vector<size_t> perm(out.entities.size());
  for (size_t i = 0; i < perm.size(); ++i) perm[i] = i;
  std::stable_sort(perm.begin(), perm.end(), [&](size_t a, size_t b) {
    if (out.entities[a].count != out.entities[b].count)
      return out.entities[a].count > out.entities[b].count;
    return first_seen[a].first < first_seen[b].first;
  });
  EntityResult sorted;
  for (size_t rank = 0; rank < perm.size(); ++rank) {
    sorted.entities.push_back(std::move(out.entities[perm[rank]]));
    for (size_t m : entity_members[perm[rank]]) {
      const Candidate& c = cands_[m];
      if (!c.title) sorted.mentions.push_back({c.first, c.last, static_cast<int>(rank)});
    }
  }
  std::sort(sorted.mentions.begin(), sorted.mentions.end(),
            [](const Mention& a, const Mention& b) { return a.first < b.first; });
  return sorted;
}

EntityResult Finder::Run() {
  CollectSeen();
  for (auto [first, last] : RawRuns()) SplitRun(first, last);
  for (auto& c : cands_) Classify(c);
  Normalise();
  return Group();
}

}  // namespace

EntityResult FindEntities(std::string_view text, const std::vector<Token>& tokens, int body_para,
                          const EntityContext& ctx) {
  if (!ctx.lists || !ctx.name_key) return {};
  Finder f(text, tokens, body_para, ctx);
  return f.Run();
}

}  // namespace storyline::enrich
