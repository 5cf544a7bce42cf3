#include "ops/commands.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <thread>

#include "ops/dlq.hpp"
#include "ops/dlq_render.hpp"
#include "workstream/core/config_values.hpp"

namespace workstream::ops {
namespace {

constexpr int kFailure = 1;
constexpr int kUsageError = 2;

// The checked selection: which DLQs, which messages.
struct Selection {
  std::vector<events::ConsumerQueue> queues;
  DlqFilter filter;
};

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The value, or a usage error with the message, after `option: ` if given.
template <class T>
T orUsage(Parsed<T> parsed, const std::string& option = {}) {
  if (!parsed) throw UsageError((option.empty() ? "" : option + ": ") + parsed.error().message);
  return std::move(*parsed);
}

Selection select(const DlqArgs& args) {
  Selection s;
  s.queues = orUsage(parseQueues(args.queue));
  if (!args.errorCode.empty()) s.filter.errorCode = args.errorCode;
  if (!args.eventType.empty()) s.filter.eventType = args.eventType;
  if (!args.eventIdFilter.empty()) s.filter.eventId = args.eventIdFilter;
  if (!args.since.empty()) s.filter.since = orUsage(parseSince(args.since, systemNow()));
  return s;
}

amqp::ConnectionOptions connection(const Config& config) {
  return {config.rabbitmqUrl, std::chrono::milliseconds(5000), 0, "workstream dlq"};
}

// "<verb> <event id> <type> from <DLQ>", and where a replay sends it.
std::string line(const std::string& verb, const DlqMessage& m, bool toConsumer) {
  std::string text = verb + " " +
                     (m.delivery.messageId.empty() ? "(no id)" : m.delivery.messageId) + " " +
                     (m.delivery.type.empty() ? "(no type)" : m.delivery.type) + " from " +
                     m.consumer.deadLetterQueue();
  if (toConsumer) text += " to " + m.consumer.name + " (routing key " + m.delivery.routingKey + ")";
  return text;
}

int list(const DlqArgs& args, const Config& config) {
  const auto s = select(args);
  const std::size_t limit =
      args.limit.empty() ? std::numeric_limits<std::size_t>::max()
                         : static_cast<std::size_t>(orUsage(
                               config_values::parseInt(args.limit, 1, 1'000'000), "--limit"));
  std::vector<DlqMessage> found;
  for (const auto& queue : s.queues) {
    if (found.size() >= limit) break;
    passOverDlq(connection(config), queue, [&](const DlqMessage& m) {
      if (found.size() < limit && matches(s.filter, m)) found.push_back(m);
      return Verdict::keep;
    });
  }
  std::cout << (args.json ? renderJson(found) : renderTable(found));
  return 0;
}

int show(const DlqArgs& args, const Config& config) {
  const auto s = select(args);
  std::optional<DlqMessage> found;
  std::string searched;
  for (const auto& queue : s.queues) {
    searched += (searched.empty() ? "" : ", ") + queue.deadLetterQueue();
    passOverDlq(connection(config), queue, [&](const DlqMessage& m) {
      if (!found && m.delivery.messageId == args.eventId) found = m;
      return Verdict::keep;
    });
    if (found) break;
  }
  if (!found) {
    std::cerr << "workstream: no message with event id " << args.eventId << " waits in " << searched
              << "\n";
    return kFailure;
  }
  std::cout << renderWhole(*found);
  return 0;
}

// Moves each match back, one at a time: the copy is confirmed before the
// original is acked, so a crash between the two leaves it in both places
// (consumers are idempotent), never in neither.
int replay(const DlqArgs& args, const Config& config) {
  const auto s = select(args);
  std::optional<double> rate;
  if (!args.rate.empty()) rate = orUsage(parseRate(args.rate));
  std::unique_ptr<Replayer> replayer;
  if (!args.dryRun)
    replayer = std::make_unique<Replayer>(connection(config), config.rabbitmqConfirmTimeout);
  const auto start = std::chrono::steady_clock::now();
  std::size_t moved = 0;
  for (const auto& queue : s.queues) {
    passOverDlq(connection(config), queue, [&](const DlqMessage& m) {
      if (!matches(s.filter, m)) return Verdict::keep;
      if (args.dryRun) {
        std::cout << line("would replay", m, true) << "\n";
        ++moved;
        return Verdict::keep;
      }
      if (rate) {
        std::this_thread::sleep_until(start + std::chrono::duration<double>(moved / *rate));
      }
      replayer->send(m);
      ++moved;
      std::cout << line("replayed", m, true) << std::endl;  // flushed: progress shows as it goes
      return Verdict::remove;
    });
  }
  std::cout << (args.dryRun ? "would replay " : "replayed ") << moved << " message(s)"
            << (args.dryRun ? "; nothing changed" : "") << "\n";
  return 0;
}

int purge(const DlqArgs& args, const Config& config) {
  const auto s = select(args);
  std::size_t deleted = 0;
  for (const auto& queue : s.queues) {
    passOverDlq(connection(config), queue, [&](const DlqMessage& m) {
      if (!matches(s.filter, m)) return Verdict::keep;
      std::cout << line("purged", m, false) << "\n";
      ++deleted;
      return Verdict::remove;
    });
  }
  std::cout << "purged " << deleted << " message(s)\n";
  return 0;
}

// Checks the usage first (exit 2), then the settings (exit 2), then talks to
// RabbitMQ (exit 1 when it cannot, naming it and the address, password hidden).
int run(const DlqArgs& args, const LoadConfig& loadConfig,
        int (*command)(const DlqArgs&, const Config&)) {
  try {
    select(args);
    if (command == purge && !args.yes) {
      throw UsageError(
          "dlq purge deletes messages for good; add --yes to confirm (nothing was deleted)");
    }
  } catch (const UsageError& e) {
    std::cerr << "workstream: " << e.what() << "\n";
    return kUsageError;
  }
  const auto config = loadConfig();
  if (!config) return kUsageError;
  try {
    return command(args, *config);
  } catch (const UsageError& e) {
    std::cerr << "workstream: " << e.what() << "\n";
    return kUsageError;
  } catch (const InfrastructureError& e) {
    std::cerr << "workstream: RabbitMQ at " << redactUrl(config->rabbitmqUrl) << ": " << e.what()
              << "\n";
    return kFailure;
  }
}

void addSelection(CLI::App& command, DlqArgs& args) {
  command.add_option("--queue", args.queue, "notifications or mailer (default: both)");
  command.add_option("--error-code", args.errorCode, "only messages with this x-error-code");
  command.add_option("--event-type", args.eventType,
                     "only messages of this type, e.g. workstream.mail.send.v1");
  command.add_option("--event-id", args.eventIdFilter, "only the message with this event id");
  command.add_option(
      "--since", args.since,
      "only messages whose last failure is at or after this: 10m, 1h, 2d or an RFC 3339 time");
}

}  // namespace

void dlqListOptions(CLI::App& command, DlqArgs& args) {
  addSelection(command, args);
  command.add_option("--limit", args.limit, "at most this many messages");
  command.add_flag("--json", args.json, "one JSON array instead of a table");
}

void dlqShowOptions(CLI::App& command, DlqArgs& args) {
  command.add_option("EVENT_ID", args.eventId, "the message id (the event id)")->required();
  command.add_option("--queue", args.queue, "notifications or mailer (default: both)");
}

void dlqReplayOptions(CLI::App& command, DlqArgs& args) {
  addSelection(command, args);
  command.add_flag("--dry-run", args.dryRun, "print what would move; change nothing");
  command.add_option("--rate", args.rate, "at most this many messages a second, e.g. 5/s");
}

void dlqPurgeOptions(CLI::App& command, DlqArgs& args) {
  addSelection(command, args);
  command.add_flag("--yes", args.yes, "yes, delete them");
}

int dlqList(const DlqArgs& args, const LoadConfig& loadConfig) {
  return run(args, loadConfig, list);
}
int dlqShow(const DlqArgs& args, const LoadConfig& loadConfig) {
  return run(args, loadConfig, show);
}
int dlqReplay(const DlqArgs& args, const LoadConfig& loadConfig) {
  return run(args, loadConfig, replay);
}
int dlqPurge(const DlqArgs& args, const LoadConfig& loadConfig) {
  return run(args, loadConfig, purge);
}

}  // namespace workstream::ops
