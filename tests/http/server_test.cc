#include "gateway/http/server.h"

#include <netinet/in.h>
#include <spdlog/sinks/ostream_sink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "gateway/core/log.h"
#include "tests/http/prom_text.h"
#include "tests/http/running_server.h"
#include "tests/support/test_http_options.h"

using namespace std::chrono_literals;
using gw::http::HttpOptions;
using gw::http::HttpServer;
using gw::http::testing::parse_prom_text;
using gw::http::testing::RunningServer;
using gw::http::testing::test_options;
using nlohmann::json;

namespace {

json body_json(const httplib::Result& r) {
  return json::parse(r->body, nullptr, false);
}

void check_error_body(const httplib::Result& r, int status, const std::string& code) {
  REQUIRE(r);
  CHECK(r->status == status);
  CHECK(r->get_header_value("Content-Type") == "application/json");
  CHECK(r->get_header_value("Content-Length") == std::to_string(r->body.size()));
  const json j = body_json(r);
  REQUIRE(j.is_object());
  CHECK(j.value("error", "") == code);
  CHECK(j.contains("message"));
  CHECK(j["message"].is_string());
}

// A raw client on loopback: sends `head_parts` (each repeated `repeat` times) as fast
// as the server takes them, on a thread of its own, and returns what the server
// answered before closing. The sender stops at the first failed send.
std::string raw_exchange(int port, const std::string& start, const std::string& repeated, size_t repeat,
                         const std::string& end) {
  const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(sock >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  timeval tv{10, 0};
  ::setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  std::thread sender([&] {
    auto send_all = [&](const std::string& data) {
      size_t off = 0;
      while (off < data.size()) {
        const ssize_t n = ::send(sock, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return false;
        off += static_cast<size_t>(n);
      }
      return true;
    };
    if (!send_all(start)) return;
    for (size_t i = 0; i < repeat; ++i) {
      if (!send_all(repeated)) return;
    }
    send_all(end);
  });
  std::string answer;
  char buf[4096];
  while (true) {
    const ssize_t n = ::recv(sock, buf, sizeof(buf), 0);
    if (n <= 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  ::shutdown(sock, SHUT_RDWR);
  sender.join();
  ::close(sock);
  return answer;
}

std::string status_line(const std::string& answer) {
  return answer.substr(0, answer.find("\r\n"));
}

}  // namespace

TEST_CASE("a GET route answers with its handler and the safety headers", "[http][server]") {
  gw::metrics::Registry reg;
  HttpServer server(reg, test_options());
  server.get(R"(/things/(\d+))", "thing", [](const httplib::Request& req, httplib::Response& res) {
    gw::http::send_json(res, 200, {{"id", req.matches[1].str()}});
  });
  RunningServer running(server);
  httplib::Client client("127.0.0.1", running.port());

  auto r = client.Get("/things/42");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(body_json(r)["id"] == "42");
  CHECK(r->get_header_value("Content-Type") == "application/json");
  CHECK(r->get_header_value("Cache-Control") == "no-store");
  CHECK(r->get_header_value("X-Content-Type-Options") == "nosniff");
}

TEST_CASE("unknown routes get a JSON 404 and count as route=unmatched, never by path", "[http][server]") {
  gw::metrics::Registry reg;
  HttpServer server(reg, test_options());
  server.get("/known", "known",
             [](const httplib::Request&, httplib::Response& res) { res.set_content("k", "text/plain"); });
  RunningServer running(server);
  httplib::Client client("127.0.0.1", running.port());

  auto r = client.Get("/contacts/447700900123");
  check_error_body(r, 404, "not_found");
  CHECK(r->get_header_value("Cache-Control") == "no-store");
  check_error_body(client.Post("/nowhere/447700900123", "x=1", "application/x-www-form-urlencoded"), 404,
                   "not_found");
  check_error_body(client.Put("/known", "x", "text/plain"), 404, "not_found");
  REQUIRE(client.Get("/known"));

  const std::string raw = reg.render();
  CHECK(raw.find("447700900123") == std::string::npos);
  const auto text = parse_prom_text(raw);
  REQUIRE(text.errors.empty());
  const auto requests = [&](const char* route, const char* method, const char* status) {
    return text.value("gateway_http_requests_total",
                      {{"route", route}, {"method", method}, {"status", status}});
  };
  CHECK(requests("unmatched", "GET", "404") == 1);
  CHECK(requests("unmatched", "POST", "404") == 1);
  CHECK(requests("unmatched", "PUT", "404") == 1);
  CHECK(requests("known", "GET", "200") == 1);
  CHECK(text.value("gateway_http_request_duration_seconds_count", {{"route", "known"}}) == 1);
  CHECK(text.value("gateway_http_request_duration_seconds_count", {{"route", "unmatched"}}) == 3);
}

TEST_CASE("a POST route gets the whole body even past 8 KiB, and only the query string in params",
          "[http][server]") {
  gw::metrics::Registry reg;
  HttpServer server(reg, test_options());
  std::string seen_body, seen_param, seen_query;
  server.post(R"(/twilio/([a-z-]+)/inbound)", "twilio_inbound",
              [&](const httplib::Request& req, httplib::Response& res) {
                seen_body = req.body;
                seen_param = req.get_param_value("Body");
                seen_query = req.get_param_value("q");
                gw::http::send_json(res, 200, {{"channel", req.matches[1].str()}});
              });
  RunningServer running(server);
  httplib::Client client("127.0.0.1", running.port());

  // A long Arabic message, percent-encoded: about 12 KiB, over httplib's own 8 KiB form cap.
  std::string encoded;
  for (int i = 0; i < 1000; ++i) encoded += "%D9%85%D8%B1";  // "مر"
  const std::string form = "From=x&Body=" + encoded;
  auto r = client.Post("/twilio/uk-sms/inbound?q=1", form, "application/x-www-form-urlencoded");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(body_json(r)["channel"] == "uk-sms");
  CHECK(seen_body == form);
  CHECK(seen_body.size() > 8 * 1024);
  CHECK(seen_param.empty());  // the body is the handler's to parse, once
  CHECK(seen_query == "1");
}

TEST_CASE("an oversized POST body gets a JSON 413 and never reaches the handler", "[http][server]") {
  gw::metrics::Registry reg;
  HttpOptions opts = test_options();
  opts.max_body_bytes = 1000;
  HttpServer server(reg, opts);
  std::atomic<int> calls{0};
  server.post("/in", "in", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    res.set_content("ok", "text/plain");
  });
  RunningServer running(server);

  SECTION("with a Content-Length") {
    httplib::Client client("127.0.0.1", running.port());
    auto r = client.Post("/in", std::string(1001, 'a'), "application/json");
    check_error_body(r, 413, "payload_too_large");
    CHECK(r->get_header_value("Cache-Control") == "no-store");
  }
  SECTION("chunked, with no length announced") {
    httplib::Client client("127.0.0.1", running.port());
    auto r = client.Post(
        "/in",
        [](size_t offset, httplib::DataSink& sink) {
          if (offset < 5000) {
            const std::string chunk(500, 'b');
            sink.write(chunk.data(), chunk.size());
          } else {
            sink.done();
          }
          return true;
        },
        "application/json");
    check_error_body(r, 413, "payload_too_large");
  }
  SECTION("announced with Expect: 100-continue, refused before the body is sent") {
    httplib::Client client("127.0.0.1", running.port());
    auto r = client.Post("/in", httplib::Headers{{"Expect", "100-continue"}}, std::string(1001, 'a'),
                         "application/json");
    check_error_body(r, 413, "payload_too_large");
    CHECK(r->get_header_value("Connection") == "close");
  }
  SECTION("to a route that does not exist") {
    httplib::Client client("127.0.0.1", running.port());
    check_error_body(client.Post("/elsewhere", std::string(5000, 'a'), "text/plain"), 413,
                     "payload_too_large");
  }
  CHECK(calls.load() == 0);

  // The server still serves, and a body at the limit passes.
  httplib::Client again("127.0.0.1", running.port());
  auto ok = again.Post("/in", std::string(1000, 'a'), "application/json");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(calls.load() == 1);
}

TEST_CASE("a chunked body on a GET is refused with 411 before httplib buffers it", "[http][server]") {
  gw::metrics::Registry reg;
  HttpServer server(reg, test_options());
  std::atomic<int> calls{0};
  server.get("/g", "g", [&](const httplib::Request&, httplib::Response&) { ++calls; });
  RunningServer running(server);
  httplib::Client client("127.0.0.1", running.port());
  httplib::Request req;
  req.method = "GET";
  req.path = "/g";
  req.content_provider_ = [](size_t offset, size_t, httplib::DataSink& sink) {
    // One small chunk: the server answers without reading the body, and a client
    // still writing a long one could see the connection reset.
    if (offset == 0) {
      sink.write("xxxxxxxxxx", 10);
    } else {
      sink.done();
    }
    return true;
  };
  req.is_chunked_content_provider_ = true;
  req.set_header("Transfer-Encoding", "chunked");
  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  const bool sent = client.send(req, res, err);
  REQUIRE(sent);
  CHECK(res.status == 411);
  CHECK(json::parse(res.body, nullptr, false).value("error", "") == "length_required");
  CHECK(calls.load() == 0);
}

TEST_CASE("a handler that throws gives a JSON 500, a log line without the body, and the server keeps serving",
          "[http][server]") {
  std::ostringstream captured;
  gw::log::init(gw::log::Level::kInfo, std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  gw::metrics::Registry reg;
  HttpServer server(reg, test_options());
  server.post("/boom", "boom", [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("X-Partial", "yes");
    throw std::runtime_error("could not handle " + req.body);
  });
  server.get("/fine", "fine",
             [](const httplib::Request&, httplib::Response& res) { res.set_content("fine", "text/plain"); });
  RunningServer running(server);
  httplib::Client client("127.0.0.1", running.port());

  auto r = client.Post("/boom", "my boss took my passport", "text/plain");
  check_error_body(r, 500, "internal");
  CHECK_FALSE(r->has_header("X-Partial"));
  auto fine = client.Get("/fine");
  REQUIRE(fine);
  CHECK(fine->status == 200);
  CHECK(fine->body == "fine");
  gw::log::init(gw::log::Level::kInfo);

  const std::string logged = captured.str();
  CHECK(logged.find("http_handler_exception") != std::string::npos);
  CHECK(logged.find("\"route\":\"boom\"") != std::string::npos);
  CHECK(logged.find("std::runtime_error") != std::string::npos);
  CHECK(logged.find("passport") == std::string::npos);
  CHECK(parse_prom_text(reg.render())
            .value("gateway_http_requests_total",
                   {{"route", "boom"}, {"method", "POST"}, {"status", "500"}}) == 1);
}

TEST_CASE("stop lets a request in flight finish with 200, then run returns and new connections fail",
          "[http][server]") {
  gw::metrics::Registry reg;
  HttpServer server(reg, test_options());
  std::atomic<bool> started{false};
  std::atomic<bool> stop_called{false};
  std::atomic<bool> finished{false};
  server.get("/slow", "slow", [&](const httplib::Request&, httplib::Response& res) {
    started = true;
    // In flight when stop() is called, and answering only after it.
    while (!stop_called.load()) std::this_thread::yield();
    res.set_content("done", "text/plain");
    finished = true;
  });
  auto port = server.bind("127.0.0.1", 0);
  REQUIRE(port.ok());
  std::atomic<bool> run_returned{false};
  bool finished_before_run_returned = false;
  std::thread runner([&] {
    server.run();
    finished_before_run_returned = finished.load();
    run_returned = true;
  });

  auto slow = std::async(std::launch::async, [&] {
    httplib::Client c("127.0.0.1", *port);
    return c.Get("/slow");
  });
  while (!started.load()) std::this_thread::sleep_for(1ms);
  CHECK(server.is_running());
  server.stop();
  stop_called = true;

  auto r = slow.get();
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "done");
  CHECK(r->get_header_value("Connection") == "close");
  runner.join();
  CHECK(run_returned.load());
  CHECK(finished_before_run_returned);
  CHECK_FALSE(server.is_running());

  httplib::Client late("127.0.0.1", *port);
  late.set_connection_timeout(1s);
  CHECK_FALSE(late.Get("/slow"));
}

TEST_CASE("stop before run makes run return at once", "[http][server]") {
  gw::metrics::Registry reg;
  HttpServer server(reg, test_options());
  REQUIRE(server.bind("127.0.0.1", 0).ok());
  server.stop();
  const auto t0 = std::chrono::steady_clock::now();
  server.run();
  CHECK(std::chrono::steady_clock::now() - t0 < 1s);
}

TEST_CASE("TCP_NODELAY is on: 200 keep-alive requests on one connection take well under 2 s",
          "[http][server]") {
  // With Nagle's algorithm on (Debian's httplib default) each request waits for a
  // delayed ACK and 200 requests take about 5 s.
  gw::metrics::Registry reg;
  HttpOptions opts = test_options();
  opts.keep_alive_max = 1000;
  HttpServer server(reg, opts);
  server.get("/ping", "ping",
             [](const httplib::Request&, httplib::Response& res) { res.set_content("pong", "text/plain"); });
  RunningServer running(server);
  httplib::Client client("127.0.0.1", running.port());
  client.set_keep_alive(true);

  const auto t0 = std::chrono::steady_clock::now();
  int ok = 0;
  for (int i = 0; i < 200; ++i) {
    auto r = client.Get("/ping");
    if (r && r->status == 200) ++ok;
  }
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  CHECK(ok == 200);
  CHECK(elapsed < 2s);
}

TEST_CASE("bind reports a clear error for a bad address, a taken port or a second bind", "[http][server]") {
  gw::metrics::Registry reg;
  HttpServer first(reg, test_options());
  auto port = first.bind("127.0.0.1", 0);
  REQUIRE(port.ok());
  CHECK(*port > 0);

  auto again = first.bind("127.0.0.1", 0);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == gw::ErrorCode::kInvalidArgument);

  // No SO_REUSEPORT: a second server on the same port must fail, not share it.
  HttpServer second(reg, test_options());
  auto taken = second.bind("127.0.0.1", *port);
  REQUIRE_FALSE(taken.ok());
  CHECK(taken.error().code == gw::ErrorCode::kIo);
  CHECK(taken.error().message.find(std::to_string(*port)) != std::string::npos);

  HttpServer third(reg, test_options());
  auto bad_host = third.bind("256.1.1.1", 0);
  REQUIRE_FALSE(bad_host.ok());
  CHECK(bad_host.error().code == gw::ErrorCode::kInvalidArgument);
  CHECK(bad_host.error().message.find("256.1.1.1") != std::string::npos);
  auto bad_port = third.bind("127.0.0.1", 70000);
  REQUIRE_FALSE(bad_port.ok());
  CHECK(bad_port.error().code == gw::ErrorCode::kInvalidArgument);
  auto not_local = third.bind("192.0.2.1", 0);  // TEST-NET-1: not an address of this host
  REQUIRE_FALSE(not_local.ok());
  CHECK(not_local.error().code == gw::ErrorCode::kIo);
}

TEST_CASE("a multipart POST is refused with 415 and a very long path with a JSON error", "[http][server]") {
  gw::metrics::Registry reg;
  HttpServer server(reg, test_options());
  std::atomic<int> calls{0};
  server.post("/in", "in", [&](const httplib::Request&, httplib::Response&) { ++calls; });
  server.get("/(.*)/x", "deep", [&](const httplib::Request&, httplib::Response&) { ++calls; });
  RunningServer running(server);

  {
    httplib::Client client("127.0.0.1", running.port());
    httplib::MultipartFormDataItems items = {{"field", "value", "", ""}};
    check_error_body(client.Post("/in", items), 415, "unsupported_media_type");
  }
  httplib::Client client("127.0.0.1", running.port());
  check_error_body(client.Get("/" + std::string(8000, 'a')), 404, "not_found");
  check_error_body(client.Get("/" + std::string(9000, 'a')), 414, "uri_too_long");
  auto deep = client.Get("/" + std::string(8000, 'b') + "/x");
  REQUIRE(deep);
  CHECK(deep->status == 200);
  CHECK(calls.load() == 1);
}

TEST_CASE("an idle keep-alive client delays run's return by at most the keep-alive timeout",
          "[http][server]") {
  // httplib only notices a stop between requests; this documents the bound.
  gw::metrics::Registry reg;
  HttpServer server(reg, test_options());  // keep_alive_timeout_s = 1
  server.get("/ping", "ping",
             [](const httplib::Request&, httplib::Response& res) { res.set_content("pong", "text/plain"); });
  auto port = server.bind("127.0.0.1", 0);
  REQUIRE(port.ok());
  std::thread runner([&] { server.run(); });
  httplib::Client idle("127.0.0.1", *port);
  idle.set_keep_alive(true);
  REQUIRE(idle.Get("/ping"));

  const auto t0 = std::chrono::steady_clock::now();
  server.stop();
  runner.join();
  const auto waited = std::chrono::steady_clock::now() - t0;
  CHECK(waited < 2500ms);
}

TEST_CASE("25 MB of request headers get a JSON 431 after the limit is read, and the server keeps serving",
          "[http][server][limits]") {
  gw::metrics::Registry reg;
  HttpServer server(reg, test_options());
  std::atomic<int> calls{0};
  server.get("/ping", "ping", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    res.set_content("pong", "text/plain");
  });
  RunningServer running(server);

  const std::string header = "X-Filler: " + std::string(90, 'f') + "\r\n";  // 102 bytes
  const auto t0 = std::chrono::steady_clock::now();
  const std::string answer = raw_exchange(running.port(), "GET /ping HTTP/1.1\r\nHost: x\r\n", header,
                                          25 * 1024 * 1024 / header.size(), "\r\n");
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
  CHECK(status_line(answer) == "HTTP/1.1 431 Request Header Fields Too Large");
  const json j = json::parse(answer.substr(answer.find("\r\n\r\n") + 4), nullptr, false);
  CHECK(j.value("error", "") == "request_header_fields_too_large");
  CHECK(calls.load() == 0);

  httplib::Client client("127.0.0.1", running.port());
  auto ok = client.Get("/ping");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(reg.render().find(R"(gateway_http_requests_total{route="unmatched",method="GET",status="431"} 1)") !=
        std::string::npos);
}

TEST_CASE("a request with more than 100 header lines gets 431 while 100 small ones are served",
          "[http][server][limits]") {
  gw::metrics::Registry reg;
  HttpServer server(reg, test_options());
  server.get("/ping", "ping",
             [](const httplib::Request&, httplib::Response& res) { res.set_content("pong", "text/plain"); });
  RunningServer running(server);
  // Host plus 99 more: 100 header lines.
  const std::string ok = raw_exchange(
      running.port(), "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n", "X-A: 1\r\n", 98, "\r\n");
  CHECK(status_line(ok) == "HTTP/1.1 200 OK");
  const std::string too_many = raw_exchange(
      running.port(), "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n", "X-A: 1\r\n", 99, "\r\n");
  CHECK(status_line(too_many) == "HTTP/1.1 431 Request Header Fields Too Large");
}

TEST_CASE("a request line of 10 MB gets a JSON 414 without being read whole", "[http][server][limits]") {
  gw::metrics::Registry reg;
  HttpServer server(reg, test_options());
  server.get("/.*", "any",
             [](const httplib::Request&, httplib::Response& res) { res.set_content("x", "text/plain"); });
  RunningServer running(server);
  const auto t0 = std::chrono::steady_clock::now();
  const std::string answer = raw_exchange(running.port(), "GET /", std::string(1024, 'a'), 10 * 1024,
                                          " HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
  CHECK(status_line(answer) == "HTTP/1.1 414 URI Too Long");
  CHECK(answer.find("uri_too_long") != std::string::npos);
}

TEST_CASE("the head limits come from the options", "[http][server][limits]") {
  gw::metrics::Registry reg;
  HttpOptions o = test_options();
  o.head_limits.max_headers = 8;
  HttpServer server(reg, o);
  server.get("/ping", "ping",
             [](const httplib::Request&, httplib::Response& res) { res.set_content("pong", "text/plain"); });
  RunningServer running(server);
  const std::string answer =
      raw_exchange(running.port(), "GET /ping HTTP/1.1\r\nHost: x\r\n", "X-A: 1\r\n", 8, "\r\n");
  CHECK(status_line(answer) == "HTTP/1.1 431 Request Header Fields Too Large");
}
