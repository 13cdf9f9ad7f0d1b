#include "gateway/helpdesk/console_body.h"

namespace gw {

using nlohmann::json;

Result<json> parse_console_body(std::string_view body) {
  if (body.empty()) return json::object();
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error::invalid("expected a JSON object");
  return j;
}

Result<std::string> console_string(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string())
    return Error::invalid(std::string("expected a string \"") + name + "\"");
  return it->get<std::string>();
}

Result<bool> console_bool(const json& body, const char* name, bool absent) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return absent;
  if (!it->is_boolean()) return Error::invalid(std::string("expected true or false for \"") + name + "\"");
  return it->get<bool>();
}

}  // namespace gw
