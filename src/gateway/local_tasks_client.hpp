#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "tasks/task_service.hpp"
#include "workstream/core/log.hpp"
#include "workstream/core/timer_thread.hpp"
#include "workstream/core/worker_pool.hpp"
#include "workstream/gateway/tasks_client.hpp"

namespace workstream::gateway {

// TasksClient for a gateway beside the tasks module in one process: calls
// TaskService directly on a bounded pool of worker threads. No gRPC, no
// protobuf; the same answers as GrpcTasksClient over GrpcTasksService (both
// map outcomes through tasks/call_failure.hpp).
//
// Deadlines: each call is answered by `timeout` after it was made. A call
// still queued then is answered timedOut and never runs. A call running then
// is answered timedOut too, while its worker finishes it (bounded by the
// PostgreSQL statement and acquire timeouts) and drops the result: a create
// or complete may still commit, as it may when a gRPC deadline passes while
// the server works; an Idempotency-Key makes the retry safe.
//
// Reads: a get made on an event loop's thread (the HTTP server's) waits for
// the database on that loop when the store can start it at once (an idle
// connection, see TaskStore::tryGetAsync): no worker and no other thread
// takes part. Otherwise, and when that read fails with the store
// unavailable, it runs on a worker as every other call does. A create with
// no Idempotency-Key is made on the loop the same way (one statement); one
// that fails there is answered with that failure, as a write on a worker is.
//
// Overload: a call that finds the queue full is answered unavailable at once
// (on the client's timer thread), never queued. Reads are retried while the
// store is unavailable, with backoff, within the deadline; writes never are.
class LocalTasksClient final : public TasksClient {
 public:
  struct Options {
    int workers = 8;
    std::size_t queueCapacity = 512;
    std::chrono::milliseconds timeout{5000};
  };

  // `log` is the tasks module's: the service's lines read as they do when
  // it is called over gRPC.
  LocalTasksClient(tasks::TaskService& service, Logger log, Options options);
  // Runs what is queued, waits for the workers, then stops the timer.
  ~LocalTasksClient() override;

  // Workers for a pool of `postgresPoolSize` connections: one each, so that
  // no worker waits for a connection another holds.
  static Options defaultOptions(int postgresPoolSize, std::chrono::milliseconds timeout);

  void create(const tasks::NewTask& task, const CallMeta& meta, Reply<CreatedTask> reply) override;
  void get(const std::string& id, const CallMeta& meta, Reply<tasks::Task> reply) override;
  void list(const tasks::ListQuery& query, const CallMeta& meta,
            Reply<tasks::TaskPage> reply) override;
  void complete(const std::string& id, const CallMeta& meta, Reply<tasks::Task> reply) override;

 private:
  template <class T>
  class PendingCall;
  // A call made: where its answer goes, and its deadline entry.
  template <class T>
  struct Call {
    std::shared_ptr<PendingCall<T>> pending;
    TimerThread::Clock::time_point deadline;
    TimerThread::Ticket deadlineEntry;
  };
  template <class T>
  Call<T> open(Reply<T> reply);
  // Runs the call on a worker, or refuses it at once when the queue is full.
  template <class T, class Body>
  void queue(const char* method, const CallMeta& meta, bool retryUnavailable, Call<T> call,
             Body body);
  template <class T, class Body>
  void submit(const char* method, const CallMeta& meta, bool retryUnavailable, Reply<T> reply,
              Body body);
  // Counts a call on an event loop until the returned handle and its copies
  // are gone.
  std::shared_ptr<void> loopCallStarted();
  void logCreated(const tasks::TaskStore::Created& created,
                  const tasks::CallContext& context) const;

  tasks::TaskService& service_;
  Logger log_;
  const std::chrono::milliseconds timeout_;
  // Stopped after the workers (see the destructor): while they drain, a call
  // they have not reached is still answered by its deadline.
  TimerThread timer_{"tasks-deadline"};
  WorkerPool workers_;
  std::mutex loopCallsMutex_;
  std::condition_variable loopCallsDone_;
  int loopCalls_ = 0;  // calls on an event loop still holding this client
};

}  // namespace workstream::gateway
