#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace workstream::events {

// Which events a consumer has processed, so a redelivery is recognised.
// Entries expire (24 hours here); a store of record behind it (MongoDB's
// unique event id, say) absorbs later duplicates. Adapters throw Unavailable
// when their server cannot be reached.
class DedupStore {
 public:
  virtual ~DedupStore() = default;
  virtual bool processed(const std::string& eventId) = 0;
  virtual void markProcessed(const std::string& eventId) = 0;
  // The same for events that arrived together, in one round trip where the
  // server allows; the answers are in the order of `eventIds`.
  virtual std::vector<bool> processedAll(const std::vector<std::string>& eventIds) {
    std::vector<bool> answers;
    answers.reserve(eventIds.size());
    for (const auto& id : eventIds) answers.push_back(processed(id));
    return answers;
  }
  virtual void markProcessedAll(const std::vector<std::string>& eventIds) {
    for (const auto& id : eventIds) markProcessed(id);
  }
  // Takes the event for `ttl` so that no other worker acts on it meanwhile
  // (a side effect that must not run twice at once, such as a mail). False
  // when it is claimed or processed already.
  virtual bool claim(const std::string& eventId, std::chrono::seconds ttl) = 0;
  // Gives up a claim that did not end in processing.
  virtual void release(const std::string& eventId) = 0;
};

}  // namespace workstream::events
