// SMS encoding and segment counting.
//
// An SMS is sent in GSM-7 when every character is in the GSM 03.38 default
// alphabet or its extension table (extension characters such as € { } [ ] ~
// cost two septets: an escape and the character), otherwise in UCS-2 (UTF-16
// code units; a character outside the BMP costs a surrogate pair).
// One segment holds 160 septets or 70 units; a concatenated message loses room
// to its header and holds 153 septets or 67 units a segment. An escape pair or
// a surrogate pair is never split across two segments, so the count is made by
// packing characters into segments, not by dividing.
//
// Smart encoding (as Twilio's "smart encoding") replaces look-alike characters
// (curly quotes, long dashes, ellipsis, odd spaces) by GSM ones, which can turn
// a UCS-2 message into a GSM-7 one and halve its cost.
#pragma once

#include <string>
#include <string_view>

namespace gw {

enum class SmsEncoding { kGsm7, kUcs2 };

const char* sms_encoding_name(SmsEncoding e);  // "GSM-7" or "UCS-2"

struct SegmentCount {
  SmsEncoding encoding = SmsEncoding::kGsm7;
  int segments = 1;  // an empty message is still one SMS
  int units = 0;     // septets (GSM-7) or UTF-16 code units (UCS-2)
  int characters = 0;
};

// Counts the segments of UTF-8 `text`. Invalid UTF-8 counts as U+FFFD (UCS-2).
SegmentCount count_segments(std::string_view text);

// `text` with look-alike characters replaced by GSM-7 ones; everything else
// is kept as it is (no letter is transliterated, so Arabic stays Arabic).
std::string smart_encode(std::string_view text);

// True when code point `cp` is in the GSM-7 default alphabet or its extension.
bool is_gsm7(char32_t cp);

}  // namespace gw
