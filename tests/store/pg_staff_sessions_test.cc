// Staff login sessions shared by several instances on one PostgreSQL database:
// StaffSessions over each instance's store (shared_staff_session_table) sees the
// sessions made, ended and expired through the other. Skipped unless
// GATEWAY_TEST_PG_URL names a database (scripts/pg-test-cluster.sh). The SQLite
// store keeps no sessions: StaffSessions stays in memory there.
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "gateway/core/digest.h"
#include "gateway/security/staff_sessions.h"
#include "gateway/store/postgres/pg_connection.h"
#include "gateway/store/postgres/pg_store.h"
#include "gateway/store/sqlite/sqlite_store.h"
#include "gateway/store/staff_session_table.h"
#include "tests/store/store_fixture.h"
#include "tests/support/pg_test_db.h"

using namespace std::chrono_literals;

namespace {

#define PG_OR_SKIP() GW_PG_OR_SKIP()

// Two instances on one schema, each with its StaffSessions over its own store.
struct TwoInstances : gw::testing::TwoPgStores {
  std::unique_ptr<gw::SharedStaffSessionTable> table_a;
  std::unique_ptr<gw::SharedStaffSessionTable> table_b;
  std::unique_ptr<gw::StaffSessions> sa;
  std::unique_ptr<gw::StaffSessions> sb;
  TwoInstances() {
    table_a = gw::shared_staff_session_table(*a);
    table_b = gw::shared_staff_session_table(*b);
    REQUIRE(table_a);
    REQUIRE(table_b);
    sa = std::make_unique<gw::StaffSessions>(clock, table_a.get());
    sb = std::make_unique<gw::StaffSessions>(clock, table_b.get());
  }
  int64_t account(const std::string& username) {
    gw::Account acc;
    acc.username = username;
    acc.password_hash = "$argon2id$x";
    acc.role = "operator";
    auto id = a->create_account(acc);
    INFO((id.ok() ? std::string() : id.error().to_string()));
    REQUIRE(id.ok());
    return *id;
  }
};

}  // namespace

TEST_CASE("PostgreSQL: a staff session made through one instance is recognised and ended by the other",
          "[postgres]") {
  PG_OR_SKIP();
  TwoInstances t;
  const int64_t id = t.account("amina");
  gw::NewStaffSession s = t.sa->create(id, "amina", "operator", "cred-1");
  REQUIRE(!s.token.empty());

  auto on_b = t.sb->touch(s.token);
  REQUIRE(on_b);
  CHECK(on_b->account_id == id);
  CHECK(on_b->username == "amina");
  CHECK(on_b->role == "operator");
  CHECK(on_b->credential == "cred-1");
  CHECK(on_b->csrf_token == s.session.csrf_token);
  CHECK(on_b->created_at == s.session.created_at);
  REQUIRE(t.sb->peek(s.token));
  CHECK_FALSE(t.sb->touch(s.token + "x"));
  CHECK(t.sb->size() == 1);

  // Logged out through A: gone on B.
  CHECK(t.sa->remove(s.token));
  CHECK_FALSE(t.sb->touch(s.token));
  CHECK_FALSE(t.sb->peek(s.token));
  CHECK_FALSE(t.sb->remove(s.token));
  CHECK(t.sb->size() == 0);
}

TEST_CASE("PostgreSQL: ending an account's staff sessions on one instance ends them on every instance",
          "[postgres]") {
  PG_OR_SKIP();
  TwoInstances t;
  const int64_t amina = t.account("amina");
  const int64_t ben = t.account("ben");
  gw::NewStaffSession on_a1 = t.sa->create(amina, "amina", "operator");
  gw::NewStaffSession on_a2 = t.sa->create(amina, "amina", "operator");
  gw::NewStaffSession kept = t.sb->create(amina, "amina", "operator");
  gw::NewStaffSession bens = t.sa->create(ben, "ben", "operator");

  CHECK(t.sb->end_for_account(amina, kept.token) == 2);
  CHECK_FALSE(t.sa->touch(on_a1.token));
  CHECK_FALSE(t.sa->touch(on_a2.token));
  CHECK(t.sa->touch(kept.token));
  CHECK(t.sa->touch(bens.token));

  // Without a token to keep (a disabled account): every one of them ends.
  CHECK(t.sb->end_for_account(amina) == 1);
  CHECK_FALSE(t.sa->peek(kept.token));
  CHECK(t.sa->peek(bens.token));
}

