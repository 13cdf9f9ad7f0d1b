// Flow: a conversation graph that content staff write as flows/<id>.json.
//
// A flow is a set of named nodes and a start node. Every node has a kind
// (say, ask, capture, branch, score, set, subflow, handover, wait, end, erase);
// Node is one flat record and each kind uses the fields its comment names, so
// the loader, the engine and the checks read the same plain data. Nodes refer to
// template keys, never to literal text. FlowSet holds every flow of a content
// directory plus the globals (flows/globals.json): the entry flow and the
// keywords that work from anywhere. flows/README.md documents the format.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gw {

enum class NodeKind { kSay, kAsk, kCapture, kBranch, kScore, kSet, kSubflow, kHandover, kWait, kEnd, kErase };

// "say", "ask", … as written in a flow's "type" field.
const char* node_kind_name(NodeKind kind);
std::optional<NodeKind> node_kind_from_name(std::string_view name);
// Every kind, in declaration order.
const std::vector<NodeKind>& all_node_kinds();
// The fields a node of `kind` may have (besides "type"), as the loader accepts them.
const std::vector<std::string>& node_kind_fields(NodeKind kind);
// True for the kinds that stop and wait for the person (ask, capture, wait).
bool node_kind_waits(NodeKind kind);

enum class Priority { kUrgent, kHigh, kNormal };
const char* priority_name(Priority p);
std::optional<Priority> priority_from_name(std::string_view name);

// One numbered answer of an ask node.
struct Choice {
  std::string label;                  // template key of the label shown after its number
  std::vector<std::string> keywords;  // keyword template keys whose words also select it
  std::string value;                  // recorded in the ask's result; default: the label key
  std::string next;
};

// A branch condition: `subject` is "result.NAME", "field.NAME", "score" or
// "score.NAME", "country", "channel", "language" or "guess.N" (the Nth language
// guess, from 1).
struct Condition {
  enum class Op { kEquals, kIn, kAtLeast, kAtMost, kExists };
  std::string subject;
  Op op = Op::kEquals;
  nlohmann::json value;  // string/number (equals), array (in), number (>=, <=), bool (exists)
};

// True when `subject` follows the grammar above. Vars and set values may refer
// to a subject as "$subject" (e.g. "$result.name", "$guess.1").
bool is_valid_subject(std::string_view subject);

struct Case {
  Condition when;
  std::string next;
};

struct Node {
  std::string id;
  NodeKind kind = NodeKind::kEnd;
  std::string stat;              // any kind: a stat tag (engine/stat_tag.h), "" when the node does not count
  std::vector<std::string> say;  // say, end, erase: template keys sent in order
  nlohmann::json vars = nlohmann::json::object();  // say, ask, capture, end, erase, handover
  std::string next;                                // say, capture, score, set, subflow, wait
  std::string prompt;                              // ask, capture: template key
  std::vector<Choice> choices;                     // ask
  std::string retry;                               // ask: template key sent before asking again
  int max_retries = 2;                             // ask: invalid answers tolerated before `fallback`
  std::string fallback;                            // ask
  std::string result;                              // ask, capture: name of the result to store
  std::vector<Case> cases;                         // branch, first match wins
  std::string default_next;                        // branch: when no case matches
  std::string score = "score";                     // score: which score
  int64_t add = 0;                                 // score
  std::string language;                            // set: a language code or "$guess.N"
  std::string field;                               // set: a contact field name …
  std::string value;                               // set: … and its value (may be "$result.NAME")
  std::string flow;                                // subflow: the flow to enter
  std::string queue;                               // handover
  Priority priority = Priority::kNormal;           // handover
  std::string note;                                // handover: template key of the operator's note
  int64_t seconds = 0;                             // wait: the timeout
  std::string timeout_next;                        // wait
};

struct Flow {
  std::string id;
  std::string start;
  std::string file;  // where it was loaded from (for problems)
  std::map<std::string, Node> nodes;
  std::vector<std::string> order;  // node ids in file order

  const Node* find(const std::string& node_id) const;
};

// A keyword that works in any state (flows/globals.json). Either enters `flow`
// (from its start; with `resume`, as a sub-flow that returns to where the person
// was) or hands the conversation over.
struct GlobalKeyword {
  std::string keyword;  // keyword template key, e.g. "keyword.menu"
  std::string flow;     // empty for a handover
  bool resume = false;
  bool handover = false;
  std::string queue;
  Priority priority = Priority::kNormal;
  std::string note;
};

struct FlowSet {
  std::map<std::string, Flow> flows;
  std::string entry = "main";  // started for a new or expired session
  std::vector<GlobalKeyword> globals;
  std::string crisis;        // the crisis flow (globals.json "crisis"); empty when none
  std::string globals_file;  // empty when there is none

  const Flow* find(const std::string& flow_id) const;
  const Node* find(const std::string& flow_id, const std::string& node_id) const;
};

}  // namespace gw
