// Database: an owned sqlite3 connection with a cache of prepared statements;
// Transaction: a scope that rolls back unless committed. Both in the spirit of
// SQLiteCpp: the header only forward-declares sqlite3, destructors never throw,
// errors are Results.
//
// A connection is used by one thread at a time: it is opened without SQLite's
// own per-connection mutex, so the owner serialises calls (the SQLite store
// holds its mutex around every use).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

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
  Status run(const char* sql);
  Database* db_ = nullptr;  // null once committed or rolled back
  bool nested_ = false;
};

}  // namespace gw::sqlite
