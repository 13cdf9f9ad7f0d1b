#include "gateway/channels/telegram/telegram_bot_api.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

namespace gw {

using nlohmann::json;

namespace {

// A chat id Telegram gave us is an integer ("123456789", "-1001234567890");
// "@channelname" and anything else stays a string.
std::optional<int64_t> as_chat_number(const std::string& id) {
  if (id.empty() || id.size() > 20) return std::nullopt;
  int64_t v = 0;
  const char* end = id.data() + id.size();
  auto [p, ec] = std::from_chars(id.data(), end, v);
  if (ec != std::errc() || p != end) return std::nullopt;
  return v;
}

// Removes "/bot<anything up to the next slash>" from a transport error, in case
// an HttpClient ever names the URL's path (CurlHttpClient does not).
std::string redact_bot_path(std::string text) {
  for (size_t at = text.find("/bot"); at != std::string::npos; at = text.find("/bot", at + 1)) {
    const size_t from = at + 4;
    size_t to = from;
    while (to < text.size() && text[to] != '/' && !std::isspace(static_cast<unsigned char>(text[to]))) ++to;
    if (to > from) text.replace(from, to - from, "<redacted>");
  }
  return text;
}

std::optional<Millis> retry_after_of(const json& body, const HttpResponse& r) {
  constexpr int64_t kMaxSeconds = 24 * 3600;  // a nonsense value must not park the item for years
  int64_t seconds = -1;
  if (body.is_object()) {
    auto params = body.find("parameters");
    if (params != body.end() && params->is_object()) {
      auto ra = params->find("retry_after");
      if (ra != params->end() && ra->is_number_integer()) seconds = ra->get<int64_t>();
    }
  }
  if (seconds < 0) {
    const std::string h = r.header("retry-after");
    int64_t v = 0;
    auto [p, ec] = std::from_chars(h.data(), h.data() + h.size(), v);
    if (!h.empty() && ec == std::errc() && p == h.data() + h.size()) seconds = v;
  }
  if (seconds < 0) return std::nullopt;
  return Millis(std::min(seconds, kMaxSeconds) * 1000);
}

bool description_says(const json& body, const std::string& phrase) {
  if (!body.is_object()) return false;
  auto d = body.find("description");
  if (d == body.end() || !d->is_string()) return false;
  std::string text = d->get<std::string>();
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text.find(phrase) != std::string::npos;
}

}  // namespace

HttpRequest build_telegram_send_message(const ChannelConfig& channel, const std::string& chat_id,
                                        const std::string& text) {
  HttpRequest req;
  req.method = "POST";
  req.url = channel.api_base + "/bot" + channel.bot_token + "/sendMessage";
  req.headers.emplace_back("Content-Type", "application/json");
  req.headers.emplace_back("Accept", "application/json");
  json body = json::object();
  if (auto n = as_chat_number(chat_id)) {
    body["chat_id"] = *n;
  } else {
    body["chat_id"] = chat_id;
  }
  body["text"] = text;
  body["link_preview_options"] = {{"is_disabled", true}};
  req.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return req;
}

SendOutcome classify_telegram_response(const Result<HttpResponse>& response) {
  SendOutcome out;
  if (!response.ok()) {
    out.kind = SendOutcome::Kind::kRetry;
    out.error = "no answer from Telegram: " + redact_bot_path(response.error().to_string());
    return out;
  }
  const HttpResponse& r = *response;
  const json body = json::parse(r.body, nullptr, false);
  if (r.status >= 200 && r.status < 300) {
    out.kind = SendOutcome::Kind::kAccepted;
    out.provider_status = "sent";
    const json* result = nullptr;
    if (body.is_object()) {
      auto it = body.find("result");
      if (it != body.end() && it->is_object()) result = &*it;
    }
    if (result && result->contains("message_id") && (*result)["message_id"].is_number_integer()) {
      out.provider_id = std::to_string((*result)["message_id"].get<int64_t>());
    } else {
      // Telegram took it; sending again would duplicate it. Recorded as sent without an id.
      out.error = "Telegram answered HTTP " + std::to_string(r.status) + " without a message_id";
    }
    return out;
  }

  out.error_code = r.status;
  if (body.is_object()) {
    auto code = body.find("error_code");
    if (code != body.end() && code->is_number_integer()) out.error_code = code->get<int>();
  }
  // Only numbers and fixed phrases: the description may quote the chat or the text.
  out.error = "Telegram HTTP " + std::to_string(r.status) + " error_code " + std::to_string(*out.error_code);

  if (r.status == 429 || r.status >= 500) {
    out.kind = SendOutcome::Kind::kRetry;
    out.retry_after = retry_after_of(body, r);
    if (r.status == 429) out.error += ": too many requests";
    return out;
  }
  out.kind = SendOutcome::Kind::kPermanent;
  if (r.status == 403) {
    out.recipient_opted_out = true;
    out.error += ": the person blocked the bot or closed their account";
  } else if (r.status == 400 && description_says(body, "chat not found")) {
    out.recipient_invalid = true;
    out.error += ": chat not found";
  }
  return out;
}

}  // namespace gw
