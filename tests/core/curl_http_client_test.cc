// CurlHttpClient against a real cpp-httplib server on loopback.
#include "gateway/core/curl_http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "tests/support/loopback_server.h"

using namespace std::chrono_literals;
using gw::CurlHttpClient;
using gw::ErrorCode;
using gw::HttpRequest;
using gw::testing::LoopbackServer;

namespace {

// A port on 127.0.0.1 that was free a moment ago and has nothing listening now.
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

HttpRequest request_to(const std::string& url, const std::string& method = "GET") {
  HttpRequest r;
  r.method = method;
  r.url = url;
  return r;
}

bool has_exact_header_name(const gw::HttpResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("the curl client sends a POST's method, path, query, headers and body intact", "[http_client]") {
  LoopbackServer srv;
  std::mutex mu;
  httplib::Request seen;
  srv.server().Post("/2010-04-01/Messages.json", [&](const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard<std::mutex> lock(mu);
      seen = req;
    }
    res.status = 201;
    res.set_header("X-Request-Id", "RQ42");
    res.set_content("{\"sid\":\"SM1\"}", "application/json");
  });
  srv.start();
  CurlHttpClient client;

  HttpRequest req = request_to(srv.url("/2010-04-01/Messages.json?Page=2&a=b%20c"), "POST");
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Custom", "v a l"}};
  req.body = "To=%2B15550001111&Body=hello%20there";
  auto r = client.send(req);

  REQUIRE(r.ok());
  CHECK(r->status == 201);
  CHECK(r->body == "{\"sid\":\"SM1\"}");
  CHECK(r->header("x-request-id") == "RQ42");
  CHECK(r->header("Content-Type") == "application/json");
  CHECK(has_exact_header_name(*r, "x-request-id"));  // names are stored lower-cased
  CHECK_FALSE(has_exact_header_name(*r, "X-Request-Id"));
  std::lock_guard<std::mutex> lock(mu);
  CHECK(seen.method == "POST");
  CHECK(seen.path == "/2010-04-01/Messages.json");
  CHECK(seen.get_param_value("Page") == "2");
  CHECK(seen.get_param_value("a") == "b c");
  CHECK(seen.body == "To=%2B15550001111&Body=hello%20there");
  CHECK(seen.get_header_value("Content-Type") == "application/x-www-form-urlencoded");
  CHECK(seen.get_header_value("X-Custom") == "v a l");
  CHECK(seen.get_header_value("User-Agent") == std::string("helpline-gateway/") + GATEWAY_VERSION);
  CHECK_FALSE(seen.has_header("Authorization"));
  CHECK_FALSE(seen.has_header("Expect"));
}

TEST_CASE("the curl client sends GET without a body and PUT and DELETE with their methods", "[http_client]") {
  LoopbackServer srv;
  std::mutex mu;
  std::vector<std::string> seen;
  auto record = [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(req.method + " " + req.path + " [" + req.body + "]");
    res.set_content("ok", "text/plain");
  };
  srv.server().Get("/r", record);
  srv.server().Put("/r", record);
  srv.server().Delete("/r", record);
  srv.start();
  CurlHttpClient client;

  REQUIRE(client.send(request_to(srv.url("/r"))).ok());
  HttpRequest put = request_to(srv.url("/r"), "PUT");
  put.body = "new";
  REQUIRE(client.send(put).ok());
  REQUIRE(client.send(request_to(srv.url("/r"), "DELETE")).ok());

  std::lock_guard<std::mutex> lock(mu);
  CHECK(seen == std::vector<std::string>{"GET /r []", "PUT /r [new]", "DELETE /r []"});
}

TEST_CASE("the curl client sends basic auth only when a user is set", "[http_client]") {
  LoopbackServer srv;
  std::mutex mu;
  std::vector<std::string> auth;
  srv.server().Get("/a", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    auth.push_back(req.has_header("Authorization") ? req.get_header_value("Authorization") : "(none)");
    res.set_content("ok", "text/plain");
  });
  srv.start();
  CurlHttpClient client;

