// Login throttling shared by several instances on one PostgreSQL database:
// LoginThrottle over each instance's store (shared_login_throttle_table) counts
// the attempts made through the other, so an account gets its free failures
// once, and the address and global budgets hold across instances. Skipped
// unless GATEWAY_TEST_PG_URL names a database (scripts/pg-test-cluster.sh).
// The SQLite store keeps no counts: LoginThrottle stays in memory there.
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/security/login_throttle.h"
#include "gateway/store/login_throttle_table.h"
#include "gateway/store/postgres/pg_connection.h"
#include "tests/store/store_fixture.h"
#include "tests/support/login_attempts.h"
#include "tests/support/pg_test_db.h"

using gw::LoginThrottle;
using gw::Millis;
using gw::testing::fail_times;
using gw::testing::succeeds;
using namespace std::chrono_literals;

namespace {

// Two instances on one schema, each with its LoginThrottle over its own store.
struct TwoInstances : gw::testing::TwoPgStores {
  std::unique_ptr<gw::LoginThrottleTable> table_a;
  std::unique_ptr<gw::LoginThrottleTable> table_b;
  std::unique_ptr<LoginThrottle> ta;
  std::unique_ptr<LoginThrottle> tb;
  explicit TwoInstances(gw::LoginThrottleOptions options = {}) {
    table_a = gw::shared_login_throttle_table(*a);
    table_b = gw::shared_login_throttle_table(*b);
    REQUIRE(table_a);
    REQUIRE(table_b);
    ta = std::make_unique<LoginThrottle>(clock, table_a.get(), options);
    tb = std::make_unique<LoginThrottle>(clock, table_b.get(), options);
  }
  // Rows of `table` in the schema, read directly.
  int64_t rows(const std::string& table) {
    auto c = gw::pg::Connection::connect(schema.url());
    REQUIRE(c.ok());
    auto n =
        c->query_one("SELECT count(*) FROM " + table, [](const gw::pg::PgRow& row) { return row.int64(0); });
    REQUIRE(n.ok());
    return n->value_or(-1);
  }
};

}  // namespace

TEST_CASE("PostgreSQL: an account gets its five free failures once across two instances, then waits on both",
          "[postgres]") {
  GW_PG_OR_SKIP();
  TwoInstances t;
  for (int i = 0; i < 5; ++i) {
    LoginThrottle& on = i % 2 == 0 ? *t.ta : *t.tb;
    CHECK(fail_times(on, i % 2 == 0 ? "Amina" : "amina", "10.0.0." + std::to_string(i), 1) == 1);
  }
  auto refused_a = t.ta->begin("amina", "10.0.1.1");
  auto refused_b = t.tb->begin("AMINA", "10.0.1.2");
  REQUIRE_FALSE(refused_a);
  REQUIRE_FALSE(refused_b);
  CHECK(refused_b.refused_by() == std::string("account"));
  CHECK(refused_b.retry_after() == Millis(1000));
  // The delay doubles whichever instance the next failure goes through.
  t.clock.advance(1s);
  CHECK(fail_times(*t.tb, "amina", "10.0.1.2", 1) == 1);
  auto twice = t.ta->begin("amina", "10.0.1.1");
  REQUIRE_FALSE(twice);
  CHECK(twice.retry_after() == Millis(2000));
  // The right password through A starts afresh on B.
  t.clock.advance(2s);
  CHECK(succeeds(*t.ta, "amina", "10.0.1.1"));
  CHECK(fail_times(*t.tb, "amina", "10.0.1.2", 5) == 5);
}

TEST_CASE("PostgreSQL: of 20 attempts at one account in flight at once on two instances five are admitted",
          "[postgres]") {
  GW_PG_OR_SKIP();
  TwoInstances t;
  std::mutex mu;
  std::vector<LoginThrottle::Attempt> admitted;
  int refused = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&, i] {
      LoginThrottle& on = i % 2 == 0 ? *t.ta : *t.tb;
      auto a = on.begin("amina", "10.0.0." + std::to_string(i));
      std::lock_guard<std::mutex> lock(mu);
      if (a)
        admitted.push_back(std::move(a));
      else
        ++refused;
    });
  }
  for (auto& th : threads) th.join();
  CHECK(admitted.size() == 5);
  CHECK(refused == 15);
  for (auto& a : admitted) a.failed();
  auto next = t.tb->begin("amina", "10.0.0.99");
  CHECK_FALSE(next);
  CHECK(next.retry_after() == Millis(1000));
}

