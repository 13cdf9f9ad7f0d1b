#include "gateway/channels/twilio/twilio_status.h"

#include <catch2/catch.hpp>

namespace {
const std::string kAccount = "AC0123456789abcdef0123456789abcdef";
const std::string kSid = "SM0123456789abcdef0123456789abcdef";

gw::FormFields callback(const std::string& status, const std::string& error_code = "") {
  gw::FormFields f = {{"AccountSid", kAccount},
                      {"MessageSid", kSid},
                      {"MessageStatus", status},
                      {"ApiVersion", "2010-04-01"}};
  if (!error_code.empty()) f.emplace_back("ErrorCode", error_code);
  return f;
}
}  // namespace

TEST_CASE("a status callback maps Twilio's status to ours and keeps its error code", "[twilio][status]") {
  auto u = gw::parse_twilio_status(callback("undelivered", "30003"), kAccount);
  REQUIRE(u.ok());
  CHECK(u->message_sid == kSid);
  CHECK(u->provider_status == "undelivered");
  CHECK(u->status == "undelivered");
  CHECK(u->error_code == 30003);
  auto canceled = gw::parse_twilio_status(callback("canceled"), kAccount);
  REQUIRE(canceled.ok());
  CHECK(canceled->status == "failed");
  CHECK_FALSE(canceled->error_code.has_value());
}

TEST_CASE("a status Twilio may add later is accepted and maps to nothing", "[twilio][status]") {
  auto u = gw::parse_twilio_status(callback("partially_delivered"), kAccount);
  REQUIRE(u.ok());
  CHECK_FALSE(u->status.has_value());
  CHECK(u->provider_status == "partially_delivered");
}

TEST_CASE("a status callback of another account is denied, malformed fields are invalid and named",
          "[twilio][status]") {
  auto other = gw::parse_twilio_status(callback("sent"), "AC" + std::string(32, 'f'));
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == gw::ErrorCode::kPermissionDenied);

  gw::FormFields no_sid = {{"AccountSid", kAccount}, {"MessageStatus", "sent"}};
  auto missing = gw::parse_twilio_status(no_sid, kAccount);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == gw::ErrorCode::kInvalidArgument);
  CHECK(missing.error().message == "MessageSid is missing");

  gw::FormFields bad_sid = callback("sent");
  bad_sid[1].second = "SM+447700900123";
  auto malformed = gw::parse_twilio_status(bad_sid, kAccount);
  REQUIRE_FALSE(malformed.ok());
  CHECK(malformed.error().message == "MessageSid is malformed");
  CHECK(malformed.error().message.find("447700900123") == std::string::npos);

  CHECK_FALSE(gw::parse_twilio_status(callback("Sent"), kAccount).ok());
  CHECK_FALSE(gw::parse_twilio_status(callback(std::string(33, 'a')), kAccount).ok());
  CHECK_FALSE(gw::parse_twilio_status(callback("sent", "1234567"), kAccount).ok());
  CHECK_FALSE(gw::parse_twilio_status(callback("sent", "-1"), kAccount).ok());
  auto max_code = gw::parse_twilio_status(callback("failed", "999999"), kAccount);
  REQUIRE(max_code.ok());
  CHECK(max_code->error_code == 999999);
}
