// The browser simulator's API on a real server on loopback.
#include "gateway/channels/web/simulator_routes.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <httplib.h>
#include <thread>
#include <vector>

#include "gateway/http/server.h"
#include "tests/http/running_server.h"
#include "tests/support/fake_clock.h"

using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct SimulatorFixture {
  gw::testing::FakeClock clock;
  gw::metrics::Registry registry;
  gw::http::HttpServer server{registry};
  std::unique_ptr<gw::http::testing::RunningServer> running;

  SimulatorFixture() {
    gw::SimulatorRoutesOptions o;
    o.content_dir = GATEWAY_SOURCE_DIR;
    gw::add_simulator_routes(server, clock, o);
    running = std::make_unique<gw::http::testing::RunningServer>(server);
  }

  httplib::Result post(const json& body) {
    httplib::Client client("127.0.0.1", running->port());
    client.set_read_timeout(30, 0);
    return client.Post("/simulator/api/messages", body.dump(), "application/json");
  }
};

}  // namespace

TEST_CASE("the simulator refuses a from that is not E.164 at once, before any phone-number parsing",
          "[simulator]") {
  SimulatorFixture f;
  for (const std::string& from : {std::string(16'000, '9'), "+" + std::string(16, '4'), std::string("+44 abc"),
                                  std::string("+0447700900123")}) {
    const auto t0 = std::chrono::steady_clock::now();
    auto res = f.post({{"text", "hello"}, {"from", from}});
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(json::parse(res->body).value("error", "") == "bad_request");
    CHECK(res->body.find("4444") == std::string::npos);
    CHECK(std::chrono::steady_clock::now() - t0 < 1s);
  }
  // What a visitor types (spaces, brackets) and no number at all are fine.
  for (const std::string& from : {std::string("+44 (7700) 900-123"), std::string("+" + std::string(15, '4')),
                                  std::string()}) {
    auto res = f.post({{"text", "hello"}, {"from", from}});
    REQUIRE(res);
    CHECK(res->status == 200);
  }
}

TEST_CASE("a simulator body over 16 KiB is refused with 413 before it is parsed", "[simulator]") {
  SimulatorFixture f;
  auto res = f.post({{"text", "hello"}, {"padding", std::string(17 * 1024, ' ')}});
  REQUIRE(res);
  CHECK(res->status == 413);
}

TEST_CASE("simulator visitors are served side by side, each session keeping its own state", "[simulator]") {
  SimulatorFixture f;
  constexpr int kVisitors = 6;
  std::vector<std::string> sessions(kVisitors);
  std::vector<int> statuses(kVisitors, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kVisitors; ++i) {
    threads.emplace_back([&, i] {
      auto first = f.post({{"text", "hello"}});
      if (!first || first->status != 200) return;
      sessions[i] = json::parse(first->body)["session"];
      auto second = f.post({{"text", "1"}, {"session", sessions[i]}});
      statuses[i] = second ? second->status : -1;
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kVisitors; ++i) {
    CHECK(statuses[i] == 200);
    CHECK(sessions[i].size() == 32);
  }
}
