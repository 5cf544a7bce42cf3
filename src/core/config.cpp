#include "workstream/core/config.hpp"

#include <array>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "workstream/core/config_values.hpp"
#include "workstream/core/email.hpp"

namespace workstream {
namespace {

using namespace config_values;

// Stores a parsed value into the config, or returns why it could not.
using Apply = std::string (*)(Config&, const std::string&);

// Stores a parsed value in `target`, or returns why the value is invalid.
template <class T, class Target>
std::string store(Parsed<T> parsed, Target& target) {
  if (auto* error = std::get_if<Invalid>(&parsed)) return error->message;
  target = static_cast<Target>(std::get<T>(std::move(parsed)));
  return {};
}

template <auto Member>
std::string applyHostPort(Config& config, const std::string& value) {
  return store(parseHostPort(value), config.*Member);
}

template <auto Member, const std::string_view&... Schemes>
std::string applyUrl(Config& config, const std::string& value) {
  return store(parseUrl(value, {Schemes...}), config.*Member);
}

std::string applyProfile(Config& config, const std::string& value) {
  if (value == "embedded") return "the embedded profile is not available yet; use \"services\"";
  if (value != "services") return "invalid profile \"" + value + "\" (expected services)";
  config.profile = value;
  return {};
}

std::string applyMailFrom(Config& config, const std::string& value) {
  if (!isValidEmail(value)) return "not a valid email address: \"" + value + "\"";
  config.mailFrom = value;
  return {};
}

std::string applyStartTls(Config& config, const std::string& value) {
  if (value != "off" && value != "try" && value != "required") {
    return "invalid value \"" + value + "\" (expected off, try or required)";
  }
  config.smtpStartTls = value;
  return {};
}

std::string applyLogLevel(Config& config, const std::string& value) {
  return store(parseLogLevel(value), config.logLevel);
}

template <auto Member>
std::string applyDuration(Config& config, const std::string& value) {
  return store(parseDuration(value), config.*Member);
}

// An int or, for byte counts, a size_t member.
template <auto Member, int Min, int Max>
std::string applyInt(Config& config, const std::string& value) {
  return store(parseInt(value, Min, Max), config.*Member);
}

template <auto Member>
std::string applyBool(Config& config, const std::string& value) {
  return store(parseBool(value), config.*Member);
}

constexpr std::string_view kPostgres = "postgres", kPostgresql = "postgresql", kAmqp = "amqp",
                           kAmqps = "amqps", kRedis = "redis", kRediss = "rediss",
                           kMongo = "mongodb", kSmtp = "smtp", kSmtps = "smtps";

struct Spec {
  Setting setting;
  Apply apply;
  const char* defaultValue;  // nullptr: no default, the roles that need it must be given it
  std::uint8_t requiredBy;   // Role bits
};

constexpr std::uint8_t bits(std::initializer_list<Role> roles) {
  std::uint8_t out = 0;
  for (auto role : roles) out |= static_cast<std::uint8_t>(role);
  return out;
}

const std::array kSpecs{
    Spec{{"WORKSTREAM_PROFILE", "profile", "adapter profile: services"},
         applyProfile,
         "services",
         0},
    Spec{{"WORKSTREAM_POSTGRES_URL", "postgres-url", "libpq URI of the tasks store"},
         applyUrl<&Config::postgresUrl, kPostgresql, kPostgres>,
         nullptr,
         bits({Role::tasks})},
    Spec{{"WORKSTREAM_RABBITMQ_URL", "rabbitmq-url", "amqp://user:pass@host:port/vhost"},
         applyUrl<&Config::rabbitmqUrl, kAmqp, kAmqps>,
         nullptr,
         bits({Role::tasks, Role::notifications, Role::mailer})},
    Spec{{"WORKSTREAM_REDIS_URL", "redis-url", "redis://host:port/db"},
         applyUrl<&Config::redisUrl, kRedis, kRediss>,
         nullptr,
         bits({Role::notifications, Role::mailer})},
    Spec{{"WORKSTREAM_MONGO_URL", "mongo-url", "mongodb://host:port/database"},
         applyUrl<&Config::mongoUrl, kMongo>,
         nullptr,
         bits({Role::notifications})},
    Spec{{"WORKSTREAM_SMTP_URL", "smtp-url", "smtp://host:port or smtps://host:port"},
         applyUrl<&Config::smtpUrl, kSmtp, kSmtps>,
         nullptr,
         bits({Role::mailer})},
    Spec{{"WORKSTREAM_HTTP_ADDR", "http-addr", "gateway REST listen address, host:port"},
         applyHostPort<&Config::httpAddr>,
         nullptr,
         bits({Role::gateway})},
    Spec{{"WORKSTREAM_GRPC_ADDR", "grpc-addr", "tasks gRPC listen address, host:port"},
         applyHostPort<&Config::grpcAddr>,
         nullptr,
         bits({Role::tasks})},
    // Required by a gateway without a tasks module beside it; see loadConfig.
    Spec{{"WORKSTREAM_TASKS_ADDR", "tasks-addr", "where the gateway finds tasks, host:port"},
         applyHostPort<&Config::tasksAddr>,
         nullptr,
         0},
    Spec{{"WORKSTREAM_ADMIN_ADDR", "admin-addr", "health, readiness and metrics address"},
         applyHostPort<&Config::adminAddr>,
         nullptr,
         bits({Role::gateway, Role::tasks, Role::notifications, Role::mailer})},
    Spec{{"WORKSTREAM_LOG_LEVEL", "log-level", "debug, info, warn or error"},
         applyLogLevel,
         "info",
         0},
    Spec{{"WORKSTREAM_SHUTDOWN_TIMEOUT", "shutdown-timeout", "drain deadline on SIGTERM, e.g. 10s"},
         applyDuration<&Config::shutdownTimeout>,
         "10s",
         0},
    Spec{{"WORKSTREAM_POSTGRES_POOL_SIZE", "postgres-pool-size", "PostgreSQL connections, 1-100"},
         applyInt<&Config::postgresPoolSize, 1, 100>,
         "8",
         0},
    Spec{{"WORKSTREAM_POSTGRES_STATEMENT_TIMEOUT", "postgres-statement-timeout",
          "PostgreSQL statement timeout, e.g. 5s"},
         applyDuration<&Config::postgresStatementTimeout>,
         "5s",
         0},
    Spec{{"WORKSTREAM_MIGRATE_ON_START", "migrate-on-start",
          "apply database migrations at startup: true or false"},
         applyBool<&Config::migrateOnStart>,
         "false",
         0},
    Spec{{"WORKSTREAM_HTTP_THREADS", "http-threads", "gateway I/O threads, 1-64"},
         applyInt<&Config::httpThreads, 1, 64>,
         "2",
         0},
    Spec{{"WORKSTREAM_HTTP_MAX_BODY_BYTES", "http-max-body-bytes",
          "largest REST request body, 1024-16777216"},
         applyInt<&Config::httpMaxBodyBytes, 1024, 16 * 1024 * 1024>,
         "65536",
         0},
    Spec{{"WORKSTREAM_HTTP_READ_TIMEOUT", "http-read-timeout",
          "time a client has to send a request, e.g. 10s"},
         applyDuration<&Config::httpReadTimeout>,
         "10s",
         0},
    Spec{{"WORKSTREAM_TASKS_TIMEOUT", "tasks-timeout", "deadline of each call to tasks, e.g. 5s"},
         applyDuration<&Config::tasksTimeout>,
         "5s",
         0},
    Spec{{"WORKSTREAM_RABBITMQ_CONFIRM_TIMEOUT", "rabbitmq-confirm-timeout",
          "how long to wait for the broker's publisher confirms"},
         applyDuration<&Config::rabbitmqConfirmTimeout>,
         "5s",
         0},
    Spec{{"WORKSTREAM_OUTBOX_BATCH_SIZE", "outbox-batch-size", "events per relay batch, 1-1000"},
         applyInt<&Config::outboxBatchSize, 1, 1000>,
         "100",
         0},
    Spec{{"WORKSTREAM_OUTBOX_POLL_INTERVAL", "outbox-poll-interval",
          "relay poll when no NOTIFY arrives"},
         applyDuration<&Config::outboxPollInterval>,
         "1s",
         0},
    Spec{{"WORKSTREAM_OUTBOX_MAX_AGE", "outbox-max-age",
          "not ready while an unpublished event is older"},
         applyDuration<&Config::outboxMaxAge>,
         "60s",
         0},
    Spec{{"WORKSTREAM_OUTBOX_RETENTION", "outbox-retention", "keep published events this long"},
         applyDuration<&Config::outboxRetention>,
         "24h",
         0},
    Spec{{"WORKSTREAM_RETRY_MAX_ATTEMPTS", "retry-max-attempts",
          "deliveries of a failing message before the DLQ, 1-20"},
         applyInt<&Config::retryMaxAttempts, 1, 20>,
         "5",
         0},
    Spec{
        {"WORKSTREAM_RETRY_BASE_DELAY", "retry-base-delay", "first retry delay; doubles each time"},
        applyDuration<&Config::retryBaseDelay>,
        "1s",
        0},
    Spec{{"WORKSTREAM_CONSUMER_PREFETCH", "consumer-prefetch", "unacked deliveries per consumer"},
         applyInt<&Config::consumerPrefetch, 1, 1000>,
         "16",
         0},
    Spec{
        {"WORKSTREAM_CONSUMER_CONCURRENCY", "consumer-concurrency", "handler threads per consumer"},
        applyInt<&Config::consumerConcurrency, 1, 64>,
        "4",
        0},
    Spec{{"WORKSTREAM_MAIL_FROM", "mail-from", "the From address of every mail"},
         applyMailFrom,
         nullptr,
         bits({Role::mailer})},
    Spec{{"WORKSTREAM_MAIL_MAX_BODY_BYTES", "mail-max-body-bytes", "largest mail body"},
         applyInt<&Config::mailMaxBodyBytes, 1, 16 * 1024 * 1024>,
         "1048576",
         0},
    Spec{{"WORKSTREAM_SMTP_STARTTLS", "smtp-starttls", "STARTTLS: off, try or required"},
         applyStartTls,
         "off",
         0},
    Spec{{"WORKSTREAM_SMTP_TIMEOUT", "smtp-timeout", "connect and send timeout per mail"},
         applyDuration<&Config::smtpTimeout>,
         "10s",
         0},
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
};

// Flag, then variable, then the file named by `<variable>_FILE`.
Raw readRaw(const std::string& name, const Environment& env,
            const std::map<std::string, std::string>& flags) {
  if (auto it = flags.find(name); it != flags.end()) return {it->second, {}};
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
    if (!raw.value && spec.defaultValue) raw.value = spec.defaultValue;
    if (!raw.value) {
      const bool required =
          (spec.requiredBy & hosted) != 0 || (name == "WORKSTREAM_TASKS_ADDR" && needsTasksAddr);
      if (required) {
        result.problems.push_back({name, "is required by --role=" + roles.str() + " but not set"});
      }
      continue;
    }
    if (auto problem = spec.apply(result.config, *raw.value); !problem.empty()) {
      result.problems.push_back({name, problem});
    }
  }
  return result;
}

std::vector<std::pair<std::string, std::string>> describe(const Config& config) {
  auto ms = [](std::chrono::milliseconds d) { return std::to_string(d.count()) + "ms"; };
  auto addr = [](const std::optional<HostPort>& a) { return a ? a->str() : std::string(); };
  std::string level(toString(config.logLevel));
  return {
      {"WORKSTREAM_PROFILE", config.profile},
      {"WORKSTREAM_POSTGRES_URL", redactUrl(config.postgresUrl)},
      {"WORKSTREAM_RABBITMQ_URL", redactUrl(config.rabbitmqUrl)},
      {"WORKSTREAM_REDIS_URL", redactUrl(config.redisUrl)},
      {"WORKSTREAM_MONGO_URL", redactUrl(config.mongoUrl)},
      {"WORKSTREAM_SMTP_URL", redactUrl(config.smtpUrl)},
      {"WORKSTREAM_HTTP_ADDR", addr(config.httpAddr)},
      {"WORKSTREAM_GRPC_ADDR", addr(config.grpcAddr)},
      {"WORKSTREAM_TASKS_ADDR", addr(config.tasksAddr)},
      {"WORKSTREAM_ADMIN_ADDR", addr(config.adminAddr)},
      {"WORKSTREAM_LOG_LEVEL", level},
      {"WORKSTREAM_SHUTDOWN_TIMEOUT", std::to_string(config.shutdownTimeout.count()) + "ms"},
      {"WORKSTREAM_POSTGRES_POOL_SIZE", std::to_string(config.postgresPoolSize)},
      {"WORKSTREAM_POSTGRES_STATEMENT_TIMEOUT",
       std::to_string(config.postgresStatementTimeout.count()) + "ms"},
      {"WORKSTREAM_MIGRATE_ON_START", config.migrateOnStart ? "true" : "false"},
      {"WORKSTREAM_HTTP_THREADS", std::to_string(config.httpThreads)},
      {"WORKSTREAM_HTTP_MAX_BODY_BYTES", std::to_string(config.httpMaxBodyBytes)},
      {"WORKSTREAM_HTTP_READ_TIMEOUT", std::to_string(config.httpReadTimeout.count()) + "ms"},
      {"WORKSTREAM_TASKS_TIMEOUT", ms(config.tasksTimeout)},
      {"WORKSTREAM_RABBITMQ_CONFIRM_TIMEOUT", ms(config.rabbitmqConfirmTimeout)},
      {"WORKSTREAM_OUTBOX_BATCH_SIZE", std::to_string(config.outboxBatchSize)},
      {"WORKSTREAM_OUTBOX_POLL_INTERVAL", ms(config.outboxPollInterval)},
      {"WORKSTREAM_OUTBOX_MAX_AGE", ms(config.outboxMaxAge)},
      {"WORKSTREAM_OUTBOX_RETENTION", ms(config.outboxRetention)},
      {"WORKSTREAM_RETRY_MAX_ATTEMPTS", std::to_string(config.retryMaxAttempts)},
      {"WORKSTREAM_RETRY_BASE_DELAY", ms(config.retryBaseDelay)},
      {"WORKSTREAM_CONSUMER_PREFETCH", std::to_string(config.consumerPrefetch)},
      {"WORKSTREAM_CONSUMER_CONCURRENCY", std::to_string(config.consumerConcurrency)},
      {"WORKSTREAM_MAIL_FROM", config.mailFrom},
      {"WORKSTREAM_MAIL_MAX_BODY_BYTES", std::to_string(config.mailMaxBodyBytes)},
      {"WORKSTREAM_SMTP_STARTTLS", config.smtpStartTls},
      {"WORKSTREAM_SMTP_TIMEOUT", ms(config.smtpTimeout)},
  };
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
