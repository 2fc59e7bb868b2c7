#include "clean/clean.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <unordered_set>

#include "common/text.h"

namespace storyline {

namespace {

// Decodes one code point at s[i] (s is valid UTF-8); advances i.
int32_t Decode(std::string_view s, size_t& i) {
  utf8proc_int32_t cp = 0;
  auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                            static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
  if (n <= 0) {
    ++i;
    return 0xFFFD;
  }
  i += static_cast<size_t>(n);
  return cp;
}

bool IsHorizontalSpace(int32_t cp) {
  if (cp == ' ' || cp == '\t' || cp == '\f' || cp == '\v') return true;
  if (cp == 0x200B || cp == 0xFEFF) return true;  // zero-width space, stray BOM
  if (cp < 0x80) return false;
  auto cat = utf8proc_category(cp);
  return cat == UTF8PROC_CATEGORY_ZS;
}

// Key under which two lines count as the same: lowercase, leading bullets and
// dashes ignored.
std::string LineKey(std::string_view line) {
  size_t i = 0;
  while (i < line.size()) {
    size_t j = i;
    int32_t cp = Decode(line, j);
    bool bullet =
        cp == '-' || cp == '*' || cp == 0x2022 || cp == 0x2013 || cp == 0x2014 || cp == ' ';
    if (!bullet) break;
    i = j;
  }
  std::string key;
  for (size_t j = i; j < line.size();) {
    int32_t cp = utf8proc_tolower(Decode(line, j));
    utf8proc_uint8_t buf[4];
    auto n = utf8proc_encode_char(cp, buf);
    key.append(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
  }
  return key;
}

}  // namespace

std::string NormalizeNfc(std::string_view utf8) {
  utf8proc_uint8_t* out = nullptr;
  auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(utf8.data()),
                        static_cast<utf8proc_ssize_t>(utf8.size()), &out,
                        static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n < 0) return std::string(utf8);
  std::string result(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  std::free(out);
  return result;
}

std::string NormalizeWhitespace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  int newlines = 0;  // newlines seen since the last text on this run
  for (size_t i = 0; i < s.size();) {
    int32_t cp = Decode(s, i);
    if (cp == '\r' || cp == '\n' || cp == 0x2028 || cp == 0x2029 || cp == 0x85) {
      if (cp == '\r' && i < s.size() && s[i] == '\n') ++i;
      ++newlines;
      pending_space = false;
      continue;
    }
    if (IsHorizontalSpace(cp)) {
      pending_space = true;
      continue;
    }
    if (!out.empty()) {
      if (newlines >= 2) {
        out += "\n\n";
      } else if (newlines == 1) {
        out += "\n";
      } else if (pending_space) {
        out += ' ';
      }
    }
    newlines = 0;
    pending_space = false;
    utf8proc_uint8_t buf[4];
    auto n = utf8proc_encode_char(cp, buf);
    out.append(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
  }
  return out;
}

uint64_t ContentHash(std::string_view title, std::string_view text) {
  std::string folded;
  folded.reserve(title.size() + text.size());
  for (std::string_view part : {title, text}) {
    for (size_t i = 0; i < part.size();) {
      int32_t cp = Decode(part, i);
      if (cp < 0x80 ? (cp == ' ' || cp == '\n' || cp == '\t' || cp == '\r') : IsHorizontalSpace(cp))
        continue;
      cp = utf8proc_tolower(cp);
      utf8proc_uint8_t buf[4];
      auto n = utf8proc_encode_char(cp, buf);
      folded.append(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
    }
    folded.push_back('\x1f');
  }
  return Hash64(folded, 0x5354u);
}

namespace {

bool HasLiveMarker(const std::string& title) {
  std::string t = LineKey(title);
  static const char* kMarkers[] = {
      "live:",       "live blog", "live updates", "live update", "liveblog",  "liveblogg",
      "live-blog",   "direkte:",  "direkt:",      "just nu:",    "en direct", "liveticker",
      "live-ticker", "ticker:",   "онлайн:",      "ao vivo",     "en vivo",   "в прямом эфире"};
  for (const char* m : kMarkers) {
    std::string_view mv(m);
    if (t.compare(0, mv.size(), mv) == 0) return true;
    // "Ukraine war live: ..." and "... - live updates"
    if (mv.back() != ':' && t.find(mv) != std::string::npos) return true;
    if (mv.back() == ':' && t.find(" " + std::string(mv)) != std::string::npos) return true;
  }
  return false;
}

bool LooksLikeHeading(std::string_view line) {
  if (line.size() < 12 || line.size() > 140) return false;
  char last = line.back();
  if (last == '.' || last == '!' || last == '?' || last == ',' || last == ';' || last == ':' ||
      last == '"')
    return false;
  // Closing quotes in UTF-8 (” » ’) end quotations, not headings.
  if (line.size() >= 2 && (line.substr(line.size() - 2) == "Â»")) return false;
  if (line.size() >= 3) {
    auto tail = line.substr(line.size() - 3);
    if (tail == "â" || tail == "â") return false;
  }
  unsigned char first = static_cast<unsigned char>(line[0]);
  if (first == '-' || first == '*' || first == 0xE2) return false;  // bullets, dashes, quotes
  return true;
}

}  // namespace

std::vector<LiveBlogEntry> SplitLiveBlog(const Article& a, bool declared_live, size_t min_entries) {
  std::vector<LiveBlogEntry> entries;
  if (!declared_live && !HasLiveMarker(a.title)) return entries;
  std::vector<std::string_view> paras;
  for (std::string_view line : SplitLines(a.text)) {
    line = TrimAscii(line);
    if (!line.empty()) paras.push_back(line);
  }
  LiveBlogEntry current{a.title, ""};
  size_t headed = 0;
  for (size_t i = 0; i < paras.size(); ++i) {
    bool heading =
        LooksLikeHeading(paras[i]) && i + 1 < paras.size() && !LooksLikeHeading(paras[i + 1]);
    if (heading) {
      if (!current.text.empty() || headed > 0) entries.push_back(current);
      current = {std::string(paras[i]), ""};
      ++headed;
      continue;
    }
    if (!current.text.empty()) current.text += "\n\n";
    current.text += paras[i];
  }
  if (!current.text.empty()) entries.push_back(current);
  if (headed < min_entries) entries.clear();
  return entries;
}

CleanArticle Clean(Article a, const CleanOptions& options) {
  CleanArticle c;
  // NUL characters (JSON "\u0000") mean nothing in news text, and a
  // PostgreSQL text value cannot hold them: removed, and said.
  size_t nuls = 0;
  for (std::string* f : {&a.id, &a.title, &a.text, &a.source, &a.url}) {
    size_t before = f->size();
    f->erase(std::remove(f->begin(), f->end(), '\0'), f->end());
    nuls += before - f->size();
  }
  if (nuls > 0) a.repairs.push_back("nul: removed " + std::to_string(nuls) + " NUL characters");
  int bad_title = 0, bad_text = 0;
  std::string title = RepairUtf8(a.title, &bad_title);
  std::string text = RepairUtf8(a.text, &bad_text);
  c.invalid_bytes = bad_title + bad_text;
  if (c.invalid_bytes > 0)
    a.repairs.push_back("invalid_utf8: replaced " + std::to_string(c.invalid_bytes) + " bytes");
  title = NormalizeWhitespace(NormalizeNfc(title));
  // A title is one line.
  for (char& ch : title)
    if (ch == '\n') ch = ' ';
  text = NormalizeWhitespace(NormalizeNfc(text));

  // Drop lines repeated verbatim. (A text that repeats the title is left
  // alone: feeds and headline corpora often do.)
  std::unordered_set<std::string> seen;
  std::string kept;
  kept.reserve(text.size());
  for (std::string_view line : SplitLines(text)) {
    if (line.size() >= options.min_repeated_line_bytes && !seen.insert(LineKey(line)).second) {
      ++c.dropped_lines;
      continue;
    }
    kept.append(line);
    kept.push_back('\n');
  }
  if (c.dropped_lines > 0) {
    a.repairs.push_back("repeated_lines: dropped " + std::to_string(c.dropped_lines));
    text = NormalizeWhitespace(kept);  // a dropped line may leave a blank-line run
  }
  a.title = std::move(title);
  a.text = std::move(text);
  c.content_hash = ContentHash(a.title, a.text);
  c.article = std::move(a);
  return c;
}

}  // namespace storyline
