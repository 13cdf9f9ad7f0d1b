// Key rotation: re-sealing every stored value with the active data key, and
// rebuilding the contact index with a new index key, while the gateway serves
// (`gateway keys rotate`, cli/keys_command.h).
//
// It works on the database directly, beside the serving processes, through a
// KeyRotationDb of its own: SQLite (the main file, with the intake attached) or
// PostgreSQL. Every sealed value says which key sealed it (bytes 1..4, see
// security/crypto.h), so the work is "every value whose key id is not the active
// one": a pass that stops anywhere (a crash, Ctrl-C) is taken up by the next one
// from the start, skipping what is done. Values are read and written back in
// batches, each batch one short transaction; a write is conditional on the value
// being unchanged since it was read, so a value a serving process rewrote in
// between is left to it (and to the next pass, if it was sealed with an old key).
//
// The database also holds the rotation in progress (key_rotation: /readyz fails
// while it stands) and what keys each serving process holds (key_holders, by key
// id only), reported every few seconds by each process's key watch
// (cli/key_watch.h), so that re-sealing starts only once every process can read
// what it writes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/config/config.h"
#include "gateway/core/clock.h"
#include "gateway/core/result.h"
#include "gateway/security/crypto.h"

namespace gw {

// A column holding Crypto output: associated data "<table>.<column>", rows
// ordered and addressed by `key` (an integer id, or bytes when key_is_bytes).
struct SealedColumn {
  std::string table;
  std::string column;
  std::string key;
  bool key_is_bytes = false;
  std::string schema;  // SQLite: the attached file ("intake"), "" for the main one
  std::string aad() const { return table + "." + column; }
  std::string sql_table() const { return schema.empty() ? table : schema + "." + table; }
};

// The rotation in progress (one at a time). `index_key` is the hex id of the
// new index key when the index key is rotated too, else "".
struct RotationState {
  TimePoint started_at{};
  std::string data_key;
  std::string index_key;
  std::string progress;
  TimePoint updated_at{};
};

// A serving process and the ids of the keys it holds (data keys active first).
struct KeyHolder {
  std::string instance;
  std::vector<std::string> data_keys;
  std::string index_key;
  TimePoint seen_at{};
};

// A row's address in its table: the integer id, or the bytes of a bytea key.
struct RowKey {
  int64_t id = 0;
  std::string bytes;
};

struct SealedValue {
  RowKey key;
  std::string value;
};

struct SealedReplacement {
  RowKey key;
  std::string old_value;
  std::string new_value;
};

class KeyRotationDb {
 public:
  virtual ~KeyRotationDb() = default;

  // The sealed columns this database has, in a fixed order.
  virtual const std::vector<SealedColumn>& columns() const = 0;

  virtual Result<std::optional<RotationState>> rotation() = 0;
  // Records `state` as the rotation in progress (replacing any).
  virtual Status begin_rotation(const RotationState& state) = 0;
  virtual Status update_progress(const std::string& progress, TimePoint now) = 0;
  virtual Status end_rotation() = 0;

  // Records (or refreshes) what `holder` holds; drops holders not seen for a
  // minute.
  virtual Status report_holder(const KeyHolder& holder) = 0;
  virtual Status forget_holder(const std::string& instance) = 0;
  virtual Result<std::vector<KeyHolder>> holders(TimePoint seen_since) = 0;

  // Values of `c` per key id (hex); NULLs are not counted.
  virtual Result<std::map<std::string, int64_t>> count_by_key(const SealedColumn& c) = 0;
  // How many values of `c` are not sealed with the key of raw id `active_raw`.
  virtual Result<int64_t> count_stale(const SealedColumn& c, const std::string& active_raw) = 0;
  // Up to `limit` values of `c` past `after` in key order that are not sealed
  // with the key of raw id `active_raw`.
  virtual Result<std::vector<SealedValue>> stale_values(const SealedColumn& c, const RowKey& after,
                                                        const std::string& active_raw, int limit) = 0;
  // Writes each replacement whose row still holds its old value, in one
  // transaction; returns how many were written.
  virtual Result<int64_t> replace_values(const SealedColumn& c, const std::vector<SealedReplacement>& batch) = 0;

  // Contacts past id `after`: (id, sealed address, address hash), up to `limit`.
  struct ContactHash {
    int64_t id = 0;
    std::string address;
    std::string hash;
  };
  virtual Result<std::vector<ContactHash>> contacts_after(int64_t after, int limit) = 0;
  // Sets each contact's hash to `new_hash` where it still is `hash`; returns how
  // many were written.
  virtual Result<int64_t> replace_hashes(const std::vector<std::pair<ContactHash, std::string>>& batch) = 0;
};

// SQLite: the database at `path` (schema current) and its intake beside it, if
// that exists. Busy waits up to 5 s for a serving process's transaction.
Result<std::unique_ptr<KeyRotationDb>> open_sqlite_key_rotation_db(const std::string& path);

// PostgreSQL at `url` (schema current).
Result<std::unique_ptr<KeyRotationDb>> open_postgres_key_rotation_db(const std::string& url);

// The configured database's: one of the two above.
Result<std::unique_ptr<KeyRotationDb>> open_key_rotation_db(const DatabaseConfig& database);

// ---- The work ----

struct ResealOptions {
  int batch = 500;                      // values per transaction
  std::chrono::milliseconds pause{0};   // between batches, to spare a busy database
};

// Where a pass stands, for progress lines.
struct ResealProgress {
  std::string column;  // "messages.body"
  int64_t done = 0;    // re-sealed in this column so far
  int64_t total = 0;   // counted stale in it at the start
  bool column_done = false;
};

struct ResealReport {
  int64_t resealed = 0;
  int64_t skipped = 0;  // changed by a serving process between read and write
};

// One pass over every sealed column: each value not sealed with the active key
// is opened and sealed again with it. A value that does not open fails the pass,
// naming its column and row (and never its content).
Result<ResealReport> reseal_all(KeyRotationDb& db, const Crypto& crypto, const ResealOptions& options,
                                const std::function<void(const ResealProgress&)>& progress);

// One pass over the contacts: each address hash not made with the active index
// key is made again with it. Returns how many were rewritten.
Result<int64_t> rehash_contacts(KeyRotationDb& db, const Crypto& crypto, const ResealOptions& options,
                                const std::function<void(int64_t done)>& progress);

// Key ids as the database keeps a holder's list: "a1b2c3d4,e5f6a7b8".
std::string join_key_ids(const std::vector<std::string>& ids);
std::vector<std::string> split_key_ids(const std::string& joined);

// Values per key id (hex) over every sealed column.
Result<std::map<std::string, int64_t>> sealed_census(KeyRotationDb& db);

}  // namespace gw
