#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cstdio>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "workstream/core/log.hpp"

using namespace workstream;

TEST_CASE("log: a line is one JSON object with the core fields first") {
  const auto line = formatLogLine("2026-11-22T10:00:00.000Z", LogLevel::warn, "workstream-tasks",
                                  "task \"created\"\n", {{"request_id", "r-1"}, {"trace_id", ""}});
  CHECK(line.find('\n') == std::string::npos);
  const auto json = boost::json::parse(line).as_object();
  CHECK(json.at("ts") == "2026-11-22T10:00:00.000Z");
  CHECK(json.at("level") == "warn");
  CHECK(json.at("service") == "workstream-tasks");
  CHECK(json.at("msg") == "task \"created\"\n");
  CHECK(json.at("request_id") == "r-1");
  CHECK_FALSE(json.contains("trace_id"));  // empty context is left out
  CHECK(line.rfind(R"({"ts":)", 0) == 0);
}

TEST_CASE("log: timestamps are RFC 3339 UTC with milliseconds") {
  CHECK(std::regex_match(nowRfc3339(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
}

TEST_CASE("log: levels below the minimum are dropped") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  Logger log(std::make_shared<LogSink>(file, LogLevel::warn), "svc");
  log.info("hidden");
  log.error("shown", {{"event_id", "e-1"}});
  std::rewind(file);
  char buffer[512] = {};
  const auto n = std::fread(buffer, 1, sizeof buffer - 1, file);
  std::fclose(file);
  const std::string written(buffer, n);
  CHECK(written.find("hidden") == std::string::npos);
  CHECK(written.find(R"("msg":"shown","event_id":"e-1"})") != std::string::npos);
}

TEST_CASE("log: lines from many threads come out whole, each on a line of its own") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  Logger log(std::make_shared<LogSink>(file, LogLevel::info), "svc");
  const std::string big(20000, 'x');  // longer than stdio's buffer
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&log, &big, t] {
      for (int i = 0; i < 50; ++i) log.info("line", {{"thread", std::to_string(t)}, {"big", big}});
    });
  }
  for (auto& thread : threads) thread.join();
  std::fseek(file, 0, SEEK_END);
  std::string written(static_cast<std::size_t>(std::ftell(file)), '\0');
  std::rewind(file);
  REQUIRE(std::fread(written.data(), 1, written.size(), file) == written.size());
  std::fclose(file);
  std::istringstream lines(written);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    REQUIRE(boost::json::parse(line).as_object().at("big").as_string() == big);
  }
  CHECK(count == 200);
  CHECK(written.back() == '\n');
}

TEST_CASE("log: a logger says which levels it writes, so callers skip building fields") {
  Logger log(std::make_shared<LogSink>(stdout, LogLevel::info), "svc");
  CHECK_FALSE(log.enabled(LogLevel::debug));
  CHECK(log.enabled(LogLevel::info));
  CHECK(log.enabled(LogLevel::error));
  CHECK(log.withService("other").enabled(LogLevel::warn));
}

TEST_CASE("log: level names round-trip and unknown ones are refused") {
  for (auto level : {LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error}) {
    CHECK(logLevelFromString(toString(level)) == level);
  }
  CHECK_FALSE(logLevelFromString("verbose").has_value());
}
