// The copy from SQLite to PostgreSQL (db_copy_command.h). The tables are listed
// here column by column, as migrations.cc (SQLite) and pg_migrations.cc
// (PostgreSQL) define them; tests/cli/db_copy_test.cc fills every table and
// checks that each arrives.
#include "gateway/cli/db_copy_command.h"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/cli/commands.h"
#include "gateway/cli/configured_store.h"
#include "gateway/core/clock.h"
#include "gateway/store/intake.h"
#include "gateway/store/migrations.h"
#include "gateway/store/postgres/pg_connection.h"
#include "gateway/store/postgres/pg_store.h"
#include "gateway/store/sqlite/database.h"

namespace gw::cli {
namespace {

// The intake's schema version this gateway writes (intake_migrations() in
// sqlite_intake.cc): the columns read from inbound_queue below are its.
constexpr int kIntakeSchemaVersion = 2;
// How long to wait for a SQLite writer to finish before refusing.
constexpr int kBusyTimeoutMs = 2000;
// Values of each sealed column decrypted to verify the copy.
constexpr int kSamplePerColumn = 100;

enum class Kind {
  kInt,           // INTEGER (NULL allowed) → BIGINT or INTEGER
  kText,          // TEXT (NULL allowed)
  kBool,          // INTEGER 0/1 → BOOLEAN
  kBlob,          // BLOB NOT NULL → BYTEA, sent as binary
  kNullableBlob,  // BLOB → BYTEA, sent as hex text so that NULL keeps the statement's types
};

struct Column {
  const char* name;
  Kind kind;
};

struct Table {
  const char* name;
  const char* source;  // the SQLite schema: "main" or "intake" (the attached intake file)
  bool identity;       // an id GENERATED ALWAYS AS IDENTITY in PostgreSQL
  int batch_rows;      // rows per INSERT: bounds the memory a batch holds
  std::vector<Column> columns;
};

constexpr Kind I = Kind::kInt;
constexpr Kind T = Kind::kText;
constexpr Kind F = Kind::kBool;
constexpr Kind B = Kind::kBlob;
constexpr Kind NB = Kind::kNullableBlob;

// Every table, referenced tables before the tables that reference them.
const std::vector<Table>& tables() {
  static const std::vector<Table> kTables = {
      {"contacts",
       "main",
       true,
       200,
       {{"id", I},
        {"channel_id", T},
        {"address_hash", B},
        {"address", B},
        {"language", T},
        {"country", T},
        {"opted_out", F},
        {"consent", T},
        {"created_at", I},
        {"updated_at", I},
        {"last_inbound_at", I},
        {"erase_pending", F}}},
      {"conversations",
       "main",
       true,
       200,
       {{"id", I},
        {"contact_id", I},
        {"channel_id", T},
        {"state", T},
        {"created_at", I},
        {"updated_at", I},
        {"stat_country", T},
        {"stat_language", T}}},
      {"sessions",
       "main",
       false,
       100,
       {{"contact_id", I}, {"state", B}, {"expires_at", I}, {"updated_at", I}}},
      {"messages",
       "main",
       true,
       200,
       {{"id", I},
        {"contact_id", I},
        {"conversation_id", I},
        {"channel_id", T},
        {"direction", T},
        {"provider_id", T},
        {"status", T},
        {"error_code", I},
        {"body", B},
        {"segments", I},
        {"created_at", I},
        {"updated_at", I},
        {"template_key", T}}},
      {"outbox",
       "main",
       true,
       200,
       {{"id", I},
        {"message_id", I},
        {"contact_id", I},
        {"conversation_id", I},
        {"channel_id", T},
        {"state", T},
        {"attempts", I},
        {"next_attempt_at", I},
        {"lease_until", I},
        {"last_error", NB},
        {"created_at", I},
        {"updated_at", I}}},
      {"accounts",
       "main",
       true,
       200,
       {{"id", I},
        {"username", T},
        {"password_hash", T},
        {"role", T},
        {"disabled", F},
        {"created_at", I},
        {"languages", T},
        {"queues", T},
        {"capacity", I},
        {"must_change_password", F},
        {"reviewer", F}}},
      {"handovers",
       "main",
       true,
       200,
       {{"id", I},
        {"conversation_id", I},
        {"contact_id", I},
        {"queue", T},
        {"priority", T},
        {"language", T},
        {"reason", B},
        {"state", T},
        {"operator_id", I},
        {"created_at", I},
        {"assigned_at", I},
        {"closed_at", I},
        {"first_response_at", I},
        {"reassured_at", I},
        {"closed_by", I}}},
      {"audit_log",
       "main",
       true,
       200,
       {{"id", I}, {"at", I}, {"actor", T}, {"action", T}, {"subject", T}, {"detail_json", T}}},
      {"notes",
       "main",
       true,
       200,
       {{"id", I},
        {"conversation_id", I},
        {"contact_id", I},
        {"account_id", I},
        {"body", B},
        {"created_at", I}}},
      // Content files can be large: few at a time.
      {"content_blobs", "main", false, 8, {{"digest", T}, {"body", B}}},
      {"content_versions",
       "main",
       true,
       200,
       {{"id", I},
        {"created_at", I},
        {"account_id", I},
        {"author", T},
        {"message", T},
        {"origin", T},
        {"rollback_of", I},
        {"digest", T},
        {"changes", I},
        {"changes_json", T}}},
      {"content_version_files", "main", false, 200, {{"version_id", I}, {"path", T}, {"digest", T}}},
      {"content_draft",
       "main",
       false,
       50,
       {{"entry", T},
        {"in_draft", F},
        {"value_json", T},
        {"revision", I},
        {"account_id", I},
        {"author", T},
        {"updated_at", I}}},
      {"stats_counts",
       "main",
       false,
       200,
       {{"week", T}, {"country", T}, {"metric", T}, {"value", T}, {"count", I}}},
      {"inbound_queue",
       "intake",
       true,
       100,
       {{"id", I},
        {"channel_id", T},
        {"provider_id", T},
        {"payload", B},
        {"attempts", I},
        {"next_attempt_at", I},
        {"last_error", T},
        {"received_at", I},
        {"sender_key", NB},
        {"error_kind", T},
        {"dead_at", I}}},
  };
  return kTables;
}

// The columns holding Crypto output, by the associated data they were sealed with.
constexpr const char* kSealed[][2] = {
    {"contacts", "address"}, {"messages", "body"},         {"sessions", "state"},    {"handovers", "reason"},
    {"notes", "body"},       {"inbound_queue", "payload"}, {"outbox", "last_error"},
};

std::string column_list(const Table& t) {
  std::string s;
  for (const Column& c : t.columns) {
    if (!s.empty()) s += ", ";
    s += c.name;
  }
  return s;
}

// "INSERT INTO t (a, b) [OVERRIDING SYSTEM VALUE] VALUES ($1::bigint, $2), (...)" for
// `rows` rows. Built from the table list only, never from values.
std::string insert_sql(const Table& t, int rows) {
  std::string sql = "INSERT INTO ";
  sql += t.name;
  sql += " (" + column_list(t) + ")";
  if (t.identity) sql += " OVERRIDING SYSTEM VALUE";
  sql += " VALUES ";
  int n = 0;
  for (int r = 0; r < rows; ++r) {
    sql += r ? ", (" : "(";
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (i) sql += ", ";
      const Kind kind = t.columns[i].kind;
      if (kind == Kind::kNullableBlob) sql += "decode(";
      sql += '$';
      sql += std::to_string(++n);
      switch (kind) {
        case Kind::kInt:
          sql += "::bigint";
          break;
        case Kind::kText:
          sql += "::text";
          break;
        case Kind::kBool:
          sql += "::boolean";
          break;
        case Kind::kBlob:
          break;
        case Kind::kNullableBlob:
          sql += "::text, 'hex')";
          break;
      }
    }
    sql += ")";
  }
  return sql;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xF];
  }
  return out;
}

