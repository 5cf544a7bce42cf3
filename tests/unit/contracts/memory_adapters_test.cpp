// The in-memory fakes against the ports' contracts; the real adapters meet
// the same contracts in tests/integration/contracts.
#include <catch2/catch.hpp>

#include "contracts/dedup_store_contract.hpp"
#include "contracts/record_store_contract.hpp"
#include "contracts/task_store_contract.hpp"
#include "fakes/memory_dedup_store.hpp"
#include "fakes/memory_record_store.hpp"
#include "fakes/memory_task_store.hpp"

using namespace workstream;

TEST_CASE("dedup store contract: in memory") {
  fakes::MemoryDedupStore store;
  contracts::checkDedupStoreContract(store);
}

TEST_CASE("record store contract: in memory") {
  fakes::MemoryRecordStore store;
  contracts::checkRecordStoreContract(store);
}

TEST_CASE("task store contract: in memory") {
  fakes::MemoryTaskStore store;
  contracts::checkTaskStoreContract(store, [&](const std::string& taskId) {
    std::vector<std::string> types;
    for (const auto& event : store.outbox()) {
      if (event.aggregateId == taskId) types.push_back(event.eventType);
    }
    return types;
  });
}
