// PgStore: the Store on a pool of PostgreSQL connections. Private to the
// backend; users call open_postgres_store() (pg_store.h).
//
// The implementation is split by entity group, as the SQLite backend's:
//   pg_store.cc           opening, migrations, transactions, shared helpers
//   pg_store_contacts.cc  contacts, conversations, sessions, erasure
//   pg_store_messages.cc  messages and the outbox
//   pg_store_staff.cc     staff accounts, audit log
//   pg_store_helpdesk.cc  handovers and operators' notes
//   pg_store_content.cc   content versions and the draft (ContentStore)
//   pg_store_stats.cc     anonymised statistics
//   pg_store_sessions.cc  staff login sessions shared by the instances
//
// Concurrency: no lock of the store's own. Each call borrows a connection from
// the pool for its duration (with()), so calls of different threads run side by
// side and PostgreSQL's row locks order them. Inside an in_transaction() body
// the calls of the thread running it use the body's connection, so they are
// part of its transaction (a method's own pg::Transaction becomes a savepoint).
// SQL: prepared statements with parameters $1, $2, ... only (pg_connection.h).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "gateway/security/crypto.h"
#include "gateway/store/postgres/pg_connection.h"
#include "gateway/store/postgres/pg_pool.h"
#include "gateway/store/postgres/pg_store.h"
#include "gateway/store/store.h"

namespace gw::pg {

// A nullable time column (Unix milliseconds) of a row.
inline std::optional<TimePoint> optional_time(const PgRow& row, int col) {
  if (row.is_null(col)) return std::nullopt;
  return from_unix_ms(row.int64(col));
}

// A time to bind to a nullable column: NULL when unset.
inline std::optional<int64_t> optional_ms(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return to_unix_ms(*t);
}

class PgStore final : public Store, public ContentStore {
 public:
  // `url`: the pool's, for the listeners' connections of their own.
  PgStore(std::unique_ptr<PgPool> pool, std::string url, const Crypto& crypto, Clock& clock,
          std::string instance_id, std::chrono::milliseconds max_lease);
  ~PgStore() override;

  Status in_transaction(const std::function<Status()>& body) override;

  Result<Contact> upsert_contact(const std::string& channel_id, const std::string& address,
                                 TimePoint now) override;
  Result<std::optional<Contact>> find_contact(const std::string& channel_id,
                                              const std::string& address) override;
  Result<Contact> get_contact(int64_t id) override;
  Status update_contact(const Contact& c) override;
  Status mark_contact_opted_out(int64_t id, TimePoint now) override;

  Result<Conversation> open_or_get_conversation(int64_t contact_id, const std::string& channel_id,
                                                TimePoint now) override;
  Status set_conversation_state(int64_t conversation_id, const std::string& state, TimePoint now) override;
  Result<Conversation> get_conversation(int64_t conversation_id) override;
  Status set_conversation_stats(int64_t conversation_id, const std::string& country,
                                const std::string& language) override;

  Status save_session(int64_t contact_id, const std::string& state_json, TimePoint expires_at,
                      TimePoint now) override;
  Result<std::optional<std::string>> load_session(int64_t contact_id, TimePoint now) override;
  Status delete_session(int64_t contact_id) override;

  Result<InsertedMessage> insert_inbound(const Message& msg) override;
  Result<int64_t> enqueue_outbound(const Message& msg, TimePoint not_before) override;
  Result<std::vector<Message>> list_messages(int64_t conversation_id) override;
  Status update_message_status(const std::string& channel_id, const std::string& provider_id,
                               const std::string& status, std::optional<int> error_code,
                               TimePoint now) override;

  Result<std::vector<OutboxItem>> claim_due_outbox(const std::string& channel_id, TimePoint now, int limit,
                                                   std::chrono::milliseconds lease) override;
  Status mark_outbox_sent(int64_t outbox_id, const std::string& provider_id, int segments,
                          TimePoint now) override;
  Status mark_outbox_retry(int64_t outbox_id, TimePoint next_attempt_at, const std::string& error,
                           TimePoint now) override;
  Status mark_outbox_failed(int64_t outbox_id, std::optional<int> error_code, const std::string& error,
                            TimePoint now) override;
  Status mark_outbox_held(int64_t outbox_id, const std::string& reason, TimePoint now) override;
  Status release_outbox(int64_t outbox_id, TimePoint now) override;
  Result<int64_t> end_leases_of_previous_process(TimePoint now) override;
  Result<int64_t> outbox_depth() override;

