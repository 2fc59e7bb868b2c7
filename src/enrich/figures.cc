// Figure extraction: numbers (digits or number words) with the hedge before
// them, the scale and currency around them and the noun they count. Rules
// only; the word lists are compiled in (figures_lexicon below).
#include "enrich/figures.h"

#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace storyline::enrich {
namespace {

// ---------------------------------------------------------------------------
// Tokens

enum class Kind { kWord, kNumber, kPunct };

struct Token {
  Kind kind = Kind::kPunct;
  size_t begin = 0;
  size_t end = 0;
  std::string fold;           // words: lower case; punct and numbers: as written
  bool space_before = false;  // whitespace (or start of text) before the token
  bool line_before = false;   // a line break (or start of text) before the token
};

std::string Lower(std::string_view s) {
  if (std::all_of(s.begin(), s.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    std::string ascii(s);
    for (char& c : ascii)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return ascii;
  }
  std::string out;
  icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())))
      .toLower(icu::Locale::getRoot())
      .toUTF8String(out);
  return out;
}

bool IsDigit(UChar32 c) { return c >= '0' && c <= '9'; }

bool IsGroupSpace(UChar32 c) {
  return c == ' ' || c == 0x00A0 || c == 0x2009 || c == 0x202F || c == 0x2007;
}

bool IsWordChar(UChar32 c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (u_hasBinaryProperty(c, UCHAR_ALPHABETIC)) return true;
  int8_t t = u_charType(c);
  return t == U_NON_SPACING_MARK || t == U_COMBINING_SPACING_MARK;
}

bool IsApostrophe(UChar32 c) { return c == '\'' || c == 0x2019; }

// A decoder over the text that never reads past its end.
struct Cursor {
  const uint8_t* s;
  int32_t n;
  UChar32 At(int32_t i, int32_t* next) const {
    if (i >= n) {
      *next = n;
      return -1;
    }
    UChar32 c;
    U8_NEXT(s, i, n, c);
    *next = i;
    return c;
  }
};

// True when the code points from `i` are exactly three digits and no fourth.
bool ThreeDigitsFollow(const Cursor& cur, int32_t i) {
  int32_t j = i;
  for (int k = 0; k < 3; ++k) {
    if (!IsDigit(cur.At(j, &j))) return false;
  }
  int32_t unused;
  return !IsDigit(cur.At(j, &unused));
}

// Ends a numeral starting at `i`: digits with '.' or ',' between digits, and
// groups of three after a space (100 000) when the group before is short.
int32_t ScanNumber(const Cursor& cur, int32_t i) {
  int32_t group = 0;
  bool first_group = true;
  for (;;) {
    int32_t next;
    UChar32 c = cur.At(i, &next);
    if (IsDigit(c)) {
      ++group;
      i = next;
      continue;
    }
    int32_t after;
    bool digit_after = IsDigit(cur.At(next, &after));
    if ((c == '.' || c == ',') && digit_after) {
      first_group = false;
      group = 0;
      i = next;
      continue;
    }
    bool grouping_ok = first_group ? group <= 3 : group == 3;
    if (IsGroupSpace(c) && grouping_ok && ThreeDigitsFollow(cur, next)) {
      first_group = false;
      group = 0;
      i = next;
      continue;
    }
    return i;
  }
}

int32_t ScanWord(const Cursor& cur, int32_t i) {
  for (;;) {
    int32_t next;
    UChar32 c = cur.At(i, &next);
    if (IsWordChar(c)) {
      i = next;
      continue;
    }
    int32_t after;
    if (IsApostrophe(c) && IsWordChar(cur.At(next, &after))) {
      i = next;
      continue;
    }
    return i;
  }
}

