#include <catch2/catch.hpp>
#include <stdexcept>

#include "fakes/quiet_logger.hpp"
#include "workstream/core/ensure_once.hpp"
#include "workstream/core/errors.hpp"

using namespace workstream;

TEST_CASE("ensure once: retried while its server is down, then never again") {
  int calls = 0;
  bool serverUp = false;
  EnsureOnce indexes(
      [&] {
        ++calls;
        if (!serverUp) throw Unavailable("connection refused");
      },
      "cannot create the indexes yet", fakes::quietLogger("test"));

  CHECK_FALSE(indexes.tryNow());
  CHECK_FALSE(indexes.tryNow());
  CHECK_FALSE(indexes.done());
  serverUp = true;
  CHECK(indexes.tryNow());
  CHECK(indexes.tryNow());
  CHECK(indexes.done());
  CHECK(calls == 3);
}

TEST_CASE("ensure once: a failure that is not the server's goes to the caller") {
  EnsureOnce step([] { throw std::logic_error("bug"); }, "never", fakes::quietLogger("test"));
  CHECK_THROWS_AS(step.tryNow(), std::logic_error);
  CHECK_FALSE(step.done());
}

TEST_CASE("ensure once: each failed try is a warning naming the error") {
  std::FILE* out = std::tmpfile();
  Logger log(std::make_shared<LogSink>(out, LogLevel::debug), "test");
  EnsureOnce step([] { throw TimedOut("server selection timeout"); },
                  "cannot create the MongoDB indexes yet", log);
  step.tryNow();
  std::rewind(out);
  char line[1024] = {};
  REQUIRE(std::fgets(line, sizeof line, out));
  const std::string text(line);
  CHECK(text.find("cannot create the MongoDB indexes yet") != std::string::npos);
  CHECK(text.find("server selection timeout") != std::string::npos);
  CHECK(text.find("warn") != std::string::npos);
  std::fclose(out);
}
