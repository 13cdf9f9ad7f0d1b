// Outbox leases between instances sharing one PostgreSQL database: a lease that
// ran out is taken over by another instance, a renewed one is not, and an
// instance ends only its own leases at start. Without GATEWAY_TEST_PG_URL each
// test says so and passes.
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "gateway/store/postgres/pg_store.h"
#include "gateway/store/postgres/pg_store_impl.h"
#include "tests/store/store_fixture.h"
#include "tests/support/fake_clock.h"
#include "tests/support/pg_test_db.h"

using namespace std::chrono_literals;

namespace {

// Instance `instance_id` of the gateway on the test's schema.
std::unique_ptr<gw::Store> open_instance(const gw::testing::PgTestSchema& schema, const gw::Crypto& crypto,
                                         gw::Clock& clock, const std::string& instance_id) {
  gw::PostgresOptions options;
  options.url = schema.url();
  options.instance_id = instance_id;
  auto store = gw::open_postgres_store(options, crypto, clock);
  INFO((store.ok() ? std::string() : store.error().to_string()));
  REQUIRE(store.ok());
  return std::move(*store);
}

gw::pg::PgStore& pg_store(gw::Store& store) {
  auto* pg = dynamic_cast<gw::pg::PgStore*>(&store);
  REQUIRE(pg != nullptr);
  return *pg;
}

// One reply queued for a new contact, due now; returns its message id.
int64_t queue_reply(gw::Store& store, gw::Clock& clock, const std::string& address) {
  auto contact = store.upsert_contact("uk-sms", address, clock.now());
  REQUIRE(contact.ok());
  auto conv = store.open_or_get_conversation(contact->id, "uk-sms", clock.now());
  REQUIRE(conv.ok());
  gw::Message m;
  m.contact_id = conv->contact_id;
  m.conversation_id = conv->id;
  m.channel_id = "uk-sms";
  m.body = "reply";
  auto id = store.enqueue_outbound(m, clock.now());
  REQUIRE(id.ok());
  return *id;
}

}  // namespace

TEST_CASE("an item whose lease ran out at one instance is taken over by another, a renewed one is not",
          "[store][postgres]") {
  if (!gw::testing::test_pg_url()) {
    WARN("GATEWAY_TEST_PG_URL is not set: skipped (scripts/pg-test-cluster.sh start)");
    return;
  }
  gw::testing::PgTestSchema schema;
  gw::testing::FakeClock clock;
  const gw::Crypto crypto = gw::testing::make_test_crypto();
  std::unique_ptr<gw::Store> a = open_instance(schema, crypto, clock, "instance-a");
  std::unique_ptr<gw::Store> b = open_instance(schema, crypto, clock, "instance-b");

  // A claims the first reply; B cannot, and ending B's own leases frees nothing of A's.
  const int64_t first = queue_reply(*a, clock, "+447700900001");
  auto by_a = a->claim_due_outbox("uk-sms", clock.now(), 10, 30s);
  REQUIRE(by_a.ok());
  REQUIRE(by_a->size() == 1);
  CHECK((*by_a)[0].message_id == first);
  CHECK(b->claim_due_outbox("uk-sms", clock.now(), 10, 30s)->empty());
  auto ended_by_b = b->end_leases_of_previous_process(clock.now());
  REQUIRE(ended_by_b.ok());
  CHECK(*ended_by_b == 0);
  CHECK(b->claim_due_outbox("uk-sms", clock.now() + 29s, 10, 30s)->empty());

  // A dies: once its lease has run out, B takes the item over.
  clock.advance(30s);
  auto by_b = b->claim_due_outbox("uk-sms", clock.now(), 10, 30s);
  REQUIRE(by_b.ok());
  REQUIRE(by_b->size() == 1);
  CHECK((*by_b)[0].id == (*by_a)[0].id);
  CHECK((*by_b)[0].attempts == 2);
  CHECK((*by_b)[0].lease_until == clock.now() + 30s);
  // The lease is B's now: A renewing or ending its leases does not touch it.
  auto renewed_by_a = pg_store(*a).renew_outbox_leases(clock.now() + 1h);
  REQUIRE(renewed_by_a.ok());
  CHECK(*renewed_by_a == 0);
  auto ended_by_a = a->end_leases_of_previous_process(clock.now());
  REQUIRE(ended_by_a.ok());
  CHECK(*ended_by_a == 0);
  CHECK(a->claim_due_outbox("uk-sms", clock.now(), 10, 30s)->empty());
  REQUIRE(b->mark_outbox_sent((*by_b)[0].id, "SM1", 1, clock.now()).ok());

  // A claims a second reply and renews its lease while sending: B does not get
  // it when the first lease would have run out, only when the renewed one has.
  const int64_t second = queue_reply(*a, clock, "+447700900002");
  auto again_by_a = a->claim_due_outbox("uk-sms", clock.now(), 10, 30s);
  REQUIRE(again_by_a.ok());
  REQUIRE(again_by_a->size() == 1);
  CHECK((*again_by_a)[0].message_id == second);
  clock.advance(20s);
  auto renewed = pg_store(*a).renew_outbox_leases(clock.now() + 30s);
  REQUIRE(renewed.ok());
  CHECK(*renewed == 1);
  auto renewed_by_b = pg_store(*b).renew_outbox_leases(clock.now() + 30s);
  REQUIRE(renewed_by_b.ok());
  CHECK(*renewed_by_b == 0);  // B holds nothing: its sent item left "sending"
  clock.advance(20s);         // 40 s after the claim: past the first lease
  CHECK(b->claim_due_outbox("uk-sms", clock.now(), 10, 30s)->empty());
  clock.advance(10s);  // the renewed lease runs out
  auto taken = b->claim_due_outbox("uk-sms", clock.now(), 10, 30s);
  REQUIRE(taken.ok());
  REQUIRE(taken->size() == 1);
  CHECK((*taken)[0].message_id == second);
  CHECK((*taken)[0].attempts == 2);
}

TEST_CASE("an instance restarted under its id ends its own leases and no other instance's",
          "[store][postgres]") {
  if (!gw::testing::test_pg_url()) {
    WARN("GATEWAY_TEST_PG_URL is not set: skipped (scripts/pg-test-cluster.sh start)");
    return;
  }
  gw::testing::PgTestSchema schema;
  gw::testing::FakeClock clock;
  const gw::Crypto crypto = gw::testing::make_test_crypto();
  std::unique_ptr<gw::Store> a = open_instance(schema, crypto, clock, "instance-a");
  std::unique_ptr<gw::Store> b = open_instance(schema, crypto, clock, "instance-b");
  queue_reply(*a, clock, "+447700900001");
  queue_reply(*a, clock, "+447700900002");
  REQUIRE(a->claim_due_outbox("uk-sms", clock.now(), 1, 60s)->size() == 1);
  REQUIRE(b->claim_due_outbox("uk-sms", clock.now(), 1, 60s)->size() == 1);

  // A restarts under the same id a second later: its item is due again at
  // once, B's (alive, still sending) stays B's.
  REQUIRE(a->close().ok());
  a.reset();
  clock.advance(1s);
  a = open_instance(schema, crypto, clock, "instance-a");
  auto ended = a->end_leases_of_previous_process(clock.now());
  REQUIRE(ended.ok());
  CHECK(*ended == 1);
  auto again = a->claim_due_outbox("uk-sms", clock.now(), 10, 60s);
  REQUIRE(again.ok());
  REQUIRE(again->size() == 1);
  CHECK((*again)[0].attempts == 2);
  CHECK(b->claim_due_outbox("uk-sms", clock.now(), 10, 60s)->empty());
}
