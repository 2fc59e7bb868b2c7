#include "signals/signals.h"

#include <libstemmer.h>
#include <unicode/brkiter.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <utf8proc.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>

#include "common/paths.h"
#include "common/text.h"
#include "lexicon/lexicon.h"
#include "signals/gazetteer.h"

namespace storyline {

namespace {

const char* StemmerName(const std::string& lang) {
  static const std::map<std::string, const char*> kNames = {
      {"ar", "arabic"},    {"hy", "armenian"},   {"eu", "basque"},     {"ca", "catalan"},
      {"da", "danish"},    {"nl", "dutch"},      {"en", "english"},    {"fi", "finnish"},
      {"fr", "french"},    {"de", "german"},     {"el", "greek"},      {"hi", "hindi"},
      {"hu", "hungarian"}, {"id", "indonesian"}, {"ms", "indonesian"}, {"ga", "irish"},
      {"it", "italian"},   {"lt", "lithuanian"}, {"ne", "nepali"},     {"no", "norwegian"},
      {"nn", "norwegian"}, {"pt", "portuguese"}, {"ro", "romanian"},   {"ru", "russian"},
      {"sr", "serbian"},   {"es", "spanish"},    {"sv", "swedish"},    {"ta", "tamil"},
      {"tr", "turkish"},   {"yi", "yiddish"},
  };
  auto it = kNames.find(lang);
  return it == kNames.end() ? nullptr : it->second;
}

// Inflecting languages without a Snowball stemmer: a word is cut to its first
// kTruncateLetters letters, a crude stemmer that works well enough for
// retrieval in Slavic and Baltic languages.
constexpr size_t kTruncateLetters = 6;
// Cognate keys: consonant skeletons of at least kMinCognateCodes codes, cut at
// kCognateCodes.
constexpr size_t kCognateCodes = 6;
constexpr size_t kMinCognateCodes = 4;
bool Truncates(const std::string& lang) {
  static const std::unordered_set<std::string> kLangs = {"pl", "cs", "sk", "sl", "hr", "sh", "bs",
                                                         "bg", "mk", "uk", "be", "lv", "et"};
  return kLangs.count(lang) > 0;
}

void AddFeature(std::unordered_map<uint64_t, float>& m, uint64_t key, float w) { m[key] += w; }

std::vector<Feature> Sorted(const std::unordered_map<uint64_t, float>& m) {
  std::vector<Feature> v;
  v.reserve(m.size());
  for (const auto& [k, w] : m) v.push_back({k, w});
  std::sort(v.begin(), v.end(), [](const Feature& a, const Feature& b) { return a.key < b.key; });
  return v;
}

// Multiplier named by the word after a number ("million", "tusen", "млн").
double Multiplier(std::string_view next_word_folded) {
  static const std::pair<const char*, double> kWords[] = {
      {"thousand", 1e3}, {"tusen", 1e3},   {"tausend", 1e3}, {"тыс", 1e3},      {"тис", 1e3},
      {"million", 1e6},  {"miljon", 1e6},  {"millio", 1e6},  {"mln", 1e6},      {"милл", 1e6},
      {"млн", 1e6},      {"мільйон", 1e6}, {"milion", 1e6},  {"billion", 1e9},  {"milliard", 1e9},
      {"miljard", 1e9},  {"mrd", 1e9},     {"млрд", 1e9},    {"миллиард", 1e9}, {"bilion", 1e9},
  };
  for (const auto& [w, m] : kWords) {
    std::string_view wv(w);
    if (next_word_folded.substr(0, wv.size()) == wv) {
      // "millio" also starts "milliard": check the longer ones first by value.
      if (m == 1e6 && (next_word_folded.substr(0, 8) == "milliard" ||
                       next_word_folded.substr(0, 16) == "миллиард"))
        continue;
      return m;
    }
  }
  return 1;
}

std::string FormatNumber(double v) {
  if (std::fabs(v - std::round(v)) < 1e-9 && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<long long>(std::llround(v)));
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Length of a group separator at s[i] ("," "." "'" space, NBSP, thin spaces), or 0.
size_t SeparatorLength(std::string_view s, size_t i) {
  char c = s[i];
  if (c == ',' || c == '.' || c == ' ' || c == '\'') return 1;
  if (s.substr(i, 2) == "\xC2\xA0") return 2;  // NBSP
  if (s.substr(i, 3) == "\xE2\x80\xAF" || s.substr(i, 3) == "\xE2\x80\x89")
    return 3;  // NNBSP, thin
  return 0;
}

std::string FoldAsciiLower(std::string_view s) {
  // Lowercases via ICU so Cyrillic works too.
  icu::UnicodeString u =
      icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  u.foldCase();
  std::string out;
  u.toUTF8String(out);
  return out;
}

}  // namespace

static bool IsCjk(std::string_view w) {
  utf8proc_int32_t cp = 0;
  if (utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(w.data()),
                       static_cast<utf8proc_ssize_t>(w.size()), &cp) <= 0)
    return false;
  UErrorCode err = U_ZERO_ERROR;
  UScriptCode sc = uscript_getScript(cp, &err);
  return sc == USCRIPT_HAN || sc == USCRIPT_HANGUL || sc == USCRIPT_HIRAGANA ||
         sc == USCRIPT_KATAKANA;
}

std::string_view StripNameAffixes(std::string_view w) {
  auto letters = [](std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  // Arabic script: the article al- and the proclitics fused with it
  // ("wal-", "bil-", "lil-"): البرازيل -> برازيل (Brazil).
  static const std::string_view kArabicPrefixes[] = {
      "\xD9\x88\xD8\xA7\xD9\x84", "\xD8\xA8\xD8\xA7\xD9\x84", "\xD9\x81\xD8\xA7\xD9\x84",
      "\xD9\x83\xD8\xA7\xD9\x84", "\xD9\x84\xD9\x84",         "\xD8\xA7\xD9\x84"};
  for (auto p : kArabicPrefixes)
    if (w.substr(0, p.size()) == p && letters(w.substr(p.size())) >= 3) return w.substr(p.size());
  // Hangul: a case particle after a name (모르비에서 "in Morbi" -> 모르비).
  static const std::string_view kKoreanParticles[] = {"에서", "에게", "으로", "와의", "과의", "로",
                                                      "의",   "은",   "는",   "이",   "가",   "을",
                                                      "를",   "와",   "과",   "도",   "에"};
  for (auto p : kKoreanParticles)
    if (w.size() > p.size() && w.substr(w.size() - p.size()) == p &&
        letters(w.substr(0, w.size() - p.size())) >= 2)
      return w.substr(0, w.size() - p.size());
  return w;
}

bool AsciiDigits(std::string_view s, std::string* out) {
  bool changed = false;
  size_t i = 0;
  out->clear();
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    utf8proc_int32_t cp = 0;
    auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                              static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0) {
      out->push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (u_isdigit(cp)) {
      out->push_back(static_cast<char>('0' + u_charDigitValue(cp)));
      changed = true;
    } else if (cp == 0x066B) {  // Arabic decimal separator
      out->push_back('.');
      changed = true;
    } else if (cp == 0x066C) {  // Arabic thousands separator
      out->push_back(',');
      changed = true;
    } else {
      out->append(s.substr(i, static_cast<size_t>(n)));
    }
    i += static_cast<size_t>(n);
  }
  return changed;
}

std::vector<std::string> ExtractNumbers(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    if (!IsDigit(s[i]) ||
        (i > 0 && (IsDigit(s[i - 1]) || std::isalpha(static_cast<unsigned char>(s[i - 1]))))) {
      ++i;
      continue;
    }
    // Collect digit groups and the separators between them.
    std::vector<std::string_view> groups;
    std::vector<char> seps;  // ',', '.', or ' ' (any space-like)
    size_t j = i;
    while (true) {
      size_t start = j;
      while (j < s.size() && IsDigit(s[j])) ++j;
      groups.push_back(s.substr(start, j - start));
      if (j >= s.size()) break;
      size_t sl = SeparatorLength(s, j);
      if (sl == 0 || j + sl >= s.size() || !IsDigit(s[j + sl])) break;
      char sep = s[j] == ',' ? ',' : s[j] == '.' ? '.' : ' ';
      // A space only joins thousands groups of exactly three digits.
      size_t k = j + sl;
      size_t digits = 0;
      while (k + digits < s.size() && IsDigit(s[k + digits])) ++digits;
      if (sep == ' ' && digits != 3) break;
      if (sep == ' ' && groups.back().size() > 3) break;
      seps.push_back(sep);
      j += sl;
    }
    std::string integer, fraction;
    integer = std::string(groups[0]);
    bool ok = true;
    for (size_t g = 1; g < groups.size(); ++g) {
      bool last = g + 1 == groups.size();
      if (groups[g].size() == 3 && groups[g - 1].size() <= 3 + (g == 1 ? 0 : 0) &&
          (g == 1 ? groups[0].size() <= 3 : true)) {
        integer += groups[g];  // thousands group
      } else if (last && seps[g - 1] != ' ') {
        fraction = std::string(groups[g]);  // decimal part
      } else {
        ok = false;
        break;
      }
    }
    // "2021.5" style or odd groupings: keep only the first group.
    if (!ok) integer = std::string(groups[0]), fraction.clear();
    // Next word, for "100 thousand" / "2,5 millioner".
    size_t k = j;
    while (k < s.size() && (s[k] == ' ' || SeparatorLength(s, k) > 1))
      k += std::max<size_t>(1, SeparatorLength(s, k));
    size_t w = k;
    while (w < s.size() && !std::isspace(static_cast<unsigned char>(s[w])) && s[w] != ',' &&
           s[w] != '.')
      ++w;
    double mult =
        k < s.size() ? Multiplier(FoldAsciiLower(s.substr(k, std::min<size_t>(w - k, 32)))) : 1;

    std::string norm;
    if (integer.size() > 15) {
      norm = integer;  // an identifier, not a quantity
    } else {
      // strtod, not stod: nothing may throw out of the library.
      double v =
          std::strtod((integer + (fraction.empty() ? "" : "." + fraction)).c_str(), nullptr) * mult;
      bool is_year = fraction.empty() && mult == 1 && groups.size() == 1 && integer.size() == 4 &&
                     v >= 1800 && v <= 2100;
      if (is_year) {
        norm = "y" + integer;
      } else if (fraction.empty() && mult == 1 && v < 10) {
        norm.clear();
      } else {
        norm = FormatNumber(v);
      }
    }
    if (!norm.empty()) out.push_back(norm);
    i = j;
  }
  return out;
}

