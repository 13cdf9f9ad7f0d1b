// The checks of one message, shared by `gateway check` (content_check.h), the
// studio's check while staff type (text_check.h) and an uploaded PO file
// (po_upload.h), so that one place decides that placeholders differ, that an SMS
// goes over its budget or that a sensitive word shows on a locked screen, and
// each says so with the same words and the same severity.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gateway/content/po_catalog.h"
#include "gateway/content/renderer.h"
#include "gateway/content/template_catalog.h"

namespace gw {

enum class Severity { kError, kWarning, kInfo };
const char* severity_name(Severity s);  // "error", "warning", "info"

// Stable codes of the problems below, for programs (the studio marks the field).
namespace problem_code {
inline constexpr const char* kIcuSyntax = "icu_syntax";
inline constexpr const char* kPlaceholderMissing = "placeholder_missing";
inline constexpr const char* kPlaceholderExtra = "placeholder_extra";
inline constexpr const char* kOverBudget = "over_budget";
inline constexpr const char* kLockScreenWord = "lock_screen_word";
inline constexpr const char* kUnknownKey = "unknown_key";
inline constexpr const char* kNoContext = "no_msgctxt";
inline constexpr const char* kPluralEntry = "msgid_plural";
inline constexpr const char* kStaleMsgid = "stale_msgid";
inline constexpr const char* kHeaderLanguage = "header_language";
inline constexpr const char* kHeaderPluralForms = "header_plural_forms";
}  // namespace problem_code

// One problem of one message; where it is (file, line, key) is the caller's.
struct MessageProblem {
  Severity severity = Severity::kError;
  std::string code;  // one of problem_code
  std::string message;
};

// The source text a msgctxt translates: the template's main text for "key", its
// variant for "key#channel". Null when there is no such template or variant.
struct MessageUnit {
  const Template* t = nullptr;
  std::string channel;                  // empty for the main text
  const std::string* source = nullptr;  // the English ICU source
};
MessageUnit find_unit(const TemplateCatalog& templates, const std::string& msgctxt);
// "msgctxt <context> has no template" (error, kUnknownKey).
MessageProblem unknown_context_problem(const std::string& msgctxt);

// --- Placeholders ---------------------------------------------------------------

struct PlaceholderDiff {
  std::set<std::string> source;   // argument names of the source
  std::set<std::string> text;     // argument names of the text checked
  std::set<std::string> missing;  // in the source, not in the text
  std::set<std::string> extra;    // in the text, not in the source
  bool differs() const { return !missing.empty() || !extra.empty(); }
};
PlaceholderDiff compare_placeholders(const std::string& source, const std::string& text);
// "{a}, {b}"
std::string join_placeholders(const std::set<std::string>& names);
// For a translation in `lang`: "<lang>: the translation drops {a}" and "… invents
// {b}", errors; none when the placeholders match.
std::vector<MessageProblem> placeholder_problems(const std::string& lang, const PlaceholderDiff& diff);

// --- One translation ------------------------------------------------------------

// What `gateway check` says of PO entry `e` of language `lang`: no msgctxt, or one
// naming no template or variant (errors, and nothing else is checked);
// msgid_plural (error, nothing else checked); a msgid that is not the template's
// source (warning); and for a non-empty msgstr of a message (not a keyword list):
// its ICU syntax (error, and then nothing more) and its placeholders.
std::vector<MessageProblem> check_translation_entry(const std::string& lang, const TemplateCatalog& templates,
                                                    const PoEntry& e);

// What `gateway check` says of a PO header for language `lang` (warnings only): a
// missing or different Language, a missing Plural-Forms or, for a language this
// project ships, one other than CLDR's.
std::vector<MessageProblem> check_po_header(const std::string& lang, const std::string& header_language,
                                            const std::string& plural_forms);

// --- SMS budget -----------------------------------------------------------------

struct SmsSize {
  std::string encoding;  // "GSM-7" or "UCS-2"; empty when not measured
  int segments = 0;      // 0 when not measured
};

// The SMS size of `t` rendered by `r` in `lang` with sample values (sample_arguments
// of its SMS variant, else its main text), when the text used is really in `lang`
// (not a fallback) and `t` is not a keyword list; {} otherwise. This is the
// measure every budget check uses.
SmsSize sms_size_in(const Renderer& r, const Template& t, const std::string& lang);
// The size of text already rendered.
SmsSize sms_size_of(const std::string& rendered);

// The segments a text in `encoding` may take for a budget of `sms_segments`:
// the budget for GSM-7, one more for UCS-2 (a UCS-2 segment holds 67 characters
// instead of 153, so the same words in Arabic or Ukrainian need about twice the
// segments of English).
int allowed_segments(int sms_segments, const std::string& encoding);
// True when there is a budget and `size` goes over it.
bool over_budget(int sms_segments, const SmsSize& size);
// "<lang>: 3 SMS segments (UCS-2), budget 2 (1 + 1 for UCS-2)" (error) when over
// the budget; nullopt otherwise.
std::optional<MessageProblem> budget_problem(const std::string& lang, int sms_segments, const SmsSize& size);

// --- Lock-screen discretion -----------------------------------------------------

// True when a text of `key` is a message whose start may show on a locked
// screen: not a keyword list and not an operators' note (note.*, never sent).
bool is_lock_screen_message(const Template& t);
// The English sensitive words (template check.sensitive) and those of
// `language_list`, the language's own comma-separated translation of it.
std::vector<std::string> sensitive_words(const TemplateCatalog& templates,
                                         const std::string& language_list = "");
// The first of `words` in the lock-screen part of `pattern` as written, or of it
// formatted in `lang` with sample values (a select's "other" branch).
std::optional<std::string> lock_screen_word(const std::string& pattern, const std::string& lang,
                                            const std::vector<std::string>& words);
// `<lang>: "<word>" in the first 90 characters (they show on a locked screen)` (error).
MessageProblem lock_screen_problem(const std::string& lang, const std::string& word);

// --- A whole PO file ------------------------------------------------------------

// A problem found in a PO file: the msgctxt (or template key) and line it concerns.
struct PoFileProblem {
  std::string location;
  int line = 0;
  MessageProblem problem;
};

// Every template with a budget that `po` (language `lang`, loaded in `r`) sends
// over it, located at the key and the line of the entry an SMS uses.
std::vector<PoFileProblem> po_budget_problems(const Renderer& r, const PoCatalog& po,
                                              const std::string& lang);

// Every translated message of `po` with a sensitive word on the lock screen
// (the English words and the file's own check.sensitive); none when `templates`
// has no check.sensitive.
std::vector<PoFileProblem> po_lock_screen_problems(const TemplateCatalog& templates, const PoCatalog& po,
                                                   const std::string& lang);

}  // namespace gw
