#include "gateway/http/staff_auth.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "gateway/core/digest.h"
#include "gateway/core/log.h"

namespace gw::http {
namespace {

constexpr const char* kBadCredentials = "wrong username or password";

std::string account_subject(int64_t id) {
  return "account:" + std::to_string(id);
}

// What a session remembers of the password it logged in with: when the stored
// hash changes (a reset), the session no longer matches.
std::string credential_of(const Account& a) {
  return sha256(a.password_hash);
}

// The two string fields of a JSON object body, or nullopt.
std::optional<std::pair<std::string, std::string>> two_strings(const std::string& body, const char* a,
                                                               const char* b) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  if (!j.contains(a) || !j[a].is_string() || !j.contains(b) || !j[b].is_string()) return std::nullopt;
  return std::make_pair(j[a].get<std::string>(), j[b].get<std::string>());
}

// 429 with Retry-After for an attempt the throttle refused.
// (503 when the throttle's shared counts could not be reached).
void send_throttled(httplib::Response& res, const LoginThrottle::Attempt& refused, const char* message) {
  res.set_header("Retry-After", std::to_string(retry_after_seconds(refused.retry_after())));
  if (std::string_view(refused.refused_by()) == "unavailable")
    return send_json_error(res, 503, "unavailable", "try again shortly");
  send_json_error(res, 429, "throttled", message);
}

nlohmann::json principal_json(const StaffPrincipal& p) {
  return {{"account_id", p.account_id}, {"username", p.username}, {"role", p.role},
          {"languages", p.languages},   {"queues", p.queues},     {"capacity", p.capacity}};
}

bool role_allowed(const std::string& role, const std::vector<std::string>& roles) {
  return roles.empty() || role == "admin" || std::find(roles.begin(), roles.end(), role) != roles.end();
}

}  // namespace

StaffAuth::StaffAuth(Store& store, Clock& clock, StaffSessions& sessions, LoginThrottle& throttle,
                     bool secure_cookies, PasswordHashOptions hash_options)
    : store_(store),
      clock_(clock),
      sessions_(sessions),
      throttle_(throttle),
      secure_cookies_(secure_cookies),
      hasher_(hash_options) {}

void StaffAuth::add_routes(HttpServer& server) {
  server.post("/api/auth/login", "auth_login", [this](const auto& req, auto& res) { login(req, res); });
  server.post("/api/auth/logout", "auth_logout", [this](const auto& req, auto& res) { logout(req, res); });
  server.get("/api/auth/me", "auth_me", [this](const auto& req, auto& res) { me(req, res); });
  server.post("/api/auth/password", "auth_password",
              [this](const auto& req, auto& res) { change_password(req, res); });
}

std::string StaffAuth::session_token(const httplib::Request& req) {
  const std::string header = req.get_header_value("Cookie");
  const std::string name = std::string(kSessionCookie) + "=";
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    size_t start = header.find_first_not_of(' ', pos);
    if (start != std::string::npos && start < end && header.compare(start, name.size(), name) == 0) {
      std::string value = header.substr(start + name.size(), end - start - name.size());
      while (!value.empty() && value.back() == ' ') value.pop_back();
      return value;
    }
    pos = end + 1;
  }
  return "";
}

std::string StaffAuth::cookie(const std::string& token, bool expire) const {
  std::string c = std::string(kSessionCookie) + "=" + token + "; HttpOnly; SameSite=Strict; Path=/";
  if (expire) c += "; Max-Age=0";
  if (secure_cookies_) c += "; Secure";
  return c;
}

void StaffAuth::audit(const std::string& actor, const std::string& action, const std::string& subject,
                      const std::string& detail_json) {
  AuditEntry e;
  e.at = clock_.now();
  e.actor = actor;
  e.action = action;
  e.subject = subject;
  e.detail_json = detail_json;
  if (Status s = store_.append_audit(e); !s)
    log::error("audit.append_failed", {{"action", action}, {"error", s.error().to_string()}});
}

