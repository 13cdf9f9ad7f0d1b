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

}  // namespace gw::testing
