#include "synth/synth.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "common/text.h"

namespace storyline::synth {
namespace {

SynthOptions Small(int64_t n, uint64_t seed = 7) {
  SynthOptions o;
  o.articles = n;
  o.seed = seed;
  return o;
}

uint64_t Fingerprint(const std::vector<SynthArticle>& corpus) {
  uint64_t h = 0;
  for (const auto& a : corpus) {
    std::string s = a.article.id + '\x1f' + a.article.title + '\x1f' + a.article.text + '\x1f' +
                    std::to_string(a.article.published.value_or(-1)) + '\x1f' + a.article.source +
                    '\x1f' + a.article.url + '\x1f' + a.story + '\x1f' + a.lang + '\x1f' +
                    a.copy_of;
    h = Hash64(s, h);
  }
  return h;
}

TEST(SynthTest, SameSeedSameCorpus) {
  auto a = GenerateCorpus(Small(1500));
  auto b = GenerateCorpus(Small(1500));
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(Fingerprint(a), Fingerprint(b));
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].article.text, b[i].article.text) << i;
    ASSERT_EQ(a[i].article.title, b[i].article.title) << i;
  }
}

TEST(SynthTest, DifferentSeedDifferentCorpus) {
  EXPECT_NE(Fingerprint(GenerateCorpus(Small(300, 1))), Fingerprint(GenerateCorpus(Small(300, 2))));
}

TEST(SynthTest, StreamingEqualsWholeCorpus) {
  auto whole = GenerateCorpus(Small(2000));
  CorpusGenerator g(Small(2000));
  std::vector<SynthArticle> streamed;
  size_t chunks = 0;
  while (g.Next(333, &streamed) > 0) ++chunks;
  EXPECT_GE(chunks, 6u);
  EXPECT_TRUE(g.done());
  EXPECT_EQ(g.produced(), 2000);
  EXPECT_EQ(Fingerprint(whole), Fingerprint(streamed));
}

TEST(SynthTest, ExactSizeAndUniqueIds) {
  for (int64_t n : {0, 1, 17, 1234}) {
    auto c = GenerateCorpus(Small(n));
    ASSERT_EQ(static_cast<int64_t>(c.size()), n);
    std::set<std::string> ids;
    for (const auto& a : c) ids.insert(a.article.id);
    EXPECT_EQ(static_cast<int64_t>(ids.size()), n);
  }
}

TEST(SynthTest, MeanLengthNearTarget) {
  auto c = GenerateCorpus(Small(2000));
  double bytes = 0;
  for (const auto& a : c) {
    bytes += static_cast<double>(a.article.title.size() + a.article.text.size());
    EXPECT_TRUE(IsValidUtf8(a.article.title));
    EXPECT_TRUE(IsValidUtf8(a.article.text));
    EXPECT_FALSE(a.article.title.empty());
    EXPECT_NE(a.article.text.find("\n\n"), std::string::npos) << "paragraphs";
  }
  double mean = bytes / static_cast<double>(c.size());
  EXPECT_GT(mean, 2500);
  EXPECT_LT(mean, 3600);
}

TEST(SynthTest, AllLanguagesPresent) {
  auto c = GenerateCorpus(Small(3000));
  std::map<std::string, int> by_lang;
  for (const auto& a : c) ++by_lang[a.lang];
  for (const auto& l : SupportedLanguages()) EXPECT_GT(by_lang[l], 100) << l;
  EXPECT_EQ(by_lang.size(), SupportedLanguages().size());
  // Russian articles are in Cyrillic ("и" is its most frequent word).
  for (const auto& a : c)
    if (a.lang == "ru") {
      EXPECT_NE(a.article.text.find(" и "), std::string::npos);
      break;
    }
}

TEST(SynthTest, LanguageSubset) {
  SynthOptions o = Small(500);
  o.languages = {"de", "sv"};
  o.lang_hints = true;
  for (const auto& a : GenerateCorpus(o)) {
    EXPECT_TRUE(a.lang == "de" || a.lang == "sv") << a.lang;
    EXPECT_EQ(a.article.lang_hint, a.lang);
  }
}

TEST(SynthTest, StoriesOfVariedSizeAndTimeOrder) {
  auto c = GenerateCorpus(Small(5000));
  std::map<std::string, int> sizes;
  std::map<std::string, std::set<std::string>> story_langs;
  std::map<std::string, std::pair<int64_t, int64_t>> spans;
  int64_t prev = 0;
  for (const auto& a : c) {
    ++sizes[a.story];
    story_langs[a.story].insert(a.lang);
    ASSERT_TRUE(a.article.published.has_value());
    int64_t t = *a.article.published;
    EXPECT_GE(t, prev) << "publication order";
    prev = t;
    auto [it, fresh] = spans.try_emplace(a.story, t, t);
    it->second.second = t;
  }
  int singletons = 0, large = 0, multilingual = 0;
  for (const auto& [s, n] : sizes) {
    singletons += n == 1;
    large += n >= 20;
    multilingual += story_langs[s].size() > 1;
    EXPECT_LE(spans[s].second - spans[s].first, 4 * 86400 + 1) << s;
  }
  EXPECT_GT(singletons, static_cast<int>(sizes.size()) / 3);
  EXPECT_GE(large, 3);
  EXPECT_GE(multilingual, 10);
  // 5000 articles at 10,000 a day: within a day plus the last stories' tails.
  EXPECT_LE(prev - *c.front().article.published, 6 * 86400);
}

// Sorted paragraphs of an article body.
std::vector<std::string> Paragraphs(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find("\n\n", start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 2;
  }
  return out;
}

TEST(SynthTest, WireCopiesReuseMostParagraphs) {
  auto c = GenerateCorpus(Small(4000));
  std::map<std::string, const SynthArticle*> by_id;
  for (const auto& a : c) by_id[a.article.id] = &a;
  int copies = 0;
  for (const auto& a : c) {
    if (a.copy_of.empty()) continue;
    ++copies;
    auto it = by_id.find(a.copy_of);
    ASSERT_NE(it, by_id.end());
    const SynthArticle& orig = *it->second;
    EXPECT_EQ(orig.story, a.story);
    EXPECT_EQ(orig.lang, a.lang);
    EXPECT_TRUE(orig.copy_of.empty());
    EXPECT_LE(*orig.article.published, *a.article.published);
    EXPECT_NE(orig.article.title, a.article.title);
    auto po = Paragraphs(orig.article.text);
    auto pc = Paragraphs(a.article.text);
    std::set<std::string> so(po.begin(), po.end());
    size_t reused = 0;
    for (const auto& p : pc) reused += so.count(p);
    EXPECT_GE(reused + 1, po.size()) << "at most one original paragraph dropped";
    EXPECT_EQ(pc.size(), reused + 1) << "exactly one paragraph added";
  }
  // ~10% of articles (a little less: a copy needs an original in its language).
  EXPECT_GT(copies, 200);
  EXPECT_LT(copies, 600);
}

TEST(SynthTest, LocalNumberFormats) {
  auto c = GenerateCorpus(Small(3000));
  bool en_million = false, de_million = false, ru_million = false;
  for (const auto& a : c) {
    const std::string& t = a.article.text;
    if (a.lang == "en" && t.find(" million") != std::string::npos) en_million = true;
    if (a.lang == "de" && t.find("Millionen") != std::string::npos) de_million = true;
    if (a.lang == "ru" && t.find(" млн") != std::string::npos) ru_million = true;
  }
  EXPECT_TRUE(en_million);
  EXPECT_TRUE(de_million);
  EXPECT_TRUE(ru_million);
}

}  // namespace
}  // namespace storyline::synth
