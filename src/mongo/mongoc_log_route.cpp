#include "mongo/mongoc_log_route.hpp"

#include <mongoc/mongoc.h>

namespace workstream::mongo {

MongocLogRoute::MongocLogRoute(const Logger& log) : log_(log) {
  mongoc_log_set_handler(
      [](mongoc_log_level_t level, const char* domain, const char* message, void* data) {
        if (level > MONGOC_LOG_LEVEL_WARNING) return;
        static_cast<const MongocLogRoute*>(data)->log_.log(
            level == MONGOC_LOG_LEVEL_WARNING ? LogLevel::warn : LogLevel::error, message,
            {{"library", "mongoc"}, {"domain", domain}});
      },
      this);
}

MongocLogRoute::~MongocLogRoute() { mongoc_log_set_handler(nullptr, nullptr); }

}  // namespace workstream::mongo
