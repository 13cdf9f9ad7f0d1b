// KeyRotationDb on PostgreSQL (store/key_rotation.h): one connection of its own.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gateway/store/key_rotation.h"
#include "gateway/store/postgres/pg_connection.h"

namespace gw {
namespace {

using pg::Bytea;
using pg::Connection;
using pg::PgRow;

constexpr int kRotationSchemaVersion = 5;  // pg_migrations.cc: key_rotation, key_holders
constexpr auto kHolderExpiry = std::chrono::minutes(1);

class PgKeyRotationDb final : public KeyRotationDb {
 public:
  explicit PgKeyRotationDb(Connection conn) : conn_(std::move(conn)) {
    columns_ = {{"contacts", "address", "id", false, ""},
                {"messages", "body", "id", false, ""},
                {"sessions", "state", "contact_id", false, ""},
                {"handovers", "reason", "id", false, ""},
                {"notes", "body", "id", false, ""},
                {"outbox", "last_error", "id", false, ""},
                {"inbound_queue", "payload", "id", false, ""},
                {"staff_sessions", "csrf_token", "token_hash", true, ""}};
  }

  const std::vector<SealedColumn>& columns() const override { return columns_; }

  Result<std::optional<RotationState>> rotation() override {
    return conn_.query_one(
        "SELECT started_at, data_key, index_key, progress, updated_at FROM key_rotation WHERE id = 1",
        [](const PgRow& r) {
          return RotationState{from_unix_ms(r.int64(0)), r.text(1), r.text(2), r.text(3), from_unix_ms(r.int64(4))};
        });
  }

  Status begin_rotation(const RotationState& s) override {
    auto n = conn_.run(
        "INSERT INTO key_rotation (id, started_at, data_key, index_key, progress, updated_at)"
        " VALUES (1, $1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at,"
        " data_key = excluded.data_key, index_key = excluded.index_key, progress = excluded.progress,"
        " updated_at = excluded.updated_at",
        to_unix_ms(s.started_at), s.data_key, s.index_key, s.progress, to_unix_ms(s.updated_at));
    if (!n) return n.error();
    return {};
  }

  Status update_progress(const std::string& progress, TimePoint now) override {
    auto n = conn_.run("UPDATE key_rotation SET progress = $1, updated_at = $2 WHERE id = 1", progress,
                       to_unix_ms(now));
    if (!n) return n.error();
    return {};
  }

  Status end_rotation() override {
    auto n = conn_.run("DELETE FROM key_rotation");
    if (!n) return n.error();
    return {};
  }

  Status report_holder(const KeyHolder& h) override {
    auto n = conn_.run(
        "INSERT INTO key_holders (instance, data_keys, index_key, seen_at) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (instance) DO UPDATE SET data_keys = excluded.data_keys,"
        " index_key = excluded.index_key, seen_at = excluded.seen_at",
        h.instance, join_key_ids(h.data_keys), h.index_key, to_unix_ms(h.seen_at));
    if (!n) return n.error();
    auto pruned = conn_.run("DELETE FROM key_holders WHERE seen_at < $1", to_unix_ms(h.seen_at - kHolderExpiry));
    if (!pruned) return pruned.error();
    return {};
  }

  Status forget_holder(const std::string& instance) override {
    auto n = conn_.run("DELETE FROM key_holders WHERE instance = $1", instance);
    if (!n) return n.error();
    return {};
  }

  Result<std::vector<KeyHolder>> holders(TimePoint seen_since) override {
    std::vector<KeyHolder> out;
    Status st = conn_.query(
        "SELECT instance, data_keys, index_key, seen_at FROM key_holders WHERE seen_at >= $1 ORDER BY instance",
        [&](const PgRow& r) {
          out.push_back({r.text(0), split_key_ids(r.text(1)), r.text(2), from_unix_ms(r.int64(3))});
        },
        to_unix_ms(seen_since));
    if (!st) return st.error();
    return out;
  }

  Result<std::map<std::string, int64_t>> count_by_key(const SealedColumn& c) override {
    std::map<std::string, int64_t> out;
    Status st = conn_.query("SELECT encode(substring(" + c.column + " from 2 for 4), 'hex'), COUNT(*) FROM " +
                                c.table + " WHERE " + c.column + " IS NOT NULL GROUP BY 1",
                            [&](const PgRow& r) { out[r.text(0)] = r.int64(1); });
    if (!st) return st.error();
    return out;
  }

