// Telegram's webhook body: parse_telegram_update never crashes (nor throws), and
// split_telegram_text cuts any text, a message's or the raw input, into parts
// within the limit.
#include "fuzz/fuzz_check.h"
#include "gateway/channels/telegram/telegram_update.h"

namespace {

// UTF-16 code units of valid UTF-8 `s`: one a character, two past U+FFFF.
size_t utf16_units(const std::string& s) {
  size_t units = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++units;  // a lead byte
    if (c >= 0xF0) ++units;           // four bytes: a surrogate pair
  }
  return units;
}

void check_split(std::string_view text, size_t max_units) {
  for (const std::string& part : gw::split_telegram_text(text, max_units)) {
    FUZZ_CHECK(!part.empty());
    if (gw::fuzz::valid_utf8(text)) {
      FUZZ_CHECK(gw::fuzz::valid_utf8(part));
      FUZZ_CHECK(utf16_units(part) <= max_units);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body = gw::fuzz::text(data, size);
  auto update = gw::parse_telegram_update(body, "tg");
  if (update && update->has_value()) {
    FUZZ_CHECK(!(*update)->from.empty());
    check_split((*update)->body, 4096);
    check_split((*update)->body, 16);
  }
  // The first byte picks a small limit, so that every way of cutting is reached.
  if (size > 0) check_split(body.substr(1), 2 + data[0] % 30);
  return 0;
}
