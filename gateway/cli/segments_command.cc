#include "gateway/cli/segments_command.h"

#include <nlohmann/json.hpp>

#include "gateway/cli/commands.h"
#include "gateway/content/sms_encoding.h"

namespace gw::cli {

int run_segments(const std::string& text, bool json, std::ostream& out) {
  const SegmentCount plain = count_segments(text);
  const SegmentCount smart = count_segments(smart_encode(text));
  if (json) {
    out << nlohmann::json{{"encoding", sms_encoding_name(plain.encoding)},
                          {"segments", plain.segments},
                          {"smart_encoding", sms_encoding_name(smart.encoding)},
                          {"smart_segments", smart.segments}}
               .dump()
        << "\n";
  } else {
    out << "encoding: " << sms_encoding_name(plain.encoding) << ", segments: " << plain.segments << " ("
        << plain.characters << " characters, " << plain.units
        << (plain.encoding == SmsEncoding::kGsm7 ? " septets)" : " UTF-16 units)") << "\n"
        << "smart encoding: " << sms_encoding_name(smart.encoding) << ", segments: " << smart.segments
        << "\n";
  }
  return kExitOk;
}

}  // namespace gw::cli
