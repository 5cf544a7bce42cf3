#include <mongoc/mongoc.h>

#include <memory>

#include "probes/probes.hpp"

namespace workstream::probes {

// mongoc_init() must have run (main does it once).
CheckResult mongo(const std::string& url, milliseconds timeout) {
  bson_error_t error;
  std::unique_ptr<mongoc_uri_t, decltype(&mongoc_uri_destroy)> uri(
      mongoc_uri_new_with_error(url.c_str(), &error), mongoc_uri_destroy);
  if (!uri) return {false, std::string("invalid MongoDB URL: ") + error.message};
  const auto ms = static_cast<int32_t>(timeout.count());
  mongoc_uri_set_option_as_int32(uri.get(), MONGOC_URI_SERVERSELECTIONTIMEOUTMS, ms);
  mongoc_uri_set_option_as_int32(uri.get(), MONGOC_URI_CONNECTTIMEOUTMS, ms);
  mongoc_uri_set_option_as_int32(uri.get(), MONGOC_URI_SOCKETTIMEOUTMS, ms);
  std::unique_ptr<mongoc_client_t, decltype(&mongoc_client_destroy)> client(
      mongoc_client_new_from_uri(uri.get()), mongoc_client_destroy);
  if (!client) return {false, "cannot create a MongoDB client"};
  bson_t* ping = BCON_NEW("ping", BCON_INT32(1));
  const bool ok = mongoc_client_command_simple(client.get(), "admin", ping, nullptr, nullptr, &error);
  bson_destroy(ping);
  if (!ok) return {false, error.message};
  return {true, {}};
}

}  // namespace workstream::probes
