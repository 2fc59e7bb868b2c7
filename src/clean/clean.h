// Clean: makes an Article's text safe and canonical. Public header of the stage.
//
// Steps, in order: repair invalid UTF-8 (count the bytes), Unicode NFC,
// normalise whitespace (one space inside a line, no blank-line runs, trimmed
// lines), drop lines repeated verbatim inside the article (captions, pull
// quotes). Every change that alters content is recorded in `repairs`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ingest/ingest.h"

namespace storyline {

struct CleanArticle {
  Article article;        // title and text cleaned; metadata as ingested
  uint64_t content_hash;  // of the case-folded, whitespace-free title and text
  int invalid_bytes = 0;  // invalid UTF-8 bytes replaced by U+FFFD
  int dropped_lines = 0;  // repeated lines removed
};

struct CleanOptions {
  // A repeated line shorter than this many bytes is kept (short lines such as
  // "Photo:" or a one-word heading may legitimately recur). Default 20.
  size_t min_repeated_line_bytes = 20;
};

// Never fails: anything can be cleaned. An article whose title and text are
// empty after cleaning is the caller's to reject.
CleanArticle Clean(Article article, const CleanOptions& options = {});

// One entry of a live blog: a heading and the paragraphs under it.
struct LiveBlogEntry {
  std::string title;  // the entry's heading (the article title for the intro)
  std::string text;
};

// A live blog (title marked "Live:", "Live blog", "Direkte:", "Just nu:",
// "En direct", "Liveticker", ...; metadata can say so too) made of headed
// entries is split: the intro, then one entry per heading. A heading is a
// short line without closing punctuation followed by a paragraph. Returns
// nothing for an article that is not a live blog or has fewer than
// `min_entries` headed entries: ordinary articles keep their sub-headings.
std::vector<LiveBlogEntry> SplitLiveBlog(const Article& article, bool declared_live = false,
                                         size_t min_entries = 3);

// NFC-normalises valid UTF-8 (returns the input unchanged if it is not valid).
std::string NormalizeNfc(std::string_view utf8);

// Collapses horizontal whitespace (including NBSP and other Unicode spaces)
// to one ASCII space, trims lines, turns CR/CRLF into LF and keeps at most one
// empty line between paragraphs.
std::string NormalizeWhitespace(std::string_view utf8);

// A hash of the text with case and whitespace ignored, for exact-duplicate
// detection.
uint64_t ContentHash(std::string_view title, std::string_view text);

}  // namespace storyline
