#include "eval/evaluate.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "common/text.h"

namespace storyline::eval {

Status ReadGold(const std::string& path, bool ignore_dates, std::vector<Article>* articles,
                std::vector<Item>* gold, std::vector<Reject>* rejects,
                std::vector<std::pair<std::string, std::string>>* dup_of) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read '" + path + "'");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (TrimAscii(line).empty()) continue;
    auto j = nlohmann::json::parse(RepairUtf8(line), nullptr, false);
    if (!j.is_object() || !j.contains("id") || !j.contains("cluster")) {
      rejects->push_back(
          {path + ":" + std::to_string(n), "malformed_gold", "not a labelled article"});
      continue;
    }
    auto str = [&](const char* k) {
      auto it = j.find(k);
      return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    Item item;
    item.id = str("id");
    item.gold_cluster = str("cluster");
    item.gold_lang = str("lang");
    gold->push_back(item);
    std::string dup = str("dup_of");
    if (!dup.empty()) dup_of->emplace_back(item.id, dup);
    // The article as the pipeline sees it: no cluster, no language.
    Article a;
    a.id = item.id;
    a.title = str("title");
    a.text = str("text");
    a.source = str("source");
    a.url = str("url");
    a.origin = path + ":" + std::to_string(n);
    if (!ignore_dates) {
      std::string p = str("published");
      if (!p.empty()) a.published = ParseIsoDate(p);
    }
    articles->push_back(std::move(a));
  }
  return Status::Ok();
}

Result<EvalOutcome> Evaluate(EngineOptions options, const EvalRun& run) {
  std::vector<Article> articles;
  std::vector<Item> items;
  std::vector<Reject> rejects;
  std::vector<std::pair<std::string, std::string>> dup_of;
  Status s = ReadGold(run.gold_path, run.ignore_dates, &articles, &items, &rejects, &dup_of);
  if (!s.ok()) return s;
  options.db_path = ":memory:";
  options.ignore_lang_hints = true;
  options.store.synchronous = "OFF";
  auto engine = Engine::Open(options);
  if (!engine.ok()) return engine.status();
  auto sum = (*engine)->Ingest(std::move(articles), std::move(rejects));
  if (!sum.ok()) return sum.status();
  std::unordered_map<std::string, std::pair<std::string, std::string>> pred;
  s = (*engine)->store().ForEachAssignment(
      [&](const std::string& id, const std::string& story, const std::string& lang) {
        pred[id] = {story, lang};
      });
  if (!s.ok()) return s;
  for (auto& it : items) {
    auto p = pred.find(it.id);
    if (p == pred.end()) {
      it.pred_cluster = "unassigned:" + it.id;  // a rejected article is its own singleton
    } else {
      it.pred_cluster = p->second.first;
      it.pred_lang = p->second.second;
    }
  }
  EvalOutcome out;
  out.report = BuildReport(items, run.by_lang);
  out.seconds = sum->seconds;
  ArticleStore& store = (*engine)->store();
  for (const auto& [id, original] : dup_of) {
    ++out.duplicates_labelled;
    auto a = store.CanonicalId(id);
    auto b = store.CanonicalId(original);
    bool found = a.ok() && b.ok() && *a == *b;
    if (!found && a.ok()) {
      auto links = store.DuplicatesOf(*a);
      if (links.ok() && b.ok())
        for (const auto& l : *links) found = found || l.of == *b || l.article == *b;
    }
    out.duplicates_found += found;
  }
  return out;
}

}  // namespace storyline::eval
