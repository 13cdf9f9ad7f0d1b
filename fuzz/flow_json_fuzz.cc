// Flow files: parse_flow and parse_globals on any text never crash (nor throw).
#include "fuzz/fuzz_check.h"
#include "gateway/engine/flow_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = gw::fuzz::text(data, size);
  auto flow = gw::parse_flow(text, "flows/main.json");
  if (flow) FUZZ_CHECK(flow->id == "main");
  gw::FlowSet set;
  (void)gw::parse_globals(text, "flows/globals.json", &set);
  return 0;
}
