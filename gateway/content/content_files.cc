#include "gateway/content/content_files.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <system_error>

#include "gateway/core/ids.h"

namespace gw {
namespace fs = std::filesystem;
namespace {

// True when `path` (canonical) is `root` (canonical) or lies under it.
bool inside(const fs::path& path, const fs::path& root) {
  auto p = path.begin();
  for (auto r = root.begin(); r != root.end(); ++r, ++p) {
    if (p == path.end() || *p != *r) return false;
  }
  return true;
}

struct Reader {
  fs::path root;                // canonical
  std::vector<fs::path> linked;  // canonical targets of content folders that are symbolic links
  ContentFiles files;
  size_t total = 0;

  Status add_file(const fs::path& real, const std::string& rel) {
    if (files.size() >= kMaxContentFiles) {
      return Error::invalid(rel + ": more than " + std::to_string(kMaxContentFiles) + " content files");
    }
    std::error_code ec;
    const uintmax_t size = fs::file_size(real, ec);
    if (ec) return Error::io(rel + ": cannot read: " + ec.message());
    if (size > kMaxContentFileBytes) {
      return Error::invalid(rel + ": larger than " + std::to_string(kMaxContentFileBytes) + " bytes");
    }
    std::ifstream in(real, std::ios::binary);
    if (!in) return Error::io(rel + ": cannot open");
    std::string bytes(static_cast<size_t>(size), '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (in.gcount() != static_cast<std::streamsize>(bytes.size()) || in.peek() != EOF) {
      return Error::io(rel + ": changed while being read");
    }
    total += bytes.size();
    if (total > kMaxContentTotalBytes) {
      return Error::invalid(rel + ": content files larger than " + std::to_string(kMaxContentTotalBytes) +
                            " bytes in all");
    }
    files.emplace(rel, std::move(bytes));
    return {};
  }

  Status walk(const fs::path& folder, const std::string& rel) {
    std::error_code ec;
    fs::directory_iterator it(folder, ec), end;
    if (ec) return Error::io(rel + ": cannot list: " + ec.message());
    for (; it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name.empty() || name[0] == '.') continue;
      if (Status s = visit(it->path(), rel + "/" + name); !s) return s;
    }
    if (ec) return Error::io(rel + ": cannot list: " + ec.message());
    return {};
  }

  Status visit(const fs::path& path, const std::string& rel) {
    std::error_code ec;
    const fs::file_status link = fs::symlink_status(path, ec);
    if (ec) return Error::io(rel + ": " + ec.message());
    if (fs::is_symlink(link)) {
      const fs::path target = fs::canonical(path, ec);
      if (ec) return Error::invalid(rel + ": symbolic link to nothing");
      const bool in_linked =
          std::any_of(linked.begin(), linked.end(), [&](const fs::path& l) { return inside(target, l); });
      if (!inside(target, root) && !in_linked)
        return Error::invalid(rel + ": symbolic link leaves the content directory");
      if (!fs::is_regular_file(target, ec)) {
        return Error::invalid(rel + ": symbolic link to something other than a file");
      }
      return add_file(target, rel);
    }
    if (fs::is_directory(link)) return walk(path, rel);
    if (fs::is_regular_file(link)) return add_file(path, rel);
    return {};  // sockets, fifos, devices: not content
  }
};

// Writes `bytes` to a fresh temporary file beside `target` and renames it over.
Status write_one(const fs::path& target, const std::string& rel, const std::string& bytes) {
  std::string name = target.filename().string();
  name.insert(0, 1, '.');
  name += ".tmp-XXXXXX";
  std::string tmp = (target.parent_path() / name).string();
  const int fd = mkstemp(tmp.data());
  if (fd < 0) return Error::io(rel + ": cannot create a temporary file: " + std::strerror(errno));
  bool ok = fchmod(fd, 0644) == 0;
  size_t done = 0;
  while (ok && done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      ok = false;
    else
      done += static_cast<size_t>(n);
  }
  const int saved = errno;
  if (::close(fd) != 0) ok = false;
  if (!ok) {
    ::unlink(tmp.c_str());
    return Error::io(rel + ": cannot write: " + std::strerror(saved));
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return Error::io(rel + ": cannot replace: " + std::strerror(err));
  }
  return {};
}

}  // namespace

