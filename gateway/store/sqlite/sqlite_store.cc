#include "gateway/store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "gateway/store/migrations.h"
#include "gateway/store/record_values.h"
#include "gateway/store/sqlite/database_file.h"
#include "gateway/store/sqlite/migrator.h"
#include "gateway/store/sqlite/sqlite_store_impl.h"

namespace gw {

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, const Crypto& crypto,
                                                 Clock& clock) {
  const bool file = sqlite::is_file_path(path);
  if (file) {
    Status st = sqlite::prepare_database_file(path);
    if (!st) return st.error();
  }
  auto db = sqlite::Database::open(path);
  if (!db) return db.error();
  // cache_size: 8 MiB of pages (the default is 2 MiB), so the hot indexes stay in
  // memory as the tables grow. temp_store: sorts never touch a temp file.
  for (const char* pragma :
       {"PRAGMA busy_timeout = 5000", "PRAGMA foreign_keys = ON", "PRAGMA secure_delete = ON",
        "PRAGMA synchronous = NORMAL", "PRAGMA cache_size = -8192", "PRAGMA temp_store = MEMORY"}) {
    Status st = db->exec(pragma);
    if (!st) return st.error();
  }
  if (file) {
    if (Status st = sqlite::use_wal(*db, path); !st) return st.error();
  }
  auto version = sqlite::migrate(*db, sqlite_migrations(), clock.now());
  if (!version) {
    return Error{version.error().code, "database " + path + ": " + version.error().message};
  }
  std::unique_ptr<sqlite::WalCheckpointer> checkpointer;
  if (file) {
    auto c = sqlite::WalCheckpointer::open(path, sqlite::WalCheckpointOptions{}, clock);
    if (!c) return Error{c.error().code, "database " + path + ": " + c.error().message};
    checkpointer = std::move(*c);
    checkpointer->attach(db->handle());
    checkpointer->start();
  }
  return std::unique_ptr<Store>(
      new sqlite::SqliteStore(std::move(*db), crypto, clock, std::move(checkpointer)));
}

namespace sqlite {
namespace {

constexpr const char* kContactColumns =
    "id, channel_id, address, language, country, opted_out, consent, created_at, updated_at, last_inbound_at,"
    " erase_pending";

std::optional<TimePoint> optional_time(const Statement& st, int col) {
  auto v = st.optional_int64(col);
  if (!v) return std::nullopt;
  return from_unix_ms(*v);
}

std::optional<int64_t> optional_ms(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return to_unix_ms(*t);
}

}  // namespace

SqliteStore::SqliteStore(Database db, const Crypto& crypto, Clock& clock,
                         std::unique_ptr<WalCheckpointer> checkpointer)
    : group_commit_(kMaxBatch), db_(std::move(db)), checkpointer_(std::move(checkpointer)), crypto_(crypto), clock_(clock) {}

SqliteStore::~SqliteStore() {
  (void)close();
}

namespace {
// The store whose transaction this thread is running bodies in: a call to
// in_transaction() from such a body nests instead of queueing behind itself.
thread_local const SqliteStore* tl_running_store = nullptr;

Status run_body(const std::function<Status()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return Error::internal(std::string("transaction body threw: ") + e.what());
  } catch (...) {
    return Error::internal("transaction body threw");
  }
}
}  // namespace

Status SqliteStore::in_transaction(const std::function<Status()>& body) {
  if (tl_running_store == this) {
    // Nested: a savepoint inside the running transaction.
    Lock lock(mu_);
    if (Status s = check_open_locked(); !s) return s;
    auto tx = Transaction::begin(db_);
    if (!tx) return tx.error();
    if (Status s = body(); !s) return s;  // rolls back to its savepoint
    if (!db_.is_open()) return Error::unavailable("store was closed inside a transaction");
    return tx->commit();
  }
  TxJob job;
  job.body = &body;
  group_commit_.submit(job, [this](std::vector<TxJob*>& batch) { run_batch(batch); });
  return job.result;
}

