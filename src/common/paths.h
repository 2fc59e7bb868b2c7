// Where Storyline finds its data files and models, wherever it is installed.
#pragma once

#include <string>

namespace storyline {

// The directory of the running executable ("" if unknown).
std::string ExecutableDirectory();

// `configured` if not empty, else $STORYLINE_DATA, else an installed tree
// beside the executable (<prefix>/bin/storyline -> <prefix>/share/storyline/data),
// else the source tree's data/ directory (compiled in, for a build tree),
// else "data".
std::string DataDirectory(const std::string& configured = {});

// Where lid.176.ftz and pivot.lex are: $STORYLINE_MODEL_DIR, else
// <prefix>/share/storyline/models beside the executable, else the source
// tree's models/ directory, else "models". (Each file has its own override
// too: STORYLINE_MODEL, STORYLINE_LEXICON.)
std::string ModelDirectory();

}  // namespace storyline
