#include "gateway/engine/engine.h"

#include <catch2/catch.hpp>

#include "gateway/engine/flow_parser.h"
#include "tests/engine/engine_fixture.h"

using gw::Waiting;
using gw::testing::EngineFixture;
using Keys = std::vector<std::string>;
namespace fx = gw::effect;
using namespace std::chrono_literals;

TEST_CASE("a new person's first message opens the entry flow and shows the numbered menu", "[engine]") {
  EngineFixture f;
  f.send("hello");
  CHECK(f.says() == Keys{"main.welcome", "main.menu"});
  auto say = f.all<fx::Say>();
  CHECK(say[0].vars == nlohmann::json{{"channel", "sms"}});
  CHECK(say[0].choices.empty());
  CHECK(say[1].choices == Keys{"main.menu.rights", "main.menu.check", "main.menu.person"});
  CHECK(f.at() == "main/menu");
  CHECK(f.r.session.waiting == Waiting::kAnswer);
  CHECK(f.r.session.expires_at == f.now + 24h);
  CHECK_FALSE(f.r.session.due_at.has_value());
}

TEST_CASE("a numbered choice is read in any digit script and with noise around it", "[engine]") {
  for (const char* one : {"1", "١", "۱", "１", " 1. ", "(1)", "1!!", "one"}) {
    INFO(one);
    EngineFixture f;
    f.send("hi");
    f.send(one);
    CHECK(f.says() == Keys{"rights.info", "rights.more", "main.bye"});
    CHECK(f.all<fx::RecordResult>() == std::vector<fx::RecordResult>{{"topic", "rights"}});
    CHECK(f.end_reason() == "end");
    CHECK(f.r.session.ended);
    CHECK(f.r.session.results.empty());  // nothing kept after the end
  }
}

TEST_CASE("Arabic keywords and number words answer questions through the lexicon", "[engine]") {
  EngineFixture f;
  f.contact.language = "ar";
  f.send("مرحبا");
  f.send("حُقوقي");  // a keyword with a haraka
  CHECK(f.says().front() == "rights.info");

  f.send("مرحبا");
  f.send("اثنين");  // number word for choice 2: the screening
  CHECK(f.says() == Keys{"screening.paid"});
  CHECK(f.at() == "screening/q_paid");
  f.send("نعم");
  CHECK(f.all<fx::RecordResult>() == std::vector<fx::RecordResult>{{"paid", "yes"}});
  CHECK(f.says() == Keys{"screening.documents"});
  f.send("no");  // English keywords work in every language
  CHECK(f.says() == Keys{"screening.where"});
}

TEST_CASE("an invalid answer gets the retry and the question again, then the fallback", "[engine]") {
  EngineFixture f;
  f.send("hi");
  f.send("banana");
  CHECK(f.says() == Keys{"main.retry", "main.menu"});
  CHECK(f.all<fx::Say>()[1].choices.size() == 3);
  CHECK(f.r.session.retries == 1);
  f.send("7");  // a number with no choice is invalid too
  CHECK(f.says() == Keys{"main.retry", "main.menu"});
  CHECK(f.at() == "main/menu");
  f.send("??");
  auto h = f.all<fx::Handover>();
  REQUIRE(h.size() == 1);
  CHECK(h[0].queue == "general");
  CHECK(h[0].priority == "normal");
  CHECK(f.end_reason() == "handover");
  CHECK(f.r.session.ended);
}

TEST_CASE("max_retries 0 goes to the fallback at the first invalid answer", "[engine]") {
  EngineFixture f;
  f.send("hi");
  f.send("2");
  f.send("yes");
  CHECK(f.at() == "screening/q_docs");
  f.send("perhaps");
  CHECK(f.says() == Keys{"screening.where"});
  CHECK(f.at() == "screening/where");
}

TEST_CASE("a sub-flow scores, captures and returns to its caller, whose branch hands over urgently",
          "[engine]") {
  EngineFixture f;
  f.send("hi");
  f.send("2");
  CHECK(f.r.session.stack.size() == 2);
  f.send("Yes");
  f.send("y");
  CHECK(f.r.session.scores.at("risk") == 4);
  CHECK(f.r.session.waiting == Waiting::kText);
  f.send("  Manchester \n");
  CHECK(f.says() == Keys{"screening.uk", "screening.thanks"});
  CHECK(f.all<fx::Say>()[0].vars == nlohmann::json{{"city", "Manchester"}});
  auto h = f.all<fx::Handover>();
  REQUIRE(h.size() == 1);
  CHECK(h[0].queue == "trafficking");
  CHECK(h[0].priority == "urgent");
  CHECK(h[0].note == "note.high_risk");
  CHECK(h[0].vars == nlohmann::json{{"risk", 4}});
  CHECK(f.end_reason() == "handover");
}