std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> out;
  Cursor cur{reinterpret_cast<const uint8_t*>(text.data()),
             static_cast<int32_t>(std::min<size_t>(text.size(), INT32_MAX))};
  bool space = true, line = true;
  int32_t i = 0;
  while (i < cur.n) {
    int32_t next;
    UChar32 c = cur.At(i, &next);
    if (c < 0 || u_isUWhiteSpace(c) || c == 0x00A0 || c == 0x2009 || c == 0x202F) {
      space = true;
      line = line || c == '\n';
      i = next;
      continue;
    }
    Token t;
    t.begin = static_cast<size_t>(i);
    t.space_before = space;
    t.line_before = line;
    if (IsDigit(c)) {
      t.kind = Kind::kNumber;
      i = ScanNumber(cur, i);
    } else if (IsWordChar(c)) {
      t.kind = Kind::kWord;
      i = ScanWord(cur, i);
    } else {
      t.kind = Kind::kPunct;
      i = next;
    }
    t.end = static_cast<size_t>(i);
    std::string_view raw = text.substr(t.begin, t.end - t.begin);
    t.fold = t.kind == Kind::kWord ? Lower(raw) : std::string(raw);
    out.push_back(std::move(t));
    space = line = false;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Word lists

struct Class {
  const char* what;
  const char* unit;
};

using ClassMap = std::unordered_map<std::string, Class>;

void AddAll(ClassMap* m, std::initializer_list<const char*> words, Class c) {
  for (const char* w : words) m->emplace(w, c);
}

// Counted nouns (after the number), all languages: folded form -> class.
const ClassMap& Nouns() {
  static const ClassMap* m = [] {
    auto* m = new ClassMap;
    AddAll(m, {"troops",         "soldiers",  "soldier",  "servicemen",     "troop",
               "soldater",       "soldatene", "soldaten", "soldats",        "soldados",
               "soldati",        "truppen",   "troupes",  "tropas",         "truppe",
               "tropper",        "trupper",   "troppar",  "militares",      "militaires",
               "военнослужащих", "военных",   "солдат",   "военнослужащие", "marines",
               "paratroopers",   "reservists"},
           {"troops", "troops"});
    AddAll(m, {"dead",    "killed",   "died",    "deaths",     "fatalities", "bodies",   "døde",
               "omkom",   "omkommet", "drept",   "drepte",     "dødsfall",   "döda",     "dödade",
               "omkomna", "dræbte",   "tote",    "toten",      "todesopfer", "getötet",  "morts",
               "tués",    "décès",    "muertos", "fallecidos", "muertes",    "morti",    "vittime",
               "mortos",  "mortes",   "doden",   "doden",      "погибли",    "погибших", "погиб",
               "убиты",   "убитых",   "жертв"},
           {"dead", "people"});
    AddAll(m, {"injured",   "wounded",    "hurt",      "skadde",     "skadet",   "skadede",
               "skadade",   "sårede",     "verletzte", "verletzten", "verletzt", "blessés",
               "blessées",  "heridos",    "feriti",    "feridos",    "heridas",  "feridas",
               "ferite",    "skadades",   "verwundet", "verwundete", "ранены",   "ранено",
               "пострадал", "пострадало", "gewonden",  "раненых",    "ранены",   "пострадавших",
               "пострадали"},
           {"injured", "people"});
    AddAll(
        m,
        {"evacuated", "evacuees", "evakuert", "evakuerte", "evakuerade", "evakuerede", "evakuiert",
         "evakuierte", "évacués", "évacuées", "evacuados", "evacuadas", "evakuerades",
         "эвакуировано", "evacuati", "geëvacueerd", "эвакуированы", "эвакуированных"},
        {"evacuated", "people"});
    AddAll(m, {"people",      "persons",       "personer",      "personar",    "mennesker",
               "människor",   "menschen",      "personen",      "personnes",   "personas",
               "persone",     "pessoas",       "mensen",        "человек",     "residents",
               "civilians",   "inhabitants",   "employees",     "workers",     "members",
               "protesters",  "demonstrators", "refugees",      "migrants",    "children",
               "students",    "passengers",    "journalists",   "citizens",    "voters",
               "consumers",   "volunteers",    "engineers",     "staff",       "prisoners",
               "hostages",    "patients",      "fans",          "visitors",    "tourists",
               "families",    "innbyggere",    "ansatte",       "flyktninger", "barn",
               "invånare",    "anställda",     "flyktingar",    "einwohner",   "mitarbeiter",
               "flüchtlinge", "kinder",        "habitants",     "réfugiés",    "enfants",
               "habitantes",  "trabajadores",  "niños",         "abitanti",    "bambini",
               "integrantes", "moradores",     "trabalhadores", "militantes",  "inwoners",
               "жителей",     "детей",         "беженцев",      "businessmen", "peasants",
               "officials",   "artists",       "delegates",     "miners",      "pilgrims",
               "settlers",    "men",           "women",         "homens",      "mulheres",
               "hombres",     "mujeres",       "männer",        "frauen",      "hommes",
               "femmes",      "menn",          "kvinner",       "män",         "kvinnor",
               "mænd",        "kvinder",       "mannen",        "vrouwen",     "uomini",
               "donne",       "мужчин",        "женщин"},
           {"people", "people"});
    AddAll(m,
           {"percent", "per cent", "%", "prosent", "procent", "prozent", "pour cent", "por ciento",
            "por cento", "per cento", "pct", "процентов", "процента", "процент"},
           {"percent", "%"});
    AddAll(m,
           {"votes", "vote", "stemmer", "röster", "stimmen", "voix", "votos", "voti", "stemmen",
            "голосов"},
           {"votes", "votes"});
    AddAll(m,
           {"km", "kilometres", "kilometers", "kilometre", "kilometer", "kilometern", "kilomètres",
            "kilómetros", "quilômetros", "quilómetros", "chilometri", "километров", "км"},
           {"distance", "km"});
    AddAll(m, {"miles", "mile"}, {"distance", "miles"});
    AddAll(m,
           {"meter", "meters", "metres", "metre", "metern", "mètres", "metros", "metri", "метров",
            "m"},
           {"distance", "m"});
    AddAll(m, {"feet", "foot", "ft"}, {"distance", "feet"});
    AddAll(m,
           {"square kilometres", "square kilometers", "sq km", "km2", "km²", "kvadratkilometer",
            "quadratkilometer"},
           {"distance", "km2"});
    AddAll(m,
           {"point", "points", "pontos", "puntos", "poeng", "poäng", "point", "punkte", "punten",
            "punti", "очков"},
           {"points", "points"});
    AddAll(m, {"megabytes", "mb", "megabyte"}, {"data_volume", "MB"});
    AddAll(m, {"gigabytes", "gb", "gigabyte"}, {"data_volume", "GB"});
    AddAll(m, {"terabytes", "tb", "terabyte"}, {"data_volume", "TB"});
    AddAll(m, {"kgf"}, {"force", "kgf"});
    AddAll(m, {"lbf"}, {"force", "lbf"});
    AddAll(m, {"years", "år", "jahre", "jahren", "ans", "años", "anni", "anos", "jaar", "лет"},
           {"duration", "years"});
    AddAll(m,
           {"months", "måneder", "månader", "monate", "monaten", "mois", "meses", "mesi", "maanden",
            "месяцев"},
           {"duration", "months"});
    AddAll(m,
           {"weeks", "uker", "veckor", "wochen", "semaines", "semanas", "settimane", "weken",
            "недель"},
           {"duration", "weeks"});
    AddAll(m,
           {"days", "dager", "dagar", "dage", "tage", "tagen", "jours", "días", "giorni", "dias",
            "dagen", "дней"},
           {"duration", "days"});
    AddAll(m, {"hours", "timer", "timmar", "stunden", "heures", "horas", "ore", "uur", "часов"},
           {"duration", "hours"});
    return m;
  }();
  return *m;
}

// Currency words after the number; kroner depends on the language.
std::string CurrencyWord(const std::string& w, const std::string& lang) {
  static const std::unordered_map<std::string, const char*> words = {
      {"dollars", "USD"},  {"dollar", "USD"},   {"usd", "USD"},     {"dólares", "USD"},
      {"dollari", "USD"},  {"долларов", "USD"}, {"доллара", "USD"}, {"euros", "EUR"},
      {"euro", "EUR"},     {"eur", "EUR"},      {"евро", "EUR"},    {"pounds", "GBP"},
      {"gbp", "GBP"},      {"sterling", "GBP"}, {"kronor", "SEK"},  {"sek", "SEK"},
      {"nok", "NOK"},      {"dkk", "DKK"},      {"yen", "JPY"},     {"yuan", "CNY"},
      {"renminbi", "CNY"}, {"rubles", "RUB"},   {"roubles", "RUB"}, {"рублей", "RUB"},
      {"рубля", "RUB"},    {"rubel", "RUB"},    {"reais", "BRL"},   {"rupees", "INR"},
      {"francs", "CHF"},   {"franken", "CHF"},  {"chf", "CHF"},     {"hryvnias", "UAH"},
      {"гривен", "UAH"},   {"złotych", "PLN"},  {"zloty", "PLN"},   {"lira", "TRY"},
  };
  if (w == "kroner" || w == "kr" || w == "kroners" || w == "kronen")
    return lang == "da" ? "DKK" : lang == "sv" ? "SEK" : "NOK";
  auto it = words.find(w);
  return it == words.end() ? "" : it->second;
}

// "Swedish kronor", "danske kroner": the adjective before a currency word wins.
std::string CurrencyAdjective(const std::string& w) {
  static const std::unordered_map<std::string, const char*> adj = {
      {"swedish", "SEK"},    {"svenska", "SEK"},   {"svenske", "SEK"}, {"danish", "DKK"},
      {"danske", "DKK"},     {"norwegian", "NOK"}, {"norske", "NOK"},  {"canadian", "CAD"},
      {"australian", "AUD"}, {"hong", "HKD"},      {"us", "USD"},      {"u.s.", "USD"},
  };
  auto it = adj.find(w);
  return it == adj.end() ? "" : it->second;
}

std::string CurrencySymbol(const std::string& s, const std::string& before) {
  if (s == "$") {
    static const std::unordered_map<std::string, const char*> prefixed = {
        {"us", "USD"}, {"r", "BRL"},  {"a", "AUD"}, {"c", "CAD"},
        {"hk", "HKD"}, {"nz", "NZD"}, {"s", "SGD"}, {"ca", "CAD"},
    };
    auto it = prefixed.find(before);
    return it == prefixed.end() ? "USD" : it->second;
  }
  if (s == "€") return "EUR";
  if (s == "£") return "GBP";
  if (s == "¥") return "JPY";
  if (s == "₽") return "RUB";
  if (s == "₴") return "UAH";
  return "";
}

bool LongScaleLanguage(const std::string& lang) {
  return lang != "en" && lang != "pt" && lang != "ru" && lang != "und" && !lang.empty();
}

// Scale words after a number: "2.5 million", "1,2 Milliarden", "130 тысяч".
double ScaleWord(const std::string& w, const std::string& lang) {
  static const std::unordered_map<std::string, double> scales = {
      {"thousand", 1e3},   {"thousands", 1e3},  {"tusen", 1e3},      {"tusind", 1e3},
      {"tausend", 1e3},    {"mille", 1e3},      {"тысяч", 1e3},      {"тысячи", 1e3},
      {"тысяча", 1e3},     {"тыс", 1e3},        {"duizend", 1e3},    {"million", 1e6},
      {"millions", 1e6},   {"millioner", 1e6},  {"millionen", 1e6},  {"miljoner", 1e6},
      {"miljon", 1e6},     {"miljoen", 1e6},    {"milioni", 1e6},    {"milione", 1e6},
      {"millones", 1e6},   {"millón", 1e6},     {"milhões", 1e6},    {"milhão", 1e6},
      {"mio", 1e6},        {"mln", 1e6},        {"mn", 1e6},         {"millió", 1e6},
      {"миллиона", 1e6},   {"миллионов", 1e6},  {"миллион", 1e6},    {"млн", 1e6},
      {"billion", 1e9},    {"billions", 1e9},   {"bn", 1e9},         {"bln", 1e9},
      {"milliard", 1e9},   {"milliarder", 1e9}, {"milliarden", 1e9}, {"milliarde", 1e9},
      {"milliards", 1e9},  {"miljard", 1e9},    {"miljarder", 1e9},  {"miliardi", 1e9},
      {"miliardo", 1e9},   {"mrd", 1e9},        {"bilhões", 1e9},    {"bilhão", 1e9},
      {"miljarden", 1e9},  {"млрд", 1e9},       {"миллиарда", 1e9},  {"миллиардов", 1e9},
      {"миллиард", 1e9},   {"trillion", 1e12},  {"trillions", 1e12}, {"tn", 1e12},
      {"billionen", 1e12}, {"biljon", 1e12},    {"billones", 1e12},  {"trilhões", 1e12},
  };
  if (w == "mil") return (lang == "pt" || lang == "es") ? 1e3 : 0;
  if ((w == "billion" || w == "billions") && LongScaleLanguage(lang)) return 1e12;
  auto it = scales.find(w);
  return it == scales.end() ? 0 : it->second;
}

// Number words per language ("three", "tre", "drei", "trois", "hundred").
// Multipliers (hundred, thousand) are marked with a negative value.
const std::unordered_map<std::string, double>& NumberWords(const std::string& lang) {
  using M = std::unordered_map<std::string, double>;
  static const M en = {
      {"one", 1},      {"two", 2},        {"three", 3},     {"four", 4},       {"five", 5},
      {"six", 6},      {"seven", 7},      {"eight", 8},     {"nine", 9},       {"ten", 10},
      {"eleven", 11},  {"twelve", 12},    {"thirteen", 13}, {"fourteen", 14},  {"fifteen", 15},
      {"sixteen", 16}, {"seventeen", 17}, {"eighteen", 18}, {"nineteen", 19},  {"twenty", 20},
      {"thirty", 30},  {"forty", 40},     {"fifty", 50},    {"sixty", 60},     {"seventy", 70},
      {"eighty", 80},  {"ninety", 90},    {"dozen", 12},    {"hundred", -100}, {"thousand", -1e3}};
  static const M no = {
      {"en", 1},        {"ett", 1},         {"ei", 1},       {"et", 1},       {"to", 2},
      {"två", 2},       {"tre", 3},         {"fire", 4},     {"fyra", 4},     {"fem", 5},
      {"seks", 6},      {"sex", 6},         {"sju", 7},      {"syv", 7},      {"åtte", 8},
      {"åtta", 8},      {"otte", 8},        {"ni", 9},       {"nio", 9},      {"ti", 10},
      {"tio", 10},      {"elleve", 11},     {"elva", 11},    {"tolv", 12},    {"tjue", 20},
      {"tjugo", 20},    {"tyve", 20},       {"tretti", 30},  {"trettio", 30}, {"tredive", 30},
      {"førti", 40},    {"fyrtio", 40},     {"femti", 50},   {"femtio", 50},  {"hundre", -100},
      {"hundra", -100}, {"hundrede", -100}, {"tusen", -1e3}, {"tusind", -1e3}};
  static const M de = {{"ein", 1},      {"eine", 1},       {"zwei", 2},      {"drei", 3},
                       {"vier", 4},     {"fünf", 5},       {"sechs", 6},     {"sieben", 7},
                       {"acht", 8},     {"neun", 9},       {"zehn", 10},     {"elf", 11},
                       {"zwölf", 12},   {"zwanzig", 20},   {"dreißig", 30},  {"vierzig", 40},
                       {"fünfzig", 50}, {"hundert", -100}, {"tausend", -1e3}};
  static const M nl = {{"een", 1},       {"twee", 2},  {"drie", 3},     {"vier", 4},
                       {"vijf", 5},      {"zes", 6},   {"zeven", 7},    {"acht", 8},
                       {"negen", 9},     {"tien", 10}, {"twintig", 20}, {"honderd", -100},
                       {"duizend", -1e3}};
  static const M fr = {{"un", 1},      {"une", 1},     {"deux", 2},      {"trois", 3},
                       {"quatre", 4},  {"cinq", 5},    {"six", 6},       {"sept", 7},
                       {"huit", 8},    {"neuf", 9},    {"dix", 10},      {"douze", 12},
                       {"vingt", 20},  {"trente", 30}, {"quarante", 40}, {"cinquante", 50},
                       {"cent", -100}, {"mille", -1e3}};
  static const M es = {{"uno", 1},     {"una", 1},      {"dos", 2},     {"tres", 3},
                       {"cuatro", 4},  {"cinco", 5},    {"seis", 6},    {"siete", 7},
                       {"ocho", 8},    {"nueve", 9},    {"diez", 10},   {"doce", 12},
                       {"veinte", 20}, {"treinta", 30}, {"cien", -100}, {"cientos", -100},
                       {"mil", -1e3}};
  static const M it = {{"uno", 1},     {"una", 1},      {"due", 2},      {"tre", 3},
                       {"quattro", 4}, {"cinque", 5},   {"sei", 6},      {"sette", 7},
                       {"otto", 8},    {"nove", 9},     {"dieci", 10},   {"venti", 20},
                       {"trenta", 30}, {"cento", -100}, {"mille", -1e3}, {"mila", -1e3}};
  static const M pt = {{"um", 1},     {"uma", 1},   {"dois", 2},  {"duas", 2},   {"três", 3},
                       {"quatro", 4}, {"cinco", 5}, {"seis", 6},  {"sete", 7},   {"oito", 8},
                       {"nove", 9},   {"dez", 10},  {"doze", 12}, {"vinte", 20}, {"trinta", 30},
                       {"cem", -100}, {"mil", -1e3}};
  static const M ru = {{"два", 2},    {"две", 2},       {"три", 3},       {"четыре", 4},
                       {"пять", 5},   {"шесть", 6},     {"семь", 7},      {"восемь", 8},
                       {"девять", 9}, {"десять", 10},   {"двадцать", 20}, {"тридцать", 30},
                       {"сто", -100}, {"тысяча", -1e3}, {"тысячи", -1e3}};
  if (lang == "no" || lang == "nb" || lang == "nn" || lang == "sv" || lang == "da") return no;
  if (lang == "de") return de;
  if (lang == "nl") return nl;
  if (lang == "fr") return fr;
  if (lang == "es") return es;
  if (lang == "it") return it;
  if (lang == "pt") return pt;
  if (lang == "ru") return ru;
  return en;
}

bool DecimalComma(const std::string& lang) {
  static const std::unordered_set<std::string> comma = {
      "de", "fr", "no", "nb", "nn", "sv", "da", "es", "it", "pt", "nl", "ru", "pl", "fi", "cs",
      "sk", "hu", "ro", "tr", "uk", "el", "bg", "hr", "sl", "sr", "lt", "lv", "et", "is"};
  return comma.count(lang) > 0;
}

// Hedges before a number, folded words, any language.
const std::vector<std::vector<std::string>>& Hedges() {
  static const auto* h = new std::vector<std::vector<std::string>>{{"more", "than"},
                                                                   {"over"},
                                                                   {"about"},
                                                                   {"around"},
                                                                   {"nearly"},
                                                                   {"almost"},
                                                                   {"some"},
                                                                   {"roughly"},
                                                                   {"at", "least"},
                                                                   {"up", "to"},
                                                                   {"approximately"},
                                                                   {"an", "estimated"},
                                                                   {"estimated"},
                                                                   {"as", "many", "as"},
                                                                   {"as", "much", "as"},
                                                                   {"fewer", "than"},
                                                                   {"less", "than"},
                                                                   {"under"},
                                                                   {"close", "to"},
                                                                   {"just", "over"},
                                                                   {"just", "under"},
                                                                   {"upwards", "of"},
                                                                   {"mer", "enn"},
                                                                   {"flere", "enn"},
                                                                   {"mer", "än"},
                                                                   {"fler", "än"},
                                                                   {"mere", "end"},
                                                                   {"flere", "end"},
                                                                   {"over"},
                                                                   {"över"},
                                                                   {"rundt"},
                                                                   {"runt"},
                                                                   {"omtrent"},
                                                                   {"omkring"},
                                                                   {"nesten"},
                                                                   {"nästan"},
                                                                   {"næsten"},
                                                                   {"cirka"},
                                                                   {"ca"},
                                                                   {"om", "lag"},
                                                                   {"minst"},
                                                                   {"mindst"},
                                                                   {"opptil"},
                                                                   {"upp", "till"},
                                                                   {"drøyt"},
                                                                   {"drygt"},
                                                                   {"i", "overkant", "av"},
                                                                   {"nærmere"},
                                                                   {"mehr", "als"},
                                                                   {"über"},
                                                                   {"etwa"},
                                                                   {"rund"},
                                                                   {"fast"},
                                                                   {"knapp"},
                                                                   {"mindestens"},
                                                                   {"bis", "zu"},
                                                                   {"ungefähr"},
                                                                   {"circa"},
                                                                   {"plus", "de"},
                                                                   {"environ"},
                                                                   {"près", "de"},
                                                                   {"presque"},
                                                                   {"au", "moins"},
                                                                   {"jusqu'à"},
                                                                   {"quelque"},
                                                                   {"más", "de"},
                                                                   {"unos"},
                                                                   {"unas"},
                                                                   {"cerca", "de"},
                                                                   {"alrededor", "de"},
                                                                   {"casi"},
                                                                   {"al", "menos"},
                                                                   {"hasta"},
                                                                   {"aproximadamente"},
                                                                   {"più", "di"},
                                                                   {"oltre"},
                                                                   {"quasi"},
                                                                   {"almeno"},
                                                                   {"fino", "a"},
                                                                   {"mais", "de"},
                                                                   {"quase"},
                                                                   {"pelo", "menos"},
                                                                   {"até"},
                                                                   {"meer", "dan"},
                                                                   {"ruim"},
                                                                   {"ongeveer"},
                                                                   {"bijna"},
                                                                   {"minstens"},
                                                                   {"zo'n"},
                                                                   {"более"},
                                                                   {"больше"},
                                                                   {"около"},
                                                                   {"почти"},
                                                                   {"свыше"},
                                                                   {"не", "менее"},
                                                                   {"порядка"},
                                                                   {"примерно"},
                                                                   {"cerca"}};
  return *h;
}

bool IsMonth(const Token& t, std::string_view text) {
  static const std::unordered_set<std::string> months = {
      "january",   "february",  "march",    "april",    "june",     "july",       "august",
      "september", "october",   "november", "december", "jan",      "feb",        "apr",
      "jun",       "jul",       "aug",      "sep",      "sept",     "oct",        "nov",
      "dec",       "januar",    "februar",  "märz",     "mars",     "mai",        "juni",
      "juli",      "oktober",   "dezember", "desember", "januari",  "februari",   "maj",
      "augusti",   "janvier",   "février",  "avril",    "juin",     "juillet",    "août",
      "septembre", "octobre",   "novembre", "décembre", "enero",    "febrero",    "marzo",
      "abril",     "mayo",      "junio",    "julio",    "agosto",   "septiembre", "octubre",
      "noviembre", "diciembre", "gennaio",  "febbraio", "aprile",   "maggio",     "giugno",
      "luglio",    "settembre", "ottobre",  "dicembre", "janeiro",  "fevereiro",  "março",
      "maio",      "junho",     "julho",    "setembro", "outubro",  "novembro",   "dezembro",
      "maart",     "mei",       "augustus", "января",   "февраля",  "марта",      "апреля",
      "мая",       "июня",      "июля",     "августа",  "сентября", "октября",    "ноября",
      "декабря"};
  if (t.kind != Kind::kWord) return false;
  if (months.count(t.fold)) return true;
  return t.fold == "may" && text[t.begin] == 'M';  // the month, not the verb
}

// ---------------------------------------------------------------------------
// Numbers

// "100,000" / "100.000" / "100 000" / "4,5" / "0.410" / "1.234,5".
std::optional<double> ParseNumeral(std::string_view raw, bool decimal_comma) {
  std::string digits;
  std::vector<std::pair<char, size_t>> seps;  // separator, digits after it
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c >= '0' && c <= '9') {
      digits += c;
      if (!seps.empty()) ++seps.back().second;
    } else if (c == '.' || c == ',') {
      seps.push_back({c, 0});
    } else if (static_cast<unsigned char>(c) < 0x80 && c != ' ') {
      return std::nullopt;
    }  // group spaces (ASCII or multibyte) are thousands separators
  }
  if (digits.empty() || digits.size() > 15) return std::nullopt;
  size_t int_digits = digits.size();
  for (const auto& s : seps) int_digits -= s.second;
  char decimal = 0;
  if (!seps.empty()) {
    char last = seps.back().first;
    bool mixed = std::any_of(seps.begin(), seps.end(), [&](auto& s) { return s.first != last; });
    if (mixed) {
      decimal = last;
    } else if (seps.size() == 1) {
      bool three = seps[0].second == 3;
      bool leading_zero = int_digits == 1 && digits[0] == '0';
      bool lang_decimal = (last == ',') == decimal_comma;
      if (!three || leading_zero || lang_decimal) decimal = last;
    }
    for (size_t k = 0; k + (decimal ? 1 : 0) < seps.size(); ++k) {
      if (seps[k].second != 3) return std::nullopt;  // "14.02.2022"
    }
  }
  std::string plain = decimal ? digits.substr(0, digits.size() - seps.back().second) + "." +
                                    digits.substr(digits.size() - seps.back().second)
                              : digits;
  return std::strtod(plain.c_str(), nullptr);
}

