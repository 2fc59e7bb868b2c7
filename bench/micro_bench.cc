// Micro-benchmarks of the pipeline's hot paths on synthetic ~3 KB articles in
// six languages (src/synth, seed 42): Clean, LanguageIdentifier::Identify,
// Analyzer::Analyze, DupIndex::Query, Clusterer::Assign and the store's
// per-article writes. Per-article costs are the "Time" column; items/s is
// articles per second. Fixtures are built once, outside the timed loops.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "clean/clean.h"
#include "cluster/cluster.h"
#include "dedup/dedup.h"
#include "langid/langid.h"
#include "lexicon/lexicon.h"
#include "signals/signals.h"
#include "store/store.h"
#include "synth/synth.h"

namespace sl = storyline;

namespace {

constexpr size_t kPool = 12000;    // articles analysed once for the index benchmarks
constexpr size_t kQueries = 2000;  // the last kQueries of the pool are queried / assigned

struct Fixture {
  std::vector<sl::Article> raw;         // as generated
  std::vector<sl::CleanArticle> clean;  // cleaned
  std::vector<std::string> langs;       // true languages
  std::vector<sl::Signals> signals;     // computed on first use
  std::unique_ptr<sl::LanguageIdentifier> langid;
  sl::Analyzer analyzer;

  Fixture() {
    sl::synth::SynthOptions o;
    o.articles = static_cast<int64_t>(kPool);
    o.seed = 42;
    for (auto& a : sl::synth::GenerateCorpus(o)) {
      langs.push_back(a.lang);
      raw.push_back(a.article);
      clean.push_back(sl::Clean(std::move(a.article)));
    }
    auto lid = sl::LanguageIdentifier::Open({});
    if (!lid.ok()) {
      std::fprintf(stderr, "micro_bench: %s\n", lid.status().ToString().c_str());
      std::exit(1);
    }
    langid = std::move(lid).value();
  }

