#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <regex>
#include <set>
#include <thread>
#include <vector>

#include "workstream/core/time.hpp"
#include "workstream/core/trace.hpp"
#include "workstream/core/uuid.hpp"

using namespace workstream;

TEST_CASE("traceparent: valid headers parse, malformed ones do not") {
  auto parsed = parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  REQUIRE(parsed);
  CHECK(parsed->traceId == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(parsed->spanId == "00f067aa0ba902b7");
  CHECK(formatTraceparent(*parsed) == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  for (const char* bad : {"", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                          "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}) {
    INFO(bad);
    CHECK_FALSE(parseTraceparent(bad));
  }
}

TEST_CASE("traceparent: fresh traces are valid, a child keeps the trace") {
  const auto parent = newTraceParent();
  REQUIRE(parseTraceparent(formatTraceparent(parent)));
  const auto child = childOf(parent);
  CHECK(child.traceId == parent.traceId);
  CHECK(child.spanId != parent.spanId);
}

TEST_CASE("uuid: v4 ids are fresh and canonical") {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(newUuid());
  CHECK(ids.size() == 1000);
  CHECK(canonicalUuid(*ids.begin()) == *ids.begin());
}

TEST_CASE("uuid: v4 ids carry the version and the RFC 4122 variant") {
  const std::regex v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<char> variants;
  for (int i = 0; i < 1000; ++i) {
    const auto id = newUuid();
    INFO(id);
    REQUIRE(std::regex_match(id, v4));
    variants.insert(id[19]);
  }
  CHECK(variants == std::set<char>{'8', '9', 'a', 'b'});  // the random bits beside it vary
}

// Each thread seeds a generator of its own: threads must not repeat each
// other's ids (as they would if they shared a seed).
TEST_CASE("uuid and trace ids: unique across threads") {
  constexpr int kThreads = 8, kEach = 5000;
  std::vector<std::vector<std::string>> made(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&out = made[t]] {
      for (int i = 0; i < kEach; ++i) {
        out.push_back(newUuid());
        const auto trace = newTraceParent();
        out.push_back(trace.traceId);
        out.push_back(trace.spanId);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> all;
  for (const auto& ids : made) all.insert(ids.begin(), ids.end());
  CHECK(all.size() == static_cast<std::size_t>(kThreads * kEach * 3));
}

TEST_CASE("trace: fresh trace and span ids are lowercase hex of their length") {
  const std::regex trace("^[0-9a-f]{32}$"), span("^[0-9a-f]{16}$");
  std::set<char> firstDigits;
  for (int i = 0; i < 200; ++i) {
    const auto parent = newTraceParent();
    REQUIRE(std::regex_match(parent.traceId, trace));
    REQUIRE(std::regex_match(parent.spanId, span));
    REQUIRE(std::regex_match(childOf(parent).spanId, span));
    firstDigits.insert(parent.traceId[0]);
  }
  CHECK(firstDigits.size() > 8);  // every digit is random, none fixed as in a UUID
}

TEST_CASE("uuid: v5 is deterministic and matches the RFC 4122 example") {
  // The DNS namespace and "www.example.com", as in RFC 4122's errata and
  // Python's uuid.uuid5(uuid.NAMESPACE_DNS, "www.example.com").
  const std::string dns = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
  CHECK(uuidV5(dns, "www.example.com") == "2ed6657d-e927-568b-95e1-2665a8aea6a2");
  CHECK(uuidV5(dns, "a") == uuidV5(dns, "a"));
  CHECK(uuidV5(dns, "a") != uuidV5(dns, "b"));
}

TEST_CASE("time: RFC 3339 with microseconds in UTC, whatever the local zone") {
  const Timestamp t{std::chrono::microseconds(1'700'000'000'000'042)};
  const char* before = std::getenv("TZ");
  const std::string saved = before ? before : "";
  setenv("TZ", "Asia/Kolkata", 1);  // +05:30
  tzset();
  const auto formatted = formatRfc3339(t);
  if (before)
    setenv("TZ", saved.c_str(), 1);
  else
    unsetenv("TZ");
  tzset();
  CHECK(formatted == "2023-11-14T22:13:20.000042Z");
}
