// Fuzzes the pivot lexicon's readers: dictd entries (both layouts), dictd
// index + dictionary files, and the memory-mapped lexicon file. The first
// byte picks the reader. Aborts if a parsed entry has an empty translation or
// a lexicon that opened returns concepts beyond its own tables.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "lexicon/lexicon.h"

namespace {

std::string TempPath(const char* what) {
  return "/tmp/fuzz_dictd_" + std::to_string(getpid()) + "_" + what;
}

void Write(const std::string& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), bytes.size());
}

void Check(const storyline::DictdEntry& e) {
  for (const auto& t : e.translations)
    if (t.empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace storyline;
  if (size < 1) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      Check(ParseDictdEntry(bytes, false));
      Check(ParseDictdEntry(bytes, true));
      break;
    case 1: {
      // index | dictionary, split at the first NUL byte.
      size_t cut = bytes.find('\0');
      if (cut == std::string_view::npos) cut = bytes.size() / 2;
      std::string index = TempPath("index"), dict = TempPath("dict");
      Write(index, bytes.substr(0, cut));
      Write(dict, cut < bytes.size() ? bytes.substr(cut + 1) : std::string_view());
      (void)ReadDictd(index, dict, Check);
      unlink(index.c_str());
      unlink(dict.c_str());
      break;
    }
    case 2: {
      std::string path = TempPath("lex");
      Write(path, bytes);
      auto lex = Lexicon::Open(path);
      unlink(path.c_str());
      if (lex.ok()) {
        for (uint64_t key : {0ull, 1ull, 0x123456789abcdefull, ~0ull}) {
          auto c = (*lex)->Lookup(key);
          if (c.size() > 65535) std::abort();
          for (uint64_t k : c) (void)(*lex)->Label(k);
        }
      }
      break;
    }
  }
  return 0;
}
