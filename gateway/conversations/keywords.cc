#include "gateway/conversations/keywords.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>

#include "gateway/content/renderer.h"

namespace gw {

std::string fold_keyword(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  icu::UnicodeString s =
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  if (U_SUCCESS(status)) {
    icu::UnicodeString n = nfkc->normalize(s, status);
    if (U_SUCCESS(status)) s = n;
  }
  s.foldCase(U_FOLD_CASE_DEFAULT);
  // Trim spaces and punctuation at both ends ("STOP." or "stop!!" still mean stop).
  int32_t begin = 0, end = s.length();
  auto strip = [](UChar32 c) {
    return u_isUWhiteSpace(c) || u_ispunct(c) || u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
  };
  while (begin < end && strip(s.char32At(begin))) begin = s.moveIndex32(begin, 1);
  while (end > begin && strip(s.char32At(s.moveIndex32(end, -1)))) end = s.moveIndex32(end, -1);
  std::string out;
  s.tempSubStringBetween(begin, end).toUTF8String(out);
  return out;
}

namespace {

struct List {
  const char* key;
  Keyword keyword;
};
// Priority order: a word on two lists counts as the first.
constexpr List kLists[] = {{"keyword.stop", Keyword::kStop},
                           {kCrisisKeywords, Keyword::kCrisis},
                           {"keyword.start", Keyword::kStart},
                           {"keyword.help", Keyword::kHelp}};

constexpr size_t kMaxDistressScan = 2000;

// True when the code point that ends just before `at` (or starts at `at`) in
// `s` is not a letter, mark or digit: a word boundary.
bool boundary_before(const std::string& s, size_t at) {
  if (at == 0) return true;
  int32_t i = static_cast<int32_t>(at);
  UChar32 c;
  U8_PREV(reinterpret_cast<const uint8_t*>(s.data()), 0, i, c);
  return c < 0 || !(u_isalnum(c) || u_getCombiningClass(c) > 0 || u_charType(c) == U_NON_SPACING_MARK);
}
bool boundary_after(const std::string& s, size_t at) {
  if (at >= s.size()) return true;
  int32_t i = static_cast<int32_t>(at);
  UChar32 c;
  U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, static_cast<int32_t>(s.size()), c);
  return c < 0 || !(u_isalnum(c) || u_getCombiningClass(c) > 0 || u_charType(c) == U_NON_SPACING_MARK);
}

}  // namespace

void KeywordMatcher::add(const std::string& key, Keyword kw, const std::vector<std::string>& words,
                         const std::string& lang) {
  for (const std::string& w : words) {
    std::string folded = fold_keyword(w);
    if (folded.empty()) continue;
    const bool seen = std::any_of(words_.begin(), words_.end(),
                                  [&](const Word& x) { return x.folded == folded && x.keyword == kw; });
    if (!seen) words_.push_back({folded, kw, lang});
    if (key == kCrisisKeywords || key == kDistressWords) {
      const bool known =
          std::any_of(distress_.begin(), distress_.end(), [&](const Word& x) { return x.folded == folded; });
      if (!known) distress_.push_back({folded, Keyword::kCrisis, lang});
    }
  }
}

KeywordMatcher::KeywordMatcher(const TemplateCatalog& catalog) : KeywordMatcher(catalog, nullptr) {}

KeywordMatcher::KeywordMatcher(const TemplateCatalog& catalog, const Renderer* renderer) {
  const std::string source = renderer ? renderer->policy().source_language() : "en";
  std::vector<std::string> langs = renderer ? renderer->languages() : std::vector<std::string>{source};
  // Whole-message words, list by list (the priority order), each language's words.
  for (const List& l : kLists) {
    add(l.key, l.keyword, catalog.keywords(l.key), source);
    if (!renderer) continue;
    for (const std::string& lang : langs) {
      if (lang != source) add(l.key, l.keyword, renderer->keywords(l.key, lang), lang);
    }
  }
  // Distress words are found inside free text only; they are no whole-message keyword.
  std::vector<Word> whole = words_;
  add(kDistressWords, Keyword::kCrisis, catalog.keywords(kDistressWords), source);
  if (renderer) {
    for (const std::string& lang : langs) {
      if (lang != source)
        add(kDistressWords, Keyword::kCrisis, renderer->keywords(kDistressWords, lang), lang);
    }
  }
  words_ = std::move(whole);
  // Longer phrases first, so that the language reported is the most specific one.
  std::stable_sort(distress_.begin(), distress_.end(),
                   [](const Word& a, const Word& b) { return a.folded.size() > b.folded.size(); });
}

KeywordHit KeywordMatcher::hit(std::string_view body) const {
  const std::string folded = fold_keyword(body);
  if (folded.empty()) return {};
  for (const List& l : kLists) {
    for (const Word& w : words_) {
      if (w.keyword == l.keyword && w.folded == folded) return {w.keyword, w.language};
    }
  }
  return {};
}

bool KeywordMatcher::contains_distress(std::string_view body, std::string* language) const {
  if (body.size() > kMaxDistressScan) {
    size_t cut = kMaxDistressScan;
    while (cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) --cut;
    body = body.substr(0, cut);
  }
  const std::string text = fold_keyword(body);
  for (const Word& w : distress_) {
    for (size_t at = text.find(w.folded); at != std::string::npos; at = text.find(w.folded, at + 1)) {
      if (boundary_before(text, at) && boundary_after(text, at + w.folded.size())) {
        if (language) *language = w.language;
        return true;
      }
    }
  }
  return false;
}

}  // namespace gw