struct Quantity {
  double value = 0;
  size_t first = 0;  // token index of the number (or the currency symbol before it)
  size_t last = 0;   // token index of the last token used (scale, suffix)
  std::string currency;
  bool has_scale = false;
  bool from_words = false;
  bool percent = false;
  std::optional<double> value_max;
};

struct Ctx {
  std::string_view text;
  const std::vector<Token>& toks;
  const std::string& lang;
  bool decimal_comma;
};

bool Attached(const Ctx& c, size_t i) { return i < c.toks.size() && !c.toks[i].space_before; }

bool IsPunct(const Ctx& c, size_t i, std::string_view p) {
  return i < c.toks.size() && c.toks[i].kind == Kind::kPunct && c.toks[i].fold == p;
}

bool IsDash(const Ctx& c, size_t i) {
  return IsPunct(c, i, "-") || IsPunct(c, i, "–") || IsPunct(c, i, "—");
}

bool IsWord(const Ctx& c, size_t i) { return i < c.toks.size() && c.toks[i].kind == Kind::kWord; }

// Suffix glued to a number: "4bn", "15K", "540km", "10m". Returns the scale
// (or 1 for a unit) and sets *unit; 0 when the suffix makes it no figure
// ("65th", "767s", "7h30", "G20").
double GluedSuffix(const Ctx& c, size_t i, bool money, std::string* unit) {
  const std::string& w = c.toks[i].fold;
  if (w == "bn" || w == "b" || w == "mrd" || w == "md") return 1e9;
  if (w == "k") return 1e3;
  if (w == "tn" || w == "trn") return 1e12;
  if (w == "mn" || w == "mln" || (w == "m" && money)) return 1e6;
  if (w == "km" || w == "m" || w == "cm" || w == "ft" || w == "mb" || w == "gb" || w == "kg") {
    *unit = w;
    return 1;
  }
  return 0;
}

