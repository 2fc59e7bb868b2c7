#include "common/text.h"

#include <xxhash.h>

#include <algorithm>
#include <cstdio>

namespace storyline {

namespace {

// Length of the well-formed UTF-8 sequence at s[i], or 0 if there is none.
size_t ValidSequenceLength(std::string_view s, size_t i) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  unsigned char c = p[i];
  if (c < 0x80) return 1;
  auto cont = [&](size_t k) { return i + k < n && (p[i + k] & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    unsigned char c1 = p[i + 1];
    if (c == 0xE0 && c1 < 0xA0) return 0;  // overlong
    if (c == 0xED && c1 > 0x9F) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    unsigned char c1 = p[i + 1];
    if (c == 0xF0 && c1 < 0x90) return 0;  // overlong
    if (c == 0xF4 && c1 > 0x8F) return 0;  // > U+10FFFF
    return 4;
  }
  return 0;
}

bool ReadDigits(std::string_view s, size_t& i, int count, int& out) {
  if (i + count > s.size()) return false;
  int v = 0;
  for (int k = 0; k < count; ++k) {
    char c = s[i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  i += count;
  out = v;
  return true;
}

bool IsLeapYear(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

// Howard Hinnant's civil_from_days, for |days| within the range FormatIsoDate
// clamps to.
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

}  // namespace

int DaysInMonth(int64_t y, unsigned m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12) return 0;
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  // Keep every step in range: era * 146097 and y - 399 cannot overflow for
  // |y| <= 2^40, and no int64 count of seconds is further than that from 1970.
  constexpr int64_t kMaxYear = int64_t{1} << 40;
  y = std::clamp(y, -kMaxYear, kMaxYear);
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::string RepairUtf8(std::string_view in, int* replaced) {
  std::string out;
  out.reserve(in.size());
  int bad = 0;
  for (size_t i = 0; i < in.size();) {
    size_t len = ValidSequenceLength(in, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++bad;
      ++i;
    } else {
      out.append(in.data() + i, len);
      i += len;
    }
  }
  if (replaced) *replaced = bad;
  return out;
}

bool IsValidUtf8(std::string_view in) {
  for (size_t i = 0; i < in.size();) {
    size_t len = ValidSequenceLength(in, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

uint64_t Hash64(std::string_view s, uint64_t seed) { return XXH64(s.data(), s.size(), seed); }

std::string Hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::optional<int64_t> ParseIsoDate(std::string_view s) {
  s = TrimAscii(s);
  size_t i = 0;
  int y = 0, mo = 1, d = 1, h = 0, mi = 0, sec = 0;
  if (!ReadDigits(s, i, 4, y)) return std::nullopt;
  if (i == s.size() || s[i] != '-') return std::nullopt;
  ++i;
  if (!ReadDigits(s, i, 2, mo) || mo < 1 || mo > 12) return std::nullopt;
  if (i < s.size() && s[i] == '-') {
    ++i;
    if (!ReadDigits(s, i, 2, d) || d < 1 || d > DaysInMonth(y, static_cast<unsigned>(mo)))
      return std::nullopt;
    if (i < s.size() && (s[i] == 'T' || s[i] == ' ')) {
      ++i;
      if (!ReadDigits(s, i, 2, h) || h > 23) return std::nullopt;
      if (i >= s.size() || s[i] != ':') return std::nullopt;
      ++i;
      if (!ReadDigits(s, i, 2, mi) || mi > 59) return std::nullopt;
      if (i < s.size() && s[i] == ':') {
        ++i;
        if (!ReadDigits(s, i, 2, sec) || sec > 60) return std::nullopt;
        if (i < s.size() && s[i] == '.') {
          ++i;
          while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        }
      }
    }
  }
  int64_t offset = 0;
  if (i < s.size()) {
    if (s[i] == 'Z' || s[i] == 'z') {
      ++i;
    } else if (s[i] == '+' || s[i] == '-') {
      int sign = s[i] == '+' ? 1 : -1;
      ++i;
      int oh = 0, om = 0;
      if (!ReadDigits(s, i, 2, oh)) return std::nullopt;
      if (i < s.size() && s[i] == ':') ++i;
      if (i < s.size() && !ReadDigits(s, i, 2, om)) return std::nullopt;
      offset = sign * (oh * 3600 + om * 60);
    }
  }
  if (i != s.size()) return std::nullopt;
  int64_t days = DaysFromCivil(y, mo, d);
  return days * 86400 + h * 3600 + mi * 60 + sec - offset;
}

std::string FormatIsoDate(int64_t t) {
  t = std::clamp(t, kMinIsoSeconds, kMaxIsoSeconds);
  // Floor division: -1 is 1969-12-31T23:59:59Z.
  int64_t days = t / 86400;
  int64_t secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(y), m, d,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

std::vector<std::string_view> SplitLines(std::string_view s) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string_view::npos) {
      lines.push_back(s.substr(start));
      break;
    }
    lines.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

std::string_view TrimAscii(std::string_view s) {
  size_t b = 0, e = s.size();
  auto ws = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
  };
  while (b < e && ws(s[b])) ++b;
  while (e > b && ws(s[e - 1])) --e;
  return s.substr(b, e - b);
}

}  // namespace storyline
