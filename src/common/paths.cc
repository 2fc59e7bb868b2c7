#include "common/paths.h"

#include <cstdlib>

namespace storyline {

std::string DataDirectory(const std::string& configured) {
  if (!configured.empty()) return configured;
  if (const char* env = std::getenv("STORYLINE_DATA")) return env;
#ifdef STORYLINE_DATA_DIR
  return STORYLINE_DATA_DIR;
#else
  return "data";
#endif
}

}  // namespace storyline