void SqliteStore::run_batch(std::vector<TxJob*>& batch) {
  Lock lock(mu_);
  const SqliteStore* previous = tl_running_store;
  tl_running_store = this;
  auto fail_all = [&](const Status& s) {
    for (TxJob* j : batch) j->result = s;
  };
  auto done = [&] { tl_running_store = previous; };
  if (Status s = check_open_locked(); !s) {
    fail_all(s);
    return done();
  }
  auto tx = Transaction::begin(db_);
  if (!tx) {
    fail_all(tx.error());
    return done();
  }
  for (TxJob* j : batch) {
    Status s;
    {
      // Each body in a savepoint of its own: its error undoes only its part
      // (the savepoint rolls back when `item` goes out of scope uncommitted).
      auto item = Transaction::begin(db_);
      if (!item) {
        fail_all(item.error());
        return done();  // tx rolls everything back
      }
      s = run_body(*j->body);
      if (!db_.is_open()) {
        fail_all(Error::unavailable("store was closed inside a transaction"));
        return done();
      }
      if (s) s = item->commit();
    }
    if (!s) {
      j->result = s;
      if (!db_.in_transaction()) {
        // SQLite abandoned the whole transaction (an I/O or full-disk error):
        // the bodies before this one are lost with it.
        fail_all(Error::io("the database rolled the transaction back after an error: " + s.error().to_string()));
        return done();
      }
    }
  }
  Status committed = tx->commit();
  if (!committed) {
    fail_all(committed);
  }
  done();
}

Result<bool> SqliteStore::any_row_locked(const char* sql, int64_t id) {
  auto st = db_.prepare(sql);
  if (!st) return st.error();
  st->bind(1, id);
  return st->step();
}

Status SqliteStore::contact_exists_locked(int64_t contact_id) {
  auto exists = any_row_locked("SELECT 1 FROM contacts WHERE id = ?1", contact_id);
  if (!exists) return exists.error();
  if (!*exists) return Error::not_found("no contact " + std::to_string(contact_id));
  return {};
}

Status SqliteStore::check_open_locked() const {
  if (!db_.is_open()) return Error::unavailable("store is closed");
  return {};
}

Result<std::string> SqliteStore::seal(std::string_view plaintext, const char* aad) const {
  return crypto_.encrypt(plaintext, aad);
}

Result<std::string> SqliteStore::open(std::string_view blob, const char* aad, int64_t row_id) const {
  auto r = crypto_.decrypt(blob, aad);
  if (!r) {
    return Error{r.error().code, std::string("cannot decrypt ") + aad + " of row " + std::to_string(row_id) +
                                     ": " + r.error().message};
  }
  return r;
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
  auto st = db_.prepare(std::string("SELECT ") + kContactColumns +
                        " FROM contacts WHERE channel_id = ?1 AND address_hash = ?2");
  if (!st) return st.error();
  st->bind(1, channel_id).bind(2, Blob{hash});
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return std::optional<Contact>();
  auto c = read_contact(*st);
  if (!c) return c.error();
  return std::optional<Contact>(std::move(*c));
}

Result<Contact> SqliteStore::get_contact_locked(int64_t id) {
  auto st = db_.prepare(std::string("SELECT ") + kContactColumns + " FROM contacts WHERE id = ?1");
  if (!st) return st.error();
  st->bind(1, id);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return Error::not_found("no contact " + std::to_string(id));
  return read_contact(*st);
}

Result<Contact> SqliteStore::upsert_contact(const std::string& channel_id, const std::string& address,
                                            TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  if (channel_id.empty() || address.empty())
    return Error::invalid("contact needs a channel id and an address");
  const std::string hash = crypto_.index_hash(address);
  // Found (the usual case): a read alone. mu_ is held, so no one inserts in between.
  auto found = find_contact_locked(channel_id, hash);
  if (!found) return found.error();
  if (*found) return std::move(**found);

  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  auto sealed = seal(address, "contacts.address");
  if (!sealed) return sealed.error();
  auto st = db_.prepare(
      "INSERT INTO contacts (channel_id, address_hash, address, created_at, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?4)");
  if (!st) return st.error();
  st->bind(1, channel_id).bind(2, Blob{hash}).bind(3, Blob{*sealed}).bind(4, to_unix_ms(now));
  if (Status s = st->run(); !s) return s.error();
  auto c = get_contact_locked(db_.last_insert_rowid());
  if (!c) return c.error();
  if (Status s = tx->commit(); !s) return s.error();
  return c;
}

