#include "gateway/store/sqlite/database_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace gw::sqlite {

bool is_file_path(const std::string& path) {
  return !path.empty() && path != ":memory:" && path.rfind("file:", 0) != 0;
}

Status prepare_database_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) {
    fs::create_directories(parent, ec);
    if (ec) return Error::io("creating directory " + parent.string() + ": " + ec.message());
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
  } else if (errno != EEXIST) {
    return Error::io("creating database " + path + ": " + std::strerror(errno));
  }
  return {};
}

Status use_wal(Database& db, const std::string& path) {
  auto journal = db.query_one("PRAGMA journal_mode = WAL", scalar_text);
  if (!journal) return journal.error();
  const std::string mode = journal->value_or("");
  if (mode != "wal") return Error::io("database " + path + " cannot use WAL journaling (got " + mode + ")");
  // The log is rewound after each full checkpoint; this trims the file too.
  return db.exec("PRAGMA journal_size_limit = 67108864");
}

}  // namespace gw::sqlite
