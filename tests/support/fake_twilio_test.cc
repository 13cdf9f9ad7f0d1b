// The local fake of Twilio's Messages API: what the tests that drive the real
// sender rely on beyond tests/contract (sids in order, held answers).
#include "tests/support/fake_twilio.h"

#include <catch2/catch.hpp>
#include <future>

using namespace std::chrono_literals;

namespace {

const std::string kAccount = "AC0123456789abcdef0123456789abcdef";
const std::string kToken = "fake-twilio-token";

// POSTs one message as the gateway's sender does; returns the status, -1 without an answer.
int send_one(const gw::testing::FakeTwilio& twilio, const std::string& token = kToken) {
  httplib::Client c(twilio.api_base());
  c.set_basic_auth(kAccount.c_str(), token.c_str());
  c.set_read_timeout(30, 0);
  auto r = c.Post(("/2010-04-01/Accounts/" + kAccount + "/Messages.json").c_str(),
                  "To=%2B447700900123&From=%2B447700900000&Body=Hello", "application/x-www-form-urlencoded");
  return r ? r->status : -1;
}

}  // namespace

TEST_CASE("the fake Twilio numbers the sids it accepts in order and refuses a wrong token",
          "[support][twilio]") {
  gw::testing::FakeTwilio twilio(kAccount, kToken);
  CHECK(send_one(twilio) == 201);
  CHECK(send_one(twilio, "not the token") == 401);
  CHECK(send_one(twilio) == 201);
  const auto requests = twilio.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].sid == "SM00000000000000000000000000000001");
  CHECK(requests[1].sid.empty());
  CHECK(requests[2].sid == "SM00000000000000000000000000000002");
  CHECK(requests[2].field("Body") == "Hello");
}

TEST_CASE("a held fake Twilio records a request at once and answers it only when released",
          "[support][twilio]") {
  gw::testing::FakeTwilio twilio(kAccount, kToken);
  twilio.hold();
  const auto before = std::chrono::steady_clock::now();
  auto answered = std::async(std::launch::async, [&] { return send_one(twilio); });
  REQUIRE(twilio.wait_for_requests(1, 10s));
  CHECK(twilio.requests()[0].status == 0);  // seen, not answered
  CHECK(twilio.first_after(before).has_value());
  CHECK(answered.wait_for(0s) == std::future_status::timeout);
  twilio.release();
  CHECK(answered.get() == 201);
  CHECK(twilio.requests()[0].status == 201);
  CHECK_FALSE(twilio.first_after(std::chrono::steady_clock::now() + 1h).has_value());
}
