// Web pages: main-text extraction and metadata. See html.h.
//
// The DOM comes from libxml2's HTML parser (no network, errors silenced,
// encoding forced to UTF-8). Every walk over the tree is iterative (it follows
// the parent/next pointers), so deeply nested documents cannot exhaust the
// stack. The main text is chosen with a readability-style scorer:
//
//  1. Classify every element: hard-skipped (script, style, forms controls,
//     hidden, ...), soft boilerplate (nav, aside, header, footer, form, and
//     elements whose class/id names say navigation, comments, sharing, ads,
//     ...), block or inline.
//  2. Soft boilerplate is dropped unless it holds at least half of the page's
//     paragraph text (a wrapper called "page has-sidebar" is not a sidebar).
//  3. Runs of inline text (paragraphs) of 25+ characters with few links score
//     1 + commas + length/100 (max 3), added to their container and, with a
//     falling weight, to the container's ancestors. A container's score is
//     multiplied by (1 - link density) and shifted by class/id names.
//  4. The best container is refined (common ancestor of several close
//     candidates, a parent that scores higher) and joined by siblings that
//     look like article text. Its paragraphs, headings, list items and quotes
//     become the text; link-dense blocks inside it are dropped.
#include "ingest/html.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/text.h"

namespace storyline {
namespace {

using Json = nlohmann::json;

// ---------------------------------------------------------------------------
// ASCII helpers

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlnum(char c) { return IsAsciiAlpha(c) || IsAsciiDigit(c); }

// Cuts `s` to at most `n` bytes without splitting a UTF-8 sequence.
void TruncateUtf8(std::string& s, size_t n) {
  if (s.size() <= n) return;
  size_t i = n;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  s.resize(i);
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// ---------------------------------------------------------------------------
// Character classes for visible text.

enum class CharKind { kNormal, kComma, kSpace, kNewline, kDrop };

// Decodes the character at s[i]; returns its length in bytes (at least 1).
// Malformed bytes are kDrop, so whatever is copied is well-formed UTF-8.
size_t NextChar(std::string_view s, size_t i, CharKind* kind) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  unsigned char c = p[i];
  if (c < 0x80) {
    if (c == '\n') {
      *kind = CharKind::kNewline;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      *kind = CharKind::kSpace;
    } else if (c < 0x20 || c == 0x7F) {
      *kind = CharKind::kDrop;
    } else if (c == ',') {
      *kind = CharKind::kComma;
    } else {
      *kind = CharKind::kNormal;
    }
    return 1;
  }
  size_t len = 0;
  uint32_t cp = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
  } else {
    *kind = CharKind::kDrop;
    return 1;
  }
  if (i + len > n) {
    *kind = CharKind::kDrop;
    return 1;
  }
  for (size_t k = 1; k < len; ++k) {
    if ((p[i + k] & 0xC0) != 0x80) {
      *kind = CharKind::kDrop;
      return 1;
    }
    cp = (cp << 6) | (p[i + k] & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    *kind = CharKind::kDrop;
    return 1;
  }
  if (cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
      cp == 0x205F || cp == 0x3000) {
    *kind = CharKind::kSpace;
  } else if (cp == 0x2028 || cp == 0x2029) {
    *kind = CharKind::kNewline;
  } else if ((cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || cp == 0x200B || cp == 0x2060 ||
             cp == 0xFEFF) {
    *kind = CharKind::kDrop;  // C1 controls, soft hyphen, zero-width space, BOM
  } else if (cp == 0x060C || cp == 0x3001 || cp == 0xFF0C) {
    *kind = CharKind::kComma;  // Arabic, ideographic and full-width commas
  } else {
    *kind = CharKind::kNormal;
  }
  return len;
}

// Appends `raw` to `out` with whitespace runs collapsed to one space (none at
// the start of `out`). `*space` carries a pending space between calls.
void AppendCollapsed(std::string& out, bool* space, std::string_view raw, size_t max_bytes) {
  for (size_t i = 0; i < raw.size();) {
    CharKind kind;
    size_t len = NextChar(raw, i, &kind);
    if (kind == CharKind::kSpace || kind == CharKind::kNewline) {
      if (!out.empty()) *space = true;
    } else if (kind != CharKind::kDrop) {
      if (out.size() + len + 1 > max_bytes) return;
      if (*space) out += ' ';
      *space = false;
      out.append(raw.data() + i, len);
    }
    i += len;
  }
}

std::string CollapseSpaces(std::string_view raw, size_t max_bytes = 4096) {
  std::string out;
  bool space = false;
  AppendCollapsed(out, &space, raw, max_bytes);
  return out;
}

// Decodes the HTML character references some sites leave in JSON-LD strings.
std::string DecodeEntities(std::string_view s) {
  if (s.find('&') == std::string_view::npos) return std::string(s);
  static const std::pair<std::string_view, std::string_view> kNamed[] = {
      {"amp", "&"},
      {"lt", "<"},
      {"gt", ">"},
      {"quot", "\""},
      {"apos", "'"},
      {"nbsp", "\xC2\xA0"},
      {"ndash", "\xE2\x80\x93"},
      {"mdash", "\xE2\x80\x94"},
      {"hellip", "\xE2\x80\xA6"},
      {"rsquo", "\xE2\x80\x99"},
      {"lsquo", "\xE2\x80\x98"},
      {"rdquo", "\xE2\x80\x9D"},
      {"ldquo", "\xE2\x80\x9C"},
  };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '&') {
      out += s[i++];
      continue;
    }
    size_t semi = s.find(';', i + 1);
    if (semi == std::string_view::npos || semi - i > 12) {
      out += s[i++];
      continue;
    }
    std::string_view name = s.substr(i + 1, semi - i - 1);
    bool done = false;
    if (name.size() >= 2 && name[0] == '#') {
      uint32_t cp = 0;
      bool hex = name[1] == 'x' || name[1] == 'X';
      size_t k = hex ? 2 : 1;
      bool ok = k < name.size();
      for (; ok && k < name.size(); ++k) {
        char c = name[k];
        int v = -1;
        if (IsAsciiDigit(c)) v = c - '0';
        if (hex && c >= 'a' && c <= 'f') v = c - 'a' + 10;
        if (hex && c >= 'A' && c <= 'F') v = c - 'A' + 10;
        if (v < 0) ok = false;
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
        if (cp > 0x10FFFF) ok = false;
      }
      if (ok && cp != 0 && !(cp >= 0xD800 && cp <= 0xDFFF)) {
        AppendUtf8(out, cp);
        done = true;
      }
    } else {
      for (const auto& [n, v] : kNamed) {
        if (name == n) {
          out += v;
          done = true;
          break;
        }
      }
    }
    if (done) {
      i = semi + 1;
    } else {
      out += s[i++];
    }
  }
  return out;
}

// Removes <...> markup (for HTML that some sites put in JSON-LD articleBody);
// block-ish tags become paragraph breaks.
std::string StripTags(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '<') {
      size_t close = s.find('>', i + 1);
      if (close == std::string_view::npos) break;
      std::string_view tag = s.substr(i + 1, close - i - 1);
      if (!tag.empty() && tag[0] == '/') tag.remove_prefix(1);
      if (StartsWithIgnoreCase(tag, "p") || StartsWithIgnoreCase(tag, "br") ||
          StartsWithIgnoreCase(tag, "div") || StartsWithIgnoreCase(tag, "h")) {
        out += "\n\n";
      } else {
        out += ' ';
      }
      i = close + 1;
    } else {
      out += s[i++];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// libxml2 helpers

void InitLibxml() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

struct DocDeleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

std::string_view NodeName(const xmlNode* n) {
  return n->name ? std::string_view(reinterpret_cast<const char*>(n->name)) : std::string_view();
}

bool IsElement(const xmlNode* n) { return n != nullptr && n->type == XML_ELEMENT_NODE; }

bool HasAttr(const xmlNode* n, std::string_view name) {
  for (const xmlAttr* a = n->properties; a != nullptr; a = a->next) {
    if (a->name && EqualsIgnoreCase(reinterpret_cast<const char*>(a->name), name)) return true;
  }
  return false;
}

// The value of attribute `name` ("" if absent).
std::string Attr(const xmlNode* n, std::string_view name) {
  for (const xmlAttr* a = n->properties; a != nullptr; a = a->next) {
    if (!a->name || !EqualsIgnoreCase(reinterpret_cast<const char*>(a->name), name)) continue;
    std::string v;
    for (const xmlNode* c = a->children; c != nullptr; c = c->next) {
      if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
        v += reinterpret_cast<const char*>(c->content);
      }
    }
    return v;
  }
  return {};
}

std::string_view Content(const xmlNode* n) {
  return n->content ? std::string_view(reinterpret_cast<const char*>(n->content))
                    : std::string_view();
}

// Pre-order walk without recursion. `enter(n)` returns whether to descend
// into n; `leave(n)` is called after the children of every entered node.
template <typename Enter, typename Leave>
void Walk(xmlNode* root, Enter&& enter, Leave&& leave, const bool* stop = nullptr) {
  if (root == nullptr) return;
  xmlNode* n = root;
  while (true) {
    if (stop && *stop) return;
    bool entered = enter(n);
    if (entered && n->children != nullptr) {
      n = n->children;
      continue;
    }
    if (entered) leave(n);
    while (true) {
      if (n == root) return;
      if (n->next != nullptr) {
        n = n->next;
        break;
      }
      n = n->parent;
      if (n == nullptr) return;
      leave(n);
    }
  }
}

// ---------------------------------------------------------------------------
// Element classification

enum class Tag : uint8_t {
  kOther,
  kA,
  kArticle,
  kBody,
  kBr,
  kDiv,
  kH1,
  kHeading,  // h2-h6
  kHr,
  kHtml,
  kLi,
  kMain,
  kP,
  kPre,
  kSection,
  kSvg,
  kTd,
  kTime,
  kTitle,
  kNotScored,  // blocks whose own text does not count as a paragraph
  kBlockquote,
  kListLike,  // ul, ol, dl
};

struct TagInfo {
  Tag tag = Tag::kOther;
  bool block = false;
  bool hard = false;  // never part of the text
  bool soft = false;  // boilerplate unless it holds most of the text
};

const TagInfo& LookupTag(std::string_view lower_name) {
  static const auto* table = [] {
    auto* t = new std::unordered_map<std::string_view, TagInfo>();
    auto add = [&](std::string_view n, Tag tag, bool block, bool hard, bool soft) {
      (*t)[n] = TagInfo{tag, block, hard, soft};
    };
    for (std::string_view n : {"address", "center", "details", "dialog", "dir", "fieldset",
                               "figure", "hgroup", "tbody", "thead", "tfoot", "tr", "table"}) {
      add(n, Tag::kOther, true, false, false);
    }
    for (std::string_view n : {"dt", "th", "caption", "summary", "legend"}) {
      add(n, Tag::kNotScored, true, false, false);
    }
    for (std::string_view n : {"ul", "ol", "dl"}) add(n, Tag::kListLike, true, false, false);
    add("dd", Tag::kLi, true, false, false);
    add("li", Tag::kLi, true, false, false);
    add("a", Tag::kA, false, false, false);
    add("article", Tag::kArticle, true, false, false);
    add("body", Tag::kBody, true, false, false);
    add("br", Tag::kBr, false, false, false);
    add("div", Tag::kDiv, true, false, false);
    add("h1", Tag::kH1, true, false, false);
    for (std::string_view n : {"h2", "h3", "h4", "h5", "h6"})
      add(n, Tag::kHeading, true, false, false);
    add("hr", Tag::kHr, true, false, false);
    add("html", Tag::kHtml, true, false, false);
    add("main", Tag::kMain, true, false, false);
    add("p", Tag::kP, true, false, false);
    add("pre", Tag::kPre, true, false, false);
    add("section", Tag::kSection, true, false, false);
    add("td", Tag::kTd, true, false, false);
    add("blockquote", Tag::kBlockquote, true, false, false);
    add("time", Tag::kTime, false, false, false);
    for (std::string_view n : {"nav", "aside", "footer", "header", "form", "menu"}) {
      add(n, Tag::kOther, true, false, true);
    }
    for (std::string_view n :
         {"script", "style",   "noscript",   "template", "iframe",   "frame",    "frameset",
          "button", "select",  "option",     "optgroup", "datalist", "textarea", "input",
          "math",   "canvas",  "object",     "embed",    "applet",   "audio",    "video",
          "map",    "area",    "figcaption", "head",     "meta",     "link",     "base",
          "img",    "picture", "source",     "track",    "label",    "output",   "progress",
          "meter",  "param"}) {
      add(n, Tag::kOther, true, true, false);
    }
    add("svg", Tag::kSvg, true, true, false);
    add("title", Tag::kTitle, true, true, false);
    return t;
  }();
  static const TagInfo kDefault;
  auto it = table->find(lower_name);
  return it == table->end() ? kDefault : it->second;
}

bool TokenIsNegative(std::string_view t) {
  static const std::string_view kExact[] = {
      "ad",       "ads",   "adv",   "nav",   "cta",    "rss",  "hidden",   "sr",
      "meta",     "tags",  "tag",   "pager", "skip",   "dfp",  "subnav",   "topbar",
      "visually", "share", "print", "aside", "byline", "most", "dateline",
  };
  static const std::string_view kPrefix[] = {
      "advert",     "adslot",     "adunit",       "adsense",    "adcontainer", "navbar",
      "navigation", "menu",       "footer",       "header",     "masthead",    "sidebar",
      "comment",    "sharing",    "sharebar",     "sharetool",  "social",      "related",
      "promo",      "banner",     "cookie",       "consent",    "gdpr",        "newsletter",
      "subscri",    "breadcrumb", "widget",       "byline",     "author",      "sponsor",
      "popup",      "modal",      "overlay",      "toolbar",    "pagination",  "outbrain",
      "taboola",    "recommend",  "trending",     "mostread",   "mostpopular", "caption",
      "credit",     "signup",     "login",        "offscreen",  "tooltip",     "dropdown",
      "search",     "disclaimer", "screenreader", "teaserlist", "shoutbox",    "comercial",
  };
  for (std::string_view e : kExact) {
    if (t == e) return true;
  }
  for (std::string_view p : kPrefix) {
    if (t.size() >= p.size() && t.substr(0, p.size()) == p) return true;
  }
  return false;
}

bool TokenIsPositive(std::string_view t) {
  static const std::string_view kPrefix[] = {"article",   "content", "story", "body", "entry",
                                             "main",      "text",    "post",  "blog", "prose",
                                             "paragraph", "hentry",  "column"};
  for (std::string_view p : kPrefix) {
    if (t.size() >= p.size() && t.substr(0, p.size()) == p) return true;
  }
  return false;
}

// Classifies a class or id attribute value: tokens split on non-alphanumerics
// and, separately, on camelCase humps ("adContainer" -> "ad", "container").
void ClassifyNames(std::string_view value, bool* negative, bool* positive) {
  *negative = false;
  *positive = false;
  size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && !IsAsciiAlnum(value[i])) ++i;
    size_t start = i;
    while (i < value.size() && IsAsciiAlnum(value[i])) ++i;
    if (start == i) continue;
    std::string_view raw = value.substr(start, i - start);
    if (raw.size() > 64) continue;
    std::string whole = ToLower(raw);
    if (TokenIsNegative(whole)) *negative = true;
    if (TokenIsPositive(whole)) *positive = true;
    // camelCase pieces
    size_t s = 0;
    for (size_t k = 1; k <= raw.size(); ++k) {
      bool boundary = k == raw.size() ||
                      (raw[k] >= 'A' && raw[k] <= 'Z' && raw[k - 1] >= 'a' && raw[k - 1] <= 'z');
      if (!boundary) continue;
      if (s != 0 || k != raw.size()) {
        std::string piece = ToLower(raw.substr(s, k - s));
        if (TokenIsNegative(piece)) *negative = true;
        if (TokenIsPositive(piece)) *positive = true;
      }
      s = k;
    }
  }
}

