#include "summary/summary.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>
#include <unordered_map>

#include "common/text.h"
#include "signals/signals.h"

namespace storyline {
namespace {

// A sparse vector over language-neutral features (names, numbers, pivot
// concepts), unit length; same-language stems are added when asked.
struct Vec {
  std::vector<Feature> f;  // sorted by key
  std::string lang;
};

Vec Normalise(std::vector<Feature> f, std::string lang) {
  std::sort(f.begin(), f.end(), [](const Feature& a, const Feature& b) { return a.key < b.key; });
  std::vector<Feature> merged;
  for (const auto& x : f) {
    if (!merged.empty() && merged.back().key == x.key)
      merged.back().tf += x.tf;
    else
      merged.push_back(x);
  }
  double n = 0;
  for (const auto& x : merged) n += static_cast<double>(x.tf) * x.tf;
  n = std::sqrt(n);
  if (n > 0)
    for (auto& x : merged) x.tf = static_cast<float>(x.tf / n);
  return {std::move(merged), std::move(lang)};
}

Vec Vectorise(const Signals& s, const std::string& lang, bool stems, bool names = true) {
  std::vector<Feature> f;
  for (const auto* list : {&s.names, &s.numbers}) {
    if (!names && list == &s.names) continue;
    for (auto x : *list) {
      x.tf *= 1.5f;  // names and numbers are the strongest evidence across languages
      f.push_back(x);
    }
  }
  for (const auto& x : s.pivots) f.push_back(x);
  if (stems)
    for (const auto& x : s.terms) f.push_back(x);
  return Normalise(std::move(f), lang);
}

uint64_t VectorKey(const std::string& text, const std::string& lang, bool stems, bool names) {
  std::string k = lang;
  k.push_back('\0');
  k.push_back(static_cast<char>('0' + stems * 2 + names));
  k += text;
  return Hash64(k, 0x76656373u);
}

// The vectors of `text` with these flags, from the memo when it has them.
// `kinds` lists {stems, names} pairs; the text is analysed at most once.
std::vector<Vec> CachedVectors(Analyzer& an, SummaryMemo* memo, const std::string& text,
                               const std::string& lang,
                               std::initializer_list<std::pair<bool, bool>> kinds) {
  std::vector<Vec> out;
  std::optional<Signals> sig;
  for (auto [stems, names] : kinds) {
    uint64_t key = memo ? VectorKey(text, lang, stems, names) : 0;
    if (const auto* hit = memo ? memo->FindVector(key) : nullptr) {
      out.push_back({*hit, lang});
      continue;
    }
    if (!sig) sig = an.Analyze("", text, lang);
    out.push_back(Vectorise(*sig, lang, stems, names));
    if (memo) memo->PutVector(key, out.back().f);
  }
  return out;
}

Vec Features(Analyzer& an, SummaryMemo* memo, const std::string& text, const std::string& lang,
             bool stems) {
  return std::move(CachedVectors(an, memo, text, lang, {{stems, true}})[0]);
}

// Calls fn(weight a, weight b) for each feature the two vectors share.
template <typename Fn>
void ForShared(const Vec& a, const Vec& b, Fn fn) {
  size_t i = 0, j = 0;
  while (i < a.f.size() && j < b.f.size()) {
    if (a.f[i].key < b.f[j].key) {
      ++i;
    } else if (b.f[j].key < a.f[i].key) {
      ++j;
    } else {
      fn(a.f[i].tf, b.f[j].tf);
      ++i, ++j;
    }
  }
}

double Cosine(const Vec& a, const Vec& b) {
  double d = 0;
  ForShared(a, b, [&](float x, float y) { d += static_cast<double>(x) * y; });
  return d;
}

// Shared features over the smaller set (a short quote inside a long
// sentence that reports it); 0 unless at least two are shared.
double Overlap(const Vec& a, const Vec& b) {
  size_t shared = 0;
  ForShared(a, b, [&](float, float) { ++shared; });
  size_t n = std::min(a.f.size(), b.f.size());
  return shared >= 2 && n > 0 ? static_cast<double>(shared) / static_cast<double>(n) : 0.0;
}

struct UnionFind {
  std::vector<size_t> parent;
  explicit UnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  size_t Find(size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void Join(size_t a, size_t b) {
    a = Find(a), b = Find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
};

std::vector<std::string> Sentences(const std::string& text, size_t max);

// ---- entities ----

std::vector<StoryEntity> MergeEntities(const std::vector<const SummaryArticle*>& arts,
                                       const SummaryOptions& o) {
  struct Agg {
    std::map<std::string, int> names;  // fullest name per article -> weight
    std::map<EntityType, int> types;
    std::set<std::string> langs, variants, articles;
    uint32_t count = 0;
    size_t first = 0;  // order of first sight, for ties
  };
  std::map<std::string, Agg> by_key;
  size_t seen = 0;
  for (const SummaryArticle* a : arts)
    for (const Entity& e : a->intel.entities) {
      if (e.key.empty()) continue;
      auto [it, fresh] = by_key.try_emplace(e.key);
      Agg& g = it->second;
      if (fresh) g.first = seen++;
      // An English article's form names it, when there is one (the view's
      // language; Schweden, Sverige and Швеция are Sweden).
      g.names[e.name] += a->lang == "en" ? 3 : 1;
      ++g.types[e.type];
      g.langs.insert(a->lang);
      g.variants.insert(e.variants.begin(), e.variants.end());
      g.variants.insert(e.name);
      g.articles.insert(a->id);
      g.count += e.count;
    }
  std::vector<StoryEntity> out;
  std::vector<size_t> firsts;
  for (auto& [key, g] : by_key) {
    StoryEntity e;
    e.key = key;
    // The name most articles give in full; ties go to the longer (fuller) one.
    int best = -1;
    for (const auto& [name, n] : g.names)
      if (n > best || (n == best && name.size() > e.name.size())) best = n, e.name = name;
    int tbest = -1;
    for (const auto& [t, n] : g.types)
      if (n > tbest) tbest = n, e.type = t;
    e.count = g.count;
    e.articles = static_cast<uint32_t>(g.articles.size());
    e.languages.assign(g.langs.begin(), g.langs.end());
    e.variants.assign(g.variants.begin(), g.variants.end());
    out.push_back(std::move(e));
    firsts.push_back(g.first);
  }
  std::vector<size_t> idx(out.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
    return std::tuple(out[b].articles, out[b].count, firsts[a]) <
           std::tuple(out[a].articles, out[a].count, firsts[b]);
  });
  std::vector<StoryEntity> sorted;
  for (size_t i : idx)
    if (sorted.size() < o.max_entities) sorted.push_back(std::move(out[i]));
  return sorted;
}

// ---- quotes ----

// Speech verbs of reported speech, and the Scandinavian "Det uppger X"
// that attributes the sentence before it.
bool IsSpeechVerb(const std::string& w) {
  static const std::set<std::string> verbs = {
      "says", "said",   "told",     "stated",  "declared", "insisted", "warned",
      "sier", "sa",     "uttalte",  "säger",   "sade",     "uppger",   "uppgav",
      "sagt", "sagte",  "erklärte", "betonte", "dit",      "déclaré",  "affirmé",
      "dijo", "afirmó", "declaró",  "disse",   "afirmou",  "заявил",   "сказал"};
  return verbs.count(w) > 0;
}

std::vector<std::string> Words(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ' ' || c == ',' || c == '.' || c == ':' || c == ';' || c == '"') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// Sentences that report, without quote marks, what a person named in them
// (or, for "Det uppger X", in the attribution that follows) said.
std::vector<StoryQuote> ReportedStatements(const SummaryArticle& a) {
  std::vector<StoryQuote> out;
  std::vector<const Entity*> people;
  for (const Entity& e : a.intel.entities)
    if (e.type == EntityType::kPerson && !e.key.empty()) people.push_back(&e);
  if (people.empty()) return out;
  // The speaker is named next to the speech verb ("Putin has said",
  // "says Putin", "Det uppger president Vladimir Putin").
  auto speaker_near = [&](const std::vector<std::string>& w, size_t verb) -> const Entity* {
    std::string window;
    for (size_t k = verb >= 4 ? verb - 4 : 0; k < std::min(w.size(), verb + 5); ++k)
      window += w[k] + " ";
    for (const Entity* e : people)
      for (const auto& v : e->variants)
        if (v.size() >= 3 && window.find(v + " ") != std::string::npos) return e;
    return nullptr;
  };
  std::vector<std::string> sentences = Sentences(a.title + "\n" + a.text, 200);
  // A sentence that is mostly a direct quote (or a dash paragraph) is the
  // quote's, not reported speech; a short partial quote inside it is fine.
  auto direct = [](const std::string& s) {
    size_t first = std::string::npos, last = 0;
    for (const char* mark : {"\"", "\u201C", "\u201D", "\u00AB", "\u00BB", "\u201E"}) {
      size_t f = s.find(mark), l = s.rfind(mark);
      if (f == std::string::npos) continue;
      first = std::min(first, f);
      last = std::max(last, l);
    }
    bool dash = s.rfind("\u2013", 0) == 0 || s.rfind("\u2014", 0) == 0 || s.rfind("- ", 0) == 0;
    return dash || (first != std::string::npos && (first < 3 || (last - first) * 2 > s.size()));
  };
  for (size_t i = 0; i < sentences.size(); ++i) {
    const std::string& s = sentences[i];
    if (direct(s)) continue;
    std::vector<std::string> w = Words(s);
    if (w.size() < 4) continue;
    for (size_t k = 0; k < w.size(); ++k) {
      if (!IsSpeechVerb(w[k])) continue;
      const Entity* e = speaker_near(w, k);
      if (!e) continue;
      // "Det uppger/sier X ...": the sentence before is the statement.
      bool back = k == 1 && (w[0] == "Det" || w[0] == "Dette" || w[0] == "Detta");
      if (back && (i == 0 || direct(sentences[i - 1]))) break;
      out.push_back({"reported", e->name, e->key, back ? sentences[i - 1] : s, a.lang, a.id, 0});
      break;
    }
  }
  return out;
}

std::vector<StoryQuote> GroupQuotes(const std::vector<const SummaryArticle*>& arts, Analyzer& an,
                                    SummaryMemo* memo, const SummaryOptions& o) {
  std::vector<StoryQuote> qs;
  for (const SummaryArticle* a : arts) {
    for (const Quote& q : a->intel.quotes)
      qs.push_back({q.form == QuoteForm::kDash ? "dash" : "marks", q.speaker, q.speaker_key, q.text,
                    a->lang, a->id, 0});
    const std::vector<StoryQuote>* known =
        memo && a->digest ? memo->FindReported(a->digest) : nullptr;
    if (known) {
      qs.insert(qs.end(), known->begin(), known->end());
      continue;
    }
    auto reported = ReportedStatements(*a);
    qs.insert(qs.end(), reported.begin(), reported.end());
    if (memo && a->digest) memo->PutReported(a->digest, std::move(reported));
  }
  // Only a speaker quoted directly and heard in two articles can have a
  // statement to group: the others are not analysed at all.
  std::map<std::string, std::set<std::string>> articles_of;
  std::set<std::string> direct;
  for (const auto& q : qs) {
    if (q.speaker_key.empty()) continue;
    articles_of[q.speaker_key].insert(q.article);
    if (q.form != "reported") direct.insert(q.speaker_key);
  }
  std::vector<Vec> vecs(qs.size());     // stems, concepts and numbers: what was said
  std::vector<Vec> neutral(qs.size());  // concepts and numbers only: across languages
  for (size_t i = 0; i < qs.size(); ++i) {
    const std::string& k = qs[i].speaker_key;
    if (k.empty() || !direct.count(k) || articles_of[k].size() < 2) continue;
    // What was said, not who is named in it (the speaker is compared apart).
    auto v = CachedVectors(an, memo, qs[i].text, qs[i].lang,
                           {{/*stems=*/true, /*names=*/false}, {false, false}});
    vecs[i] = std::move(v[0]);
    neutral[i] = std::move(v[1]);
  }
  // Stems only meet within a language; across languages the concepts decide.
  auto overlap = [&](size_t i, size_t j) {
    return qs[i].lang == qs[j].lang ? Overlap(vecs[i], vecs[j]) : Overlap(neutral[i], neutral[j]);
  };
  UnionFind uf(qs.size());
  auto same_speaker = [&](size_t i, size_t j) {
    return !qs[i].speaker_key.empty() && qs[i].speaker_key == qs[j].speaker_key &&
           qs[i].article != qs[j].article;
  };
  // Direct quotes of one speaker in different articles that say the same.
  for (size_t i = 0; i < qs.size(); ++i)
    for (size_t j = i + 1; j < qs.size(); ++j)
      if (qs[i].form != "reported" && qs[j].form != "reported" && same_speaker(i, j) &&
          (Cosine(vecs[i], vecs[j]) >= o.quote_similarity ||
           (qs[i].lang != qs[j].lang && overlap(i, j) >= o.reported_overlap)))
        uf.Join(i, j);
  // A reported statement joins the direct quote it is closest to, if any.
  for (size_t i = 0; i < qs.size(); ++i) {
    if (qs[i].form != "reported") continue;
    double best = o.reported_overlap;
    size_t arg = qs.size();
    for (size_t j = 0; j < qs.size(); ++j)
      if (qs[j].form != "reported" && same_speaker(i, j))
        if (double c = overlap(i, j); c >= best) best = c, arg = j;
    if (arg < qs.size()) uf.Join(i, arg);
  }
  // Groups numbered by size (largest first), then by first appearance.
  std::map<size_t, std::vector<size_t>> groups;
  for (size_t i = 0; i < qs.size(); ++i) groups[uf.Find(i)].push_back(i);
  std::vector<std::vector<size_t>> order;
  for (auto& [root, members] : groups) order.push_back(std::move(members));
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.size() > b.size(); });
  std::vector<StoryQuote> out;
  int g = 0;
  for (const auto& members : order) {
    bool direct = false;
    for (size_t i : members) direct |= qs[i].form != "reported";
    if (!direct) continue;  // reported speech is shown beside a direct quote only
    ++g;
    for (size_t i : members) {
      out.push_back(qs[i]);
      out.back().group = g;
    }
  }
  return out;
}

// ---- figures ----

std::vector<StoryFigure> CompareFigures(const std::vector<const SummaryArticle*>& arts,
                                        const SummaryOptions& o) {
  std::map<std::pair<std::string, std::string>, std::vector<FigureValue>> by_kind;
  for (const SummaryArticle* a : arts)
    for (const Figure& f : a->intel.figures) {
      if (f.what.empty() || f.value <= 0) continue;
      by_kind[{f.what, f.unit}].push_back({f.value, f.value_max, f.as_written, a->id, a->lang});
    }
  std::vector<StoryFigure> out;
  for (auto& [kind, values] : by_kind) {
    std::stable_sort(values.begin(), values.end(),
                     [](const FigureValue& a, const FigureValue& b) { return a.value < b.value; });
    // Values within `figure_ratio` of their neighbour are one quantity.
    size_t start = 0;
    for (size_t i = 1; i <= values.size(); ++i) {
      if (i < values.size() && values[i].value <= values[i - 1].value * o.figure_ratio) continue;
      StoryFigure f{kind.first, kind.second, {values.begin() + start, values.begin() + i}, false};
      std::set<std::string> articles;
      for (const auto& v : f.values) articles.insert(v.article);
      for (const auto& a : f.values)
        for (const auto& b : f.values)
          if (a.article != b.article &&
              std::fabs(a.value - b.value) > 0.005 * std::max(a.value, b.value))
            f.disagree = true;
      if (articles.size() >= 2) out.push_back(std::move(f));
      start = i;
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const StoryFigure& a, const StoryFigure& b) {
    return std::pair(a.disagree, a.values.size()) > std::pair(b.disagree, b.values.size());
  });
  if (out.size() > o.max_figures) out.resize(o.max_figures);
  return out;
}

// ---- sources ----

StorySources CountSources(
    const std::vector<const SummaryArticle*>& whole, const std::vector<SummaryLink>& links,
    const std::function<std::vector<std::string>(const SummaryArticle&)>& agencies_of) {
  StorySources s;
  s.articles = static_cast<int>(whole.size());
  auto all = [&](size_t i) -> const SummaryArticle& { return *whole[i]; };
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < whole.size(); ++i) index.emplace(all(i).id, i);
  UnionFind uf(whole.size());
  for (const auto& l : links) {
    auto a = index.find(l.article), b = index.find(l.of);
    if (a == index.end() || b == index.end()) continue;
    uf.Join(a->second, b->second);
    s.copies.push_back(l);
  }
  std::unordered_map<std::string, size_t> by_source;
  std::set<std::string> agencies;
  for (size_t i = 0; i < whole.size(); ++i) {
    ++s.by_language[all(i).lang];
    for (auto& a : agencies_of(all(i))) agencies.insert(std::move(a));
    if (all(i).source.empty()) continue;
    auto [it, fresh] = by_source.emplace(all(i).source, i);
    if (!fresh) uf.Join(i, it->second);
  }
  std::set<size_t> roots;
  for (size_t i = 0; i < whole.size(); ++i) roots.insert(uf.Find(i));
  s.independent = static_cast<int>(roots.size());
  s.agencies.assign(agencies.begin(), agencies.end());
  return s;
}

