#include "ingest/charset.h"

#include <uchardet/uchardet.h>
#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>
#include <unicode/ustring.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "common/text.h"

namespace storyline {

namespace {

constexpr size_t kDeclarationWindow = 2048;
constexpr size_t kDetectionWindow = 64 * 1024;

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

bool IsLabelChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == ':' || c == '+';
}

// Lower case, without quotes and surrounding space; "" if it is not a
// plausible charset label.
std::string CleanLabel(std::string_view label) {
  label = TrimAscii(label);
  while (!label.empty() && (label.front() == '"' || label.front() == '\'')) label.remove_prefix(1);
  while (!label.empty() && (label.back() == '"' || label.back() == '\'')) label.remove_suffix(1);
  label = TrimAscii(label);
  if (label.empty() || label.size() > 40) return {};
  for (char c : label)
    if (!IsLabelChar(c)) return {};
  return Lower(label);
}

// Labels whose bytes browsers decode with a superset encoding.
std::string ApplyAliases(const std::string& label) {
  static const struct {
    const char* from;
    const char* to;
  } kAliases[] = {
      {"iso-8859-1", "windows-1252"},
      {"iso8859-1", "windows-1252"},
      {"iso_8859-1", "windows-1252"},
      {"iso_8859-1:1987", "windows-1252"},
      {"latin1", "windows-1252"},
      {"latin-1", "windows-1252"},
      {"l1", "windows-1252"},
      {"cp819", "windows-1252"},
      {"ibm819", "windows-1252"},
      {"iso-ir-100", "windows-1252"},
      {"csisolatin1", "windows-1252"},
      {"us-ascii", "windows-1252"},
      {"ascii", "windows-1252"},
      {"ansi_x3.4-1968", "windows-1252"},
      {"iso646-us", "windows-1252"},
      {"cp1252", "windows-1252"},
      {"x-cp1252", "windows-1252"},
      {"utf8", "utf-8"},
      {"unicode-1-1-utf-8", "utf-8"},
      {"gb2312", "gb18030"},
      {"gbk", "gb18030"},
      {"x-gbk", "gb18030"},
      {"cp936", "gb18030"},
      {"euc-kr", "windows-949"},
      {"ks_c_5601-1987", "windows-949"},
      {"uhc", "windows-949"},
      {"cp949", "windows-949"},
      {"iso-8859-9", "windows-1254"},
      {"latin5", "windows-1254"},
      {"tis-620", "windows-874"},
      {"iso-8859-11", "windows-874"},
      {"x-mac-cyrillic", "x-mac-cyrillic"},
      {"mac-cyrillic", "x-mac-cyrillic"},
      {"cp1251", "windows-1251"},
      {"cp1250", "windows-1250"},
      {"utf-16", "utf-16le"},
      {"unicode", "utf-16le"},
      {"ucs-2", "utf-16le"},
      {"utf-32", "utf-32le"},
  };
  for (const auto& a : kAliases)
    if (label == a.from) return a.to;
  return label;
}

bool IsUtf8Label(const std::string& l) { return l == "utf-8"; }
bool IsWideLabel(const std::string& l) {
  return l.rfind("utf-16", 0) == 0 || l.rfind("utf-32", 0) == 0;
}
// 7-bit encodings whose bytes are also valid UTF-8.
bool IsSevenBitLabel(const std::string& l) {
  return l.rfind("iso-2022-", 0) == 0 || l == "hz-gb-2312";
}

// The name we report for a label ICU accepts; "" if ICU does not know it.
std::string ReportName(const std::string& label) {
  if (IsUtf8Label(label)) return label;
  UErrorCode err = U_ZERO_ERROR;
  UConverter* cnv = ucnv_open(label.c_str(), &err);
  if (U_FAILURE(err) || cnv == nullptr) return {};
  ucnv_close(cnv);
  if (label.rfind("windows-", 0) == 0 || label.rfind("utf-", 0) == 0 ||
      label.rfind("x-mac-", 0) == 0 || label == "gb18030")
    return label;
  for (const char* standard : {"MIME", "IANA"}) {
    UErrorCode e = U_ZERO_ERROR;
    const char* name = ucnv_getStandardName(label.c_str(), standard, &e);
    if (U_SUCCESS(e) && name != nullptr && *name != '\0') return Lower(name);
  }
  return label;
}

// Normalises a label from any source: "" if unusable.
std::string UsableCharset(std::string_view raw) {
  std::string label = CleanLabel(raw);
  if (label.empty()) return {};
  label = ApplyAliases(label);
  return ReportName(label);
}

struct SubstituteContext {
  int replaced = 0;
};

void CountingSubstitute(const void* context, UConverterToUnicodeArgs* args, const char* bytes,
                        int32_t length, UConverterCallbackReason reason, UErrorCode* err) {
  if (reason > UCNV_IRREGULAR) return;  // reset, close, clone
  auto* ctx = static_cast<SubstituteContext*>(const_cast<void*>(context));
  ctx->replaced += length > 0 ? length : 1;
  static const UChar kReplacement[1] = {0xFFFD};
  *err = U_ZERO_ERROR;
  ucnv_cbToUWriteUChars(args, kReplacement, 1, 0, err);
}

void StripUtf8Bom(std::string* s) {
  if (s->size() >= 3 && s->compare(0, 3, "\xEF\xBB\xBF") == 0) s->erase(0, 3);
}

// UTF-8 bytes, repaired where invalid.
void DecodeUtf8(std::string_view bytes, DecodedText* out) {
  if (IsValidUtf8(bytes)) {
    out->utf8.assign(bytes);
  } else {
    out->utf8 = RepairUtf8(bytes, &out->replaced);
  }
  StripUtf8Bom(&out->utf8);
}

// Converts with ICU. False if the converter cannot be opened.
bool ConvertWithIcu(std::string_view bytes, const std::string& charset, DecodedText* out) {
  if (IsUtf8Label(charset)) {
    DecodeUtf8(bytes, out);
    return true;
  }
  UErrorCode err = U_ZERO_ERROR;
  std::unique_ptr<UConverter, void (*)(UConverter*)> cnv(ucnv_open(charset.c_str(), &err),
                                                         ucnv_close);
  if (U_FAILURE(err) || cnv == nullptr) return false;
  SubstituteContext ctx;
  ucnv_setToUCallBack(cnv.get(), CountingSubstitute, &ctx, nullptr, nullptr, &err);
  if (U_FAILURE(err)) return false;

  std::u16string wide;
  const char* source = bytes.data();
  const char* source_limit = bytes.data() + bytes.size();
  UChar buffer[8192];
  for (;;) {
    UChar* target = buffer;
    err = U_ZERO_ERROR;
    ucnv_toUnicode(cnv.get(), &target, buffer + std::size(buffer), &source, source_limit, nullptr,
                   /*flush=*/true, &err);
    wide.append(reinterpret_cast<const char16_t*>(buffer), static_cast<size_t>(target - buffer));
    if (err == U_BUFFER_OVERFLOW_ERROR) continue;
    break;
  }
  if (U_FAILURE(err)) return false;

  // UTF-16 to UTF-8; unpaired surrogates become U+FFFD.
  int32_t length = 0;
  int32_t subs = 0;
  err = U_ZERO_ERROR;
  u_strToUTF8WithSub(nullptr, 0, &length, reinterpret_cast<const UChar*>(wide.data()),
                     static_cast<int32_t>(wide.size()), 0xFFFD, &subs, &err);
  if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err)) return false;
  std::string utf8(static_cast<size_t>(length), '\0');
  err = U_ZERO_ERROR;
  u_strToUTF8WithSub(utf8.data(), length, &length, reinterpret_cast<const UChar*>(wide.data()),
                     static_cast<int32_t>(wide.size()), 0xFFFD, &subs, &err);
  if (U_FAILURE(err)) return false;
  utf8.resize(static_cast<size_t>(length));
  StripUtf8Bom(&utf8);
  if (!IsValidUtf8(utf8)) utf8 = RepairUtf8(utf8, &subs);  // defensive; ICU output is valid
  out->utf8 = std::move(utf8);
  out->replaced = ctx.replaced + subs;
  return true;
}

