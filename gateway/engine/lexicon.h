// Lexicon: where the engine and input matching get translated keywords.
//
// Keywords are templates (keyword.menu, keyword.yes, number.1 …) whose text is a
// comma-separated list of words. The shell implements this over the template
// catalog and the translations, so the engine stays pure and tests pass a fake.
#pragma once

#include <string>
#include <vector>

namespace gw {

class Lexicon {
 public:
  virtual ~Lexicon() = default;
  // The words of keyword template `template_key` for a person whose language is
  // `lang`: those of every language in its fallback chain plus the source
  // language, each trimmed. Empty when the template has none.
  virtual std::vector<std::string> keywords(const std::string& template_key,
                                            const std::string& lang) const = 0;
};

}  // namespace gw
