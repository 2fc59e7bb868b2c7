// Lexicon: a bilingual word list to an English pivot, for linking stories
// across languages without machine translation. Public header of the module.
//
// Built once (`storyline lexicon build`, run by `make build`) from Debian's
// FreeDict dictionaries in dictd format (/usr/share/dictd/freedict-*.index
// and .dict.dz). The signals stage owns the meaning of the keys: a source key
// is a hashed (language, stem) pair and a concept is a hashed English stem.
// This module only reads dictd files and stores key -> concepts in a compact
// file that the engine memory-maps:
//
//   header   "SLLEX001", u32 version, u32 languages, u64 entries, u64 concepts
//   langs    per language: char[8] code (NUL-padded), u64 entries
//   entries  sorted by key: u64 key, u32 first concept, u16 count, u16 pad
//   concepts u64 each
//   labels   u64 count, then sorted: u64 concept, u32 offset, u32 length;
//            then the label bytes (the English stem of each concept, for
//            people reading `storyline lexicon lookup`)
//
// Lookups are a binary search over the entries (no allocation, no parsing at
// open, the pages the OS keeps are shared between processes).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace storyline {

// One dictionary entry: the headword and its translations, cleaned of
// pronunciations, part-of-speech tags, sense numbers, domain labels and notes.
struct DictdEntry {
  std::string headword;
  std::vector<std::string> translations;
};

// Parses the text of one dictd entry. `wikdict`: the FreeDict+WikDict layout,
// where each sense is a line of translations followed by a gloss line in the
// source language (glosses are skipped).
DictdEntry ParseDictdEntry(std::string_view body, bool wikdict);

// Reads a dictd dictionary: `index_path` (headword, base64 offset, base64
// length per line) and `dict_path` (.dict, or .dict.dz which is gzip). Calls
// `fn` for each entry except the 00-database-* metadata ones. `*description`
// receives the dictionary's name line if given.
Status ReadDictd(const std::string& index_path, const std::string& dict_path,
                 const std::function<void(const DictdEntry&)>& fn,
                 std::string* description = nullptr);

// Decodes dictd's base64 numbers ("A" = 0, "BA" = 64). Exposed for tests.
uint64_t DecodeDictdNumber(std::string_view b64);

// Collects key -> concepts and writes the file.
class LexiconWriter {
 public:
  // Adds `meaning_key` as a meaning of `key` (a word of `lang`); `score` ranks
  // the meanings of one key (higher first; repeated adds sum).
  void Add(std::string_view lang, uint64_t key, uint64_t meaning_key, float score = 1);
  // Names a concept for display ("earthquak").
  void Label(uint64_t meaning_key, std::string_view label) {
    labels_.try_emplace(meaning_key, label);
  }
  bool Contains(uint64_t key) const { return entries_.count(key) > 0; }
  // The concepts of `key`, best first (at most `max`).
  std::vector<uint64_t> Concepts(uint64_t key, size_t max) const;
  // Writes the file, keeping at most `max_concepts` per key.
  Status Write(const std::string& path, size_t max_concepts) const;
  size_t size() const { return entries_.size(); }
  const std::map<std::string, uint64_t>& language_entries() const { return lang_entries_; }

 private:
  struct Meaning {
    uint64_t concept_key;
    float score;
    uint32_t order;  // first seen (ties)
  };
  std::map<uint64_t, std::vector<Meaning>> entries_;
  std::map<std::string, uint64_t> lang_entries_;
  std::map<uint64_t, std::string> labels_;
};

// A memory-mapped lexicon file.
class Lexicon {
 public:
  static Result<std::unique_ptr<Lexicon>> Open(const std::string& path);
  ~Lexicon();
  Lexicon(const Lexicon&) = delete;
  Lexicon& operator=(const Lexicon&) = delete;

  // Concepts of `key`, best first; empty if unknown.
  std::span<const uint64_t> Lookup(uint64_t key) const;
  // The display label of a concept ("" if none).
  std::string_view Label(uint64_t meaning_key) const;
  // Languages in the file and their number of words.
  const std::map<std::string, uint64_t>& languages() const { return languages_; }
  bool HasLanguage(const std::string& lang) const { return languages_.count(lang) > 0; }
  uint64_t entries() const { return n_entries_; }
  size_t bytes() const { return size_; }

  static constexpr uint32_t kVersion = 1;

 private:
  Lexicon() = default;
  struct Entry {
    uint64_t key;
    uint32_t first;
    uint16_t count;
    uint16_t pad;
  };
  const char* data_ = nullptr;
  size_t size_ = 0;
  const Entry* entries_ = nullptr;
  const uint64_t* concepts_ = nullptr;
  uint64_t n_entries_ = 0, n_concepts_ = 0;
  struct LabelEntry {
    uint64_t meaning_key;
    uint32_t offset, length;
  };
  const LabelEntry* labels_ = nullptr;
  uint64_t n_labels_ = 0;
  const char* label_bytes_ = nullptr;
  size_t label_bytes_size_ = 0;
  std::map<std::string, uint64_t> languages_;
};

}  // namespace storyline
