// The SQLite Intake (gateway/store/intake.h): one table on a connection of its
// own, written through a group commit.
#include <filesystem>
#include <mutex>

#include "gateway/store/intake.h"
#include "gateway/store/migrations.h"
#include "gateway/store/sqlite/database_file.h"
#include "gateway/store/sqlite/group_commit.h"
#include "gateway/store/sqlite/migrator.h"
#include "gateway/store/sqlite/wal_checkpointer.h"

namespace gw {
namespace sqlite {
namespace {

constexpr const char* kAad = "inbound_queue.payload";

const std::vector<Migration>& intake_migrations() {
  static const std::vector<Migration> kAll = {
      {1, "inbound intake",
       "CREATE TABLE inbound_queue ("
       " id INTEGER PRIMARY KEY,"
       " channel_id TEXT NOT NULL,"
       " provider_id TEXT NOT NULL,"
       " payload BLOB NOT NULL,"
       " attempts INTEGER NOT NULL DEFAULT 0,"
       " next_attempt_at INTEGER NOT NULL,"
       " last_error TEXT NOT NULL DEFAULT '',"
       " received_at INTEGER NOT NULL);"},
      // Each person's order and the dead letters. Only a message that failed
      // (attempts > 0) can hold others back, so only those are indexed by
      // sender: a message stored costs no index write.
      {2, "sender order and dead letters",
       "ALTER TABLE inbound_queue ADD COLUMN sender_key BLOB;"
       "ALTER TABLE inbound_queue ADD COLUMN error_kind TEXT NOT NULL DEFAULT '';"
       "ALTER TABLE inbound_queue ADD COLUMN dead_at INTEGER;"
       "CREATE INDEX inbound_queue_failed ON inbound_queue(sender_key, id) WHERE attempts > 0;"
       "CREATE INDEX inbound_queue_dead ON inbound_queue(dead_at) WHERE dead_at IS NOT NULL;"},
  };
  return kAll;
}

class SqliteIntake final : public Intake {
 public:
  SqliteIntake(Database db, const Crypto& crypto, std::unique_ptr<WalCheckpointer> checkpointer)
      : group_commit_(kMaxBatch),
        db_(std::move(db)),
        checkpointer_(std::move(checkpointer)),
        crypto_(crypto) {}
  ~SqliteIntake() override { (void)close(); }

  Status queue(const std::string& channel_id, const std::string& provider_id, const std::string& sender,
               const std::string& payload, TimePoint now) override {
    auto sealed = crypto_.encrypt(payload, kAad);
    if (!sealed) return sealed.error();
    const std::string sender_key = crypto_.index_hash(channel_id + '\n' + sender);
    QueueJob job;
    job.channel_id = &channel_id;
    job.provider_id = &provider_id;
    job.sender_key = &sender_key;
    job.sealed = &*sealed;
    job.now_ms = to_unix_ms(now);
    group_commit_.submit(job, [this](std::vector<QueueJob*>& batch) { write(batch); });
    return job.result;
  }

  Result<std::vector<QueuedInbound>> due(TimePoint now, int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_.is_open()) return closed();
    // Held back: a message behind an earlier one of its sender that failed and
    // is not due again yet. A dead letter holds nothing back: it is set aside,
    // and the person's later messages (STOP, erasure, a cry for help) go on.
    std::vector<QueuedInbound> out;
    const Status listed = db_.query(
        "SELECT q.id, q.channel_id, q.provider_id, q.payload, q.attempts, q.received_at, q.sender_key"
        " FROM inbound_queue q"
        " WHERE q.next_attempt_at <= ?1 AND q.dead_at IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM inbound_queue b WHERE b.attempts > 0 AND b.sender_key = q.sender_key"
        "   AND b.id < q.id AND b.dead_at IS NULL AND b.next_attempt_at > ?1)"
        " ORDER BY q.id LIMIT ?2",
        [&](const Statement& st) {
          QueuedInbound q;
          q.id = st.int64(0);
          q.channel_id = st.text(1);
          q.provider_id = st.text(2);
          auto payload = crypto_.decrypt(st.blob(3), kAad);
          if (payload)
            q.payload = std::move(*payload);
          else
            q.error =
                "cannot decrypt the queued message " + std::to_string(q.id) + ": " + payload.error().message;
          q.attempts = static_cast<int>(st.int64(4));
          q.received_at = from_unix_ms(st.int64(5));
          if (!st.is_null(6)) q.sender_key = st.blob(6);
          out.push_back(std::move(q));
        },
        to_unix_ms(now), static_cast<int64_t>(limit));
    if (!listed) return listed.error();
    return out;
  }

