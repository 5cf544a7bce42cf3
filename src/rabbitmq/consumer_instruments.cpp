#include "rabbitmq/consumer_instruments.hpp"

#include <algorithm>
#include <chrono>

namespace workstream::amqp {
namespace {

std::string labels(const std::string& queue, const char* outcome) {
  return "queue=\"" + queue + "\",outcome=\"" + outcome + "\"";
}

std::string queueLabel(const std::string& queue) { return "queue=\"" + queue + "\""; }

}  // namespace

ConsumerInstruments::ConsumerInstruments(Metrics& m, const std::string& q)
    : metrics(m),
      queue(q),
      done(m.counter("workstream_consumer_deliveries_total", "Deliveries settled, by outcome",
                     labels(q, "done"))),
      retried(m.counter("workstream_consumer_deliveries_total", "Deliveries settled, by outcome",
                        labels(q, "retry"))),
      deadLettered(m.counter("workstream_consumer_deliveries_total",
                             "Deliveries settled, by outcome", labels(q, "dead_letter"))),
      processed(m.counter("workstream_events_processed_total",
                          "Events their handler processed (done), by consumer queue",
                          queueLabel(q))),
      handledDone(m.histogram("workstream_event_processing_seconds",
                              "Time a handler took for one delivery, by consumer queue and "
                              "outcome (done, retry, poison)",
                              latencyBuckets(), labels(q, "done"))),
      handledRetry(m.histogram("workstream_event_processing_seconds", "", latencyBuckets(),
                               labels(q, "retry"))),
      handledPoison(m.histogram("workstream_event_processing_seconds", "", latencyBuckets(),
                                labels(q, "poison"))),
      lag(m.histogram("workstream_event_lag_seconds",
                      "From the event's occurred_at to its handler being done, by consumer queue",
                      lagBuckets(), queueLabel(q))),
      inFlight(m.gauge("workstream_consumer_in_flight",
                       "Deliveries received and not yet settled, by consumer queue",
                       queueLabel(q))),
      dlqDepth(m.gauge("workstream_dlq_depth",
                       "Messages in the consumer queue's dead-letter queue, sampled every few "
                       "seconds",
                       queueLabel(q))) {}

Counter& ConsumerInstruments::failures(const char* name, const std::string& errorCode) {
  const std::string help = name == std::string_view("workstream_events_failed_total")
                               ? "Handler attempts that failed, by consumer queue and error code"
                           : name == std::string_view("workstream_events_retried_total")
                               ? "Failed deliveries moved to a retry queue, by consumer queue and "
                                 "error code"
                               : "Failed deliveries moved to the dead-letter queue, by consumer "
                                 "queue and error code";
  return metrics.counter(
      name, help,
      "queue=\"" + queue + "\",error_code=\"" + events::errorCodeLabel(errorCode) + "\"");
}

void ConsumerInstruments::handled(const events::EventContext& context,
                                  const events::Outcome& outcome, double seconds) {
  using Kind = events::Outcome::Kind;
  (outcome.kind == Kind::done    ? handledDone
   : outcome.kind == Kind::retry ? handledRetry
                                 : handledPoison)
      .observe(seconds);
  if (outcome.kind != Kind::done) {
    failures("workstream_events_failed_total", outcome.errorCode).inc();
    return;
  }
  processed.inc();
  if (context.occurredAt) {
    const auto lagSeconds =
        std::chrono::duration<double>(std::chrono::system_clock::now() - *context.occurredAt)
            .count();
    lag.observe(std::max(0.0, lagSeconds));  // clocks of two hosts may disagree a little
  }
}

}  // namespace workstream::amqp
