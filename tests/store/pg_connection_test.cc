// The PostgreSQL connection, transactions and pool against a real server: the
// database named by GATEWAY_TEST_PG_URL (scripts/pg-test-cluster.sh starts a
// throwaway one; scripts/test.sh does so around ctest). Without it, each test
// that needs the server says so and passes.
#include "gateway/store/postgres/pg_connection.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gateway/store/postgres/pg_pool.h"

using gw::ErrorCode;
using gw::Result;
using gw::Status;
using gw::pg::Bytea;
using gw::pg::Connection;
using gw::pg::PgPool;
using gw::pg::PgRow;
using gw::pg::Transaction;
using namespace std::chrono_literals;

namespace {

std::optional<std::string> test_url() {
  const char* url = std::getenv("GATEWAY_TEST_PG_URL");
  if (!url || !*url) return std::nullopt;
  return std::string(url);
}

#define PG_TEST_URL_OR_SKIP(var)                                                        \
  const auto var = test_url();                                                          \
  if (!var) {                                                                           \
    WARN("GATEWAY_TEST_PG_URL is not set: skipped (scripts/pg-test-cluster.sh start)"); \
    return;                                                                             \
  }

Connection connect(const std::string& url) {
  auto c = Connection::connect(url);
  if (!c) FAIL(c.error().to_string());
  return std::move(*c);
}

// A temporary table: private to the connection, so tests running at once never meet.
Connection with_table(const std::string& url) {
  Connection c = connect(url);
  REQUIRE(c.exec("CREATE TEMP TABLE t (id BIGSERIAL PRIMARY KEY, name TEXT UNIQUE NOT NULL, n INTEGER, "
                 "flag BOOLEAN, blob BYTEA, note TEXT)")
              .ok());
  return c;
}

int64_t count_rows(Connection& c) {
  auto n = c.query_one("SELECT COUNT(*) FROM t", [](const PgRow& r) { return r.int64(0); });
  REQUIRE(n.ok());
  return n->value_or(-1);
}

int backend_pid_of(Connection& c) {
  auto pid = c.query_one("SELECT pg_backend_pid()", [](const PgRow& r) { return r.int64(0); });
  REQUIRE(pid.ok());
  return static_cast<int>(pid->value_or(0));
}

// Terminates `pid` from `other` and waits (server side, up to 5 s) until it has exited.
void terminate_backend(Connection& other, int pid) {
  auto done = other.query_one(
      "SELECT pg_terminate_backend($1, 5000)", [](const PgRow& r) { return r.boolean(0); }, int32_t{pid});
  REQUIRE(done.ok());
  REQUIRE(done->value_or(false));
}

}  // namespace

TEST_CASE("postgres: connecting to a socket where no server listens is kUnavailable", "[postgres]") {
  auto c = Connection::connect("postgresql:///gateway_test?host=/nonexistent-gw-pg-test");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().code == ErrorCode::kUnavailable);
}

TEST_CASE("postgres: parameters of each kind go in and come back as they were", "[postgres]") {
  PG_TEST_URL_OR_SKIP(url);
  Connection c = with_table(*url);
  const std::string quote = "it's a \"test\"; DROP TABLE t; --";
  auto inserted = c.run("INSERT INTO t (name, n, flag, note) VALUES ($1, $2, $3, $4)", quote, int32_t{-7},
                        true, std::optional<std::string>());
  REQUIRE(inserted.ok());
  CHECK(*inserted == 1);
  REQUIRE(c.run("INSERT INTO t (name, n, flag, note) VALUES ($1, $2, $3, $4)", "b", int64_t{42}, false,
                std::optional<std::string>("note"))
              .ok());

  struct Row {
    std::string name;
    int64_t n;
    bool flag;
    std::optional<std::string> note;
  };
  auto read = [](const PgRow& r) { return Row{r.text(0), r.int64(1), r.boolean(2), r.optional_text(3)}; };
  auto first = c.query_one("SELECT name, n, flag, note FROM t WHERE name = $1", read, quote);
  REQUIRE(first.ok());
  REQUIRE(first->has_value());
  CHECK((*first)->name == quote);
  CHECK((*first)->n == -7);
  CHECK((*first)->flag);
  CHECK_FALSE((*first)->note.has_value());

  std::vector<std::string> notes;
  REQUIRE(c.query(
               "SELECT COALESCE(note, '-') FROM t WHERE n > $1 ORDER BY n",
               [&](const PgRow& r) { notes.push_back(r.text(0)); }, int64_t{-100})
              .ok());
  CHECK(notes == std::vector<std::string>{"-", "note"});

  auto none = c.query_one(
      "SELECT name FROM t WHERE name = $1", [](const PgRow& r) { return r.text(0); }, "missing");
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
  CHECK(count_rows(c) == 2);
  // The same text with the same parameter types is prepared once.
  const size_t cached = c.cached_statements();
  CHECK(count_rows(c) == 2);
  CHECK(c.cached_statements() == cached);

  auto updated = c.run("UPDATE t SET n = n + $1", int32_t{1});
  REQUIRE(updated.ok());
  CHECK(*updated == 2);
}

