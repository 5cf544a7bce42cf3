#include "workstream/core/time.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace workstream {

Timestamp systemNow() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

std::string formatRfc3339(Timestamp t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  const auto micros = (t - seconds).count();
  // fmt formats a time_point in local time; the broken-down UTC time is explicit.
  const std::tm utc = fmt::gmtime(std::chrono::system_clock::to_time_t(seconds));
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06}Z", utc, micros);
}

}  // namespace workstream
