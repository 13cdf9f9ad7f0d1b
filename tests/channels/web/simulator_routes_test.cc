// The browser simulator's API on a real server on loopback.
#include "gateway/channels/web/simulator_routes.h"

#include <httplib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "gateway/http/server.h"
#include "gateway/http/staff_auth.h"
#include "tests/http/running_server.h"
#include "tests/store/store_fixture.h"
#include "tests/support/fake_clock.h"
#include "tests/support/temp_dir.h"

using namespace std::chrono_literals;
using nlohmann::json;

namespace {

gw::SimulatorRoutesOptions shipped_content() {
  gw::SimulatorRoutesOptions o;
  o.content_dir = GATEWAY_SOURCE_DIR;
  return o;
}

struct SimulatorFixture {
  gw::testing::FakeClock clock;
  gw::metrics::Registry registry;
  gw::http::HttpServer server{registry};
  std::unique_ptr<gw::http::testing::RunningServer> running;

  explicit SimulatorFixture(gw::SimulatorRoutesOptions o = shipped_content()) {
    gw::add_simulator_routes(server, clock, o);
    running = std::make_unique<gw::http::testing::RunningServer>(server);
  }

  httplib::Result post(const json& body, const std::string& content_type = "application/json",
                       const std::string& path = "/simulator/api/messages") {
    httplib::Client client("127.0.0.1", running->port());
    client.set_read_timeout(30, 0);
    return client.Post(path.c_str(), body.dump(), content_type.c_str());
  }
  httplib::Result get(const std::string& path) {
    httplib::Client client("127.0.0.1", running->port());
    client.set_read_timeout(30, 0);
    return client.Get(path.c_str());
  }
};

}  // namespace

