// Internal to the enrich stage (not a public header): tokens, word lists and
// entity recognition from capitalisation and context.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "enrich/enrich.h"

namespace storyline {
class Gazetteer;
}

namespace storyline::enrich {

struct Token {
  size_t begin = 0, end = 0;    // bytes in the analysed text
  size_t base_end = 0;          // end without a possessive ('s, ’s, :s)
  std::string lower;            // case-folded text (without the possessive)
  int para = 0;                 // paragraph number ('\n'-separated)
  bool word = false;            // letters or digits (else one punctuation character)
  bool digits = false;          // digits only
  bool cap = false;             // first letter upper case
  bool all_caps = false;        // two or more letters, all upper case
  bool space_before = false;    // whitespace (or paragraph start) before it
  bool sentence_start = false;  // first word of a paragraph, sentence, quote or dash line
  bool ends_sentence = false;   // '.', '!', '?' that closes a sentence
};

// Words and punctuation of `text`, in order. Never fails.
std::vector<Token> Tokenize(std::string_view text);

// Word lists from <data>/enrich/*.tsv, per language.
class Lists {
 public:
  void Load(const std::string& dir);
  // Loads one `lang<TAB>phrase` file into `kind`.
  void LoadFile(const std::string& path, const std::string& kind);

  // True when `phrase` (lowercase, words joined by ' ') is listed under
  // `kind` for `lang`, for every language ("*"), or, when `with_en`, for
  // English; `*x` / `x*` patterns match single words.
  bool Has(const std::string& kind, const std::string& lang, const std::string& phrase,
           bool with_en = false) const;
  // The longest listed phrase of `kind` among the words starting at `words`
  // (at most 4); returns its number of words, 0 if none.
  size_t LongestPhrase(const std::string& kind, const std::string& lang,
                       const std::vector<std::string>& words, size_t start,
                       bool with_en = false) const;

  struct Alias {
    std::string key;
    EntityType type = EntityType::kOther;
  };
  const Alias* FindAlias(const std::string& name_key) const;
  bool IsPlace(const std::string& name_key) const { return places_.count(name_key) > 0; }
  bool IsStopword(const std::string& lang, const std::string& lower) const;

  // Adds a place or alias (name keys). For tests and loading.
  void AddPlace(const std::string& name_key) { places_.insert(name_key); }
  void AddAlias(const std::string& name_key, Alias alias) { aliases_[name_key] = alias; }
  void LoadStopwords(const std::string& dir, const std::string& lang);

  std::function<std::string(std::string_view)> name_key;  // set before Load

 private:
  bool HasOne(const std::string& kind, const std::string& lang, const std::string& phrase) const;
  struct Set {
    std::unordered_set<std::string> exact, suffixes, prefixes;
  };
  std::unordered_map<std::string, Set> sets_;  // kind + '/' + lang
  std::unordered_map<std::string, Alias> aliases_;
  std::unordered_set<std::string> places_;
  std::unordered_map<std::string, std::unordered_set<std::string>> stopwords_;
  std::string stopword_dir_;
};

// A name in the text: tokens [first, last] (titles dropped), of entity
// `entity` in the result's entity list.
struct Mention {
  size_t first = 0, last = 0;
  int entity = -1;
};

struct EntityResult {
  std::vector<Entity> entities;   // most mentioned first
  std::vector<Mention> mentions;  // in text order
};

struct EntityContext {
  const Lists* lists = nullptr;
  const Gazetteer* gazetteer = nullptr;  // may be null
  std::function<std::string(std::string_view)> name_key;
  std::string lang;
};

// Finds entities in `tokens` of `text`; tokens with para < body_para are the
// title (their names count only when the body names them too, or for
// countries).
EntityResult FindEntities(std::string_view text, const std::vector<Token>& tokens, int body_para,
                          const EntityContext& ctx);

// The key of a name: words' ASCII keys joined by ' '.
std::string PhraseKey(std::string_view phrase,
                      const std::function<std::string(std::string_view)>& name_key);

// The key of a person from the key of its name: the surname with its
// particles ("jeff van gundy" -> "van gundy", "vladimir putin" -> "putin").
std::string PersonKey(const std::string& name_key);

// Lower-case words of tokens [first, last] (punctuation skipped).
std::vector<std::string> LowerWords(const std::vector<Token>& tokens, size_t first, size_t last);

}  // namespace storyline::enrich
