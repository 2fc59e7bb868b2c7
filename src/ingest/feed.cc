#include "ingest/feed.h"

#include <libxml/HTMLparser.h>
#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "ingest/charset.h"

namespace storyline {

namespace {

constexpr size_t kMaxFeedBytes = 32u << 20;
// A document with more XML errors than this is garbage: parsing stops (the
// error reports are what costs time).
constexpr int kMaxXmlErrors = 1000;
constexpr int kMaxJsonDepth = 128;

constexpr const char* kAtomNs = "http://www.w3.org/2005/Atom";
constexpr const char* kAtom03Ns = "http://purl.org/atom/ns#";
constexpr const char* kRss1Ns = "http://purl.org/rss/1.0/";
constexpr const char* kRss090Ns = "http://my.netscape.com/rdf/simple/0.9/";
constexpr const char* kRdfNs = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
constexpr const char* kContentNs = "http://purl.org/rss/1.0/modules/content/";
constexpr const char* kDcNs = "http://purl.org/dc/elements/1.1/";
constexpr const char* kXhtmlNs = "http://www.w3.org/1999/xhtml";

// ---------------------------------------------------------------------------
// Small helpers.

const char* C(const xmlChar* s) { return reinterpret_cast<const char*>(s); }
const xmlChar* X(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

struct XmlFree {
  void operator()(xmlChar* p) const { xmlFree(p); }
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};
using XmlString = std::unique_ptr<xmlChar, XmlFree>;
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlFree>;
using XmlCtxtPtr = std::unique_ptr<xmlParserCtxt, XmlFree>;

std::string Take(xmlChar* s) {
  XmlString owned(s);
  return s == nullptr ? std::string() : std::string(C(s));
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  return true;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

void InitLibxml() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
bool TruncateUtf8(std::string* s, size_t max) {
  if (s->size() <= max) return false;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>((*s)[cut]) & 0xC0) == 0x80) --cut;
  s->resize(cut);
  return true;
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsXmlChar(uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

// Parses "#123" / "#x1F" / "name" (the part between '&' and ';'). Returns the
// code point, or 0 if unknown.
uint32_t EntityCodePoint(std::string_view ref) {
  if (ref.empty()) return 0;
  if (ref[0] == '#') {
    bool hex = ref.size() > 1 && (ref[1] == 'x' || ref[1] == 'X');
    std::string_view digits = ref.substr(hex ? 2 : 1);
    if (digits.empty() || digits.size() > 8) return 0;
    uint32_t v = 0;
    for (char c : digits) {
      int d;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (hex && c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else if (hex && c >= 'A' && c <= 'F') {
        d = c - 'A' + 10;
      } else {
        return 0;
      }
      v = v * (hex ? 16 : 10) + static_cast<uint32_t>(d);
      if (v > 0x10FFFF) return 0xFFFD;
    }
    return IsXmlChar(v) ? v : 0xFFFD;
  }
  if (ref.size() > 32) return 0;
  if (ref == "amp") return '&';
  if (ref == "lt") return '<';
  if (ref == "gt") return '>';
  if (ref == "quot") return '"';
  if (ref == "apos") return '\'';
  std::string name(ref);
  const htmlEntityDesc* e = htmlEntityLookup(X(name.c_str()));
  return e == nullptr ? 0 : e->value;
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '#' ||
         c == '_' || c == '-' || c == '.';
}

// Length of the "name" in "&name;" at `s` (s[0] == '&'), or 0 if there is no
// terminating ';' close by.
size_t EntityRefLength(std::string_view s) {
  size_t i = 1;
  while (i < s.size() && i < 40 && IsNameChar(s[i])) ++i;
  if (i == 1 || i >= s.size() || s[i] != ';') return 0;
  return i - 1;
}

// Rewrites entity references outside CDATA sections, comments, processing
// instructions and the DOCTYPE so that every one of them is a numeric
// character reference: HTML entities (&nbsp;) become their character, a bare
// '&' or an unknown entity becomes "&#38;". The XML parser then needs no
// entity definitions, and its recovery mode (which drops entity references
// once a document is known to be malformed) keeps the text intact.
// `*declares_entities` is set when a DOCTYPE holds an entity declaration.
std::string NormalizeEntities(std::string_view s, bool* declares_entities) {
  std::string out;
  out.reserve(s.size() + s.size() / 16);
  size_t i = 0;
  auto copy_through = [&](std::string_view end) {
    size_t stop = s.find(end, i);
    size_t next = stop == std::string_view::npos ? s.size() : stop + end.size();
    out.append(s.substr(i, next - i));
    i = next;
  };
  while (i < s.size()) {
    char c = s[i];
    if (c == '<') {
      std::string_view rest = s.substr(i);
      if (rest.substr(0, 9) == "<![CDATA[") {
        copy_through("]]>");
      } else if (rest.substr(0, 4) == "<!--") {
        copy_through("-->");
      } else if (rest.substr(0, 2) == "<?") {
        copy_through("?>");
      } else if (StartsWithIgnoreCase(rest, "<!DOCTYPE")) {
        size_t j = i + 9;
        int depth = 0;
        char quote = 0;
        for (; j < s.size(); ++j) {
          char d = s[j];
          if (quote) {
            if (d == quote) quote = 0;
          } else if (d == '<' && s.substr(j, 4) == "<!--") {
            size_t end = s.find("-->", j + 4);
            if (end == std::string_view::npos) {
              j = s.size();
              break;
            }
            j = end + 2;
          } else if (d == '"' || d == '\'') {
            quote = d;
          } else if (d == '[') {
            ++depth;
          } else if (d == ']') {
            if (depth > 0) --depth;
          } else if (d == '>' && depth == 0) {
            break;
          }
        }
        size_t next = j < s.size() ? j + 1 : s.size();
        if (s.substr(i, next - i).find("<!ENTITY") != std::string_view::npos)
          *declares_entities = true;
        out.append(s.substr(i, next - i));
        i = next;
      } else {
        out.push_back(c);
        ++i;
      }
      continue;
    }
    if (c != '&') {
      size_t next = s.find_first_of("<&", i);
      if (next == std::string_view::npos) next = s.size();
      out.append(s.substr(i, next - i));
      i = next;
      continue;
    }
    size_t len = EntityRefLength(s.substr(i));
    uint32_t cp = len > 0 ? EntityCodePoint(s.substr(i + 1, len)) : 0;
    if (cp == 0) {
      out.append("&#38;");
      ++i;
    } else {
      out.append("&#");
      out.append(std::to_string(cp));
      out.push_back(';');
      i += len + 2;
    }
  }
  return out;
}

// Replaces character and HTML entity references in plain text.
std::string DecodeEntities(std::string_view s) {
  if (s.find('&') == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '&') {
      size_t len = EntityRefLength(s.substr(i));
      uint32_t cp = len > 0 ? EntityCodePoint(s.substr(i + 1, len)) : 0;
      if (cp != 0) {
        AppendUtf8(&out, cp);
        i += len + 2;
        continue;
      }
    }
    out.push_back(s[i++]);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Plain text from markup.

// Accumulates text: runs of white space become one space, block boundaries
// become line or paragraph breaks, control characters are dropped.
class TextBuilder {
 public:
  void Text(std::string_view s, bool preformatted = false) {
    for (size_t i = 0; i < s.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (preformatted && c == '\n') {
        Break(1);
        continue;
      }
      if (IsSpace(static_cast<char>(c)) || c == '\v') {
        pending_space_ = true;
        continue;
      }
      if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0) {
        pending_space_ = true;  // no-break space
        ++i;
        continue;
      }
      if (c < 0x20 || c == 0x7F) continue;
      if (!out_.empty()) {
        if (pending_break_ == 2) {
          out_.append("\n\n");
        } else if (pending_break_ == 1) {
          out_.push_back('\n');
        } else if (pending_space_) {
          out_.push_back(' ');
        }
      }
      pending_break_ = 0;
      pending_space_ = false;
      out_.push_back(static_cast<char>(c));
    }
  }
  void Break(int level) { pending_break_ = std::max(pending_break_, level); }
  std::string Finish() { return std::move(out_); }
  size_t size() const { return out_.size(); }

 private:
  std::string out_;
  int pending_break_ = 0;
  bool pending_space_ = false;
};

// 2: paragraph-like block, 1: line break, 0: inline.
int BlockLevel(std::string_view name) {
  static const char* const kParagraph[] = {
      "p",      "div",      "blockquote", "pre",    "h1",     "h2",         "h3",      "h4",
      "h5",     "h6",       "ul",         "ol",     "dl",     "table",      "section", "article",
      "header", "footer",   "aside",      "nav",    "figure", "figcaption", "main",    "address",
      "hr",     "fieldset", "details",    "center", "hgroup", "body",       "form",    "dialog"};
  static const char* const kLine[] = {"br",      "li",      "tr",     "dt",    "dd",
                                      "caption", "summary", "option", "legend"};
  for (const char* n : kParagraph)
    if (EqualsIgnoreCase(name, n)) return 2;
  for (const char* n : kLine)
    if (EqualsIgnoreCase(name, n)) return 1;
  return 0;
}

bool Skipped(std::string_view name) {
  static const char* const kSkip[] = {"script", "style",  "noscript", "template", "iframe",
                                      "object", "embed",  "head",     "svg",      "math",
                                      "select", "button", "canvas",   "audio",    "video"};
  for (const char* n : kSkip)
    if (EqualsIgnoreCase(name, n)) return true;
  return false;
}

// Walks the children of `root` without recursion (documents can be deep).
void CollectText(xmlNode* root, TextBuilder* tb) {
  if (root == nullptr) return;
  int pre = 0;
  xmlNode* n = root->children;
  while (n != nullptr) {
    bool descend = false;
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      if (n->content != nullptr) tb->Text(C(n->content), pre > 0);
    } else if (n->type == XML_ELEMENT_NODE && n->name != nullptr) {
      std::string_view name = C(n->name);
      if (!Skipped(name)) {
        int level = BlockLevel(name);
        if (level > 0) tb->Break(level);
        if (EqualsIgnoreCase(name, "pre")) ++pre;
        if (EqualsIgnoreCase(name, "td") || EqualsIgnoreCase(name, "th")) tb->Text(" ");
        descend = true;
      }
    }
    if (descend && n->children != nullptr) {
      n = n->children;
      continue;
    }
    // Leave `n` and every ancestor whose children are done.
    for (;;) {
      if (n->type == XML_ELEMENT_NODE && n->name != nullptr && !Skipped(C(n->name))) {
        int level = BlockLevel(C(n->name));
        if (level > 0) tb->Break(level);
        if (EqualsIgnoreCase(C(n->name), "pre") && pre > 0) --pre;
      }
      if (n->next != nullptr) {
        n = n->next;
        break;
      }
      n = n->parent;
      if (n == nullptr || n == root) {
        n = nullptr;
        break;
      }
    }
  }
}

// Collects libxml2 diagnostics instead of printing them.
struct ParseState {
  bool entity_declared = false;
  bool stopped = false;  // after kMaxXmlErrors
  int errors = 0;
  std::string first_error;
};

void CollectError(void* user_data, xmlErrorPtr error) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(user_data);
  if (ctxt == nullptr || ctxt->_private == nullptr || error == nullptr) return;
  auto* state = static_cast<ParseState*>(ctxt->_private);
  if (error->level < XML_ERR_ERROR) return;
  if (state->errors++ == 0 && error->message != nullptr) {
    std::string m = error->message;
    while (!m.empty() && IsSpace(m.back())) m.pop_back();
    state->first_error = "line " + std::to_string(error->line) + ": " + m;
  }
}

// Called from SAX callbacks, where stopping the parser is safe.
void StopIfTooManyErrors(void* ctx) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(ctx);
  if (ctxt == nullptr || ctxt->_private == nullptr) return;
  auto* state = static_cast<ParseState*>(ctxt->_private);
  if (state->errors > kMaxXmlErrors && !state->stopped) {
    state->stopped = true;
    xmlStopParser(ctxt);
  }
}

void GuardedStartElementNs(void* ctx, const xmlChar* localname, const xmlChar* prefix,
                           const xmlChar* uri, int nb_namespaces, const xmlChar** namespaces,
                           int nb_attributes, int nb_defaulted, const xmlChar** attributes) {
  xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                        nb_defaulted, attributes);
  StopIfTooManyErrors(ctx);
}

void GuardedCharacters(void* ctx, const xmlChar* ch, int len) {
  xmlSAX2Characters(ctx, ch, len);
  StopIfTooManyErrors(ctx);
}

void RefuseEntityDecl(void* ctx, const xmlChar*, int, const xmlChar*, const xmlChar*, xmlChar*) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(ctx);
  if (ctxt == nullptr) return;
  if (ctxt->_private != nullptr) static_cast<ParseState*>(ctxt->_private)->entity_declared = true;
  xmlStopParser(ctxt);
}

