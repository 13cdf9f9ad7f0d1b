#include "gateway/store/sqlite/database.h"

#include <sqlite3.h>

#include <utility>

namespace gw::sqlite {

Result<Database> Database::open(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(db, rc, "opening database " + path);
    sqlite3_close_v2(db);
    return e;
  }
  sqlite3_extended_result_codes(db, 1);
  return Database(db);
}

Database::Database(Database&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Database::~Database() {
  sqlite3_close_v2(db_);
}

Status Database::exec(const char* sql) {
  if (!db_) return Error::unavailable("database is closed");
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, "executing SQL");
  return {};
}

Result<Statement> Database::prepare(std::string_view sql) {
  if (!db_) return Error::unavailable("database is closed");
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return sqlite_error(db_, rc, "preparing a statement");
  }
  return Statement(db_, stmt);
}

int64_t Database::last_insert_rowid() const {
  return db_ ? sqlite3_last_insert_rowid(db_) : 0;
}

int Database::changes() const {
  return db_ ? sqlite3_changes(db_) : 0;
}

Status Database::close() {
  if (!db_) return {};
  const int rc = sqlite3_close(db_);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, "closing database");
  db_ = nullptr;
  return {};
}

Result<Transaction> Transaction::begin(Database& db) {
  Status st = db.exec("BEGIN IMMEDIATE");
  if (!st) return st.error();
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_) (void)db_->exec("ROLLBACK");
}

Status Transaction::commit() {
  if (!db_) return Error::internal("transaction already finished");
  Status st = db_->exec("COMMIT");
  if (!st) return st;  // still open: the destructor rolls back
  db_ = nullptr;
  return {};
}

}  // namespace gw::sqlite
