// Whole-message keywords that work in any state of a conversation: stop,
// start again, help, and the crisis words (SOS, 112, "help me" …). The keyword
// lists are templates (keyword.stop, keyword.sos, …) that translators extend:
// every loaded language's list is matched, whatever language the person chose,
// so that "توقف" stops and "ساعدني" reaches the crisis answer even before a
// language was chosen. The language a word came from is reported, so that the
// answer can be given in it.
//
// Distress words (keyword.distress, and the crisis words) are also found inside
// free text, as whole words: "please help me they took my phone" contains
// "help me". The conversation uses that only where a numbered answer was
// expected (see Conversations).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gateway/content/template_catalog.h"

namespace gw {

class Renderer;

enum class Keyword { kNone, kStop, kStart, kHelp, kCrisis };

inline constexpr const char* kCrisisKeywords = "keyword.sos";
inline constexpr const char* kDistressWords = "keyword.distress";

// `text` case-folded (ICU, full folding), NFKC-normalised, with surrounding
// spaces and punctuation removed: "  Stop! " → "stop", "ＳＴＯＰ" → "stop".
std::string fold_keyword(std::string_view text);

struct KeywordHit {
  Keyword keyword = Keyword::kNone;
  std::string language;  // the language of the word's list ("en" for the source list); "" when none
};

class KeywordMatcher {
 public:
  // The source (English) lists of `catalog` only.
  explicit KeywordMatcher(const TemplateCatalog& catalog);
  // The source lists and every language `renderer` can render (drafts too when
  // it serves them).
  KeywordMatcher(const TemplateCatalog& catalog, const Renderer* renderer);

  // The keyword the whole message is, or kNone. A word on several lists counts
  // as the first of: stop, crisis, start, help (so "ساعدني", both "help" and
  // "help me" in Arabic drafts, is a crisis word).
  Keyword match(std::string_view body) const { return hit(body).keyword; }
  KeywordHit hit(std::string_view body) const;
  // True when `body` (its first 2,000 bytes) contains a crisis or distress word
  // or phrase as whole words; `language` gets the language of the first found.
  bool contains_distress(std::string_view body, std::string* language = nullptr) const;

 private:
  struct Word {
    std::string folded;
    Keyword keyword;
    std::string language;
  };
  void add(const std::string& key, Keyword kw, const std::vector<std::string>& words,
           const std::string& lang);

  std::vector<Word> words_;     // whole-message keywords, in priority order
  std::vector<Word> distress_;  // phrases found inside free text
};

}  // namespace gw