void RefuseUnparsedEntityDecl(void* ctx, const xmlChar* name, const xmlChar* public_id,
                              const xmlChar* system_id, const xmlChar*) {
  RefuseEntityDecl(ctx, name, 0, public_id, system_id, nullptr);
}

std::string HtmlToText(std::string_view html);

// Plain text with its own line structure: entities decoded, lines trimmed,
// blank lines kept as paragraph breaks.
std::string PlainToText(std::string_view s) {
  std::string decoded = DecodeEntities(s);
  TextBuilder tb;
  int newlines = 0;
  size_t start = 0;
  for (size_t i = 0; i <= decoded.size(); ++i) {
    if (i == decoded.size() || decoded[i] == '\n') {
      std::string_view line = std::string_view(decoded).substr(start, i - start);
      if (TrimAscii(line).empty()) {
        ++newlines;
      } else {
        if (tb.size() > 0) tb.Break(newlines >= 1 ? 2 : 1);
        tb.Text(line);
        newlines = 0;
      }
      start = i + 1;
    }
  }
  return tb.Finish();
}

bool LooksLikeMarkup(std::string_view s) {
  for (size_t i = s.find('<'); i != std::string_view::npos; i = s.find('<', i + 1)) {
    if (i + 1 >= s.size()) break;
    char c = s[i + 1];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' || c == '!') return true;
  }
  return false;
}

// Plain text of an HTML fragment; paragraph breaks kept, scripts dropped.
std::string HtmlToText(std::string_view html) {
  if (!LooksLikeMarkup(html)) return PlainToText(html);
  if (html.size() > static_cast<size_t>(INT32_MAX / 2)) return {};
  InitLibxml();
  XmlCtxtPtr ctxt(htmlNewParserCtxt());
  if (!ctxt) return {};
  ParseState state;
  ctxt->_private = &state;
  ctxt->sax->serror = CollectError;
  XmlDocPtr doc(htmlCtxtReadMemory(ctxt.get(), html.data(), static_cast<int>(html.size()), nullptr,
                                   "UTF-8",
                                   HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                       HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT));
  if (!doc) return PlainToText(html);
  TextBuilder tb;
  CollectText(reinterpret_cast<xmlNode*>(doc.get()), &tb);
  return tb.Finish();
}

