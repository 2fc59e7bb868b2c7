// Charset decoding: bytes in any encoding to UTF-8, decided once.
//
// Order of evidence: a byte-order mark; the HTTP Content-Type charset; the
// document's own declaration (XML prolog encoding=, HTML <meta charset> or
// http-equiv); detection (uchardet). Before trusting a declaration, bytes that
// are already valid UTF-8 are taken as UTF-8 (a wrong "iso-8859-1" label on
// UTF-8 text is the most common error on the web). ISO-8859-1 and US-ASCII
// labels are decoded as windows-1252 (what browsers do). Text is never
// decoded twice.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace storyline {

struct DecodedText {
  std::string utf8;       // valid UTF-8, without a BOM
  std::string charset;    // what was used, lower case: "utf-8", "windows-1252", "koi8-r", ...
  std::string evidence;   // "bom", "valid-utf8", "http", "declared", "detected", "fallback"
  int replaced = 0;       // bytes that could not be decoded (became U+FFFD)
};

// `http_charset`: the charset parameter of an HTTP Content-Type, if any.
// Never fails: undecodable bytes become U+FFFD and are counted.
DecodedText DecodeToUtf8(std::string_view bytes, std::string_view http_charset = {});

// The charset a document declares about itself in its first 2 KB (XML prolog
// or HTML meta), lower case, or "" if none.
std::string DeclaredCharset(std::string_view bytes);

}  // namespace storyline
