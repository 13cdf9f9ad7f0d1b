#include "gateway/store/sqlite/database_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace gw::sqlite {

std::string lock_path_for(const std::string& database_path) {
  return database_path + ".lock";
}

std::string restore_marker_path_for(const std::string& database_path) {
  return database_path + ".restore-unfinished";
}

Result<DatabaseLock> DatabaseLock::acquire(const std::string& database_path, Mode mode) {
  const std::string path = lock_path_for(database_path);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Error::io("opening lock file " + path + ": " + std::strerror(errno));
  const int op = (mode == Mode::kShared ? LOCK_SH : LOCK_EX) | LOCK_NB;
  int rc;
  do {
    rc = ::flock(fd, op);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return Error::unavailable("lock file " + path + " is held by another process");
    return Error::io("locking " + path + ": " + std::strerror(err));
  }
  return DatabaseLock(fd);
}

DatabaseLock::DatabaseLock(DatabaseLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

DatabaseLock& DatabaseLock::operator=(DatabaseLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

DatabaseLock::~DatabaseLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

}  // namespace gw::sqlite
