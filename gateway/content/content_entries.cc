#include "gateway/content/content_entries.h"

#include <filesystem>
#include <set>
#include <utility>

#include "gateway/content/content_extract.h"
#include "gateway/content/flow_json.h"
#include "gateway/content/gettext_po_session.h"
#include "gateway/content/languages.h"
#include "gateway/content/po_catalog.h"

namespace gw {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kTemplate = "template:";
constexpr std::string_view kTranslation = "translation:";
constexpr std::string_view kFlow = "flow:";
constexpr std::string_view kNode = "node:";
constexpr std::string_view kGlobalsFile = "flows/globals.json";

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}
bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// "folder/<name><ext>" directly in `folder`.
bool direct_file(const std::string& path, std::string_view folder, std::string_view ext) {
  if (!starts_with(path, folder) || path.size() <= folder.size() || path[folder.size()] != '/') return false;
  const std::string_view rest = std::string_view(path).substr(folder.size() + 1);
  return rest.find('/') == std::string_view::npos && ends_with(rest, ext) && rest.size() > ext.size();
}

bool is_templates_file(const std::string& path) {
  return direct_file(path, "templates", ".json");
}
bool is_flow_file(const std::string& path) {
  return direct_file(path, "flows", ".json") && path != "flows/schema.json";
}
bool is_po_file(const std::string& path) {
  return direct_file(path, "translations", ".po");
}

// The language of translations/<file>.po, as PoCatalog names it.
std::string po_language(const std::string& path) {
  return normalize_language(std::filesystem::path(path).stem().string());
}

Result<Json> parse_json(const std::string& path, const std::string& bytes) {
  try {
    return Json::parse(bytes);
  } catch (const nlohmann::json::exception& e) {
    return Error::invalid(path + ": " + e.what());
  }
}

// Every flow file parsed, by flow id.
struct FlowDoc {
  std::string path;
  Json doc;
};

Result<std::map<std::string, FlowDoc>> parse_flows(const ContentFiles& files) {
  std::map<std::string, FlowDoc> flows;
  for (const auto& [path, bytes] : files) {
    if (!is_flow_file(path)) continue;
    auto doc = parse_json(path, bytes);
    if (!doc) return doc.error();
    if (!doc->is_object()) return Error::invalid(path + ": not a JSON object");
    std::string id;
    if (path == kGlobalsFile) {
      id = "globals";
    } else {
      const auto it = doc->find("id");
      if (it == doc->end() || !it->is_string()) return Error::invalid(path + ": no string \"id\"");
      id = it->get<std::string>();
      const auto nodes = doc->find("nodes");
      if (nodes != doc->end() && !nodes->is_object())
        return Error::invalid(path + ": \"nodes\" is not an object");
    }
    if (flows.count(id))
      return Error::invalid(path + ": flow id \"" + id + "\" is also " + flows[id].path + "'s");
    flows.emplace(id, FlowDoc{path, std::move(*doc)});
  }
  return flows;
}

// The templates files parsed, by path.
Result<std::map<std::string, Json>> parse_templates(const ContentFiles& files) {
  std::map<std::string, Json> out;
  for (const auto& [path, bytes] : files) {
    if (!is_templates_file(path)) continue;
    auto doc = parse_json(path, bytes);
    if (!doc) return doc.error();
    if (!doc->is_object()) return Error::invalid(path + ": not a JSON object");
    out.emplace(path, std::move(*doc));
  }
  return out;
}

// Replaces every mention of the temporary directory in `e` by nothing, so errors
// name files as the content directory does ("translations/uk.po:12: ...").
Error scrub(Error e, const std::string& dir) {
  const std::string prefix = dir + "/";
  for (size_t at; (at = e.message.find(prefix)) != std::string::npos;) e.message.erase(at, prefix.size());
  return e;
}

// The files of `files` under translations/ (and templates/, when `with_templates`).
ContentFiles po_inputs(const ContentFiles& files, bool with_templates) {
  ContentFiles out;
  for (const auto& [path, bytes] : files) {
    if (starts_with(path, "translations/") || (with_templates && starts_with(path, "templates/"))) {
      out.emplace(path, bytes);
    }
  }
  return out;
}

