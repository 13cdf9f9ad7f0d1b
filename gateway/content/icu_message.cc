#include "gateway/content/icu_message.h"

#include <unicode/fmtable.h>
#include <unicode/locid.h>
#include <unicode/messagepattern.h>
#include <unicode/msgfmt.h>
#include <unicode/parseerr.h>
#include <unicode/plurrule.h>
#include <unicode/strenum.h>
#include <unicode/unistr.h>
#include <unicode/utypes.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <vector>

namespace gw {
namespace {

enum class ArgUse { kText, kNumber };

struct Parsed {
  std::map<std::string, ArgUse> args;  // name → how it is used (a number wins)
  std::map<std::string, ArgumentKind> kinds;
};

// Which of two uses of one argument describes it (see ArgumentKind).
int rank(ArgumentKind k) {
  switch (k) {
    case ArgumentKind::kPlural:
      return 3;
    case ArgumentKind::kNumber:
      return 2;
    case ArgumentKind::kSelect:
      return 1;
    case ArgumentKind::kText:
      return 0;
  }
  return 0;
}

std::string to_utf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

bool parses(const icu::UnicodeString& pattern) {
  UErrorCode status = U_ZERO_ERROR;
  icu::MessagePattern mp(pattern, nullptr, status);
  return U_SUCCESS(status);
}

// ICU reports many errors (unmatched braces, a plural without "other") at offset
// 0. Point at the culprit instead: a '}' that closes nothing, the innermost '{'
// left open, or the first top-level argument that does not parse on its own.
// Quoting follows ICU's default: an apostrophe before { } # | starts a quoted
// literal, '' is one apostrophe.
int32_t locate_error(const icu::UnicodeString& p, int32_t icu_offset) {
  if (icu_offset > 0) return icu_offset;
  std::vector<int32_t> open;
  bool quoted = false;
  const int32_t n = p.length();
  for (int32_t i = 0; i < n; ++i) {
    const char16_t c = p.charAt(i);
    const char16_t next = i + 1 < n ? p.charAt(i + 1) : u'\0';
    if (c == u'\'') {
      if (next == u'\'') {
        ++i;
      } else if (quoted) {
        quoted = false;
      } else if (next == u'{' || next == u'}' || next == u'#' || next == u'|') {
        quoted = true;
      }
      continue;
    }
    if (quoted) continue;
    if (c == u'{') {
      open.push_back(i);
    } else if (c == u'}') {
      if (open.empty()) return i;
      const int32_t start = open.back();
      open.pop_back();
      if (open.empty() && !parses(p.tempSubString(start, i - start + 1))) return start;
    }
  }
  return open.empty() ? 0 : open.back();
}

int32_t error_units(const icu::UnicodeString& pattern, const UParseError& pe) {
  return std::clamp(locate_error(pattern, pe.offset), 0, pattern.length());
}

std::string syntax_error(const icu::UnicodeString& pattern, const UParseError& pe, UErrorCode status) {
  const int32_t units = error_units(pattern, pe);
  // UParseError counts UTF-16 units; a translator counts characters.
  const int32_t chars = pattern.countChar32(0, units);
  std::string m = "ICU syntax error at offset " + std::to_string(chars) + " (" + u_errorName(status) + ")";
  const std::string near =
      to_utf8(pattern.tempSubStringBetween(units, std::min(pattern.length(), units + 20)));
  if (!near.empty()) m += " near \"" + near + "\"";
  return m;
}

Result<Parsed> parse(const std::string& pattern_utf8, icu::UnicodeString* pattern_out = nullptr) {
  icu::UnicodeString pattern = icu::UnicodeString::fromUTF8(pattern_utf8);
  UParseError pe{};
  UErrorCode status = U_ZERO_ERROR;
  icu::MessagePattern mp(pattern, &pe, status);
  if (U_FAILURE(status)) return Error::invalid(syntax_error(pattern, pe, status));
  Parsed parsed;
  const int32_t n = mp.countParts();
  for (int32_t i = 0; i < n; ++i) {
    const icu::MessagePattern::Part& part = mp.getPart(i);
    if (part.getType() != UMSGPAT_PART_TYPE_ARG_START) continue;
    const icu::MessagePattern::Part& name_part = mp.getPart(i + 1);
    if (name_part.getType() != UMSGPAT_PART_TYPE_ARG_NAME &&
        name_part.getType() != UMSGPAT_PART_TYPE_ARG_NUMBER)
      continue;
    const std::string name = to_utf8(mp.getSubstring(name_part));
    ArgUse use = ArgUse::kText;
    ArgumentKind kind = ArgumentKind::kText;
    switch (part.getArgType()) {
      case UMSGPAT_ARG_TYPE_PLURAL:
      case UMSGPAT_ARG_TYPE_SELECTORDINAL:
      case UMSGPAT_ARG_TYPE_CHOICE:
        use = ArgUse::kNumber;
        kind = ArgumentKind::kPlural;
        break;
      case UMSGPAT_ARG_TYPE_SELECT:
        kind = ArgumentKind::kSelect;
        break;
      case UMSGPAT_ARG_TYPE_SIMPLE: {
        // {n, number} / {d, date}: the type name follows the argument name.
        const icu::MessagePattern::Part& type_part = mp.getPart(i + 2);
        const std::string type = to_utf8(mp.getSubstring(type_part));
        if (type == "number" || type == "spellout" || type == "ordinal" || type == "duration") {
          use = ArgUse::kNumber;
          kind = ArgumentKind::kNumber;
        }
        break;
      }
      default:
        break;
    }
    auto [it, inserted] = parsed.args.emplace(name, use);
    if (!inserted && use == ArgUse::kNumber) it->second = use;
    auto [k, added] = parsed.kinds.emplace(name, kind);
    if (!added && rank(kind) > rank(k->second)) k->second = kind;
  }
  if (pattern_out) *pattern_out = pattern;
  return parsed;
}

Result<icu::Formattable> to_formattable(const std::string& name, const nlohmann::json& v, ArgUse use) {
  if (v.is_number_integer()) return icu::Formattable(static_cast<int64_t>(v.get<long long>()));
  if (v.is_number_unsigned()) return icu::Formattable(static_cast<int64_t>(v.get<unsigned long long>()));
  if (v.is_number_float()) return icu::Formattable(v.get<double>());
  if (v.is_boolean()) return icu::Formattable(icu::UnicodeString(v.get<bool>() ? u"true" : u"false"));
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (use == ArgUse::kNumber) {
      long long i = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
      if (ec == std::errc() && p == s.data() + s.size() && !s.empty())
        return icu::Formattable(static_cast<int64_t>(i));
      double d = 0;
      auto [p2, ec2] = std::from_chars(s.data(), s.data() + s.size(), d);
      if (ec2 == std::errc() && p2 == s.data() + s.size() && !s.empty()) return icu::Formattable(d);
      return Error::invalid("argument {" + name + "} needs a number");
    }
    return icu::Formattable(icu::UnicodeString::fromUTF8(s));
  }
  return Error::invalid("argument {" + name + "} must be a string, number or boolean");
}

}  // namespace