std::string NameSkeleton(std::string_view k, size_t max_codes) {
  // One pass. Digraphs that transliteration schemes spell differently are
  // read as one letter (longest first): tsch tch -> c, sch -> s, dzh dz -> j,
  // ts tz -> c, ph -> f.
  static const std::pair<std::string_view, char> kDigraphs[] = {
      {"tsch", 'c'}, {"tch", 'c'}, {"sch", 's'}, {"dzh", 'j'},
      {"dz", 'j'},   {"ts", 'c'},  {"tz", 'c'},  {"ph", 'f'}};
  // Sound classes; h goes with the velars because Cyrillic Г/Х stand for
  // Latin H (Гіпкінс, Hipkins). Vowels, w, y, j: no code.
  static const char kClass[27] = "01230122002455012623010202";  // a..z
  std::string out = "~";
  char last = 0;
  for (size_t i = 0; i < k.size();) {
    char ch = k[i];
    size_t step = 1;
    for (const auto& [from, to] : kDigraphs)
      if (k.compare(i, from.size(), from) == 0) {
        ch = to;
        step = from.size();
        break;
      }
    i += step;
    char code = 0;
    if (ch >= 'a' && ch <= 'z')
      code = kClass[ch - 'a'] == '0' ? 0 : kClass[ch - 'a'];
    else if (ch >= '0' && ch <= '9')
      code = ch;
    if (!code || code == last) continue;
    out.push_back(code);
    last = code;
    if (out.size() > max_codes) break;
  }
  return out.size() >= 3 ? out : std::string();
}

