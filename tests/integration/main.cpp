#define CATCH_CONFIG_RUNNER
#include <curl/curl.h>
#include <mongoc/mongoc.h>

#include <catch2/catch.hpp>

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  mongoc_init();
  // libmongoc warns on stderr about commands FerretDB lacks; tests need only errors.
  mongoc_log_set_handler(
      [](mongoc_log_level_t level, const char* domain, const char* message, void*) {
        if (level <= MONGOC_LOG_LEVEL_ERROR)
          std::fprintf(stderr, "mongoc %s: %s\n", domain, message);
      },
      nullptr);
  const int result = Catch::Session().run(argc, argv);
  mongoc_cleanup();
  curl_global_cleanup();
  return result;
}
