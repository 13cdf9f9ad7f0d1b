// The real `gateway serve` process killed (SIGKILL) while a reply is with the
// provider, then started again: the reply it had leased goes out within seconds of
// the restart, not when the dead process's lease would have expired.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <httplib.h>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "gateway/channels/twilio/twilio_signature.h"
#include "gateway/core/form_encoding.h"
#include "tests/support/http_wait.h"
#include "tests/support/loopback_server.h"
#include "tests/support/serve_twilio.h"
#include "tests/support/subprocess.h"

using namespace std::chrono_literals;

namespace {

const std::string kAccount = "AC0123456789abcdef0123456789abcdef";
const std::string kToken = "restart-auth-token";

// Twilio's API, which can be told to hold requests (a send in flight when the
// gateway dies).
struct HoldingTwilio {
  gw::testing::LoopbackServer server;
  std::mutex mu;
  std::condition_variable cv;
  bool hold = true;
  int requests = 0;

  HoldingTwilio() {
    server.server().Post(R"(/2010-04-01/Accounts/(AC\w+)/Messages\.json)",
                         [this](const httplib::Request&, httplib::Response& res) {
                           std::unique_lock<std::mutex> lock(mu);
                           const int n = ++requests;
                           cv.notify_all();
                           cv.wait_for(lock, 20s, [this] { return !hold; });
                           char sid[40];
                           std::snprintf(sid, sizeof sid, "SM%032x", n);
                           res.status = 201;
                           res.set_content(nlohmann::json{{"sid", sid}, {"status", "queued"}}.dump(),
                                           "application/json");
                         });
    server.start();
  }
  bool wait_for_requests(int n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, timeout, [&] { return requests >= n; });
  }
  void release() {
    std::lock_guard<std::mutex> lock(mu);
    hold = false;
    cv.notify_all();
  }
};

}  // namespace

TEST_CASE("after SIGKILL with a reply in flight, the reply goes out within 10 s of the restart", "[e2e][outbox]") {
  HoldingTwilio twilio;
  auto dir = gw::testing::make_temp_dir("gw-restart");
  const int port = gw::testing::free_port();
  const std::string public_url = "http://127.0.0.1:" + std::to_string(port);
  const std::string config =
      gw::testing::write_twilio_serve_config(dir, port, twilio.server.url(""), kAccount, "RESTART_TWILIO_TOKEN");
  const std::vector<std::string> argv = {GATEWAY_BINARY, "serve", "--config", config};
  const std::vector<std::string> env = {"RESTART_TWILIO_TOKEN=" + kToken};
  {
    gw::testing::BackgroundProcess first(argv, env);
    httplib::Client client("127.0.0.1", port);
    REQUIRE(gw::testing::get_when_up(client, "/readyz"));
    const gw::FormFields form = {{"AccountSid", kAccount}, {"MessageSid", "SM0123456789abcdef0123456789abcdef"},
                                 {"From", "+447700900123"}, {"To", "+447700900000"}, {"Body", "Hello"},
                                 {"NumMedia", "0"}, {"NumSegments", "1"}};
    auto res = gw::testing::post_signed_inbound(client, public_url, kToken, form);
    REQUIRE(res);
    REQUIRE(res->status == 200);
    // The reply is leased and with the provider: the process dies there.
    REQUIRE(twilio.wait_for_requests(1, 10s));
    first.signal(SIGKILL);
    first.wait(5000ms);
  }
  twilio.release();

  const auto restarted = std::chrono::steady_clock::now();
  gw::testing::BackgroundProcess second(argv, env);
  httplib::Client client("127.0.0.1", port);
  REQUIRE(gw::testing::get_when_up(client, "/readyz"));
  CHECK(twilio.wait_for_requests(2, 10s));
  CHECK(std::chrono::steady_clock::now() - restarted < 10s);
  CHECK(second.err().find("outbox.leases_ended") != std::string::npos);
}
