// The PostgreSQL schema (gateway/store/postgres/pg_migrations.h) against the
// SQLite one: the same tables, columns, indexes, constraints and foreign keys,
// with the differences docs/postgres-schema.md documents and nothing else; no
// SQLite-only syntax. With GATEWAY_TEST_PG_URL set (a database psql can reach),
// the schema is applied in a throwaway PostgreSQL schema and its constraints
// are tried; skipped with a warning otherwise.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "gateway/core/ids.h"
#include "gateway/store/migrations.h"
#include "gateway/store/postgres/pg_migrations.h"
#include "tests/support/subprocess.h"

namespace gw {
namespace {

std::string all_sql(const std::vector<Migration>& ms) {
  std::string out;
  for (const Migration& m : ms) out += std::string(m.sql) + "\n";
  return out;
}

// The SQLite intake's schema (gateway/store/sqlite/sqlite_intake.cc, migrations
// 1 and 2), which lives in a database file of its own there.
constexpr const char* kSqliteIntakeSql =
    "CREATE TABLE inbound_queue ("
    " id INTEGER PRIMARY KEY,"
    " channel_id TEXT NOT NULL,"
    " provider_id TEXT NOT NULL,"
    " payload BLOB NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_attempt_at INTEGER NOT NULL,"
    " last_error TEXT NOT NULL DEFAULT '',"
    " received_at INTEGER NOT NULL);"
    "ALTER TABLE inbound_queue ADD COLUMN sender_key BLOB;"
    "ALTER TABLE inbound_queue ADD COLUMN error_kind TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE inbound_queue ADD COLUMN dead_at INTEGER;"
    "CREATE INDEX inbound_queue_failed ON inbound_queue(sender_key, id) WHERE attempts > 0;"
    "CREATE INDEX inbound_queue_dead ON inbound_queue(dead_at) WHERE dead_at IS NOT NULL;";

std::string strip_comments(const std::string& sql) {
  return std::regex_replace(sql, std::regex("--[^\n]*"), "");
}

std::string normalize(std::string s) {
  s = std::regex_replace(s, std::regex("\\s+"), " ");
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

std::set<std::string> names(const std::string& sql, const char* pattern) {
  std::set<std::string> out;
  const std::regex re(pattern, std::regex::icase);
  for (auto it = std::sregex_iterator(sql.begin(), sql.end(), re); it != std::sregex_iterator(); ++it)
    out.insert((*it)[1].str());
  return out;
}
std::set<std::string> tables(const std::string& sql) {
  return names(sql, R"(CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+))");
}
std::set<std::string> indexes(const std::string& sql) {
  return names(sql, R"(CREATE\s+(?:UNIQUE\s+)?INDEX\s+(\w+))");
}
std::set<std::string> triggers(const std::string& sql) {
  return names(sql, R"(CREATE\s+TRIGGER\s+(\w+))");
}

// A column as written: its type and the parts of its definition that must
// translate one to one.
struct Column {
  std::string type;  // first word, upper case
  bool not_null = false;
  bool unique = false;
  bool has_default = false;
  std::string references;  // "table(col) ON DELETE ..." normalised, "" without
  std::string check;       // the CHECK clause normalised, "" without
};
struct Table {
  std::map<std::string, Column> columns;
  std::set<std::string> constraints;  // table-level UNIQUE / PRIMARY KEY, normalised
};

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

Column parse_column(const std::string& def_in) {
  const std::string def = normalize(def_in);
  const std::string u = upper(def);
  Column c;
  std::smatch m;
  std::regex_search(def, m, std::regex(R"(^\w+\s+(\w+))"));
  c.type = upper(m[1].str());
  c.not_null = u.find("NOT NULL") != std::string::npos || u.find("PRIMARY KEY") != std::string::npos;
  c.unique = std::regex_search(u, std::regex(R"(\bUNIQUE\b)"));
  c.has_default = u.find("DEFAULT") != std::string::npos;
  if (std::regex_search(def, m,
                        std::regex(R"(REFERENCES\s+(\w+\s*\(\w+\)(\s+ON\s+DELETE\s+(CASCADE|SET NULL))?))",
                                   std::regex::icase)))
    c.references = normalize(m[1].str());
  const auto at = u.find("CHECK");
  if (at != std::string::npos) c.check = def.substr(at);
  return c;
}

// Splits at the commas outside parentheses.
std::vector<std::string> split_top_level(const std::string& body) {
  std::vector<std::string> parts;
  int depth = 0;
  std::string cur;
  for (char ch : body) {
    if (ch == '(') ++depth;
    if (ch == ')') --depth;
    if (ch == ',' && depth == 0) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!normalize(cur).empty()) parts.push_back(cur);
  return parts;
}

std::map<std::string, Table> parse_schema(const std::string& sql_in) {
  const std::string sql = strip_comments(sql_in);
  std::map<std::string, Table> out;
  const std::regex create(R"(CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s*\()", std::regex::icase);
  for (auto it = std::sregex_iterator(sql.begin(), sql.end(), create); it != std::sregex_iterator(); ++it) {
    Table& t = out[(*it)[1].str()];
    size_t pos = static_cast<size_t>(it->position(0) + it->length(0));
    int depth = 1;
    size_t end = pos;
    for (; end < sql.size() && depth > 0; ++end) {
      if (sql[end] == '(') ++depth;
      if (sql[end] == ')') --depth;
    }
    for (const std::string& part : split_top_level(sql.substr(pos, end - 1 - pos))) {
      const std::string p = normalize(part);
      if (std::regex_search(p, std::regex(R"(^(UNIQUE|PRIMARY\s+KEY)\s*\()", std::regex::icase))) {
        t.constraints.insert(upper(p));
      } else {
        const std::string name = p.substr(0, p.find(' '));
        t.columns[name] = parse_column(p);
      }
    }
  }
  const std::regex add(R"(ALTER\s+TABLE\s+(\w+)\s+ADD\s+COLUMN\s+([^;]*);)", std::regex::icase);
  for (auto it = std::sregex_iterator(sql.begin(), sql.end(), add); it != std::sregex_iterator(); ++it) {
    const std::string p = normalize((*it)[2].str());
    out[(*it)[1].str()].columns[p.substr(0, p.find(' '))] = parse_column(p);
  }
  return out;
}

std::string sqlite_schema() {
  return all_sql(sqlite_migrations()) + kSqliteIntakeSql;
}
std::string postgres_schema() {
  return all_sql(postgres_migrations());
}

// What docs/postgres-schema.md lists as added for several instances or replaced.
const std::set<std::string> kPgOnlyIndexes = {"conversations_by_contact", "outbox_lease_expiry",
                                              "accounts_username_nocase", "inbound_queue_by_sender",
                                              "inbound_queue_due",        "staff_sessions_by_account"};
const std::set<std::string> kSqliteOnlyIndexes = {"inbound_queue_failed"};
const std::set<std::string> kPgOnlyTables = {"send_pacing",     "staff_sessions", "login_accounts",
                                             "login_addresses", "login_failures", "login_known_good"};
const std::set<std::string> kPgOnlyTriggers = {"audit_log_no_truncate"};
const std::set<std::pair<std::string, std::string>> kPgOnlyColumns = {
    {"outbox", "claimed_by"}, {"inbound_queue", "claimed_by"}, {"inbound_queue", "lease_until"}};

TEST_CASE("PostgreSQL store migrations are numbered 1..N without gaps and a new database gets them all",
          "[store]") {
  const auto& all = postgres_migrations();
  REQUIRE_FALSE(all.empty());
  auto pending = pending_migrations(all, 0);
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    CHECK((*pending)[i]->version == static_cast<int>(i) + 1);
    CHECK(std::string((*pending)[i]->name).size() > 0);
  }
  CHECK(pending_migrations(all, static_cast<int>(all.size()))->empty());
  CHECK_FALSE(pending_migrations(all, static_cast<int>(all.size()) + 1).ok());
}

TEST_CASE("PostgreSQL store schema test's copy of the SQLite intake schema is the one in sqlite_intake.cc",
          "[store]") {
  std::ifstream in(std::string(GATEWAY_SOURCE_DIR) + "/gateway/store/sqlite/sqlite_intake.cc");
  REQUIRE(in);
  const std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto begin = source.find("intake_migrations() {");
  const auto end = source.find("return kAll;", begin);
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  // Its SQL string literals (the migrations' names start with a lower-case letter).
  const std::string region = source.substr(begin, end - begin);
  std::string sql;
  const std::regex literal(R"re("([A-Z ][^"]*)")re");
  for (auto it = std::sregex_iterator(region.begin(), region.end(), literal); it != std::sregex_iterator();
       ++it)
    sql += (*it)[1].str();
  CHECK(normalize(sql) == normalize(kSqliteIntakeSql));
}

TEST_CASE("PostgreSQL store schema has every SQLite table, index and trigger, and only the documented others",
          "[store]") {
  const std::string lite = strip_comments(sqlite_schema());
  const std::string pg = strip_comments(postgres_schema());
  std::set<std::string> want_tables = tables(lite);  // the intake's inbound_queue included
  want_tables.insert(kPgOnlyTables.begin(), kPgOnlyTables.end());
  CHECK(tables(pg) == want_tables);

  std::set<std::string> want = indexes(lite);
  for (const auto& n : kSqliteOnlyIndexes) want.erase(n);
  want.insert(kPgOnlyIndexes.begin(), kPgOnlyIndexes.end());
  CHECK(indexes(pg) == want);

  std::set<std::string> want_triggers = triggers(lite);
  want_triggers.insert(kPgOnlyTriggers.begin(), kPgOnlyTriggers.end());
  CHECK(triggers(pg) == want_triggers);

  CHECK(tables(postgres_migrations_table_sql()) == std::set<std::string>{"schema_migrations"});
}

TEST_CASE("PostgreSQL store columns translate the SQLite ones one to one", "[store]") {
  const auto lite = parse_schema(sqlite_schema());
  const auto pg = parse_schema(postgres_schema());
  REQUIRE(lite.size() + kPgOnlyTables.size() == pg.size());
  for (const auto& [table, lt] : lite) {
    INFO("table " << table);
    REQUIRE(pg.count(table) == 1);
    const Table& pt = pg.at(table);
    CHECK(pt.constraints == lt.constraints);
    for (const auto& [name, lc] : lt.columns) {
      INFO("column " << table << "." << name);
      REQUIRE(pt.columns.count(name) == 1);
      const Column& pc = pt.columns.at(name);
      if (lc.type == "BLOB") {
        CHECK(pc.type == "BYTEA");
      } else if (lc.type == "TEXT") {
        CHECK(pc.type == "TEXT");
      } else {
        REQUIRE(lc.type == "INTEGER");
        // Ids and Unix-millisecond times need 64 bits; flags become BOOLEAN.
        const bool wide = name == "id" || name == "at" || name == "count" || name == "revision" ||
                          std::regex_search(name, std::regex("(_id|_of|_at|_until|_by)$"));
        if (wide)
          CHECK(pc.type == "BIGINT");
        else
          CHECK((pc.type == "INTEGER" || pc.type == "BOOLEAN"));
      }
      CHECK(pc.not_null == lc.not_null);
      CHECK(pc.has_default == lc.has_default);
      CHECK(pc.references == lc.references);
      CHECK(normalize(pc.check) == normalize(lc.check));
      // accounts.username: UNIQUE COLLATE NOCASE becomes accounts_username_nocase.
      if (!(table == "accounts" && name == "username")) CHECK(pc.unique == lc.unique);
    }
    for (const auto& [name, pc] : pt.columns) {
      INFO("column " << table << "." << name);
      CHECK((lt.columns.count(name) == 1 || kPgOnlyColumns.count({table, name}) == 1));
    }
  }
  CHECK(pg.at("accounts").columns.at("username").unique == false);
  CHECK(std::regex_search(postgres_schema(),
                          std::regex(R"(CREATE UNIQUE INDEX accounts_username_nocase ON accounts )"
                                     R"(\(\(lower\(username COLLATE "C"\)\)\))")));
}

TEST_CASE("PostgreSQL store schema holds no SQLite-only syntax", "[store]") {
  const std::string pg = strip_comments(postgres_schema()) + ";\n" + postgres_migrations_table_sql();
  for (const char* bad :
       {R"(\bAUTOINCREMENT\b)", R"(\bWITHOUT\s+ROWID\b)", R"(\bINTEGER\s+PRIMARY\s+KEY\b)", R"(\bPRAGMA\b)",
        R"(\bBLOB\b)", R"(\bNOCASE\b)", R"(\bRAISE\s*\(\s*ABORT)", R"(\bINSERT\s+OR\b)", R"(\bDATETIME\b)"}) {
    INFO(bad);
    CHECK_FALSE(std::regex_search(pg, std::regex(bad, std::regex::icase)));
  }
  // The checks above see SQLite's schema: they would catch a slip.
  CHECK(std::regex_search(sqlite_schema(), std::regex(R"(\bINTEGER\s+PRIMARY\s+KEY\b)")));
  CHECK(std::regex_search(sqlite_schema(), std::regex(R"(\bWITHOUT\s+ROWID\b)")));
}

// ---- Against a PostgreSQL server (GATEWAY_TEST_PG_URL) ----

// psql's path from PATH ("" when it is not there): run_process takes a path.
std::string psql_path() {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    const size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string candidate = dirs.substr(start, end - start) + "/psql";
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

struct PgSchema {
  std::string psql = psql_path();
  std::string url;
  std::string schema = "gw_schema_test_" + to_hex(random_bytes(6));

  testing::RunResult run(const std::string& sql) const {
    return testing::run_process(
        {psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", "-"},
        "SET client_min_messages TO warning;\nSET search_path TO " + schema + ";\n" + sql);
  }
  std::string value(const std::string& sql) const {
    auto r = run(sql);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return normalize(r.out);
  }
  void fails(const std::string& sql, const std::string& error) const {
    auto r = run(sql);
    INFO(sql);
    CHECK(r.exit_code != 0);
    CHECK(r.err.find(error) != std::string::npos);
  }
  ~PgSchema() {
    if (!url.empty() && !psql.empty())
      testing::run_process(
          {psql, "-X", "-q", "-d", url, "-c", "DROP SCHEMA IF EXISTS " + schema + " CASCADE"});
  }
};

TEST_CASE("PostgreSQL store schema applies on a server and its constraints hold", "[store]") {
  const char* url = std::getenv("GATEWAY_TEST_PG_URL");
  if (url == nullptr || *url == '\0') {
    WARN("GATEWAY_TEST_PG_URL not set: PostgreSQL schema not applied on a server");
    return;
  }
  PgSchema db;
  REQUIRE_FALSE(db.psql.empty());  // GATEWAY_TEST_PG_URL is set: psql must be on PATH
  db.url = url;
  {
    std::string script = "CREATE SCHEMA " + db.schema + ";\nSET search_path TO " + db.schema + ";\nBEGIN;\n" +
                         "SELECT pg_advisory_xact_lock(" + std::to_string(kPostgresMigrationLock) + ");\n" +
                         postgres_migrations_table_sql() + ";\n";
    for (const Migration& m : postgres_migrations()) {
      script += std::string(m.sql) + ";\nINSERT INTO schema_migrations (version, applied_at) VALUES (" +
                std::to_string(m.version) + ", 0);\n";
    }
    script += "COMMIT;\n";
    auto r = testing::run_process({db.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db.url, "-f", "-"},
                                  "SET client_min_messages TO warning;\n" + script);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  std::set<std::string> want = tables(postgres_schema());
  want.insert("schema_migrations");
  const std::string listed = db.value(
      "SELECT string_agg(table_name, ' ' ORDER BY table_name) FROM information_schema.tables"
      " WHERE table_schema = current_schema()");
  std::string joined;
  for (const auto& t : want) joined += (joined.empty() ? "" : " ") + t;
  CHECK(listed == joined);
  CHECK(db.value("SELECT MAX(version) FROM schema_migrations") ==
        std::to_string(postgres_migrations().size()));

  // Rows that must all be accepted; ids come from fresh identities (1, 2, ...).
  REQUIRE(db.value(R"sql(
    INSERT INTO contacts (channel_id, address_hash, address, created_at, updated_at)
      VALUES ('sms', '\x01', '\xaa', 1, 1), ('sms', '\x02', '\xbb', 1, 1), ('telegram', '\x01', '\xcc', 1, 1);
    INSERT INTO conversations (contact_id, channel_id, state, created_at, updated_at)
      VALUES (1, 'sms', 'closed', 1, 1), (1, 'sms', 'bot', 2, 2), (1, 'telegram', 'waiting', 2, 2),
             (2, 'sms', 'bot', 2, 2);
    INSERT INTO sessions (contact_id, state, expires_at, updated_at) VALUES (1, '\x00', 9, 1);
    INSERT INTO messages (contact_id, conversation_id, channel_id, direction, provider_id, status, body,
                          created_at, updated_at)
      VALUES (1, 2, 'sms', 'in', 'SM1', 'received', '\x00', 1, 1),
             (1, 2, 'sms', 'out', 'SM1', 'queued', '\x00', 1, 1),
             (1, 2, 'sms', 'out', NULL, 'queued', '\x00', 1, 1),
             (1, 2, 'sms', 'out', NULL, 'queued', '\x00', 1, 1),
             (2, 4, 'sms', 'in', 'SM2', 'received', '\x00', 1, 1);
    INSERT INTO outbox (message_id, contact_id, conversation_id, channel_id, state, next_attempt_at,
                        created_at, updated_at)
      VALUES (2, 1, 2, 'sms', 'pending', 1, 1, 1);
    INSERT INTO accounts (username, password_hash, role, created_at)
      VALUES ('Alice', 'h', 'operator', 1), ('Émile', 'h', 'operator', 1), ('émile', 'h', 'operator', 1);
    INSERT INTO handovers (conversation_id, contact_id, queue, priority, reason, state, operator_id,
                           created_at)
      VALUES (2, 1, 'general', 'urgent', '\x00', 'assigned', 1, 1);
    INSERT INTO notes (conversation_id, contact_id, account_id, body, created_at) VALUES (2, 1, 1, '\x00', 1);
    INSERT INTO audit_log (at, actor, action, subject) VALUES (1, 'system', 'contact.erased', 'contact:9');
    INSERT INTO stats_counts (week, country, metric, value, count) VALUES ('2026-W49', 'NP', 'm', 'v', 0);
    INSERT INTO inbound_queue (channel_id, provider_id, payload, next_attempt_at, received_at, sender_key)
      VALUES ('sms', 'SM3', '\x00', 1, 1, '\x01');
    SELECT COUNT(*) FROM messages;
  )sql") == "5");

  SECTION("the audit log refuses UPDATE, DELETE and TRUNCATE") {
    db.fails("UPDATE audit_log SET actor = 'x';", "append-only");
    db.fails("DELETE FROM audit_log;", "append-only");
    db.fails("DELETE FROM audit_log WHERE id < 0;", "append-only");
    db.fails("TRUNCATE audit_log;", "append-only");
    CHECK(db.value("SELECT actor FROM audit_log") == "system");
  }
  SECTION("unique constraints hold") {
    db.fails(
        "INSERT INTO contacts (channel_id, address_hash, address, created_at, updated_at)"
        " VALUES ('sms', '\\x01', '\\xdd', 1, 1);",
        "contacts_channel_id_address_hash_key");
    db.fails(
        "INSERT INTO conversations (contact_id, channel_id, state, created_at, updated_at)"
        " VALUES (1, 'sms', 'assigned', 3, 3);",
        "conversations_one_open");
    db.fails(
        "INSERT INTO messages (contact_id, conversation_id, channel_id, direction, provider_id, status,"
        " body, created_at, updated_at) VALUES (1, 2, 'sms', 'in', 'SM1', 'received', '\\x00', 1, 1);",
        "messages_channel_id_direction_provider_id_key");
    db.fails(
        "INSERT INTO outbox (message_id, contact_id, conversation_id, channel_id, state,"
        " next_attempt_at, created_at, updated_at) VALUES (2, 1, 2, 'sms', 'pending', 1, 1, 1);",
        "outbox_message_id_key");
    db.fails(
        "INSERT INTO accounts (username, password_hash, role, created_at) VALUES ('aLiCe', 'h', 'admin', 1);",
        "accounts_username_nocase");
    db.fails(
        "INSERT INTO stats_counts (week, country, metric, value, count)"
        " VALUES ('2026-W49', 'NP', 'm', 'v', 3);",
        "stats_counts_pkey");
    // Closing the open conversation lets another open.
    CHECK(db.value("UPDATE conversations SET state = 'closed' WHERE id = 2;"
                   " INSERT INTO conversations (contact_id, channel_id, state, created_at, updated_at)"
                   " VALUES (1, 'sms', 'bot', 3, 3) RETURNING state;") == "bot");
  }
  SECTION("checks refuse values outside the enumerations and negative counts") {
    db.fails("UPDATE conversations SET state = 'open' WHERE id = 1;", "conversations_state_check");
    db.fails("UPDATE messages SET direction = 'both' WHERE id = 1;", "messages_direction_check");
    db.fails("UPDATE outbox SET state = 'done';", "outbox_state_check");
    db.fails("UPDATE contacts SET consent = 'maybe';", "contacts_consent_check");
    db.fails("UPDATE accounts SET role = 'root';", "accounts_role_check");
    db.fails("UPDATE handovers SET priority = 'low';", "handovers_priority_check");
    db.fails("UPDATE stats_counts SET count = -1;", "stats_counts_count_check");
    db.fails("INSERT INTO content_version_files (version_id, path, digest) VALUES (1, 'a', 'd');",
             "content_version_files_version_id_fkey");
  }
  SECTION("erasing a contact takes everything of theirs and leaves the audit log and statistics") {
    CHECK(
        db.value(
            "DELETE FROM accounts WHERE id = 1; SELECT COUNT(*) FROM handovers WHERE operator_id IS NULL;") ==
        "1");
    CHECK(db.value(
              "DELETE FROM contacts WHERE id = 1;"
              " SELECT (SELECT COUNT(*) FROM conversations) || ' ' || (SELECT COUNT(*) FROM messages)"
              " || ' ' || (SELECT COUNT(*) FROM outbox) || ' ' || (SELECT COUNT(*) FROM sessions)"
              " || ' ' || (SELECT COUNT(*) FROM handovers) || ' ' || (SELECT COUNT(*) FROM notes)"
              " || ' ' || (SELECT COUNT(*) FROM audit_log) || ' ' || (SELECT COUNT(*) FROM stats_counts);") ==
          "1 1 0 0 0 0 1 1");
  }
}

}  // namespace
}  // namespace gw