uint64_t TermKey(std::string_view lang, std::string_view stem) {
  std::string k;
  k.reserve(lang.size() + 1 + stem.size());
  k.append(lang);
  k.push_back('\x1f');
  k.append(stem);
  return Hash64(k, 0x7465726du);
}
uint64_t NameFeatureKey(std::string_view name_key) { return Hash64(name_key, 0x6e616d65u); }
uint64_t NumberKey(std::string_view normalized) { return Hash64(normalized, 0x6e756d62u); }
uint64_t PivotKey(std::string_view english_stem) { return Hash64(english_stem, 0x70697674u); }

std::string DefaultLexiconPath() {
  if (const char* env = std::getenv("STORYLINE_LEXICON"); env && *env) return env;
  return ModelDirectory() + "/pivot.lex";
}

struct Analyzer::Impl {
  std::unique_ptr<icu::BreakIterator> words;
  std::unique_ptr<icu::Transliterator> latin;
  std::unordered_map<std::string, sb_stemmer*> stemmers;  // nullptr: none for this language
  std::unordered_map<std::string, std::unordered_set<std::string>> stopwords;
  std::unordered_map<std::string, std::string> name_keys;  // cache
  std::string data_dir;
  std::unique_ptr<Gazetteer> countries;  // loaded on first use
  std::unique_ptr<Lexicon> lexicon;      // nullptr: none

