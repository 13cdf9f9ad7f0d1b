#include "gateway/content/flow_json.h"

namespace gw {
namespace {

using Json = nlohmann::ordered_json;

bool is_container(const Json& v) {
  return v.is_object() || v.is_array();
}

bool all_scalars(const Json& v) {
  for (const auto& member : v) {
    if (is_container(member)) return false;
  }
  return true;
}

// True when `v` (a container) goes on one line: only scalars inside, or an object
// whose members are scalars or containers of scalars.
bool one_line(const Json& v) {
  if (all_scalars(v)) return true;
  if (!v.is_object()) return false;
  for (const auto& member : v) {
    if (is_container(member) && !all_scalars(member)) return false;
  }
  return true;
}

void write_inline(const Json& v, std::string& out) {
  if (!is_container(v)) {
    out += v.dump(-1, ' ', false);
    return;
  }
  const bool object = v.is_object();
  out += object ? '{' : '[';
  bool first = true;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!first) out += ", ";
    first = false;
    if (object) {
      out += Json(it.key()).dump(-1, ' ', false);
      out += ": ";
    }
    write_inline(*it, out);
  }
  out += object ? '}' : ']';
}

void write_value(const Json& v, int depth, bool force_expand, std::string& out) {
  if (!is_container(v) || v.empty() || (!force_expand && one_line(v))) {
    write_inline(v, out);
    return;
  }
  const bool object = v.is_object();
  const std::string inner(static_cast<size_t>(depth + 1) * 2, ' ');
  out += object ? "{\n" : "[\n";
  bool first = true;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!first) out += ",\n";
    first = false;
    out += inner;
    if (object) {
      out += Json(it.key()).dump(-1, ' ', false);
      out += ": ";
    }
    // The flow's "nodes" object is always one node a line.
    write_value(*it, depth + 1, depth == 0 && object && it.key() == "nodes", out);
  }
  out += '\n';
  out += std::string(static_cast<size_t>(depth) * 2, ' ');
  out += object ? '}' : ']';
}

}  // namespace

std::string write_flow_json(const nlohmann::ordered_json& flow) {
  std::string out;
  write_value(flow, 0, true, out);
  out += '\n';
  return out;
}

std::string write_templates_json(const nlohmann::ordered_json& templates) {
  return templates.dump(2, ' ', false) + "\n";
}

}  // namespace gw