// Number words at `i`: "three", "hundred thousand", "twenty-two", "a thousand".
std::optional<Quantity> ReadNumberWords(const Ctx& c, size_t i) {
  const auto& words = NumberWords(c.lang);
  size_t j = i;
  bool article =
      c.lang == "en" && IsWord(c, j) && (c.toks[j].fold == "a" || c.toks[j].fold == "an");
  if (article) ++j;
  double total = 0, current = 0;
  size_t last = j;
  bool any = false;
  while (IsWord(c, j)) {
    auto it = words.find(c.toks[j].fold);
    if (it == words.end()) break;
    double v = it->second;
    if (v < 0) {
      current = (current == 0 ? 1 : current) * -v;
      if (-v >= 1000) total += current, current = 0;
    } else {
      double units = std::fmod(current, 100);
      bool compound = units == 0 || (units >= 20 && std::fmod(units, 10) == 0 && v < 10);
      if (article || !compound) break;  // "et seks" is not 7, "twenty two" is 22
      current += v;
    }
    any = true;
    last = j;
    ++j;
    if (IsDash(c, j) && Attached(c, j) && IsWord(c, j + 1) && Attached(c, j + 1) &&
        words.count(c.toks[j + 1].fold))
      ++j;  // "twenty-two"
  }
  if (!any) return std::nullopt;
  Quantity q;
  q.value = total + current;
  q.first = i;
  q.last = last;
  q.from_words = true;
  return q;
}

