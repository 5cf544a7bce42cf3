#include "tasks/page_token.hpp"

#include <limits>

#include "workstream/core/cursor.hpp"

namespace workstream::tasks {
namespace {

constexpr std::string_view kVersion = "c1:";

}  // namespace

std::string encodePageToken(const PageCursor& cursor) {
  return encodeCursor(kVersion, cursor.createdAt.time_since_epoch().count(), cursor.id);
}

std::optional<PageCursor> decodePageToken(std::string_view token) {
  auto decoded = decodeCursor(kVersion, token, std::numeric_limits<long long>::min(),
                              std::numeric_limits<long long>::max());
  if (!decoded) return std::nullopt;
  return PageCursor{Timestamp(std::chrono::microseconds(decoded->first)),
                    std::move(decoded->second)};
}

}  // namespace workstream::tasks
