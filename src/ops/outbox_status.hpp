#pragma once

#include <optional>
#include <string>

namespace workstream::ops {

// The session that holds the outbox relay's advisory lock.
struct RelayHolder {
  long long backendPid = 0;     // the server process of that session
  std::string applicationName;  // "workstream relay pid=<pid> host=<host>"
  std::string client;           // its address, or "local socket"
  double connectedSeconds = 0;
};

struct OutboxStatus {
  std::string schema;
  long long pending = 0;
  double oldestPendingSeconds = 0;  // 0 when nothing is pending
  long long publishedLastMinute = 0;
  std::optional<RelayHolder> relay;  // none: no relay runs on this schema
};

std::string renderOutboxStatus(const OutboxStatus& status, bool json);

}  // namespace workstream::ops
