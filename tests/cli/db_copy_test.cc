// `gateway db copy`: a SQLite deployment filled through the Store API is copied
// into a PostgreSQL schema of the test's own (GATEWAY_TEST_PG_URL; without it the
// tests that need the server say so and pass), then read back with raw SQL.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>

#include "gateway/cli/configured_store.h"
#include "gateway/cli/db_copy_command.h"
#include "gateway/core/clock.h"
#include "gateway/store/content_store.h"
#include "gateway/store/intake.h"
#include "gateway/store/postgres/pg_connection.h"
#include "gateway/store/sqlite/database.h"
#include "gateway/store/sqlite/sqlite_store.h"
#include "tests/support/pg_test_db.h"
#include "tests/support/serve_gateway.h"
#include "tests/support/temp_dir.h"

using gw::Crypto;
using gw::TimePoint;
using gw::pg::Connection;
using gw::pg::PgRow;

namespace {

#define PG_URL_OR_SKIP()                                                                \
  if (!gw::testing::test_pg_url()) {                                                    \
    WARN("GATEWAY_TEST_PG_URL is not set: skipped (scripts/pg-test-cluster.sh start)"); \
    return;                                                                             \
  }

const std::string kAddress = "+447700900123";
constexpr int kManyAuditEntries = 450;
const std::string kInboundBody = "I need help, they took my passport";
const std::string kOutboundBody = "You are not alone. Reply 1 to talk to someone.";

// A SQLite deployment (config, database, intake, generated key file) with a row
// in every table.
struct SqliteDeployment {
  gw::testing::TempDir dir{"gw-dbcopy"};
  std::string config = gw::testing::write_serve_config(dir.path().string());
  gw::Config cfg;

  SqliteDeployment() {
    std::filesystem::create_directories(dir.path() / "data");
    auto loaded = gw::cli::load_config(config);
    REQUIRE(loaded);
    cfg = *loaded;
    auto crypto = gw::cli::load_crypto(cfg);
    REQUIRE(crypto);
    fill(*crypto);
  }

  void fill(const Crypto& crypto) {
    gw::SystemClock clock;
    const TimePoint now = clock.now();
    auto store = gw::open_sqlite_store(cfg.database.path, crypto, clock);
    REQUIRE(store);
    gw::Store& s = **store;
    auto contact = s.upsert_contact("uk-sms", kAddress, now);
    REQUIRE(contact);
    contact->language = "ar";
    REQUIRE(s.update_contact(*contact));
    REQUIRE(s.save_session(contact->id, R"({"flow":"welcome"})", now + std::chrono::hours(1), now));
    auto conv = s.open_or_get_conversation(contact->id, "uk-sms", now);
    REQUIRE(conv);
    gw::Message in;
    in.contact_id = contact->id;
    in.conversation_id = conv->id;
    in.channel_id = "uk-sms";
    in.provider_id = "SM0001";
    in.body = kInboundBody;
    in.created_at = in.updated_at = now;
    REQUIRE(s.insert_inbound(in));
    gw::Message out = in;
    out.provider_id.reset();
    out.body = kOutboundBody;
    out.template_key = "system.welcome";
    REQUIRE(s.enqueue_outbound(out, now));
    auto claimed = s.claim_due_outbox("uk-sms", now, 10, std::chrono::seconds(60));
    REQUIRE(claimed);
    REQUIRE(claimed->size() == 1);
    // A retry seals its error in outbox.last_error.
    REQUIRE(s.mark_outbox_retry(claimed->front().id, now + std::chrono::seconds(5), "timeout", now));

    gw::Account account;
    account.username = "amina";
    account.password_hash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA";
    account.created_at = now;
    account.languages = {"ar", "en"};
    account.must_change_password = true;
    auto account_id = s.create_account(account);
    REQUIRE(account_id);

    gw::Handover h;
    h.conversation_id = conv->id;
    h.contact_id = contact->id;
    h.queue = "general";
    h.priority = "urgent";
    h.reason = "asked for a person";
    h.created_at = now;
    REQUIRE(s.create_handover(h));
    REQUIRE(s.add_note(conv->id, contact->id, *account_id, "called back, no answer", now));
    REQUIRE(s.append_audit({0, now, "account:1", "account.login", "account:1", "{}"}));
    REQUIRE(s.append_audit({0, now, "system", "contact.created", "contact:1", "{}"}));
    // More than a batch: full batches, then the rest.
    REQUIRE(s.in_transaction([&]() -> gw::Status {
      for (int i = 0; i < kManyAuditEntries; ++i) {
        if (gw::Status st = s.append_audit({0, now, "system", "test.entry", "n:" + std::to_string(i), "{}"});
            !st) {
          return st;
        }
      }
      return {};
    }));

    gw::ContentStore* content = s.content_store();
    REQUIRE(content);
    gw::ContentVersion v;
    v.at = now;
    v.author = "gateway";
    v.message = "shipped content";
    v.origin = "files";
    v.digest = "d1";
    v.changes_json = "[]";
    REQUIRE(content->add_content_version(v, {{"flows/welcome.json", "{\"id\":\"welcome\"}"}}, 0));
    REQUIRE(
        content->put_draft_entry("template:system.welcome", R"({"en":"Hi"})", 0, *account_id, "amina", now));
    REQUIRE(s.add_stats({{"2026-W49", "GB", "conversations.channel", "sms", 3}}));
    REQUIRE(s.close());

    auto intake = gw::open_sqlite_intake(gw::intake_path_for(cfg.database.path), crypto, clock);
    REQUIRE(intake);
    REQUIRE((*intake)->queue("uk-sms", "SM0002", kAddress, "Body=still+here", now));
    REQUIRE((*intake)->close());
  }

