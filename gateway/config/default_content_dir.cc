#include "gateway/config/default_content_dir.h"

#include <system_error>

// CMake defines these for this file only (CMakeLists.txt), so that changing
// the build folder recompiles one file rather than the library.
#ifndef GATEWAY_INSTALLED_CONTENT_REL
#define GATEWAY_INSTALLED_CONTENT_REL "../share/helpline-gateway"
#endif
#ifndef GATEWAY_BUILD_TREE
#define GATEWAY_BUILD_TREE ""
#endif
#ifndef GATEWAY_SOURCE_TREE
#define GATEWAY_SOURCE_TREE ""
#endif

namespace gw {
namespace fs = std::filesystem;

namespace {

// `p` with symbolic links resolved as far as it exists; `p` itself on error.
fs::path resolved(const fs::path& p) {
  std::error_code ec;
  fs::path out = fs::weakly_canonical(p, ec);
  return ec ? p.lexically_normal() : out;
}

// True when `inner` is `outer` or lies below it (both resolved).
bool lies_within(const fs::path& inner, const fs::path& outer) {
  auto o = outer.begin();
  auto i = inner.begin();
  for (; o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

}  // namespace

ContentDirLayout built_content_dir_layout() {
  return {GATEWAY_INSTALLED_CONTENT_REL, GATEWAY_BUILD_TREE, GATEWAY_SOURCE_TREE};
}

std::string resolve_content_dir(const fs::path& exe, const ContentDirLayout& layout) {
  const fs::path exe_dir = resolved(exe).parent_path();
  std::error_code ec;
  if (!layout.installed_rel.empty()) {
    const fs::path installed = resolved(exe_dir / layout.installed_rel);
    if (fs::is_directory(installed, ec)) return installed.string();
  }
  if (!layout.build_dir.empty() && !layout.source_dir.empty() &&
      lies_within(exe_dir, resolved(layout.build_dir)) && fs::is_directory(layout.source_dir, ec)) {
    return resolved(layout.source_dir).string();
  }
  return ".";
}

std::string default_content_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return ".";
  return resolve_content_dir(exe, built_content_dir_layout());
}

}  // namespace gw
