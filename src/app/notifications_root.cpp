#include "app/notifications_root.hpp"

#include <thread>

#include "app/messaging.hpp"
#include "events/event_router.hpp"
#include "mongo/mongo_record_store.hpp"
#include "notifications/debug_api.hpp"
#include "notifications/event_mail_requests.hpp"
#include "notifications/processor.hpp"
#include "rabbitmq/rabbit_consumer.hpp"
#include "rabbitmq/rabbit_publisher_pool.hpp"
#include "redis/redis_dedup_store.hpp"
#include "workstream/core/ensure_once.hpp"

namespace workstream::app {
namespace {

constexpr std::chrono::milliseconds kServerTimeout{2000};
constexpr std::chrono::hours kDedupTtl{24};
// Events waiting together are processed together, up to this many: one
// round trip to Redis, MongoDB and the broker for all of them.
constexpr std::size_t kMaxBatch = 256;

class NotificationsModule final : public Module {
 public:
  explicit NotificationsModule(RoleContext& context)
      : log_(context.log.withService("workstream-notifications")),
        dedup_(context.config.redisUrl, redis::RedisDedupStore::kProcessed, kDedupTtl,
               kServerTimeout),
        records_(context.config.mongoUrl, kServerTimeout),
        publisher_(connectionOptions(context.config, "workstream-notifications mail requests"),
                   context.config.rabbitmqConfirmTimeout,
                   [&config = context.config](amqp::Connection& c) { declareTopology(c, config); }),
        mail_(publisher_),
        processor_(dedup_, records_, mail_, systemNow, log_),
        consumer_(consumerOptions(context.config, events::notificationsQueue(),
                                  "workstream-notifications", context.readiness),
                  router_, log_, context.metrics),
        // Indexes are made once; while MongoDB is down, readiness keeps trying.
        indexes_([this] { records_.ensureIndexes(); }, "cannot create the MongoDB indexes yet",
                 log_) {
    router_.onBatch(
        {events::kTaskCreated, events::kTaskCompleted},
        [this](const std::vector<events::RoutedEvent>& events) {
          return processor_.processAll(events);
        },
        kMaxBatch);
    indexes_.tryNow();
    context.dependencies.require(Dependency::redis,
                                 [this] { return [this] { return dedup_.check(); }; });
    context.dependencies.require(Dependency::mongodb, [this] {
      return [this] {
        if (!indexes_.tryNow()) return CheckResult{false, "indexes not created yet"};
        return records_.check();
      };
    });
    context.readiness.add({"notifications-consumer", [this] {
                             return consumer_.connected()
                                        ? CheckResult{true, {}}
                                        : CheckResult{false,
                                                      "not subscribed to workstream.notifications"};
                           }});
    context.admin.add("/debug/notifications", [this](const http::Request& r) {
      return notifications::handleDebug(records_, r);
    });
    consumer_.start();
    // The first mail request does not wait for a connection and the
    // topology's declaration: one publisher connects now, in the background.
    warmer_ = std::jthread([this] {
      if (auto failure = publisher_.warm()) {
        log_.warn("cannot connect the publisher of mail requests yet", {{"error", *failure}});
      }
    });
  }

  void stop(std::chrono::steady_clock::time_point deadline) override { consumer_.stop(deadline); }

 private:
  Logger log_;
  redis::RedisDedupStore dedup_;
  mongo::MongoRecordStore records_;
  amqp::RabbitPublisherPool publisher_;  // the handler threads publish side by side
  notifications::EventMailRequests mail_;
  notifications::NotificationProcessor processor_;
  events::EventRouter router_;
  amqp::RabbitConsumer consumer_;
  EnsureOnce indexes_;
  std::jthread warmer_;  // last: joined first
};

}  // namespace

std::unique_ptr<Module> startNotifications(RoleContext& context) {
  return std::make_unique<NotificationsModule>(context);
}

}  // namespace workstream::app
