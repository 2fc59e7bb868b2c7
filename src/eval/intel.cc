#include "eval/intel.h"

#include <unicode/locid.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string_view>

#include "clean/clean.h"
#include "ingest/ingest.h"

namespace storyline::eval {
namespace {

// ---------------------------------------------------------------------------
// Gold files

std::string Str(const nlohmann::json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<double> Num(const nlohmann::json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::vector<std::string> Strings(const nlohmann::json& o, const char* key) {
  std::vector<std::string> out;
  auto it = o.find(key);
  if (it == o.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

// Calls `fn` with each non-empty line of `path` parsed as a JSON object.
// Returns false (without reading) when the file does not exist.
template <typename Fn>
Result<bool> ForEachJsonLine(const std::filesystem::path& path, Fn fn) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  std::ifstream in(path);
  if (!in) return Status::IOError("cannot read " + path.string());
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json o = nlohmann::json::parse(line, nullptr, false);
    if (o.is_discarded() || !o.is_object())
      return Status::Corruption(path.string() + ":" + std::to_string(n) + ": not a JSON object");
    fn(o);
  }
  return true;
}

void NoteLang(IntelGold* g, const nlohmann::json& o, const std::string& article) {
  std::string lang = Str(o, "lang");
  if (!lang.empty() && !article.empty()) g->lang.emplace(article, lang);
}

Status ReadQuotes(const std::filesystem::path& dir, IntelGold* g) {
  auto r = ForEachJsonLine(dir / "quotes.jsonl", [&](const nlohmann::json& o) {
    GoldQuote q{Str(o, "article"), Str(o, "speaker"), Str(o, "speaker_key"),
                Str(o, "quote_snippet")};
    NoteLang(g, o, q.article);
    g->quotes.push_back(std::move(q));
  });
  if (!r.ok()) return r.status();
  g->has_quotes = *r;
  return Status::Ok();
}

Status ReadFigures(const std::filesystem::path& dir, IntelGold* g) {
  auto r = ForEachJsonLine(dir / "figures.jsonl", [&](const nlohmann::json& o) {
    std::string what = Str(o, "what");
    auto it = o.find("values");
    if (it == o.end() || !it->is_array()) return;
    for (const auto& v : *it) {
      if (!v.is_object()) continue;
      GoldFigure f{Str(v, "article"), what, Num(v, "value").value_or(0), Num(v, "value_max"),
                   Str(v, "as_written")};
      g->figures.push_back(std::move(f));
    }
  });
  if (!r.ok()) return r.status();
  g->has_figures = *r;
  return Status::Ok();
}

Status ReadEntities(const std::filesystem::path& dir, IntelGold* g) {
  auto add = [&](const nlohmann::json& o) {
    g->entities.push_back({Str(o, "name"), Strings(o, "variants"), Strings(o, "articles")});
  };
  auto r = ForEachJsonLine(dir / "entities.jsonl", add);
  if (r.ok() && !*r) r = ForEachJsonLine(dir / "entities-seeds.jsonl", add);
  if (!r.ok()) return r.status();
  g->has_entities = *r;
  return Status::Ok();
}

Status ReadAgencies(const std::filesystem::path& dir, IntelGold* g) {
  auto r = ForEachJsonLine(dir / "agencies.jsonl", [&](const nlohmann::json& o) {
    std::string article = Str(o, "article");
    NoteLang(g, o, article);
    g->agencies[article] = Strings(o, "agencies");
  });
  if (!r.ok()) return r.status();
  g->has_agencies = *r;
  return Status::Ok();
}

// articles.jsonl (our own gold sets) gives the language of every article.
Status ReadArticleLangs(const std::filesystem::path& dir, IntelGold* g) {
  auto r = ForEachJsonLine(dir / "articles.jsonl",
                           [&](const nlohmann::json& o) { NoteLang(g, o, Str(o, "id")); });
  return r.ok() ? Status::Ok() : r.status();
}

// ---------------------------------------------------------------------------
// Text normalisation

std::string Lower(const std::string& s) {
  std::string out;
  icu::UnicodeString::fromUTF8(s).toLower(icu::Locale::getRoot()).toUTF8String(out);
  return out;
}

void ReplaceAll(std::string* s, std::string_view from, std::string_view to) {
  std::string out;
  size_t start = 0;
  for (size_t p = s->find(from); p != std::string::npos; p = s->find(from, start)) {
    out.append(*s, start, p - start);
    out.append(to);
    start = p + from.size();
  }
  out.append(*s, start, std::string::npos);
  *s = std::move(out);
}

bool IsEdgePunct(char c) {
  return c == ' ' || c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' ||
         c == '"' || c == '\'';
}

// Whitespace collapsed, lower case, curly quotes folded, edge punctuation cut.
std::string NormQuote(const std::string& s) {
  std::string t = Lower(NormalizeWhitespace(NormalizeNfc(s)));
  for (const char* q : {"“", "”", "„", "«", "»", "‟", "″"}) ReplaceAll(&t, q, "\"");
  for (const char* q : {"‘", "’", "‚", "′", "`"}) ReplaceAll(&t, q, "'");
  ReplaceAll(&t, "\n", " ");
  size_t b = 0, e = t.size();
  while (b < e && IsEdgePunct(t[b])) ++b;
  while (e > b && IsEdgePunct(t[e - 1])) --e;
  return t.substr(b, e - b);
}

size_t WordCount(const std::string& s) {
  std::istringstream in(s);
  size_t n = 0;
  std::string w;
  while (in >> w) ++n;
  return n;
}

// ---------------------------------------------------------------------------
// Quotes

bool QuoteMatches(const std::string& gold_snippet, const std::string& predicted) {
  if (gold_snippet.empty() || predicted.empty()) return false;
  if (predicted.find(gold_snippet) != std::string::npos) return true;
  return WordCount(predicted) >= 2 && gold_snippet.find(predicted) != std::string::npos;
}

std::string LastWord(const std::string& s) {
  size_t e = s.find_last_not_of(" ");
  if (e == std::string::npos) return "";
  size_t b = s.find_last_of(' ', e);
  return s.substr(b == std::string::npos ? 0 : b + 1, e - (b == std::string::npos ? 0 : b + 1) + 1);
}

// The keys a gold quote accepts: its key, and the surname of each speaker.
std::set<std::string> GoldSpeakerKeys(const GoldQuote& q) {
  std::set<std::string> keys;
  if (!q.speaker_key.empty()) keys.insert(FoldKey(q.speaker_key));
  std::string rest = q.speaker;
  for (size_t p; !rest.empty(); rest = p == std::string::npos ? "" : rest.substr(p + 3)) {
    p = rest.find(" + ");
    std::string part = rest.substr(0, p);
    if (!part.empty()) keys.insert(FoldKey(LastWord(part)));
  }
  keys.erase("");
  return keys;
}

std::string PredictedKey(const Quote& q) {
  return FoldKey(!q.speaker_key.empty() ? q.speaker_key : LastWord(q.speaker));
}

void ScoreQuotes(const std::vector<const GoldQuote*>& gold, const std::vector<Quote>& pred,
                 IntelScores* s) {
  std::vector<std::string> pred_norm;
  for (const auto& p : pred) pred_norm.push_back(NormQuote(p.text));
  std::vector<bool> used(pred.size(), false);
  s->quote_precision.total += static_cast<int64_t>(pred.size());
  s->quote_recall.total += static_cast<int64_t>(gold.size());
  for (const GoldQuote* g : gold) {
    bool has_speaker = !g->speaker_key.empty() || !g->speaker.empty();
    if (has_speaker) ++s->attribution_recall.total;
    std::string snippet = NormQuote(g->snippet);
    for (size_t k = 0; k < pred.size(); ++k) {
      if (used[k] || !QuoteMatches(snippet, pred_norm[k])) continue;
      used[k] = true;
      ++s->quote_precision.hit;
      ++s->quote_recall.hit;
      if (pred[k].speaker.empty() && pred[k].speaker_key.empty()) break;
      ++s->attribution_precision.total;
      bool right = has_speaker && GoldSpeakerKeys(*g).count(PredictedKey(pred[k])) > 0;
      if (right) ++s->attribution_precision.hit, ++s->attribution_recall.hit;
      break;
    }
  }
}

// ---------------------------------------------------------------------------
// Figures

struct Span {
  size_t begin = 0, end = 0;
  bool Overlaps(const Span& o) const { return begin < o.end && o.begin < end; }
};

// The number inside an as_written phrase: the first run that starts with a
// digit (digits, separators, spaces between digit groups). Whole phrase if none.
Span NumberSpan(const std::string& phrase) {
  size_t b = phrase.find_first_of("0123456789");
  if (b == std::string::npos) return {0, phrase.size()};
  size_t e = b;
  while (e < phrase.size()) {
    char c = phrase[e];
    bool digit = c >= '0' && c <= '9';
    bool sep = (c == '.' || c == ',' || c == ' ') && e + 1 < phrase.size() &&
               phrase[e + 1] >= '0' && phrase[e + 1] <= '9';
    if (!digit && !sep) break;
    ++e;
  }
  return {b, e};
}

bool SameValue(double a, double b) {
  if (a == b) return true;
  return std::fabs(a - b) <= 0.005 * std::max(std::fabs(a), std::fabs(b));
}

struct LocatedGold {
  const GoldFigure* gold;
  std::vector<Span> phrases;  // occurrences of as_written
  std::vector<Span> numbers;  // the number inside each occurrence
};

LocatedGold Locate(const GoldFigure& g, const std::string& text) {
  LocatedGold l{&g, {}, {}};
  std::string phrase = NormalizeWhitespace(NormalizeNfc(g.as_written));
  if (phrase.empty()) return l;
  Span num = NumberSpan(phrase);
  for (size_t p = text.find(phrase); p != std::string::npos; p = text.find(phrase, p + 1)) {
    l.phrases.push_back({p, p + phrase.size()});
    l.numbers.push_back({p + num.begin, p + num.end});
  }
  return l;
}

Span FigureSpan(const Figure& f) { return {f.offset, f.offset + f.as_written.size()}; }

// The figure that finds this gold value, or null.
const Figure* FindFigure(const LocatedGold& l, const std::vector<Figure>& figs) {
  for (const Figure& f : figs) {
    if (!SameValue(f.value, l.gold->value)) continue;
    if (l.numbers.empty()) return &f;  // not located: the value alone decides
    for (const Span& n : l.numbers) {
      if (FigureSpan(f).Overlaps(n)) return &f;
    }
  }
  return nullptr;
}

void ScoreFigures(const std::vector<const GoldFigure*>& gold, const ArticleIntel& a,
                  IntelScores* s) {
  std::vector<LocatedGold> located;
  for (const GoldFigure* g : gold) located.push_back(Locate(*g, a.text));
  for (const LocatedGold& l : located) {
    ++s->figure_recall.total;
    if (l.phrases.empty()) ++s->figures_unlocated;
    const Figure* f = FindFigure(l, a.found.figures);
    if (!f) continue;
    ++s->figure_recall.hit;
    ++s->figure_what.total;
    if (f->what == l.gold->what) ++s->figure_what.hit;
  }
  for (const Figure& f : a.found.figures) {
    bool overlaps = false, right = false;
    for (const LocatedGold& l : located) {
      for (const Span& p : l.phrases) {
        if (!FigureSpan(f).Overlaps(p)) continue;
        overlaps = true;
        right = right || SameValue(f.value, l.gold->value);
      }
    }
    if (!overlaps) continue;
    ++s->figure_precision.total;
    if (right) ++s->figure_precision.hit;
  }
}

// ---------------------------------------------------------------------------
// Entities and agencies

bool EntityMatches(const GoldEntity& g, const Entity& e) {
  std::set<std::string> forms = {Lower(e.name)};
  for (const auto& v : e.variants) forms.insert(Lower(v));
  for (const auto& v : g.variants) {
    if (forms.count(Lower(v))) return true;
  }
  return forms.count(Lower(g.name)) > 0 && !g.name.empty() && g.variants.empty();
}

void ScoreEntities(const std::vector<const GoldEntity*>& gold, const std::vector<Entity>& pred,
                   IntelScores* s) {
  for (const GoldEntity* g : gold) {
    ++s->entity_recall.total;
    if (std::any_of(pred.begin(), pred.end(),
                    [&](const Entity& e) { return EntityMatches(*g, e); }))
      ++s->entity_recall.hit;
  }
  for (const Entity& e : pred) {
    ++s->entity_precision.total;
    if (std::any_of(gold.begin(), gold.end(),
                    [&](const GoldEntity* g) { return EntityMatches(*g, e); }))
      ++s->entity_precision.hit;
  }
}

void ScoreAgencies(const std::vector<std::string>& gold, const std::vector<std::string>& pred,
                   IntelScores* s) {
  std::set<std::string> g, p;
  for (const auto& x : gold) g.insert(FoldKey(x));
  for (const auto& x : pred) p.insert(FoldKey(x));
  s->agency_recall.total += static_cast<int64_t>(g.size());
  s->agency_precision.total += static_cast<int64_t>(p.size());
  for (const auto& x : p) {
    if (g.count(x)) ++s->agency_precision.hit, ++s->agency_recall.hit;
  }
}

// ---------------------------------------------------------------------------
// One article

struct GoldIndex {
  std::map<std::string, std::vector<const GoldQuote*>> quotes;
  std::map<std::string, std::vector<const GoldFigure*>> figures;
  std::map<std::string, std::vector<const GoldEntity*>> entities;
};

GoldIndex IndexGold(const IntelGold& gold) {
  GoldIndex ix;
  for (const auto& q : gold.quotes) ix.quotes[q.article].push_back(&q);
  for (const auto& f : gold.figures) ix.figures[f.article].push_back(&f);
  for (const auto& e : gold.entities) {
    for (const auto& a : e.articles) ix.entities[a].push_back(&e);
  }
  return ix;
}

template <typename T>
const std::vector<const T*>& Get(const std::map<std::string, std::vector<const T*>>& m,
                                 const std::string& key) {
  static const std::vector<const T*> empty;
  auto it = m.find(key);
  return it == m.end() ? empty : it->second;
}

IntelScores ScoreArticle(const IntelGold& gold, const GoldIndex& ix, const ArticleIntel& a) {
  IntelScores s;
  s.articles = 1;
  if (gold.has_quotes) ScoreQuotes(Get(ix.quotes, a.id), a.found.quotes, &s);
  if (gold.has_figures) ScoreFigures(Get(ix.figures, a.id), a, &s);
  if (gold.has_entities && ix.entities.count(a.id))
    ScoreEntities(ix.entities.at(a.id), a.found.entities, &s);
  auto ag = gold.agencies.find(a.id);
  if (gold.has_agencies && ag != gold.agencies.end())
    ScoreAgencies(ag->second, a.found.agencies, &s);
  return s;
}

void AddRatio(Ratio* a, const Ratio& b) {
  a->hit += b.hit;
  a->total += b.total;
}

// ---------------------------------------------------------------------------
// Reports

std::string Pct(const Ratio& r) {
  if (r.total == 0) return "     -";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%6.3f", r.Value());
  return buf;
}

std::string Row(const std::string& name, const IntelScores& s, const IntelReport& r) {
  std::string row = name;
  row.resize(8, ' ');
  char n[16];
  std::snprintf(n, sizeof n, "%5lld", static_cast<long long>(s.articles));
  row += n;
  auto add = [&](bool on, const Ratio& x) { row += on ? "  " + Pct(x) : "       -"; };
  add(r.has_quotes, s.quote_precision);
  add(r.has_quotes, s.quote_recall);
  add(r.has_quotes, s.attribution_precision);
  add(r.has_quotes, s.attribution_recall);
  add(r.has_figures, s.figure_precision);
  add(r.has_figures, s.figure_recall);
  add(r.has_figures, s.figure_what);
  add(r.has_entities, s.entity_precision);
  add(r.has_entities, s.entity_recall);
  add(r.has_agencies, s.agency_precision);
  add(r.has_agencies, s.agency_recall);
  return row + "\n";
}

nlohmann::json RatioJson(const Ratio& r) {
  return {{"value", r.Value()}, {"hit", r.hit}, {"total", r.total}};
}

nlohmann::json ScoresJson(const IntelScores& s, const IntelReport& r) {
  nlohmann::json j = {{"articles", s.articles}};
  if (r.has_quotes)
    j["quotes"] = {{"precision", RatioJson(s.quote_precision)},
                   {"recall", RatioJson(s.quote_recall)},
                   {"attribution_precision", RatioJson(s.attribution_precision)},
                   {"attribution_recall", RatioJson(s.attribution_recall)}};
  if (r.has_figures)
    j["figures"] = {{"precision", RatioJson(s.figure_precision)},
                    {"recall", RatioJson(s.figure_recall)},
                    {"what_accuracy", RatioJson(s.figure_what)},
                    {"unlocated", s.figures_unlocated}};
  if (r.has_entities)
    j["entities"] = {{"precision", RatioJson(s.entity_precision)},
                     {"recall", RatioJson(s.entity_recall)}};
  if (r.has_agencies)
    j["agencies"] = {{"precision", RatioJson(s.agency_precision)},
                     {"recall", RatioJson(s.agency_recall)}};
  return j;
}

// ---------------------------------------------------------------------------
// Running the Enricher

std::string ArticleLang(const Article& a, const IntelGold& gold, const IntelRun& run,
                        std::unique_ptr<LanguageIdentifier>* lid, bool* lid_failed) {
  std::string hint = LanguageIdentifier::Canonical(a.lang_hint);
  if (!hint.empty()) return hint;
  auto it = gold.lang.find(a.id);
  if (it != gold.lang.end()) return LanguageIdentifier::Canonical(it->second);
  if (!*lid && !*lid_failed) {
    auto opened = LanguageIdentifier::Open(run.langid);
    if (opened.ok()) *lid = std::move(*opened);
    *lid_failed = !opened.ok();
  }
  if (!*lid) return "und";
  return (*lid)->Identify(a.title, a.text).lang;
}

}  // namespace

void IntelScores::Add(const IntelScores& o) {
  articles += o.articles;
  for (auto [a, b] : {std::pair{&quote_precision, &o.quote_precision},
                      {&quote_recall, &o.quote_recall},
                      {&attribution_precision, &o.attribution_precision},
                      {&attribution_recall, &o.attribution_recall},
                      {&figure_precision, &o.figure_precision},
                      {&figure_recall, &o.figure_recall},
                      {&figure_what, &o.figure_what},
                      {&entity_precision, &o.entity_precision},
                      {&entity_recall, &o.entity_recall},
                      {&agency_precision, &o.agency_precision},
                      {&agency_recall, &o.agency_recall}})
    AddRatio(a, *b);
  figures_unlocated += o.figures_unlocated;
}

std::string FoldKey(const std::string& s) {
  thread_local std::unique_ptr<icu::Transliterator> tr = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> t(icu::Transliterator::createInstance(
        "Any-Latin; Latin-ASCII; Lower", UTRANS_FORWARD, status));
    return U_SUCCESS(status) ? std::move(t) : nullptr;
  }();
  if (!tr) return Lower(s);
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  tr->transliterate(u);
  std::string out;
  u.trim().toUTF8String(out);
  return out;
}

Result<IntelGold> ReadIntelGold(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return Status::NotFound("no gold directory " + dir);
  IntelGold g;
  std::filesystem::path d(dir);
  for (auto* read : {ReadQuotes, ReadFigures, ReadEntities, ReadAgencies, ReadArticleLangs}) {
    Status s = read(d, &g);
    if (!s.ok()) return s;
  }
  return g;
}

IntelReport ScoreIntel(const IntelGold& gold, const std::vector<ArticleIntel>& articles) {
  IntelReport r;
  r.has_quotes = gold.has_quotes;
  r.has_figures = gold.has_figures;
  r.has_entities = gold.has_entities;
  r.has_agencies = gold.has_agencies;
  GoldIndex ix = IndexGold(gold);
  for (const ArticleIntel& a : articles) {
    IntelScores s = ScoreArticle(gold, ix, a);
    r.overall.Add(s);
    r.by_lang[a.lang.empty() ? "und" : a.lang].Add(s);
  }
  return r;
}

std::string IntelToText(const IntelReport& r) {
  std::string out =
      "lang    arts  quoteP  quoteR   attrP   attrR   figP    figR   figWhat  entP    entR   "
      " agencyP agencyR\n";
  for (const auto& [lang, s] : r.by_lang) out += Row(lang, s, r);
  out += Row("all", r.overall, r);
  if (r.has_figures && r.overall.figures_unlocated > 0)
    out += "gold figures not found verbatim in the cleaned text (matched on value): " +
           std::to_string(r.overall.figures_unlocated) + "\n";
  return out;
}

nlohmann::json IntelToJson(const IntelReport& r) {
  nlohmann::json j = {{"overall", ScoresJson(r.overall, r)}};
  j["by_lang"] = nlohmann::json::object();
  for (const auto& [lang, s] : r.by_lang) j["by_lang"][lang] = ScoresJson(s, r);
  return j;
}

Result<IntelReport> EvaluateIntel(const IntelRun& run) {
  auto gold = ReadIntelGold(run.gold_dir);
  if (!gold.ok()) return gold.status();
  IngestBatch batch;
  for (const auto& path : run.paths) {
    Status s = ReadPath(path, IngestOptions{}, &batch);
    if (!s.ok()) return s;
  }
  EnrichOptions eo;
  eo.data_dir = run.data_dir;
  Enricher enricher(eo);
  std::unique_ptr<LanguageIdentifier> lid;
  bool lid_failed = false;
  std::vector<ArticleIntel> done;
  for (Article& raw : batch.articles) {
    CleanArticle c = Clean(std::move(raw));
    ArticleIntel a;
    a.id = c.article.id;
    a.lang = ArticleLang(c.article, *gold, run, &lid, &lid_failed);
    a.text = c.article.text;
    a.found = enricher.Enrich(c.article.title, a.text, a.lang);
    done.push_back(std::move(a));
  }
  return ScoreIntel(*gold, done);
}

}  // namespace storyline::eval
