#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
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
  void add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A Prometheus histogram with fixed upper bounds. Observing is lock-free:
// one atomic bucket counter and the atomic sum.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);

  void observe(double value);
  const std::vector<double>& bounds() const { return bounds_; }
  // Per bucket, not cumulative; the last one is +Inf.
  std::vector<std::uint64_t> bucketCounts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

// Upper bounds in seconds, from 1 ms to 30 s: request and handler latencies.
std::vector<double> latencyBuckets();
// Upper bounds in seconds, from 5 ms to 10 min: lags between processes,
// which include retries.
std::vector<double> lagBuckets();

// A label value from a fixed vocabulary: `value` if it is in `known`, else
// "other", so a value from outside cannot grow the number of series.
std::string boundedLabel(std::string_view value, std::initializer_list<std::string_view> known);
// "2xx", "4xx", "5xx"... of an HTTP status.
std::string statusClass(int status);

// Handles to series over a small fixed space of keys (say route x method x
// status), resolved once per key: the first use of a key calls `resolve`
// under a lock (which registers the series); later ones find the handles
// with one atomic load, so recording builds no labels and takes no lock.
template <class Handles>
class SeriesTable {
 public:
  SeriesTable(std::size_t keys, std::function<Handles(std::size_t key)> resolve)
      : resolve_(std::move(resolve)), slots_(new std::atomic<const Handles*>[keys]), keys_(keys) {
    for (std::size_t i = 0; i < keys; ++i) slots_[i].store(nullptr, std::memory_order_relaxed);
  }

  std::size_t size() const { return keys_; }
  // `key` < size().
  const Handles& at(std::size_t key) {
    if (const auto* known = slots_[key].load(std::memory_order_acquire)) return *known;
    std::lock_guard lock(mutex_);
    if (const auto* known = slots_[key].load(std::memory_order_relaxed)) return *known;
    const auto& made = resolved_.emplace_back(resolve_(key));
    slots_[key].store(&made, std::memory_order_release);
    return made;
  }

 private:
  std::function<Handles(std::size_t)> resolve_;
  std::unique_ptr<std::atomic<const Handles*>[]> slots_;
  std::size_t keys_;
  std::mutex mutex_;
  std::deque<Handles> resolved_;  // a deque: handles stay where they are
};

// Prometheus metrics of one process, rendered in the text exposition format.
// Registration takes a lock and returns the series already registered under
// the same name and labels; updating a series is atomic and takes no lock.
class Metrics {
 public:
  // `labels` is the rendered label set, e.g. R"(queue="workstream.mailer")".
  Counter& counter(const std::string& name, const std::string& help,
                   const std::string& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const std::string& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help,
                       const std::vector<double>& bounds, const std::string& labels = {});
  // A gauge whose value is read when /metrics is scraped.
  void gaugeFunction(const std::string& name, const std::string& help, std::function<double()> read,
                     const std::string& labels = {});

  std::string render() const;

 private:
  struct Series {
    std::string labels;
    std::function<double()> read;
    void* instance = nullptr;  // the Counter, Gauge or Histogram
  };
  struct Family {
    std::string name, help, type;
    std::vector<Series> series;
  };
  Family& family(const std::string& name, const std::string& help, const char* type);
  static void* find(const Family& family, const std::string& labels);

  mutable std::mutex mutex_;
  std::deque<Family> families_;
  std::deque<Counter> counters_;
  std::deque<Gauge> gauges_;
  std::deque<Histogram> histograms_;
};

}  // namespace workstream
