// Store: everything the gateway keeps, behind one interface so that the SQLite
// backend (default, one instance) and a PostgreSQL backend (several instances)
// are interchangeable. No backend types appear here.
//
// Contracts shared by every backend:
// - Thread-safe: any method may be called from any thread.
// - Sensitive fields (Contact::address, Message::body, session state, handover
//   reason, outbox last_error) are encrypted with Crypto before they are written;
//   they come back decrypted. A contact is found by Crypto::index_hash(address),
//   so the address itself is never stored in clear, not even in an index.
// - Times are stored as Unix milliseconds; sub-millisecond parts are dropped.
// - Errors: kNotFound for a missing id, kAlreadyExists for a unique conflict,
//   kInvalidArgument for a value outside the allowed set (record_values.h),
//   kUnavailable when the database is busy or closed. No error message carries
//   an address or a body.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/result.h"
#include "gateway/security/login_throttle.h"
#include "gateway/store/content_store.h"
#include "gateway/store/records.h"

namespace gw {

// A handover's times, without anything about the person (see
// Store::recent_handover_times).
struct HandoverTimes {
  int64_t id = 0;
  std::string queue;  // where it is now (or was when closed)
  TimePoint created_at{};
  std::optional<TimePoint> assigned_at;        // the latest assignment
  std::optional<TimePoint> first_response_at;  // the first operator reply
  std::optional<TimePoint> closed_at;
  std::optional<int64_t> closed_by;  // the account that closed it; none when not closed by an operator
};

class Store {
 public:
  virtual ~Store() = default;

  // ---- Transactions ----
  // Runs `body` as one transaction: everything the store methods called inside
  // it write is committed together when it returns ok, and nothing of it is
  // kept when it returns an error (or throws; the exception is passed on). One
  // commit instead of one per call is also what makes a multi-step write cheap.
  // Returns body's error, or the commit's.
  // - Re-entrant on the same thread: store methods called by `body` join this
  //   transaction instead of starting their own; a method that fails undoes its
  //   own partial work and returns its error, and `body` should return that
  //   error so the whole transaction is rolled back. A nested in_transaction()
  //   behaves the same way: its error undoes only its own part until the outer
  //   body returns it.
  // - Other threads' calls wait until the transaction has finished, so `body`
  //   must be short and must not wait for another thread that uses the store.
  // - Durable like any single call: when it returns ok, the writes are committed.
  //   A backend may commit the bodies of concurrent callers together (the SQLite
  //   store does: group commit); each caller still gets its own body's result,
  //   and a failing body undoes only its own writes.
  // - `body` may run on another caller's thread (the one committing the group):
  //   it must not depend on thread-local state.
  virtual Status in_transaction(const std::function<Status()>& body) = 0;

  // ---- Contacts: one per (channel_id, address). ----
  // Returns the contact for (channel_id, address), creating it (consent "none")
  // if there is none.
  virtual Result<Contact> upsert_contact(const std::string& channel_id, const std::string& address,
                                         TimePoint now) = 0;
  virtual Result<std::optional<Contact>> find_contact(const std::string& channel_id,
                                                      const std::string& address) = 0;
  virtual Result<Contact> get_contact(int64_t id) = 0;
  // Writes language, country, opted_out, consent and last_inbound_at of the
  // contact with c.id (other fields are ignored); sets updated_at to now.
  virtual Status update_contact(const Contact& c) = 0;
  // Sets opted_out on the contact with `id` and nothing else (updated_at = now),
  // for a writer that read the contact long before (a send): what changed
  // meanwhile (language, consent) stays. kNotFound when there is no such contact.
  virtual Status mark_contact_opted_out(int64_t id, TimePoint now) = 0;

  // ---- Conversations: at most one not "closed" per (contact, channel). ----
  // Returns that open conversation, or creates one in state "bot".
  virtual Result<Conversation> open_or_get_conversation(int64_t contact_id, const std::string& channel_id,
                                                        TimePoint now) = 0;
  virtual Status set_conversation_state(int64_t conversation_id, const std::string& state, TimePoint now) = 0;
  // kNotFound if there is no such conversation.
  virtual Result<Conversation> get_conversation(int64_t conversation_id) = 0;
  // Records where the statistics counted the conversation's start
  // (Conversation::stat_country, stat_language). kNotFound if there is none.
  virtual Status set_conversation_stats(int64_t conversation_id, const std::string& country,
                                        const std::string& language) = 0;

