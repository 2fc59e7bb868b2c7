// `storyline bench` (placeholder until the benchmark lands).
#include <spdlog/spdlog.h>

#include "cli/commands.h"

namespace storyline {

int RunBench(const EngineOptions&, const BenchArgs&) {
  spdlog::error("bench: not implemented yet");
  return 1;
}

}  // namespace storyline
