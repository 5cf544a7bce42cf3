#pragma once

#include <sys/time.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace workstream {

// Instants as Postgres keeps them: microseconds since the epoch, UTC.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;
// The source of "now"; tests pass a fake one.
using Clock = std::function<Timestamp()>;

Timestamp systemNow();
// RFC 3339 in UTC with microseconds, e.g. 2026-11-22T13:45:01.123456Z.
std::string formatRfc3339(Timestamp t);
// Parses RFC 3339 ("2026-11-22T13:45:01Z", fractions and offsets allowed).
std::optional<Timestamp> parseRfc3339(std::string_view text);

// A timeout as the C drivers (rabbitmq-c, hiredis) take it.
inline timeval toTimeval(std::chrono::milliseconds ms) {
  return {static_cast<time_t>(ms.count() / 1000),
          static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

}  // namespace workstream