  ~Impl() {
    for (auto& [lang, s] : stemmers)
      if (s) sb_stemmer_delete(s);
  }

  sb_stemmer* Stemmer(const std::string& lang) {
    auto it = stemmers.find(lang);
    if (it != stemmers.end()) return it->second;
    const char* name = StemmerName(lang);
    sb_stemmer* s = name ? sb_stemmer_new(name, "UTF_8") : nullptr;
    stemmers[lang] = s;
    return s;
  }

  const std::unordered_set<std::string>& Stopwords(const std::string& lang) {
    auto it = stopwords.find(lang);
    if (it != stopwords.end()) return it->second;
    auto& set = stopwords[lang];
    std::ifstream in(data_dir + "/stopwords/" + lang + ".txt");
    std::string line;
    while (std::getline(in, line)) {
      auto t = TrimAscii(line);
      if (!t.empty() && t[0] != '#') set.insert(std::string(t));
    }
    return set;
  }
};

Analyzer::Analyzer(const SignalsOptions& options)
    : impl_(std::make_unique<Impl>()), options_(options) {
  UErrorCode status = U_ZERO_ERROR;
  impl_->words.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  status = U_ZERO_ERROR;
  impl_->latin.reset(
      icu::Transliterator::createInstance("Any-Latin; Latin-ASCII; Lower", UTRANS_FORWARD, status));
  if (U_FAILURE(status)) impl_->latin.reset();
  impl_->data_dir = DataDirectory(options.data_dir);
  if (options.lexicon_path != "none") {
    auto lex =
        Lexicon::Open(options.lexicon_path.empty() ? DefaultLexiconPath() : options.lexicon_path);
    if (lex.ok()) impl_->lexicon = std::move(lex).value();
  }
}

const Lexicon* Analyzer::lexicon() const { return impl_->lexicon.get(); }

std::string Analyzer::PivotLanguage(const std::string& lang) const {
  if (lang == "en") return lang;
  if (!impl_->lexicon) return {};
  if (impl_->lexicon->HasLanguage(lang)) return lang;
  static const std::map<std::string, std::string> kNear = {
      {"nn", "no"}, {"nb", "no"}, {"ms", "id"}, {"uk", "ru"}, {"be", "ru"}, {"sh", "hr"},
      {"bs", "hr"}, {"mk", "bg"}, {"gl", "pt"}, {"ca", "es"}, {"af", "nl"}, {"sco", "en"},
  };
  auto it = kNear.find(lang);
  if (it == kNear.end()) return {};
  if (it->second == "en" || impl_->lexicon->HasLanguage(it->second)) return it->second;
  return {};
}

std::string Analyzer::Fold(std::string_view word) { return FoldAsciiLower(word); }

