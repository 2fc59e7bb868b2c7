#include "common/text.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

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

// Issue 10: the parsers return every date a four-digit year can spell, and
// the engine decides what is plausible.
TEST(ParseIsoDate, AcceptsEveryFourDigitYear) {
  EXPECT_EQ(ParseIsoDate("9999-12-31T23:59:59Z"), 253402300799);
  EXPECT_EQ(ParseIsoDate("9999-12-31"), 253402214400);
  EXPECT_EQ(ParseIsoDate("0001-01-01"), -62135596800);
  EXPECT_EQ(ParseIsoDate("0001-01-01T00:00:00+00:00"), -62135596800);
  EXPECT_EQ(ParseIsoDate("0000-01-01T00:00:00Z"), kMinIsoSeconds);
  EXPECT_EQ(ParseIsoDate("9999-12-31T23:59:59Z"), kMaxIsoSeconds);
  EXPECT_EQ(ParseIsoDate("1000-02-29"), std::nullopt);  // not a leap year
  EXPECT_EQ(ParseIsoDate("2000-02-29"), 951782400);
}

TEST(ParseIsoDate, RejectsDaysTheMonthDoesNotHave) {
  EXPECT_FALSE(ParseIsoDate("2022-02-30"));
  EXPECT_FALSE(ParseIsoDate("2022-04-31T10:00:00Z"));
  EXPECT_FALSE(ParseIsoDate("2100-02-29"));
  EXPECT_FALSE(ParseIsoDate("10000-01-01"));
  EXPECT_FALSE(ParseIsoDate("999-01-01"));
}

TEST(DaysInMonth, LeapYearsAndBadMonths) {
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2000, 2), 29);
  EXPECT_EQ(DaysInMonth(1900, 2), 28);
  EXPECT_EQ(DaysInMonth(0, 2), 29);
  EXPECT_EQ(DaysInMonth(9999, 12), 31);
  EXPECT_EQ(DaysInMonth(2022, 0), 0);
  EXPECT_EQ(DaysInMonth(2022, 13), 0);
}

// Regression test (issue 10): years 0 and 1 printed as "0-01-01T00:00:00Z"
// and "1-01-01T00:00:00Z" (strftime's %Y does not pad).
TEST(FormatIsoDate, AlwaysFourDigitYears) {
  EXPECT_EQ(FormatIsoDate(-62135596800), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatIsoDate(kMinIsoSeconds), "0000-01-01T00:00:00Z");
  EXPECT_EQ(FormatIsoDate(*ParseIsoDate("0999-07-04T12:00:00Z")), "0999-07-04T12:00:00Z");
  EXPECT_EQ(FormatIsoDate(kMaxIsoSeconds), "9999-12-31T23:59:59Z");
  EXPECT_EQ(FormatIsoDate(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIsoDate(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatIsoDate(951782400), "2000-02-29T00:00:00Z");
}

// Regression test (issue 10): gmtime_r fails for times whose year does not
// fit an int, which left the output undefined.
TEST(FormatIsoDate, AnyInt64IsClampedToAValidDate) {
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(FormatIsoDate(kMax), "9999-12-31T23:59:59Z");
  EXPECT_EQ(FormatIsoDate(kMaxIsoSeconds + 1), "9999-12-31T23:59:59Z");
  EXPECT_EQ(FormatIsoDate(int64_t{1} << 50), "9999-12-31T23:59:59Z");
  EXPECT_EQ(FormatIsoDate(kMin), "0000-01-01T00:00:00Z");
  EXPECT_EQ(FormatIsoDate(kMin + 1), "0000-01-01T00:00:00Z");
  EXPECT_EQ(FormatIsoDate(kMinIsoSeconds - 1), "0000-01-01T00:00:00Z");
  EXPECT_EQ(FormatIsoDate(-(int64_t{1} << 50)), "0000-01-01T00:00:00Z");
}

TEST(FormatIsoDate, RoundTripsAcrossTheWholeRange) {
  // A step that is not a whole number of days or hours, so that every
  // field moves.
  const int64_t step = 9999991;
  int checked = 0;
  for (int64_t t = kMinIsoSeconds; t <= kMaxIsoSeconds; t += step, ++checked) {
    std::string s = FormatIsoDate(t);
    ASSERT_EQ(s.size(), 20u) << t;
    ASSERT_EQ(ParseIsoDate(s), t) << s;
  }
  EXPECT_GT(checked, 30000);
}

TEST(DaysFromCivil, KnownDaysAndExtremeYears) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(1, 1, 1), -719162);
  EXPECT_EQ(DaysFromCivil(9999, 12, 31), 2932896);
  // Clamped, not overflowed: still ordered, still on the right side of 1970.
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_GT(DaysFromCivil(kMax, 12, 31), DaysFromCivil(int64_t{1} << 39, 12, 31));
  EXPECT_LT(DaysFromCivil(kMin, 1, 1), DaysFromCivil(-(int64_t{1} << 39), 1, 1));
  EXPECT_EQ(DaysFromCivil(kMax, 1, 1), DaysFromCivil(int64_t{1} << 40, 1, 1));
  EXPECT_EQ(DaysFromCivil(kMin, 1, 1), DaysFromCivil(-(int64_t{1} << 40), 1, 1));
  EXPECT_LT(DaysFromCivil(kMin, 1, 1), 0);
}

}  // namespace
}  // namespace storyline
