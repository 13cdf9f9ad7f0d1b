#include "gateway/channels/web/simulator_request.h"

#include <nlohmann/json.hpp>
#include <optional>

namespace gw {
namespace {

using nlohmann::json;

// The person's number as E.164 ("+" and at most 15 digits), read from what a visitor
// types: spaces, dots, dashes and brackets are dropped. Empty stays empty (no number);
// anything else is nullopt.
std::optional<std::string> e164_or_empty(const std::string& from) {
  constexpr size_t kMaxTyped = 32;
  constexpr size_t kMaxDigits = 15;
  if (from.empty()) return std::string();
  if (from.size() > kMaxTyped) return std::nullopt;
  std::string digits;
  for (size_t i = 0; i < from.size(); ++i) {
    const char c = from[i];
    if (c >= '0' && c <= '9')
      digits += c;
    else if (c == '+' && i == 0)
      continue;
    else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')')
      return std::nullopt;
  }
  if (digits.empty() || digits.size() > kMaxDigits || digits[0] == '0') return std::nullopt;
  return "+" + digits;
}

}  // namespace

Result<SimulatorMessageRequest> parse_simulator_message(std::string_view body) {
  const json doc = json::parse(body, nullptr, false);
  if (!doc.is_object()) return Error::invalid("the body must be a JSON object");
  auto str = [&](const char* key) {
    auto it = doc.find(key);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  SimulatorMessageRequest r;
  r.text = str("text");
  if (r.text.empty() || r.text.size() > 1600)
    return Error::invalid("\"text\" must be 1 to 1600 bytes of text");
  r.options.language = str("language");
  const std::optional<std::string> from = e164_or_empty(str("from"));
  if (!from) {
    return Error::invalid("\"from\" must be a phone number in international form, + and at most 15 digits");
  }
  r.options.from = *from;
  r.options.channel = str("channel").empty() ? "sms" : str("channel");
  if (r.options.channel != "sms" && r.options.channel != "whatsapp" && r.options.channel != "telegram") {
    return Error::invalid("\"channel\" must be sms, whatsapp or telegram");
  }
  r.session = str("session");
  return r;
}

}  // namespace gw
