// Database: an owned sqlite3 connection with a cache of prepared statements;
// Transaction: a scope that rolls back unless committed. Both in the spirit of
// SQLiteCpp: the header only forward-declares sqlite3, destructors never throw,
// errors are Results.
//
// SQL runs through one of three calls, each of which takes the statement from
// the cache, binds its arguments to ?1, ?2, ... in order, steps it and turns
// every failure into an Error:
//
//   Status s = db.run("UPDATE contacts SET opted_out = 1 WHERE id = ?1", id);   // no rows wanted
//   auto c = db.query_one("SELECT id, language FROM contacts WHERE id = ?1",
//                         [](const Statement& st) { return Row{st.int64(0), st.text(1)}; }, id);
//   // Result<std::optional<Row>>: nullopt when there is no row
//   auto n = db.query_one("SELECT COUNT(*) FROM contacts", scalar_int64);  // Result<std::optional<int64_t>>
//   Status s = db.query("SELECT id FROM contacts", [&](const Statement& st) { ids.push_back(st.int64(0)); });
//
// A connection is used by one thread at a time: it is opened without SQLite's
// own per-connection mutex, so the owner serialises calls (the SQLite store
// holds its mutex around every use).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "gateway/core/result.h"
#include "gateway/store/sqlite/statement.h"

struct sqlite3;
struct sqlite3_stmt;

namespace gw::sqlite {

class Database {
 public:
  // Opens (creating if needed) the database at `path` (":memory:" for a private
  // in-memory one) with extended result codes on.
  static Result<Database> open(const std::string& path);

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();  // closes; never throws

  bool is_open() const { return db_ != nullptr; }

  // Runs SQL that has no parameters (pragmas, migration scripts). Never build
  // `sql` from values: use prepare() and bind.
  Status exec(const char* sql);

  // Returns a statement for `sql` (one statement, no trailing SQL), prepared
  // once per connection and kept, keyed by its text: later calls with the same
  // text skip SQLite's parser and planner. The Statement borrows it; on
  // destruction it is reset and its bindings cleared. If the cached one is still
  // borrowed (the same text prepared twice at once), a private one is prepared.
  // The cache grows with the number of distinct texts, so `sql` must be fixed
  // text from the code, never built from values.
  Result<Statement> prepare(std::string_view sql);
  // A statement of its own, finalised on destruction (one-off SQL).
  Result<Statement> prepare_uncached(std::string_view sql);

  // Runs the one statement `sql` (cached as by prepare()) with `args` bound to
  // ?1, ?2, ..., stepping through any rows it returns. changes() and
  // last_insert_rowid() then tell what it did.
  template <class... Args>
  Status run(std::string_view sql, const Args&... args);

  // Runs `sql` as run() does and returns its first row as read by `read`, a
  // function of (const Statement&) returning T or Result<T>; nullopt when there
  // is no row. An error `read` returns is returned. The statement is reset
  // before this returns, so `read` must copy out what it keeps.
  template <class Read, class... Args>
  auto query_one(std::string_view sql, Read&& read, const Args&... args);

  // Runs `sql` as run() does and calls `on_row` (a function of
  // (const Statement&) returning void or Status) for each row, in order. The
  // first error, SQLite's or one `on_row` returns, stops the query and is
  // returned.
  template <class OnRow, class... Args>
  Status query(std::string_view sql, OnRow&& on_row, const Args&... args);

  // Statements in the cache (for tests).
  size_t cached_statements() const { return cache_ ? cache_->size() : 0; }

  int64_t last_insert_rowid() const;
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int changes() const;
  // True while a transaction is open (BEGIN ... not yet committed or rolled back).
  bool in_transaction() const;

  // Finalises the cached statements and closes the connection (statements
  // borrowed or owned by callers must be gone). Idempotent.
  Status close();

  sqlite3* handle() const { return db_; }

 private:
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Nodes of an unordered_map never move, so a borrowed Statement may keep a
  // pointer to its entry's in_use flag. unique_ptr keeps that true across a
  // move of the Database itself.
  using Cache = std::unordered_map<std::string, Cached, TextHash, std::equal_to<>>;

  explicit Database(sqlite3* db) : db_(db), cache_(std::make_unique<Cache>()) {}
  void finalize_cache();

  sqlite3* db_ = nullptr;
  std::unique_ptr<Cache> cache_;
};

// Row readers for query_one() and query() when a row is one value: its first
// column as an integer or as text.
inline int64_t scalar_int64(const Statement& st) {
  return st.int64(0);
}
inline std::string scalar_text(const Statement& st) {
  return st.text(0);
}

namespace detail {
template <class T>
struct ResultValue {
  using type = T;
};
template <class T>
struct ResultValue<Result<T>> {
  using type = T;
};
}  // namespace detail

template <class... Args>
Status Database::run(std::string_view sql, const Args&... args) {
  auto st = prepare(sql);
  if (!st) return st.error();
  st->bind_all(args...);
  return st->run();
}

template <class Read, class... Args>
auto Database::query_one(std::string_view sql, Read&& read, const Args&... args) {
  using ReadResult = std::invoke_result_t<Read&, const Statement&>;
  using T = typename detail::ResultValue<ReadResult>::type;
  using Out = Result<std::optional<T>>;
  auto st = prepare(sql);
  if (!st) return Out(st.error());
  st->bind_all(args...);
  auto row = st->step();
  if (!row) return Out(row.error());
  if (!*row) return Out(std::optional<T>());
  if constexpr (std::is_same_v<ReadResult, T>) {
    return Out(std::optional<T>(read(std::as_const(*st))));
  } else {
    ReadResult value = read(std::as_const(*st));
    if (!value) return Out(value.error());
    return Out(std::optional<T>(std::move(*value)));
  }
}

template <class OnRow, class... Args>
Status Database::query(std::string_view sql, OnRow&& on_row, const Args&... args) {
  auto st = prepare(sql);
  if (!st) return st.error();
  st->bind_all(args...);
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return {};
    if constexpr (std::is_void_v<std::invoke_result_t<OnRow&, const Statement&>>) {
      on_row(std::as_const(*st));
    } else {
      if (Status s = on_row(std::as_const(*st)); !s) return s;
    }
  }
}

// Opens a transaction on construction and rolls it back on destruction unless
// commit() succeeded. On a connection with no open transaction it is
// BEGIN IMMEDIATE (takes the write lock up front, so a read-then-write
// transaction cannot fail half-way with SQLITE_BUSY) ... COMMIT. Inside an
// open transaction it is a SAVEPOINT: commit() releases it into the enclosing
// transaction, which alone makes the work durable; a rollback undoes only what
// was done since the savepoint.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status commit();
  bool nested() const { return nested_; }

 private:
  Transaction(Database* db, bool nested) : db_(db), nested_(nested) {}
  Database* db_ = nullptr;  // null once committed or rolled back
  bool nested_ = false;
};

}  // namespace gw::sqlite
