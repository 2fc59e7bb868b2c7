#include "cluster/cluster.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace storyline {
namespace {

constexpr int64_t kDay = 86400;

// Signals with the given stems (lang-specific) and names (neutral).
Signals Make(const std::string& lang, std::vector<std::string> stems,
             std::vector<std::string> names = {}) {
  Signals s;
  s.lang = lang;
  for (auto& t : stems) s.terms.push_back({TermKey(lang, t), 1.0f});
  for (auto& n : names) s.names.push_back({NameFeatureKey(n), 1.0f});
  auto by_key = [](const Feature& a, const Feature& b) { return a.key < b.key; };
  std::sort(s.terms.begin(), s.terms.end(), by_key);
  std::sort(s.names.begin(), s.names.end(), by_key);
  return s;
}

// Background articles so that IDF is meaningful.
void Background(Clusterer& c, int n) {
  for (int i = 0; i < n; ++i)
    c.Assign("bg" + std::to_string(i), "bg",
             Make("en", {"bgword" + std::to_string(i), "bgother" + std::to_string(i % 7)}),
             std::nullopt);
}

TEST(Clusterer, SimilarArticlesJoinDifferentOnesSplit) {
  Clusterer c;
  Background(c, 30);
  auto a = c.Assign("a", "Ferry aground",
                    Make("en", {"ferri", "aground", "harbour", "passeng", "rescu"}, {"troms"}),
                    std::nullopt);
  auto b = c.Assign("b", "Ferry grounded",
                    Make("en", {"ferri", "aground", "harbour", "passeng", "coast"}, {"troms"}),
                    std::nullopt);
  auto d =
      c.Assign("d", "Rate cut", Make("en", {"rate", "cut", "inflat", "bank", "krone"}, {"norge"}),
               std::nullopt);
  EXPECT_TRUE(a.new_story);
  EXPECT_FALSE(b.new_story);
  EXPECT_EQ(b.story_id, a.story_id);
  EXPECT_EQ(b.reason, "text");
  EXPECT_TRUE(d.new_story);
  EXPECT_NE(d.story_id, a.story_id);
}

TEST(Clusterer, SharedNamesLinkAcrossLanguages) {
  Clusterer c;
  Background(c, 30);
  auto en = c.Assign(
      "en", "t", Make("en", {"meet", "chancellor", "talk"}, {"putin", "schol", "moskv", "nato"}),
      std::nullopt);
  auto no = c.Assign("no", "t",
                     Make("no", {"møt", "kansl", "samtal"}, {"putin", "schol", "moskv", "nato"}),
                     std::nullopt);
  EXPECT_EQ(no.story_id, en.story_id);
  EXPECT_EQ(no.reason, "names");
  EXPECT_EQ(no.shared_neutral, 4);
}

TEST(Clusterer, OneSharedNameIsNotEnoughAcrossLanguages) {
  Clusterer c;
  Background(c, 30);
  auto en = c.Assign("en", "t", Make("en", {"meet", "chancellor"}, {"putin"}), std::nullopt);
  auto no = c.Assign("no", "t", Make("no", {"gass", "rørledning"}, {"putin"}), std::nullopt);
  EXPECT_NE(no.story_id, en.story_id);
}

TEST(Clusterer, TimeWindowClosesOldStories) {
  ClusterOptions o;
  o.window_days = 3;
  Clusterer c(o);
  auto sig = Make("en", {"earthquak", "magnitud", "tsunami"}, {"chile"});
  auto a = c.Assign("a", "t", sig, 100 * kDay);
  auto b = c.Assign("b", "t", sig, 101 * kDay);
  EXPECT_EQ(a.story_id, b.story_id);
  // Another article moves the watermark far ahead; the old story leaves the window.
  c.Assign("x", "t", Make("en", {"unrel"}), 130 * kDay);
  auto d = c.Assign("d", "t", sig, 130 * kDay);
  EXPECT_NE(d.story_id, a.story_id);
  EXPECT_LT(b.time_factor, 1.0 + 1e-9);
}

TEST(Clusterer, SameInputSameStories) {
  auto run = [] {
    Clusterer c;
    std::vector<std::string> ids;
    for (int i = 0; i < 60; ++i) {
      auto s = Make("en", {"w" + std::to_string(i % 6), "x" + std::to_string(i % 4), "common"});
      ids.push_back(c.Assign("a" + std::to_string(i), "t", s, i * 3600).story_id);
    }
    return ids;
  };
  EXPECT_EQ(run(), run());
}

TEST(Clusterer, StoryIdIsStableAndFromFounder) {
  Clusterer c;
  auto a = c.Assign("article-1", "t", Make("en", {"alpha"}), std::nullopt);
  EXPECT_EQ(a.story_id, StoryIdFor("article-1"));
  EXPECT_EQ(StoryIdFor("article-1"), StoryIdFor("article-1"));
  EXPECT_NE(StoryIdFor("article-1"), StoryIdFor("article-2"));
}

TEST(Clusterer, RestoredStoryTakesNewArticles) {
  Clusterer first;
  Background(first, 20);
  auto sig = Make("en", {"volcano", "ash", "flight"}, {"kamch"});
  auto a = first.Assign("a", "Ash", sig, std::nullopt);
  std::vector<StoryState> saved;
  for (const StoryState* s : first.TakeDirty()) saved.push_back(*s);
  Clusterer second;
  for (auto& s : saved) second.Restore(s);
  second.df() = first.df();
  auto b = second.Assign("b", "Ash again", sig, std::nullopt);
  EXPECT_EQ(b.story_id, a.story_id);
  EXPECT_TRUE(second.TakeDirty().size() >= 1);
}

TEST(SparseVectorCodec, RoundTrips) {
  SparseVector v = {{1, 0.5f}, {42, 1.25f}, {~0ull, -3.0f}};
  SparseVector w = DecodeVector(EncodeVector(v));
  ASSERT_EQ(w.size(), 3u);
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(w[i].key, v[i].key);
    EXPECT_EQ(w[i].tf, v[i].tf);
  }
  EXPECT_TRUE(DecodeVector("short").empty());
}

}  // namespace
}  // namespace storyline

