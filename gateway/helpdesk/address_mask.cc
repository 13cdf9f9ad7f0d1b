#include "gateway/helpdesk/address_mask.h"

#include <phonenumbers/phonenumberutil.h>

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
  if (a.size() <= 3) return kDot + kDot + kDot;
  std::string out;
  for (size_t i = 0; i + 3 < a.size() && i < 8; ++i) out += kDot;
  return out + " " + a.substr(a.size() - 3);
}

}  // namespace gw
