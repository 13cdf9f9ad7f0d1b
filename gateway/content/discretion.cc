#include "gateway/content/discretion.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

namespace gw {

namespace {

std::string fold(const std::string& text) {
  icu::UnicodeString s =
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  if (U_SUCCESS(status)) {
    icu::UnicodeString n = nfkc->normalize(s, status);
    if (U_SUCCESS(status)) s = n;
  }
  s.foldCase(U_FOLD_CASE_DEFAULT);
  std::string out;
  s.toUTF8String(out);
  return out;
}

// True when `at` starts a word of `s`: no letter, digit or mark just before it.
bool word_start(const std::string& s, size_t at) {
  if (at == 0) return true;
  int32_t i = static_cast<int32_t>(at);
  UChar32 c;
  U8_PREV(reinterpret_cast<const uint8_t*>(s.data()), 0, i, c);
  return c < 0 ||
         !(u_isalnum(c) || u_charType(c) == U_NON_SPACING_MARK || u_charType(c) == U_COMBINING_SPACING_MARK);
}

}  // namespace

std::string lock_screen_part(const std::string& text) {
  icu::UnicodeString s =
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  const int32_t end = s.moveIndex32(0, kLockScreenChars);  // stops at the end of a shorter text
  std::string head;
  s.tempSubStringBetween(0, end).toUTF8String(head);
  return fold(head);
}

std::optional<std::string> sensitive_word_in(const std::string& text, const std::vector<std::string>& words) {
  const std::string head = lock_screen_part(text);
  for (const std::string& w : words) {
    const std::string folded = fold(w);
    if (folded.empty()) continue;
    for (size_t at = head.find(folded); at != std::string::npos; at = head.find(folded, at + 1)) {
      if (word_start(head, at)) return w;
    }
  }
  return std::nullopt;
}

}  // namespace gw
