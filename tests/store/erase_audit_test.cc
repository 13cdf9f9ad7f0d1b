#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "gateway/store/store.h"
#include "tests/store/store_fixture.h"

using gw::ErrorCode;
using gw::testing::StoreFixture;
using namespace std::chrono_literals;

namespace {

// Every table holding a contact's data, and the column that links it to them.
const std::vector<std::pair<std::string, std::string>> kContactTables = {
    {"contacts", "id"},         {"conversations", "contact_id"}, {"sessions", "contact_id"},
    {"messages", "contact_id"}, {"outbox", "contact_id"},        {"handovers", "contact_id"},
};

// Gives the contact a row in every table.
void fill(StoreFixture& f, const gw::Contact& c) {
  const gw::Conversation conv = f.conversation(c);
  gw::Message in = f.message(conv, "they took my passport");
  in.provider_id = "SMin" + std::to_string(c.id);
  REQUIRE(f.store->insert_inbound(in).ok());
  REQUIRE(f.store->enqueue_outbound(f.message(conv, "We can help."), f.clock.now()).ok());
  REQUIRE(
      f.store->save_session(c.id, R"({"answers":{"story":"..."}})", f.clock.now() + 1h, f.clock.now()).ok());
  gw::Handover h;
  h.conversation_id = conv.id;
  h.contact_id = c.id;
  h.queue = "uk";
  h.reason = "keyword:help";
  REQUIRE(f.store->create_handover(h).ok());
  REQUIRE(f.store->set_conversation_state(conv.id, "closed", f.clock.now()).ok());
  f.conversation(c);  // a second conversation
}

}  // namespace

TEST_CASE("erasing a contact removes every row of theirs and only theirs", "[store][contract]") {
  StoreFixture f(/*in_file=*/true);
  const gw::Contact gone = f.contact("+447700900123");
  const gw::Contact kept = f.contact("+447700900456");
  fill(f, gone);
  fill(f, kept);
  for (const auto& [table, column] : kContactTables) {
    INFO(table);
    REQUIRE(f.count_rows(table, column, gone.id) > 0);
  }

  REQUIRE(f.store->erase_contact(gone.id).ok());
  for (const auto& [table, column] : kContactTables) {
    INFO(table);
    CHECK(f.count_rows(table, column, gone.id) == 0);
    CHECK(f.count_rows(table, column, kept.id) > 0);
  }
  CHECK_FALSE(f.store->find_contact("uk-sms", "+447700900123")->has_value());
  CHECK(f.store->erase_contact(gone.id).error().code == ErrorCode::kNotFound);

  auto audit = f.store->list_audit(10);
  REQUIRE(audit.ok());
  REQUIRE(audit->size() == 1);
  CHECK((*audit)[0].action == "contact.erased");
  CHECK((*audit)[0].subject == "contact:" + std::to_string(gone.id));
  CHECK((*audit)[0].detail_json == "{}");
}

