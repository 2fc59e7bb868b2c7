// Internal to the enrich stage (not a public header): agency credits.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace storyline::enrich {

// The news agencies an article credits ("(FRANCE 24 with AP, AFP and
// REUTERS)", "Foto: ... / AP / NTB", "enligt TT", "ifølge nyhetsbyrået AP",
// "Reuters reports"), canonical names, sorted and unique.
std::vector<std::string> FindAgencies(std::string_view title, std::string_view text);

}  // namespace storyline::enrich
