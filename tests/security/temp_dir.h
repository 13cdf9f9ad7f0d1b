// TempDir: a fresh directory under the system temp dir, removed with everything
// in it when the object goes away.
#pragma once

#include <filesystem>
#include <system_error>

#include "gateway/core/ids.h"

namespace gw::testing {

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("gw-test-" + random_id(8))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace gw::testing
