// Clock: where "now" comes from. Time-dependent code asks a Clock, so tests
// set the time instead of depending on the wall clock.
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>

namespace storyline {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t Now() const = 0;  // Unix seconds, UTC
};

class SystemClock final : public Clock {
 public:
  int64_t Now() const override { return static_cast<int64_t>(std::time(nullptr)); }
};

// A clock that says what it is told (tests).
class FixedClock final : public Clock {
 public:
  explicit FixedClock(int64_t t) : t_(t) {}
  int64_t Now() const override { return t_; }
  void Set(int64_t t) { t_ = t; }
  void Advance(int64_t seconds) { t_ += seconds; }

 private:
  int64_t t_;
};

// The system clock, shared.
inline std::shared_ptr<const Clock> DefaultClock() {
  static const auto clock = std::make_shared<SystemClock>();
  return clock;
}

}  // namespace storyline
