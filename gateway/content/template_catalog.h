// TemplateCatalog: the source texts of templates/*.json, by key.
//
// Each file is a JSON object of key → template:
//   {"text": ICU MessageFormat source (English), "comment": note for translators,
//    "variants": {"sms"|"whatsapp"|"telegram"|"web": ICU source}  (optional),
//    "content_sid": "HX…" (optional WhatsApp template outside the 24-hour window),
//    "sms_segments": N (optional budget), "keywords": true (optional: the text is a
//    comma-separated keyword list), "reviewed": true|false (optional, default false),
//    "source": "where a fact comes from" (optional)}
// A field not listed here is an error naming the file and the key, so a typo never
// goes unseen. This reads the source language only; translations (PoCatalog) and
// formatting (format_message, Renderer) build on it.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gateway/core/result.h"

namespace gw {

struct Template {
  std::string key;
  std::string text;
  std::string comment;
  std::map<std::string, std::string> variants;  // channel → ICU source
  std::string content_sid;                      // WhatsApp template for outside the 24-hour window
  int sms_segments = 0;                         // budget; 0 = none given
  bool keywords = false;                        // the text is a comma-separated keyword list
  bool reviewed = false;                        // a reviewer has checked the facts
  std::string source;                           // where the facts come from (law, official page)
  std::string reviewed_by;                      // who marked the facts reviewed (the studio records it)
  std::string reviewed_at;                      // and when (RFC 3339)
  std::string file;                             // where it was defined
};

// One problem found while reading templates/: `key` is empty for a file-level one.
struct TemplateProblem {
  std::string file;
  std::string key;
  std::string message;
  std::string to_string() const;  // "file:key: message" or "file: message"
};

class TemplateCatalog {
 public:
  // The channels a template may have a variant for.
  static const std::vector<std::string>& variant_channels();

  // Reads every *.json file in `dir`. Errors name the file and the key; every
  // problem is reported at once.
  static Result<TemplateCatalog> load(const std::string& dir);
  // As load(), but keeps every valid template and appends each problem to
  // `problems` (a missing folder is one problem with an empty key).
  static TemplateCatalog load_collecting(const std::string& dir, std::vector<TemplateProblem>* problems);

  const Template* find(const std::string& key) const;
  // The text of `key`, or the key itself when missing (never an empty message).
  std::string text(const std::string& key) const;
  // The keywords of a keyword template, trimmed; empty when missing.
  std::vector<std::string> keywords(const std::string& key) const;
  size_t size() const { return templates_.size(); }
  // Every template, ordered by key.
  const std::map<std::string, Template>& all() const { return templates_; }

  // The problems of one template object as a templates/*.json file holds it
  // (empty: it would load), each "needs a \"text\" string"-style.
  static std::vector<std::string> check_template(const nlohmann::json& value);

  // Splits a comma-separated keyword list, trimming blanks and dropping empty items.
  static std::vector<std::string> split_keywords(const std::string& text);

 private:
  std::map<std::string, Template> templates_;
};

}  // namespace gw
