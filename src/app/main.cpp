#include <curl/curl.h>
#include <mongoc/mongoc.h>

#include "app/commands.hpp"

int main(int argc, char** argv) {
  // Both libraries want their global set-up once, before any thread starts.
  curl_global_init(CURL_GLOBAL_DEFAULT);
  mongoc_init();
  const int code = workstream::app::runCli(argc, argv);
  mongoc_cleanup();
  curl_global_cleanup();
  return code;
}
