// GettextPoSession: the one way this module calls GNU gettext's libgettextpo.
//
// libgettextpo keeps global state while it reads or writes a file (its error
// handlers are process-wide), so every use is serialised by a lock held for the
// lifetime of a session. Its xerror/xerror2 callbacks carry no user pointer; the
// session routes them into its own list of problems, each with file:line when
// libgettextpo knows it.
//
// The handler contract says a fatal error must not return. libgettextpo's PO
// reader and writer report parse and write problems as errors and return normally;
// a fatal one is recorded like an error and the call's result is treated as failed.
// Jumping out of libgettextpo instead would skip its own cleanup (open files, the
// restore of its global handlers).
#pragma once

#include <gettext-po.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gateway/core/result.h"

namespace gw {

struct PoProblem {
  bool error = true;  // false for a warning
  std::string file;
  size_t line = 0;  // 0 when unknown
  std::string message;
  std::string to_string() const;  // "file:line: message" (or "file: message")
};

class GettextPoSession {
 public:
  GettextPoSession();
  ~GettextPoSession();
  GettextPoSession(const GettextPoSession&) = delete;
  GettextPoSession& operator=(const GettextPoSession&) = delete;

  // The handler to pass to po_file_read / po_file_write.
  po_xerror_handler_t handler() const;
  const std::vector<PoProblem>& problems() const { return problems_; }
  bool has_errors() const;
  // Every error, one "file:line: message" a line.
  std::string errors_text() const;

 private:
  std::unique_lock<std::mutex> lock_;
  std::vector<PoProblem> problems_;
};

// Frees `file` and every message in it; null is allowed. po_file_free alone
// leaves each message's msgctxt allocated (libgettextpo 0.21's message_free does
// not free it: about 3 KB for one of the shipped catalogs, every time it is read
// or written), so each msgctxt is cleared first, which frees it. What remains is
// the lexer's copy of the file name (a few dozen bytes per read), which the library
// drops without freeing and no caller can reach.
void po_file_release(po_file_t file);

// Owns a po_file_t: po_file_release() at the end of its scope.
struct PoFileRelease {
  void operator()(po_file_t file) const { po_file_release(file); }
};
using PoFilePtr = std::unique_ptr<po_file, PoFileRelease>;

// Writes `file` with po_file_write to a temporary file beside `path`, then renames
// it over `path`, so a reader sees the old file or the new one, never half of one.
// A write error is kIo with libgettextpo's messages; the temporary file is removed.
Status po_file_write_atomically(po_file_t file, const std::string& path);

}  // namespace gw
