#include "signals/gazetteer.h"

#include <unicode/brkiter.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>

#include "common/text.h"

namespace storyline {

namespace {

constexpr size_t kMinPrefix = 5;     // a prefix match shares at least this many characters
constexpr size_t kMaxUncovered = 3;  // and leaves at most this many of the name out
constexpr size_t kLongName = 7;      // names this long share one character more
constexpr size_t kMinGenerated = 4;  // shortest one-word key taken from countries.tsv
constexpr size_t kLooseHead = 3;     // loose keys: characters of each word but the last
constexpr size_t kLooseTail = 4;     // and of the last

// Table keys start with one byte naming the script.
std::string Tag(int script) { return std::string(1, static_cast<char>(script & 0xFF)); }

// Sets key -> code; a key that two codes share becomes ambiguous ("").
void Put(std::unordered_map<std::string, std::string>& table, const std::string& key,
         const std::string& code) {
  auto [it, inserted] = table.emplace(key, code);
  if (!inserted && it->second != code) it->second.clear();
}

// Hand-written entries replace generated ones.
void Overlay(std::unordered_map<std::string, std::string>& base,
             const std::unordered_map<std::string, std::string>& over) {
  for (const auto& [k, v] : over) base[k] = v;
}

std::string LooseKey(std::span<const Gazetteer::Word> words) {
  std::string k = Tag(words[0].script);
  for (size_t i = 0; i < words.size(); ++i) {
    if (i) k.push_back(' ');
    k.append(words[i].key, 0, i + 1 == words.size() ? kLooseTail : kLooseHead);
  }
  return k;
}

std::string JoinedKey(std::span<const Gazetteer::Word> words) {
  std::string k = Tag(words[0].script);
  for (size_t i = 0; i < words.size(); ++i) {
    if (i) k.push_back(' ');
    k.append(words[i].key);
  }
  return k;
}

// The prefix lengths a one-word name of `n` characters registers.
std::pair<size_t, size_t> PrefixLengths(size_t n) {
  size_t min_prefix = n >= kLongName ? kMinPrefix + 1 : kMinPrefix;
  return {std::max(min_prefix, n - std::min(n, kMaxUncovered)), n};
}

std::vector<Gazetteer::Word> SplitWords(icu::BreakIterator* bi, std::string_view phrase,
                                        const Gazetteer::KeyFunction& key) {
  std::vector<Gazetteer::Word> out;
  if (!bi) return out;
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(phrase.data(), static_cast<int32_t>(phrase.size())));
  bi->setText(u);
  for (int32_t start = bi->first(), end = bi->next(); end != icu::BreakIterator::DONE;
       start = end, end = bi->next()) {
    if (bi->getRuleStatus() < UBRK_WORD_NUMBER) continue;
    icu::UnicodeString w = u.tempSubStringBetween(start, end);
    std::string original, folded;
    w.toUTF8String(original);
    w.foldCase().toUTF8String(folded);
    out.push_back({key(folded), Gazetteer::Script(original)});
  }
  return out;
}

}  // namespace

int Gazetteer::Script(std::string_view word) {
  if (!word.empty() && static_cast<unsigned char>(word[0]) < 0x80 &&
      std::isalpha(static_cast<unsigned char>(word[0])))
    return USCRIPT_LATIN;
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(word.data(), static_cast<int32_t>(std::min<size_t>(word.size(), 32))));
  for (int32_t i = 0; i < u.length(); i = u.moveIndex32(i, 1)) {
    UErrorCode status = U_ZERO_ERROR;
    UScriptCode script = uscript_getScript(u.char32At(i), &status);
    if (U_FAILURE(status) || script == USCRIPT_COMMON || script == USCRIPT_INHERITED) continue;
    if (script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA ||
        script == USCRIPT_KATAKANA_OR_HIRAGANA)
      return USCRIPT_HAN;
    return script;
  }
  return USCRIPT_COMMON;
}

bool Gazetteer::Inflecting(int script) {
  return script == USCRIPT_LATIN || script == USCRIPT_CYRILLIC || script == USCRIPT_GREEK;
}

Gazetteer::Gazetteer(const std::string& dir, const KeyFunction& key) : key_(key) {
  Tables generated, extra;
  Read(dir + "/countries.tsv", true, &generated);
  Read(dir + "/extra.tsv", false, &extra);
  words_ = std::move(generated.words);
  prefixes_ = std::move(generated.prefixes);
  phrases_ = std::move(generated.phrases);
  loose_ = std::move(generated.loose);
  for (const auto& [prefix, code] : extra.unprefixed)
    if (auto it = prefixes_.find(prefix); it != prefixes_.end() && it->second == code)
      prefixes_.erase(it);
  Overlay(words_, extra.words);
  Overlay(prefixes_, extra.prefixes);
  Overlay(phrases_, extra.phrases);
  Overlay(loose_, extra.loose);
  blocked_ = std::move(extra.blocked);
  blocked_prefixes_ = std::move(extra.blocked_prefixes);
  for (const auto& [k, v] : prefixes_) max_prefix_ = std::max(max_prefix_, k.size() - 1);
}

