// `gateway user add|disable|reset-password`: staff accounts from the command
// line, and the first administrator a fresh gateway creates for itself.
//
// New and reset accounts get a one-time password, printed once on standard
// output and never stored or logged in clear; the account must change it at its
// first login (must_change_password). The command opens the store as `serve`
// does (same configuration, keys and database), so it is run on the gateway's
// host; sessions of a running gateway end at their next request when their
// account is disabled or its password reset (see StaffAuth).
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "gateway/core/clock.h"
#include "gateway/core/result.h"
#include "gateway/security/password_hasher.h"
#include "gateway/store/store.h"

namespace gw::cli {

struct UserCommandOptions {
  std::string action;  // "add" | "disable" | "reset-password"
  std::string username;
  std::string role;         // add: "operator" | "supervisor" | "editor" | "admin"
  std::string languages;    // add: comma-separated codes, e.g. "ar,en"
  std::string queues;       // add: comma-separated queue names
  int capacity = 3;         // add: conversations taken at once
  bool reviewer = false;    // add: an editor who may also publish content
  std::string config_path;  // empty: the embedded default
};

// Returns the exit code: 0, or 1 with one line on `err` naming the problem
// (unknown role, taken username, unknown user, a store that does not open).
// `add` and `reset-password` print the one-time password on `out`.
int run_user(const UserCommandOptions& options, std::ostream& out, std::ostream& err);

// 20 random characters from an alphabet without look-alikes (no 0/O, 1/l/I),
// about 116 bits: easy to read out over the phone, hard to guess.
std::string generate_one_time_password();

// On a store with no account at all, creates "admin" (role admin, a one-time
// password, must_change_password) and returns its password; nullopt when any
// account exists already. Audited as account.created by "system".
Result<std::optional<std::string>> ensure_first_admin(Store& store, Clock& clock,
                                                      const PasswordHasher& hasher);

}  // namespace gw::cli
