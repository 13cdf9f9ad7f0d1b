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

  // Runs `sql` (fixed text of the test's) on the store's database through a
  // connection of its own, outside the store: to check what the schema itself
  // allows. On SQLite the store must be in a file (in_file).
  Status exec_raw(const std::string& sql) {
    if (pg) {
      auto conn = pg::Connection::connect(pg->url());
      if (!conn) return conn.error();
      return conn->exec(sql);
    }
    auto db = sqlite::Database::open(path);
    if (!db) return db.error();
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

}  // namespace gw::testing