std::string CollapseSpaces(std::string_view s) {
  TextBuilder tb;
  tb.Text(s);
  return tb.Finish();
}

// A one-line text (titles, names).
std::string OneLine(std::string_view s, bool html) {
  if (html) return CollapseSpaces(HtmlToText(s));
  return CollapseSpaces(s);
}

std::string NormalizeLang(std::string_view s) {
  s = TrimAscii(s);
  std::string out;
  for (char c : s) {
    if (c == '_') c = '-';
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
      return {};
    out.push_back(AsciiLower(c));
  }
  return out.size() > 35 ? std::string() : out;
}

// Percent-encodes what may not appear in a URI: spaces and controls, and with
// `all` also non-ASCII bytes and the characters RFC 3986 excludes.
std::string EscapeUrl(std::string_view s, bool all) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    bool escape = c <= 0x20 || c == 0x7F;
    if (all)
      escape |= c >= 0x80 || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' ||
                c == '`' || c == '{' || c == '|' || c == '}';
    if (escape) {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

// True if `url` starts with a scheme ("https:", "mailto:").
bool HasScheme(std::string_view url) {
  if (url.empty() || !((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z')))
    return false;
  for (size_t i = 1; i < url.size(); ++i) {
    char c = url[i];
    if (c == ':') return true;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
          c == '-' || c == '.'))
      return false;
  }
  return false;
}

bool HasUnsafeScheme(std::string_view url) {
  return StartsWithIgnoreCase(url, "javascript:") || StartsWithIgnoreCase(url, "data:") ||
         StartsWithIgnoreCase(url, "vbscript:");
}

// `href` resolved against `base` (RFC 3986); "" if unusable.
std::string ResolveLink(std::string_view base, std::string_view href) {
  href = TrimAscii(href);
  if (href.empty() || href.size() > 8192) return {};
  std::string h = EscapeUrl(href, false);
  std::string b = EscapeUrl(TrimAscii(base), true);
  std::string result = h;
  if (!HasScheme(h) && !b.empty()) {
    xmlChar* built = xmlBuildURI(X(h.c_str()), X(b.c_str()));
    if (built == nullptr) built = xmlBuildURI(X(EscapeUrl(h, true).c_str()), X(b.c_str()));
    if (built != nullptr) result = Take(built);
  }
  if (HasUnsafeScheme(result)) return {};
  return result;
}

// ---------------------------------------------------------------------------
// XML documents.

struct ParsedXml {
  XmlDocPtr doc;
  ParseState state;
};

Status ParseXml(std::string_view utf8, std::string_view base_url, ParsedXml* out) {
  InitLibxml();
  const char* kEntitiesRefused =
      "entities: the document's DTD declares entities (entity expansion or external entity "
      "attack); refused";
  bool declares_entities = false;
  std::string text = NormalizeEntities(utf8, &declares_entities);
  // Refused before libxml2 sees them; the entityDecl handler below is the
  // backstop for declarations this scan would miss.
  if (declares_entities) return Status::InvalidArgument(kEntitiesRefused);
  if (text.size() > static_cast<size_t>(INT32_MAX)) return Status::InvalidArgument("too_large");
  XmlCtxtPtr ctxt(xmlNewParserCtxt());
  if (!ctxt) return Status::Internal("xml: cannot create a parser context");
  ctxt->_private = &out->state;
  ctxt->sax->serror = CollectError;
  ctxt->sax->entityDecl = RefuseEntityDecl;
  ctxt->sax->unparsedEntityDecl = RefuseUnparsedEntityDecl;
  ctxt->sax->externalSubset = nullptr;  // never load an external DTD
  ctxt->sax->startElementNs = GuardedStartElementNs;
  ctxt->sax->characters = GuardedCharacters;
  std::string url(base_url);
  // No XML_PARSE_NOENT (no entity substitution), no XML_PARSE_DTDLOAD /
  // DTDATTR / DTDVALID (no DTD loading), no XML_PARSE_HUGE (libxml2's size
  // and depth limits stay on). The text is UTF-8 already: the document's own
  // encoding declaration is ignored so nothing is decoded twice.
  const int options = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_RECOVER | XML_PARSE_NOERROR |
                      XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC | XML_PARSE_COMPACT;
  out->doc.reset(xmlCtxtReadMemory(ctxt.get(), text.data(), static_cast<int>(text.size()),
                                   url.empty() ? nullptr : url.c_str(), "UTF-8", options));
  if (out->state.entity_declared) {
    out->doc.reset();
    return Status::InvalidArgument(kEntitiesRefused);
  }
  if (!out->doc || xmlDocGetRootElement(out->doc.get()) == nullptr) {
    out->doc.reset();
    std::string why = out->state.first_error.empty() ? "no root element" : out->state.first_error;
    return Status::InvalidArgument("malformed_xml: " + why);
  }
  return Status::Ok();
}

bool NsIs(const xmlNode* n, const char* ns) {
  if (ns == nullptr) return n->ns == nullptr || n->ns->href == nullptr;
  return n->ns != nullptr && n->ns->href != nullptr && std::strcmp(C(n->ns->href), ns) == 0;
}

bool NameIs(const xmlNode* n, const char* local) {
  return n->type == XML_ELEMENT_NODE && n->name != nullptr && std::strcmp(C(n->name), local) == 0;
}

bool Is(const xmlNode* n, const char* local, const char* ns) {
  return NameIs(n, local) && NsIs(n, ns);
}

xmlNode* Child(const xmlNode* parent, const char* local, const char* ns) {
  for (xmlNode* c = parent->children; c != nullptr; c = c->next)
    if (Is(c, local, ns)) return c;
  return nullptr;
}

// A child in any namespace (for extension elements such as dc:date).
xmlNode* ChildAnyNs(const xmlNode* parent, const char* local) {
  for (xmlNode* c = parent->children; c != nullptr; c = c->next)
    if (NameIs(c, local)) return c;
  return nullptr;
}

std::string Content(const xmlNode* n) {
  if (n == nullptr) return {};
  return Take(xmlNodeGetContent(n));
}

std::string Attr(const xmlNode* n, const char* name) {
  if (n == nullptr) return {};
  return Take(xmlGetProp(n, X(name)));
}

// An attribute whose name matches case-insensitively (OPML's xmlUrl / xmlurl).
std::string AttrIgnoreCase(const xmlNode* n, const char* name) {
  for (xmlAttr* a = n->properties; a != nullptr; a = a->next) {
    if (a->name != nullptr && EqualsIgnoreCase(C(a->name), name))
      return Take(xmlNodeListGetString(n->doc, a->children, 1));
  }
  return {};
}

std::string BaseOf(const xmlNode* n) { return Take(xmlNodeGetBase(n->doc, n)); }

std::string LangOf(const xmlNode* n) { return NormalizeLang(Take(xmlNodeGetLang(n))); }

// Text of an Atom text construct (type text / html / xhtml).
std::string AtomText(const xmlNode* n, bool one_line) {
  if (n == nullptr) return {};
  std::string type = Attr(n, "type");
  std::transform(type.begin(), type.end(), type.begin(), AsciiLower);
  if (type == "xhtml" || type == "application/xhtml+xml") {
    TextBuilder tb;
    // The content is one xhtml:div (its children are the text); be lenient.
    xmlNode* div = nullptr;
    for (xmlNode* c = n->children; c != nullptr; c = c->next) {
      if (c->type == XML_ELEMENT_NODE) {
        if (div == nullptr && NameIs(c, "div") && (NsIs(c, kXhtmlNs) || NsIs(c, nullptr)))
          div = c;
        else
          div = nullptr;
        break;
      }
    }
    CollectText(div != nullptr ? div : const_cast<xmlNode*>(n), &tb);
    std::string text = tb.Finish();
    return one_line ? CollapseSpaces(text) : text;
  }
  std::string raw = Content(n);
  bool html = type == "html" || type == "text/html";
  bool textual = type.empty() || type == "text" || type == "text/plain" || html;
  if (!textual) {
    if (type.rfind("text/", 0) != 0) return {};  // base64 or other media
  }
  if (one_line) return OneLine(raw, html);
  return html ? HtmlToText(raw) : PlainToText(raw);
}

struct LinkChoice {
  std::string href;
  int score = -1;
};

// The best Atom link among the children of `n`, resolved.
std::string AtomLink(const xmlNode* n, const char* ns) {
  LinkChoice best;
  const xmlNode* chosen = nullptr;
  for (xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (!Is(c, "link", ns)) continue;
    std::string href = Attr(c, "href");
    if (TrimAscii(href).empty()) continue;
    std::string rel = Attr(c, "rel");
    std::string type = Attr(c, "type");
    int score = 0;
    if (rel.empty() || rel == "alternate") {
      score = 3;
      if (type.empty() || type == "text/html" || type == "application/xhtml+xml") score = 4;
    } else if (rel == "self" || rel == "edit" || rel == "enclosure" || rel == "replies" ||
               rel == "license" || rel == "hub" || rel == "edit-media") {
      continue;
    } else {
      score = 1;
    }
    if (score > best.score) {
      best = {href, score};
      chosen = c;
    }
  }
  if (chosen == nullptr) return {};
  return ResolveLink(BaseOf(chosen), best.href);
}

void FinishItem(FeedItem* item, size_t index, const FeedLimits& limits, Feed* feed) {
  if (TruncateUtf8(&item->text, limits.max_text_bytes))
    feed->problems.push_back("truncated: item " + std::to_string(index + 1) + " has more than " +
                             std::to_string(limits.max_text_bytes) + " bytes of text");
  TruncateUtf8(&item->title, 4096);
  if (item->id.empty()) item->id = item->url;
  if (item->id.empty()) item->id = "item-" + Hex64(Hash64(item->title + "\n" + item->text));
  if (item->lang.empty()) item->lang = feed->lang;
}

// Items with nothing in them are skipped (with a reason).
bool UsableItem(const FeedItem& item, size_t index, Feed* feed) {
  if (!TrimAscii(item.title).empty() || !TrimAscii(item.text).empty() || !item.url.empty())
    return true;
  feed->problems.push_back("empty_item: item " + std::to_string(index + 1) +
                           " has no title, text or link; skipped");
  return false;
}

void SetDate(FeedItem* item, const std::string& raw, size_t index, Feed* feed) {
  if (TrimAscii(raw).empty()) return;
  item->published = ParseFeedDate(raw);
  if (!item->published)
    feed->problems.push_back("bad_date: item " + std::to_string(index + 1) +
                             " has an unparseable date '" +
                             std::string(TrimAscii(raw)).substr(0, 64) + "'");
}

bool ItemLimitReached(const FeedLimits& limits, Feed* feed) {
  if (feed->items.size() < limits.max_items) return false;
  feed->problems.push_back("truncated: more than " + std::to_string(limits.max_items) +
                           " items; the rest were skipped");
  return true;
}

// RSS 0.9x / 2.0 and RSS 1.0 (RDF): channel-level fields.
void ReadRssChannel(xmlNode* root, const char* core, Feed* feed) {
  xmlNode* channel = Child(root, "channel", core);
  if (channel != nullptr) {
    feed->title = OneLine(Content(Child(channel, "title", core)), true);
    xmlNode* link = Child(channel, "link", core);
    if (link != nullptr) feed->url = ResolveLink(BaseOf(link), Content(link));
    std::string lang = Content(Child(channel, "language", core));
    if (lang.empty()) lang = Content(Child(channel, "language", kDcNs));
    feed->lang = NormalizeLang(lang);
  }
  if (feed->lang.empty()) feed->lang = LangOf(root);
}

// Items are children of <channel> (RSS 2.0) or of the root (RSS 1.0, and
// some broken RSS 2.0 feeds).
std::vector<xmlNode*> RssItemNodes(xmlNode* root, const char* core) {
  std::vector<xmlNode*> items;
  for (xmlNode* parent : {Child(root, "channel", core), root}) {
    if (parent == nullptr) continue;
    for (xmlNode* c = parent->children; c != nullptr; c = c->next)
      if (Is(c, "item", core)) items.push_back(c);
  }
  return items;
}

void AddRssItem(xmlNode* it, const char* core, size_t i, const FeedLimits& limits, Feed* feed) {
  FeedItem item;
  item.title = OneLine(Content(Child(it, "title", core)), true);
  std::string body = Content(Child(it, "encoded", kContentNs));
  if (TrimAscii(body).empty()) body = Content(Child(it, "description", core));
  item.text = HtmlToText(body);
  std::string base = BaseOf(it);
  xmlNode* link = Child(it, "link", core);
  if (link != nullptr) item.url = ResolveLink(base, Content(link));
  std::string about = Take(xmlGetNsProp(it, X("about"), X(kRdfNs)));
  xmlNode* guid = Child(it, "guid", core);
  if (guid != nullptr) {
    item.id = std::string(TrimAscii(Content(guid)));
    std::string permalink = Attr(guid, "isPermaLink");
    if (item.url.empty() && permalink != "false" &&
        (StartsWithIgnoreCase(item.id, "http://") || StartsWithIgnoreCase(item.id, "https://")))
      item.url = ResolveLink(base, item.id);
  }
  if (item.url.empty() && !about.empty()) item.url = ResolveLink(base, about);
  if (item.id.empty()) item.id = std::string(TrimAscii(about));
  std::string date = Content(Child(it, "pubDate", core));
  if (TrimAscii(date).empty()) date = Content(Child(it, "date", kDcNs));
  for (const char* name : {"published", "issued", "created", "updated", "modified"}) {
    if (!TrimAscii(date).empty()) break;
    date = Content(ChildAnyNs(it, name));
  }
  SetDate(&item, date, i, feed);
  std::string author = Content(Child(it, "author", core));
  if (TrimAscii(author).empty()) author = Content(Child(it, "creator", kDcNs));
  item.author = OneLine(author, false);
  item.lang = NormalizeLang(Content(Child(it, "language", kDcNs)));
  if (item.lang.empty())
    item.lang = NormalizeLang(Take(xmlGetNsProp(it, X("lang"), XML_XML_NAMESPACE)));
  if (!UsableItem(item, i, feed)) return;
  FinishItem(&item, i, limits, feed);
  feed->items.push_back(std::move(item));
}

// Atom: feed-level fields; `author` receives the feed's author name.
void ReadAtomFeed(xmlNode* root, const char* ns, Feed* feed, std::string* author) {
  if (!NameIs(root, "entry")) {
    feed->title = AtomText(Child(root, "title", ns), true);
    feed->url = AtomLink(root, ns);
    xmlNode* a = Child(root, "author", ns);
    if (a != nullptr) *author = OneLine(Content(Child(a, "name", ns)), false);
  }
  feed->lang = LangOf(root);
}

std::vector<xmlNode*> AtomEntryNodes(xmlNode* root, const char* ns) {
  std::vector<xmlNode*> entries;
  if (NameIs(root, "entry")) {
    entries.push_back(root);
  } else {
    for (xmlNode* c = root->children; c != nullptr; c = c->next)
      if (Is(c, "entry", ns)) entries.push_back(c);
  }
  return entries;
}

void AddAtomEntry(xmlNode* e, const char* ns, const std::string& feed_author, size_t i,
                  const FeedLimits& limits, Feed* feed) {
  FeedItem item;
  item.title = AtomText(Child(e, "title", ns), true);
  xmlNode* content = Child(e, "content", ns);
  if (content != nullptr && Attr(content, "src").empty()) item.text = AtomText(content, false);
  if (TrimAscii(item.text).empty()) item.text = AtomText(Child(e, "summary", ns), false);
  item.url = AtomLink(e, ns);
  item.id = std::string(TrimAscii(Content(Child(e, "id", ns))));
  std::string date;
  for (const char* name : {"published", "issued", "created", "updated", "modified"}) {
    date = Content(Child(e, name, ns));
    if (!TrimAscii(date).empty()) break;
  }
  if (TrimAscii(date).empty()) date = Content(Child(e, "date", kDcNs));
  SetDate(&item, date, i, feed);
  xmlNode* author = Child(e, "author", ns);
  item.author =
      author != nullptr ? OneLine(Content(Child(author, "name", ns)), false) : feed_author;
  item.lang = LangOf(e);
  if (!UsableItem(item, i, feed)) return;
  FinishItem(&item, i, limits, feed);
  feed->items.push_back(std::move(item));
}

// The source of every <local> element (any prefix) in `text`, outside
// comments, CDATA sections and processing instructions. An element that is
// not closed before the next one starts ends there.
std::vector<std::string_view> SplitElements(std::string_view text, std::string_view local) {
  struct Span {
    size_t start, end;  // end == npos: not closed
  };
  std::vector<Span> spans;
  // The first '>' at or after a position; positions only grow, so caching
  // keeps the scan linear.
  size_t cached_gt = 0;
  bool have_gt = false;
  auto find_gt = [&](size_t from) {
    if (!have_gt || (cached_gt != std::string_view::npos && cached_gt < from)) {
      cached_gt = text.find('>', from);
      have_gt = true;
    }
    return cached_gt;
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t lt = text.find('<', pos);
    if (lt == std::string_view::npos) break;
    std::string_view rest = text.substr(lt);
    auto skip_to = [&](std::string_view end) {
      size_t e = text.find(end, lt);
      pos = e == std::string_view::npos ? text.size() : e + end.size();
    };
    if (rest.substr(0, 9) == "<![CDATA[") {
      skip_to("]]>");
      continue;
    }
    if (rest.substr(0, 4) == "<!--") {
      skip_to("-->");
      continue;
    }
    if (rest.substr(0, 2) == "<?") {
      skip_to("?>");
      continue;
    }
    bool closing = rest.size() > 1 && rest[1] == '/';
    size_t name_start = lt + (closing ? 2 : 1);
    size_t j = name_start;
    while (j < text.size() && !IsSpace(text[j]) && text[j] != '>' && text[j] != '/' &&
           text[j] != '<')
      ++j;
    std::string_view name = text.substr(name_start, j - name_start);
    size_t colon = name.find(':');
    if (colon != std::string_view::npos) name = name.substr(colon + 1);
    pos = lt + 1;
    if (name != local) continue;
    size_t gt = find_gt(j);
    if (gt == std::string_view::npos) break;
    if (closing) {
      if (!spans.empty() && spans.back().end == std::string_view::npos) spans.back().end = gt + 1;
      continue;
    }
    if (!spans.empty() && spans.back().end == std::string_view::npos) spans.back().end = lt;
    spans.push_back({lt, std::string_view::npos});
    if (text[gt - 1] == '/') spans.back().end = gt + 1;
  }
  std::vector<std::string_view> out;
  for (const Span& s : spans) {
    size_t end = s.end == std::string_view::npos ? text.size() : s.end;
    out.push_back(text.substr(s.start, end - s.start));
  }
  return out;
}

std::string EscapeAttr(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '"') {
      out += "&quot;";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// An element that gives a fragment the context of `parent` in the original
// document: its namespace declarations, xml:base and xml:lang.
std::string WrapperStart(xmlNode* parent) {
  std::string out = "<storyline-wrapper";
  std::vector<std::string> seen;
  for (xmlNode* n = parent; n != nullptr && n->type == XML_ELEMENT_NODE; n = n->parent) {
    for (xmlNs* ns = n->nsDef; ns != nullptr; ns = ns->next) {
      if (ns->href == nullptr) continue;
      std::string prefix = ns->prefix != nullptr ? C(ns->prefix) : "";
      if (std::find(seen.begin(), seen.end(), prefix) != seen.end()) continue;
      seen.push_back(prefix);
      out += prefix.empty() ? " xmlns=\"" : " xmlns:" + prefix + "=\"";
      out += EscapeAttr(C(ns->href));
      out += "\"";
    }
  }
  std::string base = BaseOf(parent);
  if (!base.empty()) out += " xml:base=\"" + EscapeAttr(base) + "\"";
  std::string lang = Take(xmlNodeGetLang(parent));
  if (!lang.empty()) out += " xml:lang=\"" + EscapeAttr(lang) + "\"";
  out += ">";
  return out;
}

Result<Feed> ParseXmlFeed(std::string_view utf8, std::string_view base_url,
                          const FeedLimits& limits) {
  ParsedXml parsed;
  Status s = ParseXml(utf8, base_url, &parsed);
  if (!s.ok()) return s;
  xmlNode* root = xmlDocGetRootElement(parsed.doc.get());
  Feed feed;
  std::string_view name = C(root->name);
  const char* ns = nullptr;  // the namespace of the format's own elements
  std::string feed_author;
  std::vector<xmlNode*> nodes;
  if (name == "rss" || name == "RDF") {
    if (name == "RDF") {
      feed.format = "rdf";
      for (const char* candidate : {kRss1Ns, kRss090Ns}) {
        if (Child(root, "channel", candidate) != nullptr ||
            Child(root, "item", candidate) != nullptr)
          ns = candidate;
      }
      if (ns == nullptr)
        return Status::InvalidArgument("not_a_feed: an RDF document without RSS 1.0 items");
    } else {
      feed.format = "rss";
      ns = root->ns != nullptr ? C(root->ns->href) : nullptr;
    }
    ReadRssChannel(root, ns, &feed);
    nodes = RssItemNodes(root, ns);
  } else if (name == "feed" || name == "entry") {
    ns = root->ns != nullptr ? C(root->ns->href) : nullptr;
    if (ns != nullptr && std::strcmp(ns, kAtomNs) != 0 && std::strcmp(ns, kAtom03Ns) != 0)
      return Status::InvalidArgument("not_a_feed: <" + std::string(name) + "> in namespace " + ns);
    feed.format = "atom";
    ReadAtomFeed(root, ns, &feed, &feed_author);
    nodes = AtomEntryNodes(root, ns);
  } else {
    return Status::InvalidArgument("not_a_feed: the root element is <" +
                                   std::string(name).substr(0, 64) +
                                   ">, not <rss>, <rdf:RDF> or <feed>");
  }
  bool atom = feed.format == "atom";
  auto add = [&](xmlNode* node, size_t i) {
    if (atom) {
      AddAtomEntry(node, ns, feed_author, i, limits, &feed);
    } else {
      AddRssItem(node, ns, i, limits, &feed);
    }
  };

  std::vector<std::string_view> chunks;
  if (parsed.state.errors > 0 && name != "entry")
    chunks = SplitElements(utf8, atom ? "entry" : "item");
  if (chunks.empty()) {
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (ItemLimitReached(limits, &feed)) break;
      add(nodes[i], i);
    }
  } else {
    // The document is malformed: recovery may have swallowed good items into
    // a broken one. Parse every item on its own, in the context of its parent.
    std::string open = WrapperStart(nodes.empty() ? root : nodes[0]->parent);
    for (size_t i = 0; i < chunks.size(); ++i) {
      if (ItemLimitReached(limits, &feed)) break;
      ParsedXml item_doc;
      std::string fragment = open;
      fragment.append(chunks[i]);
      fragment.append("</storyline-wrapper>");
      Status item_status = ParseXml(fragment, base_url, &item_doc);
      xmlNode* node = nullptr;
      if (item_status.ok()) {
        for (xmlNode* c = xmlDocGetRootElement(item_doc.doc.get())->children; c != nullptr;
             c = c->next)
          if (Is(c, atom ? "entry" : "item", ns)) {
            node = c;
            break;
          }
      }
      if (node == nullptr) {
        feed.problems.push_back("malformed_item: item " + std::to_string(i + 1) +
                                " could not be parsed; skipped");
        continue;
      }
      if (item_doc.state.errors > 0)
        feed.problems.push_back("malformed_item: item " + std::to_string(i + 1) +
                                " was repaired (" + item_doc.state.first_error + ")");
      add(node, i);
    }
  }
  if (parsed.state.errors > 0)
    feed.problems.insert(feed.problems.begin(),
                         "malformed_xml: recovered from " + std::to_string(parsed.state.errors) +
                             " error(s)" +
                             (parsed.state.stopped ? " (parsing stopped there)" : "") +
                             "; first at " + parsed.state.first_error);
  return feed;
}

// ---------------------------------------------------------------------------
// JSON Feed.

// Deepest nesting of arrays and objects, stopping early past `limit`.
int JsonDepth(std::string_view s, int limit) {
  int depth = 0, max_depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
      if (max_depth > limit) return max_depth;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max_depth;
}

std::string JsonText(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  if (it == obj.end()) return {};
  // Each get<> is guarded by its type check, so none can throw. Unsigned
  // first: is_number_integer() is also true for it, and get<int64_t>() would
  // turn an id above INT64_MAX negative.
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_unsigned()) return std::to_string(it->get<uint64_t>());
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return {};
}

std::string JsonAuthor(const nlohmann::json& obj) {
  auto authors = obj.find("authors");
  if (authors != obj.end() && authors->is_array()) {
    for (const auto& a : *authors) {
      std::string name = JsonText(a, "name");
      if (!name.empty()) return name;
    }
  }
  auto author = obj.find("author");
  if (author != obj.end()) return JsonText(*author, "name");
  return {};
}

Result<Feed> ParseJsonFeed(std::string_view utf8, std::string_view base_url,
                           const FeedLimits& limits) {
  if (JsonDepth(utf8, kMaxJsonDepth) > kMaxJsonDepth)
    return Status::InvalidArgument("malformed_json: nested deeper than " +
                                   std::to_string(kMaxJsonDepth) + " levels");
  nlohmann::json doc = nlohmann::json::parse(utf8, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("malformed_json: not valid JSON");
  if (!doc.is_object()) return Status::InvalidArgument("malformed_json: not a JSON object");
  std::string version = JsonText(doc, "version");
  if (version.find("jsonfeed.org/version/") == std::string::npos)
    return Status::InvalidArgument("not_a_feed: JSON without a jsonfeed.org version");
  Feed feed;
  feed.format = "jsonfeed";
  feed.title = OneLine(JsonText(doc, "title"), false);
  std::string feed_url = JsonText(doc, "feed_url");
  std::string base = ResolveLink(base_url, feed_url);
  if (base.empty()) base = std::string(base_url);
  feed.url = ResolveLink(base, JsonText(doc, "home_page_url"));
  feed.lang = NormalizeLang(JsonText(doc, "language"));
  auto items = doc.find("items");
  if (items == doc.end() || !items->is_array()) {
    feed.problems.push_back("no_items: the feed has no \"items\" array");
    return feed;
  }
  std::string feed_author = JsonAuthor(doc);
  size_t index = 0;
  for (const auto& obj : *items) {
    size_t i = index++;
    if (ItemLimitReached(limits, &feed)) break;
    if (!obj.is_object()) {
      feed.problems.push_back("malformed_item: item " + std::to_string(i + 1) +
                              " is not a JSON object; skipped");
      continue;
    }
    FeedItem item;
    item.id = std::string(TrimAscii(JsonText(obj, "id")));
    item.title = OneLine(JsonText(obj, "title"), false);
    std::string text = JsonText(obj, "content_text");
    if (!TrimAscii(text).empty()) {
      item.text = PlainToText(text);
    } else {
      std::string html = JsonText(obj, "content_html");
      if (TrimAscii(html).empty()) html = JsonText(obj, "summary");
      item.text = HtmlToText(html);
    }
    item.url = ResolveLink(base, JsonText(obj, "url"));
    if (item.url.empty()) item.url = ResolveLink(base, JsonText(obj, "external_url"));
    std::string date = JsonText(obj, "date_published");
    if (TrimAscii(date).empty()) date = JsonText(obj, "date_modified");
    SetDate(&item, date, i, &feed);
    item.author = OneLine(JsonAuthor(obj), false);
    if (item.author.empty()) item.author = OneLine(feed_author, false);
    item.lang = NormalizeLang(JsonText(obj, "language"));
    if (!UsableItem(item, i, &feed)) continue;
    FinishItem(&item, i, limits, &feed);
    feed.items.push_back(std::move(item));
  }
  return feed;
}

std::string_view SkipBomAndSpace(std::string_view s) {
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  return s;
}

// The local name of the first element of an XML document ("" if none found).
std::string FirstElementName(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t lt = s.find('<', i);
    if (lt == std::string_view::npos || lt + 1 >= s.size()) return {};
    std::string_view rest = s.substr(lt);
    if (rest.substr(0, 4) == "<!--") {
      size_t end = s.find("-->", lt);
      if (end == std::string_view::npos) return {};
      i = end + 3;
    } else if (rest[1] == '?' || rest[1] == '!') {
      size_t end = s.find('>', lt);
      if (end == std::string_view::npos) return {};
      // A DOCTYPE with an internal subset ends at "]>".
      if (StartsWithIgnoreCase(rest, "<!DOCTYPE")) {
        size_t bracket = s.find('[', lt);
        if (bracket != std::string_view::npos && bracket < end) {
          size_t close = s.find("]>", bracket);
          if (close == std::string_view::npos) return {};
          end = close + 1;
        }
      }
      i = end + 1;
    } else {
      size_t j = lt + 1;
      while (j < s.size() && !IsSpace(s[j]) && s[j] != '>' && s[j] != '/') ++j;
      std::string_view name = s.substr(lt + 1, j - lt - 1);
      size_t colon = name.find(':');
      if (colon != std::string_view::npos) name = name.substr(colon + 1);
      return std::string(name);
    }
  }
  return {};
}

}  // namespace

