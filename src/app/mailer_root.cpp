#include "app/mailer_root.hpp"

#include "app/messaging.hpp"
#include "events/event_router.hpp"
#include "mailer/mailer_processor.hpp"
#include "mailer/timed_mail_sender.hpp"
#include "rabbitmq/rabbit_consumer.hpp"
#include "redis/redis_dedup_store.hpp"
#include "redis/redis_delivery_log.hpp"
#include "smtp/curl_smtp_sender.hpp"

namespace workstream::app {
namespace {

constexpr std::chrono::milliseconds kRedisTimeout{2000};
constexpr std::chrono::hours kMailedTtl{24};

class MailerModule final : public Module {
 public:
  explicit MailerModule(RoleContext& context)
      : log_(context.log.withService("workstream-mailer")),
        mailed_(context.config.redisUrl, redis::RedisDedupStore::kMailed, kMailedTtl,
                kRedisTimeout),
        deliveries_(mailed_),
        sender_(context.config.smtpUrl, context.config.smtpStartTls, context.config.smtpTimeout),
        timedSender_(sender_, context.metrics),
        processor_(mailed_, deliveries_, timedSender_,
                   // The SMTP timeout bounds a whole send (connect included), so a
                   // claim a second longer outlives any send, and expires before the
                   // default retries run out: a copy left by a crash is mailed.
                   {context.config.mailFrom, context.config.mailMaxBodyBytes,
                    std::chrono::duration_cast<std::chrono::seconds>(context.config.smtpTimeout) +
                        std::chrono::seconds(1)},
                   systemNow, log_),
        consumer_(consumerOptions(context.config, events::mailerQueue(), "workstream-mailer",
                                  context.readiness),
                  router_, log_, context.metrics) {
    router_.on(events::kMailSend, [this](const events::Envelope& e, const events::Delivery& d) {
      return processor_.process(e, d);
    });
    context.readiness.add({"mailer-consumer", [this] {
                             return consumer_.connected()
                                        ? CheckResult{true, {}}
                                        : CheckResult{false, "not subscribed to workstream.mailer"};
                           }});
    consumer_.start();
  }

  void stop(std::chrono::steady_clock::time_point deadline) override { consumer_.stop(deadline); }

 private:
  Logger log_;
  redis::RedisDedupStore mailed_;
  redis::RedisDeliveryLog deliveries_;
  mailer::CurlSmtpSender sender_;
  mailer::TimedMailSender timedSender_;
  mailer::MailerProcessor processor_;
  events::EventRouter router_;
  amqp::RabbitConsumer consumer_;
};

}  // namespace

std::unique_ptr<Module> startMailer(RoleContext& context) {
  return std::make_unique<MailerModule>(context);
}

}  // namespace workstream::app
