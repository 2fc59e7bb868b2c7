// Enrich: per-article intelligence. Public header of the stage.
//
// From one cleaned, language-tagged article: the people, organisations and
// places it names (with the surface forms it uses), its direct quotes with
// their speakers, the figures it reports (numbers with what they count) and
// the news agencies it credits. No model: capitalisation, context words
// (titles, trigger words, organisation suffixes, speech verbs), the country
// gazetteer and ICU transliteration. Story-level merging (one entity across
// articles and languages, one statement across languages, disagreeing
// figures) is the summary stage's work; this stage gives it the keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace storyline {

enum class EntityType { kPerson, kOrganisation, kPlace, kOther };

// "person", "organisation", "place", "other".
const char* EntityTypeName(EntityType type);

struct Entity {
  std::string name;  // the fullest form the article writes, titles dropped ("Vladimir Putin")
  EntityType type = EntityType::kOther;
  // Language-neutral merge key: lowercase ASCII (ICU Any-Latin; Latin-ASCII),
  // for a person the surname ("putin" for Путин, Putins, Vladimir Putin), for
  // an organisation its acronym or its name ("nato" for Nato, NATO, НАТО), for a
  // country its ISO code ("country:UA" for Ukraine, Ukraina, Украина).
  std::string key;
  std::vector<std::string> variants;  // distinct surface forms as written, most frequent first
  uint32_t count = 0;                 // mentions in title + text
};

enum class QuoteForm { kMarks, kDash };

struct Quote {
  std::string text;         // the quoted words, without the marks or the attribution
  std::string speaker;      // the fullest name the article gives; empty when unclear
  std::string speaker_key;  // the speaker entity's key; empty when speaker is
  std::string verb;         // the speech verb as written ("said", "sa", "säger"); may be empty
  QuoteForm form = QuoteForm::kMarks;
  size_t offset = 0;  // byte offset of `text` in the article text
};

struct Figure {
  // What is counted: "troops", "dead", "injured", "evacuated", "people",
  // "percent", "money", "magnitude", "votes", "distance", "count", ...
  std::string what;
  double value = 0;                  // plain number in `unit` (100,000 -> 100000; 4.2 % -> 4.2)
  std::optional<double> value_max;   // upper bound of an explicit range (50-60)
  std::string unit;                  // "troops", "%", "USD", "EUR", "km", ...
  std::string as_written;            // the phrase as written ("more than 100,000 troops")
  size_t offset = 0;                 // byte offset of as_written in the article text
};

struct Enrichment {
  std::vector<Entity> entities;  // most mentioned first
  std::vector<Quote> quotes;     // in text order
  std::vector<Figure> figures;   // in text order
  // Agencies the article credits, canonical names ("AP", "AFP", "Reuters",
  // "NTB", "TT", "dpa", "ANSA", "EFE", "Interfax", "TASS", "ANP", ...),
  // sorted, unique.
  std::vector<std::string> agencies;
};

// Enrichment as a compact JSON object (what the store keeps per article) and
// back. Decode never throws: malformed input gives an empty Enrichment and
// false.
std::string EncodeEnrichment(const Enrichment& e);
bool DecodeEnrichment(std::string_view json, Enrichment* out);
EntityType EntityTypeFromName(std::string_view name);

struct EnrichOptions {
  // Directory with gazetteer/ and enrich/ data. Empty: $STORYLINE_DATA, then
  // the installed or source tree's data/ directory (common/paths.h).
  std::string data_dir;
};

// Not thread-safe (holds ICU transliterators): one per thread. Never throws,
// never fails: any text gives an Enrichment (perhaps empty).
class Enricher {
 public:
  explicit Enricher(const EnrichOptions& options = {});
  ~Enricher();
  Enricher(const Enricher&) = delete;
  Enricher& operator=(const Enricher&) = delete;

  // `text` is the cleaned body (paragraphs separated by '\n'); offsets in the
  // result are into `text`. `lang` is the identified language ("en", "no",
  // "sv", "de", "fr", "es", "ru", ...).
  Enrichment Enrich(std::string_view title, std::string_view text, const std::string& lang);

  // The key Entity::key uses for a name written in any script.
  std::string NameKey(std::string_view name);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace storyline
