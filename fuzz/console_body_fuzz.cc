// The operator console's POST bodies: parsing and reading every field a route
// reads never crash (nor throw), whatever the types in the body.
#include "fuzz/fuzz_check.h"
#include "gateway/helpdesk/console_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto body = gw::parse_console_body(gw::fuzz::text(data, size));
  if (!body) return 0;
  FUZZ_CHECK(body->is_object());
  for (const char* field : {"text", "mode", "queue", "operator"}) (void)gw::console_string(*body, field);
  auto force = gw::console_bool(*body, "force", false);
  const auto it = body->find("force");
  if (it == body->end() || it->is_null() || it->is_boolean())
    FUZZ_CHECK(force.ok());
  else
    FUZZ_CHECK(!force.ok());
  return 0;
}
