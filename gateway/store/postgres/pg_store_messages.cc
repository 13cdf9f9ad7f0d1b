// PgStore: messages and the outbox (see pg_store_impl.h). The SQLite backend's
// behaviour (sqlite_store_messages.cc), for several instances on one database:
// the claim takes its rows with FOR UPDATE SKIP LOCKED, so concurrent claimers
// never get the same item, and every read that decides a write locks its row.
#include "gateway/store/postgres/pg_store_impl.h"
#include "gateway/store/record_values.h"

namespace gw::pg {
namespace {

constexpr const char* kMessageColumns =
    "id, contact_id, conversation_id, channel_id, direction, provider_id, status, error_code, body, segments,"
    " created_at, updated_at, template_key";

std::optional<int32_t> optional_int(std::optional<int> v) {
  if (!v) return std::nullopt;
  return static_cast<int32_t>(*v);
}

int64_t scalar_int64(const PgRow& row) {
  return row.int64(0);
}

}  // namespace

Result<InsertedMessage> PgStore::insert_inbound(const Message& msg) {
  const std::string status = msg.status.empty() ? "received" : msg.status;
  if (!message_status_rank(status)) return Error::invalid("unknown message status '" + status + "'");
  return with([&](Connection& c) -> Result<InsertedMessage> {
    auto sealed = seal(msg.body, "messages.body");
    if (!sealed) return sealed.error();
    const int64_t created = to_unix_ms(or_now(msg.created_at));
    // One statement: the UNIQUE constraint makes a concurrent retry a no-op
    // (it waits for the first insert to commit, then does nothing).
    auto inserted = c.query_one(
        "INSERT INTO messages (contact_id, conversation_id, channel_id, direction, provider_id, status,"
        " error_code, body, segments, created_at, updated_at) VALUES ($1, $2, $3, 'in', $4, $5, $6, $7, $8, "
        "$9,"
        " $9) ON CONFLICT (channel_id, direction, provider_id) DO NOTHING RETURNING id",
        scalar_int64, msg.contact_id, msg.conversation_id, msg.channel_id, msg.provider_id, status,
        optional_int(msg.error_code), Bytea{*sealed}, static_cast<int32_t>(msg.segments), created);
    if (!inserted) return inserted.error();
    if (*inserted) return InsertedMessage{**inserted, true};

    auto id =
        c.query_one("SELECT id FROM messages WHERE channel_id = $1 AND direction = 'in' AND provider_id = $2",
                    scalar_int64, msg.channel_id, msg.provider_id);
    if (!id) return id.error();
    if (!*id) return Error::internal("inbound message was neither inserted nor found");
    return InsertedMessage{**id, false};
  });
}

Result<int64_t> PgStore::enqueue_outbound(const Message& msg, TimePoint not_before) {
  return with([&](Connection& c) -> Result<int64_t> {
    auto sealed = seal(msg.body, "messages.body");
    if (!sealed) return sealed.error();
    const int64_t created = to_unix_ms(or_now(msg.created_at));
    auto tx = Transaction::begin(c);
    if (!tx) return tx.error();
    auto message_id = c.query_one(
        "INSERT INTO messages (contact_id, conversation_id, channel_id, direction, provider_id, status, body,"
        " segments, created_at, updated_at, template_key)"
        " VALUES ($1, $2, $3, 'out', NULL, 'queued', $4, $5, $6, $6, $7) RETURNING id",
        scalar_int64, msg.contact_id, msg.conversation_id, msg.channel_id, Bytea{*sealed},
        static_cast<int32_t>(msg.segments), created, msg.template_key);
    if (!message_id) return message_id.error();
    if (!*message_id) return Error::internal("outbound message was not inserted");

    auto queued = c.run(
        "INSERT INTO outbox (message_id, contact_id, conversation_id, channel_id, state, attempts,"
        " next_attempt_at, created_at, updated_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $6, $6)",
        **message_id, msg.contact_id, msg.conversation_id, msg.channel_id, to_unix_ms(not_before), created);
    if (!queued) return queued.error();
    if (Status s = tx->commit(); !s) return s.error();
    return **message_id;
  });
}

Result<std::vector<Message>> PgStore::list_messages(int64_t conversation_id) {
  return with([&](Connection& c) -> Result<std::vector<Message>> {
    std::vector<Message> out;
    static const std::string kList =
        std::string("SELECT ") + kMessageColumns + " FROM messages WHERE conversation_id = $1 ORDER BY id";
    const Status listed = c.query(
        kList,
        [&](const PgRow& row) -> Status {
          Message m;
          m.id = row.int64(0);
          m.contact_id = row.int64(1);
          m.conversation_id = row.int64(2);
          m.channel_id = row.text(3);
          m.direction = row.text(4);
          m.provider_id = row.optional_text(5);
          m.status = row.text(6);
          if (!row.is_null(7)) m.error_code = static_cast<int>(row.int64(7));
          auto body = open(row.bytes(8), "messages.body", m.id);
          if (!body) return body.error();
          m.body = std::move(*body);
          m.segments = static_cast<int>(row.int64(9));
          m.created_at = from_unix_ms(row.int64(10));
          m.updated_at = from_unix_ms(row.int64(11));
          m.template_key = row.text(12);
          out.push_back(std::move(m));
          return {};
        },
        conversation_id);
    if (!listed) return listed.error();
    return out;
  });
}

Status PgStore::raise_message_status(Connection& c, int64_t message_id, const std::string& status,
                                     std::optional<int> error_code, TimePoint now) {
  // The row stays locked until the caller's transaction ends, so two raises
  // of one message (a callback and a send) are ordered, never interleaved.
  auto stored = c.query_one(
      "SELECT status FROM messages WHERE id = $1 FOR UPDATE", [](const PgRow& row) { return row.text(0); },
      message_id);
  if (!stored) return stored.error();
  if (!*stored) return Error::not_found("no message " + std::to_string(message_id));
  if (!message_status_supersedes(status, **stored)) return {};
  auto updated = c.run(
      "UPDATE messages SET status = $2, error_code = COALESCE($3, error_code), updated_at = $4 WHERE id = $1",
      message_id, status, optional_int(error_code), to_unix_ms(now));
  if (!updated) return updated.error();
  return {};
}

Status PgStore::update_message_status(const std::string& channel_id, const std::string& provider_id,
                                      const std::string& status, std::optional<int> error_code,
                                      TimePoint now) {
  if (!message_status_rank(status)) return Error::invalid("unknown message status '" + status + "'");
  return with([&](Connection& c) -> Status {
    auto tx = Transaction::begin(c);
    if (!tx) return tx.error();
    auto id = c.query_one(
        "SELECT id FROM messages WHERE channel_id = $1 AND direction = 'out' AND provider_id = $2",
        scalar_int64, channel_id, provider_id);
    if (!id) return id.error();
    if (!*id) return Error::not_found("no outbound message with that provider id on channel " + channel_id);
    if (Status s = raise_message_status(c, **id, status, error_code, now); !s) return s;
    return tx->commit();
  });
}

Result<std::vector<OutboxItem>> PgStore::claim_due_outbox(const std::string& channel_id, TimePoint now,
                                                          int limit, std::chrono::milliseconds lease) {
  return with([&](Connection& c) -> Result<std::vector<OutboxItem>> {
    std::vector<OutboxItem> out;
    if (limit <= 0) return out;
    const int64_t now_ms = to_unix_ms(now);
    // A lease no longer than max_lease, renewed by the heartbeat while this
    // instance lives (pg_store.h), so a dead instance's sends are taken over soon.
    const auto held = max_lease_.count() > 0 ? std::min(lease, max_lease_) : lease;
    const int64_t lease_until = to_unix_ms(now + held);
    auto tx = Transaction::begin(c);
    if (!tx) return tx.error();
    struct Row {
      OutboxItem item;
      std::string sealed_body, sealed_address;
      std::optional<std::string> sealed_error;
    };
    std::vector<Row> rows;
    // Due items whose conversation has no earlier unfinished item: at most one
    // in flight per conversation, so messages arrive in the order they were
    // queued. Items another claimer holds locked are skipped, not waited for;
    // an earlier item it holds is still unfinished, so its successors stay out
    // too. A "sending" item whose lease ran out (its instance died or stalled)
    // is taken over.
    const Status due = c.query(
        "SELECT o.id, o.message_id, o.contact_id, o.conversation_id, o.channel_id, o.attempts,"
        " o.next_attempt_at, m.body, ct.address, o.last_error, m.template_key"
        " FROM outbox o JOIN messages m ON m.id = o.message_id JOIN contacts ct ON ct.id = o.contact_id"
        " WHERE o.channel_id = $1 AND o.state IN ('pending', 'sending')"  // lets it use outbox_unfinished
        "   AND ((o.state = 'pending' AND o.next_attempt_at <= $2)"
        "     OR (o.state = 'sending' AND o.lease_until <= $2))"
        "   AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.conversation_id = o.conversation_id AND e.id < "
        "o.id"
        "                   AND e.state IN ('pending', 'sending'))"
        " ORDER BY o.id LIMIT $3 FOR UPDATE OF o SKIP LOCKED",
        [&](const PgRow& q) {
          Row r;
          r.item.id = q.int64(0);
          r.item.message_id = q.int64(1);
          r.item.contact_id = q.int64(2);
          r.item.conversation_id = q.int64(3);
          r.item.channel_id = q.text(4);
          r.item.attempts = static_cast<int>(q.int64(5));
          r.item.next_attempt_at = from_unix_ms(q.int64(6));
          r.sealed_body = q.bytes(7);
          r.sealed_address = q.bytes(8);
          r.sealed_error = q.optional_bytes(9);
          r.item.template_key = q.text(10);
          rows.push_back(std::move(r));
        },
        channel_id, now_ms, static_cast<int32_t>(limit));
    if (!due) return due.error();

    for (Row& r : rows) {
      auto body = open(r.sealed_body, "messages.body", r.item.message_id);
      auto address = open(r.sealed_address, "contacts.address", r.item.contact_id);
      if (!body || !address) {
        // Unreadable (e.g. its key was dropped): retrying cannot help, and
        // leaving it pending would block its conversation forever.
        auto sealed_error = seal("cannot decrypt message or address", "outbox.last_error");
        if (!sealed_error) return sealed_error.error();
        auto failed = c.run(
            "UPDATE outbox SET state = 'failed', lease_until = NULL, claimed_by = NULL, last_error = $2,"
            " updated_at = $3 WHERE id = $1",
            r.item.id, Bytea{*sealed_error}, now_ms);
        if (!failed) return failed.error();
        if (Status s = raise_message_status(c, r.item.message_id, "failed", std::nullopt, now); !s) {
          return s.error();
        }
        continue;
      }
      auto claimed = c.run(
          "UPDATE outbox SET state = 'sending', lease_until = $2, claimed_by = $3, attempts = attempts + 1,"
          " updated_at = $4 WHERE id = $1",
          r.item.id, lease_until, instance_id_, now_ms);
      if (!claimed) return claimed.error();
      if (Status s = raise_message_status(c, r.item.message_id, "sending", std::nullopt, now); !s) {
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
  });
}

Status PgStore::outbox_exists(Connection& c, int64_t outbox_id) {
  auto exists = c.query_one("SELECT 1 FROM outbox WHERE id = $1", scalar_int64, outbox_id);
  if (!exists) return exists.error();
  if (!*exists) return Error::not_found("no outbox item " + std::to_string(outbox_id));
  return {};
}

Status PgStore::erase_if_pending(Connection& c, int64_t outbox_id) {
  // Lock the contact first (only one awaiting erasure), then look for its
  // unfinished items in a statement of its own: of two instances finishing a
  // contact's last two items at once, the second to take the lock sees the
  // first's item finished, so one of them erases. Runs inside in_transaction(),
  // so erase_contact() works on this connection, in this transaction.
  auto pending = c.query_one(
      "SELECT ct.id FROM contacts ct WHERE ct.erase_pending"
      " AND ct.id = (SELECT o.contact_id FROM outbox o WHERE o.id = $1) FOR UPDATE",
      scalar_int64, outbox_id);
  if (!pending) return pending.error();
  if (!*pending) return {};
  auto unfinished =
      c.query_one("SELECT 1 FROM outbox WHERE contact_id = $1 AND state IN ('pending', 'sending') LIMIT 1",
                  scalar_int64, **pending);
  if (!unfinished) return unfinished.error();
  if (*unfinished) return {};
  return erase_contact(**pending);
}

Status PgStore::mark_outbox_sent(int64_t outbox_id, const std::string& provider_id, int segments,
                                 TimePoint now) {
  return in_transaction([&]() -> Status {
    return with([&](Connection& c) -> Status {
      const int64_t now_ms = to_unix_ms(now);
      // Sent wins over any state: the provider has the message, whatever a
      // worker whose lease expired thought.
      auto message_id = c.query_one(
          "UPDATE outbox SET state = 'sent', lease_until = NULL, claimed_by = NULL, updated_at = $2"
          " WHERE id = $1 RETURNING message_id",
          scalar_int64, outbox_id, now_ms);
      if (!message_id) return message_id.error();
      if (!*message_id) return Error::not_found("no outbox item " + std::to_string(outbox_id));
      // No provider id (accepted without one) is NULL, not "": the unique index
      // on (channel, direction, provider_id) must not see two sends as one.
      const std::optional<std::string_view> provider =
          provider_id.empty() ? std::nullopt : std::optional<std::string_view>(provider_id);
      auto message =
          c.run("UPDATE messages SET provider_id = $2, segments = $3, updated_at = $4 WHERE id = $1",
                **message_id, provider, static_cast<int32_t>(segments), now_ms);
      if (!message) return message.error();
      if (Status s = raise_message_status(c, **message_id, "sent", std::nullopt, now); !s) return s;
      return erase_if_pending(c, outbox_id);
    });
  });
}

Status PgStore::mark_outbox_retry(int64_t outbox_id, TimePoint next_attempt_at, const std::string& error,
                                  TimePoint now) {
  return with([&](Connection& c) -> Status {
    auto sealed = seal(error, "outbox.last_error");
    if (!sealed) return sealed.error();
    // Only an unfinished item goes back to pending: a late retry after another
    // worker sent or failed it changes nothing.
    auto updated = c.run(
        "UPDATE outbox SET state = 'pending', next_attempt_at = $2, lease_until = NULL, claimed_by = NULL,"
        " last_error = $3, updated_at = $4 WHERE id = $1 AND state IN ('pending', 'sending')",
        outbox_id, to_unix_ms(next_attempt_at), Bytea{*sealed}, to_unix_ms(now));
    if (!updated) return updated.error();
    if (*updated == 0) return outbox_exists(c, outbox_id);
    return {};
  });
}

Status PgStore::mark_outbox_failed(int64_t outbox_id, std::optional<int> error_code, const std::string& error,
                                   TimePoint now) {
  return finish_outbox(outbox_id, "failed", error_code, error, now);
}

Status PgStore::mark_outbox_held(int64_t outbox_id, const std::string& reason, TimePoint now) {
  return finish_outbox(outbox_id, "held", std::nullopt, reason, now);
}

Status PgStore::finish_outbox(int64_t outbox_id, const std::string& message_status,
                              std::optional<int> error_code, const std::string& error, TimePoint now) {
  auto sealed = seal(error, "outbox.last_error");
  if (!sealed) return sealed.error();
  return in_transaction([&]() -> Status {
    return with([&](Connection& c) -> Status {
      // One statement: an item already sent or failed is final and stays as it is.
      auto message_id = c.query_one(
          "UPDATE outbox SET state = 'failed', lease_until = NULL, claimed_by = NULL, last_error = $2,"
          " updated_at = $3 WHERE id = $1 AND state IN ('pending', 'sending') RETURNING message_id",
          scalar_int64, outbox_id, Bytea{*sealed}, to_unix_ms(now));
      if (!message_id) return message_id.error();
      if (!*message_id) return outbox_exists(c, outbox_id);  // already final, or not found
      if (message_status == "held") {
        // "held" ranks with "queued", so it is set directly on a message not yet sent.
        auto held = c.run(
            "UPDATE messages SET status = 'held', updated_at = $2"
            " WHERE id = $1 AND status IN ('queued', 'sending')",
            **message_id, to_unix_ms(now));
        if (!held) return held.error();
      } else if (Status s = raise_message_status(c, **message_id, message_status, error_code, now); !s) {
        return s;
      }
      return erase_if_pending(c, outbox_id);
    });
  });
}

Status PgStore::release_outbox(int64_t outbox_id, TimePoint now) {
  return with([&](Connection& c) -> Status {
    auto released = c.run(
        "UPDATE outbox SET state = 'pending', lease_until = NULL, claimed_by = NULL,"
        " attempts = GREATEST(attempts - 1, 0), updated_at = $2 WHERE id = $1 AND state = 'sending'",
        outbox_id, to_unix_ms(now));
    if (!released) return released.error();
    if (*released == 0) return outbox_exists(c, outbox_id);
    return {};
  });
}

Result<int64_t> PgStore::end_leases_of_previous_process(TimePoint now) {
  // Other instances may be alive and sending: only the leases this instance id
  // holds end (a process restarted under the same id). Another instance's
  // leases run out by themselves if it died.
  return with([&](Connection& c) -> Result<int64_t> {
    return c.run(
        "UPDATE outbox SET lease_until = $1, updated_at = $1"
        " WHERE state = 'sending' AND claimed_by = $2 AND (lease_until IS NULL OR lease_until > $1)",
        to_unix_ms(now), instance_id_);
  });
}

Result<int64_t> PgStore::renew_outbox_leases(TimePoint until) {
  return with([&](Connection& c) -> Result<int64_t> {
    // Items locked by a transaction finishing them are skipped: locking many
    // rows in another order than such a transaction would deadlock with it.
    return c.run(
        "UPDATE outbox SET lease_until = $1 WHERE id IN (SELECT id FROM outbox"
        " WHERE state = 'sending' AND claimed_by = $2 ORDER BY id FOR UPDATE SKIP LOCKED)",
        to_unix_ms(until), instance_id_);
  });
}

Result<int64_t> PgStore::outbox_depth() {
  return with([&](Connection& c) -> Result<int64_t> {
    auto depth =
        c.query_one("SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')", scalar_int64);
    if (!depth) return depth.error();
    return depth->value_or(0);
  });
}

}  // namespace gw::pg
