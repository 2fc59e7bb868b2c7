// Enrichment <-> JSON (the per-article record the store keeps).
#include <algorithm>
#include <nlohmann/json.hpp>

#include "enrich/enrich.h"

namespace storyline {

EntityType EntityTypeFromName(std::string_view name) {
  if (name == "person") return EntityType::kPerson;
  if (name == "organisation") return EntityType::kOrganisation;
  if (name == "place") return EntityType::kPlace;
  return EntityType::kOther;
}

std::string EncodeEnrichment(const Enrichment& e) {
  using nlohmann::json;
  json j = json::object();
  json ents = json::array();
  for (const auto& x : e.entities)
    ents.push_back({{"n", x.name},
                    {"t", EntityTypeName(x.type)},
                    {"k", x.key},
                    {"v", x.variants},
                    {"c", x.count}});
  json quotes = json::array();
  for (const auto& q : e.quotes)
    quotes.push_back({{"x", q.text},
                      {"s", q.speaker},
                      {"k", q.speaker_key},
                      {"v", q.verb},
                      {"f", q.form == QuoteForm::kDash ? "dash" : "marks"},
                      {"o", q.offset}});
  json figs = json::array();
  for (const auto& f : e.figures) {
    json v = {{"w", f.what}, {"v", f.value}, {"u", f.unit}, {"a", f.as_written}, {"o", f.offset}};
    if (f.value_max) v["m"] = *f.value_max;
    figs.push_back(std::move(v));
  }
  j["e"] = std::move(ents);
  j["q"] = std::move(quotes);
  j["f"] = std::move(figs);
  j["a"] = e.agencies;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double Num(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::vector<std::string> Strings(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& s : *it)
    if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

}  // namespace

bool DecodeEnrichment(std::string_view text, Enrichment* out) {
  *out = Enrichment();
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return false;
  auto list = [&](const char* key) -> const nlohmann::json* {
    auto it = j.find(key);
    return it != j.end() && it->is_array() ? &*it : nullptr;
  };
  if (const auto* ents = list("e"))
    for (const auto& x : *ents) {
      if (!x.is_object()) continue;
      Entity e;
      e.name = Str(x, "n");
      e.type = EntityTypeFromName(Str(x, "t"));
      e.key = Str(x, "k");
      e.variants = Strings(x, "v");
      e.count = static_cast<uint32_t>(std::max(0.0, Num(x, "c")));
      out->entities.push_back(std::move(e));
    }
  if (const auto* quotes = list("q"))
    for (const auto& x : *quotes) {
      if (!x.is_object()) continue;
      Quote q;
      q.text = Str(x, "x");
      q.speaker = Str(x, "s");
      q.speaker_key = Str(x, "k");
      q.verb = Str(x, "v");
      q.form = Str(x, "f") == "dash" ? QuoteForm::kDash : QuoteForm::kMarks;
      q.offset = static_cast<size_t>(std::max(0.0, Num(x, "o")));
      out->quotes.push_back(std::move(q));
    }
  if (const auto* figs = list("f"))
    for (const auto& x : *figs) {
      if (!x.is_object()) continue;
      Figure f;
      f.what = Str(x, "w");
      f.value = Num(x, "v");
      f.unit = Str(x, "u");
      f.as_written = Str(x, "a");
      f.offset = static_cast<size_t>(std::max(0.0, Num(x, "o")));
      if (x.contains("m")) f.value_max = Num(x, "m");
      out->figures.push_back(std::move(f));
    }
  out->agencies = Strings(j, "a");
  return true;
}

}  // namespace storyline
