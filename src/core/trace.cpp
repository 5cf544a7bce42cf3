#include "workstream/core/trace.hpp"

#include <algorithm>

#include "workstream/core/random.hpp"

namespace workstream {
namespace {

bool isLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool allZero(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

// `digits` random lowercase hex digits, not all zero; a multiple of 16.
std::string randomHex(std::size_t digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(digits, '0');
  do {
    for (std::size_t at = 0; at < digits; at += 16) {
      auto bits = random64();
      for (std::size_t i = 0; i < 16; ++i, bits >>= 4) hex[at + i] = kHex[bits & 0x0f];
    }
  } while (allZero(hex));
  return hex;
}

}  // namespace

std::optional<TraceParent> parseTraceparent(std::string_view h) {
  // version(2) - trace id(32) - span id(16) - flags(2)
  if (h.size() != 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  const auto version = h.substr(0, 2), trace = h.substr(3, 32), span = h.substr(36, 16),
             flags = h.substr(53, 2);
  if (!isLowerHex(version) || version == "ff" || !isLowerHex(trace) || !isLowerHex(span) ||
      !isLowerHex(flags) || allZero(trace) || allZero(span)) {
    return std::nullopt;
  }
  return TraceParent{std::string(trace), std::string(span), std::string(flags)};
}

std::string formatTraceparent(const TraceParent& p) {
  return "00-" + p.traceId + "-" + p.spanId + "-" + p.flags;
}

TraceParent newTraceParent() { return {randomHex(32), randomHex(16), "01"}; }

TraceParent childOf(const TraceParent& parent) {
  return {parent.traceId, randomHex(16), parent.flags};
}

}  // namespace workstream
