// Never silence: a person handed to the helpdesk is told their place in the
// queue, or out of hours where to get urgent help, and is reassured once if the
// wait is long; while they wait their messages reach the operators (the event
// bus), not the flow, and STOP and the erase keyword still work.
#include <catch2/catch.hpp>

#include "gateway/helpdesk/waiting_notice.h"
#include "tests/helpdesk/helpdesk_fixture.h"

using namespace std::chrono_literals;
using gw::testing::HelpdeskFixture;

namespace {

void office_hours_in_london(gw::HelpdeskConfig& config) {
  for (auto& q : config.queues) {
    q.time_zone = "Europe/London";
    q.always_open = false;
    for (int d = 0; d < 5; ++d) q.hours[static_cast<size_t>(d)] = {*gw::parse_opening_span("09:00-17:00")};
  }
}

}  // namespace

TEST_CASE("a new handover tells the person their place in the queue", "[helpdesk][never_silence]") {
  HelpdeskFixture f;
  auto first = f.handed_over("+447700900001");
  auto out = f.outbound(first.conversation_id);
  REQUIRE_FALSE(out.empty());
  CHECK(out.back().body == f.text("helpdesk.queued", {{"position", 1}}));
  CHECK(f.seen.back().type == "handover.created");
  CHECK(f.seen.back().handover_id == first.id);
  CHECK(f.seen.back().queue == "general");

  auto second = f.handed_over("+447700900002");
  out = f.outbound(second.conversation_id);
  CHECK(out.back().body == f.text("helpdesk.queued", {{"position", 2}}));
  CHECK(out.back().body != f.text("helpdesk.queued", {{"position", 1}}));
  // An urgent request goes before the normal ones in its own queue.
  auto urgent = f.handed_over("+447700900003", "2");
  CHECK(f.outbound(urgent.conversation_id).back().body == f.text("helpdesk.queued", {{"position", 1}}));
}

TEST_CASE("outside business hours the person gets the out-of-hours reply with the emergency number",
          "[helpdesk][never_silence]") {
  HelpdeskFixture f;
  office_hours_in_london(f.config);
  // The fake clock starts on a Thursday at 21:26 in London.
  auto h = f.handed_over("+447700900001");
  auto out = f.outbound(h.conversation_id);
  REQUIRE_FALSE(out.empty());
  CHECK(out.back().body == f.text("helpdesk.out_of_hours"));
  CHECK(out.back().body.find("112") != std::string::npos);
  // Still queued for the morning.
  CHECK(f.store->get_handover(h.id)->state == "waiting");

  f.clock.advance(13h);  // Friday 10:26 in London
  auto later = f.handed_over("+447700900002");
  CHECK(f.outbound(later.conversation_id).back().body == f.text("helpdesk.queued", {{"position", 2}}));
}

TEST_CASE("messages while waiting go to the event bus, not the flow", "[helpdesk][never_silence]") {
  HelpdeskFixture f;
  auto h = f.handed_over("+447700900001");
  const size_t before = f.outbound(h.conversation_id).size();
  f.seen.clear();
  auto r = f.say("1", "+447700900001");  // would be a menu answer for the flow
  CHECK(r.action == "none");
  CHECK(r.queued == 0);
  CHECK(f.outbound(h.conversation_id).size() == before);
  REQUIRE(f.seen.size() == 1);
  CHECK(f.seen[0].type == "message.inbound");
  CHECK(f.seen[0].conversation_id == h.conversation_id);
  CHECK(f.seen[0].handover_id == h.id);
  // Stored for the operator.
  auto all = f.store->list_messages(h.conversation_id);
  CHECK(all->back().body == "1");
  CHECK(all->back().direction == "in");
  // Also while assigned, and through a queue subscriber.
  auto queue = f.events.subscribe_queue();
  const int64_t ana = f.account("ana");
  REQUIRE(f.helpdesk.assign(h.id, f.op(ana, {"general"})).ok());
  f.say("still there?", "+447700900001");
  auto e1 = queue->pop(0ms);
  auto e2 = queue->pop(0ms);
  REQUIRE(e1);
  REQUIRE(e2);
  CHECK(e1->type == "handover.assigned");
  CHECK(e2->type == "message.inbound");
  CHECK_FALSE(queue->pop(0ms));
}

TEST_CASE("STOP still works while waiting for an operator", "[helpdesk][never_silence]") {
  HelpdeskFixture f;
  auto h = f.handed_over("+447700900001");
  CHECK(f.say("STOP", "+447700900001").action == "opt_out");
  CHECK(f.store->get_contact(h.contact_id)->opted_out);
  // No reassurance to someone who stopped.
  f.clock.advance(15min);
  gw::Reassurer reassurer(*f.store, f.clock, f.config, f.person);
  CHECK(*reassurer.run_once() == 0);
}

