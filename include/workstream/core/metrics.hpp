#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace workstream {

class Counter {
 public:
  void inc(double by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Prometheus metrics of one process, rendered in the text exposition format.
// Registration takes a lock; updating a counter or gauge is one atomic op.
class Metrics {
 public:
  // `labels` is the rendered label set, e.g. R"(queue="workstream.mailer")".
  Counter& counter(const std::string& name, const std::string& help,
                   const std::string& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const std::string& labels = {});
  // A gauge whose value is read when /metrics is scraped.
  void gaugeFunction(const std::string& name, const std::string& help, std::function<double()> read,
                     const std::string& labels = {});

  std::string render() const;

 private:
  struct Series {
    std::string labels;
    std::function<double()> read;
  };
  struct Family {
    std::string name, help, type;
    std::vector<Series> series;
  };
  Family& family(const std::string& name, const std::string& help, const char* type);

  mutable std::mutex mutex_;
  std::deque<Family> families_;
  std::deque<Counter> counters_;
  std::deque<Gauge> gauges_;
};

}  // namespace workstream