std::string Analyzer::Stem(const std::string& lang, std::string_view folded) {
  if (sb_stemmer* stemmer = impl_->Stemmer(lang)) {
    const sb_symbol* out =
        sb_stemmer_stem(stemmer, reinterpret_cast<const sb_symbol*>(folded.data()),
                        static_cast<int>(folded.size()));
    if (out)
      return std::string(reinterpret_cast<const char*>(out),
                         static_cast<size_t>(sb_stemmer_length(stemmer)));
    return std::string(folded);
  }
  if (Truncates(lang)) {
    size_t letters = 0, i = 0;
    while (i < folded.size() && letters < kTruncateLetters) {
      ++letters;
      ++i;
      while (i < folded.size() && (static_cast<unsigned char>(folded[i]) & 0xC0) == 0x80) ++i;
    }
    return std::string(folded.substr(0, i));
  }
  return std::string(folded);
}

Analyzer::~Analyzer() = default;

bool Analyzer::IsStopWord(const std::string& lang, const std::string& folded) {
  return impl_->Stopwords(lang).count(folded) > 0 || impl_->Stopwords("en").count(folded) > 0;
}

namespace {

// ASCII for Latin-script text without ICU's transliterator (which costs
// microseconds per call): decompose, drop marks, then the letters that do not
// decompose, spelled as ICU's Latin-ASCII spells them. Returns false if the
// text has a code point outside Latin (then ICU decides).
bool FastLatinToAscii(std::string_view s, std::string* out) {
  out->clear();
  size_t i = 0;
  while (i < s.size()) {
    utf8proc_int32_t cp = 0;
    auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                              static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0) return false;
    i += static_cast<size_t>(n);
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
      continue;
    }
    if (cp >= 0x250) return false;  // beyond Latin Extended-B
    switch (cp) {
      case 0xC6:
      case 0xE6:
        out->append("ae");
        continue;
      case 0xD8:
      case 0xF8:
        out->push_back('o');
        continue;
      case 0xDF:
        out->append("ss");
        continue;
      case 0xD0:
      case 0xF0:
      case 0x110:
      case 0x111:
        out->push_back('d');
        continue;
      case 0xDE:
      case 0xFE:
        out->append("th");
        continue;
      case 0x141:
      case 0x142:
        out->push_back('l');
        continue;
      case 0x152:
      case 0x153:
        out->append("oe");
        continue;
      case 0x131:
        out->push_back('i');
        continue;
      case 0x127:
      case 0x126:
        out->push_back('h');
        continue;
      default:
        break;
    }
    utf8proc_int32_t buf[4];
    int rc = 0;
    auto m = utf8proc_decompose_char(
        cp, buf, 4, static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK), &rc);
    bool any = false;
    for (utf8proc_ssize_t k = 0; k < m && k < 4; ++k)
      if (buf[k] < 0x80) {
        out->push_back(static_cast<char>(buf[k]));
        any = true;
      }
    if (!any) return false;
  }
  return true;
}

}  // namespace

std::string Analyzer::NameKey(std::string_view name) {
  auto to_key = [](std::string_view latin) {
    std::string key;
    key.reserve(latin.size());
    for (char c : latin) {
      unsigned char uc = static_cast<unsigned char>(c);
      if (std::isalnum(uc)) key.push_back(static_cast<char>(std::tolower(uc)));
    }
    return key;
  };
  // ASCII and Latin with diacritics are cheap to key directly; only ICU's
  // transliteration (other scripts) is worth caching.
  bool ascii = std::all_of(name.begin(), name.end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii || !impl_->latin) return to_key(name);
  std::string latin;
  if (FastLatinToAscii(name, &latin)) return to_key(latin);
  std::string name_str(name);
  auto it = impl_->name_keys.find(name_str);
  if (it != impl_->name_keys.end()) return it->second;
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(name.data(), static_cast<int32_t>(name.size())));
  impl_->latin->transliterate(u);
  latin.clear();
  u.toUTF8String(latin);
  std::string key = to_key(latin);
  if (impl_->name_keys.size() > 200000) impl_->name_keys.clear();
  impl_->name_keys.emplace(std::move(name_str), key);
  return key;
}

