// The backup (sqlite_backup.h): SQLite's online backup API for the database,
// the intake's rows copied beside it, and the restore that puts both back.
#include "gateway/store/sqlite/sqlite_backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "gateway/store/intake.h"
#include "gateway/store/migrations.h"
#include "gateway/store/sqlite/database.h"
#include "gateway/store/sqlite/database_lock.h"

namespace gw::sqlite {
namespace {

namespace fs = std::filesystem;

// Pages copied per step of the online backup (4 KiB pages: 1 MiB a step).
constexpr int kPagesPerStep = 256;
// The intake's tables, as the backup names them.
constexpr const char* kIntakeTables[][2] = {{"inbound_queue", "intake_inbound_queue"},
                                            {"schema_migrations", "intake_schema_migrations"}};

std::string errno_text(int err) {
  return std::strerror(err);
}

Status fsync_path(const std::string& path, bool directory) {
  const int fd =
      ::open(path.empty() ? "." : path.c_str(), (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::io("opening " + path + " to sync it: " + errno_text(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return Error::io("fsync of " + path + ": " + errno_text(err));
  return {};
}

std::string dir_of(const std::string& path) {
  const std::string parent = fs::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

// Renames `from` to `to` unless `to` exists (kAlreadyExists).
Status rename_no_replace(const std::string& from, const std::string& to) {
  int rc = ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE);
  if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {
    // A file system without RENAME_NOREPLACE: a hard link never replaces.
    rc = ::link(from.c_str(), to.c_str());
    if (rc == 0) ::unlink(from.c_str());
  }
  if (rc != 0) {
    if (errno == EEXIST) return Error::exists(to + " exists");
    return Error::io("renaming " + from + " to " + to + ": " + errno_text(errno));
  }
  return {};
}

Status rename_if_present(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) {
    return Error::io("renaming " + from + " to " + to + ": " + errno_text(errno));
  }
  return {};
}

Status remove_if_present(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Error::io("removing " + path + ": " + errno_text(errno));
  }
  return {};
}

// A database file and the two SQLite derives from its name.
Status remove_database_files(const std::string& path) {
  for (const char* suffix : {"-wal", "-shm", ""}) {
    if (Status s = remove_if_present(path + suffix); !s) return s;
  }
  return {};
}

Result<int64_t> schema_version(Database& db, const std::string& schema) {
  auto v =
      db.query_one("SELECT COALESCE(MAX(version), 0) FROM " + schema + ".schema_migrations", scalar_int64);
  if (!v) return v.error();
  return v->value_or(0);
}

// Copies every row of `from` (a table of `src`, e.g. "intake.inbound_queue")
// into a new table `to` of `dest`, values as they are (no declared types, so a
// BLOB stays a BLOB). Returns the rows copied.
Result<int64_t> copy_rows(Database& src, const std::string& from, Database& dest, const std::string& to) {
  auto select = src.prepare_uncached("SELECT * FROM " + from);
  if (!select) return select.error();
  sqlite3_stmt* sel = select->handle();
  const int columns = sqlite3_column_count(sel);
  std::string create = "CREATE TABLE " + to + " (";
  std::string insert = "INSERT INTO " + to + " VALUES (";
  for (int i = 0; i < columns; ++i) {
    create += std::string(i ? ", " : "") + "\"" + sqlite3_column_name(sel, i) + "\"";
    insert += std::string(i ? ", " : "") + "?" + std::to_string(i + 1);
  }
  if (Status s = dest.exec((create + ")").c_str()); !s) return s.error();
  auto ins = dest.prepare_uncached(insert + ")");
  if (!ins) return ins.error();
  int64_t rows = 0;
  for (;;) {
    const int rc = sqlite3_step(sel);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return sqlite_error(src.handle(), rc, "reading " + from);
    for (int i = 0; i < columns; ++i) sqlite3_bind_value(ins->handle(), i + 1, sqlite3_column_value(sel, i));
    const int irc = sqlite3_step(ins->handle());
    sqlite3_reset(ins->handle());
    sqlite3_clear_bindings(ins->handle());
    if (irc != SQLITE_DONE) return sqlite_error(dest.handle(), irc, "writing " + to);
    ++rows;
  }
  return rows;
}

// Copies schema "main" of `src` into `dest` with the online backup API, in steps.
Status copy_pages(Database& src, Database& dest) {
  sqlite3_backup* b = sqlite3_backup_init(dest.handle(), "main", src.handle(), "main");
  if (!b) return sqlite_error(dest.handle(), sqlite3_errcode(dest.handle()), "starting the backup");
  int rc;
  do {
    rc = sqlite3_backup_step(b, kPagesPerStep);
    // The source briefly locked (a checkpoint): try again shortly.
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  const int finish = sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) return sqlite_error(dest.handle(), rc, "copying the database");
  if (finish != SQLITE_OK) return sqlite_error(dest.handle(), finish, "finishing the backup");
  return {};
}

Status write_info(Database& dest, const BackupInfo& info) {
  if (Status s = dest.exec("CREATE TABLE backup_info (key TEXT PRIMARY KEY, value TEXT NOT NULL)"); !s)
    return s;
  const std::pair<const char*, std::string> rows[] = {
      {"format", kBackupFormat},
      {"format_version", std::to_string(kBackupFormatVersion)},
      {"created_at", std::to_string(info.created_at)},
      {"gateway_version", info.gateway_version},
      {"schema_version", std::to_string(info.schema_version)},
      {"intake_schema_version", std::to_string(info.intake_schema_version)},
      {"intake_rows", std::to_string(info.intake_rows)},
      {"data_key_fingerprints", nlohmann::json(info.keys.data).dump()},
      {"index_key_fingerprint", info.keys.index},
  };
  for (const auto& [key, value] : rows) {
    if (Status s = dest.run("INSERT INTO backup_info (key, value) VALUES (?1, ?2)", key, value); !s) return s;
  }
  return {};
}

Result<BackupInfo> read_info(Database& db, const std::string& file) {
  const Error not_backup =
      Error::invalid(file + " is not a gateway backup (no backup_info of format " + kBackupFormat + ")");
  std::map<std::string, std::string> kv;
  Status st = db.query("SELECT key, value FROM backup_info",
                       [&](const Statement& row) { kv[row.text(0)] = row.text(1); });
  if (!st || kv["format"] != kBackupFormat) return not_backup;
  if (kv["format_version"] != std::to_string(kBackupFormatVersion)) {
    return Error::invalid(file + " is a backup of format version " + kv["format_version"] +
                          "; this gateway reads version " + std::to_string(kBackupFormatVersion));
  }
  BackupInfo info;
  try {
    info.created_at = std::stoll(kv.at("created_at"));
    info.gateway_version = kv.at("gateway_version");
    info.schema_version = std::stoll(kv.at("schema_version"));
    info.intake_schema_version = std::stoll(kv.at("intake_schema_version"));
    info.intake_rows = std::stoll(kv.at("intake_rows"));
    info.keys.data = nlohmann::json::parse(kv.at("data_key_fingerprints")).get<std::vector<std::string>>();
    info.keys.index = kv.at("index_key_fingerprint");
  } catch (const std::exception&) {
    return Error::invalid(file + ": its backup_info is incomplete or malformed");
  }
  return info;
}

// The database at `path` opened for the backup: the intake attached (when its
// file exists), the read transaction begun and both snapshots taken, the
// intake's first. Fills the schema versions of `info`.
Result<Database> open_source(const std::string& path, BackupInfo* info) {
  if (!fs::is_regular_file(path)) return Error::not_found("no SQLite database at " + path);
  auto db = Database::open(path);
  if (!db) return db.error();
  if (Status s = db->exec("PRAGMA busy_timeout = 5000"); !s) return s.error();
  const std::string intake = intake_path_for(path);
  const bool has_intake = fs::is_regular_file(intake);
  if (has_intake) {
    if (Status s = db->run("ATTACH DATABASE ?1 AS intake", intake); !s) return s.error();
  }
  if (Status s = db->exec("BEGIN"); !s) return s.error();
  if (has_intake) {
    auto iv = schema_version(*db, "intake");
    if (!iv) return Error{iv.error().code, intake + " is not a gateway intake: " + iv.error().message};
    info->intake_schema_version = *iv;
  }
  auto v = schema_version(*db, "main");
  if (!v) return Error{v.error().code, path + " is not a gateway database: " + v.error().message};
  info->schema_version = *v;
  const int64_t latest = static_cast<int64_t>(sqlite_migrations().size());
  if (*v != latest) {
    return Error::invalid(path + " has schema version " + std::to_string(*v) +
                          ", this gateway writes version " + std::to_string(latest) +
                          ": back it up with the gateway that wrote it");
  }
  return db;
}

Status write_backup(Database& src, const std::string& tmp, BackupInfo& info) {
  auto dest = Database::open(tmp);
  if (!dest) return dest.error();
  if (Status s = copy_pages(src, *dest); !s) return s;
  // One self-contained file: no -wal beside it.
  auto mode = dest->query_one("PRAGMA journal_mode = DELETE", scalar_text);
  if (!mode) return mode.error();
  auto tx = Transaction::begin(*dest);
  if (!tx) return tx.error();
  if (info.intake_schema_version > 0) {
    for (const auto& [table, as] : kIntakeTables) {
      auto rows = copy_rows(src, std::string("intake.") + table, *dest, as);
      if (!rows) return rows.error();
      if (std::string_view(table) == "inbound_queue") info.intake_rows = *rows;
    }
  }
  if (Status s = write_info(*dest, info); !s) return s;
  if (Status s = tx->commit(); !s) return s;
  return dest->close();
}

}  // namespace

Result<BackupInfo> backup_sqlite(const std::string& database_path, const std::string& file,
                                 const KeyFingerprints& keys, Clock& clock) {
  if (fs::exists(file)) return Error::exists(file + " exists: a backup never replaces a file");
  BackupInfo info;
  info.created_at = std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
  info.gateway_version = GATEWAY_VERSION;
  info.keys = keys;

  auto src = open_source(database_path, &info);
  if (!src) return src.error();
  const std::string tmp = file + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return Error::exists(tmp + " exists (another backup is running, or one was interrupted: remove it)");
    }
    return Error::io("creating " + tmp + ": " + errno_text(errno));
  }
  ::close(fd);
  Status st = write_backup(*src, tmp, info);
  (void)src->exec("COMMIT");
  (void)src->close();
  if (st) st = fsync_path(tmp, false);
  if (st) st = rename_no_replace(tmp, file);
  if (!st) {
    (void)remove_database_files(tmp);
    if (st.error().code == ErrorCode::kAlreadyExists) {
      return Error::exists(file + " exists: a backup never replaces a file");
    }
    return st.error();
  }
  if (Status s = fsync_path(dir_of(file), true); !s) return s.error();
  return info;
}

Result<BackupInfo> read_backup_info(const std::string& file) {
  if (!fs::is_regular_file(file)) return Error::not_found("no backup file at " + file);
  auto db = Database::open(file);
  if (!db) return db.error();
  return read_info(*db, file);
}

namespace {

// What the checked copy of the backup must be: intact, of this gateway's
// schema, sealed under the configured keys.
Result<BackupInfo> check_backup(Database& db, const std::string& file, const KeyFingerprints& keys) {
  auto ok = db.query_one("PRAGMA integrity_check", scalar_text);
  if (!ok)
    return Error{ok.error().code, file + " cannot be read as a SQLite database: " + ok.error().message};
  if (ok->value_or("") != "ok")
    return Error::invalid(file + " fails PRAGMA integrity_check: " + ok->value_or(""));
  auto info = read_info(db, file);
  if (!info) return info.error();
  const int64_t latest = static_cast<int64_t>(sqlite_migrations().size());
  auto v = schema_version(db, "main");
  if (!v) return v.error();
  if (*v != latest || info->schema_version != latest) {
    return Error::invalid(file + " holds schema version " + std::to_string(*v) +
                          ", this gateway writes version " + std::to_string(latest) +
                          ": restore it with the gateway version that made it (" + info->gateway_version +
                          ")");
  }
  if (!keys_cover(keys, info->keys)) {
    return Error::denied(file +
                         " was made under other keys than the configured ones (its key fingerprints "
                         "differ): configure the keys (or put back the key file) it was made with");
  }
  return info;
}

// The new intake at `path`: this gateway's schema, then the backup's rows.
Status build_intake(Database& backup, const BackupInfo& info, const std::string& path, const Crypto& crypto,
                    Clock& clock) {
  if (Status s = remove_database_files(path); !s) return s;
  {
    auto fresh = open_sqlite_intake(path, crypto, clock);
    if (!fresh) return fresh.error();
    if (Status s = (*fresh)->close(); !s) return s;
  }
  if (info.intake_schema_version == 0) return {};
  if (Status s = backup.run("ATTACH DATABASE ?1 AS intake", path); !s) return s;
  Status st = [&]() -> Status {
    auto iv = schema_version(backup, "intake");
    if (!iv) return iv.error();
    if (*iv != info.intake_schema_version) {
      return Error::invalid("the backup's intake has schema version " +
                            std::to_string(info.intake_schema_version) + ", this gateway writes version " +
                            std::to_string(*iv));
    }
    std::string columns;
    Status c =
        backup.query("SELECT name FROM pragma_table_info('intake_inbound_queue')", [&](const Statement& row) {
          columns += std::string(columns.empty() ? "\"" : ", \"") + row.text(0) + "\"";
        });
    if (!c) return c;
    if (Status s = backup.exec("BEGIN IMMEDIATE"); !s) return s;
    Status copy = backup.exec(("INSERT INTO intake.inbound_queue (" + columns + ") SELECT " + columns +
                               " FROM main.intake_inbound_queue")
                                  .c_str());
    if (!copy) {
      (void)backup.exec("ROLLBACK");
      return copy;
    }
    if (Status s = backup.exec("COMMIT"); !s) return s;
    // One self-contained file to rename into place (serve puts it back in WAL mode).
    auto mode = backup.query_one("PRAGMA intake.journal_mode = DELETE", scalar_text);
    if (!mode) return mode.error();
    return Status{};
  }();
  (void)backup.exec("DETACH DATABASE intake");
  return st;
}

// Moves the current `path` (and its -wal, -shm) aside as `path`.before-restore,
// unless an earlier attempt did (then `path` is that attempt's and is removed),
// and renames `fresh` into its place.
Status swap_in(const std::string& fresh, const std::string& path) {
  const std::string aside = path + ".before-restore";
  if (fs::exists(aside)) {
    if (Status s = remove_database_files(path); !s) return s;
  } else {
    // The -wal first: the original stays whole under one of the two names.
    for (const char* suffix : {"-wal", "-shm"}) {
      if (Status s = rename_if_present(path + suffix, aside + suffix); !s) return s;
    }
    if (Status s = rename_if_present(path, aside); !s) return s;
  }
  if (::rename(fresh.c_str(), path.c_str()) != 0) {
    return Error::io("renaming " + fresh + " to " + path + ": " + errno_text(errno));
  }
  return {};
}

}  // namespace

Result<BackupInfo> restore_sqlite(const std::string& file, const std::string& database_path,
                                  const Crypto& crypto, const KeyFingerprints& keys, Clock& clock) {
  if (!fs::is_regular_file(file)) return Error::not_found("no backup file at " + file);
  const std::string dir = dir_of(database_path);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error::io("creating directory " + dir + ": " + ec.message());
  auto lock = DatabaseLock::acquire(database_path, DatabaseLock::Mode::kExclusive);
  if (!lock) {
    if (lock.error().code != ErrorCode::kUnavailable) return lock.error();
    return Error::unavailable("a gateway is serving on " + database_path + ": stop it, then restore");
  }
  const std::string marker = restore_marker_path_for(database_path);
  const std::string intake = intake_path_for(database_path);
  const bool resuming = fs::exists(marker);
  if (!resuming) {
    for (const std::string& p : {database_path, intake}) {
      if (fs::exists(p + ".before-restore")) {
        return Error::exists(p + ".before-restore exists from an earlier restore: move it away first");
      }
    }
  }

  // The checked copy, beside the database (so that the final rename stays
  // within one file system).
  const std::string fresh = database_path + ".restore-new";
  const std::string fresh_intake = intake + ".restore-new";
  if (Status s = remove_database_files(fresh); !s) return s.error();
  {
    const int fd = ::open(fresh.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Error::io("creating " + fresh + ": " + errno_text(errno));
    ::close(fd);
  }
  fs::copy_file(file, fresh, fs::copy_options::overwrite_existing, ec);
  // Only the owner reads the database, whatever the backup file's mode was.
  if (!ec) fs::permissions(fresh, fs::perms::owner_read | fs::perms::owner_write, ec);
  if (ec) {
    (void)remove_database_files(fresh);
    return Error::io("copying " + file + " to " + fresh + ": " + ec.message());
  }
  auto opened = Database::open(fresh);
  if (!opened) return opened.error();
  Database db = std::move(*opened);
  auto info = check_backup(db, file, keys);
  if (!info) {
    (void)db.close();
    (void)remove_database_files(fresh);
    return info.error();
  }

  // From here on the restore is unfinished until the marker goes.
  if (!resuming) {
    const int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return Error::io("creating " + marker + ": " + errno_text(errno));
    const std::string note = "a restore was started and has not completed: run gateway restore again\n";
    const bool written = ::write(fd, note.data(), note.size()) == static_cast<ssize_t>(note.size());
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!written || !synced) return Error::io("writing " + marker);
    if (Status s = fsync_path(dir, true); !s) return s.error();
  }
  Status st = build_intake(db, *info, fresh_intake, crypto, clock);
  // The new database holds only what the gateway's own does.
  if (st) st = db.exec("DROP TABLE backup_info");
  if (st && info->intake_schema_version > 0) st = db.exec("DROP TABLE intake_inbound_queue");
  if (st && info->intake_schema_version > 0) st = db.exec("DROP TABLE intake_schema_migrations");
  if (Status c = db.close(); st && !c) st = c;
  if (st) st = fsync_path(fresh, false);
  if (st) st = fsync_path(fresh_intake, false);
  if (st) st = fsync_path(dir, true);
  if (st) st = swap_in(fresh, database_path);
  if (st) st = swap_in(fresh_intake, intake);
  if (st) st = fsync_path(dir, true);
  if (!st) return Error{st.error().code, st.error().message + " (the restore is unfinished: run it again)"};

  if (Status s = remove_if_present(marker); !s) return s.error();
  if (Status s = fsync_path(dir, true); !s) return s.error();
  for (const std::string& p : {database_path, intake}) (void)remove_database_files(p + ".before-restore");
  return *info;
}

}  // namespace gw::sqlite
