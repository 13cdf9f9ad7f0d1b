// What the conversations count for the anonymised statistics, in the
// transaction of the message that caused it: a conversation's start (by
// channel, language and country — moved to the language the person chooses
// later), consent answers, handovers, opt-outs and erasures asked. Erasing a
// person leaves every counter as it was; a message whose transaction is undone
// counts nothing.
#include <catch2/catch.hpp>
#include <map>

#include "tests/conversations/own_flow_fixture.h"

namespace {

// A language question, consent, then a menu: "1" erases, "2" hands over.
constexpr const char* kFlow = R"({
  "id": "main",
  "start": "language",
  "nodes": {
    "language": {"type": "ask", "prompt": "system.help", "choices": [
      {"label": "system.welcome", "value": "ar", "next": "set_ar"},
      {"label": "system.opted_in", "value": "fr", "next": "set_fr"}], "fallback": "consent"},
    "set_ar": {"type": "set", "stat": "language.chosen", "language": "ar", "next": "consent"},
    "set_fr": {"type": "set", "language": "fr", "next": "consent"},
    "consent": {"type": "ask", "prompt": "system.help", "choices": [
      {"label": "system.welcome", "value": "yes", "next": "given"},
      {"label": "system.opted_in", "value": "no", "next": "declined"}], "fallback": "declined"},
    "given": {"type": "set", "field": "consent", "value": "given", "next": "menu"},
    "declined": {"type": "set", "field": "consent", "value": "declined", "next": "menu"},
    "menu": {"type": "ask", "prompt": "system.help", "choices": [
      {"label": "system.welcome", "value": "erase", "next": "erase"},
      {"label": "system.opted_in", "value": "person", "next": "person"}], "fallback": "menu_end"},
    "erase": {"type": "erase", "say": ["system.opted_in"]},
    "person": {"type": "handover", "stat": "indicator:isolation", "queue": "general", "priority": "high", "note": "system.help"},
    "menu_end": {"type": "end"}
  }
})";

struct Fixture : gw::testing::OwnFlowFixture {
  Fixture() : OwnFlowFixture(kFlow) {}
  // "country metric/value" -> count, every week summed.
  std::map<std::string, int64_t> counters() {
    auto all = store->read_stats("0000-W01", "9999-W53");
    REQUIRE(all.ok());
    std::map<std::string, int64_t> out;
    for (const gw::StatCount& c : *all) out[c.country + " " + c.metric + "/" + c.value] += c.count;
    return out;
  }
};

}  // namespace

TEST_CASE(
    "a conversation's start is counted once, by channel, language and country, and moves to the "
    "language chosen later",
    "[conversations][stats]") {
  Fixture f;
  f.say("hello");
  auto c = f.counters();
  CHECK(c["GB conversations.channel/sms"] == 1);
  CHECK(c["GB conversations.country/GB"] == 1);
  CHECK(c["GB conversations.language/unknown"] == 1);
  CHECK(c.size() == 3);

  f.say("1");  // Arabic: the start now counts as Arabic, still once
  c = f.counters();
  CHECK(c["GB conversations.language/ar"] == 1);
  CHECK(c["GB conversations.language/unknown"] == 0);
  CHECK(c["GB conversations.channel/sms"] == 1);
  CHECK(c["GB conversations.country/GB"] == 1);

  f.say("1");  // consent given
  c = f.counters();
  CHECK(c["GB consent/given"] == 1);
  CHECK(c["GB consent/declined"] == 0);

  CHECK(c["GB topic/language.chosen"] == 1);  // the flow's stat tag, counted with the step

  f.say("2");  // a person, please
  c = f.counters();
  CHECK(c["GB indicator/isolation"] == 1);
  CHECK(c["GB handovers.queue/general"] == 1);
  CHECK(c["GB handovers.priority/high"] == 1);

  // Someone else, from a number of a country the statistics do not name.
  f.say("hello", "+2348012345678");
  f.say("2", "+2348012345678");  // French
  c = f.counters();
  CHECK(c["other conversations.country/other"] == 1);
  CHECK(c["other conversations.language/fr"] == 1);
  CHECK(c["GB conversations.channel/sms"] == 1);
  // No counter names anything but codes: no number, no text.
  for (const auto& [key, n] : c) {
    CHECK(key.find("234801") == std::string::npos);
    CHECK(key.find("hello") == std::string::npos);
  }
}

TEST_CASE("opt-outs and erasures asked are counted, and erasing a person changes no counter",
          "[conversations][stats]") {
  Fixture f;
  f.say("hello");
  f.say("STOP");
  f.say("STOP");  // already stopped: not a second opt-out
  auto c = f.counters();
  CHECK(c["GB requests/opt_out"] == 1);
  f.say("START");

  const std::string other = "+447700900456";
  f.say("hello", other);
  f.say("1", other);
  f.say("2", other);  // consent declined
  auto before_erasure = f.counters();
  CHECK(before_erasure["GB consent/declined"] == 1);
  auto r = f.say("1", other);  // erase me
  CHECK(r.action == "erased");
  c = f.counters();
  CHECK(c["GB requests/erasure"] == 1);
  CHECK(before_erasure.count("GB requests/erasure") == 0);
  c.erase("GB requests/erasure");
  CHECK(c == before_erasure);  // the erasure took nothing away

  // Whatever is erased afterwards, the counters stay.
  auto all_before = f.store->read_stats("0000-W01", "9999-W53");
  REQUIRE(all_before.ok());
  auto first = f.store->find_contact("uk-sms", "+447700900123");
  REQUIRE(first.ok());
  REQUIRE(first->has_value());
  REQUIRE(f.store->erase_contact((*first)->id).ok());
  REQUIRE(f.store->erase_idle_contacts(f.clock.now() + std::chrono::hours(1), f.clock.now()).ok());
  auto all_after = f.store->read_stats("0000-W01", "9999-W53");
  REQUIRE(all_after.ok());
  CHECK(*all_after == *all_before);
}

TEST_CASE("a message whose transaction is undone counts nothing", "[conversations][stats]") {
  Fixture f;
  gw::Status undone = f.store->in_transaction([&]() -> gw::Status {
    auto r = f.bot.receive(f.new_sms("hello"));
    REQUIRE(r.ok());
    CHECK(r->queued == 1);
    // Inside, the counters moved with the message ...
    auto inside = f.store->read_stats("0000-W01", "9999-W53");
    REQUIRE(inside.ok());
    CHECK(inside->size() == 3);
    return gw::Error::internal("undone on purpose");
  });
  CHECK_FALSE(undone.ok());
  // ... and went with it.
  CHECK(f.counters().empty());
  f.say("hello");
  CHECK(f.counters()["GB conversations.channel/sms"] == 1);
}
