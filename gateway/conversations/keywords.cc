#include "gateway/conversations/keywords.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

namespace gw {

std::string fold_keyword(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  icu::UnicodeString s = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  if (U_SUCCESS(status)) {
    icu::UnicodeString n = nfkc->normalize(s, status);
    if (U_SUCCESS(status)) s = n;
  }
  s.foldCase(U_FOLD_CASE_DEFAULT);
  // Trim spaces and punctuation at both ends ("STOP." or "stop!!" still mean stop).
  int32_t begin = 0, end = s.length();
  auto strip = [](UChar32 c) { return u_isUWhiteSpace(c) || u_ispunct(c) || u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT); };
  while (begin < end && strip(s.char32At(begin))) begin = s.moveIndex32(begin, 1);
  while (end > begin && strip(s.char32At(s.moveIndex32(end, -1)))) end = s.moveIndex32(end, -1);
  std::string out;
  s.tempSubStringBetween(begin, end).toUTF8String(out);
  return out;
}

KeywordMatcher::KeywordMatcher(const TemplateCatalog& catalog) {
  const std::pair<const char*, Keyword> lists[] = {
      {"keyword.stop", Keyword::kStop}, {"keyword.start", Keyword::kStart}, {"keyword.help", Keyword::kHelp}};
  for (const auto& [key, kw] : lists) {
    for (const std::string& w : catalog.keywords(key)) words_.emplace_back(fold_keyword(w), kw);
  }
}

Keyword KeywordMatcher::match(std::string_view body) const {
  const std::string folded = fold_keyword(body);
  if (folded.empty()) return Keyword::kNone;
  for (const auto& [w, kw] : words_) {
    if (w == folded) return kw;
  }
  return Keyword::kNone;
}

}  // namespace gw
