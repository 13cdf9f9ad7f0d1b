// WalCheckpointer: copies the write-ahead log back into the database file on a
// thread and a connection of its own, so that no request waits for a checkpoint.
//
// By default SQLite checkpoints inside the COMMIT that takes the WAL past 1000
// pages, on the committing thread. With the store's one connection behind one
// mutex, every request queued behind that commit waited for the checkpoint's
// writes and fsyncs. Instead, attach() replaces the connection's automatic
// checkpoints with a hook that only notes the WAL's size and wakes this thread,
// which runs PASSIVE checkpoints: they never wait for, nor block, the writer or
// readers. A passive checkpoint copies what it can; the log rewinds when a
// checkpoint has copied everything before the next commit. Should a steady
// stream of writes keep the WAL above `restart_pages` anyway, one RESTART
// checkpoint (it waits for the writer, within the busy timeout) brings it back.
//
// Durability is unchanged: a commit is in the WAL before it returns; a
// checkpoint only moves committed pages into the main file.
//
// The thread is a PeriodicWorker on the given Clock: it looks every `interval`
// (and at once when the hook wakes it) and checkpoints if the WAL holds pages.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "gateway/core/clock.h"
#include "gateway/core/periodic_worker.h"
#include "gateway/core/result.h"
#include "gateway/store/sqlite/database.h"

struct sqlite3;

namespace gw::sqlite {

struct WalCheckpointOptions {
  int pages = 4000;                    // checkpoint once the WAL holds this many pages (16 MB of 4 KB pages)
  Millis interval{1000};               // and at least this often while it holds any
  int restart_pages = 16000;           // above this after a passive checkpoint: RESTART (about 64 MB)
  const char* synchronous = "NORMAL";  // the checkpoint connection's PRAGMA synchronous
};

class WalCheckpointer {
 public:
  // Opens its own connection to the WAL-mode database at `path`; the thread
  // starts with start(). REQUIRES: `clock` outlives the checkpointer.
  static Result<std::unique_ptr<WalCheckpointer>> open(const std::string& path, WalCheckpointOptions options,
                                                       Clock& clock);
  ~WalCheckpointer();  // stops
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Installs on `db` (the writing connection) the hook that wakes this
  // checkpointer; it replaces that connection's automatic checkpoints.
  // REQUIRES: detach(db) before this object or `db` goes away.
  void attach(sqlite3* db);
  static void detach(sqlite3* db);

  void start() { worker_.start(); }
  // Idempotent; returns once the thread has exited.
  void stop() { worker_.stop(); }

  // Checkpoints run so far (passive and restart), for tests and diagnostics.
  uint64_t checkpoints() const { return checkpoints_.load(); }

 private:
  WalCheckpointer(Database db, WalCheckpointOptions options, Clock& clock);
  static int on_commit(void* self, sqlite3* db, const char* schema, int pages);
  // The worker's task: a checkpoint if the WAL holds pages.
  void run_once();
  void checkpoint();

  Database db_;
  const WalCheckpointOptions options_;
  std::atomic<int> wal_pages_{0};
  std::atomic<bool> signalled_{false};  // the hook has woken the worker since its last run
  std::atomic<uint64_t> checkpoints_{0};
  PeriodicWorker worker_;  // last: stopped before the connection closes
};

}  // namespace gw::sqlite
