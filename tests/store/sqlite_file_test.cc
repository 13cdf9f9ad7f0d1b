#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "gateway/store/migrations.h"
#include "gateway/store/sqlite/database.h"
#include "gateway/store/sqlite/migrator.h"
#include "gateway/store/store.h"
#include "tests/store/store_fixture.h"

using gw::ErrorCode;
using gw::testing::StoreFixture;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Every byte SQLite left in the directory: the database and any -wal/-shm.
std::string all_db_bytes(const fs::path& dir) {
  std::string out;
  for (const auto& e : fs::directory_iterator(dir)) out += read_bytes(e.path());
  return out;
}

// UTF-16 spelling of `s`, in case a value were ever stored as UTF-16 text.
std::string utf16le(const std::string& ascii) {
  std::string out;
  for (char c : ascii) {
    out.push_back(c);
    out.push_back('\0');
  }
  return out;
}

int64_t scalar(gw::sqlite::Database& db, const char* sql) {
  auto n = db.query_one(sql, gw::sqlite::scalar_int64);
  REQUIRE(n.ok());
  REQUIRE(n->has_value());
  return **n;
}

}  // namespace

TEST_CASE("no phone number or message text reaches the database file in clear", "[store]") {
  StoreFixture f(/*in_file=*/true);
  const std::string phone = "+447700900123";
  const std::string inbound = "They took my passport and I work without pay";
  const std::string outbound = "You can call the Modern Slavery Helpline on 08000 121 700";
  const std::string answer = "Kalverstraat farm, near the red barn";

  const gw::Contact c = f.contact(phone);
  const gw::Conversation conv = f.conversation(c);
  gw::Message in = f.message(conv, inbound);
  in.provider_id = "SM00000000000000000000000000000001";
  REQUIRE(f.store->insert_inbound(in).ok());
  REQUIRE(f.store->enqueue_outbound(f.message(conv, outbound), f.clock.now()).ok());
  REQUIRE(
      f.store->save_session(c.id, R"({"answer":")" + answer + "\"}", f.clock.now() + 1h, f.clock.now()).ok());
  auto claimed = f.store->claim_due_outbox("uk-sms", f.clock.now(), 1, 30s);
  REQUIRE(claimed->size() == 1);
  REQUIRE(f.store
              ->mark_outbox_retry((*claimed)[0].id, f.clock.now(),
                                  "The 'To' number " + phone + " is not valid", f.clock.now())
              .ok());

  // While open: the WAL holds the recent writes.
  const fs::path dir = fs::path(f.path).parent_path();
  std::string bytes = all_db_bytes(dir);
  REQUIRE(bytes.size() > 4096);
  // Sanity check that the scan sees stored data: the provider id is in clear.
  REQUIRE(bytes.find("SM00000000000000000000000000000001") != std::string::npos);

  REQUIRE(f.store->close().ok());  // checkpoints the WAL into the database file
  bytes += all_db_bytes(dir);
  for (const std::string& secret :
       {phone, std::string("447700900123"), std::string("7700900123"), inbound, std::string("passport"),
        outbound, std::string("Modern Slavery"), answer}) {
    INFO(secret);
    CHECK(bytes.find(secret) == std::string::npos);
    CHECK(bytes.find(utf16le(secret)) == std::string::npos);
  }
}

TEST_CASE("the database file is created with mode 0600 in a new directory, in WAL mode", "[store]") {
  StoreFixture f(/*in_file=*/true);
  struct stat st {};
  REQUIRE(::stat(f.path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto db = gw::sqlite::Database::open(f.path);
  REQUIRE(db.ok());
  auto mode = db->query_one("PRAGMA journal_mode", gw::sqlite::scalar_text);
  REQUIRE(mode.ok());
  CHECK(*mode == std::optional<std::string>("wal"));
}

TEST_CASE("migrations run once and data survives reopening a file database", "[store]") {
  StoreFixture f(/*in_file=*/true);
  const gw::Contact c = f.contact("+447700900123");
  f.reopen();
  f.reopen();
  auto found = f.store->find_contact("uk-sms", "+447700900123");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->id == c.id);

  auto db = gw::sqlite::Database::open(f.path);
  REQUIRE(db.ok());
  const auto latest = static_cast<int64_t>(gw::sqlite_migrations().size());
  CHECK(scalar(*db, "SELECT COUNT(*) FROM schema_migrations") == latest);
  CHECK(scalar(*db, "SELECT MAX(version) FROM schema_migrations") == latest);
}

TEST_CASE("a database written by a newer gateway is refused with a clear error", "[store]") {
  StoreFixture f(/*in_file=*/true);
  REQUIRE(f.store->close().ok());
  {
    auto db = gw::sqlite::Database::open(f.path);
    REQUIRE(db.ok());
    REQUIRE(db->exec("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)").ok());
  }
  auto r = gw::open_sqlite_store(f.path, f.crypto, f.clock);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("999") != std::string::npos);
  CHECK(r.error().message.find("newer gateway") != std::string::npos);
}

TEST_CASE("pending_migrations lists what a database lacks and checks numbering", "[store]") {
  const std::vector<gw::Migration> three = {{1, "a", "SELECT 1"}, {2, "b", "SELECT 1"}, {3, "c", "SELECT 1"}};
  auto from0 = gw::pending_migrations(three, 0);
  REQUIRE(from0.ok());
  CHECK(from0->size() == 3);
  auto from2 = gw::pending_migrations(three, 2);
  REQUIRE(from2->size() == 1);
  CHECK((*from2)[0]->version == 3);
  CHECK(gw::pending_migrations(three, 3)->empty());
  CHECK(gw::pending_migrations(three, 4).error().code == ErrorCode::kInvalidArgument);
  const std::vector<gw::Migration> gap = {{1, "a", "SELECT 1"}, {3, "c", "SELECT 1"}};
  CHECK_FALSE(gw::pending_migrations(gap, 0).ok());
}

TEST_CASE("a failing migration leaves the database untouched", "[store]") {
  gw::testing::TempDir dir;
  const std::string path = (dir.path() / "m.db").string();
  auto db = gw::sqlite::Database::open(path);
  REQUIRE(db.ok());
  const std::vector<gw::Migration> bad = {
      {1, "ok", "CREATE TABLE t (x INTEGER)"},
      {2, "broken", "CREATE TABLE u (x INTEGER); SELECT nonsense FROM nowhere"}};
  auto r = gw::sqlite::migrate(*db, bad, gw::from_unix_ms(0));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("migration 2") != std::string::npos);
  CHECK(scalar(*db, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('t', 'u', 'schema_migrations')") == 0);
}
