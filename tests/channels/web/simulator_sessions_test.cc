// The simulator's conversation table: per-address limits, the new-conversation
// rate, and who makes room when it is full.
#include "gateway/channels/web/simulator_sessions.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/support/fake_clock.h"

using namespace std::chrono_literals;

namespace {

struct SessionsFixture {
  gw::testing::FakeClock clock;
  gw::SimulatorContentCache content{GATEWAY_SOURCE_DIR,
                                    [] { return gw::load_simulator_content(GATEWAY_SOURCE_DIR); }, clock};
  gw::SimulatorSessions sessions;

  explicit SessionsFixture(gw::SimulatorLimits limits) : sessions(limits, content) {}

  gw::SimulatorAnswer say(const std::string& client, const std::string& id,
                          const std::string& text = "hello") {
    return sessions.send(client, id, gw::SimulatorOptions{}, text, clock.now());
  }
  // A new conversation of `client`; its id, or "" when refused.
  std::string start(const std::string& client) {
    auto a = say(client, "");
    return a.status == 200 ? a.body["session"].get<std::string>() : std::string();
  }
};

}  // namespace

TEST_CASE("one client address cannot evict other visitors' conversations from a full simulator",
          "[simulator]") {
  gw::SimulatorLimits limits;
  limits.max_sessions = 10;
  limits.max_per_address = 4;
  limits.new_per_minute = 1000;
  SessionsFixture f(limits);
  std::vector<std::string> visitors;
  for (int i = 0; i < 6; ++i) {
    visitors.push_back(f.start("198.51.100." + std::to_string(i)));
    REQUIRE_FALSE(visitors.back().empty());
    f.clock.advance(1s);
  }
  // One address fills its own share, then is refused rather than taking anyone's place.
  for (int i = 0; i < 4; ++i) REQUIRE_FALSE(f.start("203.0.113.7").empty());
  CHECK(f.sessions.size() == 10);
  for (int i = 0; i < 5; ++i) {
    auto refused = f.say("203.0.113.7", "");
    CHECK(refused.status == 429);
    CHECK(refused.body["error"] == "too_many_sessions");
    CHECK(refused.retry_after > 0s);
  }
  CHECK(f.sessions.count_of("203.0.113.7") == 4);
  // A second address of the same client, with the table full: the place it takes is
  // the flooding address's, not a visitor's, though the visitors' are older.
  REQUIRE_FALSE(f.start("203.0.113.8").empty());
  CHECK(f.sessions.count_of("203.0.113.7") == 3);
  for (const std::string& id : visitors) {
    auto again = f.say("198.51.100.1", id, "1");
    REQUIRE(again.status == 200);
    CHECK(again.body["session"] == id);  // still the same conversation
  }
}

TEST_CASE("a client address over its limit may start again once one of its conversations ends or expires",
          "[simulator]") {
  gw::SimulatorLimits limits;
  limits.max_per_address = 2;
  limits.new_per_minute = 1000;
  SessionsFixture f(limits);
  const std::string a = f.start("192.0.2.1");
  REQUIRE_FALSE(f.start("192.0.2.1").empty());
  auto refused = f.say("192.0.2.1", "");
  REQUIRE(refused.status == 429);
  CHECK(refused.retry_after == std::chrono::seconds(limits.idle));  // until the older one goes idle
  CHECK(f.sessions.end(a));
  CHECK_FALSE(f.sessions.end(a));
  CHECK_FALSE(f.start("192.0.2.1").empty());
  CHECK(f.say("192.0.2.1", "").status == 429);
  f.clock.advance(limits.idle + 1s);
  CHECK_FALSE(f.start("192.0.2.1").empty());
}

TEST_CASE("a client address starting conversations too fast is refused with a wait until its bucket refills",
          "[simulator]") {
  gw::SimulatorLimits limits;
  limits.max_per_address = 100;
  limits.new_per_minute = 3;
  SessionsFixture f(limits);
  for (int i = 0; i < 3; ++i) REQUIRE_FALSE(f.start("192.0.2.9").empty());
  auto refused = f.say("192.0.2.9", "");
  REQUIRE(refused.status == 429);
  CHECK(refused.body["error"] == "rate_limited");
  CHECK(refused.retry_after == 20s);  // one of 3 a minute
  // Messages in a conversation already started are not limited; other addresses are not either.
  CHECK_FALSE(f.start("192.0.2.10").empty());
  f.clock.advance(19s);
  CHECK(f.say("192.0.2.9", "").status == 429);
  f.clock.advance(1s);
  CHECK_FALSE(f.start("192.0.2.9").empty());
  CHECK(f.say("192.0.2.9", "").status == 429);
}

TEST_CASE("simulator clients are counted by IPv4 address and by IPv6 /64 network", "[simulator]") {
  CHECK(gw::client_key("192.0.2.1") == "192.0.2.1");
  CHECK(gw::client_key("::ffff:192.0.2.1") == "192.0.2.1");
  CHECK(gw::client_key("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64");
  CHECK(gw::client_key("2001:db8:1:2:bbbb:cccc:dddd:eeee") == "2001:db8:1:2::/64");
  CHECK(gw::client_key("2001:db8:1:3::1") != gw::client_key("2001:db8:1:2::1"));
}