  Status finish(const std::vector<int64_t>& handled, const std::vector<Deferral>& deferred,
                TimePoint now) override {
    if (handled.empty() && deferred.empty()) return {};
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_.is_open()) return closed();
    auto tx = Transaction::begin(db_);
    if (!tx) return tx.error();
    for (int64_t id : handled) {
      if (Status s = db_.run("DELETE FROM inbound_queue WHERE id = ?1", id); !s) return s;
    }
    for (const Deferral& d : deferred) {
      const Status updated = db_.run(
          "UPDATE inbound_queue SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3,"
          " error_kind = ?4, dead_at = ?5 WHERE id = ?1",
          d.id, to_unix_ms(d.next_attempt_at), d.error, d.error_kind,
          d.dead ? std::optional<int64_t>(to_unix_ms(now)) : std::nullopt);
      if (!updated) return updated;
    }
    return tx->commit();
  }

  Result<int64_t> depth() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_.is_open()) return closed();
    return count("SELECT COUNT(*) FROM inbound_queue WHERE dead_at IS NULL");
  }

  Result<int64_t> dead_letter_count() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_.is_open()) return closed();
    return count("SELECT COUNT(*) FROM inbound_queue WHERE dead_at IS NOT NULL");
  }

  Result<std::vector<DeadLetter>> dead_letters(int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_.is_open()) return closed();
    std::vector<DeadLetter> out;
    const Status listed = db_.query(
        "SELECT d.id, d.channel_id, d.received_at, d.dead_at, d.attempts, d.error_kind, COUNT(l.id)"
        " FROM inbound_queue d LEFT JOIN inbound_queue l ON l.sender_key = d.sender_key AND l.id > d.id"
        " WHERE d.dead_at IS NOT NULL GROUP BY d.id ORDER BY d.id LIMIT ?1",
        [&](const Statement& st) {
          DeadLetter d;
          d.id = st.int64(0);
          d.channel_id = st.text(1);
          d.received_at = from_unix_ms(st.int64(2));
          d.dead_at = from_unix_ms(st.int64(3));
          d.attempts = static_cast<int>(st.int64(4));
          d.error_kind = st.text(5);
          d.held = st.int64(6);
          out.push_back(std::move(d));
        },
        static_cast<int64_t>(limit));
    if (!listed) return listed.error();
    return out;
  }

  Status retry_dead_letter(int64_t id, TimePoint now) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_.is_open()) return closed();
    const Status retried = db_.run(
        "UPDATE inbound_queue SET dead_at = NULL, attempts = 0, next_attempt_at = ?2"
        " WHERE id = ?1 AND dead_at IS NOT NULL",
        id, to_unix_ms(now));
    if (!retried) return retried;
    if (db_.changes() == 0) return Error::not_found("no dead letter " + std::to_string(id));
    return {};
  }

  Status close() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (checkpointer_) {
      WalCheckpointer::detach(db_.handle());
      checkpointer_->stop();
      checkpointer_.reset();
    }
    return db_.close();
  }

 private:
  static Error closed() { return Error::unavailable("the intake is closed"); }

  // REQUIRES: mu_ held, the database open.
  Result<int64_t> count(const char* sql) {
    auto n = db_.query_one(sql, scalar_int64);
    if (!n) return n.error();
    return n->value_or(0);
  }

  struct QueueJob : GroupCommitSlot {
    const std::string* channel_id = nullptr;
    const std::string* provider_id = nullptr;
    const std::string* sender_key = nullptr;
    const std::string* sealed = nullptr;
    int64_t now_ms = 0;
    Status result = Error::internal("not written");
  };

  // One transaction for the batch. An INSERT that fails undoes only itself (a
  // statement is atomic); a failed commit fails every job of the batch, whose
  // webhooks then answer 500 and are retried by the provider.
  void write(std::vector<QueueJob*>& batch) {
    std::lock_guard<std::mutex> lock(mu_);
    auto fail_all = [&](const Error& e) {
      for (QueueJob* j : batch) j->result = e;
    };
    if (!db_.is_open()) return fail_all(closed());
    auto tx = Transaction::begin(db_);
    if (!tx) return fail_all(tx.error());
    for (QueueJob* j : batch) {
      j->result = db_.run(
          "INSERT INTO inbound_queue (channel_id, provider_id, payload, next_attempt_at, received_at,"
          " sender_key) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
          *j->channel_id, *j->provider_id, Blob{*j->sealed}, j->now_ms, Blob{*j->sender_key});
    }
    if (Status s = tx->commit(); !s) fail_all(s.error());
  }

  static constexpr size_t kMaxBatch = 64;
  GroupCommit<QueueJob> group_commit_;
  std::mutex mu_;
  Database db_;
  std::unique_ptr<WalCheckpointer> checkpointer_;
  const Crypto crypto_;
};

}  // namespace
}  // namespace sqlite

