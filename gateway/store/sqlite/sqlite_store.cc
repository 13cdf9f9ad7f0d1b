// SqliteStore: opening the database, transactions and their group commit, and
// what every entity's methods share (see sqlite_store_impl.h).
#include "gateway/store/sqlite/sqlite_store.h"

#include <exception>

#include "gateway/store/migrations.h"
#include "gateway/store/sqlite/database_file.h"
#include "gateway/store/sqlite/migrator.h"
#include "gateway/store/sqlite/sqlite_store_impl.h"

namespace gw {

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, const Crypto& crypto,
                                                 Clock& clock) {
  const bool file = sqlite::is_file_path(path);
  if (file) {
    Status st = sqlite::prepare_database_file(path);
    if (!st) return st.error();
  }
  auto db = sqlite::Database::open(path);
  if (!db) return db.error();
  // cache_size: 8 MiB of pages (the default is 2 MiB), so the hot indexes stay in
  // memory as the tables grow. temp_store: sorts never touch a temp file.
  for (const char* pragma :
       {"PRAGMA busy_timeout = 5000", "PRAGMA foreign_keys = ON", "PRAGMA secure_delete = ON",
        "PRAGMA synchronous = NORMAL", "PRAGMA cache_size = -8192", "PRAGMA temp_store = MEMORY"}) {
    Status st = db->exec(pragma);
    if (!st) return st.error();
  }
  if (file) {
    if (Status st = sqlite::use_wal(*db, path); !st) return st.error();
  }
  auto version = sqlite::migrate(*db, sqlite_migrations(), clock.now());
  if (!version) {
    return Error{version.error().code, "database " + path + ": " + version.error().message};
  }
  std::unique_ptr<sqlite::WalCheckpointer> checkpointer;
  if (file) {
    auto c = sqlite::WalCheckpointer::open(path, sqlite::WalCheckpointOptions{}, clock);
    if (!c) return Error{c.error().code, "database " + path + ": " + c.error().message};
    checkpointer = std::move(*c);
    checkpointer->attach(db->handle());
    checkpointer->start();
  }
  return std::unique_ptr<Store>(
      new sqlite::SqliteStore(std::move(*db), crypto, clock, std::move(checkpointer)));
}

namespace sqlite {

SqliteStore::SqliteStore(Database db, const Crypto& crypto, Clock& clock,
                         std::unique_ptr<WalCheckpointer> checkpointer)
    : group_commit_(kMaxBatch),
      db_(std::move(db)),
      checkpointer_(std::move(checkpointer)),
      crypto_(crypto),
      clock_(clock) {}

SqliteStore::~SqliteStore() {
  (void)close();
}

namespace {
// The store whose transaction this thread is running bodies in: a call to
// in_transaction() from such a body nests instead of queueing behind itself.
thread_local const SqliteStore* tl_running_store = nullptr;

Status run_body(const std::function<Status()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return Error::internal(std::string("transaction body threw: ") + e.what());
  } catch (...) {
    return Error::internal("transaction body threw");
  }
}
}  // namespace

Status SqliteStore::in_transaction(const std::function<Status()>& body) {
  if (tl_running_store == this) {
    // Nested: a savepoint inside the running transaction.
    Lock lock(mu_);
    if (Status s = check_open_locked(); !s) return s;
    auto tx = Transaction::begin(db_);
    if (!tx) return tx.error();
    if (Status s = body(); !s) return s;  // rolls back to its savepoint
    if (!db_.is_open()) return Error::unavailable("store was closed inside a transaction");
    return tx->commit();
  }
  TxJob job;
  job.body = &body;
  group_commit_.submit(job, [this](std::vector<TxJob*>& batch) { run_batch(batch); });
  return job.result;
}

void SqliteStore::run_batch(std::vector<TxJob*>& batch) {
  Lock lock(mu_);
  const SqliteStore* previous = tl_running_store;
  tl_running_store = this;
  auto fail_all = [&](const Status& s) {
    for (TxJob* j : batch) j->result = s;
  };
  auto done = [&] { tl_running_store = previous; };
  if (Status s = check_open_locked(); !s) {
    fail_all(s);
    return done();
  }
  auto tx = Transaction::begin(db_);
  if (!tx) {
    fail_all(tx.error());
    return done();
  }
  for (TxJob* j : batch) {
    Status s;
    {
      // Each body in a savepoint of its own: its error undoes only its part
      // (the savepoint rolls back when `item` goes out of scope uncommitted).
      auto item = Transaction::begin(db_);
      if (!item) {
        fail_all(item.error());
        return done();  // tx rolls everything back
      }
      s = run_body(*j->body);
      if (!db_.is_open()) {
        fail_all(Error::unavailable("store was closed inside a transaction"));
        return done();
      }
      if (s) s = item->commit();
    }
    if (!s) {
      j->result = s;
      if (!db_.in_transaction()) {
        // SQLite abandoned the whole transaction (an I/O or full-disk error):
        // the bodies before this one are lost with it.
        fail_all(
            Error::io("the database rolled the transaction back after an error: " + s.error().to_string()));
        return done();
      }
    }
  }
  Status committed = tx->commit();
  if (!committed) {
    fail_all(committed);
  }
  done();
}

Result<bool> SqliteStore::any_row_locked(const char* sql, int64_t id) {
  auto row = db_.query_one(
      sql, [](const Statement&) { return true; }, id);
  if (!row) return row.error();
  return row->has_value();
}

Status SqliteStore::check_open_locked() const {
  if (!db_.is_open()) return Error::unavailable("store is closed");
  return {};
}

Result<std::string> SqliteStore::seal(std::string_view plaintext, const char* aad) const {
  return crypto_.encrypt(plaintext, aad);
}

Result<std::string> SqliteStore::open(std::string_view blob, const char* aad, int64_t row_id) const {
  auto r = crypto_.decrypt(blob, aad);
  if (!r) {
    return Error{r.error().code, std::string("cannot decrypt ") + aad + " of row " + std::to_string(row_id) +
                                     ": " + r.error().message};
  }
  return r;
}

Status SqliteStore::ping() {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  return db_.run("SELECT 1");
}

Status SqliteStore::close() {
  Lock lock(mu_);
  if (checkpointer_) {
    // The last connection to close checkpoints what is left and removes the WAL.
    WalCheckpointer::detach(db_.handle());
    checkpointer_->stop();
    checkpointer_.reset();
  }
  return db_.close();
}

}  // namespace sqlite
}  // namespace gw