bool IsHidden(const xmlNode* n) {
  if (HasAttr(n, "hidden")) return true;
  std::string aria = ToLower(TrimAscii(Attr(n, "aria-hidden")));
  if (aria == "true") return true;
  std::string style = Attr(n, "style");
  if (!style.empty()) {
    std::string compact;
    for (char c : style) {
      if (!IsAsciiSpace(c)) compact += LowerAscii(c);
    }
    if (compact.find("display:none") != std::string::npos ||
        compact.find("visibility:hidden") != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool SoftRole(std::string_view role) {
  static const std::string_view kRoles[] = {
      "navigation", "banner", "contentinfo", "complementary", "search", "menu",
      "menubar",    "dialog", "alertdialog", "toolbar",       "alert"};
  std::string r = ToLower(TrimAscii(role));
  for (std::string_view k : kRoles) {
    if (r == k) return true;
  }
  return false;
}

struct Info {
  xmlNode* node = nullptr;
  Tag tag = Tag::kOther;
  bool block = false;
  bool hard = false;  // hard-skipped (tag or hidden)
  bool soft = false;  // boilerplate candidate
  bool skip = false;  // final decision for soft nodes
  bool has_block_child = false;
  bool candidate = false;
  int class_weight = 0;
  uint32_t para = 0;  // characters of good paragraphs below (ignores soft skipping)
  uint32_t runs = 0;  // and their number
  uint32_t text = 0;  // visible characters below (after all skipping)
  uint32_t link = 0;  // of which inside <a>
  double score = 0;
};

Info* InfoOf(const xmlNode* n) { return static_cast<Info*>(n->_private); }

xmlNode* ParentElement(const xmlNode* n) {
  xmlNode* p = n->parent;
  return IsElement(p) ? p : nullptr;
}

double LinkDensity(const Info* in) {
  return in->text == 0 ? 0.0 : static_cast<double>(in->link) / static_cast<double>(in->text);
}

// ---------------------------------------------------------------------------
// Output text

class TextBuilder {
 public:
  explicit TextBuilder(size_t limit) : limit_(limit) {}

  void Text(std::string_view raw, bool pre) {
    if (full_) return;
    for (size_t i = 0; i < raw.size();) {
      CharKind kind;
      size_t len = NextChar(raw, i, &kind);
      if (kind == CharKind::kNewline && pre) {
        Break();
      } else if (kind == CharKind::kSpace || kind == CharKind::kNewline) {
        if (!cur_.empty() && cur_.back() != '\n') space_ = true;
      } else if (kind != CharKind::kDrop) {
        if (bytes_ + cur_.size() + len + 1 > limit_) {
          full_ = true;
          return;
        }
        if (space_) cur_ += ' ';
        space_ = false;
        cur_.append(raw.data() + i, len);
      }
      i += len;
    }
  }

  void Break() {
    cur_ += '\n';
    space_ = false;
  }

  void EndBlock() {
    space_ = false;
    if (cur_.empty()) return;
    std::string para;
    auto flush = [&] {
      if (para.empty()) return;
      bytes_ += para.size() + 2;
      blocks_.push_back(std::move(para));
      para.clear();
    };
    size_t start = 0;
    while (start <= cur_.size()) {
      size_t nl = cur_.find('\n', start);
      if (nl == std::string::npos) nl = cur_.size();
      std::string_view line = TrimAscii(std::string_view(cur_).substr(start, nl - start));
      if (line.empty()) {
        flush();
      } else {
        if (!para.empty()) para += '\n';
        para += line;
      }
      start = nl + 1;
    }
    flush();
    cur_.clear();
  }

  bool full() const { return full_; }
  bool empty() const { return blocks_.empty() && TrimAscii(cur_).empty(); }

  std::string Finish(bool* truncated) {
    EndBlock();
    std::string out;
    for (const auto& b : blocks_) {
      if (!out.empty()) out += "\n\n";
      out += b;
    }
    *truncated = full_;
    if (out.size() > limit_) {
      TruncateUtf8(out, limit_);
      while (!out.empty() && IsAsciiSpace(out.back())) out.pop_back();
      *truncated = true;
    }
    return out;
  }

 private:
  size_t limit_;
  std::vector<std::string> blocks_;
  std::string cur_;
  size_t bytes_ = 0;
  bool space_ = false;
  bool full_ = false;
};

// ---------------------------------------------------------------------------
// JSON-LD

struct JsonLd {
  bool found = false;
  std::string type;
  std::string headline;
  std::string date_published;
  std::string author;
  std::string publisher;
  std::string in_language;
  std::string description;
  std::string article_body;
};

// 0 for news articles and live blogs, 1 for other articles, -1 otherwise.
int ArticleTypeRank(std::string_view type) {
  size_t cut = type.find_last_of("/:#");
  if (cut != std::string_view::npos) type = type.substr(cut + 1);
  static const std::string_view kNews[] = {
      "NewsArticle",           "ReportageNewsArticle", "AnalysisNewsArticle",  "OpinionNewsArticle",
      "BackgroundNewsArticle", "ReviewNewsArticle",    "AskPublicNewsArticle", "LiveBlogPosting"};
  static const std::string_view kOther[] = {"Article", "BlogPosting", "Report",
                                            "SocialMediaPosting", "TechArticle"};
  for (std::string_view t : kNews) {
    if (type == t) return 0;
  }
  for (std::string_view t : kOther) {
    if (type == t) return 1;
  }
  return -1;
}

// Best article rank of an object's @type (string or array), and the type.
int ObjectRank(const Json& obj, std::string* type_out) {
  auto it = obj.find("@type");
  if (it == obj.end()) return -1;
  int best = -1;
  auto consider = [&](const Json& v) {
    if (!v.is_string()) return;
    const std::string& s = v.get_ref<const std::string&>();
    int r = ArticleTypeRank(s);
    if (r >= 0 && (best < 0 || r < best)) {
      best = r;
      *type_out = s;
    }
  };
  if (it->is_array()) {
    for (const auto& v : *it) consider(v);
  } else {
    consider(*it);
  }
  return best;
}

std::string JsonString(const Json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (it->is_string()) return CollapseSpaces(DecodeEntities(it->get_ref<const std::string&>()));
  return {};
}

// A name from a string, an object with "name", or an array of those.
std::string JsonNames(const Json& v, size_t max_names = 8) {
  std::vector<std::string> names;
  auto add = [&](const Json& x) {
    std::string n;
    if (x.is_string()) {
      n = CollapseSpaces(DecodeEntities(x.get_ref<const std::string&>()));
    } else if (x.is_object()) {
      n = JsonString(x, "name");
    }
    if (!n.empty() && names.size() < max_names &&
        std::find(names.begin(), names.end(), n) == names.end()) {
      names.push_back(std::move(n));
    }
  };
  if (v.is_array()) {
    for (const auto& x : v) add(x);
  } else {
    add(v);
  }
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

void ReadJsonLdArticle(const Json& obj, const std::string& type, JsonLd* out) {
  out->found = true;
  out->type = type;
  out->headline = JsonString(obj, "headline");
  if (out->headline.empty()) out->headline = JsonString(obj, "name");
  out->date_published = JsonString(obj, "datePublished");
  if (out->date_published.empty()) out->date_published = JsonString(obj, "dateCreated");
  if (out->date_published.empty()) out->date_published = JsonString(obj, "coverageStartTime");
  if (auto it = obj.find("author"); it != obj.end()) out->author = JsonNames(*it);
  if (auto it = obj.find("publisher"); it != obj.end()) out->publisher = JsonNames(*it, 1);
  if (auto it = obj.find("inLanguage"); it != obj.end()) {
    if (it->is_string()) {
      out->in_language = CollapseSpaces(it->get_ref<const std::string&>(), 64);
    } else if (it->is_object()) {
      out->in_language = JsonString(*it, "alternateName");
      if (out->in_language.empty()) out->in_language = JsonString(*it, "name");
    }
  }
  out->description = JsonString(obj, "description");
  if (auto it = obj.find("articleBody"); it != obj.end() && it->is_string()) {
    out->article_body = StripTags(DecodeEntities(it->get_ref<const std::string&>()));
  }
  if (out->article_body.empty()) {
    // A live blog: the updates' headlines and bodies.
    auto it = obj.find("liveBlogUpdate");
    if (it != obj.end()) {
      const Json* updates = &*it;
      std::string body;
      auto add = [&](const Json& u) {
        if (!u.is_object()) return;
        std::string h = JsonString(u, "headline");
        std::string b;
        if (auto bi = u.find("articleBody"); bi != u.end() && bi->is_string()) {
          b = StripTags(DecodeEntities(bi->get_ref<const std::string&>()));
        }
        for (const std::string* part : {&h, &b}) {
          if (TrimAscii(*part).empty()) continue;
          if (!body.empty()) body += "\n\n";
          body += *part;
        }
      };
      if (updates->is_array()) {
        for (const auto& u : *updates) add(u);
      } else {
        add(*updates);
      }
      out->article_body = std::move(body);
    }
  }
}

// Finds the article object in one JSON-LD block: breadth first, so a
// top-level NewsArticle wins over anything nested; the updates of a live blog
// are not searched.
void SearchJsonLd(const Json& root, JsonLd* best, int* best_rank) {
  std::deque<std::pair<const Json*, int>> queue;
  queue.emplace_back(&root, 0);
  size_t visited = 0;
  while (!queue.empty() && visited < 20000) {
    auto [v, depth] = queue.front();
    queue.pop_front();
    ++visited;
    if (v->is_object()) {
      std::string type;
      int rank = ObjectRank(*v, &type);
      if (rank >= 0) {
        if (*best_rank < 0 || rank < *best_rank) {
          *best_rank = rank;
          ReadJsonLdArticle(*v, type, best);
        }
        continue;
      }
      if (depth >= 12) continue;
      for (auto it = v->begin(); it != v->end(); ++it) {
        if (it->is_object() || it->is_array()) queue.emplace_back(&*it, depth + 1);
      }
    } else if (v->is_array()) {
      if (depth >= 12) continue;
      for (const auto& x : *v) {
        if (x.is_object() || x.is_array()) queue.emplace_back(&x, depth + 1);
      }
    }
  }
}

// Strips HTML comment / CDATA wrappers from a script body.
std::string_view UnwrapScript(std::string_view s) {
  s = TrimAscii(s);
  for (std::string_view open : {"<!--", "//<![CDATA[", "<![CDATA["}) {
    if (s.substr(0, open.size()) == open) s = TrimAscii(s.substr(open.size()));
  }
  for (std::string_view close : {"-->", "//]]>", "]]>"}) {
    if (s.size() >= close.size() && s.substr(s.size() - close.size()) == close) {
      s = TrimAscii(s.substr(0, s.size() - close.size()));
    }
  }
  return s;
}

// ---------------------------------------------------------------------------
// URLs

struct UrlParts {
  std::string_view scheme, authority, path, query, fragment;
  bool has_scheme = false, has_authority = false, has_query = false, has_fragment = false;
};

UrlParts SplitUrl(std::string_view u) {
  UrlParts p;
  if (!u.empty() && IsAsciiAlpha(u[0])) {
    size_t i = 1;
    while (i < u.size() && (IsAsciiAlnum(u[i]) || u[i] == '+' || u[i] == '-' || u[i] == '.')) {
      ++i;
    }
    if (i < u.size() && u[i] == ':') {
      p.scheme = u.substr(0, i);
      p.has_scheme = true;
      u.remove_prefix(i + 1);
    }
  }
  if (size_t hash = u.find('#'); hash != std::string_view::npos) {
    p.fragment = u.substr(hash + 1);
    p.has_fragment = true;
    u = u.substr(0, hash);
  }
  if (size_t q = u.find('?'); q != std::string_view::npos) {
    p.query = u.substr(q + 1);
    p.has_query = true;
    u = u.substr(0, q);
  }
  if (u.size() >= 2 && u[0] == '/' && u[1] == '/') {
    u.remove_prefix(2);
    size_t slash = u.find('/');
    p.authority = u.substr(0, slash);
    p.has_authority = true;
    u = slash == std::string_view::npos ? std::string_view() : u.substr(slash);
  }
  p.path = u;
  return p;
}

// RFC 3986 section 5.2.4.
std::string RemoveDotSegments(std::string_view in) {
  std::string out;
  while (!in.empty()) {
    if (in.substr(0, 3) == "../") {
      in.remove_prefix(3);
    } else if (in.substr(0, 2) == "./") {
      in.remove_prefix(2);
    } else if (in.substr(0, 3) == "/./") {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.substr(0, 4) == "/../" || in == "/..") {
      in = in.size() == 3 ? std::string_view("/") : in.substr(3);
      size_t cut = out.rfind('/');
      out.resize(cut == std::string::npos ? 0 : cut);
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      size_t start = in[0] == '/' ? 1 : 0;
      size_t next = in.find('/', start);
      if (next == std::string_view::npos) next = in.size();
      out.append(in.substr(0, next));
      in.remove_prefix(next);
    }
  }
  return out;
}

std::string Recompose(std::string_view scheme, bool has_authority, std::string_view authority,
                      std::string_view path, bool has_query, std::string_view query,
                      bool has_fragment, std::string_view fragment) {
  std::string out;
  if (!scheme.empty()) {
    out += ToLower(scheme);
    out += ':';
  }
  if (has_authority) {
    out += "//";
    out += authority;
  }
  out += path;
  if (has_query) {
    out += '?';
    out += query;
  }
  if (has_fragment) {
    out += '#';
    out += fragment;
  }
  return out;
}

// Trims and removes tabs and newlines, as browsers do with href values.
std::string CleanHref(std::string_view href) {
  while (!href.empty() && static_cast<unsigned char>(href.front()) <= 0x20) href.remove_prefix(1);
  while (!href.empty() && static_cast<unsigned char>(href.back()) <= 0x20) href.remove_suffix(1);
  std::string out;
  out.reserve(href.size());
  for (char c : href) {
    if (c != '\t' && c != '\n' && c != '\r') out += c;
  }
  return out;
}

bool IsHttpUrl(std::string_view u) {
  return StartsWithIgnoreCase(u, "http://") || StartsWithIgnoreCase(u, "https://");
}

bool IsTrackingParameter(std::string_view raw_name) {
  std::string name = ToLower(raw_name);
  static const std::string_view kPrefixes[] = {"utm_", "pk_", "mtm_", "hmb_", "ga_", "__hs"};
  for (std::string_view p : kPrefixes) {
    if (name.size() > p.size() && name.substr(0, p.size()) == p) return true;
  }
  static const std::string_view kNames[] = {
      "fbclid",
      "gclid",
      "gclsrc",
      "dclid",
      "gbraid",
      "wbraid",
      "msclkid",
      "mc_cid",
      "mc_eid",
      "igshid",
      "igsh",
      "ref_src",
      "ref_url",
      "_ga",
      "_gl",
      "yclid",
      "twclid",
      "ttclid",
      "li_fat_id",
      "mkt_tok",
      "_hsenc",
      "_hsmi",
      "hsctatracking",
      "oly_enc_id",
      "oly_anon_id",
      "vero_id",
      "vero_conv",
      "rb_clickid",
      "s_cid",
      "ocid",
      "wt.mc_id",
      "wt_mc_id",
      "cmpid",
      "smid",
      "spm",
      "scm",
      "fb_action_ids",
      "fb_action_types",
      "fb_source",
      "fb_ref",
      "xtor",
      "ncid",
      "sc_cid",
      "sr_share",
      "__twitter_impression",
      "at_medium",
      "at_campaign",
      "at_custom1",
      "icid",
      "soc_src",
      "soc_trk",
      "mbid",
      "cmp",
      "srsltid",
      "_openstat",
  };
  for (std::string_view n : kNames) {
    if (name == n) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Title helpers

size_t CountWords(std::string_view s) {
  size_t words = 0;
  bool in = false;
  for (char c : s) {
    bool space = IsAsciiSpace(c);
    if (!space && !in) ++words;
    in = !space;
  }
  return words;
}

// "Story title | Site" -> "Story title". Removes a suffix that names the site,
// or a short (≤ 4 words) one after a separator when the rest has ≥ 3 words;
// also "Site | Story title".
std::string StripSiteFromTitle(const std::string& title, const std::string& site,
                               bool require_site) {
  static const std::string_view kSeps[] = {" | ",        " - ",  " \xE2\x80\x93 ", " \xE2\x80\x94 ",
                                           " \xC2\xB7 ", " :: ", " \xC2\xBB ",     " / "};
  size_t best = std::string::npos;
  size_t best_len = 0;
  for (std::string_view sep : kSeps) {
    size_t pos = title.rfind(sep);
    if (pos != std::string::npos && (best == std::string::npos || pos > best)) {
      best = pos;
      best_len = sep.size();
    }
  }
  if (best != std::string::npos) {
    std::string head = std::string(TrimAscii(std::string_view(title).substr(0, best)));
    std::string tail = std::string(TrimAscii(std::string_view(title).substr(best + best_len)));
    bool names_site = !site.empty() && EqualsIgnoreCase(tail, site);
    if (!head.empty() &&
        (names_site || (!require_site && CountWords(tail) <= 4 && CountWords(head) >= 3))) {
      return head;
    }
  }
  if (!site.empty()) {
    for (std::string_view sep : kSeps) {
      std::string prefix = site + std::string(sep);
      if (title.size() > prefix.size() && StartsWithIgnoreCase(title, prefix)) {
        return std::string(TrimAscii(std::string_view(title).substr(prefix.size())));
      }
    }
  }
  return title;
}

// ---------------------------------------------------------------------------
// The extractor

class Extractor {
 public:
  Extractor(xmlDoc* doc, std::string_view url, const HtmlLimits& limits, PageArticle* page)
      : doc_(doc), url_(url), limits_(limits), page_(page) {}

  Status Run();

 private:
  bool Classify();
  void ReadMetadata();
  void Scan(bool scoring);
  void FinishRun(xmlNode* owner, size_t chars, size_t link, size_t commas, bool scoring);
  void InitCandidate(Info* in);
  double FinalScore(const Info* in) const { return in->score * (1.0 - LinkDensity(in)); }
  std::vector<xmlNode*> SelectRoots();
  bool Skipped(const Info* in) const { return in->hard || in->skip; }
  // Visible text of a subtree on one line; at most `max_bytes`, and only the
  // first `max_nodes` nodes are read (headings nested in headings must not
  // make the extraction quadratic).
  std::string NodeText(xmlNode* n, size_t max_bytes = 2048, size_t max_nodes = 512) const;
  xmlNode* ArticleScope() const;
  xmlNode* FindFirst(xmlNode* scope, Tag tag, bool avoid_skipped) const;
  std::string ChooseTitle();
  std::optional<int64_t> ChooseDate();
  std::string ChooseCanonical();
  std::string CollectText(const std::vector<xmlNode*>& roots, bool* truncated);
  std::string Meta(std::initializer_list<std::string_view> keys) const;

  xmlDoc* doc_;
  std::string_view url_;
  const HtmlLimits& limits_;
  PageArticle* page_;

  std::deque<Info> infos_;
  xmlNode* root_ = nullptr;
  std::vector<Info*> candidates_;
  xmlNode* best_ = nullptr;

  // Metadata
  std::unordered_map<std::string, std::string> meta_;
  std::string canonical_href_, base_href_, title_tag_, html_lang_;
  JsonLd jsonld_;
  int jsonld_rank_ = -1;
};

bool Extractor::Classify() {
  size_t count = 0;
  bool stop = false;
  Walk(
      reinterpret_cast<xmlNode*>(doc_),
      [&](xmlNode* n) {
        if (++count > limits_.max_nodes) {
          stop = true;
          return false;
        }
        if (n->type == XML_HTML_DOCUMENT_NODE || n->type == XML_DOCUMENT_NODE) return true;
        if (n->type != XML_ELEMENT_NODE) return false;
        infos_.emplace_back();
        Info* in = &infos_.back();
        in->node = n;
        n->_private = in;
        const TagInfo& ti = LookupTag(ToLower(NodeName(n)));
        in->tag = ti.tag;
        in->block = ti.block;
        in->hard = ti.hard || IsHidden(n);
        in->soft = ti.soft;
        if (!in->hard) {
          std::string role = Attr(n, "role");
          if (!role.empty() && SoftRole(role)) in->soft = true;
          bool neg = false, pos = false;
          std::string cls = Attr(n, "class");
          std::string id = Attr(n, "id");
          bool any_neg = false;
          for (const std::string* v : {&cls, &id}) {
            if (v->empty()) continue;
            ClassifyNames(*v, &neg, &pos);
            if (neg) {
              in->class_weight -= 25;
              any_neg = true;
            } else if (pos) {
              in->class_weight += 25;
            }
          }
          if (EqualsIgnoreCase(TrimAscii(role), "main")) in->class_weight += 25;
          if (any_neg && in->tag != Tag::kHtml && in->tag != Tag::kBody) in->soft = true;
        }
        if (in->block && IsElement(n->parent)) InfoOf(n->parent)->has_block_child = true;
        return true;
      },
      [](xmlNode*) {}, &stop);
  return !stop;
}

void Extractor::ReadMetadata() {
  int scripts = 0;
  Walk(
      reinterpret_cast<xmlNode*>(doc_),
      [&](xmlNode* n) {
        if (n->type == XML_HTML_DOCUMENT_NODE || n->type == XML_DOCUMENT_NODE) return true;
        if (n->type != XML_ELEMENT_NODE) return false;
        std::string name = ToLower(NodeName(n));
        if (name == "meta") {
          std::string content = Attr(n, "content");
          for (const char* k : {"property", "name", "itemprop", "http-equiv"}) {
            std::string key = ToLower(TrimAscii(Attr(n, k)));
            if (key.empty()) continue;
            if (!meta_.count(key) && !TrimAscii(content).empty()) meta_[key] = content;
          }
        } else if (name == "link") {
          std::string rel = ToLower(Attr(n, "rel"));
          bool canonical = false;
          size_t i = 0;
          while (i < rel.size()) {
            while (i < rel.size() && IsAsciiSpace(rel[i])) ++i;
            size_t s = i;
            while (i < rel.size() && !IsAsciiSpace(rel[i])) ++i;
            if (std::string_view(rel).substr(s, i - s) == "canonical") canonical = true;
          }
          if (canonical && canonical_href_.empty()) canonical_href_ = CleanHref(Attr(n, "href"));
        } else if (name == "base") {
          if (base_href_.empty()) base_href_ = CleanHref(Attr(n, "href"));
        } else if (name == "title") {
          bool in_svg = false;
          int depth = 0;
          for (xmlNode* p = n->parent; IsElement(p) && depth < 64; p = p->parent, ++depth) {
            if (EqualsIgnoreCase(NodeName(p), "svg")) in_svg = true;
          }
          if (!in_svg && title_tag_.empty()) title_tag_ = NodeText(n);
        } else if (name == "html") {
          if (html_lang_.empty()) html_lang_ = std::string(TrimAscii(Attr(n, "lang")));
          if (html_lang_.empty()) html_lang_ = std::string(TrimAscii(Attr(n, "xml:lang")));
        } else if (name == "script") {
          std::string type = ToLower(Attr(n, "type"));
          if (type.find("ld+json") != std::string::npos && scripts < 32) {
            ++scripts;
            std::string body;
            for (xmlNode* c = n->children; c != nullptr; c = c->next) {
              if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
                body += Content(c);
              }
            }
            if (body.size() <= (4u << 20)) {
              Json j = Json::parse(UnwrapScript(body), nullptr, /*allow_exceptions=*/false,
                                   /*ignore_comments=*/true);
              if (!j.is_discarded()) SearchJsonLd(j, &jsonld_, &jsonld_rank_);
            }
          }
          return false;
        }
        return true;
      },
      [](xmlNode*) {});
}

void Extractor::InitCandidate(Info* in) {
  in->candidate = true;
  candidates_.push_back(in);
  double s = in->class_weight;
  switch (in->tag) {
    case Tag::kDiv:
      s += 5;
      break;
    case Tag::kArticle:
    case Tag::kMain:
      s += 5;
      break;
    case Tag::kPre:
    case Tag::kTd:
    case Tag::kBlockquote:
      s += 3;
      break;
    case Tag::kListLike:
    case Tag::kLi:
      s -= 3;
      break;
    case Tag::kH1:
    case Tag::kHeading:
    case Tag::kNotScored:
      s -= 5;
      break;
    default:
      break;
  }
  if (EqualsIgnoreCase(NodeName(in->node), "form")) s -= 3;
  in->score += s;
}

void Extractor::FinishRun(xmlNode* owner, size_t chars, size_t link, size_t commas, bool scoring) {
  if (chars < 25 || link * 2 > chars) return;
  Info* oi = InfoOf(owner);
  if (!scoring) {
    oi->para += static_cast<uint32_t>(std::min<size_t>(chars, UINT32_MAX / 4));
    ++oi->runs;
    return;
  }
  if (oi->tag == Tag::kH1 || oi->tag == Tag::kNotScored || oi->tag == Tag::kListLike) return;
  double s = 1.0 + static_cast<double>(commas) + std::min<double>(chars / 100, 3);
  xmlNode* node = (oi->has_block_child || oi->tag == Tag::kBody || oi->tag == Tag::kHtml)
                      ? owner
                      : ParentElement(owner);
  for (int level = 0; node != nullptr && level < 5; ++level, node = ParentElement(node)) {
    Info* in = InfoOf(node);
    if (!in->candidate) InitCandidate(in);
    double div = level == 0 ? 1.0 : level == 1 ? 2.0 : level * 3.0;
    in->score += s / div;
  }
}

void Extractor::Scan(bool scoring) {
  std::vector<xmlNode*> blocks;
  size_t chars = 0, link = 0, commas = 0;
  int anchors = 0;
  auto end_run = [&] {
    if (!blocks.empty() && chars > 0) FinishRun(blocks.back(), chars, link, commas, scoring);
    chars = link = commas = 0;
  };
  auto add = [](uint32_t& field, uint64_t v) {
    field = static_cast<uint32_t>(std::min<uint64_t>(uint64_t{field} + v, UINT32_MAX / 4));
  };
  Walk(
      root_,
      [&](xmlNode* n) {
        if (n->type == XML_ELEMENT_NODE) {
          Info* in = InfoOf(n);
          if (in->block) end_run();
          if (in->hard || (scoring && in->skip)) return false;
          if (in->block) blocks.push_back(n);
          if (in->tag == Tag::kA) ++anchors;
          return true;
        }
        if (n->type != XML_TEXT_NODE && n->type != XML_CDATA_SECTION_NODE) return false;
        std::string_view s = Content(n);
        size_t c = 0, k = 0;
        bool space = false;
        for (size_t i = 0; i < s.size();) {
          CharKind kind;
          i += NextChar(s, i, &kind);
          if (kind == CharKind::kSpace || kind == CharKind::kNewline) {
            space = true;
          } else if (kind != CharKind::kDrop) {
            c += 1 + (space ? 1 : 0);
            space = false;
            if (kind == CharKind::kComma) ++k;
          }
        }
        if (space) ++c;
        chars += c;
        commas += k;
        if (anchors > 0) link += c;
        if (scoring && IsElement(n->parent)) {
          Info* p = InfoOf(n->parent);
          add(p->text, c);
          if (anchors > 0) add(p->link, c);
        }
        return false;
      },
      [&](xmlNode* n) {
        if (n->type != XML_ELEMENT_NODE) return;
        Info* in = InfoOf(n);
        if (in->block) {
          end_run();
          if (!blocks.empty()) blocks.pop_back();
        }
        if (in->tag == Tag::kA) --anchors;
        xmlNode* parent = ParentElement(n);
        if (parent == nullptr) return;
        Info* p = InfoOf(parent);
        if (scoring) {
          add(p->text, in->text);
          add(p->link, in->link);
        } else {
          add(p->para, in->para);
          add(p->runs, in->runs);
        }
      });
  end_run();
}

std::vector<xmlNode*> Extractor::SelectRoots() {
  Info* top = nullptr;
  for (Info* c : candidates_) {
    if (c->tag == Tag::kHtml) continue;
    if (top == nullptr || FinalScore(c) > FinalScore(top)) top = c;
  }
  if (top == nullptr) return {};
  double top_score = FinalScore(top);

  // Several close candidates inside one ancestor: take the ancestor.
  std::vector<Info*> sorted = candidates_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](Info* a, Info* b) { return FinalScore(a) > FinalScore(b); });
  std::vector<std::vector<xmlNode*>> alt_ancestors;
  for (size_t i = 0; i < sorted.size() && i < 6; ++i) {
    Info* a = sorted[i];
    if (a == top || a->tag == Tag::kHtml || top_score <= 0) continue;
    if (FinalScore(a) / top_score < 0.75) continue;
    std::vector<xmlNode*> anc;
    for (xmlNode* p = ParentElement(a->node); p != nullptr && anc.size() < 128;
         p = ParentElement(p)) {
      anc.push_back(p);
    }
    alt_ancestors.push_back(std::move(anc));
  }
  if (alt_ancestors.size() >= 3) {
    int steps = 0;
    for (xmlNode* p = ParentElement(top->node); p != nullptr && steps < 128;
         p = ParentElement(p), ++steps) {
      Info* pi = InfoOf(p);
      if (pi->tag == Tag::kBody || pi->tag == Tag::kHtml) break;
      int containing = 0;
      for (const auto& anc : alt_ancestors) {
        if (std::find(anc.begin(), anc.end(), p) != anc.end()) ++containing;
      }
      if (containing >= 3) {
        if (!pi->candidate) InitCandidate(pi);
        top = pi;
        break;
      }
    }
  }

  // A parent that scores higher than the candidate holds more of the article.
  {
    double last = FinalScore(top);
    double threshold = last / 3;
    int steps = 0;
    for (xmlNode* p = ParentElement(top->node); p != nullptr && steps < 128;
         p = ParentElement(p), ++steps) {
      Info* pi = InfoOf(p);
      if (pi->tag == Tag::kBody || pi->tag == Tag::kHtml) break;
      if (!pi->candidate) continue;
      double ps = FinalScore(pi);
      if (ps < threshold) break;
      if (ps > last) {
        top = pi;
        break;
      }
      last = ps;
    }
  }

  // An only child says nothing its parent does not.
  for (int steps = 0; steps < 128; ++steps) {
    xmlNode* p = ParentElement(top->node);
    if (p == nullptr) break;
    Info* pi = InfoOf(p);
    if (pi->tag == Tag::kBody || pi->tag == Tag::kHtml || Skipped(pi)) break;
    int elements = 0;
    for (xmlNode* c = p->children; c != nullptr && elements < 2; c = c->next) {
      if (IsElement(c)) ++elements;
    }
    if (elements != 1) break;
    top = pi;
  }
  best_ = top->node;

  // Siblings that look like more of the article.
  std::vector<xmlNode*> roots;
  xmlNode* parent = ParentElement(top->node);
  if (parent == nullptr) return {top->node};
  double base = FinalScore(top);
  double threshold = std::max(10.0, base * 0.2);
  std::string top_class = Attr(top->node, "class");
  for (xmlNode* s = parent->children; s != nullptr; s = s->next) {
    if (!IsElement(s)) continue;
    if (s == top->node) {
      roots.push_back(s);
      continue;
    }
    Info* si = InfoOf(s);
    if (Skipped(si)) continue;
    double score = si->candidate ? FinalScore(si) : 0.0;
    if (!top_class.empty() && Attr(s, "class") == top_class) score += base * 0.2;
    bool append = score >= threshold && si->text > 0;
    // A paragraph, or a wrapper of one or two (a lead paragraph in its own div).
    bool paragraph =
        si->tag == Tag::kP || ((si->tag == Tag::kDiv || si->tag == Tag::kSection) && si->runs <= 2);
    if (!append && paragraph) {
      double ld = LinkDensity(si);
      if (si->text > 80 && ld < 0.25) {
        append = true;
      } else if (si->text > 0 && si->text <= 80 && si->link == 0) {
        std::string t = NodeText(s);
        append = t.find(". ") != std::string::npos || (!t.empty() && t.back() == '.');
      }
    }
    if (append) roots.push_back(s);
  }
  return roots;
}

std::string Extractor::NodeText(xmlNode* root, size_t max_bytes, size_t max_nodes) const {
  std::string out;
  bool space = false;
  size_t visited = 0;
  bool stop = false;
  Walk(
      root,
      [&](xmlNode* n) {
        if (++visited > max_nodes || out.size() >= max_bytes) {
          stop = true;
          return false;
        }
        if (n->type == XML_ELEMENT_NODE) {
          Info* in = InfoOf(n);
          if (n != root && in != nullptr && in->hard) return false;
          if (in != nullptr && (in->block || in->tag == Tag::kBr) && !out.empty()) space = true;
          return true;
        }
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
          AppendCollapsed(out, &space, Content(n), max_bytes);
        }
        return false;
      },
      [&](xmlNode* n) {
        Info* in = InfoOf(n);
        if (in != nullptr && in->block && !out.empty()) space = true;
      },
      &stop);
  return out;
}

xmlNode* Extractor::ArticleScope() const {
  if (best_ == nullptr) return nullptr;
  int steps = 0;
  for (xmlNode* p = best_; p != nullptr && steps < 256; p = ParentElement(p), ++steps) {
    if (InfoOf(p)->tag == Tag::kArticle) return p;
  }
  return nullptr;
}

xmlNode* Extractor::FindFirst(xmlNode* scope, Tag tag, bool avoid_skipped) const {
  xmlNode* found = nullptr;
  Walk(
      scope,
      [&](xmlNode* n) {
        if (found != nullptr || n->type != XML_ELEMENT_NODE) return false;
        Info* in = InfoOf(n);
        if (in->hard && in->tag != tag) return false;
        if (avoid_skipped && in->skip) return false;
        if (in->tag == tag) {
          found = n;
          return false;
        }
        return true;
      },
      [](xmlNode*) {});
  return found;
}

std::string Extractor::Meta(std::initializer_list<std::string_view> keys) const {
  for (std::string_view k : keys) {
    auto it = meta_.find(std::string(k));
    if (it == meta_.end()) continue;
    std::string v = CollapseSpaces(it->second);
    if (!v.empty()) return v;
  }
  return {};
}

std::string Extractor::ChooseTitle() {
  std::string site = page_->site_name;
  if (!jsonld_.headline.empty()) return jsonld_.headline;
  for (const char* key : {"og:title", "twitter:title"}) {
    std::string t = Meta({key});
    if (!t.empty()) return StripSiteFromTitle(t, site, /*require_site=*/true);
  }
  std::vector<xmlNode*> scopes;
  if (xmlNode* a = ArticleScope()) scopes.push_back(a);
  if (best_ != nullptr) {
    if (xmlNode* p = ParentElement(best_)) scopes.push_back(p);
  }
  for (xmlNode* scope : scopes) {
    if (xmlNode* h = FindFirst(scope, Tag::kH1, false)) {
      std::string t = NodeText(h);
      if (!t.empty()) return t;
    }
  }
  // A single h1 on the page that is not in the masthead.
  if (root_ != nullptr) {
    if (xmlNode* h = FindFirst(root_, Tag::kH1, true)) {
      std::string t = NodeText(h);
      if (!t.empty()) return t;
    }
  }
  if (!title_tag_.empty()) return StripSiteFromTitle(title_tag_, site, /*require_site=*/false);
  return {};
}

std::optional<int64_t> Extractor::ChooseDate() {
  if (auto d = ParseIsoDate(jsonld_.date_published)) return d;
  for (const char* key :
       {"article:published_time", "og:article:published_time", "article:published"}) {
    if (auto d = ParseIsoDate(Meta({key}))) return d;
  }
  std::vector<xmlNode*> scopes;
  if (xmlNode* a = ArticleScope()) scopes.push_back(a);
  if (best_ != nullptr) {
    if (xmlNode* p = ParentElement(best_)) scopes.push_back(p);
  }
  for (xmlNode* scope : scopes) {
    std::optional<int64_t> first, preferred;
    Walk(
        scope,
        [&](xmlNode* n) {
          if (preferred || n->type != XML_ELEMENT_NODE) return false;
          Info* in = InfoOf(n);
          if (in->tag == Tag::kTime) {
            auto d = ParseIsoDate(Attr(n, "datetime"));
            if (d) {
              if (!first) first = d;
              if (HasAttr(n, "pubdate") ||
                  EqualsIgnoreCase(TrimAscii(Attr(n, "itemprop")), "datePublished")) {
                preferred = d;
              }
            }
          }
          return !in->hard;
        },
        [](xmlNode*) {});
    if (preferred) return preferred;
    if (first) return first;
  }
  for (const char* key :
       {"datepublished", "date", "pubdate", "publishdate", "publish-date", "publish_date",
        "dc.date.issued", "dc.date", "dcterms.created", "dcterms.date", "dcterms.issued",
        "sailthru.date", "parsely-pub-date", "article.published", "og:published_time"}) {
    if (auto d = ParseIsoDate(Meta({key}))) return d;
  }
  return std::nullopt;
}

std::string Extractor::ChooseCanonical() {
  std::string base(url_);
  if (!base_href_.empty()) {
    std::string b = ResolveUrl(base, base_href_);
    if (IsHttpUrl(b)) base = b;
  }
  for (const std::string& href : {canonical_href_, Meta({"og:url"})}) {
    if (TrimAscii(href).empty()) continue;
    std::string resolved = ResolveUrl(base, href);
    if (IsHttpUrl(resolved)) return StripTrackingParameters(resolved);
  }
  return StripTrackingParameters(url_);
}

std::string Extractor::CollectText(const std::vector<xmlNode*>& roots, bool* truncated) {
  TextBuilder out(limits_.max_text_bytes);
  std::string title_key = ToLower(page_->title);
  for (xmlNode* root : roots) {
    int pre = 0;
    Walk(
        root,
        [&](xmlNode* n) {
          if (out.full()) return false;
          if (n->type == XML_ELEMENT_NODE) {
            Info* in = InfoOf(n);
            if (n != root) {
              if (in->hard || in->skip) return false;
              if (in->block && in->tag != Tag::kLi && in->text > 0 && in->link * 2 > in->text) {
                return false;
              }
              if (in->block && in->tag == Tag::kLi && in->text > 0 && in->link == in->text &&
                  in->text < 200) {
                return false;
              }
            }
            // The headline is the title, not part of the text.
            if (in->tag == Tag::kH1 && out.empty()) return false;
            if ((in->tag == Tag::kH1 || in->tag == Tag::kHeading) && !title_key.empty() &&
                ToLower(NodeText(n)) == title_key) {
              return false;
            }
            if (in->tag == Tag::kBr) out.Break();
            if (in->block) out.EndBlock();
            if (in->tag == Tag::kPre) ++pre;
            return true;
          }
          if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            out.Text(Content(n), pre > 0);
          }
          return false;
        },
        [&](xmlNode* n) {
          Info* in = InfoOf(n);
          if (in == nullptr) return;
          if (in->block) out.EndBlock();
          if (in->tag == Tag::kPre) --pre;
        });
    out.EndBlock();
  }
  return out.Finish(truncated);
}

Status Extractor::Run() {
  if (!Classify()) {
    return Status::InvalidArgument("too_large: the page has more than " +
                                   std::to_string(limits_.max_nodes) + " DOM nodes");
  }
  root_ = xmlDocGetRootElement(doc_);
  if (root_ == nullptr || InfoOf(root_) == nullptr) {
    return Status::InvalidArgument("empty: the page has no elements");
  }
  ReadMetadata();

  // Pass A: paragraph mass, to decide which soft boilerplate to drop: only
  // what holds half of the page's paragraph text, in several paragraphs, is
  // kept (a wrapper named "page has-sidebar"; not a cookie banner on an
  // otherwise empty page).
  Scan(/*scoring=*/false);
  uint64_t total = InfoOf(root_)->para;
  for (Info& in : infos_) {
    if (!in.soft) continue;
    bool holds_article =
        in.para > 0 && uint64_t{in.para} * 2 >= total && (in.runs >= 3 || in.para >= 400);
    in.skip = !holds_article;
  }
  // Pass B: text and link statistics and paragraph scores.
  Scan(/*scoring=*/true);
  std::vector<xmlNode*> roots = SelectRoots();

  // Metadata that does not depend on the text.
  page_->site_name = Meta({"og:site_name"});
  if (page_->site_name.empty()) page_->site_name = jsonld_.publisher;
  if (page_->site_name.empty()) page_->site_name = Meta({"application-name"});
  page_->author = jsonld_.author;
  if (page_->author.empty()) page_->author = Meta({"author", "dc.creator", "byl"});
  if (page_->author.empty()) {
    std::string a = Meta({"article:author"});
    if (!IsHttpUrl(a)) page_->author = a;
  }
  page_->description = Meta({"og:description", "description", "twitter:description"});
  if (page_->description.empty()) page_->description = jsonld_.description;
  page_->lang = html_lang_;
  if (page_->lang.empty()) page_->lang = jsonld_.in_language;
  if (page_->lang.empty()) page_->lang = Meta({"content-language", "og:locale", "language"});
  page_->lang = CollapseSpaces(page_->lang, 64);
  std::replace(page_->lang.begin(), page_->lang.end(), '_', '-');
  page_->title = ChooseTitle();
  TruncateUtf8(page_->title, 2048);
  page_->published = ChooseDate();
  page_->canonical_url = ChooseCanonical();

  bool truncated = false;
  std::string text = roots.empty() ? std::string() : CollectText(roots, &truncated);
  std::string body = TrimAscii(jsonld_.article_body).empty() ? std::string() : jsonld_.article_body;
  if (!body.empty() && text.size() * 10 < body.size() * 3) {
    // The DOM holds little of the article (scripted page): use JSON-LD.
    TextBuilder b(limits_.max_text_bytes);
    for (const auto& line : SplitLines(body)) {
      if (TrimAscii(line).empty()) {
        b.EndBlock();
      } else {
        b.Text(line, false);
        b.Text(" ", false);
      }
    }
    bool alt_truncated = false;
    std::string alt = b.Finish(&alt_truncated);
    if (alt.size() > text.size()) {
      text = std::move(alt);
      truncated = alt_truncated;
      page_->problems.push_back("main text taken from the JSON-LD articleBody");
    }
  }
  if (truncated) {
    page_->problems.push_back("text truncated to " + std::to_string(limits_.max_text_bytes) +
                              " bytes");
  }
  if (TrimAscii(text).empty()) {
    return Status::InvalidArgument("empty: the page has no main text (only navigation?)");
  }
  if (!IsValidUtf8(text)) text = RepairUtf8(text);  // defensive; cannot happen
  page_->text = std::move(text);
  for (std::string* s : {&page_->title, &page_->site_name, &page_->author, &page_->description,
                         &page_->lang, &page_->canonical_url}) {
    if (!IsValidUtf8(*s)) *s = RepairUtf8(*s);
  }
  return Status::Ok();
}

}  // namespace