TEST_CASE("the simulator refuses a from that is not E.164 at once, before any phone-number parsing",
          "[simulator]") {
  SimulatorFixture f;
  for (const std::string& from : {std::string(16'000, '9'), "+" + std::string(16, '4'),
                                  std::string("+44 abc"), std::string("+0447700900123")}) {
    const auto t0 = std::chrono::steady_clock::now();
    auto res = f.post({{"text", "hello"}, {"from", from}});
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(json::parse(res->body).value("error", "") == "bad_request");
    CHECK(res->body.find("4444") == std::string::npos);
    CHECK(std::chrono::steady_clock::now() - t0 < 1s);
  }
  // What a visitor types (spaces, brackets) and no number at all are fine.
  for (const std::string& from :
       {std::string("+44 (7700) 900-123"), std::string("+" + std::string(15, '4')), std::string()}) {
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

TEST_CASE(
    "simulator conversations and options requests load the content once, and again only after it changes",
    "[simulator]") {
  // A copy of the shipped content, so that a file can be changed.
  gw::testing::TempDir dir;
  for (const char* folder : {"flows", "templates", "translations"}) {
    std::filesystem::copy(std::filesystem::path(GATEWAY_SOURCE_DIR) / folder, dir.path() / folder,
                          std::filesystem::copy_options::recursive);
  }
  auto loads = std::make_shared<std::atomic<int>>(0);
  gw::SimulatorRoutesOptions o;
  o.content_dir = dir.path().string();
  o.loader = [loads, d = o.content_dir] {
    ++*loads;
    return gw::load_simulator_content(d);
  };
  SimulatorFixture f(o);
  for (int i = 0; i < 5; ++i) {
    auto res = f.post({{"text", "hello"}});
    REQUIRE(res);
    CHECK(res->status == 200);
    auto options = f.get("/simulator/api/options");
    REQUIRE(options);
    CHECK(json::parse(options->body)["languages"].size() > 5);
    f.clock.advance(2s);  // past the check interval: the files are looked at, not read
  }
  CHECK(*loads == 1);
  // A translation is edited: the next check after the interval reads the content again.
  {
    std::ofstream po(dir.path() / "translations" / "fr.po", std::ios::app);
    po << "\n";
  }
  std::filesystem::last_write_time(dir.path() / "translations" / "fr.po",
                                   std::filesystem::file_time_type::clock::now() + 5s);
  f.clock.advance(6s);
  REQUIRE(f.post({{"text", "hello"}})->status == 200);
  CHECK(*loads == 2);
  REQUIRE(f.post({{"text", "hello"}})->status == 200);
  CHECK(*loads == 2);
}

TEST_CASE("a simulator POST that is not application/json is refused with 415 and starts nothing",
          "[simulator]") {
  SimulatorFixture f;
  // What a form on another site can send without asking: text/plain, form-encoded.
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}) {
    auto res = f.post({{"text", "hello"}}, type);
    REQUIRE(res);
    CHECK(res->status == 415);
    CHECK(json::parse(res->body).value("error", "") == "unsupported_media_type");
    auto end = f.post({{"session", "x"}}, type, "/simulator/api/end");
    REQUIRE(end);
    CHECK(end->status == 415);
  }
  auto res = f.post({{"text", "hello"}}, "Application/JSON; charset=utf-8");
  REQUIRE(res);
  CHECK(res->status == 200);
  // The page ends its conversation when it is left or started over.
  auto end =
      f.post({{"session", json::parse(res->body)["session"]}}, "application/json", "/simulator/api/end");
  REQUIRE(end);
  CHECK(json::parse(end->body)["ended"] == true);
}

TEST_CASE("a simulator client starting conversations too fast gets 429 JSON with Retry-After",
          "[simulator]") {
  gw::SimulatorRoutesOptions o = shipped_content();
  o.limits.new_per_minute = 2;
  SimulatorFixture f(o);
  REQUIRE(f.post({{"text", "hello"}})->status == 200);
  auto second = f.post({{"text", "hello"}});
  REQUIRE(second->status == 200);
  auto refused = f.post({{"text", "hello"}});
  REQUIRE(refused);
  CHECK(refused->status == 429);
  CHECK(refused->get_header_value("Retry-After") == "30");
  CHECK(json::parse(refused->body).value("error", "") == "rate_limited");
  // A conversation already started goes on.
  auto turn = f.post({{"text", "1"}, {"session", json::parse(second->body)["session"]}});
  REQUIRE(turn);
  CHECK(turn->status == 200);
}

TEST_CASE("a simulator turned off serves neither its page nor its API", "[simulator]") {
  gw::SimulatorRoutesOptions o = shipped_content();
  o.access = gw::SimulatorAccess::kOff;
  SimulatorFixture f(o);
  CHECK(f.get("/")->status == 404);
  CHECK(f.get("/simulator/index.html")->status == 404);
  CHECK(f.get("/simulator/api/options")->status == 404);
  CHECK(f.post({{"text", "hello"}})->status == 404);
}

TEST_CASE("a simulator behind the staff login serves its page and API only to signed-in staff",
          "[simulator]") {
  gw::testing::StoreFixture db;
  gw::StaffSessions staff_sessions{db.clock};
  gw::LoginThrottle throttle{db.clock};
  gw::http::StaffAuth auth(*db.store, db.clock, staff_sessions, throttle, false,
                           gw::PasswordHashOptions::for_tests());
  gw::PasswordHasher hasher{gw::PasswordHashOptions::for_tests()};
  gw::Account a;
  a.username = "amina";
  a.role = "operator";
  a.password_hash = *hasher.hash("amina's long password");
  REQUIRE(db.store->create_account(a).ok());

  gw::metrics::Registry registry;
  gw::http::HttpServer server{registry};
  auth.add_routes(server);
  gw::SimulatorRoutesOptions o = shipped_content();
  o.access = gw::SimulatorAccess::kStaff;
  gw::add_simulator_routes(server, db.clock, o, &auth);
  gw::http::testing::RunningServer running(server);
  httplib::Client c("127.0.0.1", running.port());
  c.set_read_timeout(30, 0);
  const std::string hello = json{{"text", "hello"}}.dump();

  // No staff session: the page sends to the console's login, the API refuses.
  auto page = c.Get("/simulator/index.html");
  REQUIRE(page);
  CHECK(page->status == 302);
  CHECK(page->get_header_value("Location") == "/console/");
  CHECK(c.Get("/")->status == 302);
  CHECK(c.Get("/")->get_header_value("Location") == "/console/");
  CHECK(c.Get("/simulator/api/options")->status == 401);
  CHECK(c.Post("/simulator/api/messages", hello, "application/json")->status == 401);

  auto login =
      c.Post("/api/auth/login", json{{"username", "amina"}, {"password", "amina's long password"}}.dump(),
             "application/json");
  REQUIRE(login);
  REQUIRE(login->status == 200);
  const std::string set_cookie = login->get_header_value("Set-Cookie");
  const httplib::Headers cookie = {{"Cookie", set_cookie.substr(0, set_cookie.find(';'))}};
  const std::string csrf = json::parse(login->body)["csrf_token"];

  auto signed_in_page = c.Get("/simulator/index.html", cookie);
  REQUIRE(signed_in_page);
  CHECK(signed_in_page->status == 200);
  auto options = c.Get("/simulator/api/options", cookie);
  REQUIRE(options);
  CHECK(options->status == 200);
  CHECK(json::parse(options->body)["access"] == "staff");
  // A POST needs the session's CSRF token too.
  CHECK(c.Post("/simulator/api/messages", cookie, hello, "application/json")->status == 403);
  httplib::Headers with_csrf = cookie;
  with_csrf.emplace("X-CSRF-Token", csrf);
  auto turn = c.Post("/simulator/api/messages", with_csrf, hello, "application/json");
  REQUIRE(turn);
  CHECK(turn->status == 200);
}
