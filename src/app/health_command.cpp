#include <iostream>

#include "app/commands.hpp"
#include "ops/health_probe.hpp"

namespace workstream::app {

int healthCommand(const HostPort& adminAddr, std::chrono::milliseconds timeout, Probe probe) {
  const auto answer = admin::probeAdmin(adminAddr, timeout, probe == Probe::ready);
  if (!answer.error.empty()) {
    std::cerr << "workstream: health: " << answer.url << ": " << answer.error << "\n";
    return 1;
  }
  std::cout << answer.body << "\n";
  if (!answer.healthy) {
    std::cerr << "workstream: health: " << answer.url << " answered " << answer.status << "\n";
  }
  return answer.healthy ? 0 : 1;
}

}  // namespace workstream::app
