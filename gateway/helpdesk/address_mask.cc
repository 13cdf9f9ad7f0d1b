#include "gateway/helpdesk/address_mask.h"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>

namespace gw {

std::string mask_address(const std::string& address) {
  std::string a = address;
  for (const char* prefix : {"whatsapp:", "messenger:"}) {
    if (a.rfind(prefix, 0) == 0) a = a.substr(std::string(prefix).size());
  }
  static const std::string kDot = "\u2022";
  if (!a.empty() && a[0] == '+') {
    using i18n::phonenumbers::PhoneNumber;
    using i18n::phonenumbers::PhoneNumberUtil;
    PhoneNumber number;
    const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
    if (util->Parse(a, "ZZ", &number) == PhoneNumberUtil::NO_PARSING_ERROR) {
      const std::string national = std::to_string(number.national_number());
      if (national.size() > 3) {
        return "+" + std::to_string(number.country_code()) + " " + kDot + kDot + kDot + kDot + " " + kDot +
               kDot + kDot + " " + national.substr(national.size() - 3);
      }
    }
  }
  // Counted in characters, so that the tail shown never ends a character cut in
  // half (the mask goes into JSON, which must be valid UTF-8). A byte that is not
  // part of a UTF-8 character counts as one.
  const auto continuation = [&](size_t i) { return (static_cast<unsigned char>(a[i]) & 0xC0) == 0x80; };
  size_t tail = a.size();
  for (int shown = 0; shown < 3 && tail > 0; ++shown) {
    --tail;
    for (int k = 0; k < 3 && tail > 0 && continuation(tail); ++k) --tail;
  }
  if (tail == 0) return kDot + kDot + kDot;
  size_t hidden = 0;
  for (size_t i = 0; i < tail; ++i) hidden += !continuation(i);
  std::string out;
  for (size_t i = 0; i < std::max<size_t>(hidden, 1) && i < 8; ++i) out += kDot;
  return out + " " + a.substr(tail);
}

}  // namespace gw