  Result<int64_t> create_handover(const Handover& h) override;
  Result<std::optional<Handover>> active_handover(int64_t conversation_id) override;
  Status update_handover(const Handover& h) override;
  Result<std::vector<Handover>> list_open_handovers() override;
  Result<Handover> get_handover(int64_t id) override;
  Result<bool> assign_handover(int64_t id, int64_t operator_id, TimePoint now, bool force) override;
  Status transfer_handover(int64_t id, const std::string& queue, std::optional<int64_t> operator_id,
                           TimePoint now) override;
  Status close_handover(int64_t id, int64_t by, TimePoint now) override;
  Result<bool> set_first_response(int64_t id, TimePoint now) override;
  Status set_reassured(int64_t id, TimePoint now) override;
  Result<std::vector<HandoverTimes>> recent_handover_times(int limit) override;
  Result<int64_t> add_note(int64_t conversation_id, int64_t contact_id, std::optional<int64_t> account_id,
                           const std::string& body, TimePoint now) override;
  Result<std::vector<Note>> list_notes(int64_t conversation_id) override;

  Result<int64_t> create_account(const Account& a) override;
  Result<std::optional<Account>> find_account(const std::string& username) override;
  Result<std::optional<Account>> get_account(int64_t id) override;
  Result<std::vector<Account>> list_accounts() override;
  Result<int64_t> count_accounts() override;
  Status update_account(const Account& a) override;

  Status append_audit(const AuditEntry& e) override;
  Result<std::vector<AuditEntry>> list_audit(int limit) override;

  Status add_stats(const std::vector<StatCount>& changes) override;
  Result<std::vector<StatCount>> read_stats(const std::string& from_week,
                                            const std::string& to_week) override;

  Status erase_contact(int64_t contact_id) override;
  Status erase_contact_after_outbox(int64_t contact_id) override;
  Result<int> erase_idle_contacts(TimePoint unconsented_before, TimePoint consented_before) override;

  Status ping() override;
  Status close() override;

  // Several instances (pg_store.cc): the shared send pace (table send_pacing),
  // jobs under a session-level advisory lock, LISTEN/NOTIFY.
  Result<std::optional<Millis>> reserve_send_slot(const std::string& channel_id, double per_second) override;
  Result<bool> run_alone(const std::string& name, const std::function<Status()>& job) override;
  Status notify(const std::string& topic, const std::string& payload) override;
  Result<std::unique_ptr<Listening>> listen(const std::string& topic,
                                            std::function<void(const std::string&)> on_payload) override;
  ContentStore* content_store() override { return this; }

  // Staff login sessions shared by the instances (pg_store_sessions.cc; table
  // staff_sessions).
  bool keeps_staff_sessions() const override { return true; }
  Status put_staff_session(const StaffSessionRecord& s) override;
  Result<std::optional<StaffSessionRecord>> get_staff_session(const std::string& token_hash) override;
  Status touch_staff_session(const std::string& token_hash, TimePoint last_seen) override;
  Result<bool> delete_staff_session(const std::string& token_hash) override;
  Result<int64_t> delete_staff_sessions_of_account(int64_t account_id,
                                                   const std::string& keep_token_hash) override;
  Result<int64_t> delete_expired_staff_sessions(TimePoint seen_after, TimePoint created_after) override;
  Result<int64_t> count_staff_sessions(TimePoint seen_after, TimePoint created_after) override;
  Result<std::vector<int64_t>> staff_session_accounts(TimePoint seen_after, TimePoint created_after) override;

  // Login throttling's counts shared by the instances (pg_store_sessions.cc;
  // tables login_accounts, login_addresses, login_failures, login_known_good).
  bool keeps_login_throttle() const override { return true; }
  Status update_login_throttle(
      const std::string& account, const std::string& address, TimePoint now,
      const std::function<LoginThrottleChange(const LoginThrottleView&)>& decide) override;
  Status prune_login_throttle(TimePoint now, TimePoint forget_before, TimePoint refilled_before) override;

  // ContentStore (pg_store_content.cc).
  Result<std::optional<ContentVersion>> latest_content_version() override;
  Result<std::vector<ContentVersion>> list_content_versions(int limit) override;
  Result<std::optional<ContentVersion>> get_content_version(int64_t id) override;
  Result<std::map<std::string, std::string>> content_version_files(int64_t id) override;
  Result<int64_t> add_content_version(const ContentVersion& v,
                                      const std::map<std::string, std::string>& files,
                                      int64_t expected_latest) override;
  Result<std::vector<DraftEntry>> list_draft_entries() override;
  Result<int64_t> put_draft_entry(const std::string& entry, const std::optional<std::string>& value_json,
                                  int64_t base_revision, std::optional<int64_t> account_id,
                                  const std::string& author, TimePoint now) override;
  Status clear_draft_entries(const std::vector<std::string>& entries) override;
  Status touch_entries(const std::vector<std::string>& entries, std::optional<int64_t> account_id,
                       const std::string& author, TimePoint now) override;

