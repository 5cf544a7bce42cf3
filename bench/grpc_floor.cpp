// What gRPC itself costs per unary call on this machine, in the shape of
// Workstream's reads as two processes, with nothing else done: the floor
// under the benchmark's two-process rows.
//
//   workstream_grpc_floor CONCURRENCY SECONDS
//
// Forks a server: Workstream's own gRPC server (reflection, health, the
// same channel arguments) serving GetTask with a fixed task of the usual
// size, answered from an event loop thread of its own, as the tasks service
// answers reads from its Postgres loop. The client is the gateway's: the
// channel the gateway makes (retry service config, channelz off), calls
// carrying a deadline, x-request-id and traceparent, started from an event
// loop thread and their replies handed back to it, as the gateway's HTTP
// thread starts calls and gets their replies. CONCURRENCY calls stay in
// flight. After a second's warm-up it counts calls for SECONDS and prints
// JSON: {"calls", "seconds", "rate", "client_us", "server_us"}, the last
// two the CPU per call of each process, from getrusage and /proc.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include <grpcpp/channel.h>

#include "grpc/grpc_server.hpp"
#include "grpc/grpc_tasks_client.hpp"

namespace {

namespace pb = workstream::tasks::v1;
using Clock = std::chrono::steady_clock;

// One thread running an event loop, as the gateway's HTTP thread and the
// tasks service's Postgres loop each are.
struct Loop {
  boost::asio::io_context io{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> busy{io.get_executor()};
  std::thread thread{[this] { io.run(); }};
  ~Loop() {
    busy.reset();
    io.stop();
    thread.join();
  }
};

class FloorService final : public pb::TasksService::CallbackService {
 public:
  explicit FloorService(Loop& loop) : loop_(loop) {}
  grpc::ServerUnaryReactor* GetTask(grpc::CallbackServerContext* context,
                                    const pb::GetTaskRequest* request,
                                    pb::GetTaskResponse* response) override {
    auto* reactor = context->DefaultReactor();
    boost::asio::post(loop_.io, [reactor, request, response] {
      auto* task = response->mutable_task();
      task->set_id(request->id());
      task->set_title("benchmark task");
      task->set_assignee_email("bench@example.com");
      task->set_status(pb::TASK_STATUS_OPEN);
      task->mutable_created_at()->set_seconds(1'796'000'000);
      task->mutable_updated_at()->set_seconds(1'796'000'000);
      reactor->Finish(grpc::Status::OK);
    });
    return reactor;
  }

 private:
  Loop& loop_;
};

// The server process: reports its port on `out`, serves until `in` closes.
[[noreturn]] void serve(int in, int out) {
  Loop loop;
  FloorService service(loop);
  workstream::rpc::GrpcServer server({workstream::HostPort{"127.0.0.1", 0}, "grpc-floor"},
                                     {&service}, {});
  server.setServing(true);
  const std::string port = std::to_string(server.bound().port) + "\n";
  if (write(out, port.data(), port.size()) != static_cast<ssize_t>(port.size())) _exit(1);
  char byte;
  while (read(in, &byte, 1) > 0) {
  }
  server.stop(Clock::now() + std::chrono::seconds(1));
  _exit(0);
}

double ownCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double cpuSecondsOf(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line) || line.rfind(')') == std::string::npos) {
    std::fprintf(stderr, "grpc_floor: the server (pid %d) is gone\n", static_cast<int>(pid));
    std::_Exit(1);
  }
  // The fields after the command's closing parenthesis: utime and stime are
  // the 12th and 13th of them.
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 1; i <= 13 && rest >> field; ++i) {
    if (i >= 12) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// CONCURRENCY calls in flight from one loop thread, each started again there
// as its reply comes back. `inFlight` counts the calls started and not yet
// finished; once `stopping`, a finished call starts none, and `inFlight`
// reaching 0 is the last thing any handler touches.
class Caller {
 public:
  Caller(pb::TasksService::Stub& stub, Loop& loop) : stub_(stub), loop_(loop) {}
  void start() {
    ++inFlight;
    boost::asio::post(loop_.io, [this] { issue(); });
  }
  std::atomic<long> done{0};
  std::atomic<bool> stopping{false};
  std::atomic<int> inFlight{0};

 private:
  struct Call {
    grpc::ClientContext context;
    pb::GetTaskRequest request;
    pb::GetTaskResponse response;
  };
  // On the loop thread, for a call already counted in `inFlight`.
  void issue() {
    auto* call = new Call;
    call->request.set_id("01938a4e-0000-7000-8000-000000000000");
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    call->context.AddMetadata("x-request-id", "01938a4e-0000-7000-8000-000000000001");
    call->context.AddMetadata("traceparent",
                              "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    stub_.async()->GetTask(
        &call->context, &call->request, &call->response, [this, call](const grpc::Status& status) {
          if (!status.ok()) {
            std::fprintf(stderr, "grpc_floor: a call failed: %s\n", status.error_message().c_str());
            std::_Exit(1);
          }
          boost::asio::post(loop_.io, [this, call] { finished(call); });
        });
  }
  // On the loop thread.
  void finished(Call* call) {
    delete call;
    ++done;
    if (!stopping) {
      ++inFlight;
      issue();
    }
    --inFlight;
  }
  pb::TasksService::Stub& stub_;
  Loop& loop_;
};

// A whole positive number, or nothing.
std::optional<long> positive(const char* text) {
  long value = 0;
  const auto* end = text + std::strlen(text);
  const auto [rest, error] = std::from_chars(text, end, value);
  if (error != std::errc() || rest != end || value < 1) return std::nullopt;
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  // SECONDS in tenths and up to an hour; CONCURRENCY up to 1,000.
  const auto concurrency = argc == 3 ? positive(argv[1]) : std::nullopt;
  char* end = nullptr;
  const double seconds = argc == 3 ? std::strtod(argv[2], &end) : 0;
  if (!concurrency || *concurrency > 1000 || end == argv[2] || *end != '\0' || !(seconds >= 0.1) ||
      seconds > 3600) {
    std::fprintf(stderr,
                 "usage: workstream_grpc_floor CONCURRENCY SECONDS (1-1000 calls in flight, "
                 "0.1-3600 s)\n");
    return 2;
  }
  int toServer[2], fromServer[2];
  if (pipe(toServer) != 0 || pipe(fromServer) != 0) return 1;
  // Forked before anything of gRPC's starts here: the child starts its own.
  const pid_t server = fork();
  if (server < 0) return 1;
  if (server == 0) {
    close(toServer[1]);
    close(fromServer[0]);
    serve(toServer[0], fromServer[1]);
  }
  close(toServer[0]);
  close(fromServer[1]);
  std::string port;
  for (char c; read(fromServer[0], &c, 1) == 1 && c != '\n';) port += c;
  if (port.empty()) {
    std::fprintf(stderr, "grpc_floor: the server did not start\n");
    return 1;
  }
  {
    auto channel = workstream::gateway::GrpcTasksClient::channelTo("127.0.0.1:" + port);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5))) {
      std::fprintf(stderr, "grpc_floor: cannot connect to the server\n");
      return 1;
    }
    auto stub = pb::TasksService::NewStub(channel);
    Loop loop;
    Caller caller(*stub, loop);
    for (long i = 0; i < *concurrency; ++i) caller.start();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const long calls0 = caller.done;
    const double own0 = ownCpuSeconds(), server0 = cpuSecondsOf(server);
    const auto began = Clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    const long calls = caller.done - calls0;
    const double own = ownCpuSeconds() - own0, served = cpuSecondsOf(server) - server0;
    const double elapsed = std::chrono::duration<double>(Clock::now() - began).count();
    caller.stopping = true;
    while (caller.inFlight > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (calls == 0) {
      std::fprintf(stderr, "grpc_floor: no call completed in %.1f s\n", elapsed);
      return 1;
    }
    std::printf(
        "{\"calls\": %ld, \"seconds\": %.3f, \"rate\": %.1f, \"client_us\": %.1f, "
        "\"server_us\": %.1f}\n",
        calls, elapsed, static_cast<double>(calls) / elapsed,
        own * 1e6 / static_cast<double>(calls), served * 1e6 / static_cast<double>(calls));
  }
  close(toServer[1]);
  int status = 0;
  waitpid(server, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
