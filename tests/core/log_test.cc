#include "gateway/core/log.h"

#include <spdlog/sinks/ostream_sink.h>

#include <catch2/catch.hpp>
#include <sstream>

TEST_CASE("redact_text masks phone numbers and e-mail addresses but keeps short numbers", "[core][log]") {
  using gw::log::redact_text;
  CHECK(redact_text("from +44 7700 900123 ok") == "from [redacted-number] ok");
  CHECK(redact_text("whatsapp:+393331234567") == "whatsapp:[redacted-number]");
  CHECK(redact_text("mail me at a.b@example.org") == "mail me at [redacted-email]");
  CHECK(redact_text("HTTP 429 after 3 tries") == "HTTP 429 after 3 tries");
}

TEST_CASE("scrub hides sensitive fields at any depth", "[core][log]") {
  nlohmann::json in = {{"body", "help me"},
                       {"channel", "uk-sms"},
                       {"nested", {{"from", "+447700900123"}, {"count", 3}}},
                       {"list", {"call +447700900123"}}};
  auto out = gw::log::scrub(in);
  CHECK(out["body"] == "[redacted]");
  CHECK(out["channel"] == "uk-sms");
  CHECK(out["nested"]["from"] == "[redacted]");
  CHECK(out["nested"]["count"] == 3);
  CHECK(out["list"][0] == "call [redacted-number]");
}

TEST_CASE("log lines are JSON objects with no address or body in clear", "[core][log]") {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  gw::log::init(gw::log::Level::kInfo, sink);
  gw::log::info("message.received", {{"from", "+447700900123"},
                                     {"body", "my boss took my passport"},
                                     {"note", "reply to +44 7700 900123"},
                                     {"message_id", 42}});
  gw::log::debug("hidden.below.level", {{"x", 1}});
  gw::log::init(gw::log::Level::kInfo);  // back to stderr for other tests

  const std::string out = captured.str();
  CHECK(out.find("7700") == std::string::npos);
  CHECK(out.find("passport") == std::string::npos);
  CHECK(out.find("hidden.below.level") == std::string::npos);
  auto line = nlohmann::json::parse(out.substr(0, out.find('\n')));
  CHECK(line["event"] == "message.received");
  CHECK(line["level"] == "info");
  CHECK(line["message_id"] == 42);
  CHECK(line.contains("ts"));
}

TEST_CASE("masking a million-digit value takes one linear pass and does not exhaust the stack",
          "[core][log]") {
  using gw::log::redact_text;
  const std::string digits(1'000'000, '7');
  CHECK(redact_text(digits) == "[redacted-number]");
  CHECK(redact_text("status " + digits + " done") == "status [redacted-number] done");
  std::string spaced;
  for (int i = 0; i < 200'000; ++i) spaced += "1 ";
  CHECK(redact_text(spaced) == "[redacted-number] ");
  std::string mails;
  for (int i = 0; i < 50'000; ++i) mails += "a@b.";
  CHECK_NOTHROW(redact_text(mails));
}

TEST_CASE("masking keeps the boundaries of numbers and e-mail addresses", "[core][log]") {
  using gw::log::redact_text;
  CHECK(redact_text("call (020) 7946-0018 now") == "call [redacted-number] now");
  CHECK(redact_text("+(44)7700900123") == "[redacted-number]");
  CHECK(redact_text("2026-11 at 12:00") == "2026-11 at 12:00");
  CHECK(redact_text("ids 123456 and 42") == "ids 123456 and 42");
  CHECK(redact_text("1234567.") == "[redacted-number].");
  CHECK(redact_text("x@y, a.b+c@mail.example.co1 ok") == "x@y, [redacted-email]1 ok");
  CHECK(redact_text("no@tld and 1@2.3") == "no@tld and 1@2.3");
}
