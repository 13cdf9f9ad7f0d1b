// SqliteStore: messages and the outbox (see sqlite_store_impl.h).
#include "gateway/store/record_values.h"
#include "gateway/store/sqlite/sqlite_store_impl.h"

namespace gw::sqlite {
namespace {

constexpr const char* kMessageColumns =
    "id, contact_id, conversation_id, channel_id, direction, provider_id, status, error_code, body, segments,"
    " created_at, updated_at, template_key";

std::optional<int64_t> optional_int(std::optional<int> v) {
  if (!v) return std::nullopt;
  return static_cast<int64_t>(*v);
}

}  // namespace

Result<InsertedMessage> SqliteStore::insert_inbound(const Message& msg) {
  const std::string status = msg.status.empty() ? "received" : msg.status;
  if (!message_status_rank(status)) return Error::invalid("unknown message status '" + status + "'");
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto sealed = seal(msg.body, "messages.body");
  if (!sealed) return sealed.error();
  const int64_t created = to_unix_ms(or_now(msg.created_at));
  // One statement: the UNIQUE constraint makes a concurrent retry a no-op.
  auto st = db_.prepare(
      "INSERT INTO messages (contact_id, conversation_id, channel_id, direction, provider_id, status, "
      "error_code,"
      " body, segments, created_at, updated_at) VALUES (?1, ?2, ?3, 'in', ?4, ?5, ?6, ?7, ?8, ?9, ?9)"
      " ON CONFLICT (channel_id, direction, provider_id) DO NOTHING");
  if (!st) return st.error();
  st->bind(1, msg.contact_id).bind(2, msg.conversation_id).bind(3, msg.channel_id).bind(4, msg.provider_id);
  st->bind(5, status).bind(6, optional_int(msg.error_code)).bind(7, Blob{*sealed}).bind(8, msg.segments);
  st->bind(9, created);
  if (Status s = st->run(); !s) return s.error();
  if (db_.changes() == 1) return InsertedMessage{db_.last_insert_rowid(), true};

  auto q =
      db_.prepare("SELECT id FROM messages WHERE channel_id = ?1 AND direction = 'in' AND provider_id = ?2");
  if (!q) return q.error();
  q->bind(1, msg.channel_id).bind(2, msg.provider_id);
  auto row = q->step();
  if (!row) return row.error();
  if (!*row) return Error::internal("inbound message was neither inserted nor found");
  return InsertedMessage{q->int64(0), false};
}

Result<int64_t> SqliteStore::enqueue_outbound(const Message& msg, TimePoint not_before) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto sealed = seal(msg.body, "messages.body");
  if (!sealed) return sealed.error();
  const int64_t created = to_unix_ms(or_now(msg.created_at));
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  auto st = db_.prepare(
      "INSERT INTO messages (contact_id, conversation_id, channel_id, direction, provider_id, status, body,"
      " segments, created_at, updated_at, template_key)"
      " VALUES (?1, ?2, ?3, 'out', NULL, 'queued', ?4, ?5, ?6, ?6, ?7)");
  if (!st) return st.error();
  st->bind(1, msg.contact_id).bind(2, msg.conversation_id).bind(3, msg.channel_id).bind(4, Blob{*sealed});
  st->bind(5, msg.segments).bind(6, created).bind(7, msg.template_key);
  if (Status s = st->run(); !s) return s.error();
  const int64_t message_id = db_.last_insert_rowid();

  auto ob = db_.prepare(
      "INSERT INTO outbox (message_id, contact_id, conversation_id, channel_id, state, attempts, "
      "next_attempt_at,"
      " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?5, ?6, ?6)");
  if (!ob) return ob.error();
  ob->bind(1, message_id).bind(2, msg.contact_id).bind(3, msg.conversation_id).bind(4, msg.channel_id);
  ob->bind(5, to_unix_ms(not_before)).bind(6, created);
  if (Status s = ob->run(); !s) return s.error();
  if (Status s = tx->commit(); !s) return s.error();
  return message_id;
}

Result<std::vector<Message>> SqliteStore::list_messages(int64_t conversation_id) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto st = db_.prepare(std::string("SELECT ") + kMessageColumns +
                        " FROM messages WHERE conversation_id = ?1 ORDER BY id");
  if (!st) return st.error();
  st->bind(1, conversation_id);
  std::vector<Message> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    Message m;
    m.id = st->int64(0);
    m.contact_id = st->int64(1);
    m.conversation_id = st->int64(2);
    m.channel_id = st->text(3);
    m.direction = st->text(4);
    m.provider_id = st->optional_text(5);
    m.status = st->text(6);
    if (auto code = st->optional_int64(7)) m.error_code = static_cast<int>(*code);
    auto body = open(st->blob(8), "messages.body", m.id);
    if (!body) return body.error();
    m.body = std::move(*body);
    m.segments = static_cast<int>(st->int64(9));
    m.created_at = from_unix_ms(st->int64(10));
    m.updated_at = from_unix_ms(st->int64(11));
    m.template_key = st->text(12);
    out.push_back(std::move(m));
  }
  return out;
}

