#include "synth/synth.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <queue>
#include <unordered_set>

namespace storyline::synth {

namespace {

constexpr int kConcepts = 20000;    // content vocabulary size per language
constexpr int kFamousPeople = 400;  // names that recur across stories
constexpr int kThemes = 40;         // politics, sport, ...: vocabulary shared by many stories
constexpr int kThemeConcepts = 25;
constexpr int kThemePeople = 12;
constexpr int kOutletsPerLang = 40;  // sources per language
constexpr int64_t kDay = 86400;

// splitmix64: small, fast, and the same everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>((Next() >> 32) * n >> 32); }
  bool Chance(double p) { return Uniform() < p; }
  // Standard normal (Box-Muller).
  double Normal() {
    double u1 = 1.0 - Uniform(), u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  uint64_t s_;
};

uint64_t Mix(uint64_t a, uint64_t b) {
  Rng r(a * 0xD1B54A32D192ED03ull + b);
  r.Next();
  return r.Next();
}

// Samples index i in [0, n) with probability proportional to 1 / (i + offset)^s
// (Zipf-Mandelbrot; offset 1 is plain Zipf).
class Zipf {
 public:
  Zipf() = default;
  Zipf(size_t n, double s, double offset = 1) {
    cdf_.reserve(n);
    double total = 0;
    for (size_t i = 0; i < n; ++i) {
      double r = static_cast<double>(i) + offset;
      total += s == 1.0 ? 1.0 / r : std::pow(r, -s);
      cdf_.push_back(total);
    }
  }
  size_t Sample(Rng& r) const {
    double u = r.Uniform() * cdf_.back();
    size_t i = static_cast<size_t>(std::upper_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
    return std::min(i, cdf_.size() - 1);
  }

 private:
  std::vector<double> cdf_;
};

// --- UTF-8 helpers ----------------------------------------------------------

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Upper-cases the first letter (ASCII, Latin-1 and Cyrillic: all we generate).
std::string Capitalize(std::string_view w) {
  std::string out;
  if (w.empty()) return out;
  unsigned char c0 = static_cast<unsigned char>(w[0]);
  if (c0 < 0x80) {
    out.push_back(c0 >= 'a' && c0 <= 'z' ? static_cast<char>(c0 - 32) : static_cast<char>(c0));
    out.append(w.substr(1));
    return out;
  }
  if ((c0 & 0xE0) == 0xC0 && w.size() >= 2) {
    uint32_t cp = ((c0 & 0x1Fu) << 6) | (static_cast<unsigned char>(w[1]) & 0x3Fu);
    if ((cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) || (cp >= 0x430 && cp <= 0x44F))
      cp -= 0x20;
    else if (cp == 0x451)
      cp = 0x401;
    AppendUtf8(&out, cp);
    out.append(w.substr(2));
    return out;
  }
  return std::string(w);
}

// Latin name -> Cyrillic, letter by letter (names use only these letters).
std::string ToCyrillic(std::string_view latin) {
  static const std::map<char, const char*> kMap = {
      {'a', "а"}, {'b', "б"}, {'d', "д"}, {'e', "е"}, {'f', "ф"}, {'g', "г"}, {'i', "и"},
      {'k', "к"}, {'l', "л"}, {'m', "м"}, {'n', "н"}, {'o', "о"}, {'p', "п"}, {'r', "р"},
      {'s', "с"}, {'t', "т"}, {'u', "у"}, {'v', "в"}, {'z', "з"},
  };
  std::string out;
  for (char c : latin) {
    char l = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
    auto it = kMap.find(l);
    out += it == kMap.end() ? std::string(1, l) : std::string(it->second);
  }
  return Capitalize(out);
}

// --- Languages --------------------------------------------------------------

struct LangSpec {
  const char* code;
  std::vector<const char*> function_words;  // most frequent first
  std::vector<const char*> onsets, vowels, codas, suffixes;
  bool capitalize_nouns;
  const char* group_sep;  // thousands separator
  int group_from;         // group integers at or above this
  char decimal;
  const char* million;
  const char* percent;
  bool cyrillic;
  double weight;
};

const std::vector<LangSpec>& Specs() {
  static const std::vector<LangSpec> kSpecs = {
      {"en",
       {"the", "of",   "and",   "to",   "a",     "in",   "that", "is",   "was",   "for",
        "on",  "it",   "with",  "as",   "by",    "at",   "from", "his",  "has",   "have",
        "be",  "are",  "were",  "this", "which", "not",  "but",  "will", "said",  "after",
        "an",  "they", "their", "also", "who",   "more", "than", "been", "would", "about",
        "its", "over", "two",   "new",  "her",   "into", "had",  "when", "could", "there"},
       {"b", "c", "d",  "f",  "g",  "h",  "l",  "m",  "n",  "p",  "r",  "s", "t",
        "v", "w", "st", "th", "sh", "ch", "br", "tr", "pl", "gr", "cl", "pr"},
       {"a", "e", "i", "o", "u", "ea", "ou", "ai", "ee", "oo", "y"},
       {"n", "r", "t", "st", "nd", "ck", "ll", "m", "s", "rk"},
       {"s", "ing", "ed", "tion", "ment", "er", "ly", "ness", "al", "ity", "ers", "ive"},
       false,
       ",",
       1000,
       '.',
       "million",
       "percent",
       false,
       2.0},
      {"no",
       {"og",  "i",   "det",  "på",    "som",   "er",     "en",    "til",  "å",    "for",
        "av",  "med", "at",   "har",   "ikke",  "den",    "de",    "om",   "et",   "var",
        "seg", "fra", "men",  "ble",   "kan",   "vil",    "etter", "sier", "skal", "også",
        "han", "hun", "da",   "eller", "være",  "når",    "over",  "mot",  "sin",  "nå",
        "to",  "nye", "blir", "hadde", "under", "mellom", "siden", "må",   "bare", "sine"},
       {"b", "d", "f", "g",  "h",  "j",  "k",  "l",  "m",  "n",  "p",  "r",
        "s", "t", "v", "sk", "st", "kj", "gj", "bl", "fr", "sp", "tr", "fl"},
       {"a", "e", "i", "o", "u", "a", "e", "i", "e", "o", "y", "æ", "ø", "å", "ei", "au"},
       {"n", "r", "t", "kk", "ll", "nn", "st", "g", "m", "ks"},
       {"en", "et", "er", "ene", "ing", "het", "else", "lig", "ende", "te", "ere", "ning", "skap"},
       false,
       " ",
       10000,
       ',',
       "millioner",
       "prosent",
       false,
       1.0},
      {"sv",
       {"och",   "i",      "att",   "det",  "som",  "en",     "på",    "är",    "av",    "för",
        "med",   "till",   "den",   "har",  "de",   "inte",   "om",    "ett",   "var",   "han",
        "hon",   "men",    "från",  "sig",  "kan",  "ska",    "efter", "säger", "också", "när",
        "över",  "mot",    "sin",   "nu",   "två",  "nya",    "vid",   "under", "blev",  "hade",
        "eller", "mellan", "sedan", "bara", "sina", "skulle", "vara",  "blir",  "dem",   "så"},
       {"b", "d", "f", "g",  "h",  "j",  "k",  "l",  "m",  "n",  "p",  "r",
        "s", "t", "v", "sk", "st", "sj", "tj", "fr", "gr", "sp", "tr", "fl"},
       {"a", "e", "i", "o", "u", "a", "e", "i", "a", "o", "y", "ä", "ö", "å"},
       {"n", "r", "t", "kk", "ll", "nn", "st", "g", "m", "ks"},
       {"en", "et", "ar", "na", "ning", "het", "lig", "are", "ade", "erna", "else", "ande", "skap"},
       false,
       " ",
       10000,
       ',',
       "miljoner",
       "procent",
       false,
       1.0},
      {"de",
       {"der",  "die",  "und",   "in",     "den", "von",  "zu",    "das",   "mit",   "sich",
        "des",  "auf",  "für",   "ist",    "im",  "dem",  "nicht", "ein",   "eine",  "als",
        "auch", "es",   "an",    "werden", "aus", "er",   "hat",   "dass",  "sie",   "nach",
        "wird", "bei",  "einer", "um",     "am",  "sind", "noch",  "wie",   "einem", "über",
        "zwei", "neue", "sagte", "soll",   "vor", "zur",  "bis",   "unter", "seit",  "wurde"},
       {"b", "d", "f", "g",   "h",  "k",  "l",  "m",  "n",  "p",  "r",  "s",
        "t", "w", "z", "sch", "st", "sp", "pf", "tr", "br", "kr", "gr", "fl"},
       {"a", "e", "i", "o", "u", "e", "a", "e", "i", "ä", "ö", "ü", "ei", "au", "ie", "eu"},
       {"n", "r", "t", "ch", "ng", "ck", "tz", "ll", "st", "nd"},
       {"en", "er", "ung", "keit", "heit", "lich", "isch", "schaft", "te", "ten", "ern", "ig",
        "chen"},
       true,
       ".",
       1000,
       ',',
       "Millionen",
       "Prozent",
       false,
       1.0},
      {"fr",
       {"de",   "la",    "le",   "et",    "les",   "des",    "en",      "un",    "du",     "une",
        "que",  "est",   "pour", "qui",   "dans",  "a",      "par",     "plus",  "pas",    "au",
        "sur",  "ne",    "se",   "il",    "sont",  "ce",     "avec",    "mais",  "ont",    "été",
        "aux",  "cette", "leur", "selon", "après", "deux",   "nouveau", "entre", "contre", "lors",
        "elle", "son",   "sa",   "ses",   "sera",  "depuis", "comme",   "ou",    "déjà",   "avait"},
       {"b", "c", "d", "f",  "g",  "j",  "l",  "m",  "n",  "p",  "r",
        "s", "t", "v", "ch", "qu", "gr", "tr", "pl", "br", "cr", "pr"},
       {"a", "e", "i", "o", "u", "a", "e", "i", "é", "è", "ou", "ai", "eau", "on", "an", "in",
        "eu"},
       {"r", "s", "l", "n", "t", "x"},
       {"e", "es", "ment", "tion", "eur", "ité", "ais", "ière", "ique", "er", "é", "ance", "elle"},
       false,
       " ",
       1000,
       ',',
       "millions",
       "%",
       false,
       1.0},
      {"ru",
       {"и",     "в",    "не",    "на",    "что",     "с",       "по",     "как",   "это",
        "к",     "из",   "за",    "от",    "о",       "для",     "его",    "но",    "он",
        "был",   "она",  "также", "после", "были",    "при",     "уже",    "до",    "они",
        "может", "году", "более", "два",   "который", "которые", "заявил", "между", "против",
        "будет", "её",   "их",    "со",    "так",     "только",  "было",   "этом",  "этого",
        "время", "если", "очень", "где",   "чтобы"},
       {"б", "в", "г", "д", "ж", "з", "к",  "л",  "м",  "н",  "п", "р",
        "с", "т", "ф", "х", "ч", "ш", "ст", "пр", "кр", "тр", "гр"},
       {"а", "е", "и", "о", "у", "а", "о", "е", "и", "о", "ы", "я", "ю"},
       {"н", "р", "т", "к", "л", "м", "ст", "в"},
       {"а", "ы", "ов", "ение", "ость", "ский", "ная", "ать", "ить", "ого", "ами", "ция", "ный"},
       false,
       " ",
       10000,
       ',',
       "млн",
       "процента",
       true,
       1.0},
  };
  return kSpecs;
}

// Neutral name syllables (so names read in every language and go to Cyrillic).
const char* const kNameOnsets[] = {"b", "d", "f", "g", "k",  "l",  "m",  "n",  "p", "r",
                                   "s", "t", "v", "z", "br", "kr", "st", "tr", "dr"};
const char* const kNameVowels[] = {"a", "e", "i", "o", "u", "a", "o"};
const char* const kNameCodas[] = {"n", "r", "s", "l", "v", "k", "m"};

std::string MakeName(Rng& r) {
  std::string s;
  int syl = 2 + static_cast<int>(r.Below(2));
  for (int i = 0; i < syl; ++i) {
    s += kNameOnsets[r.Below(std::size(kNameOnsets))];
    s += kNameVowels[r.Below(std::size(kNameVowels))];
  }
  if (r.Chance(0.5)) s += kNameCodas[r.Below(std::size(kNameCodas))];
  return Capitalize(s);
}

struct Person {
  std::string first, last;
};

struct Language {
  const LangSpec* spec;
  std::vector<std::string> words;  // by concept id (rank order)
  std::vector<std::string> outlets;
};

Language BuildLanguage(const LangSpec& spec) {
  Language L;
  L.spec = &spec;
  std::unordered_set<std::string> used(spec.function_words.begin(), spec.function_words.end());
  Rng r(Mix(0x766f6361,
            static_cast<uint64_t>(spec.code[0]) << 8 | static_cast<uint64_t>(spec.code[1])));
  L.words.reserve(kConcepts);
  for (int c = 0; c < kConcepts; ++c) {
    std::string w;
    for (int attempt = 0; attempt < 8; ++attempt) {
      w.clear();
      int syl = 1 + (c > 40) + static_cast<int>(r.Below(c > 1000 ? 3 : 2));
      for (int i = 0; i < syl; ++i) {
        if (i == 0 ? r.Chance(0.85) : true)
          w += spec.onsets[r.Below(static_cast<uint32_t>(spec.onsets.size()))];
        w += spec.vowels[r.Below(static_cast<uint32_t>(spec.vowels.size()))];
      }
      if (r.Chance(0.4)) w += spec.codas[r.Below(static_cast<uint32_t>(spec.codas.size()))];
      if (c > 100 && r.Chance(0.5))
        w += spec.suffixes[r.Below(static_cast<uint32_t>(spec.suffixes.size()))];
      if (used.insert(w).second) break;
    }
    if (spec.capitalize_nouns && (Mix(c, 7) & 1)) w = Capitalize(w);
    L.words.push_back(std::move(w));
  }
  for (int k = 0; k < kOutletsPerLang; ++k) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "outlet-%s-%02d", spec.code, k);
    L.outlets.push_back(buf);
  }
  return L;
}

// A number a story is about.
struct Quantity {
  enum Kind { kCount, kMillions, kPercent, kYear } kind;
  int64_t value;  // kMillions / kPercent: tenths
};

std::string Grouped(int64_t v, const LangSpec& spec) {
  std::string digits = std::to_string(v);
  if (v < spec.group_from) return digits;
  std::string out;
  int n = static_cast<int>(digits.size());
  for (int i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += spec.group_sep;
    out.push_back(digits[static_cast<size_t>(i)]);
  }
  return out;
}

std::string Tenths(int64_t tenths, const LangSpec& spec) {
  std::string s = Grouped(tenths / 10, spec);
  if (tenths % 10) {
    s.push_back(spec.decimal);
    s += std::to_string(tenths % 10);
  }
  return s;
}

std::string Render(const Quantity& q, const LangSpec& spec) {
  switch (q.kind) {
    case Quantity::kCount:
      return Grouped(q.value, spec);
    case Quantity::kMillions:
      return Tenths(q.value, spec) + " " + spec.million;
    case Quantity::kPercent:
      return Tenths(q.value, spec) + " " + spec.percent;
    case Quantity::kYear:
      return std::to_string(q.value);
  }
  return "";
}

Quantity RandomQuantity(Rng& r) {
  uint32_t k = r.Below(10);
  if (k < 5) {
    // Counts: log-uniform 10 .. 500,000.
    return {Quantity::kCount, static_cast<int64_t>(10 * std::exp(r.Uniform() * std::log(50000.0)))};
  }
  if (k < 7) return {Quantity::kMillions, 5 + static_cast<int64_t>(r.Below(9000))};
  if (k < 9) return {Quantity::kPercent, 1 + static_cast<int64_t>(r.Below(990))};
  return {Quantity::kYear, 1990 + static_cast<int64_t>(r.Below(36))};
}

// --- Stories ----------------------------------------------------------------

struct ArticlePlan {
  int lang = 0;  // index into Impl::langs
  uint64_t seed = 0;
  int copy_of = -1;  // index of the original in the story, or -1
  int target_bytes = 0;
  std::string id;  // set when emitted
};

struct Story {
  int64_t serial = 0;
  std::string truth_id;
  std::vector<uint32_t> topic;  // concept ids
  std::vector<Person> persons;
  std::vector<std::string> places;
  std::vector<Quantity> numbers;
  std::vector<ArticlePlan> plan;
  int remaining = 0;
};

struct Event {
  int64_t time;
  uint64_t seq;
  Story* story;
  int index;
  bool operator>(const Event& o) const { return time != o.time ? time > o.time : seq > o.seq; }
};

}  // namespace