TEST_CASE("branches test country, channel, results and scores, in order", "[engine]") {
  SECTION("an SMS from outside the listed countries gets the SMS note, then the main flow ends") {
    EngineFixture f;
    f.contact.country = "FR";
    for (const char* m : {"hi", "2", "no", "no", "Lyon"}) f.send(m);
    CHECK(f.says() == Keys{"screening.sms", "screening.thanks", "main.bye"});
    CHECK(f.end_reason() == "end");
  }
  SECTION("the same on WhatsApp falls to the default; a paid recruitment goes to a person") {
    EngineFixture f;
    f.contact.country = "fr";
    f.contact.channel = "whatsapp";
    for (const char* m : {"hi", "2", "yes", "no", "Lyon"}) f.send(m);
    CHECK(f.says() == Keys{"screening.thanks"});  // risk 2 < 3, paid == yes
    CHECK(f.all<fx::Handover>().at(0).queue == "general");
  }
  SECTION("a lower-case country code still matches the list") {
    EngineFixture f;
    f.contact.country = "ie";
    for (const char* m : {"hi", "2", "no", "no", "Cork"}) f.send(m);
    CHECK(f.says().front() == "screening.uk");
    CHECK(f.r.session.ended);
  }
}

TEST_CASE("a wait moves on at a reply, or at its timeout by tick or by the next message", "[engine]") {
  SECTION("a reply in time") {
    EngineFixture f;
    f.start("checkin");
    CHECK(f.says() == Keys{"checkin.hello"});
    CHECK(f.r.session.waiting == Waiting::kReply);
    REQUIRE(f.r.session.due_at.has_value());
    CHECK(*f.r.session.due_at == f.now + 3600s);
    f.advance(3599s);
    CHECK(f.tick().empty());
    CHECK(f.at() == "checkin/wait");
    f.send("ok");
    CHECK(f.all<fx::SetField>() == std::vector<fx::SetField>{{"checked_in", "yes"}});
    CHECK(f.says() == Keys{"checkin.thanks"});
    CHECK(f.r.session.ended);
  }
  SECTION("the shell's tick at due_at") {
    EngineFixture f;
    f.start("checkin");
    f.advance(3600s);
    f.tick();
    CHECK(f.says() == Keys{"checkin.timeout", "checkin.how"});
    CHECK(f.at() == "checkin/ask_again");
    CHECK_FALSE(f.r.session.due_at.has_value());
    CHECK(f.tick().empty());  // nothing more is due
  }
  SECTION("a message after the deadline runs the timeout first and is not taken as the answer") {
    EngineFixture f;
    f.start("checkin");
    f.advance(2h);
    f.send("fine");
    CHECK(f.says() == Keys{"checkin.timeout", "checkin.how"});
    CHECK(f.all<fx::SetField>().empty());
    CHECK(f.r.session.results.count("how") == 0);
    f.send("fine");
    CHECK(f.says() == Keys{"checkin.thanks"});
  }
}

TEST_CASE("an input after the session expired starts the entry flow again", "[engine]") {
  EngineFixture f;
  f.send("hi");
  f.advance(24h);
  f.send("1");  // exactly at expires_at: too late
  CHECK(f.says() == Keys{"main.welcome", "main.menu"});
  CHECK(f.all<fx::RecordResult>().empty());

  EngineFixture g;
  g.options.session_ttl = 10min;
  g.send("hi");
  g.advance(9min);
  g.send("1");
  CHECK(g.says().front() == "rights.info");

  EngineFixture h;
  h.options.session_ttl = 10min;
  h.send("hi");
  h.advance(5min);
  h.send("banana");  // each input moves the expiry
  CHECK(h.r.session.expires_at == h.now + 10min);
  h.advance(11min);
  CHECK(h.tick() == std::vector<gw::Effect>{fx::End{"expired"}});
  CHECK(h.r.session.ended);
}

