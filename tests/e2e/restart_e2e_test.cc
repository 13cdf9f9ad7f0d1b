// The real `gateway serve` process killed (SIGKILL) while a reply is with the
// provider, then started again: the reply it had leased goes out within seconds of
// the restart, not when the dead process's lease would have expired. And killed in
// the middle of a burst of messages from several people: every message it
// acknowledged is answered after the restart.
#include <httplib.h>
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "gateway/channels/twilio/twilio_signature.h"
#include "gateway/cli/configured_store.h"
#include "gateway/core/form_encoding.h"
#include "tests/support/answered.h"
#include "tests/support/fake_twilio.h"
#include "tests/support/http_wait.h"
#include "tests/support/serve_twilio.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

using namespace std::chrono_literals;

namespace {

const std::string kAccount = "AC0123456789abcdef0123456789abcdef";
const std::string kToken = "restart-auth-token";

}  // namespace

TEST_CASE("after SIGKILL with a reply in flight, the reply goes out within 10 s of the restart",
          "[e2e][outbox]") {
  // Twilio's API holds the requests: a send is in flight when the gateway dies.
  gw::testing::FakeTwilio twilio(kAccount, kToken);
  twilio.hold();
  auto dir = gw::testing::make_temp_dir("gw-restart");
  const std::string public_url = gw::testing::kServePublicUrl;
  const std::string config =
      gw::testing::write_twilio_serve_config(dir, twilio.api_base(), kAccount, "RESTART_TWILIO_TOKEN");
  const std::vector<std::string> argv = {GATEWAY_BINARY, "serve", "--config", config};
  const std::vector<std::string> env = {"RESTART_TWILIO_TOKEN=" + kToken};
  {
    gw::testing::BackgroundProcess first(argv, env);
    const int port = gw::testing::listening_port(first);
    REQUIRE(port > 0);
    httplib::Client client("127.0.0.1", port);
    REQUIRE(gw::testing::get_when_up(client, "/readyz"));
    const gw::FormFields form = {
        {"AccountSid", kAccount},  {"MessageSid", "SM0123456789abcdef0123456789abcdef"},
        {"From", "+447700900123"}, {"To", "+447700900000"},
        {"Body", "Hello"},         {"NumMedia", "0"},
        {"NumSegments", "1"}};
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
  const int port = gw::testing::listening_port(second);
  REQUIRE(port > 0);
  httplib::Client client("127.0.0.1", port);
  REQUIRE(gw::testing::get_when_up(client, "/readyz"));
  CHECK(twilio.wait_for_requests(2, 10s));
  CHECK(std::chrono::steady_clock::now() - restarted < 10s);
  CHECK(second.err().find("outbox.leases_ended") != std::string::npos);
}

using gw::testing::metric_gauge;

TEST_CASE(
    "after SIGKILL in the middle of a burst from several people, every acknowledged message is answered",
    "[e2e][intake]") {
  // Six people text at once; the gateway dies (SIGKILL) after acknowledging
  // about thirty of their messages and is started again. Every message it
  // answered 2xx to is stored and followed by a reply the provider accepted;
  // at most 2 replies went out twice (a send in flight at the kill); replies
  // resume within 10 s of the restart.
  gw::testing::FakeTwilio twilio(kAccount, kToken);
  auto dir = gw::testing::make_temp_dir("gw-burst");
  const std::string public_url = gw::testing::kServePublicUrl;
  const std::string config =
      gw::testing::write_twilio_serve_config(dir, twilio.api_base(), kAccount, "BURST_TWILIO_TOKEN");
  const std::vector<std::string> argv = {GATEWAY_BINARY, "serve", "--config", config};
  const std::vector<std::string> env = {"BURST_TWILIO_TOKEN=" + kToken};
  constexpr int kPeople = 6;
  constexpr int kEach = 20;
  constexpr int kKillAfter = 30;
  auto person = [](int p) { return "+4477009002" + std::to_string(10 + p); };

  std::mutex mu;
  std::map<std::string, std::vector<std::string>> acknowledged;  // number → MessageSids answered 2xx
  std::atomic<int> ok{0};
  {
    gw::testing::BackgroundProcess first(argv, env);
    const int port = gw::testing::listening_port(first);
    REQUIRE(port > 0);
    httplib::Client probe("127.0.0.1", port);
    REQUIRE(gw::testing::get_when_up(probe, "/readyz"));
    std::vector<std::thread> people;
    for (int p = 0; p < kPeople; ++p) {
      people.emplace_back([&, p, port] {
        httplib::Client client("127.0.0.1", port);
        client.set_connection_timeout(2, 0);
        client.set_read_timeout(2, 0);
        const std::string from = person(p);
        for (int i = 0; i < kEach; ++i) {
          char sid[40];
          std::snprintf(sid, sizeof sid, "SM%030d%02d", p, i);
          const gw::FormFields form = {{"AccountSid", kAccount}, {"MessageSid", sid}, {"From", from},
                                       {"To", "+447700900000"},  {"Body", "hello"},   {"NumMedia", "0"},
                                       {"NumSegments", "1"}};
          auto res = gw::testing::post_signed_inbound(client, public_url, kToken, form);
          if (!res) return;  // the gateway died
          if (res->status / 100 != 2) continue;
          std::lock_guard<std::mutex> lock(mu);
          acknowledged[from].push_back(sid);
          ++ok;
        }
      });
    }
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (ok.load() < kKillAfter && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    first.signal(SIGKILL);
    first.wait(5000ms);
    for (auto& t : people) t.join();
  }
  const int acked = ok.load();
  REQUIRE(acked >= kKillAfter);

  const auto restarted = std::chrono::steady_clock::now();
  const size_t requests_before = twilio.count();
  {
    gw::testing::BackgroundProcess second(argv, env);
    const int port = gw::testing::listening_port(second);
    REQUIRE(port > 0);
    httplib::Client client("127.0.0.1", port);
    REQUIRE(gw::testing::get_when_up(client, "/readyz"));
    // Everything handled and sent: nothing left in the intake or the outbox.
    const auto deadline = restarted + 20s;
    while (std::chrono::steady_clock::now() < deadline &&
           !(metric_gauge(client, "gateway_intake_depth") == 0 && metric_gauge(client, "gateway_outbox_depth") == 0)) {
      std::this_thread::sleep_for(50ms);
    }
    CHECK(metric_gauge(client, "gateway_intake_depth") == 0);
    CHECK(metric_gauge(client, "gateway_outbox_depth") == 0);
    CHECK(metric_gauge(client, "gateway_intake_dead_letters") == 0);
    second.signal(SIGTERM);
    CHECK(second.wait(10000ms) == 0);
  }
  // Some replies were still to send at the kill: they came soon after the restart.
  REQUIRE(twilio.count() > requests_before);
  auto resumed = twilio.first_after(restarted);
  REQUIRE(resumed);
  CHECK(*resumed - restarted < 10s);

  // What the gateway stored, read with its own keys.
  REQUIRE(::setenv("BURST_TWILIO_TOKEN", kToken.c_str(), 1) == 0);
  auto cfg = gw::cli::load_config(config);
  REQUIRE(cfg.ok());
  auto crypto = gw::cli::load_crypto(*cfg);
  REQUIRE(crypto.ok());
  gw::SystemClock clock;
  auto store = gw::cli::open_store(*cfg, *crypto, clock);
  REQUIRE(store.ok());
  const gw::testing::AnswerCount answers = gw::testing::count_answers(**store, "uk-sms", acknowledged, clock);
  CHECK(answers.stray == 0);
  CHECK(answers.not_sent == 0);
  const int replies = answers.replies;
  const int unanswered = answers.unanswered;
  REQUIRE((*store)->close().ok());
  CHECK(unanswered == 0);
  const int duplicates = twilio.count() - replies;
  CHECK(duplicates >= 0);
  CHECK(duplicates <= 2);
}
