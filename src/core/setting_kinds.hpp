#pragma once

// How each kind of setting is read into Config and printed back: the
// functions the settings' declaration in config.cpp names. Included by
// config.cpp only.

#include <boost/url/parse.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "workstream/core/config.hpp"
#include "workstream/core/config_values.hpp"
#include "workstream/core/email.hpp"

namespace workstream::setting_kinds {

using namespace config_values;

// Stores a parsed value into the config, or returns why it could not.
using Apply = std::string (*)(Config&, const std::string&);
// The value as `config print` shows it: a form Apply reads back, passwords
// redacted.
using Show = std::string (*)(const Config&);

// Stores a parsed value in `target`, or returns why the value is invalid.
template <class T, class Target>
std::string store(Parsed<T> parsed, Target& target) {
  if (!parsed) return parsed.error().message;
  target = static_cast<Target>(std::move(*parsed));
  return {};
}

template <auto Member>
std::string applyHostPort(Config& config, const std::string& value) {
  return store(parseHostPort(value), config.*Member);
}

template <auto Member>
std::string showHostPort(const Config& config) {
  const auto& address = config.*Member;
  return address ? address->str() : std::string();
}

template <auto Member, const std::string_view&... Schemes>
std::string applyUrl(Config& config, const std::string& value) {
  return store(parseUrl(value, {Schemes...}), config.*Member);
}

template <auto Member>
std::string showUrl(const Config& config) {
  return redactUrl(config.*Member);
}

template <auto Member>
std::string showText(const Config& config) {
  return config.*Member;
}

inline std::string applyProfile(Config& config, const std::string& value) {
  if (value == "embedded") return "the embedded profile is not available yet; use \"services\"";
  if (value != "services") return "invalid profile \"" + value + "\" (expected services)";
  config.profile = value;
  return {};
}

inline std::string applyMailFrom(Config& config, const std::string& value) {
  if (!isValidEmail(value)) return "not a valid email address: \"" + value + "\"";
  config.mailFrom = value;
  return {};
}

inline std::string applyStartTls(Config& config, const std::string& value) {
  if (auto mode = startTlsFromString(value)) {
    config.smtpStartTls = *mode;
    return {};
  }
  return "invalid value \"" + value + "\" (expected off, try or required)";
}

inline std::string showStartTls(const Config& config) {
  return std::string(toString(config.smtpStartTls));
}

inline std::string applyLogLevel(Config& config, const std::string& value) {
  return store(parseLogLevel(value), config.logLevel);
}

inline std::string showLogLevel(const Config& config) {
  return std::string(toString(config.logLevel));
}

template <auto Member>
std::string applyDuration(Config& config, const std::string& value) {
  return store(parseDuration(value), config.*Member);
}

template <auto Member>
std::string showDuration(const Config& config) {
  return formatDuration(config.*Member);
}

// An int or, for byte counts, a size_t member.
template <auto Member, int Min, int Max>
std::string applyInt(Config& config, const std::string& value) {
  return store(parseInt(value, Min, Max), config.*Member);
}

template <auto Member>
std::string showInt(const Config& config) {
  return std::to_string(config.*Member);
}

template <auto Member>
std::string applyBool(Config& config, const std::string& value) {
  return store(parseBool(value), config.*Member);
}

template <auto Member>
std::string showBool(const Config& config) {
  return config.*Member ? "true" : "false";
}

inline constexpr std::string_view kPostgres = "postgres", kPostgresql = "postgresql",
                                  kAmqp = "amqp", kAmqps = "amqps", kRedis = "redis",
                                  kRediss = "rediss", kMongo = "mongodb", kSmtp = "smtp",
                                  kSmtps = "smtps";

// A Redis URL's path is its database number, or nothing for 0.
inline std::string applyRedisUrl(Config& config, const std::string& value) {
  if (auto problem = applyUrl<&Config::redisUrl, kRedis, kRediss>(config, value); !problem.empty())
    return problem;
  const auto path = boost::urls::parse_uri(value)->path();
  if (path.empty() || path == "/") return {};
  if (!parseInt(path.substr(1), 0, 1 << 20)) {
    return "the path must be a database number, like /0; got \"" + std::string(path) + "\"";
  }
  return {};
}

}  // namespace workstream::setting_kinds
