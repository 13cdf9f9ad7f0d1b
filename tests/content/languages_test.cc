#include "gateway/content/languages.h"

#include <catch2/catch.hpp>

using gw::LanguagePolicy;
using Langs = std::vector<std::string>;

TEST_CASE("fallback chains follow the configured steps and end in English", "[content][languages]") {
  LanguagePolicy policy;
  CHECK(policy.chain("prs") == Langs{"prs", "fa", "en"});
  CHECK(policy.chain("fa-AF") == Langs{"fa-AF", "prs", "fa", "en"});
  CHECK(policy.chain("fa_af") == Langs{"fa-AF", "prs", "fa", "en"});
  CHECK(policy.chain("ar-EG") == Langs{"ar-EG", "ar", "en"});
  CHECK(policy.chain("ar") == Langs{"ar", "en"});
  CHECK(policy.chain("en") == Langs{"en"});
  CHECK(policy.chain("") == Langs{"en"});
}

TEST_CASE("configured fallbacks add to the defaults and a cycle stops", "[content][languages]") {
  auto policy = LanguagePolicy::from_json({{"fallbacks", {{"ti", "am"}, {"am", "ti"}}}});
  REQUIRE(policy.ok());
  CHECK(policy->chain("ti") == Langs{"ti", "am", "en"});
  CHECK(policy->chain("prs") == Langs{"prs", "fa", "en"});  // defaults still there
  auto bad = LanguagePolicy::from_json({{"fallback", {}}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("$.fallback") != std::string::npos);
}

TEST_CASE("countries map to their languages", "[content][languages]") {
  LanguagePolicy policy;
  CHECK(policy.country_languages("AF") == Langs{"prs", "fa", "ps"});
  CHECK(policy.country_languages("sy") == Langs{"ar"});
  CHECK(policy.country_languages("ER") == Langs{"ti"});
  CHECK(policy.country_languages("UA") == Langs{"uk"});
  CHECK(policy.country_languages("SN") == Langs{"fr"});
  CHECK(policy.country_languages("XX").empty());
}

TEST_CASE("the country of a number comes from libphonenumber", "[content][languages]") {
  CHECK(gw::country_of_number("+93701234567") == "AF");
  CHECK(gw::country_of_number("+447700900123") == "GB");
  CHECK(gw::country_of_number("+963944123456") == "SY");
  CHECK(gw::country_of_number("not a number").empty());
  CHECK(gw::country_of_number("").empty());
}

TEST_CASE("the dominant script ignores digits and punctuation", "[content][languages]") {
  CHECK(gw::dominant_script("سلام، کمک می‌خواهم 123") == "Arab");
  CHECK(gw::dominant_script("ሰላም") == "Ethi");
  CHECK(gw::dominant_script("Привіт, OK") == "Cyrl");
  CHECK(gw::dominant_script("hello!") == "Latn");
  CHECK(gw::dominant_script("123 !!").empty());
}

TEST_CASE("Arabic-script text from an Afghan number offers Dari, Farsi and Pashto first",
          "[content][languages]") {
  LanguagePolicy policy;
  const Langs afghan = policy.guess_languages("+93701234567", "سلام");
  REQUIRE(afghan.size() >= 4);
  CHECK(Langs(afghan.begin(), afghan.begin() + 3) == Langs{"prs", "fa", "ps"});
  CHECK(afghan.back() == "en");
  // The same script from a Syrian number puts Arabic first; from Pakistan, Urdu.
  CHECK(policy.guess_languages("+963944123456", "مرحبا").front() == "ar");
  CHECK(policy.guess_languages("+923001234567", "سلام").front() == "ur");
}

TEST_CASE("other scripts and Latin text are guessed by script then country", "[content][languages]") {
  LanguagePolicy policy;
  CHECK(policy.guess_languages("+447700900123", "ሰላም").front() == "ti");
  CHECK(policy.guess_languages("+447700900123", "Привіт").front() == "uk");
  CHECK(policy.guess_languages("+221771234567", "Bonjour").front() == "fr");
  CHECK(policy.guess_languages("+221771234567", "Bonjour")[1] == "en");
  CHECK(policy.guess_languages("+93701234567", "hello") == Langs{"en", "prs", "fa", "ps"});
  CHECK(policy.guess_languages("", "") == Langs{"en"});
}

TEST_CASE("right-to-left languages are known whatever their region", "[content][languages][rtl]") {
  for (const char* lang : {"ar", "fa", "prs", "ps", "ur", "ar-EG", "fa_AF"}) CHECK(gw::is_rtl(lang));
  for (const char* lang : {"en", "fr", "uk", "ti", "so"}) CHECK_FALSE(gw::is_rtl(lang));
}

TEST_CASE("language tags are normalised", "[content][languages]") {
  CHECK(gw::normalize_language("AR") == "ar");
  CHECK(gw::normalize_language("fa_af") == "fa-AF");
  CHECK(gw::normalize_language("sr_latn_rs") == "sr-Latn-RS");
}
