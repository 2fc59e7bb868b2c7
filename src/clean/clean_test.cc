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