// ---- headline and bullets ----

std::vector<std::string> Sentences(const std::string& text, size_t max) {
  std::vector<std::string> out;
  size_t i = 0;
  std::string cur;
  auto push = [&]() {
    size_t b = cur.find_first_not_of(" \t");
    size_t e = cur.find_last_not_of(" \t");
    if (b != std::string::npos) {
      std::string s = cur.substr(b, e - b + 1);
      if (s.size() >= 40 && s.size() <= 400) out.push_back(std::move(s));
    }
    cur.clear();
  };
  for (; i < text.size() && out.size() < max; ++i) {
    char c = text[i];
    if (c == '\n') {
      push();
      continue;
    }
    cur.push_back(c);
    if ((c == '.' || c == '!' || c == '?') && i + 2 < text.size() && text[i + 1] == ' ') {
      unsigned char n = static_cast<unsigned char>(text[i + 2]);
      // A new sentence starts with a capital (or a quote mark / dash / non-ASCII letter).
      bool upper = (n >= 'A' && n <= 'Z') || n >= 0xC0 || n == '"' || n == '-';
      // Not after an initial or a short abbreviation ("Mr.", "Dr.", "U.S.").
      size_t w = cur.find_last_of(' ');
      std::string word = cur.substr(w == std::string::npos ? 0 : w + 1);
      bool abbreviation = word.size() <= 4 && !word.empty() && word[0] >= 'A' && word[0] <= 'Z';
      if (upper && !abbreviation) push();
    }
  }
  push();
  if (out.size() > max) out.resize(max);
  return out;
}

