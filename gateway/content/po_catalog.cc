#include "gateway/content/po_catalog.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "gateway/content/languages.h"

namespace gw {
namespace {

std::string header_field(const char* header, const char* field) {
  if (!header) return "";
  char* value = po_header_field(header, field);
  if (!value) return "";
  std::string out = value;
  free(value);  // NOLINT: allocated by libgettextpo
  return out;
}

// Decodes the C-style string literal that starts at `s[pos]` (after the quote).
std::string read_literal(const std::string& s, size_t pos) {
  std::string out;
  for (size_t i = pos; i < s.size() && s[i] != '"'; ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      const char c = s[++i];
      out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
    } else {
      out += s[i];
    }
  }
  return out;
}

// libgettextpo tells where a message's source references are, not where the
// message itself stands; the checks want the line, so find each msgctxt.
std::map<std::string, int> context_lines(const std::string& path) {
  std::map<std::string, int> lines;
  std::ifstream in(path);
  std::string line, pending;
  int pending_line = 0, n = 0;
  auto flush = [&] {
    if (pending_line) lines.emplace(pending, pending_line);
    pending_line = 0;
    pending.clear();
  };
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("msgctxt \"", 0) == 0) {
      flush();
      pending = read_literal(line, 9);
      pending_line = n;
    } else if (pending_line && line.rfind("\"", 0) == 0) {
      pending += read_literal(line, 1);
    } else {
      flush();
    }
  }
  flush();
  return lines;
}

}  // namespace

std::string po_context(const std::string& key, const std::string& channel) {
  return channel.empty() ? key : key + "#" + channel;
}

Result<PoCatalog> PoCatalog::read(const std::string& path) {
  std::vector<PoProblem> ignored;
  return read(path, &ignored);
}

Result<PoCatalog> PoCatalog::read(const std::string& path, std::vector<PoProblem>* problems) {
  PoCatalog catalog;
  catalog.path_ = path;
  catalog.language_ = normalize_language(std::filesystem::path(path).stem().string());
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return Error::not_found(path + ": no such PO file");

  GettextPoSession session;
  PoFilePtr owner(po_file_read(path.c_str(), session.handler()));
  po_file_t file = owner.get();
  problems->insert(problems->end(), session.problems().begin(), session.problems().end());
  if (session.has_errors()) return Error::invalid(session.errors_text());
  if (!file) return Error::io(path + ": cannot be read");
  for (const auto& p : session.problems()) {
    if (!p.error) catalog.warnings_.push_back(p);
  }

  // Declared const, but the library hands out a fresh copy (xstrdup) that is ours to free.
  char* header = const_cast<char*>(po_file_domain_header(file, nullptr));
  catalog.header_language_ = header_field(header, "Language");
  catalog.plural_forms_ = header_field(header, "Plural-Forms");
  free(header);  // NOLINT: allocated by libgettextpo

  const auto lines = context_lines(path);
  po_message_iterator_t it = po_message_iterator(file, nullptr);
  while (po_message_t m = po_next_message(it)) {
    if (po_message_is_obsolete(m)) continue;
    const char* ctxt = po_message_msgctxt(m);
    const std::string msgid = po_message_msgid(m);
    if (!ctxt && msgid.empty()) continue;  // the header
    PoEntry e;
    e.msgctxt = ctxt ? ctxt : "";
    e.msgid = msgid;
    e.plural = po_message_msgid_plural(m) != nullptr;
    e.msgstr = e.plural ? "" : po_message_msgstr(m);
    e.fuzzy = po_message_is_fuzzy(m) != 0;
    if (auto l = lines.find(e.msgctxt); ctxt && l != lines.end()) e.line = l->second;
    if (ctxt) catalog.by_context_.emplace(e.msgctxt, catalog.entries_.size());
    catalog.entries_.push_back(std::move(e));
  }
  po_message_iterator_free(it);
  return catalog;
}

const PoEntry* PoCatalog::find(const std::string& msgctxt) const {
  auto it = by_context_.find(msgctxt);
  return it == by_context_.end() ? nullptr : &entries_[it->second];
}

}  // namespace gw
