#include "server/html.h"

#include <map>
#include <set>

#include "api/api.h"

namespace storyline::html {

namespace {

using api::EscapeHtml;

std::string S(const Json& o, const char* k) {
  return o.is_object() && o.contains(k) && o[k].is_string() ? o[k].get<std::string>()
                                                            : std::string();
}
int64_t I(const Json& o, const char* k) {
  return o.is_object() && o.contains(k) && o[k].is_number() ? o[k].get<int64_t>() : 0;
}

const std::map<std::string, std::string>& LanguageNames() {
  static const std::map<std::string, std::string> names = {
      {"ar", "العربية"},    {"bg", "Български"},   {"cs", "Čeština"},  {"da", "Dansk"},
      {"de", "Deutsch"},    {"el", "Ελληνικά"},    {"en", "English"},  {"es", "Español"},
      {"et", "Eesti"},      {"fa", "فارسی"},       {"fi", "Suomi"},    {"fr", "Français"},
      {"he", "עברית"},      {"hi", "हिन्दी"},       {"hr", "Hrvatski"}, {"hu", "Magyar"},
      {"it", "Italiano"},   {"ja", "日本語"},      {"ko", "한국어"},   {"lt", "Lietuvių"},
      {"lv", "Latviešu"},   {"nl", "Nederlands"},  {"nn", "Nynorsk"},  {"no", "Norsk"},
      {"pl", "Polski"},     {"pt", "Português"},   {"ro", "Română"},   {"ru", "Русский"},
      {"sk", "Slovenčina"}, {"sl", "Slovenščina"}, {"sr", "Српски"},   {"sv", "Svenska"},
      {"tr", "Türkçe"},     {"uk", "Українська"},  {"zh", "中文"}};
  return names;
}

std::string LanguageName(const std::string& code) {
  auto it = LanguageNames().find(code);
  return it == LanguageNames().end() ? code : it->second;
}

// A language code safe for a lang attribute (letters and '-' only).
std::string LangAttr(const std::string& code) {
  std::string out;
  for (char c : code)
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-') out += c;
  return out.empty() ? "und" : out;
}

std::string Badge(const std::string& lang, int64_t n = 0) {
  std::string b =
      "<span class=\"badge\" title=\"" + EscapeHtml(LanguageName(lang)) + "\">" + EscapeHtml(lang);
  if (n > 1) b += " " + std::to_string(n);
  return b + "</span>";
}

// Text in a language, marked for screen readers and hyphenation.
std::string InLang(const std::string& text, const std::string& lang, const char* tag = "span") {
  return std::string("<") + tag + " lang=\"" + LangAttr(lang) + "\">" + EscapeHtml(text) + "</" +
         tag + ">";
}

std::string Day(const Json& t) {
  return t.is_string() ? t.get<std::string>().substr(0, 10) : std::string();
}
std::string When(const Json& t) {
  if (!t.is_string()) return "";
  std::string v = t.get<std::string>();
  return "<time datetime=\"" + EscapeHtml(v) + "\">" + EscapeHtml(v.substr(0, 10)) + "</time>";
}

std::string StoryHref(const std::string& id, const std::string& reader_lang) {
  return "/stories/" + UrlEncode(id) +
         (reader_lang.empty() ? "" : "?lang=" + UrlEncode(reader_lang));
}
std::string ArticleHref(const std::string& id) { return "/articles/" + UrlEncode(id); }
std::string Anchor(const std::string& id) {
  std::string a = "a-";
  for (unsigned char c : id) a += std::isalnum(c) ? static_cast<char>(c) : '-';
  return a;
}

std::string StoryCard(const Json& s, const std::string& reader_lang) {
  std::string out =
      "<li class=\"card\"><h2><a href=\"" + StoryHref(S(s, "id"), reader_lang) + "\"" +
      (S(s, "headline_lang").empty() ? "" : " lang=\"" + LangAttr(S(s, "headline_lang")) + "\"") +
      ">" + EscapeHtml(S(s, "headline")) + "</a></h2><p class=\"meta\">";
  int64_t independent = I(s, "independent_sources");
  int64_t size = I(s, "size");
  out += std::to_string(size) + (size == 1 ? " article" : " articles");
  if (independent > 0)
    out += " · " + std::to_string(independent) +
           (independent == 1 ? " independent source" : " independent sources");
  std::string day = Day(s["last_published"]);
  if (!day.empty()) out += " · " + When(s["last_published"]);
  out += "</p><p class=\"langs\">";
  if (s.contains("languages") && s["languages"].is_object())
    for (const auto& [l, n] : s["languages"].items())
      out += Badge(l, n.is_number() ? n.get<int64_t>() : 0) + " ";
  return out + "</p></li>";
}

}  // namespace

std::string UrlEncode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string Layout(const std::string& title, const std::string& body,
                   const std::string& reader_lang, const std::string& query) {
  std::string langs;
  for (const char* l : {"en", "de", "fr", "es", "no", "sv", "ru"}) {
    bool on = reader_lang == l;
    langs += std::string("<a href=\"/?lang=") + l + "\"" + (on ? " aria-current=\"true\"" : "") +
             " lang=\"" + l + "\">" + EscapeHtml(LanguageName(l)) + "</a> ";
  }
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>" +
         EscapeHtml(title) +
         " · Storyline</title><link rel=\"stylesheet\" href=\"/static/style.css\">"
         "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Top stories\" "
         "href=\"/feeds/top.atom\"></head><body>"
         "<a class=\"skip\" href=\"#main\">Skip to content</a>"
         "<header class=\"top\"><a class=\"brand\" href=\"/" +
         (reader_lang.empty() ? std::string() : "?lang=" + UrlEncode(reader_lang)) +
         "\">Storyline</a>"
         "<form class=\"search\" action=\"/search\" method=\"get\" role=\"search\">"
         "<label for=\"q\" class=\"vh\">Search articles</label>"
         "<input id=\"q\" name=\"q\" type=\"search\" placeholder=\"Search every language\" "
         "value=\"" +
         EscapeHtml(query) + "\">" +
         (reader_lang.empty()
              ? std::string()
              : "<input type=\"hidden\" name=\"lang\" value=\"" + EscapeHtml(reader_lang) + "\">") +
         "<button type=\"submit\">Search</button></form>"
         "<nav aria-label=\"Sections\"><a href=\"/entities\">People, places, organisations</a> "
         "<a href=\"/feeds/top.atom\">Feed</a></nav>"
         "<nav class=\"langs\" aria-label=\"Headline language\">" +
         langs +
         "</nav></header>"
         "<main id=\"main\" tabindex=\"-1\">" +
         body +
         "</main><footer>Storyline: stories from news in many languages, on one machine. "
         "<a href=\"/api/stories\">JSON API</a></footer></body></html>\n";
}

std::string Front(const Json& stories, const std::string& reader_lang, bool more,
                  const std::string& next_cursor) {
  std::string body =
      "<h1>Top stories</h1><p class=\"lede\">The newest stories first, each "
      "independent source counting as a day newer.</p>";
  if (!stories.is_array() || stories.empty()) {
    body +=
        "<p>No stories yet. Ingest some articles: <code>storyline ingest examples/articles"
        "</code>.</p>";
    return Layout("Top stories", body, reader_lang);
  }
  body += "<ol class=\"stories\">";
  for (const auto& s : stories) body += StoryCard(s, reader_lang);
  body += "</ol>";
  if (more)
    body += "<p><a rel=\"next\" href=\"/?cursor=" + UrlEncode(next_cursor) +
            (reader_lang.empty() ? "" : "&amp;lang=" + UrlEncode(reader_lang)) +
            "\">More stories</a></p>";
  return Layout("Top stories", body, reader_lang);
}

std::string Story(const Json& j, const std::string& reader_lang) {
  std::string body;
  const Json summary = j.contains("summary") ? j["summary"] : Json::object();
  std::string headline = S(summary, "headline");
  std::string hl_lang = S(summary, "headline_lang");
  if (headline.empty()) headline = S(j, "headline"), hl_lang = S(j, "headline_lang");
  // Article id -> the article, and its number in the story (for citations:
  // [n], or the source's name when the article has one).
  std::map<std::string, const Json*> by_id;
  std::map<std::string, int> number;
  if (j.contains("articles"))
    for (const auto& a : j["articles"]) {
      by_id[S(a, "id")] = &a;
      number.emplace(S(a, "id"), static_cast<int>(number.size()) + 1);
    }
  auto cite = [&](const std::string& id) {
    auto it = by_id.find(id);
    if (it == by_id.end()) return std::string();
    std::string label = S(*it->second, "source");
    if (label.empty()) label = "[" + std::to_string(number[id]) + "]";
    return "<a class=\"cite\" href=\"#" + Anchor(id) + "\" title=\"" +
           EscapeHtml(S(*it->second, "title")) + "\">" + EscapeHtml(label) + "</a>";
  };

  body += "<article class=\"story\"><h1" +
          (hl_lang.empty() ? std::string() : " lang=\"" + LangAttr(hl_lang) + "\"") + ">" +
          EscapeHtml(headline) + "</h1><p class=\"meta\">";
  int64_t size = I(j, "size");
  body += std::to_string(size) + (size == 1 ? " article" : " articles");
  if (j.contains("sources") && j["sources"].is_object())
    body += " · " + std::to_string(I(j["sources"], "independent")) + " independent sources";
  if (j["first_published"].is_string())
    body +=
        " · " + When(j["first_published"]) +
        (Day(j["last_published"]) != Day(j["first_published"]) ? " – " + When(j["last_published"])
                                                               : "");
  body += "</p><p class=\"langs\">";
  if (j["languages"].is_object())
    for (const auto& [l, n] : j["languages"].items())
      body += Badge(l, n.is_number() ? n.get<int64_t>() : 0) + " ";
  body += "</p>";

  if (summary.contains("bullets") && !summary["bullets"].empty()) {
    body +=
        "<section aria-labelledby=\"h-summary\"><h2 id=\"h-summary\">Summary</h2><ul "
        "class=\"bullets\">";
    for (const auto& b : summary["bullets"]) {
      body += "<li>" + InLang(S(b, "text"), S(b, "lang")) + " <span class=\"cites\">";
      for (const auto& a : b["articles"])
        if (a.is_string()) body += cite(a.get<std::string>()) + " ";
      body += "</span></li>";
    }
    body += "</ul></section>";
  }

  if (j.contains("quotes") && !j["quotes"].empty()) {
    body += "<section aria-labelledby=\"h-quotes\"><h2 id=\"h-quotes\">Who said what</h2>";
    std::map<int, std::vector<const Json*>> groups;
    std::vector<int> order;
    for (const auto& q : j["quotes"]) {
      if (S(q, "speaker").empty()) continue;
      int g = q.contains("group") && q["group"].is_number() ? q["group"].get<int>() : 0;
      if (!groups.count(g)) order.push_back(g);
      groups[g].push_back(&q);
    }
    int shown = 0;
    for (int g : order) {
      if (++shown > 12) break;
      const auto& qs = groups[g];
      body += "<figure class=\"quote\"><figcaption>" + EscapeHtml(S(*qs[0], "speaker")) +
              "</figcaption>";
      for (const Json* q : qs)
        body += "<blockquote lang=\"" + LangAttr(S(*q, "lang")) + "\"><p>" +
                EscapeHtml(S(*q, "text")) + "</p><footer>" + Badge(S(*q, "lang")) + " " +
                cite(S(*q, "article")) + "</footer></blockquote>";
      body += "</figure>";
    }
    body += "</section>";
  }

  if (j.contains("figures") && !j["figures"].empty()) {
    body +=
        "<section aria-labelledby=\"h-figures\"><h2 id=\"h-figures\">Figures</h2><table "
        "class=\"figures\"><thead><tr><th scope=\"col\">What</th><th scope=\"col\">As "
        "reported</th></tr></thead><tbody>";
    for (const auto& f : j["figures"]) {
      bool disagree =
          f.contains("disagree") && f["disagree"].is_boolean() && f["disagree"].get<bool>();
      body += std::string("<tr") + (disagree ? " class=\"disagree\"" : "") + "><th scope=\"row\">" +
              EscapeHtml(S(f, "what")) +
              (disagree ? " <strong class=\"flag\">sources disagree</strong>" : "") + "</th><td>";
      bool first = true;
      for (const auto& v : f["values"]) {
        if (!first) body += "; ";
        first = false;
        body += InLang(S(v, "as_written"), S(v, "lang")) + " " + cite(S(v, "article"));
      }
      body += "</td></tr>";
    }
    body += "</tbody></table></section>";
  }

  if (j.contains("timeline") && j["timeline"].size() > 1) {
    body +=
        "<section aria-labelledby=\"h-timeline\"><h2 id=\"h-timeline\">Timeline</h2><ol "
        "class=\"timeline\">";
    // A long story's timeline has its earliest and latest articles: a line
    // says how many are between them.
    size_t gap_after = 0, gap = 0;
    if (j.contains("timeline_omitted") && j["timeline_omitted"].is_object()) {
      gap_after = static_cast<size_t>(I(j["timeline_omitted"], "after"));
      gap = static_cast<size_t>(I(j["timeline_omitted"], "count"));
    }
    // Not a list item: the list after it is numbered on (start=).
    const std::string gap_line = "</ol><p class=\"omitted\">… " + std::to_string(gap) +
                                 (gap == 1 ? " more entry" : " more entries") +
                                 " (every article is under Sources)</p><ol class=\"timeline\" "
                                 "start=\"" +
                                 std::to_string(gap_after + gap + 1) + "\">";
    size_t shown = 0;
    for (const auto& t : j["timeline"]) {
      if (gap && shown++ == gap_after) body += gap_line;
      std::string when;
      if (t.contains("time") && t["time"].is_number()) {
        Json iso = api::Time(t["time"].get<int64_t>());
        when = "<time datetime=\"" + EscapeHtml(iso.get<std::string>()) + "\">" +
               EscapeHtml(iso.get<std::string>().substr(0, 16).replace(10, 1, " ")) + "</time> ";
      }
      body += "<li>" + when + InLang(S(t, "title"), S(t, "lang")) + " <span class=\"src\">" +
              EscapeHtml(S(t, "source")) + "</span>" +
              (S(t, "copy_of").empty() ? "" : " <span class=\"copy\">(copy)</span>") + "</li>";
    }
    if (gap && shown <= gap_after) body += gap_line;  // nothing after the gap
    body += "</ol></section>";
  }

  // Sources by language; copies folded under the article they copy.
  body += "<section aria-labelledby=\"h-sources\"><h2 id=\"h-sources\">Sources</h2>";
  std::map<std::string, std::string> copy_of;  // copy -> original
  std::map<std::string, std::string> copy_kind;
  if (j.contains("sources") && j["sources"].contains("copies"))
    for (const auto& c : j["sources"]["copies"])
      if (by_id.count(S(c, "of")) && S(c, "kind") != "shares_text")
        copy_of[S(c, "article")] = S(c, "of"), copy_kind[S(c, "article")] = S(c, "kind");
  std::map<std::string, std::vector<const Json*>> copies_under;
  // A copy the page does not have (the summary is a moment newer) is left out.
  for (auto it = copy_of.begin(); it != copy_of.end();) {
    auto c = by_id.find(it->first);
    if (c == by_id.end()) {
      it = copy_of.erase(it);
      continue;
    }
    copies_under[it->second].push_back(c->second);
    ++it;
  }
  auto article_item = [&](const Json& a) {
    std::string id = S(a, "id");
    std::string li = "<li id=\"" + Anchor(id) + "\"><span class=\"num\">[" +
                     std::to_string(number[id]) + "]</span> <a href=\"" + ArticleHref(id) +
                     "\" lang=\"" + LangAttr(S(a, "language")) + "\">" + EscapeHtml(S(a, "title")) +
                     "</a> <span class=\"src\">" + EscapeHtml(S(a, "source")) + "</span> " +
                     When(a["published"]);
    if (a.contains("joined") && a["joined"].is_object()) {
      std::string reason = S(a["joined"], "reason");
      std::string why = reason == "new"         ? "first article"
                        : reason == "text"      ? "joined on shared words"
                        : reason == "names"     ? "joined on shared names and numbers"
                        : reason == "duplicate" ? "joined as a copy"
                                                : "joined: " + reason;
      li += " <span class=\"why\">" + EscapeHtml(why) + "</span>";
    }
    return li;
  };
  if (j.contains("articles_by_language"))
    for (const auto& [lang, ids] : j["articles_by_language"].items()) {
      body += "<h3 lang=\"" + LangAttr(lang) + "\">" + EscapeHtml(LanguageName(lang)) +
              " <span class=\"count\">" + std::to_string(ids.size()) +
              "</span></h3><ul "
              "class=\"sources\">";
      for (const auto& idj : ids) {
        std::string id = idj.get<std::string>();
        if (copy_of.count(id)) continue;  // shown under its original
        auto it = by_id.find(id);
        if (it == by_id.end()) continue;
        body += article_item(*it->second);
        auto cu = copies_under.find(id);
        if (cu != copies_under.end()) {
          body += "<details class=\"copies\"><summary>" + std::to_string(cu->second.size()) +
                  (cu->second.size() == 1 ? " copy" : " copies") + "</summary><ul>";
          for (const Json* c : cu->second)
            body += article_item(*c) + " <span class=\"copy\">" +
                    EscapeHtml(copy_kind[S(*c, "id")] == "exact" ? "same text" : "wire copy") +
                    "</span></li>";
          body += "</ul></details>";
        }
        body += "</li>";
      }
      body += "</ul>";
    }
  if (j.contains("sources") && j["sources"].contains("agencies") &&
      !j["sources"]["agencies"].empty()) {
    body += "<p>Agencies credited: ";
    bool first = true;
    for (const auto& a : j["sources"]["agencies"]) {
      body += (first ? "" : ", ") + EscapeHtml(a.is_string() ? a.get<std::string>() : "");
      first = false;
    }
    body += "</p>";
  }
  body += "</section>";

  if (j.contains("entities") && !j["entities"].empty()) {
    body +=
        "<section aria-labelledby=\"h-entities\"><h2 id=\"h-entities\">People, places, "
        "organisations</h2><ul class=\"entities\">";
    int n = 0;
    for (const auto& e : j["entities"]) {
      if (++n > 30) break;
      body += "<li><a href=\"/entities/" + UrlEncode(S(e, "key")) + "\">" +
              EscapeHtml(S(e, "name")) + "</a> <span class=\"type\">" + EscapeHtml(S(e, "type")) +
              "</span></li>";
    }
    body += "</ul></section>";
  }
  body += "<p class=\"raw\"><a href=\"/api/stories/" + UrlEncode(S(j, "id")) +
          "\">This story as JSON</a></p></article>";
  return Layout(headline, body, reader_lang);
}

std::string Article(const Json& a) {
  std::string lang = LangAttr(S(a, "language"));
  std::string body = "<article class=\"article\"><h1 lang=\"" + lang + "\">" +
                     EscapeHtml(S(a, "title")) + "</h1><p class=\"meta\">" +
                     Badge(S(a, "language")) + " " + EscapeHtml(S(a, "source")) + " " +
                     When(a["published"]);
  if (!S(a, "url").empty()) {
    std::string url = S(a, "url");
    bool web = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
    if (web)
      body += " · <a href=\"" + EscapeHtml(url) +
              "\" rel=\"noopener noreferrer nofollow\">original</a>";
  }
  body += "</p>";
  if (a.contains("story") && a["story"].is_object())
    body += "<p>Part of the story <a href=\"" + StoryHref(S(a["story"], "id"), "") + "\">" +
            EscapeHtml(S(a["story"], "headline")) + "</a>.</p>";
  body += "<div class=\"text\" lang=\"" + lang + "\">";
  std::string text = S(a, "text");
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string para = text.substr(start, nl == std::string::npos ? nl : nl - start);
    if (!para.empty()) body += "<p>" + EscapeHtml(para) + "</p>";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  body += "</div>";
  if (a.contains("duplicate_links") && !a["duplicate_links"].empty()) {
    body += "<h2>Copies</h2><ul>";
    for (const auto& l : a["duplicate_links"])
      body += "<li><a href=\"" + ArticleHref(S(l, "article")) + "\">" +
              EscapeHtml(S(l, "article")) + "</a> " + EscapeHtml(S(l, "kind")) + " of <a href=\"" +
              ArticleHref(S(l, "of")) + "\">" + EscapeHtml(S(l, "of")) + "</a></li>";
    body += "</ul>";
  }
  body += "</article>";
  return Layout(S(a, "title"), body, "");
}

std::string Search(const Json& r, const std::string& q, const std::string& reader_lang) {
  std::string body = "<h1>Search</h1>";
  if (q.empty()) {
    body +=
        "<p>Type words to search titles and texts in every language. Accents do not "
        "matter: <em>mote</em> finds <em>møte</em>.</p>";
    return Layout("Search", body, reader_lang, q);
  }
  const Json& results = r["results"];
  body += "<p class=\"lede\">" + std::to_string(results.size()) +
          (results.size() == 1 ? " article" : " articles") + " for <strong>" + EscapeHtml(q) +
          "</strong>" + (r["next_offset"].is_null() ? "" : " (more below)") + "</p>";
  body += "<ol class=\"results\">";
  for (const auto& h : results) {
    std::string lang = LangAttr(S(h, "language"));
    // title_html and snippet_html are escaped by the view, with <mark> around matches.
    body += "<li><h2><a href=\"" + ArticleHref(S(h, "article")) + "\" lang=\"" + lang + "\">" +
            S(h, "title_html") + "</a></h2><p class=\"meta\">" + Badge(S(h, "language")) + " " +
            EscapeHtml(S(h, "source")) + " " + When(h["published"]);
    if (h["story"].is_string())
      body +=
          " · <a href=\"" + StoryHref(h["story"].get<std::string>(), reader_lang) + "\">story</a>";
    body += "</p><p class=\"snippet\" lang=\"" + lang + "\">" + S(h, "snippet_html") + "</p></li>";
  }
  body += "</ol>";
  if (r["next_offset"].is_number())
    body += "<p><a rel=\"next\" href=\"/search?q=" + UrlEncode(q) +
            "&amp;offset=" + std::to_string(r["next_offset"].get<int64_t>()) +
            (reader_lang.empty() ? "" : "&amp;lang=" + UrlEncode(reader_lang)) +
            "\">More results</a></p>";
  return Layout("Search: " + q, body, reader_lang, q);
}

std::string Entities(const Json& list) {
  std::string body =
      "<h1>People, places, organisations</h1><p class=\"lede\">In the most "
      "stories first.</p><table class=\"entity-list\"><thead><tr><th "
      "scope=\"col\">Name</th><th scope=\"col\">Type</th><th "
      "scope=\"col\">Stories</th></tr></thead><tbody>";
  for (const auto& e : list)
    body += "<tr><td><a href=\"/entities/" + UrlEncode(S(e, "key")) + "\">" +
            EscapeHtml(S(e, "name")) + "</a></td><td>" + EscapeHtml(S(e, "type")) + "</td><td>" +
            std::to_string(I(e, "stories")) + "</td></tr>";
  body += "</tbody></table>";
  return Layout("Entities", body, "");
}

std::string Entity(const Json& e, const std::string& reader_lang) {
  std::string name = S(e, "name");
  std::string body = "<h1>" + EscapeHtml(name) +
                     "</h1><p class=\"lede\">Stories that mention "
                     "it, newest first.</p><ol class=\"stories\">";
  for (const auto& s : e["stories"]) body += StoryCard(s, reader_lang);
  body += "</ol>";
  return Layout(name, body, reader_lang);
}

std::string Error(int code, const std::string& message) {
  return Layout(std::to_string(code),
                "<h1>" + std::to_string(code) + "</h1><p>" + EscapeHtml(message) +
                    "</p><p><a href=\"/\">Top "
                    "stories</a></p>",
                "");
}

std::string Atom(const Json& stories, const std::string& base, const std::string& self,
                 const std::string& lang, const std::string& updated) {
  std::string title = "Storyline: top stories" + (lang.empty() ? "" : " (" + lang + ")");
  std::string x =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<feed xmlns=\"http://www.w3.org/2005/Atom\"" +
      (lang.empty() ? std::string() : " xml:lang=\"" + LangAttr(lang) + "\"") + ">\n<title>" +
      EscapeHtml(title) + "</title>\n<id>" + EscapeHtml(base + self) +
      "</id>\n<link rel=\"self\" href=\"" + EscapeHtml(base + self) +
      "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"" +
      EscapeHtml(base + "/" + (lang.empty() ? "" : "?lang=" + UrlEncode(lang))) +
      "\"/>\n<updated>" + EscapeHtml(updated) +
      "</updated>\n<author><name>Storyline</name></author>\n"
      "<generator>Storyline</generator>\n";
  for (const auto& s : stories) {
    std::string id = S(s, "id");
    std::string when =
        s["last_published"].is_string() ? s["last_published"].get<std::string>() : updated;
    std::string hl = S(s, "headline_lang");
    std::string summary = std::to_string(I(s, "size")) + " articles, " +
                          std::to_string(I(s, "independent_sources")) + " independent sources; ";
    bool first = true;
    for (const auto& [l, n] : s["languages"].items()) {
      summary += (first ? "" : ", ") + l;
      first = false;
    }
    x += "<entry" + (hl.empty() ? std::string() : " xml:lang=\"" + LangAttr(hl) + "\"") +
         ">\n<title>" + EscapeHtml(S(s, "headline")) + "</title>\n<id>" +
         EscapeHtml(base + "/stories/" + UrlEncode(id)) + "</id>\n<link href=\"" +
         EscapeHtml(base + StoryHref(id, lang)) + "\"/>\n<updated>" + EscapeHtml(when) +
         "</updated>\n<summary>" + EscapeHtml(summary) + "</summary>\n</entry>\n";
  }
  return x + "</feed>\n";
}

const char kStyle[] = R"css(
:root { --fg: #1d1d1f; --muted: #5b5b66; --bg: #fdfdfb; --card: #fff; --line: #e3e3df;
  --accent: #0b57d0; --mark: #fff1a8; --warn: #b3261e; --warnbg: #fdecea; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #ececec; --muted: #a8a8b3; --bg: #151517; --card: #1e1e21; --line: #333338;
    --accent: #8ab4f8; --mark: #5c4d00; --warn: #f2b8b5; --warnbg: #3a1f1e; } }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 17px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
  "Liberation Sans", sans-serif; color: var(--fg); background: var(--bg); }
main, header.top, body > footer { max-width: 46rem; margin: 0 auto; padding: 0 1rem; }
main { padding-bottom: 2rem; }
main:focus { outline: none; }
a { color: var(--accent); text-underline-offset: 0.15em; }
a:focus-visible, button:focus-visible, input:focus-visible, summary:focus-visible {
  outline: 3px solid var(--accent); outline-offset: 2px; border-radius: 3px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--card); padding: .5rem 1rem; }
