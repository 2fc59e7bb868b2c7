#include "clean/clean.h"

#include <gtest/gtest.h>

#include "common/text.h"

namespace storyline {
namespace {

Article Make(std::string title, std::string text) {
  Article a;
  a.id = "t";
  a.title = std::move(title);
  a.text = std::move(text);
  return a;
}

TEST(Clean, NormalisesToNfc) {
  // "å" as 'a' + combining ring (U+030A) becomes the precomposed U+00E5.
  CleanArticle c = Clean(Make("Ta\xCC\x8A", "a\xCC\x8A"));
  EXPECT_EQ(c.article.title, "T\xC3\xA5");
  EXPECT_EQ(c.article.text, "\xC3\xA5");
}

TEST(Clean, RepairsInvalidUtf8AndRecordsIt) {
  CleanArticle c = Clean(Make("Title", "bad \xFF byte"));
  EXPECT_EQ(c.invalid_bytes, 1);
  EXPECT_TRUE(IsValidUtf8(c.article.text));
  ASSERT_EQ(c.article.repairs.size(), 1u);
  EXPECT_EQ(c.article.repairs[0], "invalid_utf8: replaced 1 bytes");
}

TEST(Clean, RemovesNulCharactersAndRecordsIt) {
  Article a = Make(std::string("Ti\0tle", 6), std::string("a\0b", 3));
  a.id = std::string("x\0y", 3);
  CleanArticle c = Clean(a);
  EXPECT_EQ(c.article.title, "Title");
  EXPECT_EQ(c.article.text, "ab");
  EXPECT_EQ(c.article.id, "xy");
  ASSERT_EQ(c.article.repairs.size(), 1u);
  EXPECT_EQ(c.article.repairs[0], "nul: removed 3 NUL characters");
}

TEST(Clean, CollapsesWhitespace) {
  EXPECT_EQ(NormalizeWhitespace("  a \t b\xC2\xA0\xC2\xA0"
                                "c \r\n\r\n\r\n\n d  \n"),
            "a b c\n\nd");
  EXPECT_EQ(NormalizeWhitespace("x\ny"), "x\ny");
}

TEST(Clean, DropsRepeatedLinesButKeepsShortOnes) {
  std::string caption = "Mr Putin held a four-hour meeting with German Chancellor Olaf Scholz";
  CleanArticle c = Clean(
      Make("Title", caption + "\n" + caption + "\nImage: EPA\nText.\nImage: EPA\n• " + caption));
  EXPECT_EQ(c.dropped_lines, 2);
  EXPECT_EQ(c.article.text, caption + "\nImage: EPA\nText.\nImage: EPA");
  ASSERT_EQ(c.article.repairs.size(), 1u);
}

TEST(Clean, ContentHashIgnoresCaseAndWhitespace) {
  EXPECT_EQ(ContentHash("Hello World", "Some  text\nhere"),
            ContentHash("hello world", "some text here"));
  EXPECT_NE(ContentHash("Hello World", "Some text"), ContentHash("Hello World", "Other text"));
  EXPECT_NE(ContentHash("ab", "c"), ContentHash("a", "bc"));
}

}  // namespace
}  // namespace storyline

namespace storyline {
namespace {

Article Blog(std::string title, std::string text) {
  Article a;
  a.id = "blog";
  a.title = std::move(title);
  a.text = std::move(text);
  return a;
}

const char* kEntries =
    "Follow the day's events as they unfold below.\n\n"
    "Ferry refloated in Grøtsund\n\n"
    "The coastguard pulled the Fjordlyn off the rocks at high tide on Wednesday morning.\n\n"
    "Norges Bank holds press conference\n\n"
    "The governor said inflation was falling faster than expected, and more cuts may follow.\n\n"
    "Avalanche warning raised for Lyngen\n\n"
    "Forecasters raised the warning to level four after heavy snowfall overnight in the Alps.\n";

TEST(SplitLiveBlog, SplitsAMarkedLiveBlogIntoHeadedEntries) {
  auto entries = SplitLiveBlog(Blog("Live: Northern Norway news", kEntries));
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].title, "Live: Northern Norway news");
  EXPECT_EQ(entries[1].title, "Ferry refloated in Grøtsund");
  EXPECT_NE(entries[1].text.find("coastguard"), std::string::npos);
  EXPECT_EQ(entries[3].title, "Avalanche warning raised for Lyngen");
  EXPECT_EQ(entries[3].text.find("governor"), std::string::npos);
}

TEST(SplitLiveBlog, OrdinaryArticlesKeepTheirSubheadings) {
  EXPECT_TRUE(SplitLiveBlog(Blog("Northern Norway news", kEntries)).empty());
  // Marked live but with too few headed entries.
  EXPECT_TRUE(
      SplitLiveBlog(Blog("LIVE: one update", "Intro text.\n\nOnly heading here\n\nBody text."))
          .empty());
  // Declared live by metadata.
  EXPECT_EQ(SplitLiveBlog(Blog("Northern Norway news", kEntries), true).size(), 4u);
}

TEST(SplitLiveBlog, QuotesAndSentencesAreNotHeadings) {
  auto entries =
      SplitLiveBlog(Blog("Direkte: Valgkampen",
                         "Intro.\n\nFirst heading here\n\nBody one is long enough.\n\n\xE2\x80\x9C"
                         "A quote that ends the "
                         "line\xE2\x80\x9D\n\nMore body.\n\nSecond heading here\n\nBody "
                         "two.\n\nThird heading here\n\nBody three."));
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_NE(entries[1].text.find("A quote"), std::string::npos);
}

}  // namespace
}  // namespace storyline
