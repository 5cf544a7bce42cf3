#include <absl/synchronization/mutex.h>
#include <curl/curl.h>

#include "app/commands.hpp"
#include "mongo/mongo_record_store.hpp"

int main(int argc, char** argv) {
  // Debian builds Abseil without NDEBUG, which leaves absl::Mutex's deadlock
  // detector on: every lock gRPC takes would record its acquisition order in
  // a global graph. Off before the first gRPC object exists.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // Both libraries want their global set-up once, before any thread starts.
  curl_global_init(CURL_GLOBAL_DEFAULT);
  workstream::mongo::initialiseLibrary();
  const int code = workstream::app::runCli(argc, argv);
  workstream::mongo::shutDownLibrary();
  curl_global_cleanup();
  return code;
}
