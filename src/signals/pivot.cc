// Builds the pivot lexicon from FreeDict dictionaries (see signals.h).
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "common/text.h"
#include "lexicon/lexicon.h"
#include "signals/signals.h"

namespace storyline {

namespace {

// FreeDict's ISO 639-3 codes to the 639-1 codes language ID gives.
const std::map<std::string, std::string>& Iso3To1() {
  static const std::map<std::string, std::string> k = {
      {"afr", "af"}, {"ara", "ar"}, {"bul", "bg"}, {"ces", "cs"}, {"cym", "cy"}, {"dan", "da"},
      {"deu", "de"}, {"ell", "el"}, {"eng", "en"}, {"epo", "eo"}, {"fin", "fi"}, {"fra", "fr"},
      {"gle", "ga"}, {"hin", "hi"}, {"hrv", "hr"}, {"hun", "hu"}, {"ind", "id"}, {"isl", "is"},
      {"ita", "it"}, {"kur", "ku"}, {"lat", "la"}, {"lit", "lt"}, {"nld", "nl"}, {"nor", "no"},
      {"nob", "no"}, {"nno", "nn"}, {"pol", "pl"}, {"por", "pt"}, {"rus", "ru"}, {"slk", "sk"},
      {"slv", "sl"}, {"spa", "es"}, {"srp", "sr"}, {"swe", "sv"}, {"swh", "sw"}, {"tur", "tr"},
  };
  return k;
}

constexpr size_t kMaxConcepts = 4;     // meanings kept per word
constexpr size_t kMaxPhraseWords = 2;  // longer English translations are definitions
constexpr float kChainScore = 0.5f;    // a meaning found through a third language

std::vector<std::string> SplitSpaces(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '-')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '-') ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

class Builder {
 public:
  Builder(Analyzer& a, LexiconWriter* w) : a_(a), writer_(w) {}

  // English translation -> concepts ("to arrest" -> {arrest}, "prime
  // minister" -> {prime, minist}); empty for definitions and stop words.
  std::vector<uint64_t> EnglishConcepts(std::string_view phrase) {
    std::vector<uint64_t> out;
    auto words = SplitSpaces(Analyzer::Fold(phrase));
    static const std::set<std::string> kLead = {"to", "a", "an", "the"};
    if (words.size() > 1 && kLead.count(words[0])) words.erase(words.begin());
    std::vector<std::string> content;
    for (auto& w : words) {
      if (w == "sth" || w == "sb" || w == "something" || w == "someone" || w == "oneself") continue;
      if (a_.IsStopWord("en", w) || !Letters(w)) continue;
      content.push_back(w);
    }
    if (content.empty() || content.size() > kMaxPhraseWords || words.size() > kMaxPhraseWords + 1)
      return out;
    for (auto& w : content) {
      std::string stem = a_.Stem("en", w);
      out.push_back(PivotKey(stem));
      if (writer_) writer_->Label(out.back(), stem);
    }
    return out;
  }

  // A word of `lang` -> its lexicon key, or 0 (multi-word, stop word, ...).
  uint64_t SourceKey(const std::string& lang, std::string_view word) {
    std::string f = Analyzer::Fold(TrimAscii(word));
    for (const char* marker : {"att ", "å ", "at ", "zu ", "to "})
      if (f.rfind(marker, 0) == 0) f = f.substr(std::char_traits<char>::length(marker));
    if (f.size() < 2 || f.find(' ') != std::string::npos || !Letters(f)) return 0;
    if (a_.IsStopWord(lang, f)) return 0;
    return TermKey(lang, a_.Stem(lang, f));
  }

  static bool Letters(std::string_view w) {
    for (unsigned char c : w)
      if (c < 0x80 && !std::isalpha(c) && c != '\'') return false;
    return !w.empty();
  }

  Analyzer& a_;
  LexiconWriter* writer_;
};

}  // namespace

