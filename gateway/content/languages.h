// Languages: tags, fallback chains, text direction and a first guess at the
// language of a new contact.
//
// A fallback chain lists the languages to try, best first, always ending in the
// source language (English): "prs" → {"prs", "fa", "en"}, "fa-AF" → {"fa-AF", "prs",
// "fa", "en"}, "ar-EG" → {"ar-EG", "ar", "en"}. A language's next step is taken from
// the configured map; without an entry, "xx-YY" steps to "xx" and "xx" to the source.
//
// guess_languages() combines the country of the phone number (libphonenumber) with
// the dominant script of the first message (ICU) into an ordered list of
// candidates. It is a guess to OFFER the person ("reply 1 for العربية, 2 for
// فارسی"), never to assume: a number says where a SIM was bought, not who holds it.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gateway/core/result.h"

namespace gw {

// "AR" → "ar", "fa_af" → "fa-AF", " uk " → "uk"; script subtags are title-cased
// ("sr_latn" → "sr-Latn"). Empty stays empty.
std::string normalize_language(const std::string& tag);

// True for languages written right to left (ar, fa, prs, ps, ur, he, ckb, …),
// whatever their region subtag.
bool is_rtl(const std::string& lang);

// A language's name in English and in its own script ("Arabic", "العربية");
// both are the code itself for a language the helpline does not know.
struct LanguageName {
  std::string english, native;
};
LanguageName language_name(const std::string& lang);

// The ISO 15924 script a language is usually written in: "Arab", "Ethi", "Cyrl",
// … and "Latn" for any language not listed.
std::string language_script(const std::string& lang);

// The ISO 3166 region of an E.164 number ("+93…" → "AF"), or "" when the number
// cannot be parsed or belongs to no single region.
std::string country_of_number(const std::string& phone_e164);

// The ISO 15924 short name of the script most letters of `text` are in ("Arab",
// "Latn", …), ignoring digits, punctuation and emoji; "" when there are no letters.
std::string dominant_script(const std::string& text);

class LanguagePolicy {
 public:
  // The defaults: source "en", prs → fa, fa-AF → prs, and the country map below.
  LanguagePolicy();
  LanguagePolicy(std::string source_language, std::map<std::string, std::string> fallbacks,
                 std::map<std::string, std::vector<std::string>> country_languages);

  // The defaults with these overrides, from JSON such as
  //   {"source": "en", "fallbacks": {"prs": "fa"}, "countries": {"AF": ["prs", "ps"]}}
  // An unknown key or a value of the wrong kind is an error naming its JSON path.
  static Result<LanguagePolicy> from_json(const nlohmann::json& config);

  const std::string& source_language() const { return source_; }
  const std::map<std::string, std::string>& fallbacks() const { return fallbacks_; }

  // The languages to try for `lang`, best first, ending in the source language.
  std::vector<std::string> chain(const std::string& lang) const;

  // The languages spoken in ISO 3166 `country` ("AF" → {"prs", "fa", "ps"}), most
  // likely first; empty when unknown.
  std::vector<std::string> country_languages(const std::string& country) const;

  // Ordered candidate languages for a person texting from `phone_e164` with
  // `first_text`: languages written in the text's script come first (ordered by
  // the country's), Latin text points to the country's Latin-script languages and
  // then English, and the source language is always in the list. Neither input is
  // logged or kept.
  std::vector<std::string> guess_languages(const std::string& phone_e164,
                                           const std::string& first_text) const;

 private:
  std::string source_;
  std::map<std::string, std::string> fallbacks_;
  std::map<std::string, std::vector<std::string>> countries_;
};

}  // namespace gw
