// Phone numbers through libphonenumber as the gateway uses it: the country of
// a sender's number, the language guess, and the masked address an operator
// sees. Never crash; the mask keeps at most a calling code and three digits, and
// stays valid UTF-8.
#include "fuzz/fuzz_check.h"
#include "gateway/content/languages.h"
#include "gateway/helpdesk/address_mask.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string address(gw::fuzz::text(data, size));
  const std::string country = gw::country_of_number(address);
  FUZZ_CHECK(country.empty() || country.size() == 2);
  static const gw::LanguagePolicy policy;
  (void)policy.guess_languages(address, "hello");
  const std::string masked = gw::mask_address(address);
  size_t digits = 0;
  for (char c : masked) digits += c >= '0' && c <= '9';
  FUZZ_CHECK(digits <= 6);
  if (gw::fuzz::valid_utf8(address)) FUZZ_CHECK(gw::fuzz::valid_utf8(masked));
  return 0;
}
