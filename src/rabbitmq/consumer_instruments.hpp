#pragma once

#include <string>

#include "events/event_context.hpp"
#include "workstream/core/metrics.hpp"
#include "workstream/events/consumer.hpp"

namespace workstream::amqp {

// The consumer runtime's metrics for one queue. Counters by error code are
// registered when a code is first seen; the code is bounded to Workstream's
// own (events::errorCodeLabel).
struct ConsumerInstruments {
  ConsumerInstruments(Metrics& metrics, const std::string& queue);

  // One delivery handled in `seconds`: processing time by outcome, then the
  // processed count and publish-to-processed lag, or the failure count.
  void handled(const events::EventContext& context, const events::Outcome& outcome, double seconds);
  Counter& failures(const char* name, const std::string& errorCode);

  Metrics& metrics;
  std::string queue;
  Counter &done, &retried, &deadLettered;  // workstream_consumer_deliveries_total
  Counter& processed;
  Histogram &handledDone, &handledRetry, &handledPoison;
  Histogram& lag;
  Gauge& inFlight;
  Gauge& dlqDepth;
};

}  // namespace workstream::amqp