namespace storyline {
namespace {

TEST(Clusterer, UndatedArticleMayJoinAStoryOutsideTheWindow) {
  ClusterOptions o;
  o.window_days = 3;
  Clusterer c(o);
  auto sig = Make("en", {"nobel", "chemistri", "prize"}, {"bertozzi", "meldal"});
  auto a = c.Assign("a", "t", sig, 100 * kDay);
  c.Assign("x", "t", Make("en", {"unrel"}), 200 * kDay);  // the stream moves on
  auto b = c.Assign("b", "t", sig, std::nullopt);
  EXPECT_EQ(b.story_id, a.story_id);
}

TEST(Clusterer, OneSharedNameDoesNotJoinWithinOneLanguage) {
  Clusterer c;
  Background(c, 30);
  auto a = c.Assign("a", "t", Make("en", {"elect", "vote", "ballot", "turnout"}, {"biden", "ohio"}),
                    std::nullopt);
  auto b = c.Assign("b", "t", Make("en", {"hurrican", "flood", "storm", "rain"}, {"biden", "texa"}),
                    std::nullopt);
  EXPECT_NE(a.story_id, b.story_id);
}

}  // namespace
}  // namespace storyline

namespace storyline {
namespace {

TEST(Clusterer, BridgingArticleMergesTwoStoriesThatFormedApart) {
  Clusterer c;
  Background(c, 40);
  // An English and a Norwegian story about one event form apart (no shared
  // names yet); an English article naming what both share bridges them.
  auto en = c.Assign("en1", "t", Make("en", {"quak", "tremor", "rubbl"}, {"cianj", "jawa"}),
                     std::nullopt);
  auto no =
      c.Assign("no1", "t", Make("no", {"jordskjelv", "ruin"}, {"cianj", "jawa"}), std::nullopt);
  ASSERT_EQ(no.story_id, en.story_id);  // names link them: a control for the set-up
  Clusterer d;
  Background(d, 40);
  auto a = d.Assign("en1", "t", Make("en", {"quak", "tremor", "rubbl"}, {"cianj"}), std::nullopt);
  auto b =
      d.Assign("no1", "t", Make("no", {"jordskjelv", "ruin"}, {"jawa", "bandu"}), std::nullopt);
  ASSERT_NE(a.story_id, b.story_id);
  auto bridge =
      d.Assign("en2", "t", Make("en", {"quak", "tremor", "rubbl"}, {"cianj", "jawa", "bandu"}),
               std::nullopt);
  ASSERT_EQ(bridge.merged.size(), 1u);
  std::set<std::string> both = {bridge.story_id, bridge.merged[0]};
  EXPECT_EQ(both, (std::set<std::string>{a.story_id, b.story_id}));
  EXPECT_EQ(d.Find(bridge.merged[0]), nullptr);
  ASSERT_NE(d.Find(bridge.story_id), nullptr);
  EXPECT_EQ(d.Find(bridge.story_id)->size, 3u);
  EXPECT_EQ(d.Find(bridge.story_id)->langs.size(), 2u);
}

}  // namespace
}  // namespace storyline

