// Temporary directories for tests: fresh and empty, under the system temp dir,
// named by mkdtemp so that tests running at once never share one.
//
//   gw::testing::TempDir dir;                                // removed at the end of the scope
//   std::string kept = gw::testing::make_temp_dir("gw-e2e");  // left in place (e.g. for a subprocess's data)
#pragma once

#include <filesystem>
#include <string>

namespace gw::testing {

// Creates a fresh empty directory `prefix`-XXXXXX under the system temp dir and
// returns its path. Throws (a test failure) when it cannot.
std::string make_temp_dir(const std::string& prefix);

// A fresh directory, removed with everything in it when the object goes away.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "gw-test") : path_(make_temp_dir(prefix)) {}
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace gw::testing
