// TemplateCatalog: the source texts of templates/*.json, by key.
//
// Each file is a JSON object of key → {"text": ..., "comment": ..., optional
// "sms_segments", "content_sid", "keywords"}. This reads the source language
// (English); translations and ICU formatting build on it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "gateway/core/result.h"

namespace gw {

struct Template {
  std::string key;
  std::string text;
  std::string comment;
  std::string content_sid;  // WhatsApp template for outside the 24-hour window
  int sms_segments = 0;     // budget; 0 = none given
  bool keywords = false;    // the text is a comma-separated keyword list
  std::string file;         // where it was defined
};

class TemplateCatalog {
 public:
  // Reads every *.json file in `dir`. Errors name the file and the key.
  static Result<TemplateCatalog> load(const std::string& dir);

  const Template* find(const std::string& key) const;
  // The text of `key`, or the key itself when missing (never an empty message).
  std::string text(const std::string& key) const;
  // The keywords of a keyword template, trimmed; empty when missing.
  std::vector<std::string> keywords(const std::string& key) const;
  size_t size() const { return templates_.size(); }

 private:
  std::map<std::string, Template> templates_;
};

}  // namespace gw
