#include "gateway/engine/flow.h"

#include <cctype>

namespace gw {

namespace {

struct KindInfo {
  NodeKind kind;
  const char* name;
  std::vector<std::string> fields;
};

const std::vector<KindInfo>& kinds() {
  static const std::vector<KindInfo> k = {
      {NodeKind::kSay, "say", {"comment", "stat", "say", "vars", "next"}},
      {NodeKind::kAsk,
       "ask",
       {"comment", "stat", "prompt", "vars", "choices", "retry", "max_retries", "fallback", "result"}},
      {NodeKind::kCapture, "capture", {"comment", "stat", "prompt", "vars", "result", "next"}},
      {NodeKind::kBranch, "branch", {"comment", "stat", "cases", "default"}},
      {NodeKind::kScore, "score", {"comment", "stat", "score", "add", "next"}},
      {NodeKind::kSet, "set", {"comment", "stat", "language", "field", "value", "next"}},
      {NodeKind::kSubflow, "subflow", {"comment", "stat", "flow", "next"}},
      {NodeKind::kHandover, "handover", {"comment", "stat", "queue", "priority", "note", "vars"}},
      {NodeKind::kWait, "wait", {"comment", "stat", "seconds", "next", "timeout_next"}},
      {NodeKind::kEnd, "end", {"comment", "stat", "say", "vars"}},
      {NodeKind::kErase, "erase", {"comment", "stat", "say", "vars"}},
  };
  return k;
}

}  // namespace

const char* node_kind_name(NodeKind kind) {
  for (const auto& k : kinds()) {
    if (k.kind == kind) return k.name;
  }
  return "?";
}

std::optional<NodeKind> node_kind_from_name(std::string_view name) {
  for (const auto& k : kinds()) {
    if (name == k.name) return k.kind;
  }
  return std::nullopt;
}

const std::vector<NodeKind>& all_node_kinds() {
  static const std::vector<NodeKind> all = [] {
    std::vector<NodeKind> v;
    for (const auto& k : kinds()) v.push_back(k.kind);
    return v;
  }();
  return all;
}

const std::vector<std::string>& node_kind_fields(NodeKind kind) {
  for (const auto& k : kinds()) {
    if (k.kind == kind) return k.fields;
  }
  static const std::vector<std::string> none;
  return none;
}

bool node_kind_waits(NodeKind kind) {
  return kind == NodeKind::kAsk || kind == NodeKind::kCapture || kind == NodeKind::kWait;
}

const char* priority_name(Priority p) {
  switch (p) {
    case Priority::kUrgent:
      return "urgent";
    case Priority::kHigh:
      return "high";
    case Priority::kNormal:
      return "normal";
  }
  return "normal";
}

std::optional<Priority> priority_from_name(std::string_view name) {
  if (name == "urgent") return Priority::kUrgent;
  if (name == "high") return Priority::kHigh;
  if (name == "normal") return Priority::kNormal;
  return std::nullopt;
}

bool is_valid_subject(std::string_view subject) {
  auto name_ok = [](std::string_view n) {
    if (n.empty() || n.size() > 64) return false;
    for (char c : n) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
    }
    return true;
  };
  if (subject == "score" || subject == "country" || subject == "channel" || subject == "language")
    return true;
  for (std::string_view prefix : {"result.", "field.", "score."}) {
    if (subject.substr(0, prefix.size()) == prefix) return name_ok(subject.substr(prefix.size()));
  }
  if (subject.substr(0, 6) == "guess.") {
    std::string_view n = subject.substr(6);
    if (n.empty() || n.size() > 2 || n[0] == '0') return false;
    for (char c : n) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  }
  return false;
}

const Node* Flow::find(const std::string& node_id) const {
  auto it = nodes.find(node_id);
  return it == nodes.end() ? nullptr : &it->second;
}

const Flow* FlowSet::find(const std::string& flow_id) const {
  auto it = flows.find(flow_id);
  return it == flows.end() ? nullptr : &it->second;
}

const Node* FlowSet::find(const std::string& flow_id, const std::string& node_id) const {
  const Flow* f = find(flow_id);
  return f ? f->find(node_id) : nullptr;
}

}  // namespace gw
