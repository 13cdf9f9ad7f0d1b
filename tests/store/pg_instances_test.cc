// What several instances on one PostgreSQL database share through the store:
// a channel's sending pace, jobs run by one instance at a time, and
// notifications (LISTEN/NOTIFY) carrying the helpdesk's events between them.
// Skipped unless GATEWAY_TEST_PG_URL names a database (scripts/pg-test-cluster.sh).
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "gateway/helpdesk/event_relay.h"
#include "gateway/store/postgres/pg_connection.h"
#include "gateway/store/postgres/pg_store.h"
#include "tests/store/store_fixture.h"
#include "tests/support/pg_test_db.h"

using namespace std::chrono_literals;

namespace {

#define PG_OR_SKIP() GW_PG_OR_SKIP()

using TwoInstances = gw::testing::TwoPgStores;

// Collects payloads from a listener's thread.
struct Inbox {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> got;
  void add(const std::string& p) {
    {
      std::lock_guard lock(mu);
      got.push_back(p);
    }
    cv.notify_all();
  }
  bool wait_for(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return got.size() >= n; });
  }
  size_t size() {
    std::lock_guard lock(mu);
    return got.size();
  }
};

}  // namespace

TEST_CASE("PostgreSQL: two instances reserving send slots of one channel share one pace", "[postgres]") {
  PG_OR_SKIP();
  TwoInstances t;
  // 10 a second: slot k is k * 100 ms after the first, whichever instance asks.
  std::vector<gw::Millis> waits;
  for (int i = 0; i < 10; ++i) {
    auto w = (i % 2 == 0 ? t.a : t.b)->reserve_send_slot("uk-sms", 10.0);
    REQUIRE(w.ok());
    REQUIRE(w->has_value());
    waits.push_back(**w);
  }
  CHECK(waits.front() <= 20ms);
  for (size_t i = 1; i < waits.size(); ++i) {
    INFO("slot " << i);
    // Each wait is about 100 ms longer than the one before (less the time the
    // round trip took).
    CHECK(waits[i] - waits[i - 1] >= 80ms);
    CHECK(waits[i] - waits[i - 1] <= 101ms);
  }
  CHECK(waits.back() >= 800ms);
  // Another channel has a pace of its own.
  auto other = t.b->reserve_send_slot("it-wa", 10.0);
  REQUIRE(other.ok());
  CHECK(**other <= 20ms);
  CHECK_FALSE(t.a->reserve_send_slot("uk-sms", 0).ok());
}

TEST_CASE("a SQLite store keeps no shared pace, runs every job and has no one to notify", "[store]") {
  gw::testing::StoreFixture f;
  if (f.on_postgres()) return;
  auto w = f.store->reserve_send_slot("uk-sms", 10.0);
  REQUIRE(w.ok());
  CHECK_FALSE(w->has_value());
  bool ran = false;
  auto r = f.store->run_alone("retention", [&]() -> gw::Status {
    ran = true;
    return {};
  });
  REQUIRE(r.ok());
  CHECK(*r);
  CHECK(ran);
  auto l = f.store->listen("gateway_helpdesk", [](const std::string&) {});
  REQUIRE(l.ok());
  CHECK(*l == nullptr);
  CHECK(f.store->notify("gateway_helpdesk", "{}").ok());
}

TEST_CASE("PostgreSQL: a job runs on one instance at a time", "[postgres]") {
  PG_OR_SKIP();
  TwoInstances t;
  int runs = 0;
  auto outer = t.a->run_alone("retention", [&]() -> gw::Status {
    ++runs;
    // While A runs it, B leaves it; another job B may run.
    auto inner = t.b->run_alone("retention", [&]() -> gw::Status {
      ++runs;
      return {};
    });
    REQUIRE(inner.ok());
    CHECK_FALSE(*inner);
    auto other = t.b->run_alone("helpdesk-reassure", [&]() -> gw::Status { return {}; });
    REQUIRE(other.ok());
    CHECK(*other);
    return {};
  });
  REQUIRE(outer.ok());
  CHECK(*outer);
  CHECK(runs == 1);
  // Once A is done, B runs it; a job's error comes back.
  auto after = t.b->run_alone("retention", [&]() -> gw::Status { return gw::Error::io("disk full"); });
  REQUIRE_FALSE(after.ok());
  CHECK(after.error().code == gw::ErrorCode::kIo);
  auto again = t.a->run_alone("retention", [&]() -> gw::Status { return {}; });
  REQUIRE(again.ok());
  CHECK(*again);
}

TEST_CASE("PostgreSQL: a notification reaches every listening instance, after its transaction commits only",
          "[postgres]") {
  PG_OR_SKIP();
  TwoInstances t;
  Inbox inbox;
  auto listening = t.b->listen("gateway_test", [&](const std::string& p) { inbox.add(p); });
  REQUIRE(listening.ok());
  REQUIRE(*listening != nullptr);
  // Rolled back: never sent.
  auto undone = t.a->in_transaction([&]() -> gw::Status {
    REQUIRE(t.a->notify("gateway_test", "undone").ok());
    return gw::Error::invalid("changed my mind");
  });
  CHECK_FALSE(undone.ok());
  REQUIRE(t.a->in_transaction([&]() -> gw::Status { return t.a->notify("gateway_test", "committed"); }).ok());
  REQUIRE(t.a->notify("gateway_test", "plain").ok());
  REQUIRE(inbox.wait_for(2, 5s));
  std::this_thread::sleep_for(100ms);
  std::lock_guard lock(inbox.mu);
  CHECK(inbox.got == std::vector<std::string>{"committed", "plain"});
  CHECK_FALSE(t.a->notify("Bad Topic", "x").ok());
  CHECK_FALSE(t.a->notify("gateway_test", std::string(8000, 'x')).ok());
}

