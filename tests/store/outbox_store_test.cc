#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "gateway/store/store.h"
#include "tests/store/store_fixture.h"

using gw::ErrorCode;
using gw::testing::StoreFixture;
using namespace std::chrono_literals;

namespace {

std::vector<int64_t> message_ids(const std::vector<gw::OutboxItem>& items) {
  std::vector<int64_t> out;
  for (const auto& i : items) out.push_back(i.message_id);
  return out;
}

}  // namespace

TEST_CASE("a claimed outbox item carries the decrypted body and address under a lease", "[store][contract]") {
  StoreFixture f;
  const gw::Contact c = f.contact("+447700900123");
  const gw::Conversation conv = f.conversation(c);
  auto msg_id =
      f.store->enqueue_outbound(f.message(conv, "You have the right to see a doctor."), f.clock.now());
  REQUIRE(msg_id.ok());
  CHECK(*f.store->outbox_depth() == 1);

  auto claimed = f.store->claim_due_outbox("uk-sms", f.clock.now(), 10, 30s);
  REQUIRE(claimed.ok());
  REQUIRE(claimed->size() == 1);
  const gw::OutboxItem& item = (*claimed)[0];
  CHECK(item.message_id == *msg_id);
  CHECK(item.contact_id == c.id);
  CHECK(item.conversation_id == conv.id);
  CHECK(item.body == "You have the right to see a doctor.");
  CHECK(item.address == "+447700900123");
  CHECK(item.state == "sending");
  CHECK(item.attempts == 1);
  CHECK(item.lease_until == f.clock.now() + 30s);
  CHECK(f.store->list_messages(conv.id)->back().status == "sending");

  // Leased: nobody else gets it, on this channel or any other.
  CHECK(f.store->claim_due_outbox("uk-sms", f.clock.now() + 29s, 10, 30s)->empty());
  CHECK(f.store->claim_due_outbox("tg", f.clock.now() + 1h, 10, 30s)->empty());
  CHECK(*f.store->outbox_depth() == 1);

  REQUIRE(f.store->mark_outbox_sent(item.id, "SM1", 1, f.clock.now()).ok());
  CHECK(*f.store->outbox_depth() == 0);
  CHECK(f.store->claim_due_outbox("uk-sms", f.clock.now() + 1h, 10, 30s)->empty());
  CHECK(f.store->mark_outbox_sent(12345, "SM2", 1, f.clock.now()).error().code == ErrorCode::kNotFound);
}

TEST_CASE("an item is not due before not_before", "[store][contract]") {
  StoreFixture f;
  const gw::Conversation conv = f.conversation(f.contact("+447700900123"));
  REQUIRE(f.store->enqueue_outbound(f.message(conv, "later"), f.clock.now() + 10s).ok());
  CHECK(f.store->claim_due_outbox("uk-sms", f.clock.now(), 10, 30s)->empty());
  CHECK(f.store->claim_due_outbox("uk-sms", f.clock.now() + 10s, 10, 30s)->size() == 1);
}

TEST_CASE("an item whose lease expired is claimed again by another worker", "[store][contract]") {
  StoreFixture f;
  const gw::Conversation conv = f.conversation(f.contact("+447700900123"));
  REQUIRE(f.store->enqueue_outbound(f.message(conv, "hi"), f.clock.now()).ok());
  auto first = f.store->claim_due_outbox("uk-sms", f.clock.now(), 10, 30s);
  REQUIRE(first->size() == 1);
  f.clock.advance(30s);  // the first worker died
  auto second = f.store->claim_due_outbox("uk-sms", f.clock.now(), 10, 30s);
  REQUIRE(second.ok());
  REQUIRE(second->size() == 1);
  CHECK((*second)[0].id == (*first)[0].id);
  CHECK((*second)[0].attempts == 2);
  CHECK((*second)[0].lease_until == f.clock.now() + 30s);
}

