// SqliteStore: contacts, their conversations and flow sessions, and erasing a
// contact with all that is theirs (see sqlite_store_impl.h).
#include "gateway/store/record_values.h"
#include "gateway/store/sqlite/sqlite_store_impl.h"

namespace gw::sqlite {
namespace {

constexpr const char* kContactColumns =
    "id, channel_id, address, language, country, opted_out, consent, created_at, updated_at, last_inbound_at,"
    " erase_pending";

}  // namespace

Status SqliteStore::contact_exists_locked(int64_t contact_id) {
  auto exists = any_row_locked("SELECT 1 FROM contacts WHERE id = ?1", contact_id);
  if (!exists) return exists.error();
  if (!*exists) return Error::not_found("no contact " + std::to_string(contact_id));
  return {};
}

Result<Contact> SqliteStore::read_contact(const Statement& st) const {
  Contact c;
  c.id = st.int64(0);
  c.channel_id = st.text(1);
  auto address = open(st.blob(2), "contacts.address", c.id);
  if (!address) return address.error();
  c.address = std::move(*address);
  c.language = st.text(3);
  c.country = st.text(4);
  c.opted_out = st.int64(5) != 0;
  c.consent = st.text(6);
  c.created_at = from_unix_ms(st.int64(7));
  c.updated_at = from_unix_ms(st.int64(8));
  c.last_inbound_at = optional_time(st, 9);
  c.erase_pending = st.int64(10) != 0;
  return c;
}

Result<std::optional<Contact>> SqliteStore::find_contact_locked(const std::string& channel_id,
                                                                const std::string& hash) {
  return db_.query_one(
      std::string("SELECT ") + kContactColumns + " FROM contacts WHERE channel_id = ?1 AND address_hash = ?2",
      [this](const Statement& st) { return read_contact(st); }, channel_id, Blob{hash});
}

Result<Contact> SqliteStore::get_contact_locked(int64_t id) {
  auto c = db_.query_one(
      std::string("SELECT ") + kContactColumns + " FROM contacts WHERE id = ?1",
      [this](const Statement& st) { return read_contact(st); }, id);
  if (!c) return c.error();
  if (!*c) return Error::not_found("no contact " + std::to_string(id));
  return std::move(**c);
}

Result<Contact> SqliteStore::upsert_contact(const std::string& channel_id, const std::string& address,
                                            TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  if (channel_id.empty() || address.empty())
    return Error::invalid("contact needs a channel id and an address");
  // Found (the usual case): a read alone. mu_ is held, so no one inserts in between.
  auto found = find_contact_by_hashes_locked(channel_id, address);
  if (!found) return found.error();
  if (*found) return std::move(**found);
  const std::string hash = crypto_.index_hash(address);

  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  auto sealed = seal(address, "contacts.address");
  if (!sealed) return sealed.error();
  const Status inserted = db_.run(
      "INSERT INTO contacts (channel_id, address_hash, address, created_at, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?4)",
      channel_id, Blob{hash}, Blob{*sealed}, to_unix_ms(now));
  if (!inserted) return inserted.error();
  auto c = get_contact_locked(db_.last_insert_rowid());
  if (!c) return c.error();
  if (Status s = tx->commit(); !s) return s.error();
  return c;
}

Result<std::optional<Contact>> SqliteStore::find_contact(const std::string& channel_id,
                                                         const std::string& address) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  return find_contact_by_hashes_locked(channel_id, address);
}

// By the active index key's hash, then (while an index key rotation has not yet
// rebuilt every hash) by the previous key's.
Result<std::optional<Contact>> SqliteStore::find_contact_by_hashes_locked(const std::string& channel_id,
                                                                          const std::string& address) {
  for (const std::string& hash : crypto_.index_hashes(address)) {
    auto found = find_contact_locked(channel_id, hash);
    if (!found || *found) return found;
  }
  return std::optional<Contact>();
}

Result<Contact> SqliteStore::get_contact(int64_t id) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  return get_contact_locked(id);
}

Status SqliteStore::update_contact(const Contact& c) {
  if (!is_contact_consent(c.consent)) return Error::invalid("unknown consent value '" + c.consent + "'");
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  const Status updated = db_.run(
      "UPDATE contacts SET language = ?2, country = ?3, opted_out = ?4, consent = ?5, last_inbound_at = ?6,"
      " updated_at = ?7 WHERE id = ?1",
      c.id, c.language, c.country, c.opted_out, c.consent, optional_ms(c.last_inbound_at),
      to_unix_ms(clock_.now()));
  if (!updated) return updated;
  if (db_.changes() == 0) return Error::not_found("no contact " + std::to_string(c.id));
  return {};
}