Signals Analyzer::Analyze(std::string_view title, std::string_view text, const std::string& lang) {
  Signals sig;
  sig.lang = lang;
  std::unordered_map<uint64_t, float> terms, names, numbers, pivots;
  std::unordered_map<std::string, int> label_counts;
  std::vector<uint64_t> token_hashes;  // for shingles
  // Pivot concepts: English stems themselves, other languages through the
  // lexicon (or a close relative's dictionary).
  const Lexicon* lex = impl_->lexicon.get();
  const std::string pivot_lang = PivotLanguage(lang);
  const bool pivot_direct = pivot_lang == "en";
  const auto& stops = impl_->Stopwords(lang);
  const auto& en_stops = impl_->Stopwords("en");

  struct Token {
    std::string folded;
    std::string original;
    bool capitalised;
    bool all_caps;
    bool sentence_start;
    bool letters;
    bool caseless_script;   // a letter without case: Han, Thai, Arabic, Hangul, ...
    bool single_ideograph;  // one Han character on its own
    float weight;
  };
  std::vector<Token> tokens;

  for (int part = 0; part < 2; ++part) {
    std::string_view s = part == 0 ? title : text;
    float weight = part == 0 ? options_.title_weight : 1.0f;
    icu::UnicodeString u =
        icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
    auto* bi = impl_->words.get();
    bi->setText(u);
    int32_t prev_end = 0, prev_ideo_end = -1;
    bool at_start = true;
    for (int32_t start = bi->first(), end = bi->next(); end != icu::BreakIterator::DONE;
         start = end, end = bi->next()) {
      int32_t rule = bi->getRuleStatus();
      if (rule < UBRK_WORD_NUMBER) {
        // Punctuation / space: does it end a sentence?
        for (int32_t k = start; k < end; ++k) {
          UChar c = u.charAt(k);
          if (c == '.' || c == '!' || c == '?' || c == '\n' || c == ':' || c == 0x2013 ||
              c == 0x2014 || c == '"' || c == 0x201C || c == 0x201D || c == 0xAB || c == 0xBB)
            at_start = true;
        }
        prev_end = end;
        continue;
      }
      (void)prev_end;
      icu::UnicodeString w = u.tempSubStringBetween(start, end);
      Token t;
      w.toUTF8String(t.original);
      UChar32 first = w.char32At(0);
      t.capitalised = u_isupper(first) || u_istitle(first);
      t.caseless_script = !t.capitalised && !u_islower(first) && u_isalpha(first);
      t.all_caps = t.capitalised && w.length() >= 2;
      if (t.all_caps) {
        for (int32_t k = 0; k < w.length(); ++k)
          if (u_islower(w.charAt(k))) {
            t.all_caps = false;
            break;
          }
      }
      icu::UnicodeString f(w);
      f.foldCase();
      f.toUTF8String(t.folded);
      t.sentence_start = at_start;
      t.letters = rule >= UBRK_WORD_LETTER;
      t.single_ideograph = rule >= UBRK_WORD_IDEO && w.countChar32() == 1;
      t.weight = weight;
      at_start = false;
      // ICU's dictionary does not know foreign names written in Han
      // characters and cuts them into single characters (佩 德 羅): a run of
      // them is taken back as one word, so that it transliterates as a whole
      // (peideluo) and can meet the name in other scripts.
      if (t.single_ideograph && !tokens.empty() && tokens.back().single_ideograph &&
          tokens.back().weight == weight && start == prev_ideo_end) {
        Token& last = tokens.back();
        last.original += t.original;
        last.folded += t.folded;
        prev_ideo_end = end;
        continue;
      }
      prev_ideo_end = end;
      tokens.push_back(std::move(t));
    }
  }
  sig.tokens = static_cast<uint32_t>(tokens.size());

  // Names: capitalised words not at a sentence start; a sentence-initial one
  // counts if the same word is capitalised mid-sentence elsewhere; acronyms.
  std::unordered_set<std::string> mid_sentence_caps;
  size_t letter_tokens = 0, capitalised_tokens = 0;
  for (const auto& t : tokens) {
    if (!t.letters) continue;
    ++letter_tokens;
    if (t.capitalised) ++capitalised_tokens;
    if (t.capitalised && !t.sentence_start) mid_sentence_caps.insert(t.folded);
  }
  // A text without any capital letter is in a caseless script (Arabic,
  // Georgian, Tamil, Hangul, ...): there every content word may be a name, and
  // transliteration decides which ones meet names in other languages.
  const bool caseless = letter_tokens >= 3 && capitalised_tokens == 0;
  std::vector<char> name_token(tokens.size(), 0);

  for (size_t ti = 0; ti < tokens.size(); ++ti) {
    const Token& t = tokens[ti];
    token_hashes.push_back(Hash64(t.folded, 0x73686dull));
    if (!t.letters) continue;
    bool stop =
        stops.count(t.folded) || (lang != "en" && en_stops.count(t.folded) && t.capitalised);
    std::string stem;
    uint64_t term_key = 0;
    if (!stop && t.folded.size() >= 2) {
      stem = Stem(lang, t.folded);
      term_key = TermKey(lang, stem);
      AddFeature(terms, term_key, t.weight);
    }
    // Acronyms (WHO, PO, AS) are names even when they fold to a stop word.
    bool is_name =
        t.capitalised &&
        (t.all_caps || (!stop && (!t.sentence_start || mid_sentence_caps.count(t.folded))));
    // In a caseless script every content word may be a name (>= 6 bytes: 2
    // Han or 3 Arabic letters); most are not, so they weigh less than real
    // names and do not drown the numbers and countries an article shares.
    bool weak_name = false;
    if ((caseless || t.caseless_script) && !stop && t.folded.size() >= 6) {
      weak_name = !is_name;
      is_name = true;
    }
    if (!is_name && t.capitalised && !stop && t.sentence_start) {
      // A sentence-initial word is a name when it is camel-cased (LeBron,
      // McDonald) or starts a run of capitalised words (Pedro Castillo ...).
      bool camel = false;
      for (size_t k = 1; k < t.original.size(); ++k)
        if (t.original[k] >= 'A' && t.original[k] <= 'Z') camel = true;
      const Token* next = ti + 1 < tokens.size() ? &tokens[ti + 1] : nullptr;
      bool run = next && next->letters && next->capitalised && !next->sentence_start &&
                 !stops.count(next->folded);
      is_name = camel || run;
    }
    name_token[ti] = is_name;
    // A content word's pivot concepts. Names are left to the name keys: as
    // words they would translate ("Castillo" -> castle).
    if (!stem.empty() && !is_name && options_.cognate_weight > 0 && t.folded.size() >= 5 &&
        !t.caseless_script) {
      // Cognates: the consonant skeleton of the word's Latin spelling, so
      // that president / presidente / президент / prezydent meet without a
      // dictionary.
      std::string sk = NameSkeleton(NameKey(t.folded), kCognateCodes);
      if (sk.size() > kMinCognateCodes)
        AddFeature(pivots, PivotKey(sk), t.weight * options_.cognate_weight);
    }
    if (!stem.empty() && !is_name) ++sig.content_words;
    if (!stem.empty() && !is_name && !pivot_lang.empty()) {
      if (pivot_direct) {
        ++sig.translated_words;
        AddFeature(pivots, PivotKey(pivot_lang == lang ? stem : Stem("en", t.folded)), t.weight);
      } else if (lex) {
        uint64_t key =
            pivot_lang == lang ? term_key : TermKey(pivot_lang, Stem(pivot_lang, t.folded));
        auto concepts = lex->Lookup(key);
        if (!concepts.empty()) ++sig.translated_words;
        // An ambiguous word spreads its weight over its meanings.
        for (uint64_t c : concepts)
          AddFeature(pivots, c, t.weight / static_cast<float>(concepts.size()));
      }
    }
    if (is_name && t.folded.size() >= 2) {
      std::string key = NameKey(t.caseless_script ? StripNameAffixes(t.folded) : t.folded);
      if (key.size() >= 2) {
        // Two keys per name: a prefix of the transliteration (precise) and a
        // consonant skeleton (meets spelling variants across languages).
        std::string skeleton = t.all_caps ? std::string() : NameSkeleton(key);
        // Chinese, Japanese and Korean spell both l and r of a foreign name
        // with one sound (卡斯特罗 kasiteluo, 모르비 moleubi): their names
        // also get the skeleton read with r.
        std::string liquid;
        if (t.caseless_script && !skeleton.empty() && key.find('l') != std::string::npos &&
            IsCjk(t.original)) {
          std::string r = key;
          std::replace(r.begin(), r.end(), 'l', 'r');
          liquid = NameSkeleton(r);
          if (liquid == skeleton) liquid.clear();
        }
        if (key.size() > options_.name_key_chars) key.resize(options_.name_key_chars);
        float w = weak_name ? t.weight * options_.caseless_name_weight : t.weight;
        AddFeature(names, NameFeatureKey(key), w);
        if (!skeleton.empty() && skeleton != key) AddFeature(names, NameFeatureKey(skeleton), w);
        if (!liquid.empty()) AddFeature(names, NameFeatureKey(liquid), w);
        label_counts[t.original]++;
      }
    }
  }

  // Countries: a name in any language and form ("Tyskland", "Германии", "New
  // Zealand") also gives the language-neutral feature "@" + its ISO code.
  if (!impl_->countries)
    impl_->countries = std::make_unique<Gazetteer>(
        impl_->data_dir + "/gazetteer", [this](std::string_view w) { return NameKey(w); });
  if (!impl_->countries->empty()) {
    std::vector<Gazetteer::Word> run;
    for (size_t ti = 0; ti < tokens.size();) {
      const Token& t = tokens[ti];
      // Names, other capitalised words (sentence-initial ones), caseless scripts.
      bool caseless_word = !t.capitalised && !Gazetteer::Inflecting(Gazetteer::Script(t.original));
      bool candidate = t.letters && (name_token[ti] || (t.capitalised && !stops.count(t.folded)) ||
                                     caseless_word);
      run.clear();
      for (size_t k = ti; candidate && k < tokens.size() && run.size() < Gazetteer::kMaxWords;
           ++k) {
        if (k > ti && (!tokens[k].letters || tokens[k].sentence_start)) break;
        run.push_back({NameKey(tokens[k].folded), Gazetteer::Script(tokens[k].original)});
      }
      std::string code;
      size_t n = candidate ? impl_->countries->Match(run, &code) : 0;
      // Once per article, at the weight of its strongest mention: a country is
      // broad context, and many mentions of it must not outweigh the names
      // that tell one story from another.
      if (n > 0 && !code.empty()) {
        float& w = names[NameFeatureKey("@" + code)];
        w = std::max(w, t.weight);
      }
      ti += std::max<size_t>(n, 1);
    }
  }

  for (int part = 0; part < 2; ++part) {
    std::string ascii;
    std::string_view src = part == 0 ? title : text;
    if (AsciiDigits(src, &ascii)) src = ascii;
    for (const auto& n : ExtractNumbers(src))
      AddFeature(numbers, NumberKey(n), part == 0 ? options_.title_weight : 1.0f);
  }

  // Shingle sketch (MOD-m): hashes of k consecutive tokens.
  const size_t k = static_cast<size_t>(options_.shingle_words);
  if (token_hashes.size() >= k) {
    for (size_t i = 0; i + k <= token_hashes.size(); ++i) {
      uint64_t h = 0x9E3779B97F4A7C15ull;
      for (size_t j = 0; j < k; ++j) h = (h ^ token_hashes[i + j]) * 0x100000001B3ull + (h >> 29);
      h ^= h >> 33;
      h *= 0xff51afd7ed558ccdull;
      h ^= h >> 33;
      if (h % options_.sketch_modulus == 0) sig.sketch.push_back(h);
    }
    std::sort(sig.sketch.begin(), sig.sketch.end());
    sig.sketch.erase(std::unique(sig.sketch.begin(), sig.sketch.end()), sig.sketch.end());
    if (sig.sketch.size() > options_.max_sketch) sig.sketch.resize(options_.max_sketch);
  }

  sig.terms = Sorted(terms);
  sig.names = Sorted(names);
  sig.numbers = Sorted(numbers);
  sig.pivots = Sorted(pivots);
  std::vector<std::pair<std::string, int>> labels(label_counts.begin(), label_counts.end());
  std::sort(labels.begin(), labels.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  for (auto& [l, c] : labels) sig.name_labels.push_back(l);
  if (sig.name_labels.size() > 20) sig.name_labels.resize(20);
  return sig;
}

}  // namespace storyline