// Adds column `col` of the current SQLite row as the parameter its kind needs.
// Every kind but kBlob travels as untyped text (NULL too), so that a batch's
// parameter types, and hence its prepared statement, never depend on the values.
void add_value(pg::Params& params, const sqlite::Statement& st, int col, Kind kind) {
  if (kind != Kind::kBlob && st.is_null(col)) {
    params.add(std::nullopt);
    return;
  }
  switch (kind) {
    case Kind::kInt:
      params.add(std::to_string(st.int64(col)));
      break;
    case Kind::kText:
      params.add(st.text(col));
      break;
    case Kind::kBool:
      params.add(std::string(st.int64(col) != 0 ? "t" : "f"));
      break;
    case Kind::kBlob:
      params.add(pg::Bytea{st.blob(col)});
      break;
    case Kind::kNullableBlob:
      params.add(to_hex(st.blob(col)));
      break;
  }
}

Status run_sql(pg::Connection& conn, const std::string& sql, const pg::Params& params) {
  return conn.execute(sql, params, [](const pg_result*) { return Status{}; });
}

// Streams one table from SQLite into PostgreSQL; returns the rows copied.
Result<int64_t> copy_table(sqlite::Database& db, pg::Connection& conn, const Table& t) {
  const std::string select = "SELECT " + column_list(t) + " FROM " + t.source + "." + t.name;
  const std::string full_batch = insert_sql(t, t.batch_rows);
  pg::Params params;
  int pending = 0;
  int64_t copied = 0;
  auto flush = [&]() -> Status {
    if (pending == 0) return {};
    Status st = run_sql(conn, pending == t.batch_rows ? full_batch : insert_sql(t, pending), params);
    if (!st) return Error{st.error().code, "copying " + std::string(t.name) + ": " + st.error().message};
    copied += pending;
    pending = 0;
    params = pg::Params{};
    return {};
  };
  Status st = db.query(select, [&](const sqlite::Statement& row) -> Status {
    for (size_t i = 0; i < t.columns.size(); ++i)
      add_value(params, row, static_cast<int>(i), t.columns[i].kind);
    if (++pending == t.batch_rows) return flush();
    return {};
  });
  if (!st) return st.error();
  if (Status f = flush(); !f) return f.error();
  if (t.identity) {
    // The next id PostgreSQL gives is past every copied one.
    const std::string sql = std::string("SELECT setval(pg_get_serial_sequence('") + t.name +
                            "', 'id'), GREATEST(MAX(id), 1), MAX(id) IS NOT NULL) FROM " + t.name;
    if (Status s = run_sql(conn, sql, pg::Params{}); !s) return s.error();
  }
  return copied;
}

