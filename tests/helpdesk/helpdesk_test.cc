// The helpdesk service as the console calls it: taking, assigning,
// transferring, replying, noting and closing conversations, with the checks of
// who may do what, the audit trail, the events and the service figures.
#include <catch2/catch.hpp>

#include "gateway/helpdesk/address_mask.h"
#include "tests/helpdesk/helpdesk_fixture.h"

using namespace std::chrono_literals;
using gw::testing::HelpdeskFixture;

namespace {

bool has_event(const std::vector<gw::HelpdeskEvent>& seen, const std::string& type, int64_t handover_id) {
  for (const auto& e : seen) {
    if (e.type == type && e.handover_id == handover_id) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("take_next gives an operator the most urgent waiting conversation of their queues", "[helpdesk]") {
  HelpdeskFixture f;
  auto normal = f.handed_over("+447700900001", "1");
  f.clock.advance(1min);
  auto urgent = f.handed_over("+447700900002", "2");
  const int64_t ana = f.account("ana"), ben = f.account("ben");

  auto general_only = f.op(ana, {"general"});
  auto taken = f.helpdesk.take_next(general_only);
  REQUIRE(taken.ok());
  REQUIRE(taken->has_value());
  CHECK((*taken)->id == normal.id);  // the urgent one is not in their queue
  CHECK((*taken)->state == "assigned");
  CHECK((*taken)->operator_id == ana);
  CHECK(f.conversation_state(normal.contact_id) == "assigned");
  CHECK(has_event(f.seen, "handover.assigned", normal.id));

  auto both = f.op(ben, {"general", "urgent"});
  CHECK((*f.helpdesk.take_next(both))->id == urgent.id);
  CHECK_FALSE(f.helpdesk.take_next(both)->has_value());  // nothing left
}

TEST_CASE("an operator cannot open or take a conversation from another queue, a supervisor can",
          "[helpdesk]") {
  HelpdeskFixture f;
  auto urgent = f.handed_over("+447700900002", "2");
  const int64_t ana = f.account("ana"), sue = f.account("sue", "supervisor");
  auto ana_op = f.op(ana, {"general"});
  // Refused exactly as a handover that does not exist, so that ids cannot be probed.
  CHECK(f.helpdesk.assign(urgent.id, ana_op).error().code == gw::ErrorCode::kNotFound);
  CHECK(f.helpdesk.conversation_view(urgent.id, ana_op).error().code == gw::ErrorCode::kNotFound);
  CHECK(f.helpdesk.reply(urgent.id, ana_op, "hi").error().code == gw::ErrorCode::kNotFound);
  CHECK(f.helpdesk.reply(urgent.id, ana_op, "hi").error().message ==
        "no handover " + std::to_string(urgent.id));
  CHECK(f.helpdesk.reply(urgent.id + 1000, ana_op, "hi").error().message ==
        "no handover " + std::to_string(urgent.id + 1000));
  CHECK(f.store->get_handover(urgent.id)->state == "waiting");

  auto sue_op = f.op(sue, {}, "supervisor");
  REQUIRE(f.helpdesk.conversation_view(urgent.id, sue_op).ok());
  REQUIRE(f.helpdesk.assign(urgent.id, sue_op).ok());
  CHECK(f.store->get_handover(urgent.id)->operator_id == sue);
}

TEST_CASE("assignment is atomic: two operators take the same conversation, one wins", "[helpdesk]") {
  HelpdeskFixture f;
  auto h = f.handed_over("+447700900001");
  const int64_t ana = f.account("ana"), ben = f.account("ben"), sue = f.account("sue", "supervisor");
  REQUIRE(f.helpdesk.assign(h.id, f.op(ana, {"general"})).ok());
  auto lost = f.helpdesk.assign(h.id, f.op(ben, {"general"}));
  REQUIRE_FALSE(lost.ok());
  CHECK(lost.error().code == gw::ErrorCode::kAlreadyExists);
  CHECK(f.store->get_handover(h.id)->operator_id == ana);
  // Only a supervisor may force a take-over.
  CHECK(f.helpdesk.assign(h.id, f.op(ben, {"general"}), true).error().code ==
        gw::ErrorCode::kPermissionDenied);
  REQUIRE(f.helpdesk.assign(h.id, f.op(sue, {}, "supervisor"), true).ok());
  CHECK(f.store->get_handover(h.id)->operator_id == sue);
}

TEST_CASE("a transfer moves the conversation to another queue and its operators", "[helpdesk]") {
  HelpdeskFixture f;
  auto h = f.handed_over("+447700900001");
  const int64_t ana = f.account("ana", "operator", {"general", "urgent"}), ben = f.account("ben");
  auto ana_op = f.op(ana, {"general"});
  REQUIRE(f.helpdesk.assign(h.id, ana_op).ok());
  CHECK(f.helpdesk.transfer(h.id, ana_op, "nowhere").error().code == gw::ErrorCode::kInvalidArgument);
  REQUIRE(f.helpdesk.transfer(h.id, ana_op, "safeguarding").ok());
  auto moved = f.store->get_handover(h.id);
  CHECK(moved->queue == "safeguarding");
  CHECK(moved->state == "waiting");
  CHECK(f.conversation_state(h.contact_id) == "waiting");
  CHECK(has_event(f.seen, "handover.transferred", h.id));
  // Now outside Ana's queues; Ben works in safeguarding.
  CHECK(f.helpdesk.take_next(ana_op)->has_value() == false);
  auto ben_op = f.op(ben, {"safeguarding"});
  CHECK((*f.helpdesk.take_next(ben_op))->id == h.id);
  // Directly to an operator.
  REQUIRE(f.helpdesk.transfer(h.id, ben_op, "urgent", ana).ok());
  CHECK(f.store->get_handover(h.id)->operator_id == ana);
  CHECK(f.conversation_state(h.contact_id) == "assigned");
}

TEST_CASE("a reply is queued through the outbox and the first response is recorded once", "[helpdesk]") {
  HelpdeskFixture f;
  auto h = f.handed_over("+447700900001");
  const int64_t ana = f.account("ana"), ben = f.account("ben");
  auto ana_op = f.op(ana, {"general"});
  CHECK(f.helpdesk.reply(h.id, ana_op, "Hello").error().code ==
        gw::ErrorCode::kPermissionDenied);  // not theirs yet
  REQUIRE(f.helpdesk.assign(h.id, ana_op).ok());
  CHECK(f.helpdesk.reply(h.id, f.op(ben, {"general"}), "Hi").error().code ==
        gw::ErrorCode::kPermissionDenied);

  const size_t before = f.outbound(h.conversation_id).size();
  f.clock.advance(90s);
  auto id = f.helpdesk.reply(h.id, ana_op, "Hello, I am Ana. How can I help?");
  REQUIRE(id.ok());
  auto out = f.outbound(h.conversation_id);
  REQUIRE(out.size() == before + 1);
  CHECK(out.back().id == *id);
  CHECK(out.back().body == "Hello, I am Ana. How can I help?");
  CHECK(out.back().status == "queued");
  CHECK(f.woken == std::vector<std::string>{"uk-sms"});
  const auto first = f.clock.now();
  CHECK(f.store->get_handover(h.id)->first_response_at == first);

  f.clock.advance(1min);
  REQUIRE(f.helpdesk.reply(h.id, ana_op, "Are you safe now?").ok());
  CHECK(f.store->get_handover(h.id)->first_response_at == first);
  CHECK(has_event(f.seen, "handover.replied", h.id));

  // Sent by the sender like any reply, in order, to the person's address.
  bool found = false;
  for (int round = 0; round < 10 && !found; ++round) {
    auto due = f.store->claim_due_outbox("uk-sms", f.clock.now(), 20, 30s);
    REQUIRE(due.ok());
    for (const auto& item : *due) {
      found = found || (item.body == "Are you safe now?" && item.address == "+447700900001" &&
                        item.template_key.empty());
      REQUIRE(f.store->mark_outbox_sent(item.id, "SM" + std::to_string(item.id), 1, f.clock.now()).ok());
    }
  }
  CHECK(found);
}

TEST_CASE("closing back to the bot: the next message gets the entry flow again", "[helpdesk]") {
  HelpdeskFixture f;
  auto h = f.handed_over("+447700900001");
  const int64_t ana = f.account("ana");
  auto ana_op = f.op(ana, {"general"});
  REQUIRE(f.helpdesk.assign(h.id, ana_op).ok());
  REQUIRE(f.helpdesk.close(h.id, ana_op, gw::CloseMode::kBackToBot).ok());
  CHECK(f.store->get_handover(h.id)->state == "closed");
  CHECK(f.store->get_handover(h.id)->closed_by == ana);
  CHECK(f.conversation_state(h.contact_id) == "bot");
  CHECK(has_event(f.seen, "handover.closed", h.id));

  const size_t before = f.outbound(h.conversation_id).size();
  auto next = f.say("thanks", "+447700900001");
  CHECK(next.action == "flow");
  auto out = f.outbound(h.conversation_id);
  REQUIRE(out.size() == before + 1);
  CHECK(out.back().body.rfind(f.text("system.welcome"), 0) == 0);  // the entry flow's first question
  CHECK(f.helpdesk.close(h.id, ana_op, gw::CloseMode::kEnd).error().code == gw::ErrorCode::kNotFound);
}

TEST_CASE("closing for good sends the closing message and closes the conversation", "[helpdesk]") {
  HelpdeskFixture f;
  auto h = f.handed_over("+447700900001");
  const int64_t ana = f.account("ana");
  auto ana_op = f.op(ana, {"general"});
  REQUIRE(f.helpdesk.assign(h.id, ana_op).ok());
  REQUIRE(f.helpdesk.close(h.id, ana_op, gw::CloseMode::kEnd).ok());
  auto out = f.outbound(h.conversation_id);
  REQUIRE_FALSE(out.empty());
  CHECK(out.back().body == f.text("helpdesk.closing"));
  // The conversation is closed: the next one is a new conversation.
  auto conv = f.store->open_or_get_conversation(h.contact_id, "uk-sms", f.clock.now());
  CHECK(conv->id != h.conversation_id);
  CHECK(conv->state == "bot");
}

TEST_CASE("the conversation view has the whole history, a masked address and the notes", "[helpdesk]") {
  HelpdeskFixture f;
  auto h = f.handed_over("+447700900123");
  f.say("I need help with my passport", "+447700900123");
  const int64_t ana = f.account("ana");
  auto ana_op = f.op(ana, {"general"});
  REQUIRE(f.helpdesk.add_note(h.id, ana_op, "Asked about documents").ok());
  auto view = f.helpdesk.conversation_view(h.id, ana_op);
  REQUIRE(view.ok());
  CHECK(view->address == "+44 \u2022\u2022\u2022\u2022 \u2022\u2022\u2022 123");
  CHECK(view->address.find("7700") == std::string::npos);
  // The bot's part (hello, the menu, "1", the queue notice) and what came after.
  REQUIRE(view->messages.size() >= 5);
  CHECK(view->messages.front().direction == "in");
  CHECK(view->messages.front().body == "hello");
  CHECK(view->messages.back().body == "I need help with my passport");
  REQUIRE(view->notes.size() == 1);
  CHECK(view->notes[0].body == "Asked about documents");
  CHECK(view->notes[0].account_id == ana);
}

TEST_CASE("every action writes an audit entry with the operator and the conversation, never a body",
          "[helpdesk]") {
  HelpdeskFixture f;
  auto h = f.handed_over("+447700900123");
  const int64_t ana = f.account("ana", "operator", {"general"});
  auto ana_op = f.op(ana, {"general"});
  REQUIRE(f.helpdesk.conversation_view(h.id, ana_op).ok());
  REQUIRE(f.helpdesk.assign(h.id, ana_op).ok());
  REQUIRE(f.helpdesk.reply(h.id, ana_op, "secret reply text").ok());
  REQUIRE(f.helpdesk.add_note(h.id, ana_op, "secret note text").ok());
  REQUIRE(f.helpdesk.transfer(h.id, ana_op, "general", ana).ok());
  REQUIRE(f.helpdesk.close(h.id, ana_op, gw::CloseMode::kEnd).ok());
  auto audit = f.store->list_audit(20);
  REQUIRE(audit.ok());
  std::vector<std::string> actions;
  for (auto it = audit->rbegin(); it != audit->rend(); ++it) {
    if (it->actor != "account:" + std::to_string(ana)) continue;
    actions.push_back(it->action);
    CHECK(it->subject == "conversation:" + std::to_string(h.conversation_id));
    CHECK(it->detail_json.find("secret") == std::string::npos);
    CHECK(it->detail_json.find("7700900123") == std::string::npos);
  }
  CHECK(actions == std::vector<std::string>{"conversation.open", "handover.assign", "handover.reply",
                                            "note.add", "handover.transfer", "handover.close"});
}

TEST_CASE("figures and histograms show waiting counts, oldest wait and response times per queue",
          "[helpdesk]") {
  HelpdeskFixture f;
  auto a = f.handed_over("+447700900001");
  f.clock.advance(4min);
  auto b = f.handed_over("+447700900002");
  f.clock.advance(1min);
  const int64_t ana = f.account("ana");
  auto ana_op = f.op(ana, {"general"});

  auto figures = f.helpdesk.figures();
  REQUIRE(figures.ok());
  auto general = std::find_if(figures->begin(), figures->end(), [](auto& q) { return q.queue == "general"; });
  REQUIRE(general != figures->end());
  CHECK(general->waiting == 2);
  CHECK(general->oldest_wait == 5min);
  CHECK_FALSE(general->median_first_response.has_value());
  CHECK(figures->size() == 3);  // every configured queue, empty ones too

  REQUIRE(f.helpdesk.assign(a.id, ana_op).ok());
  REQUIRE(f.helpdesk.reply(a.id, ana_op, "hi").ok());  // 5 min after the handover
  f.clock.advance(2min);
  REQUIRE(f.helpdesk.assign(b.id, ana_op).ok());
  REQUIRE(f.helpdesk.reply(b.id, ana_op, "hi").ok());  // 3 min after
  f.clock.advance(10min);
  REQUIRE(f.helpdesk.close(b.id, ana_op, gw::CloseMode::kEnd).ok());  // 10 min after assignment

  figures = f.helpdesk.figures();
  general = std::find_if(figures->begin(), figures->end(), [](auto& q) { return q.queue == "general"; });
  CHECK(general->waiting == 0);
  CHECK(general->assigned == 1);
  CHECK(general->median_first_response == 240s);  // median of 300 s and 180 s
  CHECK(general->median_handling == 600s);

  const std::string text = f.registry.render();
  CHECK(text.find("gateway_helpdesk_first_response_seconds_count{queue=\"general\"} 2") != std::string::npos);
  CHECK(text.find("gateway_helpdesk_first_response_seconds_sum{queue=\"general\"} 480") != std::string::npos);
  CHECK(text.find("gateway_helpdesk_handling_seconds_count{queue=\"general\"} 1") != std::string::npos);
  CHECK(text.find("gateway_helpdesk_handling_seconds_sum{queue=\"general\"} 600") != std::string::npos);
}

namespace {

const gw::QueueFigures& figures_of(const std::vector<gw::QueueFigures>& all, const std::string& queue) {
  auto it = std::find_if(all.begin(), all.end(), [&](const gw::QueueFigures& q) { return q.queue == queue; });
  REQUIRE(it != all.end());
  return *it;
}

}  // namespace

TEST_CASE(
    "median first response and handling come from the store, so a Helpdesk started anew reports the same",
    "[helpdesk]") {
  // Given handovers with known times in two queues, then the medians are of
  // those times per queue, and a second Helpdesk over the same store agrees.
  HelpdeskFixture f;
  const int64_t ana = f.account("ana");
  auto op = f.op(ana, {"general", "urgent"});
  auto answer = [&](const gw::Handover& h) {
    REQUIRE(f.helpdesk.assign(h.id, op).ok());
    REQUIRE(f.helpdesk.reply(h.id, op, "hi").ok());
  };

  auto a = f.handed_over("+447700900001");
  f.clock.advance(1min);
  answer(a);  // first response 60 s
  f.clock.advance(5min);
  REQUIRE(f.helpdesk.close(a.id, op, gw::CloseMode::kBackToBot).ok());  // handled 300 s

  auto b = f.handed_over("+447700900002");
  f.clock.advance(3min);
  answer(b);  // 180 s
  f.clock.advance(9min);
  REQUIRE(f.helpdesk.close(b.id, op, gw::CloseMode::kEnd).ok());  // 540 s

  auto c = f.handed_over("+447700900003");
  REQUIRE(f.helpdesk.assign(c.id, op).ok());
  f.clock.advance(10min);
  REQUIRE(f.helpdesk.reply(c.id, op, "hi").ok());  // 600 s, still open

  // Closed, but not by an operator: it has no handling time.
  auto d = f.handed_over("+447700900004");
  f.clock.advance(1h);
  d.state = "closed";
  d.closed_at = f.clock.now();
  REQUIRE(f.store->update_handover(d).ok());

  auto e = f.handed_over("+447700900005", "2");  // the urgent queue
  f.clock.advance(30s);
  answer(e);
  f.clock.advance(1min);
  REQUIRE(f.helpdesk.close(e.id, op, gw::CloseMode::kEnd).ok());

  auto figures = f.helpdesk.figures();
  REQUIRE(figures.ok());
  const auto& general = figures_of(*figures, "general");
  CHECK(general.median_first_response == 180s);  // of 60, 180 and 600 s
  CHECK(general.median_handling == 420s);        // of 300 and 540 s
  const auto& urgent = figures_of(*figures, "urgent");
  CHECK(urgent.median_first_response == 30s);
  CHECK(urgent.median_handling == 60s);
  const auto& safeguarding = figures_of(*figures, "safeguarding");
  CHECK_FALSE(safeguarding.median_first_response.has_value());
  CHECK_FALSE(safeguarding.median_handling.has_value());

  gw::Helpdesk restarted(*f.store, f.clock, f.config, f.person, f.events);
  auto again = restarted.figures();
  REQUIRE(again.ok());
  REQUIRE(again->size() == figures->size());
  for (const auto& q : *figures) {
    const auto& r = figures_of(*again, q.queue);
    CHECK(r.median_first_response == q.median_first_response);
    CHECK(r.median_handling == q.median_handling);
    CHECK(r.waiting == q.waiting);
    CHECK(r.assigned == q.assigned);
  }
}

TEST_CASE(
    "the queue overview shows an operator their own queues and the conversations they may open, urgent first",
    "[helpdesk]") {
  HelpdeskFixture f;
  auto normal = f.handed_over("+447700900001", "1");
  f.clock.advance(1min);
  auto urgent = f.handed_over("+447700900002", "2");
  const int64_t ana = f.account("ana"), sam = f.account("sam", "supervisor");

  auto general_only = f.helpdesk.overview(f.op(ana, {"general"}));
  REQUIRE(general_only.ok());
  REQUIRE(general_only->queues.size() == 1);
  CHECK(general_only->queues[0].queue == "general");
  CHECK(general_only->queues[0].waiting == 1);
  REQUIRE(general_only->conversations.size() == 1);
  CHECK(general_only->conversations[0].id == normal.id);

  auto everything = f.helpdesk.overview(f.op(sam, {}, "supervisor"));
  REQUIRE(everything.ok());
  CHECK(everything->queues.size() == 3);
  REQUIRE(everything->conversations.size() == 2);
  CHECK(everything->conversations[0].id == urgent.id);  // urgent before the older normal one
  CHECK(everything->conversations[1].id == normal.id);
}

TEST_CASE("revealing an address is for who may open the conversation, and is audited before it is given",
          "[helpdesk]") {
  HelpdeskFixture f;
  auto h = f.handed_over("+447700900003");
  const int64_t ana = f.account("ana"), ben = f.account("ben");
  auto count_reveals = [&] {
    auto entries = f.store->list_audit(100);
    REQUIRE(entries.ok());
    return std::count_if(entries->begin(), entries->end(), [&](const gw::AuditEntry& e) {
      return e.action == "contact.reveal" && e.subject == "conversation:" + std::to_string(h.conversation_id);
    });
  };

  auto refused = f.helpdesk.reveal_address(h.id, f.op(ben, {"urgent"}));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == gw::ErrorCode::kNotFound);  // as for an id that does not exist
  CHECK(count_reveals() == 0);

  auto address = f.helpdesk.reveal_address(h.id, f.op(ana, {"general"}));
  REQUIRE(address.ok());
  CHECK(*address == "+447700900003");
  CHECK(count_reveals() == 1);
  auto entries = f.store->list_audit(1);
  REQUIRE(entries.ok());
  CHECK((*entries)[0].actor == "account:" + std::to_string(ana));
  CHECK((*entries)[0].detail_json.find("7700900003") == std::string::npos);

  // Closed conversations can still be looked up.
  REQUIRE(f.helpdesk.assign(h.id, f.op(ana, {"general"})).ok());
  REQUIRE(f.helpdesk.close(h.id, f.op(ana, {"general"}), gw::CloseMode::kBackToBot).ok());
  CHECK(f.helpdesk.reveal_address(h.id, f.op(ana, {"general"})).ok());
}

TEST_CASE("canned replies offer the rights numbers of the person's country, or of every country when unknown",
          "[helpdesk]") {
  CHECK(gw::canned_reply_keys("GB") == std::vector<std::string>{"emergency.numbers", "rights.uk.numbers",
                                                                "helpdesk.reassure", "safety.tip",
                                                                "helpdesk.closing"});
  CHECK(gw::canned_reply_keys("it")[1] == "rights.it.numbers");
  for (const std::string country : {"", "FR"}) {
    auto keys = gw::canned_reply_keys(country);
    REQUIRE(keys.size() == 1 + gw::rights_countries().size() + 3);
    CHECK(keys[1] == "rights.uk.numbers");
    CHECK(keys[4] == "rights.nl.numbers");
  }

  HelpdeskFixture f;
  auto h = f.handed_over("+393123456789");  // an Italian number on the UK SMS channel
  const int64_t ana = f.account("ana"), ben = f.account("ben");
  auto choice = f.helpdesk.canned_replies(h.id, f.op(ana, {"general"}));
  REQUIRE(choice.ok());
  CHECK(choice->keys == gw::canned_reply_keys("IT"));
  CHECK(choice->channel_kind == "sms");
  CHECK(choice->language == h.language);  // the contact has none yet
  auto contact = f.store->get_contact(h.contact_id);
  REQUIRE(contact.ok());
  contact->language = "uk";
  contact->country = "HR";  // the contact's country comes before the number's
  REQUIRE(f.store->update_contact(*contact).ok());
  choice = f.helpdesk.canned_replies(h.id, f.op(ana, {"general"}));
  REQUIRE(choice.ok());
  CHECK(choice->language == "uk");
  CHECK(choice->keys == gw::canned_reply_keys("HR"));
  auto refused = f.helpdesk.canned_replies(h.id, f.op(ben, {"urgent"}));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == gw::ErrorCode::kNotFound);
}

TEST_CASE("auto-assignment hands waiting conversations to operators with room, when enabled", "[helpdesk]") {
  HelpdeskFixture f;
  f.handed_over("+447700900001");
  f.handed_over("+447700900002");
  f.handed_over("+447700900003");
  const int64_t ana = f.account("ana");
  auto ana_op = f.op(ana, {"general"});
  ana_op.capacity = 2;
  CHECK(*f.helpdesk.auto_assign({ana_op}) == 0);  // off by default
  f.config.auto_assign = true;
  CHECK(*f.helpdesk.auto_assign({ana_op}) == 2);
  CHECK(*f.helpdesk.auto_assign({ana_op}) == 0);  // full
  int assigned = 0;
  auto open = f.store->list_open_handovers();  // a named Result: the loop must not outlive it
  REQUIRE(open.ok());
  for (const auto& h : *open) assigned += h.operator_id == ana ? 1 : 0;
  CHECK(assigned == 2);
}

TEST_CASE("addresses are masked to the calling code and the last three digits", "[helpdesk]") {
  CHECK(gw::mask_address("+447700900123") == "+44 \u2022\u2022\u2022\u2022 \u2022\u2022\u2022 123");
  CHECK(gw::mask_address("whatsapp:+393331234567") == "+39 \u2022\u2022\u2022\u2022 \u2022\u2022\u2022 567");
  CHECK(gw::mask_address("123456789") == "\u2022\u2022\u2022\u2022\u2022\u2022 789");
  CHECK(gw::mask_address("12") == "\u2022\u2022\u2022");
}

TEST_CASE("an operator refused a forced take-over cannot take the conversation by transferring it",
          "[helpdesk]") {
  HelpdeskFixture f;
  auto h = f.handed_over("+447700900001");
  const int64_t ana = f.account("ana", "operator", {"general"}),
                omar = f.account("omar", "operator", {"general"});
  auto ana_op = f.op(ana, {"general"}), omar_op = f.op(omar, {"general"});
  REQUIRE(f.helpdesk.assign(h.id, omar_op).ok());
  CHECK(f.helpdesk.assign(h.id, ana_op, /*force=*/true).error().code == gw::ErrorCode::kPermissionDenied);
  CHECK(f.helpdesk.assign(h.id, ana_op).error().code == gw::ErrorCode::kAlreadyExists);
  // Every other road to holding it is refused alike.
  CHECK(f.helpdesk.transfer(h.id, ana_op, "general", ana).error().code == gw::ErrorCode::kPermissionDenied);
  CHECK(f.helpdesk.transfer(h.id, ana_op, "general").error().code == gw::ErrorCode::kPermissionDenied);
  CHECK(f.helpdesk.close(h.id, ana_op, gw::CloseMode::kBackToBot).error().code ==
        gw::ErrorCode::kPermissionDenied);
  CHECK(f.helpdesk.reply(h.id, ana_op, "hello").error().code == gw::ErrorCode::kPermissionDenied);
  auto still = f.store->get_handover(h.id);
  CHECK(still->operator_id == omar);
  CHECK(still->queue == "general");
  // Omar may hand it to Ana himself.
  REQUIRE(f.helpdesk.transfer(h.id, omar_op, "general", ana).ok());
  CHECK(f.store->get_handover(h.id)->operator_id == ana);
}

TEST_CASE("a conversation is never transferred to an account that cannot open it in its new queue",
          "[helpdesk]") {
  HelpdeskFixture f;
  auto h = f.handed_over("+447700900001");
  const int64_t ana = f.account("ana", "operator", {"general"});
  const int64_t eve = f.account("eve", "editor", {"general", "urgent"});
  const int64_t ben = f.account("ben", "operator", {"urgent"});
  auto ana_op = f.op(ana, {"general"});
  REQUIRE(f.helpdesk.assign(h.id, ana_op).ok());
  CHECK(f.helpdesk.transfer(h.id, ana_op, "general", eve).error().code == gw::ErrorCode::kInvalidArgument);
  CHECK(f.helpdesk.transfer(h.id, ana_op, "general", ben).error().code == gw::ErrorCode::kInvalidArgument);
  CHECK(f.helpdesk.transfer(h.id, ana_op, "general", 99999).error().code == gw::ErrorCode::kInvalidArgument);
  auto sue_op = f.op(f.account("sue", "supervisor"), {}, "supervisor");
  CHECK(f.helpdesk.transfer(h.id, sue_op, "urgent", eve).error().code == gw::ErrorCode::kInvalidArgument);
  auto kept = f.store->get_handover(h.id);
  CHECK(kept->operator_id == ana);
  CHECK(kept->queue == "general");
  CHECK_FALSE(has_event(f.seen, "handover.transferred", h.id));
  // To someone who works in the new queue it goes.
  REQUIRE(f.helpdesk.transfer(h.id, ana_op, "urgent", ben).ok());
  CHECK(f.store->get_handover(h.id)->operator_id == ben);
}

TEST_CASE("a masked address that is not a number keeps its last three characters whole", "[helpdesk]") {
  // Cut by bytes, "بريد" would end in half a letter: invalid UTF-8, which JSON refuses.
  CHECK(gw::mask_address("بريد") == "\u2022 ريد");
  CHECK(gw::mask_address("ab🙂🙂🙂") == "\u2022\u2022 🙂🙂🙂");
  CHECK(gw::mask_address("ريد") == "\u2022\u2022\u2022");
  CHECK(gw::mask_address("+abcdefghijkl") == "\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022 jkl");
}
