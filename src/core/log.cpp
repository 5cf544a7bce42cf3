#include "workstream/core/log.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <array>
#include <boost/json/serialize.hpp>
#include <chrono>

namespace workstream {
namespace {

constexpr std::array<std::string_view, 4> kLevelNames{"debug", "info", "warn", "error"};

void appendField(std::string& out, std::string_view key, std::string_view value) {
  out += ',';
  out += boost::json::serialize(key);
  out += ':';
  out += boost::json::serialize(value);
}

}  // namespace

std::string_view toString(LogLevel level) { return kLevelNames[static_cast<std::size_t>(level)]; }

std::optional<LogLevel> logLevelFromString(std::string_view text) {
  for (std::size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == text) return static_cast<LogLevel>(i);
  }
  return std::nullopt;
}

void LogSink::write(std::string_view line) {
  std::lock_guard lock(mutex_);
  // One fwrite of the whole line: a line longer than stdio's buffer goes out
  // in one write(2) with its newline, not split from it. The flush puts the
  // line out now, so none is lost to a crash or a kill.
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

void Logger::log(LogLevel level, std::string_view msg,
                 std::initializer_list<LogField> fields) const {
  if (!sink_->enabled(level)) return;
  auto line = formatLogLine(nowRfc3339(), level, service_, msg, fields);
  line += '\n';
  sink_->write(line);
}

std::string formatLogLine(std::string_view ts, LogLevel level, std::string_view service,
                          std::string_view msg, std::initializer_list<LogField> fields) {
  std::string out;
  out.reserve(160);
  out += "{\"ts\":";
  out += boost::json::serialize(ts);
  appendField(out, "level", toString(level));
  appendField(out, "service", service);
  appendField(out, "msg", msg);
  for (const auto& [key, value] : fields) {
    if (!value.empty()) appendField(out, key, value);
  }
  out += '}';
  return out;
}

std::string nowRfc3339() {
  const auto now = std::chrono::system_clock::now();
  const auto seconds = std::chrono::floor<std::chrono::seconds>(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - seconds).count();
  const std::tm utc = fmt::gmtime(std::chrono::system_clock::to_time_t(seconds));
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", utc, ms);
}

}  // namespace workstream
