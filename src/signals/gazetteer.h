// Gazetteer: country names in every language, mapped to one language-neutral
// concept (the ISO 3166-1 alpha-2 code), so that "Germany", "Tyskland",
// "Allemagne", "Германии" and "Niemcy" give the same name feature.
//
// Data: <data>/gazetteer/countries.tsv (generated from Debian's iso-codes by
// scripts/build-gazetteer) and <data>/gazetteer/extra.tsv (hand-written short
// forms, demonyms, inflections). Lines are `CODE<TAB>name[<TAB>exact]`;
// `exact` registers the name without its prefixes (and, in extra.tsv, takes
// back the prefixes countries.tsv gave the same name); the code `-` marks a
// name that is not a country: a word is blocked ("Columbia"), a word with a trailing `*` keeps
// every word it starts from prefix matches ("Martin*": Martinez, Martina are not Martinique), and a
// phrase is taken whole and names nothing ("Latin America").
//
// Names are compared on the same ASCII key as Analyzer::NameKey (ICU
// Any-Latin; Latin-ASCII; lowercase alphanumerics) of each case-folded word,
// and only within one script: a Chinese name whose key is "angela" does not
// meet the Latin "Angela". Generated one-word keys need 4 characters.
//   - a multi-word name ("New Zealand", "Новая Зеландия") matches its words'
//     keys exactly, or loosely on their leading characters (3 of each word
//     but the last, 4 of the last), so that "Новой Зеландии" meets it too;
//   - a one-word name matches its key exactly, or, for words in an inflecting
//     alphabet (Latin, Cyrillic, Greek), a word that shares with it a prefix of
//     at least 5 characters (6 for names of 7 or more) leaving at most 3 of
//     the name's characters out ("Tysklands", "Германии", "Chilean"; not
//     "Frankfurt" for "Frankrig" nor "Liberal" for "Liberia"). Names of 4
//     letters also match with a genitive "s" ("Irans", "Kinas").
// A key, loose key or prefix that two countries share is ambiguous and never
// matches ("Korea"; "austr" of Austria and Australia, which "Austrian" and
// "Australian" still tell apart on longer prefixes). Hand-written entries
// (extra.tsv) override the generated ones.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace storyline {

class Gazetteer {
 public:
  // Maps a case-folded word to its ASCII name key.
  using KeyFunction = std::function<std::string(std::string_view folded_word)>;

  // The longest name, in words.
  static constexpr size_t kMaxWords = 4;

  struct Word {
    std::string key;  // ASCII name key of the case-folded word
    int script = 0;   // Script() of the word
  };

  // Reads `dir`/countries.tsv and `dir`/extra.tsv. Missing or unreadable
  // files leave the gazetteer (partly) empty; that is not an error.
  Gazetteer(const std::string& dir, const KeyFunction& key);

  bool empty() const { return words_.empty() && phrases_.empty(); }

  // The country named by the longest run of words at the start of `words`
  // (at most kMaxWords are looked at). Returns how many words it covers and
  // sets *code, or 0 when none starts there. A phrase that is known not to be
  // a country ("Latin America") covers its words and sets *code to "".
  size_t Match(std::span<const Word> words, std::string* code) const;

  // The country a whole phrase names ("Nya Zeeland" -> "NZ"), or "".
  std::string Lookup(std::string_view phrase) const;

  // The words of a phrase as Match wants them (ICU word boundaries).
  std::vector<Word> Words(std::string_view phrase) const;

  // The ICU script code of a word's first letter (Han for kana too); 0
  // (Common) when it has none.
  static int Script(std::string_view utf8_word);
  // Latin, Cyrillic, Greek: scripts whose words inflect at the end.
  static bool Inflecting(int script);

 private:
  using Table = std::unordered_map<std::string, std::string>;  // key -> code, "" ambiguous
  struct Tables {
    Table words;     // one-word names: exact keys (and genitive -s of short ones)
    Table prefixes;  // one-word names: prefixes of inflecting names
    Table phrases;   // multi-word names: keys joined by ' '
    Table loose;     // multi-word names: loose keys
    std::unordered_set<std::string> blocked, blocked_prefixes;
    std::vector<std::pair<std::string, std::string>> unprefixed;  // prefix, code to take back
  };
  void Read(const std::string& path, bool generated, Tables* t) const;
  void Add(const std::vector<Word>& words, const std::string& code, bool exact, Tables* t) const;
  std::string MatchWord(const Word& w) const;

  KeyFunction key_;
  Table words_, prefixes_, phrases_, loose_;
  std::unordered_set<std::string> blocked_, blocked_prefixes_;
  size_t max_prefix_ = 0;
};

}  // namespace storyline
