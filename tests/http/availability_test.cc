// HttpServer under slow, idle and greedy clients: connections that cost no thread
// while they wait, deadlines for heads and bodies, bounds per client address, and
// pools that keep webhooks apart from everything else.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/http/server.h"
#include "tests/http/running_server.h"

using namespace std::chrono_literals;
using gw::http::HttpOptions;
using gw::http::HttpServer;
using gw::http::testing::RunningServer;

namespace {

// A raw loopback connection, closed when it goes out of scope.
class RawConn {
 public:
  explicit RawConn(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    const int yes = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  }
  ~RawConn() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;

  bool send(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  // What arrives within `timeout`, until `until` is seen or the server closes.
  std::string read(std::chrono::milliseconds timeout, const std::string& until = "") {
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      got.append(buf, static_cast<size_t>(n));
      if (!until.empty() && got.find(until) != std::string::npos) break;
    }
    return got;
  }
  bool closed() const { return closed_; }

 private:
  int fd_ = -1;
  bool closed_ = false;
};

std::string get_request(const std::string& path, bool close = false) {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
}

std::string status_line(const std::string& answer) {
  return answer.substr(0, answer.find("\r\n"));
}

// A gate handlers can be held at.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  int waiting = 0;
  void pass() {
    std::unique_lock<std::mutex> lock(mu);
    ++waiting;
    cv.notify_all();
    cv.wait_for(lock, 10s, [this] { return open; });
  }
  bool wait_for_waiting(int n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, 5s, [&] { return waiting >= n; });
  }
  void release() {
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  }
};

void add_ping(HttpServer& server) {
  server.get("/ping", "ping",
             [](const httplib::Request&, httplib::Response& res) { res.set_content("pong", "text/plain"); });
}

// How long one GET /ping takes on a fresh connection, or 10 s when it gets no answer.
std::chrono::milliseconds ping_time(int port) {
  const auto t0 = std::chrono::steady_clock::now();
  RawConn c(port);
  c.send(get_request("/ping", true));
  const std::string answer = c.read(10s, "pong");
  if (answer.find("pong") == std::string::npos) return 10s;
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
}

}  // namespace

TEST_CASE("256 slow or idle connections do not delay another client's request", "[http][availability]") {
  HttpOptions o;
  o.threads = 4;
  o.keep_alive_timeout_s = 30;
  o.read_timeout_ms = 30000;
  gw::metrics::Registry reg;
  HttpServer server(reg, o);
  add_ping(server);
  RunningServer running(server);

  std::vector<std::unique_ptr<RawConn>> conns;
  for (int i = 0; i < 128; ++i) {
    // Slow: a head that has started and goes on a byte at a time.
    conns.push_back(std::make_unique<RawConn>(running.port()));
    REQUIRE(conns.back()->send("GET /ping HTTP/1.1\r\nHo"));
  }
  for (int i = 0; i < 64; ++i) {
    // Idle before its first request.
    conns.push_back(std::make_unique<RawConn>(running.port()));
  }
  for (int i = 0; i < 64; ++i) {
    // Idle between keep-alive requests.
    auto c = std::make_unique<RawConn>(running.port());
    REQUIRE(c->send(get_request("/ping")));
    REQUIRE(c->read(5s, "pong").find("pong") != std::string::npos);
    conns.push_back(std::move(c));
  }
  for (int i = 0; i < 128; ++i) conns[static_cast<size_t>(i)]->send("s");
  CHECK(server.open_connections() >= 256);

  for (int i = 0; i < 5; ++i) CHECK(ping_time(running.port()) < 1000ms);
  // The slow ones are still served once they finish.
  REQUIRE(conns[0]->send("t: x\r\n\r\n"));
  CHECK(status_line(conns[0]->read(5s, "pong")) == "HTTP/1.1 200 OK");
}

TEST_CASE("a request head that does not arrive whole in time gets 408 and the connection closes",
          "[http][availability]") {
  HttpOptions o;
  o.read_timeout_ms = 300;
  gw::metrics::Registry reg;
  HttpServer server(reg, o);
  add_ping(server);
  RunningServer running(server);
  RawConn c(running.port());
  const auto t0 = std::chrono::steady_clock::now();
  // A byte every 100 ms: each read is quick, the whole head is not.
  std::string answer;
  for (char ch : std::string("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n")) {
    if (!c.send(std::string(1, ch))) break;
    answer += c.read(100ms);
    if (!answer.empty() || c.closed()) break;
  }
  answer += c.read(2s);
  CHECK(status_line(answer) == "HTTP/1.1 408 Request Timeout");
  CHECK(answer.find("\"error\":\"request_timeout\"") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < 1500ms);
}

TEST_CASE("a request body that does not arrive whole in time gets 408", "[http][availability]") {
  HttpOptions o;
  o.read_timeout_ms = 300;
  gw::metrics::Registry reg;
  HttpServer server(reg, o);
  std::atomic<int> handled{0};
  server.post("/in", "in", [&](const httplib::Request&, httplib::Response& res) {
    ++handled;
    res.set_content("ok", "text/plain");
  });
  RunningServer running(server);
  RawConn c(running.port());
  REQUIRE(
      c.send("POST /in HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nabc"));
  const std::string answer = c.read(3s);
  CHECK(status_line(answer) == "HTTP/1.1 408 Request Timeout");
  CHECK(handled == 0);
}