Result<int64_t> sqlite_count(sqlite::Database& db, const Table& t) {
  auto n = db.query_one("SELECT COUNT(*) FROM " + std::string(t.source) + "." + t.name, sqlite::scalar_int64);
  if (!n) return n.error();
  return n->value_or(0);
}

Result<int64_t> pg_count(pg::Connection& conn, const std::string& table) {
  auto n = conn.query_one("SELECT COUNT(*) FROM " + table, [](const pg::PgRow& r) { return r.int64(0); });
  if (!n) return n.error();
  return n->value_or(0);
}

// Decrypts a random sample of each sealed column in the target; returns how
// many values decrypted. A value that does not is an error naming the column.
Result<int64_t> verify_sealed(pg::Connection& conn, const Crypto& crypto) {
  int64_t verified = 0;
  for (const auto& [table, column] : kSealed) {
    const std::string aad = std::string(table) + "." + column;
    const bool contacts = std::string_view(table) == "contacts";
    const std::string sql = std::string("SELECT ") + column + (contacts ? ", address_hash" : "") + " FROM " +
                            table + " WHERE " + column + " IS NOT NULL ORDER BY random() LIMIT " +
                            std::to_string(kSamplePerColumn);
    Status st = conn.query(sql, [&](const pg::PgRow& row) -> Status {
      auto plain = crypto.decrypt(row.bytes(0), aad);
      if (!plain) {
        return Error{plain.error().code, "a value of " + aad +
                                             " does not decrypt with the configured keys (" +
                                             plain.error().message + ")"};
      }
      // The index key must be the one the contacts were hashed with, or no
      // contact would be found again.
      if (contacts && crypto.index_hash(*plain) != row.bytes(1)) {
        return Error::denied("a contact's address_hash does not match the configured index key");
      }
      ++verified;
      return {};
    });
    if (!st) return st.error();
  }
  return verified;
}

