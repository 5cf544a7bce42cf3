#include <hiredis/hiredis.h>

#include <boost/url/parse.hpp>
#include <memory>
#include <string>
#include <vector>

#include "redis/redis_probe.hpp"

namespace workstream::probes {
namespace {

using Context = std::unique_ptr<redisContext, decltype(&redisFree)>;
using Reply = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

// Arguments go as they are (redisCommandArgv), never into a format string:
// a user name or password may hold a '%'.
Reply command(redisContext* ctx, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  void* raw = redisCommandArgv(ctx, static_cast<int>(args.size()), argv.data(), lengths.data());
  return Reply(static_cast<redisReply*>(raw), freeReplyObject);
}

CheckResult check(const std::string& url, milliseconds timeout) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return {false, "invalid Redis URL"};
  const std::string host(parsed->host_address());
  const int port = parsed->has_port() ? parsed->port_number() : 6379;
  const timeval tv{static_cast<time_t>(timeout.count() / 1000),
                   static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  Context ctx(redisConnectWithTimeout(host.c_str(), port, tv), redisFree);
  if (!ctx) return {false, "cannot allocate a Redis context"};
  if (ctx->err) return {false, ctx->errstr};
  redisSetTimeout(ctx.get(), tv);
  if (parsed->has_password()) {
    const std::string user(parsed->user()), password(parsed->password());
    auto auth = user.empty() ? command(ctx.get(), {"AUTH", password})
                             : command(ctx.get(), {"AUTH", user, password});
    if (!auth || auth->type == REDIS_REPLY_ERROR) return {false, "Redis AUTH failed"};
  }
  auto pong = command(ctx.get(), {"PING"});
  if (!pong) return {false, ctx->errstr};
  if (pong->type == REDIS_REPLY_ERROR) return {false, std::string(pong->str, pong->len)};
  return {true, {}};
}

}  // namespace

Probe redis(const std::string& url, milliseconds timeout) {
  return [url, timeout] { return check(url, timeout); };
}

}  // namespace workstream::probes