TEST_CASE("an idle keep-alive connection holds no worker thread", "[http][availability]") {
  HttpOptions o;
  o.threads = 1;
  o.keep_alive_timeout_s = 30;
  gw::metrics::Registry reg;
  HttpServer server(reg, o);
  add_ping(server);
  RunningServer running(server);
  RawConn idle(running.port());
  REQUIRE(idle.send(get_request("/ping")));
  REQUIRE(idle.read(5s, "pong").find("pong") != std::string::npos);
  // The only thread would wait on `idle` for 30 s with a thread per connection.
  CHECK(ping_time(running.port()) < 1000ms);
  // And the idle connection still works.
  REQUIRE(idle.send(get_request("/ping")));
  CHECK(idle.read(5s, "pong").find("pong") != std::string::npos);
}

TEST_CASE("a pool of its own serves its paths while every default thread is busy", "[http][availability]") {
  HttpOptions o;
  o.threads = 2;
  o.pools.push_back(gw::http::WorkerPoolSpec{"webhooks", 2, 64, {"/hook/"}});
  gw::metrics::Registry reg;
  HttpServer server(reg, o);
  Gate gate;
  server.get("/slow", "slow", [&](const httplib::Request&, httplib::Response& res) {
    gate.pass();
    res.set_content("late", "text/plain");
  });
  server.get("/hook/in", "hook",
             [](const httplib::Request&, httplib::Response& res) { res.set_content("pong", "text/plain"); });
  RunningServer running(server);
  RawConn a(running.port()), b(running.port());
  REQUIRE(a.send(get_request("/slow", true)));
  REQUIRE(b.send(get_request("/slow", true)));
  REQUIRE(gate.wait_for_waiting(2));
  // The default pool is full: /hook/ has threads of its own.
  RawConn h(running.port());
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(h.send(get_request("/hook/in", true)));
  CHECK(h.read(3s, "pong").find("pong") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < 1000ms);
  gate.release();
  CHECK(a.read(5s, "late").find("late") != std::string::npos);
}

TEST_CASE("connections from one address are bounded: the next gets 503 and others still connect",
          "[http][availability]") {
  HttpOptions o;
  o.max_connections_per_address = 8;
  o.keep_alive_timeout_s = 30;
  gw::metrics::Registry reg;
  HttpServer server(reg, o);
  add_ping(server);
  RunningServer running(server);
  std::vector<std::unique_ptr<RawConn>> held;
  for (int i = 0; i < 8; ++i) held.push_back(std::make_unique<RawConn>(running.port()));
  // Let the server count them before the ninth.
  for (int i = 0; i < 100 && server.open_connections() < 8; ++i) std::this_thread::sleep_for(10ms);
  RawConn ninth(running.port());
  REQUIRE(ninth.send(get_request("/ping")));
  const std::string answer = ninth.read(3s);
  CHECK(status_line(answer) == "HTTP/1.1 503 Service Unavailable");
  CHECK(answer.find("Retry-After: 1") != std::string::npos);
  CHECK(answer.find("\"error\":\"unavailable\"") != std::string::npos);
  // One goes: a new one is served.
  held.pop_back();
  for (int i = 0; i < 100 && server.open_connections() >= 8; ++i) std::this_thread::sleep_for(10ms);
  CHECK(ping_time(running.port()) < 1000ms);
}

TEST_CASE("a body sent after 100 Continue and two pipelined requests are each answered",
          "[http][availability]") {
  gw::metrics::Registry reg;
  HttpServer server(reg, HttpOptions{});
  server.post("/echo", "echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content("got " + std::to_string(req.body.size()), "text/plain");
  });
  add_ping(server);
  RunningServer running(server);
  RawConn c(running.port());
  REQUIRE(
      c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2000\r\n"
             "Expect: 100-continue\r\n\r\n"));
  const std::string go = c.read(3s, "\r\n\r\n");
  REQUIRE(status_line(go) == "HTTP/1.1 100 Continue");
  REQUIRE(c.send(std::string(2000, 'x')));
  const std::string answer = c.read(3s, "got 2000");
  CHECK(status_line(answer) == "HTTP/1.1 200 OK");
  CHECK(answer.find("got 2000") != std::string::npos);
  CHECK(answer.find("100 Continue") == std::string::npos);

  REQUIRE(c.send(get_request("/ping") + get_request("/ping", true)));
  std::string both = c.read(3s);
  both += c.read(1s);
  size_t pongs = 0;
  for (size_t p = both.find("pong"); p != std::string::npos; p = both.find("pong", p + 1)) ++pongs;
  CHECK(pongs == 2);
}

TEST_CASE("a burst of 256 new connections is taken without a dropped SYN", "[http][availability]") {
  gw::metrics::Registry reg;
  HttpOptions o;
  o.keep_alive_timeout_s = 30;
  HttpServer server(reg, o);
  add_ping(server);
  RunningServer running(server);
  // A SYN dropped from a full accept queue is sent again only after a second.
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<RawConn>> conns;
  for (int i = 0; i < 256; ++i) conns.push_back(std::make_unique<RawConn>(running.port()));
  CHECK(std::chrono::steady_clock::now() - t0 < 900ms);
  CHECK(ping_time(running.port()) < 1000ms);
}