  HttpRequest with = request_to(srv.url("/a"));
  with.basic_user = "AC123";
  with.basic_password = "p@ss:w0rd";
  REQUIRE(client.send(with).ok());
  // The same pooled handle must not carry the credentials into the next request.
  REQUIRE(client.send(request_to(srv.url("/a"))).ok());

  std::lock_guard<std::mutex> lock(mu);
  CHECK(auth == std::vector<std::string>{"Basic QUMxMjM6cEBzczp3MHJk", "(none)"});
}

TEST_CASE("a credential libcurl refuses to set is an error and no request goes out unauthenticated",
          "[http_client]") {
  LoopbackServer srv;
  std::atomic<int> requests{0};
  srv.server().Get("/a", [&](const httplib::Request&, httplib::Response& res) {
    ++requests;
    res.set_content("ok", "text/plain");
  });
  srv.start();
  CurlHttpClient client;

  // libcurl refuses a string option over 8,000,000 bytes (CURL_MAX_INPUT_LENGTH).
  HttpRequest refused = request_to(srv.url("/a"));
  refused.basic_user = "AC123";
  refused.basic_password = std::string(8'000'001, 'p');
  auto r = client.send(refused);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kInternal);
  CHECK(r.error().message.find("PASSWORD") != std::string::npos);
  CHECK(r.error().message.find("pppp") == std::string::npos);
  CHECK(requests.load() == 0);
  // The handle goes back to the pool clean: the next request is sent as usual.
  REQUIRE(client.send(request_to(srv.url("/a"))).ok());
  CHECK(requests.load() == 1);
}

TEST_CASE("a 500 answer is a response value, not an error", "[http_client]") {
  LoopbackServer srv;
  srv.server().Get("/fail", [](const httplib::Request&, httplib::Response& res) {
    res.status = 500;
    res.set_header("Retry-After", "7");
    res.set_content("oops", "text/plain");
  });
  srv.start();
  CurlHttpClient client;

  auto r = client.send(request_to(srv.url("/fail")));
  REQUIRE(r.ok());
  CHECK(r->status == 500);
  CHECK(r->body == "oops");
  CHECK(r->header("retry-after") == "7");
}

TEST_CASE("the curl client does not follow redirects", "[http_client]") {
  LoopbackServer srv;
  std::atomic<int> target_hits{0};
  srv.server().Get("/from", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/to"); });
  srv.server().Get("/to", [&](const httplib::Request&, httplib::Response& res) {
    ++target_hits;
    res.set_content("moved", "text/plain");
  });
  srv.start();
  CurlHttpClient client;

  auto r = client.send(request_to(srv.url("/from")));
  REQUIRE(r.ok());
  CHECK(r->status == 302);
  CHECK(r->header("location") == "/to");
  CHECK(target_hits.load() == 0);
}

TEST_CASE("sequential requests reuse one keep-alive connection", "[http_client]") {
  LoopbackServer srv;
  srv.server().set_keep_alive_max_count(100);
  std::mutex mu;
  std::set<int> client_ports;
  int hits = 0;
  srv.server().Get("/k", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    client_ports.insert(req.remote_port);
    ++hits;
    res.set_content("ok", "text/plain");
  });
  srv.start();
  CurlHttpClient client;

  for (int i = 0; i < 5; ++i) {
    auto r = client.send(request_to(srv.url("/k")));
    REQUIRE(r.ok());
    REQUIRE(r->status == 200);
  }
  std::lock_guard<std::mutex> lock(mu);
  CHECK(hits == 5);
  CHECK(client_ports.size() == 1);
}

TEST_CASE("a request slower than its timeout fails with kTimeout in about the timeout", "[http_client]") {
  std::atomic<bool> release{false};  // declared first: it outlives the server's handler thread
  LoopbackServer srv;
  srv.server().Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
    const auto give_up = std::chrono::steady_clock::now() + 5s;
    while (!release.load() && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(5ms);
    res.set_content("late", "text/plain");
  });
  srv.start();
  CurlHttpClient client;

  HttpRequest req = request_to(srv.url("/slow?To=%2B447700900123"));
  req.timeout = 300ms;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = client.send(req);
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  release = true;

  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kTimeout);
  CHECK(elapsed >= 250ms);
  CHECK(elapsed < 2s);
  // The message names the host but not the path or query (which can hold a number).
  CHECK_THAT(r.error().message, Catch::Contains("127.0.0.1"));
  CHECK_THAT(r.error().message, !Catch::Contains("447700900123"));
  CHECK_THAT(r.error().message, !Catch::Contains("slow"));
}

