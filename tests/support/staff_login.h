// Signing staff in over a test server's /api/auth/login, as the console page does.
//
//   StaffLogin r = login(c, "amina", "a wrong password");  // any answer: r.status, r.body, r.retry_after
//   Session s = login(c, "olga");                          // a test account: must succeed
//   c.Post(path, {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}, ...);
#pragma once

#include <httplib.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace gw::testing {

// What the login answered.
struct StaffLogin {
  int status = 0;
  nlohmann::json body;      // the answer's JSON
  std::string set_cookie;   // the Set-Cookie header, "" when none
  std::string cookie;       // the session cookie as "name=value", for a Cookie header
  std::string csrf;         // the X-CSRF-Token value, "" when the login was refused
  std::string retry_after;  // the Retry-After header, "" when none
};

// A signed-in staff member: use cookie and csrf.
using Session = StaffLogin;

// POSTs `user` and `password` to /api/auth/login. REQUIRES an answer (of any
// status) with a JSON body.
inline StaffLogin login(httplib::Client& c, const std::string& user, const std::string& password) {
  auto r = c.Post("/api/auth/login", nlohmann::json{{"username", user}, {"password", password}}.dump(),
                  "application/json");
  REQUIRE(r);
  StaffLogin out;
  out.status = r->status;
  out.body = nlohmann::json::parse(r->body);
  out.set_cookie = r->get_header_value("Set-Cookie");
  out.cookie = out.set_cookie.substr(0, out.set_cookie.find(';'));
  if (out.body.contains("csrf_token")) out.csrf = out.body["csrf_token"].get<std::string>();
  out.retry_after = r->get_header_value("Retry-After");
  return out;
}

// Signs in the test account `name`, whose password is its name + " long password"
// (as the test fixtures create staff). REQUIRES success.
inline Session login(httplib::Client& c, const std::string& name) {
  Session s = login(c, name, name + " long password");
  REQUIRE(s.status == 200);
  return s;
}

// The first sign-in of an account `gateway user add` made: signs in with its
// one-time password, sets "<user> a long new password", and signs in again with
// it (a new password ends the account's sessions). REQUIRES success.
inline Session first_sign_in(httplib::Client& c, const std::string& user, const std::string& one_time) {
  const StaffLogin first = login(c, user, one_time);
  REQUIRE(first.status == 200);
  auto changed = c.Post("/api/auth/password", {{"Cookie", first.cookie}, {"X-CSRF-Token", first.csrf}},
                        nlohmann::json{{"current", one_time}, {"new", user + " a long new password"}}.dump(),
                        "application/json");
  REQUIRE(changed);
  REQUIRE(changed->status == 200);
  const StaffLogin again = login(c, user, user + " a long new password");
  REQUIRE(again.status == 200);
  return again;
}

}  // namespace gw::testing
