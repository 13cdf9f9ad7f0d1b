// Backup and restore of a SQLite deployment: its database and its intake
// (intake_path_for), never its keys.
//
// The backup is one SQLite database (readable with the sqlite3 shell, checked by
// one PRAGMA integrity_check, one file to copy, encrypt or ship):
//   - the main database, page for page, as SQLite's online backup API copies it;
//   - the intake's tables under prefixed names: intake_inbound_queue and
//     intake_schema_migrations (the intake holds messages only for the second it
//     takes to handle them, so these are small); a restore builds a fresh intake
//     with this gateway's migrations and puts the rows back;
//   - backup_info(key, value): format "helpline-gateway-backup", format_version 1,
//     created_at (Unix seconds), gateway_version, schema_version,
//     intake_schema_version, intake_rows, data_key_fingerprints (a JSON array, the
//     active key first) and index_key_fingerprint (key_fingerprint.h: they
//     identify the keys without revealing them).
// Values sealed in the database stay sealed: the backup is as unreadable as the
// database without the key file (or the configured keys), which it never holds.
//
// Consistency: both files are read through one connection in one read
// transaction, the intake's snapshot taken before the database's. A message
// the gateway acknowledged before the backup began is in the intake then, or
// was handled (committed to the database) before it left the intake, so it is
// in one of the two snapshots (in both when handled in between: the store
// recognises it by its provider id and handles it once). In WAL mode the
// readers never block the gateway's writers; pages are copied in small steps.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/result.h"
#include "gateway/security/crypto.h"
#include "gateway/security/key_fingerprint.h"

namespace gw::sqlite {

inline constexpr const char* kBackupFormat = "helpline-gateway-backup";
inline constexpr int kBackupFormatVersion = 1;

struct BackupInfo {
  int64_t created_at = 0;
  std::string gateway_version;
  int64_t schema_version = 0;
  int64_t intake_schema_version = 0;  // 0: the deployment had no intake file
  int64_t intake_rows = 0;
  KeyFingerprints keys;
};

// Copies the database at `database_path` and its intake into `file`. Writes
// `file`.tmp (created 0600, refused if it exists), then renames it to `file`
// without replacing a file: kAlreadyExists if `file` exists (before or after the
// copy). Refuses a database whose schema is not the one this gateway writes.
// `keys`: the fingerprints of the keys the deployment uses, recorded.
Result<BackupInfo> backup_sqlite(const std::string& database_path, const std::string& file,
                                 const KeyFingerprints& keys, Clock& clock);

// Reads `file`'s backup_info (kInvalidArgument if it is not a backup of this format).
Result<BackupInfo> read_backup_info(const std::string& file);

// Replaces the database at `database_path` and its intake with the backup `file`,
// on a stopped gateway:
//   1. takes DatabaseLock exclusive (kUnavailable while a gateway serves);
//   2. copies `file` beside the database and checks the copy: PRAGMA
//      integrity_check, the format, the schema versions this gateway writes, and
//      that the backup's keys are among `keys` (keys_cover; kPermissionDenied
//      otherwise: data sealed under other keys would not decrypt);
//   3. writes the restore marker (restore_marker_path_for), builds the new
//      intake, fsyncs both new files, moves the current files (and their -wal and
//      -shm) aside as *.before-restore and renames the new ones into place;
//   4. removes the marker, then the *.before-restore files.
// A crash leaves the marker; running restore again (with the marker present)
// starts over from `file` and finishes, keeping the first *.before-restore
// files, which hold the data as it was before the first attempt. Without the
// marker, *.before-restore files left from elsewhere are refused (kAlreadyExists)
// rather than overwritten. Nothing is changed before step 3.
// `crypto` holds the same keys as `keys` (the new intake is opened with it).
Result<BackupInfo> restore_sqlite(const std::string& file, const std::string& database_path,
                                  const Crypto& crypto, const KeyFingerprints& keys, Clock& clock);

}  // namespace gw::sqlite