bool Decode(std::string_view bytes, const std::string& charset, const char* evidence,
            DecodedText* out) {
  DecodedText d;
  if (!ConvertWithIcu(bytes, charset, &d)) return false;
  d.charset = charset;
  d.evidence = evidence;
  *out = std::move(d);
  return true;
}

// UTF-16 without a BOM: most of the text is ASCII, so one byte of each pair is
// zero. Returns "utf-16le", "utf-16be" or "".
std::string SniffBomlessUtf16(std::string_view bytes) {
  size_t n = std::min<size_t>(bytes.size(), 4096) & ~size_t{1};
  if (n < 4) return {};
  size_t even_zero = 0, odd_zero = 0;
  for (size_t i = 0; i < n; i += 2) {
    if (bytes[i] == '\0' && bytes[i + 1] != '\0') ++even_zero;
    if (bytes[i + 1] == '\0' && bytes[i] != '\0') ++odd_zero;
  }
  size_t pairs = n / 2;
  if (odd_zero * 10 >= pairs * 7 && even_zero * 10 < pairs) return "utf-16le";
  if (even_zero * 10 >= pairs * 7 && odd_zero * 10 < pairs) return "utf-16be";
  return {};
}

std::string Detect(std::string_view bytes) {
  std::unique_ptr<std::remove_pointer_t<uchardet_t>, void (*)(uchardet_t)> ud(uchardet_new(),
                                                                              uchardet_delete);
  if (!ud) return {};
  std::string_view window = bytes.substr(0, kDetectionWindow);
  if (uchardet_handle_data(ud.get(), window.data(), window.size()) != 0) return {};
  uchardet_data_end(ud.get());
  const char* name = uchardet_get_charset(ud.get());
  if (name == nullptr || *name == '\0') return {};
  return UsableCharset(name);
}

