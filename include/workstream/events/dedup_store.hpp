#pragma once

#include <chrono>
#include <string>

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
  // Takes the event for `ttl` so that no other worker acts on it meanwhile
  // (a side effect that must not run twice at once, such as a mail). False
  // when it is claimed or processed already.
  virtual bool claim(const std::string& eventId, std::chrono::seconds ttl) = 0;
  // Gives up a claim that did not end in processing.
  virtual void release(const std::string& eventId) = 0;
};

}  // namespace workstream::events