Result<Feed> ParseFeed(std::string_view bytes, std::string_view base_url,
                       const FeedLimits& limits) {
  return ParseFeedWithCharset(bytes, {}, base_url, limits);
}

Result<Feed> ParseFeedWithCharset(std::string_view bytes, std::string_view http_charset,
                                  std::string_view base_url, const FeedLimits& limits) {
  if (bytes.size() > kMaxFeedBytes)
    return Status::InvalidArgument("too_large: the feed is larger than " +
                                   std::to_string(kMaxFeedBytes >> 20) + " MiB");
  DecodedText decoded = DecodeToUtf8(bytes, http_charset);
  std::string_view text = SkipBomAndSpace(decoded.utf8);
  if (text.empty()) return Status::InvalidArgument("empty: the feed has no content");
  Result<Feed> feed = text.front() == '{' ? ParseJsonFeed(text, base_url, limits)
                                          : ParseXmlFeed(text, base_url, limits);
  if (feed.ok() && decoded.replaced > 0)
    feed->problems.push_back("invalid_encoding: " + std::to_string(decoded.replaced) +
                             " bytes could not be decoded as " + decoded.charset);
  return feed;
}

bool LooksLikeFeed(std::string_view bytes) {
  std::string_view head = bytes.substr(0, 4096);
  std::string converted;
  if (head.size() >= 2 && (head.substr(0, 2) == "\xFF\xFE" || head.substr(0, 2) == "\xFE\xFF")) {
    converted = DecodeToUtf8(head.substr(0, head.size() & ~size_t{1})).utf8;
    head = converted;
  }
  head = SkipBomAndSpace(head);
  if (head.empty() || (head.front() != '<' && head.front() != '{')) return false;
  if (head.front() == '{') return head.find("jsonfeed.org/version") != std::string_view::npos;
  std::string name = FirstElementName(head);
  if (name == "rss") return true;
  if (name == "feed" || name == "entry")
    return head.find(kAtomNs) != std::string_view::npos ||
           head.find(kAtom03Ns) != std::string_view::npos;
  if (name == "RDF")
    return head.find(kRss1Ns) != std::string_view::npos ||
           head.find(kRss090Ns) != std::string_view::npos;
  return false;
}