const std::vector<std::string>& SupportedLanguages() {
  static const std::vector<std::string> kCodes = [] {
    std::vector<std::string> v;
    for (const auto& s : Specs()) v.push_back(s.code);
    return v;
  }();
  return kCodes;
}

struct CorpusGenerator::Impl {
  SynthOptions o;
  std::vector<Language> langs;
  std::vector<double> lang_cdf;
  // Content words follow the function words in the overall rank order.
  Zipf background{kConcepts, 1.0, 40};
  Zipf topic_zipf{16, 1.0};
  std::vector<Zipf> function_zipf;  // per language
  std::vector<Person> famous;
  Zipf famous_zipf{kFamousPeople, 1.0};
  struct Theme {
    std::vector<uint32_t> concepts;
    std::vector<uint32_t> people;  // indices into `famous`
  };
  std::vector<Theme> themes;
  Zipf theme_zipf{kThemes, 0.7};
  std::vector<double> size_cdf;  // P(size <= 2 + i | not a singleton)
  double mean_size = 1;
  double copy_probability = 0;

  Rng master{0};
  int64_t planned = 0;  // articles in stories generated so far
  int64_t produced = 0;
  int64_t next_story = 0;  // serial of the next story
  double next_start = 0;   // seconds after start_time
  double stories_per_second = 0;
  uint64_t seq = 0;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events;
  std::map<int64_t, std::unique_ptr<Story>> live;