Result<std::unique_ptr<Intake>> open_sqlite_intake(const std::string& path, const Crypto& crypto,
                                                   Clock& clock) {
  const bool file = sqlite::is_file_path(path);
  const std::string where = path.empty() ? ":memory:" : path;
  if (file) {
    if (Status st = sqlite::prepare_database_file(path); !st) return st.error();
  }
  auto db = sqlite::Database::open(where);
  if (!db) return db.error();
  // Small pages: a row is a few hundred bytes, and each commit writes the pages
  // it touched to the log. secure_delete: a handled message's payload is
  // overwritten, not left in free pages.
  for (const char* pragma : {"PRAGMA page_size = 1024", "PRAGMA busy_timeout = 5000",
                             "PRAGMA secure_delete = ON", "PRAGMA synchronous = NORMAL"}) {
    if (Status st = db->exec(pragma); !st) return st.error();
  }
  if (file) {
    if (Status st = sqlite::use_wal(*db, path); !st) return st.error();
  }
  auto version = sqlite::migrate(*db, sqlite::intake_migrations(), clock.now());
  if (!version) return Error{version.error().code, "intake " + where + ": " + version.error().message};
  std::unique_ptr<sqlite::WalCheckpointer> checkpointer;
  if (file) {
    // Pages of 1 KB: the same 4 MB before a checkpoint as the main database's
    // 4000 pages would be 16 MB. A RESTART checkpoint (it holds the writers up)
    // only past 256 MB: a backlog of unhandled messages makes the log grow while
    // passive checkpoints catch up, and webhooks must not wait for that.
    sqlite::WalCheckpointOptions options;
    options.restart_pages = 256 * 1024;
    auto c = sqlite::WalCheckpointer::open(path, options, clock);
    if (!c) return Error{c.error().code, "intake " + path + ": " + c.error().message};
    checkpointer = std::move(*c);
    checkpointer->attach(db->handle());
    checkpointer->start();
  }
  return std::unique_ptr<Intake>(new sqlite::SqliteIntake(std::move(*db), crypto, std::move(checkpointer)));
}

namespace {

// "a/b.db" → "a/b-intake.db"; "a/b" → "a/b-intake".
std::string intake_file_for(const std::string& path) {
  const std::filesystem::path p(path);
  return (p.parent_path() / (p.stem().string() + "-intake" + p.extension().string())).string();
}

}  // namespace

std::string intake_path_for(const std::string& database_path) {
  if (database_path.empty() || database_path == ":memory:") return ":memory:";
  if (database_path.rfind("file:", 0) == 0) {
    // A URI: the same file name rule, its query (mode=memory, cache=...) kept,
    // so that the intake is kept just as the database is.
    const size_t q = database_path.find('?');
    const std::string name = database_path.substr(5, q == std::string::npos ? std::string::npos : q - 5);
    return "file:" + intake_file_for(name) + (q == std::string::npos ? "" : database_path.substr(q));
  }
  return intake_file_for(database_path);
}

}  // namespace gw