Result<std::string> resolve_url(const std::string& to) {
  if (to.rfind("env:", 0) != 0) return to;
  const std::string name = to.substr(4);
  const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
  if (!value || !*value) return Error::invalid("--to " + to + ": the environment variable is not set");
  return std::string(value);
}

// Opens the SQLite database and its intake (attached as "intake", when the file
// exists) and takes the write lock on both: nothing changes them until `db` is
// closed. REQUIRES: `path` is an existing file (a database is never created).
Result<sqlite::Database> open_source(const std::string& path, bool* has_intake) {
  auto db = sqlite::Database::open(path);
  if (!db) return db.error();
  if (Status st = db->exec(("PRAGMA busy_timeout = " + std::to_string(kBusyTimeoutMs)).c_str()); !st) {
    return st.error();
  }
  auto version =
      db->query_one("SELECT COALESCE(MAX(version), 0) FROM main.schema_migrations", sqlite::scalar_int64);
  if (!version)
    return Error{version.error().code, path + " is not a gateway database: " + version.error().message};
  const int64_t latest = static_cast<int64_t>(sqlite_migrations().size());
  if (version->value_or(0) != latest) {
    return Error::invalid(path + " has schema version " + std::to_string(version->value_or(0)) +
                          ", this gateway writes version " + std::to_string(latest) +
                          ": run this gateway's `serve` on it once (or the matching version's copy)");
  }
  const std::string intake = intake_path_for(path);
  *has_intake = std::filesystem::is_regular_file(intake);
  if (*has_intake) {
    if (Status st = db->run("ATTACH DATABASE ?1 AS intake", intake); !st) return st.error();
    auto iv =
        db->query_one("SELECT COALESCE(MAX(version), 0) FROM intake.schema_migrations", sqlite::scalar_int64);
    if (!iv) return Error{iv.error().code, intake + " is not a gateway intake: " + iv.error().message};
    if (iv->value_or(0) != kIntakeSchemaVersion) {
      return Error::invalid(intake + " has intake schema version " + std::to_string(iv->value_or(0)) +
                            ", this gateway writes version " + std::to_string(kIntakeSchemaVersion));
    }
  }
  // The write lock on every attached file: a consistent copy, and no gateway
  // writing what would then be lost.
  if (Status st = db->exec("BEGIN IMMEDIATE"); !st) {
    return Error::unavailable(
        "the SQLite database is locked for writing (is a gateway still running on it? "
        "stop it, then copy again): " +
        st.error().message);
  }
  return db;
}

std::string all_table_names() {
  std::string s;
  for (const Table& t : tables()) s += std::string(s.empty() ? "" : ", ") + t.name;
  return s;
}

struct CopyReport {
  std::vector<std::pair<std::string, int64_t>> rows;
  int64_t verified = 0;
};