  explicit Impl(const SynthOptions& options) : o(options), master(Mix(options.seed, 0x6d617374)) {
    for (const auto& code : o.languages) {
      for (const auto& spec : Specs())
        if (code == spec.code) langs.push_back(BuildLanguage(spec));
    }
    if (langs.empty()) langs.push_back(BuildLanguage(Specs()[0]));
    double total = 0;
    for (const auto& l : langs) lang_cdf.push_back(total += l.spec->weight);
    for (const auto& l : langs) function_zipf.emplace_back(l.spec->function_words.size(), 1.0);
    Rng names(Mix(o.seed, 0x66616d65));
    for (int i = 0; i < kFamousPeople; ++i) famous.push_back({MakeName(names), MakeName(names)});
    Rng tr(Mix(o.seed, 0x7468656d));
    for (int t = 0; t < kThemes; ++t) {
      Theme th;
      for (int i = 0; i < kThemeConcepts; ++i) {
        double rank = 60.0 * std::exp(tr.Uniform() * std::log(3000.0 / 60.0));
        th.concepts.push_back(static_cast<uint32_t>(rank));
      }
      for (int i = 0; i < kThemePeople; ++i)
        th.people.push_back(static_cast<uint32_t>(famous_zipf.Sample(tr)));
      themes.push_back(std::move(th));
    }

    // Story sizes: singletons, else a power-law tail.
    int max_size = std::max(2, o.max_story_size);
    double z = 0, m = 0;
    for (int k = 2; k <= max_size; ++k) {
      double p = std::pow(static_cast<double>(k), -o.size_exponent);
      z += p;
      m += p * k;
      size_cdf.push_back(z);
    }
    double tail_mean = m / z;
    mean_size = o.singleton_fraction + (1 - o.singleton_fraction) * tail_mean;
    double non_first = 1 - 1 / mean_size;
    copy_probability = non_first > 0 ? std::min(0.9, o.wire_fraction / non_first) : 0;

    double days =
        o.days > 0 ? o.days : std::max(1.0, static_cast<double>(o.articles) / o.articles_per_day);
    stories_per_second =
        static_cast<double>(std::max<int64_t>(1, o.articles)) / mean_size / (days * kDay);
  }

