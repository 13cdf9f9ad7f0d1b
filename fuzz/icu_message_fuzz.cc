// Template and translation text as ICU MessageFormat: checking, listing the
// arguments and formatting with sample values never crash (nor throw), for the
// languages whose plural rules differ most. The first byte picks the language.
#include <algorithm>
#include <array>

#include "fuzz/fuzz_check.h"
#include "gateway/content/icu_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const std::array<const char*, 10> kLanguages = {"en", "ar", "fa", "prs",     "ti",
                                                         "uk", "fr", "so", "xx-Zzzz", ""};
  const std::string lang = kLanguages[data[0] % kLanguages.size()];
  const std::string pattern(gw::fuzz::text(data + 1, size - 1));
  const gw::Status syntax = gw::check_message_syntax(pattern);
  const std::set<std::string> names = gw::message_arguments(pattern);
  const nlohmann::json sample = gw::sample_arguments(pattern);
  if (!syntax) {
    FUZZ_CHECK(names.empty());
    (void)gw::format_message(pattern, lang);
    return 0;
  }
  for (const std::string& name : names) FUZZ_CHECK(sample.contains(name));
  (void)gw::format_message(pattern, lang, sample);
  (void)gw::format_message(pattern, lang, nlohmann::json{{"n", "not a number"}, {"name", 3}});
  (void)gw::icu_locale_name(std::string(gw::fuzz::text(data + 1, std::min<size_t>(size - 1, 16))));
  return 0;
}