// A number at token `i` (digits or words), with a glued suffix, a following
// scale word ("million", "Milliarden", "mil millones"), and a currency symbol
// glued before it ("$4bn", "US$300 million").
std::optional<Quantity> ReadQuantity(const Ctx& c, size_t i) {
  const Token& t = c.toks[i];
  Quantity q;
  if (t.kind == Kind::kNumber) {
    auto v = ParseNumeral(c.text.substr(t.begin, t.end - t.begin), c.decimal_comma);
    if (!v) return std::nullopt;
    q.value = *v;
    q.first = q.last = i;
  } else if (t.kind == Kind::kWord) {
    auto w = ReadNumberWords(c, i);
    if (!w) return std::nullopt;
    q = *w;
  } else {
    return std::nullopt;
  }
  if (q.first > 0 && c.toks[q.first - 1].kind == Kind::kPunct) {
    std::string before = q.first > 1 && Attached(c, q.first - 1) ? c.toks[q.first - 2].fold : "";
    q.currency = CurrencySymbol(c.toks[q.first - 1].fold, before);
  }
  return q;
}

// "$4,316bn": a thousands comma before billions is a decimal comma that an
// English text kept (4,316 billion dollars would be trillions).
void DecimalCommaBeforeBillions(const Ctx& c, Quantity* q, double scale) {
  const Token& t = c.toks[q->first];
  std::string_view raw = c.text.substr(t.begin, t.end - t.begin);
  size_t comma = raw.find(',');
  bool one_comma = comma != std::string_view::npos && comma <= 3 && raw.size() - comma == 4 &&
                   raw.find_first_of(".,", comma + 1) == std::string_view::npos;
  if (t.kind == Kind::kNumber && scale >= 1e9 && one_comma && !c.decimal_comma) q->value /= 1000;
}

// Suffix and scale words after the number.
bool ExtendScale(const Ctx& c, Quantity* q, std::string* glued_unit) {
  size_t j = q->last + 1;
  if (!q->from_words && IsWord(c, j) && Attached(c, j)) {
    double s = GluedSuffix(c, j, !q->currency.empty(), glued_unit);
    if (s == 0) return false;
    DecimalCommaBeforeBillions(c, q, s);
    q->value *= s;
    q->has_scale = s > 1;
    q->last = j++;
    if (!glued_unit->empty()) return true;
  }
  if (IsWord(c, j) && c.toks[j].fold == "mil" && IsWord(c, j + 1) &&
      ScaleWord(c.toks[j + 1].fold, c.lang) == 1e6) {
    q->value *= 1e9;  // "mil millones"
    q->has_scale = true;
    q->last = j + 1;
    return true;
  }
  if (IsWord(c, j)) {
    double s = ScaleWord(c.toks[j].fold, c.lang);
    if (s > 0 && !(q->from_words && s < 1e6 && q->value >= 1000)) {
      DecimalCommaBeforeBillions(c, q, s);
      q->value *= s;
      q->has_scale = true;
      q->last = j;
      if (IsPunct(c, j + 1, ".") && Attached(c, j + 1) && c.toks[j].fold.size() <= 4) ++q->last;
    }
  }
  return true;
}

std::optional<Quantity> ReadFullQuantity(const Ctx& c, size_t i, std::string* glued_unit) {
  auto q = ReadQuantity(c, i);
  if (!q) return std::nullopt;
  if (!ExtendScale(c, &*q, glued_unit)) return std::nullopt;
  return q;
}