TEST_CASE("PostgreSQL: a listener keeps listening after its connection was cut", "[postgres]") {
  PG_OR_SKIP();
  TwoInstances t;
  Inbox inbox;
  auto listening = t.b->listen("gateway_cut", [&](const std::string& p) { inbox.add(p); });
  REQUIRE(listening.ok());
  auto admin = gw::pg::Connection::connect(t.schema.url());
  REQUIRE(admin.ok());
  // The listener's connection is the one that LISTENs to the topic.
  auto cut = admin->run(
      "SELECT pg_terminate_backend(l.pid) FROM pg_stat_activity l"
      " WHERE l.pid <> pg_backend_pid() AND l.query LIKE 'LISTEN gateway_cut%'");
  REQUIRE(cut.ok());
  CHECK(*cut == 1);
  // Within a few seconds it listens again: a notification sent then arrives.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (inbox.size() == 0 && std::chrono::steady_clock::now() < deadline) {
    REQUIRE(t.a->notify("gateway_cut", "again").ok());
    inbox.wait_for(1, 200ms);
  }
  CHECK(inbox.size() >= 1);
}

TEST_CASE("PostgreSQL: a helpdesk event published on one instance reaches the other's console bus once",
          "[postgres]") {
  PG_OR_SKIP();
  TwoInstances t;
  gw::EventBus bus_a;
  gw::EventBus bus_b;
  gw::EventRelay relay_a(bus_a, *t.a);
  gw::EventRelay relay_b(bus_b, *t.b);
  REQUIRE(relay_a.start().ok());
  REQUIRE(relay_b.start().ok());
  auto seen_a = bus_a.subscribe_queue();
  auto seen_b = bus_b.subscribe_queue();
  const gw::HelpdeskEvent e{"message.inbound", 42, 7, "uk", ""};
  bus_a.publish(e);
  auto got = seen_b->pop(5s);
  REQUIRE(got);
  CHECK(got->type == "message.inbound");
  CHECK(got->conversation_id == 42);
  CHECK(got->handover_id == 7);
  CHECK(got->queue == "uk");
  // A saw its own event once (published locally), never again from the database;
  // B does not send it back.
  REQUIRE(seen_a->pop(1s));
  CHECK_FALSE(seen_a->pop(500ms));
  CHECK_FALSE(seen_b->pop(200ms));
  CHECK(relay_b.received() == 1);
  CHECK(relay_a.received() == 0);
}

TEST_CASE("a relayed helpdesk event is read strictly", "[helpdesk]") {
  gw::HelpdeskEvent e;
  e.type = "handover.transferred";
  e.conversation_id = 3;
  e.handover_id = 4;
  e.queue = "it";
  e.from_queue = "uk";
  auto d = gw::EventRelay::decode(gw::EventRelay::encode(e, "origin-1"));
  REQUIRE(d);
  CHECK(d->origin == "origin-1");
  CHECK(d->event.type == e.type);
  CHECK(d->event.conversation_id == 3);
  CHECK(d->event.handover_id == 4);
  CHECK(d->event.queue == "it");
  CHECK(d->event.from_queue == "uk");
  for (const char* bad : {"", "[]", "not json", R"({"o":"x","t":"a","c":-1,"h":0,"q":""})",
                          R"({"o":"","t":"a","c":1,"h":0,"q":""})", R"({"o":"x","c":1,"h":0,"q":""})",
                          R"({"o":"x","t":"a","c":"1","h":0,"q":""})", R"({"o":"x","t":"a","c":1,"h":0})"}) {
    INFO(bad);
    CHECK_FALSE(gw::EventRelay::decode(bad));
  }
  CHECK_FALSE(gw::EventRelay::decode(std::string(5000, ' ')));
}

TEST_CASE("PostgreSQL: a store whose server connections were cut opens new ones on the next call",
          "[postgres]") {
  PG_OR_SKIP();
  TwoInstances t;
  auto c = t.a->upsert_contact("uk-sms", "+447700900123", t.clock.now());
  REQUIRE(c.ok());
  REQUIRE(t.a->ping().ok());
  auto admin = gw::pg::Connection::connect(t.schema.url());
  REQUIRE(admin.ok());
  // As a restart of the server does to them: every connection of instance A ends.
  auto cut = admin->run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                        "gateway " + t.id_a);
  REQUIRE(cut.ok());
  CHECK(*cut >= 1);
  // The next calls find the connections gone and open new ones (at most one call
  // may still meet a dead one and fail unavailable, as a webhook would get 503).
  int failed = 0;
  for (int i = 0; i < 3; ++i) {
    auto again = t.a->find_contact("uk-sms", "+447700900123");
    if (!again) {
      CHECK(again.error().code == gw::ErrorCode::kUnavailable);
      ++failed;
      continue;
    }
    REQUIRE(again->has_value());
    CHECK((*again)->id == c->id);
  }
  CHECK(failed <= 1);
  CHECK(t.a->ping().ok());
  // B was not touched.
  CHECK(t.b->ping().ok());
}
