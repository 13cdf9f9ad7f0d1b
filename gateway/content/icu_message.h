// ICU MessageFormat: the syntax of every template and translation.
//
// Messages use named arguments ({name}, {n, plural, one {# day} other {# days}},
// {country, select, GB {…} other {…}}) and are formatted with the plural rules and
// number formats of the message's language, so Arabic gets its six CLDR plural
// forms (zero, one, two, few, many, other) without anything in the PO files.
// Apostrophes follow ICU's default: "don't" and "l'aide" need no quoting; only an
// apostrophe before { } # | quotes.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gateway/core/result.h"

namespace gw {

// Formats ICU `pattern` for language `lang` (a BCP 47 tag such as "ar", "fa-AF",
// "prs") with `vars`, an object of argument name → string, number or boolean.
// A string that holds a number may feed a plural or number argument. An argument
// the pattern uses but `vars` lacks, a value of the wrong kind, or a syntax error is
// an error; its message names the argument or the offset, never a value.
Result<std::string> format_message(const std::string& pattern, const std::string& lang,
                                   const nlohmann::json& vars = nlohmann::json::object());

// OK when `pattern` is valid ICU MessageFormat; otherwise the error names the
// character offset (counted in code points from 0) and the ICU error.
Status check_message_syntax(const std::string& pattern);

// The character offset (code points from 0) check_message_syntax names for
// `pattern`; nullopt when `pattern` is valid.
std::optional<int> message_syntax_offset(const std::string& pattern);

// The argument names `pattern` uses, including those nested inside plural and
// select branches. Empty for an invalid pattern.
std::set<std::string> message_arguments(const std::string& pattern);

// How a message uses an argument. One used several ways gets the first that
// applies of: plural (plural, selectordinal or choice), number ({n, number} and
// the like), select, text.
enum class ArgumentKind { kText, kNumber, kPlural, kSelect };
// Every argument of `pattern` with its kind. Empty for an invalid pattern.
std::map<std::string, ArgumentKind> message_argument_kinds(const std::string& pattern);

// Sample values for every argument of `pattern`, for checks that must format
// a message without a real person's data: 10 for a number (plural, select
// ordinal, {n, number}), "Xxxxxxxxxx" (ten GSM-7 letters) for text. Empty for an
// invalid pattern.
nlohmann::json sample_arguments(const std::string& pattern);

// The ICU locale name for a language tag ("fa-AF" → "fa_AF"; "prs", Dari, →
// "fa_AF", whose CLDR data it is).
std::string icu_locale_name(const std::string& lang);

// The CLDR plural categories of `lang` in CLDR's order (zero, one, two, few, many,
// other): Arabic has six, English two. {"other"} when ICU has no rules for it.
std::vector<std::string> plural_categories(const std::string& lang);

}  // namespace gw