TEST_CASE("outbox keeps the order within a conversation and interleaves conversations", "[store][contract]") {
  StoreFixture f;
  const gw::Conversation a = f.conversation(f.contact("+447700900001"));
  const gw::Conversation b = f.conversation(f.contact("+447700900002"));
  const int64_t a1 = *f.store->enqueue_outbound(f.message(a, "a1"), f.clock.now());
  const int64_t a2 = *f.store->enqueue_outbound(f.message(a, "a2"), f.clock.now());
  const int64_t b1 = *f.store->enqueue_outbound(f.message(b, "b1"), f.clock.now());
  const int64_t a3 = *f.store->enqueue_outbound(f.message(a, "a3"), f.clock.now());
  CHECK(*f.store->outbox_depth() == 4);

  // One in flight per conversation: a1 and b1, never a2 before a1 is done.
  auto round1 = f.store->claim_due_outbox("uk-sms", f.clock.now(), 10, 30s);
  REQUIRE(round1.ok());
  CHECK(message_ids(*round1) == std::vector<int64_t>{a1, b1});
  CHECK(f.store->claim_due_outbox("uk-sms", f.clock.now(), 10, 30s)->empty());

  // a1 must be retried later: a2 still waits behind it.
  const int64_t a1_outbox = (*round1)[0].id;
  REQUIRE(f.store->mark_outbox_retry(a1_outbox, f.clock.now() + 5s, "HTTP 503", f.clock.now()).ok());
  CHECK(f.store->claim_due_outbox("uk-sms", f.clock.now(), 10, 30s)->empty());
  f.clock.advance(5s);
  auto round2 = f.store->claim_due_outbox("uk-sms", f.clock.now(), 10, 30s);
  CHECK(message_ids(*round2) == std::vector<int64_t>{a1});
  CHECK((*round2)[0].attempts == 2);
  CHECK((*round2)[0].last_error == "HTTP 503");
  CHECK((*round1)[1].last_error.empty());
  REQUIRE(f.store->mark_outbox_sent(a1_outbox, "SMa1", 1, f.clock.now()).ok());

  // Now a2; after a2 fails for good, a3 may go.
  auto round3 = f.store->claim_due_outbox("uk-sms", f.clock.now(), 10, 30s);
  CHECK(message_ids(*round3) == std::vector<int64_t>{a2});
  REQUIRE(f.store->mark_outbox_failed((*round3)[0].id, 21610, "unsubscribed recipient", f.clock.now()).ok());
  auto round4 = f.store->claim_due_outbox("uk-sms", f.clock.now(), 1, 30s);
  CHECK(message_ids(*round4) == std::vector<int64_t>{a3});
  CHECK(*f.store->outbox_depth() == 2);  // b1 and a3 are sending

  auto msgs = f.store->list_messages(a.id);
  REQUIRE(msgs->size() == 3);
  CHECK((*msgs)[0].status == "sent");
  CHECK((*msgs)[1].status == "failed");
  CHECK((*msgs)[1].error_code == std::optional<int>(21610));
  CHECK((*msgs)[2].status == "sending");
}

TEST_CASE("claim respects the limit and a late retry does not undo a send", "[store][contract]") {
  StoreFixture f;
  for (int i = 0; i < 5; ++i) {
    const gw::Conversation conv = f.conversation(f.contact("+44770090010" + std::to_string(i)));
    REQUIRE(f.store->enqueue_outbound(f.message(conv, "m"), f.clock.now()).ok());
  }
  auto first = f.store->claim_due_outbox("uk-sms", f.clock.now(), 2, 30s);
  REQUIRE(first->size() == 2);
  CHECK(f.store->claim_due_outbox("uk-sms", f.clock.now(), 0, 30s)->empty());
  CHECK(f.store->claim_due_outbox("uk-sms", f.clock.now(), 10, 30s)->size() == 3);

  const int64_t id = (*first)[0].id;
  REQUIRE(f.store->mark_outbox_sent(id, "SM1", 1, f.clock.now()).ok());
  REQUIRE(f.store->mark_outbox_retry(id, f.clock.now(), "timeout", f.clock.now()).ok());
  REQUIRE(f.store->mark_outbox_failed(id, std::nullopt, "late", f.clock.now()).ok());
  CHECK(*f.store->outbox_depth() == 4);
  CHECK(f.store->claim_due_outbox("uk-sms", f.clock.now() + 1h, 10, 30s)->size() == 4);
  CHECK(f.store->mark_outbox_retry(999, f.clock.now(), "x", f.clock.now()).error().code ==
        ErrorCode::kNotFound);
  CHECK(f.store->mark_outbox_failed(999, 1, "x", f.clock.now()).error().code == ErrorCode::kNotFound);
}

TEST_CASE("an item that cannot be decrypted is failed instead of blocking its conversation",
          "[store][contract]") {
  StoreFixture f(/*in_file=*/true);
  const gw::Conversation conv = f.conversation(f.contact("+447700900123"));
  REQUIRE(f.store->enqueue_outbound(f.message(conv, "old key"), f.clock.now()).ok());
  // Reopen with a different key set: the stored values are unreadable.
  f.crypto = gw::testing::make_test_crypto();
  f.reopen();
  auto claimed = f.store->claim_due_outbox("uk-sms", f.clock.now(), 10, 30s);
  REQUIRE(claimed.ok());
  CHECK(claimed->empty());
  CHECK(*f.store->outbox_depth() == 0);
}

