#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "workstream/core/log.hpp"
#include "workstream/core/roles.hpp"

namespace workstream {

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
  std::string str() const;
  bool operator==(const HostPort&) const = default;
};

// How the mailer asks for TLS on a plain SMTP connection.
enum class StartTls { off, opportunistic, required };
std::string_view toString(StartTls mode);  // off, try, required
std::optional<StartTls> startTlsFromString(std::string_view text);

// The validated settings of one process. URLs are empty and addresses unset
// when the hosted roles do not need them and nobody set them.
struct Config {
  std::string profile;
  std::string postgresUrl;
  std::string rabbitmqUrl;
  std::string redisUrl;
  std::string mongoUrl;
  std::string smtpUrl;
  std::optional<HostPort> httpAddr;
  std::optional<HostPort> grpcAddr;
  std::optional<HostPort> tasksAddr;
  std::optional<HostPort> adminAddr;
  LogLevel logLevel = LogLevel::info;
  std::chrono::milliseconds shutdownTimeout{0};
  int postgresPoolSize = 0;
  std::chrono::milliseconds postgresStatementTimeout{0};
  bool migrateOnStart = false;
  int httpThreads = 0;
  std::size_t httpMaxBodyBytes = 0;
  std::chrono::milliseconds httpReadTimeout{0};
  std::chrono::milliseconds tasksTimeout{0};
  std::chrono::milliseconds rabbitmqConfirmTimeout{0};
  int outboxBatchSize = 0;
  std::chrono::milliseconds outboxPollInterval{0};
  std::chrono::milliseconds outboxMaxAge{0};
  std::chrono::milliseconds outboxRetention{0};
  int retryMaxAttempts = 0;
  std::chrono::milliseconds retryBaseDelay{0};
  int consumerPrefetch = 0;
  int consumerConcurrency = 0;
  std::string mailFrom;
  std::size_t mailMaxBodyBytes = 0;
  StartTls smtpStartTls = StartTls::off;
  std::chrono::milliseconds smtpTimeout{0};
};

// One setting: the environment variable that carries it and the flag that
// overrides it (secrets may also come from `<env>_FILE`), what it means, its
// default, and the roles that cannot start without it.
struct Setting {
  std::string_view env;
  std::string_view flag;
  std::string_view help;
  std::string_view defaultValue;  // empty: none; the roles that need it must be given it
  std::uint8_t requiredBy = 0;    // Role bits
};
// Every setting, in the order `config print` and `--help` list them.
std::span<const Setting> settings();

// Looks up an environment variable; tests pass a map instead of the process's.
using Environment = std::function<std::optional<std::string>(const std::string& name)>;
Environment processEnvironment();

struct ConfigProblem {
  std::string variable;
  std::string message;
  std::string flag;  // set when the value came from this flag, e.g. --log-level
  // "--log-level (WORKSTREAM_LOG_LEVEL)" for a flag's value, else the variable.
  std::string source() const { return flag.empty() ? variable : flag + " (" + variable + ")"; }
};

struct ConfigResult {
  Config config;
  std::vector<ConfigProblem> problems;
  bool ok() const { return problems.empty(); }
};

// Reads each setting from its flag, else its variable, else `<variable>_FILE`,
// validates it, and checks that the hosted roles have every setting they
// need. Every problem is reported, each naming its variable; nothing is
// guessed. `flags` is keyed by variable name.
ConfigResult loadConfig(const RoleSet& roles, const Environment& env,
                        const std::map<std::string, std::string>& flags);

// The effective settings as (variable, value) pairs, passwords redacted.
std::vector<std::pair<std::string, std::string>> describe(const Config& config);

// The URL with any password (in the userinfo or a `password` query
// parameter) replaced by "REDACTED".
std::string redactUrl(std::string_view url);

}  // namespace workstream
