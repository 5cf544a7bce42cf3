#include "workstream/core/time.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <cctype>
#include <cstdio>

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

std::optional<Timestamp> parseRfc3339(std::string_view text) {
  int year, month, day, hour, minute, second, consumed = 0;
  const std::string s(text);
  // sscanf's %d also takes signs and spaces: every digit must be a digit.
  for (const std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  }
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                  &second, &consumed) != 6 ||
      consumed != 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't')) {
    return std::nullopt;
  }
  std::string_view rest = text.substr(19);
  std::int64_t micros = 0;
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    int digits = 0;
    while (!rest.empty() && std::isdigit(static_cast<unsigned char>(rest.front()))) {
      if (digits++ < 6) micros = micros * 10 + (rest.front() - '0');
      rest.remove_prefix(1);
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 6; ++digits) micros *= 10;
  }
  int offsetMinutes = 0;
  if (rest == "Z" || rest == "z") {
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
             std::isdigit(static_cast<unsigned char>(rest[1])) &&
             std::isdigit(static_cast<unsigned char>(rest[2])) &&
             std::isdigit(static_cast<unsigned char>(rest[4])) &&
             std::isdigit(static_cast<unsigned char>(rest[5]))) {
    const int offsetHours = (rest[1] - '0') * 10 + (rest[2] - '0');
    const int offsetMins = (rest[4] - '0') * 10 + (rest[5] - '0');
    if (offsetHours > 23 || offsetMins > 59) return std::nullopt;  // RFC 3339's time-offset
    offsetMinutes = offsetHours * 60 + offsetMins;
    if (rest[0] == '-') offsetMinutes = -offsetMinutes;
  } else {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day date{std::chrono::year(year),
                            std::chrono::month(static_cast<unsigned>(month)),
                            std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const auto at = sys_days(date) + hours(hour) + minutes(minute) + seconds(second) +
                  microseconds(micros) - minutes(offsetMinutes);
  return time_point_cast<microseconds>(at);
}

}  // namespace workstream
