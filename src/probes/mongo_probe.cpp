#include <mongoc/mongoc.h>

#include <memory>

#include "probes/probes.hpp"

namespace workstream::probes {

// One client for the probe's lifetime: it reconnects by itself, and a client
// per round would open and tear down sessions every few seconds.
// mongoc_init() must have run (main does it once).
Probe mongo(const std::string& url, milliseconds timeout) {
  bson_error_t error;
  std::unique_ptr<mongoc_uri_t, decltype(&mongoc_uri_destroy)> uri(
      mongoc_uri_new_with_error(url.c_str(), &error), mongoc_uri_destroy);
  if (!uri) {
    return [message = std::string("invalid MongoDB URL: ") + error.message] {
      return CheckResult{false, message};
    };
  }
  const auto ms = static_cast<int32_t>(timeout.count());
  mongoc_uri_set_option_as_int32(uri.get(), MONGOC_URI_SERVERSELECTIONTIMEOUTMS, ms);
  mongoc_uri_set_option_as_int32(uri.get(), MONGOC_URI_CONNECTTIMEOUTMS, ms);
  mongoc_uri_set_option_as_int32(uri.get(), MONGOC_URI_SOCKETTIMEOUTMS, ms);
  std::shared_ptr<mongoc_client_t> client(mongoc_client_new_from_uri(uri.get()),
                                          mongoc_client_destroy);
  return [client] {
    if (!client) return CheckResult{false, "cannot create a MongoDB client"};
    bson_error_t error;
    bson_t* ping = BCON_NEW("ping", BCON_INT32(1));
    const bool ok =
        mongoc_client_command_simple(client.get(), "admin", ping, nullptr, nullptr, &error);
    bson_destroy(ping);
    return ok ? CheckResult{true, {}} : CheckResult{false, error.message};
  };
}

}  // namespace workstream::probes