  int PickLang(Rng& r) const {
    double u = r.Uniform() * lang_cdf.back();
    size_t i = static_cast<size_t>(std::upper_bound(lang_cdf.begin(), lang_cdf.end(), u) -
                                   lang_cdf.begin());
    return static_cast<int>(std::min(i, lang_cdf.size() - 1));
  }

  int StorySize() {
    if (master.Chance(o.singleton_fraction)) return 1;
    double u = master.Uniform() * size_cdf.back();
    size_t i = static_cast<size_t>(std::upper_bound(size_cdf.begin(), size_cdf.end(), u) -
                                   size_cdf.begin());
    return 2 + static_cast<int>(std::min(i, size_cdf.size() - 1));
  }

  // Plans the next story and queues its articles.
  void PlanStory() {
    int size = static_cast<int>(std::min<int64_t>(StorySize(), o.articles - planned));
    auto st = std::make_unique<Story>();
    st->serial = next_story++;
    st->truth_id = "t" + std::to_string(st->serial);
    Rng r(Mix(o.seed, 0x73746f72ull + static_cast<uint64_t>(st->serial) * 0x10001ull));
    int start = static_cast<int>(next_start);

    // Topic: words of the story's theme (shared with its other stories), then
    // its own, log-uniform over ranks 200 .. kConcepts (distinctive, not only
    // rare). The first ones are used most.
    const Theme& theme = themes[theme_zipf.Sample(r)];
    int nspecific = 6 + static_cast<int>(r.Below(6));
    int ntheme = 4 + static_cast<int>(r.Below(3));
    const int ntopic = nspecific + ntheme;
    for (int i = 0; i < ntopic; ++i) {
      if (i % 2 == 1 && ntheme > 0) {
        st->topic.push_back(theme.concepts[r.Below(kThemeConcepts)]);
        --ntheme;
        continue;
      }
      double rank = 200.0 * std::exp(r.Uniform() * std::log(kConcepts / 200.0));
      st->topic.push_back(static_cast<uint32_t>(std::min<double>(rank, kConcepts - 1)));
    }
    int npersons = 1 + static_cast<int>(r.Below(3));
    for (int i = 0; i < npersons; ++i) {
      if (r.Chance(0.35))
        st->persons.push_back(famous[theme.people[r.Below(kThemePeople)]]);
      else
        st->persons.push_back({MakeName(r), MakeName(r)});
    }
    int nplaces = 1 + static_cast<int>(r.Below(2));
    for (int i = 0; i < nplaces; ++i) st->places.push_back(MakeName(r));
    int nnumbers = 2 + static_cast<int>(r.Below(3));
    for (int i = 0; i < nnumbers; ++i) st->numbers.push_back(RandomQuantity(r));

    // Languages: a primary one, and for some stories one or two more.
    std::vector<int> story_langs = {PickLang(r)};
    if (size >= 3 && langs.size() > 1 && r.Chance(o.multilingual_fraction)) {
      int extra = 1 + static_cast<int>(r.Below(2));
      for (int tries = 0; tries < 20 && static_cast<int>(story_langs.size()) < 1 + extra; ++tries) {
        int l = PickLang(r);
        if (std::find(story_langs.begin(), story_langs.end(), l) == story_langs.end())
          story_langs.push_back(l);
      }
    }

    // Publication offsets: the first at the start, the rest front-loaded.
    double duration =
        (o.min_story_days + (o.max_story_days - o.min_story_days) * r.Uniform()) * kDay;
    std::vector<int64_t> offsets(static_cast<size_t>(size), 0);
    for (int i = 1; i < size; ++i) {
      double u = r.Uniform();
      offsets[static_cast<size_t>(i)] = static_cast<int64_t>(duration * u * std::sqrt(u));
    }
    std::sort(offsets.begin(), offsets.end());

    st->plan.resize(static_cast<size_t>(size));
    for (int i = 0; i < size; ++i) {
      ArticlePlan& p = st->plan[static_cast<size_t>(i)];
      p.seed = r.Next();
      p.lang = story_langs[0];
      if (i > 0 && story_langs.size() > 1 && r.Chance(0.5))
        p.lang = story_langs[1 + r.Below(static_cast<uint32_t>(story_langs.size() - 1))];
      double ln = std::exp(0.35 * r.Normal() - 0.35 * 0.35 / 2);
      p.target_bytes = static_cast<int>(o.mean_bytes * std::clamp(ln, 0.25, 4.0));
      if (i > 0 && r.Chance(copy_probability)) {
        std::vector<int> originals;
        for (int j = 0; j < i; ++j) {
          const auto& q = st->plan[static_cast<size_t>(j)];
          if (q.copy_of < 0 && q.lang == p.lang) originals.push_back(j);
        }
        if (!originals.empty())
          p.copy_of = originals[r.Below(static_cast<uint32_t>(originals.size()))];
      }
    }
    st->remaining = size;
    for (int i = 0; i < size; ++i)
      events.push({o.start_time + start + offsets[static_cast<size_t>(i)], seq++, st.get(), i});
    planned += size;
    live.emplace(st->serial, std::move(st));
    next_start += -std::log(1.0 - master.Uniform()) / stories_per_second;
  }

