// Channel configs as a gateway's config file makes them, for tests of senders,
// webhooks and workers that take a ChannelConfig.
#pragma once

#include <string>

#include "gateway/config/config.h"

namespace gw::testing {

// An AccountSid of Twilio's shape (^AC[0-9a-f]{32}$).
inline const std::string kTwilioAccount = "AC0123456789abcdef0123456789abcdef";
// A Bot API token of Telegram's shape ("<bot id>:<secret>").
inline const std::string kTelegramBotToken = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
// Where nothing listens (the discard port): for tests whose HttpClient is a fake.
inline const std::string kNoApiBase = "http://127.0.0.1:9";

// A Twilio channel "uk-sms" sending from the helpline's UK number +447700900000
// through `api_base`, as `account_sid` with `auth_token`.
inline ChannelConfig twilio_channel(const std::string& api_base = kNoApiBase,
                                    const std::string& auth_token = "token",
                                    const std::string& account_sid = kTwilioAccount) {
  ChannelConfig c;
  c.id = "uk-sms";
  c.type = "twilio";
  c.account_sid = account_sid;
  c.auth_token = auth_token;
  c.from = "+447700900000";
  c.api_base = api_base;
  return c;
}

// A Telegram channel "tg" of `bot_token` through `api_base`, whose webhooks carry
// the secret token `secret_token`.
inline ChannelConfig telegram_channel(const std::string& api_base = kNoApiBase,
                                      const std::string& bot_token = kTelegramBotToken,
                                      const std::string& secret_token = "s") {
  ChannelConfig c;
  c.id = "tg";
  c.type = "telegram";
  c.bot_token = bot_token;
  c.secret_token = secret_token;
  c.api_base = api_base;
  return c;
}

}  // namespace gw::testing
