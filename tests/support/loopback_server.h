// LoopbackServer: a real cpp-httplib server on 127.0.0.1 and a free port, run
// on its own thread for the length of a test.
//
//   gw::testing::LoopbackServer srv;
//   srv.server().Get("/x", [](const httplib::Request&, httplib::Response& res) { ... });
//   srv.start();
//   client.send({.url = srv.url("/x")});
//
// Pass an httplib::SSLServer to serve HTTPS. Handlers run on the server's
// worker threads; the destructor stops the server and waits for them, so a
// handler that blocks must be released before the test ends.
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

namespace gw::testing {

class LoopbackServer {
 public:
  LoopbackServer() : LoopbackServer(std::make_unique<httplib::Server>()) {}
  explicit LoopbackServer(std::unique_ptr<httplib::Server> server, std::string scheme = "http")
      : server_(std::move(server)), scheme_(std::move(scheme)) {}
  ~LoopbackServer() { stop(); }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  // Register handlers here before start().
  httplib::Server& server() { return *server_; }

  // Binds to a free port on 127.0.0.1 and serves until stop(). Throws (in a
  // test, a failure) when it cannot bind or does not come up within 5 s.
  void start() {
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("loopback server could not bind");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!server_->is_running()) {
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("loopback server did not start");
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  void stop() {
    if (!thread_.joinable()) return;
    server_->stop();
    thread_.join();
  }

  int port() const { return port_; }
  // "http://127.0.0.1:<port><path>" (or https for an SSLServer).
  std::string url(const std::string& path = "/") const {
    return scheme_ + "://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::string scheme_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace gw::testing
