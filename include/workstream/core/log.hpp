#pragma once

#include <cstdio>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace workstream {

enum class LogLevel { debug, info, warn, error };

std::string_view toString(LogLevel level);
std::optional<LogLevel> logLevelFromString(std::string_view text);

// A context field of a log line, such as {"request_id", id}.
using LogField = std::pair<std::string_view, std::string_view>;

// Where log lines go: one JSON object per line, written whole under a lock so
// lines from many threads never interleave.
class LogSink {
 public:
  LogSink(std::FILE* out, LogLevel minimum) : out_(out), minimum_(minimum) {}
  bool enabled(LogLevel level) const { return level >= minimum_; }
  // `line` ends with its newline.
  void write(std::string_view line);

 private:
  std::mutex mutex_;
  std::FILE* out_;
  LogLevel minimum_;
};

// A logger for one service name. Cheap to copy; modules take one by value.
class Logger {
 public:
  Logger(std::shared_ptr<LogSink> sink, std::string service)
      : sink_(std::move(sink)), service_(std::move(service)) {}

  Logger withService(std::string service) const { return Logger(sink_, std::move(service)); }
  // Whether a line at `level` is written: callers check it before building
  // costly fields.
  bool enabled(LogLevel level) const { return sink_->enabled(level); }

  void log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {}) const;
  void debug(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    log(LogLevel::debug, msg, fields);
  }
  void info(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    log(LogLevel::info, msg, fields);
  }
  void warn(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    log(LogLevel::warn, msg, fields);
  }
  void error(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    log(LogLevel::error, msg, fields);
  }

 private:
  std::shared_ptr<LogSink> sink_;
  std::string service_;
};

// The JSON line for one record (without the newline); `ts` is RFC 3339 UTC
// with milliseconds.
std::string formatLogLine(std::string_view ts, LogLevel level, std::string_view service,
                          std::string_view msg, std::initializer_list<LogField> fields);

// Now as RFC 3339 UTC with milliseconds, e.g. 2026-11-22T13:45:01.123Z.
std::string nowRfc3339();

}  // namespace workstream
