// `gateway segments [--json] TEXT`: the SMS encoding and segment count of TEXT,
// as sent and after smart encoding.
#pragma once

#include <ostream>
#include <string>

namespace gw::cli {

int run_segments(const std::string& text, bool json, std::ostream& out);

}  // namespace gw::cli
