// The content directory: flows/, templates/ and translations/ side by side.
#pragma once

#include <string>

#include "gateway/core/result.h"

namespace gw {

// OK when `dir` holds the three content folders; otherwise says which is missing.
Status check_content_dir(const std::string& dir);

}  // namespace gw