Status SqliteStore::raise_message_status_locked(int64_t message_id, const std::string& status,
                                                std::optional<int> error_code, TimePoint now) {
  auto q = db_.prepare("SELECT status FROM messages WHERE id = ?1");
  if (!q) return q.error();
  q->bind(1, message_id);
  auto row = q->step();
  if (!row) return row.error();
  if (!*row) return Error::not_found("no message " + std::to_string(message_id));
  if (!message_status_supersedes(status, q->text(0))) return {};
  auto st = db_.prepare(
      "UPDATE messages SET status = ?2, error_code = COALESCE(?3, error_code), updated_at = ?4 WHERE id = "
      "?1");
  if (!st) return st.error();
  st->bind(1, message_id).bind(2, status).bind(3, optional_int(error_code)).bind(4, to_unix_ms(now));
  return st->run();
}

Status SqliteStore::update_message_status(const std::string& channel_id, const std::string& provider_id,
                                          const std::string& status, std::optional<int> error_code,
                                          TimePoint now) {
  if (!message_status_rank(status)) return Error::invalid("unknown message status '" + status + "'");
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  auto q =
      db_.prepare("SELECT id FROM messages WHERE channel_id = ?1 AND direction = 'out' AND provider_id = ?2");
  if (!q) return q.error();
  q->bind(1, channel_id).bind(2, provider_id);
  auto row = q->step();
  if (!row) return row.error();
  if (!*row) return Error::not_found("no outbound message with that provider id on channel " + channel_id);
  if (Status s = raise_message_status_locked(q->int64(0), status, error_code, now); !s) return s;
  return tx->commit();
}

Result<std::vector<OutboxItem>> SqliteStore::claim_due_outbox(const std::string& channel_id, TimePoint now,
                                                              int limit, std::chrono::milliseconds lease) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  std::vector<OutboxItem> out;
  if (limit <= 0) return out;
  const int64_t now_ms = to_unix_ms(now);
  const int64_t lease_until = to_unix_ms(now + lease);
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  // Due items whose conversation has no earlier unfinished item: at most one in
  // flight per conversation, so messages arrive in the order they were queued.
  auto q = db_.prepare(
      "SELECT o.id, o.message_id, o.contact_id, o.conversation_id, o.channel_id, o.attempts, "
      "o.next_attempt_at,"
      " m.body, c.address, o.last_error, m.template_key"
      " FROM outbox o JOIN messages m ON m.id = o.message_id JOIN contacts c ON c.id = o.contact_id"
      " WHERE o.channel_id = ?1 AND o.state IN ('pending', 'sending')"  // lets it use outbox_unfinished
      "   AND ((o.state = 'pending' AND o.next_attempt_at <= ?2)"
      "     OR (o.state = 'sending' AND o.lease_until <= ?2))"
      "   AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.conversation_id = o.conversation_id AND e.id < o.id"
      "                   AND e.state IN ('pending', 'sending'))"
      " ORDER BY o.id LIMIT ?3");
  if (!q) return q.error();
  q->bind(1, channel_id).bind(2, now_ms).bind(3, limit);
  struct Row {
    OutboxItem item;
    std::string sealed_body, sealed_address;
    std::optional<std::string> sealed_error;
  };
  std::vector<Row> rows;
  for (;;) {
    auto row = q->step();
    if (!row) return row.error();
    if (!*row) break;
    Row r;
    r.item.id = q->int64(0);
    r.item.message_id = q->int64(1);
    r.item.contact_id = q->int64(2);
    r.item.conversation_id = q->int64(3);
    r.item.channel_id = q->text(4);
    r.item.attempts = static_cast<int>(q->int64(5));
    r.item.next_attempt_at = from_unix_ms(q->int64(6));
    r.sealed_body = q->blob(7);
    r.sealed_address = q->blob(8);
    if (!q->is_null(9)) r.sealed_error = q->blob(9);
    r.item.template_key = q->text(10);
    rows.push_back(std::move(r));
  }

  for (Row& r : rows) {
    auto body = open(r.sealed_body, "messages.body", r.item.message_id);
    auto address = open(r.sealed_address, "contacts.address", r.item.contact_id);
    if (!body || !address) {
      // Unreadable (e.g. its key was dropped): retrying cannot help, and leaving
      // it pending would block its conversation forever.
      auto sealed_error = seal("cannot decrypt message or address", "outbox.last_error");
      if (!sealed_error) return sealed_error.error();
      auto fail = db_.prepare(
          "UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = ?2, updated_at = ?3 WHERE id "
          "= ?1");
      if (!fail) return fail.error();
      fail->bind(1, r.item.id).bind(2, Blob{*sealed_error}).bind(3, now_ms);
      if (Status s = fail->run(); !s) return s.error();
      if (Status s = raise_message_status_locked(r.item.message_id, "failed", std::nullopt, now); !s) {
        return s.error();
      }
      continue;
    }
    auto claim = db_.prepare(
        "UPDATE outbox SET state = 'sending', lease_until = ?2, attempts = attempts + 1, updated_at = ?3"
        " WHERE id = ?1");
    if (!claim) return claim.error();
    claim->bind(1, r.item.id).bind(2, lease_until).bind(3, now_ms);
    if (Status s = claim->run(); !s) return s.error();
    if (Status s = raise_message_status_locked(r.item.message_id, "sending", std::nullopt, now); !s) {
      return s.error();
    }
    r.item.state = "sending";
    r.item.attempts += 1;
    r.item.lease_until = from_unix_ms(lease_until);
    if (r.sealed_error) {
      auto last_error = open(*r.sealed_error, "outbox.last_error", r.item.id);
      r.item.last_error = last_error ? std::move(*last_error) : std::string("(unreadable)");
    }
    r.item.body = std::move(*body);
    r.item.address = std::move(*address);
    out.push_back(std::move(r.item));
  }
  if (Status s = tx->commit(); !s) return s.error();
  return out;
}

