#include "gateway/content/languages.h"

#include <map>

#include <phonenumbers/phonenumberutil.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace gw {
namespace {

std::string base_language(const std::string& lang) {
  return lang.substr(0, lang.find('-'));
}

const std::map<std::string, std::vector<std::string>>& default_countries() {
  static const auto* kMap = [] {
    auto* m = new std::map<std::string, std::vector<std::string>>{
        {"GB", {"en"}},       {"IE", {"en"}},       {"US", {"en"}},
        {"CA", {"en", "fr"}}, {"AU", {"en"}},       {"NG", {"en"}},
        {"GH", {"en"}},       {"GM", {"en"}},       {"SL", {"en"}},
        {"LR", {"en"}},       {"IT", {"it"}},       {"HR", {"hr"}},
        {"NL", {"nl"}},       {"BE", {"nl", "fr"}}, {"DE", {"de"}},
        {"ES", {"es"}},       {"PT", {"pt"}},       {"GR", {"el"}},
        {"TR", {"tr"}},       {"AL", {"sq"}},       {"AF", {"prs", "fa", "ps"}},
        {"IR", {"fa"}},       {"PK", {"ur", "en"}}, {"BD", {"bn"}},
        {"SY", {"ar"}},       {"IQ", {"ar"}},       {"EG", {"ar"}},
        {"SD", {"ar"}},       {"LY", {"ar"}},       {"MA", {"ar", "fr"}},
        {"TN", {"ar", "fr"}}, {"DZ", {"ar", "fr"}}, {"YE", {"ar"}},
        {"JO", {"ar"}},       {"LB", {"ar", "fr"}}, {"PS", {"ar"}},
        {"SA", {"ar"}},       {"KW", {"ar"}},       {"ER", {"ti"}},
        {"ET", {"am", "ti"}}, {"SO", {"so"}},       {"UA", {"uk"}},
        {"FR", {"fr"}},       {"SN", {"fr"}},       {"CI", {"fr"}},
        {"ML", {"fr"}},       {"GN", {"fr"}},       {"CM", {"fr", "en"}},
        {"CD", {"fr"}},       {"BF", {"fr"}},       {"NE", {"fr"}},
        {"TD", {"fr", "ar"}}, {"VN", {"vi"}},       {"CN", {"zh"}},
        {"AM", {"hy"}},       {"GE", {"ka"}},
    };
    return m;
  }();
  return *kMap;
}

// Languages offered for text in a script, when the country does not narrow it.
const std::map<std::string, std::vector<std::string>>& script_languages() {
  static const auto* kMap = new std::map<std::string, std::vector<std::string>>{
      {"Arab", {"ar", "fa", "prs", "ps", "ur"}},
      {"Ethi", {"ti", "am"}},
      {"Cyrl", {"uk", "ru"}},
  };
  return *kMap;
}

void add_unique(std::vector<std::string>* out, const std::string& lang) {
  if (!lang.empty() && std::find(out->begin(), out->end(), lang) == out->end()) out->push_back(lang);
}

}  // namespace

std::string normalize_language(const std::string& tag) {
  std::string t;
  for (char c : tag) {
    if (c == '_') c = '-';
    if (!std::isspace(static_cast<unsigned char>(c))) t += c;
  }
  std::string out;
  size_t start = 0;
  for (int i = 0; start <= t.size(); ++i) {
    size_t end = t.find('-', start);
    if (end == std::string::npos) end = t.size();
    std::string part = t.substr(start, end - start);
    for (char& c : part) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (i > 0 && part.size() == 2) {
      for (char& c : part) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else if (i > 0 && part.size() == 4) {
      part[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(part[0])));
    }
    if (!part.empty()) out += (out.empty() ? "" : "-") + part;
    start = end + 1;
  }
  return out;
}

LanguageName language_name(const std::string& lang) {
  static const std::map<std::string, LanguageName> names = {
      {"en", {"English", "English"}},  {"ar", {"Arabic", "العربية"}},    {"fa", {"Farsi", "فارسی"}},
      {"prs", {"Dari", "دری"}},        {"ps", {"Pashto", "پښتو"}},       {"ti", {"Tigrinya", "ትግርኛ"}},
      {"so", {"Somali", "Soomaali"}},  {"fr", {"French", "Français"}},   {"uk", {"Ukrainian", "Українська"}},
      {"it", {"Italian", "Italiano"}}, {"hr", {"Croatian", "Hrvatski"}}, {"nl", {"Dutch", "Nederlands"}},
      {"ur", {"Urdu", "اردو"}},
  };
  auto n = names.find(lang);
  return n == names.end() ? LanguageName{lang, lang} : n->second;
}

bool is_rtl(const std::string& lang) {
  static const std::set<std::string> kRtl = {"ar",  "fa", "prs", "ps", "ur", "he",
                                             "ckb", "sd", "ug",  "yi", "dv"};
  const std::string n = normalize_language(lang);
  if (n.find("-Arab") != std::string::npos) return true;
  return kRtl.count(base_language(n)) > 0;
}

std::string language_script(const std::string& lang) {
  static const std::map<std::string, std::string> kScripts = {
      {"ar", "Arab"}, {"fa", "Arab"}, {"prs", "Arab"}, {"ps", "Arab"}, {"ur", "Arab"}, {"ckb", "Arab"},
      {"sd", "Arab"}, {"ti", "Ethi"}, {"am", "Ethi"},  {"uk", "Cyrl"}, {"ru", "Cyrl"}, {"bg", "Cyrl"},
      {"mk", "Cyrl"}, {"he", "Hebr"}, {"el", "Grek"},  {"bn", "Beng"}, {"hi", "Deva"}, {"ne", "Deva"},
      {"zh", "Hani"}, {"hy", "Armn"}, {"ka", "Geor"},  {"ta", "Taml"}, {"my", "Mymr"}, {"th", "Thai"},
  };
  auto it = kScripts.find(base_language(normalize_language(lang)));
  return it == kScripts.end() ? "Latn" : it->second;
}

