// Twilio's incoming-message webhook: a form body as the route decodes it, then
// parse_twilio_inbound. Never crashes; what it accepts has the fields it promises.
#include "fuzz/fuzz_check.h"
#include "gateway/channels/twilio/twilio_inbound.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto params = gw::form_urldecode(gw::fuzz::text(data, size));
  if (!params) return 0;
  auto m = gw::parse_twilio_inbound(*params, "uk-sms", "AC0123456789abcdef0123456789abcdef");
  if (!m) return 0;
  FUZZ_CHECK(m->provider_id.size() == 34);
  FUZZ_CHECK(!m->from.empty() && !m->to.empty());
  FUZZ_CHECK(m->media.size() <= 20);
  return 0;
}
