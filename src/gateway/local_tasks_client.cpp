#include "gateway/local_tasks_client.hpp"

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>

#include "tasks/call_failure.hpp"
#include "workstream/core/backoff.hpp"
#include "workstream/core/errors.hpp"

namespace workstream::gateway {
namespace {

using Clock = TimerThread::Clock;

// Enough to ride out a burst, small enough that a queued call is not
// answered by its deadline while the store is healthy.
constexpr std::size_t kQueuedPerWorker = 64;

// Jittered as gRPC's backoff is: anywhere from nothing to `ceiling`.
std::chrono::milliseconds jittered(std::chrono::milliseconds ceiling) {
  thread_local std::minstd_rand random{std::random_device{}()};
  return std::chrono::milliseconds(
      std::uniform_int_distribution<std::int64_t>(0, ceiling.count())(random));
}

// Runs `body` (a TaskService call) and maps what comes of it; reads are
// tried again while the store is unavailable and the deadline allows.
template <class T, class Body>
Result<T, CallError> run(const Logger& log, const char* method, const tasks::CallContext& call,
                         Clock::time_point deadline, bool retryUnavailable, Body& body) {
  Backoff backoff(kTasksReadRetry);  // as the gRPC channel's retry policy
  for (int attempt = 1;; ++attempt) {
    try {
      auto result = body(call);
      if (!result) return tasks::failureOf(result.error());
      return std::move(*result);
    } catch (const Unavailable&) {
      auto failure = tasks::currentFailure(log, method, call);
      const auto pause = jittered(backoff.next());
      if (!retryUnavailable || attempt == kTasksReadAttempts || Clock::now() + pause >= deadline) {
        return failure;
      }
      std::this_thread::sleep_for(pause);
    } catch (...) {
      return tasks::currentFailure(log, method, call);
    }
  }
}

}  // namespace

// One call: answered exactly once, by whichever comes first of its worker,
// its deadline, or a refusal.
template <class T>
class LocalTasksClient::PendingCall {
 public:
  explicit PendingCall(Reply<T> reply) : reply_(std::move(reply)) {}

  bool answered() const { return answered_.load(std::memory_order_acquire); }

  void answer(Result<T, CallError> result) {
    if (answered_.exchange(true, std::memory_order_acq_rel)) return;
    auto reply = std::move(reply_);
    reply_ = nullptr;  // the deadline entry keeps this alive; the caller's state goes now
    reply(std::move(result));
  }