TEST_CASE("postgres: a bytea parameter round trips every byte value, NUL included", "[postgres]") {
  PG_TEST_URL_OR_SKIP(url);
  Connection c = with_table(*url);
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  bytes += std::string("\0\0\xff", 3);
  REQUIRE(c.run("INSERT INTO t (name, blob) VALUES ($1, $2)", "x", Bytea{bytes}).ok());
  auto back = c.query_one(
      "SELECT blob, octet_length(blob) FROM t WHERE blob = $1",
      [](const PgRow& r) { return std::make_pair(r.bytes(0), r.int64(1)); }, Bytea{bytes});
  REQUIRE(back.ok());
  REQUIRE(back->has_value());
  CHECK((*back)->first == bytes);
  CHECK((*back)->second == static_cast<int64_t>(bytes.size()));
  // Reading a bytea as an integer is a bug the query reports.
  auto wrong = c.query_one("SELECT blob FROM t", [](const PgRow& r) { return r.int64(0); });
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().code == ErrorCode::kInternal);
}

TEST_CASE("postgres: a duplicate unique key is kAlreadyExists and the message holds no value", "[postgres]") {
  PG_TEST_URL_OR_SKIP(url);
  Connection c = with_table(*url);
  const std::string address = "+447700900123";
  REQUIRE(c.run("INSERT INTO t (name) VALUES ($1)", address).ok());
  auto again = c.run("INSERT INTO t (name) VALUES ($1)", address);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::kAlreadyExists);
  CHECK(again.error().message.find("23505") != std::string::npos);
  CHECK(again.error().message.find("t_name_key") != std::string::npos);
  CHECK(again.error().message.find(address) == std::string::npos);

  // The server quotes a value it cannot take ("value ... is out of range"); the Error does not.
  auto bad = c.run("INSERT INTO t (name, n) VALUES ($1, $2)", "y", "+447700900999");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kInvalidArgument);
  INFO(bad.error().message);
  CHECK(bad.error().message.find("SQLSTATE 22") != std::string::npos);
  CHECK(bad.error().message.find("447700900999") == std::string::npos);
}

TEST_CASE("postgres: serialization failures and deadlocks are kUnavailable, so the caller retries",
          "[postgres]") {
  PG_TEST_URL_OR_SKIP(url);
  Connection c = connect(*url);
  Status serialization = c.exec("DO $$BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '40001'; END$$");
  REQUIRE_FALSE(serialization.ok());
  CHECK(serialization.error().code == ErrorCode::kUnavailable);
  Status deadlock = c.exec("DO $$BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '40P01'; END$$");
  REQUIRE_FALSE(deadlock.ok());
  CHECK(deadlock.error().code == ErrorCode::kUnavailable);
  Status syntax = c.exec("SELEC 1");
  REQUIRE_FALSE(syntax.ok());
  CHECK(syntax.error().code == ErrorCode::kInternal);
  CHECK(gw::pg::code_for_sqlstate("08006") == ErrorCode::kUnavailable);
  CHECK(gw::pg::code_for_sqlstate("57P01") == ErrorCode::kUnavailable);
  CHECK(gw::pg::code_for_sqlstate("23503") == ErrorCode::kInvalidArgument);
  CHECK(gw::pg::code_for_sqlstate("57014") == ErrorCode::kTimeout);
}

