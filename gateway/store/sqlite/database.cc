#include "gateway/store/sqlite/database.h"

#include <sqlite3.h>

#include <utility>

namespace gw::sqlite {

Result<Database> Database::open(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(db, rc, "opening database " + path);
    sqlite3_close_v2(db);
    return e;
  }
  sqlite3_extended_result_codes(db, 1);
  return Database(db);
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), cache_(std::move(other.cache_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    finalize_cache();
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    cache_ = std::move(other.cache_);
  }
  return *this;
}

Database::~Database() {
  finalize_cache();
  sqlite3_close_v2(db_);
}

void Database::finalize_cache() {
  if (!cache_) return;
  for (auto& [sql, c] : *cache_) sqlite3_finalize(c.stmt);
  cache_->clear();
}

Status Database::exec(const char* sql) {
  if (!db_) return Error::unavailable("database is closed");
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, "executing SQL");
  return {};
}

Result<Statement> Database::prepare_uncached(std::string_view sql) {
  if (!db_) return Error::unavailable("database is closed");
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return sqlite_error(db_, rc, "preparing a statement");
  }
  return Statement(db_, stmt);
}

Result<Statement> Database::prepare(std::string_view sql) {
  if (!db_) return Error::unavailable("database is closed");
  auto it = cache_->find(sql);
  if (it == cache_->end()) {
    sqlite3_stmt* stmt = nullptr;
    // PERSISTENT: the statement lives as long as the connection.
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return sqlite_error(db_, rc, "preparing a statement");
    }
    it = cache_->emplace(std::string(sql), Cached{stmt, false}).first;
  }
  if (it->second.in_use) return prepare_uncached(sql);
  it->second.in_use = true;
  return Statement(db_, it->second.stmt, &it->second.in_use);
}

int64_t Database::last_insert_rowid() const {
  return db_ ? sqlite3_last_insert_rowid(db_) : 0;
}

int Database::changes() const {
  return db_ ? sqlite3_changes(db_) : 0;
}

bool Database::in_transaction() const {
  return db_ != nullptr && sqlite3_get_autocommit(db_) == 0;
}

Status Database::close() {
  if (!db_) return {};
  finalize_cache();
  const int rc = sqlite3_close(db_);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, "closing database");
  db_ = nullptr;
  return {};
}

namespace {
constexpr const char* kBegin = "BEGIN IMMEDIATE";
constexpr const char* kCommit = "COMMIT";
constexpr const char* kRollback = "ROLLBACK";
constexpr const char* kSavepoint = "SAVEPOINT gw_nested";
constexpr const char* kRelease = "RELEASE gw_nested";
constexpr const char* kRollbackTo = "ROLLBACK TO gw_nested";
}  // namespace

Result<Transaction> Transaction::begin(Database& db) {
  const bool nested = db.in_transaction();
  Transaction tx(&db, nested);
  if (Status st = db.run(nested ? kSavepoint : kBegin); !st) {
    tx.db_ = nullptr;
    return st.error();
  }
  return tx;
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), nested_(other.nested_) {}

Transaction::~Transaction() {
  if (!db_) return;
  if (nested_) {
    // Savepoint names nest like a stack: this undoes and drops the innermost one.
    if (db_->run(kRollbackTo)) (void)db_->run(kRelease);
  } else if (db_->in_transaction()) {
    (void)db_->run(kRollback);
  }
}

Status Transaction::commit() {
  if (!db_) return Error::internal("transaction already finished");
  // An error such as SQLITE_FULL or SQLITE_IOERR can make SQLite roll back the
  // whole transaction by itself; committing then would be a lie.
  if (!db_->in_transaction()) {
    db_ = nullptr;
    return Error::io("the database rolled the transaction back after an error");
  }
  Status st = db_->run(nested_ ? kRelease : kCommit);
  if (!st) return st;  // still open: the destructor rolls back
  db_ = nullptr;
  return {};
}

}  // namespace gw::sqlite