Result<PageArticle> ExtractPage(std::string_view html_utf8, std::string_view url,
                                const HtmlLimits& limits) {
  try {
    PageArticle page;
    std::string input;
    if (!IsValidUtf8(html_utf8)) {
      int replaced = 0;
      input = RepairUtf8(html_utf8, &replaced);
      page.problems.push_back("invalid UTF-8: " + std::to_string(replaced) +
                              " bytes replaced with U+FFFD");
    } else {
      input.assign(html_utf8);
    }
    if (input.find('\0') != std::string::npos) {
      input.erase(std::remove(input.begin(), input.end(), '\0'), input.end());
      page.problems.push_back("NUL bytes removed");
    }
    if (TrimAscii(input).empty()) return Status::InvalidArgument("empty: the page is empty");
    if (input.size() > static_cast<size_t>(INT_MAX)) {
      return Status::InvalidArgument("too_large: the page is larger than 2 GiB");
    }
    InitLibxml();
    const int options = HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                        HTML_PARSE_NOWARNING | HTML_PARSE_IGNORE_ENC |
                        XML_PARSE_HUGE;  // no depth limit of 256: our walks are iterative
    std::unique_ptr<xmlDoc, DocDeleter> doc(
        htmlReadMemory(input.data(), static_cast<int>(input.size()), nullptr, "UTF-8", options));
    if (!doc) return Status::InvalidArgument("malformed: the HTML parser gave no document");
    Extractor extractor(doc.get(), url, limits, &page);
    Status st = extractor.Run();
    if (!st.ok()) return st;
    return page;
  } catch (const std::bad_alloc&) {
    return Status::Internal("out of memory while extracting the page");
  } catch (const std::exception& e) {
    return Status::Internal(std::string("page extraction failed: ") + e.what());
  }
}