Result<SqliteStore::OutboxRow> SqliteStore::outbox_row_locked(int64_t outbox_id) {
  auto q = db_.prepare("SELECT message_id, state FROM outbox WHERE id = ?1");
  if (!q) return q.error();
  q->bind(1, outbox_id);
  auto row = q->step();
  if (!row) return row.error();
  if (!*row) return Error::not_found("no outbox item " + std::to_string(outbox_id));
  return OutboxRow{q->int64(0), q->text(1)};
}

Status SqliteStore::mark_outbox_sent(int64_t outbox_id, const std::string& provider_id, int segments,
                                     TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  auto outbox_row = outbox_row_locked(outbox_id);
  if (!outbox_row) return outbox_row.error();
  const int64_t message_id = outbox_row->message_id;
  const int64_t now_ms = to_unix_ms(now);

  // Sent wins over any state: the provider has the message, whatever a worker
  // whose lease expired thought.
  auto ob =
      db_.prepare("UPDATE outbox SET state = 'sent', lease_until = NULL, updated_at = ?2 WHERE id = ?1");
  if (!ob) return ob.error();
  ob->bind(1, outbox_id).bind(2, now_ms);
  if (Status s = ob->run(); !s) return s;
  auto m = db_.prepare("UPDATE messages SET provider_id = ?2, segments = ?3, updated_at = ?4 WHERE id = ?1");
  if (!m) return m.error();
  // No provider id (accepted without one) is NULL, not "": the unique index on
  // (channel, direction, provider_id) must not see two sends as one.
  m->bind(1, message_id).bind(3, segments).bind(4, now_ms);
  if (provider_id.empty()) {
    m->bind(2, std::nullopt);
  } else {
    m->bind(2, provider_id);
  }
  if (Status s = m->run(); !s) return s;
  if (Status s = raise_message_status_locked(message_id, "sent", std::nullopt, now); !s) return s;
  if (Status s = erase_if_pending_locked(outbox_id); !s) return s;
  return tx->commit();
}

Status SqliteStore::erase_if_pending_locked(int64_t outbox_id) {
  int64_t contact_id = 0;
  {
    auto q = db_.prepare(
        "SELECT c.id FROM outbox o JOIN contacts c ON c.id = o.contact_id WHERE o.id = ?1 AND c.erase_pending = 1"
        " AND NOT EXISTS (SELECT 1 FROM outbox u WHERE u.contact_id = c.id AND u.state IN ('pending', 'sending'))");
    if (!q) return q.error();
    q->bind(1, outbox_id);
    auto row = q->step();
    if (!row) return row.error();
    if (!*row) return {};
    contact_id = q->int64(0);
  }
  return erase_contact(contact_id);
}

