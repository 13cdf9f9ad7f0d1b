// KeyRotationDb and the re-sealing passes (store/key_rotation.h) on the store's
// own database: SQLite in a file, and (as "postgres: …") PostgreSQL. The store
// keeps working through the rotation, since its Crypto is the one that adopts
// the new keys; after a pass nothing is sealed with the old key; a value changed
// between read and write is left alone; the contact index is rebuilt.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "gateway/store/key_rotation.h"
#include "tests/store/store_fixture.h"

namespace {

using gw::testing::StoreFixture;

std::unique_ptr<gw::KeyRotationDb> rotation_db(const StoreFixture& f) {
  auto db = f.on_postgres() ? gw::open_postgres_key_rotation_db(f.pg->url())
                            : gw::open_sqlite_key_rotation_db(f.path);
  INFO((db.ok() ? std::string() : db.error().to_string()));
  REQUIRE(db.ok());
  return std::move(*db);
}

std::string new_key() { return gw::base64_encode(gw::random_bytes(32)); }

gw::Crypto crypto_of(const std::vector<std::string>& data, const std::string& index,
                     const std::string& index_previous = "") {
  auto c = gw::Crypto::from_keys(data, index, index_previous);
  REQUIRE(c.ok());
  return *c;
}

// Keys of the test's own, given to the fixture's store (its Crypto is a copy of
// the fixture's, sharing its keys).
struct Keys {
  std::string data = new_key();
  std::string index = new_key();
};

std::string address(int i) { return "+4477009005" + std::to_string(10 + i); }

// 7 people, each with a session, a note and a handover, and 123 messages.
std::vector<gw::Conversation> fill(StoreFixture& f) {
  std::vector<gw::Conversation> convs;
  for (int i = 0; i < 7; ++i) {
    auto c = f.contact(address(i));
    convs.push_back(f.conversation(c));
    REQUIRE(f.store->save_session(c.id, R"({"n":1})", f.clock.now() + std::chrono::hours(1), f.clock.now()).ok());
    REQUIRE(f.store->add_note(convs.back().id, c.id, std::nullopt, "note", f.clock.now()).ok());
    gw::Handover h;
    h.conversation_id = convs.back().id;
    h.contact_id = c.id;
    h.queue = "general";
    h.reason = "asked";
    h.created_at = f.clock.now();
    REQUIRE(f.store->create_handover(h).ok());
  }
  for (int i = 0; i < 123; ++i)
    REQUIRE(f.store->insert_inbound(f.message(convs[static_cast<size_t>(i % 7)], "body " + std::to_string(i))).ok());
  return convs;
}

}  // namespace

TEST_CASE("a re-sealing pass leaves every value under the new data key while the store keeps reading them",
          "[store][contract]") {
  StoreFixture f(/*in_file=*/true);
  const Keys old;
  f.crypto.adopt(crypto_of({old.data}, old.index));
  const std::vector<gw::Conversation> convs = fill(f);
  const std::string old_id = f.crypto.active_key_id();

  auto db = rotation_db(f);
  auto census = gw::sealed_census(*db);
  REQUIRE(census.ok());
  REQUIRE(census->size() == 1);
  CHECK(census->at(old_id) == 7 * 4 + 123);
  CHECK(db->columns().size() == (f.on_postgres() ? 8u : 6u));  // SQLite's intake is a file of its own

  const std::string fresh = new_key();
  f.crypto.adopt(crypto_of({fresh, old.data}, old.index));
  const std::string new_id = f.crypto.active_key_id();
  REQUIRE(new_id != old_id);
  CHECK(db->count_stale(db->columns()[1], f.crypto.active_key_raw_id()).value_or(0) == 123);

  std::vector<gw::ResealProgress> seen;
  gw::ResealOptions options;
  options.batch = 10;
  auto report = gw::reseal_all(*db, f.crypto, options, [&](const gw::ResealProgress& p) { seen.push_back(p); });
  REQUIRE(report.ok());
  CHECK(report->resealed == 7 * 4 + 123);
  CHECK(report->skipped == 0);
  bool messages_done = false;
  for (const auto& p : seen) {
    if (p.column == "messages.body" && p.column_done) messages_done = p.done == 123 && p.total == 123;
  }
  CHECK(messages_done);
  census = gw::sealed_census(*db);
  REQUIRE(census.ok());
  CHECK(*census == std::map<std::string, int64_t>{{new_id, 7 * 4 + 123}});

  // Read back through the store with the new key alone.
  f.crypto.adopt(crypto_of({fresh}, old.index));
  auto messages = f.store->list_messages(convs[3].id);
  REQUIRE(messages.ok());
  CHECK(messages->size() == 18);
  CHECK(messages->front().body == "body 3");
  auto notes = f.store->list_notes(convs[3].id);
  REQUIRE(notes.ok());
  CHECK(notes->at(0).body == "note");
  CHECK(f.store->load_session(convs[3].contact_id, f.clock.now())->value_or("") == R"({"n":1})");
  auto found = f.store->find_contact("uk-sms", address(3));
  REQUIRE(found.ok());
  CHECK(found->has_value());

  // A second pass finds nothing to do.
  auto again = gw::reseal_all(*db, f.crypto, options, nullptr);
  REQUIRE(again.ok());
  CHECK(again->resealed == 0);
}

