#include "tasks/outbox_relay.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <utility>

#include "events/event_context.hpp"
#include "events/event_message.hpp"

#include "workstream/core/backoff.hpp"
#include "workstream/core/errors.hpp"

namespace workstream::tasks {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kStatsEvery{1000};
constexpr std::chrono::milliseconds kPruneEvery{60'000};

// The event continues the trace of the request that caused it.
events::OutgoingMessage toMessage(const PendingEvent& event) {
  return events::eventMessage({.routingKey = event.routingKey,
                               .eventId = event.eventId,
                               .eventType = event.eventType,
                               .producer = event.producer,
                               .envelopeJson = event.envelopeJson,
                               .timestamp = event.createdAtSeconds,
                               .traceId = event.traceId});
}

}  // namespace

OutboxRelay::OutboxRelay(OutboxStore& store, events::EventPublisher& publisher,
                         RelayOptions options, Logger log, Metrics& metrics)
    : store_(store),
      publisher_(publisher),
      options_(options),
      log_(std::move(log)),
      pendingGauge_(metrics.gauge("workstream_outbox_pending", "Events waiting in the outbox")),
      oldestGauge_(metrics.gauge("workstream_outbox_oldest_pending_seconds",
                                 "Age of the oldest event waiting in the outbox")),
      published_(metrics.counter("workstream_outbox_published_total",
                                 "Events the relay published, confirmed by the broker")),
      publishLag_(metrics.histogram(
          "workstream_outbox_publish_lag_seconds",
          "From an event's commit (its outbox row) to the broker confirming its publication",
          lagBuckets())),
      activeGauge_(metrics.gauge("workstream_outbox_relay_active",
                                 "1 while this process's relay holds the outbox lock")) {}

OutboxRelay::~OutboxRelay() { stop(); }

void OutboxRelay::start() {
  thread_ = std::thread([this] { run(); });
}

void OutboxRelay::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  store_.wake();  // a leader waiting for events
  if (thread_.joinable()) thread_.join();
}

CheckResult OutboxRelay::check() const {
  if (!statsKnown_) return {false, "the outbox has not been read yet"};
  const double age = oldestPendingSeconds_;
  const double limit = std::chrono::duration<double>(options_.maxPendingAge).count();
  if (age <= limit) return {true, {}};
  return {false,
          fmt::format("the oldest unpublished event is {:.0f}s old (limit {:.0f}s)", age, limit)};
}

void OutboxRelay::eventsWritten() {
  {
    std::lock_guard lock(mutex_);
    written_ = true;
  }
  wake_.notify_one();  // a standby
  store_.wake();       // a leader
}

void OutboxRelay::pause(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, duration, [this] { return stopping_; });
}

// Returns whether this process wrote events meanwhile.
bool OutboxRelay::awaitWrites(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, duration, [this] { return stopping_ || written_; });
  return std::exchange(written_, false);
}

// Statistics and pruning never stand in the way of publishing: their
// timers move on first, and their failures are only logged.
void OutboxRelay::housekeeping() {
  const auto now = SteadyClock::now();
  try {
    if (now >= nextStats_) {
      nextStats_ = now + kStatsEvery;
      const auto stats = store_.stats();
      pendingGauge_.set(static_cast<double>(stats.pending));
      oldestGauge_.set(stats.oldestPendingSeconds);
      oldestPendingSeconds_ = stats.oldestPendingSeconds;
      if (!statsKnown_.exchange(true) && options_.onFirstRead) options_.onFirstRead();
    }
    if (leading_ && now >= nextPrune_) prune(now);
  } catch (const TimedOut& e) {
    log_.warn("outbox housekeeping timed out", {{"error", e.what()}});
  }
}

