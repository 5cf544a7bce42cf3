#include <mongoc/mongoc.h>

#include <iostream>
#include <map>

#include "mongo/mongo_record_store.hpp"
#include "ops/commands.hpp"
#include "ops/timeline.hpp"
#include "postgres/pg_connection.hpp"
#include "redis/redis_dedup_store.hpp"
#include "redis/redis_delivery_log.hpp"
#include "workstream/core/uuid.hpp"

namespace workstream::ops {
namespace {

constexpr std::chrono::seconds kTimeout{3};
constexpr int kMaxRecords = 100;  // a task has a handful of events

Timestamp micros(const pg::PgResult& r, int row, int col) {
  return Timestamp(std::chrono::microseconds(r.integer(row, col)));
}

// The task's title (nullopt: no such task) and its outbox rows, oldest first.
std::optional<std::string> readTasks(const std::string& url, const std::string& taskId,
                                     std::map<std::string, EventFacts>& events,
                                     std::vector<std::string>& order) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(pg::connect(url, kTimeout * 3, kTimeout),
                                                    PQfinish);
  auto task = pg::execParams(conn.get(), "SELECT title FROM tasks WHERE id = $1", {taskId});
  if (task.rows() == 0) return std::nullopt;
  auto rows = pg::execParams(
      conn.get(),
      "SELECT event_id, event_type, coalesce(request_id, ''), coalesce(envelope->>'trace_id', ''),"
      " coalesce(envelope->>'occurred_at', ''), (extract(epoch FROM created_at) * 1000000)::bigint,"
      " (extract(epoch FROM published_at) * 1000000)::bigint"
      " FROM outbox WHERE aggregate_id = $1 ORDER BY position",
      {taskId});
  for (int i = 0; i < rows.rows(); ++i) {
    OutboxRow row{std::string(rows.text(i, 0)),
                  std::string(rows.text(i, 1)),
                  std::string(rows.text(i, 2)),
                  std::string(rows.text(i, 3)),
                  std::string(rows.text(i, 4)),
                  micros(rows, i, 5),
                  std::nullopt};
    if (!rows.isNull(i, 6)) row.publishedAt = micros(rows, i, 6);
    order.push_back(row.eventId);
    events[row.eventId].eventId = row.eventId;
    events[row.eventId].outbox = std::move(row);
  }
  return std::string(task.text(0, 0));
}

void readRecords(const std::string& url, const std::string& taskId,
                 std::map<std::string, EventFacts>& events, std::vector<std::string>& order) {
  // libmongoc's own stderr lines would only repeat the error reported below.
  mongoc_log_set_handler([](mongoc_log_level_t, const char*, const char*, void*) {}, nullptr);
  mongo::MongoRecordStore records(url, kTimeout);
  notifications::RecordQuery query;
  query.taskId = taskId;
  query.limit = kMaxRecords;
  for (auto& record : records.list(query)) {
    auto& facts = events[record.eventId];
    if (facts.eventId.empty()) order.push_back(record.eventId);
    facts.eventId = record.eventId;
    facts.record = std::move(record);
  }
}

// The mailer's deliveries of the mail requests the records name.
void readDeliveries(const std::string& url, std::map<std::string, EventFacts>& events) {
  redis::RedisDedupStore mailed(url, redis::RedisDedupStore::kMailed, std::chrono::hours(24),
                                kTimeout);
  if (auto check = mailed.check(); !check.ok) throw Unavailable(check.error);
  redis::RedisDeliveryLog deliveries(mailed);
  for (auto& [id, facts] : events) {
    if (facts.record && !facts.record->mailRequestId.empty())
      facts.delivery = deliveries.find(facts.record->mailRequestId);
  }
}

// Runs one store's reading; a failure is reported naming the store.
template <class F>
bool reading(const char* store, F&& body) {
  try {
    body();
    return true;
  } catch (const std::exception& e) {
    std::cerr << "workstream: trace: " << store << " cannot be read: " << e.what() << "\n";
    return false;
  }
}

}  // namespace

int traceCommand(const Config& config, const std::string& taskIdText, bool json) {
  const auto taskId = canonicalUuid(taskIdText);
  if (!taskId) {
    std::cerr << "workstream: trace: TASK_ID must be a UUID, got \"" << taskIdText << "\"\n";
    return 2;
  }
  std::map<std::string, EventFacts> events;
  std::vector<std::string> order;
  std::optional<std::string> title;
  bool ok =
      reading("PostgreSQL", [&] { title = readTasks(config.postgresUrl, *taskId, events, order); });
  ok = reading("MongoDB", [&] { readRecords(config.mongoUrl, *taskId, events, order); }) && ok;
  ok = reading("Redis", [&] { readDeliveries(config.redisUrl, events); }) && ok;
  if (!ok) return 1;
  if (!title) {
    std::cerr << "workstream: trace: no task " << *taskId << " in the tasks database\n";
    return 1;
  }
  std::vector<EventFacts> ordered;
  for (const auto& id : order) ordered.push_back(events[id]);
  const auto trace = assembleTrace(*taskId, *title, ordered);
  std::cout << (json ? renderJson(trace) : renderText(trace));
  return 0;
}

}  // namespace workstream::ops
