#include "gateway/engine/session.h"

#include <nlohmann/json.hpp>

namespace gw {

using nlohmann::json;

namespace {

const char* waiting_name(Waiting w) {
  switch (w) {
    case Waiting::kAnswer:
      return "answer";
    case Waiting::kText:
      return "text";
    case Waiting::kReply:
      return "reply";
    case Waiting::kNone:
      break;
  }
  return "none";
}

std::optional<Waiting> waiting_from(const std::string& s) {
  if (s == "none") return Waiting::kNone;
  if (s == "answer") return Waiting::kAnswer;
  if (s == "text") return Waiting::kText;
  if (s == "reply") return Waiting::kReply;
  return std::nullopt;
}

}  // namespace

std::string Session::to_json() const {
  json stack_json = json::array();
  for (const Frame& f : stack) {
    json fj = {{"flow", f.flow}, {"node", f.node}};
    if (f.reenter) fj["reenter"] = true;
    stack_json.push_back(std::move(fj));
  }
  json j = {{"v", kVersion},
            {"stack", std::move(stack_json)},
            {"waiting", waiting_name(waiting)},
            {"retries", retries},
            {"results", results},
            {"scores", scores},
            {"expires_at", to_unix_ms(expires_at)},
            {"due_at", due_at ? json(to_unix_ms(*due_at)) : json(nullptr)},
            {"ended", ended}};
  if (!guesses.empty()) j["guesses"] = guesses;
  return j.dump();
}

Result<Session> Session::from_json(std::string_view text) {
  try {
    const json j = json::parse(text.begin(), text.end());
    if (!j.is_object()) return Error::invalid("session: not an object");
    if (j.value("v", 0) != kVersion) return Error::invalid("session: unknown version");
    Session s;
    const json& st = j.at("stack");
    if (!st.is_array()) return Error::invalid("session: stack is not a list");
    for (const json& f : st) {
      Frame fr{f.at("flow").get<std::string>(), f.at("node").get<std::string>(), f.value("reenter", false)};
      if (fr.flow.empty() || fr.node.empty()) return Error::invalid("session: empty frame");
      s.stack.push_back(std::move(fr));
    }
    auto w = waiting_from(j.at("waiting").get<std::string>());
    if (!w) return Error::invalid("session: unknown waiting state");
    s.waiting = *w;
    s.retries = j.at("retries").get<int>();
    if (s.retries < 0) return Error::invalid("session: negative retries");
    s.results = j.at("results").get<std::map<std::string, std::string>>();
    s.scores = j.at("scores").get<std::map<std::string, int64_t>>();
    s.expires_at = from_unix_ms(j.at("expires_at").get<int64_t>());
    const json& due = j.at("due_at");
    if (!due.is_null()) s.due_at = from_unix_ms(due.get<int64_t>());
    s.ended = j.at("ended").get<bool>();
    if (j.contains("guesses")) s.guesses = j.at("guesses").get<std::vector<std::string>>();
    if (!s.ended && s.stack.empty()) return Error::invalid("session: active without a position");
    return s;
  } catch (const json::exception&) {
    // The message of a parse error may quote stored text; keep it out of errors.
    return Error::invalid("session: malformed JSON");
  }
}

}  // namespace gw
