#include <catch2/catch.hpp>

#include "gateway/store/record_values.h"
#include "gateway/store/store.h"
#include "tests/store/store_fixture.h"

using gw::ErrorCode;
using gw::testing::StoreFixture;
using namespace std::chrono_literals;

TEST_CASE("a retried inbound message is stored once and returns the first id", "[store][contract]") {
  StoreFixture f;
  const gw::Conversation conv = f.conversation(f.contact("+447700900123"));
  gw::Message m = f.message(conv, "hello, I need help");
  m.provider_id = "SM0001";
  auto first = f.store->insert_inbound(m);
  REQUIRE(first.ok());
  CHECK(first->inserted);

  m.body = "a retry with different text is still the same message";
  auto retry = f.store->insert_inbound(m);
  REQUIRE(retry.ok());
  CHECK_FALSE(retry->inserted);
  CHECK(retry->id == first->id);

  // Another provider id, or the same id on another channel, is a new message.
  m.provider_id = "SM0002";
  auto other = f.store->insert_inbound(m);
  REQUIRE(other.ok());
  CHECK(other->inserted);
  CHECK(other->id != first->id);

  // Without a provider id nothing is deduplicated.
  m.provider_id.reset();
  CHECK(f.store->insert_inbound(m)->inserted);
  CHECK(f.store->insert_inbound(m)->inserted);

  auto all = f.store->list_messages(conv.id);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 4);
  CHECK((*all)[0].body == "hello, I need help");
  CHECK((*all)[0].direction == "in");
  CHECK((*all)[0].status == "received");
  CHECK((*all)[0].provider_id == std::optional<std::string>("SM0001"));
}

TEST_CASE("list_messages returns both directions oldest first, decrypted", "[store][contract]") {
  StoreFixture f;
  const gw::Conversation conv = f.conversation(f.contact("+447700900123"));
  gw::Message in = f.message(conv, "مرحبا");
  in.provider_id = "SM1";
  REQUIRE(f.store->insert_inbound(in).ok());
  f.clock.advance(1s);
  gw::Message out = f.message(conv, "Welcome. Reply 1 for English.");
  out.segments = 1;
  out.template_key = "welcome.hello";
  auto out_id = f.store->enqueue_outbound(out, f.clock.now());
  REQUIRE(out_id.ok());

  auto all = f.store->list_messages(conv.id);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].body == "مرحبا");
  CHECK((*all)[1].id == *out_id);
  CHECK((*all)[1].direction == "out");
  CHECK((*all)[1].status == "queued");
  CHECK((*all)[1].template_key == "welcome.hello");  // which template the bot sent
  CHECK((*all)[0].template_key.empty());
  CHECK_FALSE((*all)[1].provider_id.has_value());
  CHECK((*all)[1].created_at == f.clock.now());
  CHECK(f.store->list_messages(conv.id + 100)->empty());
}

TEST_CASE("message statuses only move forward whatever order callbacks arrive in", "[store][contract]") {
  CHECK(gw::message_status_supersedes("sent", "sending"));
  CHECK(gw::message_status_supersedes("read", "delivered"));
  CHECK_FALSE(gw::message_status_supersedes("sent", "delivered"));
  CHECK_FALSE(gw::message_status_supersedes("failed", "delivered"));
  CHECK_FALSE(gw::message_status_supersedes("delivered", "delivered"));
  CHECK_FALSE(gw::message_status_supersedes("bogus", "queued"));

  StoreFixture f;
  const gw::Conversation conv = f.conversation(f.contact("+447700900123"));
  auto id = f.store->enqueue_outbound(f.message(conv, "Your rights in the UK"), f.clock.now());
  REQUIRE(id.ok());
  auto claimed = f.store->claim_due_outbox("uk-sms", f.clock.now(), 10, 30s);
  REQUIRE(claimed.ok());
  REQUIRE(claimed->size() == 1);
  REQUIRE(f.store->mark_outbox_sent((*claimed)[0].id, "SM9", 2, f.clock.now()).ok());

  auto status_of = [&] { return f.store->list_messages(conv.id)->back(); };
  CHECK(status_of().status == "sent");
  CHECK(status_of().provider_id == std::optional<std::string>("SM9"));
  CHECK(status_of().segments == 2);

  REQUIRE(f.store->update_message_status("uk-sms", "SM9", "delivered", std::nullopt, f.clock.now()).ok());
  // A late "sent" and a repeated "delivered" change nothing.
  REQUIRE(f.store->update_message_status("uk-sms", "SM9", "sent", std::nullopt, f.clock.now()).ok());
  REQUIRE(f.store->update_message_status("uk-sms", "SM9", "delivered", std::nullopt, f.clock.now()).ok());
  CHECK(status_of().status == "delivered");
  REQUIRE(f.store->update_message_status("uk-sms", "SM9", "read", std::nullopt, f.clock.now()).ok());
  REQUIRE(f.store->update_message_status("uk-sms", "SM9", "undelivered", 30003, f.clock.now()).ok());
  CHECK(status_of().status == "read");
  CHECK_FALSE(status_of().error_code.has_value());

  CHECK(f.store->update_message_status("uk-sms", "SM404", "sent", std::nullopt, f.clock.now()).error().code ==
        ErrorCode::kNotFound);
  CHECK(f.store->update_message_status("tg", "SM9", "sent", std::nullopt, f.clock.now()).error().code ==
        ErrorCode::kNotFound);
  CHECK(f.store->update_message_status("uk-sms", "SM9", "lost", std::nullopt, f.clock.now()).error().code ==
        ErrorCode::kInvalidArgument);
}

TEST_CASE("an undelivered callback records the provider error code", "[store][contract]") {
  StoreFixture f;
  const gw::Conversation conv = f.conversation(f.contact("+447700900123"));
  REQUIRE(f.store->enqueue_outbound(f.message(conv, "hi"), f.clock.now()).ok());
  auto claimed = f.store->claim_due_outbox("uk-sms", f.clock.now(), 1, 30s);
  REQUIRE(claimed->size() == 1);
  REQUIRE(f.store->mark_outbox_sent((*claimed)[0].id, "SMx", 1, f.clock.now()).ok());
  REQUIRE(f.store->update_message_status("uk-sms", "SMx", "undelivered", 30003, f.clock.now()).ok());
  const gw::Message m = f.store->list_messages(conv.id)->back();
  CHECK(m.status == "undelivered");
  CHECK(m.error_code == std::optional<int>(30003));
}
