#include "api/api.h"

#include <map>
#include <set>

#include "common/text.h"

namespace storyline::api {

namespace {

Json ParseObject(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  return j.is_object() ? j : Json::object();
}

Json Langs(const std::map<std::string, int64_t>& langs) {
  Json j = Json::object();
  for (const auto& [l, n] : langs) j[l] = n;
  return j;
}

}  // namespace

Json Time(const std::optional<int64_t>& t) { return t ? Json(FormatIsoDate(*t)) : Json(nullptr); }

std::string EscapeHtml(std::string_view in) {
  std::string s = IsValidUtf8(in) ? std::string(in) : RepairUtf8(in);
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    // Control characters other than tab and line breaks are not allowed in
    // XML (the Atom feeds) and mean nothing in HTML: dropped.
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') continue;
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string MarkedHtml(std::string_view s) {
  std::string out;
  size_t start = 0;
  bool open = false;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && s[i] != kMatchBegin && s[i] != kMatchEnd) continue;
    out += EscapeHtml(s.substr(start, i - start));
    if (i < s.size()) {
      if (s[i] == kMatchBegin && !open) out += "<mark>", open = true;
      if (s[i] == kMatchEnd && open) out += "</mark>", open = false;
    }
    start = i + 1;
  }
  if (open) out += "</mark>";
  return out;
}

std::string MarkedPlain(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != kMatchBegin && c != kMatchEnd) out += c;
  return out;
}

Json StorySummary(const StoryRow& r, const std::string& reader_lang) {
  std::string headline = r.headline.empty() ? r.title : r.headline;
  std::string headline_lang;
  if (!reader_lang.empty()) {
    auto it = r.headlines.find(reader_lang);
    if (it != r.headlines.end()) headline = it->second, headline_lang = reader_lang;
  }
  if (headline_lang.empty())
    for (const auto& [l, h] : r.headlines)
      if (h == headline) headline_lang = l;
  Json j = {{"id", r.id},
            {"title", r.title},
            {"headline", headline},
            {"headline_lang", headline_lang},
            {"size", r.size},
            {"live_blog_entries", r.entries},
            {"languages", Langs(r.langs)},
            {"independent_sources", r.independent},
            {"first_published", Time(r.first_time)},
            {"last_published", Time(r.last_time)}};
  return j;
}

Result<Json> Stories(ArticleStore& store, const StoriesQuery& q) {
  if (q.sort != "recent" && q.sort != "sources" && q.sort != "size" && q.sort != "top")
    return Status::InvalidArgument("sort must be top, recent, sources or size, not '" + q.sort +
                                   "'");
  StoryFilter f;
  f.lang = q.lang;
  f.source = q.source;
  f.since = q.since;
  f.until = q.until;
  f.min_size = q.min_size;
  f.limit = q.limit;
  f.sort = q.sort;
  f.after = q.cursor;
  Json out = {{"stories", Json::array()}, {"next_cursor", nullptr}};
  std::vector<std::string> keys = {""};
  if (!q.entity.empty()) {
    auto found = store.FindEntityKeys(q.entity);
    if (!found.ok()) return found.status();
    if (found->empty()) return out;  // no such entity: no stories
    keys = *found;
  }
  // Several keys (a name shared by entities): the first that has any story
  // (decided without the cursor, so that every page uses the same key).
  f.entity = keys.front();
  if (keys.size() > 1)
    for (const auto& key : keys) {
      StoryFilter probe = f;
      probe.entity = key;
      probe.after.clear();
      probe.limit = 1;
      auto rows = store.ListStories(probe);
      if (!rows.ok()) return rows.status();
      if (!rows->empty()) {
        f.entity = key;
        break;
      }
    }
  auto rows = store.ListStories(f);
  if (!rows.ok()) return rows.status();
  for (const auto& r : *rows) out["stories"].push_back(StorySummary(r, q.reader_lang));
  if (q.limit >= 0 && static_cast<int64_t>(rows->size()) == q.limit && !rows->empty())
    out["next_cursor"] = StoryCursor(rows->back(), q.sort);
  return out;
}