TEST_CASE("the erase keyword still works while waiting for an operator", "[helpdesk][never_silence]") {
  HelpdeskFixture f;
  auto h = f.handed_over("+447700900001");
  auto asked = f.say("DELETE", "+447700900001");
  CHECK(asked.action == "flow");
  CHECK(asked.queued == 1);  // the erase flow's confirmation question
  auto erased = f.say("1", "+447700900001");
  CHECK(erased.action == "erased");
  CHECK(f.store->get_contact(h.contact_id)->erase_pending);
  CHECK(f.store->list_open_handovers()->empty());
  CHECK(f.seen.back().type == "conversation.erased");
}

TEST_CASE("keeping the data after the erase keyword returns the person to the operator's queue",
          "[helpdesk][never_silence]") {
  HelpdeskFixture f;
  auto h = f.handed_over("+447700900001");
  f.say("DELETE", "+447700900001");
  auto kept = f.say("2", "+447700900001");
  CHECK(kept.action == "flow");
  CHECK(f.store->get_handover(h.id)->state == "waiting");
  f.seen.clear();
  CHECK(f.say("hello?", "+447700900001").action == "none");
  REQUIRE(f.seen.size() == 1);
  CHECK(f.seen[0].type == "message.inbound");
}

TEST_CASE("a long wait is reassured once, and never someone silent for more than a day",
          "[helpdesk][never_silence]") {
  HelpdeskFixture f;
  f.config.reassure_after_minutes = 10;
  auto h = f.handed_over("+447700900001");
  gw::Reassurer reassurer(*f.store, f.clock, f.config, f.person);
  f.clock.advance(9min);
  CHECK(*reassurer.run_once() == 0);
  f.clock.advance(2min);
  const size_t before = f.outbound(h.conversation_id).size();
  CHECK(*reassurer.run_once() == 1);
  auto out = f.outbound(h.conversation_id);
  REQUIRE(out.size() == before + 1);
  CHECK(out.back().body == f.text("helpdesk.reassure"));
  CHECK(f.woken == std::vector<std::string>{"uk-sms"});
  CHECK(f.store->get_handover(h.id)->reassured_at == f.clock.now());
  f.clock.advance(30min);
  CHECK(*reassurer.run_once() == 0);  // once only

  // Someone whose last message is more than 24 hours old hears nothing unasked.
  auto silent = f.handed_over("+447700900002");
  f.clock.advance(25h);
  CHECK(*reassurer.run_once() == 0);
  CHECK(f.outbound(silent.conversation_id).back().body == f.text("helpdesk.queued", {{"position", 2}}));
  CHECK_FALSE(f.store->get_handover(silent.id)->reassured_at.has_value());
}

TEST_CASE("the notice chooses 24/7 lines for urgent handovers and child helplines for children out of hours",
          "[helpdesk][never_silence][crisis]") {
  gw::HelpdeskConfig config;
  for (auto& q : config.queues) {
    q.always_open = false;
    for (auto& d : q.hours) d.clear();  // closed all week
  }
  const gw::TimePoint now = gw::from_unix_ms(1'780'000'000'000);
  gw::Handover h;
  h.id = 1;
  h.state = "waiting";
  h.queue = "general";
  h.priority = "normal";
  auto general = gw::waiting_notice(config, h, {h}, now, {"GB", false});
  CHECK(general.template_key == "helpdesk.out_of_hours");

  h.queue = "urgent";
  h.priority = "urgent";
  auto urgent = gw::waiting_notice(config, h, {h}, now, {"IT", false});
  CHECK(urgent.template_key == "helpdesk.out_of_hours_urgent");
  CHECK(urgent.vars == nlohmann::json{{"country", "IT"}});

  h.queue = "safeguarding";
  auto child = gw::waiting_notice(config, h, {h}, now, {"", false});
  CHECK(child.template_key == "helpdesk.out_of_hours_minor");
  CHECK(child.vars == nlohmann::json{{"country", "other"}});  // unknown: every country's lines

  // Open queues: the place in the queue, or, after unclear answers, why a person takes over.
  gw::HelpdeskConfig open;
  auto queued = gw::waiting_notice(open, h, {h}, now, {"GB", false});
  CHECK(queued.template_key == "helpdesk.queued");
  CHECK(queued.vars == nlohmann::json{{"position", 1}});
  auto unclear = gw::waiting_notice(open, h, {h}, now, {"GB", true});
  CHECK(unclear.template_key == "helpdesk.queued_unclear");
}
