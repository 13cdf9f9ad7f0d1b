// `gateway check` and `gateway content extract`: content validation and the
// translation template, for content staff and CI.
#pragma once

#include <ostream>
#include <string>

namespace gw::cli {

// Validates flows/, templates/ and translations/ under `content_dir` together:
// every problem is printed as "file:location: severity: message" (errors and
// warnings on `err`, per-language counts on `out`). Exit 1 when any error.
int run_check(const std::string& content_dir, std::ostream& out, std::ostream& err);

// Regenerates translations/messages.pot from templates/ and merges it into every
// translations/<lang>.po. Exit 1 with a one-line error when it cannot.
int run_content_extract(const std::string& content_dir, std::ostream& out, std::ostream& err);

// Prints a Markdown table, a row per language (the source language first):
// translated %, fuzzy % (drafts), untranslated count, and the longest SMS in
// segments with its budget rule. Exit 1 when the content cannot be read.
int run_content_stats(const std::string& content_dir, std::ostream& out, std::ostream& err);

}  // namespace gw::cli
