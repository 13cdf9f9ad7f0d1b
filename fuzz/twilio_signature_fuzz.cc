// The inputs of X-Twilio-Signature: "<url>\n<form body>\n<signature>". Checking
// never crashes, and a signature computed for the URL, with or without its
// default port, is accepted for it.
#include "fuzz/fuzz_check.h"
#include "gateway/channels/twilio/twilio_signature.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in = gw::fuzz::text(data, size);
  const std::string_view url = gw::fuzz::take_until(in, '\n');
  const std::string_view body = gw::fuzz::take_until(in, '\n');
  const std::string_view signature = in;
  constexpr std::string_view kToken = "0123456789abcdef0123456789abcdef";

  (void)gw::validate_twilio_body_signature(kToken, url, body, signature);
  auto params = gw::form_urldecode(body);
  if (!params) return 0;
  (void)gw::validate_twilio_signature(kToken, url, *params, signature);
  FUZZ_CHECK(!gw::validate_twilio_signature("", url, *params, signature));
  for (const std::string& signed_url :
       {std::string(url), gw::with_default_port(url), gw::without_default_port(url)}) {
    const std::string good = gw::compute_twilio_signature(kToken, signed_url, *params);
    FUZZ_CHECK(gw::validate_twilio_signature(kToken, url, *params, good));
  }
  return 0;
}
