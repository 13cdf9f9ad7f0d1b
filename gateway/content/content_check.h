// Content checks: every problem of templates/ and translations/ at once, each with
// its file and line or key, for `gateway check` and for the README's table.
//
// Errors: unknown template fields and malformed templates, ICU syntax errors (in
// templates and in each PO), placeholders a translation drops or invents, a msgctxt
// with no template, PO entries using msgid_plural, PO read errors (file:line from
// libgettextpo), and SMS segment budgets exceeded per language (the SMS variant or
// main text rendered with sample values: numbers 10, text "Xxxxxxxxxx"; a text
// that is sent as UCS-2 may take one segment more than `sms_segments`), and a
// sensitive word (check.sensitive, English and the language's own) in the first
// 90 characters of any message text or variant in any language (discretion.h).
// Warnings: per language, how many strings are translated, fuzzy and untranslated
// (info when all are translated); a translation whose msgid no longer matches the
// template (run `gateway content extract`); facts with a "source" not yet
// "reviewed"; a PO header whose Language or Plural-Forms is missing or wrong.
#pragma once

#include <string>
#include <vector>

#include "gateway/content/languages.h"
#include "gateway/content/message_check.h"  // Severity

namespace gw {

struct ContentProblem {
  std::string file;      // relative to the content directory ("translations/ar.po")
  int line = 0;          // 0 when unknown
  std::string location;  // template key or msgctxt ("system.welcome#sms"); may be empty
  Severity severity = Severity::kError;
  std::string message;
  // "file:line: message", else "file:location: message", else "file: message".
  std::string to_string() const;
};

// Checks the content directory `dir` (holding templates/ and translations/).
std::vector<ContentProblem> check_content(const std::string& dir, const LanguagePolicy& policy = {});

// True when any problem is an error.
bool has_errors(const std::vector<ContentProblem>& problems);

struct LanguageStats {
  std::string language;
  int total = 0;             // translatable strings: every template's text and variants
  int translated = 0;        // with a translation not marked fuzzy
  int fuzzy = 0;             // with a draft translation
  int untranslated = 0;      // total - translated - fuzzy
  int max_sms_segments = 0;  // longest SMS (variant or text, sample values) in this language
};

// Per language (the source language first, then each PO sorted), the counts
// above. A PO that cannot be read is left out (check_content reports it).
std::vector<LanguageStats> content_stats(const std::string& dir, const LanguagePolicy& policy = {});

}  // namespace gw