// One bounded batch per pass of the loop, so a large backlog of published
// rows is deleted between publishing batches rather than instead of them.
void OutboxRelay::prune(SteadyClock::time_point now) {
  nextPrune_ = now + kPruneEvery;
  pruning_ = false;
  const auto pruned = store_.prune(options_.retention, options_.pruneBatch);
  prunedInRun_ += pruned;
  if (pruned >= options_.pruneBatch) {
    nextPrune_ = now;
    pruning_ = true;
  } else if (prunedInRun_ > 0) {
    log_.info("pruned published outbox rows", {{"rows", std::to_string(prunedInRun_)}});
    prunedInRun_ = 0;
  }
}

void OutboxRelay::run() {
  Backoff backoff(kRelayRetry);
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    try {
      const bool lead = store_.lead();
      if (lead != leading_)
        log_.info(lead ? "outbox relay is active" : "outbox relay is standing by");
      leading_ = lead;
      activeGauge_.set(lead ? 1 : 0);
      if (!lead) {
        housekeeping();
        // Until the holder's session ends and this one takes over, the
        // events this process writes reach the holder from here.
        if (awaitWrites(options_.pollInterval)) store_.notifyLeader();
        continue;
      }
      // What this process wrote before the read is in it: nothing is left
      // to pass on to another leader, should this relay step down.
      {
        std::lock_guard lock(mutex_);
        written_ = false;
      }
      auto batch = store_.pending(options_.batchSize);
      if (!batch.empty()) publishBatch(batch);
      // After publishing, not before reading: a statistics query or a prune
      // never delays an event that is waiting. One that commits meanwhile
      // has notified, and the wait returns at once. A prune with more to do
      // goes on at the next pass instead of waiting.
      housekeeping();
      if (batch.empty() && !pruning_) store_.waitForEvents(options_.pollInterval);
      backoff.reset();
    } catch (const InfrastructureError& e) {
      leading_ = false;
      activeGauge_.set(0);
      const auto retryIn = backoff.next();
      log_.warn("outbox relay failed; retrying",
                {{"error", e.what()}, {"retry_in_ms", std::to_string(retryIn.count())}});
      // While publishing fails the statistics still move, so readiness tells
      // how old the waiting events are; a database that is down was reported.
      try {
        housekeeping();
      } catch (const InfrastructureError&) {
      }
      pause(retryIn);
    }
  }
  store_.reset();  // gives up leadership at once
}

// Marks the confirmed prefix of the batch; a refused event stops it there, so
// per-task order holds, and it is tried again after a pause.
void OutboxRelay::publishBatch(const std::vector<PendingEvent>& batch) {
  std::vector<events::OutgoingMessage> messages;
  messages.reserve(batch.size());
  for (const auto& event : batch) messages.push_back(toMessage(event));
  const auto sentAt = systemNow();
  const auto confirmed = publisher_.publish(messages);
  std::vector<std::int64_t> positions;
  for (std::size_t i = 0; i < batch.size() && confirmed[i]; ++i)
    positions.push_back(batch[i].position);
  const auto confirmedAt = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  for (std::size_t i = 0; i < positions.size(); ++i) {
    // The database's clock against ours: a small skew must not go negative.
    publishLag_.observe(
        std::max<double>(0, static_cast<double>(confirmedAt - batch[i].createdAtMicros) / 1e6));
  }
  store_.markPublished(positions, sentAt);
  published_.inc(static_cast<double>(positions.size()));
  if (positions.size() < batch.size()) {
    const auto& refused = batch[positions.size()];
    events::Delivery asRead;  // the relay's own row, read as a consumer would
    asRead.messageId = refused.eventId;
    asRead.body = refused.envelopeJson;
    const auto context = events::eventContext(asRead);
    log_.warn("the broker refused an event; the relay will retry it",
              {{"event_id", refused.eventId},
               {"event_type", refused.eventType},
               {"trace_id", refused.traceId},
               {"task_id", context.taskId},
               {"routing_key", refused.routingKey}});
    throw InfrastructureError("the broker refused event " + refused.eventId + " (" +
                              refused.routingKey + "): is the topology declared?");
  }
}

}  // namespace workstream::tasks