  // ---- Flow sessions: one per contact, opaque JSON, encrypted. ----
  virtual Status save_session(int64_t contact_id, const std::string& state_json, TimePoint expires_at,
                              TimePoint now) = 0;
  // nullopt when there is none or it expired (expires_at <= now); an expired
  // session is deleted on the way.
  virtual Result<std::optional<std::string>> load_session(int64_t contact_id, TimePoint now) = 0;
  virtual Status delete_session(int64_t contact_id) = 0;

  // ---- Messages ----
  // Stores an inbound message (direction forced to "in"; status "received" when
  // empty). Deduplicated by (channel_id, "in", provider_id): a provider retry
  // returns the first message's id with inserted = false and changes nothing.
  // Messages without a provider id are never deduplicated.
  virtual Result<InsertedMessage> insert_inbound(const Message& msg) = 0;
  // Stores an outbound message (direction "out", status "queued", no provider id)
  // and its outbox row (pending, due at not_before) in one transaction.
  // Returns the message id.
  virtual Result<int64_t> enqueue_outbound(const Message& msg, TimePoint not_before) = 0;
  // Every message of the conversation, oldest first, bodies decrypted.
  virtual Result<std::vector<Message>> list_messages(int64_t conversation_id) = 0;
  // Applies a provider status callback to the outbound message with this provider
  // id. Order tolerant and idempotent: only a higher-ranked status replaces the
  // stored one (message_status_supersedes); error_code is written with it.
  // kNotFound if no outbound message has that provider id (yet).
  virtual Status update_message_status(const std::string& channel_id, const std::string& provider_id,
                                       const std::string& status, std::optional<int> error_code,
                                       TimePoint now) = 0;

  // ---- Outbox: durable queue of outbound messages, per channel. ----
  // Atomically claims up to `limit` due items of the channel: pending with
  // next_attempt_at <= now, or sending whose lease expired (lease_until <= now,
  // a worker died). Claimed items become "sending", lease_until = now + lease,
  // attempts + 1. Per-conversation order: an item is not claimable while an
  // earlier item of its conversation is still pending or sending, so at most one
  // item per conversation is in flight. Oldest first. An item whose body or
  // address cannot be decrypted is marked failed and skipped.
  virtual Result<std::vector<OutboxItem>> claim_due_outbox(const std::string& channel_id, TimePoint now,
                                                           int limit, std::chrono::milliseconds lease) = 0;
  // The provider accepted it: outbox "sent"; message gets provider_id, segments
  // and status "sent" (unless a callback already ranked it higher). An empty
  // provider_id (accepted without one) is stored as none.
  virtual Status mark_outbox_sent(int64_t outbox_id, const std::string& provider_id, int segments,
                                  TimePoint now) = 0;
  // A transient failure: back to "pending", due at next_attempt_at.
  virtual Status mark_outbox_retry(int64_t outbox_id, TimePoint next_attempt_at, const std::string& error,
                                   TimePoint now) = 0;
  // A permanent failure: outbox "failed"; message status "failed" with error_code.
  virtual Status mark_outbox_failed(int64_t outbox_id, std::optional<int> error_code,
                                    const std::string& error, TimePoint now) = 0;
  // Not sent and not to be retried by itself (e.g. WhatsApp free text outside
  // the 24-hour window): outbox "failed" with `reason`, message status "held".
  virtual Status mark_outbox_held(int64_t outbox_id, const std::string& reason, TimePoint now) = 0;
  // Gives back an item claimed but not attempted (e.g. the worker is stopping):
  // "sending" → "pending", lease cleared, the claim's attempt not counted, due as
  // before, so the next pass may take it at once. No-op for an item in another
  // state; kNotFound if there is no such item.
  virtual Status release_outbox(int64_t outbox_id, TimePoint now) = 0;
  // Ends every lease held at `now` ("sending" items become claimable at once, as if
  // their lease had expired; the attempt stays counted, since the provider may have
  // taken the message). For a store that one process serves (SQLite), called once at
  // start, before any sender runs: leases found then were taken by a process that
  // died, and waiting for them to expire would leave replies unsent for a minute.
  // Returns how many leases ended. Never call it while senders of another process
  // share the store.
  virtual Result<int64_t> end_leases_of_previous_process(TimePoint now) = 0;
  // Items pending or sending, all channels.
  virtual Result<int64_t> outbox_depth() = 0;

