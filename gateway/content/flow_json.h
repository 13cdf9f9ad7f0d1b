// The canonical text of flows/*.json and templates/*.json, so a file the studio
// rewrites differs from the shipped one only where its content changed.
//
// A flow file (write_flow_json) is indented by two spaces. A JSON object or array
// is written on one line — `{"a": 1, "b": [2, 3]}`, with ", " and ": " between
// members — when every member is a scalar, or when it is an object whose members
// are scalars or one-line containers of scalars (an array of objects is never one
// line). Everything else is expanded, one member a line; the top-level value and
// the object under "nodes" are always expanded. Strings are written as
// nlohmann::json::dump writes them with ensure_ascii=false (non-ASCII stays UTF-8),
// numbers as it writes them; the text ends with "\n".
//
// A templates file (write_templates_json) is exactly nlohmann's dump(2) + "\n".
// flows/schema.json is neither: it is never rewritten.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace gw {

// The canonical text of a flow file (also flows/globals.json). Member order is
// kept as in `flow`.
std::string write_flow_json(const nlohmann::ordered_json& flow);

// The canonical text of a templates/*.json file: dump(2) + "\n".
std::string write_templates_json(const nlohmann::ordered_json& templates);

}  // namespace gw
