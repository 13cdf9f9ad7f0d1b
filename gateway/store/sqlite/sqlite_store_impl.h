// SqliteStore: the Store on one SQLite connection. Private to the backend;
// users call open_sqlite_store() (sqlite_store.h).
//
// The implementation is split by entity group:
//   sqlite_store.cc           opening, transactions (group commit), shared helpers
//   sqlite_store_contacts.cc  contacts, conversations, sessions, erasure
//   sqlite_store_messages.cc  messages and the outbox
//   sqlite_store_staff.cc     staff accounts, audit log
//   sqlite_store_helpdesk.cc  handovers (the helpdesk's queue) and operators' notes
// Every public method takes mu_ for its whole duration and checks the connection
// is open; helpers ending in _locked expect mu_ held. mu_ is recursive so that
// the methods called by an in_transaction() body, on the thread that holds it,
// run inside that transaction (their own Transaction becomes a savepoint).
// SQL runs through db_.run / query_one / query (database.h).
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/security/crypto.h"
#include "gateway/store/sqlite/database.h"
#include "gateway/store/sqlite/group_commit.h"
#include "gateway/store/sqlite/wal_checkpointer.h"
#include "gateway/store/store.h"

namespace gw::sqlite {

// A nullable time column (Unix milliseconds) of the current row.
inline std::optional<TimePoint> optional_time(const Statement& st, int col) {
  auto v = st.optional_int64(col);
  if (!v) return std::nullopt;
  return from_unix_ms(*v);
}

// A time to bind to a nullable column: NULL when unset.
inline std::optional<int64_t> optional_ms(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return to_unix_ms(*t);
}

class SqliteStore final : public Store, public ContentStore {
 public:
  // `checkpointer` (file databases) comes attached to db and started (by
  // open_sqlite_store); close() detaches and stops it. Null leaves SQLite's
  // automatic checkpoints in place.
  SqliteStore(Database db, const Crypto& crypto, Clock& clock, std::unique_ptr<WalCheckpointer> checkpointer);
  ~SqliteStore() override;

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
  Result<std::vector<StatCount>> read_stats(const std::string& from_week, const std::string& to_week) override;

  Status erase_contact(int64_t contact_id) override;
  Status erase_contact_after_outbox(int64_t contact_id) override;
  Result<int> erase_idle_contacts(TimePoint unconsented_before, TimePoint consented_before) override;

  Status ping() override;
  Status close() override;
  ContentStore* content_store() override { return this; }

  // ContentStore (sqlite_store_content.cc).
  Result<std::optional<ContentVersion>> latest_content_version() override;
  Result<std::vector<ContentVersion>> list_content_versions(int limit) override;
  Result<std::optional<ContentVersion>> get_content_version(int64_t id) override;
  Result<std::map<std::string, std::string>> content_version_files(int64_t id) override;
  Result<int64_t> add_content_version(const ContentVersion& v, const std::map<std::string, std::string>& files,
                                      int64_t expected_latest) override;
  Result<std::vector<DraftEntry>> list_draft_entries() override;
  Result<int64_t> put_draft_entry(const std::string& entry, const std::optional<std::string>& value_json,
                                  int64_t base_revision, std::optional<int64_t> account_id,
                                  const std::string& author, TimePoint now) override;
  Status clear_draft_entries(const std::vector<std::string>& entries) override;
  Status touch_entries(const std::vector<std::string>& entries, std::optional<int64_t> account_id,
                       const std::string& author, TimePoint now) override;

 private:
  Status check_open_locked() const;
  // Whether `sql` (a SELECT with one parameter, ?1 = `id`) returns a row.
  Result<bool> any_row_locked(const char* sql, int64_t id);
  // kNotFound unless contact `contact_id` exists.
  Status contact_exists_locked(int64_t contact_id);
  Result<std::optional<Contact>> find_contact_locked(const std::string& channel_id, const std::string& hash);
  Result<std::optional<Contact>> find_contact_by_hashes_locked(const std::string& channel_id,
                                                               const std::string& address);
  Result<Contact> get_contact_locked(int64_t id);
  Result<Contact> read_contact(const Statement& st) const;
  Status append_audit_locked(const AuditEntry& e);
  // Reads a handovers row selected with kHandoverColumns (sqlite_store_helpdesk.cc).
  Result<Handover> read_handover(const Statement& st) const;
  // kNotFound unless outbox item `outbox_id` exists.
  Status outbox_exists_locked(int64_t outbox_id);
  // After an outbox item finished: erases its contact if the erasure waited
  // only for the contact's unsent items and none is left.
  Status erase_if_pending_locked(int64_t outbox_id);
  // Sets the message's status to `status` if that outranks the stored one.
  struct OutboxRow {
    int64_t message_id = 0;
    std::string state;
  };
  // REQUIRES: mu_ held. kNotFound when there is no such item.
  Result<OutboxRow> outbox_row_locked(int64_t outbox_id);
  Status finish_outbox(int64_t outbox_id, const std::string& message_status, std::optional<int> error_code,
                       const std::string& error, TimePoint now);
  Status raise_message_status_locked(int64_t message_id, const std::string& status,
                                     std::optional<int> error_code, TimePoint now);
  // Encrypts or decrypts a column value; aad is "<table>.<column>".
  Result<std::string> seal(std::string_view plaintext, const char* aad) const;
  Result<std::string> open(std::string_view blob, const char* aad, int64_t row_id) const;
  // `t`, or the clock's now when t is unset (the epoch).
  TimePoint or_now(TimePoint t) const { return t == TimePoint{} ? clock_.now() : t; }

  // Group commit (group_commit.h): in_transaction() bodies that arrive while a
  // batch is being written queue up; the leader runs every queued body in one
  // transaction, each in a savepoint of its own, and commits once.
  struct TxJob : GroupCommitSlot {
    const std::function<Status()>* body = nullptr;
    Status result;
  };
  static constexpr size_t kMaxBatch = 64;
  void run_batch(std::vector<TxJob*>& batch);
  GroupCommit<TxJob> group_commit_;

  using Lock = std::lock_guard<std::recursive_mutex>;
  std::recursive_mutex mu_;
  Database db_;
  std::unique_ptr<WalCheckpointer> checkpointer_;
  const Crypto crypto_;
  Clock& clock_;
};

}  // namespace gw::sqlite