  // ---- Handovers to a human operator ----
  virtual Result<int64_t> create_handover(const Handover& h) = 0;
  // The newest handover of the conversation that is not "closed".
  virtual Result<std::optional<Handover>> active_handover(int64_t conversation_id) = 0;
  // Writes queue, priority, language, reason, state, operator_id, assigned_at and
  // closed_at of the handover with h.id.
  virtual Status update_handover(const Handover& h) = 0;
  // Every handover "waiting" or "assigned", oldest first.
  virtual Result<std::vector<Handover>> list_open_handovers() = 0;
  // kNotFound if there is no such handover.
  virtual Result<Handover> get_handover(int64_t id) = 0;
  // Atomically gives the handover to `operator_id`: only if it is "waiting", or,
  // with `force` (a supervisor taking over), "assigned" to another operator.
  // Sets state "assigned" and assigned_at = now. Returns whether it changed:
  // false when it is closed, already theirs, or (without force) someone else's.
  virtual Result<bool> assign_handover(int64_t id, int64_t operator_id, TimePoint now, bool force) = 0;
  // Moves an open handover to `queue`: to `operator_id` ("assigned", assigned_at
  // = now) or, without one, back to "waiting" for anyone in that queue.
  // kNotFound if there is no open handover with this id.
  virtual Status transfer_handover(int64_t id, const std::string& queue, std::optional<int64_t> operator_id,
                                   TimePoint now) = 0;
  // "closed", closed_at = now, closed_by = `by`. kNotFound if it is not open.
  virtual Status close_handover(int64_t id, int64_t by, TimePoint now) = 0;
  // Records the first operator reply; later calls change nothing. Returns
  // whether this call recorded it.
  virtual Result<bool> set_first_response(int64_t id, TimePoint now) = 0;
  virtual Status set_reassured(int64_t id, TimePoint now) = 0;
  // The times of the `limit` most recent handovers (by id, that is by
  // creation; newest first), whatever their state: what the helpdesk's service
  // figures are computed from. Reads no encrypted column, and at most `limit`
  // rows.
  virtual Result<std::vector<HandoverTimes>> recent_handover_times(int limit) = 0;

  // ---- Operators' notes on a conversation (bodies encrypted) ----
  virtual Result<int64_t> add_note(int64_t conversation_id, int64_t contact_id,
                                   std::optional<int64_t> account_id, const std::string& body,
                                   TimePoint now) = 0;
  // Oldest first, bodies decrypted.
  virtual Result<std::vector<Note>> list_notes(int64_t conversation_id) = 0;

  // ---- Staff accounts ----
  // kAlreadyExists if the username is taken (case-insensitively).
  virtual Result<int64_t> create_account(const Account& a) = 0;
  // find_account matches the username case-insensitively.
  virtual Result<std::optional<Account>> find_account(const std::string& username) = 0;
  virtual Result<std::optional<Account>> get_account(int64_t id) = 0;
  // Every account, by id.
  virtual Result<std::vector<Account>> list_accounts() = 0;
  virtual Result<int64_t> count_accounts() = 0;
  // Writes password_hash, role, disabled, languages, queues, capacity and
  // must_change_password of the account with a.id. kNotFound if there is none.
  virtual Status update_account(const Account& a) = 0;

  // ---- Audit log: append-only (the database refuses updates and deletes). ----
  virtual Status append_audit(const AuditEntry& e) = 0;
  // The newest `limit` entries, newest first.
  virtual Result<std::vector<AuditEntry>> list_audit(int limit) = 0;

