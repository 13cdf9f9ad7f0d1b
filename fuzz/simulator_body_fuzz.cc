// The simulator's POST /simulator/api/messages body: parse_simulator_message
// never crashes (nor throws), and what it accepts is bounded as promised.
#include "fuzz/fuzz_check.h"
#include "gateway/channels/web/simulator_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = gw::parse_simulator_message(gw::fuzz::text(data, size));
  if (!r) return 0;
  FUZZ_CHECK(!r->text.empty() && r->text.size() <= 1600);
  const std::string& from = r->options.from;
  FUZZ_CHECK(from.empty() || (from[0] == '+' && from.size() <= 16 &&
                              from.find_first_not_of("0123456789", 1) == std::string::npos));
  const std::string& ch = r->options.channel;
  FUZZ_CHECK(ch == "sms" || ch == "whatsapp" || ch == "telegram");
  return 0;
}
