// The TLS listener: a real handshake on loopback with a self-signed certificate the
// client trusts, the same routes and bounds as the plain listener, and HSTS on its
// responses only.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gateway/http/server.h"
#include "tests/support/self_signed.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_http_options.h"

using gw::http::HttpOptions;
using gw::http::HttpServer;
using gw::http::TlsFiles;

namespace {

constexpr const char* kHsts = "Strict-Transport-Security";

// An HttpServer with a plain and a TLS listener on free loopback ports, serving on a
// thread of its own until the object goes away. Declare clients after it.
class TwoListeners {
 public:
  TwoListeners(HttpServer& server, const TlsFiles& files) : server_(server) {
    auto plain = server_.bind("127.0.0.1", 0);
    REQUIRE(plain.ok());
    plain_port = *plain;
    auto tls = server_.bind_tls("127.0.0.1", 0, files);
    REQUIRE(tls.ok());
    tls_port = *tls;
    thread_ = std::thread([this] { server_.run(); });
  }
  ~TwoListeners() {
    server_.stop();
    thread_.join();
  }
  int plain_port = 0;
  int tls_port = 0;

 private:
  HttpServer& server_;
  std::thread thread_;
};

std::unique_ptr<httplib::SSLClient> trusting_client(int port, const std::string& ca) {
  auto cli = std::make_unique<httplib::SSLClient>("127.0.0.1", port);
  cli->set_ca_cert_path(ca.c_str());
  cli->enable_server_certificate_verification(true);
  cli->set_connection_timeout(5);
  cli->set_read_timeout(5);
  return cli;
}

// A TCP connection to the port that sends nothing.
int connect_raw(int port) {
  const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(sock >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  timeval tv{10, 0};
  ::setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return sock;
}

void add_echo_routes(HttpServer& server) {
  server.get("/hello", "hello",
             [](const httplib::Request&, httplib::Response& res) { res.set_content("hello", "text/plain"); });
  server.get("/big", "big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(3 * 1024 * 1024, 'x'), "application/octet-stream");
  });
  server.post("/echo", "echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(std::to_string(req.body.size()) + ":" + req.body.substr(0, 16), "text/plain");
  });
}

}  // namespace

TEST_CASE(
    "the TLS listener completes a handshake with a trusted self-signed certificate and serves the routes",
    "[http][tls]") {
  gw::testing::TempDir dir;
  auto pair = gw::testing::write_self_signed(dir.path(), "server");
  gw::metrics::Registry registry;
  HttpServer server(registry, gw::http::testing::test_options());
  add_echo_routes(server);
  TwoListeners run(server, TlsFiles{pair.certificate, pair.private_key});

  auto https = trusting_client(run.tls_port, pair.certificate);
  auto r = https->Get("/hello");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "hello");
  CHECK(r->get_header_value(kHsts) == "max-age=31536000");
  CHECK(https->get_openssl_verify_result() == X509_V_OK);
  // Errors too, and more requests on the same kept-alive connection.
  auto missing = https->Get("/nowhere");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(missing->get_header_value(kHsts) == "max-age=31536000");
  // A body of many TLS records in, a large response out (partial writes on a non-blocking socket).
  const std::string body(300 * 1024, 'b');
  auto echoed = https->Post("/echo", body, "application/octet-stream");
  REQUIRE(echoed);
  CHECK(echoed->body == std::to_string(body.size()) + ":" + body.substr(0, 16));
  auto big = https->Get("/big");
  REQUIRE(big);
  CHECK(big->body.size() == 3u * 1024 * 1024);

  // The plain listener serves the same routes, never with HSTS.
  httplib::Client http("127.0.0.1", run.plain_port);
  auto plain = http.Get("/hello");
  REQUIRE(plain);
  CHECK(plain->body == "hello");
  CHECK_FALSE(plain->has_header(kHsts));
}

TEST_CASE("a client that does not trust the certificate cannot talk to the TLS listener, nor a plain one",
          "[http][tls]") {
  gw::testing::TempDir dir;
  auto pair = gw::testing::write_self_signed(dir.path(), "server");
  auto other = gw::testing::write_self_signed(dir.path(), "other");
  gw::metrics::Registry registry;
  HttpServer server(registry, gw::http::testing::test_options());
  add_echo_routes(server);
  TwoListeners run(server, TlsFiles{pair.certificate, pair.private_key});

  auto wrong_ca = trusting_client(run.tls_port, other.certificate);
  CHECK_FALSE(wrong_ca->Get("/hello"));
  // Plain HTTP on the TLS port gets no HTTP answer.
  httplib::Client plain("127.0.0.1", run.tls_port);
  plain.set_read_timeout(5);
  auto r = plain.Get("/hello");
  CHECK((!r || r->status != 200));
  // The server still serves trusting clients afterwards.
  auto https = trusting_client(run.tls_port, pair.certificate);
  auto ok = https->Get("/hello");
  REQUIRE(ok);
  CHECK(ok->status == 200);
}

