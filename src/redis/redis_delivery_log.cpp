#include "redis/redis_delivery_log.hpp"

namespace workstream::redis {
namespace {

std::string keyOf(const std::string& eventId) { return RedisDeliveryLog::kPrefix + eventId; }

std::string field(const std::map<std::string, std::string>& hash, const char* name) {
  auto it = hash.find(name);
  return it == hash.end() ? std::string() : it->second;
}

}  // namespace

void RedisDeliveryLog::sent(const std::string& eventId, const std::string& requestedAt,
                            Timestamp at, const std::string& messageId) {
  mailed_.writeHash(
      keyOf(eventId),
      {{"requested_at", requestedAt}, {"sent_at", formatRfc3339(at)}, {"message_id", messageId}});
}

void RedisDeliveryLog::failed(const std::string& eventId, const std::string& requestedAt,
                              const mailer::DeliveryFailure& failure) {
  mailed_.writeHash(keyOf(eventId), {{"requested_at", requestedAt},
                                     {"failed_at", formatRfc3339(failure.at)},
                                     {"error_code", failure.errorCode},
                                     {"error_message", failure.errorMessage},
                                     {"attempt", std::to_string(failure.attempt)},
                                     {"dead_lettered", failure.deadLettered ? "1" : "0"}});
}

std::optional<mailer::DeliveryRecord> RedisDeliveryLog::find(const std::string& eventId) {
  const auto hash = mailed_.readHash(keyOf(eventId));
  if (hash.empty()) return std::nullopt;
  mailer::DeliveryRecord record;
  record.requestedAt = field(hash, "requested_at");
  record.sentAt = field(hash, "sent_at");
  record.messageId = field(hash, "message_id");
  record.failedAt = field(hash, "failed_at");
  record.errorCode = field(hash, "error_code");
  record.errorMessage = field(hash, "error_message");
  const auto attempt = field(hash, "attempt");
  record.attempt = attempt.empty() ? 0 : std::atoi(attempt.c_str());
  record.deadLettered = field(hash, "dead_lettered") == "1";
  return record;
}

}  // namespace workstream::redis