  Crypto crypto() const {
    auto c = gw::cli::load_crypto(cfg);
    REQUIRE(c);
    return *c;
  }
};

int64_t count(Connection& conn, const std::string& table) {
  auto n = conn.query_one("SELECT COUNT(*) FROM " + table, [](const PgRow& r) { return r.int64(0); });
  REQUIRE(n);
  return n->value_or(-1);
}

struct CopyRun {
  int code = 0;
  std::string out;
  std::string err;
};

CopyRun copy(const std::string& to, const std::string& config) {
  std::ostringstream out, err;
  CopyRun r;
  r.code = gw::cli::run_db_copy({to, config}, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

const std::map<std::string, int64_t> kExpectedRows = {
    {"contacts", 1},      {"conversations", 1}, {"sessions", 1},         {"messages", 2},
    {"outbox", 1},        {"accounts", 1},      {"handovers", 1},        {"audit_log", 2 + kManyAuditEntries},
    {"notes", 1},         {"content_blobs", 1}, {"content_versions", 1}, {"content_version_files", 1},
    {"content_draft", 1}, {"stats_counts", 1},  {"inbound_queue", 1},
};

}  // namespace

TEST_CASE("db copy moves every table of a SQLite deployment into PostgreSQL, readable with the same keys",
          "[cli][dbcopy]") {
  PG_URL_OR_SKIP();
  SqliteDeployment d;
  gw::testing::PgTestSchema target;
  ::setenv("GW_DBCOPY_TEST_URL", target.url().c_str(), 1);

  CopyRun r = copy("env:GW_DBCOPY_TEST_URL", d.config);
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("contacts: 1 rows\n") != std::string::npos);
  CHECK(r.out.find("messages: 2 rows\n") != std::string::npos);
  CHECK(r.out.find("inbound_queue: 1 rows\n") != std::string::npos);
  // One value of each sealed column: address, 2 bodies, session, reason, note, payload, last_error.
  CHECK(r.out.find("verified: 8 sealed values decrypted\n") != std::string::npos);
  // Nothing personal in the output, nor the URL.
  CHECK(r.out.find(kAddress) == std::string::npos);
  CHECK(r.out.find("passport") == std::string::npos);
  CHECK(r.out.find(target.url()) == std::string::npos);

  auto conn = Connection::connect(target.url());
  REQUIRE(conn);
  for (const auto& [table, rows] : kExpectedRows) {
    INFO(table);
    CHECK(count(*conn, table) == rows);
  }

  const Crypto crypto = d.crypto();
  auto body = conn->query_one("SELECT body FROM messages WHERE direction = 'in'",
                              [](const PgRow& row) { return row.bytes(0); });
  REQUIRE(body);
  REQUIRE(*body);
  auto plain = crypto.decrypt(**body, "messages.body");
  REQUIRE(plain);
  CHECK(*plain == kInboundBody);

  auto address =
      conn->query_one("SELECT address, address_hash, opted_out FROM contacts", [&](const PgRow& row) {
        CHECK(row.bytes(1) == crypto.index_hash(kAddress));
        CHECK_FALSE(row.boolean(2));
        return row.bytes(0);
      });
  REQUIRE(address);
  REQUIRE(*address);
  CHECK(crypto.decrypt(**address, "contacts.address").value_or("") == kAddress);

  auto last_error = conn->query_one("SELECT last_error FROM outbox",
                                    [](const PgRow& row) { return row.optional_bytes(0); });
  REQUIRE(last_error);
  REQUIRE(*last_error);
  REQUIRE(**last_error);
  CHECK(crypto.decrypt(***last_error, "outbox.last_error").value_or("") == "timeout");

  auto flags =
      conn->query_one("SELECT must_change_password, disabled, languages FROM accounts", [](const PgRow& row) {
        return std::to_string(row.boolean(0)) + std::to_string(row.boolean(1)) + row.text(2);
      });
  REQUIRE(flags);
  CHECK(flags->value_or("") == "10ar,en");

  // The identities continue past the copied ids.
  auto next_id = conn->query_one("SELECT nextval(pg_get_serial_sequence('messages', 'id'))",
                                 [](const PgRow& row) { return row.int64(0); });
  REQUIRE(next_id);
  auto max_id =
      conn->query_one("SELECT MAX(id) FROM messages", [](const PgRow& row) { return row.int64(0); });
  REQUIRE(max_id);
  CHECK(next_id->value_or(0) > max_id->value_or(0));
  auto last_audit = conn->query_one("SELECT subject FROM audit_log ORDER BY id DESC LIMIT 1",
                                    [](const PgRow& row) { return row.text(0); });
  REQUIRE(last_audit);
  CHECK(last_audit->value_or("") == "n:" + std::to_string(kManyAuditEntries - 1));

  SECTION("a second copy into the same target is refused and changes nothing") {
    CopyRun again = copy(target.url(), d.config);
    CHECK(again.code == 1);
    CHECK(again.out.empty());
    CHECK(again.err.find("not empty") != std::string::npos);
    for (const auto& [table, rows] : kExpectedRows) {
      INFO(table);
      CHECK(count(*conn, table) == rows);
    }
  }
}

TEST_CASE("db copy with the wrong keys fails its verification and leaves the target empty", "[cli][dbcopy]") {
  PG_URL_OR_SKIP();
  SqliteDeployment d;
  // Another key file: the copied values no longer decrypt.
  std::filesystem::remove(d.cfg.keys.file);
  (void)d.crypto();
  gw::testing::PgTestSchema target;

  CopyRun r = copy(target.url(), d.config);
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find("verification failed") != std::string::npos);
  CHECK(r.err.find('\n') == r.err.size() - 1);

