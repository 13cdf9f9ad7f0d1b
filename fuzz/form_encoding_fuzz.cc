// form_urldecode on any body: it never crashes, form_field_count agrees with it,
// and what it decodes survives encoding and decoding again unchanged.
#include <algorithm>

#include "fuzz/fuzz_check.h"
#include "gateway/core/form_encoding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body = gw::fuzz::text(data, size);
  constexpr size_t kLimit = 64;
  const size_t counted = gw::form_field_count(body, kLimit);
  FUZZ_CHECK(counted <= kLimit + 1);
  auto fields = gw::form_urldecode(body);
  if (!fields) return 0;
  FUZZ_CHECK(counted == std::min(fields->size(), kLimit + 1));
  const std::string encoded = gw::form_urlencode(*fields);
  auto again = gw::form_urldecode(encoded);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *fields);
  for (const auto& [name, value] : *fields) FUZZ_CHECK(gw::form_find(*fields, name) != nullptr);
  return 0;
}
