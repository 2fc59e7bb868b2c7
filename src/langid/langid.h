// Language identification: fastText lid.176 first, CLD2 as a second opinion,
// metadata when present. Public header of the stage.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace storyline {

struct LanguageGuess {
  std::string
      lang;  // ISO 639-1 where one exists ("no" Bokmål/Norwegian, "nn" Nynorsk); "und" if unknown
  double confidence = 0;  // 0..1
  std::string method;     // "fasttext", "fasttext+cld2", "cld2", "metadata", "none"
  std::string cld2;       // CLD2's answer ("" if it had none), kept for inspection
};

struct LangIdOptions {
  // Path of lid.176.ftz. Empty: $STORYLINE_MODEL, then the build's models/ dir.
  std::string model_path;
  // Only this many bytes of title+text are read (speed; ~1000 is enough).
  size_t max_bytes = 1000;
  // Below this fastText probability CLD2 may overrule, when it is reliable.
  double min_confidence = 0.5;
  // CLD2 is only asked when fastText's probability is below this (speed).
  double second_opinion_below = 0.9;
};

// Thread-compatible: Identify() is const and may be called from several
// threads on one instance.
class LanguageIdentifier {
 public:
  static Result<std::unique_ptr<LanguageIdentifier>> Open(const LangIdOptions& options);
  ~LanguageIdentifier();

  // `hint` is a language declared by metadata (JSONL "lang", <html lang>):
  // when it is a valid code it wins, with the detector's guess kept in `cld2`.
  LanguageGuess Identify(std::string_view title, std::string_view text,
                         std::string_view hint = {}) const;

  // Maps codes to Storyline's canonical form: "nb" -> "no", "zh-Hant" -> "zh",
  // lower case. Returns "" for something that is not a language code.
  static std::string Canonical(std::string_view code);

 private:
  struct Impl;
  explicit LanguageIdentifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace storyline
