#include "gateway/channels/twilio/twilio_messages_api.h"

#include <catch2/catch.hpp>

#include "gateway/core/form_encoding.h"
#include "tests/support/channel_configs.h"

namespace {

gw::ChannelConfig channel() {
  return gw::testing::twilio_channel("http://127.0.0.1:4010", "tok");
}

gw::TwilioOutbound outbound(std::string to, std::string body, std::string content_sid = "",
                            std::string content_variables = "", std::string status_callback = "") {
  gw::TwilioOutbound m;
  m.to = std::move(to);
  m.body = std::move(body);
  m.content_sid = std::move(content_sid);
  m.content_variables = std::move(content_variables);
  m.status_callback = std::move(status_callback);
  return m;
}

gw::HttpResponse response(int status, std::string body, gw::HttpHeaders headers = {}) {
  gw::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

}  // namespace

TEST_CASE("an SMS is a form POST to the account's Messages resource with Basic auth", "[twilio][send]") {
  auto req = gw::build_twilio_create_message(channel(), outbound("+447700900123", "Hello & welcome", "", "",
                                                                 "https://h.example/twilio/uk-sms/status"));
  CHECK(req.method == "POST");
  CHECK(req.url ==
        "http://127.0.0.1:4010/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json");
  CHECK(req.basic_user == "AC0123456789abcdef0123456789abcdef");
  CHECK(req.basic_password == "tok");
  auto form = gw::form_urldecode(req.body);
  REQUIRE(form.ok());
  CHECK(*gw::form_find(*form, "To") == "+447700900123");
  CHECK(*gw::form_find(*form, "From") == "+447700900000");
  CHECK(*gw::form_find(*form, "Body") == "Hello & welcome");
  CHECK(*gw::form_find(*form, "StatusCallback") == "https://h.example/twilio/uk-sms/status");
}

TEST_CASE("WhatsApp sends from the whatsapp: address, and a template by ContentSid", "[twilio][send]") {
  auto req = gw::build_twilio_create_message(
      channel(), outbound("whatsapp:+393331234567", "", "HX0123", R"({"1":"x"})"));
  auto form = gw::form_urldecode(req.body);
  REQUIRE(form.ok());
  CHECK(*gw::form_find(*form, "From") == "whatsapp:+447700900000");
  CHECK(*gw::form_find(*form, "ContentSid") == "HX0123");
  CHECK(*gw::form_find(*form, "ContentVariables") == R"({"1":"x"})");
  CHECK(gw::form_find(*form, "Body") == nullptr);
  auto ms = channel();
  ms.messaging_service_sid = "MG0123";
  auto via_service = gw::form_urldecode(gw::build_twilio_create_message(ms, outbound("+1", "b")).body);
  CHECK(*gw::form_find(*via_service, "MessagingServiceSid") == "MG0123");
  CHECK(gw::form_find(*via_service, "From") == nullptr);
}

TEST_CASE("Twilio's answers are classified: accepted, retried, permanent", "[twilio][send]") {
  using K = gw::SendOutcome::Kind;
  auto ok = gw::classify_twilio_response(response(201, R"({"sid": "SM0123", "status": "queued"})"));
  CHECK(ok.kind == K::kAccepted);
  CHECK(ok.provider_id == "SM0123");

  auto busy = gw::classify_twilio_response(
      response(429, R"({"code": 20429, "message": "Too Many Requests"})", {{"retry-after", "7"}}));
  CHECK(busy.kind == K::kRetry);
  CHECK(busy.error_code == 20429);
  REQUIRE(busy.retry_after);
  CHECK(*busy.retry_after == gw::Millis(7000));

  CHECK(gw::classify_twilio_response(response(500, "oops")).kind == K::kRetry);
  CHECK(gw::classify_twilio_response(response(503, "")).error_code == 503);
  CHECK(gw::classify_twilio_response(gw::Error::timeout("slow")).kind == K::kRetry);

  auto stop = gw::classify_twilio_response(response(
      400,
      R"({"code": 21610, "message": "Attempt to send to unsubscribed recipient +447700900123", "status": 400})"));
  CHECK(stop.kind == K::kPermanent);
  CHECK(stop.error_code == 21610);
  CHECK(stop.recipient_opted_out);
  CHECK(stop.error.find("7700") == std::string::npos);

  auto invalid = gw::classify_twilio_response(response(400, R"({"code": 21211, "message": "Invalid 'To'"})"));
  CHECK(invalid.kind == K::kPermanent);
  CHECK(invalid.recipient_invalid);
  CHECK_FALSE(invalid.recipient_opted_out);
}

TEST_CASE("an accepted Twilio answer whose status is not a string is still accepted, as queued",
          "[twilio][send]") {
  auto odd = gw::classify_twilio_response(response(201, R"({"sid": "SM0123", "status": 7})"));
  CHECK(odd.kind == gw::SendOutcome::Kind::kAccepted);
  CHECK(odd.provider_id == "SM0123");
  CHECK(odd.provider_status == "queued");
}

TEST_CASE("a Twilio Retry-After parks a message for at most a day", "[twilio][send]") {
  auto parked = gw::classify_twilio_response(response(429, "", {{"retry-after", "999999"}}));
  REQUIRE(parked.retry_after);
  CHECK(*parked.retry_after == gw::Millis(24 * 3600 * 1000));
}
