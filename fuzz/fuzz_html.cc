// Fuzzes web page extraction: ExtractPage on the input (made valid UTF-8 with
// RepairUtf8, as the ingest stage does after DecodeToUtf8), plus
// LooksLikeHtml, ResolveUrl and StripTrackingParameters. Besides crashes and
// sanitizer reports, it aborts when an output breaks the contract: a field
// that is not valid UTF-8, or text longer than the limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/text.h"
#include "ingest/html.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace storyline;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)LooksLikeHtml(bytes);
  std::string html = RepairUtf8(bytes);

  HtmlLimits limits;
  limits.max_nodes = 50000;
  limits.max_text_bytes = 4096;
  auto page = ExtractPage(html, "https://news.example/section/story.html?id=1", limits);
  if (page.ok()) {
    Check(IsValidUtf8(page->text));
    Check(!page->text.empty());
    Check(page->text.size() <= limits.max_text_bytes);
    Check(IsValidUtf8(page->title) && IsValidUtf8(page->canonical_url));
    Check(IsValidUtf8(page->lang) && IsValidUtf8(page->site_name));
    Check(IsValidUtf8(page->author) && IsValidUtf8(page->description));
    for (const auto& p : page->problems) Check(IsValidUtf8(p));
  } else {
    Check(page.status().code() == storyline::Status::Code::kInvalidArgument);
  }

  // URL helpers on the first line of the input, as an href.
  std::string_view first = std::string_view(html).substr(0, html.find('\n'));
  std::string resolved = ResolveUrl("https://news.example/a/b/c.html?x=1#f", first);
  Check(IsValidUtf8(resolved));
  std::string stripped = StripTrackingParameters(resolved);
  Check(IsValidUtf8(stripped) && stripped.size() <= resolved.size());
  Check(stripped.find('#') == std::string::npos);
  return 0;
}
