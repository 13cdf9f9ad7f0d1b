#include "gateway/content/sms_encoding.h"

#include <unicode/utf8.h>

#include <unordered_map>
#include <vector>

namespace gw {
namespace {

// GSM 03.38 default alphabet, in septet order.
constexpr char32_t kGsmBasic[128] = {
    U'@', U'£', U'$', U'¥', U'è', U'é', U'ù', U'ì',  U'ò', U'Ç', U'\n', U'Ø', U'ø', U'\r', U'Å', U'å',
    U'Δ', U'_', U'Φ', U'Γ', U'Λ', U'Ω', U'Π', U'Ψ',  U'Σ', U'Θ', U'Ξ',  0x1B, U'Æ', U'æ',  U'ß', U'É',
    U' ', U'!', U'"', U'#', U'¤', U'%', U'&', U'\'', U'(', U')', U'*',  U'+', U',', U'-',  U'.', U'/',
    U'0', U'1', U'2', U'3', U'4', U'5', U'6', U'7',  U'8', U'9', U':',  U';', U'<', U'=',  U'>', U'?',
    U'¡', U'A', U'B', U'C', U'D', U'E', U'F', U'G',  U'H', U'I', U'J',  U'K', U'L', U'M',  U'N', U'O',
    U'P', U'Q', U'R', U'S', U'T', U'U', U'V', U'W',  U'X', U'Y', U'Z',  U'Ä', U'Ö', U'Ñ',  U'Ü', U'§',
    U'¿', U'a', U'b', U'c', U'd', U'e', U'f', U'g',  U'h', U'i', U'j',  U'k', U'l', U'm',  U'n', U'o',
    U'p', U'q', U'r', U's', U't', U'u', U'v', U'w',  U'x', U'y', U'z',  U'ä', U'ö', U'ñ',  U'ü', U'à',
};

// Characters of the extension table: sent as ESC + septet, two septets each.
constexpr char32_t kGsmExtension[] = {U'\f', U'^', U'{', U'}', U'\\', U'[', U'~', U']', U'|', U'€'};

// 0 = not in GSM-7, 1 = basic, 2 = extension.
int gsm_cost(char32_t cp) {
  static const std::unordered_map<char32_t, int> kCost = [] {
    std::unordered_map<char32_t, int> m;
    for (char32_t c : kGsmBasic) {
      if (c != 0x1B) m[c] = 1;
    }
    for (char32_t c : kGsmExtension) m[c] = 2;
    return m;
  }();
  auto it = kCost.find(cp);
  return it == kCost.end() ? 0 : it->second;
}

// Look-alikes and their GSM-7 replacements ("" removes the character).
const std::unordered_map<char32_t, std::string_view>& smart_map() {
  static const std::unordered_map<char32_t, std::string_view> kMap = {
      // double quotes
      {U'«', "\""},
      {U'»', "\""},
      {U'“', "\""},
      {U'”', "\""},
      {U'„', "\""},
      {U'‟', "\""},
      {U'″', "\""},
      {U'〃', "\""},
      {0x02BA, "\""},
      {0x02DD, "\""},
      {0x02EE, "\""},
      {0xFF02, "\""},
      // single quotes and apostrophes
      {U'‘', "'"},
      {U'’', "'"},
      {U'‚', "'"},
      {U'‛', "'"},
      {U'′', "'"},
      {U'‵', "'"},
      {U'`', "'"},
      {U'´', "'"},
      {0x02B9, "'"},
      {0x02BB, "'"},
      {0x02BC, "'"},
      {0x02BD, "'"},
      {0x02C8, "'"},
      {0x02CA, "'"},
      {0x02CB, "'"},
      {0xFF07, "'"},
      // angle quotes
      {U'‹', "<"},
      {U'›', ">"},
      // dashes and minus
      {U'‐', "-"},
      {U'‑', "-"},
      {U'‒', "-"},
      {U'–', "-"},
      {U'—', "-"},
      {U'―', "-"},
      {U'−', "-"},
      {0xFE58, "-"},
      {0xFE63, "-"},
      {0xFF0D, "-"},
      // ellipsis, slashes, times, circumflex, tilde
      {U'…', "..."},
      {U'⁄', "/"},
      {U'∕', "/"},
      {0xFF0F, "/"},
      {U'×', "x"},
      {0x02C6, "^"},
      {0x02DC, "~"},
      // odd spaces
      {0x00A0, " "},
      {0x2000, " "},
      {0x2001, " "},
      {0x2002, " "},
      {0x2003, " "},
      {0x2004, " "},
      {0x2005, " "},
      {0x2006, " "},
      {0x2007, " "},
      {0x2008, " "},
      {0x2009, " "},
      {0x200A, " "},
      {0x202F, " "},
      {0x205F, " "},
      {0x3000, " "},
      {0x0009, " "},
      // invisible characters
      {0x200B, ""},
      {0xFEFF, ""},
      {0x00AD, ""},
  };
  return kMap;
}

std::vector<char32_t> decode(std::string_view text) {
  std::vector<char32_t> out;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t len = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < len) {
    UChar32 c;
    U8_NEXT(s, i, len, c);
    out.push_back(c < 0 ? char32_t{0xFFFD} : static_cast<char32_t>(c));
  }
  return out;
}

// Packs characters of the given costs into segments of `multi` units, never
// splitting one character; a message that fits `single` is one segment.
int pack(const std::vector<int>& costs, int total, int single, int multi) {
  if (total <= single) return 1;
  int segments = 1, used = 0;
  for (int c : costs) {
    if (used + c > multi) {
      ++segments;
      used = 0;
    }
    used += c;
  }
  return segments;
}

}  // namespace

const char* sms_encoding_name(SmsEncoding e) {
  return e == SmsEncoding::kGsm7 ? "GSM-7" : "UCS-2";
}

bool is_gsm7(char32_t cp) {
  return gsm_cost(cp) > 0;
}

SegmentCount count_segments(std::string_view text) {
  const std::vector<char32_t> cps = decode(text);
  SegmentCount out;
  out.characters = static_cast<int>(cps.size());
  std::vector<int> costs;
  costs.reserve(cps.size());
  bool gsm = true;
  for (char32_t cp : cps) {
    const int c = gsm_cost(cp);
    if (c == 0) {
      gsm = false;
      break;
    }
    costs.push_back(c);
  }
  if (gsm) {
    out.encoding = SmsEncoding::kGsm7;
    for (int c : costs) out.units += c;
    out.segments = pack(costs, out.units, 160, 153);
    return out;
  }
  costs.clear();
  for (char32_t cp : cps) costs.push_back(cp > 0xFFFF ? 2 : 1);
  out.encoding = SmsEncoding::kUcs2;
  out.units = 0;
  for (int c : costs) out.units += c;
  out.segments = pack(costs, out.units, 70, 67);
  return out;
}

std::string smart_encode(std::string_view text) {
  const auto& map = smart_map();
  std::string out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t len = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < len) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, len, c);
    auto it = c < 0 ? map.end() : map.find(static_cast<char32_t>(c));
    if (it != map.end())
      out.append(it->second);
    else
      out.append(text.substr(static_cast<size_t>(start), static_cast<size_t>(i - start)));
  }
  return out;
}

}  // namespace gw
