#include "tasks/page_token.hpp"

#include <charconv>

#include "workstream/core/uuid.hpp"

namespace workstream::tasks {
namespace {

constexpr std::string_view kVersion = "c1:";
constexpr char kHex[] = "0123456789abcdef";

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string encodePageToken(const PageCursor& cursor) {
  const std::string plain = std::string(kVersion) +
                            std::to_string(cursor.createdAt.time_since_epoch().count()) + ":" +
                            cursor.id;
  std::string out;
  out.reserve(plain.size() * 2);
  for (unsigned char c : plain) {
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  }
  return out;
}

std::optional<PageCursor> decodePageToken(std::string_view token) {
  if (token.size() % 2 != 0 || token.size() > 200) return std::nullopt;
  std::string plain;
  for (std::size_t i = 0; i < token.size(); i += 2) {
    const int hi = hexValue(token[i]), lo = hexValue(token[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    plain += static_cast<char>(hi << 4 | lo);
  }
  if (!plain.starts_with(kVersion)) return std::nullopt;
  std::string_view rest = std::string_view(plain).substr(kVersion.size());
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  long long micros = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + colon, micros);
  if (ec != std::errc{} || end != rest.data() + colon) return std::nullopt;
  auto id = canonicalUuid(rest.substr(colon + 1));
  if (!id) return std::nullopt;
  return PageCursor{Timestamp(std::chrono::microseconds(micros)), *id};
}

}  // namespace workstream::tasks