bool LooksLikeHtml(std::string_view bytes) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  std::string head = ToLower(bytes.substr(0, 4096));
  size_t i = 0;
  while (i < head.size() && IsAsciiSpace(head[i])) ++i;
  std::string_view h = std::string_view(head).substr(i);
  if (h.empty() || h[0] != '<') return false;
  if (h.substr(0, 14) == "<!doctype html") return true;
  auto pos = [&](std::string_view needle) { return h.find(needle); };
  size_t html = std::min({pos("<html"), pos("<head"), pos("<body")});
  size_t feed = std::min({pos("<rss"), pos("<feed"), pos("<rdf:rdf"), pos("<opml")});
  if (html != std::string_view::npos) return feed == std::string_view::npos || html < feed;
  if (feed != std::string_view::npos) return false;
  if (h.substr(0, 5) == "<?xml") return false;
  for (std::string_view tag :
       {"<title", "<meta", "<div", "<p>", "<p ", "<article", "<script", "<!--", "<table", "<h1"}) {
    if (h.find(tag) != std::string_view::npos) return true;
  }
  return false;
}

std::string StripTrackingParameters(std::string_view url) {
  std::string_view u = url;
  if (size_t hash = u.find('#'); hash != std::string_view::npos) u = u.substr(0, hash);
  size_t q = u.find('?');
  if (q == std::string_view::npos) return std::string(u);
  std::string out(u.substr(0, q));
  std::string_view query = u.substr(q + 1);
  std::string kept;
  size_t i = 0;
  while (i <= query.size()) {
    size_t amp = query.find('&', i);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view param = query.substr(i, amp - i);
    if (!param.empty()) {
      std::string_view name = param.substr(0, param.find('='));
      if (!IsTrackingParameter(name)) {
        if (!kept.empty()) kept += '&';
        kept += param;
      }
    }
    i = amp + 1;
  }
  if (!kept.empty()) {
    out += '?';
    out += kept;
  }
  return out;
}

