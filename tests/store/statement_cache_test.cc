// Database's statement cache and nested Transactions (savepoints).
#include <catch2/catch.hpp>

#include "gateway/store/sqlite/database.h"

using gw::sqlite::Database;
using gw::sqlite::Transaction;

namespace {

Database memory_db() {
  auto db = Database::open(":memory:");
  REQUIRE(db.ok());
  REQUIRE(db->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)").ok());
  return std::move(*db);
}

int64_t count_rows(Database& db) {
  auto st = db.prepare("SELECT COUNT(*) FROM t");
  REQUIRE(st.ok());
  auto row = st->step();
  REQUIRE(row.ok());
  return st->int64(0);
}

}  // namespace

TEST_CASE("a statement is prepared once per text and reused with fresh bindings", "[store]") {
  Database db = memory_db();
  const size_t before = db.cached_statements();
  for (int i = 0; i < 5; ++i) {
    auto ins = db.prepare("INSERT INTO t (v) VALUES (?1)");
    REQUIRE(ins.ok());
    ins->bind(1, std::string("v").append(std::to_string(i)));
    REQUIRE(ins->run().ok());
  }
  CHECK(db.cached_statements() == before + 1);
  CHECK(count_rows(db) == 5);
  // Bindings do not leak into the next use: an unbound parameter is NULL.
  {
    auto q = db.prepare("SELECT ?1");
    REQUIRE(q.ok());
    q->bind(1, "secret");
    auto row = q->step();
    REQUIRE(row.ok());
    CHECK(q->text(0) == "secret");
  }
  auto q = db.prepare("SELECT ?1");
  REQUIRE(q.ok());
  auto row = q->step();
  REQUIRE(row.ok());
  REQUIRE(*row);
  CHECK(q->is_null(0));
}

TEST_CASE("the same text prepared while still in use gets a statement of its own", "[store]") {
  Database db = memory_db();
  for (const char* v : {"a", "b", "c"}) {
    auto ins = db.prepare("INSERT INTO t (v) VALUES (?1)");
    REQUIRE(ins.ok());
    ins->bind(1, v);
    REQUIRE(ins->run().ok());
  }
  // An outer scan and an inner lookup of the same text: each keeps its own cursor.
  const char* sql = "SELECT v FROM t WHERE id >= ?1 ORDER BY id";
  auto outer = db.prepare(sql);
  REQUIRE(outer.ok());
  outer->bind(1, 1);
  std::string seen;
  for (;;) {
    auto row = outer->step();
    REQUIRE(row.ok());
    if (!*row) break;
    seen += outer->text(0);
    auto inner = db.prepare(sql);
    REQUIRE(inner.ok());
    inner->bind(1, 3);
    auto irow = inner->step();
    REQUIRE(irow.ok());
    REQUIRE(*irow);
    seen += inner->text(0);
  }
  CHECK(seen == "acbccc");
  CHECK(db.cached_statements() >= 1);
}

TEST_CASE("a closed database finalises its cached statements and prepares no more", "[store]") {
  Database db = memory_db();
  {
    auto q = db.prepare("SELECT v FROM t");
    REQUIRE(q.ok());
  }
  REQUIRE(db.close().ok());
  CHECK_FALSE(db.is_open());
  auto again = db.prepare("SELECT v FROM t");
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == gw::ErrorCode::kUnavailable);
}

TEST_CASE("a transaction inside a transaction is a savepoint", "[store]") {
  Database db = memory_db();
  auto outer = Transaction::begin(db);
  REQUIRE(outer.ok());
  CHECK_FALSE(outer->nested());
  REQUIRE(db.exec("INSERT INTO t (v) VALUES ('outer')").ok());
  {
    auto inner = Transaction::begin(db);
    REQUIRE(inner.ok());
    CHECK(inner->nested());
    REQUIRE(db.exec("INSERT INTO t (v) VALUES ('dropped')").ok());
    // Not committed: rolled back to the savepoint only.
  }
  CHECK(db.in_transaction());
  CHECK(count_rows(db) == 1);
  {
    auto inner = Transaction::begin(db);
    REQUIRE(inner.ok());
    REQUIRE(db.exec("INSERT INTO t (v) VALUES ('kept')").ok());
    REQUIRE(inner->commit().ok());
  }
  CHECK(db.in_transaction());  // releasing a savepoint commits nothing by itself
  REQUIRE(outer->commit().ok());
  CHECK_FALSE(db.in_transaction());
  CHECK(count_rows(db) == 2);
}
