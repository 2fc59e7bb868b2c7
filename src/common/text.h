// Small text and time utilities shared by every stage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace storyline {

// Returns `in` as valid UTF-8: every byte that does not start or continue a
// well-formed sequence (overlongs, surrogates, > U+10FFFF included) becomes
// U+FFFD. `*replaced` (if given) receives the number of replacements.
std::string RepairUtf8(std::string_view in, int* replaced = nullptr);

// True if `in` is well-formed UTF-8.
bool IsValidUtf8(std::string_view in);

// 64-bit xxHash of `s` with `seed`.
uint64_t Hash64(std::string_view s, uint64_t seed = 0);

// 16 lowercase hex digits.
std::string Hex64(uint64_t v);

// Parses an ISO 8601 date or date-time ("2022-02", "2022-02-15",
// "2022-02-15T10:20:30Z", "2022-02-15 10:20:30+01:00", fractional seconds
// ignored) into Unix seconds, UTC. A missing day means the 1st, a missing time
// midnight. Any four-digit year is accepted (0000-9999, as RFC 3339 allows):
// whether a date is plausible is for the caller to decide, not the parser.
// The day must exist in its month ("2022-02-30" is rejected). Returns nullopt
// for anything else.
std::optional<int64_t> ParseIsoDate(std::string_view s);

// The dates a four-digit year can write: 0000-01-01T00:00:00Z and
// 9999-12-31T23:59:59Z in Unix seconds.
inline constexpr int64_t kMinIsoSeconds = -62167219200;
inline constexpr int64_t kMaxIsoSeconds = 253402300799;

// Days in month `m` (1-12) of proleptic Gregorian year `y`; 0 if m is not a
// month.
int DaysInMonth(int64_t y, unsigned m);

// Days from 1970-01-01 to the given proleptic Gregorian date (Howard
// Hinnant's days_from_civil); m is 1-12, d 1-31. Defined for every input: `y`
// is clamped to +-2^40 (further than any int64 count of seconds reaches), so
// the arithmetic cannot overflow.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

// "2022-02-15T10:20:30Z": always a four-digit, zero-padded year
// ("0001-01-01T00:00:00Z"). Defined for every int64: times before
// kMinIsoSeconds or after kMaxIsoSeconds are clamped to those (the result is
// always a valid RFC 3339 date that ParseIsoDate reads back).
std::string FormatIsoDate(int64_t unix_seconds);

// Splits on '\n'; keeps empty lines.
std::vector<std::string_view> SplitLines(std::string_view s);

std::string_view TrimAscii(std::string_view s);

}  // namespace storyline
