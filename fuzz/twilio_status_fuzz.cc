// Twilio's status callback: a form body as the route decodes it, then
// parse_twilio_status. Never crashes; what it accepts is bounded as promised.
#include "fuzz/fuzz_check.h"
#include "gateway/channels/twilio/twilio_status.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto params = gw::form_urldecode(gw::fuzz::text(data, size));
  if (!params) return 0;
  auto u = gw::parse_twilio_status(*params, "AC0123456789abcdef0123456789abcdef");
  if (!u) return 0;
  FUZZ_CHECK(u->message_sid.size() == 34);
  FUZZ_CHECK(!u->provider_status.empty() && u->provider_status.size() <= 32);
  FUZZ_CHECK(!u->error_code || (*u->error_code >= 0 && *u->error_code <= 999999));
  return 0;
}
