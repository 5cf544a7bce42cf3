#include "redis/redis_probe.hpp"

#include "redis/redis_connection.hpp"

namespace workstream::probes {
namespace {

CheckResult check(const std::string& url, milliseconds timeout) {
  try {
    std::unique_ptr<redisContext, decltype(&redisFree)> ctx(
        redis::connect(redis::addressOf(url), timeout), redisFree);
    auto pong = redis::commandArgv(ctx.get(), {"PING"});
    if (!pong) return {false, ctx->errstr};
    if (pong->type == REDIS_REPLY_ERROR) return {false, std::string(pong->str, pong->len)};
    return {true, {}};
  } catch (const InfrastructureError& e) {
    return {false, e.what()};
  }
}

}  // namespace

Probe redis(const std::string& url, milliseconds timeout) {
  return [url, timeout] { return check(url, timeout); };
}

}  // namespace workstream::probes
