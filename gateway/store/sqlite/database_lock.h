// DatabaseLock: who may use a SQLite deployment's files at a time, as an
// advisory lock (flock) on "<database>.lock" beside the database. `serve` holds
// it shared for its whole life (several readers of the lock may coexist, as
// before); `restore` takes it exclusive, so that it refuses while any gateway
// serves on that database, and a gateway started during a restore refuses to
// start. The kernel releases the lock when its holder dies, so a crashed gateway
// never leaves a stale lock behind (the file itself stays, empty, and is reused).
//
// The restore marker ("<database>.restore-unfinished") says that a restore was
// started and has not completed: the files may be half replaced. `serve` started
// with it present serves, but /readyz answers 503 until a restore completes.
#pragma once

#include <string>

#include "gateway/core/result.h"

namespace gw::sqlite {

class DatabaseLock {
 public:
  enum class Mode { kShared, kExclusive };

  // Takes the lock on `database_path`'s lock file (created 0600 if missing)
  // without waiting: kUnavailable when it is held in a conflicting mode.
  static Result<DatabaseLock> acquire(const std::string& database_path, Mode mode);

  DatabaseLock(DatabaseLock&& other) noexcept;
  DatabaseLock& operator=(DatabaseLock&& other) noexcept;
  DatabaseLock(const DatabaseLock&) = delete;
  DatabaseLock& operator=(const DatabaseLock&) = delete;
  ~DatabaseLock();  // releases the lock

 private:
  explicit DatabaseLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

std::string lock_path_for(const std::string& database_path);
std::string restore_marker_path_for(const std::string& database_path);

}  // namespace gw::sqlite
