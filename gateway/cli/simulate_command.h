// `gateway simulate`: a conversation with the flows in the terminal. The
// person's messages come one a line on standard input; the replies go to
// standard output, as text or (--json) as JSON Lines:
//   {"turn": 0, "text": "...", "language": "ar", "encoding": "UCS-2", "segments": 2, "key": "..."}
// and other events as {"turn": 0, "event": "handover", ...}.
#pragma once

#include <istream>
#include <ostream>
#include <string>

namespace gw::cli {

struct SimulateOptions {
  std::string content_dir = ".";
  std::string lang;
  std::string from;
  std::string channel = "sms";
  bool json = false;
};

int run_simulate(const SimulateOptions& options, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace gw::cli
