// Database::run, query_one and query: binding in order, rows, errors, and the
// statement cache they share with prepare().
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "gateway/store/sqlite/database.h"

using gw::Error;
using gw::ErrorCode;
using gw::Result;
using gw::Status;
using gw::sqlite::Blob;
using gw::sqlite::Database;
using gw::sqlite::Statement;

namespace {

Database memory_db() {
  auto db = Database::open(":memory:");
  REQUIRE(db.ok());
  REQUIRE(db->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER, b BLOB, note TEXT)")
              .ok());
  return std::move(*db);
}

struct Row {
  std::string name;
  int64_t n = 0;
  std::string b;
  std::optional<std::string> note;
};

Row read_row(const Statement& st) {
  return Row{st.text(0), st.int64(1), st.blob(2), st.optional_text(3)};
}

constexpr const char* kInsert = "INSERT INTO t (name, n, b, note) VALUES (?1, ?2, ?3, ?4)";
constexpr const char* kByName = "SELECT name, n, b, note FROM t WHERE name = ?1";

}  // namespace

TEST_CASE("run binds its arguments to ?1, ?2, ... in order and prepares its text once", "[store]") {
  Database db = memory_db();
  const size_t before = db.cached_statements();
  REQUIRE(db.run(kInsert, "first", int64_t{7}, Blob{std::string_view("\x01\x00\x02", 3)}, "a note").ok());
  CHECK(db.last_insert_rowid() == 1);
  REQUIRE(db.run(kInsert, std::string("second"), 8, Blob{"xy"}, std::nullopt).ok());
  REQUIRE(db.run(kInsert, "third", true, Blob{""}, std::optional<std::string>()).ok());
  CHECK(db.cached_statements() == before + 1);

  auto first = db.query_one(kByName, read_row, "first");
  REQUIRE(first.ok());
  REQUIRE(first->has_value());
  CHECK((*first)->name == "first");
  CHECK((*first)->n == 7);
  CHECK((*first)->b == std::string("\x01\x00\x02", 3));
  CHECK((*first)->note == std::optional<std::string>("a note"));

  auto second = db.query_one(kByName, read_row, "second");
  REQUIRE(second.ok());
  REQUIRE(second->has_value());
  CHECK((*second)->n == 8);
  CHECK_FALSE((*second)->note.has_value());

  auto third = db.query_one(kByName, read_row, "third");
  REQUIRE(third.ok());
  REQUIRE(third->has_value());
  CHECK((*third)->n == 1);
  CHECK((*third)->b.empty());
}

TEST_CASE("run reports what it changed through changes() and a broken constraint as an error code",
          "[store]") {
  Database db = memory_db();
  REQUIRE(db.run(kInsert, "a", 1, Blob{"x"}, std::nullopt).ok());
  REQUIRE(db.run(kInsert, "b", 1, Blob{"x"}, std::nullopt).ok());
  REQUIRE(db.run("UPDATE t SET n = ?2 WHERE n = ?1", 1, 5).ok());
  CHECK(db.changes() == 2);
  REQUIRE(db.run("UPDATE t SET n = ?2 WHERE n = ?1", 1, 5).ok());
  CHECK(db.changes() == 0);

  Status duplicate = db.run(kInsert, "a", 2, Blob{"y"}, std::nullopt);
  REQUIRE_FALSE(duplicate.ok());
  CHECK(duplicate.error().code == ErrorCode::kAlreadyExists);
  // The failed statement went back to the cache reset: the next use works.
  REQUIRE(db.run(kInsert, "c", 3, Blob{"z"}, std::nullopt).ok());
  auto n = db.query_one("SELECT COUNT(*) FROM t", gw::sqlite::scalar_int64);
  REQUIRE(n.ok());
  CHECK(*n == std::optional<int64_t>(3));
}