// Finds `charset` [spaces] = [spaces] [quote] value in `s` (lower case).
std::string ValueAfterCharset(std::string_view s, std::string_view key) {
  size_t pos = 0;
  while ((pos = s.find(key, pos)) != std::string_view::npos) {
    size_t i = pos + key.size();
    pos = i;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    if (i >= s.size() || s[i] != '=') continue;
    ++i;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    if (i < s.size() && (s[i] == '"' || s[i] == '\'')) ++i;
    size_t start = i;
    while (i < s.size() && IsLabelChar(s[i])) ++i;
    if (i > start) return std::string(s.substr(start, i - start));
  }
  return {};
}

}  // namespace

std::string DeclaredCharset(std::string_view bytes) {
  // UTF-16 documents without a BOM declare themselves by their first bytes.
  if (bytes.size() >= 4) {
    if (bytes.compare(0, 4, std::string_view("<\0?\0", 4)) == 0) return "utf-16le";
    if (bytes.compare(0, 4, std::string_view("\0<\0?", 4)) == 0) return "utf-16be";
  }
  std::string head = Lower(bytes.substr(0, kDeclarationWindow));
  std::string_view h = head;
  if (h.substr(0, 3) == "\xEF\xBB\xBF") h.remove_prefix(3);
  size_t start = 0;
  while (start < h.size() &&
         (h[start] == ' ' || h[start] == '\t' || h[start] == '\n' || h[start] == '\r'))
    ++start;
  // XML prolog.
  if (h.substr(start, 5) == "<?xml") {
    size_t end = h.find("?>", start);
    std::string_view prolog = h.substr(start, end == std::string_view::npos ? h.npos : end - start);
    std::string label = ValueAfterCharset(prolog, "encoding");
    if (!label.empty()) return CleanLabel(label);
  }
  // HTML <meta charset=...> or <meta http-equiv=... content="...; charset=...">.
  size_t pos = 0;
  while ((pos = h.find("<meta", pos)) != std::string_view::npos) {
    size_t end = h.find('>', pos);
    std::string_view tag = h.substr(pos, end == std::string_view::npos ? h.npos : end - pos);
    std::string label = ValueAfterCharset(tag, "charset");
    if (!label.empty()) return CleanLabel(label);
    pos += 5;
  }
  return {};
}