Result<CopyReport> copy(sqlite::Database& db, bool has_intake, pg::Connection& conn, const Crypto& crypto) {
  auto tx = pg::Transaction::begin(conn);
  if (!tx) return tx.error();
  // Writers (a gateway already started on the target, another copy) wait until
  // this commits or rolls back; readers do not.
  if (Status st = conn.exec("LOCK TABLE " + all_table_names() + " IN EXCLUSIVE MODE"); !st) return st.error();
  for (const Table& t : tables()) {
    auto any = conn.query_one("SELECT EXISTS (SELECT 1 FROM " + std::string(t.name) + ")",
                              [](const pg::PgRow& r) { return r.boolean(0); });
    if (!any) return any.error();
    if (any->value_or(false)) {
      return Error::exists("the target database is not empty (" + std::string(t.name) +
                           " has rows): copy only into a new, empty database");
    }
  }
  CopyReport report;
  for (const Table& t : tables()) {
    const bool present = std::string_view(t.source) == "main" || has_intake;
    int64_t copied = 0;
    int64_t source_rows = 0;
    if (present) {
      auto c = copy_table(db, conn, t);
      if (!c) return c.error();
      copied = *c;
      auto n = sqlite_count(db, t);
      if (!n) return n.error();
      source_rows = *n;
    }
    auto target_rows = pg_count(conn, t.name);
    if (!target_rows) return target_rows.error();
    if (*target_rows != source_rows || copied != source_rows) {
      return Error::internal("verification failed: " + std::string(t.name) + " has " +
                             std::to_string(source_rows) + " rows in SQLite but " +
                             std::to_string(*target_rows) + " in PostgreSQL");
    }
    report.rows.emplace_back(t.name, *target_rows);
  }
  auto verified = verify_sealed(conn, crypto);
  if (!verified) return Error{verified.error().code, "verification failed: " + verified.error().message};
  report.verified = *verified;
  if (Status st = tx->commit(); !st) return st.error();
  return report;
}

}  // namespace

int run_db_copy(const DbCopyOptions& options, std::ostream& out, std::ostream& err) {
  auto fail = [&](const Error& e) {
    err << "gateway db copy: " << e.message << "\n";
    return kExitFailure;
  };
  auto cfg = load_config(options.config_path);
  if (!cfg) return fail(cfg.error());
  if (cfg->database.driver != "sqlite") {
    return fail(Error::invalid("the configuration's database.driver is " + cfg->database.driver +
                               ": the copy reads a SQLite deployment's configuration"));
  }
  if (!std::filesystem::is_regular_file(cfg->database.path)) {
    return fail(Error::not_found("no SQLite database at " + cfg->database.path +
                                 " (database.path of the configuration)"));
  }
  if (cfg->keys.data.empty() && !std::filesystem::is_regular_file(cfg->keys.file)) {
    return fail(Error::not_found("no keys: the configuration gives none and the key file " + cfg->keys.file +
                                 " does not exist"));
  }
  auto crypto = load_crypto(*cfg);
  if (!crypto) return fail(crypto.error());
  auto url = resolve_url(options.to);
  if (!url) return fail(url.error());

  bool has_intake = false;
  auto source = open_source(cfg->database.path, &has_intake);
  if (!source) return fail(source.error());

  {
    // The target's schema, by the migrations every PostgreSQL gateway applies.
    SystemClock clock;
    PostgresOptions pg_options;
    pg_options.url = *url;
    pg_options.max_connections = 1;
    auto store = open_postgres_store(pg_options, *crypto, clock);
    if (!store) return fail(store.error());
  }
  auto conn = pg::Connection::connect(*url);
  if (!conn) return fail(conn.error());
  auto report = copy(*source, has_intake, *conn, *crypto);
  if (!report) return fail(report.error());

  for (const auto& [table, rows] : report->rows) out << table << ": " << rows << " rows\n";
  out << "verified: " << report->verified << " sealed values decrypted\n";
  if (cfg->keys.data.empty()) {
    out << "the keys were read from " << cfg->keys.file
        << ": give them in the configuration's \"keys\" (data, index) of the PostgreSQL gateways\n";
  }
  return kExitOk;
}

}  // namespace gw::cli
