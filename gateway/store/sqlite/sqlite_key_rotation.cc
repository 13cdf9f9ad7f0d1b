// KeyRotationDb on SQLite (store/key_rotation.h): the main database, with the
// intake attached as "intake" when its file exists.
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gateway/store/intake.h"
#include "gateway/store/key_rotation.h"
#include "gateway/store/migrations.h"
#include "gateway/store/sqlite/database.h"

namespace gw {
namespace {

using sqlite::Blob;
using sqlite::Database;
using sqlite::Statement;

constexpr int kRotationSchemaVersion = 9;  // migrations.cc: key_rotation, key_holders
constexpr auto kHolderExpiry = std::chrono::minutes(1);

class SqliteKeyRotationDb final : public KeyRotationDb {
 public:
  SqliteKeyRotationDb(Database db, bool has_intake) : db_(std::move(db)) {
    columns_ = {{"contacts", "address", "id", false, ""},  {"messages", "body", "id", false, ""},
                {"sessions", "state", "contact_id", false, ""}, {"handovers", "reason", "id", false, ""},
                {"notes", "body", "id", false, ""},          {"outbox", "last_error", "id", false, ""}};
    if (has_intake) columns_.push_back({"inbound_queue", "payload", "id", false, "intake"});
  }

  const std::vector<SealedColumn>& columns() const override { return columns_; }

  Result<std::optional<RotationState>> rotation() override {
    return db_.query_one(
        "SELECT started_at, data_key, index_key, progress, updated_at FROM key_rotation WHERE id = 1",
        [](const Statement& st) {
          return RotationState{from_unix_ms(st.int64(0)), st.text(1), st.text(2), st.text(3),
                               from_unix_ms(st.int64(4))};
        });
  }

  Status begin_rotation(const RotationState& s) override {
    return db_.run(
        "INSERT OR REPLACE INTO key_rotation (id, started_at, data_key, index_key, progress, updated_at)"
        " VALUES (1, ?1, ?2, ?3, ?4, ?5)",
        to_unix_ms(s.started_at), s.data_key, s.index_key, s.progress, to_unix_ms(s.updated_at));
  }

  Status update_progress(const std::string& progress, TimePoint now) override {
    return db_.run("UPDATE key_rotation SET progress = ?1, updated_at = ?2 WHERE id = 1", progress,
                   to_unix_ms(now));
  }

  Status end_rotation() override { return db_.run("DELETE FROM key_rotation"); }

  Status report_holder(const KeyHolder& h) override {
    Status st = db_.run(
        "INSERT INTO key_holders (instance, data_keys, index_key, seen_at) VALUES (?1, ?2, ?3, ?4)"
        " ON CONFLICT (instance) DO UPDATE SET data_keys = excluded.data_keys,"
        " index_key = excluded.index_key, seen_at = excluded.seen_at",
        h.instance, join_key_ids(h.data_keys), h.index_key, to_unix_ms(h.seen_at));
    if (!st) return st;
    return db_.run("DELETE FROM key_holders WHERE seen_at < ?1", to_unix_ms(h.seen_at - kHolderExpiry));
  }

  Status forget_holder(const std::string& instance) override {
    return db_.run("DELETE FROM key_holders WHERE instance = ?1", instance);
  }

  Result<std::vector<KeyHolder>> holders(TimePoint seen_since) override {
    std::vector<KeyHolder> out;
    Status st = db_.query(
        "SELECT instance, data_keys, index_key, seen_at FROM key_holders WHERE seen_at >= ?1 ORDER BY instance",
        [&](const Statement& r) {
          out.push_back({r.text(0), split_key_ids(r.text(1)), r.text(2), from_unix_ms(r.int64(3))});
        },
        to_unix_ms(seen_since));
    if (!st) return st.error();
    return out;
  }

  Result<std::map<std::string, int64_t>> count_by_key(const SealedColumn& c) override {
    std::map<std::string, int64_t> out;
    Status st = db_.query("SELECT lower(hex(substr(" + c.column + ", 2, 4))), COUNT(*) FROM " + c.sql_table() +
                              " WHERE " + c.column + " IS NOT NULL GROUP BY 1",
                          [&](const Statement& r) { out[r.text(0)] = r.int64(1); });
    if (!st) return st.error();
    return out;
  }

