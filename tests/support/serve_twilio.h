// For tests that run the real `gateway serve` with one Twilio channel: its config
// file, and an inbound SMS webhook signed as Twilio signs it.
#pragma once

#include <fstream>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <string>

#include "gateway/channels/twilio/twilio_signature.h"
#include "gateway/core/form_encoding.h"

namespace gw::testing {

// Writes `dir`/gw.json: listening on 127.0.0.1:`port`, SQLite under `dir`/data,
// the shipped content, and a Twilio channel "uk-sms" of `account` sending through
// `api_base`, its auth token read from the environment variable `token_env`.
// Returns the file's path.
inline std::string write_twilio_serve_config(const std::string& dir, int port, const std::string& api_base,
                                             const std::string& account, const std::string& token_env) {
  const std::string path = dir + "/gw.json";
  std::ofstream(path) << nlohmann::json{
      {"listen", "127.0.0.1:" + std::to_string(port)},
      {"public_url", "http://127.0.0.1:" + std::to_string(port)},
      {"database", {{"path", dir + "/data/gateway.db"}}},
      {"content_dir", GATEWAY_SOURCE_DIR},
      {"channels", {{{"id", "uk-sms"}, {"type", "twilio"}, {"account_sid", account},
                     {"auth_token", "env:" + token_env}, {"from", "+447700900000"},
                     {"api_base", api_base}, {"max_per_second", 10}}}}}.dump();
  return path;
}

// Posts `form` to /twilio/uk-sms/inbound, signed with `token` for `public_url`.
inline httplib::Result post_signed_inbound(httplib::Client& client, const std::string& public_url,
                                           const std::string& token, const gw::FormFields& form) {
  const std::string path = "/twilio/uk-sms/inbound";
  return client.Post(path, {{"X-Twilio-Signature", gw::compute_twilio_signature(token, public_url + path, form)}},
                     gw::form_urlencode(form), "application/x-www-form-urlencoded");
}

}  // namespace gw::testing
