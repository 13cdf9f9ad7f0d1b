#include "gateway/engine/flow_check.h"

#include <algorithm>
#include <functional>
#include <map>

namespace gw {

namespace {

// An edge from a node to another node of the same flow, with where it is written.
struct Edge {
  std::string location;
  std::string target;
};

std::string node_path(const std::string& id) {
  return "$.nodes." + id;
}
std::string idx(const std::string& base, size_t i) {
  return base + "[" + std::to_string(i) + "]";
}

std::vector<Edge> edges(const Node& n) {
  const std::string p = node_path(n.id);
  std::vector<Edge> out;
  auto add = [&](const std::string& field, const std::string& target) {
    if (!target.empty()) out.push_back({p + "." + field, target});
  };
  switch (n.kind) {
    case NodeKind::kAsk:
      for (size_t i = 0; i < n.choices.size(); ++i) add(idx("choices", i) + ".next", n.choices[i].next);
      add("fallback", n.fallback);
      break;
    case NodeKind::kBranch:
      for (size_t i = 0; i < n.cases.size(); ++i) add(idx("cases", i) + ".next", n.cases[i].next);
      add("default", n.default_next);
      break;
    case NodeKind::kWait:
      add("next", n.next);
      add("timeout_next", n.timeout_next);
      break;
    case NodeKind::kHandover:
    case NodeKind::kEnd:
    case NodeKind::kErase:
      break;
    default:
      add("next", n.next);
  }
  return out;
}

// Template keys a node uses, with where.
std::vector<Edge> template_uses(const Node& n) {
  const std::string p = node_path(n.id);
  std::vector<Edge> out;
  for (size_t i = 0; i < n.say.size(); ++i) out.push_back({idx(p + ".say", i), n.say[i]});
  if (!n.prompt.empty()) out.push_back({p + ".prompt", n.prompt});
  if (!n.retry.empty()) out.push_back({p + ".retry", n.retry});
  if (!n.note.empty()) out.push_back({p + ".note", n.note});
  for (size_t i = 0; i < n.choices.size(); ++i) {
    const std::string c = idx(p + ".choices", i);
    out.push_back({c + ".label", n.choices[i].label});
    for (size_t k = 0; k < n.choices[i].keywords.size(); ++k) {
      out.push_back({idx(c + ".keywords", k), n.choices[i].keywords[k]});
    }
  }
  return out;
}

bool terminal(NodeKind k) {
  return k == NodeKind::kEnd || k == NodeKind::kHandover || k == NodeKind::kErase;
}

class Checker {
 public:
  Checker(const FlowSet& flows, const std::set<std::string>& keys) : flows_(flows), keys_(keys) {}

  std::vector<FlowProblem> run() {
    for (const auto& [id, flow] : flows_.flows) check(flow);
    check_globals();
    return std::move(problems_);
  }

 private:
  void error(const std::string& file, const std::string& loc, const std::string& msg) {
    problems_.push_back({file, loc, msg, FlowProblem::Severity::kError});
  }
  void warning(const std::string& file, const std::string& loc, const std::string& msg) {
    problems_.push_back({file, loc, msg, FlowProblem::Severity::kWarning});
  }
  void need_key(const std::string& file, const std::string& loc, const std::string& key) {
    if (!keys_.count(key)) error(file, loc, "template key \"" + key + "\" is not defined in templates/");
  }

  void check(const Flow& flow) {
    const std::string& file = flow.file;
    if (!flow.find(flow.start)) error(file, "$.start", "start node \"" + flow.start + "\" does not exist");
    for (const std::string& id : flow.order) {
      const Node& n = flow.nodes.at(id);
      for (const Edge& e : edges(n)) {
        if (!flow.find(e.target))
          error(file, e.location, "node \"" + e.target + "\" does not exist in this flow");
      }
      if (n.kind == NodeKind::kSubflow && !flows_.find(n.flow)) {
        error(file, node_path(id) + ".flow", "flow \"" + n.flow + "\" does not exist");
      }
      for (const Edge& t : template_uses(n)) need_key(file, t.location, t.target);
    }
    if (!flow.find(flow.start)) return;

    // Reachability from the start.
    std::set<std::string> seen{flow.start};
    std::vector<std::string> todo{flow.start};
    bool can_end = false;
    while (!todo.empty()) {
      const Node& n = flow.nodes.at(todo.back());
      todo.pop_back();
      can_end = can_end || terminal(n.kind);
      for (const Edge& e : edges(n)) {
        if (flow.find(e.target) && seen.insert(e.target).second) todo.push_back(e.target);
      }
    }
    for (const std::string& id : flow.order) {
      if (!seen.count(id)) warning(file, node_path(id), "node is not reachable from the start node");
    }
    if (!can_end) {
      warning(file, "$.start",
              "no end, handover or erase node can be reached from the start: the flow never finishes");
    }
    check_loops(flow);
  }