DecodedText DecodeToUtf8(std::string_view bytes, std::string_view http_charset) {
  DecodedText out;
  // 1. Byte-order marks.
  if (bytes.size() >= 3 && bytes.compare(0, 3, "\xEF\xBB\xBF") == 0) {
    DecodeUtf8(bytes.substr(3), &out);
    out.charset = "utf-8";
    out.evidence = "bom";
    return out;
  }
  if (bytes.size() >= 4 && bytes.compare(0, 4, std::string_view("\xFF\xFE\0\0", 4)) == 0 &&
      Decode(bytes.substr(4), "utf-32le", "bom", &out))
    return out;
  if (bytes.size() >= 4 && bytes.compare(0, 4, std::string_view("\0\0\xFE\xFF", 4)) == 0 &&
      Decode(bytes.substr(4), "utf-32be", "bom", &out))
    return out;
  if (bytes.size() >= 2 && bytes.compare(0, 2, "\xFF\xFE") == 0 &&
      Decode(bytes.substr(2), "utf-16le", "bom", &out))
    return out;
  if (bytes.size() >= 2 && bytes.compare(0, 2, "\xFE\xFF") == 0 &&
      Decode(bytes.substr(2), "utf-16be", "bom", &out))
    return out;

  std::string http = UsableCharset(http_charset);
  std::string declared_raw = DeclaredCharset(bytes);
  std::string declared = UsableCharset(declared_raw);
  bool has_nul = bytes.find('\0') != std::string_view::npos;
  // A document that can be read as ASCII cannot really be UTF-16/32 (WHATWG
  // ignores such meta declarations), unless its bytes show it.
  if (IsWideLabel(http) && !has_nul) http.clear();
  if (IsWideLabel(declared) && !has_nul) declared.clear();

  // 2. Wide encodings without a BOM look like valid UTF-8 with NULs.
  if (has_nul) {
    std::string sniffed = SniffBomlessUtf16(bytes);
    // A "utf-16" label does not say which byte order; the bytes do.
    auto order = [&](const std::string& label) {
      return label.rfind("utf-16", 0) == 0 && !sniffed.empty() ? sniffed : label;
    };
    if (IsWideLabel(http) && Decode(bytes, order(http), "http", &out)) return out;
    if (IsWideLabel(declared) && Decode(bytes, order(declared), "declared", &out)) return out;
    if (!sniffed.empty() && Decode(bytes, sniffed, "detected", &out)) return out;
  }

  // 3. Valid UTF-8 is UTF-8, whatever the labels say (except 7-bit
  // encodings whose escape sequences are there).
  if (IsValidUtf8(bytes)) {
    bool has_escape =
        bytes.find('\x1B') != std::string_view::npos || bytes.find("~{") != std::string_view::npos;
    if (has_escape && IsSevenBitLabel(http) && Decode(bytes, http, "http", &out)) return out;
    if (has_escape && IsSevenBitLabel(declared) && Decode(bytes, declared, "declared", &out))
      return out;
    out.utf8.assign(bytes);
    out.charset = "utf-8";
    out.evidence = "valid-utf8";
    return out;
  }

  // 4. HTTP, then the document's own declaration.
  if (!http.empty() && Decode(bytes, http, "http", &out)) return out;
  if (!declared.empty() && Decode(bytes, declared, "declared", &out)) return out;

  // 5. Detection, 6. windows-1252.
  std::string detected = Detect(bytes);
  if (IsWideLabel(detected) && !has_nul) detected.clear();
  if (!detected.empty() && Decode(bytes, detected, "detected", &out)) return out;
  if (Decode(bytes, "windows-1252", "fallback", &out)) return out;
  // ICU without data: keep the bytes, repaired.
  out = DecodedText();
  DecodeUtf8(bytes, &out);
  out.charset = "utf-8";
  out.evidence = "fallback";
  return out;
}

}  // namespace storyline