const std::vector<std::string>& content_folders() {
  static const std::vector<std::string> folders = {"flows", "templates", "translations"};
  return folders;
}

Status check_content_path(const std::string& path) {
  auto bad = [&](const char* why) { return Error::invalid("\"" + path + "\": " + why); };
  if (path.empty()) return bad("empty path");
  if (path.find('\0') != std::string::npos) return bad("NUL in path");
  if (path.find('\\') != std::string::npos) return bad("backslash in path");
  if (path[0] == '/') return bad("absolute path");
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    const std::string part =
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty()) return bad("empty part in path");
    if (part == "." || part == "..") return bad("\".\" or \"..\" in path");
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return {};
}

Result<ContentFiles> read_content_files(const std::string& dir) {
  std::error_code ec;
  Reader reader;
  reader.root = fs::canonical(dir, ec);
  if (ec) return Error::io(dir + ": cannot open the content directory: " + ec.message());
  for (const std::string& folder : content_folders()) {
    const fs::path path = reader.root / folder;
    if (!fs::exists(fs::symlink_status(path, ec))) continue;
    // A content folder itself may be a link to a folder elsewhere (the operator
    // set it up): it is read where it leads; links inside it still may not leave.
    if (fs::is_symlink(fs::symlink_status(path, ec))) {
      const fs::path target = fs::canonical(path, ec);
      if (!ec && fs::is_directory(target, ec)) {
        reader.linked.push_back(target);
        if (Status s = reader.walk(target, folder); !s) return s.error();
        continue;
      }
    }
    if (Status s = reader.visit(path, folder); !s) return s.error();
  }
  return std::move(reader.files);
}

Status write_content_files(const ContentFiles& files, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error::io(dir + ": cannot create: " + ec.message());
  const fs::path root = fs::canonical(dir, ec);
  if (ec) return Error::io(dir + ": cannot open: " + ec.message());
  // Every path is checked before the first write.
  for (const auto& [rel, bytes] : files) {
    if (Status s = check_content_path(rel); !s) return s;
    const fs::path parent = fs::weakly_canonical(root / fs::path(rel).parent_path(), ec);
    if (ec || !inside(parent, root)) return Error::invalid(rel + ": folder leaves the content directory");
  }
  for (const auto& [rel, bytes] : files) {
    const fs::path target = root / rel;
    fs::create_directories(target.parent_path(), ec);
    if (ec) return Error::io(rel + ": cannot create its folder: " + ec.message());
    if (Status s = write_one(target, rel, bytes); !s) return s;
  }
  return {};
}

Result<MaterializedContent> MaterializedContent::create(const ContentFiles& files) {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string templ = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/gw-content-XXXXXX";
  if (!mkdtemp(templ.data())) {
    return Error::io(templ + ": cannot create a temporary directory: " + std::strerror(errno));
  }
  MaterializedContent content(templ);  // removes the directory again on failure
  if (Status s = write_content_files(files, content.dir()); !s) return s.error();
  return content;
}

MaterializedContent::MaterializedContent(MaterializedContent&& other) noexcept
    : dir_(std::exchange(other.dir_, std::string())) {}

MaterializedContent& MaterializedContent::operator=(MaterializedContent&& other) noexcept {
  if (this != &other) {
    MaterializedContent old(std::move(*this));
    dir_ = std::exchange(other.dir_, std::string());
  }
  return *this;
}

MaterializedContent::~MaterializedContent() {
  if (dir_.empty()) return;
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string content_digest(const ContentFiles& files) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  for (const auto& [path, bytes] : files) {
    const std::string head = path + '\0' + std::to_string(bytes.size()) + '\0';
    EVP_DigestUpdate(ctx.get(), head.data(), head.size());
    EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size());
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  return to_hex(std::string(reinterpret_cast<const char*>(digest), length));
}

}  // namespace gw
