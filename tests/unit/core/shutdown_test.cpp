#include <atomic>
#include <catch2/catch.hpp>
#include <csignal>
#include <mutex>
#include <thread>

#include "fakes/quiet_logger.hpp"
#include "workstream/core/shutdown.hpp"

using namespace workstream;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// What happened, in order, across the modules and the steps around them.
struct Journal {
  std::mutex mutex;
  std::vector<std::string> entries;
  void add(std::string entry) {
    std::lock_guard lock(mutex);
    entries.push_back(std::move(entry));
  }
};

class RecordingModule final : public Module {
 public:
  RecordingModule(std::string name, Journal& journal, std::chrono::milliseconds stopTakes = 0ms)
      : name_(std::move(name)), journal_(journal), stopTakes_(stopTakes) {}
  ~RecordingModule() override { journal_.add("destroy " + name_); }
  void stop(Clock::time_point deadline) override {
    journal_.add("stop " + name_);
    deadlines.push_back(deadline);
    std::this_thread::sleep_for(stopTakes_);
  }
  std::vector<Clock::time_point> deadlines;

 private:
  std::string name_;
  Journal& journal_;
  std::chrono::milliseconds stopTakes_;
};

// Records the exit code instead of ending the test process.
struct ExitRecorder {
  std::atomic<int> code{-1};
  ExitFunction function() {
    return [this](int c) { code = c; };
  }
  bool waitFor(int expected, std::chrono::milliseconds limit) {
    const auto until = Clock::now() + limit;
    while (code != expected && Clock::now() < until) std::this_thread::sleep_for(5ms);
    return code == expected;
  }
};

}  // namespace

TEST_CASE("shutdown: drain, then modules newest first by one deadline, then the rest") {
  Journal journal;
  std::vector<std::unique_ptr<Module>> list;
  std::vector<RecordingModule*> seen;
  for (const char* name : {"tasks", "gateway", "mailer"}) {
    auto module = std::make_unique<RecordingModule>(name, journal);
    seen.push_back(module.get());
    list.push_back(std::move(module));
  }
  StartedModules modules(std::move(list));
  ExitRecorder exit;
  const auto fixedNow = Clock::time_point(1000s);
  ShutdownOptions options;
  options.timeout = 7s;
  options.now = [fixedNow] { return fixedNow; };
  options.exit = exit.function();

  shutDown(
      options, fakes::quietLogger("test"), [&] { journal.add("drain"); }, modules,
      [&] { journal.add("then"); });

  CHECK(journal.entries == std::vector<std::string>{"drain", "stop mailer", "stop gateway",
                                                    "stop tasks", "then", "destroy mailer",
                                                    "destroy gateway", "destroy tasks"});
  CHECK(modules.size() == 0);
  CHECK(exit.code == -1);  // in time: the watchdog stayed quiet
}

TEST_CASE("shutdown: each module is handed now + timeout") {
  Journal journal;
  std::vector<std::unique_ptr<Module>> list;
  list.push_back(std::make_unique<RecordingModule>("a", journal));
  auto* a = static_cast<RecordingModule*>(list.back().get());
  StartedModules modules(std::move(list));
  Clock::time_point handed;
  // Watch the deadline before the module is destroyed: `then` runs first.
  ShutdownOptions options;
  options.timeout = 3s;
  options.now = [] { return Clock::time_point(50s); };
  shutDown(
      options, fakes::quietLogger("test"), [] {}, modules, [&] { handed = a->deadlines.at(0); });
  CHECK(handed == Clock::time_point(53s));
}

TEST_CASE("shutdown: modules left started are destroyed newest first") {
  Journal journal;
  {
    std::vector<std::unique_ptr<Module>> list;
    list.push_back(std::make_unique<RecordingModule>("old", journal));
    list.push_back(std::make_unique<RecordingModule>("new", journal));
    StartedModules modules(std::move(list));
  }
  CHECK(journal.entries == std::vector<std::string>{"destroy new", "destroy old"});
}

TEST_CASE("shutdown: the watchdog exits with 1 when the modules overrun the deadline") {
  Journal journal;
  std::vector<std::unique_ptr<Module>> list;
  list.push_back(std::make_unique<RecordingModule>("stuck", journal, 800ms));
  StartedModules modules(std::move(list));
  ExitRecorder exit;
  ShutdownOptions options;
  options.timeout = 0ms;
  options.grace = 50ms;
  options.exit = exit.function();
  shutDown(
      options, fakes::quietLogger("test"), [] {}, modules, [] {});
  CHECK(exit.code == 1);
}

TEST_CASE("shutdown: a cancelled watchdog never exits") {
  ExitRecorder exit;
  { Watchdog watchdog(50ms, fakes::quietLogger("test"), exit.function()); }
  std::this_thread::sleep_for(100ms);
  CHECK(exit.code == -1);
}

TEST_CASE("stop signals: the first is returned, a second exits with 128 + its number") {
  ExitRecorder exit;
  StopSignals signals(fakes::quietLogger("test"), exit.function());
  std::raise(SIGTERM);
  CHECK(signals.wait() == SIGTERM);
  CHECK(exit.code == -1);
  std::raise(SIGINT);
  CHECK(exit.waitFor(128 + SIGINT, 2s));
}