// ---------------------------------------------------------------------------
// Dates, times, years

bool IsClockOrDate(const Ctx& c, const Quantity& q) {
  size_t i = q.first, j = q.last + 1;
  if (IsPunct(c, j, ":") && Attached(c, j) && j + 1 < c.toks.size() &&
      c.toks[j + 1].kind == Kind::kNumber && Attached(c, j + 1))
    return true;  // 13:45
  if (i >= 2 && IsPunct(c, i - 1, ":") && Attached(c, i) && c.toks[i - 2].kind == Kind::kNumber)
    return true;
  if (IsWord(c, j)) {
    static const std::unordered_set<std::string> clock = {"am", "pm", "uhr", "o'clock", "h"};
    if (clock.count(c.toks[j].fold)) return true;
  }
  if (i > 0 && IsWord(c, i - 1)) {
    static const std::unordered_set<std::string> kl = {"kl", "klokken", "klockan", "klokka"};
    if (kl.count(c.toks[i - 1].fold)) return true;
  }
  size_t next = IsPunct(c, j, ".") ? j + 1 : j;
  if (next < c.toks.size() && IsMonth(c.toks[next], c.text)) return true;
  size_t prev = i;
  if (prev > 0 && IsPunct(c, prev - 1, ".")) --prev;
  if (prev > 0 && IsMonth(c.toks[prev - 1], c.text)) return true;
  // 2022-02-14, 14/02, 12.5.: numbers joined by '-' or '/' to more digits.
  if ((IsDash(c, j) || IsPunct(c, j, "/")) && Attached(c, j) && j + 1 < c.toks.size() &&
      c.toks[j + 1].kind == Kind::kNumber && Attached(c, j + 1) &&
      (q.value >= 1900 && q.value <= 2100 && !q.has_scale))
    return true;
  if (IsPunct(c, j, "/") && Attached(c, j)) return true;
  if (i > 0 && IsPunct(c, i - 1, "/") && Attached(c, i)) return true;
  return false;
}

// The number is glued to letters before it ("G20", "KC-767A", "COVID-19").
bool InsideName(const Ctx& c, const Quantity& q) {
  size_t i = q.first;
  if (!Attached(c, i) || i == 0) return false;
  const Token& p = c.toks[i - 1];
  if (p.kind == Kind::kWord) return true;
  if (IsDash(c, i - 1) && i >= 2 && IsWord(c, i - 2) && Attached(c, i - 1)) return true;
  return false;
}

bool LooksLikeYear(const Quantity& q, const Ctx& c) {
  const Token& t = c.toks[q.first];
  return t.kind == Kind::kNumber && t.end - t.begin == 4 && q.value >= 1900 && q.value <= 2100 &&
         !q.has_scale && q.currency.empty();
}

// ---------------------------------------------------------------------------
// What is counted

struct Counted {
  std::string what;
  std::string unit;
  size_t last = 0;  // last token of the counted phrase
};

// Words that end the search for a counted noun.
bool IsConnector(const std::string& w) {
  static const std::unordered_set<std::string> stop = {
      "and",   "or",   "of",    "the",       "in",   "to",    "at",    "on",    "for", "from",
      "by",    "with", "a",     "og",        "i",    "på",    "av",    "til",   "for", "med",
      "och",   "till", "und",   "der",       "die",  "das",   "von",   "mit",   "im",  "et",
      "de",    "la",   "le",    "les",       "en",   "y",     "e",     "o",     "del", "da",
      "do",    "dos",  "das",   "ha",        "har",  "has",   "have",  "had",   "is",  "are",
      "was",   "were", "er",    "var",       "ist",  "sind",  "war",   "est",   "es",  "é",
      "som",   "that", "which", "who",       "ago",  "siden", "sedan", "later", "per", "a",
      "each",  "than", "said",  "says",      "say",  "will",  "would", "could", "can", "may",
      "more",  "over", "under", "according", "less", "sa",    "sier",  "sagte", "dit", "dijo",
      "disse", "no",   "na",    "em",        "um",   "uma"};
  return stop.count(w) > 0;
}

bool DeadVerb(const std::string& w) {
  static const std::unordered_set<std::string> dead = {
      "killed",   "died",     "dead",    "drept",    "omkom",   "døde",    "dödades",
      "omkommit", "dog",      "getötet", "starben",  "tués",    "morts",   "murieron",
      "muertos",  "morreram", "погибло", "omkommit", "dödades", "muertas", "mortas",
      "tuées",    "mortes",   "uccisi",  "morti",    "погибли"};
  return dead.count(w) > 0;
}

std::optional<Counted> LookupNoun(const Ctx& c, size_t j) {
  if (!IsWord(c, j) && !IsPunct(c, j, "%")) return std::nullopt;
  const auto& nouns = Nouns();
  if (IsWord(c, j + 1)) {
    auto it = nouns.find(c.toks[j].fold + " " + c.toks[j + 1].fold);
    if (it != nouns.end()) return Counted{it->second.what, it->second.unit, j + 1};
  }
  auto it = nouns.find(c.toks[j].fold);
  if (it != nouns.end()) return Counted{it->second.what, it->second.unit, j};
  return std::nullopt;
}

// A plain noun after the number: counted things of no known class.
bool PlainNoun(const Ctx& c, size_t j) {
  if (!IsWord(c, j)) return false;
  const Token& t = c.toks[j];
  if (t.fold.size() < 3 || IsConnector(t.fold) || IsMonth(t, c.text)) return false;
  if (NumberWords(c.lang).count(t.fold) || ScaleWord(t.fold, c.lang) > 0) return false;
  unsigned char first = static_cast<unsigned char>(c.text[t.begin]);
  return !(first >= 'A' && first <= 'Z');  // "2004 MN4", "5 Live": names, not nouns
}

// "people were killed", "personer ble evakuert", "Menschen wurden verletzt":
// people turn into dead, injured or evacuated.
void PromoteByVerb(const Ctx& c, Counted* k) {
  if (k->what != "people") return;
  for (size_t j = k->last + 1; j <= k->last + 3 && j < c.toks.size(); ++j) {
    if (!IsWord(c, j)) return;
    std::string what = DeadVerb(c.toks[j].fold) ? "dead" : "";
    auto it = Nouns().find(c.toks[j].fold);
    if (what.empty() && it != Nouns().end()) what = it->second.what;
    if (what == "dead" || what == "injured" || what == "evacuated") {
      k->what = what;
      k->last = j;
      return;
    }
  }
}

// The currency word after the number ("10 millioner kroner", "4.2 billion dollars").
std::optional<Counted> CurrencyAfter(const Ctx& c, size_t j) {
  for (size_t k = j; k < j + 2 && IsWord(c, k); ++k) {
    if (c.toks[k].fold == "pounds" && IsWord(c, k + 1) && c.toks[k + 1].fold == "of") {
      bool thrust = IsWord(c, k + 2) && c.toks[k + 2].fold == "thrust";
      return thrust ? std::optional<Counted>(Counted{"force", "lbf", k + 2}) : std::nullopt;
    }
    std::string code = CurrencyWord(c.toks[k].fold, c.lang);
    if (!code.empty()) {
      if (k > j) {
        std::string adj = CurrencyAdjective(c.toks[j].fold);
        if (adj.empty()) return std::nullopt;
        code = adj;
      }
      return Counted{"money", code, k};
    }
  }
  return std::nullopt;
}

