#pragma once

// Connecting to Redis, one way for the dedup store and the readiness probe:
// the URL's parts, a command whose arguments go as they are, and a
// connection that has authenticated and selected its database. Inline so
// that each user compiles it beside its own hiredis; only they include it.

#include <hiredis/hiredis.h>

#include <boost/url/parse.hpp>
#include <charconv>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "workstream/core/errors.hpp"
#include "workstream/core/time.hpp"

namespace workstream::redis {

using Reply = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

struct Address {
  std::string host;
  int port = 6379;
  std::string user, password;
  int database = 0;
};

// The parts of a redis:// URL, which the configuration checked.
inline Address addressOf(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw InfrastructureError("invalid Redis URL");
  Address address;
  address.host = std::string(parsed->host_address());
  if (parsed->has_port()) address.port = parsed->port_number();
  if (parsed->has_password()) {
    address.user = std::string(parsed->user());
    address.password = std::string(parsed->password());
  }
  const auto path = parsed->path();
  if (path.size() > 1)
    std::from_chars(path.data() + 1, path.data() + path.size(), address.database);
  return address;
}

// Arguments go as they are (redisCommandArgv), never into a format string:
// a user name or password may hold a '%'. A null reply: the connection failed.
inline Reply commandArgv(redisContext* ctx, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  void* raw = redisCommandArgv(ctx, static_cast<int>(args.size()), argv.data(), lengths.data());
  return Reply(static_cast<redisReply*>(raw), freeReplyObject);
}

// A connection (the caller frees it) that answers within `timeout`, has
// authenticated and is on its database; Unavailable otherwise.
inline redisContext* connect(const Address& address, std::chrono::milliseconds timeout) {
  redisContext* ctx =
      redisConnectWithTimeout(address.host.c_str(), address.port, toTimeval(timeout));
  if (ctx == nullptr || ctx->err) {
    const std::string error = ctx ? ctx->errstr : "cannot allocate a context";
    if (ctx) redisFree(ctx);
    throw Unavailable("cannot connect to Redis: " + error);
  }
  redisSetTimeout(ctx, toTimeval(timeout));
  auto setUp = [&](const std::vector<std::string>& args) {
    auto reply = commandArgv(ctx, args);
    if (!reply || reply->type == REDIS_REPLY_ERROR) {
      redisFree(ctx);
      throw Unavailable("Redis refused the connection set-up");
    }
  };
  if (!address.password.empty()) {
    setUp(address.user.empty() ? std::vector<std::string>{"AUTH", address.password}
                               : std::vector<std::string>{"AUTH", address.user, address.password});
  }
  if (address.database != 0) setUp({"SELECT", std::to_string(address.database)});
  return ctx;
}

}  // namespace workstream::redis
