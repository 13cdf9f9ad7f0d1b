// Content extraction: templates/ → translations/messages.pot, merged into every
// translations/<lang>.po the way msgmerge does (`gateway content extract`).
//
// The POT has one entry per template text and per channel variant: msgctxt = key
// (or "key#channel"), msgid = the English source, `#.` = the translator comment
// (and the SMS budget), `#:` = templates/<file>.json. Merging into a PO keeps every
// translation, its translator comments and flags; a new key gets an empty msgstr;
// a key whose source text changed keeps its old translation marked fuzzy, with the
// old text as `#| msgid`; a key gone from templates/ becomes obsolete (`#~`).
// Every file is written through libgettextpo to a temporary file and renamed over
// the old one, and nothing is written unless every PO could be read.
#pragma once

#include <string>

#include "gateway/core/result.h"

namespace gw {

// Regenerates `dir`/translations/messages.pot from `dir`/templates and merges it
// into each `dir`/translations/*.po. Creates translations/ when missing.
Status extract_content(const std::string& dir);

}  // namespace gw
