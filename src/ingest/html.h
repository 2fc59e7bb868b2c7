// Web pages: main-text extraction and metadata from an HTML document.
//
// The main text is the block of the page with the most paragraph text and the
// fewest links (navigation, ads, comments, footers, cookie banners and share
// bars score low); <script>, <style>, <noscript>, <template>, forms and
// hidden elements never reach the text. Metadata comes from JSON-LD
// (NewsArticle / Article / ReportageNewsArticle / LiveBlogPosting), then
// og:* / article:* meta tags, then <title>, <time datetime>, <html lang>,
// <link rel=canonical>.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "ingest/ingest.h"

namespace storyline {

struct HtmlLimits {
  size_t max_nodes = 200000;         // refuse documents with a larger DOM
  size_t max_text_bytes = 1u << 20;  // truncate the extracted text
};

struct PageArticle {
  std::string title;
  std::string text;          // paragraphs separated by blank lines; headings on their own lines
  std::string canonical_url; // absolute; tracking parameters removed
  std::optional<int64_t> published;
  std::string lang;          // <html lang> or JSON-LD inLanguage, canonicalised by the caller
  std::string site_name;     // og:site_name / publisher name
  std::string author;
  std::string description;   // og:description / meta description
  std::vector<std::string> problems;  // repairs and truncations
};

// Parses UTF-8 HTML (decode with DecodeToUtf8 first). `url` is where the page
// came from, used to resolve relative links. InvalidArgument when there is no
// usable text (empty page, nothing but navigation) or the DOM is too large.
Result<PageArticle> ExtractPage(std::string_view html_utf8, std::string_view url = {}, const HtmlLimits& limits = {});

// True if the bytes look like an HTML document.
bool LooksLikeHtml(std::string_view bytes);

// Removes tracking parameters (utm_*, fbclid, gclid, mc_cid, mc_eid, igshid,
// ref_src, _ga, ...) and the fragment from a URL; keeps other parameters in
// order.
std::string StripTrackingParameters(std::string_view url);

// Resolves `href` against `base` (RFC 3986).
std::string ResolveUrl(std::string_view base, std::string_view href);

}  // namespace storyline