  Result<int64_t> count_stale(const SealedColumn& c, const std::string& active_raw) override {
    auto n = db_.query_one("SELECT COUNT(*) FROM " + c.sql_table() + " WHERE " + c.column +
                               " IS NOT NULL AND substr(" + c.column + ", 2, 4) <> ?1",
                           sqlite::scalar_int64, Blob{active_raw});
    if (!n) return n.error();
    return n->value_or(0);
  }

  Result<std::vector<SealedValue>> stale_values(const SealedColumn& c, const RowKey& after,
                                                const std::string& active_raw, int limit) override {
    std::vector<SealedValue> out;
    Status st = db_.query("SELECT " + c.key + ", " + c.column + " FROM " + c.sql_table() + " WHERE " + c.key +
                              " > ?1 AND " + c.column + " IS NOT NULL AND substr(" + c.column +
                              ", 2, 4) <> ?2 ORDER BY " + c.key + " LIMIT ?3",
                          [&](const Statement& r) {
                            SealedValue v;
                            v.key.id = r.int64(0);
                            v.value = r.blob(1);
                            out.push_back(std::move(v));
                          },
                          after.id, Blob{active_raw}, static_cast<int64_t>(limit));
    if (!st) return st.error();
    return out;
  }

  Result<int64_t> replace_values(const SealedColumn& c, const std::vector<SealedReplacement>& batch) override {
    auto tx = sqlite::Transaction::begin(db_);
    if (!tx) return tx.error();
    const std::string sql = "UPDATE " + c.sql_table() + " SET " + c.column + " = ?1 WHERE " + c.key +
                            " = ?2 AND " + c.column + " = ?3";
    int64_t written = 0;
    for (const auto& r : batch) {
      if (Status st = db_.run(sql, Blob{r.new_value}, r.key.id, Blob{r.old_value}); !st) return st.error();
      written += db_.changes();
    }
    if (Status st = tx->commit(); !st) return st.error();
    return written;
  }

  Result<std::vector<ContactHash>> contacts_after(int64_t after, int limit) override {
    std::vector<ContactHash> out;
    Status st = db_.query(
        "SELECT id, address, address_hash FROM contacts WHERE id > ?1 ORDER BY id LIMIT ?2",
        [&](const Statement& r) { out.push_back({r.int64(0), r.blob(1), r.blob(2)}); }, after,
        static_cast<int64_t>(limit));
    if (!st) return st.error();
    return out;
  }

  Result<int64_t> replace_hashes(const std::vector<std::pair<ContactHash, std::string>>& batch) override {
    auto tx = sqlite::Transaction::begin(db_);
    if (!tx) return tx.error();
    int64_t written = 0;
    for (const auto& [row, hash] : batch) {
      if (Status st = db_.run("UPDATE contacts SET address_hash = ?1 WHERE id = ?2 AND address_hash = ?3",
                              Blob{hash}, row.id, Blob{row.hash});
          !st) {
        return st.error();
      }
      written += db_.changes();
    }
    if (Status st = tx->commit(); !st) return st.error();
    return written;
  }

 private:
  Database db_;
  std::vector<SealedColumn> columns_;
};

}  // namespace

Result<std::unique_ptr<KeyRotationDb>> open_sqlite_key_rotation_db(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) return Error::not_found("no database at " + path);
  auto db = Database::open(path);
  if (!db) return db.error();
  for (const char* pragma : {"PRAGMA busy_timeout = 5000", "PRAGMA secure_delete = ON"}) {
    if (Status st = db->exec(pragma); !st) return st.error();
  }
  auto version =
      db->query_one("SELECT COALESCE(MAX(version), 0) FROM main.schema_migrations", sqlite::scalar_int64);
  if (!version) return Error{version.error().code, path + " is not a gateway database: " + version.error().message};
  if (version->value_or(0) < kRotationSchemaVersion) {
    return Error::invalid(path + " has schema version " + std::to_string(version->value_or(0)) +
                          ": start this gateway's serve on it once first");
  }
  const std::string intake = intake_path_for(path);
  const bool has_intake = std::filesystem::is_regular_file(intake);
  if (has_intake) {
    if (Status st = db->run("ATTACH DATABASE ?1 AS intake", intake); !st) return st.error();
    if (Status st = db->exec("PRAGMA intake.secure_delete = ON"); !st) return st.error();
  }
  return std::unique_ptr<KeyRotationDb>(std::make_unique<SqliteKeyRotationDb>(std::move(*db), has_intake));
}

}  // namespace gw
