#include "summary/summary.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "signals/signals.h"

namespace storyline {
namespace {

Entity Person(const std::string& name, const std::string& key, uint32_t count = 1) {
  Entity e;
  e.name = name;
  e.type = EntityType::kPerson;
  e.key = key;
  e.variants = {name};
  e.count = count;
  return e;
}

Figure Troops(double v, const std::string& as_written) {
  Figure f;
  f.what = "troops";
  f.unit = "troops";
  f.value = v;
  f.as_written = as_written;
  return f;
}

SummaryArticle Art(const std::string& id, const std::string& lang, const std::string& title,
                   const std::string& text, const std::string& source, int64_t t) {
  SummaryArticle a;
  a.id = id;
  a.lang = lang;
  a.title = title;
  a.text = text;
  a.source = source;
  a.published = t;
  return a;
}

const std::string flood =
    "Floods in Aldermoor forced 3,000 people from their homes on Monday after the river Wend "
    "burst its banks. ";
const std::string rescue =
    "Rescue teams from Brinstead used boats to reach villages cut off by the water near the "
    "Wend. ";

class SummaryTest : public ::testing::Test {
 protected:
  Analyzer analyzer_;
};

TEST_F(SummaryTest, FiguresThatDifferAcrossSourcesAreFlaggedAndOtherQuantitiesKeptApart) {
  auto a = Art("a", "en", "Troops", "", "One", 100);
  a.intel.figures = {Troops(100000, "more than 100,000 troops"), Troops(50, "50 troops")};
  auto b = Art("b", "no", "Soldater", "", "Two", 200);
  b.intel.figures = {Troops(130000, "over 130.000 soldater"), Troops(50, "50 soldater")};
  auto c = Art("c", "en", "Troops", "", "Three", 300);
  c.intel.figures = {Troops(100000, "100,000 troops")};
  StoryIntel s = Summarize({a, b, c}, {}, analyzer_);
  ASSERT_EQ(s.figures.size(), 2u);
  EXPECT_TRUE(s.figures[0].disagree);  // disagreements first
  EXPECT_EQ(s.figures[0].values.size(), 3u);
  EXPECT_FALSE(s.figures[1].disagree);  // 50 and 50: the same figure
  EXPECT_EQ(s.figures[1].values.size(), 2u);
}

TEST_F(SummaryTest, CopiesAndOneOutletAreNotIndependentSources) {
  auto a = Art("a", "en", "A", "", "Wire Daily", 100);
  auto b = Art("b", "en", "B", "", "Copy Times", 200);
  auto c = Art("c", "en", "C", "", "Wire Daily", 300);  // the same outlet again
  auto d = Art("d", "de", "D", "", "Eigenes Blatt", 400);
  auto e = Art("d#1", "de", "Entry", "", "Eigenes Blatt", 500);
  e.entry = true;
  a.intel.agencies = {"AP"};
  d.intel.agencies = {"dpa", "AP"};
  StoryIntel s = Summarize({a, b, c, d, e}, {{"b", "a", "wire_copy"}}, analyzer_);
  EXPECT_EQ(s.sources.articles, 4);  // the entry is not an article
  EXPECT_EQ(s.sources.independent, 2);
  EXPECT_EQ(s.sources.agencies, (std::vector<std::string>{"AP", "dpa"}));
  ASSERT_EQ(s.sources.copies.size(), 1u);
  EXPECT_EQ(s.sources.copies[0].of, "a");
  EXPECT_EQ(s.timeline.size(), 5u);  // the entry is on the timeline
  EXPECT_EQ(s.timeline[1].copy_of, "a");
}

// The engine passes each article's enrichment as stored (JSON): decoded only
// where read, the summary is the same as from the decoded enrichment.
TEST_F(SummaryTest, EnrichmentGivenAsStoredJsonGivesTheSameSummary) {
  std::vector<SummaryArticle> arts = {
      Art("a", "en", "Floods in Aldermoor", flood + rescue, "Wire Daily", 100),
      Art("b", "en", "Aldermoor floods: 3,000 evacuated", flood, "Copy Times", 200),
      Art("c", "no", "Flom i Aldermoor", rescue, "Eigenes Blatt", 300)};
  arts[0].intel.agencies = {"AP"};
  arts[0].intel.entities = {Person("Vladimir Putin", "putin", 3)};
  arts[1].intel.figures = {Troops(100000, "more than 100,000 troops")};
  arts[2].intel.agencies = {"NTB", "AP"};
  arts[2].intel.figures = {Troops(130000, "over 130.000 soldater")};
  std::vector<SummaryArticle> stored = arts;
  for (size_t i = 0; i < arts.size(); ++i) {
    stored[i].intel_json = EncodeEnrichment(arts[i].intel);
    stored[i].intel = Enrichment{};
    arts[i].digest = stored[i].digest = 100 + i;
  }
  SummaryOptions o;
  o.max_articles = 2;  // c is counted (sources) but not analysed
  const std::string expected = EncodeStoryIntel(Summarize(arts, {}, analyzer_, o));
  EXPECT_NE(expected.find("NTB"), std::string::npos);
  EXPECT_EQ(EncodeStoryIntel(Summarize(stored, {}, analyzer_, o)), expected);
  SummaryMemo memo;
  EXPECT_EQ(EncodeStoryIntel(Summarize(stored, {}, analyzer_, o, &memo)), expected);
  EXPECT_EQ(EncodeStoryIntel(Summarize(stored, {}, analyzer_, o, &memo)), expected);  // a hit
  EXPECT_EQ(memo.hits(), 1u);
}

TEST_F(SummaryTest, EntitiesMergeAcrossLanguagesByKey) {
  auto a = Art("a", "en", "A", "", "x", 100);
  a.intel.entities = {Person("Vladimir Putin", "putin", 3)};
  auto b = Art("b", "ru", "B", "", "y", 200);
  b.intel.entities = {Person("Путин", "putin", 2), Person("Olaf Scholz", "scholz", 1)};
  auto c = Art("c", "no", "C", "", "z", 300);
  c.intel.entities = {Person("Vladimir Putin", "putin", 1)};
  StoryIntel s = Summarize({a, b, c}, {}, analyzer_);
  ASSERT_EQ(s.entities.size(), 2u);
  EXPECT_EQ(s.entities[0].key, "putin");
  EXPECT_EQ(s.entities[0].name, "Vladimir Putin");
  EXPECT_EQ(s.entities[0].count, 6u);
  EXPECT_EQ(s.entities[0].articles, 3u);
  EXPECT_EQ(s.entities[0].languages, (std::vector<std::string>{"en", "no", "ru"}));
  EXPECT_NE(std::find(s.entities[0].variants.begin(), s.entities[0].variants.end(), "Путин"),
            s.entities[0].variants.end());
}

TEST_F(SummaryTest, TheSameStatementOfOneSpeakerIsOneGroupAndOtherSpeakersAreNot) {
  auto quote = [](const std::string& text, const std::string& speaker, const std::string& key) {
    Quote q;
    q.text = text;
    q.speaker = speaker;
    q.speaker_key = key;
    return q;
  };
  auto a = Art("a", "en", "A", "", "x", 100);
  a.intel.quotes = {
      quote("We do not want a war over the harbour of Aldermoor", "Jane Rook", "rook")};
  auto b = Art("b", "en", "B", "", "y", 200);
  b.intel.quotes = {quote("We do not want war over the Aldermoor harbour", "Rook", "rook"),
                    quote("The budget for schools will rise next year", "Rook", "rook")};
  auto c = Art("c", "en", "C", "", "z", 300);
  c.intel.quotes = {
      quote("We do not want a war over the harbour of Aldermoor", "Tom Hale", "hale")};
  StoryIntel s = Summarize({a, b, c}, {}, analyzer_);
  ASSERT_EQ(s.quotes.size(), 4u);
  std::map<std::string, int> group;
  for (const auto& q : s.quotes)
    group[q.article + ":" + q.speaker_key + ":" + q.text.substr(0, 6)] = q.group;
  EXPECT_EQ(group["a:rook:We do "], group["b:rook:We do "]);
  EXPECT_NE(group["a:rook:We do "], group["b:rook:The bu"]);
  EXPECT_NE(group["a:rook:We do "], group["c:hale:We do "]);
}

TEST_F(SummaryTest, BulletsAreCentralDistinctAndCiteTheirArticles) {
  const std::string odd =
      "A local bakery in Corwick celebrated its hundredth anniversary with a cake. ";
  auto a = Art("a", "en", "Floods in Aldermoor", flood + rescue + odd, "One", 100);
  auto b = Art("b", "en", "Aldermoor floods: 3,000 evacuated", flood + rescue, "Two", 200);
  auto c = Art("c", "en", "River Wend floods Aldermoor", flood, "Three", 300);
  StoryIntel s = Summarize({a, b, c}, {}, analyzer_);
  ASSERT_GE(s.bullets.size(), 2u);
  ASSERT_LE(s.bullets.size(), 5u);
  EXPECT_NE(s.bullets[0].text.find("3,000 people"), std::string::npos);
  EXPECT_EQ(s.bullets[0].articles.size(), 3u);  // all three say it
  for (size_t i = 1; i < s.bullets.size(); ++i) EXPECT_NE(s.bullets[i].text, s.bullets[0].text);
  EXPECT_FALSE(s.headline.empty());
  EXPECT_EQ(s.headline_lang, "en");
}

TEST_F(SummaryTest, EncodedIntelHasTheDocumentedFields) {
  auto a = Art("a", "en", "A title long enough", "", "x", 100);
  std::string json = EncodeStoryIntel(Summarize({a}, {}, analyzer_));
  for (const char* field :
       {"\"entities\"", "\"quotes\"", "\"figures\"", "\"sources\"", "\"independent\"",
        "\"summary\"", "\"headline\"", "\"bullets\"", "\"timeline\""})
    EXPECT_NE(json.find(field), std::string::npos) << field;
}

// A story larger than max_articles: the articles it gains later change its
// sources and timeline, not what the analysis of its first articles found,
// which the memo gives back; a changed summarised article is analysed again.
TEST_F(SummaryTest, MemoReusesTheAnalysisOfUnchangedArticlesAndGivesWhatTheAnalysisWould) {
  SummaryOptions o;
  o.max_articles = 2;
  std::vector<SummaryArticle> arts = {
      Art("a", "en", "Floods in Aldermoor", flood + rescue, "One", 100),
      Art("b", "en", "Aldermoor floods: 3,000 evacuated", flood, "Two", 200)};
  arts[0].digest = 11;
  arts[1].digest = 12;
  SummaryMemo memo;
  std::string first = EncodeStoryIntel(Summarize(arts, {}, analyzer_, o, &memo));
  EXPECT_EQ(memo.misses(), 1u);
  EXPECT_EQ(memo.hits(), 0u);

  // A later article: the same summarised articles, a hit, and the sources
  // and timeline count the new one.
  arts.push_back(Art("c", "no", "Flom i Aldermoor", rescue, "Three", 300));
  arts[2].digest = 13;
  StoryIntel with_memo = Summarize(arts, {}, analyzer_, o, &memo);
  EXPECT_EQ(memo.hits(), 1u);
  StoryIntel without = Summarize(arts, {}, analyzer_, o);
  EXPECT_EQ(EncodeStoryIntel(with_memo), EncodeStoryIntel(without));
  EXPECT_EQ(with_memo.sources.articles, 3);
  EXPECT_EQ(with_memo.timeline.size(), 3u);
  EXPECT_NE(EncodeStoryIntel(with_memo), first);

  // A summarised article changed (its digest with it): analysed again.
  arts[1].title = "River Wend floods Aldermoor";
  arts[1].digest = 22;
  StoryIntel changed = Summarize(arts, {}, analyzer_, o, &memo);
  EXPECT_EQ(memo.misses(), 2u);
  EXPECT_EQ(EncodeStoryIntel(changed), EncodeStoryIntel(Summarize(arts, {}, analyzer_, o)));
  // Copy links decide which articles are summarised: another key.
  StoryIntel linked = Summarize(arts, {{"b", "a", "wire_copy"}}, analyzer_, o, &memo);
  EXPECT_EQ(memo.misses(), 3u);
  EXPECT_EQ(EncodeStoryIntel(linked),
            EncodeStoryIntel(Summarize(arts, {{"b", "a", "wire_copy"}}, analyzer_, o)));
  // Digest 0 (unknown): never memoised.
  arts[0].digest = 0;
  (void)Summarize(arts, {}, analyzer_, o, &memo);
  (void)Summarize(arts, {}, analyzer_, o, &memo);
  EXPECT_EQ(memo.hits() + memo.misses(), 4u);
}

// A story below max_articles is analysed again when it grows, but the
// vectors of its older titles and sentences come from the memo.
TEST_F(SummaryTest, MemoKeepsTheVectorsOfSentencesAlreadySeen) {
  std::vector<SummaryArticle> arts = {
      Art("a", "en", "Floods in Aldermoor", flood + rescue, "One", 100),
      Art("b", "en", "Aldermoor floods: 3,000 evacuated", flood, "Two", 200)};
  SummaryMemo memo;
  (void)Summarize(arts, {}, analyzer_, {}, &memo);  // digests 0: no story-level hit
  const size_t first_misses = memo.vector_misses(), first_hits = memo.vector_hits();
  EXPECT_GT(first_misses, 0u);  // (b repeats a's first sentences: those are hits)
  arts.push_back(Art("c", "no", "Flom i Aldermoor", rescue, "Three", 300));
  StoryIntel with_memo = Summarize(arts, {}, analyzer_, {}, &memo);
  EXPECT_GE(memo.vector_hits(), first_hits + first_misses);  // everything of a and b again
  EXPECT_EQ(EncodeStoryIntel(with_memo), EncodeStoryIntel(Summarize(arts, {}, analyzer_, {})));
  // A changed sentence is a new vector.
  const size_t misses = memo.vector_misses();
  arts[1].text = "The River Wend rose two metres overnight in Aldermoor. " + arts[1].text;
  StoryIntel changed = Summarize(arts, {}, analyzer_, {}, &memo);
  EXPECT_GT(memo.vector_misses(), misses);
  EXPECT_EQ(EncodeStoryIntel(changed), EncodeStoryIntel(Summarize(arts, {}, analyzer_, {})));
}

// A growing story below max_articles: its older articles' stored enrichment
// is decoded once and their reported statements found once.
TEST_F(SummaryTest, MemoDecodesAnArticleOnceWhileItsStoryGrows) {
  std::vector<SummaryArticle> arts = {
      Art("a", "en", "Floods in Aldermoor",
          "Mayor Ada Quill said the river would crest on Sunday. " + flood, "One", 100),
      Art("b", "en", "Aldermoor floods: 3,000 evacuated", flood, "Two", 200)};
  arts[0].intel.entities = {Person("Ada Quill", "ada quill", 2)};
  arts[0].intel.entities[0].variants = {"Ada Quill", "Quill"};
  Quote direct;  // reported speech is shown beside a direct quote of its speaker
  direct.text = "The river will crest on Sunday";
  direct.speaker = "Ada Quill";
  direct.speaker_key = "ada quill";
  arts[1].intel.quotes = {direct};
  for (size_t i = 0; i < arts.size(); ++i) {
    arts[i].intel_json = EncodeEnrichment(arts[i].intel);
    arts[i].intel = Enrichment{};
    arts[i].digest = 100 + i;
  }
  SummaryMemo memo;
  StoryIntel first = Summarize(arts, {}, analyzer_, {}, &memo);
  EXPECT_EQ(memo.decoded_hits(), 0u);
  EXPECT_EQ(memo.reported_hits(), 0u);
  auto reported = [](const StoryIntel& s) {
    return std::count_if(s.quotes.begin(), s.quotes.end(),
                         [](const StoryQuote& q) { return q.form == "reported"; });
  };
  EXPECT_EQ(reported(first), 1);

  arts.push_back(Art("c", "no", "Flom i Aldermoor", rescue, "Three", 300));
  arts[2].intel_json = EncodeEnrichment(arts[2].intel);
  arts[2].digest = 102;
  StoryIntel grown = Summarize(arts, {}, analyzer_, {}, &memo);
  EXPECT_EQ(memo.misses(), 2u);         // another set of articles: analysed again
  EXPECT_GE(memo.decoded_hits(), 2u);   // but a and b not decoded again
  EXPECT_GE(memo.reported_hits(), 2u);  // nor searched for reported speech
  EXPECT_EQ(EncodeStoryIntel(grown), EncodeStoryIntel(Summarize(arts, {}, analyzer_, {})));
  EXPECT_EQ(reported(grown), 1);
}

// A long story's timeline keeps its earliest and latest articles and says
// how many it leaves out between them.
TEST_F(SummaryTest, ALongTimelineKeepsItsEarliestAndLatestArticles) {
  std::vector<SummaryArticle> arts;
  for (int i = 0; i < 9; ++i)  // given newest first: the timeline sorts them
    arts.push_back(Art("a" + std::to_string(8 - i), "en", "Floods in Aldermoor", flood,
                       "Source " + std::to_string(i), 1000 - 10 * i));
  SummaryOptions o;
  o.timeline_first = 2;
  o.timeline_last = 3;
  StoryIntel s = Summarize(arts, {}, analyzer_, o);
  ASSERT_EQ(s.timeline.size(), 5u);
  EXPECT_EQ(s.timeline[0].article, "a0");
  EXPECT_EQ(s.timeline[1].article, "a1");
  EXPECT_EQ(s.timeline[2].article, "a6");
  EXPECT_EQ(s.timeline[4].article, "a8");
  EXPECT_EQ(s.timeline_omitted, 4u);
  EXPECT_EQ(s.timeline_omitted_after, 2u);
  EXPECT_EQ(s.sources.articles, 9);  // all counted
  const std::string j = EncodeStoryIntel(s);
  EXPECT_NE(j.find("\"timeline_omitted\":{\"after\":2,\"count\":4}"), std::string::npos) << j;
  // Short enough: all of it, nothing omitted.
  o.timeline_last = 7;
  s = Summarize(arts, {}, analyzer_, o);
  EXPECT_EQ(s.timeline.size(), 9u);
  EXPECT_EQ(s.timeline_omitted, 0u);
  EXPECT_NE(EncodeStoryIntel(s).find("\"timeline_omitted\":null"), std::string::npos);
}

TEST(SummaryMemoTest, HoldsAtMostItsVectors) {
  SummaryMemo memo(4, 4);  // two generations of two vectors
  memo.PutVector(1, {{7, 1.0f}});
  memo.PutVector(2, {{8, 1.0f}});
  memo.PutVector(3, {{9, 1.0f}});  // 1 and 2 become the previous generation
  ASSERT_NE(memo.FindVector(1), nullptr);
  memo.PutVector(4, {{10, 1.0f}});  // 3 and 1 previous; 2 dropped
  EXPECT_EQ(memo.FindVector(2), nullptr);
  ASSERT_NE(memo.FindVector(1), nullptr);
  EXPECT_EQ(memo.FindVector(1)->at(0).key, 7u);
}

TEST(SummaryMemoTest, HoldsAtMostItsEntriesAndKeepsWhatIsUsed) {
  SummaryMemo memo(4);  // two generations of two
  auto intel = [](const std::string& h) {
    StoryIntel s;
    s.headline = h;
    return s;
  };
  memo.Put(1, intel("one"));
  memo.Put(2, intel("two"));
  memo.Put(3, intel("three"));       // 1 and 2 become the previous generation
  ASSERT_NE(memo.Find(1), nullptr);  // used again: kept
  memo.Put(4, intel("four"));        // 3 and 1 previous; 2 dropped
  EXPECT_EQ(memo.Find(2), nullptr);
  ASSERT_NE(memo.Find(1), nullptr);
  EXPECT_EQ(memo.Find(1)->headline, "one");
  EXPECT_LE(memo.size(), 4u);
}

}  // namespace
}  // namespace storyline
