// Effect: what the engine asks the shell to do after a step, in order.
//
// The engine decides; the shell acts: it renders Say in the person's language
// (the prompt, then one "N. label" line per choice, numbered from 1), applies
// SetLanguage/SetField to the contact, records results, queues a handover,
// performs (and confirms) an erasure, and deletes the session at End.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

namespace gw::effect {

struct Say {
  std::string template_key;
  nlohmann::json vars = nlohmann::json::object();
  std::vector<std::string> choices;  // label template keys; shown numbered 1..n after the text
  bool operator==(const Say&) const = default;
};
struct SetLanguage {
  std::string lang;
  bool operator==(const SetLanguage&) const = default;
};
struct SetField {
  std::string name;
  std::string value;
  bool operator==(const SetField&) const = default;
};
// An answer worth keeping (an ask's result: an indicator code or a choice).
struct RecordResult {
  std::string name;
  std::string value;
  bool operator==(const RecordResult&) const = default;
};
struct Handover {
  std::string queue;
  std::string priority;  // "urgent", "high" or "normal"
  std::string note;      // template key for the operator, may be empty
  nlohmann::json vars = nlohmann::json::object();
  // Reached through an ask's fallback after answers that matched no choice: the
  // person is told why a person takes over.
  bool unclear = false;
  bool operator==(const Handover&) const = default;
};
// The person confirmed they want their data erased.
struct Erase {
  bool operator==(const Erase&) const = default;
};
// The session is over; `reason` is "end", "handover", "erase", "error" or "expired".
struct End {
  std::string reason;
  bool operator==(const End&) const = default;
};
// The person reached a node with a stat tag (engine/stat_tag.h): count one for
// `metric` ("topic", "indicator" or "screening") and `value` (a code) this week.
struct Stat {
  std::string metric;
  std::string value;
  bool operator==(const Stat&) const = default;
};
// A flow fault (loop, missing node). Names flows and nodes only, never a message.
struct Error {
  std::string message;
  bool operator==(const Error&) const = default;
};

}  // namespace gw::effect

namespace gw {

using Effect = std::variant<effect::Say, effect::SetLanguage, effect::SetField, effect::RecordResult,
                            effect::Handover, effect::Erase, effect::End, effect::Error, effect::Stat>;

// {"effect": "say", "template": ..., "vars": {...}, "choices": [...]} and so on, for
// the simulator's event lines and for debugging.
nlohmann::json effect_to_json(const Effect& e);

}  // namespace gw
