// For tests that run the real `gateway serve` with one Twilio channel: its config
// file, and (from twilio_webhook.h) webhooks signed as Twilio signs them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/serve_gateway.h"
#include "tests/support/twilio_webhook.h"

namespace gw::testing {

// The public_url of the configs below: the base Twilio was given, which webhooks
// are signed for. The gateway listens on a port of its own choosing
// (listening_port()), so its public address is not its listening one, as behind a
// proxy.
inline const std::string kServePublicUrl = "http://helpline.test";

// Writes `dir`/gw.json as write_serve_config() does, with public_url
// kServePublicUrl and a Twilio channel "uk-sms" of `account` sending through
// `api_base`, its auth token read from the environment variable `token_env`;
// `extra` is merged over that. Returns the file's path.
inline std::string write_twilio_serve_config(const std::string& dir, const std::string& api_base,
                                             const std::string& account, const std::string& token_env,
                                             const nlohmann::json& extra = nlohmann::json::object()) {
  nlohmann::json config = {{"public_url", kServePublicUrl},
                           {"channels",
                            {{{"id", "uk-sms"},
                              {"type", "twilio"},
                              {"account_sid", account},
                              {"auth_token", "env:" + token_env},
                              {"from", "+447700900000"},
                              {"api_base", api_base},
                              {"max_per_second", 10}}}}};
  config.merge_patch(extra);
  return write_serve_config(dir, config);
}

}  // namespace gw::testing
