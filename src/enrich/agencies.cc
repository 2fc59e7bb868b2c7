// Agency credits: distinctive agency names count wherever they stand; short
// or ambiguous ones (AP, PA, TT, STT, APA, ANP, PTI) only in a credit
// context: a byline or dateline, a photo credit, "according to", "enligt".
#include "enrich/agencies.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <climits>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace storyline::enrich {
namespace {

struct Word {
  size_t begin = 0;
  size_t end = 0;
  std::string text;
};

bool IsWordChar(UChar32 c) { return c >= 0 && (u_isalnum(c) || c == '_'); }

std::vector<Word> Words(std::string_view text) {
  std::vector<Word> out;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  int32_t n = static_cast<int32_t>(std::min<size_t>(text.size(), INT32_MAX));
  int32_t i = 0;
  while (i < n) {
    int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (!IsWordChar(c)) continue;
    int32_t end = i;
    while (end < n) {
      int32_t j = end;
      U8_NEXT(s, j, n, c);
      if (!IsWordChar(c)) break;
      end = j;
    }
    out.push_back({static_cast<size_t>(start), static_cast<size_t>(end),
                   std::string(text.substr(start, end - start))});
    i = end;
  }
  return out;
}

struct Alias {
  const char* canonical;
  bool needs_context;
};

// Single-word names, exactly as written (all-caps forms listed too).
const std::unordered_map<std::string, Alias>& SingleNames() {
  static const auto* m = new std::unordered_map<std::string, Alias>{
      {"AP", {"AP", true}},
      {"AFP", {"AFP", false}},
      {"Reuters", {"Reuters", false}},
      {"REUTERS", {"Reuters", false}},
      {"Reuter", {"Reuters", false}},
      {"NTB", {"NTB", false}},
      {"TT", {"TT", true}},
      {"dpa", {"dpa", false}},
      {"DPA", {"dpa", true}},
      {"Ritzau", {"Ritzau", false}},
      {"ritzau", {"Ritzau", true}},
      {"RITZAU", {"Ritzau", false}},
      {"STT", {"STT", true}},
      {"ANSA", {"ANSA", false}},
      {"EFE", {"EFE", false}},
      {"Efe", {"EFE", true}},
      {"Interfax", {"Interfax", false}},
      {"INTERFAX", {"Interfax", false}},
      {"TASS", {"TASS", false}},
      {"Tass", {"TASS", false}},
      {"ANP", {"ANP", true}},
      {"Belga", {"Belga", false}},
      {"BELGA", {"Belga", false}},
      {"APA", {"APA", true}},
      {"Kyodo", {"Kyodo", false}},
      {"KYODO", {"Kyodo", false}},
      {"Xinhua", {"Xinhua", false}},
      {"XINHUA", {"Xinhua", false}},
      {"PA", {"PA", true}},
      {"Bloomberg", {"Bloomberg", false}},
      {"UNIAN", {"UNIAN", false}},
      {"Ukrinform", {"Ukrinform", false}},
      {"Lusa", {"Lusa", true}},
      {"LUSA", {"Lusa", true}},
      {"Yonhap", {"Yonhap", false}},
      {"PTI", {"PTI", true}},
      {"IRNA", {"IRNA", false}},
      {"Notimex", {"Notimex", false}},
      {"Интерфакс", {"Interfax", false}},
      {"ТАСС", {"TASS", false}},
      {"УНИАН", {"UNIAN", false}},
      {"Укринформ", {"Ukrinform", false}},
      {"Синьхуа", {"Xinhua", false}},
      {"Рейтер", {"Reuters", false}},
  };
  return *m;
}

// Multi-word names: the words, in order.
struct Phrase {
  std::vector<std::string> words;
  const char* canonical;
};

const std::vector<Phrase>& Phrases() {
  static const auto* p = new std::vector<Phrase>{
      {{"Associated", "Press"}, "AP"},
      {{"Agence", "France", "Presse"}, "AFP"},
      {{"Deutsche", "Presse", "Agentur"}, "dpa"},
      {{"Press", "Association"}, "PA"},
      {{"PA", "Media"}, "PA"},
      {{"Europa", "Press"}, "Europa Press"},
      {{"RIA", "Novosti"}, "RIA Novosti"},
      {{"РИА", "Новости"}, "RIA Novosti"},
      {{"Norsk", "Telegrambyrå"}, "NTB"},
      {{"Tidningarnas", "Telegrambyrå"}, "TT"},
      {{"Agência", "Estado"}, "Agência Estado"},
      {{"Agência", "Brasil"}, "Agência Brasil"},
      {{"Agencia", "EFE"}, "EFE"},
      {{"Anadolu", "Agency"}, "Anadolu"},
      {{"Kyodo", "News"}, "Kyodo"},
  };
  return *p;
}

// Inflected Russian forms ("Интерфаксу", "ТАСС-у"): the stem is enough.
const char* RussianStem(const std::string& w) {
  static const std::vector<std::pair<std::string, const char*>> stems = {
      {"Интерфакс", "Interfax"}, {"Укринформ", "Ukrinform"}, {"Рейтер", "Reuters"}};
  for (const auto& [stem, canonical] : stems) {
    if (w.size() > stem.size() && w.compare(0, stem.size(), stem) == 0) return canonical;
  }
  return nullptr;
}

std::string_view LineBefore(std::string_view text, size_t pos) {
  size_t nl = text.rfind('\n', pos == 0 ? 0 : pos - 1);
  size_t start = (nl == std::string_view::npos || pos == 0) ? 0 : nl + 1;
  if (pos == 0) start = 0;
  return text.substr(start, pos - start);
}

std::string_view LineAfter(std::string_view text, size_t pos) {
  size_t nl = text.find('\n', pos);
  return text.substr(pos, (nl == std::string_view::npos ? text.size() : nl) - pos);
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A credit label earlier on the line: "Foto: Mikhail Klimentyev / AP / NTB".
bool CreditLabelOnLine(std::string_view before) {
  static const char* labels[] = {
      "foto:",   "photo:",   "bild:",   "kilde:",    "källa:", "kilder:",       "quelle:",
      "source:", "sources:", "fuente:", "fonte:",    "image:", "picture:",      "credit:",
      "photos:", "fotos:",   "©",       "copyright", "(c)",    "illustrasjon:", "grafikk:"};
  std::string low = AsciiLower(before);
  for (const char* l : labels) {
    if (low.find(l) != std::string::npos) return true;
  }
  return false;
}

// Words before the name that credit it: "enligt TT", "ifølge nyhetsbyrået AP".
bool CreditWordBefore(std::string_view before) {
  static const char* words[] = {"ifølge",
                                "enligt",
                                "nyhetsbyrået",
                                "nyhetsbyrån",
                                "nyhedsbureauet",
                                "agency",
                                "agencies",
                                "according to",
                                "told",
                                "told the",
                                "wire service",
                                "newswire",
                                "nachrichtenagentur",
                                "agentur",
                                "agence",
                                "agencia",
                                "agência",
                                "agenzia",
                                "persbureau",
                                "uutistoimisto",
                                "via",
                                "laut",
                                "selon",
                                "segun",
                                "según",
                                "segundo",
                                "secondo",
                                "volgens",
                                "sa til",
                                "sier til",
                                "säger till",
                                "sagte der",
                                "told the"};
  std::string low = AsciiLower(TrimRight(before));
  for (const char* w : words) {
    std::string_view wv(w);
    if (EndsWith(low, wv) && (low.size() == wv.size() || !u_isalnum(static_cast<unsigned char>(
                                                             low[low.size() - wv.size() - 1]))))
      return true;
  }
  return false;
}

// Words after the name that credit it: "AP reports", "(Reuters) -", "TT:s".
bool CreditWordAfter(std::string_view after) {
  static const char* words[] = {"reports", "reported",   "reporterer", "rapporterer", "rapporterar",
                                "meldet",  "berichtet",  "meldete",    "rapporte",    "informa",
                                "informó", "melder",     "skriver",    "uppger",      ":s",
                                "/",       "news agency"};
  std::string low = AsciiLower(TrimLeft(after));
  for (const char* w : words) {
    if (StartsWith(low, w)) return true;
  }
  return false;
}

// Inside parentheses on one line: "(AP)", "(FRANCE 24 with AP, AFP and REUTERS)".
// A single mixed-case party label after a name ("Støre (Ap)") is handled by
// case: only "AP" is the agency. A lone "(AP)" between a name and lower-case
// text ("Støre (AP) sier") is the party too.
bool InCreditParentheses(std::string_view text, const Word& w) {
  std::string_view before = LineBefore(text, w.begin);
  std::string_view after = LineAfter(text, w.end);
  size_t open = before.rfind('(');
  size_t close = after.find(')');
  if (open == std::string_view::npos || close == std::string_view::npos) return false;
  if (before.find(')', open) != std::string_view::npos || close > 60 || before.size() - open > 60)
    return false;
  bool alone = open + 1 == before.size() && close == 0;
  if (!alone) return true;
  std::string_view rest = TrimLeft(after.substr(close + 1));
  std::string_view lead = TrimRight(before.substr(0, open));
  bool after_name =
      !lead.empty() &&
      u_isupper(static_cast<unsigned char>(
          lead[lead.find_last_of(' ') == std::string_view::npos ? 0 : lead.find_last_of(' ') + 1]));
  bool lower_next = !rest.empty() && rest[0] >= 'a' && rest[0] <= 'z';
  bool comma_next = !rest.empty() && rest[0] == ',';
  return !(after_name && (lower_next || comma_next));
}

// "— dpa", "– AP" or "/ritzau/" closing a line, or a line that is only the name.
bool LineEndCredit(std::string_view text, const Word& w) {
  std::string_view before = TrimRight(LineBefore(text, w.begin));
  std::string_view after = TrimLeft(LineAfter(text, w.end));
  bool ends = after.empty() || after == "." || after == "/" || after == ")";
  if (!ends) return false;
  if (before.empty()) return true;
  return EndsWith(before, "—") || EndsWith(before, "–") || EndsWith(before, "-") ||
         EndsWith(before, "/") || EndsWith(before, "©");
}

bool CreditContext(std::string_view text, const Word& w) {
  std::string_view before = LineBefore(text, w.begin);
  std::string_view after = LineAfter(text, w.end);
  if (InCreditParentheses(text, w) || LineEndCredit(text, w)) return true;
  if (CreditLabelOnLine(before)) return true;
  if (EndsWith(TrimRight(before), "©") || EndsWith(TrimRight(before), "/")) return true;
  return CreditWordBefore(before) || CreditWordAfter(after);
}

// "Michael Bloomberg", "Mr Bloomberg": the person, not the agency.
bool PersonBloomberg(const std::vector<Word>& words, size_t i) {
  if (words[i].text != "Bloomberg" || i == 0) return false;
  static const std::unordered_set<std::string> given = {"Michael", "Mike", "Mr", "Mayor",
                                                        "Bloombergs"};
  return given.count(words[i - 1].text) > 0;
}

bool PhraseAt(const std::vector<Word>& words, size_t i, const Phrase& p) {
  if (i + p.words.size() > words.size()) return false;
  for (size_t k = 0; k < p.words.size(); ++k) {
    if (words[i + k].text != p.words[k]) return false;
  }
  return true;
}

void Scan(std::string_view text, std::set<std::string>* found) {
  std::vector<Word> words = Words(text);
  for (size_t i = 0; i < words.size(); ++i) {
    for (const Phrase& p : Phrases()) {
      if (PhraseAt(words, i, p)) found->insert(p.canonical);
    }
    const auto& names = SingleNames();
    auto it = names.find(words[i].text);
    if (it == names.end()) {
      if (const char* c = RussianStem(words[i].text)) found->insert(c);
      continue;
    }
    if (PersonBloomberg(words, i)) continue;
    if (it->second.needs_context && !CreditContext(text, words[i])) continue;
    found->insert(it->second.canonical);
  }
}

}  // namespace

std::vector<std::string> FindAgencies(std::string_view title, std::string_view text) {
  std::set<std::string> found;
  Scan(title, &found);
  Scan(text, &found);
  return {found.begin(), found.end()};
}

}  // namespace storyline::enrich
