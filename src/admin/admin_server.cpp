#include "admin/admin_server.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "http/threaded_server.hpp"

namespace workstream::admin {

struct AdminServer::Impl {
  Impl(AdminState state, const AdminExtensions& extensions, Logger log, int workerCount)
      : state(std::move(state)),
        extensions(extensions),
        log(std::move(log)),
        workers(static_cast<std::size_t>(workerCount)),
        server([this](http::Request request,
                      http::Respond respond) { handle(std::move(request), std::move(respond)); },
               {}, this->log) {}

  void handle(http::Request request, http::Respond respond) {
    if (const auto* extension = extensions.find(request.path())) {
      boost::asio::post(
          workers, [this, extension, request = std::move(request), respond = std::move(respond)] {
            respond(callExtension(*extension, request, log));
          });
      return;
    }
    respond(handleAdmin(state, request));
  }

  AdminState state;
  const AdminExtensions& extensions;
  Logger log;
  boost::asio::thread_pool workers;
  http::ThreadedServer server;
};

AdminServer::AdminServer(AdminState state, const AdminExtensions& extensions, Logger log,
                         int workers)
    : impl_(std::make_unique<Impl>(std::move(state), extensions, std::move(log), workers)) {}

AdminServer::~AdminServer() { stop(); }

HostPort AdminServer::start(const HostPort& address) { return impl_->server.start(address, 1); }

void AdminServer::stop() {
  impl_->server.stopAccepting();
  impl_->workers.join();
  impl_->server.stop();
}

}  // namespace workstream::admin
