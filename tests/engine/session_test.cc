#include "gateway/engine/session.h"

#include <catch2/catch.hpp>

#include "tests/engine/engine_fixture.h"

using namespace std::chrono_literals;

TEST_CASE("a session survives JSON and the conversation goes on from it", "[engine][session]") {
  gw::testing::EngineFixture f;
  f.start("checkin");
  f.advance(3600s);
  f.tick();
  f.r.session.results["paid"] = "yes";
  f.r.session.scores["risk"] = -3;
  f.r.session.stack.insert(f.r.session.stack.begin(), gw::Frame{"main", "check", true});
  const std::string json = f.r.session.to_json();
  auto back = gw::Session::from_json(json);
  REQUIRE(back.ok());
  CHECK(*back == f.r.session);

  gw::testing::EngineFixture g;
  g.start("checkin");
  auto restored = gw::Session::from_json(g.r.session.to_json());
  REQUIRE(restored.ok());
  REQUIRE(restored->due_at.has_value());
  CHECK(*restored->due_at == g.now + 3600s);
  CHECK(restored->expires_at == g.r.session.expires_at);
  g.r.session = *restored;
  g.send("ok");
  CHECK(g.says() == std::vector<std::string>{"checkin.thanks"});
}

TEST_CASE("a corrupt or foreign session is rejected without quoting it", "[engine][session]") {
  const std::string good = gw::Session{}.to_json();
  REQUIRE(gw::Session::from_json(good).ok());
  CHECK(gw::Session::from_json(good)->ended);
  for (const char* bad : {"", "not json +447700900123", "[]", "{}", R"({"v": 2})",
                          R"({"v":1,"stack":[{"flow":"main"}],"waiting":"answer","retries":0,"results":{},
                              "scores":{},"expires_at":0,"due_at":null,"ended":false})",
                          R"({"v":1,"stack":[],"waiting":"answer","retries":0,"results":{},
                              "scores":{},"expires_at":0,"due_at":null,"ended":false})",
                          R"({"v":1,"stack":[],"waiting":"dancing","retries":0,"results":{},
                              "scores":{},"expires_at":0,"due_at":null,"ended":true})",
                          R"({"v":1,"stack":[],"waiting":"none","retries":0,"results":{"a":1},
                              "scores":{},"expires_at":0,"due_at":null,"ended":true})"}) {
    INFO(bad);
    auto r = gw::Session::from_json(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == gw::ErrorCode::kInvalidArgument);
    CHECK(r.error().message.find("+44") == std::string::npos);
  }
}