  // --- Text ---

  struct Ctx {
    const Story* story;
    const Language* lang;
    std::vector<bool> mentioned;  // persons named in full already
  };

  std::string PersonName(Rng& r, Ctx& c, size_t i, bool allow_full) {
    const Person& p = c.story->persons[i];
    bool ru = c.lang->spec->cyrillic;
    std::string last = ru ? ToCyrillic(p.last) : p.last;
    if (allow_full && !c.mentioned[i]) {
      c.mentioned[i] = true;
      return (ru ? ToCyrillic(p.first) : p.first) + " " + last;
    }
    if (ru && r.Chance(0.25)) last += r.Chance(0.5) ? "а" : "у";  // a case ending
    return last;
  }

  std::string FamousName(Rng& r, const Ctx& c) {
    const Person& p = famous[famous_zipf.Sample(r)];
    return c.lang->spec->cyrillic ? ToCyrillic(p.last) : p.last;
  }

  std::string Place(Rng& r, const Ctx& c) {
    const std::string& p = c.story->places[r.Below(static_cast<uint32_t>(c.story->places.size()))];
    return c.lang->spec->cyrillic ? ToCyrillic(p) : p;
  }

  const std::string& TopicWord(Rng& r, const Ctx& c) {
    size_t i = topic_zipf.Sample(r) % c.story->topic.size();
    return c.lang->words[c.story->topic[i]];
  }

