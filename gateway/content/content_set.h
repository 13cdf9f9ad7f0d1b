// ContentSet: the templates and translations of one content directory, loaded
// together — templates/*.json (the English source) and translations/<lang>.po.
#pragma once

#include <map>
#include <string>

#include "gateway/content/po_catalog.h"
#include "gateway/content/template_catalog.h"
#include "gateway/core/result.h"

namespace gw {

struct ContentSet {
  TemplateCatalog templates;
  std::map<std::string, PoCatalog> translations;  // by language ("ar", "fa-AF")
};

// Loads `dir`/templates and every `dir`/translations/*.po. A missing translations/
// folder means no translations; any template or PO error fails the load, with
// every problem listed (file and key, or file:line).
Result<ContentSet> load_content(const std::string& dir);

// The *.po files of `dir`/translations, sorted (messages.pot is not one).
std::vector<std::string> po_files(const std::string& dir);

}  // namespace gw