Result<std::optional<Contact>> SqliteStore::find_contact(const std::string& channel_id,
                                                         const std::string& address) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  return find_contact_locked(channel_id, crypto_.index_hash(address));
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
  auto st = db_.prepare(
      "UPDATE contacts SET language = ?2, country = ?3, opted_out = ?4, consent = ?5, last_inbound_at = ?6,"
      " updated_at = ?7 WHERE id = ?1");
  if (!st) return st.error();
  st->bind(1, c.id).bind(2, c.language).bind(3, c.country).bind(4, c.opted_out).bind(5, c.consent);
  st->bind(6, optional_ms(c.last_inbound_at)).bind(7, to_unix_ms(clock_.now()));
  if (Status s = st->run(); !s) return s;
  if (db_.changes() == 0) return Error::not_found("no contact " + std::to_string(c.id));
  return {};
}

Status SqliteStore::mark_contact_opted_out(int64_t id, TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  auto st = db_.prepare("UPDATE contacts SET opted_out = 1, updated_at = ?2 WHERE id = ?1");
  if (!st) return st.error();
  st->bind(1, id).bind(2, to_unix_ms(now));
  if (Status s = st->run(); !s) return s;
  if (db_.changes() == 0) return Error::not_found("no contact " + std::to_string(id));
  return {};
}

Result<Conversation> SqliteStore::open_or_get_conversation(int64_t contact_id, const std::string& channel_id,
                                                           TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  // A read, then at most one INSERT (atomic by itself); mu_ is held, so no one
  // opens another in between, and conversations_one_open would refuse it.
  auto st = db_.prepare(
      "SELECT id, state, created_at, updated_at FROM conversations"
      " WHERE contact_id = ?1 AND channel_id = ?2 AND state <> 'closed' ORDER BY id DESC LIMIT 1");
  if (!st) return st.error();
  st->bind(1, contact_id).bind(2, channel_id);
  auto row = st->step();
  if (!row) return row.error();
  Conversation conv;
  conv.contact_id = contact_id;
  conv.channel_id = channel_id;
  if (*row) {
    conv.id = st->int64(0);
    conv.state = st->text(1);
    conv.created_at = from_unix_ms(st->int64(2));
    conv.updated_at = from_unix_ms(st->int64(3));
    return conv;
  }
  auto ins = db_.prepare(
      "INSERT INTO conversations (contact_id, channel_id, state, created_at, updated_at)"
      " VALUES (?1, ?2, 'bot', ?3, ?3)");
  if (!ins) return ins.error();
  ins->bind(1, contact_id).bind(2, channel_id).bind(3, to_unix_ms(now));
  if (Status s = ins->run(); !s) return s.error();
  conv.id = db_.last_insert_rowid();
  conv.state = "bot";
  conv.created_at = conv.updated_at = from_unix_ms(to_unix_ms(now));
  return conv;
}

Status SqliteStore::set_conversation_state(int64_t conversation_id, const std::string& state, TimePoint now) {
  if (!is_conversation_state(state)) return Error::invalid("unknown conversation state '" + state + "'");
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  auto st = db_.prepare("UPDATE conversations SET state = ?2, updated_at = ?3 WHERE id = ?1");
  if (!st) return st.error();
  st->bind(1, conversation_id).bind(2, state).bind(3, to_unix_ms(now));
  if (Status s = st->run(); !s) return s;
  if (db_.changes() == 0) return Error::not_found("no conversation " + std::to_string(conversation_id));
  return {};
}

Status SqliteStore::save_session(int64_t contact_id, const std::string& state_json, TimePoint expires_at,
                                 TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  auto sealed = seal(state_json, "sessions.state");
  if (!sealed) return sealed.error();
  auto st = db_.prepare(
      "INSERT INTO sessions (contact_id, state, expires_at, updated_at) VALUES (?1, ?2, ?3, ?4)"
      " ON CONFLICT (contact_id) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at,"
      " updated_at = excluded.updated_at");
  if (!st) return st.error();
  st->bind(1, contact_id).bind(2, Blob{*sealed}).bind(3, to_unix_ms(expires_at)).bind(4, to_unix_ms(now));
  return st->run();
}

