#include "dedup/dedup.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

namespace storyline {
namespace {

std::vector<uint64_t> Range(uint64_t from, uint64_t to) {
  std::vector<uint64_t> v;
  for (uint64_t i = from; i < to; ++i) v.push_back(i * 4);
  return v;
}

TEST(DupIndex, FindsNearDuplicate) {
  DupIndex idx;
  idx.Add(1, Range(0, 100));
  auto m = idx.Query(Range(2, 100));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].doc, 1u);
  EXPECT_EQ(m[0].kind, DupKind::kNearDuplicate);
  EXPECT_NEAR(m[0].resemblance, 0.98, 1e-9);
}

TEST(DupIndex, ContainmentFindsAShortCopyInsideALongArticle) {
  DupIndex idx;
  idx.Add(7, Range(0, 200));
  auto m = idx.Query(Range(50, 90));  // all 40 samples inside the long one
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].kind, DupKind::kWireCopy);
  EXPECT_DOUBLE_EQ(m[0].containment, 1.0);
  EXPECT_LT(m[0].resemblance, 0.3);
}

TEST(DupIndex, SharedParagraphsAreSharesText) {
  DupIndex idx;
  idx.Add(3, Range(0, 60));
  std::vector<uint64_t> q = Range(40, 50);  // 10 shared
  for (uint64_t i = 1000; i < 1040; ++i) q.push_back(i * 4);
  std::sort(q.begin(), q.end());
  auto m = idx.Query(q);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].kind, DupKind::kSharesText);
}

TEST(DupIndex, AFewSharedShinglesAreNoLink) {
  DupIndex idx;
  idx.Add(3, Range(0, 60));
  std::vector<uint64_t> q = Range(0, 3);  // a shared quote
  for (uint64_t i = 1000; i < 1060; ++i) q.push_back(i * 4);
  std::sort(q.begin(), q.end());
  EXPECT_TRUE(idx.Query(q).empty());
}

TEST(DupIndex, TinySketchesAreNotCompared) {
  DupIndex idx;
  idx.Add(1, Range(0, 3));
  EXPECT_TRUE(idx.Query(Range(0, 3)).empty());
  EXPECT_EQ(idx.documents(), 0u);
}

TEST(DupIndex, RemoveIfForgetsDocuments) {
  DupIndex idx;
  idx.Add(1, Range(0, 50));
  idx.Add(2, Range(0, 50));
  idx.RemoveIf([](uint32_t d) { return d == 1; });
  auto m = idx.Query(Range(0, 50));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].doc, 2u);
  EXPECT_EQ(idx.postings(), 50u);
}

// Differential: the index must report exactly the links a brute-force
// comparison of all pairs finds.
TEST(DupIndex, AgreesWithBruteForceOnRandomSketches) {
  std::mt19937_64 rng(12345);
  DedupOptions opt;
  opt.max_posting = 1000000;  // no boilerplate cut-off for this comparison
  DupIndex idx(opt);
  std::vector<std::vector<uint64_t>> docs;
  for (int d = 0; d < 120; ++d) {
    std::set<uint64_t> s;
    int base = static_cast<int>(rng() % 300);
    int len = 3 + static_cast<int>(rng() % 60);
    for (int i = 0; i < len; ++i)
      s.insert(static_cast<uint64_t>(base + static_cast<int>(rng() % 80)));
    docs.emplace_back(s.begin(), s.end());
  }
  for (size_t d = 0; d < docs.size(); ++d) {
    auto got = idx.Query(docs[d]);
    std::vector<DupMatch> want;
    for (size_t e = 0; e < d; ++e) {
      std::vector<uint64_t> inter;
      std::set_intersection(docs[d].begin(), docs[d].end(), docs[e].begin(), docs[e].end(),
                            std::back_inserter(inter));
      if (docs[e].size() < opt.min_sketch) continue;
      DupMatch m = idx.Classify(static_cast<uint32_t>(e), static_cast<uint32_t>(inter.size()),
                                static_cast<uint32_t>(docs[d].size()),
                                static_cast<uint32_t>(docs[e].size()));
      if (m.kind != DupKind::kNone) want.push_back(m);
    }
    ASSERT_EQ(got.size(), want.size()) << "doc " << d;
    std::set<std::pair<uint32_t, uint32_t>> g, w;
    for (auto& m : got) g.insert({m.doc, m.shared});
    for (auto& m : want) w.insert({m.doc, m.shared});
    EXPECT_EQ(g, w) << "doc " << d;
    idx.Add(static_cast<uint32_t>(d), docs[d]);
  }
}

// Removal is lazy: after any sequence of RemoveIf and Add the index must
// answer exactly as one built from the remaining documents only, including
// the max_posting cut-off (which counts live postings).
TEST(DupIndex, LazyRemovalAnswersAsARebuiltIndex) {
  std::mt19937_64 rng(777);
  DedupOptions opt;
  opt.max_posting = 6;  // small, so that removals move lists across the cut-off
  opt.min_shared = 2;
  DupIndex idx(opt);
  std::vector<std::vector<uint64_t>> docs;
  std::set<uint32_t> alive;
  size_t compactions = 0, lazy_queries = 0;
  for (uint32_t d = 0; d < 400; ++d) {
    std::set<uint64_t> s;
    int base = static_cast<int>(rng() % 200);
    for (int i = 0; i < 5 + static_cast<int>(rng() % 20); ++i)
      s.insert(static_cast<uint64_t>(base + static_cast<int>(rng() % 40)));
    docs.emplace_back(s.begin(), s.end());
    idx.Add(d, docs.back());
    alive.insert(d);
    if (d % 25 == 24) {  // the window moves: forget part of the older documents
      uint32_t cut = d - 20 + static_cast<uint32_t>(rng() % 10);
      size_t dead_before = idx.dead_postings();
      idx.RemoveIf([&](uint32_t x) {
        bool gone = x < cut && rng() % 3 != 0;
        if (gone) alive.erase(x);
        return gone;
      });
      compactions += idx.dead_postings() < dead_before || idx.dead_postings() == 0;
    }
    DupIndex rebuilt(opt);
    for (uint32_t e : alive) rebuilt.Add(e, docs[e]);
    ASSERT_EQ(idx.documents(), rebuilt.documents());
    ASSERT_EQ(idx.postings(), rebuilt.postings());
    lazy_queries += idx.dead_postings() > 0;
    for (int k = 0; k < 3; ++k) {
      const std::vector<uint64_t>& q = docs[rng() % docs.size()];
      auto got = idx.Query(q);
      auto want = rebuilt.Query(q);
      ASSERT_EQ(got.size(), want.size()) << "after doc " << d;
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].doc, want[i].doc);
        EXPECT_EQ(got[i].shared, want[i].shared);
        EXPECT_EQ(got[i].kind, want[i].kind);
      }
    }
  }
  EXPECT_GT(compactions, 0u);
  EXPECT_GT(lazy_queries, 0u);  // some queries ran with dead postings pending
}

// A handle removed and indexed again does not bring back its old postings.
TEST(DupIndex, ReAddedHandleStartsFresh) {
  DupIndex idx;
  idx.Add(1, Range(0, 50));
  idx.Add(2, Range(0, 100));
  idx.Add(3, Range(300, 400));
  idx.RemoveIf([](uint32_t d) { return d == 1; });
  idx.Add(1, Range(200, 250));
  EXPECT_EQ(idx.postings(), 250u);
  auto m = idx.Query(Range(0, 50));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].doc, 2u);
}

}  // namespace
}  // namespace storyline
