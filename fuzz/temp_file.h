// A directory of its own under $TMPDIR for targets whose code reads files
// (the config reader, libgettextpo): each input is written to a file there
// and read back through the real path. Removed at exit.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace gw::fuzz {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base && *base ? base : "/tmp") + "/gateway-fuzz-XXXXXX";
    if (!::mkdtemp(templ.data())) std::abort();
    dir_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `content` to `name` in the directory (replacing it); returns its path.
  std::string write(const std::string& name, std::string_view content) const {
    const std::string path = dir_ + "/" + name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) std::abort();
    return path;
  }

 private:
  std::string dir_;
};

}  // namespace gw::fuzz