std::string ResolveUrl(std::string_view base_in, std::string_view href_in) {
  std::string href = CleanHref(href_in);
  std::string base_s = CleanHref(base_in);
  UrlParts base = SplitUrl(base_s);
  if (!base.has_scheme && href.empty()) return base_s;
  // Browsers read "\" as "/" in http(s) URLs.
  UrlParts probe = SplitUrl(href);
  std::string_view scheme = probe.has_scheme ? probe.scheme : base.scheme;
  if (EqualsIgnoreCase(scheme, "http") || EqualsIgnoreCase(scheme, "https")) {
    size_t end = href.find_first_of("?#");
    if (end == std::string::npos) end = href.size();
    std::replace(href.begin(), href.begin() + static_cast<std::ptrdiff_t>(end), '\\', '/');
  }
  UrlParts r = SplitUrl(href);
  if (r.has_scheme) {
    return Recompose(r.scheme, r.has_authority, r.authority, RemoveDotSegments(r.path), r.has_query,
                     r.query, r.has_fragment, r.fragment);
  }
  if (r.has_authority) {
    return Recompose(base.scheme, true, r.authority, RemoveDotSegments(r.path), r.has_query,
                     r.query, r.has_fragment, r.fragment);
  }
  std::string path;
  bool has_query = r.has_query;
  std::string_view query = r.query;
  if (r.path.empty()) {
    path = std::string(base.path);
    if (!r.has_query) {
      has_query = base.has_query;
      query = base.query;
    }
  } else if (r.path[0] == '/') {
    path = RemoveDotSegments(r.path);
  } else {
    std::string merged;
    if (base.has_authority && base.path.empty()) {
      merged = "/" + std::string(r.path);
    } else {
      size_t slash = base.path.rfind('/');
      merged = slash == std::string_view::npos
                   ? std::string(r.path)
                   : std::string(base.path.substr(0, slash + 1)) + std::string(r.path);
    }
    path = RemoveDotSegments(merged);
  }
  return Recompose(base.scheme, base.has_authority, base.authority, path, has_query, query,
                   r.has_fragment, r.fragment);
}

}  // namespace storyline
