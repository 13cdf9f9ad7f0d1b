#include "gateway/content/gettext_po_session.h"

#include <unistd.h>

#include <filesystem>
#include <system_error>

namespace gw {
namespace {

std::mutex g_gettext_po_mutex;
std::vector<PoProblem>* g_sink = nullptr;  // guarded by g_gettext_po_mutex

void record(int severity, const char* filename, size_t lineno, const char* text) {
  if (!g_sink) return;
  PoProblem p;
  p.error = severity != PO_SEVERITY_WARNING;
  p.file = filename ? filename : "";
  p.line = (filename && lineno != static_cast<size_t>(-1)) ? lineno : 0;
  p.message = text ? text : "";
  while (!p.message.empty() && (p.message.back() == '\n' || p.message.back() == ' ')) p.message.pop_back();
  for (char& c : p.message) {
    if (c == '\n') c = ' ';
  }
  g_sink->push_back(std::move(p));
}

void on_xerror(int severity, po_message_t, const char* filename, size_t lineno, size_t, int,
               const char* text) {
  record(severity, filename, lineno, text);
}

void on_xerror2(int severity, po_message_t, const char* filename1, size_t lineno1, size_t, int,
                const char* text1, po_message_t, const char*, size_t, size_t, int, const char*) {
  // The second half points at the earlier of two clashing entries; the first
  // names the problem and its place.
  record(severity, filename1, lineno1, text1);
}

const po_xerror_handler kHandler = {on_xerror, on_xerror2};

}  // namespace

void po_file_release(po_file_t file) {
  if (!file) return;
  const char* const* domains = po_file_domains(file);
  for (size_t d = 0; domains && domains[d]; ++d) {
    po_message_iterator_t it = po_message_iterator(file, domains[d]);
    while (po_message_t m = po_next_message(it)) {
      if (po_message_msgctxt(m)) po_message_set_msgctxt(m, nullptr);
    }
    po_message_iterator_free(it);
  }
  po_file_free(file);
}

std::string PoProblem::to_string() const {
  std::string where = file.empty() ? "(po)" : file;
  if (line > 0) {
    where += ':';
    where += std::to_string(line);
  }
  return where + ": " + message;
}

GettextPoSession::GettextPoSession() : lock_(g_gettext_po_mutex) {
  g_sink = &problems_;
}

GettextPoSession::~GettextPoSession() {
  g_sink = nullptr;
}

po_xerror_handler_t GettextPoSession::handler() const {
  return &kHandler;
}

bool GettextPoSession::has_errors() const {
  for (const auto& p : problems_) {
    if (p.error) return true;
  }
  return false;
}

std::string GettextPoSession::errors_text() const {
  std::string out;
  for (const auto& p : problems_) {
    if (!p.error) continue;
    if (!out.empty()) out += '\n';
    out += p.to_string();
  }
  return out;
}

Status po_file_write_atomically(po_file_t file, const std::string& path) {
  namespace fs = std::filesystem;
  const std::string tmp = path + ".tmp-" + std::to_string(getpid());
  {
    GettextPoSession session;
    po_file_write(file, tmp.c_str(), session.handler());
    if (session.has_errors()) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return Error::io(session.errors_text());
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Error::io(path + ": cannot replace: " + ec.message());
  }
  return {};
}

}  // namespace gw
