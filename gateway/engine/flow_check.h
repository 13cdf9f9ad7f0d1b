// Flow checks: what `gateway check` reports about a loaded FlowSet.
//
// The parser has already checked each file's shape; these checks look at how the
// pieces fit: every node reference resolves, every sub-flow exists, every
// template key is defined, every node can be reached from the start, an end
// (or a handover or erasure) can be reached, and no loop runs without a question
// or a wait on it. Every problem is reported, each with its file and JSON path.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "gateway/engine/flow.h"

namespace gw {

struct FlowProblem {
  enum class Severity { kError, kWarning };

  std::string file;
  std::string location;  // JSON path, e.g. "$.nodes.menu.choices[2].next"
  std::string message;
  Severity severity = Severity::kError;

  // "file:location: error: message" (or "warning: ").
  std::string to_string() const;
};

// Errors: a node reference that does not resolve, an unknown sub-flow (or global
// keyword flow, or entry flow), a template key not in `template_keys`.
// Warnings: a node not reachable from the start, a flow from whose start no end,
// handover or erase node can be reached, a loop with no ask, capture or wait on it.
std::vector<FlowProblem> check_flows(const FlowSet& flows, const std::set<std::string>& template_keys);

bool has_errors(const std::vector<FlowProblem>& problems);

}  // namespace gw
