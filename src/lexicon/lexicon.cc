#include "lexicon/lexicon.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>

#include "common/text.h"

namespace storyline {

namespace {

constexpr char kMagic[8] = {'S', 'L', 'L', 'E', 'X', '0', '0', '1'};

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Removes bracketed asides: <pos>, [domain], (note), {cross-reference}, /ipa/.
std::string StripAsides(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  char close = 0;
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (depth > 0) {
      if (c == close) --depth;
      continue;
    }
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
      // WikDict writes pronunciations as //.../ /.
      size_t end = s.find("//", i + 2);
      i = end == std::string_view::npos ? s.size() : end + 1;
      continue;
    }
    switch (c) {
      case '<':
        close = '>', depth = 1;
        continue;
      case '[':
        close = ']', depth = 1;
        continue;
      case '(':
        close = ')', depth = 1;
        continue;
      case '{':
        close = '}', depth = 1;
        continue;
      case '/':
        close = '/', depth = 1;
        continue;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// "1. ", "12. ", "I. ", "IV. " at the start of a line.
std::string_view StripSenseNumber(std::string_view s) {
  s = TrimAscii(s);
  size_t i = 0;
  while (i < s.size() &&
         ((s[i] >= '0' && s[i] <= '9') || s[i] == 'I' || s[i] == 'V' || s[i] == 'X'))
    ++i;
  if (i > 0 && i < s.size() && s[i] == '.' && (i + 1 == s.size() || s[i + 1] == ' '))
    return TrimAscii(s.substr(i + 1));
  return s;
}

bool IsSenseLine(std::string_view s) {
  s = TrimAscii(s);
  size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i > 0 && i < s.size() && s[i] == '.';
}

void AddTranslations(std::string_view line, std::vector<std::string>* out) {
  std::string clean = StripAsides(StripSenseNumber(line));
  size_t start = 0;
  for (size_t i = 0; i <= clean.size(); ++i) {
    if (i == clean.size() || clean[i] == ',' || clean[i] == ';') {
      auto t = TrimAscii(std::string_view(clean).substr(start, i - start));
      // Drop a trailing sense number left by a squeezed line ("Чад 2.").
      while (!t.empty() &&
             (t.back() == '.' || (t.back() >= '0' && t.back() <= '9') || t.back() == ' '))
        t.remove_suffix(1);
      if (!t.empty()) out->emplace_back(t);
      start = i + 1;
    }
  }
}

}  // namespace

uint64_t DecodeDictdNumber(std::string_view b64) {
  uint64_t v = 0;
  for (char c : b64) {
    int d;
    if (c >= 'A' && c <= 'Z')
      d = c - 'A';
    else if (c >= 'a' && c <= 'z')
      d = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      d = c - '0' + 52;
    else if (c == '+')
      d = 62;
    else if (c == '/')
      d = 63;
    else
      continue;
    v = v * 64 + static_cast<uint64_t>(d);
  }
  return v;
}

DictdEntry ParseDictdEntry(std::string_view body, bool wikdict) {
  DictdEntry e;
  auto lines = SplitLines(body);
  size_t i = 0;
  while (i < lines.size() && TrimAscii(lines[i]).empty()) ++i;
  if (i == lines.size()) return e;
  e.headword = std::string(TrimAscii(StripAsides(lines[i])));
  bool first = true;
  for (++i; i < lines.size(); ++i) {
    std::string_view raw = lines[i];
    std::string_view t = TrimAscii(raw);
    if (t.empty()) continue;
    if (wikdict) {
      // A sense: its translations on one line, then a gloss line in the
      // source language (skipped).
      if (!first && !IsSenseLine(t)) continue;
      first = false;
      AddTranslations(t, &e.translations);
      continue;
    }
    if (StartsWith(t, "Synonym:") || StartsWith(t, "Syn:") || StartsWith(t, "see:") ||
        StartsWith(t, "See:") || StartsWith(t, "Note:") || StartsWith(t, "\"") ||
        StartsWith(t, "=") || StartsWith(t, "-") || StartsWith(t, "Example") ||
        t.find("\xE2\x86\x92") != std::string_view::npos)  // →
      continue;
    AddTranslations(t, &e.translations);
  }
  return e;
}

Status ReadDictd(const std::string& index_path, const std::string& dict_path,
                 const std::function<void(const DictdEntry&)>& fn, std::string* description) {
  std::ifstream index(index_path);
  if (!index) return Status::NotFound("cannot open " + index_path);
  gzFile gz = gzopen(dict_path.c_str(), "rb");
  if (!gz) return Status::NotFound("cannot open " + dict_path);
  std::string dict;
  char buf[1 << 16];
  int n;
  while ((n = gzread(gz, buf, sizeof buf)) > 0) dict.append(buf, static_cast<size_t>(n));
  int err = 0;
  const char* msg = gzerror(gz, &err);
  std::string gz_error = err < 0 ? std::string(msg ? msg : "read error") : std::string();
  gzclose(gz);
  if (!gz_error.empty()) return Status::Corruption(dict_path + ": " + gz_error);

  std::string first_body;
  {
    // The name of the dictionary, and whether it has WikDict's layout.
    std::ifstream probe(index_path);
    std::string line;
    while (std::getline(probe, line)) {
      if (!StartsWith(line, "00-database-short") && !StartsWith(line, "00databaseshort")) continue;
      auto t1 = line.find('\t');
      auto t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
      if (t2 == std::string::npos) break;
      uint64_t off = DecodeDictdNumber(std::string_view(line).substr(t1 + 1, t2 - t1 - 1));
      uint64_t len = DecodeDictdNumber(std::string_view(line).substr(t2 + 1));
      // Compared without summing: off + len can wrap around.
      if (off <= dict.size() && len <= dict.size() - off) first_body = dict.substr(off, len);
      break;
    }
  }
  std::string name;
  for (auto l : SplitLines(first_body)) {
    auto t = TrimAscii(l);
    if (!t.empty() && !StartsWith(t, "00-database") && !StartsWith(t, "00database")) {
      name = std::string(t);
      break;
    }
  }
  if (description) *description = name;
  const bool wikdict = name.find("WikDict") != std::string::npos;

  std::set<std::pair<std::string, uint64_t>> seen;
  std::string line;
  size_t malformed = 0;
  while (std::getline(index, line)) {
    auto t1 = line.find('\t');
    auto t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string::npos) {
      ++malformed;
      continue;
    }
    std::string head = line.substr(0, t1);
    if (StartsWith(head, "00-database") || StartsWith(head, "00database")) continue;
    uint64_t off = DecodeDictdNumber(std::string_view(line).substr(t1 + 1, t2 - t1 - 1));
    uint64_t len = DecodeDictdNumber(std::string_view(line).substr(t2 + 1));
    if (off > dict.size() || len > dict.size() - off) {
      ++malformed;
      continue;
    }
    if (!seen.emplace(head, off).second) continue;
    DictdEntry e = ParseDictdEntry(std::string_view(dict).substr(off, len), wikdict);
    // The index names the form looked up; the entry's first line may be a
    // longer display form. Both are the same word for our purpose.
    e.headword = head;
    if (!e.translations.empty()) fn(e);
  }
  if (malformed > 0 && seen.empty())
    return Status::Corruption(index_path + ": no readable index line");
  return Status::Ok();
}

void LexiconWriter::Add(std::string_view lang, uint64_t key, uint64_t meaning_key, float score) {
  auto [it, inserted] = entries_.try_emplace(key);
  if (inserted) ++lang_entries_[std::string(lang)];
  for (auto& m : it->second)
    if (m.concept_key == meaning_key) {
      m.score += score;
      return;
    }
  it->second.push_back({meaning_key, score, static_cast<uint32_t>(it->second.size())});
}

std::vector<uint64_t> LexiconWriter::Concepts(uint64_t key, size_t max) const {
  std::vector<uint64_t> out;
  auto it = entries_.find(key);
  if (it == entries_.end()) return out;
  auto m = it->second;
  std::stable_sort(m.begin(), m.end(), [](const Meaning& a, const Meaning& b) {
    return a.score != b.score ? a.score > b.score : a.order < b.order;
  });
  for (size_t i = 0; i < m.size() && i < max; ++i) out.push_back(m[i].concept_key);
  return out;
}

Status LexiconWriter::Write(const std::string& path, size_t max_concepts) const {
  std::string tmp = path + ".tmp";
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IOError("cannot write " + tmp);
  std::vector<std::vector<uint64_t>> lists;
  lists.reserve(entries_.size());
  uint64_t n_concepts = 0;
  for (const auto& [key, meanings] : entries_) {
    lists.push_back(Concepts(key, max_concepts));
    n_concepts += lists.back().size();
  }
  auto put = [&](const void* p, size_t n) { out.write(static_cast<const char*>(p), n); };
  put(kMagic, 8);
  uint32_t version = Lexicon::kVersion, langs = static_cast<uint32_t>(lang_entries_.size());
  uint64_t n_entries = entries_.size();
  put(&version, 4);
  put(&langs, 4);
  put(&n_entries, 8);
  put(&n_concepts, 8);
  for (const auto& [lang, n] : lang_entries_) {
    char code[8] = {};
    std::memcpy(code, lang.data(), std::min<size_t>(lang.size(), 7));
    put(code, 8);
    put(&n, 8);
  }
  uint32_t first = 0;
  size_t i = 0;
  for (const auto& [key, meanings] : entries_) {
    uint64_t k = key;
    uint16_t count = static_cast<uint16_t>(lists[i].size()), pad = 0;
    put(&k, 8);
    put(&first, 4);
    put(&count, 2);
    put(&pad, 2);
    first += count;
    ++i;
  }
  for (const auto& l : lists) put(l.data(), l.size() * 8);
  uint64_t n_labels = labels_.size();
  put(&n_labels, 8);
  uint32_t offset = 0;
  for (const auto& [meaning_key, label] : labels_) {
    uint64_t c = meaning_key;
    uint32_t len = static_cast<uint32_t>(label.size());
    put(&c, 8);
    put(&offset, 4);
    put(&len, 4);
    offset += len;
  }
  for (const auto& [meaning_key, label] : labels_) put(label.data(), label.size());
  out.close();
  if (!out) return Status::IOError("write failed: " + tmp);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Status::IOError("cannot rename " + tmp);
  return Status::Ok();
}

Result<std::unique_ptr<Lexicon>> Lexicon::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::NotFound("no lexicon at " + path);
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size < 32) {
    ::close(fd);
    return Status::Corruption(path + ": too short for a lexicon");
  }
  size_t size = static_cast<size_t>(st.st_size);
  void* p = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) return Status::IOError("cannot map " + path);
  std::unique_ptr<Lexicon> lex(new Lexicon());
  lex->data_ = static_cast<const char*>(p);
  lex->size_ = size;
  const char* d = lex->data_;
  if (std::memcmp(d, kMagic, 8) != 0) return Status::Corruption(path + ": not a lexicon file");
  uint32_t version, langs;
  std::memcpy(&version, d + 8, 4);
  std::memcpy(&langs, d + 12, 4);
  std::memcpy(&lex->n_entries_, d + 16, 8);
  std::memcpy(&lex->n_concepts_, d + 24, 8);
  if (version != kVersion)
    return Status::Unsupported(path + ": lexicon version " + std::to_string(version) +
                               ", this build reads " + std::to_string(kVersion) +
                               " (rebuild it: storyline lexicon build)");
  size_t header = 32 + static_cast<size_t>(langs) * 16;
  // Sizes are checked before any pointer is formed (a truncated file is refused).
  auto bad_sizes = [&] {
    return Status::Corruption(path + ": sizes in the header do not match the file");
  };
  if (langs > 1000 || lex->n_entries_ > size / sizeof(Entry) || lex->n_concepts_ > size / 8)
    return bad_sizes();
  size_t labels_at = header + lex->n_entries_ * sizeof(Entry) + lex->n_concepts_ * 8;
  if (labels_at + 8 > size) return bad_sizes();
  std::memcpy(&lex->n_labels_, d + labels_at, 8);
  if (lex->n_labels_ > size / sizeof(LabelEntry) ||
      labels_at + 8 + lex->n_labels_ * sizeof(LabelEntry) > size)
    return bad_sizes();
  lex->labels_ = reinterpret_cast<const LabelEntry*>(d + labels_at + 8);
  lex->label_bytes_ = d + labels_at + 8 + lex->n_labels_ * sizeof(LabelEntry);
  lex->label_bytes_size_ = size - (labels_at + 8 + lex->n_labels_ * sizeof(LabelEntry));
  for (uint64_t i = 0; i < lex->n_labels_; ++i) {
    const LabelEntry& l = lex->labels_[i];
    if (uint64_t{l.offset} + l.length > lex->label_bytes_size_ ||
        (i > 0 && lex->labels_[i - 1].meaning_key >= l.meaning_key))
      return Status::Corruption(path + ": label " + std::to_string(i) + " is out of range");
  }
  for (uint32_t i = 0; i < langs; ++i) {
    const char* c = d + 32 + i * 16;
    uint64_t n;
    std::memcpy(&n, c + 8, 8);
    lex->languages_[std::string(c, strnlen(c, 8))] = n;
  }
  lex->entries_ = reinterpret_cast<const Entry*>(d + header);
  lex->concepts_ = reinterpret_cast<const uint64_t*>(d + header + lex->n_entries_ * sizeof(Entry));
  for (uint64_t i = 0; i < lex->n_entries_; ++i) {
    const Entry& e = lex->entries_[i];
    if (uint64_t{e.first} + e.count > lex->n_concepts_ ||
        (i > 0 && lex->entries_[i - 1].key >= e.key))
      return Status::Corruption(path + ": entry " + std::to_string(i) +
                                " is out of order or range");
  }
  return lex;
}