namespace storyline {
namespace {

Signals WithPivots(Signals s, std::vector<std::string> concepts) {
  for (auto& c : concepts) s.pivots.push_back({PivotKey(c), 1.0f});
  std::sort(s.pivots.begin(), s.pivots.end(),
            [](const Feature& a, const Feature& b) { return a.key < b.key; });
  return s;
}

TEST(Clusterer, PivotConceptsAndOneSharedNameLinkAcrossLanguages) {
  for (bool pivots : {true, false}) {
    ClusterOptions o;
    o.link_threshold = 0;  // article-level decision only
    Clusterer c(o);
    Background(c, 30);
    auto en = c.Assign("en", "t",
                       WithPivots(Make("en", {"earthquak", "kill", "injur"}, {"cianj"}),
                                  {"earthquak", "kill", "injur"}),
                       std::nullopt);
    Signals sv = Make("sv", {"jordbävning", "död", "skad"}, {"cianj"});
    if (pivots) sv = WithPivots(sv, {"earthquak", "kill", "injur"});
    auto a = c.Assign("sv", "t", sv, std::nullopt);
    if (pivots) {
      EXPECT_EQ(a.story_id, en.story_id);
      EXPECT_TRUE(a.cross_language);
      EXPECT_EQ(a.shared_pivot, 3);
      EXPECT_GT(a.pivot, 0.5);
      EXPECT_EQ(a.shared_pivot_keys.size(), 3u);
    } else {
      EXPECT_TRUE(a.new_story);  // one shared name alone is not enough
    }
  }
}

TEST(Clusterer, StoryLinkerMergesStoriesAcrossLanguagesInsideTheWindow) {
  for (double link : {0.35, 0.0}) {
    ClusterOptions o;
    o.cross_threshold = 10;  // articles never join across languages here
    o.link_threshold = link;
    Clusterer c(o);
    Background(c, 30);
    std::vector<std::string> names = {"lula", "bolso", "brasi", "silva"};
    auto en1 = c.Assign("en1", "t", Make("en", {"elect", "win", "runoff"}, names), 10 * kDay);
    auto en2 = c.Assign("en2", "t", Make("en", {"elect", "win", "vote"}, names), 10 * kDay);
    ASSERT_EQ(en1.story_id, en2.story_id);
    auto pt = c.Assign("pt", "t", Make("pt", {"eleit", "venc", "turn"}, names), 11 * kDay);
    if (link > 0) {
      EXPECT_EQ(pt.story_id, en1.story_id);  // the older, larger story keeps its id
      EXPECT_EQ(pt.linked, en1.story_id);
      EXPECT_GE(pt.link_score, link);
      EXPECT_EQ(c.Find(en1.story_id)->langs.count("pt"), 1u);
    } else {
      EXPECT_NE(pt.story_id, en1.story_id);
      EXPECT_TRUE(pt.linked.empty());
    }
  }
  // A story that left the window is not linked to.
  ClusterOptions o;
  o.cross_threshold = 10;
  Clusterer c(o);
  Background(c, 30);
  std::vector<std::string> names = {"lula", "bolso", "brasi", "silva"};
  auto en = c.Assign("en", "t", Make("en", {"elect", "win"}, names), 0);
  c.Assign("other", "t", Make("en", {"flood", "rain"}, {"kerala"}), 40 * kDay);  // moves time on
  auto pt = c.Assign("pt", "t", Make("pt", {"eleit", "venc"}, names), 40 * kDay);
  EXPECT_NE(pt.story_id, en.story_id);
  EXPECT_TRUE(pt.linked.empty());
}

}  // namespace
}  // namespace storyline

