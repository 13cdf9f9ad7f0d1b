// Where the shipped content (flows/, templates/, translations/) is found when
// neither a configuration file nor --content names a content directory.
//
// An installed gateway (`cmake --install`, the Debian package) finds it under
// its prefix: <prefix>/bin/gateway reads <prefix>/share/helpline-gateway. A
// gateway run from its build tree reads the source tree it was built from, so
// that `build/gateway simulate` works from any directory. Anything else reads
// the working directory, as an explicit relative content_dir does.
#pragma once

#include <filesystem>
#include <string>

namespace gw {

// Where each kind of binary looks (see default_content_dir).
struct ContentDirLayout {
  std::filesystem::path installed_rel;  // from the binary's folder, e.g. ../share/helpline-gateway
  std::filesystem::path build_dir;      // the build tree the binary was built in
  std::filesystem::path source_dir;     // the source tree that holds the shipped content
};

// The layout this binary was built with (CMake's install and build folders).
ContentDirLayout built_content_dir_layout();

// The default content directory for a binary at `exe` (an absolute path):
// exe's folder / installed_rel when that folder exists; else source_dir when
// `exe` lies inside build_dir; else ".". Paths are compared after resolving
// symbolic links, so a build tree reached through a link is still recognised.
std::string resolve_content_dir(const std::filesystem::path& exe, const ContentDirLayout& layout);

// resolve_content_dir for the running binary (/proc/self/exe) and its built
// layout; "." when the binary's path cannot be read.
std::string default_content_dir();

}  // namespace gw
