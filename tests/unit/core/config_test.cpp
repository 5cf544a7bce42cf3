#include <unistd.h>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "workstream/core/config.hpp"
#include "workstream/core/config_values.hpp"

using namespace workstream;
using Vars = std::map<std::string, std::string>;

namespace {

Environment envOf(Vars vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

RoleSet roles(const char* text) { return parseRoles(text).value(); }

const Vars kAll{
    {"WORKSTREAM_POSTGRES_URL", "postgresql://ws:pg-secret@127.0.0.1:5432/ws"},
    {"WORKSTREAM_RABBITMQ_URL", "amqp://guest:mq-secret@127.0.0.1:5672/%2f"},
    {"WORKSTREAM_REDIS_URL", "redis://127.0.0.1:6379/0"},
    {"WORKSTREAM_MONGO_URL", "mongodb://127.0.0.1:27017/workstream"},
    {"WORKSTREAM_SMTP_URL", "smtp://127.0.0.1:2525"},
    {"WORKSTREAM_HTTP_ADDR", "127.0.0.1:8080"},
    {"WORKSTREAM_GRPC_ADDR", "127.0.0.1:50051"},
    {"WORKSTREAM_ADMIN_ADDR", "0.0.0.0:9090"},
    {"WORKSTREAM_MAIL_FROM", "workstream@example.com"},
};

bool names(const ConfigResult& result, const std::string& variable) {
  for (const auto& p : result.problems) {
    if (p.variable == variable) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("config: a complete environment loads for every role") {
  auto result = loadConfig(RoleSet::all(), envOf(kAll), {});
  REQUIRE(result.ok());
  const auto& c = result.config;
  CHECK(c.profile == "services");
  CHECK(c.postgresUrl == kAll.at("WORKSTREAM_POSTGRES_URL"));
  CHECK(c.adminAddr == HostPort{"0.0.0.0", 9090});
  CHECK(c.logLevel == LogLevel::info);
  CHECK(c.shutdownTimeout == std::chrono::seconds(10));
  CHECK_FALSE(c.tasksAddr.has_value());  // the gateway reaches tasks in-process
}

TEST_CASE("config: each role requires exactly what it uses, named") {
  auto gateway = loadConfig(roles("gateway"), envOf({}), {});
  CHECK(names(gateway, "WORKSTREAM_HTTP_ADDR"));
  CHECK(names(gateway, "WORKSTREAM_TASKS_ADDR"));
  CHECK(names(gateway, "WORKSTREAM_ADMIN_ADDR"));
  CHECK_FALSE(names(gateway, "WORKSTREAM_POSTGRES_URL"));
  CHECK(gateway.problems.size() == 3);

  auto mailer = loadConfig(roles("mailer"), envOf({}), {});
  CHECK(names(mailer, "WORKSTREAM_SMTP_URL"));
  CHECK(names(mailer, "WORKSTREAM_RABBITMQ_URL"));
  CHECK(names(mailer, "WORKSTREAM_REDIS_URL"));
  CHECK(names(mailer, "WORKSTREAM_MAIL_FROM"));
  CHECK_FALSE(names(mailer, "WORKSTREAM_MONGO_URL"));
  CHECK_THAT(mailer.problems.front().message, Catch::Contains("--role=mailer"));
}

TEST_CASE("config: the gateway's I/O threads default to 1 beside tasks and 2 without it") {
  auto vars = kAll;
  vars["WORKSTREAM_TASKS_ADDR"] = "127.0.0.1:50051";
  CHECK(loadConfig(RoleSet::all(), envOf(vars), {}).config.httpThreads == 1);
  CHECK(loadConfig(roles("gateway,tasks"), envOf(vars), {}).config.httpThreads == 1);
  CHECK(loadConfig(roles("gateway"), envOf(vars), {}).config.httpThreads == 2);
  vars["WORKSTREAM_HTTP_THREADS"] = "4";
  CHECK(loadConfig(RoleSet::all(), envOf(vars), {}).config.httpThreads == 4);
  CHECK(loadConfig(roles("gateway"), envOf(vars), {}).config.httpThreads == 4);
}

TEST_CASE("config: flags override the environment") {
  auto result =
      loadConfig(RoleSet::all(), envOf(kAll),
                 {{"WORKSTREAM_ADMIN_ADDR", "127.0.0.1:0"}, {"WORKSTREAM_LOG_LEVEL", "debug"}});
  REQUIRE(result.ok());
  CHECK(result.config.adminAddr == HostPort{"127.0.0.1", 0});
  CHECK(result.config.logLevel == LogLevel::debug);
}

TEST_CASE("config: invalid values are reported, every one, by variable") {
  Vars vars = kAll;
  vars["WORKSTREAM_POSTGRES_URL"] = "mysql://db/x";
  vars["WORKSTREAM_HTTP_ADDR"] = "localhost:http";
  vars["WORKSTREAM_LOG_LEVEL"] = "loud";
  vars["WORKSTREAM_SHUTDOWN_TIMEOUT"] = "10";
  vars["WORKSTREAM_PROFILE"] = "cloud";
  auto result = loadConfig(RoleSet::all(), envOf(vars), {});
  CHECK(result.problems.size() == 5);
  for (const char* name :
       {"WORKSTREAM_POSTGRES_URL", "WORKSTREAM_HTTP_ADDR", "WORKSTREAM_LOG_LEVEL",
        "WORKSTREAM_SHUTDOWN_TIMEOUT", "WORKSTREAM_PROFILE"}) {
    CHECK(names(result, name));
  }
}

TEST_CASE("config: a secret can come from a file") {
  char path[] = "/tmp/workstream-secret-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(path) << "amqp://guest:from-file@127.0.0.1:5672/%2f\n";
  Vars vars = kAll;
  vars.erase("WORKSTREAM_RABBITMQ_URL");
  vars["WORKSTREAM_RABBITMQ_URL_FILE"] = path;
  auto result = loadConfig(RoleSet::all(), envOf(vars), {});
  std::remove(path);
  REQUIRE(result.ok());
  CHECK(result.config.rabbitmqUrl == "amqp://guest:from-file@127.0.0.1:5672/%2f");
}

TEST_CASE("config: a variable and its _FILE together, or an unreadable file, are errors") {
  Vars both = kAll;
  both["WORKSTREAM_RABBITMQ_URL_FILE"] = "/dev/null";
  CHECK(names(loadConfig(RoleSet::all(), envOf(both), {}), "WORKSTREAM_RABBITMQ_URL"));

  Vars missing = kAll;
  missing.erase("WORKSTREAM_REDIS_URL");
  missing["WORKSTREAM_REDIS_URL_FILE"] = "/nonexistent/secret";
  auto result = loadConfig(RoleSet::all(), envOf(missing), {});
  REQUIRE(names(result, "WORKSTREAM_REDIS_URL"));
  CHECK_THAT(result.problems.front().message, Catch::Contains("/nonexistent/secret"));
}

TEST_CASE("config: printing redacts every password") {
  Vars vars = kAll;
  vars["WORKSTREAM_MONGO_URL"] = "mongodb://127.0.0.1:27017/ws?password=q-secret&w=1";
  auto result = loadConfig(RoleSet::all(), envOf(vars), {});
  REQUIRE(result.ok());
  std::string printed;
  for (const auto& [name, value] : describe(result.config)) printed += name + "=" + value + "\n";
  CHECK(printed.find("secret") == std::string::npos);
  CHECK_THAT(printed, Catch::Contains("postgresql://ws:REDACTED@127.0.0.1:5432/ws"));
  CHECK_THAT(printed, Catch::Contains("password=REDACTED&w=1"));
}

TEST_CASE("config values: addresses") {
  using config_values::parseHostPort;
  CHECK(parseHostPort("[::1]:80").value() == HostPort{"::1", 80});
  CHECK(parseHostPort("[::1]:80")->str() == "[::1]:80");
  for (const char* bad : {"8080", ":80", "host:", "host:65536", "::1:80", "h:-1"}) {
    INFO(bad);
    CHECK_FALSE(parseHostPort(bad).ok());
  }
  CHECK(parseHostPort("8080").error().message == "expected host:port, got \"8080\"");
  CHECK(parseHostPort("host:65536").error().message == "invalid port \"65536\" (expected 0-65535)");
  CHECK(parseHostPort("::1:80").error().message == "write an IPv6 address in brackets: [::1]:port");
}

TEST_CASE("config values: durations need a unit") {
  using config_values::parseDuration;
  CHECK(parseDuration("250ms")->count() == 250);
  CHECK(parseDuration("2m")->count() == 120000);
  CHECK(parseDuration("5").error().message ==
        "invalid duration \"5\" (use a unit: 500ms, 10s, 2m, 24h)");
  CHECK(parseDuration("-1s").error().message == "invalid duration \"-1s\"");
}

TEST_CASE("config values: numbers, booleans and log levels say what they expected") {
  using namespace config_values;
  CHECK(parseInt("7", 1, 10).value() == 7);
  CHECK(parseInt("11", 1, 10).error().message == "invalid number \"11\" (expected 1-10)");
  CHECK(parseBool("true").value());
  CHECK(parseBool("yes").error().message == "invalid boolean \"yes\" (expected true or false)");
  CHECK(parseLogLevel("warn").value() == LogLevel::warn);
  CHECK(parseLogLevel("loud").error().message ==
        "invalid log level \"loud\" (expected debug, info, warn or error)");
  CHECK(parseUrl("redis://h:6379", {"redis"}).value() == "redis://h:6379");
  CHECK(parseUrl("http://h", {"redis", "rediss"}).error().message ==
        "URL must start with redis:// or rediss://");
  CHECK(parseUrl("redis:///0", {"redis"}).error().message == "URL names no host");
}
