// Test helper: an HttpServer bound to 127.0.0.1 on a free port, serving on a thread
// of its own until the helper goes out of scope. Declare clients after it, so that
// they close their keep-alive connections before the server stops.
#pragma once

#include <catch2/catch.hpp>
#include <thread>

#include "gateway/http/server.h"

namespace gw::http::testing {

class RunningServer {
 public:
  explicit RunningServer(HttpServer& server) : server_(server) {
    Result<int> port = server_.bind("127.0.0.1", 0);
    REQUIRE(port.ok());
    port_ = *port;
    thread_ = std::thread([this] { server_.run(); });
  }
  ~RunningServer() { stop_and_join(); }
  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;

  int port() const { return port_; }

  void stop_and_join() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  HttpServer& server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace gw::http::testing