 private:
  // Runs f(Connection&) on the connection of the in_transaction() body this
  // thread is running for this store (in a savepoint), or else on one borrowed
  // from the pool for the call. f returns a Status or a Result; so does with().
  template <class F>
  auto with(F&& f) -> std::invoke_result_t<F&, Connection&> {
    using R = std::invoke_result_t<F&, Connection&>;
    if (closed_.load()) return R(Error::unavailable("store is closed"));
    if (Connection* c = current_connection()) {
      // Inside a body: the call in a savepoint of its own, so that its failure
      // (a duplicate, say) undoes only its part and the body may go on, as on
      // SQLite (PostgreSQL would otherwise abort the whole transaction).
      auto savepoint = Transaction::begin(*c);
      if (!savepoint) return R(savepoint.error());
      R r = f(*c);
      if (r) {
        if (Status s = savepoint->commit(); !s) return R(s.error());
      }
      return r;
    }
    auto lease = pool_->acquire();
    if (!lease) return R(lease.error());
    return f(**lease);
  }
  // The connection of this thread's running in_transaction() body, or null.
  Connection* current_connection() const;

  // Encrypts or decrypts a column value; aad is "<table>.<column>".
  Result<std::string> seal(std::string_view plaintext, const char* aad) const;
  Result<std::string> open(std::string_view bytes, const char* aad, int64_t row_id) const;
  // `t`, or the clock's now when t is unset (the epoch).
  TimePoint or_now(TimePoint t) const { return t == TimePoint{} ? clock_.now() : t; }

  // ---- contacts, conversations, sessions, erasure (pg_store_contacts.cc) ----
  // A contact from a row of kContactColumns' columns, its address decrypted.
  Result<Contact> read_contact(const PgRow& row) const;
  // The contact with this channel and address hash, or nullopt.
  Result<std::optional<Contact>> find_contact_on(Connection& conn, const std::string& channel_id,
                                                 const std::string& hash) const;
  Result<std::optional<Contact>> find_contact_by_hashes_on(Connection& conn, const std::string& channel_id,
                                                           const std::string& address) const;
  // Erases contact `contact_id` and every row of theirs on `conn`, children
  // first, and appends "contact.erased" to the audit log, in one transaction (a
  // savepoint of the one running on `conn`). Locks the contact's row first
  // (FOR UPDATE). kNotFound when there is no such contact. For callers already
  // holding a connection: erase_contact_after_outbox, and the outbox's
  // erase_if_pending once a pending erasure's last unsent item finished (it
  // should lock the contact's row, SELECT ... FOR UPDATE, before it reads
  // erase_pending, as this does before it reads the unsent items).
  Status erase_contact_on(Connection& conn, int64_t contact_id);
  // erase_contact_after_outbox on `conn`, in one transaction (a savepoint).
  Status erase_contact_after_outbox_on(Connection& conn, int64_t contact_id);

  // ---- messages and the outbox (pg_store_messages.cc) ----
 public:
  // Several instances: extends to `until` the lease of every item this
  // instance (instance_id_) is sending, so that a send outlasting its lease is
  // not taken over by another instance while this one is alive. Leases of other
  // instances are untouched. Returns how many items it renewed.
  Result<int64_t> renew_outbox_leases(TimePoint until);

 private:
  // Raises the status of message `message_id` to `status` when that ranks
  // higher (message_status_supersedes), locking its row until the transaction
  // ends; kNotFound when there is no such message.
  Status raise_message_status(Connection& c, int64_t message_id, const std::string& status,
                              std::optional<int> error_code, TimePoint now);
  // OK when outbox item `outbox_id` exists, else kNotFound.
  Status outbox_exists(Connection& c, int64_t outbox_id);
  // Erases the contact of item `outbox_id` when it awaits erasure
  // (erase_contact_after_outbox) and has no unfinished item left. Must run in
  // an in_transaction() body on `c`, so that erase_contact() joins it.
  Status erase_if_pending(Connection& c, int64_t outbox_id);
  // Marks an unfinished item failed and its message `message_status` ("failed"
  // or "held"); an item already sent or failed is left as it is.
  Status finish_outbox(int64_t outbox_id, const std::string& message_status, std::optional<int> error_code,
                       const std::string& error, TimePoint now);

  // ---- staff accounts, audit log (pg_store_staff.cc) ----

  // ---- handovers and notes (pg_store_helpdesk.cc) ----
  // A handovers row as selected by the helpdesk file's column list, its reason
  // decrypted.
  Result<Handover> read_handover(const PgRow& row) const;

  // ---- content (pg_store_content.cc) ----

  // ---- statistics (pg_store_stats.cc) ----

  // ---- staff login sessions (pg_store_sessions.cc) ----

  std::unique_ptr<PgPool> pool_;
  const std::string url_;
  std::atomic<bool> closed_{false};
  const Crypto crypto_;
  Clock& clock_;
  const std::string instance_id_;
  const std::chrono::milliseconds max_lease_;

  // The heartbeat (PostgresOptions::heartbeat): renews this instance's outbox
  // leases until close().
  void run_heartbeat(std::chrono::milliseconds every);
  std::mutex heartbeat_mu_;
  std::condition_variable heartbeat_cv_;
  bool heartbeat_stop_ = false;
  std::thread heartbeat_;

 public:
  void start_heartbeat(std::chrono::milliseconds every);
};

}  // namespace gw::pg