std::string icu_locale_name(const std::string& lang) {
  std::string out = lang;
  for (char& c : out) {
    if (c == '-') c = '_';
  }
  if (out == "prs" || out.rfind("prs_", 0) == 0) return "fa_AF";
  return out;
}

Status check_message_syntax(const std::string& pattern) {
  auto parsed = parse(pattern);
  if (!parsed) return parsed.error();
  return {};
}

std::optional<int> message_syntax_offset(const std::string& pattern_utf8) {
  const icu::UnicodeString pattern = icu::UnicodeString::fromUTF8(pattern_utf8);
  UParseError pe{};
  UErrorCode status = U_ZERO_ERROR;
  icu::MessagePattern mp(pattern, &pe, status);
  if (U_SUCCESS(status)) return std::nullopt;
  return pattern.countChar32(0, error_units(pattern, pe));
}

std::map<std::string, ArgumentKind> message_argument_kinds(const std::string& pattern) {
  auto parsed = parse(pattern);
  if (!parsed) return {};
  return parsed->kinds;
}

std::set<std::string> message_arguments(const std::string& pattern) {
  std::set<std::string> out;
  auto parsed = parse(pattern);
  if (!parsed) return out;
  for (const auto& [name, use] : parsed->args) out.insert(name);
  return out;
}

nlohmann::json sample_arguments(const std::string& pattern) {
  nlohmann::json out = nlohmann::json::object();
  auto parsed = parse(pattern);
  if (!parsed) return out;
  for (const auto& [name, use] : parsed->args) {
    if (use == ArgUse::kNumber)
      out[name] = 10;
    else
      out[name] = "Xxxxxxxxxx";
  }
  return out;
}

Result<std::string> format_message(const std::string& pattern_utf8, const std::string& lang,
                                   const nlohmann::json& vars) {
  icu::UnicodeString pattern;
  auto parsed = parse(pattern_utf8, &pattern);
  if (!parsed) return parsed.error();
  if (!vars.is_null() && !vars.is_object()) return Error::invalid("message arguments must be a JSON object");

  std::vector<icu::UnicodeString> names;
  std::vector<icu::Formattable> values;
  for (const auto& [name, use] : parsed->args) {
    if (vars.is_null() || !vars.contains(name)) return Error::invalid("missing argument {" + name + "}");
    auto value = to_formattable(name, vars.at(name), use);
    if (!value) return value.error();
    names.push_back(icu::UnicodeString::fromUTF8(name));
    values.push_back(std::move(*value));
  }

  UParseError pe{};
  UErrorCode status = U_ZERO_ERROR;
  icu::MessageFormat format(pattern, icu::Locale(icu_locale_name(lang).c_str()), pe, status);
  if (U_FAILURE(status)) return Error::invalid(syntax_error(pattern, pe, status));
  icu::UnicodeString out;
  format.format(names.data(), values.data(), static_cast<int32_t>(values.size()), out, status);
  if (U_FAILURE(status))
    return Error::invalid(std::string("ICU formatting failed (") + u_errorName(status) + ")");
  return to_utf8(out);
}

std::vector<std::string> plural_categories(const std::string& lang) {
  static const std::vector<std::string> kOrder = {"zero", "one", "two", "few", "many", "other"};
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::PluralRules> rules(
      icu::PluralRules::forLocale(icu::Locale(icu_locale_name(lang).c_str()), status));
  if (U_FAILURE(status) || !rules) return {"other"};
  std::unique_ptr<icu::StringEnumeration> keywords(rules->getKeywords(status));
  if (U_FAILURE(status) || !keywords) return {"other"};
  std::vector<std::string> out;
  while (const char* k = keywords->next(nullptr, status)) {
    if (U_FAILURE(status)) break;
    out.emplace_back(k);
  }
  auto rank = [](const std::string& c) { return std::find(kOrder.begin(), kOrder.end(), c) - kOrder.begin(); };
  std::sort(out.begin(), out.end(), [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  if (out.empty()) out.push_back("other");
  return out;
}

}  // namespace gw
