#include <atomic>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "workstream/core/metrics.hpp"

using namespace workstream;

TEST_CASE("metrics: families render with HELP, TYPE and their series") {
  Metrics metrics;
  auto& a = metrics.counter("jobs_total", "Jobs done", R"(queue="a")");
  auto& b = metrics.counter("jobs_total", "Jobs done", R"(queue="b")");
  metrics.gaugeFunction("temperature", "Now", [] { return 21.5; });
  a.inc();
  a.inc(2);
  b.inc();
  CHECK(metrics.render() ==
        "# HELP jobs_total Jobs done\n# TYPE jobs_total counter\n"
        "jobs_total{queue=\"a\"} 3\njobs_total{queue=\"b\"} 1\n"
        "# HELP temperature Now\n# TYPE temperature gauge\ntemperature 21.5\n");
}

TEST_CASE("metrics: a series registered twice is the same series") {
  Metrics metrics;
  auto& a = metrics.counter("jobs_total", "Jobs done", R"(queue="a")");
  CHECK(&metrics.counter("jobs_total", "Jobs done", R"(queue="a")") == &a);
  CHECK(&metrics.counter("jobs_total", "Jobs done", R"(queue="b")") != &a);
  auto& h = metrics.histogram("wait_seconds", "Waits", {1, 2}, R"(queue="a")");
  CHECK(&metrics.histogram("wait_seconds", "Waits", {1, 2}, R"(queue="a")") == &h);
  CHECK_THROWS_AS(metrics.gauge("jobs_total", "Jobs done"), std::logic_error);
}

TEST_CASE("metrics: a histogram renders cumulative buckets, +Inf, sum and count") {
  Metrics metrics;
  auto& h = metrics.histogram("op_seconds", "Operation time", {0.1, 0.5, 1});
  h.observe(0.05);
  h.observe(0.1);  // a bound is "less than or equal"
  h.observe(0.3);
  h.observe(7);
  CHECK(metrics.render() ==
        "# HELP op_seconds Operation time\n# TYPE op_seconds histogram\n"
        "op_seconds_bucket{le=\"0.1\"} 2\n"
        "op_seconds_bucket{le=\"0.5\"} 3\n"
        "op_seconds_bucket{le=\"1\"} 3\n"
        "op_seconds_bucket{le=\"+Inf\"} 4\n"
        "op_seconds_sum 7.45\n"
        "op_seconds_count 4\n");
}

TEST_CASE("metrics: histogram labels come before le, and each label set is its own series") {
  Metrics metrics;
  metrics.histogram("req_seconds", "Requests", {1}, R"(route="/a",status="2xx")").observe(0.5);
  metrics.histogram("req_seconds", "Requests", {1}, R"(route="/a",status="5xx")").observe(2);
  const auto text = metrics.render();
  CHECK_THAT(text, Catch::Contains("req_seconds_bucket{route=\"/a\",status=\"2xx\",le=\"1\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("req_seconds_bucket{route=\"/a\",status=\"5xx\",le=\"1\"} 0\n"));
  CHECK_THAT(text,
             Catch::Contains("req_seconds_bucket{route=\"/a\",status=\"5xx\",le=\"+Inf\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("req_seconds_sum{route=\"/a\",status=\"5xx\"} 2\n"));
  CHECK_THAT(text, Catch::Contains("req_seconds_count{route=\"/a\",status=\"2xx\"} 1\n"));
  // One HELP and TYPE for the family.
  CHECK(text.find("# TYPE req_seconds histogram") == text.rfind("# TYPE req_seconds histogram"));
}

TEST_CASE("metrics: histogram bounds must increase") {
  CHECK_THROWS_AS(Histogram({1, 0.5}), std::logic_error);
  CHECK_THROWS_AS(Histogram({1, 1}), std::logic_error);
  CHECK_NOTHROW(Histogram({}));
}

TEST_CASE("metrics: observations from many threads are all counted") {
  Histogram h({0.5, 1.5});
  constexpr int kThreads = 8, kEach = 20'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&h, t] {
      for (int i = 0; i < kEach; ++i) h.observe(t % 2 == 0 ? 1.0 : 2.0);
    });
  }
  for (auto& thread : threads) thread.join();
  const auto counts = h.bucketCounts();
  REQUIRE(counts.size() == 3);
  CHECK(counts[0] == 0);
  CHECK(counts[1] == kThreads / 2 * kEach);
  CHECK(counts[2] == kThreads / 2 * kEach);
  CHECK(h.sum() == Approx(kThreads / 2 * kEach * 3.0));
}

TEST_CASE("metrics: bounded labels and status classes") {
  CHECK(boundedLabel("SMTP_REJECTED", {"SMTP_REJECTED", "INVALID_MAIL"}) == "SMTP_REJECTED");
  CHECK(boundedLabel("x\"}", {"SMTP_REJECTED"}) == "other");
  CHECK(statusClass(201) == "2xx");
  CHECK(statusClass(431) == "4xx");
  CHECK(statusClass(503) == "5xx");
  CHECK(statusClass(42) == "other");
}

TEST_CASE("metrics: a series table resolves each key once, even from many threads") {
  Metrics metrics;
  std::atomic<int> resolved{0};
  SeriesTable<Counter*> table(4, [&](std::size_t key) {
    ++resolved;
    return &metrics.counter("calls_total", "Calls", "key=\"" + std::to_string(key) + "\"");
  });
  CHECK(table.size() == 4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&table] {
      for (int i = 0; i < 1000; ++i) table.at(static_cast<std::size_t>(i % 3))->inc();
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(resolved == 3);  // key 3 was never used: its series is not registered
  CHECK(table.at(0) != table.at(1));
  CHECK(table.at(0) == &metrics.counter("calls_total", "Calls", "key=\"0\""));
  CHECK(table.at(0)->value() + table.at(1)->value() + table.at(2)->value() == 8000);
  CHECK(metrics.render().find("key=\"3\"") == std::string::npos);
}
