// Content entries: ContentFiles seen as the units the studio edits, an overlay of
// edits applied to the files, and the difference between two sets of entries.
//
// Entry ids and values (nlohmann::ordered_json, member order kept):
//   "template:<key>"               the template's object exactly as in its
//                                  templates/*.json file (text, comment, variants,
//                                  sms_segments, reviewed, source, ... any member).
//   "translation:<lang>:<msgctxt>" {"msgstr": "...", "fuzzy": true|false} for each
//                                  non-obsolete message of translations/<file>.po,
//                                  <lang> as PoCatalog names it ("uk", "fa-AF" for
//                                  fa_AF.po); msgctxt is a template key or
//                                  "key#channel". The header is not an entry.
//   "flow:<flow_id>"               a flow file (flows/<name>.json, not schema.json)
//                                  without its "nodes" member; flow_id is its "id".
//                                  flows/globals.json has no id and is "flow:globals"
//                                  with all its members (comment, entry, crisis,
//                                  keywords).
//   "node:<flow_id>/<node_id>"     one node object of a flow's "nodes".
//
// apply_overlay() turns edits of entries into new files, byte-stably: a file no
// edit touches keeps its exact bytes, a rewritten JSON file takes the canonical
// layout of flow_json.h (which the shipped files already have), and a PO file is
// written through libgettextpo as `gateway content extract` writes it, so only the
// edited messages' lines change.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "gateway/content/content_files.h"
#include "gateway/core/result.h"

namespace gw {

// entry id → value.
using ContentEntries = std::map<std::string, nlohmann::ordered_json>;

// Every entry of `files` (see above). Files other than templates/*.json,
// flows/*.json and translations/*.po (README.md, schema.json, messages.pot, files
// in subfolders) hold no entries. A file that does not parse, a flow without a
// string "id" (other than globals.json), a flow whose "nodes" is not an object or
// two flows with one id is kInvalidArgument naming the file.
Result<ContentEntries> content_entries(const ContentFiles& files);

// entry id → the new value, or nullopt to remove the entry.
using Overlay = std::map<std::string, std::optional<nlohmann::ordered_json>>;

inline constexpr size_t kMaxOverlayEntries = 10000;

// The files of `base` with every edit of `overlay` made; `base` is not changed.
// An empty overlay returns `base` unchanged. Edits, by kind:
//   template:<key>  value: an object, replacing the key's object in place in its
//     file, or, for a new key, appended at the end of templates/<first segment of
//     the key>.json ("menu.extra" → templates/menu.json) when that file exists,
//     else of the file holding the existing key that shares the longest prefix
//     with the new one (ties: the smallest such key), else of a new
//     templates/<first segment>.json. nullopt removes the key (it must exist).
//     The file is rewritten with write_templates_json. When any template changed,
//     translations/messages.pot and every PO are regenerated as by
//     extract_content() (content_extract.h): a changed English source keeps the
//     old translation marked fuzzy, a new key gets an empty message, a removed
//     key's translation becomes obsolete.
//   translation:<lang>:<msgctxt>  value: {"msgstr": string, "fuzzy": bool
//     (optional, false when absent)}; sets that message of the language's PO
//     (after the template edits, so a key added by the same overlay can be
//     translated). Clearing the fuzzy flag also drops the message's previous
//     source (`#| msgid`). nullopt empties the msgstr and clears the flag. An
//     unknown language or msgctxt (or an obsolete one) is kNotFound naming it.
//     The PO's header (its date included) is never changed.
//   flow:<flow_id>  value: an object of the flow's members without "nodes"; it
//     replaces every member but "nodes", which keeps its place. Its "id", when
//     given, must be flow_id (globals: none). A flow_id with no file, and
//     nullopt, are kInvalidArgument (flows are not created or removed here).
//   node:<flow_id>/<node_id>  value: an object; replaces the node in place, or is
//     appended at the end of "nodes" when new (several new nodes of one flow in
//     node id order). nullopt removes the node (it must exist).
//   A changed flow file is rewritten with write_flow_json.
// Any other entry id, a value of the wrong shape, or more than kMaxOverlayEntries
// edits is kInvalidArgument naming the entry. On any error nothing is returned
// but the error (all-or-nothing).
Result<ContentFiles> apply_overlay(const ContentFiles& base, const Overlay& overlay);

// One entry that differs between two sets of entries: `before` is nullopt for an
// added entry, `after` is nullopt for a removed one.
struct EntryChange {
  std::string entry;
  std::optional<nlohmann::ordered_json> before;
  std::optional<nlohmann::ordered_json> after;
};

// One change per entry id whose value differs (ordered_json equality: member order
// counts), sorted by entry id; entries equal in both are left out.
std::vector<EntryChange> diff_entries(const ContentEntries& before, const ContentEntries& after);

}  // namespace gw