Status SqliteStore::mark_outbox_retry(int64_t outbox_id, TimePoint next_attempt_at, const std::string& error,
                                      TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  auto sealed = seal(error, "outbox.last_error");
  if (!sealed) return sealed.error();
  // Only an unfinished item goes back to pending: a late retry after another
  // worker sent or failed it changes nothing.
  auto st = db_.prepare(
      "UPDATE outbox SET state = 'pending', next_attempt_at = ?2, lease_until = NULL, last_error = ?3,"
      " updated_at = ?4 WHERE id = ?1 AND state IN ('pending', 'sending')");
  if (!st) return st.error();
  st->bind(1, outbox_id).bind(2, to_unix_ms(next_attempt_at)).bind(3, Blob{*sealed}).bind(4, to_unix_ms(now));
  if (Status s = st->run(); !s) return s;
  if (db_.changes() == 0) {
    auto exists = any_row_locked("SELECT 1 FROM outbox WHERE id = ?1", outbox_id);
    if (!exists) return exists.error();
    if (!*exists) return Error::not_found("no outbox item " + std::to_string(outbox_id));
  }
  return {};
}

Status SqliteStore::mark_outbox_failed(int64_t outbox_id, std::optional<int> error_code,
                                       const std::string& error, TimePoint now) {
  return finish_outbox(outbox_id, "failed", error_code, error, now);
}

Status SqliteStore::mark_outbox_held(int64_t outbox_id, const std::string& reason, TimePoint now) {
  return finish_outbox(outbox_id, "held", std::nullopt, reason, now);
}

Status SqliteStore::finish_outbox(int64_t outbox_id, const std::string& message_status,
                                  std::optional<int> error_code, const std::string& error, TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  auto sealed = seal(error, "outbox.last_error");
  if (!sealed) return sealed.error();
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  auto outbox_row = outbox_row_locked(outbox_id);
  if (!outbox_row) return outbox_row.error();
  const int64_t message_id = outbox_row->message_id;
  if (outbox_row->state == "sent" || outbox_row->state == "failed") return {};  // already final

  auto st = db_.prepare(
      "UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = ?2, updated_at = ?3 WHERE id = "
      "?1");
  if (!st) return st.error();
  st->bind(1, outbox_id).bind(2, Blob{*sealed}).bind(3, to_unix_ms(now));
  if (Status s = st->run(); !s) return s;
  if (message_status == "held") {
    // "held" ranks with "queued", so it is set directly on a message not yet sent.
    auto held = db_.prepare(
        "UPDATE messages SET status = 'held', updated_at = ?2 WHERE id = ?1 AND status IN ('queued', 'sending')");
    if (!held) return held.error();
    held->bind(1, message_id).bind(2, to_unix_ms(now));
    if (Status s = held->run(); !s) return s;
  } else if (Status s = raise_message_status_locked(message_id, message_status, error_code, now); !s) {
    return s;
  }
  if (Status s = erase_if_pending_locked(outbox_id); !s) return s;
  return tx->commit();
}

Status SqliteStore::release_outbox(int64_t outbox_id, TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  auto st = db_.prepare(
      "UPDATE outbox SET state = 'pending', lease_until = NULL, attempts = MAX(attempts - 1, 0), updated_at = ?2"
      " WHERE id = ?1 AND state = 'sending'");
  if (!st) return st.error();
  st->bind(1, outbox_id).bind(2, to_unix_ms(now));
  if (Status s = st->run(); !s) return s;
  if (db_.changes() == 0) {
    auto exists = any_row_locked("SELECT 1 FROM outbox WHERE id = ?1", outbox_id);
    if (!exists) return exists.error();
    if (!*exists) return Error::not_found("no outbox item " + std::to_string(outbox_id));
  }
  return {};
}

Result<int64_t> SqliteStore::end_leases_of_previous_process(TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto st = db_.prepare(
      "UPDATE outbox SET lease_until = ?1, updated_at = ?1"
      " WHERE state = 'sending' AND (lease_until IS NULL OR lease_until > ?1)");
  if (!st) return st.error();
  st->bind(1, to_unix_ms(now));
  if (Status s = st->run(); !s) return s.error();
  return static_cast<int64_t>(db_.changes());
}

Result<int64_t> SqliteStore::outbox_depth() {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto st = db_.prepare("SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')");
  if (!st) return st.error();
  auto row = st->step();
  if (!row) return row.error();
  return st->int64(0);
}

}  // namespace gw::sqlite