// The noun after the number: up to two adjectives may stand between
// ("100,000 Russian troops", "50–60 nye soldater").
std::optional<Counted> CountedAfter(const Ctx& c, const Quantity& q) {
  size_t j = q.last + 1;
  if (IsDash(c, j) && Attached(c, j)) ++j;  // "170-foot", "five-day"
  if (IsPunct(c, j, "%")) return Counted{"percent", "%", j};
  if (j < c.toks.size() && c.toks[j].kind == Kind::kPunct) {
    std::string code = CurrencySymbol(c.toks[j].fold, "");
    if (!code.empty()) return Counted{"money", code, j};  // "100 €"
  }
  if (auto m = CurrencyAfter(c, j)) return m;
  size_t words = 0;
  for (size_t k = j; words < 3 && IsWord(c, k); ++k, ++words) {
    if (auto n = LookupNoun(c, k)) {
      PromoteByVerb(c, &*n);
      return n;
    }
    if (IsConnector(c.toks[k].fold)) break;
    if (IsDash(c, k + 1) && Attached(c, k + 1) && IsWord(c, k + 2)) ++k;  // "full-time"
  }
  if (PlainNoun(c, j)) return Counted{"count", c.toks[j].fold, j};
  return std::nullopt;
}

// "51 anos" after "de"/"com", "45 år gammel", "45 Jahre alt", "45 years of age".
std::optional<Counted> AgeInYears(const Ctx& c, const Quantity& q) {
  static const std::unordered_set<std::string> years = {"år",   "jahre", "ans",   "años", "anos",
                                                        "anni", "jaar",  "years", "лет"};
  static const std::unordered_set<std::string> old = {"old", "gammel", "gammal", "gamle",
                                                      "alt", "oud",    "of"};
  static const std::unordered_set<std::string> with = {"de", "com", "con", "di", "von", "на"};
  size_t j = q.last + 1;
  if (!IsWord(c, j) || !years.count(c.toks[j].fold)) return std::nullopt;
  bool old_after =
      IsWord(c, j + 1) && old.count(c.toks[j + 1].fold) &&
      (c.toks[j + 1].fold != "of" || (IsWord(c, j + 2) && c.toks[j + 2].fold == "age"));
  if (old_after) return Counted{"age", "years", c.toks[j + 1].fold == "of" ? j + 2 : j + 1};
  bool with_before = q.first > 0 && IsWord(c, q.first - 1) && with.count(c.toks[q.first - 1].fold);
  bool portuguese_like = c.lang == "pt" || c.lang == "es" || c.lang == "it";
  if (with_before && portuguese_like) return Counted{"age", "years", j};
  return std::nullopt;
}

// Ages: "45-year-old", "45 years old", "aged 45", "Mr Reid, 57,".
std::optional<Counted> Age(const Ctx& c, const Quantity& q) {
  size_t j = q.last + 1;
  if (IsDash(c, j) && IsWord(c, j + 1) && c.toks[j + 1].fold == "year" && IsDash(c, j + 2) &&
      IsWord(c, j + 3) && c.toks[j + 3].fold == "old")
    return Counted{"age", "years", j + 3};
  if (IsWord(c, j) && IsWord(c, j + 1) && c.toks[j].fold == "years" && c.toks[j + 1].fold == "old")
    return Counted{"age", "years", j + 1};
  size_t i = q.first;
  static const std::unordered_set<std::string> aged = {"aged",   "turned", "turns", "fylte",
                                                       "fyller", "fyllde", "âgé",   "âgée"};
  if (i > 0 && IsWord(c, i - 1) && aged.count(c.toks[i - 1].fold))
    return Counted{"age", "years", q.last};
  if (auto a = AgeInYears(c, q)) return a;
  bool comma_before = i >= 2 && IsPunct(c, i - 1, ",") && IsWord(c, i - 2);
  bool name_before =
      comma_before && std::isupper(static_cast<unsigned char>(c.text[c.toks[i - 2].begin]));
  bool closes = IsPunct(c, j, ",") || (name_before && (j >= c.toks.size() || IsPunct(c, j, ".")));
  if (comma_before && closes && !q.has_scale && q.value >= 15 && q.value < 110 &&
      q.value == std::floor(q.value) && c.toks[q.first].kind == Kind::kNumber)
    return Counted{"age", "years", q.last};
  return std::nullopt;
}

// Nouns before the number: "magnitude 6.1", "Stärke 6,1", "killed 20".
std::optional<Counted> CountedBefore(const Ctx& c, const Quantity& q, size_t* start) {
  static const std::unordered_set<std::string> magnitude = {"magnitude",  "magnitud",  "stärke",
                                                            "styrke",     "styrka",    "magnitudo",
                                                            "магнитудой", "магнитуда", "richter"};
  size_t i = q.first;
  for (size_t back = 1; back <= 3 && i >= back; ++back) {
    size_t k = i - back;
    if (c.toks[k].kind == Kind::kPunct && !IsDash(c, k)) break;
    if (IsWord(c, k) && magnitude.count(c.toks[k].fold)) {
      *start = k;
      return Counted{"magnitude", "", q.last};
    }
  }
  return std::nullopt;
}

