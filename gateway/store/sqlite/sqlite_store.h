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
// with synchronous=NORMAL. Always: foreign keys on, busy_timeout 5000 ms,
// secure_delete on (erased rows are zeroed on disk, not just unlinked).
//
// Concurrency: one connection guarded by a mutex, so every call is serialised.
// That is the "one writer" SQLite wants anyway, and the gateway's load (a few
// messages a second) is far below what one connection serves.
//
// `crypto` is copied; `clock` must outlive the store (used where a call takes
// no "now", e.g. a message whose created_at is unset).
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, const Crypto& crypto, Clock& clock);

}  // namespace gw
