#pragma once

// The runners (and options) of the admin subcommands, which read or move
// what running roles keep; the command table in app/cli.cpp names each with
// its help. Each returns the exit code: 0 success, 1 a server unreachable
// or refusing (named), an unknown task or message, 2 bad usage.

#include <functional>
#include <optional>
#include <string>

#include "workstream/core/config.hpp"

namespace CLI {
class App;
}

namespace workstream::ops {

// Pending events, the oldest one's age, those published in the last minute,
// and which session holds the relay's lock, in the URL's schema.
int outboxStatusCommand(const Config& config, bool json);

// The timeline of one task across every hop (see timeline.hpp).
int traceCommand(const Config& config, const std::string& taskId, bool json);

// `workstream dlq list|show|replay|purge`: what waits in the dead-letter
// queues, one message whole, moving messages back to their consumer, and
// deleting them.

// What the command line said, as text until the runner checks it.
struct DlqArgs {
  std::string queue, errorCode, eventType, since, limit, rate, eventId;
  std::string eventIdFilter;  // --event-id of list, replay and purge (show's is eventId)
  bool json = false, dryRun = false, yes = false;
};

// Returns the settings, or nothing after saying what is missing (then the
// exit code is 2). Called after the usage was checked.
using LoadConfig = std::function<std::optional<Config>()>;

void dlqListOptions(CLI::App& command, DlqArgs& args);
void dlqShowOptions(CLI::App& command, DlqArgs& args);
void dlqReplayOptions(CLI::App& command, DlqArgs& args);
void dlqPurgeOptions(CLI::App& command, DlqArgs& args);

int dlqList(const DlqArgs& args, const LoadConfig& loadConfig);
int dlqShow(const DlqArgs& args, const LoadConfig& loadConfig);
int dlqReplay(const DlqArgs& args, const LoadConfig& loadConfig);
int dlqPurge(const DlqArgs& args, const LoadConfig& loadConfig);

}  // namespace workstream::ops