 private:
  std::atomic<bool> answered_{false};
  Reply<T> reply_;
};

LocalTasksClient::LocalTasksClient(tasks::TaskService& service, Logger log, Options options)
    : service_(service),
      log_(std::move(log)),
      timeout_(options.timeout),
      workers_(options.workers, options.queueCapacity, "tasks-local") {}

LocalTasksClient::~LocalTasksClient() {
  {
    // A call on an event loop answers, or goes the blocking way, first.
    std::unique_lock lock(loopCallsMutex_);
    loopCallsDone_.wait(lock, [this] { return loopCalls_ == 0; });
  }
  workers_.stop();
  timer_.stop();
}

LocalTasksClient::Options LocalTasksClient::defaultOptions(int postgresPoolSize,
                                                           std::chrono::milliseconds timeout) {
  const int workers = std::max(1, postgresPoolSize);
  return {workers, kQueuedPerWorker * static_cast<std::size_t>(workers), timeout};
}

template <class T>
LocalTasksClient::Call<T> LocalTasksClient::open(Reply<T> reply) {
  auto pending = std::make_shared<PendingCall<T>>(std::move(reply));
  const auto deadline = Clock::now() + timeout_;
  // Answered in time, a call cancels its deadline, which then never wakes
  // the timer's thread.
  const auto deadlineEntry = timer_.at(deadline, [pending] {
    pending->answer(CallError{CallError::Kind::timedOut,
                              "DEADLINE_EXCEEDED",
                              "the tasks service did not answer in time",
                              {}});
  });
  return {std::move(pending), deadline, deadlineEntry};
}

template <class T, class Body>
void LocalTasksClient::queue(const char* method, const CallMeta& meta, bool retryUnavailable,
                             Call<T> call, Body body) {
  auto job = [this, call, method, retryUnavailable,
              context = tasks::callContextOf(meta.requestId, meta.traceparent),
              body = std::move(body)]() mutable {
    auto& pending = *call.pending;
    if (pending.answered()) return;  // its deadline passed while it was queued
    if (Clock::now() >= call.deadline) {
      pending.answer(tasks::deadlinePassed());
    } else {
      pending.answer(run<T>(log_, method, context, call.deadline, retryUnavailable, body));
    }
    timer_.cancel(call.deadlineEntry);
  };
  if (!workers_.trySubmit(std::move(job))) {
    timer_.cancel(call.deadlineEntry);
    // Answered on the timer's thread, as the port promises, and at once.
    timer_.at(Clock::now(), [pending = call.pending] {
      pending->answer(CallError{CallError::Kind::unavailable,
                                "UNAVAILABLE",
                                "too many calls to the tasks service are waiting",
                                {}});
    });
  }
}

template <class T, class Body>
void LocalTasksClient::submit(const char* method, const CallMeta& meta, bool retryUnavailable,
                              Reply<T> reply, Body body) {
  queue<T>(method, meta, retryUnavailable, open<T>(std::move(reply)), std::move(body));
}

std::shared_ptr<void> LocalTasksClient::loopCallStarted() {
  {
    std::lock_guard lock(loopCallsMutex_);
    ++loopCalls_;
  }
  // Gone with the last copy of what holds it: nothing of the call can call
  // back into this client after.
  return std::shared_ptr<void>(nullptr, [this](void*) {
    std::lock_guard lock(loopCallsMutex_);
    if (--loopCalls_ == 0) loopCallsDone_.notify_all();
  });
}

// Created on the caller's event loop when the store can start it now; the
// blocking way otherwise. A write is never tried again: a create whose
// statement failed on the loop is answered with that failure, as on a worker.
void LocalTasksClient::create(const tasks::NewTask& task, const CallMeta& meta,
                              Reply<CreatedTask> reply) {
  auto call = open<CreatedTask>(std::move(reply));
  auto body = [this,
               task](const tasks::CallContext& context) -> Result<CreatedTask, tasks::TaskError> {
    auto created = service_.create(task, context);
    if (!created) return created.error();
    logCreated(*created, context);
    return CreatedTask{std::move(created->task), created->replayed};
  };
  const auto context = tasks::callContextOf(meta.requestId, meta.traceparent);
  tasks::TaskService::CreateDone done =
      [this, call, context, onLoop = loopCallStarted()](
          Result<tasks::TaskStore::Created, tasks::TaskError> result, std::exception_ptr error) {
        if (!error) {
          if (result) logCreated(*result, context);
          call.pending->answer(result ? Result<CreatedTask, CallError>(
                                            CreatedTask{std::move(result->task), result->replayed})
                                      : tasks::failureOf(result.error()));
        } else {
          try {
            std::rethrow_exception(error);
          } catch (...) {
            call.pending->answer(tasks::currentFailure(log_, "CreateTask", context));
          }
        }
        timer_.cancel(call.deadlineEntry);
      };
  if (service_.tryCreateAsync(task, context, done)) return;
  done = nullptr;
  queue<CreatedTask>("CreateTask", meta, false, std::move(call), std::move(body));
}

void LocalTasksClient::logCreated(const tasks::TaskStore::Created& created,
                                  const tasks::CallContext& context) const {
  log_.info(created.replayed ? "task create replayed" : "task created",
            {{"task_id", created.task.id},
             {"request_id", context.requestId},
             {"trace_id", context.traceId}});
}

// Read on the caller's event loop when the store can start one now (no
// worker waits on the database); the blocking way when it cannot, or when
// the store failed, which tries again within the deadline.
void LocalTasksClient::get(const std::string& id, const CallMeta& meta, Reply<tasks::Task> reply) {
  auto call = open<tasks::Task>(std::move(reply));
  auto body = [this, id](const tasks::CallContext&) { return service_.get(id); };
  tasks::TaskService::GetDone done = [this, call, meta, body, onLoop = loopCallStarted()](
                                         Result<tasks::Task, tasks::TaskError> result,
                                         std::exception_ptr error) {
    if (!error) {
      call.pending->answer(result ? Result<tasks::Task, CallError>(std::move(*result))
                                  : tasks::failureOf(result.error()));
      timer_.cancel(call.deadlineEntry);
    } else {
      try {
        std::rethrow_exception(error);
      } catch (const Unavailable&) {
        queue<tasks::Task>("GetTask", meta, true, call, body);
      } catch (...) {
        call.pending->answer(tasks::currentFailure(
            log_, "GetTask", tasks::callContextOf(meta.requestId, meta.traceparent)));
        timer_.cancel(call.deadlineEntry);
      }
    }
  };
  if (service_.tryGetAsync(id, done)) return;
  done = nullptr;
  queue<tasks::Task>("GetTask", meta, true, std::move(call), std::move(body));
}

void LocalTasksClient::list(const tasks::ListQuery& query, const CallMeta& meta,
                            Reply<tasks::TaskPage> reply) {
  submit<tasks::TaskPage>(
      "ListTasks", meta, true, std::move(reply),
      [this, query](const tasks::CallContext&) { return service_.list(query); });
}

void LocalTasksClient::complete(const std::string& id, const CallMeta& meta,
                                Reply<tasks::Task> reply) {
  submit<tasks::Task>(
      "CompleteTask", meta, false, std::move(reply),
      [this, id](const tasks::CallContext& call) -> Result<tasks::Task, tasks::TaskError> {
        auto task = service_.complete(id, call);
        if (task) {
          log_.info(
              "task completed",
              {{"task_id", task->id}, {"request_id", call.requestId}, {"trace_id", call.traceId}});
        }
        return task;
      });
}

}  // namespace workstream::gateway