.skip:focus { left: 1rem; z-index: 10; }
.vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
header.top { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center;
  padding-top: 1rem; padding-bottom: .75rem; border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; font-size: 1.25rem; color: var(--fg); text-decoration: none; }
form.search { display: flex; flex: 1 1 16rem; gap: .4rem; }
form.search input { flex: 1; min-width: 0; font: inherit; padding: .35rem .6rem;
  border: 1px solid var(--line); border-radius: 6px; background: var(--card); color: var(--fg); }
form.search button { font: inherit; padding: .35rem .8rem; border-radius: 6px;
  border: 1px solid var(--accent); background: var(--accent); color: var(--bg); cursor: pointer; }
nav { font-size: .9rem; }
nav.langs { flex-basis: 100%; color: var(--muted); }
nav.langs a { margin-right: .5rem; }
nav.langs a[aria-current] { font-weight: 700; text-decoration: none; color: var(--fg); }
h1, h2, h3 { overflow-wrap: anywhere; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 1.4rem 0 .4rem; }
h2 { font-size: 1.25rem; line-height: 1.3; margin: 1.6rem 0 .5rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .3rem; }
.lede, .meta { color: var(--muted); }
.meta { font-size: .9rem; margin: .2rem 0; }
ol.stories, ol.results { list-style: none; padding: 0; margin: 0; }
.card, ol.results > li { padding: .9rem 0; border-bottom: 1px solid var(--line); }
.card h2, ol.results h2 { margin: 0 0 .2rem; font-size: 1.2rem; }
.card h2 a, ol.results h2 a { color: var(--fg); text-decoration: none; }
.card h2 a:hover, ol.results h2 a:hover { text-decoration: underline; }
.langs { margin: .3rem 0 0; }
.badge { display: inline-block; font-size: .75rem; font-weight: 600; text-transform: uppercase;
  letter-spacing: .04em; padding: .05rem .4rem; border-radius: 4px; border: 1px solid var(--line);
  background: var(--card); color: var(--muted); }
