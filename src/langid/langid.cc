#include "langid/langid.h"

#include <cld2/public/compact_lang_det.h>
#include <fasttext/fasttext.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <vector>  // CLD2's header needs it first.

#include "common/paths.h"

namespace storyline {

struct LanguageIdentifier::Impl {
  fasttext::FastText model;
  LangIdOptions options;
};

LanguageIdentifier::LanguageIdentifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LanguageIdentifier::~LanguageIdentifier() = default;

Result<std::unique_ptr<LanguageIdentifier>> LanguageIdentifier::Open(const LangIdOptions& options) {
  std::string path = options.model_path;
  if (path.empty()) {
    if (const char* env = std::getenv("STORYLINE_MODEL")) path = env;
  }
  if (path.empty()) path = ModelDirectory() + "/lid.176.ftz";
  std::error_code ec;
  if (path.empty() || !std::filesystem::exists(path, ec))
    return Status::NotFound("language model not found at '" + path +
                            "' (run scripts/install-deps, or set STORYLINE_MODEL)");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  try {
    impl->model.loadModel(path);
  } catch (const std::exception& e) {
    return Status::Corruption("cannot load language model '" + path + "': " + e.what());
  }
  return std::unique_ptr<LanguageIdentifier>(new LanguageIdentifier(std::move(impl)));
}

std::string LanguageIdentifier::Canonical(std::string_view code) {
  std::string c;
  for (char ch : code) {
    if (ch == '-' || ch == '_') break;
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) return "";
    c.push_back(static_cast<char>(ch | 0x20));
  }
  if (c.size() < 2 || c.size() > 3) return "";
  if (c == "nb" || c == "nob" || c == "nor") return "no";
  if (c == "nno") return "nn";
  if (c == "eng") return "en";
  return c;
}

namespace {

// The start of title + text, cut at a UTF-8 boundary, newlines as spaces.
std::string Prefix(std::string_view title, std::string_view text, size_t max_bytes) {
  std::string s;
  s.reserve(std::min(max_bytes, title.size() + text.size() + 1) + 4);
  s.append(title.substr(0, max_bytes));
  if (s.size() < max_bytes) {
    s.push_back(' ');
    s.append(text.substr(0, max_bytes - s.size() + 1));
  }
  size_t cut = std::min(s.size(), max_bytes);
  while (cut > 0 && cut < s.size() && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  for (char& ch : s)
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
  return s;
}

}  // namespace

LanguageGuess LanguageIdentifier::Identify(std::string_view title, std::string_view text,
                                           std::string_view hint) const {
  LanguageGuess g;
  std::string sample = Prefix(title, text, impl_->options.max_bytes);

  // fastText: top 3.
  std::vector<std::pair<fasttext::real, std::string>> preds;
  {
    std::istringstream in(sample + "\n");
    impl_->model.predictLine(in, preds, 3, 0.0);
  }
  std::string ft_lang;
  double ft_prob = 0;
  if (!preds.empty()) {
    const std::string& label = preds[0].second;
    ft_lang = Canonical(label.rfind("__label__", 0) == 0 ? label.substr(9) : label);
    ft_prob = preds[0].first;
  }

  // CLD2, the second opinion: asked when fastText is not sure, and when
  // metadata declares a language (so the detector's view is kept).
  std::string meta = Canonical(hint);
  bool reliable = false;
  std::string cld;
  if (!meta.empty() || ft_prob < impl_->options.second_opinion_below) {
    CLD2::Language lang3[3];
    int percent3[3];
    int text_bytes = 0;
    CLD2::Language cl =
        CLD2::ExtDetectLanguageSummary(sample.data(), static_cast<int>(sample.size()), true, lang3,
                                       percent3, &text_bytes, &reliable);
    cld = cl == CLD2::UNKNOWN_LANGUAGE ? "" : Canonical(CLD2::LanguageCode(cl));
  }
  g.cld2 = cld;

  if (!meta.empty()) {
    g.lang = meta;
    g.confidence = 1.0;
    g.method = "metadata";
    return g;
  }
  if (!ft_lang.empty() && ft_prob >= impl_->options.min_confidence) {
    g.lang = ft_lang;
    g.confidence = ft_prob;
    g.method = cld == ft_lang ? "fasttext+cld2" : "fasttext";
    if (cld == ft_lang) g.confidence = std::min(1.0, ft_prob + (1 - ft_prob) * 0.5);
    return g;
  }
  // fastText unsure: a reliable CLD2 answer among fastText's top 3 wins.
  if (reliable && !cld.empty()) {
    for (const auto& [p, label] : preds) {
      if (Canonical(label.substr(9)) == cld) {
        g.lang = cld;
        g.confidence = std::min(1.0, static_cast<double>(p) + 0.25);
        g.method = "fasttext+cld2";
        return g;
      }
    }
  }
  if (!ft_lang.empty()) {
    g.lang = ft_lang;
    g.confidence = ft_prob;
    g.method = "fasttext";
    return g;
  }
  if (!cld.empty()) {
    g.lang = cld;
    g.confidence = reliable ? 0.6 : 0.3;
    g.method = "cld2";
    return g;
  }
  g.lang = "und";
  g.method = "none";
  return g;
}

}  // namespace storyline
