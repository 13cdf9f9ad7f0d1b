#include "tests/support/fake_http_client.h"

#include <catch2/catch.hpp>
#include <set>
#include <thread>

using gw::ErrorCode;
using gw::HttpRequest;
using gw::HttpResponse;
using gw::testing::FakeHttpClient;

namespace {
HttpRequest post(const std::string& url, const std::string& body) {
  HttpRequest r;
  r.method = "POST";
  r.url = url;
  r.body = body;
  return r;
}
}  // namespace

TEST_CASE("the fake http client records requests and replays scripted answers in order",
          "[http_client][fake]") {
  FakeHttpClient fake;
  fake.push_response(429, "slow down", {{"retry-after", "3"}});
  fake.push_error(gw::Error::timeout("t"));
  fake.push_response(201, "{\"sid\":\"SM1\"}");
  CHECK(fake.pending_answers() == 3);

  auto first = fake.send(post("https://api.example/1", "a"));
  auto second = fake.send(post("https://api.example/2", "b"));
  auto third = fake.send(post("https://api.example/3", "c"));
  auto fourth = fake.send(post("https://api.example/4", "d"));

  REQUIRE(first.ok());
  CHECK(first->status == 429);
  CHECK(first->header("Retry-After") == "3");
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == ErrorCode::kTimeout);
  REQUIRE(third.ok());
  CHECK(third->body == "{\"sid\":\"SM1\"}");
  REQUIRE(fourth.ok());  // script exhausted: the default answer
  CHECK(fourth->status == 200);
  CHECK(fake.pending_answers() == 0);

  const auto reqs = fake.requests();
  REQUIRE(reqs.size() == 4);
  CHECK(reqs[0].url == "https://api.example/1");
  CHECK(reqs[1].body == "b");
  CHECK(reqs[3].method == "POST");
  CHECK(fake.last_request().url == "https://api.example/4");
  fake.clear_requests();
  CHECK(fake.request_count() == 0);
}

TEST_CASE("the fake's handler answers by request once the script is empty, then the default",
          "[http_client][fake]") {
  FakeHttpClient fake;
  HttpResponse teapot;
  teapot.status = 418;
  fake.set_default_response(teapot);
  fake.push_response(202);
  fake.set_handler([&](const HttpRequest& r) -> gw::Result<HttpResponse> {
    if (r.url.find("/down") != std::string::npos) return gw::Error::unavailable("down");
    HttpResponse resp;
    resp.status = 200;
    resp.body = "saw " + r.body + " after " + std::to_string(fake.request_count()) + " requests";
    return resp;
  });

  CHECK(fake.send(post("u/up", "x"))->status == 202);  // the script goes first
  CHECK(fake.send(post("u/up", "y"))->body == "saw y after 2 requests");
  auto down = fake.send(post("u/down", ""));
  REQUIRE_FALSE(down.ok());
  CHECK(down.error().code == ErrorCode::kUnavailable);
  fake.set_handler(nullptr);
  CHECK(fake.send(post("u/up", ""))->status == 418);
}

TEST_CASE("the fake records every request sent from several threads", "[http_client][fake]") {
  FakeHttpClient fake;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) (void)fake.send(post("u", std::to_string(t * 100 + i)));
    });
  }
  for (auto& th : threads) th.join();
  const auto reqs = fake.requests();
  REQUIRE(reqs.size() == 200);
  std::set<std::string> bodies;
  for (const auto& r : reqs) bodies.insert(r.body);
  CHECK(bodies.size() == 200);
}