TEST_CASE("postgres: a transaction not committed rolls back, and one with a failed statement cannot commit",
          "[postgres]") {
  PG_TEST_URL_OR_SKIP(url);
  Connection c = with_table(*url);
  {
    auto tx = Transaction::begin(c);
    REQUIRE(tx.ok());
    REQUIRE(c.run("INSERT INTO t (name) VALUES ($1)", "a").ok());
    CHECK(c.in_transaction());
  }
  CHECK_FALSE(c.in_transaction());
  CHECK(count_rows(c) == 0);

  {
    auto tx = Transaction::begin(c);
    REQUIRE(tx.ok());
    REQUIRE(c.run("INSERT INTO t (name) VALUES ($1)", "a").ok());
    auto dup = c.run("INSERT INTO t (name) VALUES ($1)", "a");
    REQUIRE_FALSE(dup.ok());
    CHECK(c.transaction_failed());
    // A plain COMMIT here would answer ROLLBACK without an error.
    Status committed = tx->commit();
    CHECK_FALSE(committed.ok());
  }
  CHECK_FALSE(c.in_transaction());
  CHECK(count_rows(c) == 0);

  {
    auto tx = Transaction::begin(c);
    REQUIRE(tx.ok());
    REQUIRE(c.run("INSERT INTO t (name) VALUES ($1)", "b").ok());
    REQUIRE(tx->commit().ok());
  }
  CHECK(count_rows(c) == 1);
}

TEST_CASE("postgres: a nested transaction is a savepoint whose rollback keeps the outer work", "[postgres]") {
  PG_TEST_URL_OR_SKIP(url);
  Connection c = with_table(*url);
  auto outer = Transaction::begin(c, gw::pg::Isolation::kSerializable);
  REQUIRE(outer.ok());
  CHECK_FALSE(outer->nested());
  REQUIRE(c.run("INSERT INTO t (name) VALUES ($1)", "outer").ok());
  {
    auto inner = Transaction::begin(c);
    REQUIRE(inner.ok());
    CHECK(inner->nested());
    REQUIRE(c.run("INSERT INTO t (name) VALUES ($1)", "inner").ok());
    // A failure inside the savepoint: its rollback clears the outer transaction's error too.
    REQUIRE_FALSE(c.run("INSERT INTO t (name) VALUES ($1)", "outer").ok());
    CHECK(c.transaction_failed());
  }
  CHECK_FALSE(c.transaction_failed());
  {
    auto kept = Transaction::begin(c);
    REQUIRE(kept.ok());
    REQUIRE(c.run("INSERT INTO t (name) VALUES ($1)", "kept").ok());
    REQUIRE(kept->commit().ok());
  }
  REQUIRE(outer->commit().ok());
  std::vector<std::string> names;
  REQUIRE(
      c.query("SELECT name FROM t ORDER BY name", [&](const PgRow& r) { names.push_back(r.text(0)); }).ok());
  CHECK(names == std::vector<std::string>{"kept", "outer"});
}

TEST_CASE("postgres: the pool opens at most N connections and the next acquire times out with kUnavailable",
          "[postgres]") {
  PG_TEST_URL_OR_SKIP(url);
  PgPool pool({.uri = *url, .max_connections = 2, .acquire_timeout = 10s, .connection = {}});
  auto a = pool.acquire();
  auto b = pool.acquire();
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(pool.open_connections() == 2);
  const int pid_a = backend_pid_of(**a);
  CHECK(pid_a != backend_pid_of(**b));

  auto third = pool.acquire(0ms);
  REQUIRE_FALSE(third.ok());
  CHECK(third.error().code == ErrorCode::kUnavailable);
  auto waited = pool.acquire(5ms);
  REQUIRE_FALSE(waited.ok());
  CHECK(waited.error().code == ErrorCode::kUnavailable);
  CHECK(pool.open_connections() == 2);

  // A waiter gets the connection given back, not a third one.
  std::optional<int> waiter_pid;
  std::thread waiter([&] {
    auto c = pool.acquire(10s);
    if (c) waiter_pid = (*c)->backend_pid();
  });
  { auto given_back = std::move(*a); }
  waiter.join();
  REQUIRE(waiter_pid.has_value());
  CHECK(*waiter_pid == pid_a);
  CHECK(pool.open_connections() == 2);
  CHECK(pool.idle_connections() == 1);
}

