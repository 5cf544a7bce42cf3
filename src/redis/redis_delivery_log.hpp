#pragma once

#include "redis/redis_dedup_store.hpp"
#include "workstream/mailer/delivery_log.hpp"

namespace workstream::redis {

// DeliveryLog on Redis: a hash `mailer:delivery:<event_id>` beside the
// mailer's dedup key (`workstream:mailed:<event_id>`), with the same TTL,
// through the dedup store's connections. Fields: requested_at, sent_at,
// message_id, failed_at, error_code, error_message, attempt, dead_lettered.
class RedisDeliveryLog final : public mailer::DeliveryLog {
 public:
  static constexpr const char* kPrefix = "mailer:delivery:";

  explicit RedisDeliveryLog(RedisDedupStore& mailed) : mailed_(mailed) {}

  void sent(const std::string& eventId, const std::string& requestedAt, Timestamp at,
            const std::string& messageId) override;
  void failed(const std::string& eventId, const std::string& requestedAt,
              const mailer::DeliveryFailure& failure) override;
  std::optional<mailer::DeliveryRecord> find(const std::string& eventId) override;

 private:
  RedisDedupStore& mailed_;
};

}  // namespace workstream::redis
