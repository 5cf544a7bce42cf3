#include <catch2/catch.hpp>

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