  // Strongly connected components (Tarjan) of the nodes that do not wait for the
  // person; each with more than one node, or a node leading to itself, is a loop
  // the engine would cut off at its step budget.
  void check_loops(const Flow& flow) {
    std::map<std::string, int> index, low;
    std::set<std::string> on_stack;
    std::vector<std::string> stack;
    int counter = 0;
    auto next_nodes = [&](const Node& n) {
      std::vector<std::string> out;
      for (const Edge& e : edges(n)) {
        const Node* t = flow.find(e.target);
        if (t && !node_kind_waits(t->kind)) out.push_back(e.target);
      }
      return out;
    };
    std::function<void(const std::string&)> visit = [&](const std::string& v) {
      index[v] = low[v] = counter++;
      stack.push_back(v);
      on_stack.insert(v);
      for (const std::string& w : next_nodes(flow.nodes.at(v))) {
        if (!index.count(w)) {
          visit(w);
          low[v] = std::min(low[v], low[w]);
        } else if (on_stack.count(w)) {
          low[v] = std::min(low[v], index[w]);
        }
      }
      if (low[v] != index[v]) return;
      std::vector<std::string> scc;
      std::string w;
      do {
        w = stack.back();
        stack.pop_back();
        on_stack.erase(w);
        scc.push_back(w);
      } while (w != v);
      const auto self = next_nodes(flow.nodes.at(v));
      if (scc.size() == 1 && std::find(self.begin(), self.end(), v) == self.end()) return;
      // Report at the component's first node in file order, naming all of them.
      std::vector<std::string> ordered;
      for (const std::string& id : flow.order) {
        if (std::find(scc.begin(), scc.end(), id) != scc.end()) ordered.push_back(id);
      }
      std::string names;
      for (const std::string& id : ordered) names += (names.empty() ? "" : ", ") + id;
      warning(flow.file, node_path(ordered.front()),
              "nodes " + names + " form a loop with no ask, capture or wait on it");
    };
    for (const std::string& id : flow.order) {
      if (!node_kind_waits(flow.nodes.at(id).kind) && !index.count(id)) visit(id);
    }
  }

  void check_globals() {
    const std::string file = flows_.globals_file.empty() ? "globals.json" : flows_.globals_file;
    if (!flows_.find(flows_.entry))
      error(file, "$.entry", "entry flow \"" + flows_.entry + "\" does not exist");
    if (!flows_.crisis.empty() && !flows_.find(flows_.crisis)) {
      error(file, "$.crisis", "crisis flow \"" + flows_.crisis + "\" does not exist");
    }
    for (size_t i = 0; i < flows_.globals.size(); ++i) {
      const GlobalKeyword& g = flows_.globals[i];
      const std::string p = idx("$.keywords", i);
      need_key(file, p + ".keyword", g.keyword);
      if (!g.handover && !flows_.find(g.flow))
        error(file, p + ".flow", "flow \"" + g.flow + "\" does not exist");
      if (g.handover && !g.note.empty()) need_key(file, p + ".handover.note", g.note);
    }
  }

  const FlowSet& flows_;
  const std::set<std::string>& keys_;
  std::vector<FlowProblem> problems_;
};

}  // namespace

std::string FlowProblem::to_string() const {
  return file + ":" + location + ": " + (severity == Severity::kError ? "error: " : "warning: ") + message;
}

std::vector<FlowProblem> check_flows(const FlowSet& flows, const std::set<std::string>& template_keys) {
  return Checker(flows, template_keys).run();
}

bool has_errors(const std::vector<FlowProblem>& problems) {
  return std::any_of(problems.begin(), problems.end(),
                     [](const FlowProblem& p) { return p.severity == FlowProblem::Severity::kError; });
}

}  // namespace gw
