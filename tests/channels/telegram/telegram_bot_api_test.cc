#include "gateway/channels/telegram/telegram_bot_api.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/channel_configs.h"

namespace {

using nlohmann::json;
using Kind = gw::SendOutcome::Kind;

const std::string kToken = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

gw::ChannelConfig channel() {
  return gw::testing::telegram_channel("http://127.0.0.1:8081", kToken);
}

gw::Result<gw::HttpResponse> answer(int status, std::string body, gw::HttpHeaders headers = {}) {
  gw::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

json body_of(const gw::HttpRequest& req) {
  json j = json::parse(req.body, nullptr, false);
  REQUIRE(j.is_object());
  return j;
}

std::string header_of(const gw::HttpRequest& req, const std::string& name) {
  for (const auto& [k, v] : req.headers)
    if (k == name) return v;
  return "";
}

}  // namespace

TEST_CASE("sendMessage is a JSON POST to the bot's URL with a numeric chat id and no link preview",
          "[telegram][send]") {
  auto req = gw::build_telegram_send_message(channel(), "4242", "Hello from the helpline");
  CHECK(req.method == "POST");
  CHECK(req.url == "http://127.0.0.1:8081/bot" + kToken + "/sendMessage");
  CHECK(header_of(req, "Content-Type") == "application/json");
  CHECK(req.basic_user.empty());
  json b = body_of(req);
  REQUIRE(b["chat_id"].is_number_integer());
  CHECK(b["chat_id"].get<int64_t>() == 4242);
  CHECK(b["text"] == "Hello from the helpline");
  CHECK(b["link_preview_options"] == json({{"is_disabled", true}}));
}

TEST_CASE("the text is sent as plain text: no parse_mode, markup characters kept as they are",
          "[telegram][send]") {
  const std::string text = "*not bold* <b>not html</b> [a](https://example.org) _x_ `y` \"q\" \\ é 🙂";
  json b = body_of(gw::build_telegram_send_message(channel(), "4242", text));
  CHECK_FALSE(b.contains("parse_mode"));
  CHECK_FALSE(b.contains("entities"));
  CHECK(b["text"] == text);
}

TEST_CASE("group ids stay integers, usernames and other ids are strings, an overflowing id is a string",
          "[telegram][send]") {
  json group = body_of(gw::build_telegram_send_message(channel(), "-1001234567890", "x"));
  REQUIRE(group["chat_id"].is_number_integer());
  CHECK(group["chat_id"].get<int64_t>() == -1001234567890LL);
  CHECK(body_of(gw::build_telegram_send_message(channel(), "@helpline_news", "x"))["chat_id"] ==
        "@helpline_news");
  CHECK(body_of(gw::build_telegram_send_message(channel(), "12ab", "x"))["chat_id"] == "12ab");
  CHECK(body_of(gw::build_telegram_send_message(channel(), "+4242", "x"))["chat_id"] == "+4242");
  CHECK(body_of(gw::build_telegram_send_message(channel(), "99999999999999999999", "x"))["chat_id"] ==
        "99999999999999999999");
}

TEST_CASE("text that is not valid UTF-8 does not throw and is sent with replacement characters",
          "[telegram][send]") {
  gw::HttpRequest req;
  REQUIRE_NOTHROW(req = gw::build_telegram_send_message(channel(), "1", std::string("ok \xff\xfe end")));
  json b = body_of(req);
  CHECK(b["text"] == "ok \xEF\xBF\xBD\xEF\xBF\xBD end");
}

TEST_CASE("ok:true is accepted with the message_id as provider id", "[telegram][send]") {
  auto out = gw::classify_telegram_response(answer(
      200, R"({"ok":true,"result":{"message_id":8812,"chat":{"id":4242,"type":"private"},"text":"hi"}})"));
  CHECK(out.kind == Kind::kAccepted);
  CHECK(out.provider_id == "8812");
  CHECK(out.segments == 0);
  CHECK_FALSE(out.error_code);
}

TEST_CASE("a 2xx without a message_id is still accepted, never resent, with an empty provider id",
          "[telegram][send]") {
  auto out = gw::classify_telegram_response(answer(200, "not json"));
  CHECK(out.kind == Kind::kAccepted);
  CHECK(out.provider_id.empty());
  CHECK(out.error.find("without a message_id") != std::string::npos);
}

TEST_CASE("429 is retried after parameters.retry_after seconds", "[telegram][send]") {
  auto out = gw::classify_telegram_response(answer(429, R"({"ok": false, "error_code": 429,
      "description": "Too Many Requests: retry after 7", "parameters": {"retry_after": 7}})"));
  CHECK(out.kind == Kind::kRetry);
  REQUIRE(out.retry_after);
  CHECK(*out.retry_after == std::chrono::seconds(7));
  CHECK(out.error_code == 429);
  CHECK_FALSE(out.recipient_opted_out);
}

TEST_CASE("429 without parameters falls back to the Retry-After header, then to no hint",
          "[telegram][send]") {
  auto with_header =
      gw::classify_telegram_response(answer(429, R"({"ok":false,"error_code":429})", {{"retry-after", "3"}}));
  REQUIRE(with_header.retry_after);
  CHECK(*with_header.retry_after == std::chrono::seconds(3));
  auto bare = gw::classify_telegram_response(answer(429, ""));
  CHECK(bare.kind == Kind::kRetry);
  CHECK_FALSE(bare.retry_after);
}

TEST_CASE("5xx and transport errors are retried", "[telegram][send]") {
  auto bad_gateway = gw::classify_telegram_response(answer(502, "<html>Bad Gateway</html>"));
  CHECK(bad_gateway.kind == Kind::kRetry);
  CHECK(bad_gateway.error_code == 502);
  CHECK_FALSE(bad_gateway.retry_after);

  auto down = gw::classify_telegram_response(gw::Error::unavailable("connect to api.telegram.org failed"));
  CHECK(down.kind == Kind::kRetry);
  CHECK_FALSE(down.error_code);
  CHECK(down.error.find("connect to api.telegram.org failed") != std::string::npos);
}

TEST_CASE("403 (the person blocked the bot or deleted their account) is permanent and opts them out",
          "[telegram][send]") {
  for (const char* desc : {"Forbidden: bot was blocked by the user", "Forbidden: user is deactivated"}) {
    INFO(desc);
    auto out = gw::classify_telegram_response(
        answer(403, json{{"ok", false}, {"error_code", 403}, {"description", desc}}.dump()));
    CHECK(out.kind == Kind::kPermanent);
    CHECK(out.recipient_opted_out);
    CHECK_FALSE(out.recipient_invalid);
    CHECK(out.error_code == 403);
  }
}

TEST_CASE("400 chat not found is permanent with the recipient invalid, not opted out", "[telegram][send]") {
  auto out = gw::classify_telegram_response(
      answer(400, R"({"ok":false,"error_code":400,"description":"Bad Request: chat not found"})"));
  CHECK(out.kind == Kind::kPermanent);
  CHECK(out.recipient_invalid);
  CHECK_FALSE(out.recipient_opted_out);
  CHECK(out.error_code == 400);
}

TEST_CASE("other 4xx are permanent with Telegram's error_code and neither flag", "[telegram][send]") {
  auto too_long = gw::classify_telegram_response(
      answer(400, R"({"ok":false,"error_code":400,"description":"Bad Request: message is too long"})"));
  CHECK(too_long.kind == Kind::kPermanent);
  CHECK(too_long.error_code == 400);
  CHECK_FALSE(too_long.recipient_invalid);
  CHECK_FALSE(too_long.recipient_opted_out);

  auto unauthorized = gw::classify_telegram_response(
      answer(401, R"({"ok":false,"error_code":401,"description":"Unauthorized"})"));
  CHECK(unauthorized.kind == Kind::kPermanent);
  CHECK(unauthorized.error_code == 401);
  CHECK_FALSE(unauthorized.recipient_opted_out);

  auto no_body = gw::classify_telegram_response(answer(404, ""));
  CHECK(no_body.kind == Kind::kPermanent);
  CHECK(no_body.error_code == 404);
}

TEST_CASE(
    "errors keep the status and error_code but never Telegram's description, which can quote the request",
    "[telegram][send]") {
  const std::string chat = "4242";
  const std::string text = "I am at Via Roma 12";
  const std::string desc = "Bad Request: can't parse \"" + text + "\" for chat " + chat + " of bot " + kToken;
  auto out = gw::classify_telegram_response(
      answer(400, json{{"ok", false}, {"error_code", 400}, {"description", desc}}.dump()));
  CHECK(out.error.find("400") != std::string::npos);
  CHECK(out.error.find(text) == std::string::npos);
  CHECK(out.error.find(chat) == std::string::npos);
  CHECK(out.error.find(kToken) == std::string::npos);
}

TEST_CASE("a transport error naming the bot URL has the token redacted", "[telegram][send]") {
  auto out = gw::classify_telegram_response(
      gw::Error::timeout("POST https://api.telegram.org/bot" + kToken + "/sendMessage timed out"));
  CHECK(out.kind == Kind::kRetry);
  CHECK(out.error.find(kToken) == std::string::npos);
  CHECK(out.error.find("timed out") != std::string::npos);
}