void FeedToArticles(const Feed& feed, std::string_view origin, IngestBatch* out) {
  for (size_t i = 0; i < feed.items.size(); ++i) {
    const FeedItem& item = feed.items[i];
    std::string where = std::string(origin) + ":" + std::to_string(i + 1);
    if (TrimAscii(item.title).empty() && TrimAscii(item.text).empty()) {
      out->rejects.push_back(
          {where, "empty", "feed item '" + item.id + "' has neither title nor text"});
      continue;
    }
    Article a;
    a.id = item.id;
    a.title = item.title;
    a.text = item.text;
    a.url = item.url;
    a.published = item.published;
    a.source = feed.title;
    a.lang_hint = item.lang.empty() ? feed.lang : item.lang;
    a.origin = where;
    out->articles.push_back(std::move(a));
  }
}

Result<std::vector<OpmlOutline>> ParseOpml(std::string_view bytes) {
  if (bytes.size() > kMaxFeedBytes)
    return Status::InvalidArgument("too_large: the OPML file is larger than " +
                                   std::to_string(kMaxFeedBytes >> 20) + " MiB");
  DecodedText decoded = DecodeToUtf8(bytes);
  std::string_view text = SkipBomAndSpace(decoded.utf8);
  if (text.empty()) return Status::InvalidArgument("empty: the OPML file has no content");
  ParsedXml parsed;
  Status s = ParseXml(text, {}, &parsed);
  if (!s.ok()) return s;
  xmlNode* root = xmlDocGetRootElement(parsed.doc.get());
  if (!EqualsIgnoreCase(C(root->name), "opml"))
    return Status::InvalidArgument("not_opml: the root element is <" +
                                   std::string(C(root->name)).substr(0, 64) + ">, not <opml>");
  std::vector<OpmlOutline> out;
  // Document order, without recursion.
  xmlNode* n = root->children;
  while (n != nullptr) {
    if (n->type == XML_ELEMENT_NODE && EqualsIgnoreCase(C(n->name), "outline")) {
      std::string xml_url(TrimAscii(AttrIgnoreCase(n, "xmlUrl")));
      if (!xml_url.empty()) {
        OpmlOutline o;
        o.xml_url = xml_url;
        o.html_url = std::string(TrimAscii(AttrIgnoreCase(n, "htmlUrl")));
        o.title = CollapseSpaces(AttrIgnoreCase(n, "title"));
        if (o.title.empty()) o.title = CollapseSpaces(AttrIgnoreCase(n, "text"));
        out.push_back(std::move(o));
      }
    }
    if (n->type == XML_ELEMENT_NODE && n->children != nullptr) {
      n = n->children;
      continue;
    }
    while (n != nullptr && n->next == nullptr) {
      n = n->parent;
      if (n == root) n = nullptr;
    }
    if (n != nullptr) n = n->next;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Dates.

namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool AllAlpha(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  return true;
}

int ToInt(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// 1..12, or 0.
int MonthNumber(std::string_view token) {
  static const char* const kMonths[] = {"january",   "february", "march",    "april",
                                        "may",       "june",     "july",     "august",
                                        "september", "october",  "november", "december"};
  if (token.size() < 3) return 0;
  std::string lower(token);
  std::transform(lower.begin(), lower.end(), lower.begin(), AsciiLower);
  if (lower == "sept") return 9;
  for (int m = 0; m < 12; ++m) {
    std::string_view full = kMonths[m];
    if (lower.size() <= full.size() && full.substr(0, lower.size()) == lower &&
        (lower.size() == 3 || lower.size() == full.size()))
      return m + 1;
  }
  return 0;
}

bool IsWeekday(std::string_view token) {
  static const char* const kDays[] = {"monday", "tuesday",  "wednesday", "thursday",
                                      "friday", "saturday", "sunday"};
  if (token.size() < 2) return false;
  std::string lower(token);
  std::transform(lower.begin(), lower.end(), lower.begin(), AsciiLower);
  if (lower.back() == '.') lower.pop_back();
  for (const char* d : kDays) {
    std::string_view full = d;
    if (lower.size() >= 3 && lower.size() <= full.size() && full.substr(0, lower.size()) == lower)
      return true;
  }
  return false;
}

// Named zones, in minutes east of UTC.
std::optional<int> NamedZone(std::string_view token) {
  static const struct {
    const char* name;
    int minutes;
  } kZones[] = {
      {"gmt", 0},     {"ut", 0},      {"utc", 0},    {"z", 0},      {"est", -300}, {"edt", -240},
      {"cst", -360},  {"cdt", -300},  {"mst", -420}, {"mdt", -360}, {"pst", -480}, {"pdt", -420},
      {"akst", -540}, {"akdt", -480}, {"hst", -600}, {"wet", 0},    {"west", 60},  {"bst", 60},
      {"cet", 60},    {"cest", 120},  {"met", 60},   {"mest", 120}, {"eet", 120},  {"eest", 180},
      {"msk", 180},   {"jst", 540},   {"kst", 540},  {"hkt", 480},  {"sgt", 480},  {"aest", 600},
      {"aedt", 660},  {"acst", 570},  {"awst", 480}, {"nzst", 720}, {"nzdt", 780},
  };
  std::string lower(token);
  std::transform(lower.begin(), lower.end(), lower.begin(), AsciiLower);
  for (const auto& z : kZones)
    if (lower == z.name) return z.minutes;
  return std::nullopt;
}

// "+0100", "-05:00", "+01", in minutes east of UTC.
std::optional<int> NumericZone(std::string_view token) {
  if (token.size() < 3 || (token[0] != '+' && token[0] != '-')) return std::nullopt;
  int sign = token[0] == '-' ? -1 : 1;
  std::string digits;
  for (char c : token.substr(1)) {
    if (c == ':') continue;
    if (c < '0' || c > '9') return std::nullopt;
    digits.push_back(c);
  }
  int h = 0, m = 0;
  if (digits.size() == 4) {
    h = ToInt(digits.substr(0, 2));
    m = ToInt(digits.substr(2));
  } else if (digits.size() == 2) {
    h = ToInt(digits);
  } else if (digits.size() == 1) {
    h = ToInt(digits);
  } else {
    return std::nullopt;
  }
  if (h > 23 || m > 59) return std::nullopt;
  return sign * (h * 60 + m);
}

// "10:20", "10:20:30", "10:20:30.123".
bool ParseClock(std::string_view token, int* h, int* mi, int* s) {
  size_t dot = token.find('.');
  if (dot != std::string_view::npos) {
    if (!AllDigits(token.substr(dot + 1))) return false;
    token = token.substr(0, dot);
  }
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= token.size(); ++i) {
    if (i == token.size() || token[i] == ':') {
      parts.push_back(token.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() < 2 || parts.size() > 3) return false;
  for (auto p : parts)
    if (!AllDigits(p) || p.size() > 2) return false;
  *h = ToInt(parts[0]);
  *mi = ToInt(parts[1]);
  *s = parts.size() == 3 ? ToInt(parts[2]) : 0;
  return *h <= 24 && *mi <= 59 && *s <= 60 && !(*h == 24 && (*mi > 0 || *s > 0));
}

std::optional<int64_t> ParseIsoLike(std::string_view s) {
  std::string t(s);
  for (char& c : t) {
    if (c == 't') c = 'T';
    if (c == 'z') c = 'Z';
  }
  // "2022-02-15 10:20:30 +0100" / "... UTC": join the zone to the time.
  for (const char* suffix : {" UTC", " GMT", " Z"}) {
    size_t n = std::strlen(suffix);
    if (t.size() > n && t.compare(t.size() - n, n, suffix) == 0) {
      t.resize(t.size() - n);
      t.push_back('Z');
      break;
    }
  }
  size_t sp = t.rfind(' ');
  if (sp != std::string::npos && sp > 10 && sp + 1 < t.size() &&
      (t[sp + 1] == '+' || t[sp + 1] == '-'))
    t.erase(sp, 1);
  return ParseIsoDate(t);  // checks the day against the month
}

}  // namespace

std::optional<int64_t> ParseFeedDate(std::string_view s) {
  s = TrimAscii(s);
  if (s.empty() || s.size() > 128) return std::nullopt;
  if (s.size() >= 7 && AllDigits(s.substr(0, 4)) && s[4] == '-') return ParseIsoLike(s);

  // RFC 822 / 1123 / 2822 and relatives, read token by token.
  std::string cleaned;
  int paren = 0;
  for (char c : s) {
    if (c == '(') {
      ++paren;
    } else if (c == ')') {
      if (paren > 0) --paren;
    } else if (paren == 0) {
      cleaned.push_back(c == ',' ? ' ' : c);
    }
  }
  std::vector<std::string> tokens;
  size_t start = 0;
  for (size_t i = 0; i <= cleaned.size(); ++i) {
    if (i == cleaned.size() || IsSpace(cleaned[i])) {
      if (i > start) tokens.push_back(cleaned.substr(start, i - start));
      start = i + 1;
    }
  }
  // "15-Feb-2022": split dashes between letters and digits.
  std::vector<std::string> expanded;
  for (const auto& t : tokens) {
    bool has_alpha = std::any_of(t.begin(), t.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    });
    if (has_alpha && t.find('-') != std::string::npos && t[0] != '-' && t[0] != '+') {
      size_t b = 0;
      for (size_t i = 0; i <= t.size(); ++i) {
        if (i == t.size() || t[i] == '-') {
          if (i > b) expanded.push_back(t.substr(b, i - b));
          b = i + 1;
        }
      }
    } else {
      expanded.push_back(t);
    }
  }
  int day = -1, month = 0, year = -1, hour = 0, minute = 0, second = 0;
  bool have_time = false, have_zone = false;
  int zone = 0;
  bool pm = false, am = false;
  for (size_t k = 0; k < expanded.size(); ++k) {
    std::string t = expanded[k];
    if (t.empty()) continue;
    if (t.find(':') != std::string::npos && t[0] >= '0' && t[0] <= '9' && !have_time) {
      // The time, maybe with a zone stuck to it ("10:20:30Z", "10:20:30+0100").
      size_t z = t.find_first_of("+-Zz");
      std::string clock = t.substr(0, z);
      if (!ParseClock(clock, &hour, &minute, &second)) return std::nullopt;
      have_time = true;
      if (z != std::string::npos) {
        std::string rest = t.substr(z);
        std::optional<int> off =
            (rest == "Z" || rest == "z") ? std::optional<int>(0) : NumericZone(rest);
        if (!off) return std::nullopt;
        zone = *off;
        have_zone = true;
      }
      continue;
    }
    if (AllDigits(t)) {
      if (t.size() <= 2 && day < 0) {
        day = ToInt(t);
      } else if (year < 0 && (t.size() == 4 || t.size() == 2 || t.size() == 3)) {
        year = ToInt(t);
        if (t.size() == 2) year += year < 50 ? 2000 : 1900;
        if (t.size() == 3) year += 1900;
      } else {
        return std::nullopt;
      }
      continue;
    }
    if ((t[0] == '+' || t[0] == '-') && !have_zone) {
      auto off = NumericZone(t);
      if (!off) return std::nullopt;
      zone = *off;
      have_zone = true;
      continue;
    }
    if (AllAlpha(t) || (t.size() > 1 && t.back() == '.' && AllAlpha(t.substr(0, t.size() - 1)))) {
      std::string word = t.back() == '.' ? t.substr(0, t.size() - 1) : t;
      if (EqualsIgnoreCase(word, "am")) {
        am = true;
        continue;
      }
      if (EqualsIgnoreCase(word, "pm")) {
        pm = true;
        continue;
      }
      if (month == 0 && MonthNumber(word) != 0) {
        month = MonthNumber(word);
        continue;
      }
      if (IsWeekday(word) && !have_time) continue;
      if (!have_zone) {
        auto named = NamedZone(word);
        if (named) {
          zone = *named;
          have_zone = true;
          continue;
        }
        if (have_time && word.size() <= 5) {  // unknown zone: RFC 2822 says UTC
          have_zone = true;
          continue;
        }
      }
      return std::nullopt;
    }
    // "GMT+0100", "UTC-5".
    if (!have_zone && (StartsWithIgnoreCase(t, "GMT") || StartsWithIgnoreCase(t, "UTC"))) {
      auto off = NumericZone(t.substr(3));
      if (!off) return std::nullopt;
      zone = *off;
      have_zone = true;
      continue;
    }
    return std::nullopt;
  }
  if (day < 1 || month == 0 || year < 0) return std::nullopt;
  // Any year the tokens can spell (0000-9999): whether it is plausible is
  // decided later (by the engine), not here.
  if (day > DaysInMonth(year, static_cast<unsigned>(month))) return std::nullopt;
  if (pm || am) {
    if (!have_time || hour < 1 || hour > 12) return std::nullopt;
    if (pm && hour != 12) hour += 12;
    if (am && hour == 12) hour = 0;
  }
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return days * 86400 + hour * 3600 + minute * 60 + second - static_cast<int64_t>(zone) * 60;
}

}  // namespace storyline