struct Candidate {
  std::string text;
  size_t article;  // index into the summarised articles
  Vec vec;
  double centrality = 0;
};

// The title closest to all the others (language-neutral evidence); per
// language too.
void ChooseHeadlines(const std::vector<const SummaryArticle*>& arts, Analyzer& an,
                     SummaryMemo* memo, StoryIntel* out) {
  if (arts.size() == 1) {  // nothing to compare with
    out->headline = arts[0]->title;
    out->headline_lang = arts[0]->lang;
    if (!out->headline.empty()) out->headlines[arts[0]->lang] = out->headline;
    return;
  }
  std::vector<Vec> v;
  for (const SummaryArticle* a : arts) v.push_back(Features(an, memo, a->title, a->lang, false));
  std::map<std::string, std::pair<double, size_t>> best_by_lang;
  double best = -1;
  for (size_t i = 0; i < arts.size(); ++i) {
    if (arts[i]->title.empty()) continue;
    double c = 0;
    for (size_t j = 0; j < arts.size(); ++j)
      if (j != i) c += Cosine(v[i], v[j]);
    auto [it, fresh] = best_by_lang.try_emplace(arts[i]->lang, c, i);
    if (!fresh && c > it->second.first) it->second = {c, i};
    if (c > best) {
      best = c;
      out->headline = arts[i]->title;
      out->headline_lang = arts[i]->lang;
    }
  }
  for (const auto& [lang, b] : best_by_lang) out->headlines[lang] = arts[b.second]->title;
}