std::optional<StaffAuth::Authenticated> StaffAuth::authenticate(const httplib::Request& req,
                                                                httplib::Response& res,
                                                                const std::vector<std::string>& roles) {
  const std::string token = session_token(req);
  auto session = sessions_.touch(token);
  if (!session) {
    send_json_error(res, 401, "unauthenticated", "log in first");
    return std::nullopt;
  }
  auto account = store_.get_account(session->account_id);
  if (!account) {
    send_json_error(res, 503, "unavailable", "try again shortly");
    return std::nullopt;
  }
  if (!account->has_value() || (*account)->disabled || credential_of(**account) != session->credential) {
    sessions_.end_for_account(session->account_id);
    send_json_error(res, 401, "unauthenticated", "log in again");
    return std::nullopt;
  }
  const Account& a = **account;
  if (req.method != "GET" && req.method != "HEAD" &&
      !constant_time_equal(req.get_header_value(kCsrfHeader), session->csrf_token)) {
    send_json_error(res, 403, "csrf", "missing or wrong X-CSRF-Token header");
    return std::nullopt;
  }
  if (a.must_change_password && req.path.rfind("/api/auth/", 0) != 0) {
    send_json_error(res, 403, "password_change_required", "change the one-time password first");
    return std::nullopt;
  }
  if (!role_allowed(a.role, roles)) {
    send_json_error(res, 403, "forbidden", "your role may not do this");
    return std::nullopt;
  }
  Authenticated out;
  out.principal = StaffPrincipal{a.id, a.username, a.role, a.languages, a.queues, a.capacity};
  out.session = std::move(*session);
  out.token = token;
  out.must_change_password = a.must_change_password;
  return out;
}

bool StaffAuth::still_signed_in(const std::string& token) {
  auto session = sessions_.peek(token);
  if (!session) return false;
  auto account = store_.get_account(session->account_id);
  if (!account) return true;  // the store is busy or failing: not a reason to cut a console off
  return account->has_value() && !(*account)->disabled && credential_of(**account) == session->credential;
}

std::optional<StaffPrincipal> StaffAuth::require(const httplib::Request& req, httplib::Response& res,
                                                 const std::vector<std::string>& roles) {
  auto auth = authenticate(req, res, roles);
  if (!auth) return std::nullopt;
  return std::move(auth->principal);
}

void StaffAuth::login(const httplib::Request& req, httplib::Response& res) {
  auto creds = two_strings(req.body, "username", "password");
  if (!creds) {
    send_json_error(res, 400, "invalid_request", "expected a JSON object with \"username\" and \"password\"");
    return;
  }
  const auto& [username, password] = *creds;
  if (username.empty() || username.size() > 256) {
    send_json_error(res, 400, "invalid_request", "a username is 1 to 256 characters");
    return;
  }
  // Reserved before any hashing: a refused attempt costs no Argon2id run.
  LoginThrottle::Attempt attempt = throttle_.begin(username, req.remote_addr);
  if (!attempt) return send_throttled(res, attempt, "too many failed logins; try again later");
  auto found = store_.find_account(username);
  if (!found) {
    send_json_error(res, 503, "unavailable", "try again shortly");
    return;
  }
  bool ok = false;
  if (found->has_value()) {
    ok = hasher_.verify(password, (*found)->password_hash) && !(*found)->disabled;
  } else {
    // The same Argon2id work as for a real account, so timing does not tell
    // whether the username exists.
    (void)hasher_.verify(password, hasher_.dummy_hash());
  }
  if (!ok) {
    attempt.failed();
    if (found->has_value()) {
      const Account& a = **found;
      audit("system", "account.login_failed", account_subject(a.id),
            nlohmann::json{{"reason", a.disabled ? "disabled" : "wrong_password"}}.dump());
    } else {
      audit("system", "account.login_failed", "", R"({"reason":"unknown_username"})");
    }
    send_json_error(res, 401, "invalid_credentials", kBadCredentials);
    return;
  }
  const Account& a = **found;
  attempt.succeeded();
  NewStaffSession s = sessions_.create(a.id, a.username, a.role, credential_of(a));
  if (s.token.empty()) {  // the shared session table could not be reached
    send_json_error(res, 503, "unavailable", "try again shortly");
    return;
  }
  audit(account_subject(a.id), "account.login", account_subject(a.id));
  log::info("account.login", {{"account", a.id}, {"role", a.role}});
  res.set_header("Set-Cookie", cookie(s.token, false));
  send_json(res, 200,
            {{"username", a.username},
             {"role", a.role},
             {"csrf_token", s.session.csrf_token},
             {"must_change_password", a.must_change_password}});
}

