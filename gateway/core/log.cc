#include "gateway/core/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>
#include <regex>

#include "gateway/core/clock.h"

namespace gw::log {
namespace {

std::mutex g_mu;
std::shared_ptr<spdlog::logger> g_logger;
Level g_level = Level::kInfo;

constexpr std::array<std::string_view, 18> kSensitiveKeys = {
    "body", "text", "message_body", "from", "to", "address", "phone", "phone_number",
    "chat_id", "wa_id", "waid", "profile_name", "name", "username_of_contact", "media_url",
    "caption", "email", "password"};

bool is_sensitive_key(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(kSensitiveKeys.begin(), kSensitiveKeys.end(), key) != kSensitiveKeys.end();
}

const char* level_name(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

std::shared_ptr<spdlog::logger> logger() {
  std::lock_guard<std::mutex> lock(g_mu);
  if (!g_logger) {
    g_logger = std::make_shared<spdlog::logger>("gateway", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    g_logger->set_pattern("%v");
    g_logger->set_level(spdlog::level::trace);
  }
  return g_logger;
}

}  // namespace

bool parse_level(std::string_view name, Level* out) {
  if (name == "debug") *out = Level::kDebug;
  else if (name == "info") *out = Level::kInfo;
  else if (name == "warn") *out = Level::kWarn;
  else if (name == "error") *out = Level::kError;
  else return false;
  return true;
}

void init(Level level, std::shared_ptr<spdlog::sinks::sink> sink) {
  if (!sink) sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto l = std::make_shared<spdlog::logger>("gateway", std::move(sink));
  l->set_pattern("%v");
  l->set_level(spdlog::level::trace);
  l->flush_on(spdlog::level::trace);
  std::lock_guard<std::mutex> lock(g_mu);
  g_logger = std::move(l);
  g_level = level;
}

void event(Level level, std::string_view ev, const nlohmann::json& fields) {
  {
    std::lock_guard<std::mutex> lock(g_mu);
    if (level < g_level) return;
  }
  nlohmann::json line = nlohmann::json::object();
  line["ts"] = format_rfc3339(std::chrono::system_clock::now());
  line["level"] = level_name(level);
  line["event"] = std::string(ev);
  if (fields.is_object()) {
    nlohmann::json clean = scrub(fields);
    for (auto& [k, v] : clean.items()) {
      if (k != "ts" && k != "level" && k != "event") line[k] = v;
    }
  }
  logger()->info(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string redact_text(std::string_view text) {
  static const std::regex kPhone(R"(\+?\(?\d[\d\s().\-]{5,}\d)");
  static const std::regex kEmail(R"([A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,})");
  // Most values (ids, codes, names of things) have neither an '@' nor seven
  // digits: nothing to mask, and no need to run the expressions.
  const bool maybe_email = text.find('@') != std::string_view::npos;
  if (!maybe_email && std::count_if(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }) < 7) {
    return std::string(text);
  }
  std::string s(text);
  if (maybe_email) s = std::regex_replace(s, kEmail, "[redacted-email]");
  // Only a run with at least 7 digits is masked, so "HTTP 429" or "2026-11-28" stay readable.
  std::string out;
  auto begin = std::sregex_iterator(s.begin(), s.end(), kPhone);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const std::string m = it->str();
    const auto digits = std::count_if(m.begin(), m.end(), [](unsigned char c) { return std::isdigit(c); });
    out.append(s, last, static_cast<size_t>(it->position()) - last);
    out.append(digits >= 7 ? std::string("[redacted-number]") : m);
    last = static_cast<size_t>(it->position() + it->length());
  }
  out.append(s, last, std::string::npos);
  return out;
}

nlohmann::json scrub(const nlohmann::json& fields) {
  if (fields.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto& [k, v] : fields.items()) {
      out[k] = is_sensitive_key(k) && !v.is_null() ? nlohmann::json("[redacted]") : scrub(v);
    }
    return out;
  }
  if (fields.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : fields) out.push_back(scrub(v));
    return out;
  }
  if (fields.is_string()) return redact_text(fields.get<std::string>());
  return fields;
}

}  // namespace gw::log