  std::string Number(Rng& r, const Ctx& c) {
    if (r.Chance(0.7)) {
      const auto& q = c.story->numbers[r.Below(static_cast<uint32_t>(c.story->numbers.size()))];
      return Render(q, *c.lang->spec);
    }
    return Render(RandomQuantity(r), *c.lang->spec);
  }

  void Sentence(Rng& r, Ctx& c, std::string* out) {
    const LangSpec& spec = *c.lang->spec;
    const Zipf& fz = function_zipf[static_cast<size_t>(c.lang - langs.data())];
    int n = 7 + static_cast<int>(r.Below(14));
    for (int i = 0; i < n; ++i) {
      std::string w;
      double u = r.Uniform();
      if (u < 0.42)
        w = spec.function_words[fz.Sample(r)];
      else if (u < 0.56)
        w = TopicWord(r, c);
      else if (u < 0.585)
        w = PersonName(r, c, r.Below(static_cast<uint32_t>(c.story->persons.size())), true);
      else if (u < 0.61)
        w = Place(r, c);
      else if (u < 0.625)
        w = FamousName(r, c);
      else if (u < 0.64)
        w = Number(r, c);
      else
        w = c.lang->words[background.Sample(r)];
      if (i == 0)
        w = Capitalize(w);
      else
        out->push_back(' ');
      out->append(w);
      if (i + 1 < n && i > 1 && r.Chance(0.06)) out->push_back(',');
    }
    out->push_back('.');
  }