Status add_translations(const ContentFiles& files, ContentEntries& entries) {
  ContentFiles pos;
  for (const auto& [path, bytes] : files) {
    if (is_po_file(path)) pos.emplace(path, bytes);
  }
  if (pos.empty()) return {};
  auto tmp = MaterializedContent::create(pos);
  if (!tmp) return tmp.error();
  for (const auto& [path, bytes] : pos) {
    auto po = PoCatalog::read(tmp->dir() + "/" + path);
    if (!po) return scrub(po.error(), tmp->dir());
    for (const PoEntry& e : po->entries()) {
      if (e.msgctxt.empty()) continue;
      entries[std::string(kTranslation) + po->language() + ":" + e.msgctxt] =
          Json{{"msgstr", e.msgstr}, {"fuzzy", e.fuzzy}};
    }
  }
  return {};
}

// ---- the overlay, sorted by kind ----

struct TranslationEdit {
  std::string entry;
  std::string msgctxt;
  std::string msgstr;
  bool fuzzy = false;
};

struct Edits {
  std::map<std::string, std::optional<Json>> templates;                     // key →
  std::map<std::string, std::vector<TranslationEdit>> translations;         // lang →
  std::map<std::string, std::optional<Json>> flows;                         // flow id →
  std::map<std::string, std::map<std::string, std::optional<Json>>> nodes;  // flow id → node id →
};

Result<Edits> sort_overlay(const Overlay& overlay) {
  Edits edits;
  for (const auto& item : overlay) {
    const std::string& entry = item.first;
    const std::optional<Json>& value = item.second;
    auto bad = [&entry](const std::string& why) { return Error::invalid(entry + ": " + why); };
    if (value && !value->is_object()) return bad("the value is not a JSON object");
    if (starts_with(entry, kTemplate)) {
      const std::string key = entry.substr(kTemplate.size());
      if (key.empty()) return bad("no template key");
      edits.templates.emplace(key, value);
    } else if (starts_with(entry, kTranslation)) {
      const std::string rest = entry.substr(kTranslation.size());
      const size_t colon = rest.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size()) {
        return bad("not translation:<lang>:<msgctxt>");
      }
      TranslationEdit edit{entry, rest.substr(colon + 1), "", false};
      if (value) {
        for (const auto& [name, member] : value->items()) {
          if (name != "msgstr" && name != "fuzzy") return bad("unknown member \"" + name + "\"");
        }
        const auto msgstr = value->find("msgstr");
        if (msgstr == value->end() || !msgstr->is_string()) return bad("\"msgstr\" must be a string");
        edit.msgstr = msgstr->get<std::string>();
        const auto fuzzy = value->find("fuzzy");
        if (fuzzy != value->end() && !fuzzy->is_boolean()) return bad("\"fuzzy\" must be true or false");
        edit.fuzzy = fuzzy != value->end() && fuzzy->get<bool>();
      }
      edits.translations[rest.substr(0, colon)].push_back(std::move(edit));
    } else if (starts_with(entry, kFlow)) {
      const std::string id = entry.substr(kFlow.size());
      if (id.empty()) return bad("no flow id");
      if (!value) return bad("flows are not removed here");
      if (value->contains("nodes")) return bad("a flow's header has no \"nodes\"; edit node: entries");
      edits.flows.emplace(id, value);
    } else if (starts_with(entry, kNode)) {
      const std::string rest = entry.substr(kNode.size());
      const size_t slash = rest.find('/');
      if (slash == std::string::npos || slash == 0 || slash + 1 == rest.size()) {
        return bad("not node:<flow>/<node>");
      }
      edits.nodes[rest.substr(0, slash)].emplace(rest.substr(slash + 1), value);
    } else {
      return bad("unknown kind of entry");
    }
  }
  return edits;
}

