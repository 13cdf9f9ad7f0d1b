// The configuration file reader: load_config_file on any file content never
// crashes (nor throws), whether it is JSON or not.
#include "fuzz/fuzz_check.h"
#include "fuzz/temp_file.h"
#include "gateway/config/config.h"

namespace {

// Every environment variable is set, except UNSET.
std::optional<std::string> env(const std::string& name) {
  if (name == "UNSET") return std::nullopt;
  return "value-of-" + name;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const gw::fuzz::TempDir dir;
  const std::string path = dir.write("gateway.json", gw::fuzz::text(data, size));
  auto cfg = gw::load_config_file(path, env);
  if (cfg) FUZZ_CHECK(!cfg->public_url.empty());
  return 0;
}
