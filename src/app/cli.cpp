#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <map>

#include "app/commands.hpp"
#include "app/messaging.hpp"
#include "app/tasks_root.hpp"
#include "ops/commands.hpp"
#include "ops/dlq_command.hpp"
#include "workstream/core/build_info.hpp"
#include "workstream/core/config_values.hpp"

namespace workstream::app {
namespace {

constexpr int kUsageError = 2;

using Flags = std::map<std::string, std::string>;

void addConfigFlags(CLI::App& command, Flags& flags) {
  for (const auto& setting : settings()) {
    const std::string env(setting.env);
    auto help = std::string(setting.help) + " (overrides " + env;
    if (!setting.defaultValue.empty()) help += "; default " + std::string(setting.defaultValue);
    command.add_option_function<std::string>(
        "--" + std::string(setting.flag), [&flags, env](const std::string& v) { flags[env] = v; },
        help + ")");
  }
}

std::optional<RoleSet> rolesOrReport(const std::string& text) {
  auto parsed = parseRoles(text);
  if (!parsed) {
    std::cerr << "workstream: --role: " << parsed.error().message << "\n";
    return std::nullopt;
  }
  return *parsed;
}

std::optional<Config> configOrReport(const RoleSet& roles, const Flags& flags) {
  auto result = loadConfig(roles, processEnvironment(), flags);
  for (const auto& problem : result.problems) {
    std::cerr << "workstream: " << problem.source() << ": " << problem.message << "\n";
  }
  if (!result.ok()) return std::nullopt;
  return result.config;
}

// The settings of a command that needs the servers at each of `urls`.
std::optional<Config> configNeedingAll(
    const Flags& flags, std::initializer_list<std::pair<const char*, std::string Config::*>> urls) {
  auto result = loadConfig(RoleSet{}, processEnvironment(), flags);
  for (const auto& [variable, url] : urls) {
    const std::string name = variable;  // clang 15 cannot capture a structured binding
    const bool named = std::any_of(result.problems.begin(), result.problems.end(),
                                   [&](const ConfigProblem& p) { return p.variable == name; });
    if (!named && (result.config.*url).empty()) {
      result.problems.push_back({variable, "is required but not set"});
    }
  }
  for (const auto& problem : result.problems) {
    std::cerr << "workstream: " << problem.source() << ": " << problem.message << "\n";
  }
  if (!result.ok()) return std::nullopt;
  return result.config;
}

// The settings of a command that needs only the server at `url`.
std::optional<Config> configNeeding(const Flags& flags, const char* variable,
                                    std::string Config::*url) {
  return configNeedingAll(flags, {{variable, url}});
}

// `workstream --role=all` means `workstream serve --role=all`.
std::vector<std::string> normalise(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  if (args.size() > 1 && args[1].starts_with("--role")) args.insert(args.begin() + 1, "serve");
  return args;
}

}  // namespace

int runCli(int argc, char** argv) {
  CLI::App app{"Workstream tracks tasks and emits events as they progress.", "workstream"};
  app.require_subcommand(1);
  Flags flags;
  std::string roleText = "all";
  std::function<int()> action;

  auto* serveCmd = app.add_subcommand("serve", "Run the modules of the given roles");
  serveCmd
      ->add_option("--role", roleText,
                   "all, or a comma-separated list of gateway, tasks, "
                   "notifications, mailer")
      ->required();
  addConfigFlags(*serveCmd, flags);
  serveCmd->callback([&] {
    action = [&]() -> int {
      auto roles = rolesOrReport(roleText);
      if (!roles) return kUsageError;
      auto config = configOrReport(*roles, flags);
      return config ? serve(*roles, *config) : kUsageError;
    };
  });

  app.add_subcommand("version", "Print the version")->callback([&] {
    action = [] { return (std::cout << "workstream " << buildVersion() << "\n", 0); };
  });

  auto* configCmd = app.add_subcommand("config", "Check or print the configuration");
  configCmd->require_subcommand(1);
  for (const bool print : {false, true}) {
    auto* sub = configCmd->add_subcommand(
        print ? "print" : "check",
        print ? "Print the effective settings, passwords redacted"
              : "Validate the settings the roles need; exit 2 naming each problem");
    sub->add_option("--role", roleText, "the roles whose settings to check")->capture_default_str();
    addConfigFlags(*sub, flags);
    sub->callback([&, print] {
      action = [&, print]() -> int {
        auto roles = rolesOrReport(roleText);
        if (!roles) return kUsageError;
        auto config = configOrReport(*roles, flags);
        if (!config) return kUsageError;
        if (!print) return (std::cout << "configuration OK for --role=" << roles->str() << "\n", 0);
        for (const auto& [name, value] : describe(*config))
          std::cout << name << "=" << value << "\n";
        return 0;
      };
    });
  }

  app.add_subcommand("migrate", "Apply the tasks database migrations, then exit")->callback([&] {
    action = [&]() -> int {
      auto config = configNeeding(flags, "WORKSTREAM_POSTGRES_URL", &Config::postgresUrl);
      return config ? migrateCommand(*config) : kUsageError;
    };
  });
  addConfigFlags(*app.get_subcommand("migrate"), flags);

  auto* topologyCmd = app.add_subcommand("topology", "RabbitMQ topology");
  topologyCmd->require_subcommand(1);
  auto* declareCmd = topologyCmd->add_subcommand(
      "declare", "Declare the exchange, queues, bindings, DLQs and delay queues (idempotent)");
  addConfigFlags(*declareCmd, flags);
  declareCmd->callback([&] {
    action = [&]() -> int {
      auto config = configNeeding(flags, "WORKSTREAM_RABBITMQ_URL", &Config::rabbitmqUrl);
      return config ? topologyCommand(*config) : kUsageError;
    };
  });

  auto& dlqCmd = ops::addDlqCommands(app, action, [&] {
    return configNeeding(flags, "WORKSTREAM_RABBITMQ_URL", &Config::rabbitmqUrl);
  });
  for (auto* sub : dlqCmd.get_subcommands({})) addConfigFlags(*sub, flags);

  bool opsJson = false;
  auto* outboxCmd = app.add_subcommand("outbox", "The transactional outbox");
  outboxCmd->require_subcommand(1);
  auto* outboxStatusCmd = outboxCmd->add_subcommand(
      "status", "Pending events, oldest pending age, published in the last minute, active relay");
  outboxStatusCmd->add_flag("--json", opsJson, "print JSON");
  addConfigFlags(*outboxStatusCmd, flags);
  outboxStatusCmd->callback([&] {
    action = [&]() -> int {
      auto config = configNeeding(flags, "WORKSTREAM_POSTGRES_URL", &Config::postgresUrl);
      return config ? ops::outboxStatusCommand(*config, opsJson) : kUsageError;
    };
  });

  std::string traceTaskId;
  auto* traceCmd = app.add_subcommand(
      "trace", "One task's timeline across every hop, from each role's store; 1 if unknown");
  traceCmd->add_option("TASK_ID", traceTaskId, "the task's id (a UUID)")->required();
  traceCmd->add_flag("--json", opsJson, "print JSON");
  addConfigFlags(*traceCmd, flags);
  traceCmd->callback([&] {
    action = [&]() -> int {
      auto config = configNeedingAll(flags, {{"WORKSTREAM_POSTGRES_URL", &Config::postgresUrl},
                                             {"WORKSTREAM_MONGO_URL", &Config::mongoUrl},
                                             {"WORKSTREAM_REDIS_URL", &Config::redisUrl}});
      return config ? ops::traceCommand(*config, traceTaskId, opsJson) : kUsageError;
    };
  });

  auto* healthCmd =
      app.add_subcommand("health", "Probe a running process's /health (or /ready); exit 0 or 1");
  std::string adminAddr;
  std::string timeoutText = "2s";
  bool ready = false;
  healthCmd->add_flag("--ready", ready,
                      "probe /ready instead: exit 0 only when the process is ready to serve");
  healthCmd->add_option("--admin-addr", adminAddr, "host:port of the admin listener")
      ->envname("WORKSTREAM_ADMIN_ADDR")
      ->required();
  healthCmd->add_option("--timeout", timeoutText, "how long to wait")->capture_default_str();
  healthCmd->callback([&] {
    action = [&]() -> int {
      auto address = config_values::parseHostPort(adminAddr);
      auto timeout = config_values::parseDuration(timeoutText);
      if (!address) {
        std::cerr << "workstream: --admin-addr: " << address.error().message << "\n";
        return kUsageError;
      }
      if (!timeout) {
        std::cerr << "workstream: --timeout: " << timeout.error().message << "\n";
        return kUsageError;
      }
      return healthCommand(*address, *timeout, ready ? Probe::ready : Probe::health);
    };
  });

  const auto args = normalise(argc, argv);
  std::vector<const char*> argvNormalised;
  for (const auto& arg : args) argvNormalised.push_back(arg.c_str());
  try {
    app.parse(static_cast<int>(argvNormalised.size()), argvNormalised.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsageError;
  }
  return action ? action() : kUsageError;
}

}  // namespace workstream::app
