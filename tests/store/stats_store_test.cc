// The statistics' counters in the store: they add up, never go below zero,
// move with the transaction of the event they count, and outlive every
// erasure — they hold nothing that leads back to a person.
#include <catch2/catch.hpp>

#include "tests/store/store_fixture.h"

namespace {

gw::StatCount change(const std::string& week, const std::string& metric, const std::string& value,
                     int64_t delta = 1, const std::string& country = "GB") {
  return gw::StatCount{week, country, metric, value, delta};
}

int64_t count_of(gw::Store& store, const std::string& week, const std::string& metric,
                 const std::string& value, const std::string& country = "GB") {
  auto all = store.read_stats(week, week);
  REQUIRE(all.ok());
  for (const gw::StatCount& c : *all) {
    if (c.metric == metric && c.value == value && c.country == country) return c.count;
  }
  return 0;
}

}  // namespace

TEST_CASE("statistics counters add up per week, country, metric and value and never go below zero",
          "[store][stats][contract]") {
  gw::testing::StoreFixture f;
  REQUIRE(f.store
              ->add_stats({change("2026-W49", "consent", "given"), change("2026-W49", "consent", "given"),
                           change("2026-W49", "consent", "declined"),
                           change("2026-W49", "consent", "given", 1, "IT"),
                           change("2026-W50", "consent", "given")})
              .ok());
  CHECK(count_of(*f.store, "2026-W49", "consent", "given") == 2);
  CHECK(count_of(*f.store, "2026-W49", "consent", "given", "IT") == 1);
  CHECK(count_of(*f.store, "2026-W49", "consent", "declined") == 1);
  CHECK(count_of(*f.store, "2026-W50", "consent", "given") == 1);

  // A move takes one away; a counter stops at zero and a zero is not read back.
  REQUIRE(f.store->add_stats({change("2026-W49", "consent", "declined", -3)}).ok());
  CHECK(count_of(*f.store, "2026-W49", "consent", "declined") == 0);
  auto week = f.store->read_stats("2026-W49", "2026-W49");
  REQUIRE(week.ok());
  CHECK(week->size() == 2);
  for (const gw::StatCount& c : *week) CHECK(c.count > 0);

  // The period is inclusive at both ends and compared as ISO weeks.
  auto both = f.store->read_stats("2026-W49", "2026-W50");
  REQUIRE(both.ok());
  CHECK(both->size() == 3);
  auto none = f.store->read_stats("2026-W51", "2027-W02");
  REQUIRE(none.ok());
  CHECK(none->empty());

  // Empty fields are refused, and nothing of the batch is kept.
  auto refused = f.store->add_stats({change("2026-W49", "consent", "given"), change("2026-W49", "", "x")});
  CHECK(refused.error().code == gw::ErrorCode::kInvalidArgument);
  CHECK(count_of(*f.store, "2026-W49", "consent", "given") == 2);
}

TEST_CASE("a statistics counter moves with its event's transaction: a rolled-back event counts nothing",
          "[store][stats][contract]") {
  gw::testing::StoreFixture f(/*in_file=*/true);
  const gw::Contact c = f.contact("+447700900123");
  const gw::Conversation conv = f.conversation(c);
  // The event and its count fail together ...
  gw::Status undone = f.store->in_transaction([&]() -> gw::Status {
    if (gw::Status s = f.store->add_stats({change("2026-W49", "requests", "opt_out")}); !s) return s;
    if (gw::Status s = f.store->mark_contact_opted_out(c.id, f.clock.now()); !s) return s;
    return gw::Error::internal("the event failed after it was counted");
  });
  CHECK_FALSE(undone.ok());
  CHECK(count_of(*f.store, "2026-W49", "requests", "opt_out") == 0);
  auto contact = f.store->get_contact(c.id);
  REQUIRE(contact.ok());
  CHECK_FALSE(contact->opted_out);
  // ... and are kept together.
  REQUIRE(f.store
              ->in_transaction([&]() -> gw::Status {
                if (gw::Status s = f.store->add_stats({change("2026-W49", "requests", "opt_out")}); !s)
                  return s;
                return f.store->mark_contact_opted_out(c.id, f.clock.now());
              })
              .ok());
  f.reopen();  // durable, read from the file again
  CHECK(count_of(*f.store, "2026-W49", "requests", "opt_out") == 1);

  // Where a conversation's start was counted is kept on the conversation.
  REQUIRE(f.store->set_conversation_stats(conv.id, "GB", "ar").ok());
  auto read = f.store->get_conversation(conv.id);
  REQUIRE(read.ok());
  CHECK(read->stat_country == "GB");
  CHECK(read->stat_language == "ar");
  auto again = f.store->open_or_get_conversation(c.id, c.channel_id, f.clock.now());
  REQUIRE(again.ok());
  CHECK(again->stat_language == "ar");
  CHECK(f.store->get_conversation(conv.id + 99).error().code == gw::ErrorCode::kNotFound);
  CHECK(f.store->set_conversation_stats(conv.id + 99, "GB", "ar").error().code == gw::ErrorCode::kNotFound);
}

TEST_CASE("erasing a person leaves every statistics counter as it was", "[store][stats][contract]") {
  gw::testing::StoreFixture f;
  const gw::Contact a = f.contact("+447700900123");
  const gw::Contact b = f.contact("+447700900456");
  const gw::Conversation conv = f.conversation(a);
  REQUIRE(f.store->set_conversation_stats(conv.id, "GB", "fa").ok());
  REQUIRE(f.store
              ->add_stats({change("2026-W49", "conversations.language", "fa"),
                           change("2026-W49", "consent", "given"), change("2026-W49", "requests", "erasure")})
              .ok());
  auto before = f.store->read_stats("2000-W01", "2999-W52");
  REQUIRE(before.ok());
  REQUIRE(f.store->erase_contact(a.id).ok());
  REQUIRE(f.store->erase_contact_after_outbox(b.id).ok());
  REQUIRE(f.store->erase_idle_contacts(f.clock.now() + std::chrono::hours(1), f.clock.now()).ok());
  auto after = f.store->read_stats("2000-W01", "2999-W52");
  REQUIRE(after.ok());
  CHECK(*after == *before);
  CHECK(after->size() == 3);
}
