#include "gateway/channels/web/simulator_routes.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "gateway/channels/web/simulator_request.h"
#include "gateway/content/languages.h"
#include "gateway/core/log.h"
#include "gateway/http/server.h"
#include "gateway/http/staff_auth.h"
#include "gateway/http/static_assets.h"

namespace gw {
namespace {

using nlohmann::json;

constexpr size_t kMaxBodyBytes = 16 * 1024;


// What the routes share: the loaded content and the conversations.
struct SimulatorState {
  SimulatorState(SimulatorRoutesOptions o, Clock& clock)
      : options(std::move(o)),
        content(
            options.content_dir,
            options.loader ? options.loader
                           : [dir = options.content_dir,
                              fuzzy = options.serve_fuzzy] { return load_simulator_content(dir, fuzzy); },
            clock, options.content_check_every),
        sessions(options.limits, content) {}

  json options_body() {
    json langs = json::array();
    std::vector<std::string> codes = {"en"};
    if (auto loaded = content.get()) codes = (*loaded)->renderer.languages();
    for (const std::string& code : codes) {
      const LanguageName n = language_name(code);
      const std::string& name = n.english;
      const std::string& native = n.native;
      langs.push_back({{"code", code}, {"name", name}, {"native", native}, {"rtl", is_rtl(code)}});
    }
    return json{{"languages", langs},
                {"channels", {"sms", "whatsapp", "telegram"}},
                {"title", "Helpline"},
                {"access", options.access == SimulatorAccess::kStaff ? "staff" : "public"}};
  }

  SimulatorRoutesOptions options;
  SimulatorContentCache content;
  SimulatorSessions sessions;
};

// Whether the Content-Type is application/json (parameters such as charset allowed).
bool is_json_content_type(const std::string& header) {
  std::string type = header.substr(0, header.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.erase(type.begin());
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  return type == "application/json";
}

// The checks every POST passes before its body is parsed: sent as JSON, and bounded.
bool json_envelope_ok(const httplib::Request& req, httplib::Response& res) {
  if (!is_json_content_type(req.get_header_value("Content-Type"))) {
    http::send_json_error(res, 415, "unsupported_media_type", "the body must be sent as application/json");
    return false;
  }
  // Bounded before it is parsed: the largest text (1,600 bytes) fits many times
  // over, even written as \u escapes.
  if (req.body.size() > kMaxBodyBytes) {
    http::send_json_error(res, 413, "payload_too_large",
                          "the body is larger than " + std::to_string(kMaxBodyBytes) + " bytes");
    return false;
  }
  return true;
}

// json_envelope_ok, then the body parsed: a JSON object.
std::optional<json> json_body(const httplib::Request& req, httplib::Response& res) {
  if (!json_envelope_ok(req, res)) return std::nullopt;
  json body = json::parse(req.body, nullptr, false);
  if (!body.is_object()) {
    http::send_json_error(res, 400, "bad_request", "the body must be a JSON object");
    return std::nullopt;
  }
  return body;
}

}  // namespace

std::optional<SimulatorAccess> parse_simulator_access(const std::string& text) {
  if (text == "public") return SimulatorAccess::kPublic;
  if (text == "staff") return SimulatorAccess::kStaff;
  if (text == "off") return SimulatorAccess::kOff;
  return std::nullopt;
}

void add_simulator_routes(http::HttpServer& server, Clock& clock, SimulatorRoutesOptions options,
                          http::StaffAuth* staff) {
  if (options.access == SimulatorAccess::kOff) return;
  if (options.access == SimulatorAccess::kStaff && staff == nullptr) {
    log::error("simulator.no_staff_auth", {});  // a wiring bug: serve nothing rather than serve it openly
    return;
  }
  auto state = std::make_shared<SimulatorState>(std::move(options), clock);
  const bool staff_only = state->options.access == SimulatorAccess::kStaff;
  // True when the request may go on; otherwise `res` holds the refusal.
  auto allowed = [staff_only, staff](const httplib::Request& req, httplib::Response& res) {
    return !staff_only || staff->require(req, res, {}).has_value();
  };

  server.get("/simulator/api/options", "simulator_options",
             [state, allowed](const httplib::Request& req, httplib::Response& res) {
               if (!allowed(req, res)) return;
               http::send_json(res, 200, state->options_body());
             });
  server.post("/simulator/api/end", "simulator_end",
              [state, allowed](const httplib::Request& req, httplib::Response& res) {
                if (!allowed(req, res)) return;
                auto body = json_body(req, res);
                if (!body) return;
                auto it = body->find("session");
                const bool ended =
                    it != body->end() && it->is_string() && state->sessions.end(it->get<std::string>());
                http::send_json(res, 200, {{"ended", ended}});
              });
  server.post("/simulator/api/messages", "simulator_message",
              [state, allowed, &clock](const httplib::Request& req, httplib::Response& res) {
                if (!allowed(req, res)) return;
                if (!json_envelope_ok(req, res)) return;
                auto request = parse_simulator_message(req.body);  // parsed once, here
                if (!request) {
                  http::send_json_error(res, 400, "bad_request", request.error().message);
                  return;
                }
                SimulatorOptions so = request->options;
                so.serve_fuzzy = state->options.serve_fuzzy;
                SimulatorAnswer answer = state->sessions.send(client_key(req.remote_addr), request->session,
                                                              so, request->text, clock.now());
                if (answer.status == 429)
                  res.set_header("Retry-After", std::to_string(answer.retry_after.count()));
                http::send_json(res, answer.status, answer.body);
              });

  // The page. Behind the staff login, a visitor without a live staff session is
  // sent to the console to sign in (its cookie serves both).
  http::PageGuard guard;
  if (staff_only) {
    guard = [staff](const httplib::Request& req, httplib::Response& res) {
      const std::string token = http::StaffAuth::session_token(req);
      if (!token.empty() && staff->still_signed_in(token)) return true;
      res.status = 302;
      res.set_header("Location", "/console/");
      return false;
    };
  }
  http::add_static_routes(server, "/simulator/", "/", "/simulator/index.html", guard);
}

}  // namespace gw