ul.bullets li { margin: .4rem 0; }
.cites { font-size: .8rem; }
.cite { color: var(--muted); }
figure.quote { margin: 1rem 0; padding: .6rem .9rem; background: var(--card);
  border-left: 4px solid var(--line); border-radius: 4px; }
figure.quote figcaption { font-weight: 600; }
blockquote { margin: .4rem 0; }
blockquote p { margin: 0; }
blockquote footer { font-size: .8rem; color: var(--muted); margin-top: .2rem; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
tr.disagree { background: var(--warnbg); }
.flag { color: var(--warn); font-size: .8rem; display: block; }
ol.timeline { padding-left: 1.2rem; }
ol.timeline time { color: var(--muted); font-variant-numeric: tabular-nums; }
p.omitted { color: var(--muted); font-style: italic; margin: .2rem 0 .2rem 1.2rem; }
ul.sources { padding-left: 1.2rem; }
ul.sources li { margin: .3rem 0; }
.src, .why, .copy, .type, .count, .num { color: var(--muted); font-size: .85rem; }
details.copies summary { cursor: pointer; color: var(--muted); font-size: .85rem; }
ul.entities { columns: 2 14rem; padding-left: 1.2rem; }
mark { background: var(--mark); color: inherit; padding: 0 .1em; border-radius: 2px; }
.snippet { margin: .2rem 0; }
.text p { margin: 0 0 1em; hyphens: auto; }
code { font-size: .9em; }
body > footer { color: var(--muted); font-size: .85rem; padding-top: 1rem; padding-bottom: 2rem;
  border-top: 1px solid var(--line); }
@media (max-width: 30rem) { body { font-size: 16px; } h1 { font-size: 1.5rem; } }
)css";

}  // namespace storyline::html
