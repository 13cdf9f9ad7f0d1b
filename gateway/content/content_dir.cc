#include "gateway/content/content_dir.h"

#include <filesystem>
#include <system_error>

namespace gw {

Status check_content_dir(const std::string& dir) {
  for (const char* sub : {"flows", "templates", "translations"}) {
    std::error_code ec;
    if (!std::filesystem::is_directory(std::filesystem::path(dir) / sub, ec)) {
      return Error::not_found("content directory \"" + dir + "\" has no " + sub + "/ folder");
    }
  }
  return {};
}

}  // namespace gw
