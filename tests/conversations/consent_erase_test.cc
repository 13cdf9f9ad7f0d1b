// Consent and erasure as the conversation shell carries them out: the flow's
// `set consent` is written to the contact; an `erase` node erases everything of
// the person's, sends its confirmation first, and then the address goes too;
// declining consent means being erased once the conversation is idle.
#include <catch2/catch.hpp>

#include "tests/conversations/own_flow_fixture.h"

using namespace std::chrono_literals;

namespace {

// A small flow of its own, using templates that ship (system.*), so that the
// test does not depend on the shipped flows.
constexpr const char* kFlow = R"({
  "id": "main",
  "start": "consent",
  "nodes": {
    "consent": {"type": "ask", "prompt": "system.help", "choices": [
      {"label": "system.welcome", "value": "yes", "next": "given"},
      {"label": "system.opted_in", "value": "no", "next": "declined"}], "fallback": "declined"},
    "given": {"type": "set", "field": "consent", "value": "given", "next": "confirm"},
    "declined": {"type": "set", "field": "consent", "value": "declined", "next": "confirm"},
    "confirm": {"type": "ask", "prompt": "system.help", "choices": [
      {"label": "system.welcome", "value": "erase", "next": "erase"},
      {"label": "system.opted_in", "value": "keep", "next": "bye"}], "fallback": "bye"},
    "erase": {"type": "erase", "say": ["system.opted_in"]},
    "bye": {"type": "end", "say": ["system.help"]}
  }
})";

struct Fixture : gw::testing::OwnFlowFixture {
  Fixture() : OwnFlowFixture(kFlow) {}
  // Claims and marks sent everything due, as a sender would, until nothing is left.
  std::vector<gw::OutboxItem> send_all() {
    std::vector<gw::OutboxItem> sent;
    for (int round = 0; round < 20; ++round) {
      auto due = store->claim_due_outbox("uk-sms", clock.now(), 10, 30s);
      REQUIRE(due.ok());
      if (due->empty()) break;
      for (const auto& item : *due) {
        REQUIRE(store->mark_outbox_sent(item.id, "SMout" + std::to_string(item.id), 1, clock.now()).ok());
        sent.push_back(item);
      }
    }
    return sent;
  }
};

}  // namespace

TEST_CASE("the flow's consent answer is written to the contact", "[conversations][consent]") {
  Fixture f;
  auto first = f.say("hello");
  CHECK(first.action == "flow");
  CHECK(f.store->get_contact(first.contact_id)->consent == "none");
  f.say("1");
  CHECK(f.store->get_contact(first.contact_id)->consent == "given");

  auto other = f.say("hello", "+447700900456");
  f.say("2", "+447700900456");
  CHECK(f.store->get_contact(other.contact_id)->consent == "declined");
}

TEST_CASE("erasing from the flow sends the confirmation, then nothing of the person is left",
          "[conversations][consent]") {
  Fixture f;
  auto first = f.say("hello");
  f.say("1");
  auto erased = f.say("1");
  CHECK(erased.action == "erased");
  CHECK(erased.queued == 1);
  // Only the confirmation and the address it goes to are left, until it is sent.
  auto waiting = f.store->get_contact(first.contact_id);
  REQUIRE(waiting.ok());
  CHECK(waiting->erase_pending);
  CHECK(waiting->consent == "none");
  CHECK_FALSE(f.store->load_session(first.contact_id, f.clock.now())->has_value());
  // The sender sends what is queued, in order; the confirmation is last.
  std::vector<gw::OutboxItem> sent = f.send_all();
  REQUIRE(sent.size() == 3);  // two questions, then the confirmation
  CHECK(sent.back().address == "+447700900123");
  CHECK(sent.back().body == f.catalog.text("system.opted_in"));
  CHECK(f.store->get_contact(first.contact_id).error().code == gw::ErrorCode::kNotFound);
  CHECK_FALSE(f.store->find_contact("uk-sms", "+447700900123")->has_value());

  // Writing again starts afresh, as a new contact.
  auto again = f.say("hello");
  CHECK(f.store->get_contact(again.contact_id)->consent == "none");
  CHECK_FALSE(f.store->get_contact(again.contact_id)->erase_pending);
}

TEST_CASE("writing again before the erasure's confirmation left finishes the erasure and starts afresh",
          "[conversations][consent]") {
  Fixture f;
  auto first = f.say("hello");
  f.say("1");
  REQUIRE(f.say("1").action == "erased");
  auto again = f.say("hello");
  CHECK_FALSE(f.store->get_contact(again.contact_id)->erase_pending);
  CHECK(f.store->get_contact(again.contact_id)->consent == "none");
  // Only the new conversation's question is due; the old confirmation went with the erasure.
  std::vector<gw::OutboxItem> sent = f.send_all();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].body != f.catalog.text("system.opted_in"));
  CHECK(f.store->get_contact(again.contact_id).ok());
}

TEST_CASE("someone who declined consent is erased once the conversation is idle",
          "[conversations][consent]") {
  Fixture f;
  auto declined = f.say("hello");
  f.say("2");
  auto consented = f.say("hello", "+447700900456");
  f.say("1", "+447700900456");
  f.send_all();
  f.clock.advance(23h);
  REQUIRE(*f.store->erase_idle_contacts(f.clock.now() - 24h, f.clock.now() - 90 * 24h) == 0);
  f.clock.advance(2h);
  REQUIRE(*f.store->erase_idle_contacts(f.clock.now() - 24h, f.clock.now() - 90 * 24h) == 1);
  CHECK(f.store->get_contact(declined.contact_id).error().code == gw::ErrorCode::kNotFound);
  CHECK(f.store->get_contact(consented.contact_id).ok());
}
