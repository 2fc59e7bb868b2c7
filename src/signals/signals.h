// Signals: what the later stages compare. Public header of the stage.
//
// From a cleaned, language-tagged article: ICU word segmentation, case
// folding, Snowball stems (language-specific terms), capitalised-name
// candidates transliterated to a Latin key (language-neutral), numbers
// normalised across formats (language-neutral), and a MOD-m sketch of word
// 5-gram shingles for near-duplicate detection.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"

namespace storyline {

class Lexicon;

struct Feature {
  uint64_t key;  // hashed feature
  float tf;      // weighted count in the article
};

struct Signals {
  std::string lang;
  std::vector<Feature> terms;            // language-specific stems, sorted by key
  std::vector<Feature> names;            // language-neutral name keys, sorted by key
  std::vector<Feature> numbers;          // language-neutral numbers and years, sorted by key
  std::vector<Feature> pivots;           // English pivot concepts of the content words, sorted
  std::vector<std::string> name_labels;  // display forms of the names, most frequent first
  std::vector<uint64_t> sketch;          // sampled shingle hashes, sorted, unique
  uint32_t tokens = 0;                   // word tokens in title + text
  uint32_t content_words = 0;            // of those, content words (not names, not stop words)
  uint32_t translated_words = 0;         // content words with a dictionary concept (coverage)
};

struct SignalsOptions {
  // Directory with stopwords/<lang>.txt. Empty: $STORYLINE_DATA, then the
  // source tree's data/ directory.
  std::string data_dir;
  int shingle_words = 5;        // words per shingle
  uint32_t sketch_modulus = 4;  // keep shingles whose hash % modulus == 0
  size_t max_sketch = 512;      // keep at most this many (the smallest hashes)
  float title_weight = 2.0f;    // a title token counts this many times
  size_t name_key_chars = 5;    // names are compared on this many leading key characters
  // Weight of a name candidate that is only a content word in a caseless
  // script (Han, Thai, Arabic, ...), relative to a real name.
  float caseless_name_weight = 0.2f;
  // Weight of a content word's cognate key (its consonant skeleton) among
  // its pivot concepts; 0 turns cognates off.
  float cognate_weight = 0.5f;
  // The pivot lexicon (see lexicon/lexicon.h). Empty: $STORYLINE_LEXICON,
  // then models/pivot.lex of the build; "none": no pivot concepts.
  std::string lexicon_path;
};

// Not thread-safe (holds ICU iterators and stemmers): one per thread.
class Analyzer {
 public:
  explicit Analyzer(const SignalsOptions& options = {});
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  Signals Analyze(std::string_view title, std::string_view text, const std::string& lang);

  // The Latin, ASCII, lowercase key of a name ("Путин" -> "putin").
  std::string NameKey(std::string_view name);

  // Hash of a shingle sketch entry; exposed for tests.
  const SignalsOptions& options() const { return options_; }

  bool IsStopWord(const std::string& lang, const std::string& folded_word);

  // The stem the term features use: Snowball where it has the language, the
  // first 6 letters for inflecting languages it lacks (Polish, Czech,
  // Ukrainian, ...), else the folded word itself.
  std::string Stem(const std::string& lang, std::string_view folded_word);
  // Unicode case folding (ICU).
  static std::string Fold(std::string_view word);

  // The lexicon in use, or nullptr (no file, or disabled).
  const Lexicon* lexicon() const;
  // The language whose dictionary stands in for `lang` ("" if none): itself
  // when the lexicon has it, else a close relative (nn -> no, ms -> id,
  // uk/be -> ru, ...). "en" maps to itself.
  std::string PivotLanguage(const std::string& lang) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  SignalsOptions options_;
};

// Numbers found in `text`, normalised: "100,000" / "100.000" / "100 000" /
// "100 thousand" all give "100000"; "3,5" and "3.5" give "3.5"; four-digit
// years give "y2022". Integers below 10 are left out.
std::vector<std::string> ExtractNumbers(std::string_view text);

// A name candidate of a caseless script without the affixes fused to it:
// Arabic al- (with wa-/bi-/fa-/ka-/li-), Korean case particles. Other words
// are returned as they are.
std::string_view StripNameAffixes(std::string_view folded_word);

// Copies `text` to `*out` with every decimal digit of any script (Arabic-Indic
// ٣, Persian ۳, Devanagari ३, Thai ๓, fullwidth ３, ...) as an ASCII digit and
// the Arabic decimal/thousands separators as '.' and ','. Returns false (and
// `*out` is a plain copy) when there was nothing to change.
bool AsciiDigits(std::string_view text, std::string* out);

// A consonant skeleton of an ASCII name key, so that transliteration variants
// meet: "kamchatka" and "kamcatka" (from Камчатка) both give "~25232";
// "zelensky", "zelenskyj", "selenskyj" give the same. Vowels, h, w, y and j
// are dropped, consonants fall into sound classes (b f p v | c g k q s x z |
// d t | l | m n | r), adjacent repeats collapse, at most `max_codes` are kept.
// Returns "" when fewer than 2 codes remain (too short to be telling).
std::string NameSkeleton(std::string_view ascii_key, size_t max_codes = 5);

// Feature key helpers (stable across runs: they shape stored data).
uint64_t TermKey(std::string_view lang, std::string_view stem);
uint64_t NameFeatureKey(std::string_view name_key);
uint64_t NumberKey(std::string_view normalized);
// An English pivot concept: the hash of an English Snowball stem.
uint64_t PivotKey(std::string_view english_stem);

// Where the pivot lexicon is by default: $STORYLINE_LEXICON, else the
// build's models/pivot.lex.
std::string DefaultLexiconPath();

// Builds the pivot lexicon from the FreeDict dictionaries in `dictd_dir`
// (freedict-<src>-<dst>.index + .dict.dz): X->English entries map X's stems
// to English stems; English->X entries are read backwards; X->Y entries (Y
// not English) give Y's words the English concepts of their X translations.
struct LexiconBuildReport {
  struct Dictionary {
    std::string file;         // freedict-swe-eng
    std::string description;  // its own name line
    std::string lang;         // the language it gives words for
    std::string how;          // "forward", "reverse" or "via <lang>"
    uint64_t entries = 0;     // entries read
    uint64_t words = 0;       // (word, concept) pairs it contributed
  };
  std::vector<Dictionary> dictionaries;
  std::vector<std::pair<std::string, uint64_t>> words_per_language;  // distinct stems
  uint64_t keys = 0;
  uint64_t bytes = 0;
};
Status BuildPivotLexicon(const std::string& dictd_dir, const std::string& out_path,
                         Analyzer& analyzer, LexiconBuildReport* report);

}  // namespace storyline
