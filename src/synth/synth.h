// Synth: a deterministic synthetic news corpus with known stories, for
// benchmarks (`storyline bench`, the micro-benchmarks) and tests.
//
// The corpus imitates a multilingual news feed:
//   - languages en, no, sv, de, fr, ru (any subset): each has a small list of
//     real function words and a procedurally generated content vocabulary
//     (language-typical letters, syllables and suffixes; German nouns
//     capitalised; Russian in Cyrillic) drawn with a Zipf distribution. The
//     vocabularies share one concept space, so a story told in two languages
//     uses translated words;
//   - sentences and paragraphs, capitalised person and place names (Cyrillic
//     in Russian, with case endings), numbers in local formats ("12,345" /
//     "12.345" / "12 345", "2.5 million" / "2,5 Millionen" / "2,5 млн");
//   - stories of varied size (mostly singletons, a heavy tail of large ones),
//     some multilingual, each lasting 1-4 days, over a time span set by
//     `articles_per_day`;
//   - wire copies: an article that reuses most paragraphs of an earlier one in
//     the same story and language, with a new title and a paragraph added.
//
// Articles come out in publication order through a streaming generator, so a
// million articles need not be in memory at once (only the plans of stories
// still running are kept; a wire copy regenerates its original from a seed).
// Same options (seed included) => byte-identical corpus: a fixed PRNG
// (splitmix64) and no std:: distributions decide content; the only libm calls
// are log/pow/exp on doubles, identical for a given C library.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ingest/ingest.h"

namespace storyline::synth {

struct SynthOptions {
  int64_t articles = 10000;
  uint64_t seed = 42;
  // Languages to draw from (codes as in Storyline: "no" is Norwegian Bokmål).
  // Supported: en, no, sv, de, fr, ru. Weights: en twice the others.
  std::vector<std::string> languages = {"en", "no", "sv", "de", "fr", "ru"};
  // Mean size of title + text, bytes (UTF-8).
  int mean_bytes = 3000;
  // Time density; the corpus spans articles / articles_per_day days (at least
  // one) unless `days` is set.
  double articles_per_day = 10000;
  double days = 0;
  // Fraction of stories that are a single article.
  double singleton_fraction = 0.6;
  // Story size tail: P(size = k) ~ k^-size_exponent for 2 <= k <= max_story_size.
  double size_exponent = 2.2;
  int max_story_size = 400;
  // Story duration, days (uniform in [min, max]); articles are front-loaded.
  double min_story_days = 1;
  double max_story_days = 4;
  // Target fraction of all articles that are wire copies.
  double wire_fraction = 0.1;
  // Fraction of stories with 3+ articles that are told in several languages.
  double multilingual_fraction = 0.3;
  // Set Article::lang_hint to the true language (as some feeds declare it).
  bool lang_hints = false;
  // Time of the first story, Unix seconds (2024-01-01T00:00:00Z).
  int64_t start_time = 1704067200;
  // Article ids are id_prefix + a zero-padded serial number.
  std::string id_prefix = "syn";
};

// One generated article and the truth about it.
struct SynthArticle {
  Article article;      // published, source, url and origin are set; lang_hint only with lang_hints
  std::string story;    // the true story id ("t" + serial of the story)
  std::string lang;     // the true language
  std::string copy_of;  // id of the article this is a wire copy of; "" if none
};

// Streams a corpus in publication order (ties: generation order).
class CorpusGenerator {
 public:
  explicit CorpusGenerator(const SynthOptions& options);
  ~CorpusGenerator();
  CorpusGenerator(const CorpusGenerator&) = delete;
  CorpusGenerator& operator=(const CorpusGenerator&) = delete;

  // Appends up to `max` articles to `out`; returns how many (0: the corpus is
  // complete).
  size_t Next(size_t max, std::vector<SynthArticle>* out);

  int64_t produced() const;  // articles returned so far
  int64_t total() const;     // options.articles
  bool done() const { return produced() >= total(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The whole corpus at once (convenient for small corpora and tests).
std::vector<SynthArticle> GenerateCorpus(const SynthOptions& options);

// The languages the generator knows.
const std::vector<std::string>& SupportedLanguages();

}  // namespace storyline::synth