// Sentences that many sources support, most central first, redundancy
// removed (maximal marginal relevance).
std::vector<Bullet> ChooseBullets(const std::vector<const SummaryArticle*>& arts, Analyzer& an,
                                  SummaryMemo* memo, const std::string& prefer_lang,
                                  const SummaryOptions& o) {
  if (arts.size() == 1) {
    // One article: no other source to support a sentence; its lead is the summary.
    std::vector<Bullet> out;
    for (auto& sentence : Sentences(arts[0]->text, o.min_bullets))
      out.push_back({std::move(sentence), arts[0]->lang, {arts[0]->id}});
    return out;
  }
  std::vector<Candidate> cs;
  for (size_t i = 0; i < arts.size(); ++i)
    for (auto& s : Sentences(arts[i]->text, o.sentences_per_article)) {
      Vec v = Features(an, memo, s, arts[i]->lang, false);
      if (v.f.empty()) continue;
      cs.push_back({std::move(s), i, std::move(v), 0});
    }
  if (cs.empty()) return {};
  std::vector<std::vector<double>> sim(cs.size(), std::vector<double>(cs.size(), 0));
  for (size_t i = 0; i < cs.size(); ++i)
    for (size_t j = i + 1; j < cs.size(); ++j) sim[i][j] = sim[j][i] = Cosine(cs[i].vec, cs[j].vec);
  double top = 0;
  for (size_t i = 0; i < cs.size(); ++i) {
    // Support from other articles only: a source does not confirm itself.
    for (size_t j = 0; j < cs.size(); ++j)
      if (cs[j].article != cs[i].article) cs[i].centrality += sim[i][j];
    // Lead sentences and the reader's language are preferred a little.
    if (!prefer_lang.empty() && arts[cs[i].article]->lang != prefer_lang) cs[i].centrality *= 0.8;
    top = std::max(top, cs[i].centrality);
  }
  std::vector<size_t> picked;
  std::vector<bool> used(cs.size(), false);
  while (picked.size() < o.max_bullets) {
    double best = -1e9;
    size_t arg = cs.size();
    for (size_t i = 0; i < cs.size(); ++i) {
      if (used[i]) continue;
      double redundancy = 0;
      for (size_t p : picked) redundancy = std::max(redundancy, sim[i][p]);
      if (redundancy >= 0.9) continue;  // the same sentence again (a copy, a wire paragraph)
      double score =
          o.mmr_lambda * (top > 0 ? cs[i].centrality / top : 0) - (1 - o.mmr_lambda) * redundancy;
      if (score > best) best = score, arg = i;
    }
    if (arg == cs.size()) break;
    // Past the minimum, stop when what is left is mostly repetition.
    if (picked.size() >= o.min_bullets && best <= 0) break;
    used[arg] = true;
    picked.push_back(arg);
  }
  std::vector<Bullet> out;
  for (size_t p : picked) {
    Bullet b{cs[p].text, arts[cs[p].article]->lang, {arts[cs[p].article]->id}};
    std::set<size_t> cited = {cs[p].article};
    for (size_t j = 0; j < cs.size(); ++j)
      if (sim[p][j] >= o.cite_similarity && cited.insert(cs[j].article).second)
        b.articles.push_back(arts[cs[j].article]->id);
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<TimelineEntry> Timeline(const std::vector<SummaryArticle>& all,
                                    const std::vector<SummaryLink>& links) {
  std::unordered_map<std::string, std::string> copy_of;
  for (const auto& l : links)
    if (l.kind != "shares_text") copy_of.emplace(l.article, l.of);
  std::vector<TimelineEntry> out;
  for (const auto& a : all) {
    auto it = copy_of.find(a.id);
    out.push_back({a.published, a.id, a.title, a.lang, a.source,
                   it == copy_of.end() ? std::string() : it->second});
  }
  std::stable_sort(out.begin(), out.end(), [](const TimelineEntry& a, const TimelineEntry& b) {
    // Undated last.
    return std::pair(!a.time, a.time.value_or(0)) < std::pair(!b.time, b.time.value_or(0));
  });
  return out;
}

}  // namespace

const StoryIntel* SummaryMemo::Find(uint64_t key) {
  const StoryIntel* hit = analysed_.Find(key);
  ++(hit ? hits_ : misses_);
  return hit;
}

void SummaryMemo::Put(uint64_t key, StoryIntel analysed) {
  analysed_.Put(key, std::move(analysed));
}

const std::vector<Feature>* SummaryMemo::FindVector(uint64_t key) {
  const std::vector<Feature>* hit = vectors_.Find(key);
  ++(hit ? vector_hits_ : vector_misses_);
  return hit;
}

void SummaryMemo::PutVector(uint64_t key, std::vector<Feature> features) {
  vectors_.Put(key, std::move(features));
}

StoryIntel Summarize(const std::vector<SummaryArticle>& articles,
                     const std::vector<SummaryLink>& links, Analyzer& analyzer,
                     const SummaryOptions& o, SummaryMemo* memo) {
  StoryIntel out;
  // The earliest `max_articles` (the ones that made the story), copies last.
  std::set<std::string> copies;
  for (const auto& l : links)
    if (l.kind == "exact" || l.kind == "near_duplicate" || l.kind == "wire_copy")
      copies.insert(l.article);
  std::vector<const SummaryArticle*> whole;  // articles, not live-blog entries
  for (const auto& a : articles)
    if (!a.entry) whole.push_back(&a);
  std::vector<const SummaryArticle*> arts = whole;
  std::stable_sort(arts.begin(), arts.end(), [&](const SummaryArticle* a, const SummaryArticle* b) {
    return std::tuple(copies.count(a->id), !a->published, a->published.value_or(0)) <
           std::tuple(copies.count(b->id), !b->published, b->published.value_or(0));
  });
  if (arts.size() > o.max_articles) arts.resize(o.max_articles);
  std::vector<const SummaryArticle*> originals;
  for (const SummaryArticle* a : arts)
    if (!copies.count(a->id)) originals.push_back(a);
  if (originals.empty()) originals = arts;

  // The memo's key: the summarised articles in order, their digests and
  // which are copies (that decides `originals`).
  std::optional<uint64_t> key;
  if (memo) {
    std::string k;
    bool known = true;
    for (const SummaryArticle* a : arts) {
      known &= a->digest != 0;
      char buf[sizeof(uint64_t)];
      std::memcpy(buf, &a->digest, sizeof buf);
      k.append(buf, sizeof buf).push_back(copies.count(a->id) ? 'c' : 'o');
    }
    if (known && !arts.empty()) key = Hash64(k, 0x73756d6du);
  }
  const StoryIntel* hit = key ? memo->Find(*key) : nullptr;
  std::vector<SummaryArticle> decoded;  // analysed articles given as JSON, decoded
  if (!hit) {
    std::unordered_map<const SummaryArticle*, const SummaryArticle*> as_decoded;
    decoded.reserve(arts.size());  // (no reallocation: pointers into it are kept)
    for (const SummaryArticle*& a : arts) {
      if (a->intel_json.empty()) continue;
      decoded.push_back(*a);
      decoded.back().intel_json.clear();
      const uint64_t k = memo ? Hash64(a->intel_json, 0x64656364u) : 0;
      if (const Enrichment* known = memo ? memo->FindDecoded(k) : nullptr) {
        decoded.back().intel = *known;
      } else {
        DecodeEnrichment(a->intel_json, &decoded.back().intel);
        if (memo) memo->PutDecoded(k, decoded.back().intel);
      }
      as_decoded[a] = &decoded.back();
      a = &decoded.back();
    }
    for (const SummaryArticle*& a : originals)
      if (auto it = as_decoded.find(a); it != as_decoded.end()) a = it->second;
  }
  if (hit) {
    out = *hit;  // stored before its sources and timeline were set
  } else {
    out.entities = MergeEntities(arts, o);
    out.quotes = GroupQuotes(arts, analyzer, memo, o);
    out.figures = CompareFigures(arts, o);
    ChooseHeadlines(originals, analyzer, memo, &out);
    std::string prefer = out.headline_lang;
    out.bullets = ChooseBullets(originals, analyzer, memo, prefer, o);
    if (key) memo->Put(*key, out);  // sources and timeline are not set yet
  }
  out.sources = CountSources(whole, links, [&](const SummaryArticle& a) {
    if (a.intel_json.empty()) return a.intel.agencies;
    const uint64_t k = Hash64(a.intel_json, 0x6167656eu);
    if (const auto* known = memo ? memo->FindAgencies(k) : nullptr) return *known;
    Enrichment e;
    DecodeEnrichment(a.intel_json, &e);
    if (memo) memo->PutAgencies(k, e.agencies);
    return e.agencies;
  });
  out.timeline = Timeline(articles, links);
  if (out.timeline.size() > o.timeline_first + o.timeline_last) {
    out.timeline_omitted = out.timeline.size() - o.timeline_first - o.timeline_last;
    out.timeline_omitted_after = o.timeline_first;
    out.timeline.erase(out.timeline.begin() + static_cast<std::ptrdiff_t>(o.timeline_first),
                       out.timeline.end() - static_cast<std::ptrdiff_t>(o.timeline_last));
  }
  return out;
}

std::string EncodeStoryIntel(const StoryIntel& s) {
  using nlohmann::json;
  json j;
  json ents = json::array();
  for (const auto& e : s.entities)
    ents.push_back({{"name", e.name},
                    {"type", EntityTypeName(e.type)},
                    {"key", e.key},
                    {"count", e.count},
                    {"articles", e.articles},
                    {"languages", e.languages},
                    {"variants", e.variants}});
  json quotes = json::array();
  for (const auto& q : s.quotes)
    quotes.push_back({{"form", q.form},
                      {"speaker", q.speaker},
                      {"speaker_key", q.speaker_key},
                      {"text", q.text},
                      {"lang", q.lang},
                      {"article", q.article},
                      {"group", q.group}});
  json figs = json::array();
  for (const auto& f : s.figures) {
    json values = json::array();
    for (const auto& v : f.values) {
      json x = {{"value", v.value},
                {"as_written", v.as_written},
                {"article", v.article},
                {"lang", v.lang}};
      if (v.value_max) x["value_max"] = *v.value_max;
      values.push_back(std::move(x));
    }
    figs.push_back(
        {{"what", f.what}, {"unit", f.unit}, {"values", values}, {"disagree", f.disagree}});
  }
  json copies = json::array();
  for (const auto& c : s.sources.copies)
    copies.push_back({{"article", c.article}, {"of", c.of}, {"kind", c.kind}});
  json bullets = json::array();
  for (const auto& b : s.bullets)
    bullets.push_back({{"text", b.text}, {"lang", b.lang}, {"articles", b.articles}});
  json timeline = json::array();
  for (const auto& t : s.timeline) {
    json x = {{"article", t.article}, {"title", t.title}, {"lang", t.lang}, {"source", t.source}};
    x["time"] = t.time ? json(*t.time) : json(nullptr);
    if (!t.copy_of.empty()) x["copy_of"] = t.copy_of;
    timeline.push_back(std::move(x));
  }
  j["entities"] = std::move(ents);
  j["quotes"] = std::move(quotes);
  j["figures"] = std::move(figs);
  j["sources"] = {{"articles", s.sources.articles},
                  {"independent", s.sources.independent},
                  {"agencies", s.sources.agencies},
                  {"copies", copies},
                  {"languages", s.sources.by_language}};
  j["summary"] = {{"headline", s.headline},
                  {"headline_lang", s.headline_lang},
                  {"headlines", s.headlines},
                  {"bullets", bullets}};
  j["timeline"] = std::move(timeline);
  j["timeline_omitted"] =
      s.timeline_omitted ? json{{"after", s.timeline_omitted_after}, {"count", s.timeline_omitted}}
                         : json(nullptr);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace storyline