  Result<int64_t> count_stale(const SealedColumn& c, const std::string& active_raw) override {
    auto n = conn_.query_one("SELECT COUNT(*) FROM " + c.table + " WHERE " + c.column +
                                 " IS NOT NULL AND substring(" + c.column + " from 2 for 4) <> $1",
                             [](const PgRow& r) { return r.int64(0); }, Bytea{active_raw});
    if (!n) return n.error();
    return n->value_or(0);
  }

  Result<std::vector<SealedValue>> stale_values(const SealedColumn& c, const RowKey& after,
                                                const std::string& active_raw, int limit) override {
    std::vector<SealedValue> out;
    const std::string sql = "SELECT " + c.key + ", " + c.column + " FROM " + c.table + " WHERE " + c.key +
                            " > $1 AND " + c.column + " IS NOT NULL AND substring(" + c.column +
                            " from 2 for 4) <> $2 ORDER BY " + c.key + " LIMIT $3";
    auto on_row = [&](const PgRow& r) {
      SealedValue v;
      if (c.key_is_bytes)
        v.key.bytes = r.bytes(0);
      else
        v.key.id = r.int64(0);
      v.value = r.bytes(1);
      out.push_back(std::move(v));
    };
    Status st = c.key_is_bytes
                    ? conn_.query(sql, on_row, Bytea{after.bytes}, Bytea{active_raw}, static_cast<int64_t>(limit))
                    : conn_.query(sql, on_row, after.id, Bytea{active_raw}, static_cast<int64_t>(limit));
    if (!st) return st.error();
    return out;
  }

  Result<int64_t> replace_values(const SealedColumn& c, const std::vector<SealedReplacement>& batch) override {
    auto tx = pg::Transaction::begin(conn_);
    if (!tx) return tx.error();
    const std::string sql = "UPDATE " + c.table + " SET " + c.column + " = $1 WHERE " + c.key + " = $2 AND " +
                            c.column + " = $3";
    int64_t written = 0;
    for (const auto& r : batch) {
      auto n = c.key_is_bytes ? conn_.run(sql, Bytea{r.new_value}, Bytea{r.key.bytes}, Bytea{r.old_value})
                              : conn_.run(sql, Bytea{r.new_value}, r.key.id, Bytea{r.old_value});
      if (!n) return n.error();
      written += *n;
    }
    if (Status st = tx->commit(); !st) return st.error();
    return written;
  }

  Result<std::vector<ContactHash>> contacts_after(int64_t after, int limit) override {
    std::vector<ContactHash> out;
    Status st = conn_.query(
        "SELECT id, address, address_hash FROM contacts WHERE id > $1 ORDER BY id LIMIT $2",
        [&](const PgRow& r) { out.push_back({r.int64(0), r.bytes(1), r.bytes(2)}); }, after,
        static_cast<int64_t>(limit));
    if (!st) return st.error();
    return out;
  }

  Result<int64_t> replace_hashes(const std::vector<std::pair<ContactHash, std::string>>& batch) override {
    auto tx = pg::Transaction::begin(conn_);
    if (!tx) return tx.error();
    int64_t written = 0;
    for (const auto& [row, hash] : batch) {
      auto n = conn_.run("UPDATE contacts SET address_hash = $1 WHERE id = $2 AND address_hash = $3", Bytea{hash},
                         row.id, Bytea{row.hash});
      if (!n) return n.error();
      written += *n;
    }
    if (Status st = tx->commit(); !st) return st.error();
    return written;
  }

 private:
  Connection conn_;
  std::vector<SealedColumn> columns_;
};

}  // namespace

Result<std::unique_ptr<KeyRotationDb>> open_postgres_key_rotation_db(const std::string& url) {
  pg::Connection::Options options;
  options.application_name = "gateway keys";
  auto conn = Connection::connect(url, options);
  if (!conn) return conn.error();
  auto version = conn->query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                                 [](const PgRow& r) { return r.int64(0); });
  if (!version) return Error{version.error().code, "not a gateway database: " + version.error().message};
  if (version->value_or(0) < kRotationSchemaVersion) {
    return Error::invalid("the PostgreSQL database has schema version " + std::to_string(version->value_or(0)) +
                          ": start this gateway's serve on it once first");
  }
  return std::unique_ptr<KeyRotationDb>(std::make_unique<PgKeyRotationDb>(std::move(*conn)));
}

}  // namespace gw
