// `gateway serve` under a service manager: systemd's notification protocol
// (Type=notify), with the test in systemd's place, a datagram socket named by
// NOTIFY_SOCKET.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "tests/support/http_wait.h"
#include "tests/support/serve_gateway.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace {

// A bound AF_UNIX datagram socket, as systemd listens for notifications.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    REQUIRE(path.size() < sizeof(addr.sun_path));
    path.copy(addr.sun_path, path.size());
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  }
  ~NotifySocket() { ::close(fd_); }

  // Receives datagrams until one holds the line `line`; returns that
  // datagram, or "" when none comes within `timeout`.
  std::string wait_for(const std::string& line, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return "";
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) continue;
      const std::string datagram(buf, static_cast<size_t>(n));
      received_ += datagram + "\n--\n";
      if (("\n" + datagram + "\n").find("\n" + line + "\n") != std::string::npos) return datagram;
    }
  }
  const std::string& received() const { return received_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::string received_;
};

}  // namespace

TEST_CASE("serve tells the service manager READY=1 once it answers, and STOPPING=1 on SIGTERM",
          "[cli][serve]") {
  gw::testing::TempDir dir("gw-notify");
  const std::string socket_path = (dir.path() / "notify.sock").string();
  NotifySocket notify(socket_path);
  gw::testing::BackgroundProcess proc(
      {GATEWAY_BINARY, "serve", "--config", gw::testing::write_serve_config(dir.path().string())},
      {"NOTIFY_SOCKET=" + socket_path});

  const std::string ready = notify.wait_for("READY=1", std::chrono::seconds(30));
  INFO(proc.err());
  INFO(notify.received());
  REQUIRE_FALSE(ready.empty());
  // Its status names the address it listens on, the one it logged.
  const int port = gw::testing::listening_port(proc, std::chrono::seconds(5));
  REQUIRE(port > 0);
  CHECK(ready.find("STATUS=Listening on 127.0.0.1:" + std::to_string(port)) != std::string::npos);
  // Ready means ready: /healthz answers at once, no retry needed.
  httplib::Client client("127.0.0.1", port);
  auto res = client.Get("/healthz");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(notify.received().find("STOPPING=1") == std::string::npos);

  proc.signal(SIGTERM);
  CHECK_FALSE(notify.wait_for("STOPPING=1", std::chrono::seconds(10)).empty());
  CHECK(proc.wait(std::chrono::seconds(10)) == 0);
}