  std::string Paragraph(Rng& r, Ctx& c) {
    std::string p;
    int n = 2 + static_cast<int>(r.Below(3));
    for (int i = 0; i < n; ++i) {
      if (i > 0) p.push_back(' ');
      Sentence(r, c, &p);
    }
    return p;
  }

  std::string Title(Rng& r, Ctx& c) {
    const LangSpec& spec = *c.lang->spec;
    const Zipf& fz = function_zipf[static_cast<size_t>(c.lang - langs.data())];
    int n = 5 + static_cast<int>(r.Below(6));
    std::string t;
    for (int i = 0; i < n; ++i) {
      std::string w;
      double u = r.Uniform();
      if (u < 0.45)
        w = TopicWord(r, c);
      else if (u < 0.6)
        w = PersonName(r, c, r.Below(static_cast<uint32_t>(c.story->persons.size())), false);
      else if (u < 0.7)
        w = Place(r, c);
      else if (u < 0.75)
        w = Number(r, c);
      else
        w = spec.function_words[fz.Sample(r)];
      if (i == 0)
        w = Capitalize(w);
      else
        t.push_back(' ');
      t.append(w);
    }
    return t;
  }

  // The paragraphs of an original article (a pure function of its plan).
  std::vector<std::string> Body(const Story& st, const ArticlePlan& p, int title_bytes) {
    Ctx c{&st, &langs[static_cast<size_t>(p.lang)], std::vector<bool>(st.persons.size(), false)};
    Rng r(Mix(p.seed, 0x626f6479));
    std::vector<std::string> paras;
    int bytes = title_bytes;
    while (bytes < p.target_bytes || paras.empty()) {
      paras.push_back(Paragraph(r, c));
      bytes += static_cast<int>(paras.back().size()) + 2;
    }
    return paras;
  }

