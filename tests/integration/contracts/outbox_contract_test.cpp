// PgOutboxStore against the OutboxStore contract, in a schema of the test's
// own, written to by the Postgres task store; the in-memory outbox meets the
// same contract in tests/unit/contracts.
#include <catch2/catch.hpp>

#include "contracts/outbox_contract.hpp"
#include "postgres/pg_outbox_store.hpp"
#include "tasks/tasks_fixture.hpp"

using namespace workstream;
using namespace std::chrono_literals;

TEST_CASE("outbox contract: Postgres") {
  testing::TasksFixture f;
  tasks::PgOutboxStore store(f.db.url(), 5s, testing::quietLogger());
  contracts::OutboxHarness harness{
      store, [&] {
        const auto task = f.create("t");
        return std::string(
            f.db.sql("SELECT event_id FROM outbox WHERE aggregate_id = '" + task.id + "'")
                .text(0, 0));
      }};
  contracts::checkOutboxContract(harness);
}