Status BuildPivotLexicon(const std::string& dictd_dir, const std::string& out_path,
                         Analyzer& analyzer, LexiconBuildReport* report) {
  namespace fs = std::filesystem;
  struct Dict {
    std::string name, src, dst;  // 639-1 codes
    fs::path index, dict;
  };
  std::vector<Dict> dicts;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dictd_dir, ec)) {
    std::string file = e.path().filename().string();
    if (file.rfind("freedict-", 0) != 0 || e.path().extension() != ".index") continue;
    std::string stem = e.path().stem().string();  // freedict-swe-eng
    if (stem.size() != 16 || stem[12] != '-') continue;
    auto src = Iso3To1().find(stem.substr(9, 3));
    auto dst = Iso3To1().find(stem.substr(13, 3));
    if (src == Iso3To1().end() || dst == Iso3To1().end()) continue;
    fs::path dz = e.path().parent_path() / (stem + ".dict.dz");
    fs::path plain = e.path().parent_path() / (stem + ".dict");
    dicts.push_back({stem, src->second, dst->second, e.path(), fs::exists(dz) ? dz : plain});
  }
  if (ec) return Status::NotFound("cannot list " + dictd_dir + ": " + ec.message());
  if (dicts.empty())
    return Status::NotFound("no FreeDict dictionaries (freedict-*.index) in " + dictd_dir +
                            " (install dict-freedict-* packages: scripts/install-deps)");
  std::sort(dicts.begin(), dicts.end(),
            [](const Dict& a, const Dict& b) { return a.name < b.name; });

  LexiconWriter writer;
  Builder b(analyzer, &writer);
  LexiconBuildReport rep;
  // Pass 1: dictionaries with English on one side. Pass 2: the others, read
  // through pass 1's meanings of their source language.
  for (int pass = 1; pass <= 2; ++pass) {
    for (const auto& d : dicts) {
      bool forward = d.dst == "en" && d.src != "en";
      bool reverse = d.src == "en" && d.dst != "en";
      bool chain = d.src != "en" && d.dst != "en";
      if (pass == 1 ? chain : !chain) continue;
      LexiconBuildReport::Dictionary r;
      r.file = d.name;
      r.lang = forward ? d.src : d.dst;
      r.how = forward ? "forward" : reverse ? "reverse" : "via " + d.src;
      Status s = ReadDictd(
          d.index.string(), d.dict.string(),
          [&](const DictdEntry& e) {
            ++r.entries;
            if (forward) {
              uint64_t key = b.SourceKey(d.src, e.headword);
              if (!key) return;
              for (size_t i = 0; i < e.translations.size(); ++i)
                for (uint64_t c : b.EnglishConcepts(e.translations[i])) {
                  writer.Add(d.src, key, c, i < 3 ? 1.0f : 0.5f);
                  ++r.words;
                }
            } else if (reverse) {
              auto concepts = b.EnglishConcepts(e.headword);
              if (concepts.empty()) return;
              for (const auto& t : e.translations) {
                uint64_t key = b.SourceKey(d.dst, t);
                if (!key) continue;
                for (uint64_t c : concepts) {
                  writer.Add(d.dst, key, c, 1.0f);
                  ++r.words;
                }
              }
            } else {
              uint64_t via = b.SourceKey(d.src, e.headword);
              if (!via || !writer.Contains(via)) return;
              auto concepts = writer.Concepts(via, 2);
              for (const auto& t : e.translations) {
                uint64_t key = b.SourceKey(d.dst, t);
                if (!key) continue;
                for (uint64_t c : concepts) {
                  writer.Add(d.dst, key, c, kChainScore);
                  ++r.words;
                }
              }
            }
          },
          &r.description);
      if (!s.ok()) return s;
      rep.dictionaries.push_back(std::move(r));
    }
  }
  Status s = writer.Write(out_path, kMaxConcepts);
  if (!s.ok()) return s;
  rep.keys = writer.size();
  for (const auto& [lang, n] : writer.language_entries())
    rep.words_per_language.emplace_back(lang, n);
  std::error_code size_ec;
  rep.bytes = fs::file_size(out_path, size_ec);
  if (report) *report = std::move(rep);
  return Status::Ok();
}

}  // namespace storyline