TEST_CASE("workers claiming at the same time never get the same item", "[store][contract]") {
  StoreFixture f(/*in_file=*/true);
  constexpr int kItems = 60;
  for (int i = 0; i < kItems; ++i) {
    const gw::Conversation conv = f.conversation(f.contact("+4477009" + std::to_string(10000 + i)));
    REQUIRE(f.store->enqueue_outbound(f.message(conv, "m"), f.clock.now()).ok());
  }
  std::mutex mu;
  std::multiset<int64_t> seen;
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      for (;;) {
        auto batch = f.store->claim_due_outbox("uk-sms", f.clock.now(), 3, 60s);
        if (!batch.ok() || batch->empty()) return;
        for (const auto& item : *batch) {
          (void)f.store->mark_outbox_sent(item.id, "SM" + std::to_string(item.id), 1, f.clock.now());
          std::lock_guard<std::mutex> lock(mu);
          seen.insert(item.id);
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  CHECK(seen.size() == kItems);
  CHECK(std::set<int64_t>(seen.begin(), seen.end()).size() == kItems);
  CHECK(*f.store->outbox_depth() == 0);
}

TEST_CASE("two stores claiming at once never share an item and keep each conversation's order",
          "[store][contract]") {
  // Given 200 replies in 20 conversations, queued interleaved; then workers on
  // two stores of one database (on PostgreSQL: two instances with ids of their
  // own; SQLite has one store) claim and send them all: every item is claimed
  // exactly once, no conversation ever has two items in flight, and each
  // conversation's items are claimed in the order they were queued.
  StoreFixture f;
  constexpr int kConversations = 20;
  constexpr int kItems = 200;
  std::vector<gw::Conversation> convs;
  for (int i = 0; i < kConversations; ++i) {
    convs.push_back(f.conversation(f.contact("+4477009" + std::to_string(20000 + i))));
  }
  std::map<int64_t, std::vector<int64_t>> queued;  // conversation -> message ids in queue order
  for (int i = 0; i < kItems; ++i) {
    const gw::Conversation& conv = convs[static_cast<size_t>(i % kConversations)];
    auto id = f.store->enqueue_outbound(f.message(conv, "m" + std::to_string(i)), f.clock.now());
    REQUIRE(id.ok());
    queued[conv.id].push_back(*id);
  }

  std::vector<gw::Store*> stores{f.store.get()};
  std::unique_ptr<gw::Store> second;
  if (f.on_postgres()) {
    gw::PostgresOptions options;
    options.url = f.pg->url();
    options.instance_id = "second-instance";
    auto opened = gw::open_postgres_store(options, f.crypto, f.clock);
    REQUIRE(opened.ok());
    second = std::move(*opened);
    stores.push_back(second.get());
  }

  std::mutex mu;
  std::multiset<int64_t> seen;
  std::map<int64_t, std::vector<int64_t>> claimed;  // conversation -> message ids in claim order
  std::set<int64_t> in_flight;                      // conversations with an item claimed, not yet sent
  int overlaps = 0;
  int errors = 0;
  std::vector<std::thread> workers;
  for (gw::Store* store : stores) {
    for (int w = 0; w < 2; ++w) {
      workers.emplace_back([&, store] {
        for (;;) {
          auto batch = store->claim_due_outbox("uk-sms", f.clock.now(), 4, 60s);
          if (!batch.ok()) {
            std::lock_guard<std::mutex> lock(mu);
            ++errors;
            return;
          }
          if (batch->empty()) {
            // Nothing claimable: done once nothing is queued or in flight anywhere.
            auto depth = store->outbox_depth();
            if (!depth.ok() || *depth == 0) return;
            {
              std::lock_guard<std::mutex> lock(mu);
              if (errors > 0) return;  // a failed send stays leased: never done
            }
            std::this_thread::yield();
            continue;
          }
          {
            std::lock_guard<std::mutex> lock(mu);
            for (const auto& item : *batch) {
              seen.insert(item.id);
              claimed[item.conversation_id].push_back(item.message_id);
              if (!in_flight.insert(item.conversation_id).second) ++overlaps;
            }
          }
          for (const auto& item : *batch) {
            {
              // Out of flight before the send is recorded: the next item of
              // the conversation cannot be claimed before that.
              std::lock_guard<std::mutex> lock(mu);
              in_flight.erase(item.conversation_id);
            }
            if (!store->mark_outbox_sent(item.id, "SM" + std::to_string(item.id), 1, f.clock.now()).ok()) {
              std::lock_guard<std::mutex> lock(mu);
              ++errors;
            }
          }
        }
      });
    }
  }
  for (auto& t : workers) t.join();
  CHECK(errors == 0);
  CHECK(overlaps == 0);
  CHECK(seen.size() == static_cast<size_t>(kItems));
  CHECK(std::set<int64_t>(seen.begin(), seen.end()).size() == static_cast<size_t>(kItems));
  CHECK(claimed == queued);
  CHECK(*f.store->outbox_depth() == 0);
}
