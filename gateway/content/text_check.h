// The checks content staff see while they type one message in the studio: the
// same checks `gateway check` makes of that message (message_check.h decides
// each, with the same words and severity), plus what a person would receive.
//
// Sample values, for the budget and the lock-screen rule: exactly those of
// `gateway check` (sample_arguments: 10 for a number, "Xxxxxxxxxx" for text), so
// the studio and the command never disagree. For the previews, which staff read:
// a plural or selectordinal argument gets one number per CLDR plural category of
// the language (ICU PluralRules samples, integers preferred) and one preview per
// category; another number argument gets 10 in every preview; a select argument
// gets a value matching no explicit case, so its `other` branch shows; a text
// argument shows as its own name in braces ("{organisation}"), so staff see where
// it goes.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "gateway/content/message_check.h"
#include "gateway/content/template_catalog.h"

namespace gw {

// Longer texts are refused unchecked: no message is near this long.
inline constexpr size_t kMaxCheckedTextBytes = 8 * 1024;

struct TextCheckInput {
  const TemplateCatalog* templates = nullptr;  // the English sources; required
  std::string context;                         // template key, or "key#channel" for a variant
  std::string language;                        // the language edited; the source language edits the source
  std::string source_language = "en";
  std::string text;                    // the ICU text typed
  std::vector<std::string> sensitive;  // sensitive_words() for `language`
};

struct TextProblem {
  Severity severity = Severity::kError;
  std::string code;  // problem_code, or "too_long"
  std::string message;
};

struct TextPreview {
  std::string channel;           // "sms", "whatsapp", "telegram"
  std::string plural_category;   // CLDR category ("one", "few", …); empty without a plural argument
  std::optional<double> number;  // the number given to the plural arguments
  std::string text;              // the formatted message; empty when it cannot be formatted
};

struct TextReport {
  bool checked = false;  // false when the input was refused (see problems)

  bool icu_ok = false;
  std::string icu_error;          // ICU's message when not ok
  std::optional<int> icu_offset;  // the offset in characters, when ICU gives one

  // Placeholders: for a translation the text against the source; for the
  // source itself the new text against the current one (reported as info).
  std::vector<std::string> source_arguments;
  std::vector<std::string> text_arguments;
  std::vector<std::string> missing_arguments;
  std::vector<std::string> extra_arguments;

  // SMS, measured on the text with gateway check's sample values.
  bool sms_measured = false;  // false for an invalid text or a keyword list
  std::string encoding;       // "GSM-7" or "UCS-2"
  int segments = 0;
  int units = 0;  // septets or UTF-16 units
  int characters = 0;
  std::string smart_encoding;  // after smart encoding, as `gateway segments` reports
  int smart_segments = 0;
  int budget = 0;            // the template's sms_segments; 0 = none
  int allowed_segments = 0;  // the budget for this encoding (one more for UCS-2)
  bool budget_applies =
      false;  // this text is what an SMS sends (the SMS variant, or a main text without one)
  bool over_budget = false;

  std::optional<std::string> sensitive_word;  // found in the lock-screen part

  std::vector<TextPreview> previews;
  std::vector<std::string> variant_channels;  // channels whose own variant replaces the main text

  std::vector<TextProblem> problems;
  int errors() const;
  int warnings() const;

  // {"checked", "icu": {"ok", "error"?, "offset"?}, "placeholders": {"source", "text", "missing",
  //  "extra"}, "sms": {…}, "discretion": {"word": string|null}, "previews": [{"channel",
  //  "category"?, "number"?, "text"}], "variant_channels", "errors", "warnings", "problems":
  //  [{"severity", "code", "message"}]}
  nlohmann::json to_json() const;
};

// Checks `in.text` as the message `in.context` in `in.language`. Never fails: every
// problem (an unknown key, a text over kMaxCheckedTextBytes) is in the report.
TextReport check_text(const TextCheckInput& in);

}  // namespace gw
