// PgStore: contacts, their conversations and flow sessions, and erasing a
// contact with all that is theirs (see pg_store_impl.h). The behaviour is the
// SQLite backend's (sqlite_store_contacts.cc); where SQLite relied on its single
// writer, several instances rely here on unique constraints (INSERT ... ON
// CONFLICT) and on the contact's row lock.
#include "gateway/store/postgres/pg_store_impl.h"
#include "gateway/store/record_values.h"

namespace gw::pg {
namespace {

constexpr const char* kContactColumns =
    "id, channel_id, address, language, country, opted_out, consent, created_at, updated_at, last_inbound_at,"
    " erase_pending";

// A racing writer can insert (and then erase) the row an upsert conflicts with
// between the upsert and the read that follows it: try again, this many times.
constexpr int kUpsertAttempts = 3;

// The columns read_conversation reads, in its order.
constexpr const char* kConversationColumns =
    "id, contact_id, channel_id, state, created_at, updated_at, stat_country, stat_language";

Conversation read_conversation(const PgRow& row) {
  Conversation conv;
  conv.id = row.int64(0);
  conv.contact_id = row.int64(1);
  conv.channel_id = row.text(2);
  conv.state = row.text(3);
  conv.created_at = from_unix_ms(row.int64(4));
  conv.updated_at = from_unix_ms(row.int64(5));
  conv.stat_country = row.text(6);
  conv.stat_language = row.text(7);
  return conv;
}

// Locks contact `contact_id`'s row for the rest of the transaction; kNotFound
// when there is none.
Status lock_contact(Connection& conn, int64_t contact_id) {
  auto locked = conn.run("SELECT 1 FROM contacts WHERE id = $1 FOR UPDATE", contact_id);
  if (!locked) return locked.error();
  if (*locked == 0) return Error::not_found("no contact " + std::to_string(contact_id));
  return {};
}

}  // namespace

Result<Contact> PgStore::read_contact(const PgRow& row) const {
  Contact c;
  c.id = row.int64(0);
  c.channel_id = row.text(1);
  auto address = open(row.bytes(2), "contacts.address", c.id);
  if (!address) return address.error();
  c.address = std::move(*address);
  c.language = row.text(3);
  c.country = row.text(4);
  c.opted_out = row.boolean(5);
  c.consent = row.text(6);
  c.created_at = from_unix_ms(row.int64(7));
  c.updated_at = from_unix_ms(row.int64(8));
  c.last_inbound_at = optional_time(row, 9);
  c.erase_pending = row.boolean(10);
  return c;
}

Result<std::optional<Contact>> PgStore::find_contact_on(Connection& conn, const std::string& channel_id,
                                                        const std::string& hash) const {
  static const std::string kFind =
      std::string("SELECT ") + kContactColumns + " FROM contacts WHERE channel_id = $1 AND address_hash = $2";
  return conn.query_one(
      kFind, [this](const PgRow& row) { return read_contact(row); }, channel_id, Bytea{hash});
}

Result<Contact> PgStore::upsert_contact(const std::string& channel_id, const std::string& address,
                                        TimePoint now) {
  if (channel_id.empty() || address.empty())
    return Error::invalid("contact needs a channel id and an address");
  return with([&](Connection& conn) -> Result<Contact> {
    // Found (the usual case): a read alone.
    auto found = find_contact_by_hashes_on(conn, channel_id, address);
    if (!found) return found.error();
    if (*found) return std::move(**found);
    const std::string hash = crypto_.index_hash(address);

    auto sealed = seal(address, "contacts.address");
    if (!sealed) return sealed.error();
    static const std::string kInsert =
        std::string(
            "INSERT INTO contacts (channel_id, address_hash, address, created_at, updated_at)"
            " VALUES ($1, $2, $3, $4, $4) ON CONFLICT (channel_id, address_hash) DO NOTHING RETURNING ") +
        kContactColumns;
    for (int attempt = 0; attempt < kUpsertAttempts; ++attempt) {
      auto inserted = conn.query_one(
          kInsert, [this](const PgRow& row) { return read_contact(row); }, channel_id, Bytea{hash},
          Bytea{*sealed}, to_unix_ms(now));
      if (!inserted) return inserted.error();
      if (*inserted) return std::move(**inserted);
      // Another instance inserted it since the read (ON CONFLICT waited for its
      // commit): this statement's fresh snapshot sees it.
      found = find_contact_by_hashes_on(conn, channel_id, address);
      if (!found) return found.error();
      if (*found) return std::move(**found);
    }
    return Error::unavailable("contact kept changing while being created; try again");
  });
}

Result<std::optional<Contact>> PgStore::find_contact(const std::string& channel_id,
                                                     const std::string& address) {
  return with([&](Connection& conn) { return find_contact_by_hashes_on(conn, channel_id, address); });
}

// By the active index key's hash, then (while an index key rotation has not yet
// rebuilt every hash) by the previous key's.
Result<std::optional<Contact>> PgStore::find_contact_by_hashes_on(Connection& conn, const std::string& channel_id,
                                                                  const std::string& address) const {
  for (const std::string& hash : crypto_.index_hashes(address)) {
    auto found = find_contact_on(conn, channel_id, hash);
    if (!found || *found) return found;
  }
  return std::optional<Contact>();
}

Result<Contact> PgStore::get_contact(int64_t id) {
  return with([&](Connection& conn) -> Result<Contact> {
    static const std::string kById =
        std::string("SELECT ") + kContactColumns + " FROM contacts WHERE id = $1";
    auto c = conn.query_one(
        kById, [this](const PgRow& row) { return read_contact(row); }, id);
    if (!c) return c.error();
    if (!*c) return Error::not_found("no contact " + std::to_string(id));
    return std::move(**c);
  });
}

Status PgStore::update_contact(const Contact& c) {
  if (!is_contact_consent(c.consent)) return Error::invalid("unknown consent value '" + c.consent + "'");
  return with([&](Connection& conn) -> Status {
    auto updated = conn.run(
        "UPDATE contacts SET language = $2, country = $3, opted_out = $4, consent = $5, last_inbound_at = $6,"
        " updated_at = $7 WHERE id = $1",
        c.id, c.language, c.country, c.opted_out, c.consent, optional_ms(c.last_inbound_at),
        to_unix_ms(clock_.now()));
    if (!updated) return updated.error();
    if (*updated == 0) return Error::not_found("no contact " + std::to_string(c.id));
    return {};
  });
}

Status PgStore::mark_contact_opted_out(int64_t id, TimePoint now) {
  return with([&](Connection& conn) -> Status {
    auto updated =
        conn.run("UPDATE contacts SET opted_out = TRUE, updated_at = $2 WHERE id = $1", id, to_unix_ms(now));
    if (!updated) return updated.error();
    if (*updated == 0) return Error::not_found("no contact " + std::to_string(id));
    return {};
  });
}

Result<Conversation> PgStore::open_or_get_conversation(int64_t contact_id, const std::string& channel_id,
                                                       TimePoint now) {
  return with([&](Connection& conn) -> Result<Conversation> {
    static const std::string kOpenOne = std::string("SELECT ") + kConversationColumns +
                                        " FROM conversations WHERE contact_id = $1 AND channel_id = $2"
                                        " AND state <> 'closed' ORDER BY id DESC LIMIT 1";
    // conversations_one_open keeps one open conversation per contact and
    // channel: an insert racing another instance's does nothing (it waits for
    // the other's commit), and the read after it finds the other's.
    static const std::string kInsert = std::string(
                                           "INSERT INTO conversations (contact_id, channel_id, state, "
                                           "created_at, updated_at) VALUES ($1, $2, 'bot', $3, $3)"
                                           " ON CONFLICT (contact_id, channel_id) WHERE state <> 'closed'"
                                           " DO NOTHING RETURNING ") +
                                       kConversationColumns;
    for (int attempt = 0; attempt < kUpsertAttempts; ++attempt) {
      auto open_one = conn.query_one(kOpenOne, read_conversation, contact_id, channel_id);
      if (!open_one) return open_one.error();
      if (*open_one) return std::move(**open_one);
      auto inserted = conn.query_one(kInsert, read_conversation, contact_id, channel_id, to_unix_ms(now));
      if (!inserted) return inserted.error();
      if (*inserted) return std::move(**inserted);
    }
    return Error::unavailable("conversation kept changing while being opened; try again");
  });
}

Status PgStore::set_conversation_state(int64_t conversation_id, const std::string& state, TimePoint now) {
  if (!is_conversation_state(state)) return Error::invalid("unknown conversation state '" + state + "'");
  return with([&](Connection& conn) -> Status {
    auto updated = conn.run("UPDATE conversations SET state = $2, updated_at = $3 WHERE id = $1",
                            conversation_id, state, to_unix_ms(now));
    if (!updated) return updated.error();
    if (*updated == 0) return Error::not_found("no conversation " + std::to_string(conversation_id));
    return {};
  });
}

Result<Conversation> PgStore::get_conversation(int64_t conversation_id) {
  return with([&](Connection& conn) -> Result<Conversation> {
    static const std::string kById =
        std::string("SELECT ") + kConversationColumns + " FROM conversations WHERE id = $1";
    auto found = conn.query_one(kById, read_conversation, conversation_id);
    if (!found) return found.error();
    if (!*found) return Error::not_found("no conversation " + std::to_string(conversation_id));
    return std::move(**found);
  });
}

Status PgStore::set_conversation_stats(int64_t conversation_id, const std::string& country,
                                       const std::string& language) {
  return with([&](Connection& conn) -> Status {
    auto updated = conn.run("UPDATE conversations SET stat_country = $2, stat_language = $3 WHERE id = $1",
                            conversation_id, country, language);
    if (!updated) return updated.error();
    if (*updated == 0) return Error::not_found("no conversation " + std::to_string(conversation_id));
    return {};
  });
}

Status PgStore::save_session(int64_t contact_id, const std::string& state_json, TimePoint expires_at,
                             TimePoint now) {
  return with([&](Connection& conn) -> Status {
    auto sealed = seal(state_json, "sessions.state");
    if (!sealed) return sealed.error();
    auto saved = conn.run(
        "INSERT INTO sessions (contact_id, state, expires_at, updated_at) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (contact_id) DO UPDATE SET state = EXCLUDED.state, expires_at = EXCLUDED.expires_at,"
        " updated_at = EXCLUDED.updated_at",
        contact_id, Bytea{*sealed}, to_unix_ms(expires_at), to_unix_ms(now));
    if (!saved) return saved.error();
    return {};
  });
}

Result<std::optional<std::string>> PgStore::load_session(int64_t contact_id, TimePoint now) {
  return with([&](Connection& conn) -> Result<std::optional<std::string>> {
    struct Row {
      std::string sealed;
      int64_t expires_at = 0;
    };
    auto row = conn.query_one(
        "SELECT state, expires_at FROM sessions WHERE contact_id = $1",
        [](const PgRow& r) {
          return Row{r.bytes(0), r.int64(1)};
        },
        contact_id);
    if (!row) return row.error();
    if (!*row) return std::optional<std::string>();
    if ((*row)->expires_at <= to_unix_ms(now)) {
      // Expired: keep no more than needed (unless it was saved again since).
      auto deleted = conn.run("DELETE FROM sessions WHERE contact_id = $1 AND expires_at <= $2", contact_id,
                              to_unix_ms(now));
      if (!deleted) return deleted.error();
      return std::optional<std::string>();
    }
    auto state = open((*row)->sealed, "sessions.state", contact_id);
    if (!state) return state.error();
    return std::optional<std::string>(std::move(*state));
  });
}

Status PgStore::delete_session(int64_t contact_id) {
  return with([&](Connection& conn) -> Status {
    auto deleted = conn.run("DELETE FROM sessions WHERE contact_id = $1", contact_id);
    if (!deleted) return deleted.error();
    return {};
  });
}

Status PgStore::erase_contact_on(Connection& conn, int64_t contact_id) {
  auto tx = Transaction::begin(conn);
  if (!tx) return tx.error();
  // The contact's row first: inserts of rows referring to it (which take a key
  // share lock on it) wait for the erasure, or the erasure for them.
  if (Status s = lock_contact(conn, contact_id); !s) return s;
  // Explicit deletes, children first, as the SQLite backend does; the ON
  // DELETE CASCADE clauses are the safety net for rows of later migrations.
  for (const char* sql :
       {"DELETE FROM outbox WHERE contact_id = $1", "DELETE FROM handovers WHERE contact_id = $1",
        "DELETE FROM notes WHERE contact_id = $1", "DELETE FROM messages WHERE contact_id = $1",
        "DELETE FROM sessions WHERE contact_id = $1", "DELETE FROM conversations WHERE contact_id = $1",
        "DELETE FROM contacts WHERE id = $1"}) {
    if (auto deleted = conn.run(sql, contact_id); !deleted) return deleted.error();
  }
  // The audit entry of the erasure, in its transaction (as the staff group's
  // append_audit writes it): ids only.
  auto audited = conn.run(
      "INSERT INTO audit_log (at, actor, action, subject, detail_json) VALUES ($1, 'system', "
      "'contact.erased',"
      " $2, '{}')",
      to_unix_ms(clock_.now()), "contact:" + std::to_string(contact_id));
  if (!audited) return audited.error();
  return tx->commit();
}

Status PgStore::erase_contact(int64_t contact_id) {
  return with([&](Connection& conn) { return erase_contact_on(conn, contact_id); });
}

Status PgStore::erase_contact_after_outbox_on(Connection& conn, int64_t contact_id) {
  auto tx = Transaction::begin(conn);
  if (!tx) return tx.error();
  // Locked before the unsent items are read: an outbox item finishing on
  // another instance erases a pending contact under the same lock, so it sees
  // erase_pending once this commits, or this sees the item finished.
  if (Status s = lock_contact(conn, contact_id); !s) return s;
  auto unsent = conn.run(
      "SELECT 1 FROM outbox WHERE contact_id = $1 AND state IN ('pending', 'sending') LIMIT 1", contact_id);
  if (!unsent) return unsent.error();
  if (*unsent == 0) {
    if (Status s = erase_contact_on(conn, contact_id); !s) return s;
    return tx->commit();
  }
  // Everything but the unsent items, their messages and conversations, and the
  // address they go to.
  for (const char* sql :
       {"DELETE FROM outbox WHERE contact_id = $1 AND state NOT IN ('pending', 'sending')",
        "DELETE FROM handovers WHERE contact_id = $1", "DELETE FROM notes WHERE contact_id = $1",
        "DELETE FROM messages WHERE contact_id = $1"
        " AND id NOT IN (SELECT message_id FROM outbox WHERE contact_id = $1)",
        "DELETE FROM sessions WHERE contact_id = $1",
        "DELETE FROM conversations WHERE contact_id = $1"
        " AND id NOT IN (SELECT conversation_id FROM outbox WHERE contact_id = $1)",
        "UPDATE contacts SET language = '', country = '', consent = 'none', last_inbound_at = NULL,"
        " erase_pending = TRUE WHERE id = $1"}) {
    if (auto done = conn.run(sql, contact_id); !done) return done.error();
  }
  return tx->commit();
}

Status PgStore::erase_contact_after_outbox(int64_t contact_id) {
  return with([&](Connection& conn) { return erase_contact_after_outbox_on(conn, contact_id); });
}

Result<int> PgStore::erase_idle_contacts(TimePoint unconsented_before, TimePoint consented_before) {
  return with([&](Connection& conn) -> Result<int> {
    // Idle: no message for the period its consent allows, no pending erasure,
    // and no operator waiting or talking. ($3: one contact, or NULL for all.)
    static const std::string kIdle =
        "SELECT id FROM contacts c WHERE erase_pending = FALSE AND ($3::BIGINT IS NULL OR c.id = $3)"
        " AND ((consent <> 'given' AND COALESCE(last_inbound_at, created_at) < $1)"
        "   OR (consent = 'given' AND COALESCE(last_inbound_at, created_at) < $2))"
        " AND NOT EXISTS (SELECT 1 FROM conversations v WHERE v.contact_id = c.id"
        "                 AND v.state IN ('waiting', 'assigned'))";
    const int64_t unconsented_ms = to_unix_ms(unconsented_before);
    const int64_t consented_ms = to_unix_ms(consented_before);
    std::vector<int64_t> ids;
    const Status listed = conn.query(
        kIdle, [&](const PgRow& row) { ids.push_back(row.int64(0)); }, unconsented_ms, consented_ms,
        std::optional<int64_t>());
    if (!listed) return listed.error();
    int erased = 0;
    for (int64_t id : ids) {
      // Each in a transaction of its own, the contact locked and found idle
      // still: another instance may have had a message from them since the list.
      auto tx = Transaction::begin(conn);
      if (!tx) return tx.error();
      auto still =
          conn.run(kIdle + " FOR UPDATE OF c", unconsented_ms, consented_ms, std::optional<int64_t>(id));
      if (!still) return still.error();
      if (*still == 0) continue;
      if (Status s = erase_contact_after_outbox_on(conn, id); !s) return s.error();
      if (Status s = tx->commit(); !s) return s.error();
      ++erased;
    }
    return erased;
  });
}

}  // namespace gw::pg
