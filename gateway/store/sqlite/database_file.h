// The files behind a SQLite database: which paths are files, and creating one
// that only its owner may read.
#pragma once

#include <string>

#include "gateway/core/result.h"
#include "gateway/store/sqlite/database.h"

namespace gw::sqlite {

// False for ":memory:" and "file:" URIs, which SQLite opens itself.
bool is_file_path(const std::string& path);

// Creates the parent directory and an empty 0600 database file, so that the
// database (and the -wal/-shm files SQLite derives from its mode) is never
// readable by other users, whatever the umask. An existing file is left alone.
Status prepare_database_file(const std::string& path);

// Puts the database at `path` in WAL mode (an error if it cannot be), with
// the log trimmed to 64 MB after checkpoints.
Status use_wal(Database& db, const std::string& path);

}  // namespace gw::sqlite