TEST_CASE("postgres: the pool rolls back a transaction left open on a connection given back", "[postgres]") {
  PG_TEST_URL_OR_SKIP(url);
  PgPool pool({.uri = *url, .max_connections = 1, .acquire_timeout = 10s, .connection = {}});
  {
    auto c = pool.acquire();
    REQUIRE(c.ok());
    REQUIRE((*c)->exec("BEGIN").ok());
  }
  auto c = pool.acquire();
  REQUIRE(c.ok());
  CHECK_FALSE((*c)->in_transaction());
}

TEST_CASE("postgres: a connection whose backend was terminated fails with kUnavailable, the pool replaces it",
          "[postgres]") {
  PG_TEST_URL_OR_SKIP(url);
  PgPool pool({.uri = *url, .max_connections = 1, .acquire_timeout = 10s, .connection = {}});
  Connection admin = connect(*url);

  SECTION("terminated while in use: the statement fails, the next lease is a new connection") {
    int old_pid = 0;
    {
      auto c = pool.acquire();
      REQUIRE(c.ok());
      old_pid = backend_pid_of(**c);
      terminate_backend(admin, old_pid);
      auto after = (*c)->run("SELECT 1");
      REQUIRE_FALSE(after.ok());
      CHECK(after.error().code == ErrorCode::kUnavailable);
      CHECK((*c)->broken());
      auto again = (*c)->run("SELECT 1");
      REQUIRE_FALSE(again.ok());
      CHECK(again.error().code == ErrorCode::kUnavailable);
    }
    CHECK(pool.open_connections() == 0);
    auto c = pool.acquire();
    REQUIRE(c.ok());
    CHECK(backend_pid_of(**c) != old_pid);
  }

  SECTION("terminated while idle in the pool: the next acquire finds it dead and opens a new one") {
    int old_pid = 0;
    {
      auto c = pool.acquire();
      REQUIRE(c.ok());
      old_pid = backend_pid_of(**c);
    }
    CHECK(pool.idle_connections() == 1);
    terminate_backend(admin, old_pid);
    auto c = pool.acquire();
    REQUIRE(c.ok());
    auto one = (*c)->query_one("SELECT 1", [](const PgRow& r) { return r.int64(0); });
    REQUIRE(one.ok());
    CHECK(backend_pid_of(**c) != old_pid);
  }

  SECTION("a connection that terminates its own backend is dropped when given back") {
    {
      auto c = pool.acquire();
      REQUIRE(c.ok());
      auto killed = (*c)->run("SELECT pg_terminate_backend(pg_backend_pid())");
      REQUIRE_FALSE(killed.ok());
      CHECK(killed.error().code == ErrorCode::kUnavailable);
    }
    CHECK(pool.open_connections() == 0);
    auto c = pool.acquire();
    REQUIRE(c.ok());
    CHECK((*c)->run("SELECT 1").ok());
  }
}

TEST_CASE("postgres: eight threads sharing a pool of two never open a third connection", "[postgres]") {
  PG_TEST_URL_OR_SKIP(url);
  PgPool pool({.uri = *url, .max_connections = 2, .acquire_timeout = 30s, .connection = {}});
  std::atomic<int> ok{0};
  std::atomic<size_t> most_open{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto c = pool.acquire();
        if (!c) continue;
        size_t open = pool.open_connections();
        size_t seen = most_open.load();
        while (open > seen && !most_open.compare_exchange_weak(seen, open)) {
        }
        auto n = (*c)->query_one(
            "SELECT $1::int + $2", [](const PgRow& r) { return r.int64(0); }, int32_t{t}, int32_t{i});
        if (n && n->value_or(-1) == t + i) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(ok == 80);
  CHECK(most_open <= 2);
  CHECK(pool.open_connections() <= 2);
}
