#include <mongoc/mongoc.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "mongo/mongoc_log_route.hpp"

using namespace workstream;

namespace {

std::string contents(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  char buffer[1024];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) text.append(buffer, n);
  return text;
}

}  // namespace

TEST_CASE("mongoc log route: warnings and errors become our log lines, chatter is dropped") {
  std::FILE* out = std::tmpfile();
  {
    mongo::MongocLogRoute route(Logger(std::make_shared<LogSink>(out, LogLevel::debug), "test"));
    mongoc_log(MONGOC_LOG_LEVEL_WARNING, "cluster", "server selection slow");
    mongoc_log(MONGOC_LOG_LEVEL_ERROR, "client", "connection lost");
    mongoc_log(MONGOC_LOG_LEVEL_INFO, "client", "chatter");
  }
  const auto text = contents(out);
  CHECK(text.find("server selection slow") != std::string::npos);
  CHECK(text.find("connection lost") != std::string::npos);
  CHECK(text.find(R"("library":"mongoc")") != std::string::npos);
  CHECK(text.find(R"("domain":"cluster")") != std::string::npos);
  CHECK(text.find("chatter") == std::string::npos);
  std::fclose(out);
}
