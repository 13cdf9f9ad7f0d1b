// Schema migrations: numbered SQL scripts applied in order, each exactly once.
// A database records what it has in schema_migrations(version, applied_at).
//
// Never edit a script that has shipped: add a new one with the next number.
// A database with a version newer than this build knows was written by a newer
// gateway; opening it is refused rather than risking a schema we don't know.
#pragma once

#include <vector>

#include "gateway/core/result.h"

namespace gw {

struct Migration {
  int version;       // 1, 2, 3, ... with no gaps
  const char* name;  // short description, for logs
  const char* sql;   // one or more statements, no parameters
};

// The SQLite schema, oldest first.
const std::vector<Migration>& sqlite_migrations();

// The migrations of `all` to apply to a database at `current_version` (0 for a
// new one), in order. Fails if `all` is not numbered 1..N without gaps, or if
// current_version is above N (a newer gateway wrote the database).
Result<std::vector<const Migration*>> pending_migrations(const std::vector<Migration>& all,
                                                         int current_version);

}  // namespace gw
