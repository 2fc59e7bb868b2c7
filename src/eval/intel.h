// Intel evaluation: scores the enrich stage (quotes and their speakers,
// figures, entities, agency credits) against a gold directory in the
// intel-dev format (/work/shared/eval/intel-dev/README.md):
//   quotes.jsonl            {"article","lang","speaker","speaker_key","quote_snippet",...}
//   figures.jsonl           {"cluster","what","values":[{"article","value","as_written",...}]}
//   entities-seeds.jsonl or entities.jsonl   {"name","type","variants","articles"}
//   agencies.jsonl          {"article","agencies":[...]}
// A missing file skips that part. Gold offsets are into raw text while the
// Enricher sees cleaned text, so everything is matched on content.
//
// Matching rules (ScoreIntel):
//   - Quotes, per article, one to one in text order: a prediction matches a
//     gold quote when the gold snippet (whitespace-normalised, lower case,
//     curly quotes and apostrophes folded) is contained in the predicted text,
//     or the predicted text (two words or more) is contained in the snippet.
//     Detection P = matched / predicted, R = matched / gold, over all scored
//     articles (an article with no gold quote is annotated as having none).
//   - Attribution precision: matched quotes whose predicted speaker is not
//     empty; correct when the predicted speaker_key (else the last word of the
//     predicted speaker), folded to lower-case ASCII, equals the folded gold
//     key or the folded last word of (any part of) the gold speaker.
//     Attribution recall: gold quotes with a speaker that are matched and
//     correctly attributed / gold quotes with a speaker.
//   - Figures (the gold is not exhaustive): a gold value is found when a
//     predicted figure of that article has the same value (within 0.5 %) and
//     its span overlaps the number inside the gold as_written, located in the
//     cleaned text (when as_written cannot be located, any figure of that
//     value counts; such values are counted as `unlocated`). Precision is over
//     predicted figures that overlap some located gold as_written: correct
//     when the value matches that gold value. `what` accuracy: of the found
//     gold values, those whose figure has the gold `what`.
//   - Entities, per article listed in the gold: a gold entity is found when a
//     predicted entity's name or a variant equals (case-insensitively) one of
//     its variants; a predicted entity is correct when it matches some gold
//     entity of that article.
//   - Agencies, per article of agencies.jsonl: set precision and recall.
// Ratios with an empty denominator are 1.0 (as in metrics.h).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "enrich/enrich.h"
#include "langid/langid.h"

namespace storyline::eval {

struct GoldQuote {
  std::string article;
  std::string speaker;
  std::string speaker_key;
  std::string snippet;
};

struct GoldFigure {
  std::string article;
  std::string what;
  double value = 0;
  std::optional<double> value_max;
  std::string as_written;
};

struct GoldEntity {
  std::string name;
  std::vector<std::string> variants;
  std::vector<std::string> articles;
};

struct IntelGold {
  bool has_quotes = false, has_figures = false, has_entities = false, has_agencies = false;
  std::vector<GoldQuote> quotes;
  std::vector<GoldFigure> figures;
  std::vector<GoldEntity> entities;
  std::map<std::string, std::vector<std::string>> agencies;  // article -> agencies
  std::map<std::string, std::string> lang;                   // article -> gold "lang", if any
};

// Reads the gold files of `dir`. NotFound if `dir` is not a directory;
// Corruption (naming file and line) for a malformed line.
Result<IntelGold> ReadIntelGold(const std::string& dir);

// One article as the Enricher saw it, with what it found.
struct ArticleIntel {
  std::string id;
  std::string lang;
  std::string text;  // the cleaned body the offsets point into
  Enrichment found;
};

// Numerators and denominators, so that languages add up.
struct Ratio {
  int64_t hit = 0;
  int64_t total = 0;
  double Value() const { return total == 0 ? 1.0 : static_cast<double>(hit) / total; }
};

struct IntelScores {
  int64_t articles = 0;
  Ratio quote_precision, quote_recall;
  Ratio attribution_precision, attribution_recall;
  Ratio figure_precision, figure_recall, figure_what;
  int64_t figures_unlocated = 0;
  Ratio entity_precision, entity_recall;
  Ratio agency_precision, agency_recall;
  void Add(const IntelScores& o);
};

struct IntelReport {
  IntelScores overall;
  std::map<std::string, IntelScores> by_lang;
  bool has_quotes = false, has_figures = false, has_entities = false, has_agencies = false;
};

// Scores the predictions of the given articles; gold items of other articles
// are ignored.
IntelReport ScoreIntel(const IntelGold& gold, const std::vector<ArticleIntel>& articles);

// Lower-case ASCII with diacritics removed and any script transliterated
// ("Häupl" -> "haupl", "Путин" -> "putin").
std::string FoldKey(const std::string& s);

std::string IntelToText(const IntelReport& report);
nlohmann::json IntelToJson(const IntelReport& report);

struct IntelRun {
  std::string gold_dir;
  std::vector<std::string> paths;  // articles: files, directories, JSON Lines
  std::string data_dir;            // for the Enricher ("" = default)
  LangIdOptions langid;            // used only for articles with no language given
};

// Reads, cleans, identifies and enriches every article, then scores them.
Result<IntelReport> EvaluateIntel(const IntelRun& run);

}  // namespace storyline::eval
