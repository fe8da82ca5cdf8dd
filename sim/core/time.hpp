#pragma once
/// @file
/// Strong integer time types. Simulated time is an integer count of picoseconds so that clock
/// domains with unrelated periods (core, L2/NoC, DRAM) share one exact time line.
#include <compare>
#include <cstdint>
#include <limits>

namespace joulesim {

/// A span or point of simulated time in integer picoseconds.
struct Picoseconds {
  int64_t value = 0;
  constexpr auto operator<=>(const Picoseconds&) const = default;
  constexpr Picoseconds operator+(Picoseconds o) const { return {value + o.value}; }
  constexpr Picoseconds operator-(Picoseconds o) const { return {value - o.value}; }
  constexpr Picoseconds& operator+=(Picoseconds o) {
    value += o.value;
    return *this;
  }
  /// Seconds as a double, for reporting only.
  constexpr double seconds() const { return static_cast<double>(value) * 1e-12; }
  static constexpr Picoseconds max() { return {std::numeric_limits<int64_t>::max()}; }
};

/// A count of cycles of one clock domain.
struct Cycles {
  int64_t value = 0;
  constexpr auto operator<=>(const Cycles&) const = default;
  constexpr Cycles operator+(Cycles o) const { return {value + o.value}; }
  constexpr Cycles operator-(Cycles o) const { return {value - o.value}; }
};

/// Period in picoseconds of a clock of @p mhz megahertz, rounded to the nearest picosecond.
constexpr Picoseconds period_of_mhz(double mhz) { return {static_cast<int64_t>(1e6 / mhz + 0.5)}; }

}  // namespace joulesim
