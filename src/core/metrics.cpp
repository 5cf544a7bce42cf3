#include "workstream/core/metrics.hpp"

#include <fmt/format.h>

namespace workstream {

Metrics::Family& Metrics::family(const std::string& name, const std::string& help,
                                 const char* type) {
  for (auto& f : families_) {
    if (f.name == name) return f;
  }
  return families_.emplace_back(Family{name, help, type, {}});
}

Counter& Metrics::counter(const std::string& name, const std::string& help,
                          const std::string& labels) {
  std::lock_guard lock(mutex_);
  auto& c = counters_.emplace_back();
  family(name, help, "counter").series.push_back({labels, [&c] { return c.value(); }});
  return c;
}

Gauge& Metrics::gauge(const std::string& name, const std::string& help, const std::string& labels) {
  std::lock_guard lock(mutex_);
  auto& g = gauges_.emplace_back();
  family(name, help, "gauge").series.push_back({labels, [&g] { return g.value(); }});
  return g;
}

void Metrics::gaugeFunction(const std::string& name, const std::string& help,
                            std::function<double()> read, const std::string& labels) {
  std::lock_guard lock(mutex_);
  family(name, help, "gauge").series.push_back({labels, std::move(read)});
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& f : families_) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", f.name, f.help, f.name,
                   f.type);
    for (const auto& s : f.series) {
      if (s.labels.empty()) {
        fmt::format_to(std::back_inserter(out), "{} {}\n", f.name, s.read());
      } else {
        fmt::format_to(std::back_inserter(out), "{}{{{}}} {}\n", f.name, s.labels, s.read());
      }
    }
  }
  return out;
}

}  // namespace workstream
