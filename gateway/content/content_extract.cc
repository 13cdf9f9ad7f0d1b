#include "gateway/content/content_extract.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "gateway/content/content_set.h"
#include "gateway/content/gettext_po_session.h"
#include "gateway/content/po_catalog.h"
#include "gateway/content/template_catalog.h"

namespace gw {
namespace fs = std::filesystem;
namespace {

struct PotUnit {
  std::string context;
  std::string msgid;
  std::string comment;    // extracted comment, lines ending in '\n'
  std::string reference;  // templates/<file>.json
};

// An entry as read from an existing PO file.
struct OldEntry {
  std::optional<std::string> context;
  std::string msgid;
  std::string msgstr;
  std::string comments;
  std::optional<std::string> prev_msgid;
  bool fuzzy = false;
  bool obsolete = false;
  bool used = false;
};

struct OldPo {
  std::string path;
  std::string header;
  std::string header_comments;
  bool header_fuzzy = false;
  std::vector<OldEntry> entries;
};

std::string as_comment(const std::string& text) {
  if (text.empty()) return "";
  return text.back() == '\n' ? text : text + "\n";
}

std::vector<PotUnit> pot_units(const TemplateCatalog& templates) {
  std::vector<const Template*> ordered;
  for (const auto& [key, t] : templates.all()) ordered.push_back(&t);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const Template* a, const Template* b) { return a->file < b->file; });
  std::vector<PotUnit> out;
  for (const Template* t : ordered) {
    const std::string reference = "templates/" + fs::path(t->file).filename().string();
    std::string budget;
    if (t->sms_segments > 0) budget = "SMS budget: " + std::to_string(t->sms_segments) + " segment(s).\n";
    out.push_back(
        {t->key, t->text, as_comment(t->comment) + (t->variants.count("sms") ? "" : budget), reference});
    for (const std::string& channel : TemplateCatalog::variant_channels()) {
      auto v = t->variants.find(channel);
      if (v == t->variants.end()) continue;
      std::string comment = as_comment(t->comment) + "Shorter or richer wording for " + channel + ".\n";
      if (channel == "sms") comment += budget;
      out.push_back({po_context(t->key, channel), v->second, comment, reference});
    }
  }
  return out;
}

po_message_t new_message(const std::optional<std::string>& context, const std::string& msgid,
                         const std::string& msgstr) {
  po_message_t m = po_message_create();
  if (context) po_message_set_msgctxt(m, context->c_str());
  po_message_set_msgid(m, msgid.c_str());
  po_message_set_msgstr(m, msgstr.c_str());
  return m;
}

Result<OldPo> read_old(const std::string& path) {
  OldPo old;
  old.path = path;
  GettextPoSession session;
  PoFilePtr owner(po_file_read(path.c_str(), session.handler()));
  po_file_t file = owner.get();
  if (session.has_errors() || !file) {
    return Error::invalid(session.has_errors() ? session.errors_text() : path + ": cannot be read");
  }
  po_message_iterator_t it = po_message_iterator(file, nullptr);
  while (po_message_t m = po_next_message(it)) {
    const char* ctxt = po_message_msgctxt(m);
    const std::string msgid = po_message_msgid(m);
    if (!ctxt && msgid.empty() && !po_message_is_obsolete(m)) {
      old.header = po_message_msgstr(m);
      old.header_comments = po_message_comments(m);
      old.header_fuzzy = po_message_is_fuzzy(m);
      continue;
    }
    OldEntry e;
    if (ctxt) e.context = ctxt;
    e.msgid = msgid;
    e.msgstr = po_message_msgstr(m);
    e.comments = po_message_comments(m);
    if (const char* prev = po_message_prev_msgid(m)) e.prev_msgid = prev;
    e.fuzzy = po_message_is_fuzzy(m);
    e.obsolete = po_message_is_obsolete(m);
    old.entries.push_back(std::move(e));
  }
  po_message_iterator_free(it);
  return old;
}

po_message_t header_message(const std::string& header, const std::string& comments, bool fuzzy) {
  po_message_t m = new_message(std::nullopt, "", header);
  if (!comments.empty()) po_message_set_comments(m, comments.c_str());
  po_message_set_fuzzy(m, fuzzy);
  return m;
}

po_message_t unit_message(const PotUnit& u, const std::string& msgstr) {
  po_message_t m = new_message(u.context, u.msgid, msgstr);
  if (!u.comment.empty()) po_message_set_extracted_comments(m, u.comment.c_str());
  po_message_add_filepos(m, u.reference.c_str(), static_cast<size_t>(-1));
  return m;
}