Lexicon::~Lexicon() {
  if (data_) munmap(const_cast<char*>(data_), size_);
}

std::string_view Lexicon::Label(uint64_t meaning_key) const {
  const LabelEntry* end = labels_ + n_labels_;
  const LabelEntry* it = std::lower_bound(
      labels_, end, meaning_key, [](const LabelEntry& e, uint64_t k) { return e.meaning_key < k; });
  if (it == end || it->meaning_key != meaning_key) return {};
  return {label_bytes_ + it->offset, it->length};
}

std::span<const uint64_t> Lexicon::Lookup(uint64_t key) const {
  // Keys are hashes, spread evenly over 64 bits: interpolation search finds
  // one in a few probes where binary search takes ~20 cache misses.
  if (n_entries_ == 0) return {};
  uint64_t lo = 0, hi = n_entries_ - 1;
  while (lo <= hi) {
    uint64_t klo = entries_[lo].key, khi = entries_[hi].key;
    if (key < klo || key > khi) return {};
    uint64_t pos = lo;
    if (khi > klo)
      pos = lo + static_cast<uint64_t>(static_cast<unsigned __int128>(key - klo) * (hi - lo) /
                                       (khi - klo));
    uint64_t k = entries_[pos].key;
    if (k == key) return {concepts_ + entries_[pos].first, entries_[pos].count};
    if (k < key)
      lo = pos + 1;
    else if (pos == 0)
      return {};
    else
      hi = pos - 1;
  }
  return {};
}

}  // namespace storyline
