#include "gateway/core/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>

#include "gateway/core/clock.h"

namespace gw::log {
namespace {

std::mutex g_mu;
std::shared_ptr<spdlog::logger> g_logger;
Level g_level = Level::kInfo;

constexpr std::array<std::string_view, 18> kSensitiveKeys = {
    "body",         "text",    "message_body", "from",    "to",           "address", "phone",
    "phone_number", "chat_id", "wa_id",        "waid",    "profile_name", "name",    "username_of_contact",
    "media_url",    "caption", "email",        "password"};

bool is_sensitive_key(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(kSensitiveKeys.begin(), kSensitiveKeys.end(), key) != kSensitiveKeys.end();
}

const char* level_name(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

// Masking is a linear scan, never a regular expression: std::regex backtracks
// recursively, and a long run of digits in a provider's field (a 100,000-digit
// status) ran it out of stack. Each byte is looked at a bounded number of times.

bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
// What may sit between the digits of a phone number: spaces, dots, dashes, brackets.
bool is_phone_separator(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == '(' || c == ')' ||
         c == '.' || c == '-';
}
bool is_email_local(unsigned char c) {
  return is_digit(c) || is_alpha(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool is_email_domain(unsigned char c) {
  return is_digit(c) || is_alpha(c) || c == '.' || c == '-';
}

// Replaces "local@domain.tld" (a tld of 2+ letters) by [redacted-email].
std::string mask_emails(std::string_view s) {
  std::string out;
  size_t copied = 0;  // s[0, copied) is already in `out`
  size_t at = s.find('@');
  while (at != std::string_view::npos) {
    size_t local = at;
    while (local > copied && is_email_local(static_cast<unsigned char>(s[local - 1]))) --local;
    size_t domain_end = at + 1;
    while (domain_end < s.size() && is_email_domain(static_cast<unsigned char>(s[domain_end]))) ++domain_end;
    // The last '.' in the domain that has two letters after it and something before it.
    size_t match_end = 0;
    for (size_t d = domain_end; d-- > at + 2;) {
      if (s[d] == '.' && d + 2 < domain_end && is_alpha(static_cast<unsigned char>(s[d + 1])) &&
          is_alpha(static_cast<unsigned char>(s[d + 2]))) {
        match_end = d + 3;
        while (match_end < domain_end && is_alpha(static_cast<unsigned char>(s[match_end]))) ++match_end;
        break;
      }
    }
    if (local < at && match_end > 0) {
      out.append(s, copied, local - copied);
      out += "[redacted-email]";
      copied = match_end;
      at = s.find('@', match_end);
    } else {
      at = s.find('@', at + 1);
    }
  }
  out.append(s, copied, std::string_view::npos);
  return out;
}

// Replaces a run that starts with a digit (after an optional '+' and '('), goes
// on through digits and separators and ends with a digit, when it holds at least
// 7 digits: "HTTP 429" or "2026-11-28" stay readable.
std::string mask_phone_numbers(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    size_t first = i;
    if (s[first] == '+') ++first;
    if (first < s.size() && s[first] == '(') ++first;
    if (first >= s.size() || !is_digit(static_cast<unsigned char>(s[first]))) {
      out += s[i++];
      continue;
    }
    size_t last_digit = first;
    size_t digits = 1;
    for (size_t j = first + 1; j < s.size(); ++j) {
      const auto c = static_cast<unsigned char>(s[j]);
      if (is_digit(c)) {
        last_digit = j;
        ++digits;
      } else if (!is_phone_separator(c)) {
        break;
      }
    }
    const size_t end = last_digit + 1;
    if (digits >= 7) {
      out += "[redacted-number]";
    } else {
      out.append(s, start, end - start);
    }
    i = end;
  }
  return out;
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
  if (name == "debug")
    *out = Level::kDebug;
  else if (name == "info")
    *out = Level::kInfo;
  else if (name == "warn")
    *out = Level::kWarn;
  else if (name == "error")
    *out = Level::kError;
  else
    return false;
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
  // Most values (ids, codes, names of things) have neither an '@' nor seven
  // digits: nothing to mask.
  const bool maybe_email = text.find('@') != std::string_view::npos;
  if (!maybe_email &&
      std::count_if(text.begin(), text.end(), [](unsigned char c) { return is_digit(c); }) < 7) {
    return std::string(text);
  }
  return mask_phone_numbers(maybe_email ? mask_emails(text) : std::string(text));
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
