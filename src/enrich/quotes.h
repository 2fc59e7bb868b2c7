// Internal to the enrich stage (not a public header): direct quotes and
// their speakers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "enrich/enrich.h"
#include "enrich/entities.h"

namespace storyline::enrich {

struct QuoteContext {
  const Lists* lists = nullptr;
  std::string lang;
};

// Quotes in the paragraphs of `text` from byte `body_offset` on (the article
// body; earlier bytes are its title), in text order. `tokens` are
// Tokenize(text) and `found` the entities found in them (a name of type
// kOther that speaks becomes a kPerson). Offsets in the result are relative
// to `body_offset`.
std::vector<Quote> FindQuotes(std::string_view text, size_t body_offset,
                              const std::vector<Token>& tokens, EntityResult& found,
                              const QuoteContext& ctx);

}  // namespace storyline::enrich
