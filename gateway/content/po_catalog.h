// PoCatalog: one translations/<lang>.po file, read with GNU gettext's libgettextpo.
//
// Entries are keyed by msgctxt: the template key for the main text, and
// "<key>#<channel>" for a channel variant ("system.welcome#sms"). msgid holds the
// English source, msgstr the translation, and ICU plural/select logic lives inside
// those strings; PO plural entries (msgid_plural) are not used. An entry with the
// fuzzy flag is a draft: kept with its flag so the renderer can serve it or not.
// Obsolete (#~) entries and the header are not entries. The language is the file
// name's ("ar.po" → "ar", "fa_AF.po" → "fa-AF").
#pragma once

#include <map>
#include <string>
#include <vector>

#include "gateway/content/gettext_po_session.h"
#include "gateway/core/result.h"

namespace gw {

struct PoEntry {
  std::string msgctxt;  // empty when the entry has none
  std::string msgid;
  std::string msgstr;  // empty when untranslated
  bool fuzzy = false;
  bool plural = false;  // has msgid_plural (not part of this format)
  int line = 0;         // line of its msgctxt (or msgid) in the file; 0 when unknown
};

class PoCatalog {
 public:
  // Reads `path`. Syntax errors become an Error listing every "file:line: message"
  // libgettextpo reported; warnings are kept in warnings().
  static Result<PoCatalog> read(const std::string& path);
  // As read(), and appends every problem libgettextpo reported (errors and
  // warnings, with file:line) to `problems`.
  static Result<PoCatalog> read(const std::string& path, std::vector<PoProblem>* problems);

  const std::string& path() const { return path_; }
  const std::string& language() const { return language_; }
  // Header fields (empty when absent).
  const std::string& header_language() const { return header_language_; }
  const std::string& plural_forms() const { return plural_forms_; }
  const std::vector<PoEntry>& entries() const { return entries_; }
  // The entry with this msgctxt, or null.
  const PoEntry* find(const std::string& msgctxt) const;
  const std::vector<PoProblem>& warnings() const { return warnings_; }

 private:
  std::string path_;
  std::string language_;
  std::string header_language_;
  std::string plural_forms_;
  std::vector<PoEntry> entries_;
  std::map<std::string, size_t> by_context_;
  std::vector<PoProblem> warnings_;
};

// The msgctxt of `key`'s variant for `channel` ("key#channel"), or `key` when
// `channel` is empty.
std::string po_context(const std::string& key, const std::string& channel = "");

}  // namespace gw