  // Deletes the contact and everything of theirs (conversations, session,
  // messages, outbox items, handovers, notes) in one transaction, and appends the audit
  // entry "contact.erased" with subject "contact:<id>" and nothing else about
  // them. kNotFound if there is no such contact.
  virtual Status erase_contact(int64_t contact_id) = 0;

  // Erasure that lets the contact's unsent replies (e.g. the confirmation that
  // their data is erased) go out first: everything else of theirs is deleted
  // now (as erase_contact does, language, country and consent included), and
  // the contact, those outbox items, their messages and conversation stay only
  // until the last of them is sent, fails or is held; then erase_contact runs.
  // With nothing unsent it is erase_contact at once. kNotFound if no contact.
  virtual Status erase_contact_after_outbox(int64_t contact_id) = 0;

  // Retention: erases (as erase_contact_after_outbox) every contact who is not
  // waiting for or talking to a helpline operator and whose last message (or
  // creation, if none) is older than `unconsented_before` when they have not
  // given consent (declined, or never answered), or older than
  // `consented_before` when they have. Returns how many.
  virtual Result<int> erase_idle_contacts(TimePoint unconsented_before, TimePoint consented_before) = 0;

  // ---- Anonymised statistics: counters, never joined to a person. ----
  // Adds each change's count (may be negative) to its counter (week, country,
  // metric, value), creating it at 0 first; a counter never goes below 0. Inside
  // in_transaction() the counters move with the event they count, or not at
  // all. No field may be empty; kInvalidArgument otherwise. Erasing a contact
  // never touches a counter.
  virtual Status add_stats(const std::vector<StatCount>& changes) = 0;
  // Every counter of the weeks from `from_week` to `to_week` (both included,
  // compared as text: "2026-W49"), every country, with a count above 0.
  virtual Result<std::vector<StatCount>> read_stats(const std::string& from_week,
                                                    const std::string& to_week) = 0;

  // Readiness: the database answers a trivial query.
  virtual Status ping() = 0;
  // Releases the database; every later call returns kUnavailable. Idempotent.
  virtual Status close() = 0;

  // The content's versions and draft (content_store.h), in the same database and
  // transactions; null for a store that keeps none (test doubles).
  virtual ContentStore* content_store() { return nullptr; }

  // ---- Several instances on one database (PostgreSQL). SQLite serves one
  // process: its defaults below are what one process needs. ----

  // Reserves the next send slot of channel `channel_id`, paced at `per_second`
  // for every instance using this store together, and returns how long to wait
  // before sending (zero: now). nullopt: the store keeps no shared pace and the
  // sender paces itself (the default).
  virtual Result<std::optional<Millis>> reserve_send_slot(const std::string& channel_id, double per_second) {
    (void)channel_id;
    (void)per_second;
    return std::optional<Millis>();
  }

  // Runs `job` unless another instance is running the job called `name` at this
  // moment: true when it ran (its error, if it failed), false when it was left to
  // the other. The default runs it.
  virtual Result<bool> run_alone(const std::string& name, const std::function<Status()>& job) {
    (void)name;
    if (Status s = job(); !s) return s.error();
    return true;
  }