Result<Json> Story(ArticleStore& store, const std::string& requested,
                   const std::string& reader_lang, bool with_text) {
  auto resolved = store.ResolveStory(requested);
  if (!resolved.ok()) return resolved.status();
  const std::string& id = *resolved;
  auto row = store.GetStory(id);
  if (!row.ok()) return row.status();
  auto arts = store.StoryArticles(id, with_text);
  if (!arts.ok()) return arts.status();
  auto members = store.StoryMemberships(id);
  if (!members.ok()) return members.status();
  std::map<std::string, Membership> by_article;
  for (auto& m : *members) by_article[m.article] = m;
  auto dups = store.StoryDuplicates(id);
  if (!dups.ok()) return dups.status();
  std::map<std::string, Json> links_of;  // article -> its copy links (either end)
  for (const auto& l : *dups) {
    Json jl = {{"article", l.article},
               {"of", l.of},
               {"kind", l.kind},
               {"containment", l.containment},
               {"resemblance", l.resemblance}};
    links_of[l.article].push_back(jl);
    if (l.of != l.article) links_of[l.of].push_back(jl);
  }

  Json j = StorySummary(*row, reader_lang);
  if (requested != id) j["requested_id"] = requested;
  j["articles"] = Json::array();
  Json by_lang = Json::object();
  for (const auto& a : *arts) {
    Json ja = {{"id", a.article.id},
               {"title", a.article.title},
               {"language", a.lang},
               {"language_confidence", a.lang_confidence},
               {"source", a.article.source},
               {"url", a.article.url},
               {"published", Time(a.article.published)},
               {"names", a.names},
               {"repairs", a.article.repairs}};
    if (with_text) ja["text"] = a.article.text;
    auto links = links_of.find(a.article.id);
    ja["duplicate_links"] = links == links_of.end() ? Json::array() : links->second;
    auto m = by_article.find(a.article.id);
    if (m != by_article.end()) {
      ja["joined"] = {{"reason", m->second.reason}, {"score", m->second.score}};
      ja["assignment"] = Json::parse(m->second.detail, nullptr, false);
      if (ja["assignment"].is_discarded()) ja["assignment"] = nullptr;
    }
    by_lang[a.lang.empty() ? "und" : a.lang].push_back(a.article.id);
    j["articles"].push_back(std::move(ja));
  }
  j["articles_by_language"] = by_lang;
  auto intel = store.GetStoryIntel(id);
  if (!intel.ok()) return intel.status();
  if (intel->has_value()) {
    Json in = ParseObject(**intel);
    for (const char* k :
         {"entities", "quotes", "figures", "sources", "timeline", "timeline_omitted"})
      if (in.contains(k)) j[k] = in[k];
    if (in.contains("summary")) {
      Json sm = in["summary"];
      if (!reader_lang.empty() && sm.contains("headlines") && sm["headlines"].is_object() &&
          sm["headlines"].contains(reader_lang)) {
        sm["headline"] = sm["headlines"][reader_lang];
        sm["headline_lang"] = reader_lang;
      }
      j["summary"] = sm;
    }
  }
  return j;
}

Result<Json> Article(ArticleStore& store, const std::string& id) {
  auto a = store.GetArticle(id);
  if (!a.ok()) return a.status();
  Json j = {{"id", a->article.id},
            {"title", a->article.title},
            {"text", a->article.text},
            {"language", a->lang},
            {"language_confidence", a->lang_confidence},
            {"language_method", a->lang_method},
            {"source", a->article.source},
            {"url", a->article.url},
            {"published", Time(a->article.published)},
            {"ingested", Time(a->ingested)},
            {"repairs", a->article.repairs},
            {"names", a->names}};
  if (a->article.id != id) j["requested_id"] = id;
  auto story = store.StoryOf(a->article.id);
  j["story"] = nullptr;
  if (story.ok()) {
    auto row = store.GetStory(*story);
    if (row.ok()) j["story"] = StorySummary(*row, "");
  } else if (story.status().code() != Status::Code::kNotFound) {
    return story.status();
  }
  auto links = store.DuplicatesOf(a->article.id);
  if (!links.ok()) return links.status();
  Json dl = Json::array();
  for (const auto& l : *links)
    dl.push_back({{"article", l.article},
                  {"of", l.of},
                  {"kind", l.kind},
                  {"containment", l.containment},
                  {"resemblance", l.resemblance}});
  j["duplicate_links"] = dl;
  auto revisions = store.CountRevisions(a->article.id);
  if (!revisions.ok()) return revisions.status();
  j["revisions"] = *revisions;
  auto intel = store.GetArticleIntel(a->article.id);
  if (!intel.ok()) return intel.status();
  if (intel->has_value()) {
    Json in = ParseObject(**intel);
    for (const char* k : {"entities", "quotes", "figures", "agencies"})
      if (in.contains(k)) j[k] = in[k];
  }
  return j;
}

