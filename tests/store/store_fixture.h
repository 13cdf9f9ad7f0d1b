// StoreFixture: a fresh store for one test, with a FakeClock and freshly
// generated keys: SQLite in memory or in a file under a temporary directory, or,
// when the tests run on PostgreSQL (pg_test_db.h), a PostgreSQL store in a
// schema of the test's own.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "gateway/core/digest.h"
#include "gateway/core/ids.h"
#include "gateway/security/crypto.h"
#include "gateway/store/postgres/pg_connection.h"
#include "gateway/store/postgres/pg_store.h"
#include "gateway/store/sqlite/database.h"
#include "gateway/store/sqlite/sqlite_store.h"
#include "tests/support/fake_clock.h"
#include "tests/support/pg_test_db.h"
#include "tests/support/temp_dir.h"

namespace gw::testing {

inline Crypto make_test_crypto() {
  auto c = Crypto::from_keys({base64_encode(random_bytes(32))}, base64_encode(random_bytes(32)));
  REQUIRE(c.ok());
  return *c;
}

struct StoreFixture {
  FakeClock clock;
  Crypto crypto = make_test_crypto();
  TempDir dir;
  std::string path = ":memory:";
  std::unique_ptr<PgTestSchema> pg;  // set when the tests run on PostgreSQL
  std::unique_ptr<Store> store;      // goes before pg's schema is dropped

  // `in_file` (SQLite): use dir/data/gateway.db instead of ":memory:". On
  // PostgreSQL the data always outlives reopen().
  explicit StoreFixture(bool in_file = false) {
    if (store_tests_on_postgres()) {
      pg = std::make_unique<PgTestSchema>();
    } else if (in_file) {
      path = (dir.path() / "data" / "gateway.db").string();
    }
    reopen();
  }

  bool on_postgres() const { return pg != nullptr; }

  void reopen() {
    if (store) REQUIRE(store->close().ok());
    store.reset();
    Result<std::unique_ptr<Store>> r = Error::internal("no store");
    if (pg) {
      PostgresOptions options;
      options.url = pg->url();
      r = open_postgres_store(options, crypto, clock);
    } else {
      r = open_sqlite_store(path, crypto, clock);
    }
    INFO((r.ok() ? std::string() : r.error().to_string()));
    REQUIRE(r.ok());
    store = std::move(*r);
  }

  // Rows of `table` whose `column` equals `id`, read through a connection of
  // the test's own, beside the store's. SQLite: needs the fixture in_file.
  // Table and column names come from the test's fixed lists, never from input.
  int64_t count_rows(const std::string& table, const std::string& column, int64_t id) const {
    const std::string sql = "SELECT COUNT(*) FROM " + table + " WHERE " + column + " = ";
    if (pg) {
      auto conn = pg::Connection::connect(pg->url());
      REQUIRE(conn.ok());
      auto n = conn->query_one(
          sql + "$1", [](const pg::PgRow& row) { return row.int64(0); }, id);
      INFO((n.ok() ? std::string() : n.error().to_string()));
      REQUIRE(n.ok());
      REQUIRE(n->has_value());
      return **n;
    }
    REQUIRE(path != ":memory:");
    auto db = sqlite::Database::open(path);
    REQUIRE(db.ok());
    auto n = db->query_one(sql + "?1", sqlite::scalar_int64, id);
    REQUIRE(n.ok());
    REQUIRE(n->has_value());
    return **n;
  }

  // Runs `sql` (fixed text, no parameters) through a connection of the test's
  // own, beside the store's: what the database itself accepts or refuses.
  // SQLite: needs the fixture in_file.
  Status exec_sql(const std::string& sql) const {
    if (pg) {
      auto conn = pg::Connection::connect(pg->url());
      REQUIRE(conn.ok());
      return conn->exec(sql);
    }
    REQUIRE(path != ":memory:");
    auto db = sqlite::Database::open(path);
    REQUIRE(db.ok());
    return db->exec(sql.c_str());
  }

  Contact contact(const std::string& address, const std::string& channel = "uk-sms") {
    auto c = store->upsert_contact(channel, address, clock.now());
    REQUIRE(c.ok());
    return *c;
  }

  Conversation conversation(const Contact& c) {
    auto conv = store->open_or_get_conversation(c.id, c.channel_id, clock.now());
    REQUIRE(conv.ok());
    return *conv;
  }

  Message message(const Conversation& conv, const std::string& body) const {
    Message m;
    m.contact_id = conv.contact_id;
    m.conversation_id = conv.id;
    m.channel_id = conv.channel_id;
    m.body = body;
    return m;
  }
};

// Skips the test, with a warning, when no PostgreSQL test database is set
// (GATEWAY_TEST_PG_URL: scripts/pg-test-cluster.sh).
#define GW_PG_OR_SKIP()                                                                 \
  if (!gw::testing::test_pg_url()) {                                                    \
    WARN("GATEWAY_TEST_PG_URL is not set: skipped (scripts/pg-test-cluster.sh start)"); \
    return;                                                                             \
  }

// Two instances' PostgreSQL stores on one schema of the test's own (ids id_a
// and id_b). REQUIRES: test_pg_url().
struct TwoPgStores {
  PgTestSchema schema;
  FakeClock clock;
  Crypto crypto = make_test_crypto();
  std::unique_ptr<Store> a;
  std::unique_ptr<Store> b;
  // Instance ids of this fixture's own (its schema's name in them), so that a
  // test cutting the connections of an instance by application_name ("gateway
  // <id>") never cuts another test's running in parallel on the same cluster.
  const std::string id_a = "gw-a-" + schema.name();
  const std::string id_b = "gw-b-" + schema.name();
  TwoPgStores() {
    a = open(id_a);
    b = open(id_b);
  }
  std::unique_ptr<Store> open(const std::string& id) {
    PostgresOptions o;
    o.url = schema.url();
    o.instance_id = id;
    auto s = open_postgres_store(o, crypto, clock);
    INFO((s.ok() ? std::string() : s.error().to_string()));
    REQUIRE(s.ok());
    return std::move(*s);
  }
};

}  // namespace gw::testing
