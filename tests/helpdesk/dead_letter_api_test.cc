// The supervisors' dead-letter API on a real loopback server: who may list and
// retry, what a listing shows (and what it never shows), the audit entry, and
// the gauge in /metrics.
#include "gateway/helpdesk/dead_letter_api.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>

#include "gateway/core/core_metrics.h"
#include "gateway/messages/inbound_message.h"
#include "gateway/security/login_throttle.h"
#include "gateway/security/password_hasher.h"
#include "gateway/security/staff_sessions.h"
#include "tests/http/prom_text.h"
#include "tests/http/running_server.h"
#include "tests/store/store_fixture.h"
#include "tests/support/audit_check.h"
#include "tests/support/staff_login.h"
#include "tests/support/test_http_options.h"

using gw::http::testing::RunningServer;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string kPhone = "+447700900123";
const std::string kBody = "They took my passport";

struct DeadLetterFixture : gw::testing::StoreFixture {
  std::unique_ptr<gw::Intake> intake = *gw::open_sqlite_intake(":memory:", crypto, clock);
  gw::StaffSessions sessions{clock};
  gw::LoginThrottle throttle{clock};
  gw::PasswordHasher hasher{gw::PasswordHashOptions::for_tests()};
  gw::http::StaffAuth auth{*store, clock, sessions, throttle, false, gw::PasswordHashOptions::for_tests()};
  int retried = 0;
  gw::DeadLetterApi api{gw::DeadLetterContext{auth, *intake, *store, clock, [this] { ++retried; }}};
  gw::metrics::Registry registry;
  gw::http::HttpServer server{registry, gw::http::testing::test_options()};

  DeadLetterFixture() {
    auth.add_routes(server);
    api.add_routes(server);
  }

  void staff(const std::string& name, const std::string& role) {
    gw::Account a;
    a.username = name;
    a.role = role;
    a.queues = {"general"};
    auto h = hasher.hash(name + " long password");
    REQUIRE(h.ok());
    a.password_hash = *h;
    REQUIRE(store->create_account(a).ok());
  }

  // A message of kPhone that failed its last attempt, and a later one of theirs still queued.
  int64_t dead_letter() {
    gw::InboundMessage m;
    m.channel_id = "uk-sms";
    m.provider_id = "SM1";
    m.from = kPhone;
    m.body = kBody;
    REQUIRE(intake->queue("uk-sms", "SM1", kPhone, gw::serialize_inbound(m), clock.now()).ok());
    m.provider_id = "SM2";
    REQUIRE(intake->queue("uk-sms", "SM2", kPhone, gw::serialize_inbound(m), clock.now()).ok());
    auto due = intake->due(clock.now(), 10);
    REQUIRE(due.ok());
    REQUIRE(due->size() == 2);
    clock.advance(3s);
    REQUIRE(intake
                ->finish({},
                         {{(*due)[0].id, clock.now() + 1s, "invalid_argument: " + kBody, "invalid_argument",
                           true}},
                         clock.now())
                .ok());
    return (*due)[0].id;
  }
};

using gw::testing::login;
using gw::testing::Session;

httplib::Result retry(httplib::Client& c, int64_t id, const Session& s, bool with_csrf = true) {
  httplib::Headers h = {{"Cookie", s.cookie}};
  if (with_csrf) h.emplace("X-CSRF-Token", s.csrf);
  return c.Post(("/api/helpdesk/dead-letters/" + std::to_string(id) + "/retry").c_str(), h, "{}",
                "application/json");
}

httplib::Result list(httplib::Client& c, const Session& s) {
  return c.Get("/api/helpdesk/dead-letters", httplib::Headers{{"Cookie", s.cookie}});
}

using gw::testing::audited;

}  // namespace

TEST_CASE(
    "a supervisor lists the dead letters with ids, channel, times, attempts and error kind, never the "
    "message or the number",
    "[helpdesk][console][intake]") {
  DeadLetterFixture f;
  const int64_t id = f.dead_letter();
  f.staff("sam", "supervisor");
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session s = login(c, "sam");

  auto r = list(c, s);
  REQUIRE(r);
  REQUIRE(r->status == 200);
  CHECK(r->body.find("passport") == std::string::npos);
  CHECK(r->body.find("7700900123") == std::string::npos);
  auto body = json::parse(r->body);
  CHECK(body["total"] == 1);
  REQUIRE(body["dead_letters"].size() == 1);
  const json& d = body["dead_letters"][0];
  std::set<std::string> keys;
  for (const auto& [k, v] : d.items()) keys.insert(k);
  CHECK(keys ==
        std::set<std::string>{"id", "channel", "received_at", "dead_at", "attempts", "error_kind", "held"});
  CHECK(d["id"] == id);
  CHECK(d["channel"] == "uk-sms");
  CHECK(d["attempts"] == 1);
  CHECK(d["error_kind"] == "invalid_argument");
  CHECK(d["held"] == 1);
  CHECK(d["received_at"] != d["dead_at"]);

  // The gauge reads the same count.
  gw::metrics::CoreMetrics core(f.registry, "test", f.clock.now());
  core.set_intake_dead_letters_source([&f] { return f.intake->dead_letter_count(); });
  CHECK(gw::http::testing::parse_prom_text(f.registry.render()).value("gateway_intake_dead_letters") == 1);
}

TEST_CASE(
    "a supervisor's retry puts the dead letter back in the queue and is audited while an operator may do "
    "neither",
    "[helpdesk][console][intake]") {
  DeadLetterFixture f;
  const int64_t id = f.dead_letter();
  f.staff("olga", "operator");
  f.staff("sam", "supervisor");
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());

  Session olga = login(c, "olga");
  auto listed = list(c, olga);
  REQUIRE(listed);
  CHECK(listed->status == 403);
  auto refused = retry(c, id, olga);
  REQUIRE(refused);
  CHECK(refused->status == 403);
  CHECK(json::parse(refused->body)["error"] == "forbidden");
  CHECK(*f.intake->dead_letter_count() == 1);

  Session sam = login(c, "sam");
  auto no_csrf = retry(c, id, sam, /*with_csrf=*/false);
  REQUIRE(no_csrf);
  CHECK(no_csrf->status == 403);
  CHECK(*f.intake->dead_letter_count() == 1);
  CHECK(f.retried == 0);

  auto ok = retry(c, id, sam);
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(f.retried == 1);
  CHECK(*f.intake->dead_letter_count() == 0);
  auto due = f.intake->due(f.clock.now(), 10);
  REQUIRE(due.ok());
  REQUIRE(due->size() == 2);
  CHECK((*due)[0].id == id);
  CHECK(audited(*f.store, "intake.retry", "intake:" + std::to_string(id)));

  auto again = retry(c, id, sam);
  REQUIRE(again);
  CHECK(again->status == 404);
  CHECK(json::parse(again->body)["error"] == "not_found");
  CHECK(f.retried == 1);
}