namespace storyline {
namespace {

TEST(DayOf, RoundsDownAlsoBefore1970) {
  EXPECT_EQ(DayOf(0), 0);
  EXPECT_EQ(DayOf(86399), 0);
  EXPECT_EQ(DayOf(86400), 1);
  EXPECT_EQ(DayOf(-1), -1);
  EXPECT_EQ(DayOf(-86400), -1);
  EXPECT_EQ(DayOf(-86401), -2);
}

TEST(DocumentFrequencies, OldDaysLeaveAndTheirCountsWithThem) {
  DocumentFrequencies df;
  Signals a = Make("en", {"ferri", "harbour"});
  Signals b = Make("en", {"ferri", "storm"});
  df.Add(a, {10, false});
  df.Add(a, {10, false});
  df.Add(b, {12, false});
  df.Add(b, {3, true});  // undated: ingest day 3
  ASSERT_EQ(df.documents(), 4u);
  // Day 10 is before the dated window (day 11 on); the undated day 3 is
  // inside its own window (day 2 on).
  auto dropped = df.Expire(11, 2, 0);
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0], (DocumentFrequencies::Bucket{10, false}));
  EXPECT_EQ(df.documents(), 2u);
  // "harbour" was only on day 10: now unknown, as if never seen.
  EXPECT_DOUBLE_EQ(df.Idf(TermKey("en", "harbour")), std::log(3.0) + 1);
  EXPECT_DOUBLE_EQ(df.Idf(TermKey("en", "ferri")), 1.0);  // in both documents left
  EXPECT_EQ(df.keys(), 2u);                               // ferri, storm
}

TEST(DocumentFrequencies, ASparseStreamKeepsAtLeastMinDocuments) {
  DocumentFrequencies df;
  Signals a = Make("en", {"ferri"});
  for (int day = 0; day < 10; ++day) df.Add(a, {day, false});
  // Everything before day 9 is old, but 4 documents must remain: days 0-5 go.
  auto dropped = df.Expire(9, 0, 4);
  EXPECT_EQ(dropped.size(), 6u);
  EXPECT_EQ(df.documents(), 4u);
}

TEST(DocumentFrequencies, RestoredFromItsDirtyCountsWeighsTheSame) {
  DocumentFrequencies df;
  for (int i = 0; i < 20; ++i)
    df.Add(Make("en", {"w" + std::to_string(i % 5), "common"}), {i / 4, i % 3 == 0});
  DocumentFrequencies copy;
  for (const auto& c : df.DirtyCounts()) copy.Set(c.bucket, c.key, c.n);
  for (const auto& [b, n] : df.DirtyDocuments()) copy.SetDocuments(b, n);
  EXPECT_EQ(copy.documents(), df.documents());
  for (const char* w : {"w0", "w3", "common", "absent"})
    EXPECT_DOUBLE_EQ(copy.Idf(TermKey("en", w)), df.Idf(TermKey("en", w))) << w;
  // And they expire alike.
  df.Expire(3, 3, 0);
  copy.Expire(3, 3, 0);
  EXPECT_EQ(copy.documents(), df.documents());
  EXPECT_DOUBLE_EQ(copy.Idf(TermKey("en", "common")), df.Idf(TermKey("en", "common")));
}

TEST(Clusterer, UndatedStoriesLeaveByIngestTime) {
  ClusterOptions o;
  o.window_days = 2;
  Clusterer c(o);
  c.set_now(1'000'000'000);
  Signals s = Make("en", {"ferri", "aground", "harbour"}, {"troms"});
  auto a = c.Assign("a", "Ferry aground", s, std::nullopt);
  ASSERT_EQ(c.TakeDirty().size(), 1u);
  c.set_now(1'000'000'000 + 86400);
  c.Canonicalize();
  EXPECT_NE(c.Find(a.story_id), nullptr);  // one day later: still in the window
  c.set_now(1'000'000'000 + 3 * 86400);
  c.Canonicalize();
  EXPECT_EQ(c.Find(a.story_id), nullptr);  // three days later: gone
  auto b = c.Assign("b", "Ferry aground again", s, std::nullopt);
  EXPECT_TRUE(b.new_story);
}

}  // namespace
}  // namespace storyline
