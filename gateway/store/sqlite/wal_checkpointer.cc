#include "gateway/store/sqlite/wal_checkpointer.h"

#include <sqlite3.h>

#include <string>

#include "gateway/core/log.h"

namespace gw::sqlite {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::open(const std::string& path,
                                                               WalCheckpointOptions options, Clock& clock) {
  auto db = Database::open(path);
  if (!db) return db.error();
  const std::string sync = std::string("PRAGMA synchronous = ") + options.synchronous;
  for (const char* pragma : {"PRAGMA busy_timeout = 5000", sync.c_str()}) {
    if (Status st = db->exec(pragma); !st) return st.error();
  }
  return std::unique_ptr<WalCheckpointer>(new WalCheckpointer(std::move(*db), options, clock));
}

WalCheckpointer::WalCheckpointer(Database db, WalCheckpointOptions options, Clock& clock)
    : db_(std::move(db)),
      options_(options),
      worker_("wal-checkpoint", clock, options.interval, [this] { run_once(); }) {}

WalCheckpointer::~WalCheckpointer() {
  stop();
}

void WalCheckpointer::attach(sqlite3* db) {
  sqlite3_wal_hook(db, &WalCheckpointer::on_commit, this);
}

void WalCheckpointer::detach(sqlite3* db) {
  if (db) sqlite3_wal_hook(db, nullptr, nullptr);
}

// Runs on the committing thread after every commit: keep it to a few atomics.
int WalCheckpointer::on_commit(void* self, sqlite3*, const char*, int pages) {
  auto* c = static_cast<WalCheckpointer*>(self);
  c->wal_pages_.store(pages, std::memory_order_relaxed);
  if (pages >= c->options_.pages && !c->signalled_.exchange(true)) c->worker_.wake();
  return SQLITE_OK;
}

void WalCheckpointer::run_once() {
  signalled_.store(false);
  if (wal_pages_.load(std::memory_order_relaxed) == 0) return;
  checkpoint();
}

void WalCheckpointer::checkpoint() {
  int log_pages = 0;
  int copied = 0;
  int rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_pages, &copied);
  checkpoints_.fetch_add(1);
  if (rc == SQLITE_OK && log_pages > options_.restart_pages) {
    rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_RESTART, &log_pages, &copied);
    checkpoints_.fetch_add(1);
  }
  if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY) {
    log::warn("store.checkpoint_failed",
              {{"error", sqlite_error(db_.handle(), rc, "checkpoint").to_string()}});
  }
  // What the next commit reports replaces this; until then, nothing is left to do
  // unless the checkpoint could not copy everything.
  if (rc == SQLITE_OK && copied >= log_pages) wal_pages_.store(0, std::memory_order_relaxed);
}

}  // namespace gw::sqlite
