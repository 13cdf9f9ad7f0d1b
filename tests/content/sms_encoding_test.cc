#include "gateway/content/sms_encoding.h"

#include <catch2/catch.hpp>
#include <string>

using gw::count_segments;
using gw::SmsEncoding;

namespace {
std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}
}  // namespace

TEST_CASE("plain GSM text fits 160 septets in one segment and 153 a segment after that", "[content][sms]") {
  CHECK(count_segments(repeat("a", 160)).segments == 1);
  CHECK(count_segments(repeat("a", 160)).encoding == SmsEncoding::kGsm7);
  CHECK(count_segments(repeat("a", 161)).segments == 2);
  CHECK(count_segments(repeat("a", 306)).segments == 2);
  CHECK(count_segments(repeat("a", 307)).segments == 3);
  CHECK(count_segments("").segments == 1);
}

TEST_CASE("GSM accented letters of the default alphabet stay GSM-7, others force UCS-2", "[content][sms]") {
  CHECK(count_segments("Città è già là, Ñoño Ø Å ß").encoding == SmsEncoding::kGsm7);
  CHECK(count_segments("Hrvatska: č ć š ž").encoding == SmsEncoding::kUcs2);
  CHECK(count_segments("`").encoding == SmsEncoding::kUcs2);
  CHECK(count_segments("Ñandú").encoding == SmsEncoding::kUcs2);  // ú is not in the GSM alphabet
}

TEST_CASE("extension characters cost two septets and their escape pair is never split", "[content][sms]") {
  CHECK(count_segments(repeat("€", 80)).units == 160);
  CHECK(count_segments(repeat("€", 80)).segments == 1);
  CHECK(count_segments(repeat("[", 81)).segments == 2);
  // 152 + 2 + 152 = 306 septets: division says 2, but the € cannot straddle segment 1 and 2.
  const auto c = count_segments(repeat("a", 152) + "€" + repeat("a", 152));
  CHECK(c.units == 306);
  CHECK(c.segments == 3);
}

TEST_CASE("UCS-2 fits 70 units in one segment and 67 after, and a surrogate pair is never split",
          "[content][sms]") {
  CHECK(count_segments(repeat("ж", 70)).segments == 1);
  CHECK(count_segments(repeat("ж", 71)).segments == 2);
  CHECK(count_segments(repeat("ع", 134)).segments == 2);
  CHECK(count_segments("🙂").units == 2);
  // 66 + 2 + 66 = 134 units: division says 2, but the emoji cannot straddle.
  const auto c = count_segments(repeat("ж", 66) + "🙂" + repeat("ж", 66));
  CHECK(c.encoding == SmsEncoding::kUcs2);
  CHECK(c.units == 134);
  CHECK(c.segments == 3);
}

TEST_CASE("Arabic, Tigrinya and Ukrainian are UCS-2", "[content][sms]") {
  CHECK(count_segments("مرحبا").encoding == SmsEncoding::kUcs2);
  CHECK(count_segments("ሰላም").encoding == SmsEncoding::kUcs2);
  CHECK(count_segments("Привіт").encoding == SmsEncoding::kUcs2);
  CHECK(count_segments("مرحبا").characters == 5);
}

TEST_CASE("smart encoding replaces look-alikes so a message can become GSM-7", "[content][sms]") {
  const std::string text = "“Don’t wait” – call now…\u00a0ok";
  CHECK(count_segments(text).encoding == SmsEncoding::kUcs2);
  const std::string smart = gw::smart_encode(text);
  CHECK(smart == "\"Don't wait\" - call now... ok");
  CHECK(count_segments(smart).encoding == SmsEncoding::kGsm7);
  // Letters are never transliterated.
  CHECK(gw::smart_encode("مرحبا — ok") == "مرحبا - ok");
  CHECK(gw::smart_encode("a\u200bb") == "ab");
}

TEST_CASE("invalid UTF-8 counts as a replacement character, not a crash", "[content][sms]") {
  const auto c = count_segments(std::string("ok\xff\xfe"));
  CHECK(c.encoding == SmsEncoding::kUcs2);
  CHECK(c.characters == 4);
}
