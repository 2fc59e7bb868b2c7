#include "enrich/enrich.h"

#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "common/paths.h"
#include "enrich/agencies.h"
#include "enrich/entities.h"
#include "enrich/figures.h"
#include "enrich/quotes.h"
#include "signals/gazetteer.h"

namespace storyline {

const char* EntityTypeName(EntityType type) {
  switch (type) {
    case EntityType::kPerson:
      return "person";
    case EntityType::kOrganisation:
      return "organisation";
    case EntityType::kPlace:
      return "place";
    case EntityType::kOther:
      return "other";
  }
  return "other";
}

namespace {

// Lowercase ASCII letters and digits of `latin`.
std::string AsciiKey(std::string_view latin) {
  std::string key;
  key.reserve(latin.size());
  for (char c : latin) {
    unsigned char uc = static_cast<unsigned char>(c);
    if (uc < 0x80 && std::isalnum(uc)) key.push_back(static_cast<char>(std::tolower(uc)));
  }
  return key;
}

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

struct Enricher::Impl {
  EnrichOptions options;
  std::unique_ptr<icu::Transliterator> latin;
  std::unordered_map<std::string, std::string> keys;  // cache of transliterated words
  enrich::Lists lists;
  std::unique_ptr<Gazetteer> gazetteer;

  std::string WordKey(std::string_view word) {
    if (IsAscii(word) || !latin) return AsciiKey(word);
    std::string w(word);
    auto it = keys.find(w);
    if (it != keys.end()) return it->second;
    icu::UnicodeString u =
        icu::UnicodeString::fromUTF8(icu::StringPiece(w.data(), static_cast<int32_t>(w.size())));
    latin->transliterate(u);
    std::string out;
    u.toUTF8String(out);
    std::string key = AsciiKey(out);
    if (keys.size() > 100000) keys.clear();
    keys.emplace(std::move(w), key);
    return key;
  }
};

Enricher::Enricher(const EnrichOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  UErrorCode status = U_ZERO_ERROR;
  impl_->latin.reset(
      icu::Transliterator::createInstance("Any-Latin; Latin-ASCII; Lower", UTRANS_FORWARD, status));
  if (U_FAILURE(status)) impl_->latin.reset();
  std::string dir = DataDirectory(options.data_dir);
  Impl* impl = impl_.get();
  impl_->lists.name_key = [impl](std::string_view w) { return impl->WordKey(w); };
  impl_->lists.Load(dir);
  impl_->gazetteer = std::make_unique<Gazetteer>(
      dir + "/gazetteer", [impl](std::string_view w) { return impl->WordKey(w); });
}

Enricher::~Enricher() = default;

Enrichment Enricher::Enrich(std::string_view title, std::string_view text,
                            const std::string& lang) {
  Enrichment out;
  out.figures = enrich::ExtractFigures(text, lang);
  out.agencies = enrich::FindAgencies(title, text);
  // The title is analysed as paragraph 0 before the body, so that its names
  // count; quotes come from the body only.
  std::string all;
  all.reserve(title.size() + text.size() + 1);
  for (char c : title) all.push_back(c == '\n' ? ' ' : c);
  all.push_back('\n');
  all.append(text);
  std::vector<enrich::Token> tokens = enrich::Tokenize(all);
  enrich::EntityContext ctx;
  ctx.lists = &impl_->lists;
  ctx.gazetteer = impl_->gazetteer.get();
  Impl* impl = impl_.get();
  ctx.name_key = [impl](std::string_view w) { return impl->WordKey(w); };
  ctx.lang = lang;
  enrich::EntityResult found = enrich::FindEntities(all, tokens, 1, ctx);
  enrich::QuoteContext qctx{&impl_->lists, lang};
  out.quotes = enrich::FindQuotes(all, title.size() + 1, tokens, found, qctx);
  out.entities = std::move(found.entities);
  return out;
}

std::string Enricher::NameKey(std::string_view name) {
  std::string key =
      enrich::PhraseKey(name, [this](std::string_view w) { return impl_->WordKey(w); });
  if (const auto* alias = impl_->lists.FindAlias(key)) return alias->key;
  return key;
}

}  // namespace storyline
