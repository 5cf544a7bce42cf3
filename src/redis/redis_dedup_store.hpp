#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "workstream/core/readiness.hpp"
#include "workstream/events/dedup_store.hpp"

struct redisContext;

namespace workstream::redis {

// DedupStore on Redis: `<prefix><event_id>` with a TTL (notifications use
// the seed's `workstream:processed:`, the mailer `workstream:mailed:`); the
// value is "1" once processed, "claimed" while claimed. A small
// pool of hiredis connections (one per concurrent caller at most); a broken
// connection is dropped and the next call reconnects.
class RedisDedupStore final : public events::DedupStore {
 public:
  static constexpr const char* kProcessed = "workstream:processed:";
  static constexpr const char* kMailed = "workstream:mailed:";

  RedisDedupStore(std::string url, std::string prefix, std::chrono::seconds ttl,
                  std::chrono::milliseconds timeout);
  ~RedisDedupStore() override;

  bool processed(const std::string& eventId) override;
  void markProcessed(const std::string& eventId) override;
  std::vector<bool> processedAll(const std::vector<std::string>& eventIds) override;  // one MGET
  void markProcessedAll(const std::vector<std::string>& eventIds) override;  // one pipeline
  bool claim(const std::string& eventId, std::chrono::seconds ttl) override;
  void release(const std::string& eventId) override;
  CheckResult check();

  // A hash beside the dedup keys, expiring with them (the TTL restarts at
  // each write): for what a consumer keeps about an event besides the mark.
  void writeHash(const std::string& key,
                 const std::vector<std::pair<std::string, std::string>>& fields);
  std::map<std::string, std::string> readHash(const std::string& key);

  std::string key(const std::string& eventId) const { return prefix_ + eventId; }

 private:
  class Lease;

  std::string url_;
  std::string prefix_;
  std::chrono::seconds ttl_;
  std::chrono::milliseconds timeout_;
  std::mutex mutex_;
  std::vector<redisContext*> idle_;
};

}  // namespace workstream::redis
