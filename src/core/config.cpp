#include "workstream/core/config.hpp"

#include <array>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "setting_kinds.hpp"
#include "workstream/core/config_values.hpp"

namespace workstream {
namespace {

using namespace config_values;
using namespace setting_kinds;

// One setting, declared once: its names, description, default and the roles
// that need it (the Setting), how it is parsed into Config and how it prints.
struct Spec {
  Setting setting;
  Apply apply;
  Show show;
};

constexpr std::uint8_t bits(std::initializer_list<Role> roles) {
  std::uint8_t out = 0;
  for (auto role : roles) out |= static_cast<std::uint8_t>(role);
  return out;
}

const std::array kSpecs{
    Spec{{"WORKSTREAM_PROFILE", "profile", "adapter profile: services", "services", 0},
         applyProfile,
         showText<&Config::profile>},
    Spec{{"WORKSTREAM_POSTGRES_URL",
          "postgres-url",
          "libpq URI of the tasks store",
          {},
          bits({Role::tasks})},
         applyUrl<&Config::postgresUrl, kPostgresql, kPostgres>,
         showUrl<&Config::postgresUrl>},
    Spec{{"WORKSTREAM_RABBITMQ_URL",
          "rabbitmq-url",
          "amqp://user:pass@host:port/vhost",
          {},
          bits({Role::tasks, Role::notifications, Role::mailer})},
         applyUrl<&Config::rabbitmqUrl, kAmqp, kAmqps>,
         showUrl<&Config::rabbitmqUrl>},
    Spec{{"WORKSTREAM_REDIS_URL",
          "redis-url",
          "redis://host:port/db",
          {},
          bits({Role::notifications, Role::mailer})},
         applyRedisUrl,
         showUrl<&Config::redisUrl>},
    Spec{{"WORKSTREAM_MONGO_URL",
          "mongo-url",
          "mongodb://host:port/database",
          {},
          bits({Role::notifications})},
         applyUrl<&Config::mongoUrl, kMongo>,
         showUrl<&Config::mongoUrl>},
    Spec{{"WORKSTREAM_SMTP_URL",
          "smtp-url",
          "smtp://host:port or smtps://host:port",
          {},
          bits({Role::mailer})},
         applyUrl<&Config::smtpUrl, kSmtp, kSmtps>,
         showUrl<&Config::smtpUrl>},
    Spec{{"WORKSTREAM_HTTP_ADDR",
          "http-addr",
          "gateway REST listen address, host:port",
          {},
          bits({Role::gateway})},
         applyHostPort<&Config::httpAddr>,
         showHostPort<&Config::httpAddr>},
    Spec{{"WORKSTREAM_GRPC_ADDR",
          "grpc-addr",
          "tasks gRPC listen address, host:port",
          {},
          bits({Role::tasks})},
         applyHostPort<&Config::grpcAddr>,
         showHostPort<&Config::grpcAddr>},
    // Required by a gateway without a tasks module beside it; see loadConfig.
    Spec{{"WORKSTREAM_TASKS_ADDR", "tasks-addr", "where the gateway finds tasks, host:port", {}, 0},
         applyHostPort<&Config::tasksAddr>,
         showHostPort<&Config::tasksAddr>},
    Spec{{"WORKSTREAM_ADMIN_ADDR",
          "admin-addr",
          "health, readiness and metrics address",
          {},
          bits({Role::gateway, Role::tasks, Role::notifications, Role::mailer})},
         applyHostPort<&Config::adminAddr>,
         showHostPort<&Config::adminAddr>},
    Spec{{"WORKSTREAM_LOG_LEVEL", "log-level", "debug, info, warn or error", "info", 0},
         applyLogLevel,
         showLogLevel},
    Spec{{"WORKSTREAM_SHUTDOWN_TIMEOUT", "shutdown-timeout", "drain deadline on SIGTERM, e.g. 10s",
          "10s", 0},
         applyDuration<&Config::shutdownTimeout>,
         showDuration<&Config::shutdownTimeout>},
    Spec{{"WORKSTREAM_POSTGRES_POOL_SIZE", "postgres-pool-size", "PostgreSQL connections, 1-100",
          "8", 0},
         applyInt<&Config::postgresPoolSize, 1, 100>,
         showInt<&Config::postgresPoolSize>},
    Spec{{"WORKSTREAM_POSTGRES_STATEMENT_TIMEOUT", "postgres-statement-timeout",
          "PostgreSQL statement timeout, e.g. 5s", "5s", 0},
         applyDuration<&Config::postgresStatementTimeout>,
         showDuration<&Config::postgresStatementTimeout>},
    Spec{{"WORKSTREAM_MIGRATE_ON_START", "migrate-on-start",
          "apply database migrations at startup: true or false", "false", 0},
         applyBool<&Config::migrateOnStart>,
         showBool<&Config::migrateOnStart>},
    Spec{{"WORKSTREAM_HTTP_THREADS", "http-threads",
          "gateway I/O threads, 1-64 (default 1 beside the tasks role, 2 without it)", "", 0},
         applyInt<&Config::httpThreads, 1, 64>,
         showInt<&Config::httpThreads>},
    Spec{{"WORKSTREAM_HTTP_MAX_BODY_BYTES", "http-max-body-bytes",
          "largest REST request body, 1024-16777216", "65536", 0},
         applyInt<&Config::httpMaxBodyBytes, 1024, 16 * 1024 * 1024>,
         showInt<&Config::httpMaxBodyBytes>},
    Spec{{"WORKSTREAM_HTTP_READ_TIMEOUT", "http-read-timeout",
          "time a client has to send a request, e.g. 10s", "10s", 0},
         applyDuration<&Config::httpReadTimeout>,
         showDuration<&Config::httpReadTimeout>},
    Spec{{"WORKSTREAM_TASKS_TIMEOUT", "tasks-timeout", "deadline of each call to tasks, e.g. 5s",
          "5s", 0},
         applyDuration<&Config::tasksTimeout>,
         showDuration<&Config::tasksTimeout>},
    Spec{{"WORKSTREAM_RABBITMQ_CONFIRM_TIMEOUT", "rabbitmq-confirm-timeout",
          "how long to wait for the broker's publisher confirms", "5s", 0},
         applyDuration<&Config::rabbitmqConfirmTimeout>,
         showDuration<&Config::rabbitmqConfirmTimeout>},
    Spec{{"WORKSTREAM_OUTBOX_BATCH_SIZE", "outbox-batch-size", "events per relay batch, 1-1000",
          "100", 0},
         applyInt<&Config::outboxBatchSize, 1, 1000>,
         showInt<&Config::outboxBatchSize>},
    Spec{{"WORKSTREAM_OUTBOX_POLL_INTERVAL", "outbox-poll-interval",
          "relay poll when no NOTIFY arrives", "1s", 0},
         applyDuration<&Config::outboxPollInterval>,
         showDuration<&Config::outboxPollInterval>},
    Spec{{"WORKSTREAM_OUTBOX_MAX_AGE", "outbox-max-age",
          "not ready while an unpublished event is older", "60s", 0},
         applyDuration<&Config::outboxMaxAge>,
         showDuration<&Config::outboxMaxAge>},
    Spec{{"WORKSTREAM_OUTBOX_RETENTION", "outbox-retention", "keep published events this long",
          "24h", 0},
         applyDuration<&Config::outboxRetention>,
         showDuration<&Config::outboxRetention>},
    Spec{{"WORKSTREAM_RETRY_MAX_ATTEMPTS", "retry-max-attempts",
          "deliveries of a failing message before the DLQ, 1-20", "5", 0},
         applyInt<&Config::retryMaxAttempts, 1, 20>,
         showInt<&Config::retryMaxAttempts>},
    Spec{{"WORKSTREAM_RETRY_BASE_DELAY", "retry-base-delay", "first retry delay; doubles each time",
          "1s", 0},
         applyDuration<&Config::retryBaseDelay>,
         showDuration<&Config::retryBaseDelay>},
    Spec{{"WORKSTREAM_CONSUMER_PREFETCH", "consumer-prefetch", "unacked deliveries per consumer",
          "256", 0},
         applyInt<&Config::consumerPrefetch, 1, 1000>,
         showInt<&Config::consumerPrefetch>},
    Spec{{"WORKSTREAM_CONSUMER_CONCURRENCY", "consumer-concurrency",
          "handler threads per consumer, at most", "4", 0},
         applyInt<&Config::consumerConcurrency, 1, 64>,
         showInt<&Config::consumerConcurrency>},
    Spec{{"WORKSTREAM_MAIL_FROM",
          "mail-from",
          "the From address of every mail",
          {},
          bits({Role::mailer})},
         applyMailFrom,
         showText<&Config::mailFrom>},
    Spec{{"WORKSTREAM_MAIL_MAX_BODY_BYTES", "mail-max-body-bytes", "largest mail body", "1048576",
          0},
         applyInt<&Config::mailMaxBodyBytes, 1, 16 * 1024 * 1024>,
         showInt<&Config::mailMaxBodyBytes>},
    Spec{{"WORKSTREAM_SMTP_STARTTLS", "smtp-starttls", "STARTTLS: off, try or required", "off", 0},
         applyStartTls,
         showStartTls},
    Spec{{"WORKSTREAM_SMTP_TIMEOUT", "smtp-timeout", "connect and send timeout per mail", "10s", 0},
         applyDuration<&Config::smtpTimeout>,
         showDuration<&Config::smtpTimeout>},
};

const std::array<Setting, kSpecs.size()> kSettings = [] {
  std::array<Setting, kSpecs.size()> out{};
  for (std::size_t i = 0; i < kSpecs.size(); ++i) out[i] = kSpecs[i].setting;
  return out;
}();

std::string trimNewline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

struct Raw {
  std::optional<std::string> value;
  std::string problem;
  bool fromFlag = false;
};

// Flag, then variable, then the file named by `<variable>_FILE`.
Raw readRaw(const std::string& name, const Environment& env,
            const std::map<std::string, std::string>& flags) {
  if (auto it = flags.find(name); it != flags.end()) return {it->second, {}, true};
  auto direct = env(name);
  auto file = env(name + "_FILE");
  if (direct && file) return {{}, "set either " + name + " or " + name + "_FILE, not both"};
  if (direct) return {direct, {}};
  if (!file) return {};
  std::ifstream in(*file);
  if (!in) return {{}, "cannot read " + name + "_FILE \"" + *file + "\""};
  std::ostringstream content;
  content << in.rdbuf();
  return {trimNewline(content.str()), {}};
}

}  // namespace

std::string_view toString(StartTls mode) {
  switch (mode) {
    case StartTls::off:
      return "off";
    case StartTls::opportunistic:
      return "try";
    case StartTls::required:
      return "required";
  }
  return "off";
}

std::optional<StartTls> startTlsFromString(std::string_view text) {
  for (auto mode : {StartTls::off, StartTls::opportunistic, StartTls::required}) {
    if (text == toString(mode)) return mode;
  }
  return std::nullopt;
}

std::string HostPort::str() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::span<const Setting> settings() { return kSettings; }

Environment processEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

ConfigResult loadConfig(const RoleSet& roles, const Environment& env,
                        const std::map<std::string, std::string>& flags) {
  ConfigResult result;
  std::uint8_t hosted = 0;
  for (auto role : {Role::gateway, Role::tasks, Role::notifications, Role::mailer}) {
    if (roles.has(role)) hosted |= static_cast<std::uint8_t>(role);
  }
  // A gateway beside a tasks module talks to it in-process.
  const bool needsTasksAddr = roles.has(Role::gateway) && !roles.has(Role::tasks);

  for (const auto& spec : kSpecs) {
    const std::string name(spec.setting.env);
    auto raw = readRaw(name, env, flags);
    if (!raw.problem.empty()) {
      result.problems.push_back({name, raw.problem});
      continue;
    }
    if (raw.value && raw.value->empty()) raw.value.reset();
    if (!raw.value && !spec.setting.defaultValue.empty())
      raw.value = std::string(spec.setting.defaultValue);
    // Beside tasks, each I/O thread sends its reads to Postgres in one
    // pipeline, so a second thread halves the batches; a gateway alone
    // spends more per request on gRPC, and a second thread pays.
    if (!raw.value && name == "WORKSTREAM_HTTP_THREADS")
      raw.value = roles.has(Role::tasks) ? "1" : "2";
    if (!raw.value) {
      const bool required = (spec.setting.requiredBy & hosted) != 0 ||
                            (name == "WORKSTREAM_TASKS_ADDR" && needsTasksAddr);
      if (required) {
        result.problems.push_back({name, "is required by --role=" + roles.str() + " but not set"});
      }
      continue;
    }
    if (auto problem = spec.apply(result.config, *raw.value); !problem.empty()) {
      const auto flag = raw.fromFlag ? "--" + std::string(spec.setting.flag) : std::string();
      result.problems.push_back({name, problem, flag});
    }
  }
  return result;
}

std::vector<std::pair<std::string, std::string>> describe(const Config& config) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& spec : kSpecs) out.emplace_back(spec.setting.env, spec.show(config));
  return out;
}

std::string redactUrl(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return text.empty() ? std::string() : "REDACTED";
  boost::urls::url url(*parsed);
  if (url.has_password()) url.set_password("REDACTED");
  auto params = url.params();
  for (auto it = params.begin(); it != params.end(); ++it) {
    if ((*it).key == "password") it = params.replace(it, {"password", "REDACTED"});
  }
  return std::string(url.buffer());
}

}  // namespace workstream
