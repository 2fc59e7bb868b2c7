// Internal to the enrich stage (not a public header): figure extraction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "enrich/enrich.h"

namespace storyline::enrich {

// Numbers with what they count, in text order. `text` is a cleaned article
// body; offsets are into it.
std::vector<Figure> ExtractFigures(std::string_view text, const std::string& lang);

}  // namespace storyline::enrich
