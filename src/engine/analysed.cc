// Distributed mode: the analysis a worker does, and its wire form (engine.h).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "lexicon/lexicon.h"

namespace storyline {

namespace {

using nlohmann::json;

constexpr int kWireVersion = 1;

// Features as one flat array: key, weight, key, weight, ...
json EncodeFeatures(const std::vector<Feature>& f) {
  json out = json::array();
  for (const auto& x : f) {
    out.push_back(x.key);
    out.push_back(static_cast<double>(x.tf));  // a float is exact as a double
  }
  return out;
}
bool DecodeFeatures(const json& j, std::vector<Feature>* out) {
  if (!j.is_array() || j.size() % 2) return false;
  out->clear();
  for (size_t i = 0; i < j.size(); i += 2) {
    if (!j[i].is_number_unsigned() && !j[i].is_number_integer()) return false;
    if (!j[i + 1].is_number()) return false;
    out->push_back({j[i].get<uint64_t>(), static_cast<float>(j[i + 1].get<double>())});
  }
  return true;
}

template <typename T>
T Get(const json& j, const char* key, T fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  return it->get<T>();
}

}  // namespace

std::string EncodeAnalysed(const AnalysedArticle& a) {
  const Article& ar = a.c.article;
  json j = {
      {"v", kWireVersion},
      {"id", ar.id},
      {"title", ar.title},
      {"text", ar.text},
      {"source", ar.source},
      {"url", ar.url},
      {"lang_hint", ar.lang_hint},
      {"origin", ar.origin},
      {"repairs", ar.repairs},
      {"hash", a.c.content_hash},
      {"invalid_bytes", a.c.invalid_bytes},
      {"dropped_lines", a.c.dropped_lines},
      {"analysed", a.analysed},
      {"chunk_end", a.chunk_end},
      {"fingerprint", a.fingerprint},
  };
  if (ar.published) j["published"] = *ar.published;
  if (a.analysed) {
    j["lang"] = {{"lang", a.lang.lang},
                 {"confidence", a.lang.confidence},
                 {"method", a.lang.method},
                 {"cld2", a.lang.cld2}};
    const Signals& s = a.sig;
    j["signals"] = {{"lang", s.lang},
                    {"terms", EncodeFeatures(s.terms)},
                    {"names", EncodeFeatures(s.names)},
                    {"numbers", EncodeFeatures(s.numbers)},
                    {"pivots", EncodeFeatures(s.pivots)},
                    {"name_labels", s.name_labels},
                    {"sketch", s.sketch},
                    {"tokens", s.tokens},
                    {"content_words", s.content_words},
                    {"translated_words", s.translated_words}};
    j["intel"] = EncodeEnrichment(a.intel);
  }
  // Text that is not valid UTF-8 cannot be here (cleaning made it so); the
  // replacement handler is a guard, not a path.
  std::vector<uint8_t> bytes = json::to_msgpack(j);
  return std::string(bytes.begin(), bytes.end());
}

bool DecodeAnalysed(std::string_view bytes, AnalysedArticle* out, std::string* error) {
  *out = {};
  json j = json::from_msgpack(bytes.begin(), bytes.end(), true, false);
  auto fail = [&](const std::string& why) {
    if (error) *error = why;
    *out = {};
    return false;
  };
  if (j.is_discarded() || !j.is_object()) return fail("not a MessagePack object");
  try {
    int v = Get<int>(j, "v", 0);
    if (v != kWireVersion)
      return fail("wire version " + std::to_string(v) + " (this build reads " +
                  std::to_string(kWireVersion) + ")");
    Article& ar = out->c.article;
    ar.id = Get<std::string>(j, "id", "");
    if (ar.id.empty()) return fail("no article id");
    ar.title = Get<std::string>(j, "title", "");
    ar.text = Get<std::string>(j, "text", "");
    ar.source = Get<std::string>(j, "source", "");
    ar.url = Get<std::string>(j, "url", "");
    ar.lang_hint = Get<std::string>(j, "lang_hint", "");
    ar.origin = Get<std::string>(j, "origin", "");
    ar.repairs = Get<std::vector<std::string>>(j, "repairs", {});
    if (j.contains("published")) ar.published = j["published"].get<int64_t>();
    out->c.content_hash = Get<uint64_t>(j, "hash", 0);
    out->c.invalid_bytes = Get<int>(j, "invalid_bytes", 0);
    out->c.dropped_lines = Get<int>(j, "dropped_lines", 0);
    out->analysed = Get<bool>(j, "analysed", false);
    out->chunk_end = Get<bool>(j, "chunk_end", false);
    out->fingerprint = Get<std::string>(j, "fingerprint", "");
    if (out->analysed) {
      const json& l = j.at("lang");
      out->lang.lang = l.at("lang").get<std::string>();
      out->lang.confidence = l.at("confidence").get<double>();
      out->lang.method = l.at("method").get<std::string>();
      out->lang.cld2 = Get<std::string>(l, "cld2", "");
      const json& s = j.at("signals");
      Signals& sig = out->sig;
      sig.lang = s.at("lang").get<std::string>();
      if (!DecodeFeatures(s.at("terms"), &sig.terms) ||
          !DecodeFeatures(s.at("names"), &sig.names) ||
          !DecodeFeatures(s.at("numbers"), &sig.numbers) ||
          !DecodeFeatures(s.at("pivots"), &sig.pivots))
        return fail("malformed features");
      sig.name_labels = s.at("name_labels").get<std::vector<std::string>>();
      sig.sketch = s.at("sketch").get<std::vector<uint64_t>>();
      sig.tokens = s.at("tokens").get<uint32_t>();
      sig.content_words = s.at("content_words").get<uint32_t>();
      sig.translated_words = s.at("translated_words").get<uint32_t>();
      if (!DecodeEnrichment(j.at("intel").get<std::string>(), &out->intel))
        return fail("malformed enrichment");
    }
  } catch (const json::exception& e) {
    return fail(std::string("malformed analysed article: ") + e.what());
  }
  return true;
}

std::string AnalysisFingerprint(const EngineOptions& o, const Analyzer& analyzer) {
  const SignalsOptions& s = o.signals;
  const Lexicon* lex = analyzer.lexicon();
  return fmt::format(
      "signals {} shingle {} modulus {} sketch {} title {} names {} caseless {} "
      "cognate {} lexicon {}:{} hints {} lines {}",
      SignalsVersion(), s.shingle_words, s.sketch_modulus, s.max_sketch, s.title_weight,
      s.name_key_chars, s.caseless_name_weight, s.cognate_weight, lex ? lex->entries() : 0,
      lex ? lex->bytes() : 0, o.ignore_lang_hints ? "ignored" : "used",
      o.clean.min_repeated_line_bytes);
}

Result<std::unique_ptr<Analyser>> Analyser::Open(const EngineOptions& options) {
  Status v = Validate(options);
  if (!v.ok()) return v;
  std::unique_ptr<Analyser> a(new Analyser());
  a->options_ = options;
  auto lid = LanguageIdentifier::Open(options.langid);
  if (!lid.ok()) return lid.status();
  a->langid_ = std::move(lid).value();
  a->analyzer_ = std::make_unique<Analyzer>(options.signals);
  EnrichOptions eo;
  eo.data_dir = options.signals.data_dir;
  a->enricher_ = std::make_unique<Enricher>(eo);
  a->fingerprint_ = AnalysisFingerprint(options, *a->analyzer_);
  return a;
}

Analyser::~Analyser() = default;

AnalysedArticle Analyser::Analyse(Article article) {
  // What Engine::Ingest does to an article before its ordered steps, then
  // the analysis it does after them (on the same title and text unless
  // those steps change them).
  AnalysedArticle out;
  out.fingerprint = fingerprint_;
  out.c = Clean(std::move(article), options_.clean);
  const Article& ar = out.c.article;
  if (ar.title.empty() && ar.text.empty()) return out;
  out.lang = langid_->Identify(ar.title, ar.text, options_.ignore_lang_hints ? "" : ar.lang_hint);
  out.sig = analyzer_->Analyze(ar.title, ar.text, out.lang.lang);
  out.intel = enricher_->Enrich(ar.title, ar.text, out.lang.lang);
  out.analysed = true;
  return out;
}

}  // namespace storyline
