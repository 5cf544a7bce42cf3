#include "workstream/core/shutdown.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdlib>

namespace workstream {

void exitNow(int code) { std::_Exit(code); }

StartedModules& StartedModules::operator=(StartedModules&& other) noexcept {
  if (this != &other) {
    clear();
    list_ = std::move(other.list_);
  }
  return *this;
}

void StartedModules::stop(std::chrono::steady_clock::time_point deadline) {
  for (auto it = list_.rbegin(); it != list_.rend(); ++it) (*it)->stop(deadline);
}

void StartedModules::clear() {
  while (!list_.empty()) list_.pop_back();
}

Watchdog::Watchdog(std::chrono::milliseconds deadline, Logger log, ExitFunction exit)
    : thread_([future = cancelled_.get_future(), deadline, log = std::move(log),
               exit = std::move(exit)] {
        if (future.wait_for(deadline) == std::future_status::ready) return;
        log.error("shutdown overran its deadline; exiting now");
        exit(1);
      }) {}

Watchdog::~Watchdog() {
  cancelled_.set_value();
  thread_.join();
}

void shutDown(const ShutdownOptions& options, const Logger& log, const std::function<void()>& drain,
              StartedModules& modules, const std::function<void()>& then) {
  Watchdog watchdog(options.timeout + options.grace, log, options.exit);
  const auto deadline = options.now() + options.timeout;
  drain();
  modules.stop(deadline);
  then();
  modules.clear();
}

struct StopSignals::Impl {
  Impl(Logger log, ExitFunction exit) : log(std::move(log)), exit(std::move(exit)) {
    signals.async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      first.set_value(signo);
      signals.async_wait([this](const boost::system::error_code& ec2, int again) {
        if (ec2) return;
        this->log.warn("second signal; exiting now");
        this->exit(128 + again);
      });
    });
    thread = std::thread([this] { io.run(); });
  }
  ~Impl() {
    io.stop();
    thread.join();
  }

  Logger log;
  ExitFunction exit;
  boost::asio::io_context io{1};
  boost::asio::signal_set signals{io, SIGINT, SIGTERM};
  std::promise<int> first;
  std::thread thread;
};

StopSignals::StopSignals(Logger log, ExitFunction exit)
    : impl_(std::make_unique<Impl>(std::move(log), std::move(exit))) {}

StopSignals::~StopSignals() = default;

int StopSignals::wait() { return impl_->first.get_future().get(); }

}  // namespace workstream
