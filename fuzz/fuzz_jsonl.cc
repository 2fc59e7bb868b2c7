// Fuzzes JSON Lines ingestion (ParseJsonLines). Aborts unless every article's
// text is valid UTF-8 and no longer than the configured limit, every article
// has an id, and every non-empty line became an article or a reject.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/text.h"
#include "ingest/ingest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace storyline;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  IngestOptions options;
  options.max_article_bytes = 256;
  IngestBatch batch;
  ParseJsonLines(bytes, "fuzz", "fuzz.jsonl", options, &batch);
  for (const Article& a : batch.articles) {
    if (!IsValidUtf8(a.text)) std::abort();
    if (a.text.size() > options.max_article_bytes) std::abort();
    if (a.id.empty()) std::abort();
  }
  size_t lines = 0;
  for (std::string_view line : SplitLines(bytes))
    if (!TrimAscii(line).empty()) ++lines;
  if (batch.articles.size() + batch.rejects.size() != lines) std::abort();
  return 0;
}