size_t common_prefix(const std::string& a, const std::string& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

// The templates file a new key goes to (see the header).
std::string file_for_new_key(const std::string& key, const std::map<std::string, Json>& docs) {
  const std::string named = "templates/" + key.substr(0, key.find('.')) + ".json";
  if (docs.count(named)) return named;
  std::string best_file, best_key;
  size_t best = 0;
  for (const auto& [path, doc] : docs) {
    for (const auto& [other, value] : doc.items()) {
      const size_t n = common_prefix(key, other);
      if (n > best || (n == best && n > 0 && other < best_key)) {
        best = n;
        best_key = other;
        best_file = path;
      }
    }
  }
  return best > 0 ? best_file : named;
}

// Applies the template edits to `files`; true when a templates file changed.
Result<bool> apply_templates(const Edits& edits, ContentFiles& files) {
  if (edits.templates.empty()) return false;
  auto docs = parse_templates(files);
  if (!docs) return docs.error();
  std::map<std::string, std::string> file_of;  // key → path
  for (const auto& [path, doc] : *docs) {
    for (const auto& [key, value] : doc.items()) file_of.emplace(key, path);
  }
  std::set<std::string> touched;
  for (const auto& [key, value] : edits.templates) {
    auto at = file_of.find(key);
    if (!value) {
      if (at == file_of.end()) return Error::not_found("template:" + key + ": no such template");
      (*docs)[at->second].erase(key);
      touched.insert(at->second);
      continue;
    }
    const std::string path = at != file_of.end() ? at->second : file_for_new_key(key, *docs);
    Json& doc = (*docs)[path];
    if (doc.is_null()) doc = Json::object();
    doc[key] = *value;  // in place when present, appended when new
    file_of.emplace(key, path);
    touched.insert(path);
  }
  bool changed = false;
  for (const std::string& path : touched) {
    std::string text = write_templates_json((*docs)[path]);
    auto old = files.find(path);
    if (old != files.end() && old->second == text) continue;
    files[path] = std::move(text);
    changed = true;
  }
  return changed;
}

// A flow document with `header`'s members and `old`'s "nodes" in its old place.
Json with_header(const Json& old, const Json& header) {
  size_t nodes_at = 0;
  bool has_nodes = false;
  for (auto it = old.begin(); it != old.end(); ++it, ++nodes_at) {
    if (it.key() == "nodes") {
      has_nodes = true;
      break;
    }
  }
  Json out = Json::object();
  size_t i = 0;
  for (auto it = header.begin(); it != header.end(); ++it, ++i) {
    if (has_nodes && i == nodes_at) out["nodes"] = old["nodes"];
    out[it.key()] = *it;
  }
  if (has_nodes && !out.contains("nodes")) out["nodes"] = old["nodes"];
  return out;
}

Status apply_flows(const Edits& edits, ContentFiles& files) {
  if (edits.flows.empty() && edits.nodes.empty()) return {};
  auto flows = parse_flows(files);
  if (!flows) return flows.error();
  std::set<std::string> touched;
  for (const auto& [id, header] : edits.flows) {
    auto flow = flows->find(id);
    if (flow == flows->end())
      return Error::invalid("flow:" + id + ": no such flow (flows are not created here)");
    const auto given = header->find("id");
    if (id == "globals" && flow->second.path == kGlobalsFile) {
      if (given != header->end()) return Error::invalid("flow:globals: globals.json has no \"id\"");
    } else if (given == header->end() || *given != Json(id)) {
      return Error::invalid("flow:" + id + ": \"id\" must be \"" + id + "\"");
    }
    flow->second.doc = with_header(flow->second.doc, *header);
    touched.insert(id);
  }
  for (const auto& [id, nodes] : edits.nodes) {
    auto flow = flows->find(id);
    if (flow == flows->end()) return Error::invalid("node:" + id + "/: no such flow");
    Json& doc = flow->second.doc;
    if (flow->second.path == kGlobalsFile)
      return Error::invalid("node:" + id + "/: globals.json has no nodes");
    if (!doc.contains("nodes")) doc["nodes"] = Json::object();
    Json& all = doc["nodes"];
    for (const auto& [node, value] : nodes) {
      if (value) {
        all[node] = *value;
      } else if (all.erase(node) == 0) {
        return Error::not_found("node:" + id + "/" + node + ": no such node");
      }
    }
    touched.insert(id);
  }
  for (const std::string& id : touched) {
    const FlowDoc& flow = (*flows)[id];
    files[flow.path] = write_flow_json(flow.doc);
  }
  return {};
}

// Sets each edited message of `path` (a PO file on disk) and writes it back.
Status edit_po(const std::string& path, const std::vector<TranslationEdit>& edits) {
  PoFilePtr file;
  {
    GettextPoSession session;
    file.reset(po_file_read(path.c_str(), session.handler()));
    if (session.has_errors() || !file) {
      return Error::invalid(session.has_errors() ? session.errors_text() : path + ": cannot be read");
    }
  }
  std::map<std::string, po_message_t> live;
  po_message_iterator_t it = po_message_iterator(file.get(), nullptr);
  while (po_message_t m = po_next_message(it)) {
    const char* ctxt = po_message_msgctxt(m);
    if (ctxt && !po_message_is_obsolete(m)) live.emplace(ctxt, m);
  }
  po_message_iterator_free(it);
  for (const TranslationEdit& e : edits) {
    auto m = live.find(e.msgctxt);
    if (m == live.end()) return Error::not_found(e.entry + ": no message with msgctxt \"" + e.msgctxt + "\"");
    po_message_set_msgstr(m->second, e.msgstr.c_str());
    po_message_set_fuzzy(m->second, e.fuzzy);
    if (!e.fuzzy) {
      po_message_set_prev_msgctxt(m->second, nullptr);
      po_message_set_prev_msgid(m->second, nullptr);
    }
  }
  return po_file_write_atomically(file.get(), path);
}

// Regenerates the POT and POs when templates changed, then makes the translation
// edits, all in a temporary copy; the translations/ files of `files` are replaced
// by the copy's.
Status apply_translations(const Edits& edits, bool templates_changed, ContentFiles& files) {
  if (!templates_changed && edits.translations.empty()) return {};
  std::map<std::string, std::string> po_of;  // language → path
  for (const auto& [path, bytes] : files) {
    if (is_po_file(path)) po_of.emplace(po_language(path), path);
  }
  for (const auto& [lang, list] : edits.translations) {
    if (!po_of.count(lang))
      return Error::not_found(list.front().entry + ": no translations for language " + lang);
  }
  auto tmp = MaterializedContent::create(po_inputs(files, templates_changed));
  if (!tmp) return tmp.error();
  if (templates_changed) {
    if (Status s = extract_content(tmp->dir()); !s) return scrub(s.error(), tmp->dir());
  }
  for (const auto& [lang, list] : edits.translations) {
    if (Status s = edit_po(tmp->dir() + "/" + po_of[lang], list); !s) return scrub(s.error(), tmp->dir());
  }
  auto after = read_content_files(tmp->dir());
  if (!after) return scrub(after.error(), tmp->dir());
  for (auto it = files.begin(); it != files.end();) {
    it = starts_with(it->first, "translations/") ? files.erase(it) : std::next(it);
  }
  for (auto& [path, bytes] : *after) {
    if (starts_with(path, "translations/")) files[path] = std::move(bytes);
  }
  return {};
}

}  // namespace