TEST_CASE("PostgreSQL: shared staff sessions expire on both instances, idle and absolute", "[postgres]") {
  PG_OR_SKIP();
  TwoInstances t;
  const int64_t id = t.account("amina");
  gw::NewStaffSession s = t.sa->create(id, "amina", "operator");
  const auto idle = t.sa->options().idle_timeout;

  // Use through B keeps it alive for A.
  t.clock.advance(idle - 1min);
  REQUIRE(t.sb->touch(s.token));
  t.clock.advance(idle - 1min);
  REQUIRE(t.sa->touch(s.token));
  // Unused for the idle timeout: gone on both, and its row deleted.
  t.clock.advance(idle);
  CHECK_FALSE(t.sb->peek(s.token));
  CHECK_FALSE(t.sb->touch(s.token));
  CHECK_FALSE(t.sa->touch(s.token));
  auto row = t.a->get_staff_session(gw::sha256(s.token));
  REQUIRE(row.ok());
  CHECK_FALSE(row->has_value());

  // In constant use, it still ends at the absolute timeout.
  gw::NewStaffSession busy = t.sb->create(id, "amina", "operator");
  const auto absolute = t.sb->options().absolute_timeout;
  gw::Millis used{0};
  while (used + 20min < absolute) {
    t.clock.advance(20min);
    used += 20min;
    REQUIRE(((used / 20min) % 2 == 0 ? t.sa : t.sb)->touch(busy.token));
  }
  t.clock.advance(absolute - used);
  CHECK_FALSE(t.sa->peek(busy.token));
  CHECK_FALSE(t.sb->touch(busy.token));
}

TEST_CASE("PostgreSQL: touching a shared staff session writes last_seen at most once a minute",
          "[postgres]") {
  PG_OR_SKIP();
  TwoInstances t;
  const int64_t id = t.account("amina");
  gw::NewStaffSession s = t.sa->create(id, "amina", "operator");
  const std::string key = gw::sha256(s.token);
  auto stored_last_seen = [&] {
    auto row = t.b->get_staff_session(key);
    REQUIRE(row.ok());
    REQUIRE(row->has_value());
    return (*row)->last_seen;
  };
  const gw::TimePoint start = s.session.last_seen;

  t.clock.advance(30s);
  auto touched = t.sa->touch(s.token);
  REQUIRE(touched);
  CHECK(touched->last_seen == start + 30s);  // the caller sees the use
  CHECK(stored_last_seen() == start);        // the database is spared
  t.clock.advance(30s);
  REQUIRE(t.sb->touch(s.token));
  CHECK(stored_last_seen() == start + 60s);
  t.clock.advance(59s);
  REQUIRE(t.sa->touch(s.token));
  CHECK(stored_last_seen() == start + 60s);
  // peek() is not use.
  t.clock.advance(5min);
  REQUIRE(t.sa->peek(s.token));
  CHECK(stored_last_seen() == start + 60s);
}