Result<Json> Search(ArticleStore& store, const SearchQuery& q) {
  storyline::SearchQuery sq;
  sq.text = q.q;
  sq.lang = q.lang;
  sq.limit = q.limit;
  sq.offset = q.offset;
  auto hits = store.Search(sq);
  if (!hits.ok()) return hits.status();
  Json out = {{"query", q.q}, {"results", Json::array()}, {"next_offset", nullptr}};
  for (const auto& h : *hits)
    out["results"].push_back({{"article", h.article},
                              {"title", MarkedPlain(h.title_marked)},
                              {"title_html", MarkedHtml(h.title_marked)},
                              {"snippet", MarkedPlain(h.snippet_marked)},
                              {"snippet_html", MarkedHtml(h.snippet_marked)},
                              {"language", h.lang},
                              {"source", h.source},
                              {"published", Time(h.published)},
                              {"story", h.story.empty() ? Json(nullptr) : Json(h.story)}});
  if (q.limit >= 0 && static_cast<int64_t>(hits->size()) == q.limit && q.limit > 0)
    out["next_offset"] = q.offset + q.limit;
  return out;
}

Result<Json> Entities(ArticleStore& store, int64_t limit) {
  auto rows = store.ListEntities(limit);
  if (!rows.ok()) return rows.status();
  Json arr = Json::array();
  for (const auto& r : *rows)
    arr.push_back({{"name", r.name},
                   {"type", r.type},
                   {"key", r.key},
                   {"stories", r.stories},
                   {"count", r.count}});
  return arr;
}

Result<Json> Entity(ArticleStore& store, const std::string& name, int64_t limit) {
  auto keys = store.FindEntityKeys(name);
  if (!keys.ok()) return keys.status();
  if (keys->empty()) return Status::NotFound("no entity named '" + name + "'");
  Json out = {{"name", name}, {"keys", *keys}, {"stories", Json::array()}};
  std::set<std::string> seen;
  for (const auto& key : *keys) {
    auto ids = store.EntityStories(key, limit);
    if (!ids.ok()) return ids.status();
    for (const auto& id : *ids) {
      if (!seen.insert(id).second) continue;
      auto row = store.GetStory(id);
      if (!row.ok()) continue;  // merged or removed meanwhile
      Json sj = StorySummary(*row, "");
      sj["entity"] = key;
      out["stories"].push_back(std::move(sj));
    }
  }
  return out;
}

Json TakedownJson(const TakedownRecord& r, const std::vector<std::string>& stories) {
  Json j = {{"id", r.seq},
            {"kind", r.kind},
            {"value", r.value},
            {"reason", r.reason},
            {"at", FormatIsoDate(r.at)},
            {"articles", r.articles}};
  if (!stories.empty()) j["stories"] = stories;
  return j;
}

Result<Json> Takedowns(ArticleStore& store, int64_t limit) {
  auto rows = store.ListTakedowns(limit);
  if (!rows.ok()) return rows.status();
  Json arr = Json::array();
  for (const auto& r : *rows) arr.push_back(TakedownJson(r));
  return arr;
}

Result<Json> Counts(ArticleStore& store) {
  auto a = store.CountArticles();
  if (!a.ok()) return a.status();
  auto s = store.CountStories();
  if (!s.ok()) return s.status();
  return Json{{"articles", *a}, {"stories", *s}};
}

}  // namespace storyline::api