  const std::vector<sl::Signals>& Signals() {
    if (signals.empty()) {
      signals.reserve(clean.size());
      for (size_t i = 0; i < clean.size(); ++i)
        signals.push_back(
            analyzer.Analyze(clean[i].article.title, clean[i].article.text, langs[i]));
    }
    return signals;
  }
};

Fixture& F() {
  static Fixture f;
  return f;
}

void BM_Clean(benchmark::State& state) {
  auto& f = F();
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const sl::Article& a = f.raw[i++ % f.raw.size()];
    bytes += a.title.size() + a.text.size();
    // Includes copying the article (the engine moves it in instead).
    benchmark::DoNotOptimize(sl::Clean(a));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Clean);

void BM_LangIdIdentify(benchmark::State& state) {
  auto& f = F();
  size_t i = 0;
  for (auto _ : state) {
    const sl::Article& a = f.clean[i++ % f.clean.size()].article;
    benchmark::DoNotOptimize(f.langid->Identify(a.title, a.text));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_LangIdIdentify);

// Analyze (ICU word segmentation, case folding, stemming, names, numbers,
// shingle sketch) per language: range(0) indexes SupportedLanguages().
void BM_Analyze(benchmark::State& state) {
  auto& f = F();
  const std::string& lang = sl::synth::SupportedLanguages()[static_cast<size_t>(state.range(0))];
  std::vector<size_t> idx;
  for (size_t i = 0; i < f.clean.size() && idx.size() < 500; ++i)
    if (f.langs[i] == lang) idx.push_back(i);
  sl::Analyzer analyzer;
  size_t k = 0, bytes = 0;
  for (auto _ : state) {
    const sl::Article& a = f.clean[idx[k++ % idx.size()]].article;
    bytes += a.title.size() + a.text.size();
    benchmark::DoNotOptimize(analyzer.Analyze(a.title, a.text, lang));
  }
  state.SetLabel(lang);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Analyze)->DenseRange(0, 5);

// Analyze without the pivot lexicon and cognate keys (what pivot concepts
// cost): same articles as BM_Analyze.
void BM_AnalyzeNoPivots(benchmark::State& state) {
  auto& f = F();
  const std::string& lang = sl::synth::SupportedLanguages()[static_cast<size_t>(state.range(0))];
  std::vector<size_t> idx;
  for (size_t i = 0; i < f.clean.size() && idx.size() < 500; ++i)
    if (f.langs[i] == lang) idx.push_back(i);
  sl::SignalsOptions o;
  o.lexicon_path = "none";
  o.cognate_weight = 0;
  sl::Analyzer analyzer(o);
  size_t k = 0;
  for (auto _ : state) {
    const sl::Article& a = f.clean[idx[k++ % idx.size()]].article;
    benchmark::DoNotOptimize(analyzer.Analyze(a.title, a.text, lang));
  }
  state.SetLabel(lang);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_AnalyzeNoPivots)->DenseRange(0, 5);

// Lexicon::Lookup on the built models/pivot.lex: words of real dictionary
// languages, found and not found (skipped when the file is absent).
void BM_LexiconLookup(benchmark::State& state) {
  sl::Analyzer analyzer;
  const sl::Lexicon* lex = analyzer.lexicon();
  if (!lex) {
    state.SkipWithError("no lexicon (make build)");
    return;
  }
  std::vector<uint64_t> keys;
  for (const char* w : {"jordbävning", "regering", "president", "valet", "översvämning", "kriget"})
    keys.push_back(sl::TermKey("sv", analyzer.Stem("sv", w)));
  for (const char* w : {"erdbeben", "regierung", "wahlen", "xyzzyq", "hochwasser", "krieg"})
    keys.push_back(sl::TermKey("de", analyzer.Stem("de", w)));
  size_t k = 0, found = 0;
  for (auto _ : state) {
    auto c = lex->Lookup(keys[k++ % keys.size()]);
    found += !c.empty();
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["found"] = static_cast<double>(found) / static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_LexiconLookup);

// Query against an index of range(0) earlier articles.
void BM_DupIndexQuery(benchmark::State& state) {
  auto& f = F();
  const auto& sig = f.Signals();
  size_t n = static_cast<size_t>(state.range(0));
  sl::DupIndex index;
  for (size_t i = 0; i < n; ++i) index.Add(static_cast<uint32_t>(i), sig[i].sketch);
  size_t k = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(index.Query(sig[kPool - kQueries + k++ % kQueries].sketch));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_DupIndexQuery)->Arg(1000)->Arg(10000);

// DupIndex::Add, for comparison.
void BM_DupIndexAdd(benchmark::State& state) {
  auto& f = F();
  const auto& sig = f.Signals();
  sl::DupIndex index;
  uint32_t handle = 0;
  for (auto _ : state) {
    index.Add(handle, sig[handle % kPool].sketch);
    ++handle;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_DupIndexAdd)->Iterations(10000);

// Assign (candidate retrieval through the inverted index, scoring, merge)
// with range(0) articles already clustered. Each iteration assigns the next
// new article (fixed iteration count: every article is assigned once).
void BM_ClusterAssign(benchmark::State& state) {
  auto& f = F();
  const auto& sig = f.Signals();
  size_t n = static_cast<size_t>(state.range(0));
  sl::Clusterer clusterer;
  for (size_t i = 0; i < n; ++i)
    clusterer.Assign(f.clean[i].article.id, f.clean[i].article.title, sig[i],
                     f.clean[i].article.published);
  size_t k = kPool - kQueries;
  for (auto _ : state) {
    const sl::Article& a = f.clean[k].article;
    benchmark::DoNotOptimize(clusterer.Assign(a.id, a.title, sig[k], a.published));
    ++k;
  }
  state.counters["active_stories"] = static_cast<double>(clusterer.active_stories());
  state.counters["bytes_per_article"] =
      static_cast<double>(clusterer.MemoryBytes()) / static_cast<double>(n + state.iterations());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ClusterAssign)->Arg(1000)->Arg(10000)->Iterations(static_cast<int64_t>(kQueries));

// Clusterer::Vectors (TF-IDF weighting of one article), part of Assign.
void BM_ClusterVectors(benchmark::State& state) {
  auto& f = F();
  const auto& sig = f.Signals();
  sl::Clusterer clusterer;
  for (size_t i = 0; i < 2000; ++i) clusterer.df().Add(sig[i], {0, false});
  sl::SparseVector full, neutral;
  size_t k = 0;
  for (auto _ : state) {
    clusterer.Vectors(sig[k++ % kPool], &full, &neutral);
    benchmark::DoNotOptimize(full.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ClusterVectors);

// The store's writes for one article (PutArticle + PutMembership), committed
// every 2000 as the engine does. range(0): 0 in memory, 1 a file with
// synchronous=FULL.
void BM_StorePutArticle(benchmark::State& state) {
  auto& f = F();
  const auto& sig = f.Signals();
  bool file = state.range(0) == 1;
  std::string path = ":memory:";
  if (file) {
    std::string name = "storyline-micro-";
    name.append(std::to_string(getpid())).append(".db");
    path = (std::filesystem::temp_directory_path() / name).string();
  }
  auto cleanup = [&] {
    if (!file) return;
    std::error_code ec;
    for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s, ec);
  };
  cleanup();
  {
    auto opened = sl::OpenSqliteStore(path, {});
    if (!opened.ok()) {
      state.SkipWithError(opened.status().ToString().c_str());
      return;
    }
    auto store = std::move(opened).value();
    (void)store->Begin();
    size_t k = 0;
    for (auto _ : state) {
      size_t i = k % kPool;
      sl::StoredArticle st;
      st.article = f.clean[i].article;
      st.article.id.append("-").append(std::to_string(k / kPool));
      st.lang = f.langs[i];
      st.lang_confidence = 0.99;
      st.lang_method = "fasttext+cld2";
      st.content_hash = f.clean[i].content_hash + k / kPool;
      st.sketch = sig[i].sketch;
      st.names = sig[i].name_labels;
      (void)store->PutArticle(&st);
      (void)store->PutMembership(
          {st.article.id, "s0123456789abcdef", 0.5, "text", "{\"reason\":\"text\"}"});
      if (++k % 2000 == 0) {
        (void)store->Commit();
        (void)store->Begin();
      }
    }
    (void)store->Commit();
  }
  cleanup();
  state.SetLabel(file ? "file, synchronous=FULL" : ":memory:");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_StorePutArticle)->Arg(0)->Arg(1)->Iterations(20000);

}  // namespace
