// The real adapters against the ports' contracts, on the real local servers;
// the in-memory fakes meet the same contracts in tests/unit/contracts.
#include <mongoc/mongoc.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "contracts/dedup_store_contract.hpp"
#include "contracts/record_store_contract.hpp"
#include "contracts/task_store_contract.hpp"
#include "mongo/mongo_record_store.hpp"
#include "redis/redis_dedup_store.hpp"
#include "support/server_env.hpp"
#include "tasks/tasks_fixture.hpp"

using namespace workstream;
using namespace std::chrono_literals;

TEST_CASE("dedup store contract: Redis") {
  // A key prefix of the test's own; its keys expire with the TTL.
  redis::RedisDedupStore store(testing::serverEnv("WORKSTREAM_REDIS_URL"),
                               "test:" + newUuid() + ":", 60s, 2s);
  contracts::checkDedupStoreContract(store);
}

TEST_CASE("record store contract: MongoDB") {
  const auto base = testing::serverEnv("WORKSTREAM_MONGO_URL");
  const auto name = "contract_" + newUuid().substr(0, 8);
  const auto url = base.substr(0, base.rfind('/') + 1) + name;
  {
    mongo::MongoRecordStore store(url, 5s);
    store.ensureIndexes();
    contracts::checkRecordStoreContract(store);
  }
  mongoc_client_t* client = mongoc_client_new(url.c_str());
  mongoc_database_t* db = mongoc_client_get_database(client, name.c_str());
  mongoc_database_drop(db, nullptr);
  mongoc_database_destroy(db);
  mongoc_client_destroy(client);
}

// libmongoc asks Cyrus SASL only for GSSAPI; loading Cyrus's plugins (and
// Berkeley DB) in every process would cost memory for nothing.
TEST_CASE("record store: libmongoc is set up without Cyrus SASL's plugins") {
  mongo::MongoRecordStore store(testing::serverEnv("WORKSTREAM_MONGO_URL"), 5s);
  const auto check = store.check();
  INFO(check.error);
  REQUIRE(check.ok);
  std::ostringstream maps;
  maps << std::ifstream("/proc/self/maps").rdbuf();
  REQUIRE(maps.str().find("libmongoc") != std::string::npos);
  CHECK(maps.str().find("/sasl2/") == std::string::npos);
  CHECK(maps.str().find("libdb-") == std::string::npos);
}

TEST_CASE("record store: a URL asking for GSSAPI without SASL_PATH gets a clear error") {
  REQUIRE(std::getenv("SASL_PATH") == nullptr);
  CHECK_THROWS_WITH(
      mongo::MongoRecordStore("mongodb://someone%40REALM@127.0.0.1:1/db?authMechanism=GSSAPI", 1s),
      Catch::Contains("GSSAPI") && Catch::Contains("SASL_PATH"));
}

TEST_CASE("task store contract: Postgres") {
  testing::PgSchema db;
  pg::Pool pool{testing::taskPoolOptions(db.url(), 8), testing::quietLogger()};
  tasks::PgTaskStore store{pool};
  contracts::checkTaskStoreContract(store, [&](const std::string& taskId) {
    auto rows = db.sql("SELECT event_type FROM outbox WHERE aggregate_id = '" + taskId +
                       "' ORDER BY position");
    std::vector<std::string> types;
    for (int i = 0; i < rows.rows(); ++i) types.emplace_back(rows.text(i, 0));
    return types;
  });
}

TEST_CASE("dedup and record stores: a batch without its server throws Unavailable") {
  redis::RedisDedupStore dedup("redis://127.0.0.1:1/0", "test:", 60s, 1s);
  CHECK_THROWS_AS(dedup.processedAll({newUuid()}), Unavailable);
  CHECK_THROWS_AS(dedup.markProcessedAll({newUuid()}), Unavailable);
  mongo::MongoRecordStore records("mongodb://127.0.0.1:1/down", 1s);
  CHECK_THROWS_AS(records.insertAll(
                      {contracts::recordAt(newUuid(), systemNow(), "workstream.task.created.v1")}),
                  Unavailable);
}
