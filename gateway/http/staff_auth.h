// StaffAuth: login, logout and password change for helpline staff, and the
// check every console route runs before it does anything (require()).
//
// Routes (JSON in, JSON out):
//   POST /api/auth/login     {"username","password"} → 200 {"username","role",
//                            "csrf_token","must_change_password"} and the session
//                            cookie; 401 {"error":"invalid_credentials"} for a wrong
//                            password, an unknown user or a disabled account alike;
//                            429 {"error":"throttled"} with Retry-After (seconds)
//                            while LoginThrottle refuses; then no password is hashed.
//   POST /api/auth/logout    ends the session (CSRF header required).
//   GET  /api/auth/me        the principal, the csrf_token, must_change_password.
//   POST /api/auth/password  {"current","new"} (CSRF header required): checks the
//                            current password and the policy, stores the new hash,
//                            clears must_change_password, ends the account's other
//                            sessions.
//
// The cookie: "gw_session=<token>; HttpOnly; SameSite=Strict; Path=/", plus
// "; Secure" when the console is served over https. HttpOnly keeps it from
// scripts, SameSite=Strict from other sites' forms; the per-session CSRF token in
// the X-CSRF-Token header is the second line of defence for every state-changing
// request.
//
// Every request re-reads the account from the store, so disabling an account or
// resetting its password (also from the `gateway user` command, in another
// process) ends its sessions at their next request: the session remembers a
// fingerprint of the password hash it logged in with.
//
// The audit log gets account.login, account.login_failed, account.logout and
// account.password_changed; never a password, and for a failed login with an
// unknown username not the typed name either (people type passwords into it).
#pragma once

#include <httplib.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/http/server.h"
#include "gateway/security/login_throttle.h"
#include "gateway/security/password_hasher.h"
#include "gateway/security/staff_sessions.h"
#include "gateway/store/store.h"

namespace gw::http {

inline constexpr const char* kSessionCookie = "gw_session";
inline constexpr const char* kCsrfHeader = "X-CSRF-Token";

// Who is making a request, as require() found them.
struct StaffPrincipal {
  int64_t account_id = 0;
  std::string username, role;
  std::vector<std::string> languages, queues;
  int capacity = 0;
};

class StaffAuth {
 public:
  // Every argument must outlive this object. `hash_options` are the Argon2id
  // parameters for the dummy hash and new passwords (tests pass cheap ones).
  StaffAuth(Store& store, Clock& clock, StaffSessions& sessions, LoginThrottle& throttle, bool secure_cookies,
            PasswordHashOptions hash_options = {});

  // Registers the /api/auth/* routes.
  void add_routes(HttpServer& server);

  // For other modules' routes: the principal of a request with a live session
  // whose role is in `roles` (empty: any role; "admin" is always allowed) and,
  // for any method other than GET and HEAD, the session's CSRF token in the
  // X-CSRF-Token header. Otherwise fills `res` and returns nullopt:
  //   401 {"error":"unauthenticated"}  no cookie, unknown or expired session,
  //                                    account gone, disabled or password reset
  //   403 {"error":"csrf"}             missing or wrong X-CSRF-Token
  //   403 {"error":"password_change_required"}  the account still holds a
  //                                    one-time password (only /api/auth/* pass)
  //   403 {"error":"forbidden"}        the role is not allowed
  //   503 {"error":"unavailable"}      the store did not answer
  std::optional<StaffPrincipal> require(const httplib::Request& req, httplib::Response& res,
                                        const std::vector<std::string>& roles);

  // The session cookie's value in a request, "" when there is none.
  static std::string session_token(const httplib::Request& req);
  // Whether the session named by `token` is still live and its account still
  // enabled with the same password, without counting as use: for long-lived
  // responses (event streams) that must end at logout, expiry or a disable.
  bool still_signed_in(const std::string& token);

 private:
  struct Authenticated {
    StaffPrincipal principal;
    StaffSession session;
    std::string token;
    bool must_change_password = false;
  };
  std::optional<Authenticated> authenticate(const httplib::Request& req, httplib::Response& res,
                                            const std::vector<std::string>& roles);
  void login(const httplib::Request& req, httplib::Response& res);
  void logout(const httplib::Request& req, httplib::Response& res);
  void me(const httplib::Request& req, httplib::Response& res);
  void change_password(const httplib::Request& req, httplib::Response& res);
  void audit(const std::string& actor, const std::string& action, const std::string& subject,
             const std::string& detail_json = "{}");
  std::string cookie(const std::string& token, bool expire) const;

  Store& store_;
  Clock& clock_;
  StaffSessions& sessions_;
  LoginThrottle& throttle_;
  bool secure_cookies_;
  PasswordHasher hasher_;
};

}  // namespace gw::http
