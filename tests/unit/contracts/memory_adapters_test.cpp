// The in-memory fakes against the ports' contracts; the real adapters meet
// the same contracts in tests/integration/contracts.
#include <catch2/catch.hpp>

#include "contracts/dedup_store_contract.hpp"
#include "contracts/record_store_contract.hpp"
#include "fakes/memory_dedup_store.hpp"
#include "fakes/memory_record_store.hpp"

using namespace workstream;

TEST_CASE("dedup store contract: in memory") {
  fakes::MemoryDedupStore store;
  contracts::checkDedupStoreContract(store);
}

TEST_CASE("record store contract: in memory") {
  fakes::MemoryRecordStore store;
  contracts::checkRecordStoreContract(store);
}
