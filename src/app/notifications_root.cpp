#include "app/notifications_root.hpp"

#include <atomic>

#include "app/messaging.hpp"
#include "events/event_router.hpp"
#include "mongo/mongo_record_store.hpp"
#include "notifications/debug_api.hpp"
#include "notifications/event_mail_requests.hpp"
#include "notifications/processor.hpp"
#include "rabbitmq/rabbit_consumer.hpp"
#include "rabbitmq/rabbit_publisher.hpp"
#include "redis/redis_dedup_store.hpp"

namespace workstream::app {
namespace {

constexpr std::chrono::milliseconds kServerTimeout{2000};
constexpr std::chrono::hours kDedupTtl{24};

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
                  router_, log_, context.metrics) {
    auto process = [this](const events::Envelope& e, const events::Delivery& d) {
      return processor_.process(e, d);
    };
    router_.on(events::kTaskCreated, process);
    router_.on(events::kTaskCompleted, process);
    ensureIndexes();
    context.readiness.add({"redis", [this] { return dedup_.check(); }});
    context.readiness.add({"mongodb", [this] {
                             if (!ensureIndexes())
                               return CheckResult{false, "indexes not created yet"};
                             return records_.check();
                           }});
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
  }

  void stop(std::chrono::steady_clock::time_point deadline) override { consumer_.stop(deadline); }

 private:
  // Indexes are made once; while MongoDB is down, readiness keeps trying.
  bool ensureIndexes() {
    if (indexed_) return true;
    try {
      records_.ensureIndexes();
      indexed_ = true;
    } catch (const InfrastructureError& e) {
      log_.warn("cannot create the MongoDB indexes yet", {{"error", e.what()}});
    }
    return indexed_;
  }

  Logger log_;
  redis::RedisDedupStore dedup_;
  mongo::MongoRecordStore records_;
  amqp::RabbitPublisher publisher_;
  notifications::EventMailRequests mail_;
  notifications::NotificationProcessor processor_;
  events::EventRouter router_;
  amqp::RabbitConsumer consumer_;
  std::atomic<bool> indexed_{false};
};

}  // namespace

std::unique_ptr<Module> startNotifications(RoleContext& context) {
  return std::make_unique<NotificationsModule>(context);
}

}  // namespace workstream::app
