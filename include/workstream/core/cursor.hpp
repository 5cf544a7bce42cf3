#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace workstream {

// An opaque position in a newest-first listing: `<prefix><ticks>:<id>`,
// hex-encoded. Cursors come back from clients, so decoding refuses anything
// malformed, ticks outside [minTicks, maxTicks] and an id that is not a UUID
// (returned canonical).
std::string encodeCursor(std::string_view prefix, long long ticks, std::string_view id);
std::optional<std::pair<long long, std::string>> decodeCursor(std::string_view prefix,
                                                              std::string_view hex,
                                                              long long minTicks,
                                                              long long maxTicks);

}  // namespace workstream
