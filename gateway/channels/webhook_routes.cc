#include "gateway/channels/webhook_routes.h"

#include "gateway/channels/telegram/telegram_update.h"
#include "gateway/channels/twilio/twilio_inbound.h"
#include "gateway/channels/twilio/twilio_signature.h"
#include "gateway/channels/twilio/twilio_status.h"
#include "gateway/core/digest.h"
#include "gateway/core/form_encoding.h"
#include "gateway/core/log.h"

namespace gw {
namespace {

// Twilio's webhooks carry a few dozen parameters (ten media items add twenty) and
// a body of at most 1,600 characters (SMS) or 4,096 (WhatsApp), UTF-8 and
// percent-encoded: far below these bounds.
constexpr size_t kMaxTwilioFormFields = 256;
constexpr size_t kMaxTwilioFormBytes = 128 * 1024;

constexpr const char* kEmptyTwiml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

const ChannelConfig* find_channel(const Config& cfg, const std::string& id, const std::string& type) {
  for (const auto& c : cfg.channels) {
    if (c.id == id && c.type == type) return &c;
  }
  return nullptr;
}

// Parses and authenticates a Twilio form POST. On failure the response is
// already written and nullopt returned.
std::optional<FormFields> authenticated_twilio_form(const WebhookContext& ctx, const ChannelConfig& ch,
                                                    const httplib::Request& req, httplib::Response& res) {
  if (req.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) != 0) {
    http::send_json_error(res, 415, "unsupported_media_type",
                          "expected an application/x-www-form-urlencoded body, as Twilio sends");
    return std::nullopt;
  }
  // The signature covers every parameter, so the form must be parsed to check it:
  // an unsigned request is refused before that, and a signed-looking one only
  // parsed once it is known to be of a size Twilio sends.
  const std::string signature = req.get_header_value("X-Twilio-Signature");
  if (signature.empty()) {
    http::send_json_error(res, 403, "missing_signature", "the X-Twilio-Signature header is missing");
    return std::nullopt;
  }
  if (req.body.size() > kMaxTwilioFormBytes) {
    http::send_json_error(res, 413, "payload_too_large",
                          "a Twilio form is at most " + std::to_string(kMaxTwilioFormBytes) + " bytes");
    return std::nullopt;
  }
  if (form_field_count(req.body, kMaxTwilioFormFields) > kMaxTwilioFormFields) {
    http::send_json_error(
        res, 413, "too_many_parameters",
        "a Twilio form has at most " + std::to_string(kMaxTwilioFormFields) + " parameters");
    return std::nullopt;
  }
  auto form = form_urldecode(req.body);
  if (!form) {
    http::send_json_error(res, 400, "malformed_form", "the form body is malformed: " + form.error().message);
    return std::nullopt;
  }
  const std::string url = ctx.config.public_url + req.target;
  if (!validate_twilio_signature(ch.auth_token, url, *form, signature)) {
    log::warn("webhook.bad_signature", {{"channel", ch.id}, {"route", "twilio"}});
    http::send_json_error(res, 403, "bad_signature",
                          "the X-Twilio-Signature does not match (is public_url the URL Twilio was given?)");
    return std::nullopt;
  }
  return std::move(*form);
}

// The answer when the store could not take what a webhook brought: 503 when it
// was unreachable for the moment (its database restarting, no connection free),
// so the provider retries later; 500 for anything else. Either way the provider
// may retry: nothing was stored.
void send_store_failure(httplib::Response& res, const Error& e, const std::string& message) {
  const bool unavailable = e.code == ErrorCode::kUnavailable || e.code == ErrorCode::kTimeout;
  if (unavailable) res.set_header("Retry-After", "5");
  http::send_json_error(res, unavailable ? 503 : 500, "store_unavailable", message);
}

void twilio_inbound(const WebhookContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  const ChannelConfig* ch = find_channel(ctx.config, id, "twilio");
  if (!ch) return http::send_json_error(res, 404, "unknown_channel", "no twilio channel \"" + id + "\"");
  auto form = authenticated_twilio_form(ctx, *ch, req, res);
  if (!form) return;
  auto msg = parse_twilio_inbound(*form, ch->id, ch->account_sid);
  if (!msg) {
    const int status = msg.error().code == ErrorCode::kPermissionDenied ? 403 : 400;
    return http::send_json_error(res, status, status == 403 ? "wrong_account" : "bad_request",
                                 msg.error().message);
  }
  Status accepted = ctx.conversations.accept(*msg);
  if (!accepted) {
    log::error("webhook.store_failed", {{"channel", ch->id}, {"error", accepted.error().to_string()}});
    return send_store_failure(res, accepted.error(), "the message could not be stored; retry");
  }
  res.status = 200;
  res.set_content(kEmptyTwiml, "text/xml; charset=utf-8");
}

void twilio_status(const WebhookContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  const ChannelConfig* ch = find_channel(ctx.config, id, "twilio");
  if (!ch) return http::send_json_error(res, 404, "unknown_channel", "no twilio channel \"" + id + "\"");
  auto form = authenticated_twilio_form(ctx, *ch, req, res);
  if (!form) return;
  auto update = parse_twilio_status(*form, ch->account_sid);
  if (!update) {
    if (update.error().code == ErrorCode::kPermissionDenied) {
      return http::send_json_error(res, 403, "wrong_account", update.error().message);
    }
    return http::send_json_error(res, 400, "bad_request", update.error().message);
  }
  if (update->status) {
    Status s = ctx.store.update_message_status(ch->id, update->message_sid, *update->status,
                                               update->error_code, ctx.clock.now());
    if (!s && s.error().code == ErrorCode::kNotFound) {
      // The callback overtook our own record of the send; the sender records "sent" itself.
      log::info("status.unknown_message", {{"channel", ch->id}, {"status", *update->status}});
    } else if (!s) {
      log::error("status.store_failed", {{"channel", ch->id}, {"error", s.error().to_string()}});
      return send_store_failure(res, s.error(), "the status could not be stored; retry");
    }
  } else {
    log::info("status.ignored", {{"channel", ch->id}, {"status", update->provider_status}});
  }
  http::send_json(res, 200, {{"ok", true}});
}

void telegram_webhook(const WebhookContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  const ChannelConfig* ch = find_channel(ctx.config, id, "telegram");
  if (!ch) return http::send_json_error(res, 404, "unknown_channel", "no telegram channel \"" + id + "\"");
  const std::string token = req.get_header_value("X-Telegram-Bot-Api-Secret-Token");
  if (token.empty() || !constant_time_equal(token, ch->secret_token)) {
    log::warn("webhook.bad_secret", {{"channel", ch->id}, {"route", "telegram"}});
    return http::send_json_error(res, 403, "bad_secret_token",
                                 "the X-Telegram-Bot-Api-Secret-Token header is missing or wrong");
  }
  auto update = parse_telegram_update(req.body, ch->id);
  if (!update) return http::send_json_error(res, 400, "bad_request", update.error().message);
  if (update->has_value()) {
    Status accepted = ctx.conversations.accept(**update);
    if (!accepted) {
      log::error("webhook.store_failed", {{"channel", ch->id}, {"error", accepted.error().to_string()}});
      return send_store_failure(res, accepted.error(), "the update could not be stored; retry");
    }
  }
  http::send_json(res, 200, {{"ok", true}});
}

}  // namespace

void count_handled_inbound(metrics::CoreMetrics* metrics, const HandledInbound& handled) {
  if (metrics && !handled.result.duplicate) metrics->messages(handled.channel_id, metrics::kInbound).inc();
}

void add_webhook_routes(http::HttpServer& server, const WebhookContext& ctx) {
  // The context must outlive the server: handlers keep a copy of it.
  server.post(R"(/twilio/([a-z0-9_\-]+)/inbound)", "twilio_inbound",
              [ctx](const httplib::Request& req, httplib::Response& res) { twilio_inbound(ctx, req, res); });
  server.post(R"(/twilio/([a-z0-9_\-]+)/status)", "twilio_status",
              [ctx](const httplib::Request& req, httplib::Response& res) { twilio_status(ctx, req, res); });
  server.post(
      R"(/telegram/([a-z0-9_\-]+)/webhook)", "telegram_webhook",
      [ctx](const httplib::Request& req, httplib::Response& res) { telegram_webhook(ctx, req, res); });
}

}  // namespace gw
