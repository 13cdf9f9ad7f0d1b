// Whole-message keywords that work in any state of a conversation: stop,
// start again, help. The keyword lists are templates (keyword.stop, …), so
// translators add the words people use in their language.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gateway/content/template_catalog.h"

namespace gw {

enum class Keyword { kNone, kStop, kStart, kHelp };

// `text` case-folded (ICU, full folding), NFKC-normalised, with surrounding
// spaces and punctuation removed: "  Stop! " → "stop", "ＳＴＯＰ" → "stop".
std::string fold_keyword(std::string_view text);

class KeywordMatcher {
 public:
  explicit KeywordMatcher(const TemplateCatalog& catalog);
  // The keyword the whole message is, or kNone.
  Keyword match(std::string_view body) const;

 private:
  std::vector<std::pair<std::string, Keyword>> words_;  // folded
};

}  // namespace gw