  auto conn = Connection::connect(target.url());
  REQUIRE(conn);
  for (const auto& [table, rows] : kExpectedRows) {
    INFO(table);
    CHECK(count(*conn, table) == 0);
  }
}

TEST_CASE("db copy refuses a source database that does not exist and creates none", "[cli][dbcopy]") {
  gw::testing::TempDir dir{"gw-dbcopy"};
  const std::string config = gw::testing::write_serve_config(dir.path().string());
  CopyRun r = copy("postgresql://gateway@127.0.0.1:1/none", config);
  CHECK(r.code == 1);
  CHECK(r.err.find("no SQLite database") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "data" / "gateway.db"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "data" / "keys.json"));
}

TEST_CASE("db copy refuses a SQLite database whose schema is not this gateway's", "[cli][dbcopy]") {
  SqliteDeployment d;
  {
    auto db = gw::sqlite::Database::open(d.cfg.database.path);
    REQUIRE(db);
    REQUIRE(db->exec(
        "DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)"));
  }
  CopyRun r = copy("postgresql://gateway@127.0.0.1:1/none", d.config);
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find("schema version") != std::string::npos);
}

TEST_CASE("db copy refuses while another process holds the SQLite database's write lock", "[cli][dbcopy]") {
  SqliteDeployment d;
  auto writer = gw::sqlite::Database::open(d.cfg.database.path);
  REQUIRE(writer);
  REQUIRE(writer->exec("BEGIN IMMEDIATE"));
  CopyRun r = copy("postgresql://gateway@127.0.0.1:1/none", d.config);
  CHECK(r.code == 1);
  CHECK(r.err.find("locked for writing") != std::string::npos);
  REQUIRE(writer->exec("ROLLBACK"));
}