Result<ContentEntries> content_entries(const ContentFiles& files) {
  ContentEntries entries;
  auto templates = parse_templates(files);
  if (!templates) return templates.error();
  std::map<std::string, std::string> defined_in;
  for (const auto& [path, doc] : *templates) {
    for (const auto& [key, value] : doc.items()) {
      if (auto [at, fresh] = defined_in.emplace(key, path); !fresh) {
        return Error::invalid(path + ": template \"" + key + "\" is also defined in " + at->second);
      }
      entries[std::string(kTemplate) + key] = value;
    }
  }
  if (Status s = add_translations(files, entries); !s) return s.error();
  auto flows = parse_flows(files);
  if (!flows) return flows.error();
  for (const auto& [id, flow] : *flows) {
    Json header = Json::object();
    for (auto it = flow.doc.begin(); it != flow.doc.end(); ++it) {
      if (it.key() != "nodes" || flow.path == kGlobalsFile) header[it.key()] = *it;
    }
    entries[std::string(kFlow) + id] = std::move(header);
    if (flow.path == kGlobalsFile) continue;
    const auto nodes = flow.doc.find("nodes");
    if (nodes == flow.doc.end()) continue;
    for (auto it = nodes->begin(); it != nodes->end(); ++it) {
      entries[std::string(kNode) + id + "/" + it.key()] = *it;
    }
  }
  return entries;
}

Result<ContentFiles> apply_overlay(const ContentFiles& base, const Overlay& overlay) {
  if (overlay.empty()) return base;
  if (overlay.size() > kMaxOverlayEntries) {
    return Error::invalid("more than " + std::to_string(kMaxOverlayEntries) + " edits at once");
  }
  auto edits = sort_overlay(overlay);
  if (!edits) return edits.error();
  ContentFiles files = base;
  auto templates_changed = apply_templates(*edits, files);
  if (!templates_changed) return templates_changed.error();
  if (Status s = apply_flows(*edits, files); !s) return s.error();
  if (Status s = apply_translations(*edits, *templates_changed, files); !s) return s.error();
  return files;
}

std::vector<EntryChange> diff_entries(const ContentEntries& before, const ContentEntries& after) {
  std::vector<EntryChange> out;
  auto b = before.begin();
  auto a = after.begin();
  while (b != before.end() || a != after.end()) {
    if (a == after.end() || (b != before.end() && b->first < a->first)) {
      out.push_back({b->first, b->second, std::nullopt});
      ++b;
    } else if (b == before.end() || a->first < b->first) {
      out.push_back({a->first, std::nullopt, a->second});
      ++a;
    } else {
      if (b->second != a->second) out.push_back({b->first, b->second, a->second});
      ++b;
      ++a;
    }
  }
  return out;
}

}  // namespace gw
