#include <catch2/catch.hpp>
#include <latch>
#include <thread>

#include "gateway/store/store.h"
#include "tests/store/store_fixture.h"

using gw::ErrorCode;
using gw::testing::StoreFixture;
using namespace std::chrono_literals;

TEST_CASE("upsert_contact creates a contact once and finds it again by address", "[store][contract]") {
  StoreFixture f;
  auto first = f.store->upsert_contact("uk-sms", "+447700900123", f.clock.now());
  REQUIRE(first.ok());
  CHECK(first->id > 0);
  CHECK(first->address == "+447700900123");
  CHECK(first->consent == "none");
  CHECK_FALSE(first->opted_out);
  CHECK(first->created_at == f.clock.now());

  f.clock.advance(1min);
  auto again = f.store->upsert_contact("uk-sms", "+447700900123", f.clock.now());
  REQUIRE(again.ok());
  CHECK(again->id == first->id);
  CHECK(again->created_at == first->created_at);

  auto found = f.store->find_contact("uk-sms", "+447700900123");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->id == first->id);

  // Same address on another channel, or another address: other contacts.
  CHECK(f.contact("+447700900123", "tg").id != first->id);
  CHECK(f.contact("+447700900124").id != first->id);
  auto missing = f.store->find_contact("uk-sms", "+447700900999");
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());
}

TEST_CASE("update_contact writes the person's choices", "[store][contract]") {
  StoreFixture f;
  gw::Contact c = f.contact("+447700900123");
  c.language = "ar";
  c.country = "GB";
  c.consent = "given";
  c.opted_out = true;
  c.last_inbound_at = f.clock.now();
  f.clock.advance(5s);
  REQUIRE(f.store->update_contact(c).ok());
  auto back = f.store->get_contact(c.id);
  REQUIRE(back.ok());
  CHECK(back->language == "ar");
  CHECK(back->country == "GB");
  CHECK(back->consent == "given");
  CHECK(back->opted_out);
  CHECK(back->last_inbound_at == c.last_inbound_at);
  CHECK(back->updated_at == f.clock.now());

  c.consent = "maybe";
  CHECK(f.store->update_contact(c).error().code == ErrorCode::kInvalidArgument);
  c.consent = "none";
  c.id = 9999;
  CHECK(f.store->update_contact(c).error().code == ErrorCode::kNotFound);
  CHECK(f.store->get_contact(9999).error().code == ErrorCode::kNotFound);
}

TEST_CASE("mark_contact_opted_out sets the opt-out and leaves every other choice as it is now",
          "[store][contract]") {
  StoreFixture f;
  auto c = f.contact("+447700900123");
  c.language = "ar";
  c.consent = "given";
  REQUIRE(f.store->update_contact(c).ok());
  f.clock.advance(1min);
  REQUIRE(f.store->mark_contact_opted_out(c.id, f.clock.now()).ok());
  auto after = f.store->get_contact(c.id);
  REQUIRE(after.ok());
  CHECK(after->opted_out);
  CHECK(after->language == "ar");
  CHECK(after->consent == "given");
  CHECK(after->updated_at == f.clock.now());
  auto missing = f.store->mark_contact_opted_out(c.id + 100, f.clock.now());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
}

TEST_CASE("a contact has one open conversation per channel until it is closed", "[store][contract]") {
  StoreFixture f;
  const gw::Contact c = f.contact("+447700900123");
  const gw::Conversation first = f.conversation(c);
  CHECK(first.state == "bot");
  CHECK(f.conversation(c).id == first.id);

  REQUIRE(f.store->set_conversation_state(first.id, "waiting", f.clock.now()).ok());
  auto same = f.store->open_or_get_conversation(c.id, c.channel_id, f.clock.now());
  REQUIRE(same.ok());
  CHECK(same->id == first.id);
  CHECK(same->state == "waiting");

  REQUIRE(f.store->set_conversation_state(first.id, "closed", f.clock.now()).ok());
  const gw::Conversation second = f.conversation(c);
  CHECK(second.id != first.id);
  CHECK(second.state == "bot");

  // Re-opening the closed one would make two open conversations.
  CHECK(f.store->set_conversation_state(first.id, "bot", f.clock.now()).error().code ==
        ErrorCode::kAlreadyExists);
  CHECK(f.store->set_conversation_state(second.id, "nap", f.clock.now()).error().code ==
        ErrorCode::kInvalidArgument);
  CHECK_FALSE(f.store->open_or_get_conversation(4242, "uk-sms", f.clock.now()).ok());
}

TEST_CASE("two writers creating the same contact and opening its conversation at once get one of each",
          "[store][contract]") {
  // Given a number no one has written from yet, when two threads (two gateway
  // instances on PostgreSQL, whose inserts then conflict) each create its
  // contact and open its conversation at the same moment, then both get the
  // same contact and the same open conversation, and only one of each exists.
  StoreFixture f(/*in_file=*/true);
  const gw::TimePoint now = f.clock.now();
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    INFO("round " << round);
    const std::string address = "+4477009002" + std::to_string(10 + round);
    struct Outcome {
      gw::Result<gw::Contact> contact = gw::Error::internal("not run");
      gw::Result<gw::Conversation> conversation = gw::Error::internal("not run");
    };
    Outcome outcomes[2];
    std::latch start(2);
    auto writer = [&](Outcome& out) {
      start.arrive_and_wait();
      out.contact = f.store->upsert_contact("uk-sms", address, now);
      if (out.contact.ok())
        out.conversation = f.store->open_or_get_conversation(out.contact->id, "uk-sms", now);
    };
    std::thread a(writer, std::ref(outcomes[0]));
    std::thread b(writer, std::ref(outcomes[1]));
    a.join();
    b.join();
    for (const Outcome& o : outcomes) {
      INFO((o.contact.ok() ? std::string() : o.contact.error().to_string()));
      REQUIRE(o.contact.ok());
      INFO((o.conversation.ok() ? std::string() : o.conversation.error().to_string()));
      REQUIRE(o.conversation.ok());
    }
    CHECK(outcomes[0].contact->id == outcomes[1].contact->id);
    CHECK(outcomes[1].contact->address == address);
    CHECK(outcomes[0].conversation->id == outcomes[1].conversation->id);
    CHECK(outcomes[0].conversation->state == "bot");
    auto found = f.store->find_contact("uk-sms", address);
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    CHECK((*found)->id == outcomes[0].contact->id);
    CHECK(f.count_rows("conversations", "contact_id", outcomes[0].contact->id) == 1);
  }
}

