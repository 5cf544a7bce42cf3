#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <map>
#include <variant>

#include "app/commands.hpp"
#include "ops/commands.hpp"
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

// What the command line said; each command's options write their part.
struct Inputs {
  Flags flags;  // the configuration flags, by variable
  std::string roles = "all";
  bool json = false;
  std::string taskId;
  std::string adminAddr;
  std::string timeout = "2s";
  bool ready = false;
  ops::DlqArgs dlq;
};

// One subcommand: its path ("outbox status": under the group "outbox"), its
// help, its own options, whether it takes the configuration flags, and what
// runs it (returning the exit code). A row without a runner is a group.
struct Command {
  const char* path;
  const char* help;
  void (*options)(CLI::App&, Inputs&) = nullptr;
  bool settings = false;
  int (*run)(Inputs&) = nullptr;
};

int configCommand(Inputs& in, bool print) {
  auto roles = rolesOrReport(in.roles);
  if (!roles) return kUsageError;
  auto config = configOrReport(*roles, in.flags);
  if (!config) return kUsageError;
  if (!print) return (std::cout << "configuration OK for --role=" << roles->str() << "\n", 0);
  for (const auto& [name, value] : describe(*config)) std::cout << name << "=" << value << "\n";
  return 0;
}

ops::LoadConfig rabbitmqConfig(const Inputs& in) {
  return [&in] { return configNeeding(in.flags, "WORKSTREAM_RABBITMQ_URL", &Config::rabbitmqUrl); };
}

void roleOption(CLI::App& command, Inputs& in) {
  command.add_option("--role", in.roles, "the roles whose settings to check")
      ->capture_default_str();
}

void jsonFlag(CLI::App& command, Inputs& in) { command.add_flag("--json", in.json, "print JSON"); }