TEST_CASE("a session that no longer fits the flows starts over", "[engine]") {
  EngineFixture f;
  f.send("hi");
  f.flows.flows.at("main").nodes.erase("menu");
  f.flows.flows.at("main").nodes["welcome"].next = "bye";
  f.send("1");
  CHECK(f.says() == Keys{"main.welcome", "main.bye"});
  CHECK(f.all<fx::Error>().empty());
}

TEST_CASE("a flow that loops without waiting stops at the step budget with an error", "[engine]") {
  auto flow = gw::parse_flow(R"({"id": "loop", "start": "a", "nodes": {
      "a": {"type": "say", "say": ["x.a"], "next": "b"},
      "b": {"type": "branch", "cases": [{"if": "channel", "equals": "sms", "next": "a"}], "default": "c"},
      "c": {"type": "end"}}})",
                             "loop.json");
  REQUIRE(flow.ok());
  EngineFixture f;
  f.flows.flows["loop"] = *flow;
  f.start("loop");
  auto errors = f.all<fx::Error>();
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0].message, Catch::Contains("flow loop: more than 200 steps"));
  CHECK(f.says().size() == 100);  // every other visit is a say
  CHECK(f.end_reason() == "error");
  CHECK(f.r.session.ended);

  f.options.max_steps = 10;
  f.start("loop");
  CHECK(f.says().size() == 5);
  f.contact.channel = "telegram";  // the branch leaves the loop
  f.start("loop");
  CHECK(f.says() == Keys{"x.a"});
  CHECK(f.end_reason() == "end");
}

TEST_CASE("a flow entering itself stops at the nesting limit", "[engine]") {
  auto flow = gw::parse_flow(R"({"id": "deep", "start": "a", "nodes": {
      "a": {"type": "subflow", "flow": "deep", "next": "b"}, "b": {"type": "end"}}})",
                             "deep.json");
  REQUIRE(flow.ok());
  EngineFixture f;
  f.flows.flows["deep"] = *flow;
  f.start("deep");
  REQUIRE(f.all<fx::Error>().size() == 1);
  CHECK_THAT(f.all<fx::Error>()[0].message, Catch::Contains("nested too deeply"));
  f.start("nothing");
  CHECK_THAT(f.all<fx::Error>().at(0).message, Catch::Contains("no flow \"nothing\""));
  CHECK(f.r.session.ended);
}

TEST_CASE("a session whose node a newer version removed restarts its flow at the start", "[engine]") {
  EngineFixture f;
  f.send("hi");
  f.send("2");  // the screening sub-flow, waiting at its first question
  REQUIRE(f.at() == "screening/q_paid");
  // A new version of the flows no longer has that question.
  gw::Flow& screening = f.flows.flows.at("screening");
  const gw::Node paid = screening.nodes.at("q_paid");
  screening.nodes.erase("q_paid");
  screening.nodes["q_pay"] = paid;
  screening.nodes["q_pay"].id = "q_pay";
  screening.start = "q_pay";
  f.send("yes");
  CHECK(f.r.restarted_from == "screening/q_paid");
  // The flow it was in starts again, inside the menu that entered it; the
  // message is not taken as an answer to a question the person never saw.
  CHECK(f.at() == "screening/q_pay");
  CHECK(f.says() == Keys{"screening.paid"});
  CHECK(f.all<fx::RecordResult>().empty());
  CHECK(f.r.session.stack.size() == 2);
  // Then it goes on as usual.
  f.send("yes");
  CHECK(f.r.restarted_from.empty());
  CHECK(f.all<fx::RecordResult>() == std::vector<fx::RecordResult>{{"paid", "yes"}});
}

TEST_CASE("a session whose whole flow is gone starts the entry flow afresh", "[engine]") {
  EngineFixture f;
  f.send("hi");
  f.send("2");
  REQUIRE(f.at() == "screening/q_paid");
  f.flows.flows.erase("screening");
  f.flows.flows.at("main").nodes.at("check").flow = "main";  // nothing refers to it any more
  f.send("yes");
  CHECK(f.r.restarted_from == "screening/q_paid");
  CHECK(f.says() == Keys{"main.welcome", "main.menu"});
  CHECK(f.at() == "main/menu");
}
