// The store's helpdesk methods: the open queue, atomic assignment, transfer,
// closing, service times once, notes encrypted and erased with the person.
#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <latch>
#include <thread>
#include <vector>

#include "tests/store/store_fixture.h"

using namespace std::chrono_literals;

namespace {

struct Fx : gw::testing::StoreFixture {
  explicit Fx(bool in_file = false) : StoreFixture(in_file) {}
  int64_t account(const std::string& name) {
    gw::Account a;
    a.username = name;
    a.password_hash = "x";
    auto id = store->create_account(a);
    REQUIRE(id.ok());
    return *id;
  }
  gw::Handover handover(const std::string& address, const std::string& queue = "general") {
    auto c = contact(address);
    auto conv = conversation(c);
    gw::Handover h;
    h.conversation_id = conv.id;
    h.contact_id = c.id;
    h.queue = queue;
    h.reason = "system.help";
    h.created_at = clock.now();
    auto id = store->create_handover(h);
    REQUIRE(id.ok());
    h.id = *id;
    return h;
  }
};

}  // namespace

TEST_CASE("open handovers are listed oldest first with their queue and operator",
          "[store][helpdesk][contract]") {
  Fx f;
  auto a = f.handover("+447700900001", "general");
  f.clock.advance(1min);
  auto b = f.handover("+447700900002", "urgent");
  const int64_t op = f.account("ana");
  REQUIRE(*f.store->assign_handover(b.id, op, f.clock.now(), false));
  auto open = f.store->list_open_handovers();
  REQUIRE(open.ok());
  REQUIRE(open->size() == 2);
  CHECK((*open)[0].id == a.id);
  CHECK((*open)[0].state == "waiting");
  CHECK((*open)[1].queue == "urgent");
  CHECK((*open)[1].operator_id == op);
  CHECK((*open)[1].reason == "system.help");
  REQUIRE(f.store->close_handover(a.id, op, f.clock.now()).ok());
  CHECK(f.store->list_open_handovers()->size() == 1);
  auto closed = f.store->get_handover(a.id);
  REQUIRE(closed.ok());
  CHECK(closed->state == "closed");
  CHECK(closed->closed_by == op);
  CHECK(closed->closed_at == f.clock.now());
  CHECK(f.store->close_handover(a.id, op, f.clock.now()).error().code == gw::ErrorCode::kNotFound);
  CHECK(f.store->get_handover(9999).error().code == gw::ErrorCode::kNotFound);
}

TEST_CASE("assignment is atomic: of two operators only one gets a waiting handover",
          "[store][helpdesk][contract]") {
  Fx f;
  auto h = f.handover("+447700900001");
  const int64_t ana = f.account("ana"), ben = f.account("ben"), sup = f.account("sue");
  CHECK(*f.store->assign_handover(h.id, ana, f.clock.now(), false));
  CHECK_FALSE(*f.store->assign_handover(h.id, ben, f.clock.now(), false));
  CHECK(f.store->get_handover(h.id)->operator_id == ana);
  // Forcing (a supervisor taking over) moves it; forcing onto the same operator changes nothing.
  CHECK(*f.store->assign_handover(h.id, sup, f.clock.now(), true));
  CHECK_FALSE(*f.store->assign_handover(h.id, sup, f.clock.now(), true));
  CHECK(f.store->get_handover(h.id)->operator_id == sup);
  REQUIRE(f.store->close_handover(h.id, sup, f.clock.now()).ok());
  CHECK_FALSE(*f.store->assign_handover(h.id, ana, f.clock.now(), true));
}