bool MagnitudeAfter(const Ctx& c, const Quantity& q) {
  for (size_t j = q.last + 1; j < q.last + 5 && j < c.toks.size(); ++j) {
    const std::string& w = c.toks[j].fold;
    if (w == "richter" || w == "richters" || w == "richter-skalaen" || w == "magnitude")
      return true;
    if (c.toks[j].kind == Kind::kPunct && !IsDash(c, j)) return false;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Hedges and ranges

bool MatchWordsBefore(const Ctx& c, size_t i, const std::vector<std::string>& words,
                      size_t* start) {
  size_t k = i;
  for (size_t w = words.size(); w-- > 0;) {
    if (k > 0 && IsPunct(c, k - 1, ".") && words[w] == "ca") --k;  // "ca."
    if (k == 0 || !IsWord(c, k - 1) || c.toks[k - 1].fold != words[w]) return false;
    --k;
  }
  *start = k;
  return true;
}

size_t HedgeStart(const Ctx& c, size_t i) {
  size_t best = i;
  for (const auto& h : Hedges()) {
    size_t s;
    if (MatchWordsBefore(c, i, h, &s) && s < best) best = s;
  }
  return best;
}

bool RangeOpener(const Ctx& c, size_t i, size_t* start) {
  static const std::vector<std::vector<std::string>> openers = {
      {"between"}, {"mellom"}, {"mellan"}, {"zwischen"}, {"entre"}, {"tra"}, {"tussen"},
      {"from"},    {"fra"},    {"från"},   {"von"},      {"de"},    {"от"}};
  for (const auto& o : openers) {
    if (MatchWordsBefore(c, i, o, start)) return true;
  }
  return false;
}

bool RangeJoiner(const Ctx& c, size_t j, bool opened) {
  if (IsDash(c, j)) return true;
  if (!IsWord(c, j)) return false;
  static const std::unordered_set<std::string> to = {"to", "til", "till", "bis", "à",
                                                     "a",  "tot", "до",   "-"};
  static const std::unordered_set<std::string> andw = {"and", "og", "och", "und", "et",
                                                       "y",   "e",  "en",  "и"};
  return to.count(c.toks[j].fold) || (opened && andw.count(c.toks[j].fold));
}

// "50–60", "between 50 and 60", "20-30 million", "three to four".
void ReadRange(const Ctx& c, Quantity* q, size_t* start) {
  size_t j = q->last + 1;
  size_t open_start = *start;
  bool opened = RangeOpener(c, *start, &open_start);
  if (!RangeJoiner(c, j, opened)) return;
  size_t k = j + 1;
  if (k < c.toks.size() && c.toks[k].kind == Kind::kPunct &&
      !CurrencySymbol(c.toks[k].fold, "").empty())
    ++k;
  if (k >= c.toks.size()) return;
  std::string unit;
  auto hi = ReadFullQuantity(c, k, &unit);
  if (!hi || hi->from_words != q->from_words) return;
  if (hi->has_scale && !q->has_scale) {
    // The upper bound's scale word applies to the lower bound: "20-30 million".
    auto plain = ReadQuantity(c, k);
    if (plain && plain->value > 0) q->value *= hi->value / plain->value;
  }
  if (hi->value <= q->value) return;
  q->value_max = hi->value;
  if (q->currency.empty()) q->currency = hi->currency;
  q->has_scale = q->has_scale || hi->has_scale;
  q->last = hi->last;
  if (opened) *start = std::min(*start, open_start);
}

// ---------------------------------------------------------------------------
// Assembly

size_t CurrencyStart(const Ctx& c, const Quantity& q) {
  if (q.currency.empty() || q.first == 0) return q.first;
  size_t s = q.first - 1;                                // the symbol
  if (s > 0 && Attached(c, s) && IsWord(c, s - 1)) --s;  // "US$"
  return s;
}

std::optional<Counted> Classify(const Ctx& c, const Quantity& q, const std::string& glued_unit,
                                size_t* start) {
  if (auto a = Age(c, q)) return a;
  if (auto m = CountedBefore(c, q, start)) return m;
  if (MagnitudeAfter(c, q)) return Counted{"magnitude", "", q.last};
  if (!glued_unit.empty()) {
    if (auto n = LookupNoun(c, q.last)) return n;
    return Counted{"count", glued_unit, q.last};
  }
  auto after = CountedAfter(c, q);
  if (!q.currency.empty()) {
    size_t last = after && after->what == "count" ? q.last : (after ? after->last : q.last);
    return Counted{"money", q.currency, std::max(last, q.last)};
  }
  if (after) return after;
  if (q.has_scale) return Counted{"count", "", q.last};
  return std::nullopt;
}

// "Nord Stream 2 tas i bruk", "Apollo 11": a capitalised word right before
// a bare number is a name with a number in it.
bool AfterName(const Ctx& c, const Quantity& q) {
  size_t i = q.first;
  if (i == 0 || !IsWord(c, i - 1) || !q.currency.empty() || c.toks[i].line_before) return false;
  unsigned char first = static_cast<unsigned char>(c.text[c.toks[i - 1].begin]);
  return first >= 'A' && first <= 'Z' && HedgeStart(c, i) == i;
}

bool Keep(const Ctx& c, const Quantity& q, const Counted& k) {
  if (q.from_words && q.value == 1) return false;  // articles: "en", "ein", "un"
  if (LooksLikeYear(q, c) && (k.what == "count" || k.what == "duration")) return false;
  if (k.what == "count" && q.from_words && k.unit.empty() && !q.has_scale) return false;
  if (k.what == "count" && AfterName(c, q) && !q.has_scale) return false;
  return true;
}

// The verb before the number: "killed at least 20 people", "drepte 20
// personer", "погибли 12 человек", "resultaron heridas 30 personas".
std::string VerbBefore(const Ctx& c, size_t start) {
  static const std::unordered_set<std::string> kill = {
      "killed", "killing", "kills", "drepte", "dödade", "tötete", "tuant", "mató", "matando"};
  if (start == 0 || !IsWord(c, start - 1)) return "";
  const std::string& w = c.toks[start - 1].fold;
  if (kill.count(w) || DeadVerb(w)) return "dead";
  auto it = Nouns().find(w);
  if (it == Nouns().end()) return "";
  std::string what = it->second.what;
  return what == "injured" || what == "evacuated" || what == "dead" ? what : "";
}

// Singular duration words and decades ("four-hour", "two decades").
void NormaliseDuration(Counted* k, Quantity* q) {
  static const std::unordered_map<std::string, const char*> singular = {
      {"year", "years"}, {"month", "months"},   {"week", "weeks"},      {"day", "days"},
      {"hour", "hours"}, {"minute", "minutes"}, {"minutes", "minutes"}, {"jahr", "years"},
      {"tag", "days"},   {"dag", "days"},       {"uke", "weeks"},       {"vecka", "weeks"}};
  if (k->what != "count") return;
  if (k->unit == "decades" || k->unit == "decade") {
    k->what = "duration";
    k->unit = "years";
    q->value *= 10;
    if (q->value_max) *q->value_max *= 10;
    return;
  }
  auto it = singular.find(k->unit);
  if (it == singular.end()) return;
  k->what = "duration";
  k->unit = it->second;
}

void EmitAt(const Ctx& c, size_t i, std::vector<Figure>* out, size_t* resume) {
  std::string glued_unit;
  auto q = ReadFullQuantity(c, i, &glued_unit);
  if (!q) return;
  if (q->from_words) *resume = q->last + 1;
  if (InsideName(c, *q) || IsClockOrDate(c, *q)) return;
  size_t start = CurrencyStart(c, *q);
  ReadRange(c, &*q, &start);
  auto k = Classify(c, *q, glued_unit, &start);
  if (!k && !q->from_words && HedgeStart(c, start) < start) k = Counted{"count", "", q->last};
  if (!k) return;
  NormaliseDuration(&*k, &*q);
  if (!Keep(c, *q, *k)) return;
  start = std::min(start, HedgeStart(c, start));
  std::string verb = k->what == "people" ? VerbBefore(c, start) : "";
  if (!verb.empty()) k->what = verb;
  size_t last = std::max(k->last, q->last);
  Figure f;
  f.what = k->what;
  f.unit = k->unit;
  f.value = q->value;
  f.value_max = q->value_max;
  f.offset = c.toks[start].begin;
  f.as_written = std::string(c.text.substr(f.offset, c.toks[last].end - f.offset));
  out->push_back(std::move(f));
  *resume = last + 1;
}

}  // namespace

std::vector<Figure> ExtractFigures(std::string_view text, const std::string& lang) {
  std::vector<Token> toks = Tokenize(text);
  Ctx c{text, toks, lang, DecimalComma(lang)};
  std::vector<Figure> out;
  size_t i = 0;
  while (i < toks.size()) {
    size_t resume = i + 1;
    if (toks[i].kind != Kind::kPunct) EmitAt(c, i, &out, &resume);
    i = std::max(resume, i + 1);
  }
  return out;
}

}  // namespace storyline::enrich