Status SqliteStore::mark_contact_opted_out(int64_t id, TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  const Status updated =
      db_.run("UPDATE contacts SET opted_out = 1, updated_at = ?2 WHERE id = ?1", id, to_unix_ms(now));
  if (!updated) return updated;
  if (db_.changes() == 0) return Error::not_found("no contact " + std::to_string(id));
  return {};
}

namespace {

// The columns read_conversation reads, in its order.
constexpr const char* kConversationColumns =
    "id, contact_id, channel_id, state, created_at, updated_at, stat_country, stat_language";

Conversation read_conversation(const Statement& st) {
  Conversation conv;
  conv.id = st.int64(0);
  conv.contact_id = st.int64(1);
  conv.channel_id = st.text(2);
  conv.state = st.text(3);
  conv.created_at = from_unix_ms(st.int64(4));
  conv.updated_at = from_unix_ms(st.int64(5));
  conv.stat_country = st.text(6);
  conv.stat_language = st.text(7);
  return conv;
}

}  // namespace

Result<Conversation> SqliteStore::open_or_get_conversation(int64_t contact_id, const std::string& channel_id,
                                                           TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  // A read, then at most one INSERT (atomic by itself); mu_ is held, so no one
  // opens another in between, and conversations_one_open would refuse it.
  static const std::string kOpenOne = std::string("SELECT ") + kConversationColumns +
                                      " FROM conversations WHERE contact_id = ?1 AND channel_id = ?2"
                                      " AND state <> 'closed' ORDER BY id DESC LIMIT 1";
  auto open_one = db_.query_one(kOpenOne, read_conversation, contact_id, channel_id);
  if (!open_one) return open_one.error();
  if (*open_one) return std::move(**open_one);
  const Status inserted = db_.run(
      "INSERT INTO conversations (contact_id, channel_id, state, created_at, updated_at)"
      " VALUES (?1, ?2, 'bot', ?3, ?3)",
      contact_id, channel_id, to_unix_ms(now));
  if (!inserted) return inserted.error();
  Conversation conv;
  conv.id = db_.last_insert_rowid();
  conv.contact_id = contact_id;
  conv.channel_id = channel_id;
  conv.state = "bot";
  conv.created_at = conv.updated_at = from_unix_ms(to_unix_ms(now));
  return conv;
}

Status SqliteStore::set_conversation_state(int64_t conversation_id, const std::string& state, TimePoint now) {
  if (!is_conversation_state(state)) return Error::invalid("unknown conversation state '" + state + "'");
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  const Status updated = db_.run("UPDATE conversations SET state = ?2, updated_at = ?3 WHERE id = ?1",
                                 conversation_id, state, to_unix_ms(now));
  if (!updated) return updated;
  if (db_.changes() == 0) return Error::not_found("no conversation " + std::to_string(conversation_id));
  return {};
}

Result<Conversation> SqliteStore::get_conversation(int64_t conversation_id) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  static const std::string kById =
      std::string("SELECT ") + kConversationColumns + " FROM conversations WHERE id = ?1";
  auto found = db_.query_one(kById, read_conversation, conversation_id);
  if (!found) return found.error();
  if (!*found) return Error::not_found("no conversation " + std::to_string(conversation_id));
  return std::move(**found);
}

Status SqliteStore::set_conversation_stats(int64_t conversation_id, const std::string& country,
                                           const std::string& language) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  const Status updated =
      db_.run("UPDATE conversations SET stat_country = ?2, stat_language = ?3 WHERE id = ?1", conversation_id,
              country, language);
  if (!updated) return updated;
  if (db_.changes() == 0) return Error::not_found("no conversation " + std::to_string(conversation_id));
  return {};
}

Status SqliteStore::save_session(int64_t contact_id, const std::string& state_json, TimePoint expires_at,
                                 TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  auto sealed = seal(state_json, "sessions.state");
  if (!sealed) return sealed.error();
  return db_.run(
      "INSERT INTO sessions (contact_id, state, expires_at, updated_at) VALUES (?1, ?2, ?3, ?4)"
      " ON CONFLICT (contact_id) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at,"
      " updated_at = excluded.updated_at",
      contact_id, Blob{*sealed}, to_unix_ms(expires_at), to_unix_ms(now));
}

