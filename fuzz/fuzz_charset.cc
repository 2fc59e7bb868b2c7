// Fuzzes charset decoding. The first byte picks the HTTP charset label (from
// a fixed list, 0 = none); the rest is the document. Aborts unless the output
// is valid UTF-8, and unless decoding the output again changes nothing (text
// is never decoded twice).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/text.h"
#include "ingest/charset.h"

namespace {

const char* const kLabels[] = {
    "",          "utf-8",        "iso-8859-1", "windows-1252", "koi8-r", "shift_jis", "utf-16",
    "utf-16be",  "iso-2022-jp",  "gb2312",     "big5",         "euc-kr", "utf-32",    "x-bogus",
    "\"UTF-8\"", "windows-1251", "us-ascii",   "hz-gb-2312",   "utf-7",  "iso-8859-8"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace storyline;
  if (size == 0) return 0;
  std::string_view label = kLabels[data[0] % (sizeof(kLabels) / sizeof(kLabels[0]))];
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  DecodedText d = DecodeToUtf8(bytes, label);
  if (!IsValidUtf8(d.utf8)) std::abort();
  if (d.charset.empty() || d.evidence.empty() || d.replaced < 0) std::abort();
  (void)DeclaredCharset(bytes);
  // Valid UTF-8 comes back unchanged (NULs, escapes and a leading BOM aside,
  // which can legitimately mean UTF-16 / ISO-2022 / a BOM).
  std::string_view out = d.utf8;
  if (out.find('\0') == out.npos && out.find('\x1B') == out.npos && out.find("~{") == out.npos &&
      out.substr(0, 3) != "\xEF\xBB\xBF") {
    DecodedText again = DecodeToUtf8(out);
    if (again.utf8 != d.utf8 || again.evidence != "valid-utf8") std::abort();
  }
  return 0;
}
