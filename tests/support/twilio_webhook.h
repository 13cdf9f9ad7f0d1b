// Webhooks as Twilio sends them: a form POST signed with the account's auth token
// for the URL Twilio was given (the gateway's public_url + the path).
#pragma once

#include <httplib.h>

#include <cstdio>
#include <string>

#include "gateway/channels/twilio/twilio_signature.h"
#include "gateway/core/form_encoding.h"

namespace gw::testing {

// Posts `form` to `path` (e.g. "/twilio/uk-sms/status") of `client`'s server,
// with the X-Twilio-Signature of `token` for `public_url` + `path`.
inline httplib::Result post_signed_twilio(httplib::Client& client, const std::string& public_url,
                                          const std::string& token, const std::string& path,
                                          const gw::FormFields& form) {
  return client.Post(path.c_str(),
                     {{"X-Twilio-Signature", gw::compute_twilio_signature(token, public_url + path, form)}},
                     gw::form_urlencode(form), "application/x-www-form-urlencoded");
}

// An inbound message (SMS or WhatsApp) of channel "uk-sms", signed as above.
inline httplib::Result post_signed_inbound(httplib::Client& client, const std::string& public_url,
                                           const std::string& token, const gw::FormFields& form) {
  return post_signed_twilio(client, public_url, token, "/twilio/uk-sms/inbound", form);
}

// A MessageSid as Twilio makes them ("SM" and 32 digits), distinct for each
// (person, i) with i < 100.
inline std::string message_sid(int person, int i) {
  char s[40];
  std::snprintf(s, sizeof s, "SM%030d%02d", person, i);
  return s;
}

// The form of an inbound SMS "hello" to +447700900000 for Twilio `account`.
inline gw::FormFields inbound_sms(const std::string& account, const std::string& from,
                                  const std::string& message_sid) {
  return {{"AccountSid", account}, {"MessageSid", message_sid}, {"From", from},      {"To", "+447700900000"},
          {"Body", "hello"},       {"NumMedia", "0"},           {"NumSegments", "1"}};
}

}  // namespace gw::testing
