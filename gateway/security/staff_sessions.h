// StaffSessions: the logged-in sessions of helpline staff.
//
// A session is named by a random 32-byte token (base64url, the cookie value).
// Only SHA-256(token) is kept, so a memory dump, a debug print of the map or a
// copy of the database does not hand out live cookies. Each session carries its
// own random CSRF token, returned at login and expected back in a header on
// every state-changing request.
//
// Sessions end after `idle_timeout` without use (default 30 minutes), after
// `absolute_timeout` whatever the use (default 12 hours), at logout, and when the
// account is disabled or its password is reset (end_for_account).
//
// Where they are kept: with no SharedStaffSessionTable (one process, SQLite),
// in this process's memory; a restart ends them all and staff log in again. With
// one (several instances on one PostgreSQL database: the Store's shared table,
// see gateway/store/staff_session_table.h), in that table, so that a session
// made through one instance is recognised by every other and ending it on one
// ends it everywhere. There touch() writes last_seen at most once a minute per
// session (kLastSeenStep) to spare the database, so a session in use may end up
// to that much before its idle timeout. When the table cannot be reached,
// touch() and peek() find no session (the request is refused, never let
// through), create() gives an empty token, and the error is logged.
//
// Thread-safe; every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/result.h"

namespace gw {

struct StaffSessionOptions {
  Millis idle_timeout = std::chrono::minutes(30);
  Millis absolute_timeout = std::chrono::hours(12);
};

struct StaffSession {
  int64_t account_id = 0;
  std::string username;
  std::string role;
  std::string csrf_token;  // base64url of 32 random bytes
  std::string credential;  // opaque fingerprint of the password hash at login (see StaffAuth)
  TimePoint created_at{};
  TimePoint last_seen{};
};

struct NewStaffSession {
  std::string token;  // the cookie value; given out once, never stored
  StaffSession session;
};

// A table of sessions shared by several instances, keyed by SHA-256(token)
// (raw bytes). A session is live while last_seen > seen_after and created_at >
// created_after. Implemented over the Store (gateway/store/staff_session_table.h).
class SharedStaffSessionTable {
 public:
  virtual ~SharedStaffSessionTable() = default;
  virtual Status put(const std::string& token_hash, const StaffSession& s) = 0;
  // The session, live or not; nullopt when there is none.
  virtual Result<std::optional<StaffSession>> get(const std::string& token_hash) = 0;
  virtual Status set_last_seen(const std::string& token_hash, TimePoint last_seen) = 0;
  virtual Result<bool> remove(const std::string& token_hash) = 0;
  // Every session of the account but the one keyed by keep_hash (none if empty).
  virtual Result<int64_t> remove_for_account(int64_t account_id, const std::string& keep_hash) = 0;
  virtual Result<int64_t> remove_expired(TimePoint seen_after, TimePoint created_after) = 0;
  virtual Result<int64_t> count_live(TimePoint seen_after, TimePoint created_after) = 0;
  // Ascending, each once.
  virtual Result<std::vector<int64_t>> live_accounts(TimePoint seen_after, TimePoint created_after) = 0;
};

class StaffSessions {
 public:
  // Shared sessions: how stale a stored last_seen may get before touch() writes it.
  static constexpr Millis kLastSeenStep = std::chrono::minutes(1);

  // Sessions in this process's memory.
  explicit StaffSessions(Clock& clock, StaffSessionOptions options = {});
  // Sessions in `shared` (which must outlive this) when it is not null, else in
  // memory.
  StaffSessions(Clock& clock, SharedStaffSessionTable* shared, StaffSessionOptions options = {});

  // Starts a session. Also drops every expired session, so that abandoned ones
  // do not pile up. The token is empty when the shared table could not store it.
  NewStaffSession create(int64_t account_id, const std::string& username, const std::string& role,
                         const std::string& credential = "");

  // The live session named by `token`, with last_seen moved to now. nullopt
  // (and the session removed) when it is unknown or expired.
  std::optional<StaffSession> touch(const std::string& token);

  // The live session named by `token`, without counting this as use (a
  // long-lived stream checking its session must not keep it alive).
  std::optional<StaffSession> peek(const std::string& token) const;
  // Ends the session named by `token`; false if there was none.
  bool remove(const std::string& token);

  // Ends every session of the account except the one named by `keep_token`
  // (if any). Returns how many ended.
  int end_for_account(int64_t account_id, const std::string& keep_token = "");

  // Live (not expired) sessions.
  size_t size() const;
  // The accounts with at least one live session (who is online), each once,
  // in ascending order.
  std::vector<int64_t> active_accounts() const;

  const StaffSessionOptions& options() const { return options_; }

 private:
  bool expired(const StaffSession& s, TimePoint now) const;
  // The cut-offs for the shared table: live while last_seen > first and
  // created_at > second.
  std::pair<TimePoint, TimePoint> live_after(TimePoint now) const;
  std::optional<StaffSession> touch_shared(const std::string& key, TimePoint now);
  std::optional<StaffSession> peek_shared(const std::string& key, TimePoint now) const;

  Clock& clock_;
  SharedStaffSessionTable* shared_ = nullptr;
  StaffSessionOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, StaffSession> by_hash_;  // key: SHA-256(token), raw
};

// Base64url without padding (RFC 4648 §5) of arbitrary bytes.
std::string base64url_encode(const std::string& bytes);

}  // namespace gw