TEST_CASE("PostgreSQL: the accounts online are those with live sessions made on either instance",
          "[postgres]") {
  PG_OR_SKIP();
  TwoInstances t;
  const int64_t amina = t.account("amina");
  const int64_t ben = t.account("ben");
  const int64_t chen = t.account("chen");
  t.sb->create(chen, "chen", "operator");
  t.clock.advance(20min);
  t.sa->create(ben, "ben", "operator");
  t.sb->create(amina, "amina", "operator");
  t.sa->create(amina, "amina", "operator");
  CHECK(t.sa->active_accounts() == std::vector<int64_t>{amina, ben, chen});
  CHECK(t.sb->active_accounts() == std::vector<int64_t>{amina, ben, chen});
  CHECK(t.sb->size() == 4);
  // chen's session, unused for 30 minutes, no longer counts.
  t.clock.advance(10min);
  CHECK(t.sb->active_accounts() == std::vector<int64_t>{amina, ben});
  CHECK(t.sa->size() == 3);
  // A new login drops expired rows, so abandoned ones do not pile up.
  t.sa->create(ben, "ben", "operator");
  auto conn = gw::pg::Connection::connect(t.schema.url());
  REQUIRE(conn.ok());
  auto n = conn->query_one(
      "SELECT count(*) FROM staff_sessions WHERE account_id = $1",
      [](const gw::pg::PgRow& row) { return row.int64(0); }, chen);
  REQUIRE(n.ok());
  CHECK(**n == 0);
}

TEST_CASE("PostgreSQL: a stored staff session holds neither its token nor its CSRF token in clear",
          "[postgres]") {
  PG_OR_SKIP();
  TwoInstances t;
  const int64_t id = t.account("amina");
  gw::NewStaffSession s = t.sa->create(id, "amina", "operator", "cred-1");
  auto conn = gw::pg::Connection::connect(t.schema.url());
  REQUIRE(conn.ok());
  struct Row {
    std::string token_hash, csrf, all_text;
  };
  auto row = conn->query_one("SELECT token_hash, csrf_token, s::text FROM staff_sessions s",
                             [](const gw::pg::PgRow& r) {
                               return Row{r.bytes(0), r.bytes(1), r.text(2)};
                             });
  REQUIRE(row.ok());
  REQUIRE(row->has_value());
  const Row& r = **row;
  CHECK(r.token_hash == gw::sha256(s.token));
  CHECK(r.csrf.find(s.session.csrf_token) == std::string::npos);
  CHECK(r.csrf != s.session.csrf_token);
  CHECK(r.all_text.find(s.token) == std::string::npos);
  CHECK(r.all_text.find(s.session.csrf_token) == std::string::npos);
  CHECK(r.all_text.find("cred-1") != std::string::npos);  // the row was read whole

  // The CSRF token is sealed for this column: the same bytes do not open as another.
  auto opened = t.crypto.decrypt(r.csrf, "staff_sessions.csrf_token");
  REQUIRE(opened.ok());
  CHECK(*opened == s.session.csrf_token);
  CHECK_FALSE(t.crypto.decrypt(r.csrf, "notes.body").ok());
}

TEST_CASE("PostgreSQL: a staff session of an unknown account is refused, and a key must be a SHA-256",
          "[postgres]") {
  PG_OR_SKIP();
  TwoInstances t;
  gw::StaffSessionRecord r;
  r.token_hash = gw::sha256("token");
  r.account_id = 999;
  r.username = "ghost";
  r.role = "operator";
  r.csrf_token = "csrf";
  gw::Status st = t.a->put_staff_session(r);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == gw::ErrorCode::kNotFound);
  // Through StaffSessions, the failure gives no token to hand out.
  CHECK(t.sa->create(999, "ghost", "operator").token.empty());

  r.account_id = t.account("amina");
  r.token_hash = "short";
  st = t.a->put_staff_session(r);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == gw::ErrorCode::kInvalidArgument);
}

TEST_CASE("The SQLite store keeps no staff sessions, so StaffSessions stays in memory") {
  gw::testing::FakeClock clock;
  gw::Crypto crypto = gw::testing::make_test_crypto();
  auto store = gw::open_sqlite_store("", crypto, clock);
  REQUIRE(store.ok());
  CHECK_FALSE((*store)->keeps_staff_sessions());
  CHECK_FALSE(gw::shared_staff_session_table(**store));
  auto st = (*store)->get_staff_session(gw::sha256("token"));
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == gw::ErrorCode::kUnimplemented);
}
