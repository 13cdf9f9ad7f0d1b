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
  const Status inserted = db_.run(
      "INSERT INTO messages (contact_id, conversation_id, channel_id, direction, provider_id, status, "
      "error_code,"
      " body, segments, created_at, updated_at) VALUES (?1, ?2, ?3, 'in', ?4, ?5, ?6, ?7, ?8, ?9, ?9)"
      " ON CONFLICT (channel_id, direction, provider_id) DO NOTHING",
      msg.contact_id, msg.conversation_id, msg.channel_id, msg.provider_id, status,
      optional_int(msg.error_code), Blob{*sealed}, msg.segments, created);
  if (!inserted) return inserted.error();
  if (db_.changes() == 1) return InsertedMessage{db_.last_insert_rowid(), true};

  auto id =
      db_.query_one("SELECT id FROM messages WHERE channel_id = ?1 AND direction = 'in' AND provider_id = ?2",
                    scalar_int64, msg.channel_id, msg.provider_id);
  if (!id) return id.error();
  if (!*id) return Error::internal("inbound message was neither inserted nor found");
  return InsertedMessage{**id, false};
}

Result<int64_t> SqliteStore::enqueue_outbound(const Message& msg, TimePoint not_before) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto sealed = seal(msg.body, "messages.body");
  if (!sealed) return sealed.error();
  const int64_t created = to_unix_ms(or_now(msg.created_at));
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  const Status message = db_.run(
      "INSERT INTO messages (contact_id, conversation_id, channel_id, direction, provider_id, status, body,"
      " segments, created_at, updated_at, template_key)"
      " VALUES (?1, ?2, ?3, 'out', NULL, 'queued', ?4, ?5, ?6, ?6, ?7)",
      msg.contact_id, msg.conversation_id, msg.channel_id, Blob{*sealed}, msg.segments, created,
      msg.template_key);
  if (!message) return message.error();
  const int64_t message_id = db_.last_insert_rowid();

  const Status queued = db_.run(
      "INSERT INTO outbox (message_id, contact_id, conversation_id, channel_id, state, attempts, "
      "next_attempt_at,"
      " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?5, ?6, ?6)",
      message_id, msg.contact_id, msg.conversation_id, msg.channel_id, to_unix_ms(not_before), created);
  if (!queued) return queued.error();
  if (Status s = tx->commit(); !s) return s.error();
  return message_id;
}

Result<std::vector<Message>> SqliteStore::list_messages(int64_t conversation_id) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  std::vector<Message> out;
  const Status listed = db_.query(
      std::string("SELECT ") + kMessageColumns + " FROM messages WHERE conversation_id = ?1 ORDER BY id",
      [&](const Statement& st) -> Status {
        Message m;
        m.id = st.int64(0);
        m.contact_id = st.int64(1);
        m.conversation_id = st.int64(2);
        m.channel_id = st.text(3);
        m.direction = st.text(4);
        m.provider_id = st.optional_text(5);
        m.status = st.text(6);
        if (auto code = st.optional_int64(7)) m.error_code = static_cast<int>(*code);
        auto body = open(st.blob(8), "messages.body", m.id);
        if (!body) return body.error();
        m.body = std::move(*body);
        m.segments = static_cast<int>(st.int64(9));
        m.created_at = from_unix_ms(st.int64(10));
        m.updated_at = from_unix_ms(st.int64(11));
        m.template_key = st.text(12);
        out.push_back(std::move(m));
        return {};
      },
      conversation_id);
  if (!listed) return listed.error();
  return out;
}

Status SqliteStore::raise_message_status_locked(int64_t message_id, const std::string& status,
                                                std::optional<int> error_code, TimePoint now) {
  auto stored = db_.query_one("SELECT status FROM messages WHERE id = ?1", scalar_text, message_id);
  if (!stored) return stored.error();
  if (!*stored) return Error::not_found("no message " + std::to_string(message_id));
  if (!message_status_supersedes(status, **stored)) return {};
  return db_.run(
      "UPDATE messages SET status = ?2, error_code = COALESCE(?3, error_code), updated_at = ?4 WHERE id = "
      "?1",
      message_id, status, optional_int(error_code), to_unix_ms(now));
}

