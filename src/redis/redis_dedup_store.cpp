#include "redis/redis_dedup_store.hpp"

#include <memory>

#include "redis/redis_connection.hpp"

namespace workstream::redis {

// A connection on loan; dropped instead of returned when it failed.
class RedisDedupStore::Lease {
 public:
  explicit Lease(RedisDedupStore& store) : store_(store) {
    {
      std::lock_guard lock(store_.mutex_);
      if (!store_.idle_.empty()) {
        ctx_ = store_.idle_.back();
        store_.idle_.pop_back();
      }
    }
    if (ctx_ == nullptr) ctx_ = redis::connect(addressOf(store_.url_), store_.timeout_);
  }
  ~Lease() {
    if (ctx_ == nullptr) return;
    std::lock_guard lock(store_.mutex_);
    store_.idle_.push_back(ctx_);
  }

  // Runs a command; a failed connection is closed and reported Unavailable.
  template <class... Args>
  Reply command(const char* format, Args... args) {
    return checked(
        Reply(static_cast<redisReply*>(redisCommand(ctx_, format, args...)), freeReplyObject));
  }

  Reply commandArgv(const std::vector<std::string>& args) {
    return checked(redis::commandArgv(ctx_, args));
  }

  // Sends every command, then reads every reply: one round trip.
  void pipeline(const std::vector<std::vector<std::string>>& commands) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& args : commands) {
      argv.clear();
      lengths.clear();
      for (const auto& arg : args) {
        argv.push_back(arg.data());
        lengths.push_back(arg.size());
      }
      if (redisAppendCommandArgv(ctx_, static_cast<int>(args.size()), argv.data(),
                                 lengths.data()) != REDIS_OK) {
        checked(Reply(nullptr, freeReplyObject));
      }
    }
    // Every reply is read before any is judged: the connection goes back
    // to the pool with nothing left unread.
    std::vector<Reply> replies;
    for (std::size_t i = 0; i < commands.size(); ++i) {
      void* raw = nullptr;
      if (redisGetReply(ctx_, &raw) != REDIS_OK) raw = nullptr;
      if (raw == nullptr) checked(Reply(nullptr, freeReplyObject));
      replies.emplace_back(static_cast<redisReply*>(raw), freeReplyObject);
    }
    for (auto& reply : replies) checked(std::move(reply));
  }

 private:
  Reply checked(Reply reply) {
    if (!reply) {
      const std::string error = ctx_->errstr;
      redisFree(ctx_);
      ctx_ = nullptr;
      throw Unavailable("Redis: " + error);
    }
    if (reply->type == REDIS_REPLY_ERROR) {
      throw Unavailable("Redis refused: " + std::string(reply->str, reply->len));
    }
    return reply;
  }

  RedisDedupStore& store_;
  redisContext* ctx_ = nullptr;
};

RedisDedupStore::RedisDedupStore(std::string url, std::string prefix, std::chrono::seconds ttl,
                                 std::chrono::milliseconds timeout)
    : url_(std::move(url)), prefix_(std::move(prefix)), ttl_(ttl), timeout_(timeout) {
  addressOf(url_);  // an invalid URL fails here, not at the first call
}

RedisDedupStore::~RedisDedupStore() {
  for (auto* ctx : idle_) redisFree(ctx);
}

bool RedisDedupStore::processed(const std::string& eventId) {
  Lease lease(*this);
  auto reply = lease.command("GET %s", key(eventId).c_str());
  return reply->type == REDIS_REPLY_STRING && std::string_view(reply->str, reply->len) == "1";
}

std::vector<bool> RedisDedupStore::processedAll(const std::vector<std::string>& eventIds) {
  std::vector<bool> answers(eventIds.size(), false);
  if (eventIds.empty()) return answers;
  std::vector<std::string> args{"MGET"};
  for (const auto& id : eventIds) args.push_back(key(id));
  Lease lease(*this);
  auto reply = lease.commandArgv(args);
  for (std::size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i < reply->elements; ++i) {
    const auto* value = reply->element[i];
    answers[i] =
        value->type == REDIS_REPLY_STRING && std::string_view(value->str, value->len) == "1";
  }
  return answers;
}

void RedisDedupStore::markProcessedAll(const std::vector<std::string>& eventIds) {
  if (eventIds.empty()) return;
  const auto ttl = std::to_string(ttl_.count());
  std::vector<std::vector<std::string>> commands;
  commands.reserve(eventIds.size());
  for (const auto& id : eventIds) commands.push_back({"SET", key(id), "1", "EX", ttl});
  Lease lease(*this);
  lease.pipeline(commands);
}

bool RedisDedupStore::claim(const std::string& eventId, std::chrono::seconds ttl) {
  Lease lease(*this);
  auto reply = lease.command("SET %s claimed NX EX %lld", key(eventId).c_str(),
                             static_cast<long long>(ttl.count()));
  return reply->type == REDIS_REPLY_STATUS;  // OK; nil when the key exists
}

void RedisDedupStore::release(const std::string& eventId) {
  Lease lease(*this);
  // Only a claim: a processed mark stays.
  lease.command(
      "EVAL %s 1 %s",
      "if redis.call('GET', KEYS[1]) == 'claimed' then return redis.call('DEL', KEYS[1]) end "
      "return 0",
      key(eventId).c_str());
}

void RedisDedupStore::markProcessed(const std::string& eventId) {
  Lease lease(*this);
  lease.command("SET %s 1 EX %lld", key(eventId).c_str(), static_cast<long long>(ttl_.count()));
}

void RedisDedupStore::writeHash(const std::string& key,
                                const std::vector<std::pair<std::string, std::string>>& fields) {
  std::vector<std::string> args{
      "EVAL",
      "redis.call('HSET', KEYS[1], unpack(ARGV, 2)) return redis.call('EXPIRE', KEYS[1], ARGV[1])",
      "1", key, std::to_string(ttl_.count())};
  for (const auto& [name, value] : fields) {
    args.push_back(name);
    args.push_back(value);
  }
  Lease lease(*this);
  lease.commandArgv(args);
}

std::map<std::string, std::string> RedisDedupStore::readHash(const std::string& key) {
  Lease lease(*this);
  auto reply = lease.command("HGETALL %s", key.c_str());
  std::map<std::string, std::string> fields;
  for (size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i + 1 < reply->elements; i += 2) {
    fields.emplace(std::string(reply->element[i]->str, reply->element[i]->len),
                   std::string(reply->element[i + 1]->str, reply->element[i + 1]->len));
  }
  return fields;
}

CheckResult RedisDedupStore::check() {
  try {
    Lease lease(*this);
    lease.command("PING");
    return {true, {}};
  } catch (const InfrastructureError& e) {
    return {false, e.what()};
  }
}

}  // namespace workstream::redis