TEST_CASE("assignment is atomic: of eight operators assigning at once exactly one succeeds",
          "[store][helpdesk][contract]") {
  Fx f;
  auto h = f.handover("+447700900001");
  constexpr int kOperators = 8;
  std::vector<int64_t> operators;
  for (int i = 0; i < kOperators; ++i) operators.push_back(f.account("op" + std::to_string(i)));
  std::latch start(kOperators);
  std::atomic<int> won{0}, lost{0}, failed{0};
  std::atomic<int64_t> winner{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kOperators; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      auto r = f.store->assign_handover(h.id, operators[i], f.clock.now(), false);
      if (!r.ok()) {
        ++failed;
      } else if (*r) {
        ++won;
        winner = operators[i];
      } else {
        ++lost;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failed == 0);
  CHECK(won == 1);
  CHECK(lost == kOperators - 1);
  auto got = f.store->get_handover(h.id);
  REQUIRE(got.ok());
  CHECK(got->state == "assigned");
  CHECK(got->operator_id == winner.load());
}

TEST_CASE("a transfer moves a handover to another queue, waiting or to an operator",
          "[store][helpdesk][contract]") {
  Fx f;
  auto h = f.handover("+447700900001");
  const int64_t ana = f.account("ana");
  REQUIRE(f.store->transfer_handover(h.id, "safeguarding", std::nullopt, f.clock.now()).ok());
  auto moved = f.store->get_handover(h.id);
  CHECK(moved->queue == "safeguarding");
  CHECK(moved->state == "waiting");
  CHECK_FALSE(moved->operator_id.has_value());
  f.clock.advance(2min);
  REQUIRE(f.store->transfer_handover(h.id, "urgent", ana, f.clock.now()).ok());
  moved = f.store->get_handover(h.id);
  CHECK(moved->queue == "urgent");
  CHECK(moved->state == "assigned");
  CHECK(moved->operator_id == ana);
  CHECK(moved->assigned_at == f.clock.now());
}

TEST_CASE("the first response and the reassurance are recorded, the first response only once",
          "[store][helpdesk][contract]") {
  Fx f;
  auto h = f.handover("+447700900001");
  const auto first = f.clock.now();
  CHECK(*f.store->set_first_response(h.id, first));
  f.clock.advance(5min);
  CHECK_FALSE(*f.store->set_first_response(h.id, f.clock.now()));
  REQUIRE(f.store->set_reassured(h.id, f.clock.now()).ok());
  auto got = f.store->get_handover(h.id);
  CHECK(got->first_response_at == first);
  CHECK(got->reassured_at == f.clock.now());
}

TEST_CASE("notes are kept encrypted and go when the person is erased", "[store][helpdesk][contract]") {
  Fx f(/*in_file=*/true);
  auto h = f.handover("+447700900001");
  auto other = f.handover("+447700900002");
  const int64_t ana = f.account("ana");
  REQUIRE(
      f.store->add_note(h.conversation_id, h.contact_id, ana, "Needs a Dari speaker", f.clock.now()).ok());
  REQUIRE(
      f.store->add_note(other.conversation_id, other.contact_id, std::nullopt, "second", f.clock.now()).ok());
  auto notes = f.store->list_notes(h.conversation_id);
  REQUIRE(notes->size() == 1);
  CHECK((*notes)[0].body == "Needs a Dari speaker");
  CHECK((*notes)[0].account_id == ana);
  REQUIRE(f.store->close().ok());
  {
    // Not in clear on disk.
    std::ifstream in(f.path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(bytes.find("Dari speaker") == std::string::npos);
  }
  if (f.on_postgres()) {
    // Not in clear in the table: the check raises if any body holds the text.
    CHECK(f.exec_sql("DO $$ BEGIN IF (SELECT COUNT(*) FROM notes) <> 2"
                     " OR EXISTS (SELECT 1 FROM notes WHERE position('Dari speaker'::bytea IN body) > 0)"
                     " THEN RAISE EXCEPTION 'note body in clear'; END IF; END $$")
              .ok());
  }
  f.reopen();
  REQUIRE(f.store->erase_contact(h.contact_id).ok());
  CHECK(f.store->list_notes(h.conversation_id)->empty());
  CHECK(f.store->list_notes(other.conversation_id)->size() == 1);
  REQUIRE(f.store->erase_contact_after_outbox(other.contact_id).ok());
  CHECK(f.store->list_notes(other.conversation_id)->empty());
}

TEST_CASE("recent handover times are the newest handovers first, at most the limit, and outlive a reopening",
          "[store][helpdesk][contract]") {
  Fx f(/*in_file=*/true);
  const int64_t ana = f.account("ana");
  const gw::TimePoint t0 = f.clock.now();
  auto oldest = f.handover("+447700900001");
  f.clock.advance(1min);
  auto answered = f.handover("+447700900002", "urgent");
  REQUIRE(*f.store->assign_handover(answered.id, ana, f.clock.now(), false));
  f.clock.advance(2min);
  REQUIRE(*f.store->set_first_response(answered.id, f.clock.now()));
  f.clock.advance(3min);
  REQUIRE(f.store->close_handover(answered.id, ana, f.clock.now()).ok());
  auto newest = f.handover("+447700900003");
  f.store.reset();  // no close(): as a process that stopped
  f.reopen();

  auto two = f.store->recent_handover_times(2);
  REQUIRE(two.ok());
  REQUIRE(two->size() == 2);
  CHECK((*two)[0].id == newest.id);
  CHECK_FALSE((*two)[0].first_response_at.has_value());
  CHECK_FALSE((*two)[0].closed_at.has_value());
  const gw::HandoverTimes& t = (*two)[1];
  CHECK(t.id == answered.id);
  CHECK(t.queue == "urgent");
  CHECK(t.created_at == t0 + 1min);
  CHECK(t.assigned_at == t0 + 1min);
  CHECK(t.first_response_at == t0 + 3min);
  CHECK(t.closed_at == t0 + 6min);
  CHECK(t.closed_by == ana);

  auto all = f.store->recent_handover_times(10);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  CHECK(all->back().id == oldest.id);
  CHECK(f.store->recent_handover_times(0)->empty());
}
