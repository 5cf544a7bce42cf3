#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>

#include "workstream/core/log.hpp"
#include "workstream/core/metrics.hpp"
#include "workstream/gateway/tasks_client.hpp"
#include "workstream/http/message.hpp"

namespace workstream::gateway {

// The public REST API: routing, request checks, and the translation of the
// tasks service's answers into HTTP. Every response carries X-Request-Id and
// traceparent; every error uses the one error body.
class RestApi {
 public:
  RestApi(TasksClient& tasks, Logger log, Metrics& metrics);

  // An http::Handler: answers at once for bad requests, after the RPC
  // otherwise.
  void handle(http::Request request, http::Respond respond);
  // Waits until every request handed to handle() has been answered (calls to
  // tasks answer by their deadline); true if none is left.
  bool waitAnswered(std::chrono::steady_clock::time_point deadline);

 private:
  struct Exchange;
  void route(const std::shared_ptr<Exchange>& exchange);
  void create(const std::shared_ptr<Exchange>& exchange);
  void list(const std::shared_ptr<Exchange>& exchange);
  void get(const std::shared_ptr<Exchange>& exchange, const std::string& id);
  void complete(const std::shared_ptr<Exchange>& exchange, const std::string& id);
  void count(const std::string& route, const std::string& method, int status, double seconds);
  void answered();

  TasksClient& tasks_;
  Logger log_;
  Metrics& metrics_;
  std::mutex outstandingMutex_;
  std::condition_variable answered_;
  int outstanding_ = 0;
  struct Series {
    Counter* requests = nullptr;
    Histogram* duration = nullptr;
  };
  Series resolve(std::string_view route, std::size_t methodAt, int status);
  // By route, method and status: a request builds no label and takes no lock.
  SeriesTable<Series> series_;
};

}  // namespace workstream::gateway
