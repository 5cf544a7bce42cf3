#include "workstream/core/ensure_once.hpp"

#include "workstream/core/errors.hpp"

namespace workstream {

bool EnsureOnce::tryNow() {
  if (done_) return true;
  // Start-up and the readiness thread may try at once; one try at a time.
  std::lock_guard lock(mutex_);
  if (done_) return true;
  try {
    step_();
    done_ = true;
  } catch (const InfrastructureError& e) {
    log_.warn(warning_, {{"error", e.what()}});
  }
  return done_;
}

}  // namespace workstream
