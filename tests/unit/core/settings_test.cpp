// Each setting is declared once (src/core/config.cpp); these tests hold what
// is derived from that declaration — the README's table, config/example.env,
// `config print` — to it, and check the typed values.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "workstream/core/config.hpp"
#include "workstream/core/config_values.hpp"

using namespace workstream;

namespace {

std::string readSource(const std::string& path) {
  std::ifstream in(std::string(WORKSTREAM_SOURCE_DIR) + "/" + path);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out;
  std::stringstream in(row.substr(1));
  for (std::string cell; std::getline(in, cell, '|');) {
    cell.erase(0, cell.find_first_not_of(' '));
    cell.erase(cell.find_last_not_of(' ') + 1);
    out.push_back(cell);
  }
  return out;
}

std::string unquoted(std::string cell) {
  if (cell.size() >= 2 && cell.front() == '`' && cell.back() == '`')
    return cell.substr(1, cell.size() - 2);
  return cell;
}

// The README's "needed by" column as the declaration implies it.
std::string neededBy(const Setting& setting) {
  if (setting.env == "WORKSTREAM_TASKS_ADDR") return "gateway without tasks";
  if (setting.requiredBy == 0) return "—";
  std::string out;
  int count = 0;
  for (auto [role, name] :
       {std::pair{Role::gateway, "gateway"}, std::pair{Role::tasks, "tasks"},
        std::pair{Role::notifications, "notifications"}, std::pair{Role::mailer, "mailer"}}) {
    if ((setting.requiredBy & static_cast<std::uint8_t>(role)) == 0) continue;
    out += (out.empty() ? "" : ", ") + std::string(name);
    ++count;
  }
  return count == 4 ? "every role" : out;
}

Environment envOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

TEST_CASE("settings: the README's configuration table is the declaration") {
  std::map<std::string, std::vector<std::string>> rows;
  std::stringstream readme(readSource("README.md"));
  for (std::string line; std::getline(readme, line);) {
    if (line.rfind("| `WORKSTREAM_", 0) == 0) {
      auto row = cells(line);
      rows[unquoted(row[0])] = row;
    }
  }
  CHECK(rows.size() == settings().size());
  for (const auto& setting : settings()) {
    const std::string env(setting.env);
    INFO(env);
    REQUIRE(rows.count(env) == 1);
    const auto& row = rows[env];
    REQUIRE(row.size() == 4);
    CHECK(unquoted(row[1]) == "--" + std::string(setting.flag));
    CHECK(row[2] == neededBy(setting));
    if (!setting.defaultValue.empty()) {
      CHECK_THAT(row[3], Catch::Contains(std::string(setting.defaultValue)));
      CHECK_THAT(row[3], Catch::Contains("default"));
    }
  }
}

TEST_CASE("settings: config/example.env sets every setting, each valid") {
  std::map<std::string, std::string> vars;
  std::stringstream file(readSource("config/example.env"));
  for (std::string line; std::getline(file, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto eq = line.find('=');
    REQUIRE(eq != std::string::npos);
    vars[line.substr(0, eq)] = line.substr(eq + 1);
  }
  CHECK(vars.size() == settings().size());
  for (const auto& setting : settings()) CHECK(vars.count(std::string(setting.env)) == 1);
  const auto result = loadConfig(RoleSet::all(), envOf(vars), {});
  for (const auto& problem : result.problems) FAIL(problem.source() << ": " << problem.message);
}

TEST_CASE("settings: config print shows what loading reads back, durations in one form") {
  const std::map<std::string, std::string> vars{
      {"WORKSTREAM_OUTBOX_RETENTION", "86400000ms"},
      {"WORKSTREAM_SHUTDOWN_TIMEOUT", "1500ms"},
      {"WORKSTREAM_RETRY_BASE_DELAY", "120s"},
      {"WORKSTREAM_SMTP_STARTTLS", "try"},
  };
  const auto first = loadConfig(RoleSet{}, envOf(vars), {});
  REQUIRE(first.ok());
  std::map<std::string, std::string> printed;
  for (const auto& [name, value] : describe(first.config)) printed[name] = value;
  CHECK(printed.size() == settings().size());
  CHECK(printed["WORKSTREAM_OUTBOX_RETENTION"] == "24h");
  CHECK(printed["WORKSTREAM_SHUTDOWN_TIMEOUT"] == "1500ms");
  CHECK(printed["WORKSTREAM_RETRY_BASE_DELAY"] == "2m");
  CHECK(printed["WORKSTREAM_SMTP_STARTTLS"] == "try");
  CHECK(printed["WORKSTREAM_OUTBOX_MAX_AGE"] == "1m");  // the default, 60s
  std::erase_if(printed, [](const auto& entry) { return entry.second.empty(); });
  const auto again = loadConfig(RoleSet{}, envOf(printed), {});
  REQUIRE(again.ok());
  CHECK(describe(again.config) == describe(first.config));
}

TEST_CASE("settings: STARTTLS is one of three modes, anything else is an error") {
  for (auto [text, mode] :
       {std::pair{"off", StartTls::off}, std::pair{"try", StartTls::opportunistic},
        std::pair{"required", StartTls::required}}) {
    const auto result = loadConfig(RoleSet{}, envOf({{"WORKSTREAM_SMTP_STARTTLS", text}}), {});
    REQUIRE(result.ok());
    CHECK(result.config.smtpStartTls == mode);
  }
  for (const char* bad : {"on", "yes", "TRY", ""}) {
    INFO(bad);
    const auto result = loadConfig(RoleSet{}, envOf({{"WORKSTREAM_SMTP_STARTTLS", bad}}), {});
    if (std::string(bad).empty()) {
      CHECK(result.ok());  // empty is unset: the default, off
    } else {
      REQUIRE(result.problems.size() == 1);
      CHECK_THAT(result.problems[0].message, Catch::Contains("expected off, try or required"));
    }
  }
}

TEST_CASE("settings: a Redis URL's path must be a database number") {
  for (const char* good :
       {"redis://h:6379", "redis://h:6379/", "redis://h:6379/0", "redis://h/15"}) {
    INFO(good);
    CHECK(loadConfig(RoleSet{}, envOf({{"WORKSTREAM_REDIS_URL", good}}), {}).ok());
  }
  for (const char* bad : {"redis://h:6379/x", "redis://h:6379/1/2", "redis://h:6379/-1"}) {
    INFO(bad);
    const auto result = loadConfig(RoleSet{}, envOf({{"WORKSTREAM_REDIS_URL", bad}}), {});
    REQUIRE(result.problems.size() == 1);
    CHECK(result.problems[0].variable == "WORKSTREAM_REDIS_URL");
    CHECK_THAT(result.problems[0].message, Catch::Contains("database number"));
  }
}

TEST_CASE("settings: a bad value from a flag is reported under the flag's name") {
  const auto fromFlag = loadConfig(RoleSet{}, envOf({}), {{"WORKSTREAM_LOG_LEVEL", "loud"}});
  REQUIRE(fromFlag.problems.size() == 1);
  CHECK(fromFlag.problems[0].source() == "--log-level (WORKSTREAM_LOG_LEVEL)");
  const auto fromEnv = loadConfig(RoleSet{}, envOf({{"WORKSTREAM_LOG_LEVEL", "loud"}}), {});
  REQUIRE(fromEnv.problems.size() == 1);
  CHECK(fromEnv.problems[0].source() == "WORKSTREAM_LOG_LEVEL");
}

TEST_CASE("settings: durations print in their largest whole unit") {
  using config_values::formatDuration;
  using std::chrono::milliseconds;
  CHECK(formatDuration(milliseconds(0)) == "0s");
  CHECK(formatDuration(milliseconds(250)) == "250ms");
  CHECK(formatDuration(milliseconds(10'000)) == "10s");
  CHECK(formatDuration(milliseconds(90'000)) == "90s");
  CHECK(formatDuration(milliseconds(120'000)) == "2m");
  CHECK(formatDuration(milliseconds(86'400'000)) == "24h");
}
