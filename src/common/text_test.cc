#include "common/text.h"

#include <gtest/gtest.h>

namespace storyline {
namespace {

TEST(RepairUtf8, KeepsValidTextAndCountsNothing) {
  int n = -1;
  EXPECT_EQ(RepairUtf8("Tromsø ferje – Путин", &n), "Tromsø ferje – Путин");
  EXPECT_EQ(n, 0);
}

TEST(RepairUtf8, ReplacesEachInvalidByte) {
  int n = 0;
  // A Latin-1 'ø' (0xF8), a truncated 3-byte sequence and an overlong '/'.
  std::string out = RepairUtf8(
      "a\xF8"
      "b\xE2\x80"
      "c\xC0\xAF",
      &n);
  EXPECT_EQ(n, 5);
  EXPECT_TRUE(IsValidUtf8(out));
  EXPECT_EQ(out,
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\xEF\xBF\xBD"
            "c\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(RepairUtf8, RejectsSurrogatesAndOutOfRange) {
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // U+D800
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));   // emoji
}

TEST(ParseIsoDate, AcceptsCommonForms) {
  EXPECT_EQ(ParseIsoDate("1970-01-01"), 0);
  EXPECT_EQ(ParseIsoDate("2022-02-15"), 1644883200);
  EXPECT_EQ(ParseIsoDate("2022-02"), 1643673600);
  EXPECT_EQ(ParseIsoDate("2022-02-15T10:00:00Z"), 1644883200 + 36000);
  EXPECT_EQ(ParseIsoDate("2022-02-15T10:00:00+01:00"), 1644883200 + 32400);
  EXPECT_EQ(ParseIsoDate("2022-02-15 10:00:00.123Z"), 1644883200 + 36000);
}

TEST(ParseIsoDate, RejectsGarbage) {
  EXPECT_FALSE(ParseIsoDate(""));
  EXPECT_FALSE(ParseIsoDate("yesterday"));
  EXPECT_FALSE(ParseIsoDate("2022-13-01"));
  EXPECT_FALSE(ParseIsoDate("2022-02-15T25:00"));
  EXPECT_FALSE(ParseIsoDate("2022-02-15junk"));
}

TEST(FormatIsoDate, RoundTrips) {
  EXPECT_EQ(FormatIsoDate(*ParseIsoDate("2026-03-14T08:30:00Z")), "2026-03-14T08:30:00Z");
}

}  // namespace
}  // namespace storyline