  // Staff login sessions shared by the instances, so that a member of staff
  // logged in through one is recognised by every other, and a logout or a
  // disabled account ends the session everywhere (StaffSessions reads and
  // writes through these when keeps_staff_sessions()). Rows are keyed by
  // StaffSessionRecord::token_hash, never the token. A session is live while
  // last_seen > seen_after and created_at > created_after (the idle and the
  // absolute timeout, as cut-off times). The default keeps no sessions (one
  // process keeps them in its memory): keeps_staff_sessions() is false and the
  // others answer kUnimplemented.
  virtual bool keeps_staff_sessions() const { return false; }
  // Adds session `s`; kAlreadyExists when its token_hash is taken, kNotFound
  // when its account does not exist.
  virtual Status put_staff_session(const StaffSessionRecord& s) {
    (void)s;
    return no_staff_sessions();
  }
  // The session keyed by `token_hash`, live or not; nullopt when there is none.
  virtual Result<std::optional<StaffSessionRecord>> get_staff_session(const std::string& token_hash) {
    (void)token_hash;
    return no_staff_sessions();
  }
  // Moves the session's last_seen on to `last_seen` (never back); no error when
  // there is no such session.
  virtual Status touch_staff_session(const std::string& token_hash, TimePoint last_seen) {
    (void)token_hash;
    (void)last_seen;
    return no_staff_sessions();
  }
  // Deletes the session keyed by `token_hash`: true when there was one.
  virtual Result<bool> delete_staff_session(const std::string& token_hash) {
    (void)token_hash;
    return no_staff_sessions();
  }
  // Deletes every session of account `account_id` except the one keyed by
  // `keep_token_hash` (none when empty), live or not; returns how many.
  virtual Result<int64_t> delete_staff_sessions_of_account(int64_t account_id,
                                                           const std::string& keep_token_hash) {
    (void)account_id;
    (void)keep_token_hash;
    return no_staff_sessions();
  }
  // Deletes every session no longer live; returns how many.
  virtual Result<int64_t> delete_expired_staff_sessions(TimePoint seen_after, TimePoint created_after) {
    (void)seen_after;
    (void)created_after;
    return no_staff_sessions();
  }
  // The number of live sessions.
  virtual Result<int64_t> count_staff_sessions(TimePoint seen_after, TimePoint created_after) {
    (void)seen_after;
    (void)created_after;
    return no_staff_sessions();
  }
  // The accounts with at least one live session, each once, in ascending order.
  virtual Result<std::vector<int64_t>> staff_session_accounts(TimePoint seen_after, TimePoint created_after) {
    (void)seen_after;
    (void)created_after;
    return no_staff_sessions();
  }

  // Login throttling's counts shared by the instances, so that an account's
  // free failures and delays, and the address and global budgets, count the
  // attempts made through every instance (LoginThrottle uses these as its
  // LoginThrottleTable when keeps_login_throttle(); see
  // gateway/store/login_throttle_table.h). Accounts and addresses are kept as
  // SHA-256 of the name, never in clear. The default keeps none (one process
  // counts in its memory): keeps_login_throttle() is false and the others
  // answer kUnimplemented.
  virtual bool keeps_login_throttle() const { return false; }
  // LoginThrottleTable::update: the rows of `account` and `address` stay
  // locked against other instances from the read until the change is stored.
  virtual Status update_login_throttle(
      const std::string& account, const std::string& address, TimePoint now,
      const std::function<LoginThrottleChange(const LoginThrottleView&)>& decide) {
    (void)account;
    (void)address;
    (void)now;
    (void)decide;
    return Error::unimplemented("this store keeps no login counts");
  }
  // LoginThrottleTable::prune.
  virtual Status prune_login_throttle(TimePoint now, TimePoint forget_before, TimePoint refilled_before) {
    (void)now;
    (void)forget_before;
    (void)refilled_before;
    return Error::unimplemented("this store keeps no login counts");
  }

  // Notifications between the instances: notify() sends `payload` (at most
  // 7,000 bytes; never personal data) to every instance listening to `topic`
  // (lower-case letters and '_'), this one included; inside in_transaction() it
  // goes when the transaction commits, and not at all if it rolls back.
  // listen() calls `on_payload` on a thread of its own for each one until the
  // returned handle goes. The defaults send nothing and listen to nothing
  // (null handle): one process has no one to tell.
  class Listening {
   public:
    virtual ~Listening() = default;
  };
  virtual Status notify(const std::string& topic, const std::string& payload) {
    (void)topic;
    (void)payload;
    return {};
  }
  virtual Result<std::unique_ptr<Listening>> listen(const std::string& topic,
                                                    std::function<void(const std::string&)> on_payload) {
    (void)topic;
    (void)on_payload;
    return std::unique_ptr<Listening>();
  }

 private:
  static Error no_staff_sessions() { return Error::unimplemented("this store keeps no staff sessions"); }
};

}  // namespace gw
