#include "workstream/core/config_values.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <charconv>

namespace workstream::config_values {

Parsed<std::string> parseUrl(std::string_view text,
                             std::initializer_list<std::string_view> schemes) {
  auto url = boost::urls::parse_uri(text);
  if (!url) return Invalid{"not a valid URL (" + url.error().message() + ")"};
  bool schemeOk = false;
  std::string expected;
  for (auto scheme : schemes) {
    schemeOk = schemeOk || url->scheme() == scheme;
    expected += (expected.empty() ? "" : " or ") + std::string(scheme) + "://";
  }
  if (!schemeOk) return Invalid{"URL must start with " + expected};
  if (url->host().empty()) return Invalid{"URL names no host"};
  if (url->has_port() && url->port_number() == 0) return Invalid{"URL has an invalid port"};
  return std::string(text);
}

Parsed<HostPort> parseHostPort(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return Invalid{"expected host:port, got \"" + std::string(text) + "\""};
  std::string_view host = text.substr(0, colon);
  const std::string_view portText = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3)
      return Invalid{"bad IPv6 address in \"" + std::string(text) + "\""};
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return Invalid{"write an IPv6 address in brackets: [::1]:port"};
  }
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
  if (ec != std::errc{} || end != portText.data() + portText.size() || port > 65535) {
    return Invalid{"invalid port \"" + std::string(portText) + "\" (expected 0-65535)"};
  }
  return HostPort{std::string(host), static_cast<std::uint16_t>(port)};
}

Parsed<std::chrono::milliseconds> parseDuration(std::string_view text) {
  long long amount = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
  const std::string_view unit(end, text.data() + text.size() - end);
  if (ec != std::errc{} || amount < 0)
    return Invalid{"invalid duration \"" + std::string(text) + "\""};
  if (unit == "ms") return std::chrono::milliseconds(amount);
  if (unit == "s") return std::chrono::seconds(amount);
  if (unit == "m") return std::chrono::minutes(amount);
  if (unit == "h") return std::chrono::hours(amount);
  return Invalid{"invalid duration \"" + std::string(text) +
                 "\" (use a unit: 500ms, 10s, 2m, 24h)"};
}

std::string formatDuration(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  if (ms == 0) return "0s";
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

Parsed<LogLevel> parseLogLevel(std::string_view text) {
  if (auto level = logLevelFromString(text)) return *level;
  return Invalid{"invalid log level \"" + std::string(text) +
                 "\" (expected debug, info, warn or error)"};
}

Parsed<int> parseInt(std::string_view text, int min, int max) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
    return Invalid{"invalid number \"" + std::string(text) + "\" (expected " + std::to_string(min) +
                   "-" + std::to_string(max) + ")"};
  }
  return value;
}

Parsed<bool> parseBool(std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return Invalid{"invalid boolean \"" + std::string(text) + "\" (expected true or false)"};
}

}  // namespace workstream::config_values
