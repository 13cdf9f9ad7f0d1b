// Structured logs: one JSON object a line, through spdlog.
//
// The people who text the helpline may be watched by those who exploit them, so
// a log line must never carry a phone number, a chat id or a message body. Two
// defences: call sites pass ids, counts and codes, never addresses or text; and
// every event goes through scrub(), which replaces fields with sensitive names
// and masks anything that looks like a phone number inside other strings.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace spdlog::sinks {
class sink;
}

namespace gw::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// Parses "debug", "info", "warn", "error". Returns false for anything else.
bool parse_level(std::string_view name, Level* out);

// Sends log lines to `sink` (stderr when null) at `level` and above.
void init(Level level, std::shared_ptr<spdlog::sinks::sink> sink = nullptr);

// Emits {"ts": ..., "level": ..., "event": event, ...scrub(fields)}.
void event(Level level, std::string_view event, const nlohmann::json& fields = nlohmann::json::object());
inline void debug(std::string_view e, const nlohmann::json& f = nlohmann::json::object()) {
  event(Level::kDebug, e, f);
}
inline void info(std::string_view e, const nlohmann::json& f = nlohmann::json::object()) {
  event(Level::kInfo, e, f);
}
inline void warn(std::string_view e, const nlohmann::json& f = nlohmann::json::object()) {
  event(Level::kWarn, e, f);
}
inline void error(std::string_view e, const nlohmann::json& f = nlohmann::json::object()) {
  event(Level::kError, e, f);
}

// Replaces runs that look like phone numbers (7+ digits, with optional +,
// spaces, dots, dashes, brackets) and e-mail addresses by placeholders.
// Linear in the length of `text` (no regular expressions), whatever it holds.
std::string redact_text(std::string_view text);

// A copy of `fields` where values under sensitive keys (body, text, from, to,
// address, phone, chat_id, ...) become "[redacted]" and other strings pass
// through redact_text. Recurses into objects and arrays.
nlohmann::json scrub(const nlohmann::json& fields);

}  // namespace gw::log