Result<std::optional<std::string>> SqliteStore::load_session(int64_t contact_id, TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  struct Row {
    std::string sealed;
    int64_t expires_at = 0;
  };
  auto row = db_.query_one(
      "SELECT state, expires_at FROM sessions WHERE contact_id = ?1",
      [](const Statement& st) {
        return Row{st.blob(0), st.int64(1)};
      },
      contact_id);
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>();
  if ((*row)->expires_at <= to_unix_ms(now)) {
    // Expired: keep no more than needed.
    if (Status s = db_.run("DELETE FROM sessions WHERE contact_id = ?1", contact_id); !s) return s.error();
    return std::optional<std::string>();
  }
  auto state = open((*row)->sealed, "sessions.state", contact_id);
  if (!state) return state.error();
  return std::optional<std::string>(std::move(*state));
}

Status SqliteStore::delete_session(int64_t contact_id) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  return db_.run("DELETE FROM sessions WHERE contact_id = ?1", contact_id);
}

Status SqliteStore::erase_contact(int64_t contact_id) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  if (Status s = contact_exists_locked(contact_id); !s) return s;
  // Explicit deletes, children first, so erasure does not depend on the
  // connection having foreign keys on; the ON DELETE CASCADE clauses are the
  // safety net for rows added by later migrations.
  for (const char* sql :
       {"DELETE FROM outbox WHERE contact_id = ?1", "DELETE FROM handovers WHERE contact_id = ?1",
        "DELETE FROM notes WHERE contact_id = ?1", "DELETE FROM messages WHERE contact_id = ?1",
        "DELETE FROM sessions WHERE contact_id = ?1", "DELETE FROM conversations WHERE contact_id = ?1",
        "DELETE FROM contacts WHERE id = ?1"}) {
    if (Status s = db_.run(sql, contact_id); !s) return s;
  }
  AuditEntry e;
  e.at = clock_.now();
  e.actor = "system";
  e.action = "contact.erased";
  e.subject = "contact:" + std::to_string(contact_id);
  if (Status s = append_audit_locked(e); !s) return s;
  return tx->commit();
}

Status SqliteStore::erase_contact_after_outbox(int64_t contact_id) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  if (Status s = contact_exists_locked(contact_id); !s) return s;
  auto unsent = any_row_locked(
      "SELECT 1 FROM outbox WHERE contact_id = ?1 AND state IN ('pending', 'sending') LIMIT 1", contact_id);
  if (!unsent) return unsent.error();
  if (!*unsent) {
    if (Status s = erase_contact(contact_id); !s) return s;
    return tx->commit();
  }
  // Everything but the unsent items, their messages and conversations, and the
  // address they go to.
  for (const char* sql :
       {"DELETE FROM outbox WHERE contact_id = ?1 AND state NOT IN ('pending', 'sending')",
        "DELETE FROM handovers WHERE contact_id = ?1", "DELETE FROM notes WHERE contact_id = ?1",
        "DELETE FROM messages WHERE contact_id = ?1"
        " AND id NOT IN (SELECT message_id FROM outbox WHERE contact_id = ?1)",
        "DELETE FROM sessions WHERE contact_id = ?1",
        "DELETE FROM conversations WHERE contact_id = ?1"
        " AND id NOT IN (SELECT conversation_id FROM outbox WHERE contact_id = ?1)",
        "UPDATE contacts SET language = '', country = '', consent = 'none', last_inbound_at = NULL,"
        " erase_pending = 1 WHERE id = ?1"}) {
    if (Status s = db_.run(sql, contact_id); !s) return s;
  }
  return tx->commit();
}

Result<int> SqliteStore::erase_idle_contacts(TimePoint unconsented_before, TimePoint consented_before) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  std::vector<int64_t> ids;
  const Status listed = db_.query(
      "SELECT id FROM contacts c WHERE erase_pending = 0"
      " AND ((consent <> 'given' AND COALESCE(last_inbound_at, created_at) < ?1)"
      "   OR (consent = 'given' AND COALESCE(last_inbound_at, created_at) < ?2))"
      " AND NOT EXISTS (SELECT 1 FROM conversations v WHERE v.contact_id = c.id"
      "                 AND v.state IN ('waiting', 'assigned'))",
      [&](const Statement& st) { ids.push_back(st.int64(0)); }, to_unix_ms(unconsented_before),
      to_unix_ms(consented_before));
  if (!listed) return listed.error();
  for (int64_t id : ids) {
    if (Status s = erase_contact_after_outbox(id); !s) return s.error();
  }
  return static_cast<int>(ids.size());
}

}  // namespace gw::sqlite
