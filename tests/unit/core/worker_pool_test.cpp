#include <pthread.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "workstream/core/timer_thread.hpp"
#include "workstream/core/worker_pool.hpp"

using namespace workstream;
using namespace std::chrono_literals;

namespace {

// Holds a worker until released.
struct Gate {
  std::promise<void> entered;
  std::promise<void> open;
  std::shared_future<void> opened = open.get_future().share();
  void pass() {
    entered.set_value();
    opened.wait();
  }
};

}  // namespace

TEST_CASE("worker pool: every job runs exactly once, on the pool's own threads") {
  constexpr int kJobs = 2000;
  std::vector<std::atomic<int>> runs(kJobs);
  std::mutex idsMutex;
  std::set<std::thread::id> ids;
  {
    WorkerPool pool(3, kJobs);
    for (int i = 0; i < kJobs; ++i) {
      REQUIRE(pool.trySubmit([&, i] {
        ++runs[i];
        std::lock_guard lock(idsMutex);
        ids.insert(std::this_thread::get_id());
      }));
    }
    pool.stop();
  }
  for (int i = 0; i < kJobs; ++i) REQUIRE(runs[i] == 1);
  CHECK(ids.size() <= 3);
  CHECK(ids.count(std::this_thread::get_id()) == 0);
}

TEST_CASE("worker pool: it makes a thread only when every thread it has is busy, up to its size") {
  WorkerPool pool(3, 10, "growing");
  CHECK(pool.threads() == 0);  // never used: no thread
  Gate gates[3];
  for (std::size_t i = 0; i < 3; ++i) {
    REQUIRE(pool.trySubmit([&gate = gates[i]] { gate.pass(); }));
    gates[i].entered.get_future().wait();  // running: every thread is busy
    CHECK(pool.threads() == i + 1);
  }
  std::atomic<int> ran{0};
  for (int i = 0; i < 4; ++i) REQUIRE(pool.trySubmit([&] { ++ran; }));
  CHECK(pool.threads() == 3);  // at its size: the jobs wait for the three
  for (auto& gate : gates) gate.open.set_value();
  pool.stop();
  CHECK(ran == 4);
  CHECK(pool.threads() == 3);
}

TEST_CASE("worker pool: a full queue refuses at once, without running the job") {
  WorkerPool pool(1, 2);
  Gate gate;
  REQUIRE(pool.trySubmit([&] { gate.pass(); }));
  gate.entered.get_future().wait();  // the one worker is busy now
  std::atomic<int> ran{0};
  CHECK(pool.trySubmit([&] { ++ran; }));
  CHECK(pool.trySubmit([&] { ++ran; }));
  bool refusedRan = false;
  CHECK_FALSE(pool.trySubmit([&] { refusedRan = true; }));
  gate.open.set_value();
  pool.stop();
  CHECK(ran == 2);
  CHECK_FALSE(refusedRan);
}

TEST_CASE("worker pool: stop runs what is queued, then refuses") {
  WorkerPool pool(1, 10);
  Gate gate;
  REQUIRE(pool.trySubmit([&] { gate.pass(); }));
  gate.entered.get_future().wait();
  std::atomic<int> ran{0};
  for (int i = 0; i < 5; ++i) REQUIRE(pool.trySubmit([&] { ++ran; }));
  std::thread stopper([&] { pool.stop(); });
  std::this_thread::sleep_for(20ms);  // let stop() begin; the result holds either way
  gate.open.set_value();
  stopper.join();
  CHECK(ran == 5);
  CHECK_FALSE(pool.trySubmit([&] { ++ran; }));
  CHECK(ran == 5);
  pool.stop();  // again: harmless
}

TEST_CASE("timer thread: callbacks run in due order, overdue ones at once") {
  TimerThread timer;
  std::mutex mutex;
  std::vector<int> order;
  std::promise<void> done;
  const auto now = TimerThread::Clock::now();
  auto record = [&](int n) {
    return [&, n] {
      std::lock_guard lock(mutex);
      order.push_back(n);
      if (order.size() == 4) done.set_value();
    };
  };
  timer.at(now + 60ms, record(3));
  timer.at(now + 30ms, record(2));
  timer.at(now - 1s, record(0));
  timer.at(now - 1s, record(1));  // same due time: in call order
  REQUIRE(done.get_future().wait_for(5s) == std::future_status::ready);
  CHECK(order == std::vector<int>{0, 1, 2, 3});
}

TEST_CASE("timer thread: what is not due when it stops never runs") {
  std::atomic<bool> ran{false};
  {
    TimerThread timer;
    timer.at(TimerThread::Clock::now() + 1h, [&] { ran = true; });
    timer.stop();
    timer.at(TimerThread::Clock::now(), [&] { ran = true; });
  }
  CHECK_FALSE(ran);
}

TEST_CASE("timer thread: a cancelled entry never runs, cancelling what ran changes nothing") {
  TimerThread timer;
  std::atomic<int> cancelledRan{0};
  std::promise<void> later, first;
  const auto now = TimerThread::Clock::now();
  const auto cancelled = timer.at(now + 50ms, [&] { ++cancelledRan; });
  const auto ran = timer.at(now, [&] { first.set_value(); });
  timer.at(now + 100ms, [&] { later.set_value(); });
  timer.cancel(cancelled);
  REQUIRE(first.get_future().wait_for(5s) == std::future_status::ready);
  timer.cancel(ran);
  timer.cancel(cancelled);  // twice: nothing
  REQUIRE(later.get_future().wait_for(5s) == std::future_status::ready);
  CHECK(cancelledRan == 0);
}

// The voluntary context switches of this process's thread named `name`:
// how often it went to sleep, so how often it was woken.
static long sleepsOf(const std::string& name) {
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string line;
    if (!std::getline(comm, line) || line != name) continue;
    std::ifstream status(task.path() / "status");
    while (std::getline(status, line)) {
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0) return std::stol(line.substr(24));
    }
  }
  return -1;
}

TEST_CASE(
    "timer thread: deadlines set and cancelled one call after another wake its thread once, not "
    "per call") {
  TimerThread timer("timer-probe");
  std::promise<void> started;
  timer.at(TimerThread::Clock::now(), [&] { started.set_value(); });
  REQUIRE(started.get_future().wait_for(5s) == std::future_status::ready);
  std::this_thread::sleep_for(20ms);  // asleep again, with nothing to wait for
  const long before = sleepsOf("timer-probe");
  REQUIRE(before >= 0);
  for (int i = 0; i < 50; ++i) {  // one at a time, as a gateway's calls at low load
    const auto ticket = timer.at(TimerThread::Clock::now() + 5s, [] {});
    timer.cancel(ticket);
    std::this_thread::sleep_for(2ms);
  }
  // The first call wakes it to sleep until that deadline; the later ones
  // are due after it and find it sleeping until then. (Woken per call, it
  // would have gone to sleep 50 times.)
  CHECK(sleepsOf("timer-probe") - before <= 5);
}

TEST_CASE("worker pool: its threads go by its name, not by the name of the thread that made them") {
  pthread_setname_np(pthread_self(), "submitter");
  WorkerPool pool(1, 1, "named-workers");
  std::promise<std::string> name;
  REQUIRE(pool.trySubmit([&] {
    char buffer[16] = {};
    pthread_getname_np(pthread_self(), buffer, sizeof buffer);
    name.set_value(buffer);
  }));
  CHECK(name.get_future().get() == "named-workers");
  pthread_setname_np(pthread_self(), "unit_tests");
}