// Every subcommand of `workstream`, in the order --help lists them.
const Command kCommands[] = {
    {"serve", "Run the modules of the given roles",
     [](CLI::App& c, Inputs& in) {
       c.add_option("--role", in.roles,
                    "all, or a comma-separated list of gateway, tasks, notifications, mailer")
           ->required();
     },
     true,
     [](Inputs& in) -> int {
       auto roles = rolesOrReport(in.roles);
       if (!roles) return kUsageError;
       auto config = configOrReport(*roles, in.flags);
       return config ? serve(*roles, *config) : kUsageError;
     }},
    {"version", "Print the version", nullptr, false,
     [](Inputs&) { return (std::cout << "workstream " << buildVersion() << "\n", 0); }},
    {"config", "Check or print the configuration"},
    {"config check", "Validate the settings the roles need; exit 2 naming each problem", roleOption,
     true, [](Inputs& in) { return configCommand(in, false); }},
    {"config print", "Print the effective settings, passwords redacted", roleOption, true,
     [](Inputs& in) { return configCommand(in, true); }},
    {"migrate", "Apply the tasks database migrations, then exit", nullptr, true,
     [](Inputs& in) -> int {
       auto config = configNeeding(in.flags, "WORKSTREAM_POSTGRES_URL", &Config::postgresUrl);
       return config ? migrateCommand(*config) : kUsageError;
     }},
    {"topology", "RabbitMQ topology"},
    {"topology declare",
     "Declare the exchange, queues, bindings, DLQs and delay queues (idempotent)", nullptr, true,
     [](Inputs& in) -> int {
       auto config = configNeeding(in.flags, "WORKSTREAM_RABBITMQ_URL", &Config::rabbitmqUrl);
       return config ? topologyCommand(*config) : kUsageError;
     }},
    {"dlq", "Dead-letter queues: list, show, replay, purge"},
    {"dlq list", "What waits in the DLQs (reading consumes nothing)",
     [](CLI::App& c, Inputs& in) { ops::dlqListOptions(c, in.dlq); }, true,
     [](Inputs& in) { return ops::dlqList(in.dlq, rabbitmqConfig(in)); }},
    {"dlq show", "One message whole: properties, headers, body",
     [](CLI::App& c, Inputs& in) { ops::dlqShowOptions(c, in.dlq); }, true,
     [](Inputs& in) { return ops::dlqShow(in.dlq, rabbitmqConfig(in)); }},
    {"dlq replay",
     "Move matching messages back to their consumer's queue, confirmed before removal",
     [](CLI::App& c, Inputs& in) { ops::dlqReplayOptions(c, in.dlq); }, true,
     [](Inputs& in) { return ops::dlqReplay(in.dlq, rabbitmqConfig(in)); }},
    {"dlq purge", "Delete matching messages (needs --yes)",
     [](CLI::App& c, Inputs& in) { ops::dlqPurgeOptions(c, in.dlq); }, true,
     [](Inputs& in) { return ops::dlqPurge(in.dlq, rabbitmqConfig(in)); }},
    {"outbox", "The transactional outbox"},
    {"outbox status",
     "Pending events, oldest pending age, published in the last minute, active relay", jsonFlag,
     true,
     [](Inputs& in) -> int {
       auto config = configNeeding(in.flags, "WORKSTREAM_POSTGRES_URL", &Config::postgresUrl);
       return config ? ops::outboxStatusCommand(*config, in.json) : kUsageError;
     }},
    {"trace", "One task's timeline across every hop, from each role's store; 1 if unknown",
     [](CLI::App& c, Inputs& in) {
       c.add_option("TASK_ID", in.taskId, "the task's id (a UUID)")->required();
       jsonFlag(c, in);
     },
     true,
     [](Inputs& in) -> int {
       auto config = configNeedingAll(in.flags, {{"WORKSTREAM_POSTGRES_URL", &Config::postgresUrl},
                                                 {"WORKSTREAM_MONGO_URL", &Config::mongoUrl},
                                                 {"WORKSTREAM_REDIS_URL", &Config::redisUrl}});
       return config ? ops::traceCommand(*config, in.taskId, in.json) : kUsageError;
     }},
    {"health", "Probe a running process's /health (or /ready); exit 0 or 1",
     [](CLI::App& c, Inputs& in) {
       c.add_flag("--ready", in.ready,
                  "probe /ready instead: exit 0 only when the process is ready to serve");
       c.add_option("--admin-addr", in.adminAddr, "host:port of the admin listener")
           ->envname("WORKSTREAM_ADMIN_ADDR")
           ->required();
       c.add_option("--timeout", in.timeout, "how long to wait")->capture_default_str();
     },
     false,
     [](Inputs& in) -> int {
       auto address = config_values::parseHostPort(in.adminAddr);
       auto timeout = config_values::parseDuration(in.timeout);
       if (!address) {
         std::cerr << "workstream: --admin-addr: " << address.error().message << "\n";
         return kUsageError;
       }
       if (!timeout) {
         std::cerr << "workstream: --timeout: " << timeout.error().message << "\n";
         return kUsageError;
       }
       return healthCommand(*address, *timeout, in.ready ? Probe::ready : Probe::health);
     }},
};

// Adds every row of kCommands to `app`; the one parsed sets `action`.
void addCommands(CLI::App& app, Inputs& in, std::function<int()>& action) {
  for (const auto& command : kCommands) {
    const std::string_view path = command.path;
    const auto space = path.rfind(' ');
    CLI::App* parent = space == std::string_view::npos
                           ? &app
                           : app.get_subcommand(std::string(path.substr(0, space)));
    auto* sub = parent->add_subcommand(
        std::string(space == std::string_view::npos ? path : path.substr(space + 1)), command.help);
    if (command.run == nullptr) {
      sub->require_subcommand(1);
      continue;
    }
    if (command.options) command.options(*sub, in);
    if (command.settings) addConfigFlags(*sub, in.flags);
    sub->callback([&action, &in, run = command.run] { action = [&in, run] { return run(in); }; });
  }
}

// Parses the command line into `in`: the command to run, or the exit code
// when there is none (help, a usage error). The parser's tables go with it,
// before the command runs.
std::variant<std::function<int()>, int> parse(int argc, char** argv, Inputs& in) {
  CLI::App app{"Workstream tracks tasks and emits events as they progress.", "workstream"};
  app.require_subcommand(1);
  std::function<int()> action;
  addCommands(app, in, action);

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
  if (!action) return kUsageError;
  return action;
}

}  // namespace

int runCli(int argc, char** argv) {
  Inputs inputs;
  auto parsed = parse(argc, argv, inputs);
  if (const int* code = std::get_if<int>(&parsed)) return *code;
  return std::get<std::function<int()>>(parsed)();
}

}  // namespace workstream::app
