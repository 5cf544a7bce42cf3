#include "workstream/core/metrics.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <stdexcept>

namespace workstream {
namespace {

void appendSample(std::string& out, const std::string& name, std::string_view suffix,
                  const std::string& labels, std::string_view extra, double value) {
  out += name;
  out += suffix;
  if (!labels.empty() || !extra.empty()) {
    out += '{';
    out += labels;
    if (!labels.empty() && !extra.empty()) out += ',';
    out += extra;
    out += '}';
  }
  fmt::format_to(std::back_inserter(out), " {}\n", value);
}

void renderHistogram(std::string& out, const std::string& name, const std::string& labels,
                     const Histogram& h) {
  const auto counts = h.bucketCounts();
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    const std::string le = i < h.bounds().size() ? fmt::format("le=\"{}\"", h.bounds()[i])
                                                 : std::string("le=\"+Inf\"");
    appendSample(out, name, "_bucket", labels, le, static_cast<double>(cumulative));
  }
  appendSample(out, name, "_sum", labels, {}, h.sum());
  // The count is the +Inf bucket, so the two always agree in one scrape.
  appendSample(out, name, "_count", labels, {}, static_cast<double>(cumulative));
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
      std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end()) {
    throw std::logic_error("histogram bounds must increase");
  }
  for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::observe(double value) {
  // Prometheus buckets are "less than or equal": the first bound >= value.
  const auto index = static_cast<std::size_t>(
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  counts_[index].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::bucketCounts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = counts_[i].load(std::memory_order_relaxed);
  return out;
}

std::vector<double> latencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

std::vector<double> lagBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
}

std::string boundedLabel(std::string_view value, std::initializer_list<std::string_view> known) {
  for (auto k : known) {
    if (k == value) return std::string(value);
  }
  return "other";
}

std::string statusClass(int status) {
  if (status < 100 || status > 599) return "other";
  return std::to_string(status / 100) + "xx";
}

Metrics::Family& Metrics::family(const std::string& name, const std::string& help,
                                 const char* type) {
  for (auto& f : families_) {
    if (f.name == name) {
      if (f.type != type) throw std::logic_error("metric " + name + " registered as " + f.type);
      return f;
    }
  }
  return families_.emplace_back(Family{name, help, type, {}});
}

void* Metrics::find(const Family& family, const std::string& labels) {
  for (const auto& s : family.series) {
    if (s.labels == labels) return s.instance;
  }
  return nullptr;
}

Counter& Metrics::counter(const std::string& name, const std::string& help,
                          const std::string& labels) {
  std::lock_guard lock(mutex_);
  auto& f = family(name, help, "counter");
  if (auto* known = find(f, labels)) return *static_cast<Counter*>(known);
  auto& c = counters_.emplace_back();
  f.series.push_back({labels, [&c] { return c.value(); }, &c});
  return c;
}

Gauge& Metrics::gauge(const std::string& name, const std::string& help, const std::string& labels) {
  std::lock_guard lock(mutex_);
  auto& f = family(name, help, "gauge");
  if (auto* known = find(f, labels)) return *static_cast<Gauge*>(known);
  auto& g = gauges_.emplace_back();
  f.series.push_back({labels, [&g] { return g.value(); }, &g});
  return g;
}

Histogram& Metrics::histogram(const std::string& name, const std::string& help,
                              const std::vector<double>& bounds, const std::string& labels) {
  std::lock_guard lock(mutex_);
  auto& f = family(name, help, "histogram");
  if (auto* known = find(f, labels)) return *static_cast<Histogram*>(known);
  auto& h = histograms_.emplace_back(bounds);
  f.series.push_back({labels, {}, &h});
  return h;
}

void Metrics::gaugeFunction(const std::string& name, const std::string& help,
                            std::function<double()> read, const std::string& labels) {
  std::lock_guard lock(mutex_);
  family(name, help, "gauge").series.push_back({labels, std::move(read), nullptr});
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& f : families_) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", f.name, f.help, f.name,
                   f.type);
    for (const auto& s : f.series) {
      if (f.type == "histogram") {
        renderHistogram(out, f.name, s.labels, *static_cast<const Histogram*>(s.instance));
      } else {
        appendSample(out, f.name, {}, s.labels, {}, s.read());
      }
    }
  }
  return out;
}

}  // namespace workstream
