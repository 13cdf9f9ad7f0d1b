// The SQLite Store backend: the default, for one gateway instance.
#pragma once

#include <memory>
#include <string>

#include "gateway/core/clock.h"
#include "gateway/core/result.h"
#include "gateway/security/crypto.h"
#include "gateway/store/store.h"

namespace gw {

// Opens (creating if needed) the database at `path` and migrates it to the
// latest schema. ":memory:" gives a private in-memory database (tests).
// For a file: creates the parent directory, creates the file with mode 0600
// (SQLite gives its -wal and -shm files the same mode), and uses WAL journaling
// with synchronous=NORMAL: a commit is durable against a crash of the process
// (it is in the WAL before the call returns) but the WAL is fsynced only at
// checkpoints, so an OS crash or power loss can lose the last commits. FULL
// (an fsync per commit) measured ten times slower on the inbound-webhook
// benchmark (443 vs about 4,500 req/s), and a provider retries a webhook
// whose answer it did not get. Checkpoints run on a thread and connection of
// their own (wal_checkpointer.h), never inside a request's commit.
// Always: foreign keys on, busy_timeout 5000 ms, secure_delete on (erased rows
// are zeroed on disk, not just unlinked), an 8 MiB page cache, prepared
// statements cached per connection.
//
// Concurrency: one connection guarded by a mutex, so every call is serialised.
// That is the "one writer" SQLite wants anyway. Store::in_transaction holds it
// for a whole body, so several calls cost one commit.
//
// `crypto` is copied; `clock` must outlive the store (used where a call takes
// no "now", e.g. a message whose created_at is unset).
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, const Crypto& crypto, Clock& clock);

}  // namespace gw