  SynthArticle Emit(const Event& e) {
    Story& st = *e.story;
    ArticlePlan& p = st.plan[static_cast<size_t>(e.index)];
    const Language& L = langs[static_cast<size_t>(p.lang)];
    SynthArticle out;
    char id[48];
    std::snprintf(id, sizeof id, "%s%08lld", o.id_prefix.c_str(), static_cast<long long>(produced));
    p.id = id;

    Ctx c{&st, &L, std::vector<bool>(st.persons.size(), false)};
    Rng tr(Mix(p.seed, 0x7469746c));
    std::string title = Title(tr, c);
    std::vector<std::string> paras;
    if (p.copy_of >= 0) {
      // A wire copy: the original's paragraphs, perhaps without its last one,
      // with a paragraph of this outlet's own.
      const ArticlePlan& orig = st.plan[static_cast<size_t>(p.copy_of)];
      Ctx oc{&st, &L, std::vector<bool>(st.persons.size(), false)};
      Rng otr(Mix(orig.seed, 0x7469746c));
      std::string orig_title = Title(otr, oc);
      paras = Body(st, orig, static_cast<int>(orig_title.size()));
      Rng cr(Mix(p.seed, 0x636f7079));
      if (paras.size() >= 3 && cr.Chance(0.5)) paras.pop_back();
      std::string added = Paragraph(cr, c);
      if (cr.Chance(0.5))
        paras.insert(paras.begin(), std::move(added));
      else
        paras.push_back(std::move(added));
      out.copy_of = orig.id;
    } else {
      paras = Body(st, p, static_cast<int>(title.size()));
    }
    std::string text;
    for (size_t i = 0; i < paras.size(); ++i) {
      if (i > 0) text += "\n\n";
      text += paras[i];
    }

    Article& a = out.article;
    a.id = id;
    a.title = std::move(title);
    a.text = std::move(text);
    a.published = e.time;
    a.source = L.outlets[static_cast<size_t>(Mix(p.seed, 0x6f75746c) % L.outlets.size())];
    a.url = "https://" + a.source + ".example/" + a.id;
    a.origin = "synth:" + std::to_string(o.seed) + ":" + std::to_string(produced);
    if (o.lang_hints) a.lang_hint = L.spec->code;
    out.story = st.truth_id;
    out.lang = L.spec->code;
    ++produced;
    return out;
  }

  size_t Next(size_t max, std::vector<SynthArticle>* out) {
    size_t n = 0;
    while (n < max && produced < o.articles) {
      bool more_stories = planned < o.articles;
      if (more_stories && (events.empty() ||
                           events.top().time >= o.start_time + static_cast<int64_t>(next_start))) {
        PlanStory();
        continue;
      }
      Event e = events.top();
      events.pop();
      out->push_back(Emit(e));
      ++n;
      if (--e.story->remaining == 0) live.erase(e.story->serial);
    }
    return n;
  }
};

CorpusGenerator::CorpusGenerator(const SynthOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}
CorpusGenerator::~CorpusGenerator() = default;

size_t CorpusGenerator::Next(size_t max, std::vector<SynthArticle>* out) {
  return impl_->Next(max, out);
}
int64_t CorpusGenerator::produced() const { return impl_->produced; }
int64_t CorpusGenerator::total() const { return std::max<int64_t>(0, impl_->o.articles); }

std::vector<SynthArticle> GenerateCorpus(const SynthOptions& options) {
  CorpusGenerator g(options);
  std::vector<SynthArticle> out;
  out.reserve(static_cast<size_t>(std::max<int64_t>(0, options.articles)));
  while (g.Next(4096, &out) > 0) {
  }
  return out;
}

}  // namespace storyline::synth
