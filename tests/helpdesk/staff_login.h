// Signing a staff account in over a test server's /api/auth/login, as the console
// page does; the account's password is its name + " long password" (as the
// helpdesk fixtures create them).
#pragma once

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <string>

namespace gw::testing {

struct Session {
  std::string cookie, csrf;  // the session cookie as "name=value" for a Cookie header; the X-CSRF-Token value
};

inline Session login(httplib::Client& c, const std::string& name) {
  auto r = c.Post("/api/auth/login",
                  nlohmann::json{{"username", name}, {"password", name + " long password"}}.dump(),
                  "application/json");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const std::string set_cookie = r->get_header_value("Set-Cookie");
  return Session{set_cookie.substr(0, set_cookie.find(';')),
                 nlohmann::json::parse(r->body)["csrf_token"].get<std::string>()};
}

}  // namespace gw::testing