TEST_CASE("an argument with no parameter to take it, or SQL that does not prepare, is an error", "[store]") {
  Database db = memory_db();
  Status extra = db.run("UPDATE t SET n = ?1", 1, 2);
  REQUIRE_FALSE(extra.ok());
  CHECK(extra.error().message.rfind("binding a parameter", 0) == 0);

  auto missing = db.query_one("SELECT n FROM no_such_table", gw::sqlite::scalar_int64);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.rfind("preparing a statement", 0) == 0);

  int calls = 0;
  Status bad = db.query("SELEC n FROM t", [&](const Statement&) { ++calls; });
  REQUIRE_FALSE(bad.ok());
  CHECK(calls == 0);
}

TEST_CASE("query_one returns no value without a row, the first row's otherwise, and its reader's error",
          "[store]") {
  Database db = memory_db();
  auto none = db.query_one(kByName, read_row, "nobody");
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  for (const char* name : {"b", "a", "c"}) REQUIRE(db.run(kInsert, name, 1, Blob{"x"}, std::nullopt).ok());
  auto first = db.query_one("SELECT name FROM t ORDER BY name", gw::sqlite::scalar_text);
  REQUIRE(first.ok());
  CHECK(*first == std::optional<std::string>("a"));

  auto refused = db.query_one(
      kByName,
      [](const Statement& st) -> Result<int64_t> { return Error::invalid("cannot read " + st.text(0)); },
      "c");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kInvalidArgument);
  CHECK(refused.error().message == "cannot read c");

  auto read = db.query_one(
      kByName, [](const Statement& st) -> Result<int64_t> { return st.int64(1) + 1; }, "c");
  REQUIRE(read.ok());
  CHECK(*read == std::optional<int64_t>(2));
}

TEST_CASE("query calls its function for every row in order and stops at the first error it returns",
          "[store]") {
  Database db = memory_db();
  for (int i = 1; i <= 5; ++i) {
    REQUIRE(db.run(kInsert, std::to_string(i), i, Blob{"x"}, std::nullopt).ok());
  }
  std::vector<int64_t> seen;
  Status all = db.query(
      "SELECT n FROM t WHERE n >= ?1 ORDER BY n DESC",
      [&](const Statement& st) { seen.push_back(st.int64(0)); }, 2);
  REQUIRE(all.ok());
  CHECK(seen == std::vector<int64_t>{5, 4, 3, 2});

  seen.clear();
  Status stopped = db.query("SELECT n FROM t ORDER BY n", [&](const Statement& st) -> Status {
    seen.push_back(st.int64(0));
    if (st.int64(0) == 3) return Error::io("stop at 3");
    return {};
  });
  REQUIRE_FALSE(stopped.ok());
  CHECK(stopped.error().message == "stop at 3");
  CHECK(seen == std::vector<int64_t>{1, 2, 3});
}

TEST_CASE("a query may run the same text again from inside its row function", "[store]") {
  Database db = memory_db();
  for (int i = 1; i <= 3; ++i) {
    REQUIRE(db.run(kInsert, std::to_string(i), i, Blob{"x"}, std::nullopt).ok());
  }
  const char* sql = "SELECT n FROM t WHERE n >= ?1 ORDER BY n";
  std::vector<int64_t> seen;
  Status outer = db.query(
      sql,
      [&](const Statement& st) -> Status {
        seen.push_back(st.int64(0));
        auto inner = db.query_one(sql, gw::sqlite::scalar_int64, 3);
        if (!inner) return inner.error();
        seen.push_back(inner->value_or(-1));
        return {};
      },
      1);
  REQUIRE(outer.ok());
  CHECK(seen == std::vector<int64_t>{1, 3, 2, 3, 3, 3});
  // Once the outer query is done the cached statement is free: using it again adds none.
  const size_t cached = db.cached_statements();
  auto again = db.query_one(sql, gw::sqlite::scalar_int64, 2);
  REQUIRE(again.ok());
  CHECK(*again == std::optional<int64_t>(2));
  CHECK(db.cached_statements() == cached);
}