Status SqliteStore::update_message_status(const std::string& channel_id, const std::string& provider_id,
                                          const std::string& status, std::optional<int> error_code,
                                          TimePoint now) {
  if (!message_status_rank(status)) return Error::invalid("unknown message status '" + status + "'");
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  auto id = db_.query_one(
      "SELECT id FROM messages WHERE channel_id = ?1 AND direction = 'out' AND provider_id = ?2",
      scalar_int64, channel_id, provider_id);
  if (!id) return id.error();
  if (!*id) return Error::not_found("no outbound message with that provider id on channel " + channel_id);
  if (Status s = raise_message_status_locked(**id, status, error_code, now); !s) return s;
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
  struct Row {
    OutboxItem item;
    std::string sealed_body, sealed_address;
    std::optional<std::string> sealed_error;
  };
  std::vector<Row> rows;
  // Due items whose conversation has no earlier unfinished item: at most one in
  // flight per conversation, so messages arrive in the order they were queued.
  const Status due = db_.query(
      "SELECT o.id, o.message_id, o.contact_id, o.conversation_id, o.channel_id, o.attempts, "
      "o.next_attempt_at,"
      " m.body, c.address, o.last_error, m.template_key"
      " FROM outbox o JOIN messages m ON m.id = o.message_id JOIN contacts c ON c.id = o.contact_id"
      " WHERE o.channel_id = ?1 AND o.state IN ('pending', 'sending')"  // lets it use outbox_unfinished
      "   AND ((o.state = 'pending' AND o.next_attempt_at <= ?2)"
      "     OR (o.state = 'sending' AND o.lease_until <= ?2))"
      "   AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.conversation_id = o.conversation_id AND e.id < o.id"
      "                   AND e.state IN ('pending', 'sending'))"
      " ORDER BY o.id LIMIT ?3",
      [&](const Statement& q) {
        Row r;
        r.item.id = q.int64(0);
        r.item.message_id = q.int64(1);
        r.item.contact_id = q.int64(2);
        r.item.conversation_id = q.int64(3);
        r.item.channel_id = q.text(4);
        r.item.attempts = static_cast<int>(q.int64(5));
        r.item.next_attempt_at = from_unix_ms(q.int64(6));
        r.sealed_body = q.blob(7);
        r.sealed_address = q.blob(8);
        if (!q.is_null(9)) r.sealed_error = q.blob(9);
        r.item.template_key = q.text(10);
        rows.push_back(std::move(r));
      },
      channel_id, now_ms, limit);
  if (!due) return due.error();

  for (Row& r : rows) {
    auto body = open(r.sealed_body, "messages.body", r.item.message_id);
    auto address = open(r.sealed_address, "contacts.address", r.item.contact_id);
    if (!body || !address) {
      // Unreadable (e.g. its key was dropped): retrying cannot help, and leaving
      // it pending would block its conversation forever.
      auto sealed_error = seal("cannot decrypt message or address", "outbox.last_error");
      if (!sealed_error) return sealed_error.error();
      const Status failed = db_.run(
          "UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = ?2, updated_at = ?3 WHERE id "
          "= ?1",
          r.item.id, Blob{*sealed_error}, now_ms);
      if (!failed) return failed.error();
      if (Status s = raise_message_status_locked(r.item.message_id, "failed", std::nullopt, now); !s) {
        return s.error();
      }
      continue;
    }
    const Status claimed = db_.run(
        "UPDATE outbox SET state = 'sending', lease_until = ?2, attempts = attempts + 1, updated_at = ?3"
        " WHERE id = ?1",
        r.item.id, lease_until, now_ms);
    if (!claimed) return claimed.error();
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
  auto row = db_.query_one(
      "SELECT message_id, state FROM outbox WHERE id = ?1",
      [](const Statement& st) {
        return OutboxRow{st.int64(0), st.text(1)};
      },
      outbox_id);
  if (!row) return row.error();
  if (!*row) return Error::not_found("no outbox item " + std::to_string(outbox_id));
  return std::move(**row);
}

Status SqliteStore::outbox_exists_locked(int64_t outbox_id) {
  auto exists = any_row_locked("SELECT 1 FROM outbox WHERE id = ?1", outbox_id);
  if (!exists) return exists.error();
  if (!*exists) return Error::not_found("no outbox item " + std::to_string(outbox_id));
  return {};
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
  const Status sent =
      db_.run("UPDATE outbox SET state = 'sent', lease_until = NULL, updated_at = ?2 WHERE id = ?1",
              outbox_id, now_ms);
  if (!sent) return sent;
  // No provider id (accepted without one) is NULL, not "": the unique index on
  // (channel, direction, provider_id) must not see two sends as one.
  const std::optional<std::string_view> provider =
      provider_id.empty() ? std::nullopt : std::optional<std::string_view>(provider_id);
  const Status message =
      db_.run("UPDATE messages SET provider_id = ?2, segments = ?3, updated_at = ?4 WHERE id = ?1",
              message_id, provider, segments, now_ms);
  if (!message) return message;
  if (Status s = raise_message_status_locked(message_id, "sent", std::nullopt, now); !s) return s;
  if (Status s = erase_if_pending_locked(outbox_id); !s) return s;
  return tx->commit();
}

Status SqliteStore::erase_if_pending_locked(int64_t outbox_id) {
  auto contact_id = db_.query_one(
      "SELECT c.id FROM outbox o JOIN contacts c ON c.id = o.contact_id"
      " WHERE o.id = ?1 AND c.erase_pending = 1"
      " AND NOT EXISTS (SELECT 1 FROM outbox u WHERE u.contact_id = c.id"
      " AND u.state IN ('pending', 'sending'))",
      scalar_int64, outbox_id);
  if (!contact_id) return contact_id.error();
  if (!*contact_id) return {};
  return erase_contact(**contact_id);
}

Status SqliteStore::mark_outbox_retry(int64_t outbox_id, TimePoint next_attempt_at, const std::string& error,
                                      TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  auto sealed = seal(error, "outbox.last_error");
  if (!sealed) return sealed.error();
  // Only an unfinished item goes back to pending: a late retry after another
  // worker sent or failed it changes nothing.
  const Status updated = db_.run(
      "UPDATE outbox SET state = 'pending', next_attempt_at = ?2, lease_until = NULL, last_error = ?3,"
      " updated_at = ?4 WHERE id = ?1 AND state IN ('pending', 'sending')",
      outbox_id, to_unix_ms(next_attempt_at), Blob{*sealed}, to_unix_ms(now));
  if (!updated) return updated;
  if (db_.changes() == 0) return outbox_exists_locked(outbox_id);
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

  const Status failed = db_.run(
      "UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = ?2, updated_at = ?3 WHERE id = "
      "?1",
      outbox_id, Blob{*sealed}, to_unix_ms(now));
  if (!failed) return failed;
  if (message_status == "held") {
    // "held" ranks with "queued", so it is set directly on a message not yet sent.
    const Status held = db_.run(
        "UPDATE messages SET status = 'held', updated_at = ?2"
        " WHERE id = ?1 AND status IN ('queued', 'sending')",
        message_id, to_unix_ms(now));
    if (!held) return held;
  } else if (Status s = raise_message_status_locked(message_id, message_status, error_code, now); !s) {
    return s;
  }
  if (Status s = erase_if_pending_locked(outbox_id); !s) return s;
  return tx->commit();
}

Status SqliteStore::release_outbox(int64_t outbox_id, TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  const Status released = db_.run(
      "UPDATE outbox SET state = 'pending', lease_until = NULL, attempts = MAX(attempts - 1, 0),"
      " updated_at = ?2 WHERE id = ?1 AND state = 'sending'",
      outbox_id, to_unix_ms(now));
  if (!released) return released;
  if (db_.changes() == 0) return outbox_exists_locked(outbox_id);
  return {};
}

Result<int64_t> SqliteStore::end_leases_of_previous_process(TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  const Status ended = db_.run(
      "UPDATE outbox SET lease_until = ?1, updated_at = ?1"
      " WHERE state = 'sending' AND (lease_until IS NULL OR lease_until > ?1)",
      to_unix_ms(now));
  if (!ended) return ended.error();
  return static_cast<int64_t>(db_.changes());
}

Result<int64_t> SqliteStore::outbox_depth() {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto depth =
      db_.query_one("SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')", scalar_int64);
  if (!depth) return depth.error();
  return depth->value_or(0);
}

}  // namespace gw::sqlite