TEST_CASE("an erased contact leaves no trace in the database file, not even in free pages", "[store]") {
  StoreFixture f(/*in_file=*/true);
  const gw::Contact gone = f.contact("+447700900123");
  const gw::Contact kept = f.contact("+447700900456");
  fill(f, gone);
  fill(f, kept);
  const std::string gone_hash = f.crypto.index_hash("+447700900123");
  const std::string kept_hash = f.crypto.index_hash("+447700900456");
  REQUIRE(f.store->erase_contact(gone.id).ok());
  REQUIRE(f.store->close().ok());  // checkpoint: the WAL is folded in and removed

  std::ifstream in(f.path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The lookup hash is the one value stored as-is; secure_delete zeroes the
  // freed cells, so the erased contact's hash is gone while the other's is there.
  // (Debian's SQLite defaults to secure_delete; the store sets it for builds
  // that don't, and this test fails if it is turned off.)
  CHECK(bytes.find(kept_hash) != std::string::npos);
  CHECK(bytes.find(gone_hash) == std::string::npos);
  CHECK(bytes.find("SMin" + std::to_string(gone.id)) == std::string::npos);
}

TEST_CASE("the audit log is append-only", "[store][contract]") {
  StoreFixture f(/*in_file=*/true);
  for (int i = 0; i < 3; ++i) {
    gw::AuditEntry e;
    e.at = f.clock.now();
    e.actor = "account:1";
    e.action = "account.login";
    e.subject = "account:1";
    e.detail_json = R"({"n":)" + std::to_string(i) + "}";
    REQUIRE(f.store->append_audit(e).ok());
    f.clock.advance(1s);
  }
  auto newest = f.store->list_audit(2);
  REQUIRE(newest.ok());
  REQUIRE(newest->size() == 2);
  CHECK((*newest)[0].detail_json == R"({"n":2})");
  CHECK((*newest)[1].detail_json == R"({"n":1})");
  CHECK((*newest)[0].at == f.clock.now() - 1s);

  // The schema's triggers refuse it, whoever connects.
  auto update = f.exec_sql("UPDATE audit_log SET actor = 'someone else'");
  REQUIRE_FALSE(update.ok());
  if (f.on_postgres()) {
    // The trigger's RAISE EXCEPTION (raise_exception); its text is not passed on.
    CHECK(update.error().message.find("P0001") != std::string::npos);
    // A statement-level trigger: refused even when no row matches.
    CHECK_FALSE(f.exec_sql("UPDATE audit_log SET actor = 'x' WHERE id < 0").ok());
    CHECK_FALSE(f.exec_sql("TRUNCATE audit_log").ok());
  } else {
    CHECK(update.error().message.find("append-only") != std::string::npos);
  }
  CHECK_FALSE(f.exec_sql("DELETE FROM audit_log").ok());
  CHECK(f.store->list_audit(10)->size() == 3);
  CHECK(f.store->list_audit(-1)->size() == 3);
}

TEST_CASE("erasure after the outbox keeps only the unsent confirmation and its address until it is sent",
          "[store][contract]") {
  StoreFixture f(/*in_file=*/true);
  const gw::Contact gone = f.contact("+447700900123");
  const gw::Contact kept = f.contact("+447700900456");
  fill(f, gone);
  fill(f, kept);
  // What fill() queued for `gone` has gone out; the confirmation is still to send.
  auto first = f.store->claim_due_outbox("uk-sms", f.clock.now(), 10, 30s);
  REQUIRE(first.ok());
  REQUIRE(first->size() == 2);
  for (const auto& item : *first)
    REQUIRE(f.store->mark_outbox_sent(item.id, "SMout" + std::to_string(item.id), 1, f.clock.now()).ok());
  gw::Contact with_language = gone;
  with_language.language = "ar";
  with_language.consent = "given";
  REQUIRE(f.store->update_contact(with_language).ok());
  const gw::Conversation conv = f.conversation(gone);
  REQUIRE(f.store->enqueue_outbound(f.message(conv, "Your data is erased."), f.clock.now()).ok());

  REQUIRE(f.store->erase_contact_after_outbox(gone.id).ok());
  CHECK(f.count_rows("sessions", "contact_id", gone.id) == 0);
  CHECK(f.count_rows("handovers", "contact_id", gone.id) == 0);
  CHECK(f.count_rows("messages", "contact_id", gone.id) == 1);  // the confirmation only
  CHECK(f.count_rows("outbox", "contact_id", gone.id) == 1);
  auto waiting = f.store->get_contact(gone.id);
  REQUIRE(waiting.ok());
  CHECK(waiting->erase_pending);
  CHECK(waiting->language.empty());
  CHECK(waiting->consent == "none");

  auto due = f.store->claim_due_outbox("uk-sms", f.clock.now(), 10, 30s);
  REQUIRE(due.ok());
  REQUIRE(due->size() == 1);
  CHECK((*due)[0].address == "+447700900123");
  CHECK((*due)[0].body == "Your data is erased.");
  REQUIRE(f.store->mark_outbox_sent((*due)[0].id, "SMconfirm", 1, f.clock.now()).ok());
  for (const auto& [table, column] : kContactTables) {
    INFO(table);
    CHECK(f.count_rows(table, column, gone.id) == 0);
    CHECK(f.count_rows(table, column, kept.id) > 0);
  }
  auto audit = f.store->list_audit(10);
  REQUIRE(audit.ok());
  REQUIRE(audit->size() == 1);
  CHECK((*audit)[0].subject == "contact:" + std::to_string(gone.id));
}

TEST_CASE("erasure after the outbox is immediate when nothing is unsent, and also ends on a failed send",
          "[store][contract]") {
  StoreFixture f(/*in_file=*/true);
  const gw::Contact now_gone = f.contact("+447700900123");
  REQUIRE(f.store->erase_contact_after_outbox(now_gone.id).ok());
  CHECK(f.count_rows("contacts", "id", now_gone.id) == 0);
  CHECK(f.store->erase_contact_after_outbox(now_gone.id).error().code == ErrorCode::kNotFound);

  const gw::Contact later = f.contact("+447700900789");
  const gw::Conversation conv = f.conversation(later);
  REQUIRE(f.store->enqueue_outbound(f.message(conv, "Your data is erased."), f.clock.now()).ok());
  REQUIRE(f.store->erase_contact_after_outbox(later.id).ok());
  CHECK(f.count_rows("contacts", "id", later.id) == 1);
  auto due = f.store->claim_due_outbox("uk-sms", f.clock.now(), 10, 30s);
  REQUIRE(due.ok());
  REQUIRE(due->size() == 1);
  REQUIRE(f.store->mark_outbox_failed((*due)[0].id, 21211, "invalid number", f.clock.now()).ok());
  CHECK(f.count_rows("contacts", "id", later.id) == 0);
  CHECK(f.count_rows("messages", "contact_id", later.id) == 0);
}

TEST_CASE("retention: without consent kept for the live conversation, with it for the retention period",
          "[store][contract]") {
  // Given contacts with every consent state, idle for 25 hours, one waiting for an
  // operator and one recent, then only those without consent and no operator go;
  // after 91 days the one who consented goes too.
  StoreFixture f(/*in_file=*/true);
  auto make = [&](const std::string& address, const std::string& consent) {
    gw::Contact c = f.contact(address);
    c.consent = consent;
    c.last_inbound_at = f.clock.now();
    REQUIRE(f.store->update_contact(c).ok());
    return c;
  };
  const gw::Contact old_declined = make("+447700900001", "declined");
  const gw::Contact old_given = make("+447700900002", "given");
  const gw::Contact old_with_operator = make("+447700900003", "declined");
  const gw::Contact old_never_asked = make("+447700900005", "none");
  const gw::Conversation waiting = f.conversation(old_with_operator);
  REQUIRE(f.store->set_conversation_state(waiting.id, "waiting", f.clock.now()).ok());
  f.clock.advance(25h);
  const gw::Contact recent_declined = make("+447700900004", "declined");

  auto erased = f.store->erase_idle_contacts(f.clock.now() - 24h, f.clock.now() - 90 * 24h);
  REQUIRE(erased.ok());
  CHECK(*erased == 2);
  CHECK(f.count_rows("contacts", "id", old_declined.id) == 0);
  CHECK(f.count_rows("contacts", "id", old_never_asked.id) == 0);
  CHECK(f.count_rows("contacts", "id", old_given.id) == 1);
  CHECK(f.count_rows("contacts", "id", old_with_operator.id) == 1);
  CHECK(f.count_rows("contacts", "id", recent_declined.id) == 1);

  f.clock.advance(90 * 24h);
  erased = f.store->erase_idle_contacts(f.clock.now() - 24h, f.clock.now() - 90 * 24h);
  REQUIRE(erased.ok());
  CHECK(f.count_rows("contacts", "id", old_given.id) == 0);
  CHECK(f.count_rows("contacts", "id", old_with_operator.id) == 1);  // still with an operator
}
