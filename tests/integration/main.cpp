#define CATCH_CONFIG_RUNNER
#include <curl/curl.h>
#include <mongoc/mongoc.h>

#include <catch2/catch.hpp>

#include "mongo/mongo_record_store.hpp"

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  workstream::mongo::initialiseLibrary();
  // libmongoc warns on stderr about commands FerretDB lacks; tests need only errors.
  mongoc_log_set_handler(
      [](mongoc_log_level_t level, const char* domain, const char* message, void*) {
        if (level <= MONGOC_LOG_LEVEL_ERROR)
          std::fprintf(stderr, "mongoc %s: %s\n", domain, message);
      },
      nullptr);
  const int result = Catch::Session().run(argc, argv);
  workstream::mongo::shutDownLibrary();
  curl_global_cleanup();
  return result;
}
