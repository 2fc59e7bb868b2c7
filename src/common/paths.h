// Where Storyline finds its data files.
#pragma once

#include <string>

namespace storyline {

// `configured` if not empty, else $STORYLINE_DATA, else the source tree's
// data/ directory (compiled in), else "data".
std::string DataDirectory(const std::string& configured = {});

}  // namespace storyline
