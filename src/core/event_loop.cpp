#include "workstream/core/event_loop.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <map>
#include <utility>

namespace workstream {
namespace {

struct ThisThread {
  boost::asio::io_context* loop = nullptr;
  std::map<std::uint64_t, std::function<void()>> waiting;
  std::uint64_t next = 0;
};

ThisThread& thisThread() {
  thread_local ThisThread state;
  return state;
}

}  // namespace

boost::asio::io_context* EventLoop::current() { return thisThread().loop; }

void EventLoop::run(boost::asio::io_context& io) {
  thisThread().loop = &io;
  io.run();
}

void EventLoop::stop(boost::asio::io_context& io) {
  boost::asio::post(io, [&io] {
    auto& state = thisThread();
    state.loop = nullptr;
    // A cancel may complete its work at once and forget it: take them first.
    auto waiting = std::exchange(state.waiting, {});
    for (auto& [key, cancel] : waiting) cancel();
    // Queued after the handlers the cancels queued, so those run first.
    boost::asio::post(io, [&io] { io.stop(); });
  });
}

std::uint64_t EventLoop::onLeave(std::function<void()> cancel) {
  auto& state = thisThread();
  const auto key = ++state.next;
  state.waiting.emplace(key, std::move(cancel));
  return key;
}

void EventLoop::forget(std::uint64_t key) { thisThread().waiting.erase(key); }

}  // namespace workstream
