#include "workstream/core/cursor.hpp"

#include <charconv>

#include "workstream/core/uuid.hpp"

namespace workstream {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr std::size_t kMaxCursorLength = 200;

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string encodeCursor(std::string_view prefix, long long ticks, std::string_view id) {
  const std::string plain = std::string(prefix) + std::to_string(ticks) + ":" + std::string(id);
  std::string out;
  out.reserve(plain.size() * 2);
  for (unsigned char c : plain) {
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  }
  return out;
}

std::optional<std::pair<long long, std::string>> decodeCursor(std::string_view prefix,
                                                              std::string_view hex,
                                                              long long minTicks,
                                                              long long maxTicks) {
  if (hex.size() % 2 != 0 || hex.size() > kMaxCursorLength) return std::nullopt;
  std::string plain;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hexValue(hex[i]), lo = hexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    plain += static_cast<char>(hi << 4 | lo);
  }
  if (!plain.starts_with(prefix)) return std::nullopt;
  const std::string_view rest = std::string_view(plain).substr(prefix.size());
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  long long ticks = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + colon, ticks);
  if (ec != std::errc{} || end != rest.data() + colon) return std::nullopt;
  if (ticks < minTicks || ticks > maxTicks) return std::nullopt;
  auto id = canonicalUuid(rest.substr(colon + 1));
  if (!id) return std::nullopt;
  return std::make_pair(ticks, *id);
}

}  // namespace workstream
