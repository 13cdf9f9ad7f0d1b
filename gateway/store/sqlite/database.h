// Database: an owned sqlite3 connection; Transaction: a scope that rolls back
// unless committed. Both in the spirit of SQLiteCpp: the header only
// forward-declares sqlite3, destructors never throw, errors are Results.
#pragma once

#include <string>
#include <string_view>

#include "gateway/core/result.h"
#include "gateway/store/sqlite/statement.h"

struct sqlite3;

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
  Result<Statement> prepare(std::string_view sql);

  int64_t last_insert_rowid() const;
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int changes() const;

  // Closes the connection (finalise statements first). Idempotent.
  Status close();

  sqlite3* handle() const { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE on construction (takes the write lock up front, so a
// read-then-write transaction cannot fail half-way with SQLITE_BUSY);
// ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_ = nullptr;  // null once committed or rolled back
};

}  // namespace gw::sqlite
