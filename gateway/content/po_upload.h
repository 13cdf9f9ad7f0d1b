// A PO file uploaded to the studio (as Poedit or Weblate write it): read with
// libgettextpo and checked as `gateway check` checks translations/<lang>.po, with
// the same grading (message_check.h decides each check), so a file the studio
// accepts passes `gateway check` and one that would fail it is refused.
//
// The bytes are bounded before any parsing (kMaxPoUploadBytes, kMaxPoUploadMessages).
// They are written to a private temporary file (mkstemp, mode 0600), read with
// PoCatalog (libgettextpo, its errors collected with their line, never printed),
// and the file is removed before returning.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/content/languages.h"
#include "gateway/content/message_check.h"
#include "gateway/content/template_catalog.h"

namespace gw {

inline constexpr size_t kMaxPoUploadBytes = 4 * 1024 * 1024;
inline constexpr size_t kMaxPoUploadMessages = 20000;  // msgid lines, the header's included

struct PoUploadEntry {
  std::string msgctxt;
  std::string msgstr;  // empty: untranslated
  bool fuzzy = false;
};

struct PoUploadProblem {
  std::string msgctxt;  // the entry (or template key, for a budget); empty for the file
  int line = 0;         // 0 when unknown
  Severity severity = Severity::kError;
  std::string code;  // problem_code, or "too_large", "too_many_messages", "syntax"
  std::string message;
};

struct PoUpload {
  std::vector<PoUploadEntry> entries;  // every entry but the header and obsolete (#~) ones
  std::vector<PoUploadProblem> problems;
  bool has_errors() const;
  // {"entries": [{"msgctxt", "msgstr", "fuzzy"}], "errors", "warnings",
  //  "problems": [{"msgctxt", "line", "severity", "code", "message"}]}
  nlohmann::json to_json() const;
};

// Reads and checks `bytes` as the translations of `lang` into the sources of
// `templates`. Problems: an upload over the limits (nothing else is done); PO
// syntax errors with their line (no entries are returned); then, graded as
// `gateway check` grades them, the header's Language and Plural-Forms, each
// entry (no or unknown msgctxt, msgid_plural, stale msgid, ICU syntax,
// placeholders), SMS budgets in `lang` and sensitive words on the lock screen
// (the English list and the file's own check.sensitive). An empty msgstr is
// untranslated, not a problem. A failure to write the temporary file is one
// error problem.
PoUpload read_po_upload(std::string_view bytes, const std::string& lang, const TemplateCatalog& templates,
                        const LanguagePolicy& policy = {});

}  // namespace gw