void Gazetteer::Read(const std::string& path, bool generated, Tables* t) const {
  std::ifstream in(path);
  if (!in) return;
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> bi(
      icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status)) return;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    std::string code(TrimAscii(std::string_view(line).substr(0, tab)));
    std::string_view rest = std::string_view(line).substr(tab + 1);
    bool exact = false;
    if (size_t tab2 = rest.find('\t'); tab2 != std::string_view::npos) {
      exact = TrimAscii(rest.substr(tab2 + 1)) == "exact";
      rest = rest.substr(0, tab2);
    }
    std::string_view name = TrimAscii(rest);
    bool starred = !name.empty() && name.back() == '*';  // "-<TAB>Martin*": a prefix block
    if (starred) name.remove_suffix(1);
    std::vector<Word> words = SplitWords(bi.get(), name, key_);
    if (words.empty() || words.size() > kMaxWords) continue;
    if (std::any_of(words.begin(), words.end(), [](const Word& w) { return w.key.empty(); }))
      continue;
    if (code == "-" && words.size() == 1) {
      std::string key = Tag(words[0].script) + words[0].key;
      (starred ? t->blocked_prefixes : t->blocked).insert(key);
      continue;
    }
    if (code.size() != 2 && code != "-") continue;
    if (generated && words.size() == 1 && words[0].key.size() < kMinGenerated) continue;
    if (!generated && exact && words.size() == 1 && Inflecting(words[0].script)) {
      const std::string& k = words[0].key;
      auto [lo, hi] = PrefixLengths(k.size());
      for (size_t len = lo; len <= hi; ++len)
        t->unprefixed.emplace_back(Tag(words[0].script) + k.substr(0, len), code);
    }
    Add(words, code, exact, t);
  }
}

void Gazetteer::Add(const std::vector<Word>& words, const std::string& code, bool exact,
                    Tables* t) const {
  if (words.size() > 1) {
    Put(t->phrases, JoinedKey(words), code);
    bool inflecting =
        std::all_of(words.begin(), words.end(), [](const Word& w) { return Inflecting(w.script); });
    if (inflecting && !exact) Put(t->loose, LooseKey(words), code);
    return;
  }
  const std::string& k = words[0].key;
  if (k.size() < 2 || code == "-") return;
  std::string tag = Tag(words[0].script);
  Put(t->words, tag + k, code);
  if (exact || !Inflecting(words[0].script)) return;
  if (k.size() == 4) Put(t->words, tag + k + "s", code);  // "Irans", "Kinas"
  if (k.size() < kMinPrefix) return;
  auto [lo, hi] = PrefixLengths(k.size());
  for (size_t len = lo; len <= hi; ++len) Put(t->prefixes, tag + k.substr(0, len), code);
}

std::string Gazetteer::MatchWord(const Word& w) const {
  if (w.key.empty()) return {};
  std::string tag = Tag(w.script);
  if (blocked_.count(tag + w.key)) return {};
  if (auto it = words_.find(tag + w.key); it != words_.end()) return it->second;
  if (!Inflecting(w.script)) return {};
  for (size_t len = kMinPrefix; len <= w.key.size(); ++len)
    if (blocked_prefixes_.count(tag + w.key.substr(0, len))) return {};
  for (size_t len = std::min(w.key.size(), max_prefix_); len >= kMinPrefix; --len) {
    auto it = prefixes_.find(tag + w.key.substr(0, len));
    if (it != prefixes_.end()) return it->second;  // the longest prefix decides
  }
  return {};
}

size_t Gazetteer::Match(std::span<const Word> words, std::string* code) const {
  if (words.empty() || words[0].key.empty()) return 0;
  for (size_t n = std::min(words.size(), kMaxWords); n >= 2; --n) {
    auto run = words.subspan(0, n);
    if (auto it = phrases_.find(JoinedKey(run)); it != phrases_.end()) {
      if (it->second.empty()) continue;
      *code = it->second == "-" ? std::string() : it->second;
      return n;
    }
    bool inflecting = std::all_of(run.begin(), run.end(), [&](const Word& w) {
      return Inflecting(w.script) && w.script == run[0].script && !w.key.empty();
    });
    if (!inflecting) continue;
    if (auto it = loose_.find(LooseKey(run)); it != loose_.end() && !it->second.empty()) {
      *code = it->second == "-" ? std::string() : it->second;
      return n;
    }
  }
  std::string c = MatchWord(words[0]);
  if (c.empty()) return 0;
  *code = std::move(c);
  return 1;
}

std::vector<Gazetteer::Word> Gazetteer::Words(std::string_view phrase) const {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> bi(
      icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status)) return {};
  return SplitWords(bi.get(), phrase, key_);
}

std::string Gazetteer::Lookup(std::string_view phrase) const {
  std::vector<Word> words = Words(phrase);
  std::string code;
  if (words.empty() || Match(words, &code) != words.size()) return {};
  return code;
}

}  // namespace storyline