std::string country_of_number(const std::string& phone_e164) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  if (phone_e164.empty() || phone_e164[0] != '+') return "";
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util->Parse(phone_e164, "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) return "";
  std::string region;
  util->GetRegionCodeForNumber(number, &region);
  // A number outside the ranges libphonenumber knows (a new block, a range kept
  // for fiction) still says its country by its calling code.
  if (region.empty() || region == "ZZ") util->GetRegionCodeForCountryCode(number.country_code(), &region);
  return region == "ZZ" || region == "001" ? "" : region;
}

std::string dominant_script(const std::string& text) {
  std::map<UScriptCode, int> counts;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) continue;
    UErrorCode status = U_ZERO_ERROR;
    const UScriptCode script = uscript_getScript(c, &status);
    if (U_FAILURE(status) || script == USCRIPT_COMMON || script == USCRIPT_INHERITED ||
        script == USCRIPT_UNKNOWN) {
      continue;
    }
    ++counts[script];
  }
  if (counts.empty()) return "";
  auto best = std::max_element(counts.begin(), counts.end(),
                               [](const auto& a, const auto& b) { return a.second < b.second; });
  const char* name = uscript_getShortName(best->first);
  return name ? name : "";
}

LanguagePolicy::LanguagePolicy()
    : LanguagePolicy("en", {{"prs", "fa"}, {"fa-AF", "prs"}}, default_countries()) {}

LanguagePolicy::LanguagePolicy(std::string source_language, std::map<std::string, std::string> fallbacks,
                               std::map<std::string, std::vector<std::string>> country_languages)
    : source_(normalize_language(source_language)) {
  for (const auto& [from, to] : fallbacks) fallbacks_[normalize_language(from)] = normalize_language(to);
  for (auto& [country, langs] : country_languages) {
    std::vector<std::string> norm;
    for (const auto& l : langs) add_unique(&norm, normalize_language(l));
    std::string c = country;
    for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    countries_[c] = std::move(norm);
  }
}

Result<LanguagePolicy> LanguagePolicy::from_json(const nlohmann::json& config) {
  if (!config.is_object()) return Error::invalid("$: languages must be an object");
  std::string source = "en";
  std::map<std::string, std::string> fallbacks = {{"prs", "fa"}, {"fa-AF", "prs"}};
  auto countries = default_countries();
  std::string problems;
  auto problem = [&](const std::string& p) { problems += (problems.empty() ? "" : "\n") + p; };
  for (const auto& [key, value] : config.items()) {
    if (key == "source") {
      if (value.is_string() && !value.get<std::string>().empty())
        source = value.get<std::string>();
      else
        problem("$.source: must be a language tag");
    } else if (key == "fallbacks") {
      if (!value.is_object()) {
        problem("$.fallbacks: must be an object of language → next language");
        continue;
      }
      for (const auto& [from, to] : value.items()) {
        if (to.is_string() && !to.get<std::string>().empty())
          fallbacks[from] = to.get<std::string>();
        else
          problem("$.fallbacks." + from + ": must be a language tag");
      }
    } else if (key == "countries") {
      if (!value.is_object()) {
        problem("$.countries: must be an object of country → [languages]");
        continue;
      }
      for (const auto& [country, langs] : value.items()) {
        std::vector<std::string> list;
        bool ok = langs.is_array();
        if (ok) {
          for (const auto& l : langs) {
            if (!l.is_string())
              ok = false;
            else
              list.push_back(l.get<std::string>());
          }
        }
        if (ok)
          countries[country] = list;
        else
          problem("$.countries." + country + ": must be a list of language tags");
      }
    } else {
      problem("$." + key + ": unknown key");
    }
  }
  if (!problems.empty()) return Error::invalid(problems);
  return LanguagePolicy(source, fallbacks, countries);
}

std::vector<std::string> LanguagePolicy::chain(const std::string& lang) const {
  std::vector<std::string> out;
  std::string current = normalize_language(lang);
  while (!current.empty() && std::find(out.begin(), out.end(), current) == out.end()) {
    out.push_back(current);
    if (current == source_) break;
    if (auto it = fallbacks_.find(current); it != fallbacks_.end()) {
      current = it->second;
    } else if (current.find('-') != std::string::npos) {
      current = current.substr(0, current.rfind('-'));
    } else {
      current = source_;
    }
  }
  add_unique(&out, source_);
  return out;
}

std::vector<std::string> LanguagePolicy::country_languages(const std::string& country) const {
  std::string c = country;
  for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  auto it = countries_.find(c);
  return it == countries_.end() ? std::vector<std::string>{} : it->second;
}

std::vector<std::string> LanguagePolicy::guess_languages(const std::string& phone_e164,
                                                         const std::string& first_text) const {
  const std::vector<std::string> local = country_languages(country_of_number(phone_e164));
  const std::string script = dominant_script(first_text);
  std::vector<std::string> out;
  if (script.empty()) {
    for (const auto& l : local) add_unique(&out, l);
  } else {
    for (const auto& l : local) {
      if (language_script(l) == script) add_unique(&out, l);
    }
    if (auto it = script_languages().find(script); it != script_languages().end()) {
      for (const auto& l : it->second) add_unique(&out, l);
    }
    if (script == "Latn") add_unique(&out, source_);
    for (const auto& l : local) add_unique(&out, l);
  }
  add_unique(&out, source_);
  return out;
}

}  // namespace gw