Result<std::optional<std::string>> SqliteStore::load_session(int64_t contact_id, TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto st = db_.prepare("SELECT state, expires_at FROM sessions WHERE contact_id = ?1");
  if (!st) return st.error();
  st->bind(1, contact_id);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>();
  if (st->int64(1) <= to_unix_ms(now)) {
    // Expired: keep no more than needed.
    auto del = db_.prepare("DELETE FROM sessions WHERE contact_id = ?1");
    if (!del) return del.error();
    del->bind(1, contact_id);
    if (Status s = del->run(); !s) return s.error();
    return std::optional<std::string>();
  }
  auto state = open(st->blob(0), "sessions.state", contact_id);
  if (!state) return state.error();
  return std::optional<std::string>(std::move(*state));
}

Status SqliteStore::delete_session(int64_t contact_id) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  auto st = db_.prepare("DELETE FROM sessions WHERE contact_id = ?1");
  if (!st) return st.error();
  st->bind(1, contact_id);
  return st->run();
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
        "DELETE FROM notes WHERE contact_id = ?1",
        "DELETE FROM messages WHERE contact_id = ?1", "DELETE FROM sessions WHERE contact_id = ?1",
        "DELETE FROM conversations WHERE contact_id = ?1", "DELETE FROM contacts WHERE id = ?1"}) {
    auto st = db_.prepare(sql);
    if (!st) return st.error();
    st->bind(1, contact_id);
    if (Status s = st->run(); !s) return s;
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
  auto unsent =
      any_row_locked("SELECT 1 FROM outbox WHERE contact_id = ?1 AND state IN ('pending', 'sending') LIMIT 1", contact_id);
  if (!unsent) return unsent.error();
  if (!*unsent) {
    if (Status s = erase_contact(contact_id); !s) return s;
    return tx->commit();
  }
  // Everything but the unsent items, their messages and conversations, and the
  // address they go to.
  for (const char* sql :
       {"DELETE FROM outbox WHERE contact_id = ?1 AND state NOT IN ('pending', 'sending')",
        "DELETE FROM handovers WHERE contact_id = ?1",
        "DELETE FROM notes WHERE contact_id = ?1",
        "DELETE FROM messages WHERE contact_id = ?1 AND id NOT IN (SELECT message_id FROM outbox WHERE contact_id = ?1)",
        "DELETE FROM sessions WHERE contact_id = ?1",
        "DELETE FROM conversations WHERE contact_id = ?1"
        " AND id NOT IN (SELECT conversation_id FROM outbox WHERE contact_id = ?1)",
        "UPDATE contacts SET language = '', country = '', consent = 'none', last_inbound_at = NULL,"
        " erase_pending = 1 WHERE id = ?1"}) {
    auto st = db_.prepare(sql);
    if (!st) return st.error();
    st->bind(1, contact_id);
    if (Status s = st->run(); !s) return s;
  }
  return tx->commit();
}

Result<int> SqliteStore::erase_idle_contacts(TimePoint unconsented_before, TimePoint consented_before) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  std::vector<int64_t> ids;
  {
    auto q = db_.prepare(
        "SELECT id FROM contacts c WHERE erase_pending = 0"
        " AND ((consent <> 'given' AND COALESCE(last_inbound_at, created_at) < ?1)"
        "   OR (consent = 'given' AND COALESCE(last_inbound_at, created_at) < ?2))"
        " AND NOT EXISTS (SELECT 1 FROM conversations v WHERE v.contact_id = c.id"
        "                 AND v.state IN ('waiting', 'assigned'))");
    if (!q) return q.error();
    q->bind(1, to_unix_ms(unconsented_before)).bind(2, to_unix_ms(consented_before));
    for (;;) {
      auto row = q->step();
      if (!row) return row.error();
      if (!*row) break;
      ids.push_back(q->int64(0));
    }
  }
  for (int64_t id : ids) {
    if (Status s = erase_contact_after_outbox(id); !s) return s.error();
  }
  return static_cast<int>(ids.size());
}

Status SqliteStore::ping() {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  auto st = db_.prepare("SELECT 1");
  if (!st) return st.error();
  auto row = st->step();
  if (!row) return row.error();
  return {};
}

Status SqliteStore::close() {
  Lock lock(mu_);
  if (checkpointer_) {
    // The last connection to close checkpoints what is left and removes the WAL.
    WalCheckpointer::detach(db_.handle());
    checkpointer_->stop();
    checkpointer_.reset();
  }
  return db_.close();
}

}  // namespace sqlite
}  // namespace gw
