// StaffSessions: the logged-in sessions of helpline staff, in memory.
//
// A session is named by a random 32-byte token (base64url, the cookie value).
// Only SHA-256(token) is kept, so a memory dump or a debug print of the map does
// not hand out live cookies. Each session carries its own random CSRF token,
// returned at login and expected back in a header on every state-changing request.
//
// Sessions end after `idle_timeout` without use (default 30 minutes), after
// `absolute_timeout` whatever the use (default 12 hours), at logout, and when the
// account is disabled or its password is reset (end_for_account). A restart ends
// them all: staff log in again, which is acceptable for a console and keeps
// session secrets out of the database.
//
// Thread-safe; every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/core/clock.h"

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

class StaffSessions {
 public:
  explicit StaffSessions(Clock& clock, StaffSessionOptions options = {});

  // Starts a session. Also drops every expired session, so that abandoned ones
  // do not pile up.
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

  Clock& clock_;
  StaffSessionOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, StaffSession> by_hash_;  // key: SHA-256(token), raw
};

// Base64url without padding (RFC 4648 §5) of arbitrary bytes.
std::string base64url_encode(const std::string& bytes);

}  // namespace gw