void StaffAuth::logout(const httplib::Request& req, httplib::Response& res) {
  auto auth = authenticate(req, res, {});
  if (!auth) return;
  sessions_.remove(auth->token);
  audit(account_subject(auth->principal.account_id), "account.logout",
        account_subject(auth->principal.account_id));
  res.set_header("Set-Cookie", cookie("", true));
  send_json(res, 200, {{"ok", true}});
}

void StaffAuth::me(const httplib::Request& req, httplib::Response& res) {
  auto auth = authenticate(req, res, {});
  if (!auth) return;
  nlohmann::json body = principal_json(auth->principal);
  body["csrf_token"] = auth->session.csrf_token;
  body["must_change_password"] = auth->must_change_password;
  send_json(res, 200, body);
}

void StaffAuth::change_password(const httplib::Request& req, httplib::Response& res) {
  auto auth = authenticate(req, res, {});
  if (!auth) return;
  auto body = two_strings(req.body, "current", "new");
  if (!body) {
    send_json_error(res, 400, "invalid_request", "expected a JSON object with \"current\" and \"new\"");
    return;
  }
  const auto& [current, fresh] = *body;
  const int64_t id = auth->principal.account_id;
  LoginThrottle::Attempt attempt = throttle_.begin(auth->principal.username, req.remote_addr);
  if (!attempt) return send_throttled(res, attempt, "too many wrong passwords; try again later");
  auto account = store_.get_account(id);
  if (!account || !account->has_value()) {
    send_json_error(res, 503, "unavailable", "try again shortly");
    return;
  }
  Account a = **account;
  if (!hasher_.verify(current, a.password_hash)) {
    attempt.failed();
    audit(account_subject(id), "account.password_change_failed", account_subject(id),
          R"({"reason":"wrong_current_password"})");
    send_json_error(res, 403, "wrong_password", "the current password is wrong");
    return;
  }
  attempt.succeeded();
  if (Status s = check_password_policy(fresh); !s) {
    send_json_error(res, 400, "weak_password", s.error().message);
    return;
  }
  if (fresh == current) {
    send_json_error(res, 400, "weak_password", "the new password must differ from the current one");
    return;
  }
  auto hashed = hasher_.hash(fresh);
  if (!hashed) {
    log::error("account.password_hash_failed", {{"account", id}, {"error", hashed.error().to_string()}});
    send_json_error(res, 500, "internal", "the password could not be changed");
    return;
  }
  a.password_hash = std::move(*hashed);
  a.must_change_password = false;
  if (Status s = store_.update_account(a); !s) {
    send_json_error(res, 503, "unavailable", "try again shortly");
    return;
  }
  // Other sessions end; this one now carries the new password's fingerprint.
  sessions_.end_for_account(id);
  NewStaffSession s = sessions_.create(a.id, a.username, a.role, credential_of(a));
  audit(account_subject(id), "account.password_changed", account_subject(id));
  if (s.token.empty()) {  // changed, but the shared session table could not be reached
    res.set_header("Set-Cookie", cookie("", true));
    send_json_error(res, 503, "unavailable", "the password was changed; log in again");
    return;
  }
  log::info("account.password_changed", {{"account", id}});
  res.set_header("Set-Cookie", cookie(s.token, false));
  send_json(res, 200, {{"ok", true}, {"csrf_token", s.session.csrf_token}, {"must_change_password", false}});
}

}  // namespace gw::http