TEST_CASE("a value rewritten between the read and the write of a pass is left as the store wrote it",
          "[store][contract]") {
  StoreFixture f(/*in_file=*/true);
  const Keys old;
  f.crypto.adopt(crypto_of({old.data}, old.index));
  auto c = f.contact(address(1));
  REQUIRE(f.store->save_session(c.id, R"({"v":1})", f.clock.now() + std::chrono::hours(1), f.clock.now()).ok());
  auto db = rotation_db(f);
  const gw::SealedColumn& sessions = db->columns()[2];
  REQUIRE(sessions.aad() == "sessions.state");

  f.crypto.adopt(crypto_of({new_key(), old.data}, old.index));
  auto stale = db->stale_values(sessions, gw::RowKey{}, f.crypto.active_key_raw_id(), 10);
  REQUIRE(stale.ok());
  REQUIRE(stale->size() == 1);
  // The serving store writes the session meanwhile (with the new key).
  REQUIRE(f.store->save_session(c.id, R"({"v":2})", f.clock.now() + std::chrono::hours(1), f.clock.now()).ok());
  auto resealed = f.crypto.encrypt(R"({"v":1})", "sessions.state");
  REQUIRE(resealed.ok());
  auto written = db->replace_values(sessions, {{stale->at(0).key, stale->at(0).value, *resealed}});
  REQUIRE(written.ok());
  CHECK(*written == 0);
  CHECK(f.store->load_session(c.id, f.clock.now())->value_or("") == R"({"v":2})");
}

TEST_CASE("rebuilding the contact index: contacts are found by either key meanwhile, then by the new one alone",
          "[store][contract]") {
  StoreFixture f(/*in_file=*/true);
  const Keys old;
  f.crypto.adopt(crypto_of({old.data}, old.index));
  for (int i = 0; i < 5; ++i) f.contact(address(i));
  const std::string new_index = new_key();
  // During the rotation: the new index key, the old one still looked up.
  f.crypto.adopt(crypto_of({old.data}, new_index, old.index));
  auto during = f.store->upsert_contact("uk-sms", address(2), f.clock.now());
  REQUIRE(during.ok());
  CHECK(during->id > 0);
  auto db = rotation_db(f);
  gw::ResealOptions options;
  options.batch = 2;
  int64_t last = 0;
  auto rebuilt = gw::rehash_contacts(*db, f.crypto, options, [&](int64_t n) { last = n; });
  REQUIRE(rebuilt.ok());
  CHECK(*rebuilt == 5);
  CHECK(last == 5);
  // The new index key alone finds every one of them, and no one twice.
  f.crypto.adopt(crypto_of({old.data}, new_index));
  for (int i = 0; i < 5; ++i) {
    auto again = f.store->upsert_contact("uk-sms", address(i), f.clock.now());
    REQUIRE(again.ok());
    if (i == 2) CHECK(again->id == during->id);
  }
  auto contacts = db->contacts_after(0, 100);
  REQUIRE(contacts.ok());
  CHECK(contacts->size() == 5);
}

TEST_CASE("the rotation in progress and the key holders are kept in the database", "[store][contract]") {
  StoreFixture f(/*in_file=*/true);
  auto db = rotation_db(f);
  CHECK_FALSE(db->rotation()->has_value());
  const gw::TimePoint t0 = f.clock.now();
  REQUIRE(db->begin_rotation({t0, "0a0b0c0d", "", "waiting", t0}).ok());
  REQUIRE(db->update_progress("messages.body: 10 of 20 re-sealed", t0 + std::chrono::seconds(3)).ok());
  auto r = db->rotation();
  REQUIRE(r.ok());
  REQUIRE(r->has_value());
  CHECK((*r)->data_key == "0a0b0c0d");
  CHECK((*r)->progress == "messages.body: 10 of 20 re-sealed");
  CHECK((*r)->updated_at == t0 + std::chrono::seconds(3));
  REQUIRE(db->end_rotation().ok());
  CHECK_FALSE(db->rotation()->has_value());

  REQUIRE(db->report_holder({"a", {"11111111", "22222222"}, "33333333", t0}).ok());
  REQUIRE(db->report_holder({"b", {"22222222"}, "33333333", t0 + std::chrono::seconds(15)}).ok());
  REQUIRE(db->report_holder({"a", {"44444444", "11111111"}, "33333333", t0 + std::chrono::seconds(6)}).ok());
  auto holders = db->holders(t0);
  REQUIRE(holders.ok());
  REQUIRE(holders->size() == 2);
  CHECK(holders->at(0).instance == "a");
  CHECK(holders->at(0).data_keys == std::vector<std::string>{"44444444", "11111111"});
  CHECK(db->holders(t0 + std::chrono::seconds(7))->size() == 1);
  // A holder silent for over a minute ("a") is dropped when another reports.
  REQUIRE(db->report_holder({"c", {"1"}, "3", t0 + std::chrono::seconds(70)}).ok());
  holders = db->holders(t0);
  REQUIRE(holders.ok());
  REQUIRE(holders->size() == 2);
  CHECK(holders->at(0).instance == "b");
  REQUIRE(db->forget_holder("c").ok());
  CHECK(db->holders(t0)->size() == 1);
}