TEST_CASE("a refused connection fails with kUnavailable naming the host", "[http_client]") {
  CurlHttpClient client;
  auto r = client.send(request_to("http://127.0.0.1:" + std::to_string(closed_port()) + "/x?Body=secret"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kUnavailable);
  CHECK_THAT(r.error().message, Catch::Contains("127.0.0.1"));
  CHECK_THAT(r.error().message, !Catch::Contains("secret"));
}

TEST_CASE("URLs that are not http or https, or not URLs, are invalid arguments", "[http_client]") {
  CurlHttpClient client;
  for (const std::string url : {"ftp://127.0.0.1/file", "file:///etc/passwd", "gopher://127.0.0.1/",
                                "not a url", "/relative/path", "http://"}) {
    INFO(url);
    auto r = client.send(request_to(url));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("requests that would smuggle headers or lack a deadline are refused before sending",
          "[http_client]") {
  LoopbackServer srv;
  std::atomic<int> hits{0};
  srv.server().Post("/p", [&](const httplib::Request&, httplib::Response&) { ++hits; });
  srv.start();
  CurlHttpClient client;

  HttpRequest injected = request_to(srv.url("/p"), "POST");
  injected.headers = {{"X-A", "1\r\nX-Injected: yes"}};
  HttpRequest bad_name = request_to(srv.url("/p"), "POST");
  bad_name.headers = {{"X A:", "1"}};
  HttpRequest bad_method = request_to(srv.url("/p"), "POST\r\nX: y");
  HttpRequest no_deadline = request_to(srv.url("/p"), "POST");
  no_deadline.timeout = 0ms;
  HttpRequest get_with_body = request_to(srv.url("/p"), "GET");
  get_with_body.body = "x";
  for (const HttpRequest& req : {injected, bad_name, bad_method, no_deadline, get_with_body}) {
    auto r = client.send(req);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
  }
  CHECK(hits.load() == 0);
}

TEST_CASE("a response body larger than the cap is an error, with or without a content length",
          "[http_client]") {
  LoopbackServer srv;
  srv.server().Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(5 * 1024 * 1024, 'x'), "text/plain");
  });
  srv.server().Get("/stream", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/plain", [](size_t offset, httplib::DataSink& sink) {
      if (offset >= 100000) {
        sink.done();
        return true;
      }
      const std::string chunk(1000, 'y');
      return sink.write(chunk.data(), chunk.size());
    });
  });
  srv.server().Get("/small", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(1000, 'z'), "text/plain");
  });
  srv.start();

  CurlHttpClient default_cap;
  auto big = default_cap.send(request_to(srv.url("/big")));
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().code == ErrorCode::kIo);

  CurlHttpClient::Options small;
  small.max_response_bytes = 10000;
  CurlHttpClient capped(small);
  auto streamed = capped.send(request_to(srv.url("/stream")));
  REQUIRE_FALSE(streamed.ok());
  CHECK(streamed.error().code == ErrorCode::kIo);
  auto fits = capped.send(request_to(srv.url("/small")));
  REQUIRE(fits.ok());
  CHECK(fits->body.size() == 1000);
}

TEST_CASE("concurrent sends from four threads all succeed with their own answers", "[http_client]") {
  LoopbackServer srv;
  srv.server().Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
    std::this_thread::sleep_for(2ms);  // overlap the requests
    res.set_content("echo:" + req.body, "text/plain");
  });
  srv.start();
  CurlHttpClient client;

  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        HttpRequest req = request_to(srv.url("/echo"), "POST");
        req.body = std::to_string(t) + "-" + std::to_string(i);
        auto r = client.send(req);
        if (r.ok() && r->status == 200 && r->body == "echo:" + req.body) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(good.load() == 40);
}