TEST_CASE("the TLS listener applies the head limits, with HSTS on the refusal", "[http][tls]") {
  gw::testing::TempDir dir;
  auto pair = gw::testing::write_self_signed(dir.path(), "server");
  gw::metrics::Registry registry;
  HttpOptions options = gw::http::testing::test_options();
  options.head_limits.max_headers = 10;
  HttpServer server(registry, options);
  add_echo_routes(server);
  TwoListeners run(server, TlsFiles{pair.certificate, pair.private_key});

  auto https = trusting_client(run.tls_port, pair.certificate);
  httplib::Headers many;
  for (int i = 0; i < 20; ++i) many.emplace("X-Filler-" + std::to_string(i), "y");
  auto r = https->Get("/hello", many);
  REQUIRE(r);
  CHECK(r->status == 431);
  CHECK(r->get_header_value(kHsts) == "max-age=31536000");
}

TEST_CASE("a connection that never completes its handshake is closed after the read timeout", "[http][tls]") {
  gw::testing::TempDir dir;
  auto pair = gw::testing::write_self_signed(dir.path(), "server");
  gw::metrics::Registry registry;
  HttpOptions options = gw::http::testing::test_options();
  options.read_timeout_ms = 300;
  HttpServer server(registry, options);
  add_echo_routes(server);
  TwoListeners run(server, TlsFiles{pair.certificate, pair.private_key});

  const int sock = connect_raw(run.tls_port);
  const auto start = std::chrono::steady_clock::now();
  char c;
  const ssize_t n = ::recv(sock, &c, 1, 0);  // the server's close ends this wait (10 s at most)
  const auto waited = std::chrono::steady_clock::now() - start;
  ::close(sock);
  CHECK(n <= 0);
  CHECK(waited < std::chrono::seconds(5));
}

TEST_CASE("slow clients filling the TLS listener do not stop the plain one, nor the reverse", "[http][tls]") {
  gw::testing::TempDir dir;
  auto pair = gw::testing::write_self_signed(dir.path(), "server");
  gw::metrics::Registry registry;
  HttpOptions options = gw::http::testing::test_options();
  options.threads = 1;
  options.max_connections_per_address = 4;
  options.keep_alive_timeout_s = 30;
  options.read_timeout_ms = 30000;
  HttpServer server(registry, options);
  add_echo_routes(server);
  TwoListeners run(server, TlsFiles{pair.certificate, pair.private_key});

  // Every connection slot from this address on the TLS port, held by clients that say nothing.
  std::vector<int> tls_holders;
  for (int i = 0; i < 4; ++i) tls_holders.push_back(connect_raw(run.tls_port));
  httplib::Client http("127.0.0.1", run.plain_port);
  http.set_read_timeout(5);
  auto plain = http.Get("/hello");
  REQUIRE(plain);
  CHECK(plain->status == 200);
  // A fifth on the TLS port is over its limit: closed without a handshake.
  auto refused = trusting_client(run.tls_port, pair.certificate);
  CHECK_FALSE(refused->Get("/hello"));
  for (int s : tls_holders) ::close(s);
  // Only the plain client's kept-alive connection stays open once the TLS reactor has seen the closes.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server.open_connections() > 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  REQUIRE(server.open_connections() <= 1);

  // And the plain port's slots, filled, leave the TLS port serving.
  std::vector<int> plain_holders;
  for (int i = 0; i < 4; ++i) plain_holders.push_back(connect_raw(run.plain_port));
  auto https = trusting_client(run.tls_port, pair.certificate);
  auto r = https->Get("/hello");
  REQUIRE(r);
  CHECK(r->status == 200);
  for (int s : plain_holders) ::close(s);
}

TEST_CASE("bind_tls refuses a key that does not match the certificate", "[http][tls]") {
  gw::testing::TempDir dir;
  auto a = gw::testing::write_self_signed(dir.path(), "a");
  auto b = gw::testing::write_self_signed(dir.path(), "b");
  gw::metrics::Registry registry;
  HttpServer server(registry, gw::http::testing::test_options());
  auto bound = server.bind_tls("127.0.0.1", 0, TlsFiles{a.certificate, b.private_key});
  REQUIRE_FALSE(bound.ok());
  CHECK(bound.error().message.find("not a matching pair") != std::string::npos);
}