TEST_CASE("a flow session is saved, replaced, expires and can be deleted", "[store][contract]") {
  StoreFixture f;
  const gw::Contact c = f.contact("+447700900123");
  auto none = f.store->load_session(c.id, f.clock.now());
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  REQUIRE(f.store->save_session(c.id, R"({"node":"ask_country"})", f.clock.now() + 1h, f.clock.now()).ok());
  REQUIRE(f.store->save_session(c.id, R"({"node":"rights"})", f.clock.now() + 1h, f.clock.now()).ok());
  auto loaded = f.store->load_session(c.id, f.clock.now());
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  CHECK(**loaded == R"({"node":"rights"})");

  f.clock.advance(1h);
  auto expired = f.store->load_session(c.id, f.clock.now());
  REQUIRE(expired.ok());
  CHECK_FALSE(expired->has_value());
  // It was deleted, not just hidden: an earlier "now" does not bring it back.
  auto gone = f.store->load_session(c.id, f.clock.now() - 2h);
  REQUIRE(gone.ok());
  CHECK_FALSE(gone->has_value());

  REQUIRE(f.store->save_session(c.id, "{}", f.clock.now() + 1h, f.clock.now()).ok());
  REQUIRE(f.store->delete_session(c.id).ok());
  CHECK_FALSE(f.store->load_session(c.id, f.clock.now())->has_value());
}

TEST_CASE("a handover is created, found while active and closed", "[store][contract]") {
  StoreFixture f;
  const gw::Contact c = f.contact("+447700900123");
  const gw::Conversation conv = f.conversation(c);
  CHECK_FALSE(f.store->active_handover(conv.id)->has_value());

  gw::Handover h;
  h.conversation_id = conv.id;
  h.contact_id = c.id;
  h.queue = "uk-ar";
  h.priority = "urgent";
  h.language = "ar";
  h.reason = "flow:risk_high";
  h.created_at = f.clock.now();
  auto id = f.store->create_handover(h);
  REQUIRE(id.ok());

  auto active = f.store->active_handover(conv.id);
  REQUIRE(active.ok());
  REQUIRE(active->has_value());
  gw::Handover got = **active;
  CHECK(got.id == *id);
  CHECK(got.reason == "flow:risk_high");
  CHECK(got.priority == "urgent");
  CHECK_FALSE(got.operator_id.has_value());

  gw::Account op;
  op.username = "amina";
  op.password_hash = "$argon2id$...";
  auto op_id = f.store->create_account(op);
  REQUIRE(op_id.ok());
  got.state = "assigned";
  got.operator_id = *op_id;
  got.assigned_at = f.clock.now();
  REQUIRE(f.store->update_handover(got).ok());
  CHECK((*f.store->active_handover(conv.id))->operator_id == *op_id);

  got.state = "closed";
  got.closed_at = f.clock.now();
  REQUIRE(f.store->update_handover(got).ok());
  CHECK_FALSE(f.store->active_handover(conv.id)->has_value());

  h.priority = "whenever";
  CHECK(f.store->create_handover(h).error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("accounts have unique case-insensitive usernames", "[store][contract]") {
  StoreFixture f;
  gw::Account a;
  a.username = "Amina";
  a.password_hash = "hash1";
  a.role = "supervisor";
  auto id = f.store->create_account(a);
  REQUIRE(id.ok());
  auto dup = f.store->create_account(a);
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().code == ErrorCode::kAlreadyExists);
  a.username = "amina";
  CHECK(f.store->create_account(a).error().code == ErrorCode::kAlreadyExists);

  auto found = f.store->find_account("AMINA");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  gw::Account got = **found;
  CHECK(got.id == *id);
  CHECK(got.role == "supervisor");
  got.password_hash = "hash2";
  got.disabled = true;
  got.role = "admin";
  REQUIRE(f.store->update_account(got).ok());
  auto again = f.store->find_account("amina");
  CHECK((*again)->password_hash == "hash2");
  CHECK((*again)->disabled);
  CHECK((*again)->role == "admin");
  CHECK_FALSE(f.store->find_account("nobody")->has_value());
  got.role = "root";
  CHECK(f.store->update_account(got).error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("a closed store refuses calls and ping reports it", "[store][contract]") {
  StoreFixture f;
  CHECK(f.store->ping().ok());
  REQUIRE(f.store->close().ok());
  REQUIRE(f.store->close().ok());
  CHECK(f.store->ping().error().code == ErrorCode::kUnavailable);
  CHECK(f.store->upsert_contact("uk-sms", "+447700900123", f.clock.now()).error().code ==
        ErrorCode::kUnavailable);
}
