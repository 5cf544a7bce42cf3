#pragma once

// `workstream dlq list|show|replay|purge`: what waits in the dead-letter
// queues, one message whole, moving messages back to their consumer, and
// deleting them. Exit codes: 0 done, 1 RabbitMQ unreachable or refusing (or
// no such message for show), 2 bad usage.

#include <functional>
#include <optional>

#include "workstream/core/config.hpp"

namespace CLI {
class App;
}

namespace workstream::ops {

// Adds the `dlq` command and its subcommands to `app`; the one parsed sets
// `action`. `loadConfig` returns the settings, or nothing after saying what
// is missing (then the exit code is 2).
CLI::App& addDlqCommands(CLI::App& app, std::function<int()>& action,
                         std::function<std::optional<Config>()> loadConfig);

}  // namespace workstream::ops