Status write_pot(const std::vector<PotUnit>& units, const std::string& path) {
  po_file_t file = po_file_create();
  po_message_iterator_t it = po_message_iterator(file, nullptr);
  po_message_insert(
      it, header_message(
              "Project-Id-Version: helpline-gateway\n"
              "Report-Msgid-Bugs-To: \n"
              "PO-Revision-Date: \n"
              "Last-Translator: \n"
              "Language-Team: \n"
              "Language: \n"
              "MIME-Version: 1.0\n"
              "Content-Type: text/plain; charset=UTF-8\n"
              "Content-Transfer-Encoding: 8bit\n",
              "Source texts of the helpline gateway's messages.\n"
              "Generated from templates/ by `gateway content extract`: edit the templates, not this file.\n",
              false));
  for (const PotUnit& u : units) po_message_insert(it, unit_message(u, ""));
  po_message_iterator_free(it);
  Status s = po_file_write_atomically(file, path);
  po_file_release(file);
  return s;
}

Status merge_po(const std::vector<PotUnit>& units, OldPo& old) {
  std::map<std::string, OldEntry*> live, obsolete;
  for (OldEntry& e : old.entries) {
    if (!e.context) continue;
    (e.obsolete ? obsolete : live).emplace(*e.context, &e);
  }
  po_file_t file = po_file_create();
  po_message_iterator_t it = po_message_iterator(file, nullptr);
  po_message_insert(it, header_message(old.header, old.header_comments, old.header_fuzzy));
  for (const PotUnit& u : units) {
    OldEntry* e = nullptr;
    if (auto l = live.find(u.context); l != live.end())
      e = l->second;
    else if (auto o = obsolete.find(u.context); o != obsolete.end())
      e = o->second;
    if (!e || e->msgstr.empty()) {
      po_message_t m = unit_message(u, "");
      if (e && !e->comments.empty()) po_message_set_comments(m, e->comments.c_str());
      if (e) e->used = true;
      po_message_insert(it, m);
      continue;
    }
    e->used = true;
    po_message_t m = unit_message(u, e->msgstr);
    if (!e->comments.empty()) po_message_set_comments(m, e->comments.c_str());
    const bool changed = e->msgid != u.msgid;
    po_message_set_fuzzy(m, e->fuzzy || changed);
    if (changed)
      po_message_set_prev_msgid(m, e->msgid.c_str());
    else if (e->fuzzy && e->prev_msgid)
      po_message_set_prev_msgid(m, e->prev_msgid->c_str());
    po_message_insert(it, m);
  }
  // What templates/ no longer has: kept as obsolete when it carries a translation.
  std::set<std::string> current;
  for (const PotUnit& u : units) current.insert(u.context);
  for (OldEntry& e : old.entries) {
    if (e.used || e.msgstr.empty() || (e.context && current.count(*e.context))) continue;
    po_message_t m = new_message(e.context, e.msgid, e.msgstr);
    if (!e.comments.empty()) po_message_set_comments(m, e.comments.c_str());
    po_message_set_fuzzy(m, e.fuzzy);
    po_message_set_obsolete(m, 1);
    po_message_insert(it, m);
  }
  po_message_iterator_free(it);
  Status s = po_file_write_atomically(file, old.path);
  po_file_release(file);
  return s;
}

}  // namespace

Status extract_content(const std::string& dir) {
  auto templates = TemplateCatalog::load((fs::path(dir) / "templates").string());
  if (!templates) return templates.error();
  const fs::path translations = fs::path(dir) / "translations";
  std::error_code ec;
  fs::create_directories(translations, ec);
  if (ec) return Error::io(translations.string() + ": cannot create: " + ec.message());

  // Read everything first: a PO that cannot be read stops the run before any write.
  std::vector<OldPo> old;
  std::string problems;
  for (const std::string& path : po_files(dir)) {
    auto po = read_old(path);
    if (!po)
      problems += (problems.empty() ? "" : "\n") + po.error().message;
    else
      old.push_back(std::move(*po));
  }
  if (!problems.empty()) return Error::invalid(problems);

  const std::vector<PotUnit> units = pot_units(*templates);
  if (Status s = write_pot(units, (translations / "messages.pot").string()); !s) return s;
  for (OldPo& po : old) {
    if (Status s = merge_po(units, po); !s) return s;
  }
  return {};
}

}  // namespace gw
