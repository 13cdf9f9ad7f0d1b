// ContentFiles: a content directory held in memory — what the studio edits.
//
// A content directory is flows/, templates/ and translations/ (see content_dir.h).
// ContentFiles maps each regular file under those three folders, recursively, to
// its exact bytes, by its path relative to the content directory with '/' between
// parts ("flows/main.json", "templates/menu.json", "translations/uk.po",
// "translations/messages.pot", "flows/README.md", "flows/schema.json"). Hidden files
// and folders (a part starting with '.') are not content and are skipped.
//
// A path is "plain" when it is relative, non-empty, has no empty, "." or ".." part,
// no backslash and no NUL: reading and writing refuse anything else, so a map that
// came from outside can never name a file outside the directory it is written to.
//
// MaterializedContent puts a ContentFiles on disk, in a private temporary
// directory, for the code that reads files (libgettextpo, the flow and template
// loaders); content_digest() names a set of files by its bytes.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "gateway/core/result.h"

namespace gw {

// path relative to the content directory → exact bytes.
using ContentFiles = std::map<std::string, std::string>;

// Bounds on what read_content_files() accepts.
inline constexpr size_t kMaxContentFiles = 5000;
inline constexpr size_t kMaxContentFileBytes = 8u << 20;     // 8 MiB each
inline constexpr size_t kMaxContentTotalBytes = 128u << 20;  // 128 MiB together

// The folders of a content directory that ContentFiles holds.
const std::vector<std::string>& content_folders();  // {"flows", "templates", "translations"}

// OK iff `path` is plain (see above); otherwise kInvalidArgument naming it.
Status check_content_path(const std::string& path);

// Reads every regular file under `dir`/flows, `dir`/templates and `dir`/translations
// (a missing folder holds nothing). One of those three folders may itself be a
// symbolic link to a folder elsewhere, which is read where it leads. Below them, a
// symbolic link is followed only when it ends inside `dir` (or inside such a
// linked folder) and at a regular file; one that leaves `dir`, dangles or names a
// folder is an error. More than kMaxContentFiles files, a file over
// kMaxContentFileBytes, or more than kMaxContentTotalBytes in all is an error.
// Every error names the file (kInvalidArgument; kIo when `dir` or a file cannot
// be read).
Result<ContentFiles> read_content_files(const std::string& dir);

// Writes every file of `files` under `dir`, creating folders as needed; each file
// goes to a temporary file in its folder that is then renamed over the target, so
// a reader never sees half a file. Files of `dir` not in `files` are left alone.
// Every path is checked before anything is written: one that is not plain, or
// whose folder resolves outside `dir` (through a symbolic link), is refused
// (kInvalidArgument naming it) and nothing is written.
Status write_content_files(const ContentFiles& files, const std::string& dir);

// A private temporary directory (mkdtemp, mode 0700, under $TMPDIR or /tmp)
// holding a copy of some ContentFiles; the directory and everything in it are
// removed when the object is destroyed (errors while removing are ignored).
// Movable, not copyable; a moved-from object owns nothing and dir() is empty.
class MaterializedContent {
 public:
  // Creates the directory and writes `files` into it (write_content_files rules).
  static Result<MaterializedContent> create(const ContentFiles& files);

  MaterializedContent(MaterializedContent&& other) noexcept;
  MaterializedContent& operator=(MaterializedContent&& other) noexcept;
  MaterializedContent(const MaterializedContent&) = delete;
  MaterializedContent& operator=(const MaterializedContent&) = delete;
  ~MaterializedContent();

  // The absolute path of the directory (the content directory of the copy).
  const std::string& dir() const { return dir_; }

 private:
  explicit MaterializedContent(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

// SHA-256 (lowercase hex, 64 characters) over every path and its bytes, in path
// order; each file contributes its path, a NUL, its size in decimal, a NUL and its
// bytes, so no two different maps share the input. Equal maps give equal digests.
std::string content_digest(const ContentFiles& files);

}  // namespace gw