TEST_CASE("PostgreSQL: an address's budget and the global budget count the failures of both instances",
          "[postgres]") {
  GW_PG_OR_SKIP();
  gw::LoginThrottleOptions options;
  options.global_failures_per_minute = 15;
  TwoInstances t(options);
  // Ten failures a minute from one address, for ten different usernames, half through each instance.
  for (int i = 0; i < 10; ++i)
    CHECK(fail_times(i % 2 == 0 ? *t.ta : *t.tb, "user" + std::to_string(i), "192.0.2.1", 1) == 1);
  auto by_address = t.ta->begin("someone", "192.0.2.1");
  REQUIRE_FALSE(by_address);
  CHECK(by_address.refused_by() == std::string("address"));
  CHECK(by_address.retry_after() == Millis(6000));
  // Five more elsewhere (spread over addresses) make fifteen in the minute: the global guard.
  for (int i = 0; i < 5; ++i)
    CHECK(fail_times(i % 2 == 0 ? *t.tb : *t.ta, "other" + std::to_string(i),
                     "198.51.100." + std::to_string(i), 1) == 1);
  auto global = t.tb->begin("newcomer", "203.0.113.7");
  REQUIRE_FALSE(global);
  CHECK(global.refused_by() == std::string("global"));
  t.clock.advance(61s);
  CHECK(succeeds(*t.tb, "newcomer", "203.0.113.7"));
}

TEST_CASE("PostgreSQL: a login that worked through one instance is known good at that address on the other",
          "[postgres]") {
  GW_PG_OR_SKIP();
  TwoInstances t;
  CHECK(succeeds(*t.ta, "amina", "192.0.2.1"));
  // An attack from the same address (a shared proxy) spends its budget through B.
  int admitted = 0;
  for (int i = 0; i < 12; ++i) admitted += fail_times(*t.tb, "mallory" + std::to_string(i), "192.0.2.1", 1);
  CHECK(admitted == 10);
  CHECK_FALSE(t.tb->begin("ben", "192.0.2.1"));
  // Amina, known good there, is not held back by the address's budget on either instance.
  CHECK(succeeds(*t.tb, "amina", "192.0.2.1"));
  CHECK(succeeds(*t.ta, "Amina", "192.0.2.1"));
}

TEST_CASE("PostgreSQL: an attempt left in flight by a stopped instance holds the account at most the lease",
          "[postgres]") {
  GW_PG_OR_SKIP();
  TwoInstances t;
  // Five attempts begun through A, whose process ended before they did.
  REQUIRE(t.table_a->update("amina", "", t.clock.now(), [&](const gw::LoginThrottleView&) {
    gw::LoginThrottleChange c;
    gw::LoginAccountCounts counts;
    counts.in_flight = 5;
    counts.in_flight_until = t.clock.now() + LoginThrottle::kInFlightLease;
    c.account = counts;
    return c;
  }));
  auto refused = t.tb->begin("amina", "10.0.0.1");
  REQUIRE_FALSE(refused);
  CHECK(refused.refused_by() == std::string("account"));
  t.clock.advance(LoginThrottle::kInFlightLease);
  CHECK(succeeds(*t.tb, "amina", "10.0.0.1"));
}

TEST_CASE("PostgreSQL: login counts keep no username or address in clear, and stale ones are dropped",
          "[postgres]") {
  GW_PG_OR_SKIP();
  TwoInstances t;
  CHECK(fail_times(*t.ta, "amina-unique-name", "192.0.2.77", 2) == 2);
  CHECK(succeeds(*t.tb, "ben", "192.0.2.78"));
  CHECK(t.rows("login_accounts") == 1);  // ben's went with his success
  CHECK(t.rows("login_addresses") == 2);
  CHECK(t.rows("login_failures") == 1);
  CHECK(t.rows("login_known_good") == 1);
  {
    auto c = gw::pg::Connection::connect(t.schema.url());
    REQUIRE(c.ok());
    auto clear = c->query_one(
        "SELECT count(*) FROM login_accounts a, login_addresses d, login_known_good g"
        " WHERE position(convert_to('amina', 'UTF8') in a.key) > 0"
        " OR position(convert_to('192.0.2', 'UTF8') in d.key) > 0"
        " OR position(convert_to('ben', 'UTF8') in g.pair) > 0",
        [](const gw::pg::PgRow& row) { return row.int64(0); });
    REQUIRE(clear.ok());
    CHECK(clear->value_or(-1) == 0);
  }
  // After the quiet time, the next attempt (at most once a minute) drops what
  // can no longer change a decision; the known-good mark stays its 30 days.
  t.clock.advance(16min);
  CHECK(succeeds(*t.ta, "carol", ""));
  t.clock.advance(2min);
  CHECK(succeeds(*t.ta, "carol", ""));
  CHECK(t.rows("login_accounts") == 0);
  CHECK(t.rows("login_addresses") == 0);
  CHECK(t.rows("login_failures") == 0);
  CHECK(t.rows("login_known_good") == 1);
}
